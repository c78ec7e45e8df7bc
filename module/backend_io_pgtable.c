// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: the io-pgtable backend (ARM LPAE, Mali, v7s, Apple DART).
 *
 * Every io-pgtable format the running kernel builds is registered with its
 * constraints (kernel-apis.md §3); the uapi ids are translated to the
 * kernel's enum io_pgtable_fmt by name at compile time (the values differ
 * between kernels). The AMD io-pgtable formats are never offered: they
 * container_of() into AMD driver structures.
 *
 * Without alloc_io_pgtable_ops (7.2 amd64, cloud flavours) nothing here
 * calls into io-pgtable and every format reports IOPGT_UNAVAIL_NO_BACKEND.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io-pgtable.h>
#include <linux/sizes.h>

#include "iopgt_backends.h"
#include "iopgt_as.h"
#include "iopgt_kcompat.h"

#define IOPGT_SZ_4T		(1ULL << 42)
#define LPAE_SET_4K		(SZ_4K | SZ_2M | SZ_1G)
#define LPAE_SET_16K		(SZ_16K | SZ_32M)
#define LPAE_SET_64K		(SZ_64K | SZ_512M | IOPGT_SZ_4T)
#define V7S_SET			(SZ_4K | SZ_64K | SZ_1M | SZ_16M)

/* Which io-pgtable family a descriptor belongs to (desc->kfmt is the enum) */
enum iopgt_iopt_family {
	IOPT_LPAE_S1,
	IOPT_LPAE_S2,
	IOPT_MALI,
	IOPT_V7S,
	IOPT_DART,
};

#define IOPT_FAMILY(d)	((enum iopgt_iopt_family)((d)->flags >> 16))
#define IOPT_FAM_FLAG(f)	((u32)(f) << 16)
#define IOPT_32BIT	BIT(15)	/* ARM_32_LPAE_*: adjusted limits */
/* private to this backend: above the reported bits (iopgt_fmt_uapi_flags()) */
static_assert(!((IOPT_32BIT | IOPT_FAM_FLAG(0xffff)) & IOPGT_FMT_F_DESC_MASK));

#ifdef HAVE_EXPORT_ALLOC_IO_PGTABLE_OPS

/**
 * struct iopgt_iopt - io-pgtable backend object of one address space
 * @ops: the library's ops (owned; freed at destroy)
 * @cfg: the final configuration the library settled on
 *
 * Protected by the owning as->lock like everything the backend touches.
 */
struct iopgt_iopt {
	struct io_pgtable_ops *ops;
	struct io_pgtable_cfg cfg;
};

static atomic_t iopgt_v7s_live = ATOMIC_INIT(0);

/* No hardware walks these tables: nothing to invalidate. */
static void iopgt_tlb_flush_all(void *cookie)
{
}

static void iopgt_tlb_flush_walk(unsigned long iova, size_t size,
				 size_t granule, void *cookie)
{
}

static const struct iommu_flush_ops iopgt_flush_ops = {
	.tlb_flush_all = iopgt_tlb_flush_all,
	.tlb_flush_walk = iopgt_tlb_flush_walk,
	.tlb_add_page = NULL,	/* the helpers NULL-check every member */
};

/*
 * Issue 14: address spaces created with IOPGT_AS_RECORD_FLUSHES get these
 * instead (@cookie is the address space); the others keep the no-op ops
 * above, so their path is unchanged.
 */
static void iopgt_tlb_rec_flush_all(void *cookie)
{
	iopgt_flush_record(cookie, IOPGT_FLUSH_ALL, 0, 0, 0, 0);
}

static void iopgt_tlb_rec_flush_walk(unsigned long iova, size_t size,
				     size_t granule, void *cookie)
{
	iopgt_flush_record(cookie, IOPGT_FLUSH_WALK, iova, size, granule, 0);
}

static void iopgt_tlb_rec_add_page(struct iommu_iotlb_gather *gather,
				   unsigned long iova, size_t granule,
				   void *cookie)
{
	/* test-only: a driver that ignores the page (record and gather) */
	if (READ_ONCE(iopgt_flush_test_drop) & IOPGT_FLUSH_DROP_ADD_PAGE)
		return;
	iopgt_flush_record(cookie, IOPGT_FLUSH_ADD_PAGE, iova, granule,
			   granule, 0);
	if (gather)
		iopgt_flush_gather_add(cookie, gather, iova, granule);
}

static const struct iommu_flush_ops iopgt_flush_rec_ops = {
	.tlb_flush_all = iopgt_tlb_rec_flush_all,
	.tlb_flush_walk = iopgt_tlb_rec_flush_walk,
	.tlb_add_page = iopgt_tlb_rec_add_page,
};

/*
 * Table pages through cfg->alloc (LPAE only: the only family with
 * IO_PGTABLE_CAP_CUSTOM_ALLOCATOR): fault injection and accounting.
 * Zeroed, naturally aligned to their size (buddy order), and fine for
 * virt_to_phys() and dma_map_single(). @cookie is the address space
 * (alloc_io_pgtable_ops()'s cookie); the library calls these only from
 * alloc (the top table), map_pages, unmap_pages and free, all under
 * as->lock, so the table count (as->tables_cb, see
 * iopgt_as_tables_end()) is kept here without walking the tables.
 */
