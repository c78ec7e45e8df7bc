// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: invalidation records and the IOTLB oracle (issue 14); see
 * include/libiopgt.h (invalidations) for the model's semantics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libiopgt.h"

int iopgt_control_flushes(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		    struct iopgt_flush_ctl *out, struct iopgt_err *err)
{
	struct iopgt_flush_ctl local;

	if (!out)
		out = &local;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->as_id = as_id;
	out->flags = flags;
	if (!dev || dev->fd < 0)
		return iopgt_err_set(err, -EBADF, "FLUSH_CTL: device not open");
	if (ioctl(dev->fd, IOPGT_FLUSH_CTL, out) < 0) {
		int e = errno;

		return iopgt_err_set(err, -e, "FLUSH_CTL of as %u (flags 0x%x): %s",
				     as_id, flags, strerror(e));
	}
	if (err)
		err->code = 0;
	return 0;
}

const char *iopgt_flush_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[IOPGT_FLUSH_ALL] = "flush_all",
		[IOPGT_FLUSH_WALK] = "flush_walk",
		[IOPGT_FLUSH_ADD_PAGE] = "add_page",
		[IOPGT_FLUSH_SYNC] = "sync",
		[IOPGT_FLUSH_SYNC_MAP] = "sync_map",
		[IOPGT_FLUSH_TOP] = "top",
	};

	if (kind >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[kind];
}

/* ------------------------------------------------------------------ model */

struct tlb_ent {
	uint64_t iova;
	uint64_t pte;
	uint32_t span_log2;
	uint32_t level;
	uint32_t kind;
	uint32_t gone;
};

struct iopgt_tlb {
	int generic_pt;
	struct tlb_ent *e;
	size_t n, cap;
	uint32_t contract;		/* enum iopgt_flush_contract */
	iopgt_tlb_gap_report gap_report;
	void *gap_arg;
	int root_known;			/* the root below is cached */
	uint64_t root_pa;
	uint32_t root_levels;
};

/* an IOVA interval, inclusive */
struct ival {
	uint64_t a, b;
};

struct iopgt_tlb *iopgt_tlb_new(int generic_pt)
{
	struct iopgt_tlb *t = calloc(1, sizeof(*t));

	if (t)
		t->generic_pt = generic_pt;
	return t;
}

void iopgt_tlb_free(struct iopgt_tlb *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static uint64_t ent_last(uint64_t iova, uint32_t span_log2)
{
	return span_log2 >= 64 ? UINT64_MAX :
	       iova + ((1ULL << span_log2) - 1);
}

/* [a0, a1] and [b0, b1] (inclusive) overlap */
static int overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 <= b1 && b0 <= a1;
}

static int is_leaf(uint32_t kind)
{
	return kind == IOPGT_PTE_BLOCK || kind == IOPGT_PTE_PAGE;
}

/* does record @r invalidate cached entry @e? */
static int covers(const struct iopgt_tlb *t, const struct iopgt_flush_entry *r,
		  const struct tlb_ent *e)
{
	uint64_t l = ent_last(e->iova, e->span_log2), rl;

	if (r->kind == IOPGT_FLUSH_ALL)
		return 1;
	if (!r->size)
		return 0;
	rl = r->iova + (r->size - 1);
	if (rl < r->iova)
		rl = UINT64_MAX;
	if (!overlaps(e->iova, l, r->iova, rl))
		return 0;
	switch (r->kind) {
	case IOPGT_FLUSH_WALK:
	case IOPGT_FLUSH_SYNC_MAP:
		return 1;
	case IOPGT_FLUSH_ADD_PAGE:
		return is_leaf(e->kind);
	case IOPGT_FLUSH_SYNC:
		return t->generic_pt || is_leaf(e->kind);
	}
	return 0;
}

static int now_cmp(const void *a, const void *b)
{
	const struct iopgt_tree_entry *x = a, *y = b;

	if (x->iova != y->iova)
		return x->iova < y->iova ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return 0;
}

