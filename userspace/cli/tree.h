/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iopgt CLI: streaming helpers of "dump": the ranges coalescer, the tree-gap
 * finder, the table geometry (not in libiopgt).
 */
#ifndef IOPGT_CLI_TREE_H
#define IOPGT_CLI_TREE_H

#include <stdint.h>

#include "libiopgt.h"

/*
 * Ranges coalescer (ptdump-style): feed leaves in IOVA order; adjacent
 * leaves merge when IOVA and output address are contiguous and @key (the
 * decoded attributes without the address) and @span_log2 are equal.
 * @emit is called for each finished run (and by _flush for the last).
 */
struct range_run {
	uint64_t iova;
	uint64_t end;		/* exclusive */
	uint64_t oa;
	uint32_t span_log2;	/* page size of each leaf in the run */
	uint32_t level;
	uint64_t count;		/* leaves in the run */
	char key[160];
};

struct coalescer {
	int active;
	struct range_run cur;
	void (*emit)(const struct range_run *r, void *arg);
	void *arg;
	uint64_t runs;
};

void coalescer_init(struct coalescer *c,
			  void (*emit)(const struct range_run *r, void *arg),
			  void *arg);
void coalescer_feed(struct coalescer *c, uint64_t iova,
			  uint32_t span_log2, uint32_t level, uint64_t oa,
			  const char *key);
void coalescer_flush(struct coalescer *c);

/*
 * Tree gap finder for printing: reports runs of empty entries in each table
 * from a depth-first pre-order stream of non-empty entries (the order the
 * kernel dumps: IOVA order, every table before its children).
 * @slot_span: per depth, log2 bytes one table slot covers (NULL or -1:
 *	learn it from the smallest span seen); a contiguous entry (span larger
 *	than the slot) consumes 2^(span - slot) slots
 * @entries: per depth, slots per table (NULL or 0: derived from the slot
 *	spans of adjacent depths; unknown for the top table)
 * @edges: also report the leading/trailing gaps of each table (turn off when
 *	the stream is filtered by IOVA or depth)
 * @gap: called with (depth, first index, count) of each run of empties
 */
#define TREE_MAX_DEPTH	8

struct treegap {
	int edges;
	int depth;			/* deepest open table, -1 none */
	uint64_t next[TREE_MAX_DEPTH];	/* next expected index */
	uint64_t entries[TREE_MAX_DEPTH];	/* 0 = unknown */
	int slot[TREE_MAX_DEPTH];		/* slot span log2, -1 */
	int fixed[TREE_MAX_DEPTH];	/* slot span given by caller */
	void (*gap)(int depth, uint64_t first, uint64_t count, void *arg);
	void *arg;
};

void treegap_init(struct treegap *t, const int *slot_span,
			const uint64_t *entries, int edges,
			void (*gap)(int depth, uint64_t first, uint64_t count,
				    void *arg),
			void *arg);
/* Call before printing each entry. */
void treegap_feed(struct treegap *t, uint32_t depth, uint64_t index,
			uint32_t span_log2, int is_table);
void treegap_finish(struct treegap *t);

/*
 * treegap_feed() with its common case inline: the next slot of the open
 * table, one slot wide, not a table (no gap, nothing opened or closed).
 */
static inline void treegap_step(struct treegap *t, uint32_t depth, uint64_t index,
				uint32_t span_log2, int is_table)
{
	if ((int)depth == t->depth && !is_table && t->slot[depth] == (int)span_log2 &&
	    t->next[depth] == index) {
		t->next[depth] = index + 1;
		return;
	}
	treegap_feed(t, depth, index, span_log2, is_table);
}

/*
 * Geometry of a table from its hardware configuration: per depth, the slot
 * span and the number of slots per table. Returns the number of depths
 * (0 when the format is unknown).
 */
unsigned int tree_geometry(const struct iopgt_hw_cfg *hw, int *slot_span,
				 uint64_t *entries, unsigned int max);

#endif
