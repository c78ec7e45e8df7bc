/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the invalidation log of an address space (flush.c).
 *
 * An address space created with IOPGT_AS_RECORD_FLUSHES owns one log
 * (as->flush); every other has none, and the backends then take exactly
 * the path they take without this file (no gather, no-op callbacks).
 */
#ifndef _IOPGT_FLUSH_H
#define _IOPGT_FLUSH_H

#include <linux/types.h>

struct iopgt_as;
struct iommu_iotlb_gather;

/* module parameters (flush.c) */
extern unsigned int iopgt_max_flush_records;
extern unsigned int iopgt_flush_test_drop;

/*
 * flush_test_drop bits (test-only: make the oracle see a missing
 * invalidation): records of that kind are not stored.
 */
#define IOPGT_FLUSH_DROP_WALK		BIT(0)	/* tlb_flush_walk */
#define IOPGT_FLUSH_DROP_ADD_PAGE	BIT(1)	/* tlb_add_page (and its gather) */
#define IOPGT_FLUSH_DROP_SYNC		BIT(2)	/* gather syncs */
/*
 * not a dropped record but a wrong driver: an address space created with
 * IOPGT_AS_FLUSH_NO_GAPS gets PT_FEAT_FLUSH_RANGE, so the library merges
 * disjoint ranges into one gather (read at creation)
 */
#define IOPGT_FLUSH_DEFECT_MERGE	BIT(3)
#define IOPGT_FLUSH_DROP_TOP		BIT(4)	/* change_top records */

/**
 * struct iopgt_flush_rec - one recorded invalidation
 * @seq: MAP/UNMAP call that caused it
 * @iova: start
 * @size: bytes
 * @granule: granule / gather pgsize / new top log2 (see enum
 *	iopgt_flush_kind)
 * @kind: enum iopgt_flush_kind
 * @freed: table pages freed with a gather
 */
struct iopgt_flush_rec {
	u64 seq;
	u64 iova;
	u64 size;
	u64 granule;
	u32 kind;
	u32 freed;
};

/**
 * struct iopgt_flush_log - invalidation log of one address space
 * @cap: records @recs holds (max_flush_records at creation)
 * @n: records held
 * @first_index: index of @recs[0]
 * @dropped: records lost because the log was full (since the last clear)
 * @seq: current MAP/UNMAP call (0 before the first)
 * @clears: number of clears (netlink dumps notice one mid-dump)
 * @recs: the records
 *
 * Protected by the owning as->lock: every writer (the library's callbacks)
 * runs inside a backend call, which holds it.
 */
struct iopgt_flush_log {
	u32 cap;
	u32 n;
	u64 first_index;
	u64 dropped;
	u64 seq;
	u64 clears;
	struct iopgt_flush_rec recs[];
};

int iopgt_flush_create(struct iopgt_as *as);
void iopgt_flush_destroy(struct iopgt_as *as);
void iopgt_flush_op_begin(struct iopgt_as *as);
void iopgt_flush_unmap_begin(struct iopgt_as *as);
void iopgt_flush_unmap_end(struct iopgt_as *as);
void iopgt_flush_record(struct iopgt_as *as, u32 kind, u64 iova, u64 size,
			u64 granule, u32 freed);
void iopgt_flush_gather_init(struct iommu_iotlb_gather *g);
void iopgt_flush_gather_add(struct iopgt_as *as, struct iommu_iotlb_gather *g,
			    u64 iova, u64 size);
void iopgt_flush_gather_sync(struct iopgt_as *as, struct iommu_iotlb_gather *g,
			     u32 freed);
const struct iopgt_flush_rec *iopgt_flush_get(struct iopgt_as *as, u64 index);

struct iopgt_flush_ctl;
struct iopgt_file;
int iopgt_flush_ctl(struct iopgt_as *as, struct iopgt_file *file,
		    struct iopgt_flush_ctl *cmd);

#endif /* _IOPGT_FLUSH_H */
