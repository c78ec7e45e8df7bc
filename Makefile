# SPDX-License-Identifier: GPL-2.0
# iopgt top-level commands. The kernel matrix lives in scripts/ (see README).
#
# For users (the running kernel; KDIR=<kernel build dir> for another one):
#   make                                             iopgt.ko + CLI + libiopgt
#   sudo make install [PREFIX=/usr/local] [DESTDIR=] module (modules_install,
#                                                    depmod) + userspace
#   sudo make uninstall
#   sudo make dkms-install / dkms-remove             DKMS tree /usr/src/iopgt-<version>
#   make deb [DEB_SUITE=trixie]                      Debian packages in build/deb/
#
# For developers:
#   make test [TARGETS="sid-arm64 trixie-amd64"]   host unit tests + VM matrix
#                                                   (default: the 11 default targets)
#   make test-next                                  the opt-in targets (experimental)
#   make test-debug                                 the sanitizer-kernel targets alone
#   make demo [DEMO_TARGET=sid-arm64]               CLI session in a VM
#   make vm-shell TARGET=sid-arm64                   interactive VM shell
#   make vm-run TARGET=sid-arm64 RUN=script.sh [FILES="a b"]
#   make soak [SOAK_SECONDS=3600] [TARGETS=...]      the matrix with a long fuzz run
#   make bench [TARGETS=...]                         benchmarks at 1M leaves in every
#                                                    format (tests/bench-1m.sh; not CI)
#   make bench-ab OLD=<rev> [TARGETS=...]            batched map/unmap of the module of
#                                                    git revision OLD vs this tree's, one VM
#                                                    (scripts/bench-ab.sh; not CI)
#   make targets                                     list valid target names
#   make debug-kernels                               build the sanitizer kernels
#                                                    (scripts/debugkernel.sh; cached)
#   make mutants [MUTANTS="id|arm64|amd64 ..."]      mutants of io-pgtable/generic_pt
#                [MUTANTS_ALL_PROGS=1]                in the debug kernels vs the suite
#                                                    and KUnit (scripts/mutants.sh; not CI)
#
# Your own kernel (README "For kernel developers"): KERNEL=<Image|bzImage>
# KDIR=<its build tree> [KARCH=arm64|amd64] on test (alone: only that
# kernel, target custom-<arch>; with TARGETS: one more row), vm-run,
# vm-shell and demo (TARGET/DEMO_TARGET default to it).

TARGETS ?=
OLD ?=
DEMO_TARGET ?= sid-arm64
TARGET ?=
RUN ?=
FILES ?=
SOAK_SECONDS ?= 3600
KERNEL ?=
KARCH ?=
# The environment of scripts/matrix.sh for KERNEL= (KDIR only when given:
# it defaults to the running kernel's tree for the module build).
OWN_ENV = $(if $(KERNEL),IOPGT_KERNEL=$(abspath $(KERNEL)) IOPGT_KDIR=$(if $(filter command line environment,$(origin KDIR)),$(abspath $(KDIR))) IOPGT_KARCH=$(KARCH))
OWN_TARGET = $(if $(KERNEL),custom)

# The version: dkms.conf's PACKAGE_VERSION is the single source.
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$$/\1/p' dkms.conf)
KVER    ?= $(shell uname -r)
KDIR    ?= /lib/modules/$(KVER)/build
DKMS_SRC = /usr/src/iopgt-$(VERSION)
DEB_SUITE ?= trixie

.PHONY: all module userspace install uninstall dkms-install dkms-remove deb \
	check-kdir test test-next test-debug soak bench bench-ab demo vm-shell vm-run targets shellcheck clean \
	debug-kernels mutants

# userspace first: its missing dependencies are found before the module build
all: userspace module

# One line naming the Debian package when the kernel's build tree is missing.
check-kdir:
	@test -f "$(KDIR)/Makefile" || { echo "iopgt: no kernel build tree at $(KDIR): install the headers of kernel $(KVER) (Debian: apt install linux-headers-$(KVER)) or set KDIR=<kernel build dir>" >&2; exit 1; }
	@command -v "$${CC:-gcc}" >/dev/null 2>&1 || { echo "iopgt: no C compiler ($${CC:-gcc}): install it (Debian: apt install build-essential)" >&2; exit 1; }

module: check-kdir
	$(MAKE) -C module KDIR=$(KDIR)

userspace:
	$(MAKE) -C userspace

# The kernel release KDIR was built for (KDIR may be another kernel's tree).
KREL = $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null || echo $(KVER))

# Not signed with the kernel's key (distributions do not ship it); for
# Secure Boot use dkms-install, which signs with the machine's MOK.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= modules_install
	$(if $(DESTDIR),depmod -b $(DESTDIR) -a $(KREL),depmod -a $(KREL))
	$(MAKE) -C userspace install

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KREL)/updates/iopgt.ko*
	$(if $(DESTDIR),,depmod -a $(KREL))
	$(MAKE) -C userspace uninstall