static void *iopgt_iopt_alloc(void *cookie, size_t size, gfp_t gfp)
{
	struct iopgt_as *as = cookie;
	void *p;

	lockdep_assert_held(&as->lock);
	if (iopgt_should_fail())
		return NULL;
	/* how many tables exist is up to userspace: fail quietly, no OOM kill */
	p = alloc_pages_exact(PAGE_ALIGN(size),
			      gfp | __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	if (p) {
		iopgt_alloc_note(1);
		as->tables_cb++;
	}
	return p;
}

static void iopgt_iopt_free(void *cookie, void *pages, size_t size)
{
	struct iopgt_as *as = cookie;

	lockdep_assert_held(&as->lock);
	free_pages_exact(pages, PAGE_ALIGN(size));
	iopgt_alloc_note(-1);
	as->tables_cb--;
}

static unsigned long iopgt_iopt_kquirks(const struct iopgt_fmt_desc *d,
					u64 quirks)
{
	unsigned long k = 0;

	if (quirks & IOPGT_QUIRK_ARM_NS)
		k |= IO_PGTABLE_QUIRK_ARM_NS;
	if (quirks & IOPGT_QUIRK_NO_PERMS)
		k |= IO_PGTABLE_QUIRK_NO_PERMS;
	if (quirks & IOPGT_QUIRK_ARM_MTK_EXT)
		k |= IO_PGTABLE_QUIRK_ARM_MTK_EXT;
	if (quirks & IOPGT_QUIRK_ARM_MTK_TTBR_EXT)
		k |= IO_PGTABLE_QUIRK_ARM_MTK_TTBR_EXT;
	if (quirks & IOPGT_QUIRK_ARM_TTBR1)
		k |= IO_PGTABLE_QUIRK_ARM_TTBR1;
	if (quirks & IOPGT_QUIRK_ARM_OUTER_WBWA)
		k |= IO_PGTABLE_QUIRK_ARM_OUTER_WBWA;
	if (quirks & IOPGT_QUIRK_ARM_HD)
		k |= IOPGT_KQUIRK_ARM_HD;
	if (quirks & IOPGT_QUIRK_ARM_S2FWB)
		k |= IOPGT_KQUIRK_ARM_S2FWB;
	/* Defence in depth; LPAE S1/S2 accept it, Mali/v7s/DART do not. */
	if (IOPT_FAMILY(d) == IOPT_LPAE_S1 || IOPT_FAMILY(d) == IOPT_LPAE_S2)
		k |= IOPGT_KQUIRK_NO_WARN;
	return k;
}

static bool iopgt_lpae_oas_ok(u32 oas, u64 granule)
{
	u32 eff = min_t(u32, oas, granule == SZ_64K ? 52 : 48);

	switch (eff) {
	case 32: case 36: case 40: case 42: case 44: case 48: case 52:
		return true;
	}
	return false;
}

/* Refuse a request: record the rule it broke in *@reason. */
static int iopgt_iopt_refuse(u32 *reason, u32 why)
{
	*reason = why;
	return -EINVAL;
}

/*
 * Format-specific rules the generic range checks of the core cannot
 * express (kernel-apis.md §3); GET_INFO lists them (oas_set, rules).
 * @req has the defaults filled in; *@reason gets the rule broken.
 */
static int iopgt_iopt_check(const struct iopgt_fmt_desc *d,
			    const struct iopgt_as_create *req, u32 *reason)
{
	u64 granule = req->pgsize_bitmap & -req->pgsize_bitmap;
	bool coherent = !(req->flags & IOPGT_AS_NONCOHERENT);

	switch (IOPT_FAMILY(d)) {
	case IOPT_LPAE_S1:
		if (!iopgt_lpae_oas_ok(req->oas, granule))
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_OAS_NOT_IN_SET);
		/* OUTER_WBWA only describes a non-coherent walker */
		if ((req->quirks & IOPGT_QUIRK_ARM_OUTER_WBWA) && coherent)
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_QUIRK_COMBINATION);
		break;
	case IOPT_LPAE_S2:
		if (!iopgt_lpae_oas_ok(req->oas, granule))
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_OAS_NOT_IN_SET);
		/*
		 * 7.2 WARNs (arm.c:1114) when mandatory concatenation needs
		 * more than 16 pgd entries, which only ias > oas reaches;
		 * stage 2 with ias > oas is invalid anyway: refuse it on
		 * every kernel.
		 */
		if (min_t(u32, req->ias, granule == SZ_64K ? 52 : 48) >
		    min_t(u32, req->oas, granule == SZ_64K ? 52 : 48))
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_IAS_ABOVE_OAS);
		break;
	case IOPT_MALI:
		break;
	case IOPT_V7S:
		if (req->quirks & IOPGT_QUIRK_ARM_MTK_EXT) {
			if (!(req->quirks & IOPGT_QUIRK_NO_PERMS))
				return iopgt_iopt_refuse(reason,
							 IOPGT_REASON_QUIRK_COMBINATION);
		} else {
			if (req->quirks & IOPGT_QUIRK_ARM_MTK_TTBR_EXT)
				return iopgt_iopt_refuse(reason,
							 IOPGT_REASON_QUIRK_COMBINATION);
			if (req->ias > 32 || req->oas > 32)
				return iopgt_iopt_refuse(reason,
							 IOPGT_REASON_NEEDS_MTK_EXT);
		}
		break;
	case IOPT_DART:
		if (req->oas != 36 && req->oas != 42)
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_OAS_NOT_IN_SET);
		if (req->ias > req->oas)
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_IAS_ABOVE_OAS);
		/* one table level above the leaves, at most 4 TTBRs */
		if (granule == SZ_4K && req->ias > 32)
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_IAS_FOR_GRANULE);
		if (!coherent)
			return iopgt_iopt_refuse(reason,
						 IOPGT_REASON_NONCOHERENT_UNSUPPORTED);
		break;
	}
	return 0;
}

