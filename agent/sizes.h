/* The import's size limits applied to a whole system disk (disk.size on Linux, win.disk-size on Windows). */
#ifndef CVMPREP_SIZES_H
#define CVMPREP_SIZES_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"
#include "util.h"

/*
 * Report on a disk of size bytes, of which used bytes are in use (when used_known; the qcow2
 * image is about that large at least): over 500 GiB virtual or 50 GiB as qcow2 fails, between
 * the decimal and the binary value warns (GB may mean either). used_evidence goes with the
 * findings about the space in use; zero_hint says, on a pass, how to keep the image that small.
 */
void rule_disk_size_limits(const struct check *c, struct report *r, const char *subject, uint64_t size,
			   bool used_known, uint64_t used, const struct strvec *used_evidence, const char *zero_hint);

#endif
