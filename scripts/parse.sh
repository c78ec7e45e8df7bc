#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Judge one VM console log.
#
#   parse.sh LOG test|run
#
# Prints shell-sourceable lines: UNAME, FORMATS, PASSED, FAILED, SKIPPED,
# RUN_RC (mode run), RESULT (pass|fail), and REASONS / SKIPS (newline-
# separated text). Exit 0 when the target passed, 1 otherwise.
#
# Rules: each program between @@IOPGT-BEGIN/END is TAP; `ok`/`not ok` lines
# count (`# SKIP` -> skipped, `not ok ... # TODO` -> skipped); a program with
# rc != 0, no plan, or a plan that does not match its count adds a failure
# (unless it already reported a `not ok`); a `not ok`'s reason carries the
# test's first two `# FAIL` messages before it. The target fails on any failure,
# on a kernel report in the log, on a missing @@IOPGT-RESULT pass, on a
# hardened boot that did not validate the slab caches, and on a host-side
# timeout. Kernel reports (each reason names the rules a line matched):
#   WARN/BUG/Oops    WARNING:, BUG:, Oops, Call Trace, Kernel panic
#   SLUB report      ^BUG <cache> (Tainted|Not tainted) (any cache)
#   SLUB poison      Poison overwritten
#   SLUB redzone     Redzone
#   page poison      pagealloc: memory corruption
#   KFENCE           KFENCE:
#   UBSAN            UBSAN:
#   KASAN            KASAN: (the sanitizer kernels, scripts/debugkernel.sh)
#   lockdep          possible circular / recursive locking, inconsistent lock
#                    state, irq lock inversion, suspicious RCU usage, lock held
#                    when returning to user space, DEBUG_LOCKS_WARN_ON
#   atomic sleep     sleeping function called from invalid context
#   DEBUG_OBJECTS    ODEBUG:
#   kmemleak         unreferenced object 0x..., suspected memory leaks
# Known noise that matches none of them: with slub_debug, two ARM_V7S
# address spaces alive at once make the kernel print "debugfs:
# 'io-pgtable_armv7s_l2' already exists in 'slab'".
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 LOG test|run" >&2; exit 2; }
log=$1 mode=$2

