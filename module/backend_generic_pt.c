// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt generic_pt backend: the AMDv1, VT-d second-stage and x86-64 page
 * tables of drivers/iommu/generic_pt (where the kernel builds them; in
 * Debian only amd64 7.x), built with pt_iommu_<fmt>_init() on a struct
 * iommu_domain that belongs to no IOMMU and driven through the exported
 * core entry points iommu_map(), iommu_unmap() and iommu_iova_to_phys(),
 * which dispatch to the table's own ops because pt_iommu_<fmt>_init() sets
 * domain->is_iommupt.
 *
 * Everything the library needs from an IOMMU driver is provided here:
 *  - domain.ops: IOMMU_PT_DOMAIN_OPS(fmt) for iova_to_phys, plus iotlb_sync,
 *    which frees the table pages that map/unmap removed (they are queued on
 *    gather->freelist and would leak otherwise);
 *  - driver_ops (AMDv1 only, it always has PT_FEAT_DYNAMIC_TOP): change_top
 *    records the new top, get_top_lock returns a per-table spinlock;
 *  - nid = NUMA_NO_NODE; no iommu_device (PT_FEAT_DMA_INCOHERENT is never
 *    requested, so none is needed).
 *
 * Which formats exist is decided by conftest probes: the generic_pt header,
 * the pt_iommu_<fmt>_init exports in Module.symvers, and the exports of
 * iommu_put_pages_list() and iommu_map(). On a kernel without them this file
 * only provides empty iopgt_pt_init()/iopgt_pt_exit() and references no
 * generic_pt symbol, so modpost never sees an undefined one.
 *
 * Locking: every op runs with as->lock held (see struct iopgt_backend_ops),
 * which is the "VA range lock" generic_pt requires from its caller
 * (include/linux/generic_pt/iommu.h); it covers the whole table, so the
 * temporary narrowing of domain.pgsize_bitmap in iopgt_pt_map() is never
 * seen by another caller.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "iopgt_backends.h"
#include "iopgt_as.h"
#include "iopgt_kcompat.h"

#if defined(IOPGT_PT_AMDV1) || defined(IOPGT_PT_VTDSS) || \
	defined(IOPGT_PT_X86_64)

#include <linux/iommu.h>
#include <linux/generic_pt/iommu.h>

MODULE_IMPORT_NS("GENERIC_PT_IOMMU");

/*
 * Geometry shared by the three formats: 4 KiB granule, 512 eight-byte
 * entries per table, so a table at generic_pt level l (0 = the level that
 * holds 4 KiB pages) has entries of 2^(12 + 9 * l) bytes, and a walk of L
 * levels from a full top table decodes 12 + 9 * L address bits.
 */
#define IOPGT_PT_GRANULE_SHIFT	12
#define IOPGT_PT_LEVEL_BITS	9
#define IOPGT_PT_OAS_MIN	32
#define IOPGT_PT_OAS_MAX	52	/* all three formats store 52-bit OAs */

/* log2 of the bytes one entry of a table at generic_pt level @lvl covers */
static unsigned int iopgt_pt_item_shift(unsigned int lvl)
{
	return IOPGT_PT_GRANULE_SHIFT + IOPGT_PT_LEVEL_BITS * lvl;
}

/**
 * struct iopgt_pt - the generic_pt object behind one address space
 *
 * Lives in as->backend from a successful create until destroy. Every field
 * is protected by as->lock except @top_pa, @top_level and @top_changed,
 * which change_top() writes with @top_lock held (inside a map, i.e. also
 * under as->lock, which is what the readers hold).
 *
 * @domain: the iommu_domain the library initialises; aliases @iommu.domain
 * @iommu: the format-independent part of the table
 * @amdv1: AMDv1 table (PT_FEAT_DYNAMIC_TOP: the top grows on map)
 * @vtdss: VT-d second-stage table
 * @x86_64: x86-64 table
 * @top_lock: returned by get_top_lock(); taken by the library around
 *	change_top()
 * @fmt: the format's backend description
 * @oa_last: 2^oas - 1, the highest output address a mapping may reach
 * @top_pa: top table physical address reported by the last change_top()
 * @top_level: its generic_pt level
 * @top_changed: change_top() ran since the registers were last read
 * @as: the address space (issue 14: its invalidation log)
 * @unmapping: inside iopgt_pt_unmap(): iotlb_sync counts the freed tables
 * @batching: inside an IOPGT_UNMAP call of an address space with an
 *	invalidation contract: unmaps go into @ugather (iopgt_pt_unmap_batch())
 * @ugather: the gather of that call, synced at its end (and by the
 *	library itself under NO_GAPS before it would cover a gap)
 * @batch_free: table pages freed into @ugather by the calls so far; moved
 *	off its free list after each call so that the library's own syncs
 *	never free pages of the call in progress before it was gathered, and
 *	freed at the end of the UNMAP call (never before the sync covering
 *	them)
 * @batch_freed: pages moved to @batch_free since @ugather was last synced
 *	(the next sync's record counts them)
 */