/* the entry of @now at (iova, level), or NULL; @now sorted by now_cmp */
static const struct iopgt_tree_entry *
find_now(const struct iopgt_tree_entry *now, size_t n, uint64_t iova,
	 uint32_t level)
{
	struct iopgt_tree_entry key = { .iova = iova, .level = level };

	return bsearch(&key, now, n, sizeof(*now), now_cmp);
}

static const char *missing_name(const struct iopgt_tlb *t,
				const struct tlb_ent *e)
{
	if (t->generic_pt)
		return is_leaf(e->kind) ?
		       "iotlb_sync of a gather covering this leaf" :
		       "iotlb_sync of a gather covering this table pointer (walk cache)";
	return is_leaf(e->kind) ?
	       "tlb_add_page (leaf invalidation), a gather sync or tlb_flush_walk covering this leaf" :
	       "tlb_flush_walk (walk-cache invalidation) covering this table pointer";
}

void iopgt_tlb_set_contract(struct iopgt_tlb *t, uint32_t contract,
			    iopgt_tlb_gap_report report, void *arg)
{
	if (!t)
		return;
	t->contract = contract;
	t->gap_report = report;
	t->gap_arg = arg;
}

static int ival_cmp(const void *x, const void *y)
{
	const struct ival *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return 0;
}

/* sort and merge @v in place (touching intervals merge); returns the count */
static size_t ival_merge(struct ival *v, size_t n)
{
	size_t i, k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), ival_cmp);
	for (i = 1; i < n; i++) {
		if (v[k].b == UINT64_MAX ||
		    v[i].a <= v[k].b + 1) {
			if (v[i].b > v[k].b)
				v[k].b = v[i].b;
		} else {
			v[++k] = v[i];
		}
	}
	return k + 1;
}

/*
 * The gaps of sync [s, e] against the changed IOVA @chg (merged): their
 * total and the first one. Returns the total bytes (0: no gap).
 */
static uint64_t sync_gaps(uint64_t s, uint64_t e, const struct ival *chg,
			  size_t n, uint64_t *g0, uint64_t *g1)
{
	uint64_t pos = s, total = 0;
	size_t i;
	int first = 1;

	for (i = 0; i < n && pos <= e; i++) {
		if (chg[i].b < pos)
			continue;
		if (chg[i].a > e)
			break;
		if (chg[i].a > pos) {
			if (first) {
				*g0 = pos;
				*g1 = chg[i].a - 1;
				first = 0;
			}
			total += chg[i].a - pos;
		}
		if (chg[i].b >= e)
			return total;
		pos = chg[i].b + 1;
	}
	if (pos <= e) {
		if (first) {
			*g0 = pos;
			*g1 = e;
		}
		total += e - pos + 1;
	}
	return total;
}

/* generic_pt syncs against what the operation changed (the contract) */
static void check_gaps(struct iopgt_tlb *t, uint64_t first, uint64_t last,
		       struct ival *chg, size_t n_chg,
		       const struct iopgt_flush_entry *recs, size_t n_recs,
		       struct iopgt_tlb_counts *c)
{
	size_t j;

	n_chg = ival_merge(chg, n_chg);
	for (j = 0; j < n_recs; j++) {
		const struct iopgt_flush_entry *r = &recs[j];
		uint64_t e, g0 = 0, g1 = 0, bytes;

		if (r->kind != IOPGT_FLUSH_SYNC || !r->size)
			continue;
		e = r->iova + (r->size - 1);
		if (e < r->iova)
			e = UINT64_MAX;
		bytes = sync_gaps(r->iova, e, chg, n_chg, &g0, &g1);
		if (!bytes)
			continue;
		c->gaps++;
		c->gap_bytes += bytes;
		if (t->contract == IOPGT_FLUSH_CONTRACT_NO_GAPS)
			c->nogaps_violations++;
		if (t->gap_report) {
			struct iopgt_tlb_gap g = {
				.first = first, .last = last,
				.sync_iova = r->iova, .sync_size = r->size,
				.gap_first = g0, .gap_last = g1,
				.gap_bytes = bytes, .contract = t->contract,
				.violation = t->contract ==
					     IOPGT_FLUSH_CONTRACT_NO_GAPS,
			};

			t->gap_report(&g, t->gap_arg);
		}
	}
}

