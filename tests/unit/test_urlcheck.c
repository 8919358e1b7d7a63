/* Unit tests: COS host names, signature parameters and their redaction, regions, COS error bodies. */
#include <stdlib.h>

#include "unit.h"

#include "urlcheck.h"
#include "banned.h"

static void t_redact(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{ "https://b-1.cos.ap-guangzhou.myqcloud.com/k.qcow2", "https://b-1.cos.ap-guangzhou.myqcloud.com/k.qcow2" },
		{ "https://h/k?q-sign-algorithm=sha1&q-ak=AKID&q-signature=abc123",
		  "https://h/k?q-sign-algorithm=REDACTED&q-ak=REDACTED&q-signature=REDACTED" },
		{ "https://h/k?versionId=7&sign=q-sign-algorithm%3Dsha1%26q-signature%3Dx&x=1",
		  "https://h/k?versionId=7&sign=REDACTED&x=1" },
		{ "https://h/k?X-Amz-Signature=ff&X-Amz-Credential=AK%2F2024&X-Amz-Security-Token=t",
		  "https://h/k?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED" },
		{ "https://h/k?q%2Dsignature=hidden", "https://h/k?q%2Dsignature=REDACTED" },
		{ "https://h/k?x-cos-security-token=tok#frag", "https://h/k?x-cos-security-token=REDACTED#frag" },
		{ "https://h/k?q-sign-time=1700000000;1700003600&a=b", "https://h/k?q-sign-time=REDACTED&a=b" },
		{ "https://user:secret@h/k", "https://user:REDACTED@h/k" },
		{ "https://user@h/k", "https://user@h/k" },
		{ "https://h:443/k?signature", "https://h:443/k?signature" },
		/* Greedy: a comma may belong to the value, so it goes too. */
		{ "redirected to https://h/k?Signature=abc, then", "redirected to https://h/k?Signature=REDACTED then" },
		{ "?sign=", "?sign=" },
		{ "", "" },
		{ "::://?&&==", "::://?&&==" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = url_redact(rows[i].in);
		EXPECT_STR(i, rows[i].in, got, rows[i].want);
		free(got);
	}
}

