#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `iopgt dump` renders recorded netlink streams (IOPGT_DUMP_REPLAY, written
# by gen_dump from the module's message format) byte for byte as the golden
# files say, in all four output formats (golden/cases lists the streams).
# The goldens were written once by the CLI before its dump path was
# optimised: an optimisation must not change a byte.
#
#   test_dump_golden.sh PATH/TO/iopgt PATH/TO/gen_dump [--write]
set -u
CLI=$1
GEN=$2
WRITE=${3:-}
here=$(dirname "$0")
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

grep -v '^#' "$here/golden/cases" > "$tmp/cases"
while read -r name rest; do
	gen=${rest%% --*}
	opts=${rest#*--}
	# shellcheck disable=SC2086
	if ! "$GEN" $gen > "$tmp/$name.rec"; then
		ok 1 "$name: gen_dump $gen" "gen_dump failed"
		continue
	fi
	for fmt in tree ranges json dot; do
		g=$here/golden/$name.$fmt.gz
		# shellcheck disable=SC2086
		IOPGT_DUMP_REPLAY=$tmp/$name.rec "$CLI" dump 1 --format "$fmt" $opts \
			> "$tmp/out" 2> "$tmp/err"
		st=$?
		if [ "$WRITE" = --write ]; then
			gzip -9n < "$tmp/out" > "$g"
		fi
		if [ $st -ne 0 ]; then
			ok 1 "$name --format $fmt$opts: exit 0" "exit $st: $(cat "$tmp/err")"
		elif ! [ -f "$g" ]; then
			ok 1 "$name --format $fmt$opts: golden exists" "missing $g"
		elif gzip -dc "$g" | cmp -s - "$tmp/out"; then
			ok 0 "$name --format $fmt$opts: byte-identical to the golden ($(wc -c < "$tmp/out") bytes)"
		else
			ok 1 "$name --format $fmt$opts: byte-identical to the golden" \
				"$(gzip -dc "$g" | diff - "$tmp/out" | head -6 | tr '\n' '|')"
		fi
	done
done < "$tmp/cases"
tap_done
