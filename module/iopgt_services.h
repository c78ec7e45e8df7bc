/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: shared services, the bottom layer of the module (iopgt_services.c):
 * the limits the module parameters set, fault injection, accounting of the
 * module's own allocations, and the format registry the backends fill at
 * module init. Imports nothing of the module but the generated compat
 * header and the uapi.
 *
 * Layers, each importing only the ones below it (tests/host/imports.sh
 * checks that there is no circle):
 *   entry      iopgt_main.c: module init/exit (a table), module parameters
 *   device     iopgt_dev.c: context, /dev/iopgt file ops, probe, teardown;
 *              iopgt_ioctl.c, iopgt_nl.c, iopgt_bench.c: the callers
 *   AS core    iopgt_as.c (+ iopgt_perm.c): address spaces, shadow map
 *   backends   backend_io_pgtable.c, backend_generic_pt.c (register here)
 *   walker     iopgt_walk.c
 *   types      iopgt_types.h: the shared objects (no functions)
 *   services   this file; kernel differences in iopgt_kcompat.h
 */
#ifndef _IOPGT_SERVICES_H
#define _IOPGT_SERVICES_H

#include <linux/types.h>
#include <linux/gfp.h>

#include "iopgt_compat.h"
#include "iopgt_uapi.h"

struct iopgt_as;

/* ------------------------------------------------------------------ */
/* Limits: set by the module parameters (iopgt_main.c); READ_ONCE().  */

extern unsigned int iopgt_max_as;
extern unsigned long long iopgt_max_table_bytes;
extern unsigned long long iopgt_max_as_table_bytes;
extern unsigned int iopgt_max_map_entries;

/*
 * Allocations whose number userspace decides (shadow-map nodes, table
 * pages): a failure is -ENOMEM, quietly and without the OOM killer.
 */
#define IOPGT_GFP_USER_SIZED	(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/*
 * Pages per backend call of IOPGT_MAP/IOPGT_UNMAP (and the debugfs bench's
 * batched modes): bounds the latency between cond_resched() calls.
 */
#define IOPGT_CHUNK_PAGES	(1ULL << 16)

/* Upper bounds of the count parameters (the byte caps: RAM / 4) */
#define IOPGT_MAX_AS_LIMIT		4096
#define IOPGT_MAX_MAP_ENTRIES_LIMIT	16777216

/* ------------------------------------------------------------------ */
/* Accounting and fault injection                                      */

/**
 * iopgt_should_fail() - fault injection point
 *
 * Call once before every allocation the module makes on behalf of a user
 * request (AS create, map, dump buffers, table pages through cfg->alloc).
 * Counts the call in the `fault_count` parameter and returns true exactly
 * once, for the Nth call after N was written to `fault_nth`.
 *
 * Return: true if the caller must behave as if the allocation failed.
 */
bool iopgt_should_fail(void);

/*
 * Allocations made by the module itself, for GET_INFO.module_allocs. Every
 * iopgt_kzalloc() must be paired with iopgt_kfree(); both are NULL-safe and
 * iopgt_kzalloc() honours iopgt_should_fail().
 */
void *iopgt_kzalloc(size_t size, gfp_t gfp);
void *iopgt_kvcalloc(size_t n, size_t size, gfp_t gfp);
void iopgt_kfree(const void *p);
void iopgt_kvfree(const void *p);
void iopgt_alloc_note(long delta);	/* for other allocators */
s64 iopgt_module_allocs(void);

/*
 * TEST-ONLY defect (IOPGT_DEFECT=failnth, module/Kbuild; never in a normal
 * build): when the page-table library itself fails an allocation while an
 * address space is created (alloc_io_pgtable_ops() NULL, generic_pt init
 * -ENOMEM), the error path forgets to free the backend's own allocation.
 * Only the kernel's fail-nth (tests/faultinj.c kernel_fail_nth_sweep on the
 * sanitizer kernels) reaches that path; its leak check must fail.
 */
