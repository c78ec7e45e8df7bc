// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of the IOTLB oracle (lib/tlb.c, issue 14): known
 * sequences of tree states and invalidation records, with the stale
 * entries and over-invalidations the model must count.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libiopgt.h"
#include "tap.h"

static char last_missing[160];
static unsigned int n_reports;

static void rep(const struct iopgt_tlb_stale *s, void *arg)
{
	(void)arg;
	n_reports++;
	snprintf(last_missing, sizeof(last_missing), "%s", s->missing);
}

static unsigned int n_gaps;
static uint64_t last_gap0, last_gap1;
static int last_violation;

static void gaprep(const struct iopgt_tlb_gap *g, void *arg)
{
	(void)arg;
	n_gaps++;
	last_gap0 = g->gap_first;
	last_gap1 = g->gap_last;
	last_violation = g->violation;
}

#define TBL(lvl, va, span, pa) { .level = lvl, .iova = va, .span_log2 = span, \
				 .kind = IOPGT_PTE_TABLE, .pte = (pa) | 3 }
#define PG(va, pa) { .level = 3, .iova = va, .span_log2 = 12, \
		     .kind = IOPGT_PTE_PAGE, .pte = (pa) | 0x403 }
#define BLK(va, pa) { .level = 2, .iova = va, .span_log2 = 21, \
		      .kind = IOPGT_PTE_BLOCK, .pte = (pa) | 0x401 }
#define REC(k, va, sz) { .kind = k, .iova = va, .size = sz, .granule = 0x1000 }

