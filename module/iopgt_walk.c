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
#define V7S_TABLE_ADDR		GENMASK_ULL(31, 10)

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
 * struct iopgt_walk_fmt - what the walker knows of one format
 * @name: family name, for messages
 * @geom: fill the geometry from the address space's configuration and
 *	registers (iopgt_walk_init() checks and completes it); -EOPNOTSUPP:
 *	not walkable in this configuration
 * @decode: classify @raw found at @depth; @p->span_log2 is preset to the
 *	slot span and @p->contig_lg2 to 0
 * @table_addr: the descriptor bits that hold the next-table address of a
 *	table descriptor (cleared for callers that may not see kernel
 *	addresses; see iopgt_walk_hide_desc())
 * @oa_shift: @table_addr bits are the address shifted right by this much
 * @reg_addr: the bits of a register named in the format's addr_regs that
 *	hold an address (see iopgt_walk_hide_reg())
 * @reg1_levels: generic_pt: regs[1] + this is the number of levels
 * @top_grows: generic_pt: the library may add levels above the top
 */
struct iopgt_walk_fmt {
	const char *name;
	int (*geom)(struct iopgt_as *as, struct iopgt_walk_geom *g);
	void (*decode)(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		       struct iopgt_walk_pte *p);
	u64 table_addr;
	u32 oa_shift;
	u64 reg_addr;
	u32 reg1_levels;
	bool top_grows;
	/*
	 * When non-zero: a descriptor above the last level is a TABLE for
	 * decode() exactly when (raw & table_mask) == table_val, so the
	 * range counts can classify those without calling decode().
	 */
	u64 table_mask, table_val;
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
			p->oa = pte & V7S_TABLE_ADDR;
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

/*
 * Apple DART: last level any non-zero pte is a page; above, bit 0 = table.
 * The address field is the format's table_addr, shifted left by oa_shift
 * (DART2 stores PA[41:14] in bits 37:10).
 */
static void dart_decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
			struct iopgt_walk_pte *p)
{
	p->oa = (raw & g->fmt->table_addr) << g->fmt->oa_shift;
	if (depth == g->levels - 1)
		p->kind = raw ? IOPGT_PTE_PAGE : IOPGT_PTE_INVALID;
	else
		p->kind = (raw & 1) ? IOPGT_PTE_TABLE : IOPGT_PTE_INVALID;
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
	u32 levels = r + g->fmt->reg1_levels;

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

/* ------------------------------------------------------------------ */
/* The formats                                                         */

/*
 * Every per-format fact the walker and the address hiding need, in one
 * table: how to compute the geometry, how to decode a descriptor, which
 * descriptor bits hold a next-table address and which register bits hold
 * a table address.
 */
static const struct iopgt_walk_fmt walk_fmt_lpae = {
	.name = "lpae", .geom = geom_lpae, .decode = lpae_decode,
	.table_mask = 3, .table_val = 3,	/* valid, type 3 above level 3 */
	.table_addr = IOPGT_LPAE_ADDR_MASK,
	.reg_addr = GENMASK_ULL(51, 1),		/* TTBR/VTTBR BADDR */
};

static const struct iopgt_walk_fmt walk_fmt_mali = {
	.name = "mali", .geom = geom_lpae, .decode = mali_decode,
	.table_mask = 3, .table_val = 3,	/* type 3 above level 3 */
	.table_addr = IOPGT_LPAE_ADDR_MASK,
	.reg_addr = GENMASK_ULL(51, 12),	/* TRANSTAB */
};

static const struct iopgt_walk_fmt walk_fmt_v7s = {
	.name = "v7s", .geom = geom_v7s, .decode = v7s_decode,
	.table_addr = V7S_TABLE_ADDR,
	.reg_addr = GENMASK_ULL(63, 7),		/* TTBR 31:7 */
};

/* MediaTek v7s: PA bits 32/33/34 in bits 9/4/5; the TTBR is all address */
static const struct iopgt_walk_fmt walk_fmt_v7s_mtk = {
	.name = "v7s-mtk", .geom = geom_v7s, .decode = v7s_decode,
	.table_addr = V7S_TABLE_ADDR | BIT_ULL(9) | BIT_ULL(5) | BIT_ULL(4),
	.reg_addr = U64_MAX,
};

static const struct iopgt_walk_fmt walk_fmt_dart1 = {
	.name = "dart", .geom = geom_dart, .decode = dart_decode,
	.table_addr = GENMASK_ULL(35, 12),
	.reg_addr = U64_MAX,
};

static const struct iopgt_walk_fmt walk_fmt_dart2 = {
	.name = "dart2", .geom = geom_dart, .decode = dart_decode,
	.table_addr = GENMASK_ULL(37, 10), .oa_shift = 4,
	.reg_addr = U64_MAX,
};

static const struct iopgt_walk_fmt walk_fmt_x86_64 = {
	.name = "x86_64", .geom = geom_generic_pt, .decode = x86_64_decode,
	.table_addr = IOPGT_PT_OA_MASK,
	.reg_addr = GENMASK_ULL(63, 12),
	.reg1_levels = 0,			/* regs[1] = levels */
};

static const struct iopgt_walk_fmt walk_fmt_vtdss = {
	.name = "vtdss", .geom = geom_generic_pt, .decode = vtdss_decode,
	.table_addr = IOPGT_PT_OA_MASK,
	.reg_addr = GENMASK_ULL(63, 12),
	.reg1_levels = 2,			/* regs[1] = aw = top_level - 1 */
};

static const struct iopgt_walk_fmt walk_fmt_amdv1 = {
	.name = "amdv1", .geom = geom_generic_pt, .decode = amdv1_decode,
	.table_addr = IOPGT_PT_OA_MASK,
	.reg_addr = GENMASK_ULL(63, 12),
	.reg1_levels = 0,			/* regs[1] = mode = top_level + 1 */
	.top_grows = true,
};

static const struct iopgt_walk_fmt *const walk_fmts[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_ARM_32_LPAE_S1] = &walk_fmt_lpae,
	[IOPGT_FMT_ARM_32_LPAE_S2] = &walk_fmt_lpae,
	[IOPGT_FMT_ARM_64_LPAE_S1] = &walk_fmt_lpae,
	[IOPGT_FMT_ARM_64_LPAE_S2] = &walk_fmt_lpae,
	[IOPGT_FMT_ARM_MALI_LPAE] = &walk_fmt_mali,
	[IOPGT_FMT_ARM_V7S] = &walk_fmt_v7s,
	[IOPGT_FMT_APPLE_DART] = &walk_fmt_dart1,
	[IOPGT_FMT_APPLE_DART2] = &walk_fmt_dart2,
	[IOPGT_FMT_PT_AMDV1] = &walk_fmt_amdv1,
	[IOPGT_FMT_PT_VTDSS] = &walk_fmt_vtdss,
	[IOPGT_FMT_PT_X86_64] = &walk_fmt_x86_64,
};

