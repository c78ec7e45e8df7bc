/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiopgt: the invalidations a page-table library asked for (issue 14)
 * and an IOTLB oracle that checks them.
 *
 * An address space created with IOPGT_AS_RECORD_FLUSHES records every
 * invalidation (enum iopgt_flush_kind); iopgt_nl_dump_flushes() reads the
 * records, iopgt_flush_ctl() clears them. The oracle (iopgt_tlb_*) is a
 * worst-case IOTLB: it caches every leaf translation and every table
 * pointer that was ever reachable (never a non-present entry) and drops
 * what each recorded invalidation covers:
 *  - add_page(iova, granule): leaves overlapping [iova, iova + granule);
 *  - flush_walk(iova, size): the walk cache (table pointers) of the range,
 *    and the leaves in it: every in-tree driver implements it with a
 *    non-leaf invalidation by address (arm-smmu-v3 leaf=false, arm-smmu
 *    TLBIVA), which drops both;
 *  - a gather sync: io-pgtable: the leaves of its range (the gather only
 *    collects add_page pages, synced with a leaf invalidation);
 *    generic_pt: leaves and table pointers of its range (PT_FEAT_FLUSH_RANGE:
 *    "clean out any walk cache or any IOPTE fully contained by the range");
 *  - iotlb_sync_map: its range; flush_all: everything; top change: nothing.
 * After an operation the entries of the range it touched are compared with
 * the real tables (a filtered tree dump): a cached entry that no longer
 * matches and that no record covered is a stale entry.
 */
#ifndef LIBIOPGT_FLUSH_H
#define LIBIOPGT_FLUSH_H

#include <stddef.h>
#include <stdint.h>
#include "iopgt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One record of IOPGT_NL_CMD_FLUSH_GET */
struct iopgt_flush_rec {
	uint64_t has;		/* IOPGT_HAS(IOPGT_A_x) per attribute seen */
	uint32_t as_id;
	uint32_t kind;		/* enum iopgt_flush_kind */
	uint64_t index;
	uint64_t seq;
	uint64_t iova;
	uint64_t size;
	uint64_t granule;
	uint32_t freed;
};

typedef int (*iopgt_flush_cb)(const struct iopgt_flush_rec *r, void *arg);

/* IOPGT_FLUSH_CTL; @flags: IOPGT_FLUSH_CTL_CLEAR or 0 */
int iopgt_flush_ctl(struct iopgt_dev *dev, uint32_t as_id, uint32_t flags,
		    struct iopgt_flush_ctl *out, struct iopgt_err *err);
/* FLUSH_GET dump from record @first_index on (callback as for the tree) */
int iopgt_nl_dump_flushes(struct iopgt_nl *nl, uint32_t dev_id,
			  uint32_t as_id, uint64_t first_index,
			  iopgt_flush_cb cb, void *arg, struct iopgt_err *err);
/* IOPGT_UNMAP with flags (IOPGT_UNMAP_CORE: split like iommu_unmap()) */
int iopgt_unmap_flags(struct iopgt_dev *dev, uint32_t as_id, uint32_t flags,
		      struct iopgt_unmap_entry *ents, uint32_t n,
		      uint32_t *n_done, struct iopgt_err *err);
/* "flush_all", "flush_walk", "add_page", "sync", "sync_map", "top"; NULL */
const char *iopgt_flush_kind_name(uint32_t kind);

/* ------------------------------------------------------------------ oracle */

struct iopgt_tlb;

/* @generic_pt: the records follow generic_pt's gather contract */
struct iopgt_tlb *iopgt_tlb_new(int generic_pt);
void iopgt_tlb_free(struct iopgt_tlb *t);

/* A stale entry: cached, changed, and covered by no record */
struct iopgt_tlb_stale {
	uint64_t first, last;	/* range of the operation */
	uint64_t iova;		/* the entry */
	uint32_t span_log2;
	uint32_t level;
	uint32_t kind;		/* enum iopgt_pte_kind */
	uint64_t pte;
	const char *missing;	/* the invalidation that should have covered it */
};

struct iopgt_tlb_counts {
	uint64_t checked;	/* cached entries compared */
	uint64_t changed;	/* of those, changed (covered or stale) */
	uint64_t stale;
	uint64_t records;	/* records applied */
	uint64_t over;		/* records that covered no changed entry */
};

typedef void (*iopgt_tlb_report)(const struct iopgt_tlb_stale *s, void *arg);

/*
 * One operation touched [@first, @last]: @now are the entries of that range
 * after it (a TREE_GET dump filtered on it), @recs the records it caused.
 * Adds to @c; calls @report (may be NULL) per stale entry. Returns 0, or
 * -ENOMEM.
 */
int iopgt_tlb_check(struct iopgt_tlb *t, uint64_t first, uint64_t last,
		    const struct iopgt_tree_entry *now, size_t n_now,
		    const struct iopgt_flush_rec *recs, size_t n_recs,
		    struct iopgt_tlb_counts *c, iopgt_tlb_report report,
		    void *arg);

/* The random workload of `iopgt tlbcheck` */
struct iopgt_tlbcheck_opts {
	uint32_t format;
	uint64_t seed;
	uint32_t ops;
	int verbose;		/* print every operation and its records */
	FILE *out;		/* stale entries and verbose output (NULL: none) */
};

struct iopgt_tlbcheck_result {
	uint32_t as_id;
	uint64_t ops, maps, unmaps, core_unmaps, blocks_over_tables, refused;
	uint64_t tables_freed;	/* walk flushes + pages freed with gathers */
	uint64_t block_size;	/* the table-sized block of the workload */
	struct iopgt_tlb_counts c;
};

int iopgt_tlbcheck_run(struct iopgt_dev *dev, struct iopgt_nl *nl,
		       const struct iopgt_tlbcheck_opts *o,
		       struct iopgt_tlbcheck_result *r, struct iopgt_err *err);

#ifdef __cplusplus
}
#endif

#endif
