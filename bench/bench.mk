# Benchmarks (`make bench`; not part of `make check`), included from the Makefile.
#
# bench/initramfs_bench: the initramfs reader as a command (list, scan, bench). `make bench`
# times it on real initramfs images against lsinitramfs and the plain decompressor
# (bench/run.sh; BENCH_RUNS=N, BENCH_INITRD=FILE to pick the image). The tests (tests/initramfs)
# build the same program, plain and with the sanitizers.

BENCH_RUNS ?= 11
BENCH_INITRD ?=
IRF_SRCS := agent/initramfs.c linux/initramfs.c agent/util.c

$(BUILD)/bench/initramfs_bench: $(call objs,$(BUILD),bench/initramfs_bench.c $(IRF_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/asan/bench/initramfs_bench: $(call objs,$(BUILD)/asan,bench/initramfs_bench.c $(IRF_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

bench: $(BUILD)/bench/initramfs_bench
	BENCH_RUNS=$(BENCH_RUNS) bench/run.sh $(BUILD)/bench/initramfs_bench $(BENCH_INITRD)

# The whole `cvmprep check --root` on a real Debian 12 root (the boot tests' debootstrap base,
# built or taken from /var/cache/cvmprep-tests) against lsinitramfs and plain decompression.
bench-check: $(BUILD)/cvmprep
	python3 bench/check_bench.py $(BUILD)/cvmprep "$$(tests/e2e/build-base.sh)" $(BENCH_RUNS)

bench: bench-check
.PHONY: bench-check
