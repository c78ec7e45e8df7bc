// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14: dirty tracking, in every format on every kernel.
 *
 *  - dirty_availability: GET_INFO's IOPGT_FMT_F_DIRTY and dirty_unavail
 *    agree with AS_CREATE: where dirty tracking is not available the
 *    create is refused with EOPNOTSUPP / IOPGT_REASON_DIRTY_UNAVAILABLE
 *    and the reason is the one the kernel's facts give;
 *  - dirty_bitmap_model: known cases (fresh writable leaves, a device write
 *    to one page, to the middle of a block: all its pages; clear clears,
 *    NO_CLEAR does not; page sizes above the granule; a range cutting a
 *    block clears the whole leaf; read-only leaves never dirty) and the
 *    exact invalidation record the clearing makes;
 *  - dirty_random_oracle: random maps, unmaps, device writes and reads
 *    (clearing or not, random page sizes) against a model of every leaf's
 *    dirty state, every operation checked by the IOTLB oracle: the
 *    clearing must be covered by its recorded invalidation;
 *  - dirty_bad_requests: exact errnos and reasons of bad requests.
 *
 * Formats without dirty tracking skip the last three with GET_INFO's
 * reason. The module's dirty_test_defect parameter (test only) breaks the
 * clearing, the bit reported or the clearing's record, to see these
 * checks fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "libiopgt.h"

/* READ_DIRTY: -errno or 0; *@rq (may be NULL) gets the struct back */
static int rd(int fd, __u32 id, __u64 iova, __u64 len, __u64 ps, __u32 flags,
	      __u64 *bm, __u64 bm_size, struct iopgt_read_dirty *rq)
{
	struct iopgt_read_dirty r = {
		.size = sizeof(r), .as_id = id, .flags = flags, .iova = iova,
		.length = len, .page_size = ps, .bitmap_uptr = (uintptr_t)bm,
		.bitmap_size = bm_size,
	};
	int ret = ioctl(fd, IOPGT_READ_DIRTY, &r) < 0 ? -errno : 0;

	if (rq)
		*rq = r;
	return ret;
}

/* SET_DIRTY: -errno or 0 */
static int sd(int fd, __u32 id, __u64 iova, struct iopgt_set_dirty *out)
{
	struct iopgt_set_dirty s = { .size = sizeof(s), .as_id = id, .iova = iova };
	int ret = ioctl(fd, IOPGT_SET_DIRTY, &s) < 0 ? -errno : 0;

	if (out)
		*out = s;
	return ret;
}

static __u64 bm_bytes(__u64 len, __u64 ps)
{
	__u64 bits = len / ps;

	return (bits + 63) / 64 * 8;
}

static int bit(const __u64 *w, __u64 i)
{
	return (w[i / 64] >> (i % 64)) & 1;
}

/* the span of a table of granule pages: the block one level up */
static __u64 block_of(const struct iopgt_as_create *c)
{
	__u64 g = c->out_pgsize_bitmap & -c->out_pgsize_bitmap, b = g * (g / 8);

	return (c->out_pgsize_bitmap & b) ? b : 0;
}

/* io-pgtable (HD quirk) creates writable leaves dirty; generic_pt clean */
static int fresh_dirty(const struct h_variant *v)
{
	return !(v->fi.flags & IOPGT_FMT_F_GENERIC_PT);
}

static void need_dirty(const struct h_variant *v)
{
	if (!(v->fi.flags & IOPGT_FMT_F_DIRTY))
		h_skip("%s: no dirty tracking on this kernel: %s", v->fi.name,
		       iopgt_dirty_unavail_str(v->fi.dirty_unavail));
}

static int set_defect(unsigned long long v)
{
	return param_set("dirty_test_defect", v);
}

/* ------------------------------------------------------------ availability */

