/*
 * Parsers for the text files the Linux checks read: os-release and legacy release files, fstab,
 * the kernel command line, and bootloader configuration (GRUB 2 defaults and grub.cfg, BLS
 * entries, GRUB legacy menu.lst, extlinux/syslinux). All are pure: text in, structures out,
 * and every input is untrusted (bounded, no recursion on input depth, garbage tolerated).
 */
#ifndef CVMPREP_PARSE_H
#define CVMPREP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "facts.h"
#include "util.h"

/* Iterate over lines of a buffer; line numbers start at 1. Lines stop at NUL bytes. */
struct line_iter {
	const char *p, *end;
	unsigned lineno;
	char *line; /* owned by the iterator until the next call */
};
void line_iter_init(struct line_iter *it, const char *data, size_t len);
bool line_iter_next(struct line_iter *it);
void line_iter_done(struct line_iter *it);

/* ---- os-release ---- */
/* Parse os-release text into o (id, version_id, ...). Returns the number of keys recognised. */
int osrelease_parse(const char *data, size_t len, struct os_facts *o);
/* Parse one shell-style value: "quoted", 'single', or bare, with backslash escapes. NULL if malformed. */
char *shell_unquote(const char *s);
/* Legacy release files: /etc/redhat-release, centos-release, SuSE-release, lsb-release, debian_version. */
int legacy_release_parse(const char *file, const char *data, size_t len, struct os_facts *o);
/* Tencent's list of supported distributions, and architectures. */
bool os_id_supported(const char *id);
bool arch_supported(const char *arch);
/* ELF e_machine of a binary header to an architecture name, or NULL. */
const char *elf_arch(const unsigned char *hdr, size_t n);

/* ---- fstab ---- */
int fstab_parse(const char *data, size_t len, struct fstab_entry **out, size_t *n, struct strvec *bad_lines);
/* Decode fstab's octal escapes (\040 for space ...). */
char *fstab_unescape(const char *s);
bool fstab_has_option(const char *opts, const char *opt);

enum devname_kind {
	DEV_KERNEL,     /* /dev/sda1, /dev/vdb, /dev/xvda1, /dev/hda1, /dev/nvme0n1p1, /dev/mmcblk0p1 */
	DEV_BY_PATH,    /* /dev/disk/by-path/... */
	DEV_BY_ID,      /* /dev/disk/by-id/... */
	DEV_UUID,       /* UUID=, /dev/disk/by-uuid/ */
	DEV_LABEL,      /* LABEL=, /dev/disk/by-label/ */
	DEV_PARTUUID,   /* PARTUUID=, PARTLABEL=, /dev/disk/by-partuuid/ */
	DEV_LVM,        /* /dev/mapper/vg-lv, /dev/VG/LV */
	DEV_MD,         /* /dev/md0, /dev/md/name */
	DEV_OTHER_DEV,  /* some other /dev node */
	DEV_NONE,       /* pseudo filesystems, network shares, swap files, bind mounts */
	DEV_NOTHING,    /* empty */
};
enum devname_kind devname_classify(const char *spec, const char *fstype);
const char *devname_kind_name(enum devname_kind k);
/* Whether a kind names a filesystem in a way that survives the move to a new hypervisor. */
bool devname_stable(enum devname_kind k);
/* The disk a kernel partition name belongs to ("/dev/sda1" -> "sda"), or NULL. */
char *kernel_disk_of(const char *dev);
/* Filesystem types that are not on a block device. */
bool fstype_is_virtual(const char *fstype);

/* ---- kernel command line ---- */
void cmdline_split(const char *cmdline, struct strvec *out);
/* The value of the last "key=value" for key (before any "--"), or NULL. */
char *cmdline_get(const char *cmdline, const char *key);

/* ---- bootloaders ---- */
struct grub_defaults {
	char *cmdline_linux, *cmdline_default;
	unsigned cmdline_linux_line, cmdline_default_line;
	bool disable_uuid;
	unsigned disable_uuid_line;
	char *grub_default;
};
/* Parse /etc/default/grub (shell assignments); may be called again for grub.d drop-ins. */
void grub_defaults_parse(const char *data, size_t len, struct grub_defaults *d);
void grub_defaults_free(struct grub_defaults *d);

struct boot_list {
	struct boot_entry *v;
	size_t n, alloc;
	bool uses_blscfg; /* grub.cfg calls blscfg: entries come from /boot/loader/entries */
	char *default_spec; /* "set default=..." or "default N" / "DEFAULT label" */
	struct strvec notes;
};
void boot_list_free(struct boot_list *l);
/* grub.cfg (GRUB 2): menuentry blocks with linux/initrd lines; env holds grubenv variables. */
void grubcfg_parse(const char *file, const char *data, size_t len, const struct strvec *grubenv, struct boot_list *l);
/* One BLS entry file (a .conf file in /boot/loader/entries). */
void bls_parse(const char *file, const char *data, size_t len, const struct strvec *grubenv, struct boot_list *l);
/* GRUB legacy menu.lst / grub.conf. */
void menulst_parse(const char *file, const char *data, size_t len, struct boot_list *l);
/* extlinux.conf / syslinux.cfg. */
void extlinux_parse(const char *file, const char *data, size_t len, struct boot_list *l);
/* grubenv: "key=value" lines; pushed as "key=value" strings. */
void grubenv_parse(const char *data, size_t len, struct strvec *env);
/* Mark the default entry from default_spec (index, title, id or label); the first entry otherwise. */
void boot_list_mark_default(struct boot_list *l, const char *saved_entry);

#endif
