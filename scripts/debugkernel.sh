#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The sanitizer kernels: build (once, cached) a kernel for ARCH from Debian's
# own linux-source-<ver> of sid's current kernel (so io-pgtable and
# generic_pt are byte for byte the stock code) with allnoconfig + the
# fragments scripts/debug/{common,ARCH}.config (merge_config.sh, then
# olddefconfig; a requested symbol that did not survive fails the build).
#
#   debugkernel.sh build ARCH    build if needed; print KERNEL=<image> and
#                                KDIR=<build tree> (for matrix.sh's custom
#                                kernels)
#   debugkernel.sh path ARCH     print the build tree (KDIR) if it is built
#
# Cache: $IOPGT_CACHE/debug/src-<pkgver>/ (the unpacked source, shared by
# both arches) and $IOPGT_CACHE/debug/<pkgver>-<ARCH>-<fragment hash>/
# (the O= build tree in build/, build.log, build-time). A new sid kernel or a
# changed fragment builds anew; older trees are removed. IOPGT_KBUILD_JOBS
# (default: the number of CPUs) is make's -j.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
SUITE=sid
top=$IOPGT_CACHE/debug

usage() { die "usage: $0 build|path ARCH (${IOPGT_ARCHES[*]})"; }
cmd=${1:-}
arch=${2:-}
case " ${IOPGT_ARCHES[*]} " in *" $arch "*) ;; *) usage ;; esac

# What to build: sid's kernel source package version, its gcc major, the
# fragment hash.
resolve() {
	local debs hdr abi
	"$here/archive.sh" update "$SUITE" >&2
	"$here/archive.sh" fetch "$SUITE" amd64 >&2
	abi=$("$here/archive.sh" kabi "$SUITE")
	debs=$("$here/archive.sh" debs-dir "$SUITE")
	hdr=$(echo "$debs"/linux-headers-"$abi"-amd64_*_amd64.deb)
	[ -f "$hdr" ] || die "$SUITE: $hdr missing"
	PKGVER=$(dpkg-deb -f "$hdr" Version)
	SRCPKG=linux-source-$(echo "$abi" | cut -d. -f1-2)
	GCC=$(dpkg-deb --fsys-tarfile "$hdr" | tar -xO "./usr/src/linux-headers-$abi-amd64/.config" |
		sed -n 's/^CONFIG_CC_VERSION_TEXT=".*gcc-\{0,1\}[^ ]* ([^)]*) \([0-9]*\)\..*/\1/p')
	[ -n "$GCC" ] || die "cannot read the gcc version of sid's kernel from $hdr"
	HASH=$(cat "$here/debug/common.config" "$here/debug/$arch.config" | sha256sum | cut -c1-12)
	DIR=$top/$PKGVER-$arch-$HASH
	SRC=$top/src-$PKGVER/$SRCPKG
}

image_of() { case $1 in arm64) echo arch/arm64/boot/Image ;; amd64) echo arch/x86/boot/bzImage ;; esac; }

# The unpacked source (downloaded with the suite's private apt view).
unpack_source() {
	[ -f "$SRC/.iopgt-unpacked" ] && return 0
	local d=$top/src-$PKGVER deb
	mkdir -p "$d"
	deb=$(find "$d" -maxdepth 1 -name "${SRCPKG}_*_all.deb" | head -n1)
	if [ -z "$deb" ]; then
		log "debug kernel: downloading $SRCPKG=$PKGVER"
		(cd "$d" && "$here/archive.sh" apt "$SUITE" -q download "$SRCPKG=$PKGVER") >"$d/download.log" 2>&1 ||
			{ tail -n 20 "$d/download.log" >&2; die "download of $SRCPKG=$PKGVER failed"; }
		deb=$(find "$d" -maxdepth 1 -name "${SRCPKG}_*_all.deb" | head -n1)
	fi
	log "debug kernel: unpacking $SRCPKG $PKGVER"
	rm -rf "$SRC"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$SRCPKG.tar.xz" | tar -xJ -C "$d" ||
		die "unpacking $deb failed"
	[ -f "$SRC/Makefile" ] || die "$deb did not unpack to $SRC"
	rm -f "$deb"
	touch "$SRC/.iopgt-unpacked"
}

