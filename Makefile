# cvmprep: build, test and package. `make` builds build/cvmprep; `make check` runs every test.

VERSION := $(shell cat VERSION)
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin

CC ?= cc
MINGW_CC ?= x86_64-w64-mingw32-gcc
PKG_CONFIG ?= pkg-config
BUILD ?= build

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wvla \
	-Wwrite-strings -Wformat=2 -Wno-format-nonliteral -Wpointer-arith -Wundef
CFLAGS ?= -O2 -g
STD := -std=gnu11
DEFS := -DCVMPREP_VERSION='"$(VERSION)"' -D_FILE_OFFSET_BITS=64
INC := -Iagent

LINUX_PKGS := blkid inih libkmod yaml-0.1 zlib liblzma libzstd liblz4 libcurl libisal
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LINUX_PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LINUX_PKGS) 2>/dev/null) -lbz2

# Sources by directory (new files are picked up without editing this file):
#  agent/*.c         the portable core, built for Linux and Windows (main.c is the entry point)
#  agent/check_*.c   the Linux checks' registry entries and pure rules (portable C, Linux facts)
#  agent/fix_*.c     the Linux checks' fix planners
#  linux/*.c         Linux probes, path layer, fixers
#  windows/*.c       the Windows platform and checks
MAIN := agent/main.c
LINUX_RULES := $(sort $(wildcard agent/check_*.c agent/fix_*.c))
CORE_SRCS := $(sort $(filter-out $(MAIN) $(LINUX_RULES),$(wildcard agent/*.c)))
LINUX_SRCS := $(sort $(wildcard linux/*.c))
WIN_SRCS := $(sort $(wildcard windows/*.c))

# Files installed into the target, compiled in as C strings.
LINUX_GEN := $(BUILD)/gen/forced_import_sh.c
LIB_SRCS := $(CORE_SRCS) $(LINUX_RULES) $(LINUX_SRCS) $(LINUX_GEN)

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all asan windows check test unit deps deps-build run clean install bench
all: $(BUILD)/cvmprep

# ---- generated sources ----
$(BUILD)/gen/forced_import_sh.c: linux/forced-import.sh linux/embed.sh
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@sh linux/embed.sh forced_import_sh $< >$@

# ---- native build ----
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(STD) $(CFLAGS) $(WARN) $(DEFS) $(INC) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/cvmprep: $(call objs,$(BUILD),$(LIB_SRCS) $(MAIN))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# ---- sanitizer build (unit and fixture tests run against it too) ----
$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(STD) -O1 -g $(SAN) $(WARN) $(DEFS) $(INC) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/asan/cvmprep: $(call objs,$(BUILD)/asan,$(LIB_SRCS) $(MAIN))
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

asan: $(BUILD)/asan/cvmprep

# ---- Windows (mingw-w64) ----
$(BUILD)/win64/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC win  $<"
	@$(MINGW_CC) -std=gnu11 -O2 $(WARN) $(DEFS) $(INC) -D_WIN32_WINNT=0x0600 -D__USE_MINGW_ANSI_STDIO=1 -DUNICODE -D_UNICODE \
		-MMD -MP -c -o $@ $<

$(BUILD)/win64/cvmprep.exe: $(call objs,$(BUILD)/win64,$(CORE_SRCS) $(WIN_SRCS) $(MAIN))
	$(MINGW_CC) -static -o $@ $^

windows: $(BUILD)/win64/cvmprep.exe

# ---- unit tests (cmocka) ----
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_ASAN := $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(call objs,$(BUILD),$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

$(BUILD)/asan/tests/%: $(BUILD)/asan/obj/tests/unit/%.o $(call objs,$(BUILD)/asan,$(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS) -lcmocka

unit: $(UNIT_BINS) $(UNIT_ASAN)

# ---- dependencies (Debian) ----
deps-build:
	@tests/install-deps.sh build

deps:
	@tests/install-deps.sh all

# Build and run `cvmprep check` on this machine.
run: deps-build
	$(MAKE) all
	$(BUILD)/cvmprep check

check: deps
	$(MAKE) all asan windows unit
	tests/run-tests.sh

test: check

clean:
	rm -rf $(BUILD)

include bench/bench.mk
include packaging/packaging.mk
include windows/windows.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
