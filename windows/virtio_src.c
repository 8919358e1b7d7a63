/* Where the virtio drivers come from: virtio-win's folder names and installers' silent switches (virtio_src.h). */
#include "virtio_src.h"

#include <string.h>

#include "util.h"
#include "banned.h"

const char *const *virtio_os_dirs(const struct winver_facts *v)
{
	static const char *const s2008[] = { "2k8", NULL }, *const s2008r2[] = { "2k8R2", "2k8", NULL },
				 *const s2012[] = { "2k12", NULL }, *const s2012r2[] = { "2k12R2", "2k12", NULL },
				 *const s2016[] = { "2k16", NULL }, *const s2019[] = { "2k19", "2k16", NULL },
				 *const s2022[] = { "2k22", "2k19", "2k16", NULL }, *const w7[] = { "w7", NULL },
				 *const w8[] = { "w8", NULL }, *const w81[] = { "w8.1", "w8", NULL },
				 *const w10[] = { "w10", NULL }, *const w11[] = { "w11", "w10", NULL }, *const none[] = { NULL };
	if (v->s.state != FS_OK)
		return none;
	unsigned M = v->major, m = v->minor, b = v->build;
	if (v->server) {
		if (M == 6)
			return m == 0 ? s2008 : m == 1 ? s2008r2 : m == 2 ? s2012 : s2012r2;
		if (M == 10)
			return b >= 20348 ? s2022 : b >= 17763 ? s2019 : s2016;
		return none;
	}
	if (M == 6)
		return m == 1 ? w7 : m == 2 ? w8 : m == 3 ? w81 : none;
	if (M == 10)
		return b >= 22000 ? w11 : w10;
	return none;
}

const char *virtio_arch_dir(const char *arch)
{
	if (!arch)
		return NULL;
	if (strcmp(arch, "x86_64") == 0)
		return "amd64";
	if (strcmp(arch, "i686") == 0)
		return "x86";
	if (strcmp(arch, "aarch64") == 0)
		return "ARM64";
	return NULL;
}

static bool has(const char *data, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; n <= len && i <= len - n; i++)
		if (data[i] == needle[0] && memcmp(data + i, needle, n) == 0)
			return true;
	return false;
}

enum installer_kind installer_kind(const char *data, size_t len)
{
	if (len < 2 || data[0] != 'M' || data[1] != 'Z')
		return INSTALLER_UNKNOWN;
	/* NSIS's data block starts with this signature; Inno Setup names itself in its setup data. */
	if (has(data, len, "NullsoftInst"))
		return INSTALLER_NSIS;
	if (has(data, len, "Inno Setup Setup Data"))
		return INSTALLER_INNO;
	return INSTALLER_UNKNOWN;
}

const char *const *installer_silent_args(enum installer_kind k)
{
	static const char *const nsis[] = { "/S", NULL };
	static const char *const inno[] = { "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", NULL };
	switch (k) {
	case INSTALLER_NSIS:
		return nsis;
	case INSTALLER_INNO:
		return inno;
	case INSTALLER_UNKNOWN:
		break;
	}
	return NULL;
}
