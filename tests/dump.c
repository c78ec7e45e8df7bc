// SPDX-License-Identifier: GPL-2.0
/*
 * Tree dumps over generic netlink (issue 4's "must show", checked by a test):
 * per available format, a mix of page sizes is mapped; the dump's leaves
 * must cover exactly what was mapped with the right output addresses, and
 * the per-size leaf counts must match (a contiguous leaf counts once); WALK
 * must agree with the dump and with IOVA_TO_PHYS (and with
 * io-pgtable's own pgtable_walk where the kernel has it); dump filters work;
 * a dump racing a mapper thread is consistent or flagged NLM_F_DUMP_INTR; a
 * 1,000,000-leaf dump completes, is correct, and its rate is reported.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct dleaf {
	__u64 iova, oa, pte;
	__u32 span, depth, kind;
};

struct dcol {
	struct dleaf *l;
	size_t n, cap;
	unsigned long long tables, msgs, bad;
	__u32 max_depth;
};

static int collect_cb(const struct nl_msg *m, void *arg)
{
	struct dcol *d = arg;
	__u32 kind;

	d->msgs++;
	if (!m->tb[IOPGT_A_ENTRY_KIND] || !m->tb[IOPGT_A_ENTRY_IOVA] ||
	    !m->tb[IOPGT_A_ENTRY_SPAN_LOG2] || !m->tb[IOPGT_A_ENTRY_PTE] ||
	    !m->tb[IOPGT_A_ENTRY_LEVEL] || !m->tb[IOPGT_A_ENTRY_INDEX] ||
	    !m->tb[IOPGT_A_ENTRY_DEPTH] || !m->tb[IOPGT_A_AS_ID] || !m->tb[IOPGT_A_DEV_ID]) {
		d->bad++;
		return 0;
	}
	kind = nla_u32(m->tb[IOPGT_A_ENTRY_KIND]);
	if (m->tb[IOPGT_A_ENTRY_DEPTH] && nla_u32(m->tb[IOPGT_A_ENTRY_DEPTH]) > d->max_depth)
		d->max_depth = nla_u32(m->tb[IOPGT_A_ENTRY_DEPTH]);
	if (kind == IOPGT_PTE_TABLE) {
		d->tables++;
		return 0;
	}
	if (kind != IOPGT_PTE_BLOCK && kind != IOPGT_PTE_PAGE) {
		d->bad++;
		return 0;
	}
	if (!m->tb[IOPGT_A_ENTRY_OA]) {
		d->bad++;
		return 0;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->l = realloc(d->l, d->cap * sizeof(*d->l));
		if (!d->l)
			abort();
	}
	d->l[d->n++] = (struct dleaf){
		.iova = nla_u64(m->tb[IOPGT_A_ENTRY_IOVA]),
		.oa = nla_u64(m->tb[IOPGT_A_ENTRY_OA]),
		.pte = nla_u64(m->tb[IOPGT_A_ENTRY_PTE]),
		.span = nla_u32(m->tb[IOPGT_A_ENTRY_SPAN_LOG2]),
		.depth = nla_u32(m->tb[IOPGT_A_ENTRY_DEPTH]),
		.kind = kind,
	};
	return 0;
}

static int dump_collect(struct nl *nl, __u32 id, struct dcol *d, const struct nl_req_attr *extra,
			int n_extra, bool *intr)
{
	struct nl_req_attr a[8] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, id } };

	for (int i = 0; i < n_extra && i < 6; i++)
		a[2 + i] = extra[i];
	memset(d, 0, sizeof(*d));
	return nl_dump(nl, IOPGT_NL_CMD_TREE_GET, a, 2 + n_extra, collect_cb, d, intr);
}

static void need_nl(struct nl *nl)
{
	int r = nl_open(nl);

	if (r) {
		H_FAIL("netlink family %s: %s", IOPGT_GENL_NAME, h_errname(-r));
		h_abort();
	}
}

/* an AS of the variant's configuration and a netlink socket */
FIXTURE(as_nl) {
	int fd, id;
	struct iopgt_as_create c;
	struct nl nl;
};
FIXTURE_SETUP(as_nl)
{
	self->fd = dev_open();
	need_nl(&self->nl);
	self->id = as_create_v(self->fd, variant, 0, &self->c);
}
FIXTURE_TEARDOWN(as_nl)
{
	nl_close(&self->nl);
	close(self->fd);
}

