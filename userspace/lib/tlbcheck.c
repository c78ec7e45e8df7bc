// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: the random workload of `iopgt tlbcheck` (issue 14). One
 * address space with IOPGT_AS_RECORD_FLUSHES; each operation (map with a
 * page-size mix, page-sized unmap, core-style unmap that frees tables, a
 * block mapped over a table, a map far up the input range, an UNMAP of
 * several disjoint ranges in one call, and with grow_top maps that grow
 * the top level by level) is followed by the records it caused (FLUSH_GET,
 * then FLUSH_CTL CLEAR) and a tree dump of the range it touched, which the
 * oracle (tlb.c) compares with its cached entries; on generic_pt also the
 * top table (GET_HW_CFG) and the syncs against the address space's
 * invalidation contract.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libiopgt.h"

struct vec {
	void *p;
	size_t n, cap, esz;
};

static int vec_push(struct vec *v, const void *e)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		void *np = realloc(v->p, cap * v->esz);

		if (!np)
			return -ENOMEM;
		v->p = np;
		v->cap = cap;
	}
	memcpy((char *)v->p + v->n++ * v->esz, e, v->esz);
	return 0;
}

static int push_rec(const struct iopgt_flush_entry *r, void *arg)
{
	return vec_push(arg, r) ? -ENOMEM : 0;
}

static int push_ent(const struct iopgt_tree_entry *e, void *arg)
{
	return vec_push(arg, e) ? -ENOMEM : 0;
}

static int restart(void *arg)
{
	((struct vec *)arg)->n = 0;
	return 0;
}

/* xorshift64* */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

struct ext {
	uint64_t iova, len, pgsize;
};

struct run {
	struct iopgt_handle *dev;
	struct iopgt_netlink *nl;
	const struct iopgt_tlbcheck_opts *o;
	struct iopgt_tlbcheck_result *r;
	struct iopgt_tlb *tlb;
	struct vec recs, ents;
	struct ext *ext;
	size_t n_ext, cap_ext;
	const char *op;
	uint64_t seq;
	uint64_t rs;		/* random state */
	int generic_pt;
	int growing;		/* created at the fewest levels to grow the top */
	uint32_t levels;	/* GET_HW_CFG levels after the last operation */
};

static void report(const struct iopgt_tlb_stale *s, void *arg)
{
	struct run *w = arg;

	if (w->o->out)
		fprintf(w->o->out,
			"STALE: op %" PRIu64 " (%s [0x%" PRIx64 ", 0x%" PRIx64 "]): level %u %s entry at 0x%" PRIx64 " (2^%u bytes, pte 0x%" PRIx64 ") changed without an invalidation: missing %s\n",
			w->seq, w->op, s->first, s->last, s->level,
			iopgt_kind_name(s->kind), s->iova, s->span_log2,
			s->pte, s->missing);
}

static void report_gap(const struct iopgt_tlb_gap *g, void *arg)
{
	struct run *w = arg;

	if (!w->o->out || (!g->violation && !w->o->verbose))
		return;
	fprintf(w->o->out,
		"%s: op %" PRIu64 " (%s [0x%" PRIx64 ", 0x%" PRIx64 "]): sync 0x%" PRIx64 "+0x%" PRIx64 " covers the gap [0x%" PRIx64 ", 0x%" PRIx64 "] (0x%" PRIx64 " bytes in all) that no operation since the previous sync changed%s\n",
		g->violation ? "NO_GAPS VIOLATION" : "gap (over-invalidation)",
		w->seq, w->op, g->first, g->last, g->sync_iova, g->sync_size,
		g->gap_first, g->gap_last, g->gap_bytes,
		g->violation ? ": PT_FEAT_FLUSH_RANGE_NO_GAPS forbids it (disjoint ranges need their own gather)" :
			       "");
}

