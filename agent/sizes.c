/* The disk size rule shared by disk.size and win.disk-size (sizes.h). */
#include "sizes.h"

#include <stdlib.h>

#include "rules.h"
#include "banned.h"

static void add_evidence(struct finding *f, const struct strvec *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		finding_evidence(f, "%s", ev->v[i]);
}

void rule_disk_size_limits(const struct check *c, struct report *r, const char *subject, uint64_t size,
			   bool used_known, uint64_t used, const struct strvec *used_evidence, const char *zero_hint)
{
	char *vs = fmt_bytes_iec(size), *vsi = fmt_bytes_si(size);
	bool failed = false;
	if (size > LIMIT_VIRTUAL_IEC) {
		report_add(r, c, ST_FAIL, subject, "the disk is %s (%s), over the 500 GB virtual size limit", vs, vsi);
		failed = true;
	} else if (size > LIMIT_VIRTUAL_SI) {
		struct finding *f = report_add(r, c, ST_FAIL, subject,
					       "the disk is %s (%s): over 500 GB counted in powers of ten, under 500 GiB",
					       vs, vsi);
		f->severity = SEV_WARNING;
		finding_evidence(f, "Tencent does not say whether GB means 10^9 or 2^30 bytes");
		failed = true;
	}
	if (used_known) {
		char *us = fmt_bytes_iec(used), *usi = fmt_bytes_si(used);
		struct finding *f = NULL;
		if (used > LIMIT_QCOW2_IEC) {
			f = report_add(r, c, ST_FAIL, subject,
				       "about %s (%s) is in use, so the qcow2 image will be over the 50 GB limit", us, usi);
		} else if (used > LIMIT_QCOW2_SI) {
			f = report_add(r, c, ST_FAIL, subject,
				       "about %s (%s) is in use: the qcow2 image will be near the 50 GB limit", us, usi);
			f->severity = SEV_WARNING;
		}
		if (f) {
			add_evidence(f, used_evidence);
			failed = true;
		}
		if (!failed) {
			f = report_add(r, c, ST_PASS, subject,
				       "virtual size %s; about %s in use, within the 50 GB qcow2 limit", vs, us);
			add_evidence(f, used_evidence);
			finding_evidence(f, "%s", zero_hint);
		}
		free(us);
		free(usi);
	} else if (!failed) {
		struct finding *f = report_add(r, c, ST_PASS, subject,
					       "virtual size %s is within the limit; the space in use was not measured", vs);
		add_evidence(f, used_evidence);
	}
	free(vs);
	free(vsi);
}