TEST_FMT(dirty_availability)
{
	const struct iopgt_format_info *fi = &variant->fi;
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	int fd = dev_open(), id, want;

	h_diag("%s: dirty %s (%s)", fi->name,
	       fi->flags & IOPGT_FMT_F_DIRTY ? "available" : "unavailable",
	       iopgt_dirty_unavail_str(fi->dirty_unavail));
	EXPECT_EQ(!!(fi->flags & IOPGT_FMT_F_DIRTY), fi->dirty_unavail == 0);
	/* the reason is the kernel's fact */
	if (fi->flags & IOPGT_FMT_F_GENERIC_PT)
		want = fi->format == IOPGT_FMT_PT_X86_64 ?
		       IOPGT_DIRTY_NO_FORMAT_SUPPORT :
		       IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER;
	else if (fi->format != IOPGT_FMT_ARM_64_LPAE_S1)
		want = IOPGT_DIRTY_NO_FORMAT_SUPPORT;
	else
		/* the HD quirk and read_and_clear_dirty came together (6.10) */
		want = (fi->quirks & IOPGT_QUIRK_ARM_HD) ? IOPGT_DIRTY_AVAILABLE :
							   IOPGT_DIRTY_KERNEL_NO_HD;
	/* a custom kernel with CONFIG_IOMMUFD_DRIVER: the module's gap */
	if (want == IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER &&
	    fi->dirty_unavail == IOPGT_DIRTY_NOT_IMPLEMENTED)
		want = IOPGT_DIRTY_NOT_IMPLEMENTED;
	if (!(fi->flags & IOPGT_FMT_F_DIRTY) || want != IOPGT_DIRTY_AVAILABLE)
		EXPECT_EQ(fi->dirty_unavail, want);

	id = as_create(fd, fi->format, IOPGT_AS_DIRTY_TRACKING, variant->pgsizes,
		       variant->ias, variant->oas, 0, &c);
	if (fi->flags & IOPGT_FMT_F_DIRTY) {
		ASSERT_GT(id, 0);
		EXPECT_EQ(c.out_reason, IOPGT_REASON_NONE);
		if (fi->format == IOPGT_FMT_ARM_64_LPAE_S1)
			EXPECT_TRUE(c.out_quirks & IOPGT_QUIRK_ARM_HD);
		ASSERT_OK(as_info(fd, id, &ai));
		EXPECT_TRUE(ai.flags & IOPGT_AS_INFO_DIRTY);
		as_destroy(fd, id);
	} else {
		EXPECT_EQ(id, -1);
		EXPECT_EQ(errno, EOPNOTSUPP);
		EXPECT_EQ(c.out_reason, IOPGT_REASON_DIRTY_UNAVAILABLE);
	}
	/* an AS without the flag: no dirty operation */
	id = as_create(fd, fi->format, 0, variant->pgsizes, variant->ias,
		       variant->oas, 0, &c);
	ASSERT_GT(id, 0);
	{
		__u64 w = 0, g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
		struct iopgt_read_dirty rq;
		struct iopgt_set_dirty s;

		ASSERT_OK(map1(fd, id, 0, 0, g, RW, 0, NULL));
		EXPECT_EQ(rd(fd, id, 0, g, g, IOPGT_DIRTY_NO_CLEAR, &w, 8, &rq),
			  -EOPNOTSUPP);
		EXPECT_EQ(rq.out_reason, IOPGT_REASON_NO_DIRTY_TRACKING);
		EXPECT_EQ(sd(fd, id, 0, &s), -EOPNOTSUPP);
		EXPECT_EQ(s.out_reason, IOPGT_REASON_NO_DIRTY_TRACKING);
		ASSERT_OK(as_info(fd, id, &ai));
		EXPECT_EQ(ai.flags & IOPGT_AS_INFO_DIRTY, 0);
	}
	as_destroy(fd, id);
	close(fd);
}

/* ------------------------------------------------------------ known cases */

static struct iopgt_netlink *g_nl;
static struct iopgt_handle g_dev;

struct recs {
	struct iopgt_flush_entry r[16];
	unsigned int n;
};

static int collect(const struct iopgt_flush_entry *r, void *arg)
{
	struct recs *v = arg;

	if (v->n < 16)
		v->r[v->n] = *r;
	v->n++;
	return 0;
}

/* the records since the last call (then cleared) */
static void take(__u32 id, struct recs *v)
{
	struct iopgt_err err = { 0 };

	memset(v, 0, sizeof(*v));
	if (iopgt_netlink_dump_flushes(g_nl, 0, id, 0, collect, v, &err))
		H_FAIL("FLUSH_GET of as %u: %s", id, err.msg);
	if (iopgt_control_flushes(&g_dev, id, IOPGT_FLUSH_CTL_CLEAR, NULL, &err))
		H_FAIL("FLUSH_CTL CLEAR of as %u: %s", id, err.msg);
}

static void open_lib(void)
{
	struct iopgt_err err = { 0 };

	if (iopgt_open_device(&g_dev, NULL, &err))
		H_FAIL("iopgt_open: %s", err.msg);
	if (iopgt_netlink_open(&g_nl, &err))
		H_FAIL("iopgt_netlink_open: %s", err.msg);
}

static void close_lib(void)
{
	iopgt_netlink_close(g_nl);
	g_nl = NULL;
	iopgt_close_device(&g_dev);
}

/* bits [0, n) of @w as a string of 0/1, at most 128 */
static const char *bits_str(const __u64 *w, __u64 n, char *b)
{
	__u64 i;

	for (i = 0; i < n && i < 128; i++)
		b[i] = bit(w, i) ? '1' : '0';
	b[i] = 0;
	return b;
}

