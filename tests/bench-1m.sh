#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make bench`: the benchmark programs at 1M leaves in every format, run in
# one VM per target by `scripts/matrix.sh run` (not part of `make test`).
# Per-leaf scaling 10K/100K/1M and the ioctl-vs-library ratios (bench),
# the 1M-leaf tree dump (dump), the CLI dump up to 1M (cli) and its rate
# against the raw netlink stream at 10K/100K/1M (clirate).
IOPGT_BENCH_LEAVES=1000000
IOPGT_BIG_DUMP_MAX=1000000
IOPGT_CLI_DUMP_MAX=1000000
IOPGT_TEST_TIMEOUT_SCALE=10
export IOPGT_BENCH_LEAVES IOPGT_BIG_DUMP_MAX IOPGT_CLI_DUMP_MAX IOPGT_TEST_TIMEOUT_SCALE
rc=0
for t in bench dump cli clirate; do
	echo "== iopgt-test-$t"
	/tests/iopgt-test-$t || rc=1
done
exit $rc
