# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Shared by test_man.sh and test_completion.sh: a TAP producer (plan printed
# at the end) and what the CLI's own --help says (the reference the man
# pages and the completion are checked against).

tap_n=0
tap_fail=0

# ok COND_STATUS DESCRIPTION [DIAGNOSTIC...]
ok() {
	st=$1
	desc=$2
	shift 2
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $tap_n - $desc"
	else
		echo "not ok $tap_n - $desc"
		tap_fail=$((tap_fail + 1))
		for d in "$@"; do
			printf '#   %s\n' "$d"
		done
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_fail" -eq 0 ]
}

# The subcommands listed under "commands:" in `iopgt --help`.
cli_commands() {
	"$CLI" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The options of a subcommand: those in its usage synopsis and those that
# start a line of its --help text.
cli_options() {
	"$CLI" "$1" --help | awk '
		/^usage:/ { u = 1; print; next }
		u && /^ +(\[|iopgt )/ { print; next }
		{ u = 0 }
		/^ +--[a-z]/ { print }' |
		grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}