static const struct ext *ext_of(const struct ext *ex, int ne, __u64 iova)
{
	for (int i = 0; i < ne; i++)
		if (iova >= ex[i].iova && iova < ex[i].iova + ex[i].len)
			return &ex[i];
	return NULL;
}

TEST_F_FMT(as_nl, dump_matches_mappings)
{
	struct ext ex[64];
	struct dcol d;
	bool intr;
	unsigned long long want[64] = { 0 }, got[64] = { 0 }, bytes = 0, total = 0;
	int ne, r;

	/* empty table: no leaves */
	r = dump_collect(&self->nl, self->id, &d, NULL, 0, &intr);
	ASSERT_EQ(r, 0);
	EXPECT_EQ(d.n, 0);
	free(d.l);
	ne = map_mix(self->fd, self->id, &self->c, ex);
	r = dump_collect(&self->nl, self->id, &d, NULL, 0, &intr);
	ASSERT_EQ(r, 0);
	EXPECT_TRUE(!intr);
	EXPECT_EQ(d.bad, 0);
	EXPECT_GE(d.tables, 1);
	for (size_t i = 0; i < d.n; i++) {
		const struct dleaf *l = &d.l[i];
		const struct ext *e = ext_of(ex, ne, l->iova);

		if (!e) {
			H_FAIL("dump leaf iova 0x%llx (span %u) was never mapped",
			       (unsigned long long)l->iova, l->span);
			continue;
		}
		if (l->oa != e->pa + (l->iova - e->iova))
			H_FAIL("dump leaf iova 0x%llx: oa 0x%llx, mapped to 0x%llx",
			       (unsigned long long)l->iova, (unsigned long long)l->oa,
			       (unsigned long long)(e->pa + (l->iova - e->iova)));
		if (l->span < 64) {
			bytes += 1ULL << l->span;
			got[l->span]++;
		}
	}
	for (int i = 0; i < ne; i++) {
		want[ilog2_64(ex[i].pgsize)] += ex[i].len / ex[i].pgsize;
		total += ex[i].len;
	}
	EXPECT_EQ(bytes, total);
	/* a contiguous leaf (v7s large page, AMDv1 multi-slot) is one entry */
	for (int b = 0; b < 64; b++)
		if (want[b] != got[b])
			H_FAIL("leaves of 2^%d: dump %llu, mapped %llu", b, got[b], want[b]);
	h_diag("%s: %zu leaves, %llu tables, %llu messages, depth %u", variant->name, d.n,
	       d.tables, d.msgs, d.max_depth);
	free(d.l);
}

TEST_F_FMT(as_nl, walk_agrees_with_dump_and_translate)
{
	struct ext ex[64];
	struct dcol d;
	bool intr;
	int ne;

	ne = map_mix(self->fd, self->id, &self->c, ex);
	ASSERT_EQ(dump_collect(&self->nl, self->id, &d, NULL, 0, &intr), 0);
	for (int i = 0; i < ne; i++) {
		for (__u64 off = 0; off < ex[i].len; off += ex[i].pgsize) {
			__u64 iova = ex[i].iova + off + 42, pa = ex[i].pa + off + 42;
			struct iopgt_walk w;
			const struct iopgt_walk_level *lv;
			const struct dleaf *dl = NULL;

			ASSERT_OK(walk(self->fd, self->id, iova, 0, &w));
			EXPECT_EQ(w.out_flags & IOPGT_WALK_MAPPED, IOPGT_WALK_MAPPED);
			EXPECT_EQ(w.phys, pa);
			EXPECT_EQ(xlate_or_none(self->fd, self->id, iova), pa);
			ASSERT_GE(w.n_levels, 1);
			ASSERT_LE(w.n_levels, IOPGT_MAX_LEVELS);
			for (__u32 k = 0; k + 1 < w.n_levels; k++)
				EXPECT_EQ(w.levels[k].kind, IOPGT_PTE_TABLE);
			lv = &w.levels[w.n_levels - 1];
			EXPECT_TRUE(lv->kind == IOPGT_PTE_BLOCK || lv->kind == IOPGT_PTE_PAGE);
			EXPECT_LT(lv->span_log2, 64);
			if (lv->span_log2 < 64)
				EXPECT_EQ(lv->oa, pa & ~((1ULL << lv->span_log2) - 1));
			for (size_t j = 0; j < d.n; j++)
				if (d.l[j].iova <= iova && d.l[j].span < 64 &&
				    iova - d.l[j].iova < (1ULL << d.l[j].span))
					dl = &d.l[j];
			if (!dl) {
				H_FAIL("walk 0x%llx: no dump leaf covers it",
				       (unsigned long long)iova);
				continue;
			}
			EXPECT_EQ(dl->pte, lv->pte);
			EXPECT_EQ(dl->span, lv->span_log2);
			EXPECT_EQ(dl->depth, w.n_levels - 1);
			EXPECT_EQ(dl->kind, lv->kind);
			if (variant->fi.flags & IOPGT_FMT_F_HW_WALK) {
				struct iopgt_walk hw;

				ASSERT_OK(walk(self->fd, self->id, iova, IOPGT_WALK_HW, &hw));
				EXPECT_EQ(hw.out_flags & IOPGT_WALK_HW_DONE, IOPGT_WALK_HW_DONE);
				/* io-pgtable fills ptes[] by level number */
				for (__u32 k = 0; k < hw.n_levels && k < IOPGT_MAX_LEVELS; k++)
					if (hw.levels[k].level < 4)
						EXPECT_EQ(hw.hw_ptes[hw.levels[k].level], hw.levels[k].pte);
			}
			if (h_failed())
				h_abort();
		}
	}
	/* an unmapped IOVA */
	{
		struct iopgt_walk w;
		__u64 iova = SZ_4K * 3;

		/* an IOVA no extent covers */
		while (ext_of(ex, ne, iova))
			iova += SZ_2M + SZ_4K;

		ASSERT_OK(walk(self->fd, self->id, iova, 0, &w));
		EXPECT_EQ(w.out_flags & IOPGT_WALK_MAPPED, 0);
		EXPECT_EQ(w.phys, 0);
		EXPECT_LE(w.n_levels, IOPGT_MAX_LEVELS);
		if (w.n_levels)
			EXPECT_EQ(w.levels[w.n_levels - 1].kind, IOPGT_PTE_INVALID);
	}
	free(d.l);
}

