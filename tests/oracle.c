// SPDX-License-Identifier: GPL-2.0
/*
 * Random oracle (generic_pt's test_random_map, through the ABI): >= 10,000
 * random map/unmap operations per available format with mixed page sizes,
 * forced and module-chosen, against a userspace model of the leaves. Every
 * N operations: IOVA_TO_PHYS on sampled IOVAs, AS_INFO mapped_bytes, and
 * (when the netlink family exists) the per-page-size leaf counts and every
 * leaf's output address from a tree dump are compared with the model, and
 * the module's table count (AS_GET, kept up to date per map/unmap without
 * walking the tree) with the tables the dump found.
 * Seeded: IOPGT_SEED reproduces a run; the seed is in every failure line.
 * IOPGT_ORACLE_OPS overrides the number of operations.
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

struct leaf {
	__u64 iova, pa, size;
};

struct model {
	struct leaf *l;
	int n, cap;
	__u64 bytes;
};

static int find_overlap(const struct model *m, __u64 iova, __u64 len)
{
	for (int i = 0; i < m->n; i++)
		if (m->l[i].iova < iova + len && iova < m->l[i].iova + m->l[i].size)
			return i;
	return -1;
}

static void add_leaf(struct model *m, __u64 iova, __u64 pa, __u64 size)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->l = realloc(m->l, m->cap * sizeof(*m->l));
		ASSERT_TRUE(m->l != NULL);
	}
	m->l[m->n++] = (struct leaf){ iova, pa, size };
	m->bytes += size;
}

static void del_leaf(struct model *m, int i)
{
	m->bytes -= m->l[i].size;
	m->l[i] = m->l[--m->n];
}

/* the module's choice: largest size that alignment of iova and pa and the remaining length allow */
static __u64 pick(__u64 bitmap, __u64 iova, __u64 pa, __u64 rem)
{
	__u64 best = 0;

	for (int b = 0; b < 64; b++) {
		__u64 s = 1ULL << b;

		if ((bitmap & s) && !(iova & (s - 1)) && !(pa & (s - 1)) && s <= rem)
			best = s;
	}
	return best;
}

struct dump_check {
	const struct model *m;
	struct leaf *sorted;	/* model leaves by iova */
	int bad;
};