static u32 iopgt_lpae_levels(u32 ias, u64 granule)
{
	u32 pg_shift = __ffs64(granule);
	u32 bpl = pg_shift - 3;

	return DIV_ROUND_UP(ias - pg_shift, bpl);
}

static int iopgt_iopt_read_regs(struct iopgt_as *as)
{
	struct iopgt_iopt *b = as->backend;
	struct io_pgtable_cfg *cfg = &b->cfg;
	u64 *r = as->regs;
	u32 sl;

	lockdep_assert_held(&as->lock);
	memset(as->regs, 0, sizeof(as->regs));
	switch (IOPT_FAMILY(as->fmt)) {
	case IOPT_LPAE_S1:
		r[0] = cfg->arm_lpae_s1_cfg.ttbr;
		r[1] = (u64)cfg->arm_lpae_s1_cfg.tcr.tsz |
		       (u64)cfg->arm_lpae_s1_cfg.tcr.irgn << 8 |
		       (u64)cfg->arm_lpae_s1_cfg.tcr.orgn << 10 |
		       (u64)cfg->arm_lpae_s1_cfg.tcr.sh << 12 |
		       (u64)cfg->arm_lpae_s1_cfg.tcr.tg << 14 |
		       (u64)cfg->arm_lpae_s1_cfg.tcr.ips << 32;
		/* an int shift in io-pgtable-arm.c sign-extends: 4 attrs */
		r[2] = cfg->arm_lpae_s1_cfg.mair & 0xffffffffULL;
		r[7] = cfg->arm_lpae_s1_cfg.ttbr;
		as->levels = iopgt_lpae_levels(as->ias, as->granule);
		as->start_level = 4 - as->levels;
		break;
	case IOPT_LPAE_S2:
		r[0] = cfg->arm_lpae_s2_cfg.vttbr;
		sl = cfg->arm_lpae_s2_cfg.vtcr.sl;
		r[1] = (u64)cfg->arm_lpae_s2_cfg.vtcr.tsz |
		       (u64)sl << 6 |
		       (u64)cfg->arm_lpae_s2_cfg.vtcr.irgn << 8 |
		       (u64)cfg->arm_lpae_s2_cfg.vtcr.orgn << 10 |
		       (u64)cfg->arm_lpae_s2_cfg.vtcr.sh << 12 |
		       (u64)cfg->arm_lpae_s2_cfg.vtcr.tg << 14 |
		       (u64)cfg->arm_lpae_s2_cfg.vtcr.ps << 16;
		r[7] = cfg->arm_lpae_s2_cfg.vttbr;
		/* SL0 encodes the start level (concatenation included) */
		as->start_level = ~sl & 3;
		if (as->granule == SZ_4K)
			as->start_level -= 1;
		as->levels = 4 - as->start_level;
		break;
	case IOPT_MALI:
		r[0] = cfg->arm_mali_lpae_cfg.transtab;
		r[1] = cfg->arm_mali_lpae_cfg.memattr;
		r[7] = cfg->arm_mali_lpae_cfg.transtab & ~0xfffULL;
		/* Mali always walks a full 4-level table */
		as->start_level = 0;
		as->levels = 4;
		break;
	case IOPT_V7S:
		r[0] = cfg->arm_v7s_cfg.ttbr;
		r[1] = cfg->arm_v7s_cfg.tcr;
		r[2] = cfg->arm_v7s_cfg.nmrr;
		r[3] = cfg->arm_v7s_cfg.prrr;
		if (as->quirks & IOPGT_QUIRK_ARM_MTK_TTBR_EXT)
			/* ttbr = pa | upper_32_bits(pa) */
			r[7] = (cfg->arm_v7s_cfg.ttbr & ~0x7fULL) |
			       (u64)(cfg->arm_v7s_cfg.ttbr & 3) << 32;
		else
			r[7] = cfg->arm_v7s_cfg.ttbr & ~0x7fULL;
		as->start_level = 1;
		as->levels = 2;
		break;
	case IOPT_DART:
		r[0] = cfg->apple_dart_cfg.ttbr[0];
		r[1] = cfg->apple_dart_cfg.ttbr[1];
		r[2] = cfg->apple_dart_cfg.ttbr[2];
		r[3] = cfg->apple_dart_cfg.ttbr[3];
		r[4] = cfg->apple_dart_cfg.n_ttbrs;
		r[5] = iopgt_kdart_n_levels(cfg);
		r[7] = cfg->apple_dart_cfg.ttbr[0];
		as->start_level = 0;
		as->levels = r[5];
		break;
	}
	return 0;
}

