/*
 * Facts about a Windows system, gathered by the probes in windows/probe_*.c and read by the
 * pure rules in windows/check_*.c. struct facts (agent/facts.h) points at one of these; the
 * first Windows probe allocates it. Each part records whether it could be gathered, and why not.
 */
#ifndef CVMPREP_WINFACTS_H
#define CVMPREP_WINFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cbconf.h"
#include "facts.h"
#include "ptable.h"
#include "reg.h"
#include "util.h"

struct win_fake;

enum win_fw { WFW_UNKNOWN = 0, WFW_BIOS, WFW_UEFI };

struct win_firmware {
	struct section s;
	enum win_fw type;
	struct strvec evidence;
};

/* The system disk: the disk holding the volume of %SystemRoot%, and its partition table. */
struct win_disk {
	struct section s;      /* finding the disk */
	char *volume;          /* "C:\" */
	char *device;          /* "\\.\PhysicalDrive0", or the fake backend's image */
	uint64_t size;         /* bytes */
	unsigned nextents;     /* extents of the system volume (more than one: a spanned dynamic volume) */
	uint64_t vol_offset, vol_length;
	struct section layout; /* reading the partition table */
	struct ptable pt;
	char *layout_source;   /* "IOCTL_DISK_GET_DRIVE_LAYOUT_EX", "sectors of \\.\PhysicalDrive0", ... */
	bool ioctl_gpt, ioctl_mbr; /* what IOCTL_DISK_GET_DRIVE_LAYOUT_EX said, when it answered */
	int system_part;       /* index in pt.parts of the system volume's partition, or -1 */
	struct strvec evidence;
	/* space in use on the volumes of the system disk: an estimate of the qcow2 size */
	bool used_known;
	uint64_t used;
	struct strvec used_evidence;
};

struct win_volume {
	struct section s;
	char *root;   /* "C:\" */
	char *fstype; /* "NTFS" */
	uint64_t total, free;
};

/* A virtio driver: in the driver store, its service, its file, its PCI ID bindings. */
#define WIN_MAX_IDS 2
struct win_driver {
	const char *name;       /* viostor, vioscsi, netkvm */
	const char *ids[WIN_MAX_IDS]; /* "VEN_1AF4&DEV_1001" ..., storage drivers only */
	bool in_store;
	char *store_dir;        /* ...\DriverStore\FileRepository\viostor.inf_amd64_... */
	char *package;          /* the folder's name */
	char *published;        /* oemN.inf, when known */
	bool store_sys;         /* the .sys file is in that folder */
	struct strvec store_evidence;
	/* the service key: Services\<name> */
	bool service;
	struct reg_value start, type, errorcontrol, group, imagepath;
	char *sys_path;         /* %SystemRoot%\System32\drivers\<name>.sys */
	bool sys_installed;
	bool bound[WIN_MAX_IDS]; /* CriticalDeviceDatabase (before 2012) or DriverDatabase (2012 and later) */
	struct strvec bind_evidence;
};

enum { WDRV_VIOSTOR, WDRV_VIOSCSI, WDRV_NETKVM, WDRV_COUNT };

struct win_virtio {
	struct section s;
	bool driver_database;   /* the system binds devices through DriverDatabase (6.2 and later) */
	char *store_root;       /* ...\System32\DriverStore\FileRepository */
	struct win_driver drv[WDRV_COUNT];
};

struct win_cbconf {
	char *path;
	bool unattend;
	struct section s;       /* reading it: ABSENT when it does not exist */
	struct cb_eval ev;
};

struct win_cbinit {
	struct section s;
	bool installed;
	char *service_key;
	char *image_path;       /* the service's command line */
	bool start_known;
	uint32_t start;         /* 2 automatic, 3 manual, 4 disabled */
	bool delayed;
	char *object_name;      /* the account; NULL when the value is absent (LocalSystem) */
	char *conf_source;      /* where the configuration path came from */
	struct win_cbconf conf[2];
};

struct win_adapter {
	char *name;             /* "Ethernet", "Local Area Connection" */
	char *guid;
	bool dhcp;
	char *source;           /* how dhcp was learnt */
	struct strvec addresses;
};

struct win_net {
	struct section s;
	struct win_adapter *v;
	size_t n;
};

struct win_power {
	struct section s;
	int hiberboot;          /* HiberbootEnabled: 1, 0, -1 absent */
	int hibernate;          /* HibernateEnabled: 1, 0, -1 absent */
	bool hiberfil;          /* %SystemDrive%\hiberfil.sys exists */
	char *hiberfil_path;
};

struct win_reboot {
	struct section s;
	struct strvec markers;
};

struct win_tools {
	struct section s;
	struct strvec found;    /* "vendor\tname\tevidence" */
};

struct win_facts {
	struct win_fake *fake;  /* the test-only backend (CVMPREP_TEST_WINFAKE), or NULL */
	char *fake_error;       /* CVMPREP_TEST_WINFAKE is set but unusable */
	struct win_firmware fw;
	struct win_disk disk;
	struct win_volume vol;
	struct win_virtio virtio;
	struct win_cbinit cbi;
	struct win_net net;
	struct win_power power;
	struct win_reboot reboot;
	struct win_tools tools;
};

/* The Windows part of f, allocated (and the fake backend loaded) on first use. */
struct win_facts *win_facts(struct facts *f);
void win_facts_free(struct win_facts *w);

/* Registry paths the probes, planners and tests agree on. */
#define WREG_SERVICES "HKLM\\SYSTEM\\CurrentControlSet\\Services"
#define WREG_CDDB "HKLM\\SYSTEM\\CurrentControlSet\\Control\\CriticalDeviceDatabase"
#define WREG_DRIVERDB "HKLM\\SYSTEM\\DriverDatabase"
#define WREG_SCSI_CLASS "{4D36E97B-E325-11CE-BFC1-08002BE10318}"

#endif
