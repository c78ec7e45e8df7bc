#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants`: does the suite catch bugs in the kernel's own page-table
# code? Builds each mutant of scripts/mutants/mutants.list (io-pgtable-arm.c
# and io-pgtable-arm-v7s.c into the arm64 sanitizer kernel, generic_pt into
# the amd64 one) by an incremental rebuild of a COPY of the cached debug
# kernel tree, boots it like the sid-ARCH-debug target and runs the suite's
# page-table programs (or all of them) and the kernel's own tests of these
# libraries (KUnit modules, the v7s boot-time selftest), then prints
# mutant -> killed by (program, first failing TAP line) or SURVIVED, and the
# kill ratios of the suite and of the kernel's own tests.
#
#   mutants.sh [--all-progs] [--list] [MUTANT|ARCH...]
#
# MUTANT: ids of mutants.list; ARCH (arm64, amd64): all mutants of that
# kernel; default: every mutant. Each arch first runs its unmutated kernel
# ("none"): the suite must pass there, and its KUnit failures are the
# baseline (7.2.13's generic_pt KUnit fails unmutated).
#
# Environment: IOPGT_MUTANT_PROGS (the programs run per mutant, names
# without iopgt-test-; default below; --all-progs: every program but bench
# and clirate), IOPGT_MUTANT_VM_TIMEOUT (host-side limit per boot, default
# 1500 s), OUT (results in $OUT/mutants/), IOPGT_CACHE.
#
# The cached debug trees ($IOPGT_CACHE/debug/) and their shared source are
# never written: $IOPGT_CACHE/mutants/ holds a hard-linked copy of the source
# (a mutated file is replaced by a new file, never written through the
# link) and a `cp -a` of each O= build tree; the build runs in a private
# mount namespace where the copies are bind-mounted over the cached paths
# (the source read-only), so kbuild sees the paths it built with and
# recompiles only the mutated file (+ relink). The module is built once per
# arch against the cached tree (no MODVERSIONS: it loads on every mutant).
# Mutant boots add panic_on_warn=0 (boot.sh IOPGT_BOOT_APPEND) so that a
# WARN in the mutated library, or the v7s selftest's, does not end the run:
# the suite's own verdict and the kernel's tests' verdict stay separate.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(cd "$(dirname "$0")" && pwd)
LIST=$here/mutants/mutants.list
M=$IOPGT_CACHE/mutants
RES=$OUT/mutants
DEFAULT_PROGS="conformance oracle walker flush leafprot"
progs=${IOPGT_MUTANT_PROGS:-$DEFAULT_PROGS}
allprogs=
tableonly=
sel=()
for a in "$@"; do
	case $a in
	--all-progs) allprogs=1 ;;
	--table) tableonly=1 ;;
	--list) grep -v '^#' "$LIST" | awk -F'\t' 'NF { printf "%-22s %-6s %s\n", $1, $2, $5 }'; exit 0 ;;
	-*) die "usage: $0 [--all-progs] [--list] [MUTANT|ARCH...]" ;;
	*) sel+=("$a") ;;
	esac
done

# The selected mutants, per arch, in list order.
declare -A m_arch=() m_file=() m_sed=() m_what=()
ids=()
while IFS=$'\t' read -r id arch file sc what; do
	case $id in '' | '#'*) continue ;; esac
	[ -n "$what" ] || die "$LIST: $id: expected 5 TAB-separated fields"
	if [ ${#sel[@]} -gt 0 ]; then
		case " ${sel[*]} " in *" $id "* | *" $arch "*) ;; *) continue ;; esac
	fi
	ids+=("$id")
	m_arch[$id]=$arch m_file[$id]=$file m_sed[$id]=$sc m_what[$id]=$what
done <"$LIST"
for a in "${sel[@]}"; do
	case " ${ids[*]} ${IOPGT_ARCHES[*]} " in *" $a "*) ;; *) die "unknown mutant or arch '$a' (see $0 --list)" ;; esac
done
# ids named on the command line run in that order
ordered=()
for a in "${sel[@]}"; do
	case " ${ids[*]} " in *" $a "*) ordered+=("$a") ;; esac
done
for id in "${ids[@]}"; do
	case " ${ordered[*]} " in *" $id "*) ;; *) ordered+=("$id") ;; esac
