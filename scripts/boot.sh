#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot one target under QEMU TCG with WORK/TARGET/{vmlinuz,initrd.gz}.
#
#   boot.sh TARGET WORK LOG          batch: serial console to LOG, no stdin;
#                                    host-side timeout IOPGT_VM_TIMEOUT
#                                    (default 900 s amd64, 1800 s arm64)
#   boot.sh TARGET WORK - shell      interactive: console on this terminal
#
# IOPGT_SMP (default 2) and IOPGT_MEM (default 2048) size the VM.
# IOPGT_HARDENED=1 turns on the memory debugging built into the stock
# kernels: slub_debug=FZPU (every cache: sanity checks, red zones,
# poisoning, owner tracking), KFENCE sampling every IOPGT_KFENCE_MS
# (default 5) ms and page poisoning (which takes precedence over
# init_on_alloc/init_on_free), and a 60 s watchdog threshold (below). Exit
# status: qemu's, 124 on timeout.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: $0 TARGET WORK LOG|- [shell]"
target=$1 work=$2 logf=$3 inter=${4:-}
arch=$(target_arch "$target")
tdir=$work/$target
# printk.time=1: every kernel line carries a timestamp, which is how the
# judge tells kernel lines from test output (own kernels may lack
# CONFIG_PRINTK_TIME).
append="panic=-1 panic_on_warn=1 oops=panic rdinit=/init printk.time=1"
# IOPGT_BOOT_APPEND: more kernel parameters, last (a later value of the
# same parameter wins; scripts/mutants.sh boots with panic_on_warn=0).
[ -n "${IOPGT_BOOT_APPEND:-}" ] && append="$append $IOPGT_BOOT_APPEND"
if [ -n "${IOPGT_HARDENED:-}" ]; then
	# watchdog_thresh=60: poisoning every free page at boot takes 20+ s of
	# TCG time on 6.1/6.12 arm64 without a reschedule point, which the
	# default 20 s soft-lockup limit reports as a lockup.
	append="$append slub_debug=FZPU kfence.sample_interval=${IOPGT_KFENCE_MS:-5} page_poison=1 watchdog_thresh=60"
fi
case $arch in
amd64)
	qemu=(qemu-system-x86_64 -M pc)
	append="console=ttyS0 $append"
	tmo=${IOPGT_VM_TIMEOUT:-900}
	;;
arm64)
	qemu=(qemu-system-aarch64 -M virt -cpu "max,pauth-impdef=on")
	append="console=ttyAMA0 $append"
	tmo=${IOPGT_VM_TIMEOUT:-1800}
	;;
esac
qemu+=(-accel tcg -smp "${IOPGT_SMP:-2}" -m "${IOPGT_MEM:-2048}" -nodefaults -no-reboot
	-display none -kernel "$tdir/vmlinuz" -initrd "$tdir/initrd.gz" -append "$append")

if [ "$inter" = shell ]; then
	[ -t 0 ] || die "vm-shell needs a terminal on stdin"
	exec "${qemu[@]}" -serial mon:stdio
fi
rc=0
timeout -k 10 "$tmo" "${qemu[@]}" -serial "file:$logf" </dev/null >"$logf.qemu" 2>&1 || rc=$?
if [ $rc -eq 124 ]; then
	echo "@@IOPGT-HOST-TIMEOUT after ${tmo}s" >>"$logf"
fi
if [ -s "$logf.qemu" ]; then
	cat "$logf.qemu" >>"$logf"
fi
rm -f "$logf.qemu"
exit $rc
