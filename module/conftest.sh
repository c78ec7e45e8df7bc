#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: KDIR OUTDIR. Probes the target kernel's headers and exports and
# writes the generated compatibility header into OUTDIR (HAVE_* defines). Each probe is a tiny C file
# compiled by the kernel's own kbuild (same compiler and flags as the
# module, ARCH/CROSS_COMPILE/CC from the environment), all in one parallel
# make run; a probe that compiles defines its HAVE_ macro. Exports are read
# from KDIR/Module.symvers. The result is rewritten only when it changes.
#
# IOPGT_CONFTEST_CACHE (optional): a directory where the result is kept,
# keyed by a hash of this script, ARCH/CROSS_COMPILE, the kernel's .config,
# Module.symvers, compiler version and the names, sizes and times of its
# header files; while all of those are unchanged the probes are not rerun.
#
# conftest.sh --list: print every HAVE_* name this script can define, one a
# line, and probe nothing (tests/host/probes.sh checks each has a user).
# Add a probe only together with its user in module/.
set -u

me=$(basename "$0")
LIST=0
if [ "${1:-}" = --list ]; then
	LIST=1
else
	KDIR=${1:?usage: $me KDIR OUTDIR | --list}
	OUTDIR=${2:?usage: $me KDIR OUTDIR | --list}
	MAKE=${MAKE:-make}
	WORK=$OUTDIR/.conftest
	OUT=$OUTDIR/iopgt_compat.h

	rm -rf "$WORK"
	mkdir -p "$WORK" || exit 1
fi

