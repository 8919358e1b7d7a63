/* Reading the configuration file with inih, counting lines so warnings can name them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "banned.h"

struct parse_state {
	FILE *fp;
	unsigned line; /* lines handed to inih so far: the one its handler is called for */
	struct config *cfg;
	const char *file;
	struct strvec *warnings;
	char *err;
};

static char *reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	char *r = fgets(str, num, ps->fp);
	if (r) {
		size_t n = strlen(r);
		/* Only a complete line counts; inih reads overlong lines in pieces. */
		if (n && r[n - 1] == '\n')
			ps->line++;
		else if (feof(ps->fp))
			ps->line++;
	}
	return r;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	if (ps->err)
		return 0;
	if (config_apply(ps->cfg, ps->file, ps->line, section, name, value ? value : "", ps->warnings, &ps->err) < 0)
		return 0;
	return 1;
}

const char *config_default_path(void)
{
	return CONFIG_DEFAULT_PATH_LINUX;
}

int config_load(struct config *c, const char *path, bool required, struct strvec *warnings, char **err)
{
	FILE *fp = fopen(path, "re");
	if (!fp) {
		if (!required && errno == ENOENT)
			return 0;
		*err = xasprintf("could not read config file '%s': %s", path, strerror(errno));
		return -1;
	}
	struct parse_state ps = { .fp = fp, .cfg = c, .file = path, .warnings = warnings };
	int r = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(fp);
	if (ps.err) {
		*err = ps.err;
		return -1;
	}
	if (r > 0) {
		*err = xasprintf("%s:%d: malformed line (expected [section], key = value, or a comment)", path, r);
		return -1;
	}
	if (r < 0) {
		*err = xasprintf("could not parse config file '%s'", path);
		return -1;
	}
	free(c->path);
	c->path = xstrdup(path);
	return 0;
}
