#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Drive the kernel matrix.
#
#   matrix.sh test [TARGET...]          host unit tests + build, boot and run
#                                       /tests/* in each target (default all)
#   matrix.sh run TARGET SCRIPT [FILE...] run SCRIPT (FILEs beside it) in the
#                                       VM; print its output; exit with its
#                                       status (non-zero on WARN/BUG/Oops too)
#   matrix.sh shell TARGET              interactive shell, module loaded
#
# Environment: OUT (build/ by default; logs in $OUT/logs), IOPGT_CACHE,
# IOPGT_JOBS (VMs at once, default 2), IOPGT_SMP (vCPUs per VM, default
# 2/IOPGT_JOBS), IOPGT_KABI_<suite>, IOPGT_MIRROR, IOPGT_TEST_TIMEOUT,
# IOPGT_FUZZ_SECONDS, IOPGT_CLI_DUMP_MAX, IOPGT_VM_TIMEOUT, IOPGT_SRC.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
SRC=${IOPGT_SRC:-$IOPGT_REPO}
mode=${1:-}
shift || true
case $mode in
test) targets=("$@"); [ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(all_targets) ;;
run) [ $# -ge 2 ] || die "usage: $0 run TARGET SCRIPT [FILE...]"; targets=("$1"); shift ;;
shell) [ $# -eq 1 ] || die "usage: $0 shell TARGET"; targets=("$1"); shift ;;
*) die "usage: $0 test [TARGET...] | run TARGET SCRIPT [FILE...] | shell TARGET" ;;
esac
check_targets "${targets[@]}"
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
	log "host unit tests: make -C userspace check"
	make -C "$SRC/userspace" check >"$logf" 2>&1 || rc=$?
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$logf" | head -n1) || true
	s=$(grep -E '^ok [0-9]+' "$logf" | grep -ciE '# *skip') || true
	f=$(grep -cE '^not ok [0-9]+' "$logf") || true
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	HOST_LINE=$(printf '%-15s %-22s %4s %4s %4s  %-6s %6s  %s' host-unit "$(uname -r)" "$p" "$f" "$s" "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" - "make -C userspace check")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	if [ "$rc" -ne 0 ]; then
		echo "=== host unit tests failed (rc=$rc); tail of $logf:" >&2
		tail -n 30 "$logf" >&2
	fi
	publish "$logf" host-unit
}

# ---- prepare: archive, roots and builds, suites in parallel ----
suites=()
declare -A want_arch=()
for t in "${targets[@]}"; do
	s=$(target_suite "$t")
	[ -n "${want_arch[$s]:-}" ] || suites+=("$s")
	want_arch[$s]="${want_arch[$s]:-} $(target_arch "$t")"
done
user_arches=$(for t in "${targets[@]}"; do target_arch "$t"; done | sort -u | tr '\n' ' ')

prepare_suite() {
	local s=$1
	"$here/archive.sh" update "$s"
	"$here/archive.sh" fetch "$s" "${IOPGT_ARCHES[@]}"
	"$here/buildroot.sh" "$s"
	# shellcheck disable=SC2086
	"$here/build.sh" module "$s" "$WORK" ${want_arch[$s]}
}

prepare_user() {
	"$here/archive.sh" update "$IOPGT_USER_SUITE"
	"$here/archive.sh" fetch "$IOPGT_USER_SUITE" "${IOPGT_ARCHES[@]}"
	"$here/buildroot.sh" "$IOPGT_USER_SUITE"
	# shellcheck disable=SC2086
	"$here/build.sh" user "$WORK" $user_arches
}

log "targets: ${targets[*]}"
declare -A pids=()
for s in "${suites[@]}"; do
	prepare_suite "$s" >"$WORK/prepare-$s.log" 2>&1 &
	pids[$s]=$!
done
prepare_user >"$WORK/prepare-user.log" 2>&1 &
pids[user]=$!
if [ "$mode" = test ]; then
	host_unit_tests
fi
declare -A prep_failed=()
for k in "${!pids[@]}"; do
	if wait "${pids[$k]}"; then
		cat "$WORK/prepare-$k.log" >&2
	else
		echo "=== preparing $k FAILED:" >&2
		cat "$WORK/prepare-$k.log" >&2
		prep_failed[$k]=1
	fi
