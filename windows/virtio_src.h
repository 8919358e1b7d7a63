/*
 * Where the virtio drivers come from (the [windows] virtio_source setting): an INF folder laid
 * out like the virtio-win ISO (<driver>\<os>\<arch>\<driver>.inf), a virtio-win MSI, or an
 * installer executable (Tencent's virtio_64_1.0.9.exe) run with its framework's silent switch.
 */
#ifndef CVMPREP_VIRTIO_SRC_H
#define CVMPREP_VIRTIO_SRC_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"

/* The virtio-win ISO's folder names for this Windows, best first (NULL-terminated, static). */
const char *const *virtio_os_dirs(const struct winver_facts *v);
/* "amd64", "x86", "ARM64", or NULL. */
const char *virtio_arch_dir(const char *arch);

enum installer_kind { INSTALLER_UNKNOWN, INSTALLER_NSIS, INSTALLER_INNO };
/* Which framework made an installer, from its bytes. */
enum installer_kind installer_kind(const char *data, size_t len);
/* The silent switches of that framework (NULL-terminated, static), or NULL. */
const char *const *installer_silent_args(enum installer_kind k);

#endif