done
ids=("${ordered[@]}")
[ ${#ids[@]} -gt 0 ] || [ -n "$tableonly" ] || die "no mutant selected"
# every file any mutant of the list touches (restored before each build)
mapfile -t all_files < <(grep -v '^#' "$LIST" | awk -F'\t' 'NF { print $2 " " $3 }' | sort -u)

mkdir -p "$M" "$RES"
host_tools_all

# kbuild in the copies: ARCH's build copy and the source copy bind-mounted
# at the cached paths, in the kbuild root, in a private mount namespace.
mkbuild() {
	local arch=$1 root
	shift
	root=$("$here/kroot.sh" ensure "$GCC")
	# shellcheck disable=SC2016
	nice -n 5 unshare -m -- sh -c '
		root=$1 mysrc=$2 mybuild=$3 shsrc=$4 shbuild=$5
		shift 5
		mount --make-rprivate / || exit 1
		mkdir -p "$root$shsrc" "$root$shbuild" || exit 1
		mount --bind "$mysrc" "$root$shsrc" || exit 1
		mount -o remount,bind,ro "$root$shsrc" || exit 1
		mount --bind "$mybuild" "$root$shbuild" || exit 1
		[ -f "$root$shbuild/.iopgt-mutant-copy" ] || { echo "mutants: the build copy is not mounted at $shbuild" >&2; exit 1; }
		mount -t proc proc "$root/proc" || exit 1
		exec chroot "$root" env LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"' \
		sh "$root" "$MSRC" "$MBUILD" "$SHSRC" "$SHBUILD" \
		make -C "$SHSRC" O="$SHBUILD" ARCH="$(arch_kernel "$arch")" \
		${CROSS:+CROSS_COMPILE=$CROSS} CC="$CC" -j"${IOPGT_KBUILD_JOBS:-$(nproc)}" "$@"
}

# put FILE's pristine text (or TEXT-FILE) into the source copy as a new
# file (never through the hard link).
put_file() {
	local rel=$1 from=$2
	cp "$from" "$MSRC/$rel.iopgt-new"
	mv -f "$MSRC/$rel.iopgt-new" "$MSRC/$rel"
}
restore_all() {
	local a f
	for f in "${all_files[@]}"; do
		a=${f%% *} f=${f#* }
		[ "$a" = "$ARCH" ] || continue
		cmp -s "$SHSRC/$f" "$MSRC/$f" || put_file "$f" "$SHSRC/$f"
	done
}
# mutate ID: write the mutated file into the copy; fails when the spec no
# longer applies to this source.
mutate() {
	local id=$1 f=${m_file[$1]} sc=${m_sed[$1]} tmp n
	tmp=$(mktemp)
	case $sc in
	patch:*)
		patch -s -p1 -o "$tmp" "$SHSRC/$f" <"$here/mutants/${sc#patch:}" >/dev/null ||
			{ rm -f "$tmp"; echo "patch ${sc#patch:} does not apply to $f"; return 1; }
		;;
	*) sed "$sc" "$SHSRC/$f" >"$tmp" ;;
	esac
	n=$(diff "$SHSRC/$f" "$tmp" | grep -c '^<' || true)
	if [ "$n" != 1 ]; then
		rm -f "$tmp"
		echo "the mutant changes $n lines of $f (expected 1): the spec does not fit this source"
		return 1
	fi
	put_file "$f" "$tmp"
	rm -f "$tmp"
}

# The KUnit modules of the build copy into the target's dir (as build.sh).
copy_kunit() {
	local d=$WORK/$T f
	rm -rf "$d/kunit"
	mkdir -p "$d/kunit"
	for f in lib/kunit/kunit.ko drivers/iommu/io-pgtable-arm-selftests.ko \
		$(grep -E '^drivers/iommu/.*(kunit|test)[^/]*\.k?o$' "$MBUILD/modules.order" | sed 's/\.o$/.ko/'); do
		[ -f "$MBUILD/$f" ] || continue
		[ -f "$d/kunit/$(basename "$f")" ] && continue
		basename "$f" >>"$d/kunit/order"
		cp "$MBUILD/$f" "$d/kunit/"
	done
}

# boot_run NAME SKIP: boot the build copy's kernel with the programs of
# SKIP left out; console in $RES/ARCH-NAME.log.
boot_run() {
	local name=$1 skip=$2 logf=$RES/$ARCH-$1.log t0
	cp "$MBUILD/$IMG" "$WORK/$T/mutant-image"
	sed -i "s|^OWN_KERNEL=.*|OWN_KERNEL=$WORK/$T/mutant-image|" "$WORK/$T/kernel.env"
	copy_kunit
	IOPGT_KUNIT=1 IOPGT_SKIP_PROGS="$skip" IOPGT_HARDENED='' IOPGT_DEFECT='' \
		IOPGT_TEST_TIMEOUT=$((${IOPGT_TEST_TIMEOUT:-240} * 3)) IOPGT_TEST_TIMEOUT_SCALE=3 \
		"$here/initramfs.sh" "$T" "$WORK" test 2>"$RES/$ARCH-$name.initramfs.err" ||
		{ cat "$RES/$ARCH-$name.initramfs.err" >&2; die "initramfs for $name failed"; }
	t0=$(date +%s)
	IOPGT_HARDENED='' IOPGT_SMP=1 IOPGT_BOOT_APPEND="panic_on_warn=0" \
		IOPGT_VM_TIMEOUT=${IOPGT_MUTANT_VM_TIMEOUT:-1500} \
		nice -n 5 "$here/boot.sh" "$T" "$WORK" "$logf" || true
	echo $(($(date +%s) - t0)) >"$RES/$ARCH-$name.boot-secs"
}

# verdict LOG: print three lines:
#   suite <killed|survived|broken> <text>
#   kunit <not-ok case names, space separated|-> (- : no KUnit result)
#   selftest <ok|failed|crashed|->
# The suite's window is from the first program to the kunit program:
# a program's `not ok`, rc != 0 or missing end, a kernel report (WARN,
# BUG, Oops, KASAN, UBSAN, lockdep, ...) or a vm-init failure (leak
# counters, module_allocs) there kills the mutant.
verdict() {
	tr -d '\r' <"$1" | awk -v progs=" $RUNPROGS " '
	function rep(s) { return s !~ /^@@IOPGT/ && s ~ /WARNING:|BUG:|Oops|KASAN:|UBSAN:|Kernel panic|Call Trace|circular locking|recursive locking|inconsistent lock state|suspicious RCU|ODEBUG:|unreferenced object 0x|sleeping function called from invalid context|iopgt.*(broken|disagree)/ }
	function clean(s) { sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s); gsub(/\t/, " ", s); return substr(s, 1, 200) }
	/self test ok/ { st = "ok" }
	/selftest: test failed/ { st = "failed" }
	/^@@IOPGT-BEGIN / {
		cur = $2; sub(/^iopgt-test-/, "", cur)
		if (cur == "kunit") { inkunit = 1; insuite = 0; sawkunit = 1 } else { insuite = 1; began[cur] = 1 }
		next
	}
	/^@@IOPGT-END / {
		n = $2; sub(/^iopgt-test-/, "", n)
		if (n != "kunit") {
			ended[n] = 1
			rc = $3; sub(/rc=/, "", rc)
			if (rc != 0 && !(n in bad)) { bad[n] = "exit status " rc; order[++nb] = n }
		} else { kunitend = 1 }
		insuite = 0; inkunit = 0; cur = ""
		next
	}
	/^@@IOPGT-RESULT/ { result = $2 }
	/^@@IOPGT-FAIL/ && !inkunit && !sawkunit && started { if (!judge) judge = clean($0) }
	inkunit && /^not ok / { s = $0; sub(/^not ok [0-9]+ /, "", s); sub(/: /, ":", s); gsub(/ /, "_", s); kfail = kfail " " s; next }
	insuite && /^# FAIL/ && !(cur in why) { why[cur] = substr($0, 3, 220) }
	insuite && /^not ok / {
		if (!(cur in bad)) { bad[cur] = clean($0) ((cur in why) ? " (" why[cur] ")" : ""); order[++nb] = cur }
		next
	}
	/^@@IOPGT-INSMOD/ { started = 1 }
	# 7.2.13 under TCG: the fair-server timer WARN (hrtimer_forward from
	# dl_task_timer; README, sanitizer kernels) is a kernel issue, not a
	# mutant effect: its whole splat is skipped
	/WARNING:.*hrtimer_forward/ { noise = 1; noisy = 1; next }
	noise && /---\[ end trace/ { noise = 0; next }
	noise { next }
	(insuite || (started && !sawkunit)) && rep($0) { if (!report) report = clean($0) }
	END {
		for (n in began) if (!(n in ended) && !(n in bad)) { bad[n] = "no end: the VM died or hung in it"; order[++nb] = n }
		# the first failing program with its line, then who else saw it
		out = ""; also = ""
		for (i = 1; i <= nb; i++) { n = order[i]; if (i == 1) out = n ": " bad[n]; else also = also " " n }
		if (report) { if (out == "") out = "console: " report; else also = also " console(" substr(report, 1, 90) ")" }
		if (judge) { if (out == "") out = "judge: " judge; else also = also " judge" }
		if (also != "") out = out "; also:" also
		if (noisy) note = " [the known hrtimer_forward WARN of 7.2.13 under TCG was ignored]"
		else note = ""
		if (!started) print "suite broken the kernel did not reach /init"
		else if (out != "" && nb == 0 && st == "failed")
			# only reports after the v7s selftest failed at boot: it
			# leaves its l2 kmem_cache (a duplicate name WARN when
			# iopgt creates one) and its tables (kmemleak) behind
			print "suite survived (the console/judge only saw what the failed v7s boot selftest left behind: " out ")"
		else if (out != "") print "suite killed " out note
		else print "suite survived" note
		if (sawkunit && kunitend) print "kunit" (kfail == "" ? " -" : kfail)
		else print "kunit ?"
		print "selftest " (st == "" ? "-" : st)
	}'
}

# kill_text_kunit BASELINE FAILS: the KUnit cases that fail here and not
# in the baseline.
new_fails() {
	local base=" $1 " f out=
	for f in $2; do
		[ "$f" = - ] && continue
		case $base in *" $f "*) ;; *) out="$out $f" ;; esac
	done
	echo "${out# }"
}

