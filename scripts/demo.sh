#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make demo` CLI session; runs inside the VM (busybox sh), module loaded.
set -e
if ! command -v iopgt >/dev/null 2>&1; then
	echo "demo: the iopgt CLI is not in this VM (userspace/ not built yet)" >&2
	exit 1
fi
echo "### iopgt formats"
iopgt formats
echo
echo "### one address space: ARM_64_LPAE_S1, 4 x 4K pages + one 2M block"
iopgt script - <<'SCRIPT'
create ARM_64_LPAE_S1
map 0x10000000 0x80000000 0x4000 rw
map 0x40000000 0xc0000000 0x200000 rw
regs
walk 0x10002000
dump --format tree
SCRIPT