struct iopgt_pt {
	union {
		struct iommu_domain domain;
		struct pt_iommu iommu;
#ifdef IOPGT_PT_AMDV1
		struct pt_iommu_amdv1 amdv1;
#endif
#ifdef IOPGT_PT_VTDSS
		struct pt_iommu_vtdss vtdss;
#endif
#ifdef IOPGT_PT_X86_64
		struct pt_iommu_x86_64 x86_64;
#endif
	};
	spinlock_t top_lock;
	const struct iopgt_pt_fmt *fmt;
	u64 oa_last;
	phys_addr_t top_pa;
	unsigned int top_level;
	bool top_changed;
	bool unmapping;
	struct iopgt_as *as;
	bool batching;
	struct iommu_iotlb_gather ugather;
	struct iommu_pages_list batch_free;
	u32 batch_freed;
};

PT_IOMMU_CHECK_DOMAIN(struct iopgt_pt, iommu, domain);
#ifdef IOPGT_PT_AMDV1
PT_IOMMU_CHECK_DOMAIN(struct iopgt_pt, amdv1.iommu, domain);
#endif
#ifdef IOPGT_PT_VTDSS
PT_IOMMU_CHECK_DOMAIN(struct iopgt_pt, vtdss.iommu, domain);
#endif
#ifdef IOPGT_PT_X86_64
PT_IOMMU_CHECK_DOMAIN(struct iopgt_pt, x86_64.iommu, domain);
#endif

/**
 * struct iopgt_pt_geom - a create request resolved to library parameters
 * @levels: levels of the table at create (AMDv1: before any growth)
 * @ias: hw_max_vasz_lg2
 * @oas: hw_max_oasz_lg2
 */
struct iopgt_pt_geom {
	unsigned int levels;
	unsigned int ias;
	unsigned int oas;
};

/**
 * struct iopgt_pt_fmt - per-format part of the backend
 * @desc: what the core registers and GET_INFO reports
 * @dynamic_top: the top level grows on map (AMDv1)
 * @levels_default: levels when neither levels nor ias is requested
 * @init: call pt_iommu_<fmt>_init() for @g on @p
 * @hw_info: read the top PA, the format's two registers and the top level
 */
struct iopgt_pt_fmt {
	struct iopgt_fmt_desc desc;
	bool dynamic_top;
	unsigned int levels_default;
	int (*init)(struct iopgt_pt *p, const struct iopgt_pt_geom *g);
	void (*hw_info)(struct iopgt_pt *p, u64 *reg0, u64 *reg1, u64 *top_pa,
			unsigned int *top_level);
};

/* ------------------------------------------------------------------ */
/* Callbacks the library needs from the "IOMMU driver"                 */

static void iopgt_pt_iotlb_sync(struct iommu_domain *domain,
				struct iommu_iotlb_gather *gather)
{
	struct iopgt_pt *p = container_of(domain, struct iopgt_pt, domain);
	u32 held = 0;

	/* an UNMAP call's gather: its freed tables were moved aside */
	if (gather == &p->ugather) {
		held = p->batch_freed;
		p->batch_freed = 0;
	}
	/* issue 14: the gather the library filled (no-op without a log) */
	if (p->as->flush)
		iopgt_flush_record(p->as, IOPGT_FLUSH_SYNC, gather->start,
				   (u64)gather->end - gather->start + 1, 0,
				   list_count_nodes(&gather->freelist.pages) +
				   held);
	/*
	 * IOPGT_AS_F_UNMAP_CB: the tables an unmap removed are on the free
	 * list, one node per table (as->lock held by the unmap's caller).
	 */
	if (p->unmapping)
		p->as->tables_cb -= list_count_nodes(&gather->freelist.pages);
	/*
	 * No hardware caches anything: just free the table pages unmap (or a
	 * map replacing empty tables by a large leaf) queued for freeing.
	 */
	iommu_put_pages_list(&gather->freelist);
}

static void iopgt_pt_change_top(struct pt_iommu *iommu, phys_addr_t top_paddr,
				unsigned int top_level)
{
	struct iopgt_pt *p = container_of(iommu, struct iopgt_pt, iommu);

	lockdep_assert_held(&p->top_lock);
	/* Called with p->top_lock held, interrupts off: only record it. */
	p->top_pa = top_paddr;
	p->top_level = top_level;
	p->top_changed = true;
	/* issue 14: the driver would point the hardware at the new top */
	iopgt_flush_record(p->as, IOPGT_FLUSH_TOP, 0, 0, top_level, 0);
}

/* issue 14: the rest of a driver's invalidation hooks, recording only */
static int iopgt_pt_rec_sync_map(struct iommu_domain *domain,
				 unsigned long iova, size_t size)
{
	struct iopgt_pt *p = container_of(domain, struct iopgt_pt, domain);

	iopgt_flush_record(p->as, IOPGT_FLUSH_SYNC_MAP, iova, size, 0, 0);
	return 0;
}

