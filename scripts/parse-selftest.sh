#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test (TAP) of the console judge, scripts/parse.sh: a clean hardened
# console with the known noise passes; each kernel-report rule fails it and
# names itself; a hardened boot without the slab validation fails it.
# The console lines are the kernels' own (sid 7.2 arm64-16k, 2026-12-01).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 bad=0

clean() {
	cat <<'LOG'
[    0.000000] kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)
[    0.000000] SLUB: HWalign=64, Order=0-3, MinObjects=0, CPUs=2, Nodes=1
@@IOPGT-UNAME 7.2.13+deb14-arm64-16k
@@IOPGT-HARDENED console=ttyAMA0 panic=-1 panic_on_warn=1 oops=panic rdinit=/init slub_debug=FZPU kfence.sample_interval=5 page_poison=1
@@IOPGT-INSMOD ok
@@IOPGT-FORMATS ARM_64_LPAE_S1 ARM_V7S
@@IOPGT-BEGIN iopgt-test-abi
[   12.221835] debugfs: 'io-pgtable_armv7s_l2' already exists in 'slab'
1..1
ok 1 get_info
@@IOPGT-END iopgt-test-abi rc=0 secs=3
LOG
}

# check NAME WANT(pass|fail) RULE-TEXT-OR-EMPTY < LOG
check() {
	local name=$1 want=$2 rule=$3 out res
	cat >"$tmp/log"
	out=$("$here/parse.sh" "$tmp/log" test)
	res=$(sed -n 's/^RESULT=//p' <<<"$out")
	n=$((n + 1))
	if [ "$res" != "$want" ]; then
		echo "not ok $n - $name: judged $res, expected $want"
		printf '%s\n' "$out" | sed 's/^/# /'
		bad=1
	# (a here-string: grep -q closing a pipe early fails it under pipefail)
	elif [ -n "$rule" ] && ! grep -q "kernel \[[^]]*$rule" <<<"$out"; then
		echo "not ok $n - $name: no reason names the rule '$rule'"
		printf '%s\n' "$out" | sed 's/^/# /'
		bad=1
	else
		echo "ok $n - $name: $res${rule:+ ($rule)}"
	fi
}

# check_reason NAME TEXT < LOG: judged fail, and a reason line holds TEXT
check_reason() {
	local name=$1 text=$2 out
	cat >"$tmp/log"
	out=$("$here/parse.sh" "$tmp/log" test)
	n=$((n + 1))
	if ! grep -q '^RESULT=fail' <<<"$out" || ! grep -qF -- "$text" <<<"$out"; then
		echo "not ok $n - $name: not judged fail with a reason holding '$text'"
		printf '%s\n' "$out" | sed 's/^/# /'
		bad=1
	else
		echo "ok $n - $name"
	fi
}

echo "1..16"
check "hardened console with kfence/SLUB/debugfs noise" pass "" < <({ clean; echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "hardened boot without slab validation" fail "" < <({ clean; echo "@@IOPGT-RESULT pass"; })
check "SLUB report of a non-kmalloc cache" fail "SLUB report" < <({ clean; echo "[  139.958393] BUG kmem_cache_node (Tainted: G           OE      ): Freepointer corrupt"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "SLUB report, untainted kernel" fail "SLUB report" < <({ clean; echo "[   20.1] BUG io-pgtable_armv7s_l2 (Not tainted): Object already free"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "poison overwritten" fail "SLUB poison" < <({ clean; echo "[   20.2] INFO: 0xfff0000004a1c010-0xfff0000004a1c017 @offset=16. First byte 0x5a instead of 0x6b"
	echo "[   20.2] Poison overwritten"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "redzone dump" fail "SLUB redzone" < <({ clean; echo "[   20.3] Redzone  fff0000004000080: cc cc cc cc cc cc cc cc                          ........"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "page poisoning" fail "page poison" < <({ clean; echo "[   20.4] pagealloc: memory corruption"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "KFENCE report" fail "KFENCE" < <({ clean; echo "[   20.5] BUG: KFENCE: out-of-bounds read in defect_kfence+0x5c/0xa0 [iopgt_defect]"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
check "UBSAN report" fail "UBSAN" < <({ clean; echo "[   20.6] UBSAN: array-index-out-of-bounds in /iopgt/defect/iopgt_defect.c:150:2"
	echo "@@IOPGT-SLAB-VALIDATED 180 caches"; echo "@@IOPGT-RESULT pass"; })
# The sanitizer kernels' reports (scripts/debugkernel.sh; the defect
# module's lines): each names its rule; a clean sanitizer console passes.
san() {
	cat <<'LOG'
@@IOPGT-UNAME 7.2.13-iopgt-debug
@@IOPGT-NOTE kmemleak: cleared before loading iopgt (scan took 3 s)
@@IOPGT-INSMOD ok
@@IOPGT-FORMATS ARM_64_LPAE_S1
@@IOPGT-BEGIN iopgt-test-abi
1..1
ok 1 get_info
@@IOPGT-END iopgt-test-abi rc=0 secs=3
@@IOPGT-COUNTER module_allocs 7 7
@@IOPGT-NOTE kmemleak: no unreferenced object after two scans
LOG
}
check "clean sanitizer console" pass "" < <({ san; echo "@@IOPGT-RESULT pass"; })
check "KASAN report" fail "KASAN" < <({ san; echo "[   30.1] BUG: KASAN: slab-use-after-free in defect_uaf+0x6c/0xd0 [iopgt_defect]"; echo "@@IOPGT-RESULT pass"; })
check "lockdep splat" fail "lockdep" < <({ san; echo "[   30.2] WARNING: possible circular locking dependency detected"; echo "@@IOPGT-RESULT pass"; })
check "sleeping in atomic context" fail "atomic sleep" < <({ san; echo "[   30.3] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:562"; echo "@@IOPGT-RESULT pass"; })
check "DEBUG_OBJECTS report" fail "DEBUG_OBJECTS" < <({ san; echo "[   30.4] ODEBUG: free active (active state 0) object: 00000000d1e0a7c2 object type: timer_list hint: 0x0"; echo "@@IOPGT-RESULT pass"; })
check "kmemleak report" fail "kmemleak" < <({ san; echo "unreferenced object 0xffff000004a1c000 (size 192):"; echo "@@IOPGT-RESULT pass"; })
check_reason "a failed test's message is in its reason" "iopgt-test-bench:   map_unmap_rates/PT_AMDV1: bench.c:359: PT_AMDV1: the batched UNMAP ioctl reaches 0.81" < <({ san
	echo "@@IOPGT-BEGIN iopgt-test-bench"; echo "1..2"; echo "ok 1 - other"
	echo "# FAIL map_unmap_rates/PT_AMDV1: bench.c:359: PT_AMDV1: the batched UNMAP ioctl reaches 0.81 of the in-kernel batched unmap, below the bar 0.90 (seed=1)"
	echo "not ok 2 - map_unmap_rates/PT_AMDV1"; echo "@@IOPGT-END iopgt-test-bench rc=1 secs=3"; echo "@@IOPGT-RESULT pass"; })
exit $bad
