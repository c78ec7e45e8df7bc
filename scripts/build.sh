#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build inside the suites' build roots.
#
#   build.sh module WORK DEB TARGET...   install the iopgt-dkms package
#        DEB in the base suite's root with DKMS's autoinstall kept out of
#        the way (/etc/dkms/no-autoinstall: the root holds several
#        kernels' headers), `dkms add` its tree /usr/src/iopgt-<version>
#        (checked against the package: dpkg --verify), then `dkms build -k`
#        each TARGET's kernel, one after the other in the order given (one
#        dkms build directory per module version); result:
#        WORK/TARGET/iopgt.ko and WORK/TARGET/kernel.env, then
#        WORK/TARGET/built (or WORK/TARGET/build-failed with the reason).
#        Exit status non-zero if any target failed. The conftest results
#        are kept in the root (IOPGT_CONFTEST_CACHE) per kernel.
#        IOPGT_DEFECT set: also the test-only module tests/defect/ (plain
#        kbuild) -> WORK/TARGET/iopgt_defect.ko
#   build.sh own WORK TARGET KERNEL KDIR   a kernel that is not a Debian
#        package (custom-ARCH, SUITE-ARCH-debug): refuse it up front if it
#        lacks what the harness needs (the CONFIG_ names), then build the
#        module with plain kbuild against KDIR with the compiler named in
#        its CONFIG_CC_VERSION_TEXT: on the host if the host has it and can
#        run KDIR's host tools, else in the kbuild root of that gcc
#        (kroot.sh); KDIR's KUnit test modules go along (WORK/TARGET/kunit/).
#        Same results as module, kernel.env with OWN_KERNEL=KERNEL.
#   build.sh own-check TARGET KERNEL KDIR   only the refusal check
#   build.sh user WORK PKGDIR ARCH...    build userspace/ and tests/ for
#        each ARCH in the userspace suite's root; the CLI is the iopgt
#        package's of PKGDIR (deb.sh matrix; waited for): result:
#        WORK/user-ARCH/{pkg/<the iopgt package's files>,
#        pkg/var/lib/dpkg/info/iopgt.md5sums, bin/iopgt (the package's),
#        tests/*, sysroot/<shared libraries they need>}; the tests link the
#        kernel's YNL client of uapi/iopgt.yaml (ynl.sh)
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
	in_root "$root" "${env[@]}" dkms build -m iopgt -v "$ver" -k "$kver" "${aopt[@]}" >"$log" 2>&1 || rc=$?
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

# install_dkms_deb ROOT VER DEB: DEB (iopgt-dkms VER) is what ROOT has,
# registered with DKMS and built for no kernel; prints why not and fails.
install_dkms_deb() {
	local root=$1 ver=$2 deb=$3 f log=$1/var/lib/iopgt/dkms-deb.log bad
	[ -f "$deb" ] || { echo "no iopgt-dkms package $deb"; return 1; }
	mkdir -p "$root/etc/dkms" "$root/var/lib/iopgt"
	touch "$root/etc/dkms/no-autoinstall"
	# Whatever an earlier run left: the package (its prerm removes it from
	# DKMS), other versions, a tree that is not the package's.
	in_root "$root" dpkg --purge iopgt-dkms >/dev/null 2>&1 || true
	for f in "$root"/var/lib/dkms/iopgt/*/source; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		f=${f%/source}
		in_root "$root" dkms remove -m iopgt -v "${f##*/}" --all >/dev/null 2>&1 || true
	done
	rm -rf "$root/var/lib/dkms/iopgt" "$root"/usr/src/iopgt-*
	cp "$deb" "$root/tmp/iopgt-dkms.deb"
	if ! in_root "$root" dpkg -i /tmp/iopgt-dkms.deb >"$log" 2>&1; then
		rm -f "$root/tmp/iopgt-dkms.deb"
		echo "dpkg -i $(basename "$deb") failed in $root: $(tail -n 3 "$log" | tr '\n' ' ')"
		return 1
	fi
	rm -f "$root/tmp/iopgt-dkms.deb"
	[ "$(in_root "$root" dpkg-query -S "/usr/src/iopgt-$ver/dkms.conf" 2>/dev/null | cut -d: -f1)" = iopgt-dkms ] ||
		{ echo "/usr/src/iopgt-$ver/dkms.conf is not from the iopgt-dkms package"; return 1; }
	in_root "$root" dkms add -m iopgt -v "$ver" >>"$log" 2>&1 ||
		{ echo "dkms add iopgt/$ver (the package's tree) failed: $(tail -n 3 "$log" | tr '\n' ' ')"; return 1; }
	# the tree DKMS builds is the package's, unchanged, and nothing else
	[ "$(readlink "$root/var/lib/dkms/iopgt/$ver/source")" = "/usr/src/iopgt-$ver" ] ||
		{ echo "DKMS's iopgt/$ver source is $(readlink "$root/var/lib/dkms/iopgt/$ver/source"), not /usr/src/iopgt-$ver"; return 1; }
	bad=$(in_root "$root" dpkg --verify iopgt-dkms 2>&1)
	[ -z "$bad" ] || { echo "the DKMS tree differs from the iopgt-dkms package: $bad" | head -n 3; return 1; }
	bad=$(cd "$root/usr/src/iopgt-$ver" && find . -type f | sed 's|^\.|/usr/src/iopgt-'"$ver"'|' | sort |
		comm -23 - <(in_root "$root" dpkg-query -L iopgt-dkms | sort))
	[ -z "$bad" ] || { echo "the DKMS tree has files that are not the iopgt-dkms package's: $bad" | head -n 3; return 1; }
	return 0
}

