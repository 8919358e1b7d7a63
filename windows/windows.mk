# The Windows builds beyond build/win64/cvmprep.exe (included by the top-level Makefile):
#
#   make windows        also builds the i686 cvmprep.exe and the unit tests for Windows
#   make windows32      $(BUILD)/win32/cvmprep.exe with i686-w64-mingw32-gcc (32-bit Windows)
#   make windows-unit   $(BUILD)/win64/tests/test_*.exe: the unit tests of the code the Windows
#                       build shares (tests/unit/test_*.c, against tests/windows/unit/cmocka.h,
#                       a TAP-printing stand-in for cmocka) and of windows/ (tests/windows/unit)
#   make msi            $(BUILD)/packages/cvmprep-$(VERSION)-x64.msi with wixl
#
# tests/windows/run.sh runs the unit tests under Wine.

MINGW32_CC ?= i686-w64-mingw32-gcc
WIN_CFLAGS := -std=gnu11 -O2 $(WARN) $(DEFS) -D_WIN32_WINNT=0x0600 -D__USE_MINGW_ANSI_STDIO=1 -DUNICODE -D_UNICODE

.PHONY: windows32 windows-unit msi

windows: windows32 windows-unit

# ---- 32-bit ----
$(BUILD)/win32/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC win32 $<"
	@$(MINGW32_CC) $(WIN_CFLAGS) $(INC) -MMD -MP -c -o $@ $<

$(BUILD)/win32/cvmprep.exe: $(call objs,$(BUILD)/win32,$(CORE_SRCS) $(WIN_SRCS) $(MAIN))
	$(MINGW32_CC) -static -o $@ $^

windows32: $(BUILD)/win32/cvmprep.exe

# ---- unit tests for Windows ----
# The shared sources whose code the Windows build has. Not here: url-check, cloud-init's merge and
# the network parsers' helpers (Linux-only code), and tests that need POSIX calls (mkdtemp,
# open_memstream, sockets, libbz2).
WIN_UNIT_SHARED := bootcfg cbconf cmdline dpkg fstab imagefmt inidoc osrelease ptable util
WIN_UNIT_OWN := $(patsubst tests/windows/unit/%.c,%,$(wildcard tests/windows/unit/test_*.c))
WIN_UNIT_BINS := $(patsubst %,$(BUILD)/win64/tests/test_%.exe,$(WIN_UNIT_SHARED)) \
	$(patsubst %,$(BUILD)/win64/tests/%.exe,$(WIN_UNIT_OWN))
WIN_LIB_OBJS = $(call objs,$(BUILD)/win64,$(CORE_SRCS) $(WIN_SRCS))

$(BUILD)/win64/obj/tests/%.o: INC = -Iagent -Iwindows -Itests/unit -Itests/windows/unit

$(BUILD)/win64/tests/%.exe: $(BUILD)/win64/obj/tests/unit/%.o $(WIN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(MINGW_CC) -static -o $@ $^

$(BUILD)/win64/tests/%.exe: $(BUILD)/win64/obj/tests/windows/unit/%.o $(WIN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(MINGW_CC) -static -o $@ $^

windows-unit: $(WIN_UNIT_BINS)

# ---- MSI ----
msi: $(BUILD)/win64/cvmprep.exe
	@mkdir -p $(BUILD)/packages
	sh packaging/msi/build-msi.sh $(BUILD)/win64/cvmprep.exe $(VERSION) $(BUILD)/packages/cvmprep-$(VERSION)-x64.msi
