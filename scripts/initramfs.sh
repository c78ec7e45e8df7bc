#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the initramfs and the kernel of one target.
#
#   initramfs.sh TARGET WORK MODE [SCRIPT [FILE...]]
#
# MODE: test (run /tests/*), run (run SCRIPT with FILEs beside it), shell.
# Needs WORK/TARGET/iopgt.ko + kernel.env (build.sh module) and
# WORK/user-ARCH (build.sh user). Writes WORK/TARGET/initrd.gz and
# WORK/TARGET/vmlinuz.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: $0 TARGET WORK test|run|shell [SCRIPT [FILE...]]"
target=$1 work=$2 mode=$3
shift 3
here=$(dirname "$0")
SRC=${IOPGT_SRC:-$IOPGT_REPO}
suite=$(target_suite "$target")
arch=$(target_arch "$target")
tdir=$work/$target
OWN_KERNEL=
# shellcheck source=/dev/null
. "$tdir/kernel.env"
if [ -n "$OWN_KERNEL" ]; then
	# A kernel of its own (build.sh own): as it is; busybox from the
	# userspace suite.
	debs=$("$here/archive.sh" debs-dir "$IOPGT_USER_SUITE")
	ln -sf "$OWN_KERNEL" "$tdir/vmlinuz"
else
	debs=$("$here/archive.sh" debs-dir "$suite")
fi

# The kernel image, extracted once per ABI into the cache.
kdir=$IOPGT_CACHE/kernels/$KVER
if [ -n "$OWN_KERNEL" ]; then
	:
elif [ ! -f "$kdir/vmlinuz" ]; then
	mkdir -p "$kdir"
	deb=$(find "$debs" -maxdepth 1 \( -name "linux-binary-${KVER}_*_$arch.deb" \
		-o -name "linux-image-${KVER}-unsigned_*_$arch.deb" -o -name "linux-image-${KVER}_*_$arch.deb" \) | head -n1)
	[ -n "$deb" ] || die "$target: no kernel image .deb for $KVER in $debs"
	tmp=$(mktemp -d "$kdir/x.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*vmlinuz*'
	img=$(find "$tmp" -type f \( -name "vmlinuz-$KVER" -o -path "*/$KVER/vmlinuz" \) | head -n1)
	[ -n "$img" ] || die "$target: $deb holds no vmlinuz-$KVER"
	mv "$img" "$kdir/vmlinuz"
	rm -rf "$tmp"
fi
# x86: boot the decompressed ELF through PVH when possible; decompressing
# bzImage inside TCG costs 10-20 s (xz on 6.1).
if [ -z "$OWN_KERNEL" ] && [ "$arch" = amd64 ] && [ ! -e "$kdir/vmlinux.done" ]; then
	tmp=$(mktemp "$kdir/vmlinux.XXXXXX")
	off=$(grep -abo $'\xfd7zXZ\x00' "$kdir/vmlinuz" | head -n1 | cut -d: -f1) || true
	dec=(xz -dc)
	if [ -z "$off" ]; then
		off=$(grep -abo $'\x28\xb5\x2f\xfd' "$kdir/vmlinuz" | head -n1 | cut -d: -f1) || true
		dec=(zstd -dcq)
	fi
	if [ -n "$off" ] && command -v "${dec[0]}" >/dev/null &&
		{ tail -c +$((off + 1)) "$kdir/vmlinuz" | "${dec[@]}" >"$tmp" 2>/dev/null || true; } &&
		[ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
		grep -q -a 'Xen' "$tmp"; then
		chmod 644 "$tmp"
		mv "$tmp" "$kdir/vmlinux"
	else
		rm -f "$tmp"
	fi
	touch "$kdir/vmlinux.done"
fi
if [ -n "$OWN_KERNEL" ]; then
	:
elif [ -f "$kdir/vmlinux" ] && [ -z "${IOPGT_NO_PVH:-}" ]; then
	ln -sf "$kdir/vmlinux" "$tdir/vmlinuz"
else
	ln -sf "$kdir/vmlinuz" "$tdir/vmlinuz"
fi

# Static busybox of the target architecture, extracted once per .deb.
bbdeb=$(find "$debs" -maxdepth 1 -name "busybox-static_*_$arch.deb" | head -n1)
[ -n "$bbdeb" ] || die "$target: busybox-static_*_$arch.deb missing in $debs"
bb=$IOPGT_CACHE/busybox/$(basename "$bbdeb" .deb)
if [ ! -f "$bb" ]; then
	mkdir -p "$(dirname "$bb")"
	tmp=$(mktemp -d "$bb.XXXXXX")
	dpkg-deb --fsys-tarfile "$bbdeb" | tar -x -C "$tmp"
	f=$(find "$tmp" -type f -name busybox -path '*bin/*' | head -n1)
	[ -n "$f" ] || die "$target: no busybox binary in $bbdeb"
	mv "$f" "$bb"
	rm -rf "$tmp"
fi

# The tree.
r=$tdir/rootfs
rm -rf "$r"
mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,lib/modules,etc,proc,sys,dev,tmp,root,tests,vmrun}
cp "$bb" "$r/bin/busybox"
chmod 755 "$r/bin/busybox"
ln -s busybox "$r/bin/sh"
cp "$here/vm-init.sh" "$r/init"
chmod 755 "$r/init"
mknod -m 600 "$r/dev/console" c 5 1
mknod -m 666 "$r/dev/null" c 1 3
cp "$tdir/iopgt.ko" "$r/lib/modules/iopgt.ko"
# The test-only defect module (IOPGT_DEFECT; never shipped otherwise).
if [ -n "${IOPGT_DEFECT:-}" ]; then
	for d in $IOPGT_DEFECT; do
		case $d in
		overrun | double_free | uaf | pagealloc | kfence | ubsan | leak | lockinv | failnth) ;;
		*) die "IOPGT_DEFECT: unknown defect '$d' (overrun double_free uaf pagealloc kfence ubsan leak lockinv failnth)" ;;
		esac
	done
	[ -f "$tdir/iopgt_defect.ko" ] || die "$target: IOPGT_DEFECT=$IOPGT_DEFECT but no iopgt_defect.ko was built"
	cp "$tdir/iopgt_defect.ko" "$r/lib/modules/iopgt_defect.ko"
