#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drive the kernel matrix.
#
#   matrix.sh test [TARGET...]          host unit tests + build, boot and run
#                                       /tests/* in each target (default: the
#                                       default targets, lib.sh)
#   matrix.sh run TARGET SCRIPT [FILE...] run SCRIPT (FILEs beside it) in the
#                                       VM; print its output; exit with its
#                                       status (non-zero on WARN/BUG/Oops too)
#   matrix.sh shell TARGET              interactive shell, module loaded
#
# Environment: OUT (build/ by default; logs in $OUT/logs), IOPGT_CACHE,
# IOPGT_JOBS (VMs at once, default 2), IOPGT_SMP (vCPUs per VM, default
# 2/IOPGT_JOBS), IOPGT_KABI_<suite>, IOPGT_MIRROR, IOPGT_TEST_TIMEOUT,
# IOPGT_FUZZ_SECONDS, IOPGT_CLI_DUMP_MAX, IOPGT_VM_TIMEOUT, IOPGT_SRC,
# IOPGT_HARDEN (auto|all|none|"TARGET..."; see hardened()), IOPGT_DEFECT,
# IOPGT_KERNEL + IOPGT_KDIR (+ IOPGT_KARCH): a kernel of your own, target
# custom-<arch> (lib.sh custom_target); alone, it is the only target.
#
# Targets booting a kernel of their own (custom-ARCH, SUITE-ARCH-debug, see
# lib.sh) are prepared by one job, one after the other: the debug kernel
# built or taken from the cache (debugkernel.sh), then the module (build.sh
# own); their in-VM time limits are IOPGT_OWN_TIMEOUT_SCALE (default 3)
# times the stock ones.
#
# The packages come first (deb.sh matrix, cached per tree): the matrix
# tests what users install. Each base suite's root is prepared in parallel
# (apt, root, headers of its targets' kernels; then the iopgt-dkms package
# installed there with autoinstall off and `dkms build -k` per target, one
# after the other); the VM's CLI and its files are the iopgt package's. A
# target boots as soon as its module and the userspace are built, the
# longest VMs first. Once per `make test` (IOPGT_PKGTEST, default trixie;
# "none" skips it), in parallel with the VMs, pkgtest.sh installs the
# packages in a clean root of that suite with a single kernel's headers
# (the real postinst autoinstall), upgrades from <version>~prev and purges;
# its TAP is a row of the table.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
SRC=${IOPGT_SRC:-$IOPGT_REPO}
mode=${1:-}
shift || true
custom=$(custom_target)
case $mode in
test)
	targets=("$@")
	if [ ${#targets[@]} -eq 0 ] && [ -n "$custom" ]; then
		targets=("$custom")
	elif [ ${#targets[@]} -eq 0 ]; then
		mapfile -t targets < <(default_targets)
	elif [ -n "$custom" ]; then
		case " ${targets[*]} " in *" $custom "*) ;; *) targets+=("$custom") ;; esac
	fi
	;;
run) [ $# -ge 2 ] || die "usage: $0 run TARGET SCRIPT [FILE...]"; targets=("$1"); shift ;;
shell) [ $# -eq 1 ] || die "usage: $0 shell TARGET"; targets=("$1"); shift ;;
*) die "usage: $0 test [TARGET...] | run TARGET SCRIPT [FILE...] | shell TARGET" ;;
esac
# "custom": the target of KERNEL/KDIR (vm-run, vm-shell, demo)
if [ "${targets[0]}" = custom ]; then
	[ -n "$custom" ] || die "target 'custom' needs KERNEL=<Image|bzImage> and KDIR=<its build tree>"
	targets[0]=$custom
fi
check_targets "${targets[@]}"
# A kernel of your own that the harness cannot use is refused up front.
if [ -n "$custom" ] && [[ " ${targets[*]} " == *" $custom "* ]]; then
	why=$("$here/build.sh" own-check "$custom" "$IOPGT_KERNEL" "$IOPGT_KDIR") || die "$custom: $why"
fi
if [ "$mode" = run ]; then
	for f in "$@"; do [ -e "$f" ] || die "$f does not exist"; done
fi

t_start=$(date +%s)
host_tools_all
mkdir -p "$OUT/logs"
WORK=$(mktemp -d "$OUT/work.XXXXXX")
# shellcheck disable=SC2317
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

total_pass=0 total_fail=0 total_skip=0

# publish FILE NAME: copy a finished log to $OUT/logs/NAME.log atomically
# (several users may share one OUT; each run works in its own WORK).
publish() {
	cp "$1" "$OUT/logs/.$2.log.$$"
	mv -f "$OUT/logs/.$2.log.$$" "$OUT/logs/$2.log"
}
logname() { if [ "$mode" = run ]; then echo "vm-run-$1"; else echo "$1"; fi; }

# Host unit tests (TAP) of the userspace library.
host_unit_tests() {
	[ -f "$SRC/userspace/Makefile" ] || { log "note: no userspace/Makefile: no host unit tests"; return 0; }
	ensure_host_tools gcc:gcc make:make pkg-config:pkgconf /usr/include/libmnl/libmnl.h:libmnl-dev
	local logf=$WORK/host-unit.log rc=0
	log "host unit tests: make -C userspace check; scripts/parse-selftest.sh"
	make -C "$SRC/userspace" check >"$logf" 2>&1 || rc=$?
	"$here/parse-selftest.sh" >>"$logf" 2>&1 || rc=$?
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$logf" | head -n1) || true
	s=$(grep -E '^ok [0-9]+' "$logf" | grep -ciE '# *skip') || true
	f=$(grep -cE '^not ok [0-9]+' "$logf") || true
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	HOST_LINE=$(printf '%-23s %-24s %4s %4s %4s  %-6s %6s  %-8s %s' host-unit "$(uname -r)" "$p" "$f" "$s" "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" - - "make -C userspace check + console judge")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	if [ "$rc" -ne 0 ]; then
		echo "=== host unit tests failed (rc=$rc); tail of $logf:" >&2
		tail -n 30 "$logf" >&2
	fi
	publish "$logf" host-unit
}

# hardened TARGET: whether TARGET boots with the kernel's memory debugging
# (slub_debug=FZPU, KFENCE every few ms, page poisoning; SLUB validates
# every cache after the tests). IOPGT_HARDEN=auto (default): every target
# except a PREEMPT_RT one whose stock-flavour sibling (same kernel version
# and arch, a hardened compatibility path) is in the same run; all; none; or
# a list of targets.
hardened() {
	local t=$1 sib
	case ${IOPGT_HARDEN:-auto} in
	all) return 0 ;;
	none) return 1 ;;
	auto)
		# own kernels: KASAN where it matters (the debug ones)
		own_kernel_target "$t" && return 1
		[ "$(target_flavour "$t")" = rt ] || return 0
		sib=$(target_suite "$t")-$(target_arch "$t")
		case " ${targets[*]} " in *" $sib "*) return 1 ;; esac
		return 0
		;;
	*) case " $IOPGT_HARDEN " in *" $t "*) return 0 ;; *) return 1 ;; esac ;;
	esac
}