static void iopgt_iopt_destroy(struct iopgt_as *as)
{
	struct iopgt_iopt *b = as->backend;

	lockdep_assert_held(&as->lock);
	if (!b)
		return;
	/* ops came from alloc_io_pgtable_ops(); process context */
	free_io_pgtable_ops(b->ops);
	if (IOPT_FAMILY(as->fmt) == IOPT_V7S)
		atomic_dec(&iopgt_v7s_live);
	iopgt_kfree(b);
	as->backend = NULL;
}

static int iopgt_iopt_create(struct iopgt_as *as,
			     const struct iopgt_as_create *req)
{
	const struct iopgt_fmt_desc *d = as->fmt;
	struct io_pgtable_ops *ops;
	struct iopgt_iopt *b;
	struct io_pgtable_cfg cfg = { };
	u64 below_ias;
	int ret;
	u64 quirks = req->quirks;

	lockdep_assert_held(&as->lock);
	ret = iopgt_iopt_check(d, req, &as->create_reason);
	if (ret)
		return ret;
	/* issue 14: dirty tracking is the HD quirk (the core checked the rest) */
	if (as->flags & IOPGT_AS_F_DIRTY)
		quirks |= IOPGT_QUIRK_ARM_HD;

	/* IOPGT_FMT_F_ONE_LIVE: see iopgt_iopt_init() */
	if ((d->flags & IOPGT_FMT_F_ONE_LIVE) &&
	    atomic_read(&iopgt_v7s_live) > 0) {
		as->create_reason = IOPGT_REASON_ONE_AT_A_TIME;
		return -EBUSY;
	}

	b = iopgt_kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;

	as->kquirks = iopgt_iopt_kquirks(d, quirks);
	cfg.quirks = as->kquirks;
	cfg.pgsize_bitmap = req->pgsize_bitmap;
	cfg.ias = req->ias;
	cfg.oas = req->oas;
	cfg.coherent_walk = !(req->flags & IOPGT_AS_NONCOHERENT);
	cfg.tlb = as->flush ? &iopgt_flush_rec_ops : &iopgt_flush_ops;
	cfg.iommu_dev = as->idev->dev;
	/* only LPAE has IO_PGTABLE_CAP_CUSTOM_ALLOCATOR, and only if built */
	if (IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE) &&
	    (IOPT_FAMILY(d) == IOPT_LPAE_S1 || IOPT_FAMILY(d) == IOPT_LPAE_S2 ||
	     IOPT_FAMILY(d) == IOPT_MALI) &&
	    iopgt_kcfg_set_alloc(&cfg, iopgt_iopt_alloc, iopgt_iopt_free))
		as->flags |= IOPGT_AS_F_TABLES_CB;
	/*
	 * io-pgtable frees a table only when a block replaces it (map) or a
	 * block-sized unmap meets it; the core unmaps whole leaves of their
	 * own size only, so an unmap never frees one (it never splits a
	 * block either, which would allocate).
	 */
	as->flags |= IOPGT_AS_F_UNMAP_KEEPS;
	if (IOPT_FAMILY(d) == IOPT_V7S)
		atomic_inc(&iopgt_v7s_live);

	/*
	 * Preconditions (kernel-apis.md §2 check list 1-5): the format is
	 * compiled in and not AMD; kfmt is the kernel's enum by name;
	 * iommu_dev is our bound platform device; tlb is no-op ops; alloc
	 * hooks only for LPAE on kernels with them; quirks, ias, oas and
	 * pgsize_bitmap were checked against the format's constraints;
	 * coherent_walk is false only after the DMA pre-flight passed.
	 */
	ops = alloc_io_pgtable_ops(d->kfmt, &cfg, as);
	if (!ops) {
		if (IOPT_FAMILY(d) == IOPT_V7S)
			atomic_dec(&iopgt_v7s_live);
		if (!IOPGT_DEFECT_LEAK_ON_LIBRARY_ENOMEM)
			iopgt_kfree(b);
		/* NULL: out of memory or a rule this module does not know */
		as->create_reason = IOPGT_REASON_LIBRARY_REFUSED;
		return -ENOMEM;
	}
	b->ops = ops;
	b->cfg = cfg;
	as->backend = b;

	as->ias = cfg.ias;
	as->oas = cfg.oas;
	/*
	 * A page as large as the whole input range cannot be mapped (LPAE
	 * WARNs "can't allocate tables at final level"; v7s would overrun
	 * its level-1 table): drop such sizes.
	 */
	below_ias = as->ias >= 64 ? ~0ULL : (1ULL << as->ias) - 1;
	as->pgsize_bitmap = cfg.pgsize_bitmap & below_ias;
	if (!as->pgsize_bitmap) {
		iopgt_iopt_destroy(as);
		as->create_reason = IOPGT_REASON_PGSIZES_ABOVE_IAS;
		return -EINVAL;
	}
	as->granule = as->pgsize_bitmap & -as->pgsize_bitmap;
	as->quirks = quirks;
	if (quirks & IOPGT_QUIRK_ARM_TTBR1) {
		as->flags |= IOPGT_AS_F_TTBR1;
		as->va_first = as->ias >= 64 ? 0 : ~0ULL << as->ias;
		as->va_last = ~0ULL;
	} else {
		as->va_first = 0;
		as->va_last = below_ias;
	}
	return iopgt_iopt_read_regs(as);
}