tr -d '\r' <"$log" | awk -v mode="$mode" '
function q(s) { gsub(/\047/, "\047\\\047\047", s); return "\047" s "\047" }
function reason(s) { reasons = reasons s "\n" }
function endprog(rc,    bad) {
	bad = ""
	if (rc != 0) bad = "exit status " rc (rc == 137 ? " (killed: per-program timeout?)" : "")
	else if (plan < 0) bad = "no TAP plan"
	else if (plan != cnt) bad = "planned " plan " tests, ran " cnt
	if (bad != "") {
		reason(prog ": " bad)
		if (pnotok == 0) failed++
	}
	inprog = 0
}
BEGIN { passed = failed = skipped = 0; inprog = 0; result = ""; uname = ""; formats = "" }
{
	line = $0
	# Kernel messages: judge them, never count them as TAP.
	if (line !~ /^@@IOPGT/) {
		rules = ""
		if (line ~ /(WARNING:|BUG:|Oops|Call Trace|Kernel panic)/) rules = rules ", WARN/BUG/Oops"
		if (line ~ /^(\[[^]]*\] *)*BUG [^ ]+ \((Not t|T)ainted/) rules = rules ", SLUB report"
		if (line ~ /Poison overwritten/) rules = rules ", SLUB poison"
		if (line ~ /Redzone/) rules = rules ", SLUB redzone"
		if (line ~ /pagealloc: memory corruption/) rules = rules ", page poison"
		if (line ~ /KFENCE:/) rules = rules ", KFENCE"
		if (line ~ /UBSAN:/) rules = rules ", UBSAN"
		if (line ~ /: address space [0-9]+ broken: /) rules = rules ", iopgt broken AS"
		if (line ~ /KASAN:/) rules = rules ", KASAN"
		if (line ~ /(possible circular locking|possible recursive locking|inconsistent lock state|irq lock inversion|suspicious RCU usage|lock held when returning to user space|DEBUG_LOCKS_WARN_ON)/) rules = rules ", lockdep"
		if (line ~ /sleeping function called from invalid context/) rules = rules ", atomic sleep"
		if (line ~ /ODEBUG:/) rules = rules ", DEBUG_OBJECTS"
		if (line ~ /(unreferenced object 0x|suspected memory leak)/) rules = rules ", kmemleak"
		if (rules != "") {
			# the first 8 report lines, and the first line of every
			# rule not shown yet
			nr = split(substr(rules, 3), rl, ", ")
			newrule = 0
			for (i = 1; i <= nr; i++) if (!shownrule[rl[i]]) newrule = 1
			if (!seenkern[line]++ && (nkern < 8 || newrule)) {
				reason("kernel [" substr(rules, 3) "]: " line); nkern++
				for (i = 1; i <= nr; i++) shownrule[rl[i]] = 1
			}
			kernbad = 1
		}
	}
	if (line ~ /^@@IOPGT-HARDENED/) hardened = 1
	if (line ~ /^@@IOPGT-SLAB-VALIDATED/) validated = 1
	# A kernel message can land in the middle of a user line: cut it off.
	if (line ~ /^\[ *[0-9]+\.[0-9]+\]/) next
	sub(/\[ *[0-9]+\.[0-9]+\] .*$/, "", line)
	if (line ~ /^@@IOPGT-UNAME /) { uname = line; sub(/^@@IOPGT-UNAME /, "", uname); next }
	if (line ~ /^@@IOPGT-FORMATS /) { formats = line; sub(/^@@IOPGT-FORMATS /, "", formats); next }
	if (line ~ /^@@IOPGT-FAIL /) { r = line; sub(/^@@IOPGT-FAIL /, "", r); reason("vm: " r); next }
	if (line ~ /^@@IOPGT-HOST-TIMEOUT/) { reason("host: VM timed out"); timeout = 1; next }
	if (line ~ /^@@IOPGT-RESULT /) { result = line; sub(/^@@IOPGT-RESULT /, "", result); next }
	if (line ~ /^@@IOPGT-RUN-END rc=/) { r = line; sub(/^@@IOPGT-RUN-END rc=/, "", r); runrc = r + 0; haverun = 1; next }
	if (line ~ /^@@IOPGT-BEGIN /) {
		if (inprog) endprog(-1)
		prog = line; sub(/^@@IOPGT-BEGIN /, "", prog); inprog = 1; plan = -1; cnt = 0; pnotok = 0; nfail = 0; next
	}
	if (line ~ /^@@IOPGT-END /) {
		n = split(line, f, "rc="); endprog(f[n] + 0); next
	}
	if (!inprog) next
	if (line ~ /^1\.\.[0-9]+/) {
		plan = substr(line, 4) + 0
		if (plan == 0) { skipped++; r = line; sub(/^1\.\.0 *#? *([Ss][Kk][Ii][Pp])? */, "", r); skips = skips prog ": " r "\n" }
		next
	}
	# the first two FAIL messages of a test, shown beside its not ok
	if (line ~ /^# FAIL /) { if (nfail < 2) pfail[nfail++] = substr(line, 8, 400); next }
	if (line ~ /^ok [0-9]+/) {
		cnt++; nfail = 0
		if (line ~ /# *[Ss][Kk][Ii][Pp]/) {
			skipped++; r = line; sub(/.*# *[Ss][Kk][Ii][Pp]([Pp][Ee][Dd])? */, "", r)
			skips = skips prog ": " r "\n"
		} else passed++
		next
	}
	if (line ~ /^not ok [0-9]+/) {
		cnt++
		if (line ~ /# *[Tt][Oo][Dd][Oo]/) { skipped++; skips = skips prog ": " line "\n"; next }
		failed++; pnotok++; reason(prog ": " line)
		for (i = 0; i < nfail; i++) reason(prog ":   " pfail[i])
		nfail = 0; next
	}
}
END {
	if (inprog) endprog(-1)
	bad = failed > 0 || kernbad || timeout || result != "pass"
	if (result == "") reason("vm: no @@IOPGT-RESULT line (crash or timeout)")
	else if (hardened && !validated) { bad = 1; reason("vm: hardened boot but the slab caches were not validated") }
	if (mode == "run") {
		if (!haverun) { reason("vm: the script did not finish"); runrc = 255 }
		if (runrc != 0) { bad = 1; reason("script exited with status " runrc) }
		print "RUN_RC=" runrc
	}
	print "UNAME=" q(uname)
	print "FORMATS=" q(formats)
	print "PASSED=" passed
	print "FAILED=" failed
	print "SKIPPED=" skipped
	print "RESULT=" (bad ? "fail" : "pass")
	print "REASONS=" q(reasons)
	print "SKIPS=" q(skips)
	exit bad ? 1 : 0
}'