/* read [iova, +len) at page size ps and compare with bits [lo, hi) set */
static void expect_dirty(const char *what, int fd, __u32 id, __u64 iova,
			 __u64 len, __u64 ps, __u32 flags, __u64 lo, __u64 hi)
{
	static __u64 w[4096];
	__u64 n = len / ps, i, set = 0;
	struct iopgt_read_dirty rq;
	char got[160], want[160];
	int bad = 0, ret;

	ASSERT_TRUE(bm_bytes(len, ps) <= sizeof(w));
	memset(w, 0xa5, sizeof(w));	/* every byte the kernel owes is written */
	ret = rd(fd, id, iova, len, ps, flags, w, bm_bytes(len, ps), &rq);
	if (ret) {
		H_FAIL("%s: READ_DIRTY 0x%llx+0x%llx ps 0x%llx: %s (reason %u)", what,
		       (unsigned long long)iova, (unsigned long long)len,
		       (unsigned long long)ps, h_errname(-ret), rq.out_reason);
		return;
	}
	for (i = 0; i < n; i++) {
		set += bit(w, i);
		if (bit(w, i) != (i >= lo && i < hi))
			bad = 1;
	}
	for (i = n; i < bm_bytes(len, ps) * 8; i++)
		if (bit(w, i))
			bad = 1;	/* bits beyond the range are cleared */
	if (rq.out_dirty_pages != set)
		bad = 1;
	if (bad) {
		for (i = 0; i < n && i < 128; i++)
			want[i] = i >= lo && i < hi ? '1' : '0';
		want[i] = 0;
		H_FAIL("%s: 0x%llx+0x%llx at page size 0x%llx%s: bits %s (%llu set, out_dirty_pages %llu), want %s",
		       what, (unsigned long long)iova, (unsigned long long)len,
		       (unsigned long long)ps,
		       flags & IOPGT_DIRTY_NO_CLEAR ? " (no clear)" : "",
		       bits_str(w, n, got), (unsigned long long)set,
		       (unsigned long long)rq.out_dirty_pages, want);
	}
}

#define NC	IOPGT_DIRTY_NO_CLEAR

TEST_X(dirty_bitmap_model, H_FMT, 120, 0)
{
	struct iopgt_as_create c;
	struct iopgt_set_dirty s;
	struct recs v;
	__u64 g, B, X, Y, R;
	int fd, id, fd2;

	need_dirty(variant);
	fd = dev_open();
	id = as_create(fd, variant->format,
		       IOPGT_AS_DIRTY_TRACKING | IOPGT_AS_RECORD_FLUSHES | IOPGT_AS_PERSISTENT,
		       variant->pgsizes, variant->ias, variant->oas, 0, &c);
	ASSERT_GT(id, 0);
	open_lib();
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	B = block_of(&c);
	if (!B)
		h_skip("no block one level above the granule 0x%llx",
		       (unsigned long long)g);
	X = 4 * B;	/* 8 pages */
	Y = 8 * B;	/* a block */
	R = 12 * B;	/* a read-only page */
	ASSERT_OK(map1(fd, id, X, X, 8 * g, RW, ilog2_64(g), NULL));
	ASSERT_OK(map1(fd, id, Y, Y, B, RW, ilog2_64(B), NULL));
	ASSERT_OK(map1(fd, id, R, R, g, IOPGT_PROT_READ, ilog2_64(g), NULL));
	take(id, &v);

	/* fresh writable leaves: io-pgtable's DBM leaves start dirty */
	expect_dirty("fresh pages", fd, id, X, 8 * g, g, NC, 0,
		     fresh_dirty(variant) ? 8 : 0);
	expect_dirty("fresh block", fd, id, Y, B, B, NC, 0, fresh_dirty(variant));
	expect_dirty("fresh read-only page", fd, id, R, g, g, NC, 0, 0);
	take(id, &v);
	EXPECT_EQ(v.n, 0);	/* NO_CLEAR changes nothing: no record */

	/* clear, then it is clean */
	expect_dirty("clearing the pages", fd, id, X, 8 * g, g, 0, 0,
		     fresh_dirty(variant) ? 8 : 0);
	expect_dirty("clearing the block", fd, id, Y, B, B, 0, 0, fresh_dirty(variant));
	expect_dirty("after clearing, pages", fd, id, X, 8 * g, g, NC, 0, 0);
	expect_dirty("after clearing, block", fd, id, Y, B, B, NC, 0, 0);
	take(id, &v);

	/* a device write to one page: its bit only, kept by NO_CLEAR */
	ASSERT_OK(sd(fd, id, X + 2 * g + 8, &s));
	EXPECT_EQ(s.out_leaf_iova, X + 2 * g);
	EXPECT_EQ(s.out_leaf_log2, ilog2_64(g));
	take(id, &v);
	EXPECT_EQ(v.n, 0);	/* a device write needs no invalidation */
	expect_dirty("one page written", fd, id, X, 8 * g, g, NC, 2, 3);
	expect_dirty("one page written, again (NO_CLEAR kept it)", fd, id, X,
		     8 * g, g, NC, 2, 3);
	take(id, &v);
	EXPECT_EQ(v.n, 0);
	/* at a page size of 4 pages: bit 0 */
	expect_dirty("one page written, page size 4 pages", fd, id, X, 8 * g,
		     4 * g, NC, 0, 1);
	expect_dirty("clearing one page", fd, id, X, 8 * g, g, 0, 2, 3);
	/* the clearing is one operation: one gather sync over the leaf */
	take(id, &v);
	if (v.n != 1 || v.r[0].kind != IOPGT_FLUSH_SYNC ||
	    v.r[0].iova != X + 2 * g || v.r[0].size != g)
		H_FAIL("clearing one dirty page at 0x%llx: %u records (first %s 0x%llx+0x%llx), want one sync 0x%llx+0x%llx",
		       (unsigned long long)(X + 2 * g), v.n,
		       v.n ? iopgt_flush_kind_name(v.r[0].kind) ?: "?" : "-",
		       v.n ? (unsigned long long)v.r[0].iova : 0ULL,
		       v.n ? (unsigned long long)v.r[0].size : 0ULL,
		       (unsigned long long)(X + 2 * g), (unsigned long long)g);
	expect_dirty("after clearing one page", fd, id, X, 8 * g, g, NC, 0, 0);

	/* a write in the middle of a block: every page of it is dirty */
	ASSERT_OK(sd(fd, id, Y + B / 2 + 3 * g, &s));
	EXPECT_EQ(s.out_leaf_iova, Y);
	EXPECT_EQ(s.out_leaf_log2, ilog2_64(B));
	if (B / g <= 4096 * 64)
		expect_dirty("block written", fd, id, Y, B, g, NC, 0, B / g);
	/* a range cutting the block: its part reported, the leaf cleared whole */
	if (B / 2 / g <= 4096 * 64)
		expect_dirty("clearing the second half of the block", fd, id,
			     Y + B / 2, B / 2, g, 0, 0, B / 2 / g);
	expect_dirty("the block after clearing half of it", fd, id, Y, B, B,
		     NC, 0, 0);
	take(id, &v);
	EXPECT_EQ(v.n, 1);
	if (v.n == 1) {
		EXPECT_EQ(v.r[0].kind, IOPGT_FLUSH_SYNC);
		EXPECT_EQ(v.r[0].iova, Y);
		EXPECT_EQ(v.r[0].size, B);
	}

	/* a range over a hole and two leaves: bits of the dirty ones only */
	ASSERT_OK(sd(fd, id, X + 7 * g, NULL));
	ASSERT_OK(sd(fd, id, Y, NULL));
	{
		/* page size B: bit 0 is X's block-sized slot, bit 4 is Y */
		static __u64 w[8];
		struct iopgt_read_dirty rq;
		__u64 n = (Y + B - X) / B;

		memset(w, 0, sizeof(w));
		ASSERT_OK(rd(fd, id, X, Y + B - X, B, NC, w, bm_bytes(Y + B - X, B), &rq));
		EXPECT_EQ(rq.out_dirty_pages, 2);
		EXPECT_EQ(bit(w, 0), 1);
		EXPECT_EQ(bit(w, n - 1), 1);
	}

	close_lib();
	as_destroy(fd, id);

	/* another open file may read, not clear or write (not persistent) */
	id = as_create(fd, variant->format, IOPGT_AS_DIRTY_TRACKING, variant->pgsizes,
		       variant->ias, variant->oas, 0, &c);
	ASSERT_GT(id, 0);
	ASSERT_OK(map1(fd, id, X, X, g, RW, ilog2_64(g), NULL));
	fd2 = dev_open();
	{
		__u64 w[1] = { 0 };
		struct iopgt_read_dirty rq;

		EXPECT_EQ(rd(fd2, id, X, g, g, NC, w, 8, &rq), 0);
		EXPECT_EQ(rd(fd2, id, X, g, g, 0, w, 8, &rq), -EPERM);
		EXPECT_EQ(sd(fd2, id, X, NULL), -EPERM);
	}
	close(fd2);
	as_destroy(fd, id);
	close(fd);
}