static void iopgt_pt_rec_flush_all(struct iommu_domain *domain)
{
	struct iopgt_pt *p = container_of(domain, struct iopgt_pt, domain);

	iopgt_flush_record(p->as, IOPGT_FLUSH_ALL, 0, 0, 0, 0);
}

/*
 * issue 14: the PT_FEAT_FLUSH_RANGE* feature of the address space's
 * invalidation contract (IOPGT_AS_FLUSH_*; the core checked it against
 * the format's IOPGT_FMT_F_FLUSH_* flags), as a driver picks it.
 */
static unsigned int iopgt_pt_contract_features(const struct iopgt_pt *p)
{
	switch (iopgt_as_flush_contract(p->as)) {
	case IOPGT_FLUSH_CONTRACT_NO_GAPS:
		/* test-only defect: the driver asks for the wrong contract */
		if (READ_ONCE(iopgt_flush_test_drop) & IOPGT_FLUSH_DEFECT_MERGE)
			return BIT(PT_FEAT_FLUSH_RANGE);
		return BIT(PT_FEAT_FLUSH_RANGE_NO_GAPS);
	case IOPGT_FLUSH_CONTRACT_RANGE:
		return BIT(PT_FEAT_FLUSH_RANGE);
	}
	return 0;
}

static spinlock_t *iopgt_pt_get_top_lock(struct pt_iommu *iommu)
{
	return &container_of(iommu, struct iopgt_pt, iommu)->top_lock;
}

static const struct pt_iommu_driver_ops iopgt_pt_driver_ops = {
	.change_top = iopgt_pt_change_top,
	.get_top_lock = iopgt_pt_get_top_lock,
};

/* ------------------------------------------------------------------ */
/* Formats                                                             */

#ifdef IOPGT_PT_AMDV1
static const struct iommu_domain_ops iopgt_pt_amdv1_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(amdv1),
	.iotlb_sync = iopgt_pt_iotlb_sync,
};

static const struct iommu_domain_ops iopgt_pt_amdv1_rec_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(amdv1),
	.iotlb_sync = iopgt_pt_iotlb_sync,
	.iotlb_sync_map = iopgt_pt_rec_sync_map,
	.flush_iotlb_all = iopgt_pt_rec_flush_all,
};

static int iopgt_pt_amdv1_init(struct iopgt_pt *p,
			       const struct iopgt_pt_geom *g)
{
	struct pt_iommu_amdv1_cfg cfg = {
		/*
		 * All three are forced by iommu_amdv1.c
		 * (PT_FORCE_ENABLED_FEATURES): without them init fails with
		 * -EOPNOTSUPP.
		 */
		.common.features = BIT(PT_FEAT_DYNAMIC_TOP) |
				   BIT(PT_FEAT_AMDV1_ENCRYPT_TABLES) |
				   BIT(PT_FEAT_AMDV1_FORCE_COHERENCE) |
				   iopgt_pt_contract_features(p),
		.common.hw_max_vasz_lg2 = g->ias,
		.common.hw_max_oasz_lg2 = g->oas,
		.starting_level = g->levels - 1,
	};

	p->domain.ops = p->as->flush ? &iopgt_pt_amdv1_rec_dom_ops :
				       &iopgt_pt_amdv1_dom_ops;
	/* PT_FEAT_DYNAMIC_TOP: init WARNs unless both driver ops are set */
	p->iommu.driver_ops = &iopgt_pt_driver_ops;
	p->iommu.nid = NUMA_NO_NODE;
	/*
	 * Checked by iopgt_pt_resolve(): starting_level 1..5 (levels 2..6),
	 * 12 + 9 * starting_level <= ias <= 64 (so the top table's size
	 * computation cannot underflow), 32 <= oas <= 52, features as forced.
	 */
	return pt_iommu_amdv1_init(&p->amdv1, &cfg, GFP_KERNEL);
}

static void iopgt_pt_amdv1_hw_info(struct iopgt_pt *p, u64 *reg0, u64 *reg1,
				   u64 *top_pa, unsigned int *top_level)
{
	struct pt_iommu_amdv1_hw_info hw = { };

	/* Table initialised (as->backend is only set after a good init) */
	pt_iommu_amdv1_hw_info(&p->amdv1, &hw);
	*reg0 = hw.host_pt_root;
	*reg1 = hw.mode;
	*top_pa = hw.host_pt_root;
	*top_level = hw.mode - 1;	/* mode = top_level + 1 */
}
#endif

#ifdef IOPGT_PT_VTDSS
static const struct iommu_domain_ops iopgt_pt_vtdss_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(vtdss),
	.iotlb_sync = iopgt_pt_iotlb_sync,
};

static const struct iommu_domain_ops iopgt_pt_vtdss_rec_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(vtdss),
	.iotlb_sync = iopgt_pt_iotlb_sync,
	.iotlb_sync_map = iopgt_pt_rec_sync_map,
	.flush_iotlb_all = iopgt_pt_rec_flush_all,
};