build() {
	local o=$DIR/build karch cross=() cc img t0 line sym val missing=() root
	[ -f "$DIR/ready" ] && return 0
	root=$("$here/kroot.sh" ensure "$GCC")
	[ -n "$root" ] || die "no kbuild root for gcc-$GCC"
	unpack_source
	karch=$(arch_kernel "$arch")
	cc=$(arch_triplet "$arch")-gcc-$GCC
	[ "$arch" = arm64 ] && cross=(CROSS_COMPILE=aarch64-linux-gnu-)
	img=$(image_of "$arch")
	rm -rf "$DIR"
	mkdir -p "$o"
	cat "$here/debug/common.config" "$here/debug/$arch.config" >"$DIR/fragment.config"
	kmake() {
		"$here/kroot.sh" run "$GCC" "$top" -- make -C "$SRC" O="$o" ARCH="$karch" "${cross[@]}" CC="$cc" "$@"
	}
	log "debug kernel $arch: $SRCPKG $PKGVER, gcc-$GCC, allnoconfig + scripts/debug/{common,$arch}.config"
	t0=$(date +%s)
	{
		kmake allnoconfig &&
			"$here/kroot.sh" run "$GCC" "$top" -- env ARCH="$karch" "${cross[@]}" \
				"$SRC/scripts/kconfig/merge_config.sh" -m -O "$o" "$o/.config" "$DIR/fragment.config" &&
			kmake olddefconfig
	} >"$DIR/build.log" 2>&1 || { tail -n 30 "$DIR/build.log" >&2; die "debug kernel $arch: configuring failed (log $DIR/build.log)"; }
	# Every requested symbol must have survived olddefconfig.
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			sym=${line%%=*} val=${line#*=}
			grep -qxF "$sym=$val" "$o/.config" || missing+=("$sym=$val (got: $(grep -E "^$sym=|^# $sym is not set" "$o/.config" || echo absent))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -qE "^$sym=" "$o/.config"; then missing+=("$sym unset (got: $(grep -E "^$sym=" "$o/.config"))"); fi
			;;
		esac
	done <"$DIR/fragment.config"
	if [ ${#missing[@]} -gt 0 ]; then
		printf '  %s\n' "${missing[@]}" >&2
		die "debug kernel $arch: ${#missing[@]} requested symbol(s) did not survive olddefconfig (above; .config in $o)"
	fi
	log "debug kernel $arch: make -j${IOPGT_KBUILD_JOBS:-$(nproc)} $(basename "$img") modules (~12 min on 2 cores)"
	kmake -j"${IOPGT_KBUILD_JOBS:-$(nproc)}" "$(basename "$img")" modules >>"$DIR/build.log" 2>&1 ||
		{ grep -E 'error|Error' "$DIR/build.log" | tail -n 20 >&2; tail -n 20 "$DIR/build.log" >&2
		  die "debug kernel $arch: build failed (log $DIR/build.log)"; }
	[ -f "$o/$img" ] || die "debug kernel $arch: no $img after the build"
	echo "$(($(date +%s) - t0))" >"$DIR/build-time"
	log "debug kernel $arch: built in $(cat "$DIR/build-time") s"
	touch "$DIR/ready"
	# Older trees of this arch, and sources no tree uses any more.
	local d
	for d in "$top"/*-"$arch"-*; do
		[ -d "$d" ] && [ "$d" != "$DIR" ] && rm -rf --one-file-system "$d"
	done
	for d in "$top"/src-*; do
		[ -d "$d" ] || continue
		compgen -G "$top/${d#"$top"/src-}-*" >/dev/null || rm -rf --one-file-system "$d"
	done
	return 0
}

resolve
case $cmd in
build)
	mkdir -p "$top"
	# one kernel build at a time (2 cores), and one source unpacking
	with_lock debug-kernel "$0" _build "$arch" >&2
	echo "KERNEL=$DIR/build/$(image_of "$arch")"
	echo "KDIR=$DIR/build"
	;;
_build) build ;;
path) [ -f "$DIR/ready" ] || die "the $arch debug kernel is not built (make debug-kernels)"; echo "$DIR/build" ;;
*) usage ;;
esac
