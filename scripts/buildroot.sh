#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create (or reuse) the build root of one suite: a minbase debootstrap with
# the kernel's own gcc major version, its aarch64 cross compiler,
# linux-kbuild, dkms, kmod, make, and the suite's linux headers for amd64 and
# arm64 unpacked. The userspace suite's root also gets libmnl for both arches.
#
#   buildroot.sh SUITE
#
# The root is ready when $IOPGT_CACHE/roots/SUITE.ready holds the current
# kernel ABI; otherwise it is rebuilt from nothing. A lock serialises
# concurrent invocations.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

suite=${1:-}
[ -n "$suite" ] || die "usage: $0 SUITE"
here=$(dirname "$0")
root=$(root_dir "$suite")
stamp=$root.ready

# in_root CMD...: run CMD in the root with /proc mounted.
in_root() {
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		chroot "$root" "$@"
}

umount_proc() {
	if mountpoint -q "$root/proc" 2>/dev/null; then
		umount "$root/proc" || umount -l "$root/proc"
	fi
}

# Value of a Depends entry matching REGEX in a .deb.
deb_depends() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -E "$2" | head -n1
}

build() {
	local abi=$1 debs hdr cc_major kbuild pkgs log
	debs=$("$here/archive.sh" debs-dir "$suite")
	hdr=$(echo "$debs"/linux-headers-"$abi"-amd64_*_amd64.deb)
	[ -f "$hdr" ] || die "$suite: headers .deb missing in $debs (run archive.sh fetch)"
	cc_major=$(dpkg-deb --fsys-tarfile "$hdr" |
		tar -xO "./usr/src/linux-headers-$abi-amd64/.config" |
		sed -n 's/^CONFIG_CC_VERSION_TEXT=".*gcc-\{0,1\}[^ ]* ([^)]*) \([0-9]*\)\..*/\1/p')
	[ -n "$cc_major" ] || die "$suite: cannot read the gcc version from CONFIG_CC_VERSION_TEXT in $hdr"
	kbuild=$(deb_depends "$hdr" '^linux-kbuild-')
	[ -n "$kbuild" ] || die "$suite: $hdr does not depend on a linux-kbuild package"
	log "$suite: building root for $abi (gcc-$cc_major, $kbuild)"

	umount_proc
	rm -rf "$root" "$stamp"
	mkdir -p "$root"
	log=$root.log
	debootstrap --variant=minbase "$suite" "$root" "$(archive_uri)" >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "$suite: debootstrap failed (log $log)"; }
	printf 'APT::Install-Recommends "false";\nAcquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/90iopgt"
	mount -t proc proc "$root/proc"
	pkgs=(make "gcc-$cc_major" "gcc-$cc_major-aarch64-linux-gnu" "$kbuild" dkms kmod xz-utils)
	if [ "$suite" = "$IOPGT_USER_SUITE" ]; then
		in_root dpkg --add-architecture arm64
		pkgs+=(libc6-dev libmnl-dev libmnl-dev:arm64 libc6-dev:arm64 pkgconf)
	fi
	{ in_root apt-get -q update && in_root apt-get -q -y install "${pkgs[@]}"; } >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; die "$suite: installing ${pkgs[*]} in the root failed (log $log)"; }
	in_root apt-get clean >>"$log" 2>&1
	local d
	for d in "$debs"/linux-headers-"$abi"-*.deb; do
		dpkg-deb --fsys-tarfile "$d" | tar -x -C "$root" --keep-directory-symlink
	done
	ln -sf "gcc-$cc_major" "$root/usr/bin/gcc"
	ln -sf "aarch64-linux-gnu-gcc-$cc_major" "$root/usr/bin/aarch64-linux-gnu-gcc"
	echo "$cc_major" >"$root/.iopgt-gcc"
	umount_proc
	echo "$abi" >"$stamp"
	log "$suite: root ready"
}

locked() {
	local abi
	abi=$("$here/archive.sh" kabi "$suite")
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$abi" ] && [ -d "$root/usr/src/linux-headers-$abi-common" ]; then
		return 0
	fi
	"$here/archive.sh" fetch "$suite" "${IOPGT_ARCHES[@]}"
	trap umount_proc EXIT
	build "$abi"
}

if [ "${2:-}" = _locked ]; then
	locked
else
	with_lock "root-$suite" "$0" "$suite" _locked
fi
