/*
 * Facts about the target system, gathered by the platform's probes and read by the pure rules.
 * Each section records whether it was gathered, and why not: a rule turns a section that could
 * not be read into a finding with status error or skip instead of guessing.
 */
#ifndef CVMPREP_FACTS_H
#define CVMPREP_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cloudinit.h"
#include "netcfg.h"
#include "util.h"

enum fstate {
	FS_UNPROBED = 0,
	FS_OK,
	FS_ABSENT, /* the thing does not exist (no fstab, no os-release) */
	FS_ERROR,  /* it exists but could not be read or parsed */
	FS_SKIP,   /* not knowable in this mode (offline tree, no root privileges) */
};

struct section {
	enum fstate state;
	char *reason; /* for ABSENT/ERROR/SKIP: a sentence for the user */
	char *path;   /* the main file the section came from, if any */
};

void section_set(struct section *s, enum fstate st, const char *path, const char *fmt, ...) ATTR_PRINTF(4, 5);
void section_free(struct section *s);

/* os.release */
struct os_facts {
	struct section s;
	char *id, *id_like, *version_id, *pretty_name, *name, *variant_id;
	char *arch;        /* x86_64, i686, aarch64 ... or NULL */
	char *arch_source; /* where arch came from */
};

/* Where a mount source lives relative to the system disk. */
enum disk_loc {
	LOC_UNKNOWN = 0,
	LOC_SYSTEM, /* on the system disk (a partition of it, or LVM with all PVs on it) */
	LOC_OTHER,  /* on another disk */
	LOC_NONE,   /* not a disk at all: pseudo, network, bind, swap file */
};

struct fstab_entry {
	unsigned line;
	char *spec, *file, *type, *opts; /* escapes (\040) decoded */
	int freq, passno;
	enum disk_loc loc;
	char *loc_evidence;
};

struct fstab_facts {
	struct section s;
	struct fstab_entry *v;
	size_t n;
	struct strvec bad_lines; /* "LINE: reason" for lines that could not be parsed */
};

enum loader_kind { LOADER_NONE = 0, LOADER_GRUB2, LOADER_GRUB_LEGACY, LOADER_EXTLINUX };

struct boot_entry {
	char *source; /* file it came from */
	unsigned line;
	char *title;
	char *kernel;
	char *initrd;
	char *cmdline;
	char *id;      /* GRUB menuentry id, BLS file name, extlinux label */
	int top, sub;  /* position in the menu: top-level index, index inside a submenu or -1 */
	bool is_default;
};

struct boot_facts {
	struct section s;
	enum loader_kind kind;
	char *config; /* the bootloader configuration file that the loader reads */
	struct boot_entry *v;
	size_t n;
	struct strvec notes; /* evidence lines: files found, parse problems */
	/* /etc/default/grub (GRUB 2) */
	char *defaults_path;
	char *cmdline_linux, *cmdline_default;
	unsigned cmdline_linux_line, cmdline_default_line;
	bool disable_uuid;
	unsigned disable_uuid_line;
};

struct firmware_facts {
	struct section s;
	bool uefi_running; /* live: /sys/firmware/efi exists */
	bool efi_loader;   /* an EFI bootloader is installed in the tree */
	bool bios_loader;  /* a BIOS bootloader (grub i386-pc, menu.lst, extlinux) is installed */
	struct strvec evidence;
};

struct partition {
	char *node;
	unsigned partno;
	uint64_t start, size; /* bytes */
	char *type;           /* "0x83", or a GPT type GUID */
	char *fstype, *uuid, *label;
};

struct mount_loc {
	char *mountpoint;
	char *source;
	enum disk_loc loc;
	char *evidence;
};

