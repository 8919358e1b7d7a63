# Installing and packaging cvmprep (included by the top-level Makefile): the manual page, make
# install, make dist, make deb, make rpm. The version comes from the VERSION file ($(VERSION)).
#
#   make install [DESTDIR=...] [PREFIX=/usr] [SBINDIR=...] [MANDIR=...] [SYSCONFDIR=/etc]
#                [LOCALSTATEDIR=/var] [BASHCOMPDIR=...]
#   make dist    $(PKGDIR)/cvmprep-$(VERSION).tar.gz from the files git tracks
#   make deb     $(PKGDIR)/cvmprep_$(VERSION)_ARCH.deb (dpkg-buildpackage -us -uc -b on a copy)
#   make rpm     $(PKGDIR)/cvmprep-$(VERSION)-1.ARCH.rpm (rpmbuild -bb from the dist tarball)
#
# The binary reads /etc/cvmprep/cvmprep.conf and journals under /var/lib/cvmprep whatever
# SYSCONFDIR and LOCALSTATEDIR say: those only choose where `make install` puts the files.

SYSCONFDIR ?= /etc
LOCALSTATEDIR ?= /var
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
INSTALL ?= install
PKGDIR ?= $(BUILD)/packages

DIST_NAME := cvmprep-$(VERSION)
DIST_TARBALL := $(PKGDIR)/$(DIST_NAME).tar.gz
MAN_PAGE := $(BUILD)/man/cvmprep.8

# The release's timestamp, for the manual page, the tarball and the Debian changelog: the last
# commit's, or in an unpacked tarball (no git) the VERSION file's, which the tarball sets to it.
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
	git log -1 --format=%ct || stat -c %Y VERSION)
endif
export SOURCE_DATE_EPOCH

.PHONY: man install dist deb rpm

man: $(MAN_PAGE)

$(MAN_PAGE): man/cvmprep.8.in man/mkman.sh VERSION $(BUILD)/cvmprep
	@mkdir -p $(dir $@)
	@echo "  MAN     $@"
	@sh man/mkman.sh man/cvmprep.8.in $(BUILD)/cvmprep $(VERSION) >$@.tmp
	@mv $@.tmp $@

# An existing configuration file is the user's: it is kept, never overwritten. The journal
# directory keeps copies of the files fix changed (/etc/shadow among them): root only.
install: $(BUILD)/cvmprep $(MAN_PAGE)
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSCONFDIR)/cvmprep
	$(INSTALL) -m 0755 $(BUILD)/cvmprep $(DESTDIR)$(SBINDIR)/cvmprep
	$(INSTALL) -m 0644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man8/cvmprep.8
	$(INSTALL) -m 0644 completion/cvmprep.bash $(DESTDIR)$(BASHCOMPDIR)/cvmprep
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/cvmprep/cvmprep.conf ]; then \
		echo "keeping the existing $(DESTDIR)$(SYSCONFDIR)/cvmprep/cvmprep.conf"; \
	else \
		echo "$(INSTALL) -m 0644 packaging/cvmprep.conf $(DESTDIR)$(SYSCONFDIR)/cvmprep/cvmprep.conf"; \
		$(INSTALL) -m 0644 packaging/cvmprep.conf $(DESTDIR)$(SYSCONFDIR)/cvmprep/cvmprep.conf; \
	fi
	$(INSTALL) -d -m 0700 $(DESTDIR)$(LOCALSTATEDIR)/lib/cvmprep

# The tarball holds exactly the files git tracks (in an unpacked tarball, which is not the top of a
# git work tree: its own files but the build directory), with
# their contents in the work tree, owned by root and dated SOURCE_DATE_EPOCH, so that one tree
# always gives the same bytes.
dist:
	@mkdir -p $(PKGDIR)
	@echo "  DIST    $(DIST_TARBALL)"
	@set -e; list=$(PKGDIR)/.dist-files; \
	if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then \
		git ls-files -z | xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\n" "$$f"; done' sh >$$list; \
	else \
		find . -path ./$(BUILD) -prune -o -path ./debian -prune -o \( -type f -o -type l \) -print | \
			sed 's|^\./||' >$$list; \
	fi; \
	LC_ALL=C sort -o $$list $$list; \
	tar --create --file=- --no-recursion --files-from=$$list --transform='s|^|$(DIST_NAME)/|SH' \
		--sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
		--mode='u+rw,go+r,go-w' | gzip -n -9 >$(DIST_TARBALL).tmp; \
	mv $(DIST_TARBALL).tmp $(DIST_TARBALL); rm -f $$list

# The package builds run in their own copy with its own build directory: nothing of this make
# (BUILD, MAKEFLAGS with command-line variables) may reach them, or their `make clean` would
# remove this tree's build directory.
PKG_ENV := env -u BUILD -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES

# dpkg-buildpackage on an unpacked copy of the tarball, with packaging/debian as its debian/
# and a changelog made from VERSION and the maintainer of debian/control.
DEB_WORK := $(PKGDIR)/deb
deb: dist
	rm -rf $(DEB_WORK)
	mkdir -p $(DEB_WORK)
	tar -xzf $(DIST_TARBALL) -C $(DEB_WORK)
	cp -R packaging/debian $(DEB_WORK)/$(DIST_NAME)/debian
	sh packaging/debian-changelog.sh $(VERSION) $(SOURCE_DATE_EPOCH) packaging/debian/control \
		>$(DEB_WORK)/$(DIST_NAME)/debian/changelog
	cd $(DEB_WORK)/$(DIST_NAME) && $(PKG_ENV) dpkg-buildpackage -us -uc -b
	cp $(DEB_WORK)/cvmprep*_$(VERSION)_*.deb $(DEB_WORK)/cvmprep_$(VERSION)_*.changes \
		$(DEB_WORK)/cvmprep_$(VERSION)_*.buildinfo $(PKGDIR)/
	@ls -1 $(PKGDIR)/cvmprep_$(VERSION)_*.deb

# rpmbuild from the tarball with a private _topdir and temporary directory. On a Debian host
# no rpm database knows the BuildRequires (they are RHEL/Fedora/SUSE names), hence --nodeps,
# and a macro works around Debian's rpm (packaging/rpm-on-debian.macros).
RPM_TOP := $(abspath $(PKGDIR)/rpm)
RPMBUILD_FLAGS ?= $(if $(wildcard /etc/debian_version),--nodeps --load packaging/rpm-on-debian.macros)
rpm: dist
	rm -rf $(RPM_TOP)
	mkdir -p $(RPM_TOP)/SOURCES $(RPM_TOP)/SPECS $(RPM_TOP)/tmp
	cp $(DIST_TARBALL) $(RPM_TOP)/SOURCES/
	sed -e 's/@VERSION@/$(VERSION)/g' -e "s/@DATE@/$$(LC_ALL=C date -u -d @$(SOURCE_DATE_EPOCH) '+%a %b %d %Y')/g" \
		packaging/cvmprep.spec.in >$(RPM_TOP)/SPECS/cvmprep.spec
	$(PKG_ENV) rpmbuild -bb $(RPMBUILD_FLAGS) --define '_topdir $(RPM_TOP)' --define '_tmppath $(RPM_TOP)/tmp' \
		--define 'source_date_epoch_from_changelog 0' $(RPM_TOP)/SPECS/cvmprep.spec
	cp $(RPM_TOP)/RPMS/*/cvmprep-$(VERSION)-*.rpm $(PKGDIR)/
	cp $(RPM_TOP)/SPECS/cvmprep.spec $(PKGDIR)/
	@ls -1 $(PKGDIR)/cvmprep-$(VERSION)-*.rpm
