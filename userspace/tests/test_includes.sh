#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The include graph of userspace/ (lib/, cli/): no circle (tsort), and the
# library includes nothing of the CLI. Prints the edges as diagnostics.
#
#   test_includes.sh USERSPACE_SRC
set -u
SRC=$(cd "$1" && pwd)
here=$(dirname "$0")
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"

# "FILE INCLUDED" per local #include "...", paths relative to $SRC
edges() {
	for f in "$SRC"/lib/*.[ch] "$SRC"/lib/include/*.h "$SRC"/cli/*.[ch]; do
		rel=${f#"$SRC"/}
		dir=$(dirname "$rel")
		sed -n 's/^#include "\(.*\)".*/\1/p' "$f" | while read -r inc; do
			for d in "$dir" lib/include; do
				t=$(cd "$SRC/$d" 2>/dev/null && [ -f "$inc" ] &&
					realpath --relative-to="$SRC" "$inc")
				if [ -n "$t" ]; then
					echo "$rel $t"
					break
				fi
			done
		done
	done
}

edges >"${TMPDIR:-/tmp}/inc.$$"
n=$(wc -l <"${TMPDIR:-/tmp}/inc.$$")
ok "$([ "$n" -gt 10 ] && echo 0 || echo 1)" "found the includes of lib/ and cli/ ($n edges)"
loop=$(tsort "${TMPDIR:-/tmp}/inc.$$" 2>&1 >/dev/null)
ok "$([ -z "$loop" ] && echo 0 || echo 1)" "the include graph of userspace/ has no circle" "$loop"
up=$(grep '^lib/.* cli/' "${TMPDIR:-/tmp}/inc.$$")
ok "$([ -z "$up" ] && echo 0 || echo 1)" "lib/ includes nothing of cli/" "$up"
sed 's/^/#   /' "${TMPDIR:-/tmp}/inc.$$"
rm -f "${TMPDIR:-/tmp}/inc.$$"
tap_done