/* ------------------------------------------------------------ random + oracle */

struct dm {
	int fd, id;
	__u64 g, B, W;			/* granule, block (or 0), window */
	int fresh;			/* writable leaves are created dirty */
	__u64 np;			/* pages in the window */
	long *leaf;			/* per page: first page of its leaf, -1 */
	__u64 *lpages;			/* per leaf start page: pages in it */
	unsigned char *wr, *dirty;	/* per leaf start page */
	struct iopgt_tlb *tlb;
	struct iopgt_tlb_counts tc;
	__u64 seq, reads, clears, writes, maps, unmaps, dirty_bits;
	struct iopgt_tree_entry *ents;
	size_t n_ents, cap_ents;
	struct iopgt_flush_entry rec[4096];
	size_t n_rec;
	char op[96];
};

static int push_ent(const struct iopgt_tree_entry *e, void *arg)
{
	struct dm *m = arg;

	if (m->n_ents == m->cap_ents) {
		size_t cap = m->cap_ents ? 2 * m->cap_ents : 1024;
		void *p = realloc(m->ents, cap * sizeof(*e));

		if (!p)
			return -ENOMEM;
		m->ents = p;
		m->cap_ents = cap;
	}
	m->ents[m->n_ents++] = *e;
	return 0;
}

static int restart(void *arg)
{
	((struct dm *)arg)->n_ents = 0;
	return 0;
}

static int push_rec(const struct iopgt_flush_entry *r, void *arg)
{
	struct dm *m = arg;

	if (m->n_rec < 4096)
		m->rec[m->n_rec++] = *r;
	return 0;
}