static int iopgt_pt_vtdss_init(struct iopgt_pt *p,
			       const struct iopgt_pt_geom *g)
{
	struct pt_iommu_vtdss_cfg cfg = {
		.common.features = iopgt_pt_contract_features(p),
		.common.hw_max_vasz_lg2 = g->ias,
		.common.hw_max_oasz_lg2 = g->oas,
		.top_level = g->levels - 1,
	};

	p->domain.ops = p->as->flush ? &iopgt_pt_vtdss_rec_dom_ops :
				       &iopgt_pt_vtdss_dom_ops;
	p->iommu.nid = NUMA_NO_NODE;
	/*
	 * Checked by iopgt_pt_resolve(): top_level 2..4 (levels 3..5),
	 * 12 + 9 * top_level <= ias <= 12 + 9 * (top_level + 1), 32 <= oas <=
	 * 52; no feature bits but the contract's FLUSH_RANGE (no
	 * DMA_INCOHERENT, so no iommu_device needed).
	 */
	return pt_iommu_vtdss_init(&p->vtdss, &cfg, GFP_KERNEL);
}

static void iopgt_pt_vtdss_hw_info(struct iopgt_pt *p, u64 *reg0, u64 *reg1,
				   u64 *top_pa, unsigned int *top_level)
{
	struct pt_iommu_vtdss_hw_info hw = { };

	/* Table initialised (as->backend is only set after a good init) */
	pt_iommu_vtdss_hw_info(&p->vtdss, &hw);
	*reg0 = hw.ssptptr;
	*reg1 = hw.aw;
	*top_pa = hw.ssptptr;
	*top_level = hw.aw + 1;		/* aw = top_level - 1 */
}
#endif

#ifdef IOPGT_PT_X86_64
static const struct iommu_domain_ops iopgt_pt_x86_64_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(x86_64),
	.iotlb_sync = iopgt_pt_iotlb_sync,
};

static const struct iommu_domain_ops iopgt_pt_x86_64_rec_dom_ops = {
	IOMMU_PT_DOMAIN_OPS(x86_64),
	.iotlb_sync = iopgt_pt_iotlb_sync,
	.iotlb_sync_map = iopgt_pt_rec_sync_map,
	.flush_iotlb_all = iopgt_pt_rec_flush_all,
};

static int iopgt_pt_x86_64_init(struct iopgt_pt *p,
				const struct iopgt_pt_geom *g)
{
	/*
	 * No PT_FEAT_SIGN_EXTEND: the table decodes [0, 2^ias) like the AMD
	 * v2 table the AMD driver builds (compatible with PASID 0 and with
	 * sign-extended walks of the lower half). The ABI's input range is
	 * [0, 2^ias); a sign-extended upper half would not fit it.
	 */
	struct pt_iommu_x86_64_cfg cfg = {
		.common.features = iopgt_pt_contract_features(p),
		.common.hw_max_vasz_lg2 = g->ias,
		.common.hw_max_oasz_lg2 = g->oas,
		.top_level = g->levels - 1,
	};

	p->domain.ops = p->as->flush ? &iopgt_pt_x86_64_rec_dom_ops :
				       &iopgt_pt_x86_64_dom_ops;
	p->iommu.nid = NUMA_NO_NODE;
	/*
	 * Checked by iopgt_pt_resolve(): top_level 3..4 (levels 4..5),
	 * 12 + 9 * top_level <= ias <= 12 + 9 * (top_level + 1), 32 <= oas <=
	 * 52; no feature bits but the contract's FLUSH_RANGE(_NO_GAPS).
	 */
	return pt_iommu_x86_64_init(&p->x86_64, &cfg, GFP_KERNEL);
}

static void iopgt_pt_x86_64_hw_info(struct iopgt_pt *p, u64 *reg0, u64 *reg1,
				    u64 *top_pa, unsigned int *top_level)
{
	struct pt_iommu_x86_64_hw_info hw = { };

	/* Table initialised (as->backend is only set after a good init) */
	pt_iommu_x86_64_hw_info(&p->x86_64, &hw);
	*reg0 = hw.gcr3_pt;
	*reg1 = hw.levels;
	*top_pa = hw.gcr3_pt;
	*top_level = hw.levels - 1;	/* levels = top_level + 1 */
}
#endif

/* ------------------------------------------------------------------ */
/* Create-time validation                                              */

/*
 * iopgt_pt_resolve() - turn a request into library parameters
 *
 * pt_iommu_<fmt>_init() sizes the top table from ias - item_shift(top
 * level), an unsigned difference: with ias below the top level's entry size
 * it underflows into an absurd allocation (a WARN in the page allocator).
 * Hence, with L levels (top level L - 1):
 *  - every format: item_shift(L - 1) <= ias (the top table has at least
 *    one whole entry; == is what VT-d itself builds when its hardware walks
 *    more levels than its address width needs);
 *  - fixed-top formats (VT-d SS, x86-64) also: ias <= item_shift(L), more
 *    would need a bigger top table (init fails with -EOPNOTSUPP);
 *  - AMDv1 (dynamic top): the table grows on map up to the level that
 *    decodes ias, at most 6 levels (64 bits).
 * levels == 0 picks the format's default level count if ias allows it,
 * else the nearest one that does; ias == 0 (the core normally substitutes
 * the default) picks the default, raised to what the levels need.
 */