struct disk_facts {
	struct section s;
	char *disk;      /* /dev/vda, or the image's loop device */
	uint64_t size;   /* bytes */
	struct section table; /* reading the partition table (needs root) */
	char *pttype;    /* "dos", "gpt", or NULL */
	char *whole_fs;  /* filesystem type found on the whole disk (no partition table) */
	struct partition *parts;
	size_t nparts;
	struct strvec evidence;
	/* sector 0 */
	struct section mbr;
	bool mbr_signature; /* 0x55AA */
	bool mbr_code;      /* boot code area not empty */
	char *bootcode;     /* "GRUB 2", "GRUB legacy", "SYSLINUX", or NULL when unrecognised */
	/* system mounts and where they are */
	struct mount_loc *mounts;
	size_t nmounts;
	/* bytes in use on the filesystems of the system disk, an estimate of the qcow2 size */
	bool used_known;
	uint64_t used;
	struct strvec used_evidence;
};

struct fsusage_facts {
	struct section s;
	char *mountpoint;
	uint64_t total, avail;     /* bytes */
	uint64_t files, ffree;     /* inodes; files == 0 when the filesystem has no inode limit */
};

struct shadow_facts {
	struct section s;
	bool regular;
	struct section attrs; /* FS_OK when the flags below are known */
	bool immutable, append_only;
};

struct guest_tool {
	char *name;     /* "open-vm-tools" */
	char *vendor;   /* "VMware" */
	char *evidence; /* "package open-vm-tools 12.2.0 installed (/var/lib/dpkg/status)" */
};

struct guest_facts {
	struct section s;
	struct guest_tool *v;
	size_t n;
};

/* kernel.*: the installed kernels and their virtio drivers. */
enum mod_state { MOD_UNKNOWN = 0, MOD_BUILTIN, MOD_MODULE, MOD_MISSING };

struct kmod_fact {
	char *name;       /* virtio_blk */
	enum mod_state state;
	char *path;       /* module file, relative to the module directory */
	char *config;     /* "CONFIG_VIRTIO_BLK=m" from /boot/config-VERSION, or NULL */
	struct strvec deps; /* modules it depends on (modules.dep), for the initramfs check */
};

struct kernel_info {
	struct section s;  /* the module index could not be read, ... */
	char *version;
	char *moddir;      /* /lib/modules/VERSION or /usr/lib/modules/VERSION */
	char *image;       /* /boot/vmlinuz-VERSION (or moddir/vmlinuz) */
	char *config_path; /* /boot/config-VERSION */
	bool is_default;   /* the default boot entry boots it */
	bool in_boot_menu;
	struct kmod_fact *mods;
	size_t nmods;
	char *package;     /* owning distribution package, NULL if none found */
	struct strvec package_evidence;
	/* initramfs.virtio */
	char *initrd;        /* the initramfs its boot entry loads, as a target path */
	char *initrd_source; /* where that came from: "/boot/grub/grub.cfg:12", "distribution naming" */
	struct section irf;  /* reading it */
	struct strvec irf_needed;  /* modules the storage path needs in it (virtio_blk, virtio_pci, deps) */
	struct strvec irf_has;     /* the wanted modules it holds, "name\tpath" */
	char *irf_layout;          /* "early cpio (uncompressed, 3 entries), then zstd cpio (...)" */
};

struct kernel_facts {
	struct section s;
	struct kernel_info *v;
	size_t n;
	struct strvec notes;
};

/* generalize.*: what ties the image to the machine it was made on. */
struct generalize_facts {
	struct section s;
	bool machine_id_set;       /* /etc/machine-id is not empty */
	char *machine_id_path;
	struct strvec dbus_machine_id; /* /var/lib/dbus/machine-id when it is a file of its own */
	struct strvec ssh_keys;
	struct strvec leases;
	struct strvec histories;
};

/* cloudinit.*: cloud-init installed, enabled, configured for the config drive, and clean. */
enum unit_state { UNIT_MISSING = 0, UNIT_ENABLED, UNIT_DISABLED, UNIT_MASKED, UNIT_STATIC };

