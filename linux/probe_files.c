/* Probes that read the target's files: release files, fstab, bootloader configuration, shadow, tools. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "dpkg.h"
#include "parse.h"
#include "probes.h"
#include "banned.h"

/* Read a text file of the target; on failure describe it in the section and return -errno. */
static int read_text(struct ctx *ctx, const char *path, char **data, size_t *len)
{
	return rootfs_read(ctx->rfs, path, ROOTFS_MAX_TEXT, data, len);
}

static const char *const legacy_release_files[] = {
	"/etc/centos-release", "/etc/redhat-release", "/etc/SuSE-release", "/etc/lsb-release", "/etc/debian_version",
};

static void probe_arch(struct ctx *ctx, struct os_facts *o)
{
	if (rootfs_is_live(ctx->rfs)) {
		struct utsname u;
		if (uname(&u) == 0) {
			o->arch = xstrdup(u.machine);
			o->arch_source = xstrdup("the running kernel (uname)");
		}
		return;
	}
	static const char *const bins[] = { "/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/env", "/sbin/init" };
	for (size_t i = 0; i < ARRAY_SIZE(bins); i++) {
		unsigned char hdr[64];
		size_t got = 0;
		if (rootfs_read_head(ctx->rfs, bins[i], hdr, sizeof(hdr), &got) < 0)
			continue;
		const char *a = elf_arch(hdr, got);
		if (a) {
			o->arch = xstrdup(a);
			o->arch_source = xasprintf("the ELF header of %s", bins[i]);
			return;
		}
	}
}

/* What a file that turned out not to identify the system left behind must not be reported. */
static void os_fields_clear(struct os_facts *o)
{
	char **v[] = { &o->id, &o->id_like, &o->version_id, &o->pretty_name, &o->name, &o->variant_id };
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		free(*v[i]);
		*v[i] = NULL;
	}
}

void probe_os(struct ctx *ctx, struct facts *f)
{
	struct os_facts *o = &f->os;
	if (o->s.state != FS_UNPROBED)
		return;
	probe_arch(ctx, o);
	static const char *const osr[] = { "/etc/os-release", "/usr/lib/os-release" };
	for (size_t i = 0; i < ARRAY_SIZE(osr); i++) {
		char *data;
		size_t len;
		int e = read_text(ctx, osr[i], &data, &len);
		if (e == -ENOENT)
			continue;
		if (e < 0) {
			section_set(&o->s, FS_ERROR, osr[i], "could not read %s: %s", osr[i], rootfs_strerror(e));
			return;
		}
		int n = osrelease_parse(data, len, o);
		free(data);
		if (n == 0 || !o->id) {
			os_fields_clear(o);
			section_set(&o->s, FS_ERROR, osr[i], "%s has no valid ID= line: it is not an os-release file",
				    osr[i]);
			return;
		}
		section_set(&o->s, FS_OK, osr[i], NULL);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(legacy_release_files); i++) {
		char *data;
		size_t len;
		const char *p = legacy_release_files[i];
		int e = read_text(ctx, p, &data, &len);
		if (e == -ENOENT)
			continue;
		if (e < 0) {
			section_set(&o->s, FS_ERROR, p, "could not read %s: %s", p, rootfs_strerror(e));
			return;
		}
		int n = legacy_release_parse(p, data, len, o);
		free(data);
		if (n > 0 && o->id) {
			section_set(&o->s, FS_OK, p, NULL);
			return;
		}
		os_fields_clear(o);
	}
	section_set(&o->s, FS_ABSENT, NULL, "the distribution could not be identified: no os-release or release file");
}

void probe_fstab(struct ctx *ctx, struct facts *f)
{
	struct fstab_facts *ft = &f->fstab;
	if (ft->s.state != FS_UNPROBED)
		return;
	char *data;
	size_t len;
	int e = read_text(ctx, "/etc/fstab", &data, &len);
	if (e == -ENOENT) {
		section_set(&ft->s, FS_ABSENT, "/etc/fstab", "there is no /etc/fstab");
		return;
	}
	if (e < 0) {
		section_set(&ft->s, FS_ERROR, "/etc/fstab", "could not read /etc/fstab: %s", rootfs_strerror(e));
		return;
	}
	fstab_parse(data, len, &ft->v, &ft->n, &ft->bad_lines);
	free(data);
	section_set(&ft->s, FS_OK, "/etc/fstab", NULL);
}

