#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# One version: dkms.conf's PACKAGE_VERSION is what `iopgt --version`, the
# shared library's file name and libiopgt.pc report (the module's
# MODULE_VERSION comes from the same line through module/Kbuild).
#
#   test_version.sh BUILD_DIR DKMS_CONF
set -u
O=$1
CONF=$2
# shellcheck source=userspace/tests/cli_help.sh
. "$(dirname "$0")/cli_help.sh"

if ! [ -f "$CONF" ]; then
	skip "version matches dkms.conf" "no $CONF next to userspace/"
	tap_done
	exit
fi
want=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$CONF")
ok "$([ -n "$want" ] && echo 0 || echo 1)" "dkms.conf has PACKAGE_VERSION" "none in $CONF"
got=$("$O/iopgt" --version)
ok "$([ "$got" = "iopgt $want (ABI $(sed -n 's/^#define IOPGT_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$(dirname "$CONF")/uapi/linux/iopgt.h"))" ] && echo 0 || echo 1)" \
	"iopgt --version reports $want" "got: $got"
got=$(sed -n 's/^Version: //p' "$O/libiopgt.pc")
ok "$([ "$got" = "$want" ] && echo 0 || echo 1)" "libiopgt.pc Version is $want" "got: $got"
ok "$([ -f "$O/libiopgt.so.$want" ] && [ "$(readlink "$O/libiopgt.so.1")" = "libiopgt.so.$want" ] && echo 0 || echo 1)" \
	"libiopgt.so.1 -> libiopgt.so.$want" "$(ls -l "$O"/libiopgt.so* 2>&1 | tr '\n' ' ')"
soname=$(objdump -p "$O/libiopgt.so.$want" 2>/dev/null | sed -n 's/^ *SONAME *//p')
ok "$([ "$soname" = libiopgt.so.1 ] && echo 0 || echo 1)" "the shared library's soname is libiopgt.so.1" "got: $soname"
bad=$(nm -D --defined-only "$O/libiopgt.so.$want" 2>/dev/null | awk '$2 ~ /^[TDBR]$/ && $3 !~ /^iopgt_.*@@LIBIOPGT_1$/ { print $3 }')
n=$(nm -D --defined-only "$O/libiopgt.so.$want" 2>/dev/null | grep -c '@@LIBIOPGT_1')
ok "$([ -z "$bad" ] && [ "$n" -gt 1 ] && echo 0 || echo 1)" \
	"the shared library exports only iopgt_* symbols, versioned LIBIOPGT_1" "unexpected: $bad; versioned: $n"
tap_done
