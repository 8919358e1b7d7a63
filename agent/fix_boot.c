/*
 * Repair of boot.root-device: root= and resume= by UUID. /etc/default/grub is edited (the values
 * and GRUB_DISABLE_LINUX_UUID), then the distribution's tool regenerates the configuration the
 * bootloader reads (grub-mkconfig/grub2-mkconfig -o that file, grubby for BLS entries); GRUB
 * legacy's menu.lst and extlinux.conf are edited directly, as their distributions did by hand.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "plan.h"
#include "probes.h"
#include "rules.h"
#include "banned.h"

/* Replace key=old with key=new in line lineno of text (whole tokens only); NULL when absent. */
static char *replace_in_line(const char *text, size_t len, unsigned lineno, const char *key, const char *old,
			     const char *neu, size_t *outlen)
{
	size_t pos = 0;
	unsigned ln = 1;
	while (ln < lineno && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		if (!nl)
			return NULL;
		pos = (size_t)(nl - text) + 1;
		ln++;
	}
	const char *nl = memchr(text + pos, '\n', len - pos);
	size_t end = nl ? (size_t)(nl - text) : len;
	char *needle = xasprintf("%s=%s", key, old);
	size_t nn = strlen(needle);
	char *ret = NULL;
	for (size_t p = pos; p + nn <= end; p++) {
		if (memcmp(text + p, needle, nn) != 0)
			continue;
		char before = p > pos ? text[p - 1] : ' ';
		char after = p + nn < end ? text[p + nn] : ' ';
		if (!(isspace((unsigned char)before) || before == '"' || before == '\'') ||
		    !(isspace((unsigned char)after) || after == '"' || after == '\''))
			continue;
		struct strbuf sb = STRBUF_INIT;
		strbuf_add(&sb, text, p);
		strbuf_addf(&sb, "%s=%s", key, neu);
		strbuf_add(&sb, text + p + nn, len - p - nn);
		*outlen = sb.len;
		ret = strbuf_detach(&sb);
		break;
	}
	free(needle);
	return ret;
}

static unsigned count_lines(const char *t, size_t len)
{
	unsigned n = 1;
	for (size_t i = 0; i < len; i++)
		n += t[i] == '\n';
	return n;
}

/* Replace key=old by key=new on every line of a bootloader file that carries kernel arguments. */
static char *replace_all_lines(const char *text, size_t len, const char *key, const char *old, const char *neu,
			       size_t *outlen)
{
	char *cur = xstrndup(text, len);
	size_t cl = len;
	bool any = false;
	unsigned lines = count_lines(cur, cl);
	for (unsigned l = 1; l <= lines; l++) {
		for (;;) {
			size_t nl;
			char *next = replace_in_line(cur, cl, l, key, old, neu, &nl);
			if (!next)
				break;
			free(cur);
			cur = next;
			cl = nl;
			any = true;
		}
	}
	if (!any) {
		free(cur);
		return NULL;
	}
	*outlen = cl;
	return cur;
}

struct repl {
	char *key, *old, *neu;
};

/* Plan to write path (as planned so far) with every replacement applied on every line. */
static void plan_replace_all(struct plan *p, const struct check *c, const char *path, const struct repl *r, size_t n,
			     const char *why)
{
	const char *data;
	size_t len;
	if (plan_content(p, path, &data, &len) != 0)
		return;
	char *cur = xstrndup(data, len);
	size_t cl = len;
	for (size_t i = 0; i < n; i++) {
		size_t nl;
		char *next = replace_all_lines(cur, cl, r[i].key, r[i].old, r[i].neu, &nl);
		if (next) {
			free(cur);
			cur = next;
			cl = nl;
		}
	}
	plan_write(p, c, path, cur, cl, 0644, why);
	free(cur);
}