/* ---- bootloader ---- */

static int read_into(struct ctx *ctx, struct boot_facts *b, const char *path, char **data, size_t *len)
{
	int e = read_text(ctx, path, data, len);
	if (e < 0 && e != -ENOENT)
		strvec_pushf(&b->notes, "could not read %s: %s", path, rootfs_strerror(e));
	return e;
}

static void take_list(struct boot_facts *b, struct boot_list *l)
{
	b->v = l->v;
	b->n = l->n;
	l->v = NULL;
	l->n = l->alloc = 0;
	for (size_t i = 0; i < l->notes.n; i++)
		strvec_push(&b->notes, l->notes.v[i]);
}

static void load_grubenv(struct ctx *ctx, struct boot_facts *b, const char *dir, struct strvec *env)
{
	char *p = xasprintf("%s/grubenv", dir);
	char *data;
	size_t len;
	if (read_into(ctx, b, p, &data, &len) == 0) {
		grubenv_parse(data, len, env);
		free(data);
	}
	free(p);
}

static const char *env_get(const struct strvec *env, const char *key)
{
	size_t n = strlen(key);
	const char *v = NULL;
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, n) == 0 && env->v[i][n] == '=')
			v = env->v[i] + n + 1;
	return v;
}

/* BLS entries, newest version first as GRUB's blscfg and grubby order them (by file name here). */
static void load_bls(struct ctx *ctx, struct boot_facts *b, const struct strvec *env, struct boot_list *l)
{
	struct strvec names = STRVEC_INIT;
	int e = rootfs_list(ctx->rfs, "/boot/loader/entries", &names);
	if (e < 0) {
		strvec_pushf(&b->notes, "grub.cfg uses blscfg but /boot/loader/entries could not be read: %s",
			     rootfs_strerror(e));
		return;
	}
	for (size_t i = names.n; i-- > 0;) {
		if (!str_ends_with(names.v[i], ".conf"))
			continue;
		char *p = xasprintf("/boot/loader/entries/%s", names.v[i]);
		char *data;
		size_t len;
		if (read_into(ctx, b, p, &data, &len) == 0) {
			bls_parse(p, data, len, env, l);
			free(data);
		}
		free(p);
	}
	strvec_clear(&names);
}

static bool try_grub2(struct ctx *ctx, struct boot_facts *b)
{
	static const char *const dirs[] = { "/boot/grub", "/boot/grub2" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *cfg = xasprintf("%s/grub.cfg", dirs[i]);
		char *data;
		size_t len;
		int e = read_into(ctx, b, cfg, &data, &len);
		if (e < 0) {
			if (e != -ENOENT) {
				section_set(&b->s, FS_ERROR, cfg, "could not read %s: %s", cfg, rootfs_strerror(e));
				b->kind = LOADER_GRUB2;
				b->config = cfg;
				return true;
			}
			free(cfg);
			continue;
		}
		struct strvec env = STRVEC_INIT;
		struct boot_list l = { 0 };
		load_grubenv(ctx, b, dirs[i], &env);
		grubcfg_parse(cfg, data, len, &env, &l);
		free(data);
		if (l.uses_blscfg)
			load_bls(ctx, b, &env, &l);
		boot_list_mark_default(&l, env_get(&env, "saved_entry"));
		take_list(b, &l);
		boot_list_free(&l);
		strvec_clear(&env);
		b->kind = LOADER_GRUB2;
		b->config = cfg;
		return true;
	}
	return false;
}

static bool try_simple(struct ctx *ctx, struct boot_facts *b, const char *const *paths, size_t n, enum loader_kind kind)
{
	for (size_t i = 0; i < n; i++) {
		char *data;
		size_t len;
		int e = read_into(ctx, b, paths[i], &data, &len);
		if (e == -ENOENT)
			continue;
		b->kind = kind;
		b->config = xstrdup(paths[i]);
		if (e < 0) {
			section_set(&b->s, FS_ERROR, paths[i], "could not read %s: %s", paths[i], rootfs_strerror(e));
			return true;
		}
		struct boot_list l = { 0 };
		if (kind == LOADER_GRUB_LEGACY)
			menulst_parse(paths[i], data, len, &l);
		else
			extlinux_parse(paths[i], data, len, &l);
		free(data);
		boot_list_mark_default(&l, NULL);
		take_list(b, &l);
		boot_list_free(&l);
		return true;
	}
	return false;
}

