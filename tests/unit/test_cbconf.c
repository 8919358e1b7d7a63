/* Unit tests: cloudbase-init's configuration as oslo.config reads it, Tencent's settings, and the minimal edit. */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"

#include "cbconf.h"
#include "banned.h"

#define TENCENT                                                                     \
	"# Tencent Cloud\r\n"                                                       \
	"[DEFAULT]\r\n"                                                             \
	"username=Administrator\r\n"                                                \
	"groups=Administrators\r\n"                                                 \
	"inject_user_password=true\r\n"                                             \
	"first_logon_behaviour=no\r\n"                                              \
	"netbios_host_name_compatibility=false\r\n"                                 \
	"allow_reboot=false\r\n"                                                    \
	"config_drive_raw_hhd=true\r\n"                                             \
	"config_drive_cdrom=true\r\n"                                               \
	"config_drive_vfat=true\r\n"                                                \
	"metadata_services=cloudbaseinit.metadata.services.configdrive.ConfigDriveService\r\n" \
	"plugins=cloudbaseinit.plugins.windows.extendvolumes.ExtendVolumesPlugin,\r\n"          \
	"    cloudbaseinit.plugins.common.networkconfig.NetworkConfigPlugin,\r\n"                \
	"    cloudbaseinit.plugins.common.sethostname.SetHostNamePlugin,\r\n"                    \
	"    cloudbaseinit.plugins.common.setuserpassword.SetUserPasswordPlugin,\r\n"            \
	"    cloudbaseinit.plugins.common.localscripts.LocalScriptsPlugin,\r\n"                  \
	"    cloudbaseinit.plugins.common.userdata.UserDataPlugin\r\n"

#define DEFAULT_CONF                                                                 \
	"[DEFAULT]\r\n"                                                              \
	"username=Admin\r\n"                                                         \
	"groups=Administrators\r\n"                                                  \
	"inject_user_password=true\r\n"                                              \
	"config_drive_raw_hhd=true\r\n"                                              \
	"config_drive_cdrom=true\r\n"                                                \
	"config_drive_vfat=true\r\n"                                                 \
	"bsdtar_path=C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\bin\\bsdtar.exe\r\n" \
	"logging_serial_port_settings=COM1,115200,N,8\r\n"

static size_t count_problems(const char *in, size_t n, bool *readable)
{
	struct cb_eval ev;
	cb_eval(in, n, &ev);
	size_t k = ev.problems.n;
	if (readable)
		*readable = ev.readable;
	cb_eval_free(&ev);
	return k;
}