/* The replacements root=/dev/sda1 -> root=UUID=... that the boot entries and defaults need. */
static size_t collect(struct ctx *ctx, const struct facts *f, struct plan *p, struct repl *out, size_t max)
{
	const struct boot_facts *b = &f->boot;
	static const char *const keys[] = { "root", "resume" };
	size_t n = 0;
	char *rootdisk = NULL;
	struct strvec unmapped = STRVEC_INIT; /* key=value already noted: every entry repeats them */
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < b->n + 2; i++) {
			const char *cl = i < b->n ? b->v[i].cmdline : i == b->n ? b->cmdline_linux : b->cmdline_default;
			if (!cl)
				continue;
			for (size_t k = pass; k < pass + 1; k++) {
				char *v = cmdline_get(cl, keys[k]);
				if (!v)
					continue;
				enum devname_kind kind = devname_classify(v, NULL);
				if (devname_stable(kind)) {
					free(v);
					continue;
				}
				bool dup = false;
				for (size_t q = 0; q < n; q++)
					dup = dup || (strcmp(out[q].key, keys[k]) == 0 && strcmp(out[q].old, v) == 0);
				if (dup || n == max) {
					free(v);
					continue;
				}
				if (k == 0 && !rootdisk)
					rootdisk = kernel_disk_of(v);
				/* resume= on the root's disk (by name) is on the image; elsewhere it is not. */
				char *vd = kernel_disk_of(v);
				enum disk_loc loc = k == 0 || (vd && rootdisk && strcmp(vd, rootdisk) == 0) ? LOC_SYSTEM : LOC_OTHER;
				free(vd);
				char *why = NULL;
				char *uuid = probe_uuid_for(ctx, f, v, k == 0 ? "/" : "swap", loc, &why);
				if (!uuid) {
					char *kv = xasprintf("%s=%s", keys[k], v);
					if (!strvec_contains(&unmapped, kv)) {
						plan_note(p, "boot.root-device: %s left as it is: %s", kv, why);
						strvec_push_nodup(&unmapped, kv);
					} else {
						free(kv);
					}
					free(why);
					free(v);
					continue;
				}
				out[n].key = xstrdup(keys[k]);
				out[n].old = v;
				out[n].neu = xasprintf("UUID=%s", uuid);
				free(uuid);
				n++;
			}
		}
	}
	free(rootdisk);
	strvec_clear(&unmapped);
	return n;
}

/* Which of the target's tools regenerates grub.cfg. */
static const char *mkconfig_tool(struct ctx *ctx)
{
	static const char *const tools[] = { "/usr/sbin/grub-mkconfig", "/usr/sbin/grub2-mkconfig", "/sbin/grub-mkconfig",
					     "/sbin/grub2-mkconfig", "/usr/bin/grub-mkconfig", "/usr/bin/grub2-mkconfig" };
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
		if (rootfs_is_file(ctx->rfs, tools[i]))
			return strrchr(tools[i], '/') + 1;
	return NULL;
}

/* After regeneration, no boot entry of the file may still name a kernel device. */
static int verify_grubcfg(struct ctx *ctx, const struct plan_item *it, const char *path, char **why)
{
	(void)it;
	char *data;
	size_t len;
	if (rootfs_read(ctx->rfs, path, ROOTFS_MAX_TEXT, &data, &len) < 0) {
		*why = xasprintf("%s could not be read back", path);
		return -1;
	}
	struct boot_list l = { 0 };
	grubcfg_parse(path, data, len, NULL, &l);
	free(data);
	int ret = 0;
	for (size_t i = 0; i < l.n && ret == 0; i++) {
		char *v = l.v[i].cmdline ? cmdline_get(l.v[i].cmdline, "root") : NULL;
		if (v && !devname_stable(devname_classify(v, NULL))) {
			*why = xasprintf("%s still has root=%s in '%s'%s", path, v, l.v[i].title ? l.v[i].title : "?",
					 str_starts_with(v, "/dev/loop") || str_starts_with(v, "/dev/nbd")
						 ? " (grub-mkconfig uses the UUID only when /dev/disk/by-uuid/UUID exists on "
						   "this host: is udev running?)"
						 : "");
			ret = -1;
		}
		free(v);
	}
	boot_list_free(&l);
	return ret;
}