/* generic_pt: the top table after the operation, through the oracle */
static int settle_top(struct run *w, struct iopgt_err *err)
{
	struct iopgt_tree_filter f = {
		.has_range = 1, .iova_start = 0, .iova_end = 0,
	};
	struct iopgt_hw_cfg hw;
	int ret;

	ret = iopgt_query_hw_cfg(w->dev, w->r->as_id, &hw, err);
	if (ret)
		return ret;
	w->ents.n = 0;
	if (w->levels && hw.levels != w->levels) {
		/* the entries at IOVA 0 down to the one above the old top */
		f.max_depth = hw.levels > w->levels ?
			      (int)(hw.levels - w->levels) : 0;
		ret = iopgt_netlink_dump_tree_retry(w->nl, 0, w->r->as_id, &f,
						    push_ent, &w->ents, restart,
						    5, NULL, err);
		if (ret)
			return ret;
		if (w->o->verbose && w->o->out)
			fprintf(w->o->out, "  top: %u -> %u levels\n",
				w->levels, hw.levels);
	}
	w->levels = hw.levels;
	w->r->levels_end = hw.levels;
	ret = iopgt_tlb_check_top(w->tlb, hw.regs[7], hw.levels, w->ents.p,
				  w->ents.n, w->recs.p, w->recs.n, &w->r->c,
				  report, w);
	if (ret)
		return iopgt_err_set(err, ret, "oracle: top check failed");
	return 0;
}

/* after an operation on [first, last]: records, clear, dump, check */
static int settle(struct run *w, uint64_t first, uint64_t last,
		  struct iopgt_err *err)
{
	struct iopgt_tree_filter f = {
		.has_range = 1, .iova_start = first, .iova_end = last,
		.max_depth = -1,
	};
	struct iopgt_flush_ctl ctl;
	const struct iopgt_flush_entry *rv;
	size_t i;
	int ret;

	w->seq++;
	w->recs.n = 0;
	ret = iopgt_netlink_dump_flushes(w->nl, 0, w->r->as_id, 0, push_rec,
				    &w->recs, err);
	if (ret)
		return ret;
	ret = iopgt_control_flushes(w->dev, w->r->as_id, IOPGT_FLUSH_CTL_CLEAR,
			      &ctl, err);
	if (ret)
		return ret;
	if (ctl.dropped)
		return iopgt_err_set(err, -ENOSPC,
				     "op %" PRIu64 " (%s): %" PRIu64 " invalidation records were dropped (log of %u records full): raise the max_flush_records module parameter",
				     w->seq, w->op, (uint64_t)ctl.dropped,
				     ctl.capacity);
	if (ctl.n_records != w->recs.n)
		return iopgt_err_set(err, -EIO,
				     "op %" PRIu64 ": FLUSH_GET returned %zu records, FLUSH_CTL counts %" PRIu64,
				     w->seq, w->recs.n, (uint64_t)ctl.n_records);
	rv = w->recs.p;
	for (i = 0; i < w->recs.n; i++) {
		if (w->op && !strcmp(w->op, "block map") &&
		    (rv[i].kind == IOPGT_FLUSH_WALK ||
		     (rv[i].kind == IOPGT_FLUSH_SYNC && rv[i].freed))) {
			w->r->blocks_over_tables++;
			w->op = "block map over a table";
		}
		if (rv[i].kind == IOPGT_FLUSH_WALK)
			w->r->tables_freed++;
		if (rv[i].kind == IOPGT_FLUSH_SYNC)
			w->r->tables_freed += rv[i].freed;
		if (w->o->verbose && w->o->out)
			fprintf(w->o->out,
				"  %-10s iova 0x%" PRIx64 " size 0x%" PRIx64 " granule 0x%" PRIx64 " freed %u\n",
				iopgt_flush_kind_name(rv[i].kind) ?: "?",
				rv[i].iova, rv[i].size, rv[i].granule,
				rv[i].freed);
	}
	w->ents.n = 0;
	ret = iopgt_netlink_dump_tree_retry(w->nl, 0, w->r->as_id, &f, push_ent,
				       &w->ents, restart, 5, NULL, err);
	if (ret)
		return ret;
	ret = iopgt_tlb_check(w->tlb, first, last, w->ents.p, w->ents.n,
			      w->recs.p, w->recs.n, &w->r->c, report, w);
	if (ret)
		return iopgt_err_set(err, ret, "oracle: out of memory");
	if (w->generic_pt) {
		ret = settle_top(w, err);
		if (ret)
			return ret;
	}
	w->r->ops++;
	return 0;
}