build_module() {
	local work=$1 deb=$2 root ver t failed=0 base why
	shift 2
	base=$(suite_base "$(target_suite "$1")")
	root=$(root_dir "$base")
	ver=$(iopgt_version)
	[ -n "$ver" ] || die "cannot read PACKAGE_VERSION from $SRC/dkms.conf"
	trap 'umount_proc "$root"' EXIT
	mount_proc "$root"
	log "$base: installing $(basename "$deb") (autoinstall off), dkms add"
	if ! why=$(install_dkms_deb "$root" "$ver" "$deb"); then
		for t in "$@"; do
			mkdir -p "$work/$t"
			echo "the iopgt-dkms package in the $base root: $why" >"$work/$t/build-failed"
		done
		die "$base: $why"
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

# pkg_cli PKGDIR ARCH DST: the iopgt package of ARCH unpacked in DST/pkg
# (with its md5sums where dpkg keeps them), its CLI as DST/bin/iopgt.
pkg_cli() {
	local pdir=$1 arch=$2 dst=$3 ver deb
	ver=$(iopgt_version)
	wait_ready "$pdir" "$arch" || die "user-$arch: the iopgt package: $(cat "$pdir/failed" 2>/dev/null)"
	deb=$pdir/iopgt_${ver}_$arch.deb
	[ -f "$deb" ] || die "user-$arch: no $deb"
	rm -rf "$dst/pkg" "$dst/ctl"
	mkdir -p "$dst/pkg/var/lib/dpkg/info" "$dst/ctl"
	dpkg-deb -x "$deb" "$dst/pkg"
	dpkg-deb -e "$deb" "$dst/ctl"
	cp "$dst/ctl/md5sums" "$dst/pkg/var/lib/dpkg/info/iopgt.md5sums"
	rm -rf "$dst/ctl"
	[ -x "$dst/pkg/usr/bin/iopgt" ] || die "user-$arch: $deb has no /usr/bin/iopgt"
	cp "$dst/pkg/usr/bin/iopgt" "$dst/bin/iopgt"
	log "user-$arch: the CLI is $(basename "$deb")'s"
}

build_user() {
	local work=$1 pdir=$2 suite=$IOPGT_USER_SUITE root cc arch triplet o dst
	shift 2
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
		# the VM's CLI: the iopgt package's (the one built above links the tests)
		pkg_cli "$pdir" "$arch" "$dst"
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

# The CONFIG_ symbols the harness needs from a kernel (own kernels are
# refused without them): initramfs, the serial console QEMU's machine has,
# modules that unload, devtmpfs (/dev/iopgt), the file systems /init mounts,
# NET (the generic netlink family), DEBUG_FS.
own_required() {
	echo BLK_DEV_INITRD RD_GZIP MODULES MODULE_UNLOAD NET DEBUG_FS DEVTMPFS PROC_FS SYSFS TMPFS \
		BINFMT_ELF BINFMT_SCRIPT UNIX98_PTYS FUTEX
	case $1 in
	arm64) echo SERIAL_AMBA_PL011 SERIAL_AMBA_PL011_CONSOLE ;;
	amd64) echo SERIAL_8250 SERIAL_8250_CONSOLE ;;
	esac
}