static void load_grub_defaults(struct ctx *ctx, struct boot_facts *b)
{
	struct grub_defaults d = { 0 };
	char *data;
	size_t len;
	bool any = false;
	if (read_into(ctx, b, "/etc/default/grub", &data, &len) == 0) {
		grub_defaults_parse(data, len, &d);
		free(data);
		b->defaults_path = xstrdup("/etc/default/grub");
		any = true;
	}
	/* Ubuntu's cloud images and others add drop-ins that grub-mkconfig sources after the main file. */
	struct strvec names = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/etc/default/grub.d", &names) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			if (!str_ends_with(names.v[i], ".cfg"))
				continue;
			char *p = xasprintf("/etc/default/grub.d/%s", names.v[i]);
			unsigned before_l = d.cmdline_linux_line, before_d = d.cmdline_default_line,
				 before_u = d.disable_uuid_line;
			if (read_into(ctx, b, p, &data, &len) == 0) {
				d.cmdline_linux_line = d.cmdline_default_line = d.disable_uuid_line = 0;
				grub_defaults_parse(data, len, &d);
				free(data);
				/* Line numbers then refer to the drop-in that set the value last. */
				if (d.cmdline_linux_line || d.cmdline_default_line || d.disable_uuid_line) {
					free(b->defaults_path);
					b->defaults_path = xstrdup(p);
				}
				if (!d.cmdline_linux_line)
					d.cmdline_linux_line = before_l;
				if (!d.cmdline_default_line)
					d.cmdline_default_line = before_d;
				if (!d.disable_uuid_line)
					d.disable_uuid_line = before_u;
				any = true;
			}
			free(p);
		}
	}
	strvec_clear(&names);
	if (any) {
		b->cmdline_linux = d.cmdline_linux;
		b->cmdline_default = d.cmdline_default;
		b->cmdline_linux_line = d.cmdline_linux_line;
		b->cmdline_default_line = d.cmdline_default_line;
		b->disable_uuid = d.disable_uuid;
		b->disable_uuid_line = d.disable_uuid_line;
		d.cmdline_linux = d.cmdline_default = NULL;
	}
	grub_defaults_free(&d);
}

void probe_boot(struct ctx *ctx, struct facts *f)
{
	struct boot_facts *b = &f->boot;
	if (b->s.state != FS_UNPROBED)
		return;
	static const char *const legacy[] = { "/boot/grub/menu.lst", "/boot/grub/grub.conf" };
	static const char *const ext[] = { "/boot/extlinux/extlinux.conf", "/boot/extlinux.conf", "/extlinux.conf",
					   "/boot/syslinux/syslinux.cfg", "/boot/syslinux.cfg", "/syslinux/syslinux.cfg" };
	b->s.state = FS_OK;
	if (!try_grub2(ctx, b) && !try_simple(ctx, b, legacy, ARRAY_SIZE(legacy), LOADER_GRUB_LEGACY))
		try_simple(ctx, b, ext, ARRAY_SIZE(ext), LOADER_EXTLINUX);
	if (b->kind == LOADER_GRUB2 || b->kind == LOADER_NONE)
		load_grub_defaults(ctx, b);
	if (b->config && !b->s.path)
		b->s.path = xstrdup(b->config);
}

