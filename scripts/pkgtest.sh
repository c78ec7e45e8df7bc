#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install test of the Debian packages on clean Debian roots, as a user of
# that release would do it: a fresh minbase debootstrap of SUITE (not a
# build root) with the suite's stock kernel headers (linux-headers-<arch>),
# then
#   1. apt install ./iopgt-dkms_*.deb ./iopgt_*.deb: the postinst builds the
#      module through DKMS, `dkms status` says installed, modinfo and
#      `iopgt --version` report the version;
#   2. apt purge: the module, the DKMS tree and /usr/src/iopgt-* are gone;
#   3. upgrade: install the <version>~prev packages (built from the same
#      tree), then this version's: DKMS replaces the module; purge again.
#
#   pkgtest.sh [SUITE...]      (default: bookworm trixie)
#   pkgtest.sh source [SUITE]  (default trixie) the source tree as a user
#        builds it in such a root: `make` without pkgconf/libmnl-dev (the
#        message names the package), `make`, `make install`, `make
#        uninstall`, `make dkms-install` (without and with dkms),
#        `make dkms-remove`; KVER= stands for the running kernel, which in
#        a chroot is the host's
#
# The packages are $OUT/deb (made by `make deb` if missing) and
# $OUT/deb-prev (made here if missing), or PKGTEST_DEBS and
# PKGTEST_PREVDEBS (`make test`: deb.sh matrix's). Output: TAP (a check is
# "ok N - ..." or "not ok N - ...", a plan per suite) among the commands
# with their output on stdout, also in $OUT/pkgtest/SUITE.log (or
# PKGTEST_LOGDIR). Each suite's root is locked while in use. Needs root and
# debootstrap.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/pkgroot.sh
. "$(dirname "$0")/pkgroot.sh"

here=$(dirname "$0")
arch=$(dpkg --print-architecture)
ver=$(iopgt_version)
prev=$ver~prev
debs=${PKGTEST_DEBS:-$OUT/deb}
prevdebs=${PKGTEST_PREVDEBS:-$OUT/deb-prev}
logdir=${PKGTEST_LOGDIR:-$OUT/pkgtest}
tapn=0

# tap OK DESCRIPTION: the next TAP line.
tap() {
	tapn=$((tapn + 1))
	if [ "$1" = 0 ]; then echo "ok $tapn - $2"; else echo "not ok $tapn - $2"; fi
}

# run CMD...: print "# CMD" and its output; return its status.
run() {
	echo "# $*"
	pkg_in_root "$root" "$@" 2>&1
}

# check DESCRIPTION CMD...: a pass/fail line for a shell condition in the root.
check() {
	local desc=$1
	shift
	if pkg_in_root "$root" sh -c "$*" >/dev/null 2>&1; then
		tap 0 "$desc"
	else
		tap 1 "$desc"
	fi
}

# hcheck DESCRIPTION CMD...: a pass/fail line for a command on the host.
hcheck() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		tap 0 "$desc"
	else
		tap 1 "$desc"
	fi
}

# Nothing of iopgt left: no module file, no DKMS tree, no source tree.
# shellcheck disable=SC2016
check_gone() {
	run sh -c 'find /lib/modules /var/lib/dkms /usr/src -name "*iopgt*" 2>/dev/null; dkms status' || true
	check "$1: no iopgt.ko under /lib/modules" '[ -z "$(find /lib/modules -name "iopgt.ko*")" ]'
	check "$1: no /var/lib/dkms/iopgt" '! [ -e /var/lib/dkms/iopgt ]'
	check "$1: no /usr/src/iopgt-*" '[ -z "$(ls -d /usr/src/iopgt-* 2>/dev/null)" ]'
	check "$1: dkms status does not list iopgt" '! dkms status | grep -q iopgt'
}