# The module source under /usr/src/iopgt-<version>, registered with DKMS,
# built and installed for the running kernel (KVER=... for another).
dkms-install: check-kdir
	@command -v dkms >/dev/null 2>&1 || { echo "iopgt: dkms not found: install it (Debian: apt install dkms)" >&2; exit 1; }
	@if dkms status -m iopgt -v $(VERSION) | grep -q .; then dkms remove -m iopgt -v $(VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r dkms.conf module uapi $(DKMS_SRC)/
	cd $(DKMS_SRC) && rm -rf module/.conftest module/iopgt_compat.h && find module \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' -o -name Module.symvers -o -name modules.order \) -delete
	dkms add -m iopgt -v $(VERSION)
	dkms install -m iopgt -v $(VERSION) -k $(KVER)

dkms-remove:
	-dkms remove -m iopgt -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# Debian packages (iopgt-dkms, iopgt, libiopgt1, libiopgt-dev) built and
# checked with lintian in a debootstrapped DEB_SUITE root; see scripts/deb.sh.
deb:
	scripts/deb.sh build $(DEB_SUITE)

test:
	$(OWN_ENV) scripts/matrix.sh test $(TARGETS)

# The next kernel's release candidates (opt-in: they may break for reasons
# outside this project).
test-next:
	scripts/matrix.sh test $$(scripts/targets.sh --next)

# The sanitizer kernels (KASAN, lockdep, kmemleak; built from Debian's
# linux-source by scripts/debugkernel.sh, cached) alone; `make test` runs them
# with the others.
test-debug:
	scripts/matrix.sh test $$(scripts/targets.sh --debug)

# The whole suite with the fuzzer running SOAK_SECONDS per kernel; the
# per-test, per-program and per-VM time limits grow to match.
soak:
	IOPGT_FUZZ_SECONDS=$(SOAK_SECONDS) \
	IOPGT_TEST_TIMEOUT_SCALE=$$(( $(SOAK_SECONDS) / 500 + 1 )) \
	IOPGT_TEST_TIMEOUT=$$(( $(SOAK_SECONDS) + 600 )) \
	IOPGT_VM_TIMEOUT=$$(( $(SOAK_SECONDS) + 2400 )) \
	scripts/matrix.sh test $(TARGETS)

# One VM per target, one after the other; the script sets the 1M sizes.
bench:
	@rc=0; for t in $(or $(TARGETS),$$(scripts/targets.sh)); do \
		IOPGT_VM_TIMEOUT=$${IOPGT_VM_TIMEOUT:-3600} \
		scripts/matrix.sh run $$t tests/bench-1m.sh || rc=1; \
	done; exit $$rc

bench-ab:
	@test -n "$(OLD)" || { echo "usage: make bench-ab OLD=<git revision> [TARGETS=...]" >&2; exit 2; }
	scripts/bench-ab.sh $(OLD) $(TARGETS)

demo:
	$(OWN_ENV) scripts/matrix.sh run $(or $(OWN_TARGET),$(DEMO_TARGET)) scripts/demo.sh

vm-shell:
	@test -n "$(or $(TARGET),$(OWN_TARGET))" || { echo "usage: make vm-shell TARGET=<target> (or KERNEL=... KDIR=...); targets:" >&2; scripts/targets.sh >&2; exit 2; }
	$(OWN_ENV) scripts/matrix.sh shell $(or $(TARGET),$(OWN_TARGET))

vm-run:
	@test -n "$(or $(TARGET),$(OWN_TARGET))" && test -n "$(RUN)" || { echo "usage: make vm-run TARGET=<target> (or KERNEL=... KDIR=...) RUN=<script> [FILES=...]; targets:" >&2; scripts/targets.sh >&2; exit 2; }
	$(OWN_ENV) scripts/matrix.sh run $(or $(TARGET),$(OWN_TARGET)) $(RUN) $(FILES)

debug-kernels:
	scripts/debugkernel.sh build arm64
	scripts/debugkernel.sh build amd64

# Mutants of the kernel's page-table code, each built into a copy of the
# cached debug kernel and run against the suite and the kernel's own tests
# (README "Mutants"; hours of CPU, not part of make test).
MUTANTS ?=
mutants:
	scripts/mutants.sh $(if $(MUTANTS_ALL_PROGS),--all-progs) $(MUTANTS)

targets:
	@scripts/targets.sh

shellcheck:
	shellcheck -x scripts/*.sh .ci/run

clean:
	rm -rf build
	-$(MAKE) -C userspace clean
	rm -rf module/*.o module/.*.cmd module/*.ko module/*.mod module/*.mod.c \
	       module/modules.order module/Module.symvers module/iopgt_compat.h module/.conftest
