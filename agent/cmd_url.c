/* `cvmprep url-check URL`: the url.* checks of a COS object URL, before the import is submitted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdreport.h"
#include "config.h"
#include "platform.h"
#include "urlcheck.h"
#include "banned.h"

static const char cmd[] = "url-check";

#define DEFAULT_TIMEOUT 30
#define MAX_TIMEOUT 3600

enum { OPT_REGION = 0x300, OPT_TIMEOUT };

static void url_help(FILE *out)
{
	fprintf(out,
		"usage: cvmprep url-check [OPTIONS] URL\n\n"
		"Check a COS object URL before the import is submitted: the host pattern and region,\n"
		"signature parameters, anonymous readability and existence, and the image's format and\n"
		"sizes from its first and last bytes (HTTP range requests). TLS certificates are always\n"
		"verified; proxies are taken from the environment (https_proxy, no_proxy...). Signatures\n"
		"and tokens in the URL are redacted in every output.\n\n"
		"options:\n"
		"      --region REGION   the region the image is imported into (default: [target] region\n"
		"                        of the configuration file)\n"
		"      --timeout SECONDS the time each request may take (default %d)\n"
		"%s\n"
		"exit status: 0 ready, 1 ready with warnings, 2 not ready, 64 usage error,\n"
		"             69 the host could not be reached (or no HTTP client in this build).\n",
		DEFAULT_TIMEOUT, cmdreport_help);
}

static int parse_timeout(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_TIMEOUT)
		return -1;
	*out = v;
	return 0;
}

int cmd_url_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		CMDREPORT_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct options o;
	memset(&o, 0, sizeof(o));
	o.config_path = config_default_path();
	const char *region = NULL;
	long timeout = DEFAULT_TIMEOUT;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			url_help(stdout);
			return EXIT_READY;
		case OPT_REGION:
			region = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_timeout(optarg, &timeout) < 0) {
				cmdreport_usage(cmd, "--timeout must be a number of seconds from 1 to %d, not '%s'",
						MAX_TIMEOUT, optarg);
				return EXIT_USAGE;
			}
			break;
		default: {
			int c = cmdreport_option(cmd, opt, optarg, &o);
			if (c < 0)
				return EXIT_USAGE;
			if (c == 0) {
				fprintf(stderr, "Try 'cvmprep url-check --help' for more information.\n");
				return EXIT_USAGE;
			}
		}
		}
	}
	if (optind + 1 != argc) {
		cmdreport_usage(cmd, optind < argc ? "takes one URL" : "needs a URL");
		return EXIT_USAGE;
	}
	if (region && !*region) {
		cmdreport_usage(cmd, "--region needs a region name such as ap-guangzhou");
		return EXIT_USAGE;
	}
	const char *url = argv[optind];

	int ret = EXIT_USAGE;
	struct config cfg;
	struct report r;
	struct url_facts f;
	char *err = NULL;
	config_init(&cfg);
	memset(&f, 0, sizeof(f));
	f.shown = url_redact(url);
	report_init(&r, "url-check", f.shown, platform_name);
	if (config_load(&cfg, o.config_path, o.config_explicit, &r.warnings, &err) < 0) {
		cmdreport_usage(cmd, "%s", err);
		goto out;
	}
	for (size_t i = 0; i < r.warnings.n; i++)
		fprintf(stderr, "cvmprep: warning: %s\n", r.warnings.v[i]);
	if (region) {
		f.target_region = region;
		f.target_source = "--region";
	} else if (cfg.region && *cfg.region) {
		f.target_region = cfg.region;
		f.target_source = cfg.path ? cfg.path : "the configuration";
	}

	int e = url_parse(url, &f);
	if (e == -ENOSYS) {
		fprintf(stderr, "cvmprep: url-check: this build has no HTTP client (libcurl); run url-check on Linux, "
				"or check the URL with a browser\n");
		ret = EXIT_UNAVAILABLE;
		goto out;
	}
	if (f.parsed)
		cos_parse_host(f.host, &f.cos);

	/* Requests go only to what could be an import source: never to arbitrary hosts. */
	bool web = f.parsed && (str_casecmp(f.scheme, "http") == 0 || str_casecmp(f.scheme, "https") == 0);
	if (!f.parsed || !web)
		f.skip_reason = xstrdup("not an http(s) URL: nothing was requested");
	else if (!f.cos.ok)
		f.skip_reason = xstrdup("not a COS bucket URL: nothing was requested");
	else
		url_fetch(&f, timeout);

	rule_url_cos(&f, &check_url_cos, &r);
	rule_url_signature(&f, &check_url_signature, &r);
	rule_url_region(&f, &check_url_region, &r);
	rule_url_readable(&f, &check_url_readable, &r);
	rule_image_format(&f.img, &check_url_format, &r, f.shown);
	rule_image_size(&f.img, &check_url_size, &r, f.shown);
	report_sort(&r);
	if (f.net_failed)
		fprintf(stderr, "cvmprep: url-check: could not get an answer from '%s': %s\n", f.host,
			f.net_reason ? f.net_reason : "network error");
	ret = cmdreport_emit(&r, &o);
	/* Unreachable is "try again later" (69), unless what was checked offline already says "not ready". */
	if (f.net_failed && ret != EXIT_NOT_READY && ret < EXIT_USAGE)
		ret = EXIT_UNAVAILABLE;