/* the table entry of @as's format and quirks; NULL: not walkable */
static const struct iopgt_walk_fmt *walk_fmt_of(const struct iopgt_as *as)
{
	if (as->format >= IOPGT_FMT_COUNT)
		return NULL;
	if (as->format == IOPGT_FMT_ARM_V7S &&
	    (as->quirks & (IOPGT_QUIRK_ARM_MTK_EXT |
			   IOPGT_QUIRK_ARM_MTK_TTBR_EXT)))
		return &walk_fmt_v7s_mtk;
	return walk_fmts[as->format];
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

	g.fmt = walk_fmt_of(as);
	ret = g.fmt ? g.fmt->geom(as, &g) : -EOPNOTSUPP;
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

/* the format's decoder alone, @p preset as struct iopgt_walk_fmt says */
static void decode_fmt(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		       struct iopgt_walk_pte *p)
{
	p->span_log2 = geom_shift(g, depth);
	p->contig_lg2 = 0;
	g->fmt->decode(g, depth, raw, p);
}

/* the format's decoder, and what the iterator needs to follow a table */
static void decode(const struct iopgt_walk_geom *g, u32 depth, u64 raw,
		   struct iopgt_walk_pte *p)
{
	decode_fmt(g, depth, raw, p);
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

/* ------------------------------------------------------------------ */
/* The tree iterator                                                   */

/*
 * One iterator reads the tables for every user: the WALK ioctl, the
 * netlink tree dump and the table counts. As generic_pt's pt_walk_range()
 * (drivers/iommu/generic_pt/pt_iter.h), it walks a range from the top
 * table down and hands every entry to a visitor; unlike it, the walk is
 * a loop over an explicit stack (at most IOPGT_MAX_LEVELS deep) and the
 * visitor sees one entry at a time, so a visitor that stops the walk can
 * have it resumed from an IOVA position (the tree dump).
 */

/**
 * struct walk_range - what one walk covers
 * @g: geometry of the tree
 * @first: lowest IOVA of interest
 * @last: highest IOVA of interest (inclusive, >= @first)
 * @max_depth: deepest depth read; a TABLE entry above it is followed
 * @empty: also visit the empty slots (raw 0, invalid) of the range
 *
 * walk_range_init() clamps [@first, @last] to what the top table covers.
 */
struct walk_range {
	const struct iopgt_walk_geom *g;
	u64 first;
	u64 last;
	u32 max_depth;
	bool empty;
};

/**
 * struct walk_state - the entry a visitor is handed
 * @iova: first IOVA the entry covers (of its group for a contiguous leaf)
 * @raw: descriptor as stored
 * @table_pa: physical address of the table holding it
 * @p: decoded by decode(); an empty slot: invalid, the slot's span
 * @depth: 0 for the top table, +1 per level down
 * @index: slot read
 * @gidx: first slot of its group (@index unless a contiguous leaf)
 */
struct walk_state {
	u64 iova;
	u64 raw;
	u64 table_pa;
	struct iopgt_walk_pte p;
	u32 depth;
	u32 index;
	u32 gidx;
};

/*
 * walk_visit_fn - called for every entry in (iova, depth) order. Return 0
 * to go on (into the entry's table when it is one above @max_depth), any
 * other value to end the walk with it.
 */
typedef int (*walk_visit_fn)(void *arg, const struct walk_state *ws);

/* last IOVA the top table of @g covers */
static u64 geom_last(const struct iopgt_walk_geom *g)
{
	u32 reach = geom_shift(g, 0) + ilog2(g->top_entries);

	return reach >= 64 ? U64_MAX : g->va_base + (BIT_ULL(reach) - 1);
}

/*
 * Sets up @r for [@first, @last] down to @max_depth (at most the last
 * level). Return: false when nothing of the range lies under the top table.
 */
static bool walk_range_init(struct walk_range *r,
			    const struct iopgt_walk_geom *g, u64 first,
			    u64 last, u32 max_depth)
{
	r->g = g;
	r->first = max(first, g->va_base);
	r->last = min(last, geom_last(g));
	r->max_depth = min(max_depth, g->levels - 1);
	r->empty = false;
	return r->first <= r->last;
}

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

/*
 * walk_range() - visit the entries of a range
 * @r: the range (walk_range_init())
 * @visit: the visitor; inlined into each user
 * @arg: passed to @visit
 *
 * Visits every non-empty descriptor whose IOVA span intersects the range,
 * down to @r->max_depth, in (iova, depth) order: IOVA order, every table
 * before its children. A contiguous leaf is visited once, as its group;
 * a descriptor that decodes as invalid is visited and never followed; a
 * table is entered only through a TABLE descriptor that decode() accepted
 * (aligned, backed by a page frame, above the last level). With
 * @r->empty, empty slots are visited too.
 *
 * Return: 0 at the end of the range, else what the visitor returned.
 */
static __always_inline int walk_range(const struct walk_range *r,
				      walk_visit_fn visit, void *arg)
{
	const struct iopgt_walk_geom *g = r->g;
	struct walk_table {
		const void *va;
		u64 pa;
		u64 base;	/* IOVA of slot 0 */
		u32 idx;	/* next slot */
		u32 nent;
	} st[IOPGT_MAX_LEVELS];
	struct walk_state ws;
	u32 d = 0;
	int ret;

	st[0].va = g->top_va;
	st[0].pa = g->top_pa;
	st[0].base = g->va_base;
	st[0].nent = g->top_entries;
	st[0].idx = first_slot(g, 0, g->va_base, r->first);
	for (;;) {
		struct walk_table *t = &st[d];
		u32 shift, n;
		u64 end;

		if (t->idx >= t->nent) {
			if (!d)
				return 0;
			d--;
			st[d].idx++;	/* past the TABLE entry just done */
			continue;
		}
		shift = geom_shift(g, d);
		ws.iova = t->base + ((u64)t->idx << shift);
		if (ws.iova > r->last)
			return 0;	/* everything after is beyond the range */
		ws.raw = read_desc(g, t->va, t->idx);
		if (!ws.raw && !r->empty) {
			t->idx++;
			continue;
		}
		ws.table_pa = t->pa;
		ws.depth = d;
		ws.index = t->idx;
		if (ws.raw) {
			decode(g, d, ws.raw, &ws.p);
		} else {
			ws.p.oa = 0;
			ws.p.kind = IOPGT_PTE_INVALID;
			ws.p.span_log2 = shift;
			ws.p.contig_lg2 = 0;
		}
		n = 1U << ws.p.contig_lg2;
		ws.gidx = t->idx & ~(n - 1);
		ws.iova = t->base + ((u64)ws.gidx << shift);
		end = ws.p.span_log2 >= 64 ? U64_MAX :
					      ws.iova + (BIT_ULL(ws.p.span_log2) - 1);
		if (end < r->first) {
			t->idx = ws.gidx + n;
			continue;
		}
		ret = visit(arg, &ws);
		if (ret)
			return ret;
		if (ws.p.kind == IOPGT_PTE_TABLE && d < r->max_depth) {
			st[d + 1].va = phys_to_virt(ws.p.oa);
			st[d + 1].pa = ws.p.oa;
			st[d + 1].base = ws.iova;
			st[d + 1].nent = geom_entries(g, d + 1);
			st[d + 1].idx = first_slot(g, d + 1, ws.iova, r->first);
			d++;
			cond_resched();
			continue;
		}
		t->idx = ws.gidx + n;
	}
}

/* ------------------------------------------------------------------ */
/* WALK: the descriptors translating one IOVA                          */

static bool kind_is_leaf(u32 kind)
{
	return kind == IOPGT_PTE_BLOCK || kind == IOPGT_PTE_PAGE;
}

struct iova_walk {
	const struct iopgt_walk_geom *g;
	struct iopgt_walk *out;
	u64 iova;
};

static int iova_visit(void *arg, const struct walk_state *ws)
{
	struct iova_walk *w = arg;
	struct iopgt_walk_level *l = &w->out->levels[ws->depth];

	l->pte = ws->raw;
	l->table_pa = ws->table_pa;
	l->oa = ws->p.oa;
	l->span_log2 = ws->p.span_log2;
	l->level = geom_level(w->g, ws->depth);
	l->index = ws->index;
	l->kind = ws->p.kind;
	w->out->n_levels = ws->depth + 1;
	if (kind_is_leaf(ws->p.kind)) {
		w->out->phys = ws->p.oa +
			       (w->iova & (BIT_ULL(ws->p.span_log2) - 1));
		w->out->out_flags |= IOPGT_WALK_MAPPED;
	}
	return 0;
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
 * and @span_log2 its full size; @index is the slot actually read. An IOVA
 * beyond what the top table covers (PT_AMDV1 before its top grew, say) is
 * not mapped: indexing would alias it onto a low address.
 *
 * Return: 0, or -EOPNOTSUPP when the format has no decoder.
 */
int iopgt_walk_iova(struct iopgt_as *as, u64 iova, struct iopgt_walk *out)
{
	struct iova_walk w = { .g = &as->walk, .out = out, .iova = iova };
	struct walk_range r;

	if (!as->walk.fmt)
		return -EOPNOTSUPP;
	if (!walk_range_init(&r, &as->walk, iova, iova, IOPGT_MAX_LEVELS))
		return 0;
	/* one slot per level: the range ends after the first non-table */
	r.empty = true;
	return walk_range(&r, iova_visit, &w);
}

/* ------------------------------------------------------------------ */
/* Hiding kernel addresses                                             */

/* descriptor bits that can hold a table address in @as's format */
static u64 hide_mask(const struct iopgt_as *as)
{
	const struct iopgt_walk_fmt *f = as->walk.fmt;

	return f ? f->table_addr | __sme_set(0ULL) : U64_MAX;
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
	const struct iopgt_walk_fmt *f = walk_fmt_of(as);
	u64 m = f ? f->reg_addr : U64_MAX;

	lockdep_assert_held(&as->lock);
	if (i == 7)
		return 0;
	if (i >= 32 || !(as->fmt->addr_regs & BIT(i)))
		return val;
	return val & ~(m | __sme_set(0ULL));
}

/* ------------------------------------------------------------------ */
/* Tree dump                                                           */

struct tree_walk {
	const struct iopgt_walk_geom *g;
	struct iopgt_walk_cursor *cur;
	iopgt_walk_visit_t visit;
	void *priv;
};

static bool key_before(u64 iova, u32 depth, const struct iopgt_walk_cursor *c)
{
	return iova < c->iova || (iova == c->iova && depth < c->depth);
}

static int tree_visit(void *arg, const struct walk_state *ws)
{
	struct tree_walk *t = arg;
	struct iopgt_walk_entry e;
	int ret;

	/* sent by an earlier call; its children may not all have been */
	if (key_before(ws->iova, ws->depth, t->cur))
		return 0;
	e.iova = ws->iova;
	e.pte = ws->raw;
	e.table_pa = ws->table_pa;
	e.oa = ws->p.oa;
	e.span_log2 = ws->p.span_log2;
	e.level = geom_level(t->g, ws->depth);
	e.depth = ws->depth;
	e.index = ws->gidx;
	e.kind = ws->p.kind;
	ret = t->visit(t->priv, &e);
	if (ret) {
		t->cur->iova = ws->iova;
		t->cur->depth = ret < 0 ? ws->depth : ws->depth + 1;
	}
	return ret;
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
	struct tree_walk t = {
		.g = &as->walk, .cur = cur, .visit = visit, .priv = priv,
	};
	struct walk_range r;
	int ret = 0;

	if (!as->walk.fmt)
		return -EOPNOTSUPP;
	if (cur->done)
		return 0;
	if (walk_range_init(&r, &as->walk, max(cur->iova, f->first), f->last,
			    f->max_depth))
		ret = walk_range(&r, tree_visit, &t);
	if (!ret)
		cur->done = true;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Table memory                                                        */

struct count_walk {
	const struct iopgt_walk_geom *g;
	u64 first, last;
	u64 tables;
	bool fmt_decides;
	bool by_mask;
};

/*
 * The TABLE entries among the slots of the depth-@depth table at @va (based
 * at IOVA @base) that cover [first, last]: one read and one mask test per
 * slot (struct iopgt_walk_fmt.table_mask), no decode() call. The slots
 * lie at the last level that holds tables, so these tables are counted,
 * never followed.
 */
static u64 count_table_slots(const struct iopgt_walk_geom *g, u32 depth,
			     const void *va, u64 base, u64 first, u64 last)
{
	u32 shift = geom_shift(g, depth), nent = geom_entries(g, depth);
	u32 lo = first_slot(g, depth, base, first), hi, i;
	u64 mask = g->fmt->table_mask, val = g->fmt->table_val, n = 0;

	if (last < base)
		return 0;
	hi = (last - base) >> shift < nent ? (last - base) >> shift : nent - 1;
	for (i = lo; i <= hi && i < nent; i++)
		n += (read_desc(g, va, i) & mask) == val;
	return n;
}

static int count_visit(void *arg, const struct walk_state *ws)
{
	struct count_walk *c = arg;
	struct iopgt_walk_pte p;

	if (c->by_mask && ws->depth + 3 == c->g->levels) {
		/* walk_range() stops here: its child is read by mask */
		if (ws->p.kind == IOPGT_PTE_TABLE) {
			c->tables++;
			c->tables += count_table_slots(c->g, ws->depth + 1,
						       phys_to_virt(ws->p.oa),
						       ws->iova, c->first,
						       c->last);
		}
		return 0;
	}
	if (c->fmt_decides && ws->depth + 2 >= c->g->levels) {
		/*
		 * A table of leaves is counted, never followed: the format's
		 * decoder alone classifies it (decode()'s extra checks guard
		 * following an address).
		 */
		decode_fmt(c->g, ws->depth, ws->raw, &p);
		c->tables += p.kind == IOPGT_PTE_TABLE;
	} else {
		c->tables += ws->p.kind == IOPGT_PTE_TABLE;
	}
	return 0;
}

/*
 * Tables below the top reachable through a TABLE descriptor whose IOVA span
 * intersects [@first, @last]; only the levels that hold tables are read.
 * @fmt_decides: the entries of the last of them (which point at tables of
 * leaves) count when the format's decoder alone calls them tables.
 */
static u64 count_tables(const struct iopgt_walk_geom *g, u64 first, u64 last,
			bool fmt_decides)
{
	struct count_walk c = { .g = g, .fmt_decides = fmt_decides };
	struct walk_range r;

	if (!g->fmt || g->levels < 2 ||
	    !walk_range_init(&r, g, first, last, g->levels - 2))
		return 0;
	/*
	 * Most slots of a range lie at the last level that holds tables:
	 * where the format allows, those are classified by mask (the same
	 * answer as decode_fmt()), each table of them read in one loop.
	 */
	c.by_mask = fmt_decides && g->fmt->table_mask;
	if (c.by_mask && g->levels == 2)
		return count_table_slots(g, 0, g->top_va, g->va_base, r.first,
					 r.last);
	if (c.by_mask)
		r.max_depth = g->levels - 3;
	c.first = r.first;
	c.last = r.last;
	walk_range(&r, count_visit, &c);
	return c.tables;
}

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
	u64 tables = count_tables(g, 0, U64_MAX, false);

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
	if (last < first)
		return 0;
	return count_tables(&as->walk, first, last, true);
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
	if (g->fmt->top_grows && last > geom_last(g))
		return U64_MAX;
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
 * table for every slot on the way that does not hold a table yet: the
 * tables the range needs under the top table minus those that exist. For
 * generic_pt formats whose top level can grow (AMDv1), a range beyond the
 * current top's reach is counted as if every level up to the largest
 * allowed had to be built.
 *
 * Return: bytes.
 */
u64 iopgt_walk_table_bytes_bound(struct iopgt_as *as, u64 iova, u64 len)
{
	const struct iopgt_walk_geom *g = &as->walk;
	u64 last = iova + len - 1;
	struct walk_range r;

	if (!len || last < iova || !g->fmt)
		return 0;
	if (g->fmt->top_grows && last > geom_last(g)) {
		struct iopgt_walk_geom big = *g;

		/* AMDv1 may grow to mode 6 */
		big.levels = IOPGT_MAX_LEVELS;
		return (u64)g->table_bytes *
		       (IOPGT_MAX_LEVELS - g->levels +
			tables_needed(&big, 0, iova, last));
	}
	if (g->levels < 2 || !walk_range_init(&r, g, iova, last, 0))
		return 0;
	return (tables_needed(g, 0, r.first, r.last) -
		count_tables(g, r.first, r.last, false)) * g->table_bytes;
}
