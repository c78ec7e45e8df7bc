// SPDX-License-Identifier: GPL-2.0
/*
 * Caps: max_as (per device) and max_as_table_bytes / max_table_bytes (table
 * memory) give ENOSPC, and nothing leaks (the harness compares GET_INFO's
 * module_allocs/table_bytes/nr_as before and after every test). Params are
 * lowered through /sys/module/iopgt/parameters and restored. Table memory is
 * counted in GET_INFO's table_bytes per page-size set (a 4K-granule table
 * takes a whole 16K page on a 16K-page kernel).
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

static void need_param(const char *p)
{
	if (!param_exists(p)) {
		H_FAIL("module parameter %s missing", p);
		h_abort();
	}
}

TEST_FMT(max_as)
{
	struct iopgt_get_info gi;
	unsigned long long old;
	int fd = dev_open(), ids[4], n = 0, r;

	need_param("max_as");
	ASSERT_OK(param_get("max_as", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_EQ(gi.max_as_per_device, old);
	if (variant->fi.flags & IOPGT_FMT_F_ONE_LIVE) {
		struct iopgt_as_create c;

		/*
		 * GET_INFO says one live AS of this format at a time: at the
		 * cap the cap speaks (ENOSPC), below it that limit (EBUSY)
		 */
		ASSERT_OK(param_set("max_as", gi.nr_as + 1));
		r = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
		EXPECT_GT(r, 0);
		EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 0, &c), ENOSPC);
		EXPECT_EQ(c.out_reason, IOPGT_REASON_AS_CAP);
		ASSERT_OK(param_set("max_as", gi.nr_as + 2));
		EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 0, &c), EBUSY);
		EXPECT_EQ(c.out_reason, IOPGT_REASON_ONE_AT_A_TIME);
		EXPECT_ERRNO(as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0,
				       &c), EBUSY);
		/* a destroy frees the one slot */
		EXPECT_OK(as_destroy(fd, r));
		r = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
		EXPECT_GT(r, 0);
		EXPECT_OK(param_set("max_as", old));
		close(fd);
		return;
	}
	ASSERT_OK(param_set("max_as", gi.nr_as + 2));
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_EQ(gi.max_as_per_device, gi.nr_as + 2);
	for (; n < 2; n++) {
		ids[n] = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
		if (ids[n] < 0) {
			H_FAIL("create %d under the cap: %s", n, h_errname(errno));
			break;
		}
	}
	EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL), ENOSPC);
	EXPECT_ERRNO(as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, NULL),
		     ENOSPC);
	/* a destroy frees a slot */
	if (n == 2) {
		EXPECT_OK(as_destroy(fd, ids[1]));
		r = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
		EXPECT_GT(r, 0);
		EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL), ENOSPC);
	}
	EXPECT_OK(param_set("max_as", old));
	r = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
	EXPECT_GT(r, 0);
	close(fd);
}

/*
 * Map granules one leaf table apart until the table-memory cap says ENOSPC;
 * returns the number mapped.
 */
static int fill_tables(int fd, int id, __u64 gran, __u64 step, int max, __u64 *first_fail)
{
	int i;

	for (i = 0; i < max; i++) {
		if (map1(fd, id, i * step, 0, gran, RW, ilog2_64(gran), NULL)) {
			if (errno != ENOSPC)
				H_FAIL("map %d at 0x%llx: %s, expected success or ENOSPC", i,
				       (unsigned long long)(i * step), h_errname(errno));
			*first_fail = i * step;
			return i;
		}
	}
	*first_fail = ~0ULL;
	return i;
}

