#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-ab OLD=<rev> [TARGETS=...]`: the batched MAP/UNMAP rate of the
# module built from git revision OLD against the current tree's, in one VM
# per target (tests/bench-ab.sh alternates the two modules; medians; the
# new one may take at most 2% longer). Default target: sid-arm64. Issue
# 14's check: OLD = the commit before the issue-14 merge.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OLD-REV [TARGET...]" >&2; exit 2; }
old=$1
shift
rev=$(git -C "$repo" rev-parse --verify "$old^{commit}") ||
	{ echo "bench-ab: '$old' is not a commit of this repository" >&2; exit 2; }
[ $# -gt 0 ] || set -- sid-arm64
mkdir -p "$repo/build"
tmp=$(mktemp -d "$repo/build/ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
git -C "$repo" archive "$rev" | tar -x -C "$tmp/src"
# The module is built as the matrix builds it: from OLD's iopgt-dkms
# package made by OLD's own deb.sh (cached by its tree's hash); an OLD from
# before the matrix tested the packages builds its module with its own
# build.sh, from its tree.
pkg=''
if grep -q '^matrix)' "$tmp/src/scripts/deb.sh" 2>/dev/null; then
	echo "== bench-ab: the iopgt-dkms package of ${rev:0:12}"
	"$tmp/src/scripts/deb.sh" matrix "$tmp/pkg" ||
		{ echo "bench-ab: the packages of $old did not build: $(cat "$tmp/pkg/failed" 2>/dev/null)" >&2; exit 1; }
	pkg=$tmp/pkg/iopgt-dkms_$(sed -n 's/^PACKAGE_VERSION="*\([^"]*\)"*$/\1/p' "$tmp/src/dkms.conf")_all.deb
fi
rc=0
for t in "$@"; do
	echo "== bench-ab $t: building the module of ${rev:0:12}"
	if [ -n "$pkg" ]; then
		IOPGT_SRC=$tmp/src "$here/build.sh" module "$tmp/work" "$pkg" "$t"
	else
		"$tmp/src/scripts/build.sh" module "$tmp/work" "$t"
	fi || {
		echo "bench-ab $t: the module of $old did not build: $(cat "$tmp/work/$t/build-failed" 2>/dev/null)" >&2
		rc=1
		continue
	}
	mkdir -p "$tmp/files"
	cp "$tmp/work/$t/iopgt.ko" "$tmp/files/iopgt-old.ko"
	printf 'OLD_REV=%s\n' "${rev:0:12}" >"$tmp/files/ab.env"
	"$here/matrix.sh" run "$t" "$repo/tests/bench-ab.sh" "$tmp/files/iopgt-old.ko" \
		"$tmp/files/ab.env" || rc=1
done
exit $rc