#ifdef IOPGT_DEFECT_FAILNTH
#define IOPGT_DEFECT_LEAK_ON_LIBRARY_ENOMEM 1
#else
#define IOPGT_DEFECT_LEAK_ON_LIBRARY_ENOMEM 0
#endif

/**
 * iopgt_fault_arm() - fail the Nth allocation from now (fault_nth)
 * @n: 0 disarms
 *
 * Resets the count iopgt_fault_seen() reports.
 */
void iopgt_fault_arm(int n);

/* Return: allocations left before the armed failure (0: disarmed). */
int iopgt_fault_left(void);

/* Return: iopgt_should_fail() calls since the last iopgt_fault_arm(). */
int iopgt_fault_seen(void);

/* ------------------------------------------------------------------ */
/* Format registry                                                     */

/**
 * struct iopgt_backend_ops - one page-table library behind a format
 *
 * Every op except @create and @destroy is called with as->lock held, on a
 * live address space, after the core checked every precondition it can
 * check generically: for map/unmap pgsize is a power of two in
 * as->pgsize_bitmap, 1 <= pgcount <= INT_MAX, pgsize * pgcount does not
 * overflow, iova and paddr are pgsize-aligned, [iova, iova + size) is
 * inside [as->va_first, as->va_last], paddr + size <= 2^as->oas, prot has
 * IOMMU_READ or IOMMU_WRITE and nothing outside IOMMU_* bits 0-5; the
 * shadow map proved that a map range is empty and that an unmap range is
 * exactly whole leaves of size pgsize. For iova_to_phys and hw_walk, iova is
 * inside the input range.
 *
 * @create: build the backend object for as->fmt from @req (already checked
 *	against the format's constraints in struct iopgt_fmt_desc; the
 *	backend checks the format-specific rules) and fill as->backend,
 *	as->ias/oas/pgsize_bitmap/quirks/levels/start_level/granule,
 *	as->va_first/va_last and as->regs[]. Called with as->lock held, not
 *	yet visible to anyone else. Returns 0 or -errno; on failure it may
 *	set as->create_reason (enum iopgt_reason, AS_CREATE's out_reason).
 * @destroy: free everything @create made. Called once, as->lock held.
 * @map: map @pgcount pages of @pgsize at @iova -> @paddr. Maps all of them
 *	or fails; *@mapped is the number of bytes actually mapped either way
 *	(the core unmaps them on failure).
 * @unmap: unmap @pgcount pages of @pgsize at @iova; returns bytes unmapped
 *	(the core treats a short count as -EIO).
 * @iova_to_phys: output address of @iova, 0 when not mapped.
 * @read_regs: refresh as->regs[] (and levels) from the library; may be
 *	NULL when the registers never change after create.
 * @hw_walk: the library's own walker (io-pgtable pgtable_walk); NULL if
 *	the kernel has none for this format. Fills @ptes (zeroed by caller).
 * @dirty_read: issue 14, formats with IOPGT_FMT_F_DIRTY only: the
 *	library's read_and_clear_dirty on [@iova, @iova + @size), with
 *	IOMMU_DIRTY_NO_CLEAR unless @clear, no bitmap and @gather (initialised
 *	by the caller) collecting the range of every dirty leaf. The core
 *	(dirty.c) passes only ranges of whole mapped leaves inside the input
 *	range of an AS created with IOPGT_AS_DIRTY_TRACKING (no TTBR1), @size
 *	>= 1: no input reaches the library's WARNs. Returns 0 or -errno.
 * @dirty_set: issue 14, as @dirty_read: make the leaf translating @iova
 *	(mapped, checked by the core) write-dirty as the IOMMU would; fill
 *	*@leaf_iova and *@leaf_log2. Returns 0, -EACCES (leaf not writable)
 *	or -errno.
 * @unmap_batch: issue 14, may be NULL: an IOPGT_UNMAP call begins
 *	(@begin) or ends; between the two the backend may gather every
 *	@unmap into one invalidation and sync it at the end (generic_pt with
 *	an invalidation contract). as->lock held throughout.
 */