static int leaf_cmp(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

static int leaf_seen(__u64 iova, __u64 oa, __u32 span, void *arg)
{
	struct dump_check *dc = arg;
	struct leaf key = { .iova = iova };
	const struct leaf *l = bsearch(&key, dc->sorted, dc->m->n, sizeof(key), leaf_cmp);

	if (l) {
		if (l->pa != oa || l->size != 1ULL << span) {
			if (dc->bad++ < 5)
				H_FAIL("dump leaf iova 0x%llx oa 0x%llx span %u, model pa 0x%llx size 0x%llx",
				       (unsigned long long)iova, (unsigned long long)oa,
				       span, (unsigned long long)l->pa,
				       (unsigned long long)l->size);
		}
		return 0;
	}
	if (dc->bad++ < 5)
		H_FAIL("dump leaf iova 0x%llx oa 0x%llx span %u not in the model",
		       (unsigned long long)iova, (unsigned long long)oa, span);
	return 0;
}

/* AS_GET of one address space: its table count */
struct as_tables {
	__u32 id;
	int found;
	__u64 tables;
};

static int as_tables_cb(const struct nl_msg *msg, void *arg)
{
	struct as_tables *t = arg;

	if (msg->tb[IOPGT_A_AS_ID] && nla_u32(msg->tb[IOPGT_A_AS_ID]) == t->id &&
	    msg->tb[IOPGT_A_AS_TABLES]) {
		t->found++;
		t->tables = nla_u64(msg->tb[IOPGT_A_AS_TABLES]);
	}
	return 0;
}

static void compare(int fd, int id, struct model *m, __u64 *rs, __u64 window, __u64 gran,
		    struct nl *nl, bool use_nl, int op)
{
	struct iopgt_as_info ai;

	ASSERT_OK(as_info(fd, id, &ai));
	if (ai.mapped_bytes != m->bytes)
		H_FAIL("op %d: AS_INFO mapped_bytes 0x%llx, model 0x%llx", op,
		       (unsigned long long)ai.mapped_bytes, (unsigned long long)m->bytes);
	for (int k = 0; k < 64; k++) {
		__u64 iova, want = ~0ULL, got;

		if (k < 32 && m->n) {
			const struct leaf *l = &m->l[rnd64(rs) % m->n];

			iova = l->iova + (rnd64(rs) % l->size);
		} else {
			iova = rnd64(rs) % window;
		}
		for (int i = 0; i < m->n; i++)
			if (iova >= m->l[i].iova && iova < m->l[i].iova + m->l[i].size)
				want = m->l[i].pa + (iova - m->l[i].iova);
		got = xlate_or_none(fd, id, iova);
		if (got != want) {
			H_FAIL("op %d: IOVA_TO_PHYS(0x%llx) = 0x%llx, model 0x%llx", op,
			       (unsigned long long)iova, (unsigned long long)got,
			       (unsigned long long)want);
			h_abort();
		}
	}
	(void)gran;
	if (use_nl) {
		struct tree_stats st;
		struct dump_check dc = { .m = m };
		unsigned long long want[64] = { 0 };
		int r;

		dc.sorted = malloc((m->n + 1) * sizeof(*m->l));
		ASSERT_TRUE(dc.sorted != NULL);
		memcpy(dc.sorted, m->l, m->n * sizeof(*m->l));
		qsort(dc.sorted, m->n, sizeof(*m->l), leaf_cmp);
		r = tree_dump(nl, id, &st, leaf_seen, &dc);
		free(dc.sorted);
		if (r) {
			H_FAIL("op %d: tree dump: %s", op, h_errname(-r));
			return;
		}
		EXPECT_TRUE(!st.intr);
		{
			/* the incremental count: the top table + every TABLE entry */
			struct as_tables at = { .id = id };
			struct nl_req_attr a[1] = { { IOPGT_A_DEV_ID, 4, 0 } };

			EXPECT_EQ(nl_dump(nl, IOPGT_NL_CMD_AS_GET, a, 1, as_tables_cb, &at,
					  NULL), 0);
			EXPECT_EQ(at.found, 1);
			if (at.found == 1 && at.tables != st.tables + 1)
				H_FAIL("op %d: the module counts %llu tables, the dump finds %llu (+1 top)",
				       op, (unsigned long long)at.tables, st.tables);
		}
		/* a contiguous leaf (v7s 64K/16M, AMDv1) is one dump entry */
		for (int i = 0; i < m->n; i++)
			want[ilog2_64(m->l[i].size)]++;
		for (int b = 0; b < 64; b++)
			if (want[b] != st.leaves[b])
				H_FAIL("op %d: dump has %llu leaves of 2^%d, model %llu", op,
				       st.leaves[b], b, want[b]);
		if (dc.bad)
			h_abort();
	}
}

TEST_X(random_map_unmap, H_FMT, 200, 0)
{
	struct iopgt_as_create c;
	struct model m = { 0 };
	__u64 sizes[64], rs = h_seed() ^ variant->format, window, gran, oas_lim;
	int n, ops = 10000, every = 1000, fd = dev_open(), id;
	const char *e = getenv("IOPGT_ORACLE_OPS");
	unsigned long long nmap = 0, nunmap = 0, nfail_ok = 0;
	struct nl nl;
	bool use_nl;
	struct timespec t0, t1;

	if (e && atoi(e) > 0)
		ops = atoi(e);
	rnd64(&rs);
	id = as_create_v(fd, variant, 0, &c);
	n = pgsizes_list(c.out_pgsize_bitmap, sizes, 64);
	/* sizes up to 1G, window 4 largest pages (or the IAS) */
	while (n > 1 && sizes[n - 1] > SZ_1G)
		n--;
	if (n > 4)	/* generic_pt AMDv1 has every power of two: keep a mix */
		sizes[1] = sizes[n / 2], sizes[2] = sizes[n - 1], n = 3;
	gran = sizes[0];
	window = 4 * sizes[n - 1];
	if (window < 256 * gran)
		window = 256 * gran;
	if (c.out_ias < 64 && window > 1ULL << c.out_ias)
		window = 1ULL << c.out_ias;
	oas_lim = c.out_oas >= 40 ? 1ULL << 40 : 1ULL << c.out_oas;
	use_nl = nl_open(&nl) == 0;
	h_diag("%s: %d ops, sizes 0x%llx..0x%llx window 0x%llx netlink %s seed %llu",
	       variant->name, ops, (unsigned long long)gran,
	       (unsigned long long)sizes[n - 1], (unsigned long long)window,
	       use_nl ? "yes" : "no", h_seed());

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int op = 1; op <= ops; op++) {
		__u64 r = rnd64(&rs);

		if (r % 100 < (m.n > 300 ? 35 : 55) || !m.n) {
			/* map */
			int si = (r >> 8) % 100 < 60 ? 0 : (r >> 8) % 100 < 90 ? (n > 1) : n - 1;
			__u64 s = sizes[si], cnt = 1 + (rnd64(&rs) % (si == n - 1 ? 2 : 8));
			__u64 len = s * cnt, iova, pa, mapped = 0;
			bool forced = rnd64(&rs) & 1;
			int ov, ret;

			if (len > window)
				len = s, cnt = 1;
			iova = (rnd64(&rs) % ((window - len) / s + 1)) * s;
			pa = (rnd64(&rs) % ((oas_lim - len) / s + 1)) * s;
			if (!forced && (rnd64(&rs) & 1)) {
				/* granule-aligned pa: the module has to split into a mix */
				if (len > 64 * gran)
					len = 64 * gran;
				pa = (rnd64(&rs) % ((oas_lim - len) / gran + 1)) * gran;
			}
			ov = find_overlap(&m, iova, len);
			errno = 0;
			ret = map1(fd, id, iova, pa, len, RW, forced ? ilog2_64(s) : 0, &mapped);
			if (ov >= 0) {
				if (ret != -1 || errno != EEXIST) {
					H_FAIL("op %d: map 0x%llx+0x%llx over leaf 0x%llx+0x%llx: %s, expected EEXIST",
					       op, (unsigned long long)iova, (unsigned long long)len,
					       (unsigned long long)m.l[ov].iova,
					       (unsigned long long)m.l[ov].size,
					       ret ? h_errname(errno) : "success");
					h_abort();
				}
				EXPECT_EQ(mapped, 0);
				nfail_ok++;
				continue;
			}
			if (ret) {
				H_FAIL("op %d: map 0x%llx pa 0x%llx len 0x%llx pgsize %s: %s", op,
				       (unsigned long long)iova, (unsigned long long)pa,
				       (unsigned long long)len, forced ? "forced" : "auto",
				       h_errname(errno));
				h_abort();
			}
			ASSERT_EQ(mapped, len);
			nmap++;
			for (__u64 off = 0; off < len;) {
				__u64 ps = forced ? s : pick(c.out_pgsize_bitmap, iova + off,
							     pa + off, len - off);

				ASSERT_NE(ps, 0);
				add_leaf(&m, iova + off, pa + off, ps);
				off += ps;
			}
		} else {
			/* unmap: a run of adjacent leaves, or a bad range */
			int i = rnd64(&rs) % m.n, kind = rnd64(&rs) % 10;
			__u64 start = m.l[i].iova, len = m.l[i].size, un = 0;
			int ret;

			if (kind < 7) {
				/* extend over following adjacent leaves */
				int k = rnd64(&rs) % 4;
				bool more = true;

				while (k-- > 0 && more) {
					more = false;
					for (int j = 0; j < m.n; j++)
						if (m.l[j].iova == start + len) {
							len += m.l[j].size;
							more = true;
							break;
						}
				}
				ret = unmap1(fd, id, start, len, &un);
				if (ret) {
					H_FAIL("op %d: unmap 0x%llx+0x%llx of whole leaves: %s", op,
					       (unsigned long long)start, (unsigned long long)len,
					       h_errname(errno));
					h_abort();
				}
				ASSERT_EQ(un, len);
				nunmap++;
				for (int j = m.n - 1; j >= 0; j--)
					if (m.l[j].iova >= start && m.l[j].iova < start + len)
						del_leaf(&m, j);
			} else if (kind < 9 && m.l[i].size > gran) {
				/* part of a block: EINVAL */
				__u64 off = (rnd64(&rs) % (m.l[i].size / gran)) * gran;

				errno = 0;
				ret = unmap1(fd, id, start + off, gran, &un);
				if (ret != -1 || errno != EINVAL) {
					H_FAIL("op %d: unmap 0x%llx+0x%llx inside block 0x%llx+0x%llx: %s, expected EINVAL",
					       op, (unsigned long long)(start + off),
					       (unsigned long long)gran, (unsigned long long)start,
					       (unsigned long long)m.l[i].size,
					       ret ? h_errname(errno) : "success");
					h_abort();
				}
				nfail_ok++;
			} else {
				/* a granule range with no leaf: ENOENT */
				__u64 iova = (rnd64(&rs) % (window / gran)) * gran;

				if (find_overlap(&m, iova, gran) >= 0)
					continue;
				errno = 0;
				ret = unmap1(fd, id, iova, gran, &un);
				if (ret != -1 || errno != ENOENT) {
					H_FAIL("op %d: unmap of unmapped 0x%llx: %s, expected ENOENT",
					       op, (unsigned long long)iova,
					       ret ? h_errname(errno) : "success");
					h_abort();
				}
				nfail_ok++;
			}
		}
		if (op % every == 0 || op == ops)
			compare(fd, id, &m, &rs, window, gran, &nl, use_nl, op);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	h_diag("%s: %llu maps, %llu unmaps, %llu expected failures, %d leaves live, %.1f s",
	       variant->name, nmap, nunmap, nfail_ok, m.n,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	/* tear down through unmap, then destroy */
	while (m.n) {
		__u64 un = 0;

		ASSERT_OK(unmap1(fd, id, m.l[0].iova, m.l[0].size, &un));
		ASSERT_EQ(un, m.l[0].size);
		del_leaf(&m, 0);
	}
	compare(fd, id, &m, &rs, window, gran, &nl, use_nl, ops + 1);
	ASSERT_OK(as_destroy(fd, id));
	if (use_nl)
		nl_close(&nl);
	close(fd);
}
