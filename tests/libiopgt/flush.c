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
 *    clear, errnos of FLUSH_CTL and FLUSH_GET;
 *  - flush_contract_rules: GET_INFO's IOPGT_FMT_F_FLUSH_* per format (the
 *    PT_SUPPORTED_FEATURES of generic_pt/fmt/iommu_*.c), AS_CREATE with
 *    each contract (refused EOPNOTSUPP / EINVAL with their reasons where
 *    not, io-pgtable always), the contract in AS_INFO, FLUSH_CTL and every
 *    record;
 *  - flush_contract_records_exact: one UNMAP of two disjoint ranges (pages,
 *    then core-style ones freeing a table each) under each contract: two
 *    syncs, each exactly its range, per library call and under NO_GAPS;
 *    one sync spanning both under FLUSH_RANGE;
 *  - tlbcheck_contracts: the random workload (multi-range unmaps included)
 *    under FLUSH_RANGE and NO_GAPS: no stale entry, no NO_GAPS violation,
 *    gaps counted under FLUSH_RANGE only;
 *  - oracle_sees_merged_gathers: with the test-only defect that gives a
 *    NO_GAPS address space PT_FEAT_FLUSH_RANGE (flush_test_drop=8) the
 *    two-range UNMAP has one merged sync and the oracle reports NO_GAPS
 *    violations naming the contract;
 *  - tlbcheck_top_growth: PT_AMDV1 from its fewest levels grown level by
 *    level by the workload (GET_HW_CFG levels before/after), every change
 *    with its top record and no stale entry; without the top records
 *    (flush_test_drop=16) the oracle reports the stale root naming
 *    change_top.
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

/* flush_test_drop bits of module/flush.h used here */
#define IOPGT_DEFECT_MERGE	8	/* NO_GAPS address spaces get FLUSH_RANGE */
#define IOPGT_DROP_TOP		16	/* change_top records */

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

static void run_check_c(const struct h_variant *v, __u64 seed,
			unsigned int ops, __u32 contract,
			struct iopgt_tlbcheck_result *r, char **out)
{
	struct iopgt_tlbcheck_opts o = { .format = v->format, .seed = seed,
					 .ops = ops, .flush_contract = contract,
					 .grow_top = 1 };
	struct iopgt_err err = { 0 };
	size_t len = 0;

	o.out = open_memstream(out, &len);
	ASSERT_TRUE(o.out != NULL);
	if (iopgt_tlbcheck_run(&g_dev, g_nl, &o, r, &err))
		H_FAIL("tlbcheck %s seed %llu: %s", v->fi.name,
		       (unsigned long long)seed, err.msg);
	fclose(o.out);
}

static void run_check(const struct h_variant *v, __u64 seed, unsigned int ops,
		      struct iopgt_tlbcheck_result *r, char **out)
{
	run_check_c(v, seed, ops, IOPGT_FLUSH_CONTRACT_CALL, r, out);
}

static void diag_result(const char *name, const char *contract,
			const struct iopgt_tlbcheck_result *r)
{
	h_diag("%s %s: %llu ops (%llu maps, %llu unmaps, %llu core unmaps, %llu multi-range unmaps, %llu blocks over tables), %llu tables freed, %llu records, %llu entries compared, %llu changed, %llu stale, %llu over-invalidations, %llu syncs over gaps (%llu bytes), %llu NO_GAPS violations, levels %u -> %u (%llu top changes)",
	       name, contract, (unsigned long long)r->ops,
	       (unsigned long long)r->maps, (unsigned long long)r->unmaps,
	       (unsigned long long)r->core_unmaps,
	       (unsigned long long)r->multi_unmaps,
	       (unsigned long long)r->blocks_over_tables,
	       (unsigned long long)r->tables_freed,
	       (unsigned long long)r->c.records,
	       (unsigned long long)r->c.checked,
	       (unsigned long long)r->c.changed,
	       (unsigned long long)r->c.stale, (unsigned long long)r->c.over,
	       (unsigned long long)r->c.gaps,
	       (unsigned long long)r->c.gap_bytes,
	       (unsigned long long)r->c.nogaps_violations, r->levels_start,
	       r->levels_end, (unsigned long long)r->c.top_changes);
}