t_all=$(date +%s)
# run_arch ARCH: the unmutated kernel, then each mutant of ARCH
run_arch() {
	ARCH=$1
	local summary=$RES/summary-$ARCH.tsv mine=() id first=none
	for id in "${ids[@]}"; do [ "${m_arch[$id]}" = "$ARCH" ] && mine+=("$id"); done
	[ ${#mine[@]} -gt 0 ] || return 0
	# IOPGT_MUTANT_NO_BASELINE=1: keep this arch's earlier results and
	# its unmutated run (more mutants into the same table)
	if [ "${IOPGT_MUTANT_NO_BASELINE:-0}" = 1 ] && [ -s "$summary" ]; then
		first=
		base_kunit=$(awk -F'\t' '$2 == "none" { print $6 }' "$summary")
	else
		: >"$summary"
	fi
	T=sid-$ARCH-debug
	log "mutants $ARCH: ${#mine[@]} mutant(s): ${mine[*]}"
	kv=$("$here/debugkernel.sh" build "$ARCH")
	SHBUILD=$(echo "$kv" | sed -n 's/^KDIR=//p')
	SHSRC=$(readlink -f "$SHBUILD/source")
	IMG=$(echo "$kv" | sed -n 's/^KERNEL=//p')
	IMG=${IMG#"$SHBUILD"/}
	GCC=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$SHBUILD/.config")
	CC=$(arch_triplet "$ARCH")-gcc-$GCC
	CROSS=
	[ "$ARCH" = arm64 ] && CROSS=aarch64-linux-gnu-
	# the copies, renewed when the cached tree is another one
	MSRC=$M/$(basename "$(dirname "$SHSRC")")-$ARCH
	MBUILD=$M/$(basename "$(dirname "$SHBUILD")")
	if [ ! -f "$MSRC/.iopgt-mutant-copy" ]; then
		log "mutants: hard-linked copy of $SHSRC"
		rm -rf --one-file-system "$MSRC"
		cp -al "$SHSRC" "$MSRC"
		touch "$MSRC/.iopgt-mutant-copy"
	fi
	if [ ! -f "$MBUILD/.iopgt-mutant-copy" ]; then
		log "mutants: copy of $SHBUILD"
		rm -rf --one-file-system "$MBUILD"
		cp -a "$SHBUILD" "$MBUILD"
		touch "$MBUILD/.iopgt-mutant-copy"
	fi
	# older copies of this arch's tree
	for d in "$M"/*-"$ARCH"-*; do
		[ -d "$d" ] && [ "$d" != "$MBUILD" ] && rm -rf --one-file-system "$d"
	done
	# the module (once, against the cached tree) and the userspace
	# (kept while the sources and the cached tree are the same)
	WORK=$M/work-$ARCH
	stamp=$( { echo "$SHBUILD"; git -C "$IOPGT_REPO" ls-files -s module uapi tests userspace dkms.conf
		git -C "$IOPGT_REPO" diff HEAD -- module uapi tests userspace dkms.conf; } | sha256sum | cut -c1-16)
	if [ "$(cat "$WORK/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$WORK/$T/built" ]; then
		rm -rf "$WORK"
		mkdir -p "$WORK"
		"$here/archive.sh" update "$IOPGT_USER_SUITE" >&2
		"$here/archive.sh" fetch "$IOPGT_USER_SUITE" "$ARCH" >&2
		"$here/build.sh" user "$WORK" "$ARCH" >&2 || die "userspace build failed"
		"$here/build.sh" own "$WORK" "$T" "$SHBUILD/$IMG" "$SHBUILD" >&2 || die "module build against $SHBUILD failed"
		echo "$stamp" >"$WORK/stamp"
	fi
	# the programs left out
	if [ -n "$allprogs" ]; then
		RUNPROGS=$(cd "$WORK/user-$ARCH/tests" && find . -maxdepth 1 -name 'iopgt-test-*' -printf '%f\n' | sed -n 's/^iopgt-test-//p' | sort | grep -vxE 'bench|clirate' | tr '\n' ' ')
	else
		RUNPROGS=$progs
	fi
	skip=
	for p in $(cd "$WORK/user-$ARCH/tests" && find . -maxdepth 1 -name 'iopgt-test-*' -printf '%f\n' | sed -n 's/^iopgt-test-//p' | sort); do
		case " $RUNPROGS " in *" $p "*) ;; *) skip="$skip $p" ;; esac
	done
	skip=${skip# }
	log "mutants $ARCH: programs run: $RUNPROGS (+ kunit)"
	echo "$RUNPROGS" >"$RES/progs-$ARCH"
	for id in $first "${mine[@]}"; do
		t0=$(date +%s)
		restore_all
		why=
		if [ "$id" != none ]; then
			why=$(mutate "$id") || { echo -e "$ARCH\t$id\tERROR\t$why\t-\t-\t0\t0" >>"$summary"; log "$id: $why"; continue; }
		fi
		log "$ARCH $id: incremental build"
		tb=$(date +%s)
		if ! mkbuild "$ARCH" "$(basename "$IMG")" modules >"$RES/$ARCH-$id.build.log" 2>&1; then
			grep -E 'error' "$RES/$ARCH-$id.build.log" | head -n 5 >&2
			[ "$id" = none ] && die "$ARCH: the unmutated copy did not build (log $RES/$ARCH-$id.build.log)"
			echo -e "$ARCH\t$id\tERROR\tthe mutant did not build (log $RES/$ARCH-$id.build.log)\t-\t-\t$(($(date +%s) - tb))\t0" >>"$summary"
			continue
		fi
		tb=$(($(date +%s) - tb))
		log "$ARCH $id: built in ${tb}s; booting"
		boot_run "$id" "$skip"
		v=$(verdict "$RES/$ARCH-$id.log")
		suite=$(echo "$v" | sed -n 's/^suite //p')
		kunit=$(echo "$v" | sed -n 's/^kunit //p')
		st=$(echo "$v" | sed -n 's/^selftest //p')
		if [ "$kunit" = "?" ]; then
			# the VM died before KUnit: a boot with KUnit alone
			log "$ARCH $id: no KUnit result (the run died first): booting for KUnit alone"
			all=$(cd "$WORK/user-$ARCH/tests" && find . -maxdepth 1 -name 'iopgt-test-*' -printf '%f\n' | sed -n 's/^iopgt-test-//p' | sort | tr '\n' ' ')
			boot_run "$id-kunit" "$all"
			v2=$(verdict "$RES/$ARCH-$id-kunit.log")
			kunit=$(echo "$v2" | sed -n 's/^kunit //p')
			[ "$st" = - ] && st=$(echo "$v2" | sed -n 's/^selftest //p')
			[ "$kunit" = "?" ] && kunit="crashed"
		fi
		[ "$id" = none ] && base_kunit=$kunit
		if [ "$id" = none ]; then
			own="baseline: KUnit not ok: ${kunit}; v7s selftest: $st"
			[ "$ARCH" = amd64 ] && own="baseline: KUnit not ok: ${kunit}"
		else
			nf=$(new_fails "$base_kunit" "$kunit")
			own=
			[ "$kunit" = crashed ] && own="KUnit crashed"
			[ -n "$nf" ] && own="KUnit: $nf"
			[ "$st" = failed ] && own="${own:+$own; }v7s selftest failed"
			[ "$st" = - ] && [ "$ARCH" = arm64 ] && own="${own:+$own; }v7s selftest: no result (crashed at boot)"
			[ -n "$own" ] || own=SURVIVED
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ARCH" "$id" "${suite%% *}" "$(echo "$suite" | cut -s -d' ' -f2-)" \
			"$own" "$kunit" "$tb" "$(($(date +%s) - t0))" >>"$summary"
		log "$ARCH $id: suite: $suite | kernel's own tests: $own ($(($(date +%s) - t0)) s)"
		if [ "$id" = none ] && [ "${suite%% *}" != survived ]; then
			restore_all
			die "$ARCH: the unmutated kernel fails the selected programs ($suite): fix that first (log $RES/$ARCH-none.log)"
		fi
	done
	restore_all
}

# The two kernels at once (one vCPU each; their builds are short).
pids=()
[ -n "$tableonly" ] && ids=()
for a in arm64 amd64; do
	[ -n "$tableonly" ] && break
	run_arch "$a" >"$RES/run-$a.log" 2>&1 &
	pids+=($!)
done
tail -q -n +1 -F "$RES/run-arm64.log" "$RES/run-amd64.log" 2>/dev/null &
tailpid=$!
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
kill "$tailpid" 2>/dev/null || true
cat "$RES"/summary-arm64.tsv "$RES"/summary-amd64.tsv >"$RES/summary.tsv" 2>/dev/null || true
RUNPROGS=$(cat "$RES"/progs-* 2>/dev/null | sort -u | sed 's/ *$//' | tr '\n' ';' | sed 's/;$//' || true)
summary=$RES/summary.tsv

# ---- the table ----
{
	echo
	printf '%-22s %-6s %-9s %s\n' mutant arch suite "killed by (first failing program: TAP line or message) / kernel's own tests"
	killed=0 total=0 kkilled=0
	# (\037, not TAB: read would merge empty TAB-separated fields)
	while IFS=$'\037' read -r a id s text own kunit tb tt; do
		# the suite's verdict again from the log (the current rules)
		if [ "$s" != ERROR ] && [ -f "$RES/$a-$id.log" ] && [ -f "$RES/progs-$a" ]; then
			v=$(RUNPROGS=$(cat "$RES/progs-$a") verdict "$RES/$a-$id.log" | sed -n 's/^suite //p')
			s=${v%% *}
			text=$(echo "$v" | cut -s -d' ' -f2-)
		fi
		if [ "$id" = none ]; then
			nk=$(echo "$kunit" | wc -w)
			[ "$kunit" = - ] && nk=0
			printf '%-22s %-6s %-9s %s\n' "(unmutated)" "$a" "$([ "$s" = survived ] && echo pass || echo "$s")" \
				"baseline of the kernel's own tests: $nk KUnit case(s) not ok$([ "$nk" -gt 0 ] && echo " (names in summary.tsv)")${own##*KUnit not ok: "$kunit"}"
			continue
		fi
		if [ "$s" = ERROR ]; then
			printf '%-22s %-6s %-9s %s\n' "$id" "$a" ERROR "$text"
			continue
		fi
		total=$((total + 1))
		[ "$s" = killed ] && killed=$((killed + 1))
		[ "$own" != SURVIVED ] && kkilled=$((kkilled + 1))
		printf '%-22s %-6s %-9s %s\n' "$id" "$a" "$([ "$s" = killed ] && echo KILLED || echo SURVIVED)" "${m_what[$id]:-}"
		[ -n "$text" ] && printf '%-22s %-6s %-9s %s\n' "" "" "" "suite: $text"
		printf '%-22s %-6s %-9s %s\n' "" "" "" "kernel's own tests: $own (build ${tb}s, cycle ${tt}s)"
	done < <(tr '\t' '\037' <"$summary")
	echo
	[ "$total" -gt 0 ] && echo "suite: $killed/$total killed ($((killed * 100 / total))%); kernel's own tests (KUnit + v7s selftest): $kkilled/$total killed ($((kkilled * 100 / total))%)"
	echo "programs per mutant: $RUNPROGS (+ the kernel's KUnit modules); this run $(($(date +%s) - t_all)) s; logs in $RES/"
	grep -q '^amd64' "$summary" && echo "amd64: generic_pt's KUnit fails unmutated, so only a case passing there (or a crash) can kill an amd64 mutant"
} | tee "$RES/table.txt"
exit $rc