out:
	report_free(&r);
	url_facts_free(&f);
	config_free(&cfg);
	free(err);
	return ret;
}

const struct check check_url_cos = {
	.id = "url.cos",
	.title = "the URL is an http(s) URL of a COS bucket: BUCKET-APPID.cos.REGION.myqcloud.com",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidUrl",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the URL, parsed with libcurl's URL API: the scheme (http or https) and the host,\n"
		"which must be a bucket's regional endpoint BUCKET-APPID.cos.REGION.myqcloud.com. Path-style\n"
		"URLs, CDN and static-website domains, the global acceleration endpoint and other hosts do\n"
		"not match. For any other host nothing is requested.\n\n"
		"Why: the import fetches the image only from COS; any other URL fails with InvalidUrl.\n\n"
		"By hand: copy the object URL from the COS console (object details), or build it as\n"
		"https://BUCKET-APPID.cos.REGION.myqcloud.com/KEY.",
};

const struct check check_url_signature = {
	.id = "url.signature",
	.title = "the URL has no signature or temporary token parameters",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidUrl",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the query parameters of the URL: COS signatures (q-sign-algorithm, q-ak,\n"
		"q-signature, sign), temporary tokens (x-cos-security-token) and S3-style presigned\n"
		"parameters (X-Amz-Signature, ...). Their values are redacted in every output, and the\n"
		"other checks request the URL without them.\n\n"
		"Why: a signed URL works until its signature expires, and the import may fetch the image\n"
		"hours later; it needs a public-read object and its plain URL (InvalidUrl).\n\n"
		"By hand: set the object's ACL to public-read in the COS console (or the bucket's), and\n"
		"give the URL without the query string; make it private again after the import.",
};

const struct check check_url_region = {
	.id = "url.region",
	.title = "the bucket is in the region the image is imported into",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidUrl",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the region in the COS host name and the import region (--region, or [target]\n"
		"region in the configuration file).\n\n"
		"Why: the finance regions (ap-shanghai-fsi, ap-shenzhen-fsi, and ap-beijing-fsi, treated\n"
		"alike) and regions outside the Chinese mainland import only from a bucket in the same\n"
		"region: a mismatch there is a blocker (InvalidUrl). Between two mainland regions a\n"
		"cross-region import works: a warning. A region cvmprep does not know is treated as one\n"
		"that needs a match.\n\n"
		"By hand: copy the object to a bucket in the import region (COS console, or coscli cp).",
};

const struct check check_url_readable = {
	.id = "url.readable",
	.title = "an anonymous request gets the object (public-read, not deleted)",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidUrl",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the answer to an anonymous HEAD request (a ranged GET where HEAD is refused),\n"
		"over TLS with certificate verification, following at most 5 redirects; for 403 and 404\n"
		"the error code of COS's XML error body (AccessDenied, NoSuchKey, NoSuchBucket).\n\n"
		"Why: the import fetches the object without credentials: a private object (403), a\n"
		"deleted one or a wrong key (404) fail with InvalidUrl.\n\n"
		"By hand: curl -I URL shows the same status; set the object's ACL to public-read.",
};

const struct check check_url_format = {
	.id = "url.format",
	.title = "the object is a qcow2, vhd, vmdk or raw disk image, whole and undamaged",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the object's first 64 KiB and last 512 bytes, fetched with HTTP range requests:\n"
		"the qcow2 header (version, virtual size, backing file), the vhd footer (fixed or\n"
		"dynamic, size), the vmdk sparse header or descriptor (createType, parentCID), an MBR or\n"
		"GPT for raw. vhdx, vdi, ISO 9660, tar/ova and compressed archives are named by magic.\n\n"
		"Why: the import accepts qcow2, vhd, vmdk and raw, not snapshot deltas or images whose\n"
		"data is in other files (InvalidFormatSize); a raw disk without a partition table fails\n"
		"later with PartitionNotPresent (a warning here: only sector 0/1 are looked at).\n\n"
		"By hand: download the first MiB (curl -r 0-1048575 URL -o head) and run qemu-img info,\n"
		"or run cvmprep image on the file before the upload.",
};

const struct check check_url_size = {
	.id = "url.size",
	.title = "the object's virtual size and size as qcow2 are within the limits",
	.severity = SEV_BLOCKER,
	.error_code = "InvalidFormatSize",
	.fix = FIX_NONE,
	.explain =
		"Looks at: the object size (Content-Length / Content-Range) and the virtual size from the\n"
		"image header. A qcow2 object's size is its size as qcow2; for other formats the headers\n"
		"give only an upper bound (every cluster written, or the allocated data of a sparse image).\n\n"
		"Why: the import accepts at most 500 GB of virtual size and 50 GB as qcow2\n"
		"(InvalidFormatSize); Tencent does not say whether GB is 10^9 or 2^30 bytes: above the\n"
		"binary value is a blocker, between the two a warning. When the bound is over the limit\n"
		"the result is a warning: measure the file with cvmprep image before uploading.\n\n"
		"By hand: qemu-img measure -O qcow2 FILE on the file before upload.",
};

const struct check *const url_checks[] = {
	&check_url_cos, &check_url_signature, &check_url_region,
	&check_url_readable, &check_url_format, &check_url_size,
	NULL,
};
