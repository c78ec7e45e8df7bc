# SPDX-License-Identifier: GPL-2.0
# Debootstrapped roots for the packaging scripts (deb.sh, pkgtest.sh), kept
# apart from the matrix's build roots: $IOPGT_CACHE/pkg/base-SUITE is a
# minbase debootstrap made once (apt as configured by Debian: recommends
# are installed, as on a user's machine); every root is a fresh copy of it.
# Source after lib.sh.
# shellcheck shell=bash

# IOPGT_PKG_CACHE: elsewhere (e.g. to time a cold run).
PKG_CACHE=${IOPGT_PKG_CACHE:-$IOPGT_CACHE/pkg}

# pkg_base SUITE: make $PKG_CACHE/base-SUITE if it is missing (locked).
pkg_base() {
	local suite=$1 base=$PKG_CACHE/base-$1
	mkdir -p "$PKG_CACHE"
	# shellcheck disable=SC2016
	with_lock "pkg-base-$suite" bash -c '
		base=$1 suite=$2 uri=$3
		[ -d "$base" ] && exit 0
		rm -rf "$base.tmp"
		debootstrap --variant=minbase "$suite" "$base.tmp" "$uri" >"$base.log" 2>&1 ||
			{ tail -n 20 "$base.log" >&2; echo "iopgt: error: debootstrap $suite failed (log $base.log)" >&2; exit 1; }
		mv "$base.tmp" "$base"' sh "$base" "$suite" "$(archive_uri)"
}

# pkg_fresh_root SUITE DIR: DIR becomes a fresh copy of the base root.
pkg_fresh_root() {
	pkg_base "$1"
	pkg_umount "$2"
	if awk -v d="$2/" 'index($2 "/", d) == 1 { f = 1 } END { exit !f }' /proc/mounts; then
		die "something is still mounted under $2; not deleting it"
	fi
	rm -rf "$2"
	cp -a "$PKG_CACHE/base-$1" "$2"
}

# pkg_mount DIR: /proc, /sys and /dev/pts for apt, dkms and udevadm.
pkg_mount() {
	local d=$1
	mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
	mountpoint -q "$d/sys" || mount -t sysfs sysfs "$d/sys"
	mkdir -p "$d/dev/pts"
	mountpoint -q "$d/dev/pts" || mount -t devpts devpts "$d/dev/pts"
}

pkg_umount() {
	local d=$1 m
	for m in var/cache/apt/archives dev/pts sys proc; do
		if mountpoint -q "$d/$m" 2>/dev/null; then
			umount "$d/$m" || umount -l "$d/$m"
		fi
	done
}

# pkg_in_root DIR CMD...: run CMD in DIR like a root shell there.
pkg_in_root() {
	local d=$1
	shift
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		chroot "$d" "$@"
}
