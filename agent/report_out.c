/* The two renderings of a report: grouped text for people, versioned JSON for pipelines. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "report.h"
#include "banned.h"

#define C_RED "\033[1;31m"
#define C_YEL "\033[1;33m"
#define C_GRN "\033[32m"
#define C_DIM "\033[2m"
#define C_BLD "\033[1m"
#define C_OFF "\033[0m"

struct group {
	const char *title;
	const char *color;
	bool (*match)(const struct finding *f);
	bool in_quiet;
};

static bool is_blocker(const struct finding *f)
{
	return f->status == ST_FAIL && f->severity == SEV_BLOCKER;
}
static bool is_warning(const struct finding *f)
{
	return f->status == ST_FAIL && f->severity == SEV_WARNING;
}
static bool is_info(const struct finding *f)
{
	return f->status == ST_FAIL && f->severity != SEV_BLOCKER && f->severity != SEV_WARNING;
}
static bool is_error(const struct finding *f)
{
	return f->status == ST_ERROR;
}
static bool is_fixed(const struct finding *f)
{
	return f->status == ST_FIXED;
}
static bool is_skip(const struct finding *f)
{
	return f->status == ST_SKIP;
}
static bool is_pass(const struct finding *f)
{
	return f->status == ST_PASS;
}

static const struct group groups[] = {
	{ "Blockers", C_RED, is_blocker, true },
	{ "Warnings", C_YEL, is_warning, true },
	{ "Information", "", is_info, false },
	{ "Could not be checked", C_RED, is_error, true },
	{ "Fixed", C_GRN, is_fixed, true },
	{ "Skipped", C_DIM, is_skip, false },
	{ "Passed", C_GRN, is_pass, false },
};

static void put_safe(FILE *out, const char *s)
{
	char *p = str_printable(s, 4096);
	fputs(p, out);
	free(p);
}

static void write_fix_line(FILE *out, const struct finding *f)
{
	fputs("      ", out);
	if (f->error_code)
		fprintf(out, "import error: %s; ", f->error_code);
	else if (f->severity == SEV_BLOCKER)
		fputs("no import error code predicted; ", out);
	if (!f->fix_available)
		fputs("no automatic fix", out);
	else if (f->fix_opt_in)
		fprintf(out, "fix: cvmprep fix %s", f->fix_opt_in);
	else
		fputs("fix: cvmprep fix", out);
	fprintf(out, " (cvmprep explain %s)\n", f->check->id);
}

void report_write_text(const struct report *r, FILE *out, const struct output_opts *o)
{
	const bool col = o->color;
	if (!o->quiet) {
		fprintf(out, "%scvmprep %s%s: ", col ? C_BLD : "", r->command, col ? C_OFF : "");
		put_safe(out, r->root);
		if (r->os.pretty_name) {
			fputs(" (", out);
			put_safe(out, r->os.pretty_name);
			if (r->os.arch) {
				fputs(", ", out);
				put_safe(out, r->os.arch);
			}
			fputc(')', out);
		}
		fputc('\n', out);
	}

	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		if (o->quiet && !groups[g].in_quiet)
			continue;
		bool header = false;
		for (size_t i = 0; i < r->n; i++) {
			const struct finding *f = r->findings[i];
			if (!groups[g].match(f))
				continue;
			if (!header) {
				fprintf(out, "\n%s%s%s\n", col ? groups[g].color : "", groups[g].title, col ? C_OFF : "");
				header = true;
			}
			fprintf(out, "  %s%-26s%s ", col ? C_BLD : "", f->check->id, col ? C_OFF : "");
			put_safe(out, f->summary);
			fputc('\n', out);
			if (f->status == ST_FAIL && f->severity != SEV_INFO)
				write_fix_line(out, f);
			if (o->verbose) {
				if (f->subject) {
					fputs("      subject: ", out);
					put_safe(out, f->subject);
					fputc('\n', out);
				}
				for (size_t e = 0; e < f->evidence.n; e++) {
					fputs("      - ", out);
					put_safe(out, f->evidence.v[e]);
					fputc('\n', out);
				}
			}
		}
	}

	if (r->changes && r->changes->n) {
		fprintf(out, "\n%sChanges%s\n", col ? C_BLD : "", col ? C_OFF : "");
		for (size_t i = 0; i < r->changes->n; i++) {
			const struct change *c = &r->changes->v[i];
			fprintf(out, "  %-11s ", c->action);
			put_safe(out, c->path);
			if (c->detail) {
				fputs(" (", out);
				put_safe(out, c->detail);
				fputc(')', out);
			}
			fputc('\n', out);
		}
	}

	struct summary s;
	report_summarise(r, &s);
	const char *vc = s.blockers ? C_RED : (s.warnings || s.errors) ? C_YEL : C_GRN;
	const char *vt = s.blockers ? "NOT READY" : (s.warnings || s.errors) ? "READY WITH WARNINGS" : "READY";
	fprintf(out, "\n%sVerdict: %s%s: %zu blocker%s, %zu warning%s", col ? vc : "", vt, col ? C_OFF : "",
		s.blockers, s.blockers == 1 ? "" : "s", s.warnings, s.warnings == 1 ? "" : "s");
	if (s.errors)
		fprintf(out, ", %zu not checkable", s.errors);
	if (s.fixed)
		fprintf(out, ", %zu fixed", s.fixed);
	fprintf(out, ", %zu passed, %zu skipped\n", s.passed, s.skipped);
	for (size_t i = 0; i < r->warnings.n && !o->quiet; i++) {
		fputs("note: ", out);
		put_safe(out, r->warnings.v[i]);
		fputc('\n', out);
	}
}

void report_write_json(const struct report *r, FILE *out, const struct output_opts *o)
{
	struct json j;
	json_init(&j, out);
	json_begin_object(&j);
	json_kv_string(&j, "schema", "cvmprep.report/1");
	json_key(&j, "tool");
	json_begin_object(&j);
	json_kv_string(&j, "name", "cvmprep");
	json_kv_string(&j, "version", o->tool_version);
	json_end_object(&j);
	json_kv_string(&j, "command", r->command);

	json_key(&j, "target");
	json_begin_object(&j);
	json_kv_string(&j, "root", r->root);
	json_kv_string(&j, "platform", r->platform);
	json_key(&j, "os");
	json_begin_object(&j);
	json_kv_string(&j, "id", r->os.id);
	json_kv_string(&j, "version_id", r->os.version_id);
	json_kv_string(&j, "pretty_name", r->os.pretty_name);
	json_kv_string(&j, "arch", r->os.arch);
	json_end_object(&j);
	json_end_object(&j);

	json_key(&j, "findings");
	json_begin_array(&j);
	for (size_t i = 0; i < r->n; i++) {
		const struct finding *f = r->findings[i];
		json_begin_object(&j);
		json_kv_string(&j, "id", f->check->id);
		json_kv_string(&j, "subject", f->subject);
		json_kv_string(&j, "status", status_name(f->status));
		json_kv_string(&j, "severity", severity_name(f->severity));
		json_kv_string(&j, "error_code", f->error_code);
		json_kv_string(&j, "summary", f->summary);
		json_key(&j, "evidence");
		json_begin_array(&j);
		for (size_t e = 0; e < f->evidence.n; e++)
			json_string(&j, f->evidence.v[e]);
		json_end_array(&j);
		json_key(&j, "fix");
		json_begin_object(&j);
		json_kv_bool(&j, "available", f->fix_available);
		json_kv_string(&j, "opt_in", f->fix_opt_in);
		json_kv_string(&j, "description", f->fix_available ? f->fix_description : NULL);
		json_end_object(&j);
		json_end_object(&j);
	}
	json_end_array(&j);

	json_key(&j, "changes");
	json_begin_array(&j);
	for (size_t i = 0; r->changes && i < r->changes->n; i++) {
		const struct change *c = &r->changes->v[i];
		json_begin_object(&j);
		json_kv_string(&j, "action", c->action);
		json_kv_string(&j, "path", c->path);
		json_kv_string(&j, "detail", c->detail);
		json_key(&j, "status");
		if (c->status < 0) {
			json_string(&j, "error");
		} else {
			json_uint(&j, (uint64_t)c->status);
		}
		json_end_object(&j);
	}
	json_end_array(&j);

	struct summary s;
	report_summarise(r, &s);
	json_key(&j, "summary");
	json_begin_object(&j);
	json_kv_uint(&j, "blockers", s.blockers);
	json_kv_uint(&j, "warnings", s.warnings);
	json_kv_uint(&j, "info", s.info);
	json_kv_uint(&j, "passed", s.passed);
	json_kv_uint(&j, "skipped", s.skipped);
	json_kv_uint(&j, "errors", s.errors);
	json_kv_string(&j, "verdict", report_verdict(&s));
	json_end_object(&j);

	json_key(&j, "messages");
	json_begin_array(&j);
	for (size_t i = 0; i < r->warnings.n; i++)
		json_string(&j, r->warnings.v[i]);
	json_end_array(&j);
	json_end_object(&j);
}