static void stale(const struct iopgt_tlb_stale *s, void *arg)
{
	struct dm *m = arg;

	H_FAIL("op %llu (%s): stale %s at 0x%llx (2^%u, level %u, pte 0x%llx): missing %s",
	       (unsigned long long)m->seq, m->op, iopgt_kind_name(s->kind),
	       (unsigned long long)s->iova, s->span_log2, s->level,
	       (unsigned long long)s->pte, s->missing);
}

static void window_tree(struct dm *m)
{
	struct iopgt_tree_filter f = { .has_range = 1, .iova_start = 0,
				       .iova_end = m->W - 1, .max_depth = -1 };
	struct iopgt_err err = { 0 };

	m->n_ents = 0;
	if (iopgt_netlink_dump_tree_retry(g_nl, 0, m->id, &f, push_ent, m,
					  restart, 5, NULL, &err))
		H_FAIL("tree dump: %s", err.msg);
}

/* the oracle: the records of the last operation against the tree */
static void oracle(struct dm *m)
{
	struct iopgt_err err = { 0 };

	m->n_rec = 0;
	if (iopgt_netlink_dump_flushes(g_nl, 0, m->id, 0, push_rec, m, &err))
		H_FAIL("FLUSH_GET: %s", err.msg);
	if (iopgt_control_flushes(&g_dev, m->id, IOPGT_FLUSH_CTL_CLEAR, NULL, &err))
		H_FAIL("FLUSH_CTL CLEAR: %s", err.msg);
	window_tree(m);
	if (iopgt_tlb_check(m->tlb, 0, m->W - 1, m->ents, m->n_ents, m->rec,
			    m->n_rec, &m->tc, stale, m))
		H_FAIL("oracle: out of memory");
}

static int rnd_map(struct dm *m, __u64 *s)
{
	__u64 ps = (m->B && rnd64(s) % 3 == 0) ? m->B : m->g;
	__u64 n = 1 + rnd64(s) % 4, pp = ps / m->g, first, i, j;
	__u32 prot = rnd64(s) % 5 ? RW : IOPGT_PROT_READ;

	first = (rnd64(s) % (m->np / pp)) * pp;
	if (first + n * pp > m->np)
		return 0;
	for (i = first; i < first + n * pp; i++)
		if (m->leaf[i] >= 0)
			return 0;	/* not free: skip */
	snprintf(m->op, sizeof(m->op), "map %llu x 0x%llx at 0x%llx %s",
		 (unsigned long long)n, (unsigned long long)ps,
		 (unsigned long long)(first * m->g), prot == RW ? "rw" : "r");
	ASSERT_OK(map1(m->fd, m->id, first * m->g, first * m->g, n * ps, prot,
		       ilog2_64(ps), NULL));
	for (j = 0; j < n; j++) {
		__u64 st = first + j * pp;

		for (i = st; i < st + pp; i++)
			m->leaf[i] = (long)st;
		m->lpages[st] = pp;
		m->wr[st] = prot == RW;
		m->dirty[st] = prot == RW && m->fresh;
	}
	m->maps++;
	return 1;
}

/* a random mapped page, or -1 */
static long rnd_mapped(struct dm *m, __u64 *s)
{
	__u64 p = rnd64(s) % m->np, k;

	for (k = 0; k < m->np; k++, p = (p + 1) % m->np)
		if (m->leaf[p] >= 0)
			return (long)p;
	return -1;
}

static int rnd_unmap(struct dm *m, __u64 *s)
{
	long p = rnd_mapped(m, s), st, i;

	if (p < 0)
		return 0;
	st = m->leaf[p];
	snprintf(m->op, sizeof(m->op), "unmap leaf 0x%llx+0x%llx",
		 (unsigned long long)(st * m->g),
		 (unsigned long long)(m->lpages[st] * m->g));
	ASSERT_OK(unmap1(m->fd, m->id, st * m->g, m->lpages[st] * m->g, NULL));
	for (i = st; i < st + (long)m->lpages[st]; i++)
		m->leaf[i] = -1;
	m->unmaps++;
	return 1;
}

static int rnd_write(struct dm *m, __u64 *s)
{
	long p = rnd_mapped(m, s), st;
	__u64 iova;
	struct iopgt_set_dirty o;
	int ret;

	if (p < 0)
		return 0;
	st = m->leaf[p];
	iova = p * m->g + (rnd64(s) % m->g & ~7ULL);
	snprintf(m->op, sizeof(m->op), "device write at 0x%llx", (unsigned long long)iova);
	ret = sd(m->fd, m->id, iova, &o);
	if (m->wr[st]) {
		if (ret)
			H_FAIL("%s: %s (reason %u)", m->op, h_errname(-ret), o.out_reason);
		EXPECT_EQ(o.out_leaf_iova, st * m->g);
		m->dirty[st] = 1;
	} else {
		EXPECT_EQ(ret, -EACCES);
		EXPECT_EQ(o.out_reason, IOPGT_REASON_NOT_WRITABLE);
	}
	m->writes++;
	/* the hardware updated the descriptor: the cached copy follows */
	window_tree(m);
	if (iopgt_tlb_hw_update(m->tlb, m->ents, m->n_ents))
		H_FAIL("iopgt_tlb_hw_update failed");
	return 1;
}