void probe_firmware(struct ctx *ctx, struct facts *f)
{
	struct firmware_facts *fw = &f->firmware;
	if (fw->s.state != FS_UNPROBED)
		return;
	if (rootfs_is_live(ctx->rfs)) {
		struct stat st;
		fw->uefi_running = stat("/sys/firmware/efi", &st) == 0;
		strvec_pushf(&fw->evidence, "/sys/firmware/efi %s", fw->uefi_running ? "exists" : "does not exist");
	}
	/* What the tree has installed. */
	struct strvec dirs = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/boot/efi/EFI", &dirs) == 0) {
		static const char *const bins[] = { "grubx64.efi", "shimx64.efi", "grubia32.efi", "grubaa64.efi",
						    "BOOTX64.EFI", "bootx64.efi", "systemd-bootx64.efi" };
		for (size_t i = 0; i < dirs.n; i++)
			for (size_t k = 0; k < ARRAY_SIZE(bins); k++) {
				char *p = xasprintf("/boot/efi/EFI/%s/%s", dirs.v[i], bins[k]);
				if (rootfs_is_file(ctx->rfs, p)) {
					fw->efi_loader = true;
					strvec_pushf(&fw->evidence, "EFI bootloader %s", p);
				}
				free(p);
			}
	}
	strvec_clear(&dirs);
	static const char *const bios[] = { "/boot/grub/i386-pc", "/boot/grub2/i386-pc" };
	for (size_t i = 0; i < ARRAY_SIZE(bios); i++)
		if (rootfs_is_dir(ctx->rfs, bios[i])) {
			fw->bios_loader = true;
			strvec_pushf(&fw->evidence, "GRUB for BIOS installed (%s)", bios[i]);
		}
	static const char *const other[] = { "/boot/grub/menu.lst", "/boot/grub/grub.conf", "/boot/extlinux/extlinux.conf",
					     "/boot/syslinux/syslinux.cfg", "/boot/extlinux/ldlinux.sys",
					     "/boot/syslinux/ldlinux.sys" };
	for (size_t i = 0; i < ARRAY_SIZE(other); i++)
		if (rootfs_is_file(ctx->rfs, other[i])) {
			fw->bios_loader = true;
			strvec_pushf(&fw->evidence, "BIOS bootloader file %s", other[i]);
		}
	section_set(&fw->s, FS_OK, NULL, rootfs_is_live(ctx->rfs) ? "booted by legacy BIOS"
							      : "no EFI-only bootloader is installed");
}

void probe_shadow(struct ctx *ctx, struct facts *f)
{
	struct shadow_facts *s = &f->shadow;
	if (s->s.state != FS_UNPROBED)
		return;
	struct rootfs_stat st;
	int e = rootfs_stat(ctx->rfs, "/etc/shadow", true, &st);
	if (e == -ENOENT) {
		section_set(&s->s, FS_ABSENT, "/etc/shadow", "/etc/shadow does not exist");
		return;
	}
	if (e < 0) {
		section_set(&s->s, FS_ERROR, "/etc/shadow", "could not examine /etc/shadow: %s", rootfs_strerror(e));
		return;
	}
	section_set(&s->s, FS_OK, "/etc/shadow", NULL);
	s->regular = st.type == RFT_REG;
	if (!s->regular)
		return;
	int fd = rootfs_open_fd(ctx->rfs, "/etc/shadow", O_RDONLY | O_NONBLOCK | O_NOCTTY, true);
	if (fd < 0) {
		if (fd == -EACCES || fd == -EPERM)
			section_set(&s->attrs, FS_SKIP, NULL, "reading its attributes needs root");
		else
			section_set(&s->attrs, FS_ERROR, NULL, "%s", rootfs_strerror(fd));
		return;
	}
	int flags = 0;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0) {
		if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) {
			/* The filesystem has no inode flags, so the file cannot be immutable either. */
			section_set(&s->attrs, FS_OK, NULL, NULL);
		} else {
			section_set(&s->attrs, FS_ERROR, NULL, "FS_IOC_GETFLAGS: %s", strerror(errno));
		}
		close(fd);
		return;
	}
	close(fd);
	s->immutable = flags & FS_IMMUTABLE_FL;
	s->append_only = flags & FS_APPEND_FL;
	section_set(&s->attrs, FS_OK, NULL, NULL);
}

/* ---- guest tools ---- */

struct tool_sig {
	const char *vendor, *name;
};

static const struct {
	const char *package;
	struct tool_sig t;
} tool_packages[] = {
	{ "open-vm-tools", { "VMware", "open-vm-tools" } },
	{ "open-vm-tools-desktop", { "VMware", "open-vm-tools" } },
	{ "open-vm-tools-dkms", { "VMware", "open-vm-tools" } },
	{ "virtualbox-guest-utils", { "VirtualBox", "VirtualBox Guest Additions" } },
	{ "virtualbox-guest-x11", { "VirtualBox", "VirtualBox Guest Additions" } },
	{ "virtualbox-guest-dkms", { "VirtualBox", "VirtualBox Guest Additions" } },
	{ "xe-guest-utilities", { "Xen", "xe-guest-utilities" } },
	{ "xenstore-utils", { "Xen", "xe-guest-utilities" } },
	{ "hyperv-daemons", { "Hyper-V", "hyperv-daemons" } },
};

