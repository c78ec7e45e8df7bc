#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ABI of libiopgt.so: `nm -D --defined-only` shows only the public API
# (the functions <libiopgt.h> declares, all of them), every symbol versioned
# @@LIBIOPGT_1, each documented in libiopgt(3); the header's names are not
# the module's (module/*.[ch]); the example of libiopgt(3) compiles.
#
#   test_libabi.sh PATH/TO/libiopgt.so USERSPACE_SRC REPO [CC]
set -u
SO=$1
SRC=$2
REPO=$3
CC=${4:-cc}
here=$(dirname "$0")
# shellcheck source=userspace/tests/cli_help.sh
. "$here/cli_help.sh"
hdr=$SRC/lib/include/libiopgt.h
man3=$SRC/man/libiopgt.3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! command -v nm >/dev/null 2>&1; then
	skip "nm -D libiopgt.so" "nm not installed (Debian: apt install binutils)"
	tap_done
	exit $?
fi
nm -D --defined-only "$SO" >"$tmp/nm" 2>&1
ok $? "nm -D --defined-only $SO" "$(cat "$tmp/nm")"
# the version node itself is an absolute symbol
bad=$(grep -v -e ' A LIBIOPGT_1$' "$tmp/nm" | grep -v '@@LIBIOPGT_1$')
ok "$([ -z "$bad" ] && echo 0 || echo 1)" "every exported symbol is versioned @@LIBIOPGT_1" \
	"unversioned or other version: $(echo $bad)"
sed -n 's/^[0-9a-f]* [TDBRVWiu] \([A-Za-z0-9_]*\)@@LIBIOPGT_1$/\1/p' "$tmp/nm" | sort -u >"$tmp/exported"
ok "$([ -s "$tmp/exported" ] && echo 0 || echo 1)" "libiopgt.so exports functions" "nothing found in: $(head -3 "$tmp/nm")"

# functions declared by the header: "TYPE iopgt_x(" at the start of a line
sed -n 's/^[a-z].*[ *]\(iopgt_[a-z0-9_]*\)(.*/\1/p' "$hdr" | sort -u >"$tmp/declared"
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
ok "$([ -z "$extra" ] && echo 0 || echo 1)" "libiopgt.so exports only functions <libiopgt.h> declares" \
	"exported but not declared in $hdr: $(echo $extra)"
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
ok "$([ -z "$missing" ] && echo 0 || echo 1)" "every function <libiopgt.h> declares is exported" \
	"declared but not exported: $(echo $missing)"
undoc=""
for fn in $(cat "$tmp/exported"); do
	grep -q "\\<$fn\\>" "$man3" || undoc="$undoc $fn"
done
ok "$([ -z "$undoc" ] && echo 0 || echo 1)" "libiopgt.3 documents every exported symbol" \
	"exported but not in $man3:$undoc"

# the library's own names (functions, structs, typedefs) are not the module's
grep -ohE '\biopgt_[a-z0-9_]+\b' "$REPO"/module/*.[ch] | sort -u >"$tmp/module"
grep -ohE '\biopgt_[a-z0-9_]+\b' "$REPO/uapi/linux/iopgt.h" | sort -u >"$tmp/uapi"
grep -ohE '\biopgt_[a-z0-9_]+\b' "$hdr" | sort -u | comm -23 - "$tmp/uapi" >"$tmp/lib"
clash=$(comm -12 "$tmp/lib" "$tmp/module")
ok "$([ -z "$clash" ] && echo 0 || echo 1)" "<libiopgt.h> uses no identifier of the module (uapi ones aside)" \
	"also in module/: $(echo $clash)"

# the EXAMPLES of libiopgt(3) compile against the header
sed -n '/^\.EX/,/^\.EE/p' "$man3" | sed -e '1d' -e '$d' -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$tmp/ex.c"
out=$($CC -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I"$SRC/lib/include" -I"$REPO/uapi" "$tmp/ex.c" 2>&1)
ok $? "the example of libiopgt.3 compiles" "$out"

tap_done
