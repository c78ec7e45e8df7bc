#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The manual pages: formatted by man without a warning, with a whatis line
# (lexgrog); iopgt(8) has a section per subcommand that `iopgt --help` lists,
# naming every option of its `iopgt CMD --help`; libiopgt(3) names every
# function of <libiopgt.h>.
#
#   test_man.sh PATH/TO/iopgt MANDIR
set -u
CLI=$1
MANDIR=$2
here=$(dirname "$0")
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"
hdr=$here/../lib/include/libiopgt.h

for page in iopgt.8 iopgt-script.5 libiopgt.3; do
	f=$MANDIR/$page
	if ! [ -f "$f" ]; then
		ok 1 "$page exists" "missing: $f"
		continue
	fi
	if command -v man >/dev/null 2>&1; then
		w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
		ok "$([ -z "$w" ] && echo 0 || echo 1)" "$page: man --warnings is silent" "$w"
	else
		skip "$page: man --warnings" "man not installed (Debian: apt install man-db)"
	fi
	if command -v lexgrog >/dev/null 2>&1; then
		w=$(lexgrog "$f" 2>&1)
		st=$?
		case $w in *": parse failed"*) st=1 ;; esac
		ok "$st" "$page: lexgrog finds the whatis line" "$w"
	else
		skip "$page: lexgrog" "lexgrog not installed (Debian: apt install man-db)"
	fi
done

# The text of the `.SS NAME ...` subsection of iopgt.8 (up to the next .SS/.SH).
man_section() {
	awk -v n="$1" '
		/^\.S[SH]/ { in_s = 0 }
		$1 == ".SS" { w = $2; gsub(/"/, "", w); if (w == n) in_s = 1 }
		in_s { print }' "$MANDIR/iopgt.8"
}

# Every option of a command's table has its usage text: `iopgt CMD --help`
# prints "  --NAME [ARG]  TEXT" for it (no TEXT: the table lacks its help).
for c in $(cli_commands); do
	undescribed=""
	help=$("$CLI" "$c" --help)
	for o in $(cli_options "$c"); do
		printf '%s\n' "$help" | grep -q -- "^  $o\( [^ ]*\)\{0,1\}  *[^ ]" ||
			undescribed="$undescribed $o"
	done
	ok "$([ -z "$undescribed" ] && echo 0 || echo 1)" "iopgt $c --help describes each of its options" \
		"options of '$c' without a usage line (help text in its option table):$undescribed"
done

cmds=$(cli_commands)
ok "$([ -n "$cmds" ] && echo 0 || echo 1)" "iopgt --help lists subcommands" "$CLI --help has no 'commands:' list"
for c in $cmds; do
	sec=$(man_section "$c")
	if [ -z "$sec" ]; then
		ok 1 "iopgt.8 documents subcommand '$c'" "no '.SS $c' subsection in $MANDIR/iopgt.8"
		continue
	fi
	missing=""
	for o in $(cli_options "$c"); do
		esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		printf '%s\n' "$sec" | grep -q -- "$esc\\([^a-z0-9\\\\-]\\|$\\)" || missing="$missing $o"
	done
	ok "$([ -z "$missing" ] && echo 0 || echo 1)" "iopgt.8 documents subcommand '$c' and its options" \
		"options in '$CLI $c --help' but not in the '.SS $c' subsection of iopgt.8:$missing"
done

# Every function of the library's header is in libiopgt(3).
missing=""
[ -f "$hdr" ] || ok 1 "the library header exists" "missing: $hdr"
for fn in $(sed -n 's/^[a-z].*[ *]\(iopgt_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u); do
	grep -q "\\<$fn\\>" "$MANDIR/libiopgt.3" || missing="$missing $fn"
done
ok "$([ -z "$missing" ] && echo 0 || echo 1)" "libiopgt.3 names every function of libiopgt.h" \
	"declared in $hdr but not in libiopgt.3:$missing"

tap_done