struct iopgt_backend_ops {
	int (*create)(struct iopgt_as *as, const struct iopgt_as_create *req);
	void (*destroy)(struct iopgt_as *as);
	int (*map)(struct iopgt_as *as, u64 iova, u64 paddr, u64 pgsize,
		   u64 pgcount, int prot, u64 *mapped);
	u64 (*unmap)(struct iopgt_as *as, u64 iova, u64 pgsize, u64 pgcount);
	u64 (*iova_to_phys)(struct iopgt_as *as, u64 iova);
	int (*read_regs)(struct iopgt_as *as);
	int (*hw_walk)(struct iopgt_as *as, u64 iova, u64 ptes[4]);
	int (*dirty_read)(struct iopgt_as *as, u64 iova, u64 size, bool clear,
			  struct iommu_iotlb_gather *gather);
	int (*dirty_set)(struct iopgt_as *as, u64 iova, u64 *leaf_iova,
			 u32 *leaf_log2);
	void (*unmap_batch)(struct iopgt_as *as, bool begin);
};

/**
 * struct iopgt_fmt_desc - one format as this kernel offers it
 *
 * Registered once at module init with iopgt_fmt_register() and never
 * changed afterwards (no locking needed to read it). The constraint fields
 * are exactly what GET_INFO reports; the core checks AS_CREATE requests
 * against them before calling @ops->create.
 *
 * @id: enum iopgt_format
 * @name: uapi name, e.g. "ARM_64_LPAE_S1"
 * @flags: IOPGT_FMT_F_* except AVAILABLE (set by the core when
 *	@unavail_reason is IOPGT_UNAVAIL_NONE); bits outside
 *	IOPGT_FMT_F_DESC_MASK are the backend's own and never reported
 * @unavail_reason: enum iopgt_unavail_reason
 * @ops: backend; required when available
 * @kfmt: backend private: the kernel's enum value (io-pgtable) etc.
 * @quirks: IOPGT_QUIRK_* accepted
 * @n_pgsize_sets: valid entries in @pgsize_sets
 * @pgsize_sets: accepted page-size sets; the lowest bit of each is its
 *	granule; a request must be a subset of one set containing the granule
 * @ias_min: smallest input address size
 * @ias_max: largest input address size
 * @oas_min: smallest output address size
 * @oas_max: largest output address size
 * @levels_min: generic_pt: smallest level count (0 for io-pgtable)
 * @levels_max: generic_pt: largest level count (0 for io-pgtable)
 * @ias_default: ias when the request says 0
 * @oas_default: oas when the request says 0
 * @pgsize_default: pgsize_bitmap when the request says 0
 * @addr_regs: bit i set: regs[i] holds a physical address (its address
 *	bits are hidden, see iopgt_walk_hide_reg()); regs[7] always is one
 * @oas_set: GET_INFO's oas_set (bit n: oas n accepted; 0: the whole range)
 * @rules: IOPGT_FMT_RULE_* the backend enforces (GET_INFO's rules)
 * @dirty_unavail: enum iopgt_dirty_unavail when @flags lacks
 *	IOPGT_FMT_F_DIRTY (0 there reads as IOPGT_DIRTY_NO_FORMAT_SUPPORT)
 */
struct iopgt_fmt_desc {
	u32 id;
	const char *name;
	u32 flags;
	u32 unavail_reason;
	const struct iopgt_backend_ops *ops;
	int kfmt;
	u64 quirks;
	u32 n_pgsize_sets;
	u64 pgsize_sets[IOPGT_MAX_PGSIZE_SETS];
	u32 ias_min, ias_max;
	u32 oas_min, oas_max;
	u32 levels_min, levels_max;
	u32 ias_default, oas_default;
	u64 pgsize_default;
	u32 addr_regs;
	u64 oas_set;
	u32 rules;
	u32 dirty_unavail;
};

/**
 * iopgt_fmt_register() - make a format known (module init only)
 * @desc: static descriptor; overrides the default "not built" entry for
 *	desc->id. Must stay valid until module exit.
 */
void iopgt_fmt_register(const struct iopgt_fmt_desc *desc);

