// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt walker: geometry, descriptor decoders and tree iteration over the
 * page tables an address space owns.
 *
 * The libraries keep their geometry private (io-pgtable's start_level and
 * pgd_bits live in struct arm_lpae_io_pgtable), so it is rebuilt here from
 * the final configuration and the registers: the LPAE stage-2 start level
 * comes from VTCR.SL0 because 6.x and 7.2 concatenate the pgd under
 * different rules; Mali always walks four levels; generic_pt reports its
 * level count in the hw_info registers.
 *
 * Safety: only the top table named by as->regs[7] and tables named by
 * TABLE descriptors found below it are read. A table address must be
 * aligned to its table size and backed by a valid page frame before it is
 * dereferenced; indices are bounded by the table's entry count; depth by
 * the level count (at most IOPGT_MAX_LEVELS).
 */

#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mem_encrypt.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "iopgt_types.h"

#define IOPGT_LPAE_ADDR_MASK	GENMASK_ULL(47, 12)
#define IOPGT_PT_OA_MASK	GENMASK_ULL(51, 12)

/*
 * struct iopgt_walk_pte - a decoded descriptor
 * @oa: leaf: output address of the start of the whole leaf; table: PA of
 *	the next-level table
 * @kind: enum iopgt_pte_kind
 * @span_log2: leaf: log2 bytes of the whole leaf; table: of the slot
 * @contig_lg2: leaf: log2 of the number of consecutive slots repeating it
 */
struct iopgt_walk_pte {
	u64 oa;
	u32 kind;
	u32 span_log2;
	u32 contig_lg2;
};

/**
 * struct iopgt_walk_fmt - descriptor decoder of one format family
 * @name: family name, for messages
 * @decode: classify @raw found at @depth; @p->span_log2 is preset to the
 *	slot span and @p->contig_lg2 to 0
 * @table_addr: the descriptor bits that hold the next-table address of a
 *	table descriptor (cleared for callers that may not see kernel
 *	addresses; see iopgt_walk_hide_desc())
 */
struct iopgt_walk_fmt {
	const char *name;
	void (*decode)(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		       struct iopgt_walk_pte *p);
	u64 table_addr;
};

static inline u32 geom_shift(const struct iopgt_walk_geom *g, u32 depth)
{
	return g->granule_shift + g->bits_per_level * (g->levels - 1 - depth);
}

static inline u32 geom_level(const struct iopgt_walk_geom *g, u32 depth)
{
	return g->level_dec ? g->start_level - depth : g->start_level + depth;
}

static inline u32 geom_entries(const struct iopgt_walk_geom *g, u32 depth)
{
	return depth ? 1U << g->bits_per_level : g->top_entries;
}

/* ------------------------------------------------------------------ */
/* Decoders                                                            */

static u64 lpae_oa(const struct iopgt_walk_geom *g, u64 raw)
{
	u64 pa = raw & IOPGT_LPAE_ADDR_MASK;

	if (g->granule_shift < 16)
		return pa;
	/* 64K granule: PA[51:48] are packed into descriptor bits [15:12] */
	return (pa | (pa << (48 - 12))) & (IOPGT_LPAE_ADDR_MASK << 4);
}

/* ARM LPAE: bit 0 valid; bits[1:0] 3 = table (levels 0-2) or page (3) */
static void lpae_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			struct iopgt_walk_pte *p)
{
	u32 lvl = geom_level(g, depth);
	u32 type = raw & 3;

	p->oa = lpae_oa(g, raw);
	if (!(raw & 1))
		p->kind = IOPGT_PTE_INVALID;
	else if (lvl == 3)
		p->kind = type == 3 ? IOPGT_PTE_PAGE : IOPGT_PTE_INVALID;
	else
		p->kind = type == 3 ? IOPGT_PTE_TABLE : IOPGT_PTE_BLOCK;
}

/* Mali LPAE: ENTRY_TYPE 1 = leaf at every level, 3 = table above level 3 */
static void mali_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			struct iopgt_walk_pte *p)
{
	u32 lvl = geom_level(g, depth);
	u32 type = raw & 3;

	p->oa = lpae_oa(g, raw);
	if (type == 1)
		p->kind = lvl == 3 ? IOPGT_PTE_PAGE : IOPGT_PTE_BLOCK;
	else if (type == 3 && lvl < 3)
		p->kind = IOPGT_PTE_TABLE;
	else
		p->kind = IOPGT_PTE_INVALID;
}

/*
 * ARM v7s short descriptors. L1: 1 = table (1 KiB L2 at bits 31:10),
 * 2/3 = section (bit 18: supersection, repeated 16 times). L2: bit 1 =
 * small page, else bit 0 = large page (repeated 16 times).
 */
static void v7s_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		       struct iopgt_walk_pte *p)
{
	u32 pte = (u32)raw;

	if (!(pte & 3)) {
		p->kind = IOPGT_PTE_INVALID;
		p->oa = 0;
		return;
	}
	if (depth == 0) {
		if ((pte & 3) == 1) {
			p->kind = IOPGT_PTE_TABLE;
			p->oa = pte & GENMASK(31, 10);
		} else if (pte & BIT(18)) {
			p->kind = IOPGT_PTE_BLOCK;
			p->oa = pte & GENMASK(31, 24);
			p->span_log2 = 24;
			p->contig_lg2 = 4;
		} else {
			p->kind = IOPGT_PTE_BLOCK;
			p->oa = pte & GENMASK(31, 20);
		}
	} else if (pte & 2) {
		p->kind = IOPGT_PTE_PAGE;
		p->oa = pte & GENMASK(31, 12);
	} else {
		p->kind = IOPGT_PTE_PAGE;
		p->oa = pte & GENMASK(31, 16);
		p->span_log2 = 16;
		p->contig_lg2 = 4;
	}
	if (g->mtk_ext) {
		/* As iopte_to_paddr(): PA bits 32/33/34 in bits 9/4/5 */
		if (pte & BIT(9))
			p->oa |= BIT_ULL(32);
		if (pte & BIT(4))
			p->oa |= BIT_ULL(33);
		if (pte & BIT(5))
			p->oa |= BIT_ULL(34);
	}
}