struct as_find {
	__u32 id;
	int found;
	__u64 mapped;
	__u32 ias;
	__u64 tables, table_bytes;
	bool has_tables;
};

static int as_find_cb(const struct nl_msg *m, void *arg)
{
	struct as_find *f = arg;

	if (m->tb[IOPGT_A_AS_ID] && nla_u32(m->tb[IOPGT_A_AS_ID]) == f->id) {
		f->found++;
		if (m->tb[IOPGT_A_AS_MAPPED])
			f->mapped = nla_u64(m->tb[IOPGT_A_AS_MAPPED]);
		if (m->tb[IOPGT_A_AS_IAS])
			f->ias = nla_u32(m->tb[IOPGT_A_AS_IAS]);
		if (m->tb[IOPGT_A_AS_TABLE_BYTES])
			f->table_bytes = nla_u64(m->tb[IOPGT_A_AS_TABLE_BYTES]);
		f->has_tables = m->tb[IOPGT_A_AS_TABLES] != NULL;
		if (f->has_tables)
			f->tables = nla_u64(m->tb[IOPGT_A_AS_TABLES]);
	}
	return 0;
}

static int fmt_cb(const struct nl_msg *m, void *arg)
{
	int *n = arg;

	if (m->tb[IOPGT_A_FORMAT] && m->tb[IOPGT_A_FORMAT_NAME]) {
		__u32 f = nla_u32(m->tb[IOPGT_A_FORMAT]);
		const char *name = (const char *)m->tb[IOPGT_A_FORMAT_NAME] + NLA_HDRLEN;

		if (strcmp(name, format_name(f)))
			H_FAIL("FORMAT_GET: format %u named %s", f, name);
		(*n)++;
	}
	return 0;
}

