/* The initramfs reader as a command: list or scan a file, and time a scan against lsinitramfs and the plain decompressor. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "initramfs.h"
#include "util.h"
#include "banned.h"

/* What initramfs.virtio and cloudinit.datasource ask the reader for. */
static const char *const virtio_set[] = { "virtio", "virtio_ring", "virtio_pci", "virtio_blk", "virtio_net",
					  "sr_mod",  "cdrom",	    "ata_piix",	  "ahci",	NULL };

static void usage(FILE *f)
{
	fprintf(f, "usage: initramfs_bench list FILE\n"
		   "       initramfs_bench scan FILE [MODULE...]   (default: the virtio and CD-ROM set)\n"
		   "       initramfs_bench bench [-n RUNS] FILE\n");
}

static int open_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "initramfs_bench: cannot open '%s': %s\n", path, strerror(errno));
	return fd;
}

static bool print_entry(const struct initramfs_entry *e, void *arg)
{
	FILE *out = arg;
	fputs(e->name, out);
	fputc('\n', out);
	return true;
}

/* Every entry's name, one a line, as `cpio -t` (and so lsinitramfs) prints them. */
static int cmd_list(const char *path)
{
	int fd = open_file(path);
	if (fd < 0)
		return 2;
	struct initramfs_result r;
	struct initramfs_opts o = { .on_entry = print_entry, .arg = stdout };
	int rc = initramfs_scan_fd(fd, &o, &r);
	close(fd);
	if (rc < 0)
		fprintf(stderr, "initramfs_bench: '%s': %s: %s\n", path, initramfs_strerror(rc), r.error);
	initramfs_result_release(&r);
	return rc < 0 ? 2 : 0;
}

/* Which modules are there, how the file is built; exit 0 all found, 1 some missing, 2 error. */
static int cmd_scan(const char *path, char **mods, int nmods)
{
	int fd = open_file(path);
	if (fd < 0)
		return 2;
	const char *const *wanted = virtio_set;
	const char **list = NULL;
	if (nmods) {
		list = xcalloc((size_t)nmods + 1, sizeof(*list));
		for (int i = 0; i < nmods; i++)
			list[i] = mods[i];
		wanted = list;
	}
	struct initramfs_result r;
	struct initramfs_opts o = { .wanted = wanted };
	int rc = initramfs_scan_fd(fd, &o, &r);
	struct stat st;
	uint64_t size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	close(fd);
	char *d = initramfs_describe(&r);
	printf("segments: %s\n", d);
	free(d);
	for (size_t i = 0; i < r.nsegs; i++)
		printf("segment %zu: %s at %llu, %llu bytes, %llu unpacked, %llu entries, %llu files, %u archives%s\n", i,
		       initramfs_comp_name(r.segs[i].comp), (unsigned long long)r.segs[i].offset,
		       (unsigned long long)r.segs[i].length, (unsigned long long)r.segs[i].unpacked,
		       (unsigned long long)r.segs[i].entries, (unsigned long long)r.segs[i].files, r.segs[i].archives,
		       r.segs[i].complete ? "" : ", not read to its end");
	for (size_t i = 0; i < r.nmods; i++)
		printf("module %s: %s\n", r.mods[i].name, r.mods[i].path ? r.mods[i].path : "missing");
	printf("read: %llu of %llu bytes%s\n", (unsigned long long)r.bytes_read, (unsigned long long)size,
	       r.stopped_early ? " (stopped early)" : "");
	if (rc < 0)
		printf("error: %s: %s\n", initramfs_strerror(rc), r.error);
	int status = rc < 0 ? 2 : r.found < r.nmods ? 1 : 0;
	initramfs_result_release(&r);
	free(list);
	return status;
}

/* ---- the benchmark ---- */

struct sample {
	double secs;
	long maxrss_kib;
	int status;
};

/* Run argv with stdin from fd_in at offset (or /dev/null) and stdout to /dev/null; time it, take its peak RSS. */
static int run_timed(char *const argv[], const char *in_path, uint64_t in_off, struct sample *s)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
		int out = open("/dev/null", O_WRONLY);
		if (in < 0 || out < 0 || (in_off && lseek(in, (off_t)in_off, SEEK_SET) < 0))
			_exit(126);
		dup2(in, 0);
		dup2(out, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &b);
	s->secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	s->maxrss_kib = ru.ru_maxrss; /* the child's, or its largest waited-for descendant's */
	s->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct series {
	const char *label;
	char **argv;
	const char *in_path;
	uint64_t in_off;
	double *t;
	long maxrss;
	int status;
};

