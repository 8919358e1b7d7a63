/* The Windows platform: its checks, the report header (RtlGetVersion), console and output file. */
#include <errno.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "check.h"
#include "ctx.h"
#include "platform.h"
#include "winchecks.h"
#include "winsys.h"
#include "banned.h"

const char platform_name[] = "windows";
const bool platform_has_root = false;

const struct check *const platform_checks[] = {
	&check_win_os,
	&check_win_firmware,
	&check_win_partition_table,
	&check_win_dynamic_disk,
	&check_win_filesystem,
	&check_win_disk_size,
	&check_win_virtio_installed,
	&check_win_virtio_boot_critical,
	&check_win_cbinit_installed,
	&check_win_cbinit_config,
	&check_win_cbinit_service,
	&check_win_network,
	&check_win_fast_startup,
	&check_win_pending_reboot,
	&check_win_guest_tools,
	&check_win_activation,
	NULL,
};

void platform_identify(struct ctx *ctx)
{
	probe_winver(ctx, &ctx->facts);
	const struct winver_facts *w = &ctx->facts.winver;
	struct os_identity *id = &ctx->report->os;
	id->id = xstrdup("windows");
	if (w->s.state == FS_OK) {
		id->version_id = xasprintf("%u.%u.%u", w->major, w->minor, w->build);
		id->pretty_name = xstrdup(w->edition);
	}
	id->arch = w->arch ? xstrdup(w->arch) : NULL;
	/* The system drive stands for the root of the target. */
	char drive[MAX_PATH];
	DWORD n = GetEnvironmentVariableA("SystemDrive", drive, sizeof(drive));
	free(ctx->report->root);
	ctx->report->root = xasprintf("%s\\", n > 0 && n < sizeof(drive) ? drive : "C:");
}

bool platform_isatty(FILE *fp)
{
	HANDLE h = (HANDLE)_get_osfhandle(_fileno(fp));
	DWORD mode;
	if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
		return false;
	/* Colour escapes need virtual terminal processing (Windows 10 and later). */
	return SetConsoleMode(h, mode | 0x0004 /* ENABLE_VIRTUAL_TERMINAL_PROCESSING */) != 0;
}

int platform_write_output(const char *path, void (*write)(FILE *fp, void *arg), void *arg)
{
	char *tmp = xasprintf("%s.cvmprep-tmp", path);
	wchar_t *wtmp = win_widen(tmp), *wpath = win_widen(path);
	int ret = 0;
	FILE *fp = wtmp ? _wfopen(wtmp, L"wb") : NULL;
	if (!fp) {
		ret = -(errno ? errno : EIO);
		goto out;
	}
	write(fp, arg);
	if (fflush(fp) != 0 || ferror(fp)) {
		ret = -EIO;
		fclose(fp);
		DeleteFileW(wtmp);
		goto out;
	}
	FlushFileBuffers((HANDLE)_get_osfhandle(_fileno(fp)));
	fclose(fp);
	if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		ret = GetLastError() == ERROR_ACCESS_DENIED ? -EACCES : -EIO;
		DeleteFileW(wtmp);
	}
out:
	free(tmp);
	free(wtmp);
	free(wpath);
	return ret;
}
