/* dpkg's status database (/var/lib/dpkg/status): which packages are installed, at which version. */
#ifndef CVMPREP_DPKG_H
#define CVMPREP_DPKG_H

#include <stdbool.h>
#include <stddef.h>

/* Called for each installed package (Status: install ok installed). Return false to stop. */
typedef bool (*dpkg_pkg_fn)(const char *package, const char *version, void *arg);

/* Returns the number of stanzas seen. Malformed stanzas are skipped. */
size_t dpkg_status_parse(const char *data, size_t len, dpkg_pkg_fn fn, void *arg);

#endif