# boot_kind TARGET: hardened or plain.
boot_kind() { if hardened "$1"; then echo hardened; else echo plain; fi; }

# Boot order: the longest VMs first so the slots finish together. The
# last measured VM time of each target booted the same way
# (IOPGT_CACHE/times) decides; without one, hardened arm64 targets first.
order_targets() {
	local t est
	for t in "$@"; do
		est=$(cat "$IOPGT_CACHE/times/$t.$(boot_kind "$t")" 2>/dev/null) || est=
		if [ -z "$est" ]; then
			est=60
			[ "$(target_arch "$t")" = arm64 ] && est=150
			hardened "$t" && est=$((est * 3 / 2))
			own_kernel_target "$t" && est=$((est * 3))
		fi
		echo "$est $t"
	done | sort -k1,1nr -k2,2 | cut -d' ' -f2
}
mapfile -t order < <(order_targets "${targets[@]}")

# ---- prepare: archive, roots and builds, base suites in parallel ----
bases=()
own_targets=()
declare -A base_targets=()
for t in "${order[@]}"; do
	if own_kernel_target "$t"; then
		own_targets+=("$t")
		continue
	fi
	b=$(suite_base "$(target_suite "$t")")
	[ -n "${base_targets[$b]:-}" ] || bases+=("$b")
	base_targets[$b]="${base_targets[$b]:-} $t"
done
user_arches=$(for t in "${targets[@]}"; do target_arch "$t"; done | sort -u | tr '\n' ' ')

# fail_targets REASON TARGET...: mark targets whose preparation failed.
fail_targets() {
	local why=$1 t
	shift
	for t in "$@"; do
		mkdir -p "$WORK/$t"
		[ -f "$WORK/$t/build-failed" ] || echo "$why" >"$WORK/$t/build-failed"
	done
}