fi
# The kernel's own KUnit tests of the page-table libraries (own kernels
# that built them as modules; /init loads them in this order).
# Opt-in (IOPGT_KUNIT=1): 7.2.13's generic_pt KUnit fails on the amd64
# debug kernel (NR_SECONDARY_PAGETABLE 1 vs 0 after test_map_table_to_oa,
# then every later case -EBUSY), and takes 53 s.
if [ -f "$tdir/kunit/order" ] && [ "${IOPGT_KUNIT:-0}" = 1 ]; then
	mkdir -p "$r/lib/modules/kunit"
	cp "$tdir/kunit/"* "$r/lib/modules/kunit/"
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"

u=$work/user-$arch
if [ -d "$u" ]; then
	cp -a "$u/sysroot/." "$r/"
	# the iopgt package's files (build.sh user: its CLI, man pages, udev
	# rule, completion) and its md5sums
	if [ -d "$u/pkg" ]; then
		cp -a "$u/pkg/." "$r/"
	elif [ -f "$u/bin/iopgt" ]; then
		cp "$u/bin/iopgt" "$r/usr/bin/iopgt"
	fi
	cp -a "$u/tests/." "$r/tests/"
fi
# The package check (TAP, like a test program).
cp "$here/vm-package.sh" "$r/tests/iopgt-test-package"
chmod 755 "$r/tests/iopgt-test-package"
# Scripted tests from the tree (executables only).
for f in "$SRC"/tests/vm/*.sh; do
	[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$r/tests/"
done

run=
if [ "$mode" = run ]; then
	[ $# -ge 1 ] || die "mode run needs a script"
	run=$(basename "$1")
	for f in "$@"; do
		[ -e "$f" ] || die "$f does not exist"
		cp -a "$f" "$r/vmrun/"
	done
fi

{
	printf 'IOPGT_MODE=%s\nIOPGT_TARGET=%s\n' "$mode" "$target"
	printf 'IOPGT_RUN=%s\n' "$run"
	printf 'IOPGT_VERSION=%s\n' "$(iopgt_version)"
	printf 'IOPGT_TEST_TIMEOUT=%s\n' "${IOPGT_TEST_TIMEOUT:-240}"
	printf 'IOPGT_FUZZ_SECONDS=%s\n' "${IOPGT_FUZZ_SECONDS:-20}"
	printf 'IOPGT_TEST_TIMEOUT_SCALE=%s\n' "${IOPGT_TEST_TIMEOUT_SCALE:-1}"
	printf 'IOPGT_HARDENED=%s\n' "${IOPGT_HARDENED:-}"
	printf "IOPGT_DEFECT='%s'\n" "${IOPGT_DEFECT:-}"
	[ -n "${IOPGT_SKIP_PROGS+set}" ] && printf "IOPGT_SKIP_PROGS='%s'\n" "$IOPGT_SKIP_PROGS"
	if [ -n "${IOPGT_CLI_DUMP_MAX:-}" ]; then
		printf 'IOPGT_CLI_DUMP_MAX=%s\n' "$IOPGT_CLI_DUMP_MAX"
	elif [ "$target" = "$IOPGT_CLI_BIG_TARGET" ]; then
		printf 'IOPGT_CLI_DUMP_MAX=1000000\n'
	fi
} >"$r/etc/iopgt.env"

(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1) >"$tdir/initrd.gz"
rm -rf "$r"
