/* TEST ONLY: reading the fake backend's description (see fake.h). */
#include "fake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inidoc.h"
#include "winfacts.h"
#include "winsys.h"
#include "banned.h"

void win_fake_free(struct win_fake *f)
{
	if (!f)
		return;
	free(f->dir);
	free(f->disk_image);
	free(f);
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

int win_fake_load(struct win_fake **out, char **err)
{
	*out = NULL;
	char *dir = win_env(WIN_FAKE_ENV);
	if (!dir)
		return 0;
	char *ini = win_path_join(dir, "fake.ini"), *data = NULL;
	size_t len = 0;
	int e = win_read_file(ini, 1u << 20, &data, &len);
	if (e < 0) {
		*err = xasprintf("%s is set, but '%s' could not be read: %s", WIN_FAKE_ENV, ini, strerror(-e));
		free(ini);
		free(dir);
		return -1;
	}
	struct win_fake *f = xcalloc(1, sizeof(*f));
	f->dir = dir;
	f->firmware = -1;
	struct ini_doc d;
	ini_doc_parse(data, len, &d);
	free(data);
	int ret = 0;
	for (size_t i = 0; i < d.n && ret == 0; i++) {
		const struct ini_line *l = &d.v[i];
		if (l->kind != INI_KEY)
			continue;
		const char *s = l->section, *k = l->key, *v = l->value;
		uint64_t n = 0;
		bool ok = true;
		if (strcmp(s, "disk") == 0 && strcmp(k, "image") == 0) {
			free(f->disk_image);
			f->disk_image = win_path_join(dir, v);
		} else if (strcmp(s, "disk") == 0 && strcmp(k, "system_partition") == 0) {
			ok = parse_u64(v, &n) && n > 0 && n < 1000;
			f->system_partition = (unsigned)n;
		} else if (strcmp(s, "volume") == 0 && strcmp(k, "total") == 0) {
			ok = parse_u64(v, &f->vol_total);
			f->have_volume = true;
		} else if (strcmp(s, "volume") == 0 && strcmp(k, "free") == 0) {
			ok = parse_u64(v, &f->vol_free);
			f->have_volume = true;
		} else if (strcmp(s, "firmware") == 0 && strcmp(k, "type") == 0) {
			f->firmware = strcmp(v, "bios") == 0 ? WFW_BIOS : strcmp(v, "uefi") == 0 ? WFW_UEFI : -2;
			ok = f->firmware != -2;
		} else if (strcmp(s, "drivers") == 0 && strcmp(k, "install") == 0) {
			ok = strcmp(v, "fake") == 0 || strcmp(v, "real") == 0;
			f->drivers = strcmp(v, "fake") == 0;
		} else {
			ok = false;
		}
		if (!ok) {
			*err = xasprintf("%s:%zu: '%s' in [%s] is not understood", ini, i + 1, k, s);
			ret = -1;
		}
	}
	ini_doc_free(&d);
	free(ini);
	if (ret < 0) {
		win_fake_free(f);
		return ret;
	}
	*out = f;
	return 0;
}
