/*
 * TEST ONLY: the fake backend for what Wine cannot do. When the environment variable
 * CVMPREP_TEST_WINFAKE names a directory holding fake.ini, cvmprep.exe reads the system disk's
 * partition table from a raw sector image instead of \\.\PhysicalDriveN (Wine answers
 * IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS with no extents and has no IOCTL_DISK_GET_DRIVE_LAYOUT_EX),
 * takes the volume's size from the file, and stages driver packages into a driver store it
 * lays out itself (Wine's DiInstallDriverW is a stub). Everything else (registry, files,
 * services, adapters, processes) stays real. Users never set it; tests/windows does.
 *
 *   [disk]
 *   image = disk.img          ; raw image, relative to the directory (MBR, GPT, LDM made by sfdisk)
 *   system_partition = 2      ; the partition (as numbered by the table) holding %SystemRoot%
 *   [volume]
 *   total = 64424509440       ; bytes of the system volume, and free bytes on it
 *   free = 42949672960
 *   [firmware]
 *   type = bios | uefi        ; what GetFirmwareType says (unset: the real probe, BCD and all)
 *   [drivers]
 *   install = fake            ; stage drivers into the fake driver store
 */
#ifndef CVMPREP_FAKE_H
#define CVMPREP_FAKE_H

#include <stdbool.h>
#include <stdint.h>

struct win_fake {
	char *dir;
	char *disk_image;
	unsigned system_partition;
	bool have_volume;
	uint64_t vol_total, vol_free;
	int firmware; /* -1 not faked, else enum win_fw */
	bool drivers;
};

#define WIN_FAKE_ENV "CVMPREP_TEST_WINFAKE"

/* 0 with *out NULL when the variable is not set; -1 with *err when it is set but unusable. */
int win_fake_load(struct win_fake **out, char **err);
void win_fake_free(struct win_fake *f);

#endif
