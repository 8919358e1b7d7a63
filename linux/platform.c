/* The Linux platform: its checks in report order, the report header, terminal and output file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "ctx.h"
#include "platform.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

const char platform_name[] = "linux";
const bool platform_has_root = true;

const struct check *const platform_checks[] = {
	&check_os_release,
	&check_boot_firmware,
	&check_boot_loader,
	&check_boot_root_device,
	&check_kernel_native,
	&check_kernel_virtio,
	&check_initramfs_virtio,
	&check_cloudinit_installed,
	&check_cloudinit_enabled,
	&check_cloudinit_datasource,
	&check_cloudinit_state,
	&check_net_ifnames,
	&check_net_persistent_rules,
	&check_net_config,
	&check_disk_partition_table,
	&check_disk_layout,
	&check_disk_size,
	&check_disk_free_space,
	&check_fstab_device_names,
	&check_fstab_other_disks,
	&check_security_shadow,
	&check_guest_tools,
	&check_generalize_machine_id,
	&check_generalize_ssh_host_keys,
	&check_generalize_dhcp_leases,
	&check_generalize_shell_history,
	NULL,
};

void platform_identify(struct ctx *ctx)
{
	probe_os(ctx, &ctx->facts);
	const struct os_facts *o = &ctx->facts.os;
	struct os_identity *id = &ctx->report->os;
	id->id = o->id ? xstrdup(o->id) : NULL;
	id->version_id = o->version_id ? xstrdup(o->version_id) : NULL;
	id->pretty_name = o->pretty_name ? xstrdup(o->pretty_name) : NULL;
	id->arch = o->arch ? xstrdup(o->arch) : NULL;
}

bool platform_isatty(FILE *fp)
{
	return isatty(fileno(fp));
}

int platform_write_output(const char *path, void (*write)(FILE *fp, void *arg), void *arg)
{
	char *dup = xstrdup(path);
	char *tmpl = xasprintf("%s/.%s.XXXXXX", dirname(dup), basename((char *)path));
	free(dup);
	int ret = 0;
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmpl);
		return ret;
	}
	/* A report is not a secret, but follow the umask like any other new file would. */
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	FILE *fp = fdopen(fd, "w");
	if (!fp) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	write(fp, arg);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		ret = -errno;
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		ret = -errno;
		goto fail;
	}
	if (rename(tmpl, path) != 0) {
		ret = -errno;
		goto fail;
	}
	free(tmpl);
	return 0;
fail:
	unlink(tmpl);
	free(tmpl);
	return ret ? ret : -EIO;
}