/**
 * iopgt_fmt_get() - descriptor of a uapi format id
 * @id: enum iopgt_format
 *
 * Return: the descriptor (available or not), or NULL for an id outside
 * 1..IOPGT_FMT_COUNT-1.
 */
const struct iopgt_fmt_desc *iopgt_fmt_get(u32 id);

static inline bool iopgt_fmt_available(const struct iopgt_fmt_desc *d)
{
	return d && d->unavail_reason == IOPGT_UNAVAIL_NONE && d->ops;
}

/* the bits of iopgt_fmt_desc::flags that userspace may see */
#define IOPGT_FMT_F_DESC_MASK	(IOPGT_FMT_F_IO_PGTABLE | IOPGT_FMT_F_GENERIC_PT | \
				 IOPGT_FMT_F_HW_WALK | IOPGT_FMT_F_NONCOHERENT | \
				 IOPGT_FMT_F_ONE_LIVE | IOPGT_FMT_F_DIRTY | \
				 IOPGT_FMT_F_FLUSH_RANGE | \
				 IOPGT_FMT_F_FLUSH_NO_GAPS)

/**
 * iopgt_fmt_uapi_flags() - the IOPGT_FMT_F_* flags of a format
 * @d: descriptor (not NULL)
 *
 * The only source of the flags that IOPGT_GET_INFO (format_info.flags) and
 * the netlink FORMAT_GET (IOPGT_A_FORMAT_FLAGS) report, so the two views
 * cannot differ: the uapi bits of @d->flags, without the backend's private
 * ones, plus IOPGT_FMT_F_AVAILABLE.
 *
 * Return: IOPGT_FMT_F_* bits.
 */
static inline u32 iopgt_fmt_uapi_flags(const struct iopgt_fmt_desc *d)
{
	u32 flags = d->flags & IOPGT_FMT_F_DESC_MASK;

	if (iopgt_fmt_available(d))
		flags |= IOPGT_FMT_F_AVAILABLE;
	else
		flags &= ~IOPGT_FMT_F_DIRTY;
	return flags;
}

/**
 * iopgt_fmt_uapi_dirty() - why a format has no dirty tracking, as reported
 * @d: descriptor (not NULL)
 *
 * Shared by IOPGT_GET_INFO and AS_CREATE: 0 exactly when
 * iopgt_fmt_uapi_flags() has IOPGT_FMT_F_DIRTY.
 *
 * Return: enum iopgt_dirty_unavail.
 */
static inline u32 iopgt_fmt_uapi_dirty(const struct iopgt_fmt_desc *d)
{
	if (!iopgt_fmt_available(d))
		return IOPGT_DIRTY_FORMAT_UNAVAILABLE;
	if (d->flags & IOPGT_FMT_F_DIRTY)
		return IOPGT_DIRTY_AVAILABLE;
	return d->dirty_unavail ? d->dirty_unavail :
				  IOPGT_DIRTY_NO_FORMAT_SUPPORT;
}

/**
 * iopgt_fmt_uapi_unavail() - why a format is not available, as reported
 * @d: descriptor (not NULL)
 *
 * Shared by IOPGT_GET_INFO and the netlink FORMAT_GET like
 * iopgt_fmt_uapi_flags(): a format without a backend whose reason says
 * none is IOPGT_UNAVAIL_NO_BACKEND.
 *
 * Return: enum iopgt_unavail_reason (IOPGT_UNAVAIL_NONE when available).
 */
static inline u32 iopgt_fmt_uapi_unavail(const struct iopgt_fmt_desc *d)
{
	if (!iopgt_fmt_available(d) && d->unavail_reason == IOPGT_UNAVAIL_NONE)
		return IOPGT_UNAVAIL_NO_BACKEND;
	return d->unavail_reason;
}


/**
 * iopgt_fmt_init_defaults() - every format "not built" (module init only)
 *
 * Called once by the entry before the backends register their formats.
 */
void iopgt_fmt_init_defaults(void);

#endif /* _IOPGT_SERVICES_H */