# prepare_base BASE TARGET...: the base root, the kernels of the targets
# (their suites may be the base's backports or experimental) and the
# module for each, in boot order.
prepare_base() {
	local b=$1 t ks ok=() rc=0 deb
	shift
	if ! { "$here/archive.sh" update "$b" && "$here/archive.sh" fetch "$b" "${IOPGT_ARCHES[@]}" &&
		"$here/buildroot.sh" "$b"; }; then
		fail_targets "build: the $b build root failed (output above)" "$@"
		return 1
	fi
	local -A kfl=()
	local suites=()
	for t in "$@"; do
		ks=$(target_suite "$t")
		[ -n "${kfl[$ks]:-}" ] || suites+=("$ks")
		kfl[$ks]="${kfl[$ks]:-} $(target_kflavour "$t")"
	done
	local -A bad=()
	for ks in "${suites[@]}"; do
		# shellcheck disable=SC2086
		if ! { "$here/archive.sh" update "$ks" && "$here/archive.sh" fetch "$ks" ${kfl[$ks]} &&
			"$here/buildroot.sh" "$ks" ${kfl[$ks]}; }; then
			bad[$ks]=1
			rc=1
		fi
	done
	for t in "$@"; do
		if [ -n "${bad[$(target_suite "$t")]:-}" ]; then
			fail_targets "build: the kernel headers of $t could not be set up in the $b root (output above)" "$t"
		else
			ok+=("$t")
		fi
	done
	[ ${#ok[@]} -gt 0 ] || return 1
	if ! wait_ready "$WORK/pkg" dkms; then
		fail_targets "build: the iopgt-dkms package: $(cat "$WORK/pkg/failed")" "${ok[@]}"
		return 1
	fi
	deb=$WORK/pkg/iopgt-dkms_$(iopgt_version)_all.deb
	"$here/build.sh" module "$WORK" "$deb" "${ok[@]}" || rc=1
	return $rc
}

# prepare_own TARGET...: kernels of their own, one after the other (a debug
# kernel build takes both CPUs for ~12 minutes).
prepare_own() {
	local t rc=0 kv KERNEL KDIR
	for t in "$@"; do
		case $t in
		custom-*) KERNEL=$IOPGT_KERNEL KDIR=$IOPGT_KDIR ;;
		*-debug)
			if [ "$(target_suite "$t")" != sid ]; then
				fail_targets "build: debug kernels are built from sid's source only" "$t"
				rc=1
				continue
			fi
			if ! kv=$("$here/debugkernel.sh" build "$(target_arch "$t")"); then
				fail_targets "build: the $(target_arch "$t") debug kernel did not build (output above)" "$t"
				rc=1
				continue
			fi
			KERNEL=$(echo "$kv" | sed -n 's/^KERNEL=//p')
			KDIR=$(echo "$kv" | sed -n 's/^KDIR=//p')
			;;
		esac
		"$here/build.sh" own "$WORK" "$t" "$KERNEL" "$KDIR" || rc=1
	done
	return $rc
}

prepare_user() {
	"$here/archive.sh" update "$IOPGT_USER_SUITE"
	"$here/archive.sh" fetch "$IOPGT_USER_SUITE" "${IOPGT_ARCHES[@]}"
	"$here/buildroot.sh" "$IOPGT_USER_SUITE"
	# shellcheck disable=SC2086
	"$here/build.sh" user "$WORK" "$WORK/pkg" $user_arches
}

# The once-per-run package test (see the top): TAP in $WORK/pkgtest.log.
pkgtest_suite=${IOPGT_PKGTEST:-trixie}
run_pkgtest() {
	wait_ready "$WORK/pkg" prev || { echo "not ok 1 - the packages: $(cat "$WORK/pkg/failed")"; return 1; }
	PKGTEST_DEBS=$WORK/pkg PKGTEST_PREVDEBS=$WORK/pkg/prev PKGTEST_LOGDIR=$WORK/pkgtest \
		nice -n 3 "$here/pkgtest.sh" "$pkgtest_suite"
}