int main(void)
{
	/* LPAE-like: level-1 table -> level-2 table -> level-3 table, 2 pages */
	struct iopgt_tree_entry s1[] = {
		TBL(1, 0, 30, 0x10000), TBL(2, 0, 21, 0x20000),
		PG(0x0, 0x80000000), PG(0x1000, 0x80001000),
	};
	/* page 0x1000 unmapped */
	struct iopgt_tree_entry s2[] = {
		TBL(1, 0, 30, 0x10000), TBL(2, 0, 21, 0x20000),
		PG(0x0, 0x80000000),
	};
	/* a 2M block replaced the level-3 table */
	struct iopgt_tree_entry s3[] = {
		TBL(1, 0, 30, 0x10000), BLK(0, 0x40000000),
	};
	struct iopgt_flush_entry add1 = REC(IOPGT_FLUSH_ADD_PAGE, 0x1000, 0x1000);
	struct iopgt_flush_entry add_far = REC(IOPGT_FLUSH_ADD_PAGE, 0x100000, 0x1000);
	struct iopgt_flush_entry walk = REC(IOPGT_FLUSH_WALK, 0, 0x200000);
	struct iopgt_flush_entry sync = REC(IOPGT_FLUSH_SYNC, 0, 0x200000);
	struct iopgt_tlb_counts c;
	struct iopgt_tlb *t;

	/* 1: correct invalidations: no stale entry, no over-invalidation */
	t = iopgt_tlb_new(0);
	memset(&c, 0, sizeof(c));
	tap_ok(!iopgt_tlb_check(t, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL),
	       "first state is cached");
	tap_u64(c.checked, 0, "nothing was cached before the first state");
	iopgt_tlb_check(t, 0x1000, 0x1fff, s2, 3, &add1, 1, &c, rep, NULL);
	tap_u64(c.changed, 1, "unmapping a page changes exactly its leaf");
	tap_u64(c.stale, 0, "add_page of the page covers it");
	tap_u64(c.over, 0, "and is not an over-invalidation");
	memset(&c, 0, sizeof(c));
	n_reports = 0;
	iopgt_tlb_check(t, 0, 0x1fffff, s3, 2, &walk, 1, &c, rep, NULL);
	tap_u64(c.changed, 2, "block over table: the table pointer and the page changed");
	tap_u64(c.stale, 0, "flush_walk of the 2M range covers both");
	iopgt_tlb_free(t);

	/* 2: missing leaf invalidation, with an unrelated (over) one */
	t = iopgt_tlb_new(0);
	memset(&c, 0, sizeof(c));
	n_reports = 0;
	iopgt_tlb_check(t, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL);
	iopgt_tlb_check(t, 0x1000, 0x1fff, s2, 3, &add_far, 1, &c, rep, NULL);
	tap_u64(c.stale, 1, "unmap without add_page of the page: one stale leaf");
	tap_u64(c.over, 1, "the add_page elsewhere is an over-invalidation");
	tap_ok(n_reports == 1 && strstr(last_missing, "tlb_add_page") != NULL,
	       "the report names tlb_add_page as missing");
	/* 3: the table pointer replaced by a block without a walk flush */
	memset(&c, 0, sizeof(c));
	n_reports = 0;
	iopgt_tlb_check(t, 0, 0x1fffff, s3, 2, &sync, 1, &c, rep, NULL);
	tap_u64(c.stale, 1, "io-pgtable: a leaf sync does not cover the table pointer");
	tap_ok(strstr(last_missing, "tlb_flush_walk") != NULL,
	       "the report names tlb_flush_walk as missing");
	iopgt_tlb_free(t);

	/* 4: generic_pt: the gather sync covers table pointers too */
	t = iopgt_tlb_new(1);
	memset(&c, 0, sizeof(c));
	iopgt_tlb_check(t, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL);
	iopgt_tlb_check(t, 0, 0x1fffff, s3, 2, &sync, 1, &c, rep, NULL);
	tap_u64(c.stale, 0, "generic_pt: a gather sync of the range covers the table");
	memset(&c, 0, sizeof(c));
	n_reports = 0;
	{
		struct iopgt_tree_entry s4[] = { TBL(1, 0, 30, 0x10000) };
		struct iopgt_flush_entry short_sync = REC(IOPGT_FLUSH_SYNC, 0, 0x1000);

		/* the block goes, the sync covers only its first 4K: still ok */
		iopgt_tlb_check(t, 0, 0x1fffff, s4, 1, &short_sync, 1, &c, rep,
				NULL);
		tap_u64(c.stale, 0, "a sync overlapping the block covers it (TLBI by address)");
	}
	{
		struct iopgt_tree_entry s5[] = { TBL(1, 0, 30, 0x10000), PG(0x3000, 0x5000) };
		struct iopgt_tree_entry s6[] = { TBL(1, 0, 30, 0x10000) };

		memset(&c, 0, sizeof(c));
		n_reports = 0;
		iopgt_tlb_check(t, 0x3000, 0x3fff, s5, 2, NULL, 0, &c, rep, NULL);
		iopgt_tlb_check(t, 0x3000, 0x3fff, s6, 1, NULL, 0, &c, rep, NULL);
		tap_ok(c.stale == 1 && strstr(last_missing, "iotlb_sync") != NULL,
		       "generic_pt: a leaf removed without a gather sync is stale, naming iotlb_sync");
	}
	/* 5: flush_all covers everything; kind names */
	{
		struct iopgt_tree_entry none[] = { TBL(1, 0, 30, 0x10000) };
		struct iopgt_flush_entry all = { .kind = IOPGT_FLUSH_ALL };
		struct iopgt_tlb *u = iopgt_tlb_new(0);

		memset(&c, 0, sizeof(c));
		iopgt_tlb_check(u, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL);
		iopgt_tlb_check(u, 0, 0x1fffff, none, 1, &all, 1, &c, rep, NULL);
		tap_ok(c.stale == 0 && c.changed == 3, "flush_all covers every changed entry");
		iopgt_tlb_free(u);
	}
	/* 6: dirty state: a device write is the hardware's own update (no
	 * invalidation); clearing it needs one */
	{
		struct iopgt_tree_entry dirty[] = {
			TBL(1, 0, 30, 0x10000), TBL(2, 0, 21, 0x20000),
			PG(0x0, 0x80000000), PG(0x1000, 0x80001000),
		};
		struct iopgt_flush_entry clr = REC(IOPGT_FLUSH_SYNC, 0x1000, 0x1000);
		struct iopgt_tlb *u = iopgt_tlb_new(0);

		dirty[3].pte |= 1ULL << 51;	/* DBM, AP[2] clear: dirty */
		s1[3].pte |= (1ULL << 51) | (1ULL << 7);	/* DBM + AP[2]: clean */
		memset(&c, 0, sizeof(c));
		n_reports = 0;
		iopgt_tlb_check(u, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL);
		tap_ok(!iopgt_tlb_hw_update(u, dirty, 4), "hw_update takes the written leaf");
		iopgt_tlb_check(u, 0, 0x1fffff, dirty, 4, NULL, 0, &c, rep, NULL);
		tap_ok(c.stale == 0 && c.changed == 0,
		       "after hw_update the written leaf is not stale");
		/* cleared without a record: stale; with the gather's sync: covered */
		iopgt_tlb_check(u, 0, 0x1fffff, s1, 4, NULL, 0, &c, rep, NULL);
		tap_u64(c.stale, 1, "a cleared dirty leaf without an invalidation is stale");
		iopgt_tlb_hw_update(u, dirty, 4);
		iopgt_tlb_check(u, 0, 0x1fffff, s1, 4, &clr, 1, &c, rep, NULL);
		tap_u64(c.stale, 1, "the clearing's sync covers it");
		tap_ok(iopgt_tlb_hw_update(NULL, dirty, 4) == -EINVAL, "hw_update(NULL) is EINVAL");
		iopgt_tlb_free(u);
	}
	/* 7: generic_pt contracts: a sync over IOVA nothing changed (a gap) */
	{
		/* pages at 0x0, 0x1000, 0x5000 under one table */
		struct iopgt_tree_entry g1[] = {
			TBL(1, 0, 30, 0x10000), PG(0x0, 0x80000000),
			PG(0x1000, 0x80001000), PG(0x5000, 0x80005000),
		};
		struct iopgt_tree_entry g2[] = { TBL(1, 0, 30, 0x10000),
						 PG(0x1000, 0x80001000) };
		struct iopgt_flush_entry two[] = {
			REC(IOPGT_FLUSH_SYNC, 0x0, 0x1000),
			REC(IOPGT_FLUSH_SYNC, 0x5000, 0x1000),
		};
		struct iopgt_flush_entry merged = REC(IOPGT_FLUSH_SYNC, 0x0, 0x6000);
		static const uint32_t ctr[] = { IOPGT_FLUSH_CONTRACT_RANGE,
						IOPGT_FLUSH_CONTRACT_NO_GAPS };
		unsigned int k;

		for (k = 0; k < 2; k++) {
			struct iopgt_tlb *u = iopgt_tlb_new(1);
			int nog = ctr[k] == IOPGT_FLUSH_CONTRACT_NO_GAPS;

			iopgt_tlb_set_contract(u, ctr[k], gaprep, NULL);
			memset(&c, 0, sizeof(c));
			n_gaps = 0;
			iopgt_tlb_check(u, 0, 0x5fff, g1, 4, NULL, 0, &c, rep, NULL);
			/* 0x0 and 0x5000 unmapped, one sync each: no gap */
			iopgt_tlb_check(u, 0, 0x5fff, g2, 2, two, 2, &c, rep, NULL);
			tap_ok(c.stale == 0 && c.gaps == 0 && c.nogaps_violations == 0,
			       nog ? "NO_GAPS: a sync per disjoint range has no gap" :
				     "FLUSH_RANGE: a sync per disjoint range has no gap");
			iopgt_tlb_free(u);

			u = iopgt_tlb_new(1);
			iopgt_tlb_set_contract(u, ctr[k], gaprep, NULL);
			memset(&c, 0, sizeof(c));
			iopgt_tlb_check(u, 0, 0x5fff, g1, 4, NULL, 0, &c, rep, NULL);
			/* one sync over both: 0x1000-0x4fff did not change */
			iopgt_tlb_check(u, 0, 0x5fff, g2, 2, &merged, 1, &c, rep, NULL);
			tap_u64(c.gaps, 1, nog ? "NO_GAPS: the merged sync spans a gap" :
					       "FLUSH_RANGE: the merged sync spans a gap (counted)");
			tap_u64(c.gap_bytes, 0x4000, "the gap is 0x1000-0x4fff");
			tap_u64(c.nogaps_violations, nog,
				nog ? "NO_GAPS: it is a violation" :
				      "FLUSH_RANGE: it is not a violation");
			tap_ok(last_gap0 == 0x1000 && last_gap1 == 0x4fff &&
			       last_violation == nog,
			       "the report names the gap [0x1000, 0x4fff] and whether it violates");
			iopgt_tlb_free(u);
		}
	}
	/* 8: the top table changes */
	{
		/* old top (2 levels, level 1) at 0x10000, reached by the new top's entry 0 */
		struct iopgt_tree_entry path[] = {
			{ .level = 2, .iova = 0, .span_log2 = 39,
			  .kind = IOPGT_PTE_TABLE, .pte = 0x10000 | 3, .oa = 0x10000 },
		};
		struct iopgt_tree_entry other[] = {
			{ .level = 2, .iova = 0, .span_log2 = 39,
			  .kind = IOPGT_PTE_TABLE, .pte = 0x30000 | 3, .oa = 0x30000 },
		};
		struct iopgt_tree_entry path3[] = {
			{ .level = 3, .iova = 0, .span_log2 = 48,
			  .kind = IOPGT_PTE_TABLE, .pte = 0x20000 | 3, .oa = 0x20000 },
		};
		struct iopgt_tree_entry s7[] = { TBL(1, 0, 30, 0x10000),
						 PG(0x1000, 0x80001000) };
		struct iopgt_flush_entry top = { .kind = IOPGT_FLUSH_TOP, .granule = 2 };
		struct iopgt_tlb *u = iopgt_tlb_new(1);

		memset(&c, 0, sizeof(c));
		n_reports = 0;
		iopgt_tlb_check(u, 0, 0x1fff, s7, 2, NULL, 0, &c, rep, NULL);
		tap_ok(!iopgt_tlb_check_top(u, 0x10000, 2, NULL, 0, NULL, 0, &c, rep, NULL),
		       "the first root is cached");
		iopgt_tlb_check_top(u, 0x20000, 3, path, 1, &top, 1, &c, rep, NULL);
		tap_ok(c.top_changes == 1 && c.stale == 0,
		       "a grown top with its top record, the old top reachable: nothing stale");
		iopgt_tlb_check_top(u, 0x40000, 4, path3, 1, NULL, 0, &c, rep, NULL);
		tap_ok(c.stale == 1 && strstr(last_missing, "change_top") != NULL,
		       "a top change without its record: the cached root is stale, naming change_top");
		iopgt_tlb_free(u);

		u = iopgt_tlb_new(1);
		memset(&c, 0, sizeof(c));
		iopgt_tlb_check(u, 0, 0x1fff, s7, 2, NULL, 0, &c, rep, NULL);
		iopgt_tlb_check_top(u, 0x10000, 2, NULL, 0, NULL, 0, &c, rep, NULL);
		iopgt_tlb_check_top(u, 0x20000, 3, other, 1, &top, 1, &c, rep, NULL);
		tap_ok(c.stale == 2 && strstr(last_missing, "not reachable") != NULL,
		       "the old top unreachable and nothing flushed: its cached entries are stale");
		iopgt_tlb_free(u);
	}
	tap_str(iopgt_flush_kind_name(IOPGT_FLUSH_WALK), "flush_walk", "kind name of WALK");
	tap_ok(iopgt_flush_kind_name(99) == NULL, "unknown kind has no name");
	iopgt_tlb_free(t);
	return tap_done();
}