done
# A suite that fails to build fails its targets; the others still run
# (test mode). Without userspace, or for run/shell, nothing can run.
if [ ${#prep_failed[@]} -gt 0 ] && { [ -n "${prep_failed[user]:-}" ] || [ "$mode" != test ]; }; then
	echo "$total_pass passed, $((total_fail + 1)) failed, $total_skip skipped"
	exit 1
fi
t_prep=$(date +%s)
log "prepared in $((t_prep - t_start))s"

# ---- boot ----
if [ "$mode" = shell ]; then
	"$here/initramfs.sh" "${targets[0]}" "$WORK" shell
	IOPGT_SMP=${IOPGT_SMP:-2} "$here/boot.sh" "${targets[0]}" "$WORK" - shell
	exit 0
fi

jobs=${IOPGT_JOBS:-2}
[ "$mode" = run ] && jobs=1
[ ${#targets[@]} -lt "$jobs" ] && jobs=${#targets[@]}
smp=${IOPGT_SMP:-$(( 2 / jobs > 0 ? 2 / jobs : 1 ))}

run_target() {
	local t=$1 logf=$WORK/$1.log t0 t1 rc=0
	shift
	if [ "$mode" = run ]; then
		"$here/initramfs.sh" "$t" "$WORK" run "$@" 2>"$WORK/$t.err" || rc=$?
	else
		"$here/initramfs.sh" "$t" "$WORK" test 2>"$WORK/$t.err" || rc=$?
	fi
	if [ $rc -ne 0 ]; then
		cat "$WORK/$t.err" >"$logf"
		echo "@@IOPGT-FAIL initramfs of $t failed" >>"$logf"
	else
		t0=$(date +%s)
		IOPGT_SMP=$smp "$here/boot.sh" "$t" "$WORK" "$logf" || true
		t1=$(date +%s)
	fi
	{
		"$here/parse.sh" "$logf" "$mode" || true
		echo "TIME=$(( ${t1:-0} - ${t0:-0} ))"
	} >"$WORK/$t.result"
}

# Longest (arm64) first so the two slots finish together.
mapfile -t order < <(printf '%s\n' "${targets[@]}" | sort -t- -k2,2r -k1,1)
shift_args=("$@")
running=0
for t in "${order[@]}"; do
	if [ -n "${prep_failed[$(target_suite "$t")]:-}" ]; then
		printf 'UNAME="(not built)"\nFORMATS=\nPASSED=0\nFAILED=1\nSKIPPED=0\nRESULT=fail\nTIME=0\n' >"$WORK/$t.result"
		printf "REASONS='build: the module or the build root of %s failed (output above)\n'\nSKIPS=''\n" \
			"$(target_suite "$t")" >>"$WORK/$t.result"
		echo "@@IOPGT-FAIL build failed" >"$WORK/$t.log"
		continue
	fi
	if [ $running -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	log "$t: booting (smp $smp)"
	if [ "$mode" = run ]; then
		run_target "$t" "${shift_args[@]}" &
	else
		run_target "$t" &
	fi
	running=$((running + 1))
done
wait || true

# ---- report ----
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

printf '\n%-15s %-22s %4s %4s %4s  %-6s %6s  %s\n' target kernel pass fail skip result time formats
for t in "${targets[@]}"; do
	# shellcheck source=/dev/null
	. "$WORK/$t.result"
	fm=${FORMATS:-(none)}
	case $fm in "(no "*) fm="(no formats file)" ;; esac
	printf '%-15s %-22s %4s %4s %4s  %-6s %5ss  %s\n' "$t" "${UNAME:-?}" "$PASSED" "$FAILED" "$SKIPPED" \
		"$([ "$RESULT" = pass ] && echo PASS || echo FAIL)" "$TIME" "$fm"
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
if [ -n "$(echo "${REASONS_ALL:-}" | tr -d '[:space:]')" ]; then
	echo
	echo "failures (console logs in $OUT/logs/):"
	printf '%s' "$REASONS_ALL" | sed '/^$/d'
fi
if [ "$total_fail" -gt 0 ]; then status=1; fi
echo
echo "matrix time: $(($(date +%s) - t_start))s (prepare $((t_prep - t_start))s); logs in $OUT/logs/"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $status