static void t_query(void **state)
{
	(void)state;
	static const struct {
		const char *q, *names, *stripped;
	} rows[] = {
		{ "", "", "" },
		{ "versionId=3", "", "versionId=3" },
		{ "q-sign-algorithm=sha1&q-ak=A&q-signature=s&versionId=3", "q-sign-algorithm|q-ak|q-signature", "versionId=3" },
		{ "a=1&x-cos-security-token=t&b=2", "x-cos-security-token", "a=1&b=2" },
		{ "SIGN=x&sign=y", "SIGN|sign", "" },
		{ "&&a&", "", "a" },
		{ "Q%2DSignature=z", "Q-Signature", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec v = STRVEC_INIT;
		url_query_signature_params(rows[i].q, &v);
		EXPECT_LIST(i, rows[i].q, &v, rows[i].names);
		char *s = url_query_strip_signature(rows[i].q);
		EXPECT_STR(i, rows[i].q, s, rows[i].stripped);
		free(s);
		strvec_clear(&v);
	}
}

static void t_cos_host(void **state)
{
	(void)state;
	static const struct {
		const char *host;
		bool ok;
		const char *bucket, *appid, *region, *problem;
	} rows[] = {
		{ "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com", true, "examplebucket", "1250000000",
		  "ap-guangzhou", NULL },
		{ "My-Bucket-1250000000.COS.AP-SHANGHAI.myqcloud.com.", true, "my-bucket", "1250000000", "ap-shanghai",
		  NULL },
		{ "b-1250000000.cos.ap-shanghai-fsi.myqcloud.com", true, "b", "1250000000", "ap-shanghai-fsi", NULL },
		{ "b-1250000000.cos.accelerate.myqcloud.com", false, NULL, NULL, NULL, "acceleration" },
		{ "b-1250000000.cos-website.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "website" },
		{ "cos.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "path-style" },
		{ "b-1250000000.file.myqcloud.com", false, NULL, NULL, NULL, "CDN" },
		{ "bucket.cos.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "APPID" },
		{ "-1250000000.cos.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "APPID" },
		{ "b_x-1250000000.cos.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "bucket name" },
		{ "b-1250000000.cos.guangzhou.myqcloud.com", false, NULL, NULL, NULL, "region" },
		{ "b-1250000000.cos.ap-guangzhou.tencentcos.cn", false, NULL, NULL, NULL, "tencentcos.cn" },
		{ "example.com", false, NULL, NULL, NULL, "not under myqcloud.com" },
		{ "evil.com.b-1250000000.cos.ap-guangzhou.myqcloud.com.evil.com", false, NULL, NULL, NULL, "not under" },
		{ "x.b-1250000000.cos.ap-guangzhou.myqcloud.com", false, NULL, NULL, NULL, "not of the form" },
		{ "", false, NULL, NULL, NULL, "not under" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cos_host h;
		cos_parse_host(rows[i].host, &h);
		EXPECT_INT(i, rows[i].host, h.ok, rows[i].ok);
		EXPECT_STR(i, rows[i].host, h.bucket, rows[i].bucket);
		EXPECT_STR(i, rows[i].host, h.appid, rows[i].appid);
		EXPECT_STR(i, rows[i].host, h.region, rows[i].region);
		if (rows[i].problem && (!h.problem || !strstr(h.problem, rows[i].problem)))
			fail_msg("row %zu (%s): problem '%s', want '%s'", i, rows[i].host, h.problem ? h.problem : "(none)",
				 rows[i].problem);
		cos_host_free(&h);
	}
}

static void t_regions(void **state)
{
	(void)state;
	assert_int_equal(cos_region_kind("ap-guangzhou"), REGION_MAINLAND);
	assert_int_equal(cos_region_kind("ap-shanghai-fsi"), REGION_FINANCE);
	assert_int_equal(cos_region_kind("ap-shenzhen-fsi"), REGION_FINANCE);
	assert_int_equal(cos_region_kind("ap-hongkong"), REGION_OUTSIDE);
	assert_int_equal(cos_region_kind("na-siliconvalley"), REGION_OUTSIDE);
	assert_int_equal(cos_region_kind("ap-mars"), REGION_UNKNOWN);
	assert_int_equal(cos_region_kind(NULL), REGION_UNKNOWN);
}

static void t_xml(void **state)
{
	(void)state;
	static const char body[] = "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchKey</Code>\n"
				   "\t<Message>The specified key does not exist.</Message>\n\t<RequestId>abc=</RequestId>\n";
	char *v = cos_xml_value(body, sizeof(body) - 1, "Code");
	EXPECT_STR(0, "Code", v, "NoSuchKey");
	free(v);
	v = cos_xml_value(body, sizeof(body) - 1, "RequestId");
	EXPECT_STR(0, "RequestId", v, "abc=");
	free(v);
	v = cos_xml_value(body, sizeof(body) - 1, "TraceId");
	EXPECT_STR(0, "TraceId", v, NULL);
	free(v);
	/* Cut in the middle of a value: nothing, not a read past the end. */
	v = cos_xml_value(body, 50, "Code");
	EXPECT_STR(0, "cut", v, NULL);
	free(v);
	v = cos_xml_value("<Code>\x1b[31mred</Code>", 22, "Code");
	EXPECT_STR(0, "escape", v, "\\x1b[31mred");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_redact),  cmocka_unit_test(t_query), cmocka_unit_test(t_cos_host),
		cmocka_unit_test(t_regions), cmocka_unit_test(t_xml),
	};
	return cmocka_run_group_tests_name("urlcheck", tests, NULL, NULL);
}
