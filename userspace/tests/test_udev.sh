#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The udev rule: its active line keeps /dev/iopgt root-only (root:root
# 0600), its documented group example is the one the in-VM test
# tests/udevgroup.c applies, and `udevadm verify` accepts both (where this
# udevadm has verify; scripts/deb.sh runs it in a Debian 13 root).
#
#   test_udev.sh RULES_FILE VM_TEST_SOURCE
set -u
RULES=$1
VMTEST=$2
# shellcheck source=userspace/tests/cli_help.sh
. "$(dirname "$0")/cli_help.sh"

active=$(grep -v '^[[:space:]]*#' "$RULES" | grep -v '^[[:space:]]*$')
ok "$([ "$active" = 'KERNEL=="iopgt", SUBSYSTEM=="misc", OWNER="root", GROUP="root", MODE="0600"' ] && echo 0 || echo 1)" \
	"the active rule keeps /dev/iopgt root:root 0600" "active lines: $active"
example=$(sed -n "s/^#.*printf '%s\\\\n' '\\(KERNEL==.*\\)' .*/\\1/p" "$RULES")
ok "$([ -n "$example" ] && echo 0 || echo 1)" "the rule documents a group example" "no printf '%s\\n' 'KERNEL==...' line in $RULES"
if [ -f "$VMTEST" ]; then
	intest=$(tr -d '\n' <"$VMTEST" | sed -n 's/.*group_rule\[\] =[[:space:]]*"\(\([^"\\]\|\\.\)*\)";.*/\1/p' | sed 's/\\"/"/g')
	ok "$([ -n "$example" ] && [ "$example" = "$intest" ] && echo 0 || echo 1)" \
		"tests/udevgroup.c applies the rule's group example" "rule:  $example" "tests: $intest"
else
	skip "tests/udevgroup.c applies the rule's group example" "no $VMTEST in this tree"
fi
case $example in
*'GROUP="iopgt"'*'MODE="0660"'*) st=0 ;;
*) st=1 ;;
esac
ok "$st" "the example grants group iopgt 0660" "example: $example"

if udevadm verify --help >/dev/null 2>&1; then
	tmp=$(mktemp -d)
	printf '%s\n' "$example" >"$tmp/61-example.rules"
	out=$(udevadm verify --resolve-names=never "$RULES" "$tmp/61-example.rules" 2>&1)
	ok $? "udevadm verify accepts the rule and its example" "$out"
	rm -rf "$tmp"
else
	skip "udevadm verify" "this udevadm has no verify (systemd < 255; scripts/deb.sh runs it in Debian 13)"
fi
tap_done
