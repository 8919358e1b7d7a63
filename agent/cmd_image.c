/* `cvmprep image FILE`: format, virtual size, size as qcow2 and partition table of a local image file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdreport.h"
#include "config.h"
#include "imagecheck.h"
#include "imagesrc.h"
#include "platform.h"
#include "banned.h"

static const char cmd[] = "image";

static void image_help(FILE *out)
{
	fprintf(out,
		"usage: cvmprep image [OPTIONS] FILE\n\n"
		"Read a disk image file (qcow2, vhd, vmdk, raw; vhdx, ISO, archives are named) and report\n"
		"its format, virtual size, the size it will have as qcow2, and the partition table of the\n"
		"disk inside: the checks image.format, image.size and image.partition-table.\n\n"
		"options:\n%s\n"
		"exit status: 0 ready, 1 ready with warnings, 2 not ready, 64 usage error (or no such\n"
		"             file), 70 internal error, 77 permission denied.\n",
		cmdreport_help);
}

struct pt_reader {
	struct img_map *m;
};

static int map_read(void *arg, uint64_t off, void *buf, size_t len)
{
	struct pt_reader *pr = arg;
	if (off > imgmap_size(pr->m) || len > imgmap_size(pr->m) - off)
		return -EIO;
	return imgmap_read(pr->m, off, buf, len);
}

/* The directory part of path, with its trailing separator ("" for a bare name). */
static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
#ifdef _WIN32
	const char *b = strrchr(path, '\\');
	if (b && (!s || b > s))
		s = b;
#endif
	return s ? xstrndup(path, (size_t)(s - path + 1)) : xstrdup("");
}

/*
 * A descriptor-only vmdk with one FLAT extent: its data is a raw image in another file. Open
 * it so that the disk can still be measured and read; the split stays a blocker.
 */
static int open_flat_extent(const char *path, const struct img_info *in, struct image_file **ext, uint64_t *base,
			    char **why)
{
	*ext = NULL;
	if (in->vmdk.n_extents != 1 || in->vmdk.extents[0].type != VMDK_EXT_FLAT || !in->vmdk.extents[0].file) {
		*why = xstrdup(in->vmdk.n_extents > 1 ? "the disk is split over several extent files"
						      : "the descriptor's extent is not a flat file");
		return -ENOTSUP;
	}
	const struct vmdk_extent *e = &in->vmdk.extents[0];
	if (strchr(e->file, '/') || strstr(e->file, "..")) {
		*why = xasprintf("the extent file name '%s' is not a plain file name", e->file);
		return -EINVAL;
	}
	char *dir = dir_of(path);
	char *full = xasprintf("%s%s", dir, e->file);
	free(dir);
	int ret = image_file_open(full, ext);
	if (ret < 0)
		*why = xasprintf("the flat extent '%s' cannot be opened: %s", full, strerror(-ret));
	free(full);
	*base = e->offset * 512;
	return ret;
}

static void probe_partitions(struct image_facts *f, struct image_file *raw, uint64_t base, struct img_map *m)
{
	char *type = NULL;
	if (f->pt.kind == PT_NONE) {
		int ret = image_probe_fs(raw, base, m, 0, imgmap_size(m), &type);
		f->fs_probed = ret == 0;
		f->whole_fs = type;
		return;
	}
	f->part_fs = xcalloc(f->pt.n ? f->pt.n : 1, sizeof(char *));
	f->fs_probed = true;
	for (size_t i = 0; i < f->pt.n; i++) {
		const struct pt_part *p = &f->pt.parts[i];
		if (p->cls == PC_EXTENDED || p->cls == PC_PROTECTIVE || !p->sectors)
			continue;
		uint64_t off = p->start * PT_SECTOR, size = p->sectors * PT_SECTOR;
		if (off >= imgmap_size(m))
			continue;
		if (size > imgmap_size(m) - off)
			size = imgmap_size(m) - off;
		int ret = image_probe_fs(raw, base, m, off, size, &type);
		if (ret == -ENOTSUP) {
			f->fs_probed = false;
			break;
		}
		f->part_fs[i] = type;
		type = NULL;
	}
}

static const char *map_method(const struct img_info *in)
{
	switch (in->format) {
	case IMG_QCOW2:
		return "the qcow2 L1/L2 tables";
	case IMG_VMDK:
		return in->vmdk.sparse_header ? "the vmdk grain directory and tables" : image_file_hole_method;
	case IMG_VHD:
		return in->vhd.type == VHD_FIXED ? image_file_hole_method : "the vhd block allocation table";
	default:
		return image_file_hole_method;
	}
}