# own_check TARGET KERNEL KDIR: whether the harness can use this kernel;
# if not, print why (one line) and fail.
own_check() {
	local t=$1 kernel=$2 kdir=$3 arch cfg s missing=()
	arch=$(target_arch "$t")
	kdir=$(cd "$kdir" 2>/dev/null && pwd -P) || { echo "KDIR $3 does not exist"; return 1; }
	kernel=$(readlink -f "$kernel")
	[ -f "$kernel" ] || { echo "KERNEL $2 does not exist"; return 1; }
	cfg=$kdir/.config
	{ [ -f "$cfg" ] && [ -f "$kdir/Makefile" ]; } || { echo "KDIR $kdir is not a kernel build tree (no .config or Makefile)"; return 1; }
	[ -f "$kdir/Module.symvers" ] || { echo "KDIR $kdir has no Module.symvers: build the kernel's modules there first (make modules)"; return 1; }
	for s in $(own_required "$arch"); do
		grep -q "^CONFIG_$s=y" "$cfg" || missing+=("CONFIG_$s")
	done
	case $arch in
	arm64) grep -q '^CONFIG_ARM64=y' "$cfg" || missing+=("CONFIG_ARM64 (KARCH=arm64)") ;;
	amd64)
		grep -q '^CONFIG_X86_64=y' "$cfg" || missing+=("CONFIG_X86_64 (KARCH=amd64)")
		# An ELF vmlinux boots only through PVH; bzImage always does.
		if [ "$(head -c 4 "$kernel" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && ! grep -q '^CONFIG_PVH=y' "$cfg"; then
			missing+=("CONFIG_PVH (to boot a vmlinux; or give arch/x86/boot/bzImage as KERNEL)")
		fi
		;;
	esac
	if [ ${#missing[@]} -gt 0 ]; then
		echo "kernel refused: $kdir/.config lacks ${missing[*]} (the harness needs initramfs, the serial console, modules that unload, devtmpfs, NET and DEBUG_FS)"
		return 1
	fi
	grep -q '^CONFIG_CC_IS_GCC=y' "$cfg" ||
		{ echo "kernel refused: $kdir was not built with gcc (CONFIG_CC_VERSION_TEXT: $(sed -n 's/^CONFIG_CC_VERSION_TEXT=//p' "$cfg")); only gcc-built kernels are supported"; return 1; }
	[ -f "$kdir/include/config/kernel.release" ] || { echo "$kdir has no include/config/kernel.release (is the kernel built?)"; return 1; }
	return 0
}

build_own() {
	local work=$1 t=$2 kernel=$3 kdir=$4 arch dir cfg ccword major cc karch kopts=()
	local kver srcdir where mod f why
	arch=$(target_arch "$t")
	dir=$work/$t
	mkdir -p "$dir"
	rm -f "$dir/built" "$dir/build-failed"
	fail() { echo "$*" >"$dir/build-failed"; echo "=== $t: $*" >&2; return 1; }
	why=$(own_check "$t" "$kernel" "$kdir") || { fail "$why"; return 1; }
	kdir=$(cd "$kdir" && pwd -P)
	kernel=$(readlink -f "$kernel")
	cfg=$kdir/.config
	kver=$(cat "$kdir/include/config/kernel.release")
	# The compiler: CONFIG_CC_VERSION_TEXT is "<cc> (<vendor>) <version>".
	ccword=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\([^ ]*\) .*/\1/p' "$cfg")
	major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$cfg")
	[ -n "$major" ] || { fail "cannot read CONFIG_GCC_VERSION from $cfg"; return 1; }
	karch=$(arch_kernel "$arch")
	kopts=(ARCH="$karch")
	[ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && kopts+=(CROSS_COMPILE=aarch64-linux-gnu-)
	srcdir=$(readlink -f "$kdir/source" 2>/dev/null || echo "$kdir")
	where=host
	if command -v "$ccword" >/dev/null 2>&1 && { "$kdir/scripts/basic/fixdep" 2>&1 || true; } | grep -qv 'not found'; then
		cc=$ccword
	else
		where=root
		cc=$(arch_triplet "$arch")-gcc-$major
		[ "$(uname -m)" = "$(arch_uname "$arch")" ] && [ "$ccword" = gcc ] && cc=gcc-$major
		"$here/kroot.sh" ensure "$major" >/dev/null || { fail "no build root with gcc-$major for $kdir"; return 1; }
	fi
	kopts+=(CC="$cc")
	mod=$dir/src
	rm -rf "$mod"
	mkdir -p "$mod"
	copy_src "$mod" module uapi dkms.conf
	log "$t: make -C module KDIR=$kdir ${kopts[*]} ($where, $kver)"
	local runner=()
	if [ "$where" = root ]; then
		runner=("$here/kroot.sh" run "$major" "$kdir" "$srcdir" "$(cd "$dir" && pwd -P)" --)
	fi
	if ! "${runner[@]}" env IOPGT_CONFTEST_CACHE= make -C "$(cd "$mod" && pwd -P)/module" KDIR="$kdir" "${kopts[@]}" \
		>"$dir/make.log" 2>&1; then
		tail -n 40 "$dir/make.log" >&2
		fail "plain kbuild of iopgt against $kdir failed (log in $dir/make.log)"
		return 1
	fi
	grep -h 'conftest.sh:' "$dir/make.log" | head -n 1 >&2 || true
	cp "$mod/module/iopgt.ko" "$dir/iopgt.ko"
	if [ -n "${IOPGT_DEFECT:-}" ]; then
		mkdir -p "$mod/defect"
		cp "$SRC"/tests/defect/Kbuild "$SRC"/tests/defect/*.c "$mod/defect/"
		"${runner[@]}" make -C "$kdir" M="$(cd "$mod/defect" && pwd -P)" "${kopts[@]}" modules >"$dir/defect.log" 2>&1 ||
			{ tail -n 30 "$dir/defect.log" >&2; fail "the defect module did not build against $kdir"; return 1; }
		cp "$mod/defect/iopgt_defect.ko" "$dir/iopgt_defect.ko"
	fi
	rm -rf "$mod"
	# The kernel's own KUnit tests of the page-table libraries, when built
	# as modules (kunit.ko first).
	rm -rf "$dir/kunit"
	if [ -f "$kdir/modules.order" ]; then
		for f in lib/kunit/kunit.ko drivers/iommu/io-pgtable-arm-selftests.ko \
			$(grep -E '^drivers/iommu/.*(kunit|test)[^/]*\.k?o$' "$kdir/modules.order" | sed 's/\.o$/.ko/'); do
			[ -f "$kdir/$f" ] || continue
			mkdir -p "$dir/kunit"
			[ -f "$dir/kunit/$(basename "$f")" ] || { basename "$f" >>"$dir/kunit/order"; cp "$kdir/$f" "$dir/kunit/"; }
		done
	fi
	printf 'KABI=%s\nKVER=%s\nSUITE=%s\nARCH=%s\nKFLAVOUR=%s\nOWN_KERNEL=%s\nOWN_KDIR=%s\n' \
		"$kver" "$kver" "$(target_suite "$t")" "$arch" "$(target_flavour "$t")" "$kernel" "$kdir" >"$dir/kernel.env"
	touch "$dir/built"
}

cmd=${1:-}
shift || true
case $cmd in
own-check)
	[ $# -eq 3 ] || die "usage: $0 own-check TARGET KERNEL KDIR"
	own_check "$@"
	;;
own)
	[ $# -eq 4 ] || die "usage: $0 own WORK TARGET KERNEL KDIR"
	build_own "$@"
	;;
module)
	[ $# -ge 3 ] || die "usage: $0 module WORK DEB TARGET..."
	with_lock "root-$(suite_base "$(target_suite "$3")")" "$0" _module "$@"
	;;
_module) build_module "$@" ;;
user)
	[ $# -ge 3 ] || die "usage: $0 user WORK PKGDIR ARCH..."
	"$here/buildroot.sh" "$IOPGT_USER_SUITE"
	with_lock "root-$IOPGT_USER_SUITE" "$0" _user "$@"
	;;
_user) build_user "$@" ;;
*) die "usage: $0 module WORK DEB TARGET... | own WORK TARGET KERNEL KDIR | user WORK PKGDIR ARCH..." ;;
esac