TEST_X(tlbcheck_zero_stale, H_FMT, 900, 0)
{
	struct iopgt_tlbcheck_result r;
	char *out = NULL;

	ASSERT_OK(param_set("max_flush_records", 16384));
	ASSERT_OK(param_set("flush_test_drop", 0));
	open_lib();
	run_check(variant, h_seed(), tlb_ops(), &r, &out);
	diag_result(variant->fi.name, "call", &r);
	if (r.c.stale)
		H_FAIL("%llu stale entries:\n%s", (unsigned long long)r.c.stale,
		       out ? out : "");
	EXPECT_GT(r.ops, tlb_ops() / 2);
	EXPECT_GT(r.c.changed, 0);
	EXPECT_GT(r.multi_unmaps, 0);
	/* a gather per library call never spans a gap */
	EXPECT_EQ(r.c.gaps, 0);
	EXPECT_EQ(r.c.nogaps_violations, 0);
	/* PT_AMDV1 (PT_FEAT_DYNAMIC_TOP) grows from its fewest levels */
	if (variant->format == IOPGT_FMT_PT_AMDV1) {
		EXPECT_EQ(r.levels_start, variant->fi.levels_min);
		EXPECT_GT(r.levels_end, r.levels_start + 1);
		EXPECT_EQ(r.c.top_changes, r.levels_end - r.levels_start);
	} else {
		EXPECT_EQ(r.c.top_changes, 0);
	}
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

/* ------------------------------------------------ invalidation contracts */

static const struct contract_case {
	const char *name;
	__u32 contract, create_flag, fmt_flag, info_flag, ctl_flag;
} contracts[] = {
	{ "range", IOPGT_FLUSH_CONTRACT_RANGE, IOPGT_AS_FLUSH_RANGE,
	  IOPGT_FMT_F_FLUSH_RANGE, IOPGT_AS_INFO_FLUSH_RANGE,
	  IOPGT_FLUSH_CTL_CONTRACT_RANGE },
	{ "no-gaps", IOPGT_FLUSH_CONTRACT_NO_GAPS, IOPGT_AS_FLUSH_NO_GAPS,
	  IOPGT_FMT_F_FLUSH_NO_GAPS, IOPGT_AS_INFO_FLUSH_NO_GAPS,
	  IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS },
};

/*
 * The contracts each generic_pt format accepts: PT_SUPPORTED_FEATURES of
 * drivers/iommu/generic_pt/fmt/iommu_{amdv1,vtdss,x86_64}.c
 */
static __u32 contracts_of_format(__u32 f)
{
	switch (f) {
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_X86_64:
		return IOPGT_FMT_F_FLUSH_RANGE | IOPGT_FMT_F_FLUSH_NO_GAPS;
	case IOPGT_FMT_PT_VTDSS:
		return IOPGT_FMT_F_FLUSH_RANGE;
	}
	return 0;
}

static int contract_seen;
static __u32 contract_want;

static int check_contract(const struct iopgt_flush_entry *r, void *arg)
{
	(void)arg;
	if (!(r->has & IOPGT_HAS(IOPGT_A_FLUSH_CONTRACT)) ||
	    r->contract != contract_want)
		contract_seen = -1;
	else if (!contract_seen)
		contract_seen = 1;
	return 0;
}

TEST_FMT(flush_contract_rules)
{
	__u32 want = contracts_of_format(variant->format);
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	struct iopgt_flush_ctl ctl;
	struct iopgt_err err = { 0 };
	int fd = dev_open(), id;
	unsigned int i;
	__u64 g;

	open_lib();
	EXPECT_EQ(variant->fi.flags & (IOPGT_FMT_F_FLUSH_RANGE |
				       IOPGT_FMT_F_FLUSH_NO_GAPS), want);
	/* one contract at a time */
	ASSERT_ERRNO(as_create(fd, variant->format,
			       IOPGT_AS_FLUSH_RANGE | IOPGT_AS_FLUSH_NO_GAPS |
			       IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c), EINVAL);
	EXPECT_EQ(c.out_reason, IOPGT_REASON_FLUSH_CONTRACT_COMBINATION);
	for (i = 0; i < 2; i++) {
		const struct contract_case *k = &contracts[i];

		if (!(want & k->fmt_flag)) {
			ASSERT_ERRNO(as_create(fd, variant->format,
					       k->create_flag | IOPGT_AS_PERSISTENT,
					       0, 0, 0, 0, &c), EOPNOTSUPP);
			EXPECT_EQ(c.out_reason,
				  IOPGT_REASON_FLUSH_CONTRACT_UNSUPPORTED);
			h_diag("%s: contract %s refused: EOPNOTSUPP, reason %u",
			       variant->fi.name, k->name, c.out_reason);
			continue;
		}
		id = as_create(fd, variant->format,
			       k->create_flag | IOPGT_AS_RECORD_FLUSHES |
			       IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
		ASSERT_GT(id, 0);
		ASSERT_OK(as_info(fd, id, &ai));
		EXPECT_EQ(ai.flags & (IOPGT_AS_INFO_FLUSH_RANGE |
				      IOPGT_AS_INFO_FLUSH_NO_GAPS), k->info_flag);
		ASSERT_OK(iopgt_control_flushes(&g_dev, id, 0, &ctl, &err));
		EXPECT_EQ(ctl.out_flags, IOPGT_FLUSH_CTL_RECORDING | k->ctl_flag);
		g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
		ASSERT_OK(map1(fd, id, 0, 0, 2 * g, RW, ilog2_64(g), NULL));
		ASSERT_OK(unmap1(fd, id, 0, 2 * g, NULL));
		contract_seen = 0;
		contract_want = k->contract;
		ASSERT_OK(iopgt_netlink_dump_flushes(g_nl, 0, id, 0,
						     check_contract, NULL, &err));
		if (contract_seen != 1)
			H_FAIL("%s: records of a %s address space do not all carry IOPGT_A_FLUSH_CONTRACT %u",
			       variant->fi.name, k->name, k->contract);
		ASSERT_OK(as_destroy(fd, id));
	}
	/* no contract: CALL in every record, nothing in AS_INFO */
	id = as_create(fd, variant->format,
		       IOPGT_AS_RECORD_FLUSHES | IOPGT_AS_PERSISTENT, 0, 0, 0, 0,
		       &c);
	ASSERT_GT(id, 0);
	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(ai.flags & (IOPGT_AS_INFO_FLUSH_RANGE |
			      IOPGT_AS_INFO_FLUSH_NO_GAPS), 0);
	ASSERT_OK(iopgt_control_flushes(&g_dev, id, 0, &ctl, &err));
	EXPECT_EQ(ctl.out_flags, IOPGT_FLUSH_CTL_RECORDING);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(map1(fd, id, 0, 0, g, RW, ilog2_64(g), NULL));
	ASSERT_OK(unmap1(fd, id, 0, g, NULL));
	contract_seen = 0;
	contract_want = IOPGT_FLUSH_CONTRACT_CALL;
	ASSERT_OK(iopgt_netlink_dump_flushes(g_nl, 0, id, 0, check_contract,
					     NULL, &err));
	EXPECT_EQ(contract_seen, 1);
	ASSERT_OK(as_destroy(fd, id));
	close_lib();
	close(fd);
}

/* one UNMAP call of two disjoint ranges: core or not */
static void unmap2(__u32 id, __u32 flags, __u64 a, __u64 alen, __u64 b,
		   __u64 blen)
{
	struct iopgt_unmap_entry e[2] = {
		{ .iova = a, .length = alen }, { .iova = b, .length = blen },
	};
	struct iopgt_err err = { 0 };
	__u32 done = 0;

	if (iopgt_unmap_entries_flags(&g_dev, id, flags, e, 2, &done, &err))
		H_FAIL("UNMAP of two ranges: %s", err.msg);
	EXPECT_EQ(done, 2);
	EXPECT_EQ(e[0].unmapped, alen);
	EXPECT_EQ(e[1].unmapped, blen);
}

/*
 * The records of one UNMAP of [X, X + 2g) and [X + 8g, X + 10g) (pages),
 * then of two table spans mapped with pages, core-style (a table freed
 * each), in an address space of contract @k (NULL: none).
 */
static void two_range_records(const struct h_variant *v,
			      const struct contract_case *k, int merged)
{
	struct iopgt_as_create c;
	int fd = dev_open(), id;
	__u64 g, B, X, Y;
	char what[128];

	id = as_create(fd, v->format,
		       (k ? k->create_flag : 0) | IOPGT_AS_RECORD_FLUSHES |
		       IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	B = table_span(v->format, g);
	X = 4 * B;
	Y = 8 * B;
	ASSERT_OK(map1(fd, id, X, X, 2 * g, RW, ilog2_64(g), NULL));
	ASSERT_OK(map1(fd, id, X + 8 * g, X + 8 * g, 2 * g, RW, ilog2_64(g),
		       NULL));
	take(id, &(struct recs){ 0 });
	unmap2(id, 0, X, 2 * g, X + 8 * g, 2 * g);
	snprintf(what, sizeof(what), "%s, contract %s%s: UNMAP of 0x%llx+0x%llx and 0x%llx+0x%llx",
		 v->fi.name, k ? k->name : "call",
		 merged ? " (merging defect)" : "", (unsigned long long)X,
		 (unsigned long long)(2 * g), (unsigned long long)(X + 8 * g),
		 (unsigned long long)(2 * g));
	if (merged) {
		struct want w[] = { { IOPGT_FLUSH_SYNC, X, 10 * g, 0, 0 } };

		expect_recs(what, id, w, 1);
	} else {
		struct want w[] = { { IOPGT_FLUSH_SYNC, X, 2 * g, 0, 0 },
				    { IOPGT_FLUSH_SYNC, X + 8 * g, 2 * g, 0, 0 } };

		expect_recs(what, id, w, 2);
	}

	/* two table spans of pages, core-style: each frees its table */
	ASSERT_OK(map1(fd, id, X, X, B, RW, ilog2_64(g), NULL));
	ASSERT_OK(map1(fd, id, Y, Y, B, RW, ilog2_64(g), NULL));
	take(id, &(struct recs){ 0 });
	unmap2(id, IOPGT_UNMAP_CORE, X, B, Y, B);
	snprintf(what, sizeof(what), "%s, contract %s%s: core UNMAP of 0x%llx+0x%llx and 0x%llx+0x%llx",
		 v->fi.name, k ? k->name : "call",
		 merged ? " (merging defect)" : "", (unsigned long long)X,
		 (unsigned long long)B, (unsigned long long)Y,
		 (unsigned long long)B);
	if (merged) {
		struct want w[] = { { IOPGT_FLUSH_SYNC, X, Y + B - X, 0, 2 } };

		expect_recs(what, id, w, 1);
	} else {
		struct want w[] = { { IOPGT_FLUSH_SYNC, X, B, 0, 1 },
				    { IOPGT_FLUSH_SYNC, Y, B, 0, 1 } };

		expect_recs(what, id, w, 2);
	}
	as_destroy(fd, id);
	close(fd);
}

TEST_X(flush_contract_records_exact, H_FMT, 120, 0)
{
	__u32 want = contracts_of_format(variant->format);
	unsigned int i;

	if (!(variant->fi.flags & IOPGT_FMT_F_GENERIC_PT))
		h_skip("%s: io-pgtable formats have no invalidation contract (AS_CREATE refuses one: flush_contract_rules)",
		       variant->fi.name);
	ASSERT_OK(param_set("flush_test_drop", 0));
	open_lib();
	two_range_records(variant, NULL, 0);
	for (i = 0; i < 2; i++)
		if (want & contracts[i].fmt_flag)
			two_range_records(variant, &contracts[i],
					  contracts[i].contract ==
					  IOPGT_FLUSH_CONTRACT_RANGE);
	close_lib();
}

TEST_X(tlbcheck_contracts, H_FMT, 900, 0)
{
	__u32 want = contracts_of_format(variant->format);
	struct iopgt_tlbcheck_result r;
	unsigned int i;
	char *out;

	if (!want)
		h_skip("%s has no invalidation contract (%s)", variant->fi.name,
		       variant->fi.flags & IOPGT_FMT_F_GENERIC_PT ?
		       "not in its PT_SUPPORTED_FEATURES" : "io-pgtable");
	ASSERT_OK(param_set("max_flush_records", 16384));
	ASSERT_OK(param_set("flush_test_drop", 0));
	open_lib();
	for (i = 0; i < 2; i++) {
		const struct contract_case *k = &contracts[i];

		if (!(want & k->fmt_flag))
			continue;
		out = NULL;
		run_check_c(variant, h_seed(), tlb_ops() / 2, k->contract, &r,
			    &out);
		diag_result(variant->fi.name, k->name, &r);
		if (r.c.stale || r.c.nogaps_violations)
			H_FAIL("%s contract %s: %llu stale entries, %llu NO_GAPS violations:\n%s",
			       variant->fi.name, k->name,
			       (unsigned long long)r.c.stale,
			       (unsigned long long)r.c.nogaps_violations,
			       out ? out : "");
		EXPECT_GT(r.multi_unmaps, 0);
		if (k->contract == IOPGT_FLUSH_CONTRACT_RANGE)
			EXPECT_GT(r.c.gaps, 0);	/* allowed, counted */
		else
			EXPECT_EQ(r.c.gaps, 0);
		free(out);
	}
	close_lib();
	param_set("max_flush_records", 4096);
}

TEST_X(oracle_sees_merged_gathers, H_FMT, 600, 0)
{
	struct iopgt_tlbcheck_result r;
	char *out = NULL;

	if (!(contracts_of_format(variant->format) & IOPGT_FMT_F_FLUSH_NO_GAPS))
		h_skip("%s has no NO_GAPS contract", variant->fi.name);
	ASSERT_OK(param_set("max_flush_records", 16384));
	ASSERT_OK(param_set("flush_test_drop", IOPGT_DEFECT_MERGE));
	open_lib();
	/* the records: one sync spanning both ranges */
	two_range_records(variant, &contracts[1], 1);
	run_check_c(variant, 11, 300, IOPGT_FLUSH_CONTRACT_NO_GAPS, &r, &out);
	param_set("flush_test_drop", 0);
	diag_result(variant->fi.name, "no-gaps (merging defect)", &r);
	if (!r.c.nogaps_violations)
		H_FAIL("%s: NO_GAPS address spaces created with FLUSH_RANGE (flush_test_drop=%u) went unnoticed by the oracle",
		       variant->fi.name, IOPGT_DEFECT_MERGE);
	else if (!out || !strstr(out, "NO_GAPS VIOLATION"))
		H_FAIL("%s: the report does not name the NO_GAPS violation:\n%.600s",
		       variant->fi.name, out ? out : "");
	else
		h_diag("first report: %.*s",
		       (int)strcspn(strstr(out, "NO_GAPS VIOLATION"), "\n"),
		       strstr(out, "NO_GAPS VIOLATION"));
	free(out);
	close_lib();
	param_set("max_flush_records", 4096);
}

TEST_X(tlbcheck_top_growth, H_FMT, 600, 0)
{
	struct iopgt_tlbcheck_result r;
	char *out = NULL;

	/* PT_AMDV1 alone has PT_FEAT_DYNAMIC_TOP (iommu_amdv1.c) */
	if (variant->format != IOPGT_FMT_PT_AMDV1)
		h_skip("the top of %s never changes (no PT_FEAT_DYNAMIC_TOP)",
		       variant->fi.name);
	ASSERT_OK(param_set("max_flush_records", 16384));
	ASSERT_OK(param_set("flush_test_drop", 0));
	open_lib();
	run_check(variant, h_seed(), 300, &r, &out);
	diag_result(variant->fi.name, "call", &r);
	if (r.c.stale)
		H_FAIL("%llu stale entries:\n%s", (unsigned long long)r.c.stale,
		       out ? out : "");
	EXPECT_EQ(r.levels_start, variant->fi.levels_min);
	EXPECT_EQ(r.levels_end, variant->fi.levels_max);
	EXPECT_EQ(r.c.top_changes, r.levels_end - r.levels_start);
	free(out);

	/* without the top records the cached root is stale */
	out = NULL;
	ASSERT_OK(param_set("flush_test_drop", IOPGT_DROP_TOP));
	run_check(variant, 11, 300, &r, &out);
	param_set("flush_test_drop", 0);
	h_diag("%s, flush_test_drop=%u: %llu stale, %llu top changes",
	       variant->fi.name, IOPGT_DROP_TOP, (unsigned long long)r.c.stale,
	       (unsigned long long)r.c.top_changes);
	if (!r.c.stale)
		H_FAIL("%s: dropping the top records (flush_test_drop=%u) went unnoticed by the oracle",
		       variant->fi.name, IOPGT_DROP_TOP);
	else if (!out || !strstr(out, "change_top"))
		H_FAIL("%s: the stale-entry report does not name change_top:\n%.600s",
		       variant->fi.name, out ? out : "");
	else
		h_diag("first report: %.*s", (int)strcspn(out, "\n"), out);
	free(out);
	close_lib();
	param_set("max_flush_records", 4096);
}
