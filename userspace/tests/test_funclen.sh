#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# No function of the CLI (cli/*.c) is longer than 80 lines (opening line to
# closing brace). Prints the ten longest as diagnostics.
#
#   test_funclen.sh USERSPACE_SRC [MAX]
set -u
SRC=$1
MAX=${2:-80}
here=$(dirname "$0")
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"

# "LINES FILE:LINE NAME" per function: a definition starts at a line that
# begins with a letter and holds "NAME(", its body ends at "}" in column 0.
funclens() {
	for f in "$@"; do
		awk -v file="${f##*/}" '
			/^[A-Za-z].*[A-Za-z0-9_]\(/ && !/;[ \t]*$/ && !start {
				s = $0; gsub(/__attribute__\(\([^)]*\)\) */, "", s); sub(/\(.*/, "", s); n = split(s, w, /[ *]+/)
				name = w[n]; start = NR
			}
			/^\{/ && start { body = 1 }
			/^}/ && body { printf "%d %s:%d %s\n", NR - start + 1, file, start, name
				start = 0; body = 0 }
			/^[^ \t{}]/ && !/^[A-Za-z].*\(/ && !body && start && /;/ { start = 0 }
		' "$f"
	done | sort -rn
}

funclens "$SRC"/cli/*.c >"${TMPDIR:-/tmp}/funclen.$$"
long=$(awk -v max="$MAX" '$1 > max' "${TMPDIR:-/tmp}/funclen.$$")
n=$(wc -l <"${TMPDIR:-/tmp}/funclen.$$")
ok "$([ "$n" -gt 20 ] && echo 0 || echo 1)" "found the CLI's functions ($n)"
ok "$([ -z "$long" ] && echo 0 || echo 1)" "no CLI function is longer than $MAX lines" \
	"longer: $(echo $long)"
head -10 "${TMPDIR:-/tmp}/funclen.$$" | sed 's/^/#   /'
rm -f "${TMPDIR:-/tmp}/funclen.$$"
tap_done