static int rnd_read(struct dm *m, __u64 *s)
{
	static __u64 w[8192];
	__u64 ps = m->g << (rnd64(s) % 3), pp, a, n, i, k, got, set = 0;
	__u32 flags = rnd64(s) % 3 ? 0 : IOPGT_DIRTY_NO_CLEAR;
	struct iopgt_read_dirty rq;
	int ret;

	if (m->B && rnd64(s) % 4 == 0)
		ps = m->B;
	pp = ps / m->g;
	a = rnd64(s) % (m->np / pp) * pp;		/* first page */
	n = 1 + rnd64(s) % ((m->np - a) / pp);		/* bits */
	if (bm_bytes(n * ps, ps) > sizeof(w))
		n = sizeof(w) * 8;
	snprintf(m->op, sizeof(m->op), "read%s 0x%llx+0x%llx ps 0x%llx",
		 flags ? " (no clear)" : " and clear",
		 (unsigned long long)(a * m->g), (unsigned long long)(n * ps),
		 (unsigned long long)ps);
	memset(w, 0xff, sizeof(w));
	ret = rd(m->fd, m->id, a * m->g, n * ps, ps, flags, w, bm_bytes(n * ps, ps), &rq);
	if (ret) {
		H_FAIL("%s: %s (reason %u)", m->op, h_errname(-ret), rq.out_reason);
		return 1;
	}
	for (i = 0; i < n; i++) {
		int want = 0;

		for (k = a + i * pp; k < a + (i + 1) * pp; k++)
			if (m->leaf[k] >= 0 && m->dirty[m->leaf[k]])
				want = 1;
		got = bit(w, i);
		set += got;
		if ((int)got != want) {
			H_FAIL("op %llu (%s): bit %llu (0x%llx) is %llu, the model says %d",
			       (unsigned long long)m->seq, m->op, (unsigned long long)i,
			       (unsigned long long)((a + i * pp) * m->g),
			       (unsigned long long)got, want);
			break;
		}
	}
	EXPECT_EQ(rq.out_dirty_pages, set);
	m->dirty_bits += set;
	if (!flags) {
		/* every leaf meeting the range is clean now, whole */
		for (k = a; k < a + n * pp; k++)
			if (m->leaf[k] >= 0)
				m->dirty[m->leaf[k]] = 0;
		m->clears++;
	}
	m->reads++;
	return 1;
}

static unsigned int dirty_ops(void)
{
	const char *s = getenv("IOPGT_DIRTY_OPS");

	return s ? (unsigned int)strtoul(s, NULL, 0) : 400;
}

TEST_X(dirty_random_oracle, H_FMT, 900, 0)
{
	struct iopgt_as_create c;
	struct dm *m = calloc(1, sizeof(*m));
	__u64 seed = h_seed(), s = seed | 1, done = 0, tries = 0;

	need_dirty(variant);
	ASSERT_TRUE(m != NULL);
	ASSERT_OK(param_set("max_flush_records", 16384));
	m->fd = dev_open();
	m->id = as_create(m->fd, variant->format,
			  IOPGT_AS_DIRTY_TRACKING | IOPGT_AS_RECORD_FLUSHES | IOPGT_AS_PERSISTENT,
			  variant->pgsizes, variant->ias, variant->oas, 0, &c);
	ASSERT_GT(m->id, 0);
	open_lib();
	m->g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	m->B = block_of(&c);
	m->W = 16 * (m->B ? m->B : 512 * m->g);
	m->np = m->W / m->g;
	m->fresh = fresh_dirty(variant);
	m->leaf = malloc(m->np * sizeof(*m->leaf));
	m->lpages = calloc(m->np, sizeof(*m->lpages));
	m->wr = calloc(m->np, 1);
	m->dirty = calloc(m->np, 1);
	m->tlb = iopgt_tlb_new(!!(variant->fi.flags & IOPGT_FMT_F_GENERIC_PT));
	ASSERT_TRUE(m->leaf && m->lpages && m->wr && m->dirty && m->tlb);
	memset(m->leaf, 0xff, m->np * sizeof(*m->leaf));
	oracle(m);
	while (done < dirty_ops() && tries++ < 20 * dirty_ops() && !h_failed()) {
		__u64 r = rnd64(&s) % 10;
		int did;

		m->seq = done + 1;
		if (r < 3)
			did = rnd_map(m, &s);
		else if (r < 4)
			did = rnd_unmap(m, &s);
		else if (r < 7)
			did = rnd_write(m, &s);
		else
			did = rnd_read(m, &s);
		if (!did)
			continue;
		oracle(m);
		done++;
	}
	h_diag("%s seed %llu: %llu ops: %llu maps, %llu unmaps, %llu device writes, %llu reads (%llu clearing), %llu dirty bits; oracle: %llu entries compared, %llu changed, %llu stale, %llu over-invalidations",
	       variant->fi.name, (unsigned long long)seed, (unsigned long long)done,
	       (unsigned long long)m->maps, (unsigned long long)m->unmaps,
	       (unsigned long long)m->writes, (unsigned long long)m->reads,
	       (unsigned long long)m->clears, (unsigned long long)m->dirty_bits,
	       (unsigned long long)m->tc.checked, (unsigned long long)m->tc.changed,
	       (unsigned long long)m->tc.stale, (unsigned long long)m->tc.over);
	EXPECT_EQ(m->tc.stale, 0);
	EXPECT_GT(m->clears, 0);
	EXPECT_GT(m->dirty_bits, 0);
	close_lib();
	as_destroy(m->fd, m->id);
	close(m->fd);
	iopgt_tlb_free(m->tlb);
	free(m->ents);
	free(m->leaf);
	free(m->lpages);
	free(m->wr);
	free(m->dirty);
	free(m);
	param_set("max_flush_records", 4096);
}

