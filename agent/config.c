/* The configuration file: keys, their types and their validation, shared by every platform. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
}

void config_free(struct config *c)
{
	free(c->path);
	free(c->region);
	strvec_clear(&c->skip);
	strvec_clear(&c->datasource_list);
	strvec_clear(&c->metadata_urls);
	free(c->virtio_source);
	free(c->cloudbase_init_installer);
	memset(c, 0, sizeof(*c));
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (str_casecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (str_casecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static void set_list(struct strvec *sv, const char *v)
{
	strvec_clear(sv);
	str_split(sv, v, ", \t");
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

enum ktype { K_STR, K_LIST, K_BOOL };

struct key {
	const char *section, *name;
	enum ktype type;
	size_t offset;
};

#define K(sec, name, type, field) { sec, name, type, offsetof(struct config, field) }
static const struct key keys[] = {
	K("target", "region", K_STR, region),
	K("checks", "skip", K_LIST, skip),
	K("fix", "generalize", K_BOOL, generalize),
	K("fix", "forced_import", K_BOOL, forced_import),
	K("fix", "install_packages", K_BOOL, install_packages),
	K("cloud-init", "datasource_list", K_LIST, datasource_list),
	K("cloud-init", "metadata_urls", K_LIST, metadata_urls),
	K("windows", "virtio_source", K_STR, virtio_source),
	K("windows", "cloudbase_init_installer", K_STR, cloudbase_init_installer),
};

int config_apply(struct config *c, const char *file, unsigned line, const char *section, const char *key,
		 const char *value, struct strvec *warnings, char **err)
{
	bool known_section = false;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (str_casecmp(section, keys[i].section) != 0)
			continue;
		known_section = true;
		if (str_casecmp(key, keys[i].name) != 0)
			continue;
		void *field = (char *)c + keys[i].offset;
		switch (keys[i].type) {
		case K_STR:
			set_str(field, value);
			break;
		case K_LIST:
			set_list(field, value);
			break;
		case K_BOOL:
			if (parse_bool(value, field) < 0) {
				*err = xasprintf("%s:%u: '%s' is not a boolean for %s.%s (use true or false)", file, line,
						 value, keys[i].section, keys[i].name);
				return -1;
			}
			break;
		}
		return 0;
	}
	if (known_section)
		strvec_pushf(warnings, "%s:%u: unknown key '%s' in section [%s], ignored", file, line, key, section);
	else if (!*section)
		strvec_pushf(warnings, "%s:%u: key '%s' outside any section, ignored", file, line, key);
	else
		strvec_pushf(warnings, "%s:%u: unknown section [%s], key '%s' ignored", file, line, section, key);
	return 0;
}