static int iopgt_pt_resolve(const struct iopgt_pt_fmt *f,
			    const struct iopgt_as_create *req,
			    struct iopgt_pt_geom *g, u32 *reason)
{
	const struct iopgt_fmt_desc *d = &f->desc;
	unsigned int levels = req->levels, ias = req->ias;

	*reason = IOPGT_REASON_LEVELS;
	if (levels && (levels < d->levels_min || levels > d->levels_max))
		return -EINVAL;
	*reason = IOPGT_REASON_IAS_RANGE;
	if (ias && (ias < d->ias_min || ias > d->ias_max))
		return -EINVAL;
	*reason = IOPGT_REASON_OAS_RANGE;
	if (req->oas && (req->oas < d->oas_min || req->oas > d->oas_max))
		return -EINVAL;
	*reason = IOPGT_REASON_LEVELS;	/* levels and ias do not fit */

	if (!ias) {
		ias = d->ias_default;
		if (levels)
			ias = clamp(ias, iopgt_pt_item_shift(levels - 1),
				    f->dynamic_top ? d->ias_max :
						     iopgt_pt_item_shift(levels));
	}
	if (!levels) {
		levels = f->levels_default;
		while (levels > d->levels_min &&
		       iopgt_pt_item_shift(levels - 1) > ias)
			levels--;
		while (!f->dynamic_top && levels < d->levels_max &&
		       ias > iopgt_pt_item_shift(levels))
			levels++;
	}

	if (iopgt_pt_item_shift(levels - 1) > ias)
		return -EINVAL;
	if (!f->dynamic_top && ias > iopgt_pt_item_shift(levels))
		return -EINVAL;

