/* Reading the configuration file with inih, counting lines so warnings can name them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <ini.h>

#include "config.h"
#include "banned.h"

/*
 * inih (as Debian builds it) reads into a 200-byte stack buffer: a longer line would be cut, and
 * its tail parsed as a line of its own (a long comment ending in "generalize = true" would turn
 * that on). So the reader hands inih one whole line at a time, and refuses lines that do not fit
 * (except comments, which it shortens). It also tracks what inih treats as a continuation line
 * (indented, after a key), so that "skip = a,\n    b" means a and b, as in Python's configparser.
 */
struct parse_state {
	FILE *fp;
	unsigned line; /* lines read so far: the one inih's handler is called for */
	struct config *cfg;
	const char *file;
	struct strvec *warnings;
	char *err;
	char *buf;
	size_t bufsz;
	bool have_prev;         /* a key was set in this section: an indented line continues it */
	bool cont;              /* the current line continues that key's value */
	struct strbuf value;    /* the value so far of the key being continued */
};

static char *reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	if (ps->err || num < 3)
		return NULL;
	ssize_t n = getline(&ps->buf, &ps->bufsz, ps->fp);
	if (n <= 0)
		return NULL; /* end of file, or an error the caller finds with ferror() */
	ps->line++;
	size_t len = (size_t)n;
	if (memchr(ps->buf, '\0', len)) {
		ps->err = xasprintf("%s:%u: NUL byte in line: not a text file", ps->file, ps->line);
		return NULL;
	}
	const char *p = ps->buf;
	if (ps->line == 1 && str_starts_with(p, "\xef\xbb\xbf"))
		p += 3;
	const char *start = p;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')
		p++;
	bool blank = !*p, comment = *p == ';' || *p == '#';
	/* The same rule as inih's INI_ALLOW_MULTILINE: indented, not blank, not a comment, after a key. */
	ps->cont = !blank && !comment && p > start && ps->have_prev;
	if (!ps->cont && *p == '[')
		ps->have_prev = false;

	size_t room = (size_t)num - 2; /* characters before the newline and the NUL */
	size_t body = len && ps->buf[len - 1] == '\n' ? len - 1 : len;
	if (body > room) {
		if (!blank && !comment) {
			ps->err = xasprintf("%s:%u: line longer than %zu characters", ps->file, ps->line, room);
			return NULL;
		}
		memcpy(str, ps->buf, room);
		str[room] = '\n';
		str[room + 1] = '\0';
		return str;
	}
	memcpy(str, ps->buf, len);
	str[len] = '\0';
	return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	if (ps->err)
		return 0;
	if (!value)
		value = "";
	if (ps->cont) {
		/* The whole value again, joined with a space; a warning was already given for the key. */
		struct strvec ignored = STRVEC_INIT;
		strbuf_addch(&ps->value, ' ');
		strbuf_addstr(&ps->value, value);
		int r = config_apply(ps->cfg, ps->file, ps->line, section, name, strbuf_str(&ps->value), &ignored,
				     &ps->err);
		strvec_clear(&ignored);
		return r < 0 ? 0 : 1;
	}
	strbuf_reset(&ps->value);
	strbuf_addstr(&ps->value, value);
	ps->have_prev = *name != '\0';
	if (config_apply(ps->cfg, ps->file, ps->line, section, name, value, ps->warnings, &ps->err) < 0)
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
	int read_errno = ferror(fp) ? (errno ? errno : EIO) : 0;
	fclose(fp);
	free(ps.buf);
	strbuf_release(&ps.value);
	if (ps.err) {
		*err = ps.err;
		return -1;
	}
	if (read_errno) {
		/* A directory, an I/O error: not an empty configuration. */
		*err = xasprintf("could not read config file '%s': %s", path, strerror(read_errno));
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