static int iopgt_iopt_map(struct iopgt_as *as, u64 iova, u64 paddr,
			  u64 pgsize, u64 pgcount, int prot, u64 *mapped)
{
	struct iopgt_iopt *b = as->backend;
	struct io_pgtable_ops *ops = b->ops;
	int ret;

	lockdep_assert_held(&as->lock);
	*mapped = 0;
	while (pgcount) {
		size_t done = 0;

		/*
		 * Checked by the core (as->lock held): pgsize is in the final
		 * bitmap and below 2^ias, 1 <= pgcount <= INT_MAX, iova and
		 * paddr are pgsize-aligned, [iova, +size) is inside the input
		 * range and [paddr, +size) below 2^oas, prot has R or W, and
		 * the shadow map proved the range empty; mapped is non-NULL,
		 * gfp is GFP_KERNEL (quiet and without the OOM killer: the
		 * number of tables is up to userspace). LPAE returns at each
		 * table boundary.
		 */
		ret = ops->map_pages(ops, iova, paddr, pgsize, pgcount, prot,
				     IOPGT_GFP_USER_SIZED, &done);
		*mapped += done;
		if (ret)
			return ret;
		if (!done || done % pgsize || done / pgsize > pgcount) {
			iopgt_as_break(as, "map_pages of %llu pages of %#llx at %#llx reported %zu bytes mapped",
				       pgcount, pgsize, iova, done);
			return -ENOTRECOVERABLE;
		}
		iova += done;
		paddr += done;
		pgcount -= done / pgsize;
	}
	return 0;
}

static u64 iopgt_iopt_unmap(struct iopgt_as *as, u64 iova, u64 pgsize,
			    u64 pgcount)
{
	struct iopgt_iopt *b = as->backend;
	struct io_pgtable_ops *ops = b->ops;
	u64 total = 0;

	lockdep_assert_held(&as->lock);
	while (pgcount) {
		size_t n;

		/*
		 * Checked by the core (as->lock held): pgsize in the final
		 * bitmap, 1 <= pgcount <= INT_MAX, iova aligned and the range
		 * inside the input range, and the shadow map proved it is
		 * whole mapped leaves of exactly pgsize (no hole, no partial
		 * block). gather is NULL unless the address space records
		 * invalidations (then an initialised one, synced after the
		 * call). LPAE stops at table boundaries.
		 */
		if (as->flush) {	/* issue 14: a gather, as the core */
			struct iommu_iotlb_gather g;

			iopgt_flush_gather_init(&g);
			n = ops->unmap_pages(ops, iova, pgsize, pgcount, &g);
			iopgt_flush_gather_sync(as, &g, 0);
		} else {
			n = ops->unmap_pages(ops, iova, pgsize, pgcount, NULL);
		}
		if (!n || n % pgsize || n / pgsize > pgcount)
			break;
		total += n;
		iova += n;
		pgcount -= n / pgsize;
	}
	return total;
}

static u64 iopgt_iopt_iova_to_phys(struct iopgt_as *as, u64 iova)
{
	struct iopgt_iopt *b = as->backend;
	u64 off = iova & (as->granule - 1);
	phys_addr_t pa;

	lockdep_assert_held(&as->lock);
	/*
	 * iova is inside the input range (core). Pass it granule-aligned:
	 * 7.2 LPAE computes iova + 1, which overflows at ULONG_MAX.
	 */
	pa = b->ops->iova_to_phys(b->ops, iova - off);
	/* 0 is ambiguous (unmapped or PA 0): the core asks its shadow map */
	return pa + off;
}

#ifdef IOPGT_KHAS_PGTABLE_WALK
static int iopgt_iopt_hw_walk(struct iopgt_as *as, u64 iova, u64 ptes[4])
{
	struct iopgt_iopt *b = as->backend;
	struct arm_lpae_io_pgtable_walk_data wd = { };
	int ret, i;

	lockdep_assert_held(&as->lock);
	if (!b->ops->pgtable_walk)
		return -EOPNOTSUPP;
	/* iova inside the input range (core), granule-aligned: no +1 wrap */
	ret = b->ops->pgtable_walk(b->ops, iova & ~(as->granule - 1), &wd);
	for (i = 0; i < 4 && i < ARRAY_SIZE(wd.ptes); i++)
		ptes[i] = wd.ptes[i];
	return ret;
}
#define IOPGT_IOPT_HW_WALK	iopgt_iopt_hw_walk
#define IOPGT_F_HW_WALK		IOPGT_FMT_F_HW_WALK
#else
#define IOPGT_IOPT_HW_WALK	NULL
#define IOPGT_F_HW_WALK		0
#endif

#if IOPGT_KHAS_IOPT_DIRTY
/* io-pgtable-arm.c's private descriptor bits (identical in 6.12 and 7.2) */
#define IOPGT_LPAE_PTE_DBM		BIT_ULL(51)
#define IOPGT_LPAE_PTE_AP_RDONLY_BIT	7

/*
 * issue 14: the core (dirty.c) passes whole mapped leaves of one shadow
 * run inside the input range of a non-TTBR1 ARM_64_LPAE_S1 table with the
 * HD quirk, size >= 1: none of read_and_clear_dirty's WARNs (zero size,
 * TTBR1 IOVAs, 6.12's holes) can fire.
 */
