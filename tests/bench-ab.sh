#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In-VM part of `make bench-ab OLD=<rev>` (scripts/bench-ab.sh): the module
# built from OLD (iopgt-old.ko beside this script) against the one under
# test (/lib/modules/iopgt.ko), loaded in turn in this VM, ROUNDS rounds,
# ABBA order (old new, new old, ...). Each load runs the bench program's
# ab_batched test: 15 batched MAP and UNMAP calls of 131072 pages, each in a
# fresh address space, invalidation recording off. The medians of all the
# runs of each build are compared: the new build's batched map and unmap
# must take at most 2% longer than the old one's (issue 14).
ROUNDS=${ROUNDS:-6}
LIMIT=1.02
here=$(pwd)
old=$here/iopgt-old.ko
new=/lib/modules/iopgt.ko
[ -f "$old" ] || { echo "bench-ab: $old missing"; exit 1; }
# shellcheck disable=SC1091
[ -f ab.env ] && . ./ab.env

load() {
	rmmod iopgt || { echo "bench-ab: rmmod iopgt failed"; return 1; }
	insmod "$1" || { echo "bench-ab: insmod $1 failed"; return 1; }
	i=0
	while [ ! -c /dev/iopgt ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/iopgt ] || { echo "bench-ab: /dev/iopgt missing after insmod $1"; return 1; }
}

run() {	# LABEL KO
	load "$2" || exit 1
	IOPGT_TEST_FILTER=ab_batched IOPGT_BENCH_AB=$1 /tests/iopgt-test-bench >/tmp/ab.out 2>&1
	rc=$?
	grep '^# ab ' /tmp/ab.out >>/tmp/ab.txt
	[ $rc -eq 0 ] || { cat /tmp/ab.out; echo "bench-ab: the $1 run failed"; exit 1; }
}

: >/tmp/ab.txt
r=0
while [ $r -lt "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 0 ]; then
		run old "$old"
		run new "$new"
	else
		run new "$new"
		run old "$old"
	fi
	r=$((r + 1))
done
load "$new" || exit 1

# median of column $3 (map) / $5 (unmap) per label
med() {	# LABEL FIELD
	awk -v l="$1" -v f="$2" '$3 == l { print $f }' /tmp/ab.txt | sort -n |
		awk '{ v[NR] = $1 } END { if (NR % 2) printf "%d\n", v[(NR + 1) / 2]; else printf "%d\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
n=$(awk '$3 == "old"' /tmp/ab.txt | wc -l)
fmt=$(head -n1 /tmp/ab.txt | sed 's/.*(\([^,]*\),.*/\1/')
pages=$(head -n1 /tmp/ab.txt | sed 's/.*, \([0-9]*\) pages).*/\1/')
rc=0
for op in map:5 unmap:7; do
	name=${op%:*}
	f=${op#*:}
	mo=$(med old "$f")
	mn=$(med new "$f")
	verdict=$(awk -v o="$mo" -v n="$mn" -v lim="$LIMIT" 'BEGIN {
		r = n / o; printf "%.3f %s", r, r <= lim ? "ok" : "FAIL" }')
	echo "bench-ab $fmt batched $name of $pages pages: old ${OLD_REV:-OLD} median $mo ns, new median $mn ns, new/old ${verdict% *} (limit $LIMIT; medians of $n runs each, $ROUNDS rounds ABBA) ${verdict#* }"
	[ "${verdict#* }" = ok ] || rc=1
done
exit $rc
