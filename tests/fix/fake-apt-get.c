/*
 * A stand-in for apt-get inside a test tree (built statically by tests/fix/run.sh, so that it
 * runs in a chroot with no libraries): it appends its arguments to /var/log/fake-apt.log and,
 * for "install", records cloud-init as installed in /var/lib/dpkg/status, as apt would.
 * Its log inside the tree proves the command ran chrooted there.
 */
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	FILE *log = fopen("/var/log/fake-apt.log", "a");
	if (!log)
		return 100;
	for (int i = 1; i < argc; i++)
		fprintf(log, "%s%s", i > 1 ? " " : "", argv[i]);
	fputc('\n', log);
	fclose(log);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "install") == 0) {
			FILE *st = fopen("/var/lib/dpkg/status", "a");
			if (!st)
				return 100;
			fputs("Package: cloud-init\nStatus: install ok installed\nVersion: 22.4.2-1\n\n", st);
			fclose(st);
		}
	}
	return 0;
}