struct unit_fact {
	char *name;
	char *file;    /* the unit file, or NULL */
	enum unit_state state;
	struct strvec wanted_by; /* [Install] WantedBy= targets (for enabling it) */
	char *evidence;
};

struct cloudinit_facts {
	struct section s;
	bool installed;
	struct strvec install_evidence;
	char *version;
	bool forced_import; /* cvmprep's forced-import script is installed */
	bool systemd;       /* the target boots with systemd */
	bool marker_disabled, marker_enabled;
	struct unit_fact units[4];
	size_t nunits;
	char *cmdline;      /* the default boot entry's kernel command line */
	char *cmdline_source;
	struct ci_config cfg;
	struct ci_eval eval;
	bool evaluated;
	struct ci_boot boot;
	bool predicted;
	bool has_ds_identify;
	bool ds_tencentcloud_known, ds_tencentcloud; /* cloudinit/sources has DataSourceTencentCloud (Tencent's build) */
	bool cdrom_early;   /* the config drive's CD-ROM stack is built in or in the default initramfs */
	struct strvec cdrom_evidence;
	struct strvec state_paths; /* instance state under /var/lib/cloud */
	struct strvec notes;       /* files that could not be read */
};

/* net.*: how the first NIC will be named, MAC bindings, and the active stack's configuration. */
enum net_stack { STACK_IFUPDOWN, STACK_NETPLAN, STACK_NM, STACK_IFCFG_RH, STACK_WICKED, STACK_NETWORKD, STACK_COUNT };

struct net_facts {
	struct section s;
	/* naming */
	bool udev_naming;         /* systemd/udev predictable names would apply */
	char *naming_evidence;
	bool biosdevname;         /* biosdevname is installed */
	struct nc_cmdline cmd;    /* the default boot entry's command line */
	char *cmd_source;
	struct nc_cmdline future; /* GRUB_CMDLINE_LINUX(+_DEFAULT): what grub-mkconfig writes next */
	bool have_future;
	bool naming_masked;       /* 80-net-setup-link.rules or 99-default.link masked in /etc */
	/* udev MAC bindings */
	struct nc_file *rules;    /* each /etc/udev/rules.d file that binds a name to a MAC */
	size_t nrules;
	char *rule_generator;     /* the old persistent-net generator, if installed and not masked */
	/* the stacks present and their files */
	bool present[STACK_COUNT];
	struct nc_file *files;    /* every configuration file read, all stacks */
	size_t nfiles;
	struct nc_file netplan;   /* netplan's merged view (path "netplan") */
	bool have_netplan;
	char *interfaces;         /* /etc/network/interfaces when ifupdown is present */
	struct strvec unreadable; /* "PATH: reason": configuration that exists but could not be read */
};

struct win_facts;

/* Windows: the version as RtlGetVersion reports it. */
struct winver_facts {
	struct section s;
	unsigned major, minor, build;
	bool server; /* product type is not VER_NT_WORKSTATION */
	char *edition; /* "Windows Server 2019", "Windows 10"... */
	char *arch;    /* "x86_64", "i686" */
};

struct facts {
	struct os_facts os;
	struct fstab_facts fstab;
	struct boot_facts boot;
	struct firmware_facts firmware;
	struct disk_facts disk;
	struct fsusage_facts fsusage;
	struct shadow_facts shadow;
	struct guest_facts guest;
	struct winver_facts winver;
	struct win_facts *win; /* Windows: the rest (windows/winfacts.h), allocated by the Windows probes */
	struct kernel_facts kernels;
	struct generalize_facts generalize;
	struct cloudinit_facts cloudinit;
	struct net_facts net;
};

void facts_free(struct facts *f);
#ifdef _WIN32
void win_facts_free(struct win_facts *w); /* windows/ */
#endif
void fstab_entries_free(struct fstab_entry *v, size_t n);
void boot_entries_free(struct boot_entry *v, size_t n);

#endif