	g->levels = levels;
	g->ias = ias;
	g->oas = req->oas ? req->oas : d->oas_default;
	*reason = IOPGT_REASON_NONE;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Backend ops                                                         */

static int iopgt_pt_read_regs(struct iopgt_as *as)
{
	struct iopgt_pt *p = as->backend;
	unsigned int top_level;
	u64 reg0, reg1, top_pa;

	lockdep_assert_held(&as->lock);
	p->fmt->hw_info(p, &reg0, &reg1, &top_pa, &top_level);
	memset(as->regs, 0, sizeof(as->regs));
	as->regs[0] = reg0;
	as->regs[1] = reg1;
	as->regs[7] = top_pa;
	as->levels = top_level + 1;
	as->start_level = top_level;
	p->top_changed = false;
	return 0;
}

static void iopgt_pt_free(struct iopgt_pt *p)
{
	/* Safe after a failed or no init: ops is set last by a good init */
	pt_iommu_deinit(&p->iommu);
	iopgt_kfree(p);
}

static int iopgt_pt_create(struct iopgt_as *as,
			   const struct iopgt_as_create *req)
{
	const struct iopgt_pt_fmt *f =
		container_of(as->fmt, struct iopgt_pt_fmt, desc);
	struct pt_iommu_info info = { };
	struct iopgt_pt_geom g;
	struct iopgt_pt *p;
	u64 pgsizes;
	int ret;

	lockdep_assert_held(&as->lock);
	/* No quirk applies; coherent walks only (no DMA_INCOHERENT) */
	if (req->quirks) {
		as->create_reason = IOPGT_REASON_QUIRK_UNSUPPORTED;
		return -EINVAL;
	}
	if (req->flags & IOPGT_AS_NONCOHERENT) {
		as->create_reason = IOPGT_REASON_NONCOHERENT_UNSUPPORTED;
		return -EINVAL;
	}
	ret = iopgt_pt_resolve(f, req, &g, &as->create_reason);
	if (ret)
		return ret;

	p = iopgt_kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	spin_lock_init(&p->top_lock);
	p->fmt = f;
	p->as = as;
	p->as = as;
	p->oa_last = (1ULL << g.oas) - 1;

	/* init allocates the top table */
	if (iopgt_should_fail()) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = f->init(p, &g);
	if (ret) {
		/* -EOPNOTSUPP/-EINVAL would mean a rule above is incomplete */
		if (ret != -ENOMEM)
			ret = -EINVAL;
		as->create_reason = ret == -ENOMEM ? IOPGT_REASON_NOMEM :
						     IOPGT_REASON_LIBRARY_REFUSED;
		if (IOPGT_DEFECT_LEAK_ON_LIBRARY_ENOMEM && ret == -ENOMEM)
			return ret;
		goto err_free;
	}

	/*
	 * The sizes this geometry can hold: get_info() drops sizes >= 2^(ias
	 * - 1) and >= 2^oas from the format's set. The core checked the
	 * request against the format's full set; sizes this ias/oas cannot
	 * hold are dropped here (out_pgsize_bitmap reports the final set),
	 * but the 4 KiB granule must remain.
	 */
	/* Table initialised: init succeeded, so ops is set */
	p->iommu.ops->get_info(&p->iommu, &info);
	pgsizes = req->pgsize_bitmap ? req->pgsize_bitmap : info.pgsize_bitmap;
	pgsizes &= info.pgsize_bitmap;
	if (!(pgsizes & BIT_ULL(IOPGT_PT_GRANULE_SHIFT))) {
		as->create_reason = IOPGT_REASON_PGSIZES_ABOVE_IAS;
		ret = -EINVAL;
		goto err_free;
	}
	/* Automatic page-size choice inside the library obeys this too */
	p->domain.pgsize_bitmap = pgsizes;

	as->backend = p;
	as->ias = g.ias;
	as->oas = g.oas;
	as->pgsize_bitmap = pgsizes;
	as->granule = BIT_ULL(IOPGT_PT_GRANULE_SHIFT);
	as->quirks = 0;
	as->va_first = 0;
	as->va_last = g.ias >= 64 ? U64_MAX : BIT_ULL(g.ias) - 1;
	as->flags |= IOPGT_AS_F_UNMAP_CB;
	return iopgt_pt_read_regs(as);

err_free:
	iopgt_pt_free(p);
	return ret;
}

static void iopgt_pt_destroy(struct iopgt_as *as)
{
	struct iopgt_pt *p = as->backend;

	lockdep_assert_held(&as->lock);
	if (!p)
		return;
	as->backend = NULL;
	/* Frees every table; nothing but this module ever walked them */
	iopgt_pt_free(p);
}

/*
 * Format-independent re-checks of what the core guarantees (cheap, and the
 * library must never see a violation): a power-of-two page size from the
 * AS's bitmap, a non-empty non-overflowing length inside the input range,
 * pgsize-aligned addresses.
 */
static int iopgt_pt_check_range(struct iopgt_as *as, u64 iova, u64 pgsize,
				u64 pgcount, u64 *size)
{
	if (!is_power_of_2(pgsize) || !(pgsize & as->pgsize_bitmap) ||
	    !pgcount || pgcount > U64_MAX / pgsize || (iova & (pgsize - 1)))
		return -EINVAL;
	*size = pgsize * pgcount;
	/* iommu_map()/iommu_unmap() take unsigned long and size_t */
	if ((unsigned long)iova != iova || (size_t)*size != *size)
		return -ERANGE;
	if (!iopgt_as_iova_ok(as, iova, *size))
		return -ERANGE;
	return 0;
}

static int iopgt_pt_map(struct iopgt_as *as, u64 iova, u64 paddr, u64 pgsize,
			u64 pgcount, int prot, u64 *mapped)
{
	struct iopgt_pt *p = as->backend;
	unsigned long saved;
	u64 size;
	int ret;

	lockdep_assert_held(&as->lock);
	*mapped = 0;
	ret = iopgt_pt_check_range(as, iova, pgsize, pgcount, &size);
	if (ret)
		return ret;
	/* generic_pt WARNs on a mapping that is neither readable nor writable */
	if (!(prot & (IOMMU_READ | IOMMU_WRITE)))
		return -EINVAL;
	/* It checks only the start of the output range against oas */
	if ((paddr & (pgsize - 1)) || (phys_addr_t)paddr != paddr)
		return -EINVAL;
	if (paddr > p->oa_last || size - 1 > p->oa_last - paddr)
		return -ERANGE;
	/* The map may allocate table pages */
	if (iopgt_should_fail())
		return -ENOMEM;

	/*
	 * Exactly @pgsize leaves: the library picks the largest size in
	 * domain.pgsize_bitmap that alignment and length allow, so narrow it
	 * to this one size for the call (as->lock held: nobody else sees it).
	 * Preconditions of iommu_map() just checked: paging domain with a
	 * non-empty bitmap, gfp without __GFP_COMP/DMA/DMA32/HIGHMEM, prot
	 * has READ or WRITE, iova/paddr/size aligned to the only page size,
	 * [iova, iova + size) inside the table's input range, paddr + size
	 * <= 2^oas. On failure iommu_map() unmaps what it mapped, so nothing
	 * is left behind and *mapped stays 0.
	 */
	saved = p->domain.pgsize_bitmap;
	p->domain.pgsize_bitmap = pgsize;
	ret = iommu_map(&p->domain, iova, paddr, size, prot,
			GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL);
	p->domain.pgsize_bitmap = saved;

	if (!ret)
		*mapped = size;

	/*
	 * AMDv1 may have grown a level, even if the map failed afterwards:
	 * re-read the registers so that regs[], levels and the walker follow
	 * the new top. Should that fail, report it; the core then unmaps
	 * *mapped bytes.
	 */
	if (p->top_changed) {
		int r = iopgt_as_refresh_regs(as);

		if (!ret)
			ret = r;
	}

	switch (ret) {
	case -EADDRINUSE:	/* something already mapped in the range */
		return -EEXIST;
	case -ENXIO:		/* no page size fits the alignment */
		return -EINVAL;
	case -EOVERFLOW:
		return -ERANGE;
	default:
		return ret;
	}
}

/*
 * After a library call into @p->ugather: move the table pages it freed off
 * the gather's free list (they are freed at the end of the UNMAP call) and
 * count them out of the table accounting now, as iotlb_sync does for a
 * call's own gather.
 */
static void iopgt_pt_batch_take(struct iopgt_pt *p)
{
	size_t n = list_count_nodes(&p->ugather.freelist.pages);

	if (!n)
		return;
	p->as->tables_cb -= n;
	p->batch_freed += n;
	list_splice_tail_init(&p->ugather.freelist.pages, &p->batch_free.pages);
}

static u64 iopgt_pt_unmap(struct iopgt_as *as, u64 iova, u64 pgsize,
			  u64 pgcount)
{
	struct iopgt_pt *p = as->backend;
	u64 size;

	lockdep_assert_held(&as->lock);
	if (iopgt_pt_check_range(as, iova, pgsize, pgcount, &size))
		return 0;
	/*
	 * Preconditions of iommu_unmap() just checked: paging domain with a
	 * non-empty bitmap, range inside the input range; the core proved
	 * that [iova, iova + size) is exactly whole leaves, so the library
	 * neither stops early nor removes more than asked. Removed tables go
	 * to the gather and are counted and freed by iopgt_pt_iotlb_sync().
	 */
	p->unmapping = true;
	if (p->batching) {
		/* issue 14: the UNMAP call's gather, synced at its end */
		size = iommu_unmap_fast(&p->domain, iova, size, &p->ugather);
		iopgt_pt_batch_take(p);
	} else {
		size = iommu_unmap(&p->domain, iova, size);
	}
	p->unmapping = false;
	return size;
}

/**
 * iopgt_pt_unmap_batch() - one gather for a whole IOPGT_UNMAP call
 * @as: live address space, as->lock held from begin to end
 * @begin: the call starts (else it ends)
 *
 * Only for an address space with an invalidation contract: what a driver
 * does when it unmaps several ranges with iommu_unmap_fast() into one
 * gather and syncs it once (iommu_iotlb_sync()). Under NO_GAPS the library
 * syncs the gather itself before adding a disjoint range; under
 * FLUSH_RANGE the gather spans every range and the gaps between them.
 */
static void iopgt_pt_unmap_batch(struct iopgt_as *as, bool begin)
{
	struct iopgt_pt *p = as->backend;

	lockdep_assert_held(&as->lock);
	if (!(as->flags & (IOPGT_AS_F_FLUSH_RANGE | IOPGT_AS_F_FLUSH_NO_GAPS)))
		return;
	if (begin) {
		iommu_iotlb_gather_init(&p->ugather);
		INIT_LIST_HEAD(&p->batch_free.pages);
		p->batch_freed = 0;
		p->batching = true;
		return;
	}
	p->batching = false;
	iommu_iotlb_sync(&p->domain, &p->ugather);
	/* every page was covered by a sync by now */
	iommu_put_pages_list(&p->batch_free);
	p->batch_freed = 0;
}

static u64 iopgt_pt_iova_to_phys(struct iopgt_as *as, u64 iova)
{
	struct iopgt_pt *p = as->backend;

	lockdep_assert_held(&as->lock);
	if ((unsigned long)iova != iova || !iopgt_as_iova_ok(as, iova, 1))
		return 0;
	/* iova inside the input range; returns 0 when nothing is mapped */
	return iommu_iova_to_phys(&p->domain, iova);
}

static const struct iopgt_backend_ops iopgt_pt_ops = {
	.create = iopgt_pt_create,
	.destroy = iopgt_pt_destroy,
	.map = iopgt_pt_map,
	.unmap = iopgt_pt_unmap,
	.iova_to_phys = iopgt_pt_iova_to_phys,
	.read_regs = iopgt_pt_read_regs,
	.unmap_batch = iopgt_pt_unmap_batch,
};

/* ------------------------------------------------------------------ */
/* Format table                                                        */

#define IOPGT_PT_SZ_4K_2M_1G	(SZ_4K | SZ_2M | SZ_1G)

/*
 * issue 14: AMDv1 and VT-d SS have a write-dirty bit; their
 * read_and_clear_dirty returns -EOPNOTSUPP without CONFIG_IOMMUFD_DRIVER
 * (every Debian kernel), and with it reports dirty state only through an
 * iova_bitmap (its gather is filled only when clearing), which this module
 * does not drive. PT_X86_64 defines no dirty bit.
 */
#define IOPGT_PT_DIRTY_WHY	(IS_ENABLED(CONFIG_IOMMUFD_DRIVER) ? \
				 IOPGT_DIRTY_NOT_IMPLEMENTED :	 \
				 IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER)

