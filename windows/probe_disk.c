/*
 * Probes of the boot and disk checks: the firmware type (GetFirmwareType, else the boot
 * configuration), the system disk behind %SystemRoot% (IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS),
 * its partition table (its sectors through the shared MBR/GPT parser, and what
 * IOCTL_DISK_GET_DRIVE_LAYOUT_EX says), and the system volume's file system and usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winioctl.h>

#include "ctx.h"
#include "fake.h"
#include "reg.h"
#include "winchecks.h"
#include "winfacts.h"
#include "winsys.h"
#include "banned.h"

/* ---- firmware ---- */

#define BCD_BOOTMGR "HKLM\\BCD00000000\\Objects\\{9dea862c-5cdd-4e70-acc1-f32b344d4795}"

/* The path of the default boot entry's loader, from the BCD store the registry shows (NULL if none). */
static char *bcd_loader(struct strvec *ev)
{
	char *def = reg_get_string(BCD_BOOTMGR "\\Elements\\23000003", "Element");
	if (!def) {
		strvec_push(ev, "the boot configuration (HKLM\\BCD00000000) names no default boot entry");
		return NULL;
	}
	char *key = xasprintf("HKLM\\BCD00000000\\Objects\\%s\\Elements\\12000002", def);
	char *path = reg_get_string(key, "Element");
	if (path)
		strvec_pushf(ev, "boot configuration: the default entry %s loads %s", def, path);
	else
		strvec_pushf(ev, "boot configuration: the default entry %s has no loader path", def);
	free(key);
	free(def);
	return path;
}

