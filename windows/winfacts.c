/* The Windows facts: allocated on first use, with the test-only fake backend when it is asked for. */
#include "winfacts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "banned.h"

struct win_facts *win_facts(struct facts *f)
{
	if (f->win)
		return f->win;
	struct win_facts *w = xcalloc(1, sizeof(*w));
	char *err = NULL;
	if (win_fake_load(&w->fake, &err) < 0)
		w->fake_error = err;
	f->win = w;
	return w;
}

static void driver_free(struct win_driver *d)
{
	free(d->store_dir);
	free(d->package);
	free(d->published);
	strvec_clear(&d->store_evidence);
	reg_value_free(&d->start);
	reg_value_free(&d->type);
	reg_value_free(&d->errorcontrol);
	reg_value_free(&d->group);
	reg_value_free(&d->imagepath);
	free(d->sys_path);
	strvec_clear(&d->bind_evidence);
}

void win_facts_free(struct win_facts *w)
{
	if (!w)
		return;
	win_fake_free(w->fake);
	free(w->fake_error);
	section_free(&w->fw.s);
	strvec_clear(&w->fw.evidence);
	struct win_disk *d = &w->disk;
	section_free(&d->s);
	free(d->volume);
	free(d->device);
	section_free(&d->layout);
	ptable_free(&d->pt);
	free(d->layout_source);
	strvec_clear(&d->evidence);
	strvec_clear(&d->used_evidence);
	section_free(&w->vol.s);
	free(w->vol.root);
	free(w->vol.fstype);
	section_free(&w->virtio.s);
	free(w->virtio.store_root);
	for (size_t i = 0; i < WDRV_COUNT; i++)
		driver_free(&w->virtio.drv[i]);
	struct win_cbinit *c = &w->cbi;
	section_free(&c->s);
	free(c->service_key);
	free(c->image_path);
	free(c->object_name);
	free(c->conf_source);
	for (size_t i = 0; i < 2; i++) {
		free(c->conf[i].path);
		section_free(&c->conf[i].s);
		cb_eval_free(&c->conf[i].ev);
	}
	section_free(&w->net.s);
	for (size_t i = 0; i < w->net.n; i++) {
		free(w->net.v[i].name);
		free(w->net.v[i].guid);
		free(w->net.v[i].source);
		strvec_clear(&w->net.v[i].addresses);
	}
	free(w->net.v);
	section_free(&w->power.s);
	free(w->power.hiberfil_path);
	section_free(&w->reboot.s);
	strvec_clear(&w->reboot.markers);
	section_free(&w->tools.s);
	strvec_clear(&w->tools.found);
	free(w);
}
