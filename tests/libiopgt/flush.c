// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 14: invalidation records and the IOTLB oracle, in every format.
 *
 *  - flush_records_exact: the records of known operations, exactly, per
 *    format and kernel (a page unmap, a block unmap, a core-style unmap
 *    that frees a table, a block mapped over a table);
 *  - tlbcheck_zero_stale: thousands of random operations per format
 *    through the oracle: no stale entry, no dropped record;
 *  - oracle_sees_dropped_records: with the module's test-only switch
 *    dropping one kind of record (flush_test_drop), the oracle reports stale
 *    entries naming the missing invalidation;
 *  - flush_log_rules: off by default, bounded with the overflow counted,
 *    clear, errnos of FLUSH_CTL and FLUSH_GET.
 *
 * Kernel differences are gated by GET_INFO facts, never by versions: the
 * io-pgtable-arm unmap rewrite that adds tlb_add_page for a freed table's
 * block (and only with a gather) came with IO_PGTABLE_QUIRK_ARM_HD, so
 * "ARM_64_LPAE_S1 offers IOPGT_QUIRK_ARM_HD" selects that shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "libiopgt.h"

struct recs {
	struct iopgt_flush_entry r[64];
	unsigned int n, total;
};

static int collect(const struct iopgt_flush_entry *r, void *arg)
{
	struct recs *v = arg;

	if (v->n < 64)
		v->r[v->n++] = *r;
	v->total++;
	return 0;
}

static struct iopgt_netlink *g_nl;
static struct iopgt_handle g_dev;

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

struct want {
	__u32 kind;
	__u64 iova, size, granule;
	__u32 freed;
};

static void rec_str(char *b, size_t n, __u32 kind, __u64 iova, __u64 size,
		    __u64 gr, __u32 freed)
{
	snprintf(b, n, "%s(0x%llx+0x%llx g 0x%llx freed %u)",
		 iopgt_flush_kind_name(kind) ?: "?", (unsigned long long)iova,
		 (unsigned long long)size, (unsigned long long)gr, freed);
}

