/*
 * The format and size rules shared by `url-check` (url.format, url.size) and `image`
 * (image.format, image.size, image.partition-table): pure functions from what was read of an
 * image to findings. Also the command-only check lists and the two commands' entry points.
 */
#ifndef CVMPREP_IMAGECHECK_H
#define CVMPREP_IMAGECHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "imagefmt.h"
#include "ptable.h"
#include "report.h"

struct image_facts {
	bool read;            /* the header bytes were read: the rest is meaningful */
	char *unread_reason;  /* when not read: why (a sentence) */
	bool remote;          /* an object behind a URL (only headers known), not a local file */
	struct img_info info;
	bool size_known;
	uint64_t size;        /* of the file or object */

	/* The partition table inside, when it could be read. */
	bool pt_read;
	char *pt_reason;      /* why not, when not */
	struct ptable pt;
	char **part_fs;       /* per pt.parts entry: filesystem libblkid found there, or NULL */
	char *whole_fs;       /* a filesystem on the whole disk (no partition table) */
	bool fs_probed;       /* libblkid looked at the partitions (else only the type codes count) */

	/* The size the image will have as qcow2. */
	bool estimate_known;
	uint64_t estimate;
	char *estimate_how;   /* how it was measured, for the evidence */
	char *estimate_reason; /* why it is unknown */
};

void image_facts_free(struct image_facts *f);

/* url.format / image.format: the format is accepted, whole (no delta, no split), not corrupt. */
void rule_image_format(const struct image_facts *f, const struct check *c, struct report *r, const char *subject);
/* url.size / image.size: virtual size <= 500 GB, size as qcow2 <= 50 GB (GB vs GiB: import-rules.md). */
void rule_image_size(const struct image_facts *f, const struct check *c, struct report *r, const char *subject);
/* image.partition-table: an MBR with a Linux or NTFS partition. */
void rule_image_partition_table(const struct image_facts *f, const struct check *c, struct report *r,
				const char *subject);

/* The checks that run only under their own command, never under `check`. */
extern const struct check check_image_format;
extern const struct check check_image_size;
extern const struct check check_image_partition_table;
extern const struct check check_url_cos;
extern const struct check check_url_signature;
extern const struct check check_url_region;
extern const struct check check_url_readable;
extern const struct check check_url_format;
extern const struct check check_url_size;

/* NULL-terminated, in report order. */
extern const struct check *const url_checks[];
extern const struct check *const image_checks[];
/* Every command-only check, for `explain`: NULL-terminated. */
extern const struct check *const command_checks[];
const struct check *command_check_find(const char *id);

/* The commands (argv[0] is the command name). */
int cmd_url_check(int argc, char **argv);
int cmd_image(int argc, char **argv);

#endif
