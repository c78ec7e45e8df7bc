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
#   deb.sh matrix DIR        the packages the kernel matrix tests, built in
#                            the userspace suite's root (its glibc is the
#                            VM's) without the host tests (make test runs
#                            them) and without lintian (make deb): in DIR,
#                            as each is ready (DIR/<part>.ready; DIR/failed
#                            with the reason if one fails):
#                              dkms   iopgt-dkms_<version>_all.deb
#                              amd64  iopgt, libiopgt1, libiopgt-dev amd64
#                              arm64  the same cross-built for arm64
#                              prev   DIR/prev/: <version>~prev iopgt-dkms
#                                     and iopgt amd64 (the upgrade test)
#                            Cached under $IOPGT_CACHE/pkg/matrix/<hash of
#                            the staged tree>: a warm run copies them.
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

# The matrix's package root cross-builds for arm64 too (no lintian, udev
# there: make deb checks).
CROSS_DEPS=(gcc-aarch64-linux-gnu libc6-dev:arm64 libmnl-dev:arm64 libmnl0:arm64)

# The build root: a fresh copy of the base with the build dependencies
# (and CROSS_DEPS with a third argument "cross"), remade when the list
# changes.
ensure_build_root() {
	local suite=$1 root=$2 want deps=("${BUILD_DEPS[@]}") d
	if [ "${3:-}" = cross ]; then
		deps=()
		for d in "${BUILD_DEPS[@]}"; do
			case $d in lintian | udev) ;; *) deps+=("$d") ;; esac
		done
		deps+=("${CROSS_DEPS[@]}")
	fi
	want="${deps[*]}"
	if [ -f "$root.ready" ] && [ "$(cat "$root.ready")" = "$want" ]; then
		return 0
	fi
	log "deb: making the $suite build root (${deps[*]})"
	rm -f "$root.ready"
	pkg_fresh_root "$suite" "$root"
	pkg_mount "$root"
	[ "${3:-}" = cross ] && pkg_in_root "$root" dpkg --add-architecture arm64
	{ pkg_in_root "$root" apt-get -q update &&
		pkg_in_root "$root" apt-get -q -y --no-install-recommends install "${deps[@]}" &&
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

# matrix DIR: see the top.
matrix() {
	local out=$1 suite=$IOPGT_USER_SUITE ver prev key cache t0 part
	# root: global, for the EXIT trap
	out=$(mkdir -p "$out" && cd "$out" && pwd)
	ver=$(iopgt_version)
	[ -n "$ver" ] || { echo "cannot read PACKAGE_VERSION from dkms.conf" >"$out/failed"; return 1; }
	prev=$ver~prev
	root=$PKG_CACHE/mbuild-$suite
	t0=$(date +%s)
	# the key: the staged tree without its dated changelog, the suite and
	# the build dependencies
	mkdir -p "$PKG_CACHE"
	stage "$PKG_CACHE/mstage/iopgt-$ver" "$ver"
	key=$({ echo "$suite ${BUILD_DEPS[*]} ${CROSS_DEPS[*]} m1"
		cd "$PKG_CACHE/mstage/iopgt-$ver" && find . -type f ! -path ./debian/changelog -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum; } | sha256sum | cut -c1-16)
	cache=$PKG_CACHE/matrix/$key
	if [ -f "$cache/done" ]; then
		log "deb: the matrix's packages of this tree are cached ($cache)"
		rm -rf "$PKG_CACHE/mstage"
		cp -a "$cache/." "$out/"
		rm -f "$out/done"
		touch "$cache/done"
		for part in dkms amd64 arm64 prev; do touch "$out/$part.ready"; done
		return 0
	fi
	ensure_build_root "$suite" "$root" cross ||
		{ echo "the $suite package build root failed" >"$out/failed"; return 1; }
	trap 'pkg_umount "$root"' EXIT
	rm -rf "$root/build"
	mkdir -p "$root/build"
	mv "$PKG_CACHE/mstage/iopgt-$ver" "$root/build/"
	pkg_mount "$root"
	# mb NAME DIR ARGS...: dpkg-buildpackage ARGS in the root's DIR (the
	# arm64 one finds arm64's libmnl.pc)
	mb() {
		local name=$1 dir=$2 penv=()
		shift 2
		[ "$name" = arm64 ] && penv=(PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
		log "deb: dpkg-buildpackage $* ($name, $suite root)"
		pkg_in_root "$root" env DEB_BUILD_OPTIONS="nocheck noautodbgsym" "${penv[@]}" \
			sh -c "cd $dir && dpkg-buildpackage -us -uc $*" >"$root/build/$name.log" 2>&1 && return 0
		tail -n 30 "$root/build/$name.log" >&2
		cp "$root/build/$name.log" "$out/$name.log"
		echo "dpkg-buildpackage $* ($name) failed in the $suite package root (log $out/$name.log)" >"$out/failed"
		return 1
	}
	mb dkms "/build/iopgt-$ver" -A -d || return 1
	cp "$root/build/iopgt-dkms_${ver}_all.deb" "$out/"
	touch "$out/dkms.ready"
	mb amd64 "/build/iopgt-$ver" -B -d || return 1
	cp "$root/build/"*_"${ver}"_amd64.deb "$out/"
	touch "$out/amd64.ready"
	mb arm64 "/build/iopgt-$ver" -B -d -aarm64 || return 1
	cp "$root/build/"*_"${ver}"_arm64.deb "$out/"
	touch "$out/arm64.ready"
	stage "$root/build/iopgt-$prev" "$prev"
	mb prev "/build/iopgt-$prev" -b -d || return 1
	mkdir -p "$out/prev"
	cp "$root/build/iopgt-dkms_${prev}_all.deb" "$root/build/iopgt_${prev}_amd64.deb" "$out/prev/"
	touch "$out/prev.ready"
	pkg_umount "$root"
	trap - EXIT
	mkdir -p "$cache.tmp"
	cp -a "$out"/*.deb "$out/prev" "$cache.tmp/"
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
	touch "$cache/done"
	# keep the 6 most recently used trees
	find "$PKG_CACHE/matrix" -mindepth 1 -maxdepth 1 -type d ! -name '*.tmp' -printf '%T@ %p\n' |
		sort -rn | tail -n +7 | cut -d' ' -f2- | xargs -r rm -rf
	log "deb: the matrix's packages built in $(($(date +%s) - t0))s"
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
matrix)
	[ $# -eq 1 ] || die "usage: $0 matrix DIR"
	[ "$(id -u)" -eq 0 ] || die "deb.sh needs root (debootstrap, chroot)"
	ensure_host_tools debootstrap:debootstrap flock:util-linux
	with_lock "pkg-build-matrix" "$0" _matrix "$@" || {
		mkdir -p "$1"
		[ -f "$1/failed" ] || echo "deb.sh matrix failed (output above)" >"$1/failed"
		exit 1
	}
	;;
_matrix) matrix "$@" ;;
*) die "usage: $0 build [SUITE] | matrix DIR" ;;
esac
