/*
 * Staging driver packages into the driver store: DiInstallDriverW (newdev.dll, loaded at run
 * time: mingw-w64's import library lacks it), or pnputil where it is missing; the signer of the
 * package's catalog is added to the machine's TrustedPublisher store first, so that nothing asks.
 * With the test-only fake backend (fake.h) the package goes into a driver store laid out like
 * Windows's own: FileRepository\<inf>_<arch>_<hash>\, INF\oemN.inf, and on 2012 and later the
 * DriverDatabase keys (DriverPackages, DriverInfFiles, DeviceIds for the INF's PCI IDs).
 */
#ifndef CVMPREP_DRVINST_H
#define CVMPREP_DRVINST_H

#include "facts.h"
#include "fake.h"
#include "journal.h"

int drv_stage(const struct win_fake *fake, const struct winver_facts *ver, const char *inf, char **published,
	      char **package, char **err);
/* Remove a package staged by drv_stage (pnputil -d oemN.inf, or the fake store's entries). */
int drv_unstage(const struct win_fake *fake, const char *published, const char *package, char **err);
/* Trust the signer of the INF's catalog for driver installation (journaled); *note says what was done. */
int drv_trust_signer(struct journal *j, const char *inf, char **note, char **err);

#endif