int iopgt_tlb_check(struct iopgt_tlb *t, uint64_t first, uint64_t last,
		    const struct iopgt_tree_entry *now_in, size_t n_now,
		    const struct iopgt_flush_entry *recs, size_t n_recs,
		    struct iopgt_tlb_counts *c, iopgt_tlb_report report,
		    void *arg)
{
	struct iopgt_tree_entry *now = NULL;
	unsigned char *useful = NULL, *seen = NULL;
	struct ival *chg = NULL;
	size_t i, j, k, n_chg = 0;
	int ret = -ENOMEM;

	if (n_now) {
		now = malloc(n_now * sizeof(*now));
		seen = calloc(n_now, 1);
		if (!now || !seen)
			goto out;
		memcpy(now, now_in, n_now * sizeof(*now));
		qsort(now, n_now, sizeof(*now), now_cmp);
	}
	if (n_recs) {
		useful = calloc(n_recs, 1);
		if (!useful)
			goto out;
	}
	if (t->generic_pt && t->n + n_now) {
		chg = malloc((t->n + n_now) * sizeof(*chg));
		if (!chg)
			goto out;
	}
	c->records += n_recs;

	for (i = 0; i < t->n; i++) {
		struct tlb_ent *e = &t->e[i];
		const struct iopgt_tree_entry *x;
		int covered = 0;

		if (!overlaps(e->iova, ent_last(e->iova, e->span_log2), first,
			      last))
			continue;
		c->checked++;
		x = find_now(now, n_now, e->iova, e->level);
		if (x && x->kind == e->kind && x->pte == e->pte &&
		    x->span_log2 == e->span_log2) {
			seen[x - now] = 1;	/* unchanged, still cached */
			continue;
		}
		c->changed++;
		if (chg)
			chg[n_chg++] = (struct ival){
				e->iova, ent_last(e->iova, e->span_log2) };
		for (j = 0; j < n_recs; j++)
			if (covers(t, &recs[j], e)) {
				covered = 1;
				useful[j] = 1;
			}
		if (!covered) {
			struct iopgt_tlb_stale s = {
				.first = first, .last = last, .iova = e->iova,
				.span_log2 = e->span_log2, .level = e->level,
				.kind = e->kind, .pte = e->pte,
				.missing = missing_name(t, e),
			};

			c->stale++;
			if (report)
				report(&s, arg);
		}
		e->gone = 1;
	}
	for (j = 0; j < n_recs; j++)
		if (!useful[j] && recs[j].kind != IOPGT_FLUSH_TOP)
			c->over++;

	/* compact, then cache every present entry of the range not cached */
	for (i = k = 0; i < t->n; i++)
		if (!t->e[i].gone)
			t->e[k++] = t->e[i];
	t->n = k;
	for (i = 0; i < n_now; i++) {
		const struct iopgt_tree_entry *x = &now[i];

		if (seen[i] || x->kind == IOPGT_PTE_INVALID ||
		    !overlaps(x->iova, ent_last(x->iova, x->span_log2), first,
			      last))
			continue;
		/* a leaf that appeared changed its IOVA too (non-present before) */
		if (chg && is_leaf(x->kind))
			chg[n_chg++] = (struct ival){
				x->iova, ent_last(x->iova, x->span_log2) };
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 1024;
			struct tlb_ent *ne = realloc(t->e, cap * sizeof(*ne));

			if (!ne)
				goto out;
			t->e = ne;
			t->cap = cap;
		}
		t->e[t->n++] = (struct tlb_ent){
			.iova = x->iova, .pte = x->pte,
			.span_log2 = x->span_log2, .level = x->level,
			.kind = x->kind,
		};
	}
	if (t->generic_pt)
		check_gaps(t, first, last, chg, n_chg, recs, n_recs, c);
	ret = 0;
out:
	free(now);
	free(seen);
	free(useful);
	free(chg);
	return ret;
}