/* Apple DART: last level any non-zero pte is a page; above, bit 0 = table */
static void dart_decode_common(const struct iopgt_walk_geom *g, u32 depth,
			       u64 raw, struct iopgt_walk_pte *p, bool dart2)
{
	p->oa = dart2 ? (raw & GENMASK_ULL(37, 10)) << 4 :
			raw & GENMASK_ULL(35, 12);
	if (depth == g->levels - 1)
		p->kind = raw ? IOPGT_PTE_PAGE : IOPGT_PTE_INVALID;
	else
		p->kind = (raw & 1) ? IOPGT_PTE_TABLE : IOPGT_PTE_INVALID;
}

static void dart1_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			 struct iopgt_walk_pte *p)
{
	dart_decode_common(g, depth, raw, p, false);
}

static void dart2_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			 struct iopgt_walk_pte *p)
{
	dart_decode_common(g, depth, raw, p, true);
}

/* generic_pt x86_64: P bit 0; PS bit 7 makes a leaf at levels 1-2 */
static void x86_64_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			  struct iopgt_walk_pte *p)
{
	u32 lvl = geom_level(g, depth);

	p->oa = __sme_clr(raw) & IOPGT_PT_OA_MASK;
	if (!(raw & BIT(0)))
		p->kind = IOPGT_PTE_INVALID;
	else if (lvl == 0)
		p->kind = IOPGT_PTE_PAGE;
	else if (lvl <= 2 && (raw & BIT(7)))
		p->kind = IOPGT_PTE_BLOCK;
	else
		p->kind = IOPGT_PTE_TABLE;
}

/* generic_pt VT-d second stage: no present bit (non-zero = present) */
static void vtdss_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			 struct iopgt_walk_pte *p)
{
	u32 lvl = geom_level(g, depth);

	p->oa = raw & IOPGT_PT_OA_MASK;
	if (!raw)
		p->kind = IOPGT_PTE_INVALID;
	else if (lvl == 0)
		p->kind = IOPGT_PTE_PAGE;
	else if (lvl <= 2 && (raw & BIT(7)))
		p->kind = IOPGT_PTE_BLOCK;
	else
		p->kind = IOPGT_PTE_TABLE;
}

/*
 * generic_pt AMDv1: PR bit 0; Next Level (bits 11:9) 0 = leaf of the slot
 * size, 7 = leaf whose size is encoded by the run of 1s in the low OA bits
 * (size = 2^(12 + ffz(oa >> 12) + 1)), repeated over size/slot entries;
 * anything else names the next table.
 */
static void amdv1_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			 struct iopgt_walk_pte *p)
{
	u32 lvl = geom_level(g, depth);
	u64 field = (__sme_clr(raw) & IOPGT_PT_OA_MASK) >> 12;
	u32 nl = (raw >> 9) & 7;
	u32 item = p->span_log2;
	unsigned int z, sz;

	p->oa = field << 12;
	if (!(raw & BIT(0))) {
		p->kind = IOPGT_PTE_INVALID;
		return;
	}
	if (lvl != 0 && nl != 0 && nl != 7) {
		p->kind = IOPGT_PTE_TABLE;
		return;
	}
	p->kind = lvl == 0 ? IOPGT_PTE_PAGE : IOPGT_PTE_BLOCK;
	if (nl != 7)
		return;
	z = ffz(field);		/* field < 2^40: a zero bit exists */
	sz = 12 + z + 1;
	if (sz > 52 || sz - item > g->bits_per_level || sz < item) {
		p->kind = IOPGT_PTE_INVALID;
		return;
	}
	p->oa = (field & ~GENMASK_ULL(z, 0)) << 12;
	p->span_log2 = sz;
	p->contig_lg2 = sz - item;
}