# check_installed VERSION: DKMS built and installed VERSION for the stock kernel.
check_installed() {
	local v=$1
	run dkms status || true
	run sh -c "modinfo -F version /lib/modules/$kver/updates/dkms/iopgt.ko*" || true
	run iopgt --version || true
	check "dkms status: iopgt/$v, $kver: installed" \
		"dkms status | grep -F 'iopgt/$v, $kver, ' | grep -q ': installed'"
	check "dkms status lists no other iopgt version" "[ \"\$(dkms status | grep -c '^iopgt')\" = 1 ]"
	check "modinfo -F version of the installed iopgt.ko is $v" \
		"[ \"\$(modinfo -F version /lib/modules/$kver/updates/dkms/iopgt.ko*)\" = '$v' ]"
	check "iopgt --version reports $v" "iopgt --version | grep -qx 'iopgt $v (ABI [0-9]*)'"
	check "bash completion and udev rule installed" \
		"[ -f /usr/share/bash-completion/completions/iopgt ] && [ -f /usr/lib/udev/rules.d/60-iopgt.rules ] || [ -f /lib/udev/rules.d/60-iopgt.rules ]"
	check "/usr/src/iopgt-$v only" "[ \"\$(ls -d /usr/src/iopgt-*)\" = /usr/src/iopgt-$v ]"
}

test_suite() {
	local suite=$1 cache=$PKG_CACHE/archives-$1
	root=$PKG_CACHE/test-$suite
	pkg_fresh_root "$suite" "$root"
	mkdir -p "$cache/partial" "$root/var/cache/apt/archives"
	trap 'umount "$root/var/cache/apt/archives" 2>/dev/null || true; pkg_umount "$root"' EXIT
	mount --bind "$cache" "$root/var/cache/apt/archives"
	pkg_mount "$root"
	echo "=== $suite ($(cat "$root/etc/debian_version")), clean minbase root with linux-headers-$arch"
	pkg_in_root "$root" apt-get -q update >/dev/null
	pkg_in_root "$root" apt-get -q -y install "linux-headers-$arch" >"$root.headers.log" 2>&1 ||
		{ tail -n 20 "$root.headers.log"; die "$suite: installing linux-headers-$arch failed"; }
	kver=$(pkg_in_root "$root" sh -c 'ls /lib/modules' | sort -V | tail -n1)
	echo "stock headers: linux-headers-$kver"
	mkdir -p "$root/tmp/debs" "$root/tmp/prev"
	cp "$debs"/iopgt-dkms_"${ver}"_all.deb "$debs"/iopgt_"${ver}"_"$arch".deb "$root/tmp/debs/"
	cp "$prevdebs"/iopgt-dkms_"${prev}"_all.deb "$prevdebs"/iopgt_"${prev}"_"$arch".deb "$root/tmp/prev/"

	echo "--- 1. install"
	run sh -c 'cd /tmp/debs && apt-get -y install ./iopgt-dkms_*.deb ./iopgt_*.deb' |
		grep -v -e '^Selecting previously' -e '^Preparing to unpack' -e '^Unpacking' -e '^Get:' -e '^Reading' -e '^Building dependency' || true
	check_installed "$ver"

	echo "--- 2. purge"
	run apt-get -y purge iopgt-dkms iopgt | grep -v '^Reading' || true
	check_gone "after purge"

	echo "--- 3. upgrade $prev -> $ver"
	run sh -c 'cd /tmp/prev && apt-get -y install ./iopgt-dkms_*.deb ./iopgt_*.deb' >/dev/null || true
	check_installed "$prev"
	run sh -c 'cd /tmp/debs && apt-get -y install ./iopgt-dkms_*.deb ./iopgt_*.deb' |
		grep -v -e '^Reading' -e '^Building dependency' -e '^Get:' -e '^(Reading database' || true
	check_installed "$ver"
	run apt-get -y purge iopgt-dkms iopgt >/dev/null || true
	check_gone "after the upgrade and purge"
	echo "1..$tapn"

	umount "$root/var/cache/apt/archives"
	pkg_umount "$root"
	trap - EXIT
}

