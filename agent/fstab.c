/* fstab(5), device names and how stable they are, and the kernel command line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "banned.h"

char *fstab_unescape(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			int v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			if (v == 0)
				v = '?'; /* a NUL would cut the string: keep it visible instead */
			strbuf_addch(&sb, (char)v);
			s += 4;
		} else if (s[0] == '\\' && s[1] == '\\') {
			strbuf_addch(&sb, '\\');
			s += 2;
		} else {
			strbuf_addch(&sb, *s++);
		}
	}
	return strbuf_detach(&sb);
}

/* A dump or pass field as libmount reads it: a whole decimal number (it accepts a sign too). */
static bool parse_int(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s || *end || v < -1000000 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

int fstab_parse(const char *data, size_t len, struct fstab_entry **out, size_t *n, struct strvec *bad_lines)
{
	struct line_iter it;
	struct fstab_entry *v = NULL;
	size_t cnt = 0, alloc = 0;
	line_iter_init(&it, data, len);
	while (line_iter_next(&it)) {
		char *l = str_trim(it.line);
		if (!*l || *l == '#')
			continue;
		struct strvec f = STRVEC_INIT;
		str_split(&f, l, " \t");
		int freq = 0, passno = 0;
		/*
		 * Like libmount (mount, systemd's fstab generator), ignore what follows the sixth field:
		 * "... 0 1 # comment" is a valid entry that the system mounts, so it must be checked.
		 */
		if (f.n < 2) {
			strvec_pushf(bad_lines, "%u: fewer than two fields", it.lineno);
		} else if ((f.n > 4 && !parse_int(f.v[4], &freq)) || (f.n > 5 && !parse_int(f.v[5], &passno))) {
			strvec_pushf(bad_lines, "%u: dump and pass fields must be numbers", it.lineno);
		} else {
			if (cnt == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				v = xreallocarray(v, alloc, sizeof(*v));
			}
			struct fstab_entry *e = &v[cnt++];
			memset(e, 0, sizeof(*e));
			e->line = it.lineno;
			e->spec = fstab_unescape(f.v[0]);
			e->file = fstab_unescape(f.v[1]);
			e->type = fstab_unescape(f.n > 2 ? f.v[2] : "auto");
			e->opts = fstab_unescape(f.n > 3 ? f.v[3] : "defaults");
			e->freq = freq;
			e->passno = passno;
		}
		strvec_clear(&f);
	}
	line_iter_done(&it);
	*out = v;
	*n = cnt;
	return 0;
}

bool fstab_has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;
	while (*p) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, opt, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

bool fstype_is_virtual(const char *t)
{
	static const char *const v[] = { "proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2",
					 "securityfs", "debugfs", "tracefs", "configfs", "mqueue", "hugetlbfs",
					 "pstore", "efivarfs", "bpf", "fusectl", "binfmt_misc", "autofs",
					 "ramfs", "rpc_pipefs", "nfsd", "none", "usbfs", "overlay" };
	static const char *const net[] = { "nfs", "nfs4", "cifs", "smbfs", "smb3", "glusterfs", "ceph", "9p",
					   "sshfs", "fuse.sshfs", "davfs", "lustre" };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		if (strcmp(t, v[i]) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(net); i++)
		if (strcmp(t, net[i]) == 0)
			return true;
	return false;
}

/*
 * Kernel names of disks and partitions, whose numbering depends on the hypervisor's controllers.
 * The name must look like one (sd + letter, nvme + digit, cciss/c + digit) and have no further
 * directory level, so that LVM's /dev/VG/LV with a VG named "srv", "sdata" or "hdd" is not one.
 */
static bool is_kernel_name(const char *n)
{
	static const struct {
		const char *prefix;
		char next; /* 'a': a letter follows, '0': a digit, 'c': "c" and a digit */
	} kinds[] = {
		{ "sd", 'a' },   { "hd", 'a' },     { "vd", 'a' },     { "xvd", 'a' },  { "dasd", 'a' },
		{ "ubd", 'a' },  { "nvme", '0' },   { "mmcblk", '0' }, { "sr", '0' },   { "scd", '0' },
		{ "cciss/", 'c' }, { "ida/", 'c' }, { "rd/", 'c' },
		/* Names of the machine the image was prepared on, never of the instance's disk. */
		{ "loop", '0' }, { "dm-", '0' }, { "nbd", '0' }, { "ram", '0' },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t pl = strlen(kinds[i].prefix);
		if (strncmp(n, kinds[i].prefix, pl) != 0)
			continue;
		const char *r = n + pl;
		if (strchr(r, '/'))
			return false;
		switch (kinds[i].next) {
		case 'a':
			return *r >= 'a' && *r <= 'z';
		case '0':
			return isdigit((unsigned char)*r);
		default:
			return r[0] == 'c' && isdigit((unsigned char)r[1]);
		}
	}
	return false;
}

/* /dev/md0, /dev/md127, /dev/md/name, /dev/md_d0; not /dev/mdata/lv (an LVM VG called "mdata"). */
static bool is_md_name(const char *n)
{
	if (str_starts_with(n, "md/"))
		return n[3] && !strchr(n + 3, '/');
	if (str_starts_with(n, "md_d"))
		n += 4;
	else if (str_starts_with(n, "md"))
		n += 2;
	else
		return false;
	if (!*n)
		return false;
	for (; *n; n++)
		if (!isdigit((unsigned char)*n) && *n != 'p')
			return false;
	return true;
}

enum devname_kind devname_classify(const char *spec, const char *fstype)
{
	if (!spec || !*spec)
		return DEV_NOTHING;
	if (str_starts_with(spec, "UUID="))
		return DEV_UUID;
	if (str_starts_with(spec, "LABEL="))
		return DEV_LABEL;
	if (str_starts_with(spec, "PARTUUID=") || str_starts_with(spec, "PARTLABEL="))
		return DEV_PARTUUID;
	if (fstype && fstype_is_virtual(fstype))
		return DEV_NONE;
	if (!str_starts_with(spec, "/dev/"))
		return DEV_NONE; /* a swap file, a bind mount source, host:/export, //server/share */
	const char *n = spec + 5;
	if (str_starts_with(n, "disk/by-path/"))
		return DEV_BY_PATH;
	if (str_starts_with(n, "disk/by-id/"))
		return DEV_BY_ID;
	if (str_starts_with(n, "disk/by-uuid/"))
		return DEV_UUID;
	if (str_starts_with(n, "disk/by-label/"))
		return DEV_LABEL;
	if (str_starts_with(n, "disk/by-partuuid/") || str_starts_with(n, "disk/by-partlabel/"))
		return DEV_PARTUUID;
	if (str_starts_with(n, "mapper/"))
		return DEV_LVM;
	if (is_md_name(n))
		return DEV_MD;
	if (is_kernel_name(n))
		return DEV_KERNEL;
	/* /dev/VG/LV: a directory level below /dev that is not one of the above. */
	const char *slash = strchr(n, '/');
	if (slash && slash != n && slash[1] && !strchr(slash + 1, '/'))
		return DEV_LVM;
	return DEV_OTHER_DEV;
}

const char *devname_kind_name(enum devname_kind k)
{
	switch (k) {
	case DEV_KERNEL:
		return "kernel device name";
	case DEV_BY_PATH:
		return "by-path link (names the old controller)";
	case DEV_BY_ID:
		return "by-id link (names the old disk's serial or model)";
	case DEV_UUID:
		return "filesystem UUID";
	case DEV_LABEL:
		return "filesystem label";
	case DEV_PARTUUID:
		return "partition UUID or label";
	case DEV_LVM:
		return "LVM volume";
	case DEV_MD:
		return "software RAID device";
	case DEV_OTHER_DEV:
		return "device node";
	case DEV_NONE:
		return "not a block device";
	case DEV_NOTHING:
		return "empty";
	}
	return "?";
}

bool devname_stable(enum devname_kind k)
{
	switch (k) {
	case DEV_KERNEL:
	case DEV_BY_PATH:
	case DEV_BY_ID:
		return false;
	default:
		return true;
	}
}

char *kernel_disk_of(const char *dev)
{
	if (!str_starts_with(dev, "/dev/"))
		return NULL;
	const char *n = dev + 5;
	if (!is_kernel_name(n))
		return NULL;
	size_t len = strlen(n);
	if (str_starts_with(n, "sr") || str_starts_with(n, "scd") || str_starts_with(n, "dm-") ||
	    str_starts_with(n, "ram"))
		return xstrdup(n); /* no partitions in these names: sr0, dm-3 and ram0 are the disks */
	if (str_starts_with(n, "nvme") || str_starts_with(n, "mmcblk") || str_starts_with(n, "loop") ||
	    str_starts_with(n, "nbd")) {
		/* nvme0n1p2 -> nvme0n1; mmcblk0p1 -> mmcblk0; loop0p1 -> loop0 */
		const char *p = strrchr(n, 'p');
		if (p && p > n + 3 && isdigit((unsigned char)p[-1]) && p[1] && isdigit((unsigned char)p[1]))
			len = (size_t)(p - n);
		return xstrndup(n, len);
	}
	if (strchr(n, '/')) { /* cciss/c0d0p1 */
		const char *p = strrchr(n, 'p');
		if (p && p[1] && isdigit((unsigned char)p[1]))
			len = (size_t)(p - n);
		return xstrndup(n, len);
	}
	while (len && isdigit((unsigned char)n[len - 1]))
		len--;
	return len ? xstrndup(n, len) : NULL;
}

void cmdline_split(const char *s, struct strvec *out)
{
	struct strbuf w = STRBUF_INIT;
	while (*s) {
		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		bool q = false;
		strbuf_reset(&w);
		while (*s && (q || !isspace((unsigned char)*s))) {
			if (*s == '"')
				q = !q;
			else
				strbuf_addch(&w, *s);
			s++;
		}
		strvec_push(out, strbuf_str(&w));
	}
	strbuf_release(&w);
}

char *cmdline_get(const char *cmdline, const char *key)
{
	struct strvec w = STRVEC_INIT;
	char *val = NULL;
	size_t n = strlen(key);
	cmdline_split(cmdline, &w);
	for (size_t i = 0; i < w.n; i++) {
		/* The kernel hands everything after "--" to init: those are not kernel parameters. */
		if (strcmp(w.v[i], "--") == 0)
			break;
		if (strncmp(w.v[i], key, n) == 0 && w.v[i][n] == '=') {
			free(val);
			val = xstrdup(w.v[i] + n + 1);
		}
	}
	strvec_clear(&w);
	return val;
}
