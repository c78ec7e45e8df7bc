#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build inside the suites' build roots.
#
#   build.sh module SUITE WORK ARCH...   dkms add/build/install the current
#        tree (module/, uapi/, dkms.conf) for SUITE's kernel of each ARCH;
#        result: WORK/SUITE-ARCH/iopgt.ko and WORK/SUITE-ARCH/kernel.env
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

build_module() {
	local suite=$1 work=$2 root abi ver arch kver rc ko log
	shift 2
	root=$(root_dir "$suite")
	abi=$(cat "$root.ready")
	ver=$(iopgt_version)
	[ -n "$ver" ] || die "cannot read PACKAGE_VERSION from $SRC/dkms.conf"
	trap 'umount_proc "$root"' EXIT
	mount_proc "$root"
	copy_src "$root/usr/src/iopgt-$ver" module uapi dkms.conf
	in_root "$root" dkms remove -m iopgt -v "$ver" --all >/dev/null 2>&1 || true
	rm -rf "$root/var/lib/dkms/iopgt"
	in_root "$root" dkms add -m iopgt -v "$ver" >/dev/null ||
		die "$suite: dkms add iopgt/$ver failed"
	for arch in "$@"; do
		kver=$abi-$arch
		log "$suite-$arch: dkms build iopgt/$ver for $kver"
		local env=(env)
		local aopt=()
		if [ "$arch" = arm64 ]; then
			env=(env CROSS_COMPILE=aarch64-linux-gnu- ARCH=arm64)
			aopt=(-a aarch64)
		fi
		log=$work/$suite-$arch/dkms.log
		mkdir -p "$work/$suite-$arch"
		rc=0
		{ in_root "$root" "${env[@]}" dkms build -m iopgt -v "$ver" -k "$kver" "${aopt[@]}" &&
			in_root "$root" "${env[@]}" dkms install -m iopgt -v "$ver" -k "$kver" "${aopt[@]}" --force; } \
			>"$log" 2>&1 || rc=$?
		if [ $rc -ne 0 ]; then
			echo "=== $suite-$arch: module build failed (dkms exit $rc); dkms output:" >&2
			tail -n 15 "$log" >&2
			local ml
			ml=$(find "$root/var/lib/dkms/iopgt/$ver" -name make.log 2>/dev/null | head -n1)
			if [ -n "$ml" ]; then
				echo "=== $suite-$arch: tail of make.log:" >&2
				tail -n 40 "$ml" >&2
				cp "$ml" "$work/$suite-$arch/make.log"
			fi
			die "$suite-$arch: module build failed"
		fi
		ko=$(find "$root/var/lib/dkms/iopgt/$ver/$kver" -path '*/module/iopgt.ko*' | head -n1)
		[ -n "$ko" ] || die "$suite-$arch: dkms built no iopgt.ko"
		case $ko in
		*.xz) xz -dc "$ko" >"$work/$suite-$arch/iopgt.ko" 2>/dev/null ||
			in_root "$root" xz -dc "${ko#"$root"}" >"$work/$suite-$arch/iopgt.ko" ;;
		*.zst) in_root "$root" zstd -dc "${ko#"$root"}" >"$work/$suite-$arch/iopgt.ko" ;;
		*) cp "$ko" "$work/$suite-$arch/iopgt.ko" ;;
		esac
		printf 'KABI=%s\nKVER=%s\nSUITE=%s\nARCH=%s\n' "$abi" "$kver" "$suite" "$arch" \
			>"$work/$suite-$arch/kernel.env"
	done
	umount_proc "$root"
	trap - EXIT
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
	[ $# -ge 3 ] || die "usage: $0 module SUITE WORK ARCH..."
	suite=$1
	"$here/buildroot.sh" "$suite"
	with_lock "root-$suite" "$0" _module "$@"
	;;
_module) build_module "$@" ;;
user)
	[ $# -ge 2 ] || die "usage: $0 user WORK ARCH..."
	"$here/buildroot.sh" "$IOPGT_USER_SUITE"
	with_lock "root-$IOPGT_USER_SUITE" "$0" _user "$@"
	;;
_user) build_user "$@" ;;
*) die "usage: $0 module SUITE WORK ARCH... | user WORK ARCH..." ;;
esac