TEST_FMT(max_as_table_bytes)
{
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	unsigned long long old;
	__u64 gran, step, fail_at = 0, cap;
	int fd = dev_open(), id, n;

	need_param("max_as_table_bytes");
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	id = as_create_v(fd, variant, 0, &c);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	/* a leaf table covers at most 2^(granule bits * 2) bytes of IOVA: step that far */
	step = gran * (gran / 4);
	if (c.out_ias < 64 && step * 64 > 1ULL << c.out_ias)
		step = (1ULL << c.out_ias) / 64;
	ASSERT_OK(as_info(fd, id, &ai));
	cap = ai.table_bytes + 8 * table_unit(&variant->fi, c.out_pgsize_bitmap);
	as_destroy(fd, id);
	ASSERT_OK(param_set("max_as_table_bytes", cap));
	id = as_create_v(fd, variant, 0, &c);
	n = fill_tables(fd, id, gran, step, 64, &fail_at);
	ASSERT_OK(as_info(fd, id, &ai));
	h_diag("cap %llu: %d leaf tables mapped, table_bytes %llu", cap, n,
	       (unsigned long long)ai.table_bytes);
	EXPECT_LT(n, 64);
	EXPECT_LE(ai.table_bytes, cap);
	EXPECT_EQ(ai.mapped_bytes, n * gran);
	/* the refused map left nothing behind and the AS still works */
	if (fail_at != ~0ULL) {
		EXPECT_EQ(xlate_or_none(fd, id, fail_at), ~0ULL);
		EXPECT_ERRNO(map1(fd, id, fail_at, 0, gran, RW, 0, NULL), ENOSPC);
	}
	if (n > 0) {
		/* a map into an existing leaf table needs no memory */
		EXPECT_OK(map1(fd, id, gran, gran, gran, RW, 0, NULL));
		EXPECT_EQ(xlate_or_none(fd, id, 0), 0);
	}
	/* another AS has its own budget (where two may live at once) */
	if (variant->fi.flags & IOPGT_FMT_F_ONE_LIVE) {
		EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL), EBUSY);
	} else {
		int id2 = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);

		EXPECT_GT(id2, 0);
		if (id2 > 0)
			EXPECT_OK(map1(fd, id2, step, 0, gran, RW, 0, NULL));
	}
	EXPECT_OK(param_set("max_as_table_bytes", old));
	/* raised again: mapping continues */
	if (fail_at != ~0ULL)
		EXPECT_OK(map1(fd, id, fail_at, 0, gran, RW, 0, NULL));
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST_FMT(max_table_bytes_device)
{
	struct iopgt_get_info gi;
	struct iopgt_as_create c;
	unsigned long long old;
	__u64 gran, step, fail_at = 0;
	int fd = dev_open(), a, b, n;

	need_param("max_table_bytes");
	ASSERT_OK(param_get("max_table_bytes", &old));
	a = as_create_v(fd, variant, 0, &c);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	step = gran * (gran / 4);
	if (c.out_ias < 64 && step * 64 > 1ULL << c.out_ias)
		step = (1ULL << c.out_ias) / 64;
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_EQ(gi.max_table_bytes, old);
	ASSERT_OK(param_set("max_table_bytes", gi.table_bytes +
			    8 * table_unit(&variant->fi, c.out_pgsize_bitmap)));
	n = fill_tables(fd, a, gran, step, 64, &fail_at);
	EXPECT_LT(n, 64);
	/* the device is full: a second AS cannot get tables either */
	b = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
	if (b > 0)
		EXPECT_ERRNO(map1(fd, b, 63 * step, 0, gran, RW, ilog2_64(gran), NULL), ENOSPC);
	else	/* a second live AS of a ONE_LIVE format: EBUSY */
		EXPECT_EQ(errno, variant->fi.flags & IOPGT_FMT_F_ONE_LIVE ? EBUSY : ENOSPC);
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_LE(gi.table_bytes, gi.max_table_bytes);
	EXPECT_OK(param_set("max_table_bytes", old));
	close(fd);
}

/*
 * GET_INFO's table_bytes is what a table costs: mapping one granule into an
 * empty AS adds whole tables of that size (one per level below the top at
 * most), and where the kernel counts table pages in nr_iommu_pages the
 * pages it took are exactly those bytes.
 */
TEST_CFG(table_bytes_unit)
{
	struct iopgt_as_create c;
	struct iopgt_as_info a0, a1;
	struct iopgt_get_info gi;
	__u64 unit, gran, grown;
	long long p0, p1;
	int fd = dev_open(), id;

	ASSERT_OK(get_info(fd, &gi, NULL));
	id = as_create_v(fd, variant, 0, &c);
	unit = table_unit(&variant->fi, c.out_pgsize_bitmap);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_TRUE(unit > 0);
	if (variant->format != IOPGT_FMT_ARM_V7S)
		EXPECT_EQ(unit, gran > gi.page_size ? gran : gi.page_size);
	ASSERT_OK(as_info(fd, id, &a0));
	p0 = read_nr_iommu_pages();
	ASSERT_OK(map1(fd, id, 0, 0, gran, RW, ilog2_64(gran), NULL));
	p1 = read_nr_iommu_pages();
	ASSERT_OK(as_info(fd, id, &a1));
	grown = a1.table_bytes - a0.table_bytes;
	h_diag("%s granule 0x%llx: table unit %llu, one map added %llu bytes (%u levels), nr_iommu_pages %+lld",
	       variant->name, (unsigned long long)gran, (unsigned long long)unit,
	       (unsigned long long)grown, c.out_levels, p1 - p0);
	EXPECT_GT(grown, 0);
	EXPECT_EQ(grown % unit, 0);
	EXPECT_LE(grown, (c.out_levels ? c.out_levels : 4) * unit);
	if (p0 >= 0 && p1 > p0 && variant->format != IOPGT_FMT_ARM_V7S)
		EXPECT_EQ((__u64)(p1 - p0) * gi.page_size, grown);
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST_FMT(max_map_entries_param)
{
	struct iopgt_map_entry e[5];
	struct iopgt_map m;
	unsigned long long old;
	int fd = dev_open(), id;

	need_param("max_map_entries");
	ASSERT_OK(param_get("max_map_entries", &old));
	id = as_create_v(fd, variant, 0, NULL);
	ASSERT_OK(param_set("max_map_entries", 4));
	memset(e, 0, sizeof(e));
	for (int i = 0; i < 5; i++)
		e[i] = (struct iopgt_map_entry){ .iova = i * SZ_1M, .length = SZ_64K, .prot = RW };
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.as_id = id;
	m.entries_uptr = (uintptr_t)e;
	m.entry_size = sizeof(e[0]);
	m.n_entries = 5;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), ENOSPC);
	EXPECT_EQ(xlate_or_none(fd, id, 0), ~0ULL);
	m.n_entries = 4;
	EXPECT_OK(ioctl(fd, IOPGT_MAP, &m));
	EXPECT_EQ(m.n_done, 4);
	EXPECT_OK(param_set("max_map_entries", old));
	close(fd);
}