static int iopgt_iopt_dirty_read(struct iopgt_as *as, u64 iova, u64 size,
				 bool clear, struct iommu_iotlb_gather *gather)
{
	struct iopgt_iopt *b = as->backend;

	lockdep_assert_held(&as->lock);
	return iopgt_kiopt_read_dirty(b->ops, iova, size, clear, gather);
}

/*
 * What an SMMU with HTTU does on a write through a DBM leaf: clear AP[2]
 * (AP_RDONLY) with an atomic update, the library's own clean (set_bit())
 * being the other half. The tables are coherent (the core refuses dirty
 * tracking with a non-coherent walker), so no cache maintenance; the full
 * barrier orders the update before anything the caller does next, as the
 * hardware's update is observed before the write it caused.
 */
static int iopgt_iopt_dirty_set(struct iopgt_as *as, u64 iova, u64 *leaf_iova,
				u32 *leaf_log2)
{
	struct iopgt_walk w = { };
	const struct iopgt_walk_level *l;
	u64 *ptep;
	int ret;

	lockdep_assert_held(&as->lock);
	ret = iopgt_walk_iova(as, iova, &w);
	if (ret)
		return ret;
	if (!(w.out_flags & IOPGT_WALK_MAPPED) || !w.n_levels)
		return -ENOENT;
	l = &w.levels[w.n_levels - 1];
	/* read-only leaves have AP_RDONLY without DBM: a write faults */
	if (!(l->pte & IOPGT_LPAE_PTE_DBM))
		return -EACCES;
	ptep = (u64 *)phys_to_virt(l->table_pa) + l->index;
	clear_bit(IOPGT_LPAE_PTE_AP_RDONLY_BIT, (unsigned long *)ptep);
	/* the update is visible before anything that follows (see above) */
	smp_mb__after_atomic();
	*leaf_iova = iova & ~(BIT_ULL(l->span_log2) - 1);
	*leaf_log2 = l->span_log2;
	return 0;
}
#define IOPGT_IOPT_DIRTY_READ	iopgt_iopt_dirty_read
#define IOPGT_IOPT_DIRTY_SET	iopgt_iopt_dirty_set
#define IOPGT_F_DIRTY		IOPGT_FMT_F_DIRTY
#define IOPGT_DIRTY_WHY		IOPGT_DIRTY_AVAILABLE
#else
#define IOPGT_IOPT_DIRTY_READ	NULL
#define IOPGT_IOPT_DIRTY_SET	NULL
#endif

static const struct iopgt_backend_ops iopgt_iopt_ops = {
	.create = iopgt_iopt_create,
	.destroy = iopgt_iopt_destroy,
	.map = iopgt_iopt_map,
	.unmap = iopgt_iopt_unmap,
	.iova_to_phys = iopgt_iopt_iova_to_phys,
	.read_regs = NULL,	/* registers never change after create */
};

static const struct iopgt_backend_ops iopgt_iopt_lpae_ops = {
	.create = iopgt_iopt_create,
	.destroy = iopgt_iopt_destroy,
	.map = iopgt_iopt_map,
	.unmap = iopgt_iopt_unmap,
	.iova_to_phys = iopgt_iopt_iova_to_phys,
	.read_regs = NULL,
	.hw_walk = IOPGT_IOPT_HW_WALK,
	.dirty_read = IOPGT_IOPT_DIRTY_READ,
	.dirty_set = IOPGT_IOPT_DIRTY_SET,
};

#define IOPGT_IOPT_LPAE_OPS	(&iopgt_iopt_lpae_ops)
#define IOPGT_IOPT_OPS		(&iopgt_iopt_ops)
#else
#define IOPGT_IOPT_LPAE_OPS	NULL
#define IOPGT_IOPT_OPS		NULL
#define IOPGT_F_HW_WALK		0
#endif /* HAVE_EXPORT_ALLOC_IO_PGTABLE_OPS */

/* issue 14: why ARM_64_LPAE_S1 has no dirty tracking here (GET_INFO) */
#ifndef IOPGT_F_DIRTY
#define IOPGT_F_DIRTY		0
#define IOPGT_DIRTY_WHY		IOPGT_DIRTY_KERNEL_NO_HD
#endif

/* the uapi quirks offered only where the kernel has them */
#define IOPGT_Q_HD		(IOPGT_KQUIRK_ARM_HD ? IOPGT_QUIRK_ARM_HD : 0)
#define IOPGT_Q_S2FWB		(IOPGT_KQUIRK_ARM_S2FWB ? IOPGT_QUIRK_ARM_S2FWB : 0)

#define LPAE_FLAGS(fam)	(IOPGT_FMT_F_IO_PGTABLE | IOPGT_FMT_F_NONCOHERENT | \
			 IOPGT_F_HW_WALK | IOPT_FAM_FLAG(fam))
#define LPAE_ADDR_REGS	BIT(0)
/* iopgt_lpae_oas_ok()'s values */
#define LPAE_OAS_SET	(BIT_ULL(32) | BIT_ULL(36) | BIT_ULL(40) | BIT_ULL(42) | \
			 BIT_ULL(44) | BIT_ULL(48) | BIT_ULL(52))