log "targets: ${targets[*]}"
declare -A pids=()
"$here/deb.sh" matrix "$WORK/pkg" >"$WORK/prepare-pkg.log" 2>&1 &
pids[pkg]=$!
pkgtest_pid=
if [ "$mode" = test ] && [ "$pkgtest_suite" != none ]; then
	t_pkgtest0=$(date +%s)
	{
		prc=0
		run_pkgtest || prc=$?
		echo "@@IOPGT-PKGTEST-END rc=$prc secs=$(($(date +%s) - t_pkgtest0))"
	} >"$WORK/pkgtest.log" 2>&1 &
	pkgtest_pid=$!
fi
for b in "${bases[@]}"; do
	# shellcheck disable=SC2086
	{ prepare_base "$b" ${base_targets[$b]} || fail_targets "build: preparing the $b root failed (output above)" ${base_targets[$b]}; } \
		>"$WORK/prepare-$b.log" 2>&1 &
	pids[$b]=$!
done
if [ ${#own_targets[@]} -gt 0 ]; then
	{ prepare_own "${own_targets[@]}" || fail_targets "build: preparing failed (output above)" "${own_targets[@]}"; } \
		>"$WORK/prepare-own.log" 2>&1 &
	pids[own]=$!
fi
prepare_user >"$WORK/prepare-user.log" 2>&1 &
pids[user]=$!
if [ "$mode" = test ]; then
	host_unit_tests
fi

# reap_prepare [wait]: print the logs of finished preparation jobs (all of
# them, waiting, with "wait").
declare -A prep_failed=()
reap_prepare() {
	local k
	for k in "${!pids[@]}"; do
		if [ "${1:-}" != wait ] && kill -0 "${pids[$k]}" 2>/dev/null; then
			continue
		fi
		if wait "${pids[$k]}"; then
			cat "$WORK/prepare-$k.log" >&2
		else
			echo "=== preparing $k FAILED:" >&2
			cat "$WORK/prepare-$k.log" >&2
			prep_failed[$k]=1
		fi
		unset "pids[$k]"
	done
}

# The userspace is needed by every target: wait for it first.
while kill -0 "${pids[user]}" 2>/dev/null; do sleep 1; done
reap_prepare
if [ -n "${prep_failed[user]:-}" ]; then
	reap_prepare wait
	echo "$total_pass passed, $((total_fail + 1)) failed, $total_skip skipped"
	exit 1
fi

# ---- boot ----
if [ "$mode" != test ]; then
	reap_prepare wait
	if [ ! -f "$WORK/${targets[0]}/built" ]; then
		echo "=== ${targets[0]}: $(cat "$WORK/${targets[0]}/build-failed" 2>/dev/null || echo "not built")" >&2
		echo "$total_pass passed, $((total_fail + 1)) failed, $total_skip skipped"
		exit 1
	fi
fi
t_prep=$(date +%s)
if [ "$mode" = test ]; then
	log "userspace ready after $((t_prep - t_start))s; targets boot as their modules are built"
else
	log "prepared in $((t_prep - t_start))s"
fi

if [ "$mode" = shell ]; then
	hardened "${targets[0]}" && export IOPGT_HARDENED=1
	"$here/initramfs.sh" "${targets[0]}" "$WORK" shell
	IOPGT_SMP=${IOPGT_SMP:-2} "$here/boot.sh" "${targets[0]}" "$WORK" - shell
	exit 0
fi

jobs=${IOPGT_JOBS:-2}
[ "$mode" = run ] && jobs=1
[ ${#targets[@]} -lt "$jobs" ] && jobs=${#targets[@]}
smp=${IOPGT_SMP:-$(( 2 / jobs > 0 ? 2 / jobs : 1 ))}

run_target() {
	local t=$1 logf=$WORK/$1.log t0 t1 rc=0 h='' sc=1
	shift
	hardened "$t" && h=1
	if own_kernel_target "$t"; then
		# KASAN and lockdep under TCG: several times slower
		sc=${IOPGT_OWN_TIMEOUT_SCALE:-3}
		local IOPGT_TEST_TIMEOUT=$(( ${IOPGT_TEST_TIMEOUT:-240} * sc ))
		local IOPGT_TEST_TIMEOUT_SCALE=$(( ${IOPGT_TEST_TIMEOUT_SCALE:-1} * sc ))
		local IOPGT_VM_TIMEOUT=$(( ${IOPGT_VM_TIMEOUT:-900} * sc ))
		export IOPGT_TEST_TIMEOUT IOPGT_TEST_TIMEOUT_SCALE IOPGT_VM_TIMEOUT
	fi
	local vsmp=$smp
	# The sanitizer kernels boot with one vCPU: with two, 7.2.13's
	# fair-server timer WARNed once under TCG (hrtimer_forward from
	# dl_task_timer, a timer still queued), a kernel issue, not the module's.
	case $t in *-debug) vsmp=${IOPGT_SMP:-1} ;; esac
	if [ "$mode" = run ]; then
		IOPGT_HARDENED=$h "$here/initramfs.sh" "$t" "$WORK" run "$@" 2>"$WORK/$t.err" || rc=$?
	else
		IOPGT_HARDENED=$h "$here/initramfs.sh" "$t" "$WORK" test 2>"$WORK/$t.err" || rc=$?
	fi
	if [ $rc -ne 0 ]; then
		cat "$WORK/$t.err" >"$logf"
		echo "@@IOPGT-FAIL initramfs of $t failed" >>"$logf"
	else
		t0=$(date +%s)
		IOPGT_HARDENED=$h IOPGT_SMP=$vsmp "$here/boot.sh" "$t" "$WORK" "$logf" || true
		t1=$(date +%s)
		if [ "$mode" = test ] && grep -q '^@@IOPGT-RESULT' "$logf" 2>/dev/null; then
			mkdir -p "$IOPGT_CACHE/times"
			echo "$((t1 - t0))" >"$IOPGT_CACHE/times/.$t.$$" &&
				mv -f "$IOPGT_CACHE/times/.$t.$$" "$IOPGT_CACHE/times/$t.$(boot_kind "$t")"
		fi
	fi
	{
		"$here/parse.sh" "$logf" "$mode" || true
		echo "TIME=$(( ${t1:-0} - ${t0:-0} ))"
		echo "BOOT=$([ -n "$h" ] && echo hardened || echo plain)"
	} >"$WORK/$t.result"
}

# Start each target as soon as its module is built and a slot is free.
shift_args=("$@")
pending=("${order[@]}")
vm_pids=()
while [ ${#pending[@]} -gt 0 ]; do
	reap_prepare
	alive=()
	for p in "${vm_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
	vm_pids=("${alive[@]}")
	rest=()
	started=0
	for t in "${pending[@]}"; do
		if [ -f "$WORK/$t/build-failed" ]; then
			printf 'UNAME="(not built)"\nFORMATS=\nPASSED=0\nFAILED=1\nSKIPPED=0\nRESULT=fail\nTIME=0\nBOOT=-\n' >"$WORK/$t.result"
			printf "REASONS=%q\nSKIPS=''\n" "$(cat "$WORK/$t/build-failed")
" >>"$WORK/$t.result"
			echo "@@IOPGT-FAIL build failed: $(cat "$WORK/$t/build-failed")" >"$WORK/$t.log"
			continue
		fi
		if [ $started -eq 0 ] && [ ${#vm_pids[@]} -lt "$jobs" ] && [ -f "$WORK/$t/built" ]; then
			log "$t: booting ($(boot_kind "$t"))"
			if [ "$mode" = run ]; then
				run_target "$t" "${shift_args[@]}" &
			else
				run_target "$t" &
			fi
			vm_pids+=($!)
			started=1
			continue
		fi
		rest+=("$t")
	done
	pending=("${rest[@]}")
	if [ ${#pending[@]} -gt 0 ] && [ $started -eq 0 ]; then
		# Nothing to start: a preparation job that ended without marking
		# its targets leaves them failed.
		if [ ${#pids[@]} -eq 0 ]; then
			for t in "${pending[@]}"; do
				[ -f "$WORK/$t/built" ] || fail_targets "build: not built (output above)" "$t"
			done
		fi
		sleep 1
	fi
done
reap_prepare wait
wait || true

# ---- report ----
# pkgtest_row: the package test's TAP counted like a target's.
pkgtest_row() {
	local logf=$WORK/pkgtest.log p f secs rc
	[ -n "$pkgtest_pid" ] || return 0
	p=$(grep -cE '^ok [0-9]+' "$logf") || true
	f=$(grep -cE '^not ok [0-9]+' "$logf") || true
	rc=$(sed -n 's/^@@IOPGT-PKGTEST-END rc=\([0-9]*\).*/\1/p' "$logf")
	secs=$(sed -n 's/^@@IOPGT-PKGTEST-END .*secs=\([0-9]*\).*/\1/p' "$logf")
	if [ "${rc:-1}" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	[ "$p" -gt 0 ] || [ "$f" -gt 0 ] || f=1
	PKG_LINE=$(printf '%-23s %-24s %4s %4s %4s  %-6s %5ss  %-8s %s' "pkgtest-$pkgtest_suite" "(clean root, stock hdrs)" "$p" "$f" 0 \
		"$([ "$f" -eq 0 ] && echo PASS || echo FAIL)" "${secs:-?}" - "install, upgrade ~prev, purge")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	publish "$logf" "pkgtest-$pkgtest_suite"
	if [ "$f" -ne 0 ]; then
		echo "=== pkgtest-$pkgtest_suite FAILED (log $OUT/logs/pkgtest-$pkgtest_suite.log):" >&2
		grep -E '^not ok|^iopgt: error' "$logf" >&2 || tail -n 20 "$logf" >&2
		REASONS_ALL="${REASONS_ALL:-}$({ grep -E '^not ok|^iopgt: error' "$logf" ||
			echo "ended early (rc=${rc:-?}), see the log"; } | sed "s/^/  pkgtest-$pkgtest_suite: /")
"
	fi
}
status=0
if [ "$mode" = run ]; then
	t=${targets[0]}
	# shellcheck source=/dev/null
	. "$WORK/$t.result"
	# The script's output: the console between the markers, minus kernel lines.
	publish "$WORK/$t.log" "$(logname "$t")"
	tr -d '\r' <"$WORK/$t.log" | sed -n '/^@@IOPGT-RUN-BEGIN/,/^@@IOPGT-RUN-END/p' |
		grep -vE '^@@IOPGT-RUN-|^\[ *[0-9]+\.[0-9]+\]' || true
	if [ "$RESULT" != pass ]; then
		echo "=== vm-run on $t FAILED (console log: $OUT/logs/$(logname "$t").log):" >&2
		printf '%s' "$REASONS" | sed 's/^/  /' >&2
		echo "=== last console lines:" >&2
		tr -d '\r' <"$WORK/$t.log" | tail -n 40 >&2
		[ "${RUN_RC:-0}" -ne 0 ] && exit "$RUN_RC"
		exit 1
	fi
	exit 0
fi

printf '\n%-23s %-24s %4s %4s %4s  %-6s %6s  %-8s %s\n' target kernel pass fail skip result time boot formats
for t in "${targets[@]}"; do
	# shellcheck source=/dev/null
	. "$WORK/$t.result"
	fm=${FORMATS:-(none)}
	case $fm in "(no "*) fm="(no formats file)" ;; esac
	printf '%-23s %-24s %4s %4s %4s  %-6s %5ss  %-8s %s\n' "$t" "${UNAME:-?}" "$PASSED" "$FAILED" "$SKIPPED" \
		"$([ "$RESULT" = pass ] && echo PASS || echo FAIL)" "$TIME" "${BOOT:-?}" "$fm"
	total_pass=$((total_pass + PASSED)) total_fail=$((total_fail + FAILED)) total_skip=$((total_skip + SKIPPED))
	if [ "$RESULT" != pass ]; then
		status=1
		[ "$FAILED" -eq 0 ] && total_fail=$((total_fail + 1))
	fi
	{
		echo "@@IOPGT-HOST-SUMMARY result=$RESULT passed=$PASSED failed=$FAILED skipped=$SKIPPED"
		[ -n "$REASONS" ] && printf '%s' "$REASONS" | sed 's/^/@@IOPGT-HOST-REASON /'
		[ -n "$SKIPS" ] && printf '%s' "$SKIPS" | sed 's/^/@@IOPGT-HOST-SKIP /'
	} >>"$WORK/$t.log"
	publish "$WORK/$t.log" "$t"
	REASONS_ALL="${REASONS_ALL:-}$(printf '%s' "$REASONS" | sed "s/^/  $t: /")
"
done
[ -n "${HOST_LINE:-}" ] && echo "$HOST_LINE"
pkgtest_row
[ -n "${PKG_LINE:-}" ] && echo "$PKG_LINE"
if [ -n "$(echo "${REASONS_ALL:-}" | tr -d '[:space:]')" ]; then
	echo
	echo "failures (console logs in $OUT/logs/):"
	printf '%s' "$REASONS_ALL" | sed '/^$/d'
fi
if [ "$total_fail" -gt 0 ]; then status=1; fi
echo
echo "matrix time: $(($(date +%s) - t_start))s (userspace ready after $((t_prep - t_start))s); logs in $OUT/logs/"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $status
