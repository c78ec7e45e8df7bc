#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make demo` CLI session; runs inside the VM (busybox sh), module loaded.
set -e
if ! command -v iopgt >/dev/null 2>&1; then
	echo "demo: the iopgt CLI is not in this VM (userspace/ not built yet)" >&2
	exit 1
fi
step() {
	echo
	echo "### $*"
}

step "iopgt info: ABI, limits, counters"
iopgt info
step "iopgt formats: what this kernel implements"
iopgt formats

step "ARM_64_LPAE_S1: 4 x 4K pages, a 2M device block, a 1G block"
iopgt script - <<'SCRIPT'
create ARM_64_LPAE_S1 --ias 48 --pgsizes 4K,2M,1G
map 0x10000000 0x80000000 0x4000 rw,nx,cache
map 0x40000000 0xc0000000 2M r,mmio
map 0x80000000 0x100000000 1G rw
echo "--- regs: the TTBR/TCR/MAIR a driver would program"
regs
echo "--- walk one IOVA, top table first"
walk 0x10002000
echo "--- translate a list, then every 4K of a range (vector IOVA_TO_PHYS)"
translate @ 0x10002abc 0x40001000 0x90000000 0x20000000
translate --range 0x10002000-0x10005fff
echo "--- dump: tree, then ranges (ptdump style)"
dump --format tree
dump --format ranges
SCRIPT

step "a persistent address space lives on between invocations"
id=$(iopgt create ARM_V7S --persistent | cut -f1)
iopgt map "$id" 0x100000 0x80100000 64K rw
iopgt map "$id" 0x1000000 0x81000000 2M rw
iopgt list
iopgt dump "$id" --format ranges
iopgt dump "$id" --format json | head -n 4
iopgt dump "$id" --format dot | head -n 8
echo "..."
iopgt unmap "$id" 0x1000000 2M
iopgt translate "$id" 0x1000000 0x100abc

step "errors say what was wrong, in the tool's terms"
iopgt map "$id" 0x100000 0x90000000 4K rw || echo "(exit status $?)"
iopgt map "$id" 0x200000 0x90000000 3K rw || echo "(exit status $?)"
iopgt map "$id" 0x2000z0 0x90000000 4K rw || echo "(exit status $?)"
iopgt translate "$id" 0x100000000 || echo "(exit status $?)"
iopgt destroy "$id"
iopgt destroy "$id" || echo "(exit status $?)"
