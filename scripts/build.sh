#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build inside the suites' build roots.
#
#   build.sh module WORK TARGET...   dkms add/build/install the current
#        tree (module/, uapi/, dkms.conf) for each TARGET's kernel (all in
#        the same base suite's root, one after the other, in the order
#        given); result: WORK/TARGET/iopgt.ko and WORK/TARGET/kernel.env,
#        then WORK/TARGET/built (or WORK/TARGET/build-failed with the
#        reason). Exit status non-zero if any target failed. The conftest
#        results are kept in the root (IOPGT_CONFTEST_CACHE) per kernel.
#        IOPGT_DEFECT set: also the test-only module tests/defect/ (plain
#        kbuild) -> WORK/TARGET/iopgt_defect.ko
#   build.sh user WORK ARCH...           build userspace/ and tests/ for
#        each ARCH in the userspace suite's root; result: WORK/user-ARCH/
#        {bin/iopgt, tests/*, sysroot/<shared libraries they need>}; the
#        tests link the kernel's YNL client of uapi/iopgt.yaml (ynl.sh)
#
# IOPGT_SRC (default: the repository) is the source tree to build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
SRC=${IOPGT_SRC:-$IOPGT_REPO}

in_root() {
	local root=$1
	shift
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		chroot "$root" "$@"
}

mount_proc() {
	mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"
}

umount_proc() {
	if mountpoint -q "$1/proc" 2>/dev/null; then
		umount "$1/proc" || umount -l "$1/proc"
	fi
}

# Replace DIR by a fresh copy of the given top-level entries of $SRC.
copy_src() {
	local dst=$1 e
	shift
	rm -rf "$dst"
	mkdir -p "$dst"
	for e in "$@"; do
		[ -e "$SRC/$e" ] && cp -a "$SRC/$e" "$dst/"
	done
	# Objects of an in-tree developer build must not leak into ours.
	find "$dst" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name iopgt_compat.h -o -name Module.symvers -o -name modules.order \) -delete
}