# runas USER CMD: a shell command as USER in the tree (/home/alice/iopgt),
# echoed with its output; its status is for the checks to judge.
runas() {
	echo "$1\$ $2"
	pkg_in_root "$root" runuser -u "$1" -- sh -c "cd /home/alice/iopgt && $2" 2>&1 || true
}

source_suite() {
	local suite=$1 cache=$PKG_CACHE/archives-src-$1 out
	root=$PKG_CACHE/src-$suite
	pkg_fresh_root "$suite" "$root"
	mkdir -p "$cache/partial" "$root/var/cache/apt/archives"
	trap 'umount "$root/var/cache/apt/archives" 2>/dev/null || true; pkg_umount "$root"' EXIT
	mount --bind "$cache" "$root/var/cache/apt/archives"
	pkg_mount "$root"
	echo "=== $suite ($(cat "$root/etc/debian_version")): the source tree, built by a user"
	{ pkg_in_root "$root" apt-get -q update &&
		pkg_in_root "$root" apt-get -q -y install build-essential "linux-headers-$arch"; } >"$root.headers.log" 2>&1 ||
		{ tail -n 20 "$root.headers.log"; die "$suite: installing build-essential linux-headers-$arch failed"; }
	kver=$(pkg_in_root "$root" sh -c 'ls -d /usr/src/linux-headers-*-'"$arch" | sed "s|.*/linux-headers-||" | sort -V | tail -n1)
	pkg_in_root "$root" useradd -m alice
	mkdir -p "$root/home/alice/iopgt"
	git -C "$IOPGT_REPO" ls-files -z --cached --others --exclude-standard |
		(cd "$IOPGT_REPO" && xargs -0 cp --parents -a -t "$root/home/alice/iopgt" 2>/dev/null) || true
	pkg_in_root "$root" chown -R alice:alice /home/alice/iopgt
	echo "kernel headers installed: $kver; uname -r in this chroot: $(uname -r)"

	echo "--- make, missing build dependencies"
	out=$(runas alice "make KVER=$kver")
	grep -v '^make' <<<"$out"
	hcheck "make without pkg-config names pkgconf" grep -qF '(Debian: apt install pkgconf)' <<<"$out"
	pkg_in_root "$root" apt-get -q -y install pkgconf >/dev/null 2>&1
	out=$(runas alice "make KVER=$kver")
	grep -v '^make' <<<"$out"
	hcheck "make without libmnl-dev names libmnl-dev" grep -qF '(Debian: apt install libmnl-dev)' <<<"$out"
	out=$(runas alice "make module")
	grep -v '^make' <<<"$out"
	hcheck "make for the running kernel without its headers names linux-headers-\$(uname -r)" \
		grep -qF "(Debian: apt install linux-headers-$(uname -r))" <<<"$out"

	echo "--- make && sudo make install"
	pkg_in_root "$root" apt-get -q -y install libmnl-dev >/dev/null 2>&1
	runas alice "make KVER=$kver" | tail -n 4
	check "make built module/iopgt.ko and userspace/build/iopgt" \
		"[ -f /home/alice/iopgt/module/iopgt.ko ] && [ -x /home/alice/iopgt/userspace/build/iopgt ]"
	runas root "make install KVER=$kver" | grep -v '^make' | tail -n 25
	run sh -c "modinfo -F version /lib/modules/$kver/updates/iopgt.ko*; /usr/local/bin/iopgt --version; ls /usr/local/lib/libiopgt* /usr/local/include/libiopgt.h /usr/local/include/linux/iopgt.h /usr/local/share/man/man8/iopgt.8" || true
	check "make install: iopgt.ko in /lib/modules/$kver/updates, modinfo version $ver" \
		"[ \"\$(modinfo -F version /lib/modules/$kver/updates/iopgt.ko*)\" = '$ver' ]"
	check "make install: depmod knows iopgt" "grep -q 'updates/iopgt.ko' /lib/modules/$kver/modules.dep"
	check "make install: iopgt --version reports $ver" "/usr/local/bin/iopgt --version | grep -qx 'iopgt $ver (ABI [0-9]*)'"
	check "make install: libiopgt.so.1, headers, pc, man pages" \
		"[ -e /usr/local/lib/libiopgt.so.1 ] && [ -f /usr/local/include/linux/iopgt.h ] && [ -f /usr/local/lib/pkgconfig/libiopgt.pc ] && [ -f /usr/local/share/man/man3/libiopgt.3 ]"
	runas root "make uninstall KVER=$kver" | grep -v '^make' | tail -n 5
	check "make uninstall: module and CLI gone" \
		"[ -z \"\$(find /lib/modules -name 'iopgt.ko*')\" ] && ! [ -e /usr/local/bin/iopgt ] && ! [ -e /usr/local/lib/libiopgt.so.1 ]"

	echo "--- sudo make dkms-install"
	out=$(runas root "make dkms-install KVER=$kver")
	grep -v '^make' <<<"$out"
	hcheck "make dkms-install without dkms names dkms" grep -qF '(Debian: apt install dkms)' <<<"$out"
	pkg_in_root "$root" apt-get -q -y install dkms >/dev/null 2>&1
	runas root "make dkms-install KVER=$kver" | tail -n 12
	run dkms status || true
	check "make dkms-install: dkms status iopgt/$ver, $kver: installed" \
		"dkms status | grep -F 'iopgt/$ver, $kver, ' | grep -q ': installed'"
	check "make dkms-install: /usr/src/iopgt-$ver has no build products" \
		"[ -z \"\$(find /usr/src/iopgt-$ver -name '*.o' -o -name iopgt_compat.h)\" ]"
	runas root "make dkms-remove" | tail -n 4
	check_gone "after make dkms-remove"
	echo "1..$tapn"

	umount "$root/var/cache/apt/archives"
	pkg_umount "$root"
	trap - EXIT
}