/* Everything the three checks need from the file. */
static void gather(struct image_file *file, struct image_facts *f)
{
	struct img_info *in = &f->info;
	uint64_t size = file->io.size;
	size_t hl = size < IMG_HEAD_BYTES ? (size_t)size : IMG_HEAD_BYTES;
	uint8_t *head = xmalloc(hl ? hl : 1), tail[IMG_TAIL_BYTES];
	size_t tl = 0;
	struct image_file *ext = NULL;
	struct img_map *m = NULL;
	char *err = NULL;

	f->size_known = true;
	f->size = size;
	int64_t n = file->io.pread(file->io.arg, 0, head, hl);
	if (n < 0 || (size_t)n != hl) {
		f->unread_reason = xasprintf("could not read '%s': %s", file->path, n < 0 ? strerror((int)-n) : "short read");
		goto out;
	}
	if (size >= IMG_TAIL_BYTES) {
		n = file->io.pread(file->io.arg, size - IMG_TAIL_BYTES, tail, IMG_TAIL_BYTES);
		if (n == IMG_TAIL_BYTES)
			tl = IMG_TAIL_BYTES;
	}
	f->read = true;
	imagefmt_identify(head, hl, tl ? tail : NULL, tl, size, in);

	if (!imagefmt_accepted(in->format) || in->problem || in->delta || in->encrypted) {
		const char *why = !imagefmt_accepted(in->format) ? "not a disk image the import reads"
				  : in->problem ? "the image header is damaged"
				  : in->delta ? "a snapshot delta: the parent holds the rest of the disk"
					      : "the image is encrypted";
		f->pt_reason = xasprintf("%s (see image.format)", why);
		f->estimate_reason = xstrdup(why);
		goto out;
	}
	const struct img_io *io = &file->io;
	uint64_t base = 0;
	struct image_file *rawfile = file;
	if (in->format == IMG_VMDK && !in->vmdk.sparse_header) {
		if (open_flat_extent(file->path, in, &ext, &base, &err) < 0) {
			f->pt_reason = err;
			f->estimate_reason = xstrdup(err);
			err = NULL;
			goto out;
		}
		io = &ext->io;
		rawfile = ext;
	} else if (in->format == IMG_QCOW2 || in->vmdk.sparse_header ||
		   (in->format == IMG_VHD && in->vhd.type != VHD_FIXED)) {
		rawfile = NULL; /* read through the format's block map */
	}
	if (in->split && !ext) {
		f->pt_reason = xstrdup("the disk's data is in other files (see image.format)");
		goto out;
	}
	int ret = imgmap_open(in, io, base, &m, &err);
	if (ret < 0) {
		/* Tables that point outside the file are damage the import will meet too. */
		if (ret == -EINVAL && !in->problem)
			in->problem = xstrdup(err);
		f->pt_reason = xasprintf("the disk inside cannot be read: %s", err);
		f->estimate_reason = err;
		err = NULL;
		goto out;
	}

	struct pt_reader pr = { m };
	ret = ptable_read(map_read, &pr, imgmap_size(m), &f->pt);
	if (ret < 0 && imgmap_error(m) && !in->problem)
		in->problem = xstrdup(imgmap_error(m));
	if (ret < 0 && f->pt.kind == PT_NONE) {
		f->pt_reason = xasprintf("the disk's first sectors cannot be read: %s",
					 imgmap_error(m) ? imgmap_error(m) : strerror(-ret));
	} else {
		if (ret < 0)
			strvec_pushf(&f->pt.problems, "part of the partition table cannot be read: %s",
				     imgmap_error(m) ? imgmap_error(m) : strerror(-ret));
		f->pt_read = true;
		probe_partitions(f, rawfile, base, m);
	}

	if (in->format != IMG_QCOW2) {
		struct img_count cnt;
		ret = imgmap_count_nonzero(m, &cnt);
		if (ret == -EIO && imgmap_error(m) && !in->problem)
			in->problem = xstrdup(imgmap_error(m));
		if (ret < 0) {
			f->estimate_reason = xasprintf("the data could not be read: %s",
						       imgmap_error(m) ? imgmap_error(m) : strerror(-ret));
		} else {
			f->estimate_known = true;
			f->estimate = qcow2_size_estimate(in->virtual_size, cnt.nonzero_clusters, cnt.l2_tables);
			f->estimate_how = xasprintf("%llu non-zero 64 KiB clusters found through %s, plus qcow2 tables",
						    (unsigned long long)cnt.nonzero_clusters, map_method(in));
		}
	}
out:
	imgmap_close(m);
	image_file_close(ext);
	free(err);
	free(head);
}

int cmd_image(int argc, char **argv)
{
	static const struct option opts[] = { CMDREPORT_LONG_OPTIONS, { NULL, 0, NULL, 0 } };
	struct options o;
	memset(&o, 0, sizeof(o));
	o.config_path = config_default_path();
	int opt, ret = EXIT_USAGE;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		if (opt == 'h') {
			image_help(stdout);
			return EXIT_READY;
		}
		int c = cmdreport_option(cmd, opt, optarg, &o);
		if (c < 0)
			return EXIT_USAGE;
		if (c == 0) {
			fprintf(stderr, "Try 'cvmprep image --help' for more information.\n");
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cmdreport_usage(cmd, optind < argc ? "takes one FILE, not '%s'" : "needs an image FILE%s",
				optind < argc ? argv[optind + 1] : "");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];

	struct config cfg;
	struct report r;
	struct image_facts f;
	struct image_file *file = NULL;
	char *err = NULL;
	config_init(&cfg);
	memset(&f, 0, sizeof(f));
	report_init(&r, "image", path, platform_name);
	if (config_load(&cfg, o.config_path, o.config_explicit, &r.warnings, &err) < 0) {
		cmdreport_usage(cmd, "%s", err);
		goto out;
	}
	for (size_t i = 0; i < r.warnings.n; i++)
		fprintf(stderr, "cvmprep: warning: %s\n", r.warnings.v[i]);

	int e = image_file_open(path, &file);
	if (e < 0) {
		fprintf(stderr, "cvmprep: image: cannot open '%s': %s\n", path, strerror(-e));
		ret = e == -EACCES || e == -EPERM ? EXIT_NOPERM : e == -ENOENT || e == -ENOTDIR || e == -EISDIR ? EXIT_USAGE
											       : EXIT_INTERNAL;
		goto out;
	}
	gather(file, &f);
	rule_image_format(&f, &check_image_format, &r, path);
	rule_image_size(&f, &check_image_size, &r, path);
	rule_image_partition_table(&f, &check_image_partition_table, &r, path);
	report_sort(&r);
	ret = cmdreport_emit(&r, &o);
out:
	image_file_close(file);
	image_facts_free(&f);
	report_free(&r);
	config_free(&cfg);
	free(err);
	return ret;
}
