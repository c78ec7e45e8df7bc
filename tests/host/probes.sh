#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every HAVE_* result module/conftest.sh can define has a user in module/,
# and every HAVE_* name module/ tests is one conftest.sh defines (a typo
# would silently pick the "kernel lacks it" branch). Host-only: reads
# `conftest.sh --list` and the sources, probes no kernel.
#
#   tests/host/probes.sh [REPO]      (default: the repository of this script)
set -u

repo=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
mod=$repo/module
names=$(sh "$mod/conftest.sh" --list) || { echo "not ok 1 - conftest.sh --list failed"; exit 1; }
# the sources, without the generated header and the script itself
srcs=$(find "$mod" -maxdepth 1 \( -name '*.c' -o -name '*.h' -o -name Kbuild \) \
	! -name iopgt_compat.h ! -name '*.mod.c' | LC_ALL=C sort)
# a user is a preprocessor test (#ifdef/#ifndef NAME, defined(NAME)) or
# IS_ENABLED(NAME); a
# mention in a comment is none
uses() {
	h=$1
	shift
	grep -E -l "(^[[:space:]]*#[[:space:]]*if(n?def)?[[:space:]]+$h\b|(defined|IS_ENABLED)[[:space:]]*\(?[[:space:]]*$h\b)" "$@"
}
used=$(for f in $srcs; do grep -E -o '(#[[:space:]]*if(n?def)?[[:space:]]+|(defined|IS_ENABLED)[[:space:]]*\(?[[:space:]]*)HAVE_[A-Z0-9_]+' "$f" | grep -o 'HAVE_[A-Z0-9_]*'; done | LC_ALL=C sort -u)

n=0
rc=0
echo "TAP version 13"
echo "1..$(($(echo "$names" | wc -l) + $(echo "$used" | grep -c .)))"
for h in $names; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	users=$(uses "$h" $srcs | sed 's|.*/||' | tr '\n' ' ')
	if [ -n "$users" ]; then
		echo "ok $n - probe $h is used by: $users"
	else
		echo "not ok $n - probe $h (module/conftest.sh) has no user in module/: remove the probe or use it"
		rc=1
	fi
done
for h in $used; do
	n=$((n + 1))
	if echo "$names" | grep -qx "$h"; then
		echo "ok $n - $h tested in module/ is defined by conftest.sh"
	else
		# shellcheck disable=SC2086
		echo "not ok $n - $h is tested in $(uses "$h" $srcs | sed 's|.*/||' | tr '\n' ' ')but module/conftest.sh never defines it"
		rc=1
	fi
done
exit $rc
