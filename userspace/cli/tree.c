// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: streaming helpers behind "dump --format ranges|tree|dot": the
 * ranges coalescer, the tree-gap finder, the table geometry
 * (CLI internals: not part of libiopgt).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tree.h"

/* ------------------------------------------------------------------ coalescer */

void coalescer_init(struct coalescer *c,
			  void (*emit)(const struct range_run *r, void *arg),
			  void *arg)
{
	memset(c, 0, sizeof(*c));
	c->emit = emit;
	c->arg = arg;
}

void coalescer_flush(struct coalescer *c)
{
	if (c->active) {
		c->emit(&c->cur, c->arg);
		c->runs++;
	}
	c->active = 0;
}

void coalescer_feed(struct coalescer *c, uint64_t iova,
			  uint32_t span_log2, uint32_t level, uint64_t oa,
			  const char *key)
{
	uint64_t size = span_log2 >= 64 ? 0 : 1ULL << span_log2;
	struct range_run *r = &c->cur;

	if (c->active && r->span_log2 == span_log2 && r->level == level &&
	    r->end == iova && r->end != 0 &&
	    r->oa + (r->end - r->iova) == oa && !strcmp(r->key, key)) {
		r->end += size;
		r->count++;
		return;
	}
	coalescer_flush(c);
	c->active = 1;
	r->iova = iova;
	r->end = iova + size;
	r->oa = oa;
	r->span_log2 = span_log2;
	r->level = level;
	r->count = 1;
	snprintf(r->key, sizeof(r->key), "%s", key);
}

/* ------------------------------------------------------------------ tree gaps */

#define UNSET UINT64_MAX

void treegap_init(struct treegap *t, const int *slot_span,
			const uint64_t *entries, int edges,
			void (*gap)(int depth, uint64_t first, uint64_t count,
				    void *arg),
			void *arg)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->edges = edges;
	t->depth = -1;
	t->gap = gap;
	t->arg = arg;
	for (i = 0; i < TREE_MAX_DEPTH; i++) {
		t->slot[i] = slot_span ? slot_span[i] : -1;
		t->fixed[i] = t->slot[i] >= 0;
		t->entries[i] = entries ? entries[i] : 0;
	}
}

static uint64_t treegap_entries(const struct treegap *t, int d)
{
	if (t->entries[d])
		return t->entries[d];
	if (d > 0 && t->slot[d] >= 0 && t->slot[d - 1] > t->slot[d] &&
	    t->slot[d - 1] - t->slot[d] < 64)
		return 1ULL << (t->slot[d - 1] - t->slot[d]);
	return 0;
}

static void treegap_open(struct treegap *t, int d)
{
	t->depth = d;
	t->next[d] = t->edges ? 0 : UNSET;
}

/* Close the table open at depth @d (report its trailing gap). */
static void treegap_close(struct treegap *t, int d)
{
	uint64_t n = treegap_entries(t, d);

	if (t->edges && n && t->next[d] != UNSET && t->next[d] < n)
		t->gap(d, t->next[d], n - t->next[d], t->arg);
}

void treegap_feed(struct treegap *t, uint32_t depth, uint64_t index,
			uint32_t span_log2, int is_table)
{
	int d = (int)depth;
	uint64_t slots = 1;

	if (d >= TREE_MAX_DEPTH)
		return;
	while (t->depth > d) {
		treegap_close(t, t->depth);
		t->depth--;
	}
	while (t->depth < d)
		treegap_open(t, t->depth + 1);
	if (!t->fixed[d] && (t->slot[d] < 0 || (int)span_log2 < t->slot[d]))
		t->slot[d] = (int)span_log2;
	if (t->slot[d] >= 0 && (int)span_log2 > t->slot[d] &&
	    (int)span_log2 - t->slot[d] < 64)
		slots = 1ULL << ((int)span_log2 - t->slot[d]);
	if (t->next[d] == UNSET)
		t->next[d] = index;	/* first entry of a filtered table */
	if (index > t->next[d])
		t->gap(d, t->next[d], index - t->next[d], t->arg);
	t->next[d] = index + slots;
	if (is_table && d + 1 < TREE_MAX_DEPTH)
		treegap_open(t, d + 1);
}

void treegap_finish(struct treegap *t)
{
	while (t->depth >= 0) {
		treegap_close(t, t->depth);
		t->depth--;
	}
}

unsigned int tree_geometry(const struct iopgt_hw_cfg *hw, int *slot_span,
				 uint64_t *entries, unsigned int max)
{
	unsigned int levels = hw->levels, d, g, bpl;
	int top_bits;

	if (!levels || levels > max)
		return 0;
	g = hw->pgsize_bitmap ? (unsigned int)__builtin_ctzll(hw->pgsize_bitmap) : 12;
	switch (hw->format) {
	case IOPGT_FMT_ARM_V7S:
		if (levels != 2)
			return 0;
		slot_span[0] = 20;
		slot_span[1] = 12;
		entries[1] = 256;
		break;
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
	case IOPGT_FMT_PT_RISCV64:
		g = 12;
		/* fall through */
	default:
		if (g < 4)
			return 0;
		bpl = g - 3;
		for (d = 0; d < levels; d++) {
			slot_span[d] = (int)(g + bpl * (levels - 1 - d));
			entries[d] = 1ULL << bpl;
		}
		break;
	}
	top_bits = (int)hw->ias - slot_span[0];
	if (top_bits < 0)
		top_bits = 0;
	if (top_bits > 20)
		top_bits = 20;
	entries[0] = 1ULL << top_bits;
	if (hw->format != IOPGT_FMT_ARM_V7S && hw->format != IOPGT_FMT_ARM_64_LPAE_S2 &&
	    hw->format != IOPGT_FMT_ARM_32_LPAE_S2 && levels > 1 &&
	    entries[0] > entries[1])
		entries[0] = entries[1];
	for (d = levels; d < max; d++) {
		slot_span[d] = -1;
		entries[d] = 0;
	}
	return levels;
}

