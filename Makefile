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

LINUX_PKGS := blkid inih
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LINUX_PKGS) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(LINUX_PKGS) 2>/dev/null)

# The portable core (also built for Windows).
CORE_SRCS := agent/util.c agent/json.c agent/report.c agent/report_out.c agent/config.c \
	agent/registry.c agent/facts.c agent/osrelease.c agent/fstab.c agent/bootcfg.c agent/dpkg.c
# The Linux checks' rules (portable C, but about Linux systems).
LINUX_RULES := agent/check_os.c agent/check_boot.c agent/check_disk.c agent/check_fstab.c \
	agent/check_system.c
LINUX_SRCS := linux/rootfs.c linux/config_inih.c linux/platform.c linux/probe_files.c linux/probe_disk.c
WIN_SRCS := windows/rootfs.c windows/config_win.c windows/platform.c windows/check_win.c agent/inidoc.c
MAIN := agent/main.c

LIB_SRCS := $(CORE_SRCS) $(LINUX_RULES) $(LINUX_SRCS)

SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

.PHONY: all asan windows check test unit deps deps-build run clean install bench
all: $(BUILD)/cvmprep

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

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
