#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion, driven as bash does (COMP_WORDS/COMP_CWORD, _iopgt):
# it offers every subcommand of `iopgt --help` and every option of each
# `iopgt CMD --help`; format names are the kernel's available ones from
# `iopgt formats --json` (a stub answers here) or, when no kernel answers,
# every IOPGT_FMT_* name of the uapi header; ids come from `iopgt list --json`.
#
#   test_completion.sh PATH/TO/iopgt PATH/TO/completion
set -u
CLI=$1
COMPLETION=$2
here=$(dirname "$0")
uapi=$here/../../uapi/linux/iopgt.h
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"

# complete WORD...: the candidates (sorted, one per line) for the last word.
complete_words() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_iopgt
		printf "%s\n" "${COMPREPLY[@]}"' sh "$COMPLETION" "$@" | sed '/^$/d' | sort -u
}

# has "CANDIDATES" WORD...: the words missing from the candidates.
missing_of() {
	local cand=$1 w m=""
	shift
	for w in "$@"; do
		printf '%s\n' "$cand" | grep -qx -- "$w" || m="$m $w"
	done
	echo "$m"
}

bash -n "$COMPLETION"
ok $? "the completion script parses"

cmds=$(cli_commands)
ok "$([ -n "$cmds" ] && echo 0 || echo 1)" "iopgt --help lists subcommands" "$CLI --help has no 'commands:' list"
# shellcheck disable=SC2086
m=$(missing_of "$(complete_words "$CLI" "")" $cmds)
ok "$([ -z "$m" ] && echo 0 || echo 1)" "'iopgt <TAB>' offers every subcommand of iopgt --help" \
	"subcommands missing from the completion:$m"
for c in $cmds; do
	want=$(cli_options "$c")
	# shellcheck disable=SC2086
	m=$(missing_of "$(complete_words "$CLI" "$c" --)" $want --help)
	ok "$([ -z "$m" ] && echo 0 || echo 1)" "'iopgt $c --<TAB>' offers its options" \
		"options of '$CLI $c --help' missing from the completion:$m"
	# shellcheck disable=SC2086
	extra=$(complete_words "$CLI" "$c" -- | while read -r w; do
		printf '%s\n' $want --help | grep -qx -- "$w" || printf ' %s' "$w"; done)
	ok "$([ -z "$extra" ] && echo 0 || echo 1)" "'iopgt $c --<TAB>' offers no option $c lacks" \
		"offered by the completion but not in '$CLI $c --help':$extra"
done

got=$(complete_words "$CLI" --)
ok "$([ "$got" = "$(printf '%s\n' --device --help --version)" ] && echo 0 || echo 1)" \
	"'iopgt --<TAB>' offers the global options" "got: $(echo $got)"

got=$(complete_words "$CLI" dump 1 --format "")
want=$("$CLI" dump --help | sed -n 's/.*--format \([a-z|]*\).*/\1/p' | tr '|' '\n' | sort -u)
ok "$([ -n "$want" ] && [ "$got" = "$want" ] && echo 0 || echo 1)" \
	"'iopgt dump 1 --format <TAB>' offers the dump formats of dump --help" \
	"got: $(echo $got)" "want: $(echo $want)"

got=$(complete_words "$CLI" dump 1 --format r)
ok "$([ "$got" = ranges ] && echo 0 || echo 1)" "'--format r<TAB>' completes to ranges" "got: $(echo $got)"

# No kernel answers (device missing): every format name of the uapi.
got=$(complete_words "$CLI" --device /nonexistent/iopgt create "")
want=$(sed -n 's/^[[:space:]]*IOPGT_FMT_\([A-Z0-9_]*\) = [0-9]*,.*/\1/p' "$uapi" | grep -vx -e INVALID -e COUNT | sort -u)
ok "$([ -n "$want" ] && [ "$got" = "$want" ] && echo 0 || echo 1)" \
	"'iopgt create <TAB>' without a device offers every IOPGT_FMT_* name" \
	"got:  $(echo $got)" "want: $(echo $want)"

# A kernel that answers: a stub iopgt printing what the real one prints.
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
cat >"$stub/iopgt" <<'STUB'
#!/bin/sh
[ "$1" = --device ] && { echo "$2" >"$(dirname "$0")/device"; shift 2; }
case "$1 $2" in
"formats --json")
	echo '['
	echo '{"format":3,"name":"ARM_64_LPAE_S1","available":true,"backend":"io-pgtable","unavail_reason":0}'
	echo ',{"format":7,"name":"APPLE_DART","available":false,"backend":"io-pgtable","unavail_reason":2}'
	echo ',{"format":11,"name":"PT_AMDV1","available":true,"backend":"generic_pt","unavail_reason":0}'
	echo ']' ;;
"list --json")
	echo '[{"id":3,"format":3,"format_name":"ARM_64_LPAE_S1","owner":1,"persistent":true}'
	echo ',{"id":12,"format":3,"format_name":"ARM_64_LPAE_S1","owner":1,"persistent":false}]' ;;
*) exit 1 ;;
esac
STUB
chmod +x "$stub/iopgt"
got=$(complete_words "$stub/iopgt" create "")
ok "$([ "$got" = "$(printf '%s\n' ARM_64_LPAE_S1 PT_AMDV1)" ] && echo 0 || echo 1)" \
	"'iopgt create <TAB>' offers the kernel's available formats only" "got: $(echo $got)"
got=$(complete_words "$stub/iopgt" --device /dev/other create A)
ok "$([ "$got" = ARM_64_LPAE_S1 ] && [ "$(cat "$stub/device" 2>/dev/null)" = /dev/other ] && echo 0 || echo 1)" \
	"'iopgt --device D create A<TAB>' asks device D" "got: $(echo $got), device asked: $(cat "$stub/device" 2>/dev/null)"
for c in destroy map unmap translate walk regs dump; do
	got=$(complete_words "$stub/iopgt" "$c" "")
	ok "$([ "$got" = "$(printf '%s\n' 12 3)" ] && echo 0 || echo 1)" \
		"'iopgt $c <TAB>' offers the ids of iopgt list --json" "got: $(echo $got)"
done
got=$(complete_words "$stub/iopgt" map 3 0x1000 0x80000000 4K "")
m=$(missing_of "$got" r rw nx cache mmio priv)
ok "$([ -z "$m" ] && echo 0 || echo 1)" "'iopgt map ID IOVA PADDR LEN <TAB>' offers protections" "missing:$m"
got=$(complete_words "$stub/iopgt" map 3 0x1000 "")
ok "$([ -z "$got" ] && echo 0 || echo 1)" "'iopgt map ID IOVA <TAB>' offers nothing (a number)" "got: $(echo $got)"

tap_done