static int ext_add(struct run *w, uint64_t iova, uint64_t len, uint64_t pg)
{
	if (w->n_ext == w->cap_ext) {
		size_t cap = w->cap_ext ? w->cap_ext * 2 : 64;
		struct ext *n = realloc(w->ext, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		w->ext = n;
		w->cap_ext = cap;
	}
	w->ext[w->n_ext++] = (struct ext){ iova, len, pg };
	return 0;
}

static int ext_overlaps(const struct run *w, uint64_t iova, uint64_t len)
{
	size_t i;

	for (i = 0; i < w->n_ext; i++)
		if (iova < w->ext[i].iova + w->ext[i].len &&
		    w->ext[i].iova < iova + len)
			return 1;
	return 0;
}

static unsigned int lg2(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

static int do_map(struct run *w, uint64_t iova, uint64_t len, uint64_t pg,
		  const char *what, struct iopgt_err *err)
{
	uint64_t mapped = 0;
	int ret;

	w->op = what;
	if (w->o->verbose && w->o->out)
		fprintf(w->o->out, "op %" PRIu64 ": %s 0x%" PRIx64 "+0x%" PRIx64 " pgsize 0x%" PRIx64 "\n",
			w->seq + 1, what, iova, len, pg);
	/* output addresses below 2^40: every format's oas holds them */
	ret = iopgt_map_one(w->dev, w->r->as_id, iova,
			 (iova ^ 0x40000000ULL) & ((1ULL << 40) - 1), len,
			 IOPGT_PROT_READ | IOPGT_PROT_WRITE, lg2(pg), &mapped,
			 err);
	if (ret == -ENOSPC || ret == -ERANGE) {
		w->r->refused++;
		return settle(w, iova, iova + len - 1, err);
	}
	if (ret)
		return ret;
	w->r->maps++;
	ret = ext_add(w, iova, len, pg);
	if (ret)
		return iopgt_err_set(err, ret, "out of memory");
	return settle(w, iova, iova + len - 1, err);
}

static int do_unmap(struct run *w, size_t i, int core, struct iopgt_err *err)
{
	struct ext x = w->ext[i];
	struct iopgt_unmap_entry e = { 0 };
	uint64_t pages = x.len / x.pgsize, a, b;
	int ret;

	if (core) {
		e.iova = x.iova;
		e.length = x.len;
		w->ext[i] = w->ext[--w->n_ext];
		w->op = "core unmap";
		w->r->core_unmaps++;
	} else {
		a = rnd_below(&w->rs, pages);
		b = a + 1 + rnd_below(&w->rs, pages - a);
		e.iova = x.iova + a * x.pgsize;
		e.length = (b - a) * x.pgsize;
		w->ext[i] = w->ext[--w->n_ext];
		if (a && ext_add(w, x.iova, a * x.pgsize, x.pgsize))
			return iopgt_err_set(err, -ENOMEM, "out of memory");
		if (b < pages &&
		    ext_add(w, x.iova + b * x.pgsize, (pages - b) * x.pgsize,
			    x.pgsize))
			return iopgt_err_set(err, -ENOMEM, "out of memory");
		w->op = "unmap";
		w->r->unmaps++;
	}
	if (w->o->verbose && w->o->out)
		fprintf(w->o->out, "op %" PRIu64 ": %s 0x%" PRIx64 "+0x%" PRIx64 "\n",
			w->seq + 1, w->op, (uint64_t)e.iova, (uint64_t)e.length);
	ret = iopgt_unmap_entries_flags(w->dev, w->r->as_id,
				core ? IOPGT_UNMAP_CORE : 0, &e, 1, NULL, err);
	if (ret)
		return ret;
	return settle(w, e.iova, e.iova + e.length - 1, err);
}

/* several whole extents (disjoint, in random order) in one UNMAP call */
static int do_multi_unmap(struct run *w, int core, struct iopgt_err *err)
{
	struct iopgt_unmap_entry e[3];
	uint64_t first = UINT64_MAX, last = 0;
	unsigned int n = 2 + (unsigned int)rnd_below(&w->rs, 2), i;
	int ret;

	if (n > w->n_ext)
		n = (unsigned int)w->n_ext;
	memset(e, 0, sizeof(e));
	for (i = 0; i < n; i++) {
		size_t k = (size_t)rnd_below(&w->rs, w->n_ext);

		e[i].iova = w->ext[k].iova;
		e[i].length = w->ext[k].len;
		w->ext[k] = w->ext[--w->n_ext];
		if (e[i].iova < first)
			first = e[i].iova;
		if (e[i].iova + e[i].length - 1 > last)
			last = e[i].iova + e[i].length - 1;
	}
	w->op = core ? "multi-range core unmap" : "multi-range unmap";
	w->r->multi_unmaps++;
	if (w->o->verbose && w->o->out) {
		fprintf(w->o->out, "op %" PRIu64 ": %s", w->seq + 1, w->op);
		for (i = 0; i < n; i++)
			fprintf(w->o->out, " 0x%" PRIx64 "+0x%" PRIx64,
				(uint64_t)e[i].iova, (uint64_t)e[i].length);
		fputc('\n', w->o->out);
	}
	ret = iopgt_unmap_entries_flags(w->dev, w->r->as_id,
					core ? IOPGT_UNMAP_CORE : 0, e, n, NULL,
					err);
	if (ret)
		return ret;
	return settle(w, first, last, err);
}

/* the address space: with grow_top at the fewest levels and largest ias */
static int create(struct run *w, const struct iopgt_format_info *fi,
		  struct iopgt_as_create *req, struct iopgt_err *err)
{
	static const uint32_t cflag[] = {
		[IOPGT_FLUSH_CONTRACT_RANGE] = IOPGT_AS_FLUSH_RANGE,
		[IOPGT_FLUSH_CONTRACT_NO_GAPS] = IOPGT_AS_FLUSH_NO_GAPS,
	};
	const struct iopgt_tlbcheck_opts *o = w->o;

	memset(req, 0, sizeof(*req));
	req->format = o->format;
	req->flags = IOPGT_AS_RECORD_FLUSHES;
	if (o->flush_contract > IOPGT_FLUSH_CONTRACT_NO_GAPS)
		return iopgt_err_set(err, -EINVAL,
				     "unknown invalidation contract %u",
				     o->flush_contract);
	req->flags |= cflag[o->flush_contract];
	if (o->grow_top && fi->levels_min) {
		int ret;

		req->levels = fi->levels_min;
		req->ias = fi->ias_max;
		ret = iopgt_create_as(w->dev, req, err);
		w->growing = !ret;
		if (ret != -EINVAL || req->out_reason != IOPGT_REASON_LEVELS)
			return ret;
		/* a fixed top: the fewest levels cannot decode ias_max */
		memset(req, 0, sizeof(*req));
		req->format = o->format;
		req->flags = IOPGT_AS_RECORD_FLUSHES |
			     cflag[o->flush_contract];
	}
	return iopgt_create_as(w->dev, req, err);
}

int iopgt_tlbcheck_run(struct iopgt_handle *dev, struct iopgt_netlink *nl,
		       const struct iopgt_tlbcheck_opts *o,
		       struct iopgt_tlbcheck_result *r, struct iopgt_err *err)
{
	struct iopgt_as_create req = { 0 };
	struct iopgt_get_info gi;
	struct iopgt_format_info *fmts = NULL, *fi = NULL;
	struct iopgt_flush_ctl ctl;
	struct run w = { .dev = dev, .nl = nl, .o = o, .r = r };
	uint64_t sizes[64], B, W, granule, far = 0;
	unsigned int n_fmts = 0, n_sizes = 0, i, grow_every = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	w.recs.esz = sizeof(struct iopgt_flush_entry);
	w.ents.esz = sizeof(struct iopgt_tree_entry);
	ret = iopgt_query_info_all(dev, &gi, &fmts, &n_fmts, err);
	if (ret)
		return ret;
	for (i = 0; i < n_fmts; i++)
		if (fmts[i].format == o->format)
			fi = &fmts[i];
	if (!fi || !(fi->flags & IOPGT_FMT_F_AVAILABLE)) {
		free(fmts);
		return iopgt_err_set(err, -EOPNOTSUPP,
				     "format %u (%s) is not available on this kernel",
				     o->format, iopgt_format_name(o->format) ?: "?");
	}
	ret = create(&w, fi, &req, err);
	if (ret) {
		free(fmts);
		return ret;
	}
	r->as_id = req.as_id;
	r->levels_start = r->levels_end = w.levels = req.out_levels;
	w.generic_pt = !!(fi->flags & IOPGT_FMT_F_GENERIC_PT);
	w.tlb = iopgt_tlb_new(w.generic_pt);
	free(fmts);
	if (!w.tlb) {
		ret = iopgt_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	iopgt_tlb_set_contract(w.tlb, o->flush_contract, report_gap, &w);
	if (w.generic_pt) {
		/* the starting root */
		w.recs.n = 0;
		ret = settle_top(&w, err);
		if (ret)
			goto out;
	}
	ret = iopgt_control_flushes(dev, r->as_id, 0, &ctl, err);
	if (ret)
		goto out;

	granule = req.out_pgsize_bitmap & -req.out_pgsize_bitmap;
	/*
	 * B: the largest page size a table of at most 2048 granules (and of
	 * at most half the log) holds: blocks of it over tables, and core
	 * unmaps of it freeing them. W: the window the workload lives in.
	 */
	B = granule;
	for (i = 0; i < 64; i++) {
		uint64_t s = 1ULL << i;

		if (!(req.out_pgsize_bitmap & s))
			continue;
		if (s / granule <= 2048 && s / granule + 8 <= ctl.capacity / 2)
			B = s;
	}
	for (i = 0; i < 64; i++)
		if ((req.out_pgsize_bitmap & (1ULL << i)) && (1ULL << i) <= B)
			sizes[n_sizes++] = 1ULL << i;
	r->block_size = B;
	W = 32 * B;
	if (req.out_ias > lg2(W) + 2 && req.out_ias < 64 && !w.growing)
		far = 1ULL << (req.out_ias - 1);
	/* growth: one level at a time, spread over the run */
	if (w.growing && w.generic_pt)
		grow_every = o->ops / 6 ? o->ops / 6 : 1;
	w.rs = o->seed ? o->seed : 1;

	for (i = 0; i < o->ops && !ret; i++) {
		unsigned int what = (unsigned int)rnd_below(&w.rs, 100);
		/* the first IOVA the current top cannot translate */
		unsigned int grow_lg2 = 12 + 9 * w.levels;

		if (grow_every && i % grow_every == grow_every - 1 &&
		    grow_lg2 < req.out_ias && grow_lg2 < 64) {
			ret = do_map(&w, 1ULL << grow_lg2, granule, granule,
				     "map growing the top", err);
		} else if (what < 45 || !w.n_ext) {
			uint64_t pg = sizes[rnd_below(&w.rs, n_sizes)], len, iova;
			int tries;

			if (pg == granule && rnd_below(&w.rs, 4) == 0) {
				len = B;		/* a whole table's worth */
			} else {
				len = pg * (1 + rnd_below(&w.rs, pg == granule ? 16 : 2));
				if (len > B && pg < B)
					len = B;
			}
			for (tries = 0; tries < 16; tries++) {
				uint64_t al = len >= B ? B : pg;

				iova = rnd_below(&w.rs, W / al) * al;
				if (iova + len <= W && !ext_overlaps(&w, iova, len))
					break;
			}
			if (tries == 16)
				continue;
			ret = do_map(&w, iova, len, pg, "map", err);
		} else if (what < 55) {
			/* a block over whatever table a free slot still has */
			uint64_t slot = 0;
			int tries;

			if (B == granule)
				continue;
			for (tries = 0; tries < 8; tries++) {
				slot = rnd_below(&w.rs, W / B) * B;
				if (!ext_overlaps(&w, slot, B))
					break;
			}
			if (tries == 8)
				continue;
			ret = do_map(&w, slot, B, B, "block map", err);
		} else if (what < 60 && far && !ext_overlaps(&w, far, granule)) {
			ret = do_map(&w, far, granule, granule, "far map", err);
		} else if (what < 68 && w.n_ext >= 2) {
			ret = do_multi_unmap(&w, rnd_below(&w.rs, 2), err);
		} else {
			size_t k = (size_t)rnd_below(&w.rs, w.n_ext);

			ret = do_unmap(&w, k, rnd_below(&w.rs, 2), err);
		}
	}
out:
	if (r->as_id)
		iopgt_destroy_as(dev, r->as_id, NULL);
	free(w.recs.p);
	free(w.ents.p);
	free(w.ext);
	iopgt_tlb_free(w.tlb);
	return ret;
}