static const struct {
	const char *path;
	bool dir;
	struct tool_sig t;
} tool_files[] = {
	{ "/usr/bin/vmtoolsd", false, { "VMware", "open-vm-tools" } },
	{ "/usr/sbin/vmtoolsd", false, { "VMware", "open-vm-tools" } },
	/* VMware's own installer records what it installed in /etc/vmware-tools/locations. The directory
	 * alone proves nothing: removing (not purging) open-vm-tools leaves its conffiles there. */
	{ "/etc/vmware-tools/locations", false, { "VMware", "VMware Tools" } },
	{ "/usr/lib/vmware-tools", true, { "VMware", "VMware Tools" } },
	{ "/usr/sbin/VBoxService", false, { "VirtualBox", "VirtualBox Guest Additions" } },
	{ "/usr/bin/VBoxClient", false, { "VirtualBox", "VirtualBox Guest Additions" } },
	{ "/usr/sbin/xe-daemon", false, { "Xen", "xe-guest-utilities" } },
	{ "/usr/sbin/xe-linux-distribution", false, { "Xen", "xe-guest-utilities" } },
	{ "/usr/sbin/hv_kvp_daemon", false, { "Hyper-V", "hyperv-daemons" } },
	{ "/usr/sbin/hypervkvpd", false, { "Hyper-V", "hyperv-daemons" } },
};

static void add_tool(struct guest_facts *g, const struct tool_sig *t, char *evidence)
{
	for (size_t i = 0; i < g->n; i++) {
		if (strcmp(g->v[i].name, t->name) == 0) {
			/* Already found by its package: keep the package as the evidence. */
			free(evidence);
			return;
		}
	}
	g->v = xreallocarray(g->v, g->n + 1, sizeof(*g->v));
	g->v[g->n].name = xstrdup(t->name);
	g->v[g->n].vendor = xstrdup(t->vendor);
	g->v[g->n].evidence = evidence;
	g->n++;
}

static bool on_package(const char *pkg, const char *ver, void *arg)
{
	struct guest_facts *g = arg;
	for (size_t i = 0; i < ARRAY_SIZE(tool_packages); i++)
		if (strcmp(pkg, tool_packages[i].package) == 0)
			add_tool(g, &tool_packages[i].t,
				 xasprintf("package %s %s is installed (/var/lib/dpkg/status)", pkg, ver));
	return true;
}

void probe_guest(struct ctx *ctx, struct facts *f)
{
	struct guest_facts *g = &f->guest;
	if (g->s.state != FS_UNPROBED)
		return;
	char *data;
	size_t len;
	/* dpkg's database can be large on a desktop system: allow more than for a config file. */
	int e = rootfs_read(ctx->rfs, "/var/lib/dpkg/status", 64u << 20, &data, &len);
	if (e == 0) {
		dpkg_status_parse(data, len, on_package, g);
		free(data);
	} else if (e != -ENOENT) {
		section_set(&g->s, FS_ERROR, "/var/lib/dpkg/status", "could not read /var/lib/dpkg/status: %s",
			    rootfs_strerror(e));
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tool_files); i++) {
		bool found = tool_files[i].dir ? rootfs_is_dir(ctx->rfs, tool_files[i].path)
					       : rootfs_is_file(ctx->rfs, tool_files[i].path);
		if (found)
			add_tool(g, &tool_files[i].t, xasprintf("%s exists", tool_files[i].path));
	}
	struct strvec opt = STRVEC_INIT;
	if (rootfs_list(ctx->rfs, "/opt", &opt) == 0) {
		static const struct tool_sig vbox = { "VirtualBox", "VirtualBox Guest Additions" };
		for (size_t i = 0; i < opt.n; i++)
			if (str_starts_with(opt.v[i], "VBoxGuestAdditions-"))
				add_tool(g, &vbox, xasprintf("/opt/%s exists", opt.v[i]));
	}
	strvec_clear(&opt);
	section_set(&g->s, FS_OK, NULL, NULL);
}