static const struct iopgt_pt_fmt iopgt_pt_fmts[] = {
#ifdef IOPGT_PT_AMDV1
	{
		.desc = {
			.id = IOPGT_FMT_PT_AMDV1,
			.name = "PT_AMDV1",
			/* iommu_amdv1.c: PT_SUPPORTED_FEATURES */
			.flags = IOPGT_FMT_F_GENERIC_PT |
				 IOPGT_FMT_F_FLUSH_RANGE |
				 IOPGT_FMT_F_FLUSH_NO_GAPS,
			.unavail_reason = IOPGT_UNAVAIL_NONE,
			.ops = &iopgt_pt_ops,
			.n_pgsize_sets = 1,
			/*
			 * Every power of two from 4 KiB to 2^51 except
			 * 512 GiB (hardware erratum; amdv1.h possible_sizes)
			 */
			.pgsize_sets = { GENMASK_ULL(51, 12) & ~SZ_512G },
			/* the top of 2 levels has 2 MiB entries */
			.ias_min = 21,
			.ias_max = 64,
			.oas_min = IOPGT_PT_OAS_MIN,
			.oas_max = IOPGT_PT_OAS_MAX,
			.levels_min = 2,
			.levels_max = 6,
			.ias_default = 48,
			.oas_default = IOPGT_PT_OAS_MAX,
			.pgsize_default = GENMASK_ULL(51, 12) & ~SZ_512G,
			.addr_regs = BIT(0),
			.dirty_unavail = IOPGT_PT_DIRTY_WHY,
		},
		.dynamic_top = true,
		.levels_default = 3,	/* what the AMD driver starts with */
		.init = iopgt_pt_amdv1_init,
		.hw_info = iopgt_pt_amdv1_hw_info,
	},
#endif
#ifdef IOPGT_PT_VTDSS
	{
		.desc = {
			.id = IOPGT_FMT_PT_VTDSS,
			.name = "PT_VTDSS",
			/* iommu_vtdss.c: FLUSH_RANGE, not NO_GAPS */
			.flags = IOPGT_FMT_F_GENERIC_PT |
				 IOPGT_FMT_F_FLUSH_RANGE,
			.unavail_reason = IOPGT_UNAVAIL_NONE,
			.ops = &iopgt_pt_ops,
			.n_pgsize_sets = 1,
			.pgsize_sets = { IOPGT_PT_SZ_4K_2M_1G },
			.ias_min = 30,	/* 3 levels decode 30..39 bits */
			.ias_max = 57,
			.oas_min = IOPGT_PT_OAS_MIN,
			.oas_max = IOPGT_PT_OAS_MAX,
			.levels_min = 3,
			.levels_max = 5,
			.ias_default = 48,
			.oas_default = IOPGT_PT_OAS_MAX,
			.pgsize_default = IOPGT_PT_SZ_4K_2M_1G,
			.addr_regs = BIT(0),
			.dirty_unavail = IOPGT_PT_DIRTY_WHY,
		},
		.levels_default = 4,
		.init = iopgt_pt_vtdss_init,
		.hw_info = iopgt_pt_vtdss_hw_info,
	},
#endif
#ifdef IOPGT_PT_X86_64
	{
		.desc = {
			.id = IOPGT_FMT_PT_X86_64,
			.name = "PT_X86_64",
			/* iommu_x86_64.c: PT_SUPPORTED_FEATURES */
			.flags = IOPGT_FMT_F_GENERIC_PT |
				 IOPGT_FMT_F_FLUSH_RANGE |
				 IOPGT_FMT_F_FLUSH_NO_GAPS,
			.unavail_reason = IOPGT_UNAVAIL_NONE,
			.ops = &iopgt_pt_ops,
			.n_pgsize_sets = 1,
			.pgsize_sets = { IOPGT_PT_SZ_4K_2M_1G },
			.ias_min = 39,	/* 4 levels decode 39..48 bits */
			.ias_max = 57,
			.oas_min = IOPGT_PT_OAS_MIN,
			.oas_max = IOPGT_PT_OAS_MAX,
			.levels_min = 4,
			.levels_max = 5,
			.ias_default = 48,
			.oas_default = IOPGT_PT_OAS_MAX,
			.pgsize_default = IOPGT_PT_SZ_4K_2M_1G,
			.addr_regs = BIT(0),
			/* no write-dirty bit in the format */
			.dirty_unavail = IOPGT_DIRTY_NO_FORMAT_SUPPORT,
		},
		.levels_default = 4,
		.init = iopgt_pt_x86_64_init,
		.hw_info = iopgt_pt_x86_64_hw_info,
	},
#endif
};

/**
 * iopgt_pt_init() - register the generic_pt formats this kernel exports
 *
 * Return: 0 (formats the kernel lacks keep the core's "not built" entry).
 */
int iopgt_pt_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(iopgt_pt_fmts); i++)
		iopgt_fmt_register(&iopgt_pt_fmts[i].desc);
	return 0;
}

#else /* no usable generic_pt format */

/**
 * iopgt_pt_init() - register the generic_pt formats this kernel exports
 *
 * This kernel has none: every generic_pt format keeps the core's "not
 * built" entry.
 *
 * Return: 0.
 */
int iopgt_pt_init(void)
{
	return 0;
}

#endif

/**
 * iopgt_pt_exit() - undo iopgt_pt_init() (nothing to free: static tables)
 */
void iopgt_pt_exit(void)
{
}