static struct iopgt_fmt_desc iopgt_iopt_fmts[] = {
	{
		.id = IOPGT_FMT_ARM_32_LPAE_S1,
		.name = "ARM_32_LPAE_S1",
		.flags = LPAE_FLAGS(IOPT_LPAE_S1) | IOPT_32BIT,
		.kfmt = ARM_32_LPAE_S1,
		.quirks = IOPGT_QUIRK_ARM_NS | IOPGT_QUIRK_ARM_TTBR1 |
			  IOPGT_QUIRK_ARM_OUTER_WBWA,
		.n_pgsize_sets = 1,
		.pgsize_sets = { LPAE_SET_4K },
		.ias_min = 32, .ias_max = 32, .oas_min = 32, .oas_max = 40,
		.ias_default = 32, .oas_default = 40,
		.pgsize_default = LPAE_SET_4K,
		.addr_regs = LPAE_ADDR_REGS,
		.oas_set = LPAE_OAS_SET,
		.rules = IOPGT_FMT_RULE_CLAMP_48,
	},
	{
		.id = IOPGT_FMT_ARM_32_LPAE_S2,
		.name = "ARM_32_LPAE_S2",
		.flags = LPAE_FLAGS(IOPT_LPAE_S2) | IOPT_32BIT,
		.kfmt = ARM_32_LPAE_S2,
		.quirks = IOPGT_Q_S2FWB,
		.n_pgsize_sets = 1,
		.pgsize_sets = { LPAE_SET_4K },
		.ias_min = 32, .ias_max = 40, .oas_min = 32, .oas_max = 40,
		.ias_default = 40, .oas_default = 40,
		.pgsize_default = LPAE_SET_4K,
		.addr_regs = LPAE_ADDR_REGS,
		.oas_set = LPAE_OAS_SET,
		.rules = IOPGT_FMT_RULE_CLAMP_48 | IOPGT_FMT_RULE_IAS_LE_OAS,
	},
	{
		.id = IOPGT_FMT_ARM_64_LPAE_S1,
		.name = "ARM_64_LPAE_S1",
		.flags = LPAE_FLAGS(IOPT_LPAE_S1) | IOPGT_F_DIRTY,
		.dirty_unavail = IOPGT_DIRTY_WHY,
		.kfmt = ARM_64_LPAE_S1,
		.quirks = IOPGT_QUIRK_ARM_NS | IOPGT_QUIRK_ARM_TTBR1 |
			  IOPGT_QUIRK_ARM_OUTER_WBWA | IOPGT_Q_HD,
		.n_pgsize_sets = 3,
		.pgsize_sets = { LPAE_SET_4K, LPAE_SET_16K, LPAE_SET_64K },
		.ias_min = 32, .ias_max = 52, .oas_min = 32, .oas_max = 52,
		.ias_default = 48, .oas_default = 48,
		.pgsize_default = LPAE_SET_4K,
		.addr_regs = LPAE_ADDR_REGS,
		.oas_set = LPAE_OAS_SET,
		.rules = IOPGT_FMT_RULE_CLAMP_48,
	},
	{
		.id = IOPGT_FMT_ARM_64_LPAE_S2,
		.name = "ARM_64_LPAE_S2",
		.flags = LPAE_FLAGS(IOPT_LPAE_S2),
		.kfmt = ARM_64_LPAE_S2,
		.quirks = IOPGT_Q_S2FWB,
		.n_pgsize_sets = 3,
		.pgsize_sets = { LPAE_SET_4K, LPAE_SET_16K, LPAE_SET_64K },
		.ias_min = 32, .ias_max = 52, .oas_min = 32, .oas_max = 52,
		.ias_default = 48, .oas_default = 48,
		.pgsize_default = LPAE_SET_4K,
		.addr_regs = LPAE_ADDR_REGS,
		.oas_set = LPAE_OAS_SET,
		.rules = IOPGT_FMT_RULE_CLAMP_48 | IOPGT_FMT_RULE_IAS_LE_OAS,
	},
	{
		.id = IOPGT_FMT_ARM_MALI_LPAE,
		.name = "ARM_MALI_LPAE",
		.flags = LPAE_FLAGS(IOPT_MALI),
		.kfmt = IOPGT_KFMT_ARM_MALI_LPAE,
		.quirks = 0,
		.n_pgsize_sets = 1,
		.pgsize_sets = { LPAE_SET_4K },
		.ias_min = 32, .ias_max = 48, .oas_min = 32, .oas_max = 40,
		.ias_default = 48, .oas_default = 40,
		.pgsize_default = LPAE_SET_4K,
		.addr_regs = LPAE_ADDR_REGS,
	},
	{
		.id = IOPGT_FMT_ARM_V7S,
		.name = "ARM_V7S",
		.flags = IOPGT_FMT_F_IO_PGTABLE | IOPGT_FMT_F_NONCOHERENT |
			 IOPT_FAM_FLAG(IOPT_V7S),
		.kfmt = IOPGT_KFMT_ARM_V7S,
		.quirks = IOPGT_QUIRK_ARM_NS | IOPGT_QUIRK_NO_PERMS |
			  IOPGT_QUIRK_ARM_MTK_EXT | IOPGT_QUIRK_ARM_MTK_TTBR_EXT,
		.n_pgsize_sets = 1,
		.pgsize_sets = { V7S_SET },
		/* > 32 only with ARM_MTK_EXT (34 / 35 bits) */
		.ias_min = 20, .ias_max = 34, .oas_min = 20, .oas_max = 35,
		.ias_default = 32, .oas_default = 32,
		.pgsize_default = V7S_SET,
		.addr_regs = BIT(0),
		.rules = IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT,
	},
	{
		.id = IOPGT_FMT_APPLE_DART,
		.name = "APPLE_DART",
		.flags = IOPGT_FMT_F_IO_PGTABLE | IOPT_FAM_FLAG(IOPT_DART),
		.kfmt = IOPGT_KFMT_APPLE_DART,
		.n_pgsize_sets = 2,
		.pgsize_sets = { SZ_16K, SZ_4K },
		.ias_min = 32, .ias_max = 36, .oas_min = 36, .oas_max = 42,
		.ias_default = 32, .oas_default = 36,
		.pgsize_default = SZ_16K,
		.addr_regs = BIT(0) | BIT(1) | BIT(2) | BIT(3),
		.oas_set = BIT_ULL(36) | BIT_ULL(42),
		.rules = IOPGT_FMT_RULE_IAS_LE_OAS,
	},
	{
		.id = IOPGT_FMT_APPLE_DART2,
		.name = "APPLE_DART2",
		.flags = IOPGT_FMT_F_IO_PGTABLE | IOPT_FAM_FLAG(IOPT_DART),
		.kfmt = IOPGT_KFMT_APPLE_DART2,
		.n_pgsize_sets = 2,
		.pgsize_sets = { SZ_16K, SZ_4K },
		.ias_min = 32, .ias_max = 36, .oas_min = 36, .oas_max = 42,
		.ias_default = 32, .oas_default = 36,
		.pgsize_default = SZ_16K,
		.addr_regs = BIT(0) | BIT(1) | BIT(2) | BIT(3),
		.oas_set = BIT_ULL(36) | BIT_ULL(42),
		.rules = IOPGT_FMT_RULE_IAS_LE_OAS,
	},
	{
		.id = IOPGT_FMT_AMD_IOMMU_V1,
		.name = "AMD_IOMMU_V1",
		.flags = IOPGT_FMT_F_IO_PGTABLE,
	},
	{
		.id = IOPGT_FMT_AMD_IOMMU_V2,
		.name = "AMD_IOMMU_V2",
		.flags = IOPGT_FMT_F_IO_PGTABLE,
	},
};