# build_one ROOT VER TARGET DIR: dkms build+install iopgt for TARGET's
# kernel; the module and kernel.env land in DIR.
build_one() {
	local root=$1 ver=$2 t=$3 dir=$4 ksuite kflav arch abi kver rc ko log
	ksuite=$(target_suite "$t")
	kflav=$(target_kflavour "$t")
	arch=$(target_arch "$t")
	abi=$("$here/archive.sh" kabi "$ksuite")
	kver=$abi-$kflav
	[ -f "$root/var/lib/iopgt/headers/$kver" ] ||
		{ echo "the headers of $kver are not in the root $root" >"$dir/build-failed"; return 1; }
	log "$t: dkms build iopgt/$ver for $kver"
	local env=(env IOPGT_CONFTEST_CACHE=/var/cache/iopgt-conftest)
	local aopt=()
	if [ "$arch" = arm64 ]; then
		env+=(CROSS_COMPILE=aarch64-linux-gnu- ARCH=arm64)
		aopt=(-a aarch64)
	fi
	log=$dir/dkms.log
	rc=0
	{ in_root "$root" "${env[@]}" dkms build -m iopgt -v "$ver" -k "$kver" "${aopt[@]}" &&
		in_root "$root" "${env[@]}" dkms install -m iopgt -v "$ver" -k "$kver" "${aopt[@]}" --force; } \
		>"$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		echo "=== $t: module build failed (dkms exit $rc); dkms output:" >&2
		tail -n 15 "$log" >&2
		local ml
		ml=$(find "$root/var/lib/dkms/iopgt/$ver" -name make.log 2>/dev/null | head -n1)
		if [ -n "$ml" ]; then
			echo "=== $t: tail of make.log:" >&2
			tail -n 40 "$ml" >&2
			cp "$ml" "$dir/make.log"
		fi
		echo "dkms build of iopgt for $kver failed (exit $rc)" >"$dir/build-failed"
		return 1
	fi
	ko=$(find "$root/var/lib/dkms/iopgt/$ver/$kver" -path '*/module/iopgt.ko*' | head -n1)
	[ -n "$ko" ] || { echo "dkms built no iopgt.ko for $kver" >"$dir/build-failed"; return 1; }
	case $ko in
	*.xz) xz -dc "$ko" >"$dir/iopgt.ko" 2>/dev/null ||
		in_root "$root" xz -dc "${ko#"$root"}" >"$dir/iopgt.ko" ;;
	*.zst) in_root "$root" zstd -dc "${ko#"$root"}" >"$dir/iopgt.ko" ;;
	*) cp "$ko" "$dir/iopgt.ko" ;;
	esac
	grep -h 'conftest.sh:' "$root/var/lib/dkms/iopgt/$ver/$kver"/*/log/make.log 2>/dev/null |
		head -n 1 >>"$log" || true
	if [ -n "${IOPGT_DEFECT:-}" ]; then
		# The test-only defect module: plain kbuild, never packaged.
		local dsrc=/iopgt/defect-$kver
		rm -rf "${root:?}$dsrc"
		mkdir -p "$root$dsrc"
		cp "$SRC"/tests/defect/Kbuild "$SRC"/tests/defect/*.c "$root$dsrc/"
		local kenv=(env)
		[ "$arch" = arm64 ] && kenv=(env CROSS_COMPILE=aarch64-linux-gnu- ARCH=arm64)
		in_root "$root" "${kenv[@]}" make -C "/usr/src/linux-headers-$kver" M="$dsrc" modules \
			>"$dir/defect.log" 2>&1 ||
			{ tail -n 30 "$dir/defect.log" >&2; echo "the defect module did not build for $kver" >"$dir/build-failed"; return 1; }
		cp "$root$dsrc/iopgt_defect.ko" "$dir/iopgt_defect.ko"
		rm -rf "${root:?}$dsrc"
	fi
	printf 'KABI=%s\nKVER=%s\nSUITE=%s\nARCH=%s\nKFLAVOUR=%s\n' "$abi" "$kver" "$ksuite" "$arch" "$kflav" \
		>"$dir/kernel.env"
	return 0
}

build_module() {
	local work=$1 root ver t failed=0 base
	shift
	base=$(suite_base "$(target_suite "$1")")
	root=$(root_dir "$base")
	ver=$(iopgt_version)
	[ -n "$ver" ] || die "cannot read PACKAGE_VERSION from $SRC/dkms.conf"
	trap 'umount_proc "$root"' EXIT
	mount_proc "$root"
	copy_src "$root/usr/src/iopgt-$ver" module uapi dkms.conf
	in_root "$root" dkms remove -m iopgt -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$root/var/lib/dkms/iopgt"
	if ! in_root "$root" dkms add -m iopgt -v "$ver" >/dev/null; then
		for t in "$@"; do
			mkdir -p "$work/$t"
			echo "dkms add iopgt/$ver failed in the $base root" >"$work/$t/build-failed"
		done
		die "$base: dkms add iopgt/$ver failed"
	fi
	for t in "$@"; do
		[ "$(suite_base "$(target_suite "$t")")" = "$base" ] || die "$t does not build in the $base root"
		mkdir -p "$work/$t"
		rm -f "$work/$t/built" "$work/$t/build-failed"
		if build_one "$root" "$ver" "$t" "$work/$t"; then
			touch "$work/$t/built"
		else
			[ -f "$work/$t/build-failed" ] || echo "module build failed" >"$work/$t/build-failed"
			failed=1
		fi
	done
	umount_proc "$root"
	trap - EXIT
	return $failed
}

# Runs inside the root: copy the ELF interpreter and the shared libraries
# (recursively) that the given binaries need into $1, at their paths.
# shellcheck disable=SC2016
collect_libs_script='
set -eu
dest=$1 triplet=$2
shift 2
dirs="/lib/$triplet /usr/lib/$triplet /usr/$triplet/lib"
seen=" "
todo="$*"
while [ -n "$todo" ]; do
	set -- $todo
	f=$1
	shift
	todo="$*"
	interp=$(readelf -l "$f" 2>/dev/null | sed -n "s/.*program interpreter: \(.*\)]/\1/p")
	if [ -n "$interp" ] && [ ! -e "$dest$interp" ]; then
		mkdir -p "$dest$(dirname "$interp")"
		cp -L "$interp" "$dest$interp" 2>/dev/null || cp -L "/usr/$triplet$interp" "$dest$interp"
	fi
	for lib in $(readelf -d "$f" 2>/dev/null | sed -n "s/.*(NEEDED).*\[\(.*\)\]/\1/p"); do
		case $seen in *" $lib "*) continue ;; esac
		seen="$seen$lib "
		found=
		for d in $dirs; do
			if [ -e "$d/$lib" ]; then found=$d/$lib; break; fi
		done
		[ -n "$found" ] || { echo "missing shared library $lib needed by $f" >&2; exit 1; }
		mkdir -p "$dest/lib/$triplet"
		cp -L "$found" "$dest/lib/$triplet/$lib"
		todo="$todo $found"
	done
done
'

build_user() {
	local work=$1 suite=$IOPGT_USER_SUITE root cc arch triplet o dst
	shift
	root=$(root_dir "$suite")
	cc=gcc-$(cat "$root/.iopgt-gcc")
	trap 'umount_proc "$root"' EXIT
	mount_proc "$root"
	copy_src "$root/iopgt/src" userspace tests uapi dkms.conf
	for arch in "$@"; do
		triplet=$(arch_triplet "$arch")
		o=/iopgt/out/$arch
		rm -rf "$root$o"
		mkdir -p "$root$o/userspace" "$root$o/tests"
		dst=$work/user-$arch
		rm -rf "$dst"
		mkdir -p "$dst/bin" "$dst/tests" "$dst/sysroot"
		local tcc=$cc pkgenv=()
		if [ "$arch" = arm64 ]; then
			tcc=aarch64-linux-gnu-$cc
			pkgenv=(PKG_CONFIG_LIBDIR="/usr/lib/$triplet/pkgconfig:/usr/share/pkgconfig")
		fi
		if [ -f "$SRC/userspace/Makefile" ]; then
			log "user-$arch: make -C userspace CC=$tcc"
			in_root "$root" env "${pkgenv[@]}" make -C /iopgt/src/userspace O="$o/userspace" CC="$tcc" \
				>"$dst/userspace.log" 2>&1 ||
				{ tail -n 40 "$dst/userspace.log" >&2; die "user-$arch: userspace build failed"; }
			[ -x "$root$o/userspace/iopgt" ] || die "user-$arch: userspace built no $o/userspace/iopgt"
			cp "$root$o/userspace/iopgt" "$dst/bin/iopgt"
		else
			log "note: userspace/Makefile does not exist yet; no iopgt CLI in the VM"
		fi
		if [ -f "$SRC/tests/Makefile" ]; then
			# the kernel's YNL client of uapi/iopgt.yaml (tests/ynl_agree.c)
			"$here/ynl.sh" client "$root" "$o/ynl" "$tcc" ||
				die "user-$arch: building the YNL client failed"
			log "user-$arch: make -C tests CC=$tcc"
			in_root "$root" env "${pkgenv[@]}" make -C /iopgt/src/tests O="$o/tests" CC="$tcc" \
				USERSPACE_O="$o/userspace" YNL_DIR="$o/ynl" >"$dst/tests.log" 2>&1 ||
				{ tail -n 40 "$dst/tests.log" >&2; die "user-$arch: tests build failed"; }
			find "$root$o/tests" -maxdepth 1 -type f -name 'iopgt-test-*' -perm -u+x \
				-exec cp {} "$dst/tests/" \;
		else
			log "note: tests/Makefile does not exist yet; only tests/vm/*.sh run in the VM"
		fi
		local bins=()
		local f
		for f in "$dst/bin/"* "$dst/tests/"*; do
			[ -f "$f" ] || continue
			mkdir -p "$root/iopgt/scan"
			cp "$f" "$root/iopgt/scan/"
			bins+=("/iopgt/scan/$(basename "$f")")
		done
		if [ ${#bins[@]} -gt 0 ]; then
			rm -rf "$root/iopgt/sysroot"
			in_root "$root" sh -c "$collect_libs_script" sh /iopgt/sysroot "$triplet" "${bins[@]}" ||
				die "user-$arch: collecting shared libraries failed"
			cp -a "$root/iopgt/sysroot/." "$dst/sysroot/"
			rm -rf "$root/iopgt/scan" "$root/iopgt/sysroot"
		fi
	done
	umount_proc "$root"
	trap - EXIT
}

cmd=${1:-}
shift || true
case $cmd in
module)
	[ $# -ge 2 ] || die "usage: $0 module WORK TARGET..."
	with_lock "root-$(suite_base "$(target_suite "$2")")" "$0" _module "$@"
	;;
_module) build_module "$@" ;;
user)
	[ $# -ge 2 ] || die "usage: $0 user WORK ARCH..."
	"$here/buildroot.sh" "$IOPGT_USER_SUITE"
	with_lock "root-$IOPGT_USER_SUITE" "$0" _user "$@"
	;;
_user) build_user "$@" ;;
*) die "usage: $0 module WORK TARGET... | user WORK ARCH..." ;;
esac