TEST_F_FMT(as_nl, dump_filters_and_lists)
{
	struct ext ex[64];
	struct dcol d;
	bool intr;
	int ne;

	ne = map_mix(self->fd, self->id, &self->c, ex);
	ASSERT_GE(ne, 2);
	/* IOVA range: only the second extent */
	{
		struct nl_req_attr f[2] = {
			{ IOPGT_A_DUMP_IOVA_START, 8, ex[1].iova },
			{ IOPGT_A_DUMP_IOVA_END, 8, ex[1].iova + ex[1].len - 1 },
		};
		unsigned long long bytes = 0;

		ASSERT_EQ(dump_collect(&self->nl, self->id, &d, f, 2, &intr), 0);
		for (size_t i = 0; i < d.n; i++) {
			EXPECT_GE(d.l[i].iova, ex[1].iova);
			EXPECT_LT(d.l[i].iova, ex[1].iova + ex[1].len);
			bytes += 1ULL << d.l[i].span;
		}
		EXPECT_EQ(bytes, ex[1].len);
		free(d.l);
	}
	/* max level 0: top table only */
	{
		struct nl_req_attr f[1] = { { IOPGT_A_DUMP_MAX_LEVEL, 4, 0 } };

		ASSERT_EQ(dump_collect(&self->nl, self->id, &d, f, 1, &intr), 0);
		EXPECT_EQ(d.max_depth, 0);
		EXPECT_GE(d.tables + d.n, 1);
		free(d.l);
	}
	/*
	 * AS_GET lists it with its counters: the tables are the top one plus
	 * every TABLE entry of a full dump, their bytes what AS_INFO says;
	 * again after unmapping everything (the libraries keep empty tables).
	 */
	for (int pass = 0; pass < 2; pass++) {
		struct as_find af = { .id = self->id };
		struct nl_req_attr a[1] = { { IOPGT_A_DEV_ID, 4, 0 } };
		struct iopgt_as_info ai;
		int r;
		__u64 total = 0;

		if (pass == 1)
			for (int i = 0; i < ne; i++)
				ASSERT_OK(unmap1(self->fd, self->id, ex[i].iova, ex[i].len, NULL));
		ASSERT_EQ(dump_collect(&self->nl, self->id, &d, NULL, 0, &intr), 0);
		free(d.l);
		r = nl_dump(&self->nl, IOPGT_NL_CMD_AS_GET, a, 1, as_find_cb, &af, NULL);
		EXPECT_EQ(r, 0);
		EXPECT_EQ(af.found, 1);
		for (int i = 0; i < ne && !pass; i++)
			total += ex[i].len;
		EXPECT_EQ(af.mapped, total);
		EXPECT_EQ(af.ias, self->c.out_ias);
		EXPECT_TRUE(af.has_tables);
		EXPECT_EQ(af.tables, d.tables + 1);
		ASSERT_OK(as_info(self->fd, self->id, &ai));
		EXPECT_EQ(af.table_bytes, ai.table_bytes);
		h_diag("%s: %s: %llu tables, %llu bytes", variant->name,
		       pass ? "after unmapping all" : "mapped", (unsigned long long)af.tables,
		       (unsigned long long)af.table_bytes);
	}
	/* FORMAT_GET: one message per known format, names as GET_INFO */
	{
		int count = 0, r;
		struct nl_req_attr a[1] = { { IOPGT_A_DEV_ID, 4, 0 } };

		r = nl_dump(&self->nl, IOPGT_NL_CMD_FORMAT_GET, a, 1, fmt_cb, &count, NULL);
		EXPECT_EQ(r, 0);
		EXPECT_EQ(count, IOPGT_FMT_COUNT - 1);
	}
	/* bad requests */
	{
		struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, 0xfffffff0 } };

		EXPECT_EQ(nl_dump(&self->nl, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL), -ENOENT);
		EXPECT_EQ(nl_dump(&self->nl, IOPGT_NL_CMD_TREE_GET, a, 1, NULL, NULL, NULL), -EINVAL);
		a[0].val = 77;
		a[1].val = self->id;
		EXPECT_EQ(nl_dump(&self->nl, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL), -ENODEV);
	}
}

/* ---- dump racing a mapper ---- */

static atomic_int race_stop;
static int race_fd, race_id;
static __u64 race_gran;

static void *racer(void *arg)
{
	__u64 rs = h_seed() ^ 0x5555;

	(void)arg;
	while (!atomic_load(&race_stop)) {
		__u64 i = rnd64(&rs) % 4096, iova = SZ_1G + i * race_gran;

		/* deterministic pa: a consistent dump can check every leaf */
		if (map1(race_fd, race_id, iova, iova + SZ_1G, race_gran, RW, 0, NULL))
			unmap1(race_fd, race_id, iova, race_gran, NULL);
	}
	return NULL;
}