# The cache key (empty: no cache).
cache_key() {
	command -v sha256sum >/dev/null 2>&1 || return 0
	[ -f "$KDIR/.config" ] || return 0
	src=$KDIR
	inc=$(sed -n 's/^include \(.*\)\/Makefile$/\1/p' "$KDIR/Makefile" 2>/dev/null | head -n 1)
	[ -n "$inc" ] && [ -d "$inc" ] && src=$inc
	[ -d "$KDIR/source" ] && src=$KDIR/source
	cc_major=$(sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' "$KDIR/.config")
	{
		echo "$KDIR ${ARCH:-} ${CROSS_COMPILE:-} ${CC:-}"
		cat "$0" "$KDIR/.config"
		cat "$KDIR/Module.symvers" 2>/dev/null
		for c in "${CROSS_COMPILE:-}gcc" "${CROSS_COMPILE:-}gcc-$cc_major"; do
			"$c" --version 2>/dev/null | head -n 1
		done
		dirs="$KDIR/include $src/include"
		for a in "$KDIR"/arch/*/include; do
			[ -d "$a" ] || continue
			a=${a%/include}
			dirs="$dirs $KDIR/arch/${a##*/}/include $src/arch/${a##*/}/include"
		done
		# shellcheck disable=SC2086
		find -L $dirs -type f -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort
	} | sha256sum | cut -c1-32
}

KEY=
if [ "$LIST" = 0 ] && [ -n "${IOPGT_CONFTEST_CACHE:-}" ]; then
	KEY=$(cache_key)
	if [ -n "$KEY" ] && [ -f "$IOPGT_CONFTEST_CACHE/$KEY.h" ]; then
		echo "$me: probe results of $KDIR unchanged (key $KEY): reused"
		if ! cmp -s "$IOPGT_CONFTEST_CACHE/$KEY.h" "$OUT"; then
			cp "$IOPGT_CONFTEST_CACHE/$KEY.h" "$OUT.tmp.$$" && mv "$OUT.tmp.$$" "$OUT"
		fi
		exit 0
	fi
fi

PROBES=""

# probe NAME INCLUDES BODY: compiles "INCLUDES; int fn(void) { BODY }"
probe() {
	name=$1
	incs=$2
	body=$3
	if [ "$LIST" = 1 ]; then
		PROBES="$PROBES $name"
		return
	fi
	{
		for i in $incs; do
			echo "#include <$i>"
		done
		echo "int iopgt_probe_$name(void);"
		echo "int iopgt_probe_$name(void)"
		echo "{"
		echo "$body"
		echo "	return 0;"
		echo "}"
	} > "$WORK/$name.c"
	PROBES="$PROBES $name"
}

IOP="linux/io-pgtable.h"

probe IO_PGTABLE_CFG_ALLOC "$IOP" '
	struct io_pgtable_cfg cfg = { };
	cfg.alloc = NULL;
	cfg.free = NULL;
	return cfg.quirks;'
probe IO_PGTABLE_OPS_PGTABLE_WALK "$IOP" '
	struct io_pgtable_ops ops = { };
	return ops.pgtable_walk != NULL;'
# issue 14: io-pgtable's dirty tracking (with IO_PGTABLE_QUIRK_ARM_HD)
probe IO_PGTABLE_OPS_READ_AND_CLEAR_DIRTY "linux/iommu.h $IOP" '
	struct io_pgtable_ops ops = { };
	struct iommu_dirty_bitmap d;

	iommu_dirty_bitmap_init(&d, NULL, NULL);
	return ops.read_and_clear_dirty != NULL;'
probe ARM_LPAE_IO_PGTABLE_WALK_DATA "$IOP" '
	struct arm_lpae_io_pgtable_walk_data wd = { };
	return (int)wd.ptes[0];'
probe APPLE_DART_CFG_N_LEVELS "$IOP" '
	struct io_pgtable_cfg cfg = { };
	return cfg.apple_dart_cfg.n_levels;'
# the quirks every target kernel has are used without a probe
for q in ARM_HD ARM_S2FWB NO_WARN; do
	probe "IO_PGTABLE_QUIRK_$q" "$IOP" "
	return (int)IO_PGTABLE_QUIRK_$q;"
done
# likewise the formats (the four LPAE ones are as old as io-pgtable)
for f in ARM_V7S ARM_MALI_LPAE APPLE_DART APPLE_DART2 AMD_IOMMU_V1; do
	probe "IO_PGTABLE_FMT_$f" "$IOP" "
	enum io_pgtable_fmt f = $f;
	return (int)f;"
done

probe GENERIC_PT_IOMMU_H "linux/iommu.h linux/generic_pt/iommu.h" '
	struct pt_iommu pt = { };
	return pt.nid;'
# the exported symbols the module's code depends on (Module.symvers)
EXPORTS="alloc_io_pgtable_ops pt_iommu_amdv1_init pt_iommu_vtdss_init
	 pt_iommu_x86_64_init iommu_put_pages_list iommu_map"

if [ "$LIST" = 1 ]; then
	for p in $PROBES; do
		echo "HAVE_$p"
	done
	for s in $EXPORTS; do
		echo "HAVE_EXPORT_$(echo "$s" | tr 'a-z' 'A-Z')"
	done
	exit 0
fi

# The baseline: compiles on every kernel, else the toolchain is broken.
probe_file_baseline() {
	printf '%s\n' '#include <linux/io-pgtable.h>' \
		'int iopgt_probe_baseline(void);' \
		'int iopgt_probe_baseline(void) { return ARM_64_LPAE_S1; }' \
		> "$WORK/baseline.c"
}
probe_file_baseline

{
	echo "obj-m :="
	echo "ccflags-y += -Wno-error"
} > "$WORK/Kbuild"

targets="baseline.o"
for p in $PROBES; do
	targets="$targets $p.o"
done

# -k: failing probes are expected. Only object files are built (no modpost).
# shellcheck disable=SC2086
$MAKE -C "$KDIR" M="$WORK" -k -j"$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" \
	$targets > "$WORK/build.log" 2>&1

tmp=$OUT.tmp.$$
{
	printf '/* %s: GPL-2.0 */\n' "SPDX-License-Identifier"
	echo "/* Generated by $me from $(basename "$KDIR"): do not edit. */"
	echo "#ifndef _IOPGT_COMPAT_H"
	echo "#define _IOPGT_COMPAT_H"
	echo
	for p in $PROBES; do
		if [ -f "$WORK/$p.o" ]; then
			echo "#define HAVE_$p 1"
		else
			echo "/* #undef HAVE_$p */"
		fi
	done
	echo
	echo "/* Exported symbols (Module.symvers) */"
	for s in $EXPORTS; do
		u=$(echo "$s" | tr 'a-z' 'A-Z')
		if [ -f "$KDIR/Module.symvers" ] &&
		   awk -v s="$s" '$2 == s { f = 1 } END { exit !f }' "$KDIR/Module.symvers"; then
			echo "#define HAVE_EXPORT_$u 1"
		else
			echo "/* #undef HAVE_EXPORT_$u */"
		fi
	done
	echo
	echo "#endif /* _IOPGT_COMPAT_H */"
} > "$tmp" || exit 1

# Sanity: the baseline probe must compile, else the toolchain is broken.
if [ ! -f "$WORK/baseline.o" ]; then
	echo "$me: no probe compiled against $KDIR; see $WORK/build.log:" >&2
	tail -n 20 "$WORK/build.log" >&2
	rm -f "$tmp"
	exit 1
fi

if [ -n "$KEY" ] && mkdir -p "$IOPGT_CONFTEST_CACHE" 2>/dev/null; then
	cp "$tmp" "$IOPGT_CONFTEST_CACHE/$KEY.h.$$" &&
		mv "$IOPGT_CONFTEST_CACHE/$KEY.h.$$" "$IOPGT_CONFTEST_CACHE/$KEY.h"
fi
if cmp -s "$tmp" "$OUT"; then
	rm -f "$tmp"
else
	mv "$tmp" "$OUT"
fi
exit 0