static const struct iopgt_walk_fmt iopgt_walk_fmt_lpae = {
	.name = "lpae", .decode = lpae_decode,
	.table_addr = IOPGT_LPAE_ADDR_MASK,
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_mali = {
	.name = "mali", .decode = mali_decode,
	.table_addr = IOPGT_LPAE_ADDR_MASK,
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_v7s = {
	.name = "v7s", .decode = v7s_decode,
	.table_addr = GENMASK_ULL(31, 10),
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_dart1 = {
	.name = "dart", .decode = dart1_decode,
	.table_addr = GENMASK_ULL(35, 12),
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_dart2 = {
	.name = "dart2", .decode = dart2_decode,
	.table_addr = GENMASK_ULL(37, 10),
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_x86_64 = {
	.name = "x86_64", .decode = x86_64_decode,
	.table_addr = IOPGT_PT_OA_MASK,
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_vtdss = {
	.name = "vtdss", .decode = vtdss_decode,
	.table_addr = IOPGT_PT_OA_MASK,
};

static const struct iopgt_walk_fmt iopgt_walk_fmt_amdv1 = {
	.name = "amdv1", .decode = amdv1_decode,
	.table_addr = IOPGT_PT_OA_MASK,
};

/* ------------------------------------------------------------------ */
/* Geometry                                                            */

static u32 alloc_footprint(u64 size)
{
	return PAGE_SIZE << get_order(max_t(u64, size, 64));
}

/**
 * iopgt_walk_table_unit() - memory one non-top table of a format takes
 * @format: enum iopgt_format
 * @pgsize_set: one of the format's page-size sets (its smallest size is
 *	the granule, which is also the size of a table)
 *
 * The libraries allocate tables as whole pages (a table smaller than
 * PAGE_SIZE still takes one); ARM_V7S level-2 tables come from a 1 KiB
 * kmem_cache. The same figures the walker's table counting uses.
 *
 * Return: bytes, for GET_INFO's struct iopgt_format_info.table_bytes.
 */
u32 iopgt_walk_table_unit(u32 format, u64 pgsize_set)
{
	if (format == IOPGT_FMT_ARM_V7S)
		return 1024;
	if (!pgsize_set)
		return 0;
	return alloc_footprint(pgsize_set & -pgsize_set);
}

static int geom_lpae(struct iopgt_as *as, struct iopgt_walk_geom *g)
{
	bool s2 = as->format == IOPGT_FMT_ARM_32_LPAE_S2 ||
		  as->format == IOPGT_FMT_ARM_64_LPAE_S2;
	bool mali = as->format == IOPGT_FMT_ARM_MALI_LPAE;
	int pg_shift, bpl, va_bits, start, pgd_bits;

	if (!as->granule || !is_power_of_2(as->granule))
		return -EINVAL;
	pg_shift = ilog2(as->granule);
	if (pg_shift != 12 && pg_shift != 14 && pg_shift != 16)
		return -EINVAL;
	bpl = pg_shift - 3;
	va_bits = (int)as->ias - pg_shift;
	if (va_bits < 1 || as->ias > 52)
		return -EINVAL;

	/* arm_lpae_alloc_pgtable(): levels = DIV_ROUND_UP(va_bits, bpl) */
	start = 4 - DIV_ROUND_UP(va_bits, bpl);
	if (s2) {
		/*
		 * VTCR.SL0 = ~(start_level (+1 for 4K)) & 3 records the
		 * start level after any pgd concatenation, whichever rule
		 * this kernel applied.
		 */
		int sl = ~((u32)as->regs[1] >> 6) & 3;

		start = pg_shift == 12 ? sl - 1 : sl;
	}
	if (start < 0 || start > 3)
		return -EINVAL;
	/* entries of the top table: what is left of va_bits for it */
	pgd_bits = va_bits - bpl * (3 - start);
	if (mali && start > 0) {
		/* Mali forces a full 4-level walk with a 1-entry pgd */
		start = 0;
		pgd_bits = 0;
	}
	if (pgd_bits < 0 || pgd_bits > bpl + 4)
		return -EINVAL;

	g->fmt = mali ? &iopgt_walk_fmt_mali : &iopgt_walk_fmt_lpae;
	g->levels = 4 - start;
	g->start_level = start;
	g->top_entries = 1U << pgd_bits;
	g->granule_shift = pg_shift;
	g->bits_per_level = bpl;
	g->desc_size = 8;
	g->top_bytes = alloc_footprint(8ULL << pgd_bits);
	g->table_bytes = alloc_footprint(as->granule);
	if (as->flags & IOPGT_AS_F_TTBR1)
		g->ttbr1 = true;
	return 0;
}

static int geom_v7s(struct iopgt_as *as, struct iopgt_walk_geom *g)
{
	if (as->ias < 20 || as->ias > 34)
		return -EINVAL;
	g->fmt = &iopgt_walk_fmt_v7s;
	g->levels = 2;
	g->start_level = 1;
	g->top_entries = 1U << (as->ias - 20);
	g->granule_shift = 12;
	g->bits_per_level = 8;
	g->desc_size = 4;
	g->top_bytes = alloc_footprint(4ULL << (as->ias - 20));
	g->table_bytes = iopgt_walk_table_unit(as->format, 0);
	g->mtk_ext = as->quirks & IOPGT_QUIRK_ARM_MTK_EXT;
	return 0;
}

static int geom_dart(struct iopgt_as *as, struct iopgt_walk_geom *g)
{
	int pg_shift;

	/* regs[4] = n_ttbrs, regs[5] = n_levels incl. the TTBR level (7.2) */
	if (as->regs[4] != 1)
		return -EOPNOTSUPP;	/* split top tables: not walked */
	if (!as->granule || !is_power_of_2(as->granule))
		return -EOPNOTSUPP;
	pg_shift = ilog2(as->granule);
	if (pg_shift != 12 && pg_shift != 14)
		return -EOPNOTSUPP;
	g->fmt = as->format == IOPGT_FMT_APPLE_DART2 ? &iopgt_walk_fmt_dart2 :
						       &iopgt_walk_fmt_dart1;
	/* 6.x has no n_levels: two table levels (the core reports 2) */
	g->levels = as->regs[5] >= 3 ? as->regs[5] - 1 : 2;
	if (g->levels > 3)
		return -EOPNOTSUPP;
	g->start_level = 1;
	g->granule_shift = pg_shift;
	g->bits_per_level = pg_shift - 3;
	g->top_entries = 1U << g->bits_per_level;
	g->desc_size = 8;
	g->top_bytes = alloc_footprint(as->granule);
	g->table_bytes = g->top_bytes;
	return 0;
}

static int geom_generic_pt(struct iopgt_as *as, struct iopgt_walk_geom *g)
{
	u64 r = as->regs[1];
	u32 levels;

	switch (as->format) {
	case IOPGT_FMT_PT_X86_64:	/* regs[1] = levels */
		g->fmt = &iopgt_walk_fmt_x86_64;
		levels = r;
		break;
	case IOPGT_FMT_PT_VTDSS:	/* regs[1] = aw = top_level - 1 */
		g->fmt = &iopgt_walk_fmt_vtdss;
		levels = r + 2;
		break;
	case IOPGT_FMT_PT_AMDV1:	/* regs[1] = mode = top_level + 1 */
		g->fmt = &iopgt_walk_fmt_amdv1;
		levels = r;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (r > IOPGT_MAX_LEVELS || levels < 1 || levels > IOPGT_MAX_LEVELS)
		return -EINVAL;
	g->levels = levels;
	g->start_level = levels - 1;
	g->level_dec = true;
	g->granule_shift = 12;
	g->bits_per_level = 9;
	/* AMDv1's level 5 resolves IOVA bits 63:57 only */
	g->top_entries = levels == 6 ? 128 : 512;
	g->desc_size = 8;
	g->top_bytes = 4096;
	g->table_bytes = 4096;
	return 0;
}

static bool table_pa_ok(u64 pa, u32 bytes)
{
	if (!pa || !IS_ALIGNED(pa, min_t(u32, bytes, PAGE_SIZE)))
		return false;
	if (pa != (u64)(phys_addr_t)pa)
		return false;
	return pfn_valid(PHYS_PFN(pa));
}

/**
 * iopgt_walk_init() - compute the walker geometry of an address space
 * @as: address space after its backend's create (or read_regs), as->lock
 *	held; uses as->format, ias, granule, quirks, flags and regs[]
 *
 * Fills as->walk and sets as->levels and as->start_level to the walked
 * geometry. A format the walker cannot decode (Apple DART with several top
 * tables, RISC-V) gets a geometry without decoder: walks then fail with
 * -EOPNOTSUPP, table counting reports the top table only.
 *
 * Return: 0, or -EINVAL when the configuration is inconsistent (no table
 * is read then).
 */
int iopgt_walk_init(struct iopgt_as *as)
{
	struct iopgt_walk_geom g = { };
	u64 cover;
	int ret;

	switch (as->format) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
	case IOPGT_FMT_ARM_MALI_LPAE:
		ret = geom_lpae(as, &g);
		break;
	case IOPGT_FMT_ARM_V7S:
		ret = geom_v7s(as, &g);
		break;
	case IOPGT_FMT_APPLE_DART:
	case IOPGT_FMT_APPLE_DART2:
		ret = geom_dart(as, &g);
		break;
	default:
		ret = geom_generic_pt(as, &g);
		break;
	}
	if (ret == -EOPNOTSUPP) {
		memset(&g, 0, sizeof(g));
		g.top_bytes = PAGE_SIZE;
	} else if (ret) {
		return ret;
	}

	if (g.fmt) {
		cover = geom_shift(&g, 0) + ilog2(g.top_entries);
		if (!g.levels || g.levels > IOPGT_MAX_LEVELS ||
		    g.bits_per_level > 13 || cover > 64)
			return -EINVAL;
		if (!table_pa_ok(as->regs[7], min(g.top_bytes, 64U)))
			return -EINVAL;
		g.top_pa = as->regs[7];
		g.top_va = phys_to_virt(g.top_pa);
		g.ias = as->ias;
		if (g.ttbr1 && as->ias < 64)
			g.va_base = ~0ULL << as->ias;
		as->levels = g.levels;
		as->start_level = g.start_level;
	}
	as->walk = g;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading and decoding                                                */

static u64 read_desc(const struct iopgt_walk_geom *g, const void *table,
		     u32 idx)
{
	if (g->desc_size == 4)
		return READ_ONCE(((const u32 *)table)[idx]);
	return READ_ONCE(((const u64 *)table)[idx]);
}

static void decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		   struct iopgt_walk_pte *p)
{
	p->span_log2 = geom_shift(g, depth);
	p->contig_lg2 = 0;
	g->fmt->decode(g, depth, raw, p);
	/* a table at the last level or a bogus run is not followed */
	if (p->kind == IOPGT_PTE_TABLE &&
	    (depth + 1 >= g->levels ||
	     !table_pa_ok(p->oa, g->table_bytes)))
		p->kind = IOPGT_PTE_INVALID;
	if (p->contig_lg2 > (depth ? g->bits_per_level : ilog2(g->top_entries)))
		p->kind = IOPGT_PTE_INVALID;
	if (p->kind == IOPGT_PTE_INVALID) {
		p->span_log2 = geom_shift(g, depth);
		p->contig_lg2 = 0;
	}
}

/**
 * iopgt_walk_iova() - the descriptors translating one IOVA
 * @as: address space, as->lock held, live
 * @iova: address inside the input range (checked by the caller)
 * @out: WALK command; levels[], n_levels, phys and IOPGT_WALK_MAPPED in
 *	out_flags are written (the caller zeroed them)
 *
 * Walks from the top table down to the first leaf or invalid descriptor,
 * both included. For a contiguous leaf, @oa is the start of the whole leaf
 * and @span_log2 its full size; @index is the slot actually read.
 *
 * Return: 0, or -EOPNOTSUPP when the format has no decoder.
 */
int iopgt_walk_iova(struct iopgt_as *as, u64 iova, struct iopgt_walk *out)
{
	const struct iopgt_walk_geom *g = &as->walk;
	const void *table = g->top_va;
	u64 table_pa = g->top_pa;
	u32 depth, reach;

	if (!g->fmt)
		return -EOPNOTSUPP;

	/*
	 * The top table covers 2^reach bytes above va_base. An IOVA beyond
	 * that (PT_AMDV1 before its top grew, say) is not mapped: indexing
	 * would alias it onto a low address.
	 */
	reach = geom_shift(g, 0) + ilog2(geom_entries(g, 0));
	if (reach < 64 && ((iova ^ g->va_base) >> reach))
		return 0;

	for (depth = 0; depth < g->levels && depth < IOPGT_MAX_LEVELS; depth++) {
		struct iopgt_walk_level *l = &out->levels[depth];
		u32 shift = geom_shift(g, depth);
		u32 idx = (iova >> shift) & (geom_entries(g, depth) - 1);
		struct iopgt_walk_pte p;
		u64 raw = read_desc(g, table, idx);

		decode(g, depth, raw, &p);
		l->pte = raw;
		l->table_pa = table_pa;
		l->oa = p.oa;
		l->span_log2 = p.span_log2;
		l->level = geom_level(g, depth);
		l->index = idx;
		l->kind = p.kind;
		out->n_levels = depth + 1;

		if (p.kind == IOPGT_PTE_TABLE) {
			table_pa = p.oa;
			table = phys_to_virt(table_pa);
			continue;
		}
		if (p.kind == IOPGT_PTE_BLOCK || p.kind == IOPGT_PTE_PAGE) {
			out->phys = p.oa + (iova & (BIT_ULL(p.span_log2) - 1));
			out->out_flags |= IOPGT_WALK_MAPPED;
		}
		break;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Hiding kernel addresses                                             */

static bool kind_is_leaf(u32 kind)
{
	return kind == IOPGT_PTE_BLOCK || kind == IOPGT_PTE_PAGE;
}

/* descriptor bits that can hold a table address in @as's format */
static u64 hide_mask(const struct iopgt_as *as)
{
	const struct iopgt_walk_geom *g = &as->walk;
	u64 m;

	if (!g->fmt)
		return U64_MAX;
	m = g->fmt->table_addr | __sme_set(0ULL);
	/* MediaTek v7s: PA bits 32/33/34 of a table in bits 9/4/5 */
	if (g->fmt == &iopgt_walk_fmt_v7s &&
	    (as->quirks & (IOPGT_QUIRK_ARM_MTK_EXT |
			   IOPGT_QUIRK_ARM_MTK_TTBR_EXT)))
		m |= BIT_ULL(9) | BIT_ULL(5) | BIT_ULL(4);
	return m;
}

/**
 * iopgt_walk_hide_desc() - a descriptor as a caller without CAP_SYS_ADMIN
 *	sees it
 * @as: address space, as->lock held, live
 * @raw: descriptor as stored in one of @as's tables
 * @kind: what the walker decoded it as (enum iopgt_pte_kind)
 *
 * A leaf's output address was chosen by the user who mapped it and stays.
 * Every other descriptor (a table, or one the walker did not accept as a
 * leaf) loses the bits that can hold a next-table address in this format;
 * its attribute bits stay.
 *
 * Return: @raw, or @raw with the table-address bits cleared.
 */
u64 iopgt_walk_hide_desc(const struct iopgt_as *as, u64 raw, u32 kind)
{
	return kind_is_leaf(kind) ? raw : raw & ~hide_mask(as);
}

/**
 * iopgt_walk_hide_entry() - remove kernel addresses from a tree-walk entry
 * @as: address space the entry was read from, as->lock held, live
 * @e: entry (a copy: the caller sends it out)
 *
 * Zeroes @e->table_pa; for an entry that is not a leaf also @e->oa (the
 * next table) and the table-address bits of @e->pte.
 */
void iopgt_walk_hide_entry(const struct iopgt_as *as,
			   struct iopgt_walk_entry *e)
{
	lockdep_assert_held(&as->lock);
	e->table_pa = 0;
	if (kind_is_leaf(e->kind))
		return;
	e->pte = iopgt_walk_hide_desc(as, e->pte, e->kind);
	e->oa = 0;
}

/**
 * iopgt_walk_hide_addrs() - remove kernel addresses from a WALK result
 * @as: address space walked, as->lock held, live
 * @w: result of iopgt_walk_iova() and, with IOPGT_WALK_HW, of the
 *	backend's hw_walk
 *
 * For callers without CAP_SYS_ADMIN. levels[]: every table_pa is zeroed;
 * every level that is not a leaf gets oa = 0 and its descriptor's
 * table-address bits cleared. hw_ptes[]: the library's walker reports the
 * descriptor of level i in hw_ptes[i]; one equal to the descriptor our
 * walker read at that level keeps that level's classification, anything
 * else is treated as a table (its table-address bits are cleared), so no
 * entry the two walkers disagree on can carry an address out.
 */
void iopgt_walk_hide_addrs(const struct iopgt_as *as, struct iopgt_walk *w)
{
	u32 n = min_t(u32, w->n_levels, IOPGT_MAX_LEVELS);
	u32 i, d;

	lockdep_assert_held(&as->lock);
	for (i = 0; i < ARRAY_SIZE(w->hw_ptes); i++) {
		u32 kind = IOPGT_PTE_INVALID;

		for (d = 0; d < n; d++)
			if (w->levels[d].level == i &&
			    w->levels[d].pte == w->hw_ptes[i])
				kind = w->levels[d].kind;
		w->hw_ptes[i] = iopgt_walk_hide_desc(as, w->hw_ptes[i], kind);
	}
	for (i = 0; i < IOPGT_MAX_LEVELS; i++) {
		struct iopgt_walk_level *l = &w->levels[i];

		l->table_pa = 0;
		if (kind_is_leaf(l->kind))
			continue;
		l->pte = iopgt_walk_hide_desc(as, l->pte, l->kind);
		l->oa = 0;
	}
}

/**
 * iopgt_walk_hide_reg() - a GET_HW_CFG register without kernel addresses
 * @as: address space, as->lock held, live
 * @i: register index (0..IOPGT_HW_NREGS - 1)
 * @val: its value
 *
 * regs[7] (the top table) is an address: 0. A register the format lists in
 * its addr_regs keeps only the bits that are not part of its address
 * field: LPAE TTBR/VTTBR BADDR 51:1 (CnP and ASID/VMID stay), Mali
 * TRANSTAB 51:12 (ADRMODE, READ_INNER, SHARE_OUTER stay), v7s TTBR 31:7
 * (S, NOS, IRGN, RGN stay; with a MediaTek quirk the whole register is
 * the address), generic_pt roots 63:12; anything else (Apple DART TTBRs,
 * RISC-V PPN) entirely.
 *
 * Return: the value a caller without CAP_SYS_ADMIN gets.
 */
u64 iopgt_walk_hide_reg(const struct iopgt_as *as, u32 i, u64 val)
{
	u64 m;

	lockdep_assert_held(&as->lock);
	if (i == 7)
		return 0;
	if (i >= 32 || !(as->fmt->addr_regs & BIT(i)))
		return val;
	switch (as->format) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
		m = GENMASK_ULL(51, 1);
		break;
	case IOPGT_FMT_ARM_MALI_LPAE:
		m = GENMASK_ULL(51, 12);
		break;
	case IOPGT_FMT_ARM_V7S:
		m = (as->quirks & (IOPGT_QUIRK_ARM_MTK_EXT |
				   IOPGT_QUIRK_ARM_MTK_TTBR_EXT)) ?
		    U64_MAX : GENMASK_ULL(63, 7);
		break;
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
		m = GENMASK_ULL(63, 12);
		break;
	default:
		m = U64_MAX;
		break;
	}
	return val & ~(m | __sme_set(0ULL));
}

/* ------------------------------------------------------------------ */
/* Tree iteration                                                      */

struct walk_frame {
	const void *va;
	u64 pa;
	u64 base;	/* IOVA of slot 0 */
	u32 idx;	/* next slot */
	u32 nent;
};

/* first slot of a table at @depth based at @base that can hold IOVA >= lo */
static u32 first_slot(const struct iopgt_walk_geom *g, u32 depth, u64 base,
		      u64 lo)
{
	u64 idx;

	if (lo <= base)
		return 0;
	idx = (lo - base) >> geom_shift(g, depth);
	return min_t(u64, idx, geom_entries(g, depth));
}

static bool key_before(u64 iova, u32 depth, const struct iopgt_walk_cursor *c)
{
	return iova < c->iova || (iova == c->iova && depth < c->depth);
}

/**
 * iopgt_walk_tree() - visit the non-empty descriptors of an address space
 * @as: address space, as->lock held, live
 * @f: filter: IOVA range and deepest depth
 * @cur: in: where to resume (zeroed: from the start); out: where the next
 *	call resumes; @cur->done is set when the walk reached the end
 * @visit: callback for every entry at or after the cursor, in (iova, depth)
 *	order: IOVA order, tables before their children
 * @priv: passed to @visit
 *
 * Every descriptor with a non-zero raw value is visited, including ones
 * that decode as invalid (those are never followed). A contiguous leaf is
 * visited once, as its first slot. The walk may be split over several
 * calls with the lock dropped in between: the cursor is an IOVA position,
 * so a changed tree is walked from the same position (the caller detects
 * the change through as->generation).
 *
 * Return: 0 when the walk reached the end, the callback's value when it
 * stopped the walk, -EOPNOTSUPP when the format has no decoder.
 */
int iopgt_walk_tree(struct iopgt_as *as, const struct iopgt_walk_filter *f,
		    struct iopgt_walk_cursor *cur, iopgt_walk_visit_t visit,
		    void *priv)
{
	const struct iopgt_walk_geom *g = &as->walk;
	struct walk_frame st[IOPGT_MAX_LEVELS];
	u32 max_depth, d = 0;
	u64 lo;
	int ret;

	if (!g->fmt)
		return -EOPNOTSUPP;
	if (cur->done)
		return 0;
	max_depth = min(f->max_depth, g->levels - 1);
	lo = max(cur->iova, f->first);

	st[0].va = g->top_va;
	st[0].pa = g->top_pa;
	st[0].base = g->va_base;
	st[0].nent = g->top_entries;
	st[0].idx = first_slot(g, 0, g->va_base, lo);

	for (;;) {
		struct walk_frame *fr = &st[d];
		struct iopgt_walk_entry e;
		struct iopgt_walk_pte p;
		u32 shift, n, gidx;
		u64 raw, slot, end;

		if (fr->idx >= fr->nent) {
			if (!d)
				break;
			d--;
			st[d].idx++;
			continue;
		}
		shift = geom_shift(g, d);
		slot = fr->base + ((u64)fr->idx << shift);
		if (slot > f->last)
			break;		/* everything after is beyond the range */
		raw = read_desc(g, fr->va, fr->idx);
		if (!raw) {
			fr->idx++;
			continue;
		}
		decode(g, d, raw, &p);
		n = 1U << p.contig_lg2;
		gidx = fr->idx & ~(n - 1);
		slot = fr->base + ((u64)gidx << shift);
		end = p.span_log2 >= 64 ? U64_MAX :
					   slot + (BIT_ULL(p.span_log2) - 1);
		if (end < lo) {
			fr->idx = gidx + n;
			continue;
		}
		if (d <= max_depth && !key_before(slot, d, cur)) {
			e.iova = slot;
			e.pte = raw;
			e.table_pa = fr->pa;
			e.oa = p.oa;
			e.span_log2 = p.span_log2;
			e.level = geom_level(g, d);
			e.depth = d;
			e.index = gidx;
			e.kind = p.kind;
			ret = visit(priv, &e);
			if (ret) {
				cur->iova = slot;
				cur->depth = ret < 0 ? d : d + 1;
				return ret;
			}
		}
		if (p.kind == IOPGT_PTE_TABLE && d < max_depth) {
			st[d + 1].va = phys_to_virt(p.oa);
			st[d + 1].pa = p.oa;
			st[d + 1].base = slot;
			st[d + 1].nent = geom_entries(g, d + 1);
			st[d + 1].idx = first_slot(g, d + 1, slot, lo);
			d++;
			cond_resched();
			continue;
		}
		fr->idx = gidx + n;
	}
	cur->done = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Table memory                                                        */

/* number of tables below a slot at @depth covering [first, last] */
static u64 tables_needed(const struct iopgt_walk_geom *g, u32 depth,
			 u64 first, u64 last)
{
	u64 n = 0;
	u32 e;

	/* a table at depth e + 1 is needed per depth-e slot the range spans */
	for (e = depth; e + 1 < g->levels; e++) {
		u32 s = geom_shift(g, e);

		n += (last >> s) - (first >> s) + 1;
	}
	return n;
}

/**
 * iopgt_walk_count_table_bytes() - memory held by the tables of an AS
 * @as: address space, as->lock held, live
 * @n_tables: out (may be NULL): number of tables, the top one included
 *	(once, even when it spans several pages)
 *
 * Counts the top table and every table reachable through a TABLE
 * descriptor, each with the memory its allocator takes for it (a whole
 * page for LPAE and generic_pt tables, even a small pgd; 1 KiB for ARM v7s
 * level-2 tables). Only tables above the last level are scanned.
 *
 * Return: bytes.
 */
u64 iopgt_walk_count_table_bytes(struct iopgt_as *as, u64 *n_tables)
{
	const struct iopgt_walk_geom *g = &as->walk;
	struct walk_frame st[IOPGT_MAX_LEVELS];
	u64 tables = 0;
	u32 d = 0;

	if (n_tables)
		*n_tables = 1;
	if (!g->fmt)
		return g->top_bytes;
	if (g->levels < 2)
		return g->top_bytes;

	st[0].va = g->top_va;
	st[0].nent = g->top_entries;
	st[0].idx = 0;
	for (;;) {
		struct walk_frame *fr = &st[d];
		struct iopgt_walk_pte p;
		u64 raw;

		if (fr->idx >= fr->nent) {
			if (!d)
				break;
			d--;
			st[d].idx++;
			continue;
		}
		raw = read_desc(g, fr->va, fr->idx);
		if (!raw) {
			fr->idx++;
			continue;
		}
		decode(g, d, raw, &p);
		if (p.kind != IOPGT_PTE_TABLE) {
			fr->idx += 1U << p.contig_lg2;
			fr->idx &= ~((1U << p.contig_lg2) - 1);
			continue;
		}
		tables++;
		if (d + 2 < g->levels) {
			/* its child holds tables too: scan it */
			st[d + 1].va = phys_to_virt(p.oa);
			st[d + 1].nent = geom_entries(g, d + 1);
			st[d + 1].idx = 0;
			d++;
			cond_resched();
			continue;
		}
		fr->idx++;
	}
	if (n_tables)
		*n_tables = 1 + tables;
	return g->top_bytes + tables * g->table_bytes;
}

/**
 * iopgt_walk_count_tables() - tables below the top that cover part of a range
 * @as: address space, as->lock held, live
 * @first: lowest IOVA of the range
 * @last: highest IOVA (inclusive, >= @first); the range is inside the
 *	input range (checked by the caller)
 *
 * Counts every table reachable through a TABLE descriptor whose IOVA span
 * intersects [@first, @last]. A map or unmap of that range allocates and
 * frees tables only among those (the libraries follow the slots on the
 * path of the range; a table a block replaces lies inside the block), so
 * two counts around one backend call differ by exactly what the call
 * added or removed. The cost follows the range (the slots it spans at
 * every level that holds tables), not the size of the tree.
 *
 * Return: number of tables (the top one not included).
 */
u64 iopgt_walk_count_tables(struct iopgt_as *as, u64 first, u64 last)
{
	const struct iopgt_walk_geom *g = &as->walk;
	struct walk_frame st[IOPGT_MAX_LEVELS];
	u64 tables = 0;
	u32 d = 0;

	if (!g->fmt || g->levels < 2 || last < first)
		return 0;

	st[0].va = g->top_va;
	st[0].base = g->va_base;
	st[0].nent = g->top_entries;
	st[0].idx = first_slot(g, 0, g->va_base, first);
	for (;;) {
		struct walk_frame *fr = &st[d];
		struct iopgt_walk_pte p;
		u64 slot, raw;

		if (fr->idx >= fr->nent) {
			if (!d)
				break;
			d--;
			st[d].idx++;
			continue;
		}
		slot = fr->base + ((u64)fr->idx << geom_shift(g, d));
		if (slot > last) {
			/* the rest of this table is beyond the range */
			fr->idx = fr->nent;
			continue;
		}
		raw = read_desc(g, fr->va, fr->idx);
		if (!raw) {
			fr->idx++;
			continue;
		}
		if (d + 2 >= g->levels) {
			/*
			 * A table of leaves is counted, never followed: the
			 * format's decoder alone classifies it (decode()'s
			 * extra checks guard following an address).
			 */
			p.span_log2 = geom_shift(g, d);
			p.contig_lg2 = 0;
			g->fmt->decode(g, d, raw, &p);
			tables += p.kind == IOPGT_PTE_TABLE;
			fr->idx++;
			continue;
		}
		decode(g, d, raw, &p);
		if (p.kind != IOPGT_PTE_TABLE) {
			fr->idx++;
			continue;
		}
		tables++;
		/* its child holds tables too: scan its part of the range */
		st[d + 1].va = phys_to_virt(p.oa);
		st[d + 1].base = slot;
		st[d + 1].nent = geom_entries(g, d + 1);
		st[d + 1].idx = first_slot(g, d + 1, slot, first);
		d++;
	}
	return tables;
}

/**
 * iopgt_walk_table_bytes_max() - table memory a map could add, worst case
 * @as: address space, as->lock held, live
 * @iova: start of the range to be mapped
 * @len: its length in bytes, >= 1; [iova, iova + len) inside the input
 *	range (checked by the caller)
 *
 * Like iopgt_walk_table_bytes_bound() as if no table below the top existed
 * yet: arithmetic only, no table is read, so it costs the same in any
 * tree. Never below iopgt_walk_table_bytes_bound().
 *
 * Return: bytes, or U64_MAX when only a walk can tell (an AMDv1 range
 * beyond the current top's reach).
 */
u64 iopgt_walk_table_bytes_max(struct iopgt_as *as, u64 iova, u64 len)
{
	const struct iopgt_walk_geom *g = &as->walk;
	u64 last = iova + len - 1;

	if (!len || last < iova || !g->fmt || g->levels < 2)
		return 0;
	if (g->level_dec && g->fmt == &iopgt_walk_fmt_amdv1) {
		u32 cover = geom_shift(g, 0) + ilog2(g->top_entries);

		if (cover < 64 && (last >> cover))
			return U64_MAX;
	}
	return tables_needed(g, 0, iova, last) * g->table_bytes;
}

/**
 * iopgt_walk_table_bytes_bound() - table memory a map could add
 * @as: address space, as->lock held, live
 * @iova: start of the range to be mapped
 * @len: its length in bytes, >= 1; [iova, iova + len) inside the input
 *	range (checked by the caller)
 *
 * An upper bound: assumes the smallest page everywhere and counts one new
 * table for every slot on the way that does not hold a table yet. For
 * generic_pt formats whose top level can grow (AMDv1), a range beyond the
 * current top's reach is counted as if every level up to the largest
 * allowed had to be built.
 *
 * Return: bytes.
 */
u64 iopgt_walk_table_bytes_bound(struct iopgt_as *as, u64 iova, u64 len)
{
	const struct iopgt_walk_geom *g = &as->walk;
	struct walk_frame st[IOPGT_MAX_LEVELS];
	u64 last = iova + len - 1;
	u64 missing = 0;
	u32 d = 0;

	if (!len || last < iova)
		return 0;
	if (!g->fmt)
		return 0;

	if (g->level_dec && g->fmt == &iopgt_walk_fmt_amdv1) {
		u32 cover = geom_shift(g, 0) + ilog2(g->top_entries);

		if (cover < 64 && (last >> cover)) {
			struct iopgt_walk_geom big = *g;

			/* AMDv1 may grow to mode 6 */
			big.levels = IOPGT_MAX_LEVELS;
			return (u64)g->table_bytes *
			       (IOPGT_MAX_LEVELS - g->levels +
				tables_needed(&big, 0, iova, last));
		}
	}
	if (g->levels < 2)
		return 0;

	st[0].va = g->top_va;
	st[0].base = g->va_base;
	st[0].nent = g->top_entries;
	st[0].idx = first_slot(g, 0, g->va_base, iova);
	for (;;) {
		struct walk_frame *fr = &st[d];
		u32 shift = geom_shift(g, d);
		struct iopgt_walk_pte p;
		u64 slot, s_first, s_last, raw;

		if (fr->idx >= fr->nent) {
			if (!d)
				break;
			d--;
			st[d].idx++;
			continue;
		}
		slot = fr->base + ((u64)fr->idx << shift);
		if (slot > last)
			goto up;
		s_first = max(slot, iova);
		s_last = min(slot + (BIT_ULL(shift) - 1), last);
		raw = read_desc(g, fr->va, fr->idx);
		if (raw)
			decode(g, d, raw, &p);
		if (!raw || p.kind != IOPGT_PTE_TABLE) {
			/* a new table here, and everything below it */
			missing += tables_needed(g, d, s_first, s_last);
			fr->idx++;
			continue;
		}
		if (d + 2 < g->levels) {
			st[d + 1].va = phys_to_virt(p.oa);
			st[d + 1].base = slot;
			st[d + 1].nent = geom_entries(g, d + 1);
			st[d + 1].idx = first_slot(g, d + 1, slot, s_first);
			d++;
			cond_resched();
			continue;
		}
		fr->idx++;
		continue;
up:
		/* rest of this table is beyond the range */
		fr->idx = fr->nent;
	}
	return missing * g->table_bytes;
}