void probe_win_firmware(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_firmware *fw = &w->fw;
	if (fw->s.state != FS_UNPROBED)
		return;
	/* 1. GetFirmwareType (Windows 8 / Server 2012 and later). */
	typedef BOOL(WINAPI * gft_t)(int *);
	gft_t gft = (gft_t)win_proc(L"kernel32.dll", "GetFirmwareType");
	if (w->fake && w->fake->firmware >= 0) {
		fw->type = (enum win_fw)w->fake->firmware;
		strvec_pushf(&fw->evidence, "GetFirmwareType (test backend): %s", fw->type == WFW_UEFI ? "UEFI" : "BIOS");
	} else if (gft) {
		int t = 0;
		if (gft(&t) && (t == 1 || t == 2)) {
			fw->type = t == 1 ? WFW_BIOS : WFW_UEFI;
			strvec_pushf(&fw->evidence, "GetFirmwareType: %s", t == 1 ? "FirmwareTypeBios" : "FirmwareTypeUefi");
		} else {
			strvec_push(&fw->evidence, "GetFirmwareType could not tell");
		}
	} else {
		strvec_push(&fw->evidence, "GetFirmwareType is not available (Windows before 8 and Server 2012)");
	}
	/* 2. The boot configuration: winload.efi or winload.exe. */
	if (fw->type == WFW_UNKNOWN) {
		char *loader = bcd_loader(&fw->evidence);
		if (loader) {
			char *lower = xstrdup(loader);
			for (char *p = lower; *p; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			if (str_ends_with(lower, ".efi"))
				fw->type = WFW_UEFI;
			else if (str_ends_with(lower, ".exe"))
				fw->type = WFW_BIOS;
			free(lower);
		}
		free(loader);
	}
	/* 3. On BIOS systems the firmware variable functions fail with ERROR_INVALID_FUNCTION. */
	if (fw->type == WFW_UNKNOWN) {
		typedef DWORD(WINAPI * gfev_t)(LPCWSTR, LPCWSTR, PVOID, DWORD);
		gfev_t gfev = (gfev_t)win_proc(L"kernel32.dll", "GetFirmwareEnvironmentVariableW");
		if (gfev) {
			SetLastError(0);
			DWORD n = gfev(L"", L"{00000000-0000-0000-0000-000000000000}", NULL, 0);
			DWORD e = GetLastError();
			if (n == 0 && e == ERROR_INVALID_FUNCTION) {
				fw->type = WFW_BIOS;
				strvec_push(&fw->evidence, "GetFirmwareEnvironmentVariable: not supported (legacy BIOS)");
			} else if (n == 0 && (e == ERROR_NOACCESS || e == ERROR_PRIVILEGE_NOT_HELD || e == ERROR_ENVVAR_NOT_FOUND)) {
				fw->type = WFW_UEFI;
				strvec_pushf(&fw->evidence, "GetFirmwareEnvironmentVariable: error %lu (UEFI variables exist)",
					     (unsigned long)e);
			}
		}
	}
	if (fw->type == WFW_UNKNOWN)
		section_set(&fw->s, FS_ERROR, NULL, "the firmware type could not be determined");
	else
		section_set(&fw->s, FS_OK, NULL, NULL);
}

/* ---- the system disk ---- */

struct reader {
	HANDLE h;
	uint64_t size;
};

/* Positional reads; raw disks want sector-aligned offsets and lengths, so go through an aligned buffer. */
static int disk_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct reader *r = arg;
	const uint64_t align = 4096;
	uint64_t start = off / align * align, end = (off + len + align - 1) / align * align;
	if (end - start > (64u << 20))
		return -EFBIG;
	unsigned char *tmp = VirtualAlloc(NULL, (SIZE_T)(end - start), MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
	if (!tmp)
		return -ENOMEM;
	int ret = 0;
	size_t got = 0, want = (size_t)(end - start);
	while (got < want) {
		OVERLAPPED ov;
		memset(&ov, 0, sizeof(ov));
		uint64_t o = start + got;
		ov.Offset = (DWORD)o;
		ov.OffsetHigh = (DWORD)(o >> 32);
		DWORD n = 0;
		if (!ReadFile(r->h, tmp + got, (DWORD)(want - got), &n, &ov)) {
			if (GetLastError() == ERROR_HANDLE_EOF)
				break;
			ret = win_errno(GetLastError());
			break;
		}
		if (n == 0)
			break;
		got += n;
	}
	if (ret == 0 && got < (size_t)(off - start) + len)
		ret = -EIO;
	if (ret == 0)
		memcpy(buf, tmp + (off - start), len);
	VirtualFree(tmp, 0, MEM_RELEASE);
	return ret;
}

static char *volume_of_system_root(void)
{
	char *root = win_system_root();
	wchar_t *w = win_widen(root);
	wchar_t vol[MAX_PATH];
	char *ret = NULL;
	if (w && GetVolumePathNameW(w, vol, MAX_PATH))
		ret = win_narrow(vol, (size_t)-1);
	free(w);
	if (!ret)
		ret = root[0] && root[1] == ':' ? xasprintf("%c:\\", root[0]) : xstrdup("C:\\");
	free(root);
	return ret;
}

/* "C:\" -> "\\.\C:"; a volume GUID path loses its trailing backslash. */
static wchar_t *volume_device(const char *root)
{
	char *dev;
	size_t n = strlen(root);
	if (n >= 2 && root[1] == ':')
		dev = xasprintf("\\\\.\\%c:", root[0]);
	else
		dev = xstrndup(root, n && root[n - 1] == '\\' ? n - 1 : n);
	wchar_t *w = win_widen(dev);
	free(dev);
	return w;
}

#define MAX_EXTENTS 32

struct extents {
	DWORD n;
	DISK_EXTENT e[MAX_EXTENTS];
};

static int get_extents(const wchar_t *dev, struct extents *x, DWORD *werr)
{
	HANDLE h = CreateFileW(dev, 0, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		*werr = GetLastError();
		return -1;
	}
	union {
		VOLUME_DISK_EXTENTS v;
		unsigned char b[sizeof(VOLUME_DISK_EXTENTS) + MAX_EXTENTS * sizeof(DISK_EXTENT)];
	} u;
	DWORD br = 0;
	memset(&u, 0, sizeof(u));
	BOOL ok = DeviceIoControl(h, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS, NULL, 0, &u, sizeof(u), &br, NULL);
	*werr = ok ? 0 : GetLastError();
	CloseHandle(h);
	if (!ok)
		return -1;
	x->n = u.v.NumberOfDiskExtents > MAX_EXTENTS ? MAX_EXTENTS : u.v.NumberOfDiskExtents;
	for (DWORD i = 0; i < x->n; i++)
		x->e[i] = u.v.Extents[i];
	return 0;
}

static void layout_from_ioctl(HANDLE h, struct win_disk *d)
{
	DWORD size = 64 * 1024, br = 0;
	unsigned char *buf = xmalloc(size);
	if (!DeviceIoControl(h, IOCTL_DISK_GET_DRIVE_LAYOUT_EX, NULL, 0, buf, size, &br, NULL)) {
		char *m = win_strerror(GetLastError());
		strvec_pushf(&d->evidence, "IOCTL_DISK_GET_DRIVE_LAYOUT_EX: %s", m);
		free(m);
		free(buf);
		return;
	}
	const DRIVE_LAYOUT_INFORMATION_EX *l = (const DRIVE_LAYOUT_INFORMATION_EX *)buf;
	d->ioctl_gpt = l->PartitionStyle == PARTITION_STYLE_GPT;
	d->ioctl_mbr = l->PartitionStyle == PARTITION_STYLE_MBR;
	strvec_pushf(&d->evidence, "IOCTL_DISK_GET_DRIVE_LAYOUT_EX: %s, %lu entries",
		     d->ioctl_gpt ? "GPT" : d->ioctl_mbr ? "MBR" : "raw (no partition table)",
		     (unsigned long)l->PartitionCount);
	free(buf);
}

/* The used bytes of every volume with an extent on disk number n (an estimate of the qcow2 size). */
static void used_on_disk(DWORD disk, struct win_disk *d)
{
	wchar_t name[MAX_PATH];
	HANDLE f = FindFirstVolumeW(name, MAX_PATH);
	if (f == INVALID_HANDLE_VALUE)
		return;
	bool all = true;
	do {
		char *vol = win_narrow(name, (size_t)-1);
		wchar_t *dev = volume_device(vol);
		struct extents x;
		DWORD e;
		bool here = false;
		if (dev && get_extents(dev, &x, &e) == 0)
			for (DWORD i = 0; i < x.n; i++)
				here = here || x.e[i].DiskNumber == disk;
		ULARGE_INTEGER avail, total, fr;
		if (here) {
			if (GetDiskFreeSpaceExW(name, &avail, &total, &fr)) {
				uint64_t u = total.QuadPart - fr.QuadPart;
				d->used += u;
				char *h = fmt_bytes_iec(u);
				strvec_pushf(&d->used_evidence, "%s: %s in use", vol, h);
				free(h);
			} else {
				all = false;
				strvec_pushf(&d->used_evidence, "%s: not mounted, its use is not counted", vol);
			}
		}
		free(dev);
		free(vol);
	} while (FindNextVolumeW(f, name, MAX_PATH));
	FindVolumeClose(f);
	d->used_known = d->used > 0 || all;
}

static void find_system_partition(struct win_disk *d)
{
	d->system_part = -1;
	for (size_t i = 0; i < d->pt.n; i++)
		if (d->pt.parts[i].start * PT_SECTOR == d->vol_offset)
			d->system_part = (int)i;
}

static void probe_disk_fake(struct win_facts *w, struct win_disk *d)
{
	const struct win_fake *fk = w->fake;
	d->device = xstrdup(fk->disk_image ? fk->disk_image : "(no image)");
	strvec_pushf(&d->evidence, "test backend: the system disk is the image %s", d->device);
	wchar_t *wp = fk->disk_image ? win_widen(fk->disk_image) : NULL;
	HANDLE h = wp ? CreateFileW(wp, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL) : INVALID_HANDLE_VALUE;
	free(wp);
	LARGE_INTEGER sz;
	if (h == INVALID_HANDLE_VALUE || !GetFileSizeEx(h, &sz)) {
		section_set(&d->s, FS_ERROR, NULL, "test backend: the disk image '%s' could not be read", d->device);
		if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
		return;
	}
	d->size = (uint64_t)sz.QuadPart;
	d->nextents = 1;
	section_set(&d->s, FS_OK, NULL, NULL);
	struct reader r = { h, d->size };
	int e = ptable_read(disk_read, &r, d->size, &d->pt);
	CloseHandle(h);
	if (e < 0) {
		section_set(&d->layout, FS_ERROR, NULL, "the partition table could not be read: %s", strerror(-e));
		return;
	}
	d->layout_source = xasprintf("the sectors of %s", d->device);
	section_set(&d->layout, FS_OK, NULL, NULL);
	for (size_t i = 0; i < d->pt.n; i++)
		if (d->pt.parts[i].number == fk->system_partition) {
			d->vol_offset = d->pt.parts[i].start * PT_SECTOR;
			d->vol_length = d->pt.parts[i].sectors * PT_SECTOR;
		}
	find_system_partition(d);
	if (fk->have_volume) {
		d->used = fk->vol_total - (fk->vol_free < fk->vol_total ? fk->vol_free : fk->vol_total);
		d->used_known = true;
		char *h2 = fmt_bytes_iec(d->used);
		strvec_pushf(&d->used_evidence, "%s: %s in use (test backend)", d->volume, h2);
		free(h2);
	}
}

void probe_win_disk(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_disk *d = &w->disk;
	if (d->s.state != FS_UNPROBED)
		return;
	d->volume = volume_of_system_root();
	d->system_part = -1;
	ptable_init(&d->pt);
	if (w->fake && w->fake->disk_image) {
		probe_disk_fake(w, d);
		return;
	}
	wchar_t *dev = volume_device(d->volume);
	struct extents x;
	DWORD werr = 0;
	if (!dev || get_extents(dev, &x, &werr) < 0) {
		char *m = win_strerror(werr);
		if (werr == ERROR_ACCESS_DENIED)
			section_set(&d->s, FS_SKIP, NULL, "finding the system disk needs administrator rights");
		else
			section_set(&d->s, FS_ERROR, NULL, "the disk of the system volume %s could not be found: %s", d->volume, m);
		free(m);
		free(dev);
		return;
	}
	free(dev);
	if (x.n == 0) {
		section_set(&d->s, FS_ERROR, NULL,
			    "the system volume %s reports no disk extents (IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS)", d->volume);
		return;
	}
	d->nextents = (unsigned)x.n;
	d->vol_offset = (uint64_t)x.e[0].StartingOffset.QuadPart;
	d->vol_length = (uint64_t)x.e[0].ExtentLength.QuadPart;
	for (DWORD i = 0; i < x.n; i++)
		strvec_pushf(&d->evidence, "%s: extent on disk %lu at %llu, %llu bytes", d->volume,
			     (unsigned long)x.e[i].DiskNumber, (unsigned long long)x.e[i].StartingOffset.QuadPart,
			     (unsigned long long)x.e[i].ExtentLength.QuadPart);
	DWORD disk = x.e[0].DiskNumber;
	d->device = xasprintf("\\\\.\\PhysicalDrive%lu", (unsigned long)disk);
	wchar_t *wd = win_widen(d->device);
	HANDLE h = CreateFileW(wd, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
	free(wd);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		char *m = win_strerror(e);
		if (e == ERROR_ACCESS_DENIED)
			section_set(&d->s, FS_SKIP, NULL, "reading the system disk %s needs administrator rights", d->device);
		else
			section_set(&d->s, FS_ERROR, NULL, "the system disk %s could not be opened: %s", d->device, m);
		free(m);
		return;
	}
	GET_LENGTH_INFORMATION li;
	DWORD br = 0;
	if (DeviceIoControl(h, IOCTL_DISK_GET_LENGTH_INFO, NULL, 0, &li, sizeof(li), &br, NULL))
		d->size = (uint64_t)li.Length.QuadPart;
	section_set(&d->s, d->size ? FS_OK : FS_ERROR, NULL, d->size ? NULL : "the size of %s is unknown", d->device);
	layout_from_ioctl(h, d);
	struct reader r = { h, d->size };
	int e = d->size ? ptable_read(disk_read, &r, d->size, &d->pt) : -EIO;
	if (e == 0) {
		d->layout_source = xasprintf("the sectors of %s", d->device);
		section_set(&d->layout, FS_OK, NULL, NULL);
	} else if (d->ioctl_gpt || d->ioctl_mbr) {
		d->layout_source = xstrdup("IOCTL_DISK_GET_DRIVE_LAYOUT_EX");
		section_set(&d->layout, FS_OK, NULL, NULL);
	} else {
		section_set(&d->layout, FS_ERROR, NULL, "the partition table of %s could not be read: %s", d->device,
			    strerror(-e));
	}
	CloseHandle(h);
	find_system_partition(d);
	used_on_disk(disk, d);
}

/* ---- the system volume ---- */

void probe_win_volume(struct ctx *ctx, struct facts *f)
{
	(void)ctx;
	struct win_facts *w = win_facts(f);
	struct win_volume *v = &w->vol;
	if (v->s.state != FS_UNPROBED)
		return;
	v->root = volume_of_system_root();
	wchar_t *wr = win_widen(v->root);
	wchar_t fs[MAX_PATH + 1];
	DWORD serial, maxc, flags;
	if (!wr || !GetVolumeInformationW(wr, NULL, 0, &serial, &maxc, &flags, fs, MAX_PATH + 1)) {
		char *m = win_strerror(GetLastError());
		section_set(&v->s, FS_ERROR, NULL, "GetVolumeInformation('%s') failed: %s", v->root, m);
		free(m);
		free(wr);
		return;
	}
	v->fstype = win_narrow(fs, (size_t)-1);
	ULARGE_INTEGER avail, total, fr;
	if (w->fake && w->fake->have_volume) {
		v->total = w->fake->vol_total;
		v->free = w->fake->vol_free;
	} else if (GetDiskFreeSpaceExW(wr, &avail, &total, &fr)) {
		v->total = total.QuadPart;
		v->free = fr.QuadPart;
	}
	free(wr);
	section_set(&v->s, FS_OK, NULL, NULL);
}