[ "$(id -u)" -eq 0 ] || die "pkgtest.sh needs root (debootstrap, chroot)"
ensure_host_tools debootstrap:debootstrap flock:util-linux
if [ "${1:-}" = _locked ]; then
	shift
	"$@"
	exit
fi
if [ "${1:-}" = source ]; then
	mkdir -p "$logdir"
	with_lock "pkgtest-src-${2:-trixie}" "$0" _locked source_suite "${2:-trixie}" 2>&1 | tee "$logdir/source-${2:-trixie}.log"
	npass=$(grep -c '^ok ' "$logdir/source-${2:-trixie}.log" || true)
	nfail=$(grep -c '^not ok ' "$logdir/source-${2:-trixie}.log" || true)
	echo "pkgtest source: $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
	exit
fi
compgen -G "$debs/iopgt-dkms_${ver}_all.deb" >/dev/null || "$here/deb.sh" build
compgen -G "$prevdebs/iopgt-dkms_${prev}_all.deb" >/dev/null ||
	DEB_VERSION=$prev DEB_OUT=$prevdebs "$here/deb.sh" build >/dev/null 2>&1 ||
	die "building the $prev packages failed (DEB_VERSION=$prev DEB_OUT=$prevdebs scripts/deb.sh build)"
mkdir -p "$logdir"
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
logs=()
for s in "${suites[@]}"; do
	with_lock "pkgtest-$s" "$0" _locked test_suite "$s" 2>&1 | tee "$logdir/$s.log"
	logs+=("$logdir/$s.log")
done
npass=$(cat "${logs[@]}" | grep -c '^ok ' || true)
nfail=$(cat "${logs[@]}" | grep -c '^not ok ' || true)
echo "pkgtest: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ] && [ "$npass" -gt 0 ]