/* Which files cloudbase-init reads as Tencent's configuration, and how many things are wrong. */
static void t_eval(void **state)
{
	(void)state;
	static const struct {
		struct buf in;
		bool readable;
		size_t problems;
		const char *contains; /* a word one of the problems must contain, or NULL */
	} rows[] = {
		{ BUF(TENCENT), true, 0, NULL },
		/* metadata_services, username, first_logon_behaviour, netbios..., allow_reboot */
		{ BUF(DEFAULT_CONF), true, 5, "metadata_services is not set" },
		{ BUF(""), true, 5, NULL },
		{ BUF(TENCENT "allow_reboot = true\r\n"), true, 1, "allow_reboot is true" },
		/* The last assignment wins. */
		{ BUF("[DEFAULT]\nallow_reboot=true\n" TENCENT), true, 0, NULL },
		/* Not in [DEFAULT]: does not count. */
		{ BUF(TENCENT "[openstack]\nallow_reboot=true\n"), true, 0, NULL },
		{ BUF(TENCENT "config_drive_cdrom=no\r\n"), true, 1, "CD-ROM" },
		{ BUF(TENCENT "config_drive_vfat=maybe\r\n"), true, 1, "config_drive_vfat = maybe" },
		{ BUF(TENCENT "inject_user_password=perhaps\r\n"), true, 1, "not a boolean" },
		{ BUF(TENCENT "metadata_services=cloudbaseinit.metadata.services.ec2service.EC2Service,"
			      "cloudbaseinit.metadata.services.configdrive.ConfigDriveService\r\n"),
		  true, 0, NULL },
		{ BUF(TENCENT "metadata_services=cloudbaseinit.metadata.services.httpservice.HttpService,"
			      "cloudbaseinit.metadata.services.configdrive.ConfigDriveService\r\n"),
		  true, 1, "starts with" },
		{ BUF(TENCENT "plugins=cloudbaseinit.plugins.common.mtu.MTUPlugin\r\n"), true, 1, "ExtendVolumesPlugin" },
		{ BUF(TENCENT "groups=Users\r\n"), true, 1, "lacks Administrators" },
		{ BUF(TENCENT "username=ADMINISTRATOR\r\n"), true, 0, NULL },
		/* Quotes around a value are not part of it. */
		{ BUF(TENCENT "first_logon_behaviour=\"no\"\r\n"), true, 0, NULL },
		/* No inline comments in oslo.config: the comment is part of the value. */
		{ BUF(TENCENT "allow_reboot=false ; no\r\n"), true, 1, "not a boolean" },
		/* What oslo.config refuses. */
		{ BUF(TENCENT "junk\r\n"), false, 1, "neither '=' nor ':'" },
		{ BUF(TENCENT "[broken\r\n"), false, 1, "does not end with ']'" },
		{ BUF(TENCENT "[]\r\n"), false, 1, "empty section name" },
		{ BUF(TENCENT "=value\r\n"), false, 1, "empty key" },
		{ BUF("key=value\r\n" TENCENT), false, 1, "before any [section]" },
		{ BUF(TENCENT "\r\n  indented after a blank line\r\n"), false, 1, "continues no value" },
		/* A byte order mark is part of the first line for cloudbase-init. */
		{ BUF("\xef\xbb\xbf" TENCENT), false, 2, "byte order mark" },
		{ BUF("\xff\xfe[\0D\0"), false, 6, "UTF-16" },
		{ BUF("[DEFAULT]\0\n"), false, 6, "NUL" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct cb_eval ev;
		cb_eval(rows[i].in.p, rows[i].in.n, &ev);
		EXPECT_INT(i, "readable", ev.readable, rows[i].readable);
		if (rows[i].problems < 6)
			EXPECT_INT(i, "problems", ev.problems.n, rows[i].problems);
		if (rows[i].contains) {
			bool found = false;
			for (size_t k = 0; k < ev.problems.n; k++)
				found = found || strstr(ev.problems.v[k], rows[i].contains);
			if (!found)
				fail_msg("row %zu: no problem mentions '%s' (first: '%s')", i, rows[i].contains,
					 ev.problems.n ? ev.problems.v[0] : "none");
		}
		cb_eval_free(&ev);
	}
}

/* The fix: every problem gone, only the changed keys' lines differ, a second fix changes nothing. */
static void t_fix(void **state)
{
	(void)state;
	static const struct {
		struct buf in;
		const char *want; /* the whole result, or NULL to check only the properties */
	} rows[] = {
		{ BUF(TENCENT), TENCENT },
		{ BUF(DEFAULT_CONF),
		  "[DEFAULT]\r\n"
		  "username=Administrator\r\n"
		  "groups=Administrators\r\n"
		  "inject_user_password=true\r\n"
		  "config_drive_raw_hhd=true\r\n"
		  "config_drive_cdrom=true\r\n"
		  "config_drive_vfat=true\r\n"
		  "bsdtar_path=C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\bin\\bsdtar.exe\r\n"
		  "logging_serial_port_settings=COM1,115200,N,8\r\n"
		  "metadata_services=cloudbaseinit.metadata.services.configdrive.ConfigDriveService\r\n"
		  "first_logon_behaviour=no\r\n"
		  "netbios_host_name_compatibility=false\r\n"
		  "allow_reboot=false\r\n" },
		/* Hand-written: spaces around '=', comments, continuation lines, junk, another section, no final newline. */
		{ BUF("; mine\n[DEFAULT]\nusername = Admin\njunk here\nplugins = a.b.MTUPlugin,\n\tc.d.UserDataPlugin\n"
		      "allow_reboot = true   \n\n[openstack]\nmetadata_base_url = http://169.254.169.254/"),
		  "; mine\n[DEFAULT]\nusername = Administrator\n#junk here\nplugins = a.b.MTUPlugin,\n\tc.d.UserDataPlugin,\n"
		  "\tcloudbaseinit.plugins.windows.extendvolumes.ExtendVolumesPlugin,\n"
		  "\tcloudbaseinit.plugins.common.networkconfig.NetworkConfigPlugin,\n"
		  "\tcloudbaseinit.plugins.common.sethostname.SetHostNamePlugin,\n"
		  "\tcloudbaseinit.plugins.common.setuserpassword.SetUserPasswordPlugin,\n"
		  "\tcloudbaseinit.plugins.common.localscripts.LocalScriptsPlugin\n"
		  "allow_reboot = false\n"
		  "metadata_services = cloudbaseinit.metadata.services.configdrive.ConfigDriveService\n"
		  "first_logon_behaviour = no\n"
		  "netbios_host_name_compatibility = false\n"
		  "\n[openstack]\nmetadata_base_url = http://169.254.169.254/" },
		/* A value over several lines is replaced with its continuation lines. */
		{ BUF(TENCENT "metadata_services=cloudbaseinit.metadata.services.httpservice.HttpService,\r\n"
			      "  cloudbaseinit.metadata.services.ec2service.EC2Service\r\n"
			      "# after\r\n"),
		  TENCENT "metadata_services=cloudbaseinit.metadata.services.configdrive.ConfigDriveService,"
			  "cloudbaseinit.metadata.services.ec2service.EC2Service\r\n# after\r\n" },
		/* No [DEFAULT] section: one is added at the end. */
		{ BUF("[openstack]\r\nx=1\r\n"), NULL },
		{ BUF("\xef\xbb\xbf" TENCENT), TENCENT },
		{ BUF(TENCENT "\r\n  stray\r\n"), TENCENT "\r\n#  stray\r\n" },
		{ BUF(TENCENT "groups=Users\r\n"), TENCENT "groups=Users,Administrators\r\n" },
		{ BUF(TENCENT "config_drive_cdrom=false\r\n"), TENCENT "config_drive_cdrom=true\r\n" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *out, *why, *out2;
		size_t len, len2;
		assert_int_equal(cb_fix(rows[i].in.p, rows[i].in.n, "\r\n", &out, &len, &why), 0);
		if (rows[i].want && (len != strlen(rows[i].want) || memcmp(out, rows[i].want, len) != 0))
			fail_msg("row %zu: got\n%s\nwant\n%s", i, out, rows[i].want);
		bool readable;
		size_t k = count_problems(out, len, &readable);
		if (k || !readable)
			fail_msg("row %zu: %zu problems after the fix", i, k);
		assert_int_equal(cb_fix(out, len, "\r\n", &out2, &len2, &why), 0);
		if (len2 != len || memcmp(out, out2, len) != 0)
			fail_msg("row %zu: a second fix changed the file", i);
		free(out);
		free(out2);
	}
	/* A file that does not exist yet. */
	char *out, *why;
	size_t len;
	assert_int_equal(cb_fix(NULL, 0, "\r\n", &out, &len, &why), 0);
	assert_true(str_starts_with(out, "[DEFAULT]\r\nmetadata_services="));
	assert_int_equal(count_problems(out, len, NULL), 0);
	free(out);
	/* Files cvmprep does not edit. */
	static const char utf16[] = "\xff\xfe[\0D\0";
	assert_int_equal(cb_fix(utf16, sizeof(utf16) - 1, "\r\n", &out, &len, &why), -EINVAL);
	assert_non_null(strstr(why, "UTF-16"));
	free(why);
}

static void t_cmdline(void **state)
{
	(void)state;
	static const struct {
		const char *in, *argv, *conf;
	} rows[] = {
		{ "\"C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\bin\\OpenStackService.exe\" cloudbase-init "
		  "\"C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\Python\\Scripts\\cloudbase-init.exe\" "
		  "--config-file \"C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf\"",
		  "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\bin\\OpenStackService.exe|cloudbase-init|"
		  "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\Python\\Scripts\\cloudbase-init.exe|--config-file|"
		  "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf",
		  "C:\\Program Files\\Cloudbase Solutions\\Cloudbase-Init\\conf\\cloudbase-init.conf" },
		{ "C:\\x\\a.exe --config-file=C:\\c\\b.conf", "C:\\x\\a.exe|--config-file=C:\\c\\b.conf", "C:\\c\\b.conf" },
		{ "a.exe --config-file", "a.exe|--config-file", NULL },
		{ "a.exe --config-file one --config-file two", "a.exe|--config-file|one|--config-file|two", "two" },
		{ "a.exe \"a b\" c\\\\\"d e\" f\\\"g", "a.exe|a b|c\\d e|f\"g", NULL },
		{ "a.exe \"trailing\\\\\"", "a.exe|trailing\\", NULL },
		{ "a.exe \"un closed", "a.exe|un closed", NULL },
		{ "  \"C:\\p q\\a.exe\"x y", "C:\\p q\\a.exe|x|y", NULL },
		{ "", "", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct strvec argv = STRVEC_INIT;
		cb_split_cmdline(rows[i].in, &argv);
		EXPECT_LIST(i, rows[i].in, &argv, rows[i].argv);
		strvec_clear(&argv);
		char *conf = cb_config_from_cmdline(rows[i].in);
		EXPECT_STR(i, rows[i].in, conf, rows[i].conf);
		free(conf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_eval),
		cmocka_unit_test(t_fix),
		cmocka_unit_test(t_cmdline),
	};
	return cmocka_run_group_tests_name("cbconf", tests, NULL, NULL);
}