int iopgt_tlb_check_top(struct iopgt_tlb *t, uint64_t top_pa, uint32_t levels,
			const struct iopgt_tree_entry *path, size_t n_path,
			const struct iopgt_flush_entry *recs, size_t n_recs,
			struct iopgt_tlb_counts *c, iopgt_tlb_report report,
			void *arg)
{
	size_t i, j;
	int told = 0, reachable = 0;

	if (!t || !c || !levels || (n_path && !path) || (n_recs && !recs))
		return -EINVAL;
	if (!t->root_known || (t->root_pa == top_pa &&
			       t->root_levels == levels)) {
		t->root_known = 1;
		t->root_pa = top_pa;
		t->root_levels = levels;
		return 0;
	}
	c->top_changes++;
	/* the driver was told: a top record naming the new top level */
	for (j = 0; j < n_recs; j++)
		if (recs[j].kind == IOPGT_FLUSH_TOP &&
		    recs[j].granule == levels - 1)
			told = 1;
	if (!told) {
		struct iopgt_tlb_stale s = {
			.first = 0, .last = 0, .iova = 0,
			.span_log2 = 12 + 9 * levels < 64 ? 12 + 9 * levels : 64,
			.level = levels - 1, .kind = IOPGT_PTE_TABLE,
			.pte = top_pa,
			.missing = "change_top (a top record: the IOMMU still walks the old top table of the old level count; the driver must point it at the new top and flush its cached root)",
		};

		c->stale++;
		if (report)
			report(&s, arg);
	}
	/* the old top is reachable: a table entry one level above it */
	for (i = 0; i < n_path; i++)
		if (path[i].iova == 0 && path[i].kind == IOPGT_PTE_TABLE &&
		    path[i].level == t->root_levels &&
		    (!path[i].oa || !t->root_pa || path[i].oa == t->root_pa))
			reachable = 1;
	if (!reachable) {
		/* everything cached under the old top must be flushed */
		for (i = 0; i < t->n; i++) {
			struct tlb_ent *e = &t->e[i];
			int covered = 0;

			for (j = 0; j < n_recs; j++)
				if (covers(t, &recs[j], e))
					covered = 1;
			if (!covered) {
				struct iopgt_tlb_stale s = {
					.iova = e->iova,
					.span_log2 = e->span_log2,
					.level = e->level, .kind = e->kind,
					.pte = e->pte,
					.missing = "a flush of every entry cached under the old top table (it is not reachable from the new top)",
				};

				c->stale++;
				if (report)
					report(&s, arg);
			}
		}
		t->n = 0;
	}
	t->root_pa = top_pa;
	t->root_levels = levels;
	return 0;
}

int iopgt_tlb_hw_update(struct iopgt_tlb *t, const struct iopgt_tree_entry *now,
			size_t n_now)
{
	size_t i, j;

	if (!t || (n_now && !now))
		return -EINVAL;
	for (i = 0; i < t->n; i++) {
		struct tlb_ent *e = &t->e[i];

		for (j = 0; j < n_now; j++)
			if (now[j].iova == e->iova && now[j].level == e->level &&
			    now[j].kind == e->kind &&
			    now[j].span_log2 == e->span_log2)
				e->pte = now[j].pte;
	}
	return 0;
}

int iopgt_unmap_entries_flags(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		      struct iopgt_unmap_entry *ents, uint32_t n,
		      uint32_t *n_done, struct iopgt_err *err)
{
	struct iopgt_unmap u = {
		.size = sizeof(u), .as_id = as_id, .flags = flags,
		.n_entries = n, .entries_uptr = (uintptr_t)ents,
		.entry_size = sizeof(*ents),
	};

	if (!dev || dev->fd < 0)
		return iopgt_err_set(err, -EBADF, "UNMAP: device not open");
	if (ioctl(dev->fd, IOPGT_UNMAP, &u) < 0) {
		int e = errno;

		if (n_done)
			*n_done = u.n_done;
		return iopgt_err_set(err, -e,
				     "UNMAP of as %u (flags 0x%x, %u entries; first 0x%" PRIx64 "+0x%" PRIx64 "): %s",
				     as_id, flags, n, (uint64_t)(n ? ents[0].iova : 0),
				     (uint64_t)(n ? ents[0].length : 0), strerror(e));
	}
	if (n_done)
		*n_done = u.n_done;
	if (err)
		err->code = 0;
	return 0;
}
