#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create (or reuse) the build root of one suite: a minbase debootstrap with
# the kernel's own gcc major version, its aarch64 cross compiler,
# linux-kbuild, dkms, kmod, make, and the suite's linux headers for amd64 and
# arm64 unpacked. The userspace suite's root also gets libmnl for both arches.
#
#   buildroot.sh SUITE              the base root of SUITE (bookworm, trixie,
#                                   sid)
#   buildroot.sh SUITE KFLAV...     also the headers of SUITE's kernel in
#                                   each flavour (amd64, rt-arm64, arm64-16k)
#                                   in the root of SUITE's base suite (a
#                                   backports or experimental kernel: with
#                                   that suite in the root's apt sources,
#                                   its linux-kbuild and, if it differs, its
#                                   gcc installed)
#
# The root is ready when $IOPGT_CACHE/roots/SUITE.ready holds the current
# kernel ABI; otherwise it is rebuilt from nothing (dropping every added
# kernel too). Each added kernel has a stamp in the root's
# /var/lib/iopgt/headers/. A lock serialises concurrent invocations.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

suite=${1:-}
[ -n "$suite" ] || die "usage: $0 SUITE [KFLAV...]"
shift
ksuite=$suite
suite=$(suite_base "$ksuite")
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
	mkdir -p "$root/var/lib/iopgt/headers"
	for d in "${IOPGT_ARCHES[@]}"; do
		touch "$root/var/lib/iopgt/headers/$abi-$d"
	done
	umount_proc
	echo "$abi" >"$stamp"
	log "$suite: root ready"
}

# add_kernel KFLAV: unpack $ksuite's headers of flavour KFLAV (and the
# common headers it depends on) into the base root; install the kbuild and
# the gcc they name when missing.
add_kernel() {
	local kflav=$1 abi debs hdr arch cc_major kbuild pkgs=() d dep log=$root.log
	abi=$("$here/archive.sh" kabi "$ksuite")
	[ -f "$root/var/lib/iopgt/headers/$abi-$kflav" ] && return 0
	arch=$(kflavour_arch "$kflav")
	"$here/archive.sh" fetch "$ksuite" "$kflav"
	debs=$("$here/archive.sh" debs-dir "$ksuite")
	hdr=$(echo "$debs/linux-headers-$abi-${kflav}_"*"_$arch.deb")
	[ -f "$hdr" ] || die "$ksuite: headers .deb of $abi-$kflav missing in $debs (run archive.sh fetch)"
	cc_major=$(dpkg-deb --fsys-tarfile "$hdr" |
		tar -xO "./usr/src/linux-headers-$abi-$kflav/.config" |
		sed -n 's/^CONFIG_CC_VERSION_TEXT=".*gcc-\{0,1\}[^ ]* ([^)]*) \([0-9]*\)\..*/\1/p')
	[ -n "$cc_major" ] || die "$ksuite: cannot read the gcc version from CONFIG_CC_VERSION_TEXT in $hdr"
	kbuild=$(deb_depends "$hdr" '^linux-kbuild-')
	[ -n "$kbuild" ] || die "$ksuite: $hdr does not depend on a linux-kbuild package"
	log "$ksuite: adding $abi-$kflav to the $suite root (gcc-$cc_major, $kbuild)"
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
	if [ "$ksuite" != "$suite" ] && [ ! -f "$root/etc/apt/sources.list.d/iopgt-$ksuite.list" ]; then
		echo "deb $(archive_uri) $ksuite main" >"$root/etc/apt/sources.list.d/iopgt-$ksuite.list"
		rm -f "$root/var/lib/iopgt/apt-updated"
	fi
	in_root dpkg -s "$kbuild" >/dev/null 2>&1 || pkgs+=("$kbuild")
	in_root dpkg -s "gcc-$cc_major" >/dev/null 2>&1 || pkgs+=("gcc-$cc_major")
	if [ "$arch" = arm64 ]; then
		in_root dpkg -s "gcc-$cc_major-aarch64-linux-gnu" >/dev/null 2>&1 ||
			pkgs+=("gcc-$cc_major-aarch64-linux-gnu")
	fi
	if [ ${#pkgs[@]} -gt 0 ]; then
		if [ ! -f "$root/var/lib/iopgt/apt-updated" ]; then
			in_root apt-get -q update >>"$log" 2>&1 ||
				{ tail -n 30 "$log" >&2; die "$suite: apt-get update in the root failed (log $log)"; }
			mkdir -p "$root/var/lib/iopgt"
			touch "$root/var/lib/iopgt/apt-updated"
		fi
		{ in_root apt-get -q -y install "${pkgs[@]}" && in_root apt-get clean; } >>"$log" 2>&1 ||
			{ tail -n 30 "$log" >&2; die "$suite: installing ${pkgs[*]} in the root failed (log $log)"; }
	fi
	for dep in $(dpkg-deb -f "$hdr" Depends | tr ',' '\n' | sed -n "s/^ *\(linux-headers-$abi-common[^ ]*\).*/\1/p"); do
		d=$(echo "$debs/${dep}_"*_all.deb)
		[ -f "$d" ] || die "$ksuite: $dep missing in $debs (run archive.sh fetch)"
		dpkg-deb --fsys-tarfile "$d" | tar -x -C "$root" --keep-directory-symlink
	done
	dpkg-deb --fsys-tarfile "$hdr" | tar -x -C "$root" --keep-directory-symlink
	umount_proc
	mkdir -p "$root/var/lib/iopgt/headers"
	touch "$root/var/lib/iopgt/headers/$abi-$kflav"
}

locked() {
	local abi kflav
	abi=$("$here/archive.sh" kabi "$suite")
	trap umount_proc EXIT
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$abi" ] || [ ! -d "$root/usr/src/linux-headers-$abi-common" ]; then
		"$here/archive.sh" fetch "$suite" "${IOPGT_ARCHES[@]}"
		build "$abi"
	fi
	for kflav in "$@"; do
		add_kernel "$kflav"
	done
}

if [ "${1:-}" = _locked ]; then
	shift
	locked "$@"
else
	with_lock "root-$suite" "$0" "$ksuite" _locked "$@"
fi
