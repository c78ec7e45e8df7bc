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
set -u

me=$(basename "$0")
KDIR=${1:?usage: $me KDIR OUTDIR}
OUTDIR=${2:?usage: $me KDIR OUTDIR}
MAKE=${MAKE:-make}
WORK=$OUTDIR/.conftest
OUT=$OUTDIR/iopgt_compat.h

rm -rf "$WORK"
mkdir -p "$WORK" || exit 1

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
if [ -n "${IOPGT_CONFTEST_CACHE:-}" ]; then
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

# probe_file NAME CONTENT: the whole file is CONTENT
probe_file() {
	printf '%s\n' "$2" > "$WORK/$1.c"
	PROBES="$PROBES $1"
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
probe ARM_LPAE_IO_PGTABLE_WALK_DATA "$IOP" '
	struct arm_lpae_io_pgtable_walk_data wd = { };
	return (int)wd.ptes[0];'
probe IO_PGTABLE_OPS_MAP_PAGES "$IOP" '
	struct io_pgtable_ops ops = { };
	return ops.map_pages != NULL && ops.unmap_pages != NULL;'
probe APPLE_DART_CFG_N_LEVELS "$IOP" '
	struct io_pgtable_cfg cfg = { };
	return cfg.apple_dart_cfg.n_levels;'
for q in ARM_NS NO_PERMS ARM_MTK_EXT ARM_MTK_TTBR_EXT ARM_TTBR1 \
	 ARM_OUTER_WBWA ARM_HD ARM_S2FWB NO_WARN; do
	probe "IO_PGTABLE_QUIRK_$q" "$IOP" "
	return (int)IO_PGTABLE_QUIRK_$q;"
done
for f in ARM_32_LPAE_S1 ARM_32_LPAE_S2 ARM_64_LPAE_S1 ARM_64_LPAE_S2 \
	 ARM_V7S ARM_MALI_LPAE APPLE_DART APPLE_DART2 AMD_IOMMU_V1 \
	 AMD_IOMMU_V2; do
	probe "IO_PGTABLE_FMT_$f" "$IOP" "
	enum io_pgtable_fmt f = $f;
	return (int)f;"
done

probe FAUX_DEVICE "linux/device/faux.h" '
	struct faux_device *fd = faux_device_create("x", NULL, NULL);
	faux_device_destroy(fd);'
# The namespace became a string literal (6.13): the identifier form then
# fails to compile.
probe_file MODULE_IMPORT_NS_IDENT '#include <linux/module.h>
MODULE_IMPORT_NS(IOPGT_PROBE_NS);'
probe COPY_STRUCT_FROM_USER "linux/uaccess.h" '
	u32 x;
	return copy_struct_from_user(&x, sizeof(x), NULL, sizeof(x));'
probe DEVM_ADD_ACTION_NAMED "linux/device.h" '
	return __devm_add_action(NULL, NULL, NULL, "x");'
probe GENERIC_PT_IOMMU_H "linux/iommu.h linux/generic_pt/iommu.h" '
	struct pt_iommu pt = { };
	return pt.nid;'
probe MAPLE_TREE "linux/maple_tree.h" '
	struct maple_tree mt = MTREE_INIT(mt, 0);
	return mtree_insert_range(&mt, 0, 1, NULL, GFP_KERNEL);'
probe DMA_COERCE_MASK "linux/dma-mapping.h" '
	return dma_coerce_mask_and_coherent(NULL, DMA_BIT_MASK(64));'
probe PLATFORM_REMOVE_VOID "linux/platform_device.h" '
	struct platform_driver d = { };
	void (*fn)(struct platform_device *) = d.remove;
	return fn != NULL;'

{
	echo "obj-m :="
	echo "ccflags-y += -Wno-error"
} > "$WORK/Kbuild"

targets=""
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
	for s in alloc_io_pgtable_ops free_io_pgtable_ops \
		 pt_iommu_amdv1_init pt_iommu_vtdss_init pt_iommu_x86_64_init \
		 pt_iommu_riscv_64_init iommu_put_pages_list iommu_map \
		 faux_device_create devm_remove_action_nowarn; do
		u=$(echo "$s" | tr 'a-z' 'A-Z')
		if [ -f "$KDIR/Module.symvers" ] &&
		   awk -v s="$s" '$2 == s { f = 1 } END { exit !f }' "$KDIR/Module.symvers"; then
			echo "#define HAVE_EXPORT_$u 1"
		else
			echo "/* #undef HAVE_EXPORT_$u */"
		fi
	done
	echo
	echo "#ifndef HAVE_MODULE_IMPORT_NS_IDENT"
	echo "#define HAVE_MODULE_IMPORT_NS_STRING 1"
	echo "#endif"
	echo
	echo "#endif /* _IOPGT_COMPAT_H */"
} > "$tmp" || exit 1

# Sanity: the baseline probe must compile, else the toolchain is broken.
if [ ! -f "$WORK/IO_PGTABLE_OPS_MAP_PAGES.o" ] &&
   [ ! -f "$WORK/COPY_STRUCT_FROM_USER.o" ]; then
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