/* Why a format is (not) usable on this kernel: compile-time facts only */
static u32 iopgt_iopt_reason(const struct iopgt_fmt_desc *d)
{
	bool built = false, known = true;

	switch (d->id) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
		built = IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE);
		break;
	case IOPGT_FMT_ARM_MALI_LPAE:
		known = IOPGT_KHAS_FMT_ARM_MALI_LPAE;
		built = IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_LPAE);
		break;
	case IOPGT_FMT_ARM_V7S:
		known = IOPGT_KHAS_FMT_ARM_V7S;
		built = IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_ARMV7S);
		break;
	case IOPGT_FMT_APPLE_DART:
		known = IOPGT_KHAS_FMT_APPLE_DART;
		built = IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_DART);
		break;
	case IOPGT_FMT_APPLE_DART2:
		known = IOPGT_KHAS_FMT_APPLE_DART2;
		built = IS_ENABLED(CONFIG_IOMMU_IO_PGTABLE_DART);
		break;
	case IOPGT_FMT_AMD_IOMMU_V1:
	case IOPGT_FMT_AMD_IOMMU_V2:
		/* exists, but container_of()s into AMD driver structures */
		return IOPGT_KHAS_FMT_AMD_IOMMU_V1 ? IOPGT_UNAVAIL_UNSAFE :
		       IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL;
	}
	if (!known)
		return IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL;
	if (!IOPGT_KHAS_IO_PGTABLE_OPS)
		return IOPGT_UNAVAIL_NO_BACKEND;
	if (!built)
		return IOPGT_UNAVAIL_NOT_BUILT;
	return IOPGT_UNAVAIL_NONE;
}

int iopgt_iopt_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(iopgt_iopt_fmts); i++) {
		struct iopgt_fmt_desc *d = &iopgt_iopt_fmts[i];

		d->unavail_reason = iopgt_iopt_reason(d);
		/*
		 * With CONFIG_DEBUG_VM, 6.12+ WARN on a duplicate kmem_cache
		 * name, and every v7s table creates "io-pgtable_armv7s_l2":
		 * one live v7s table at a time, reported in GET_INFO.
		 */
		if (IOPT_FAMILY(d) == IOPT_V7S && IS_ENABLED(CONFIG_DEBUG_VM))
			d->flags |= IOPGT_FMT_F_ONE_LIVE;
		if (d->unavail_reason == IOPGT_UNAVAIL_NONE) {
			switch (IOPT_FAMILY(d)) {
			case IOPT_LPAE_S1:
			case IOPT_LPAE_S2:
			case IOPT_MALI:
				d->ops = IOPGT_IOPT_LPAE_OPS;
				break;
			default:
				d->ops = IOPGT_IOPT_OPS;
				break;
			}
		}
		iopgt_fmt_register(d);
	}
	return 0;
}

void iopgt_iopt_exit(void)
{
}