static void expect_recs(const char *what, __u32 id, const struct want *w,
			unsigned int n)
{
	struct recs v;
	char got[1024] = "", want[1024] = "", one[96];
	unsigned int i;
	int same;

	take(id, &v);
	same = v.total == n;
	for (i = 0; i < v.n; i++) {
		rec_str(one, sizeof(one), v.r[i].kind, v.r[i].iova,
			v.r[i].size, v.r[i].granule, v.r[i].freed);
		if (strlen(got) + strlen(one) + 2 < sizeof(got))
			strcat(strcat(got, " "), one);
		if (i < n && (v.r[i].kind != w[i].kind ||
			      v.r[i].iova != w[i].iova ||
			      v.r[i].size != w[i].size ||
			      v.r[i].granule != w[i].granule ||
			      v.r[i].freed != w[i].freed))
			same = 0;
	}
	for (i = 0; i < n; i++) {
		rec_str(one, sizeof(one), w[i].kind, w[i].iova, w[i].size,
			w[i].granule, w[i].freed);
		if (strlen(want) + strlen(one) + 2 < sizeof(want))
			strcat(strcat(want, " "), one);
	}
	if (!same)
		H_FAIL("%s: records [%s ] (%u), want [%s ] (%u)", what, got,
		       v.total, want, n);
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

static int is_v7s(__u32 f)
{
	return f == IOPGT_FMT_ARM_V7S;
}

/*
 * The span of one table of granule pages (the leaf one level up): ARM v7s
 * 1M (256 small pages); LPAE and generic_pt: a granule-sized table of
 * 8-byte entries (4K: 2M, 16K: 32M, 64K: 512M).
 */
static __u64 table_span(__u32 f, __u64 g)
{
	return is_v7s(f) ? 1ULL << 20 : g * (g / 8);
}

TEST_X(flush_records_exact, H_FMT, 120, 0)
{
	struct iopgt_format_info s1;
	struct iopgt_as_create c;
	int gpt = !!(variant->fi.flags & IOPGT_FMT_F_GENERIC_PT);
	int lpae_new = 0, fd, id;
	__u64 g, B, X, Y, Z, V;
	char msg[128];

	fd = dev_open();
	if (!gpt) {
		struct iopgt_get_info gi;
		struct iopgt_format_info fi[IOPGT_FMT_COUNT];
		unsigned int i;

		ASSERT_OK(get_info(fd, &gi, fi));
		memset(&s1, 0, sizeof(s1));
		for (i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
			if (fi[i].format == IOPGT_FMT_ARM_64_LPAE_S1)
				s1 = fi[i];
		lpae_new = !!(s1.quirks & IOPGT_QUIRK_ARM_HD);
	}
	ASSERT_OK(param_set("max_flush_records", 16384));
	id = as_create(fd, variant->format, IOPGT_AS_RECORD_FLUSHES | IOPGT_AS_PERSISTENT, 0, 0, 0,
		       0, &c);
	ASSERT_GT(id, 0);
	open_lib();
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	B = table_span(variant->format, g);
	if (!(c.out_pgsize_bitmap & B) || B / g > 8192)
		h_skip("no block size one level above the granule 0x%llx (pgsizes 0x%llx)",
		       (unsigned long long)g,
		       (unsigned long long)c.out_pgsize_bitmap);
	X = 4 * B;
	Y = 8 * B;
	Z = 12 * B;
	V = 16 * B;
	h_diag("granule 0x%llx, table span 0x%llx, %s, LPAE unmap %s",
	       (unsigned long long)g, (unsigned long long)B,
	       gpt ? "generic_pt gather" : "io-pgtable callbacks",
	       lpae_new ? "with add_page after a freed table (ARM_HD era)" :
			  "walk flush only");

	/* a page */
	ASSERT_OK(map1(fd, id, X, X, g, RW, ilog2_64(g), NULL));
	if (gpt) {
		struct want w[] = { { IOPGT_FLUSH_SYNC_MAP, X, g, 0, 0 } };

		expect_recs("map of one page", id, w, 1);
	} else {
		expect_recs("map of one page", id, NULL, 0);
	}
	ASSERT_OK(unmap1(fd, id, X, g, NULL));
	if (gpt) {
		struct want w[] = { { IOPGT_FLUSH_SYNC, X, g, 0, 0 } };

		expect_recs("unmap of one page", id, w, 1);
	} else {
		struct want w[] = { { IOPGT_FLUSH_ADD_PAGE, X, g, g, 0 },
				    { IOPGT_FLUSH_SYNC, X, g, g, 0 } };

		expect_recs("unmap of one page", id, w, 2);
	}

	/* a block */
	ASSERT_OK(map1(fd, id, Y, Y, B, RW, ilog2_64(B), NULL));
	take(id, &(struct recs){ 0 });
	ASSERT_OK(unmap1(fd, id, Y, B, NULL));
	if (gpt) {
		struct want w[] = { { IOPGT_FLUSH_SYNC, Y, B, 0, 0 } };

		expect_recs("unmap of a block", id, w, 1);
	} else {
		struct want w[] = { { IOPGT_FLUSH_ADD_PAGE, Y, B, B, 0 },
				    { IOPGT_FLUSH_SYNC, Y, B, B, 0 } };

		expect_recs("unmap of a block", id, w, 2);
	}

	/* a core-style unmap of a table's span mapped with pages frees it */
	ASSERT_OK(map1(fd, id, Z, Z, B, RW, ilog2_64(g), NULL));
	take(id, &(struct recs){ 0 });
	{
		struct iopgt_unmap_entry e = { .iova = Z, .length = B };
		struct iopgt_err err = { 0 };

		if (iopgt_unmap_entries_flags(&g_dev, id, IOPGT_UNMAP_CORE, &e, 1, NULL,
				      &err))
			H_FAIL("core unmap: %s", err.msg);
		EXPECT_EQ(e.unmapped, B);
	}
	snprintf(msg, sizeof(msg), "core unmap of 0x%llx mapped with 0x%llx pages",
		 (unsigned long long)B, (unsigned long long)g);
	if (gpt) {
		struct want w[] = { { IOPGT_FLUSH_SYNC, Z, B, 0, 1 } };

		expect_recs(msg, id, w, 1);
	} else if (lpae_new && !is_v7s(variant->format)) {
		struct want w[] = { { IOPGT_FLUSH_WALK, Z, B, g, 0 },
				    { IOPGT_FLUSH_ADD_PAGE, Z, B, B, 0 },
				    { IOPGT_FLUSH_SYNC, Z, B, B, 0 } };

		expect_recs(msg, id, w, 3);
	} else {
		struct want w[] = { { IOPGT_FLUSH_WALK, Z, B, g, 0 } };

		expect_recs(msg, id, w, 1);
	}

	/* page unmaps keep the table (io-pgtable); a block then replaces it */
	ASSERT_OK(map1(fd, id, V, V, B, RW, ilog2_64(g), NULL));
	take(id, &(struct recs){ 0 });
	ASSERT_OK(unmap1(fd, id, V, B, NULL));
	{
		struct recs v;
		unsigned int i, adds = 0, walks = 0, syncs = 0, freed = 0;

		take(id, &v);
		for (i = 0; i < v.n; i++) {
			adds += v.r[i].kind == IOPGT_FLUSH_ADD_PAGE;
			walks += v.r[i].kind == IOPGT_FLUSH_WALK;
			syncs += v.r[i].kind == IOPGT_FLUSH_SYNC;
			freed += v.r[i].freed;
		}
		if (gpt) {
			/* generic_pt frees a table an unmap covers */
			EXPECT_EQ(v.total, 1);
			EXPECT_EQ(syncs, 1);
			EXPECT_EQ(freed, 1);
		} else {
			EXPECT_EQ(v.total, B / g + 1);
			EXPECT_EQ(walks, 0);
			if (v.total <= 64)
				EXPECT_EQ(adds, B / g);
		}
	}
	ASSERT_OK(map1(fd, id, V, V, B, RW, ilog2_64(B), NULL));
	if (gpt) {
		struct want w[] = { { IOPGT_FLUSH_SYNC_MAP, V, B, 0, 0 } };

		expect_recs("block map where the table was freed", id, w, 1);
	} else {
		struct want w[] = { { IOPGT_FLUSH_WALK, V, B, g, 0 } };

		expect_recs("block map over an empty table", id, w, 1);
	}
	{
		struct iopgt_flush_ctl ctl;
		struct iopgt_err err = { 0 };

		ASSERT_OK(iopgt_control_flushes(&g_dev, id, 0, &ctl, &err));
		EXPECT_EQ(ctl.dropped, 0);
		EXPECT_EQ(ctl.seq, 9);	/* 5 maps + 4 unmaps, each one call */
	}
	close_lib();
	as_destroy(fd, id);
	param_set("max_flush_records", 4096);
	close(fd);
}

static unsigned int tlb_ops(void)
{
	const char *s = getenv("IOPGT_TLBCHECK_OPS");

	return s ? (unsigned int)strtoul(s, NULL, 0) : 2000;
}

static void run_check(const struct h_variant *v, __u64 seed, unsigned int ops,
		      struct iopgt_tlbcheck_result *r, char **out)
{
	struct iopgt_tlbcheck_opts o = { .format = v->format, .seed = seed,
					 .ops = ops };
	struct iopgt_err err = { 0 };
	size_t len = 0;

	o.out = open_memstream(out, &len);
	ASSERT_TRUE(o.out != NULL);
	if (iopgt_tlbcheck_run(&g_dev, g_nl, &o, r, &err))
		H_FAIL("tlbcheck %s seed %llu: %s", v->fi.name,
		       (unsigned long long)seed, err.msg);
	fclose(o.out);
}

TEST_X(tlbcheck_zero_stale, H_FMT, 900, 0)
{
	struct iopgt_tlbcheck_result r;
	char *out = NULL;

	ASSERT_OK(param_set("max_flush_records", 16384));
	ASSERT_OK(param_set("flush_test_drop", 0));
	open_lib();
	run_check(variant, h_seed(), tlb_ops(), &r, &out);
	h_diag("%s: %llu ops (%llu maps, %llu unmaps, %llu core unmaps, %llu blocks over tables), %llu tables freed, %llu records, %llu entries compared, %llu changed, %llu stale, %llu over-invalidations",
	       variant->fi.name, (unsigned long long)r.ops,
	       (unsigned long long)r.maps, (unsigned long long)r.unmaps,
	       (unsigned long long)r.core_unmaps,
	       (unsigned long long)r.blocks_over_tables,
	       (unsigned long long)r.tables_freed,
	       (unsigned long long)r.c.records,
	       (unsigned long long)r.c.checked,
	       (unsigned long long)r.c.changed,
	       (unsigned long long)r.c.stale, (unsigned long long)r.c.over);
	if (r.c.stale)
		H_FAIL("%llu stale entries:\n%s", (unsigned long long)r.c.stale,
		       out ? out : "");
	EXPECT_GT(r.ops, tlb_ops() / 2);
	EXPECT_GT(r.c.changed, 0);
	if (r.block_size > (variant->fi.pgsize_sets[0] & -variant->fi.pgsize_sets[0]))
		EXPECT_GT(r.tables_freed, 0);
	free(out);
	close_lib();
	param_set("max_flush_records", 4096);
}

/* one kind of record dropped: the oracle must name what is missing */
static void dropped(const struct h_variant *v, unsigned int drop,
		    const char *name)
{
	struct iopgt_tlbcheck_result r;
	char *out = NULL;

	ASSERT_OK(param_set("flush_test_drop", drop));
	run_check(v, 11, 300, &r, &out);
	param_set("flush_test_drop", 0);
	h_diag("%s, flush_test_drop=%u: %llu stale", v->fi.name, drop,
	       (unsigned long long)r.c.stale);
	if (!r.c.stale)
		H_FAIL("%s: dropping records (flush_test_drop=%u) went unnoticed by the oracle",
		       v->fi.name, drop);
	else if (!out || !strstr(out, name))
		H_FAIL("%s: the stale-entry report does not name %s:\n%.600s",
		       v->fi.name, name, out ? out : "");
	else
		h_diag("first report: %.*s", (int)strcspn(out, "\n"), out);
	free(out);
}

TEST_X(oracle_sees_dropped_records, H_FMT, 600, 0)
{
	ASSERT_OK(param_set("max_flush_records", 16384));
	open_lib();
	if (variant->fi.flags & IOPGT_FMT_F_GENERIC_PT) {
		dropped(variant, 4, "iotlb_sync");
	} else {
		dropped(variant, 1, "tlb_flush_walk");
		dropped(variant, 2, "tlb_add_page");
	}
	close_lib();
	param_set("max_flush_records", 4096);
}

TEST_FMT(flush_log_rules)
{
	struct iopgt_flush_ctl ctl;
	struct iopgt_err err = { 0 };
	struct iopgt_as_create c;
	struct recs v;
	int fd = dev_open(), id, plain;
	__u64 g;

	open_lib();
	/* off by default: no log, FLUSH_GET refuses with EOPNOTSUPP */
	plain = as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(plain, 0);
	ASSERT_OK(iopgt_control_flushes(&g_dev, plain, 0, &ctl, &err));
	EXPECT_EQ(ctl.out_flags, 0);
	EXPECT_EQ(iopgt_netlink_dump_flushes(g_nl, 0, plain, 0, collect, &v, &err),
		  -EOPNOTSUPP);
	EXPECT_EQ(iopgt_control_flushes(&g_dev, 999999, 0, &ctl, &err), -ENOENT);
	EXPECT_EQ(iopgt_netlink_dump_flushes(g_nl, 0, 999999, 0, collect, &v, &err),
		  -ENOENT);
	EXPECT_EQ(iopgt_control_flushes(&g_dev, plain, 0x80, &ctl, &err), -EINVAL);
	if (variant->fi.flags & IOPGT_FMT_F_ONE_LIVE) {
		/* one live AS of this format at a time: the next needs this gone */
		ASSERT_OK(as_destroy(fd, plain));
		plain = 0;
	}

	/* bounded: 3 records kept, the rest counted as dropped */
	ASSERT_OK(param_set("max_flush_records", 3));
	id = as_create(fd, variant->format, IOPGT_AS_RECORD_FLUSHES | IOPGT_AS_PERSISTENT, 0, 0, 0,
		       0, &c);
	param_set("max_flush_records", 4096);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(map1(fd, id, 0, 0, 8 * g, RW, ilog2_64(g), NULL));
	for (int i = 0; i < 8; i++)	/* 8 calls: at least 8 records */
		ASSERT_OK(unmap1(fd, id, i * g, g, NULL));
	ASSERT_OK(iopgt_control_flushes(&g_dev, id, 0, &ctl, &err));
	EXPECT_EQ(ctl.capacity, 3);
	EXPECT_EQ(ctl.n_records, 3);
	EXPECT_GT(ctl.dropped, 4);
	EXPECT_EQ(ctl.seq, 9);
	memset(&v, 0, sizeof(v));
	ASSERT_OK(iopgt_netlink_dump_flushes(g_nl, 0, id, 0, collect, &v, &err));
	EXPECT_EQ(v.total, 3);
	/* resumable from an index */
	memset(&v, 0, sizeof(v));
	ASSERT_OK(iopgt_netlink_dump_flushes(g_nl, 0, id, 2, collect, &v, &err));
	EXPECT_EQ(v.total, 1);
	EXPECT_EQ(v.r[0].index, 2);
	/* clear */
	ASSERT_OK(iopgt_control_flushes(&g_dev, id, IOPGT_FLUSH_CTL_CLEAR, &ctl, &err));
	ASSERT_OK(iopgt_control_flushes(&g_dev, id, 0, &ctl, &err));
	EXPECT_EQ(ctl.n_records, 0);
	EXPECT_EQ(ctl.dropped, 0);
	EXPECT_EQ(ctl.first_index, 3);
	memset(&v, 0, sizeof(v));
	ASSERT_OK(iopgt_netlink_dump_flushes(g_nl, 0, id, 0, collect, &v, &err));
	EXPECT_EQ(v.total, 0);
	/* unknown UNMAP flag; a core unmap keeps the range rules */
	{
		struct iopgt_unmap_entry e = { .iova = 0, .length = g };
		__u64 big = c.out_pgsize_bitmap & ~(2 * g - 1);

		EXPECT_EQ(iopgt_unmap_entries_flags(&g_dev, id, 0x2, &e, 1, NULL, &err),
			  -EINVAL);
		e = (struct iopgt_unmap_entry){ .iova = 64 * g, .length = g };
		EXPECT_EQ(iopgt_unmap_entries_flags(&g_dev, id, IOPGT_UNMAP_CORE, &e, 1,
					    NULL, &err), -ENOENT);
		EXPECT_EQ(e.reason, IOPGT_REASON_HOLE);
		big &= -big;	/* the smallest block above the granule */
		if (big && big <= (1ULL << 30)) {
			ASSERT_OK(map1(fd, id, big, big, big, RW, ilog2_64(big),
				       NULL));
			e = (struct iopgt_unmap_entry){ .iova = big, .length = g };
			EXPECT_EQ(iopgt_unmap_entries_flags(&g_dev, id, IOPGT_UNMAP_CORE,
						    &e, 1, NULL, &err), -EINVAL);
			EXPECT_EQ(e.reason, IOPGT_REASON_PARTIAL_BLOCK);
			e = (struct iopgt_unmap_entry){ .iova = big, .length = big };
			EXPECT_EQ(iopgt_unmap_entries_flags(&g_dev, id, IOPGT_UNMAP_CORE,
						    &e, 1, NULL, &err), 0);
			EXPECT_EQ(e.unmapped, big);
		}
	}
	close_lib();
	as_destroy(fd, id);
	if (plain)
		as_destroy(fd, plain);
	close(fd);
}