/* ------------------------------------------------------------ bad requests */

static void expect_rd(const char *what, int fd, __u32 id, __u64 iova, __u64 len,
		      __u64 ps, __u32 flags, __u64 *bm, __u64 bm_size, int err,
		      __u32 reason)
{
	struct iopgt_read_dirty rq;
	int ret = rd(fd, id, iova, len, ps, flags, bm, bm_size, &rq);

	if (ret != -err || rq.out_reason != reason)
		H_FAIL("%s: READ_DIRTY iova 0x%llx len 0x%llx ps 0x%llx flags 0x%x bitmap %llu bytes: %s reason %u (%s), want %s reason %u (%s)",
		       what, (unsigned long long)iova, (unsigned long long)len,
		       (unsigned long long)ps, flags, (unsigned long long)bm_size,
		       ret ? h_errname(-ret) : "success", rq.out_reason,
		       iopgt_reason_str(rq.out_reason), err ? h_errname(err) : "success",
		       reason, iopgt_reason_str(reason));
}

static void expect_sd(const char *what, int fd, __u32 id, __u64 iova, int err,
		      __u32 reason)
{
	struct iopgt_set_dirty o;
	int ret = sd(fd, id, iova, &o);

	if (ret != -err || o.out_reason != reason)
		H_FAIL("%s: SET_DIRTY iova 0x%llx: %s reason %u, want %s reason %u",
		       what, (unsigned long long)iova, ret ? h_errname(-ret) : "success",
		       o.out_reason, err ? h_errname(err) : "success", reason);
}