static double median(struct series *s, int n)
{
	qsort(s->t, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s->t[n / 2] : (s->t[n / 2 - 1] + s->t[n / 2]) / 2;
}

static const char *decompressor(enum initramfs_comp c)
{
	switch (c) {
	case IRF_COMP_GZIP:
		return "gzip";
	case IRF_COMP_BZIP2:
		return "bzip2";
	case IRF_COMP_LZMA:
		return "lzma";
	case IRF_COMP_XZ:
		return "xz";
	case IRF_COMP_LZ4:
	case IRF_COMP_LZ4_LEGACY:
		return "lz4";
	case IRF_COMP_ZSTD:
		return "zstd";
	default:
		return NULL;
	}
}

static int cmd_bench(int argc, char **argv)
{
	int runs = 11, c;
	static const struct option longopts[] = { { "runs", required_argument, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:", longopts, NULL)) != -1) {
		if (c != 'n') {
			usage(stderr);
			return 64;
		}
		runs = (int)strtol(optarg, NULL, 10);
		if (runs < 1 || runs > 1000) {
			fprintf(stderr, "initramfs_bench: bad run count '%s'\n", optarg);
			return 64;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 64;
	}
	const char *path = argv[optind];

	/* Where the main (compressed) archive starts, to feed the plain decompressor just that. */
	int fd = open_file(path);
	if (fd < 0)
		return 2;
	struct initramfs_result r;
	int rc = initramfs_scan_fd(fd, NULL, &r);
	close(fd);
	if (rc < 0) {
		fprintf(stderr, "initramfs_bench: '%s': %s\n", path, r.error);
		initramfs_result_release(&r);
		return 2;
	}
	char *desc = initramfs_describe(&r);
	const struct initramfs_segment *main_seg = NULL;
	for (size_t i = 0; i < r.nsegs; i++) {
		if (r.segs[i].comp != IRF_COMP_NONE)
			main_seg = &r.segs[i];
	}
	const char *dec = main_seg ? decompressor(main_seg->comp) : NULL;
	uint64_t main_off = main_seg ? main_seg->offset : 0;
	unsigned long long entries = 0, unpacked = r.unpacked;
	for (size_t i = 0; i < r.nsegs; i++)
		entries += r.segs[i].entries;
	initramfs_result_release(&r);

	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "initramfs_bench: cannot find myself: %s\n", strerror(errno));
		free(desc);
		return 2;
	}
	self[n] = '\0';
	char *scan_argv[] = { self, (char *)"scan", (char *)path, NULL };
	/* A module no initramfs has: the scan must read everything, its worst case. */
	char *full_argv[] = { self, (char *)"scan", (char *)path, (char *)"no_such_module", NULL };
	char *ls_argv[] = { (char *)"lsinitramfs", (char *)path, NULL };
	char *dec_argv[] = { (char *)dec, (char *)"-dc", NULL };
	struct series ser[] = {
		{ "scan (virtio set, stops early)", scan_argv, NULL, 0, NULL, 0, 0 },
		{ "scan (whole file, a missing module)", full_argv, NULL, 0, NULL, 0, 0 },
		{ "lsinitramfs", ls_argv, NULL, 0, NULL, 0, 0 },
		{ NULL, dec_argv, path, main_off, NULL, 0, 0 },
	};
	size_t nser = dec ? ARRAY_SIZE(ser) : ARRAY_SIZE(ser) - 1;
	char declabel[64];
	snprintf(declabel, sizeof(declabel), "%s -dc (main archive) >/dev/null", dec ? dec : "-");
	ser[3].label = declabel;
	for (size_t i = 0; i < nser; i++)
		ser[i].t = xcalloc((size_t)runs, sizeof(double));

	struct stat st;
	stat(path, &st);
	printf("file: %s (%lld bytes): %s; %llu entries, %llu bytes unpacked\n", path, (long long)st.st_size, desc,
	       entries, unpacked);
	free(desc);
	/* Interleaved, after one warm-up round, so that the page cache and CPU frequency treat all alike. */
	for (int run = -1; run < runs; run++) {
		for (size_t i = 0; i < nser; i++) {
			struct sample s = { 0, 0, 0 };
			if (run_timed(ser[i].argv, ser[i].in_path, ser[i].in_off, &s) < 0) {
				fprintf(stderr, "initramfs_bench: cannot run '%s'\n", ser[i].argv[0]);
				return 2;
			}
			if (run < 0)
				continue;
			ser[i].t[run] = s.secs;
			if (s.maxrss_kib > ser[i].maxrss)
				ser[i].maxrss = s.maxrss_kib;
			ser[i].status = s.status;
		}
	}
	double med[4];
	printf("%-42s %12s %14s %8s\n", "command", "median (ms)", "peak RSS (KiB)", "status");
	for (size_t i = 0; i < nser; i++) {
		med[i] = median(&ser[i], runs);
		printf("%-42s %12.1f %14ld %8d\n", ser[i].label, med[i] * 1e3, ser[i].maxrss, ser[i].status);
	}
	printf("runs: %d\n", runs);
	bool ok = true;
	double r_ls = med[2] / med[0], r_ls_full = med[2] / med[1];
	printf("lsinitramfs / scan:             %.2fx (early stop), %.2fx (whole file)   target >= 2x\n", r_ls, r_ls_full);
	ok = ok && r_ls_full >= 2.0;
	if (dec) {
		double r_dec = med[0] / med[3], r_dec_full = med[1] / med[3];
		printf("scan / %s -dc:%*s%.2fx (early stop), %.2fx (whole file)   target <= 1.1x\n", dec,
		       (int)(17 - strlen(dec)), "", r_dec, r_dec_full);
		ok = ok && r_dec_full <= 1.1;
	}
	long rss = ser[0].maxrss > ser[1].maxrss ? ser[0].maxrss : ser[1].maxrss;
	printf("scan peak RSS:                  %.1f MiB                               target < 16 MiB\n",
	       (double)rss / 1024);
	ok = ok && rss < 16 * 1024;
	printf("targets: %s\n", ok ? "met" : "NOT met");
	for (size_t i = 0; i < nser; i++)
		free(ser[i].t);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 64;
	}
	if (!strcmp(argv[1], "list") && argc == 3)
		return cmd_list(argv[2]);
	if (!strcmp(argv[1], "scan") && argc >= 3)
		return cmd_scan(argv[2], argv + 3, argc - 3);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 64;
}