int plan_boot_root_device(struct ctx *ctx, const struct facts *f, struct plan *p)
{
	const struct boot_facts *b = &f->boot;
	struct repl r[32];
	size_t n = collect(ctx, f, p, r, ARRAY_SIZE(r));
	const struct check *c = &check_boot_root_device;

	/* /etc/default/grub (or the drop-in that set the values). */
	if (b->kind == LOADER_GRUB2 && b->defaults_path) {
		const char *data;
		size_t len;
		if (plan_content(p, b->defaults_path, &data, &len) == 0) {
			char *cur = xstrndup(data, len);
			size_t cl = len;
			bool changed = false;
			for (size_t i = 0; i < n; i++) {
				unsigned lines[2] = { b->cmdline_linux_line, b->cmdline_default_line };
				for (size_t k = 0; k < 2; k++) {
					size_t nl;
					char *next = lines[k] ? replace_in_line(cur, cl, lines[k], r[i].key, r[i].old, r[i].neu, &nl)
							      : NULL;
					if (next) {
						free(cur);
						cur = next;
						cl = nl;
						changed = true;
					}
				}
			}
			if (b->disable_uuid && b->disable_uuid_line) {
				size_t nl;
				char *next = replace_all_lines(cur, cl, "GRUB_DISABLE_LINUX_UUID", "true", "false", &nl);
				if (!next)
					next = replace_all_lines(cur, cl, "GRUB_DISABLE_LINUX_UUID", "\"true\"", "\"false\"", &nl);
				if (next) {
					free(cur);
					cur = next;
					cl = nl;
					changed = true;
				}
			}
			if (changed)
				plan_write(p, c, b->defaults_path, cur, cl, 0644, "root=/resume= by UUID for grub-mkconfig");
			free(cur);
		}
	}

	bool entries_bad = false;
	for (size_t i = 0; i < b->n; i++)
		for (size_t k = 0; k < n; k++) {
			char *v = b->v[i].cmdline ? cmdline_get(b->v[i].cmdline, r[k].key) : NULL;
			entries_bad = entries_bad || (v && strcmp(v, r[k].old) == 0);
			free(v);
		}
	bool defaults_changed = b->kind == LOADER_GRUB2 && (b->disable_uuid || n);
	bool bls = false;
	for (size_t i = 0; i < b->n; i++)
		bls = bls || str_starts_with(b->v[i].source, "/boot/loader/entries/");

	static const char *const grubby[] = { "/usr/sbin/grubby", "/sbin/grubby", "/usr/bin/grubby" };
	bool have_grubby = false;
	for (size_t i = 0; i < ARRAY_SIZE(grubby); i++)
		have_grubby = have_grubby || rootfs_is_file(ctx->rfs, grubby[i]);
	if (b->kind == LOADER_GRUB2 && bls && entries_bad && !have_grubby) {
		for (size_t i = 0; i < n; i++)
			plan_note(p, "boot.root-device: no grubby in the target: run 'grubby --update-kernel=ALL --args=%s=%s' "
				     "after the fix",
				  r[i].key, r[i].neu);
	} else if (b->kind == LOADER_GRUB2 && bls && entries_bad) {
		/* BLS entries: grubby edits every entry (and grubenv's kernelopts). */
		for (size_t i = 0; i < n; i++) {
			char *arg = xasprintf("--args=%s=%s", r[i].key, r[i].neu);
			const char *argv[] = { "grubby", "--update-kernel=ALL", arg, NULL };
			plan_command(p, c, argv, true, "update every BLS boot entry");
			free(arg);
		}
	} else if (b->kind == LOADER_GRUB2 && (entries_bad || defaults_changed)) {
		const char *tool = mkconfig_tool(ctx);
		if (tool) {
			const char *argv[] = { tool, "-o", b->config, NULL };
			struct plan_item *it = plan_command(p, c, argv, true, "regenerate the GRUB configuration");
			if (!strvec_contains(&it->regenerates, b->config))
				strvec_push(&it->regenerates, b->config);
			it->verify = verify_grubcfg;
		} else if (entries_bad) {
			/* No generator in the target: edit the generated file itself, as a last resort. */
			plan_replace_all(p, c, b->config, r, n, "no grub-mkconfig in the target: edited directly");
		}
	} else if ((b->kind == LOADER_GRUB_LEGACY || b->kind == LOADER_EXTLINUX) && entries_bad) {
		plan_replace_all(p, c, b->config, r, n, "root=/resume= by UUID in every entry");
	}
	for (size_t i = 0; i < n; i++) {
		free(r[i].key);
		free(r[i].old);
		free(r[i].neu);
	}
	return 0;
}
