#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages (iopgt-dkms, iopgt, libiopgt1, libiopgt-dev and
# the native source package) from the current tree with the packaging files
# of scripts/debian, in a debootstrapped SUITE root of its own (not the
# matrix's build roots), then check them with lintian and the udev rule with
# `udevadm verify`.
#
#   deb.sh build [SUITE]     (default trixie) -> $DEB_OUT (default $OUT/deb):
#                            *.deb, *.dsc, *.tar.xz, *.changes, lintian.txt
#
# DEB_VERSION=V builds the same tree as version V (dkms.conf's
# PACKAGE_VERSION is rewritten in the staged copy), e.g. 0.1.0~prev for an
# upgrade test. Needs root and debootstrap.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/pkgroot.sh
. "$(dirname "$0")/pkgroot.sh"

BUILD_DEPS=(build-essential debhelper dh-dkms libmnl-dev pkgconf man-db lintian udev)

# The build root: a fresh copy of the base with the build dependencies,
# remade when the list changes.
ensure_build_root() {
	local suite=$1 root=$2 want
	want="${BUILD_DEPS[*]}"
	if [ -f "$root.ready" ] && [ "$(cat "$root.ready")" = "$want" ]; then
		return 0
	fi
	log "deb: making the $suite build root (${BUILD_DEPS[*]})"
	rm -f "$root.ready"
	pkg_fresh_root "$suite" "$root"
	pkg_mount "$root"
	{ pkg_in_root "$root" apt-get -q update &&
		pkg_in_root "$root" apt-get -q -y --no-install-recommends install "${BUILD_DEPS[@]}" &&
		pkg_in_root "$root" apt-get clean; } >"$root.log" 2>&1 ||
		{ tail -n 20 "$root.log" >&2; die "deb: installing the build dependencies in $root failed (log $root.log)"; }
	echo "$want" >"$root.ready"
}

# stage DIR VERSION: the source tree of the package in DIR.
stage() {
	local dir=$1 ver=$2 e
	rm -rf "$dir"
	mkdir -p "$dir"
	for e in dkms.conf Makefile LICENSE README.md module uapi userspace; do
		cp -a "$IOPGT_REPO/$e" "$dir/"
	done
	rm -rf "$dir/userspace/build" "$dir/module/.conftest"
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '*.ko.*' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name iopgt_compat.h -o -name Module.symvers -o -name modules.order \
		-o -name .deps-ok \) -delete
	cp -a "$IOPGT_REPO/scripts/debian" "$dir/debian"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$ver\"/" "$dir/dkms.conf"
	{
		echo "iopgt ($ver) unstable; urgency=medium"
		echo
		echo "  * Version $ver, packaged from the iopgt repository (scripts/debian)."
		echo
		echo " -- $(sed -n 's/^Maintainer: //p' "$dir/debian/control")  $(LC_ALL=C date -R)"
	} >"$dir/debian/changelog"
}

build() {
	local suite=${1:-trixie} ver root out b
	ver=${DEB_VERSION:-$(iopgt_version)}
	[ -n "$ver" ] || die "cannot read PACKAGE_VERSION from $IOPGT_REPO/dkms.conf"
	out=${DEB_OUT:-$OUT/deb}
	root=$PKG_CACHE/build-$suite
	ensure_build_root "$suite" "$root"
	trap 'pkg_umount "$root"' EXIT
	pkg_mount "$root"
	b=/build/iopgt-$ver
	rm -rf "$root/build"
	stage "$root$b" "$ver"
	log "deb: dpkg-buildpackage iopgt $ver in the $suite root"
	pkg_in_root "$root" sh -c "cd $b && dpkg-buildpackage -us -uc" >"$root/build/build.log" 2>&1 ||
		{ tail -n 40 "$root/build/build.log" >&2; die "deb: dpkg-buildpackage failed (log $root/build/build.log)"; }
	log "deb: lintian"
	pkg_in_root "$root" sh -c "cd /build && lintian --display-info --pedantic --fail-on error iopgt_${ver}_*.changes >lintian.raw 2>&1; rc=\$?; grep -v 'running with root privileges' lintian.raw; exit \$rc" \
		>"$root/build/lintian.txt" || { cat "$root/build/lintian.txt" >&2; die "deb: lintian reported errors"; }
	log "deb: udevadm verify 60-iopgt.rules and its group example"
	sed -n "s/^#.*printf '%s\\\\n' '\\(KERNEL==.*\\)' .*/\\1/p" "$root$b/userspace/udev/60-iopgt.rules" \
		>"$root/build/61-iopgt-group-example.rules"
	[ -s "$root/build/61-iopgt-group-example.rules" ] || die "deb: no group example in 60-iopgt.rules"
	if pkg_in_root "$root" udevadm verify --help >/dev/null 2>&1; then
		pkg_in_root "$root" udevadm verify --resolve-names=never "$b/userspace/udev/60-iopgt.rules" \
			/build/61-iopgt-group-example.rules \
			>"$root/build/udevadm.txt" 2>&1 || { cat "$root/build/udevadm.txt" >&2; die "deb: udevadm verify failed"; }
	else
		echo "not checked: the udevadm of $suite has no verify (systemd < 255); build in trixie for it" \
			>"$root/build/udevadm.txt"
	fi
	pkg_umount "$root"
	trap - EXIT
	mkdir -p "$out"
	rm -f "$out"/iopgt* "$out"/libiopgt* "$out/lintian.txt" "$out/udevadm.txt"
	cp "$root"/build/*.deb "$root"/build/*.dsc "$root"/build/*.tar.* "$root"/build/*.changes \
		"$root"/build/*.buildinfo "$root/build/lintian.txt" "$root/build/udevadm.txt" "$root/build/build.log" "$out/"
	log "deb: packages in $out:"
	(cd "$out" && ls -1 ./*.deb) >&2
	echo "== lintian (errors, warnings, info, pedantic) ==" >&2
	cat "$out/lintian.txt" >&2
	echo "== udevadm verify ==" >&2
	cat "$out/udevadm.txt" >&2
}

cmd=${1:-}
shift || true
case $cmd in
build)
	[ "$(id -u)" -eq 0 ] || die "deb.sh needs root (debootstrap, chroot)"
	ensure_host_tools debootstrap:debootstrap flock:util-linux
	with_lock "pkg-build-${1:-trixie}" "$0" _build "$@"
	;;
_build) build "$@" ;;
*) die "usage: $0 build [SUITE]" ;;
esac
