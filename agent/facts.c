/* Releasing gathered facts, and recording why a section could not be gathered. */
#include "facts.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

void section_set(struct section *s, enum fstate st, const char *path, const char *fmt, ...)
{
	free(s->reason);
	s->reason = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		s->reason = xvasprintf(fmt, ap);
		va_end(ap);
	}
	if (path) {
		free(s->path);
		s->path = xstrdup(path);
	}
	s->state = st;
}

void section_free(struct section *s)
{
	free(s->reason);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

static void os_free(struct os_facts *o)
{
	section_free(&o->s);
	free(o->id);
	free(o->id_like);
	free(o->version_id);
	free(o->pretty_name);
	free(o->name);
	free(o->variant_id);
	free(o->arch);
	free(o->arch_source);
}

void fstab_entries_free(struct fstab_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].spec);
		free(v[i].file);
		free(v[i].type);
		free(v[i].opts);
		free(v[i].loc_evidence);
	}
	free(v);
}

void boot_entries_free(struct boot_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].source);
		free(v[i].title);
		free(v[i].kernel);
		free(v[i].initrd);
		free(v[i].cmdline);
		free(v[i].id);
	}
	free(v);
}

static void boot_free(struct boot_facts *b)
{
	section_free(&b->s);
	free(b->config);
	boot_entries_free(b->v, b->n);
	strvec_clear(&b->notes);
	free(b->defaults_path);
	free(b->cmdline_linux);
	free(b->cmdline_default);
}

static void disk_free(struct disk_facts *d)
{
	section_free(&d->s);
	free(d->disk);
	section_free(&d->table);
	free(d->pttype);
	free(d->whole_fs);
	for (size_t i = 0; i < d->nparts; i++) {
		free(d->parts[i].node);
		free(d->parts[i].type);
		free(d->parts[i].fstype);
		free(d->parts[i].uuid);
		free(d->parts[i].label);
	}
	free(d->parts);
	strvec_clear(&d->evidence);
	section_free(&d->mbr);
	free(d->bootcode);
	for (size_t i = 0; i < d->nmounts; i++) {
		free(d->mounts[i].mountpoint);
		free(d->mounts[i].source);
		free(d->mounts[i].evidence);
	}
	free(d->mounts);
	strvec_clear(&d->used_evidence);
}

static void kernels_free(struct kernel_facts *k)
{
	for (size_t i = 0; i < k->n; i++) {
		struct kernel_info *ki = &k->v[i];
		section_free(&ki->s);
		free(ki->version);
		free(ki->moddir);
		free(ki->image);
		free(ki->config_path);
		for (size_t m = 0; m < ki->nmods; m++) {
			free(ki->mods[m].name);
			free(ki->mods[m].path);
			free(ki->mods[m].config);
			strvec_clear(&ki->mods[m].deps);
		}
		free(ki->mods);
		free(ki->package);
		strvec_clear(&ki->package_evidence);
		free(ki->initrd);
		free(ki->initrd_source);
		section_free(&ki->irf);
		strvec_clear(&ki->irf_needed);
		strvec_clear(&ki->irf_has);
		free(ki->irf_layout);
	}
	free(k->v);
	strvec_clear(&k->notes);
	section_free(&k->s);
}

static void cloudinit_free(struct cloudinit_facts *c)
{
	if (c->s.state != FS_UNPROBED)
		ci_config_free(&c->cfg);
	section_free(&c->s);
	strvec_clear(&c->install_evidence);
	free(c->version);
	for (size_t i = 0; i < c->nunits; i++) {
		free(c->units[i].name);
		free(c->units[i].file);
		strvec_clear(&c->units[i].wanted_by);
		free(c->units[i].evidence);
	}
	free(c->cmdline);
	free(c->cmdline_source);
	if (c->evaluated)
		ci_eval_free(&c->eval);
	if (c->predicted)
		ci_boot_free(&c->boot);
	strvec_clear(&c->cdrom_evidence);
	strvec_clear(&c->state_paths);
	strvec_clear(&c->notes);
}

static void net_free(struct net_facts *n)
{
	section_free(&n->s);
	free(n->naming_evidence);
	free(n->cmd_source);
	for (size_t i = 0; i < n->nrules; i++)
		nc_file_free(&n->rules[i]);
	free(n->rules);
	free(n->rule_generator);
	for (size_t i = 0; i < n->nfiles; i++)
		nc_file_free(&n->files[i]);
	free(n->files);
	if (n->have_netplan)
		nc_file_free(&n->netplan);
	free(n->interfaces);
	strvec_clear(&n->unreadable);
}

void facts_free(struct facts *f)
{
#ifdef _WIN32
	if (f->win)
		win_facts_free(f->win);
#endif
	net_free(&f->net);
	kernels_free(&f->kernels);
	cloudinit_free(&f->cloudinit);
	section_free(&f->generalize.s);
	free(f->generalize.machine_id_path);
	strvec_clear(&f->generalize.dbus_machine_id);
	strvec_clear(&f->generalize.ssh_keys);
	strvec_clear(&f->generalize.leases);
	strvec_clear(&f->generalize.histories);
	os_free(&f->os);
	section_free(&f->fstab.s);
	fstab_entries_free(f->fstab.v, f->fstab.n);
	strvec_clear(&f->fstab.bad_lines);
	boot_free(&f->boot);
	section_free(&f->firmware.s);
	strvec_clear(&f->firmware.evidence);
	disk_free(&f->disk);
	section_free(&f->fsusage.s);
	free(f->fsusage.mountpoint);
	section_free(&f->shadow.s);
	section_free(&f->shadow.attrs);
	section_free(&f->guest.s);
	for (size_t i = 0; i < f->guest.n; i++) {
		free(f->guest.v[i].name);
		free(f->guest.v[i].vendor);
		free(f->guest.v[i].evidence);
	}
	free(f->guest.v);
	section_free(&f->winver.s);
	free(f->winver.edition);
	free(f->winver.arch);
	memset(f, 0, sizeof(*f));
}