TEST_X(dump_while_mapping, H_FMT, 120, 0)
{
	struct iopgt_as_create c;
	struct nl nl;
	pthread_t th;
	int intr_count = 0, ok_count = 0;

	need_nl(&nl);
	race_fd = dev_open();
	race_id = as_create_v(race_fd, variant, 0, &c);
	race_gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	if (c.out_ias < 64 && SZ_1G + 4096 * race_gran + SZ_1G > 1ULL << c.out_ias)
		SKIP("ias %u too small", c.out_ias);
	/* stable part: 64 granules at 0 */
	ASSERT_OK(map1(race_fd, race_id, 0, 0, 64 * race_gran, RW, 0, NULL));
	ASSERT_OK(-pthread_create(&th, NULL, racer, NULL));
	for (int k = 0; k < 30; k++) {
		struct dcol d;
		bool intr = false;
		int r = dump_collect(&nl, race_id, &d, NULL, 0, &intr);
		unsigned long long stable = 0;
		__u64 next = 0;

		if (r) {
			H_FAIL("dump %d: %s", k, h_errname(-r));
			break;
		}
		for (size_t i = 0; i < d.n; i++) {
			const struct dleaf *l = &d.l[i];

			if (l->iova < next && !intr)
				H_FAIL("dump %d not flagged INTR but leaf 0x%llx overlaps the one before (ends 0x%llx)",
				       k, (unsigned long long)l->iova, (unsigned long long)next);
			next = l->iova + (1ULL << l->span);
			if (l->iova < 64 * race_gran) {
				stable += 1ULL << l->span;
				if (l->oa != l->iova)
					H_FAIL("stable leaf 0x%llx oa 0x%llx",
					       (unsigned long long)l->iova,
					       (unsigned long long)l->oa);
			} else if (l->oa != l->iova + SZ_1G && !intr) {
				H_FAIL("dump %d not flagged INTR but leaf 0x%llx has oa 0x%llx",
				       k, (unsigned long long)l->iova, (unsigned long long)l->oa);
			}
		}
		if (intr) {
			intr_count++;
		} else {
			ok_count++;
			/* a consistent snapshot covers the stable part exactly once */
			if (stable != 64 * race_gran)
				H_FAIL("dump %d: stable leaves cover 0x%llx bytes, expected 0x%llx", k,
				       stable, (unsigned long long)(64 * race_gran));
		}
		free(d.l);
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	h_diag("%s: %d consistent dumps, %d flagged NLM_F_DUMP_INTR", variant->name, ok_count,
	       intr_count);
	nl_close(&nl);
	close(race_fd);
}

/* ---- 10K / 100K / 1M leaves ---- */

struct big_check {
	__u64 base, pa, gran;
	unsigned long long n, bad;
};

static int big_cb(__u64 iova, __u64 oa, __u32 span, void *arg)
{
	struct big_check *b = arg;

	b->n++;
	if (oa != b->pa + (iova - b->base) || (1ULL << span) != b->gran)
		b->bad++;
	return 0;
}

TEST_X(big_dump, H_PLAIN, 220, 0)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_ARM_32_LPAE_S1, IOPGT_FMT_PT_VTDSS,
	};
	struct iopgt_as_create c;
	struct nl nl;
	__u32 fmt;
	int fd = dev_open();
	const char *e = getenv("IOPGT_BIG_DUMP_MAX");
	unsigned long long maxn = e && atoll(e) > 0 ? atoll(e) : 1000000;

	fmt = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));
	if (!fmt)
		SKIP("no format with 4K pages and a >= 32-bit IAS available on this kernel");
	need_nl(&nl);
	for (unsigned long long n = 10000; n <= maxn; n *= 10) {
		struct big_check b = { .base = SZ_1G, .pa = 2 * SZ_1G, .gran = SZ_4K };
		struct tree_stats st;
		struct timespec t0, t1, t2;
		struct rusage ru;
		double tm, td;
		int id = as_create(fd, fmt, 0, SZ_4K, 0, 0, 0, &c);

		ASSERT_GT(id, 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ASSERT_OK(map1(fd, id, b.base, b.pa, n * SZ_4K, RW, 12, NULL));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ASSERT_EQ(tree_dump(&nl, id, &st, big_cb, &b), 0);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		tm = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		td = (t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9;
		getrusage(RUSAGE_SELF, &ru);
		printf("# big_dump %s: %llu leaves: map %.2f s, dump %.2f s (%.0f leaves/s), %llu messages, tester maxrss %ld KiB\n",
		       format_name(fmt), n, tm, td, n / td, st.messages, ru.ru_maxrss);
		EXPECT_EQ(b.n, n);
		EXPECT_EQ(b.bad, 0);
		EXPECT_EQ(st.leaves[12], n);
		EXPECT_TRUE(!st.intr);
		ASSERT_OK(as_destroy(fd, id));
	}
	nl_close(&nl);
	close(fd);
}