TEST_FMT(dirty_bad_requests)
{
	struct iopgt_as_create c;
	static __u64 w[1024];
	__u64 g, top, huge;
	int fd, id;

	need_dirty(variant);
	fd = dev_open();
	id = as_create(fd, variant->format, IOPGT_AS_DIRTY_TRACKING, variant->pgsizes,
		       variant->ias, variant->oas, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	top = c.out_ias >= 64 ? ~0ULL : 1ULL << c.out_ias;
	ASSERT_OK(map1(fd, id, 0, 0, 4 * g, RW, ilog2_64(g), NULL));
	ASSERT_OK(map1(fd, id, 8 * g, 0, g, IOPGT_PROT_READ, ilog2_64(g), NULL));
	/* fine */
	expect_rd("good", fd, id, 0, 4 * g, g, 0, w, 8, 0, 0);
	expect_rd("over a hole", fd, id, 0, 64 * g, g, 0, w, 8, 0, 0);
	/* zero length, misalignment, overflow, beyond ias */
	expect_rd("zero length", fd, id, 0, 0, g, 0, w, 8, EINVAL,
		  IOPGT_REASON_LENGTH_ZERO);
	expect_rd("unaligned iova", fd, id, 8, g, g, 0, w, 8, EINVAL,
		  IOPGT_REASON_IOVA_MISALIGNED);
	expect_rd("unaligned length", fd, id, 0, g + 8, g, 0, w, 8, EINVAL,
		  IOPGT_REASON_LENGTH_MISALIGNED);
	expect_rd("iova not aligned to the page size", fd, id, g, 2 * g, 2 * g, 0,
		  w, 8, EINVAL, IOPGT_REASON_IOVA_MISALIGNED);
	expect_rd("wrapping past 2^64", fd, id, ~0ULL & ~(g - 1), 2 * g, g, 0, w, 8,
		  EOVERFLOW, IOPGT_REASON_IOVA_OVERFLOW);
	if (top != ~0ULL)
		expect_rd("beyond ias", fd, id, top - g, 2 * g, g, 0, w, 8, ERANGE,
			  IOPGT_REASON_IOVA_BEYOND_IAS);
	/* page size */
	expect_rd("page size 0", fd, id, 0, g, 0, 0, w, 8, EINVAL,
		  IOPGT_REASON_DIRTY_PAGE_SIZE);
	expect_rd("page size 3 granules", fd, id, 0, 3 * g, 3 * g, 0, w, 8, EINVAL,
		  IOPGT_REASON_DIRTY_PAGE_SIZE);
	expect_rd("page size below the granule", fd, id, 0, g, g / 2, 0, w, 8,
		  EINVAL, IOPGT_REASON_DIRTY_PAGE_SIZE);
	/* the cap on the length, and the bitmap size */
	huge = (IOPGT_DIRTY_MAX_PAGES + 1) * g;
	if (huge < top)
		expect_rd("length above IOPGT_DIRTY_MAX_PAGES", fd, id, 0, huge,
			  g, 0, w, 8, ENOSPC, IOPGT_REASON_DIRTY_TOO_LONG);
	expect_rd("bitmap too small", fd, id, 0, 128 * g, g, 0, w, 8, EINVAL,
		  IOPGT_REASON_BITMAP_TOO_SMALL);
	expect_rd("bitmap size 0", fd, id, 0, g, g, 0, w, 0, EINVAL,
		  IOPGT_REASON_BITMAP_TOO_SMALL);
	expect_rd("just enough bitmap", fd, id, 0, 128 * g, g, IOPGT_DIRTY_NO_CLEAR,
		  w, 16, 0, 0);
	/* a bad pointer: EFAULT, and nothing was cleared */
	ASSERT_OK(sd(fd, id, g, NULL));
	expect_rd("bad bitmap pointer", fd, id, 0, 4 * g, g, 0, (__u64 *)8, 8,
		  EFAULT, 0);
	memset(w, 0, 8);
	expect_rd("after EFAULT", fd, id, 0, 4 * g, g, IOPGT_DIRTY_NO_CLEAR, w, 8, 0, 0);
	EXPECT_EQ(w[0] & 2, 2);
	/* flags, ids */
	expect_rd("unknown flag", fd, id, 0, g, g, 0x80, w, 8, EINVAL,
		  IOPGT_REASON_RESERVED);
	expect_rd("unknown id", fd, 999999, 0, g, g, 0, w, 8, ENOENT, 0);
	/* SET_DIRTY */
	expect_sd("unmapped", fd, id, 16 * g, ENOENT, IOPGT_REASON_HOLE);
	expect_sd("read-only leaf", fd, id, 8 * g, EACCES, IOPGT_REASON_NOT_WRITABLE);
	if (top != ~0ULL)
		expect_sd("beyond ias", fd, id, top, ERANGE, IOPGT_REASON_IOVA_BEYOND_IAS);
	expect_sd("unknown id", fd, 999999, 0, ENOENT, 0);
	{
		struct iopgt_set_dirty o = { .size = sizeof(o), .as_id = id, .flags = 1 };

		EXPECT_EQ(ioctl(fd, IOPGT_SET_DIRTY, &o), -1);
		EXPECT_EQ(errno, EINVAL);
		EXPECT_EQ(o.out_reason, IOPGT_REASON_RESERVED);
	}
	as_destroy(fd, id);
	/* TTBR1 + dirty tracking: refused at creation */
	if (variant->fi.quirks & IOPGT_QUIRK_ARM_TTBR1) {
		id = as_create(fd, variant->format, IOPGT_AS_DIRTY_TRACKING,
			       variant->pgsizes, variant->ias, variant->oas,
			       IOPGT_QUIRK_ARM_TTBR1, &c);
		EXPECT_EQ(id, -1);
		EXPECT_EQ(errno, EINVAL);
		EXPECT_EQ(c.out_reason, IOPGT_REASON_DIRTY_COMBINATION);
	}
	close(fd);
}

/* ------------------------------------------------------------ the checks fail */

/* each test-only defect must make the known cases fail (in a child) */
TEST_X(dirty_defects_seen, H_FMT, 300, 0)
{
	static const struct { unsigned int bit; const char *what; } d[] = {
		{ 1, "not clearing" }, { 2, "reporting the neighbour bit" },
		{ 4, "not recording the clearing's sync" },
	};
	char self[512], cmd[768];
	unsigned int i;
	ssize_t n;

	need_dirty(variant);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_GT(n, 0);
	self[n] = 0;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		const char *t = d[i].bit == 4 ? "dirty_random_oracle" :
						 "dirty_bitmap_model";
		char line[1024], fail[1024] = "";
		int seen = 0;
		FILE *p;

		ASSERT_OK(set_defect(d[i].bit));
		/* the same program, that one test, quietly */
		snprintf(cmd, sizeof(cmd),
			 "IOPGT_TEST_FILTER=%s IOPGT_NO_LEAKCHECK=1 IOPGT_DIRTY_OPS=60 %s 2>&1",
			 t, self);
		p = popen(cmd, "r");
		ASSERT_TRUE(p != NULL);
		while (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = 0;
			/* the first failure message, then its "not ok" */
			if (!*fail && !strncmp(line, "# FAIL", 6))
				snprintf(fail, sizeof(fail), "%s", line);
			if (!seen && !strncmp(line, "not ok", 6)) {
				seen = 1;
				h_diag("defect %u (%s): %.600s | %.200s", d[i].bit,
				       d[i].what, fail, line);
			}
		}
		pclose(p);
		set_defect(0);
		if (!seen)
			H_FAIL("defect %u (%s) went unnoticed by %s", d[i].bit, d[i].what, t);
	}
}
