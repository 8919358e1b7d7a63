/* The configuration file (/etc/cvmprep/cvmprep.conf): INI, every key optional, options win. */
#ifndef CVMPREP_CONFIG_H
#define CVMPREP_CONFIG_H

#include <stdbool.h>

#include "util.h"

#define CONFIG_DEFAULT_PATH_LINUX "/etc/cvmprep/cvmprep.conf"

struct config {
	char *path; /* the file read, NULL when none */
	char *region;
	struct strvec skip;
	bool generalize, forced_import, install_packages;
	struct strvec datasource_list;
	struct strvec metadata_urls;
	char *virtio_source;
	char *cloudbase_init_installer;
};

void config_init(struct config *c);
void config_free(struct config *c);

/*
 * Read path into c. A missing file is an error only when required (the user named it).
 * Unknown sections or keys add a warning naming file and line to *warnings. Returns 0, or -1
 * with *err set ("FILE:LINE: ...") for a file that cannot be read or parsed.
 */
int config_load(struct config *c, const char *path, bool required, struct strvec *warnings, char **err);

/* Apply one key (shared by the parsers of each platform). Returns 0, or -1 with *err set. */
int config_apply(struct config *c, const char *file, unsigned line, const char *section, const char *key,
		 const char *value, struct strvec *warnings, char **err);

/* The default configuration file of this platform. */
const char *config_default_path(void);

#endif
