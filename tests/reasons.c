// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel names the rule a request broke (issue 9 item 7): enum
 * iopgt_reason in AS_CREATE's out_reason and in every MAP/UNMAP entry,
 * next to an exact errno; AS_CREATE says when ias/oas were clamped;
 * GET_INFO's format info carries the rules beyond the ranges (oas_set,
 * IOPGT_FMT_RULE_*); a kernel without any usable format says so, and why,
 * once in the kernel log at probe.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <unistd.h>

#include "util.h"

static int create_r(int fd, __u32 format, __u32 flags, __u64 pgsizes, __u32 ias,
		    __u32 oas, __u64 quirks, int want_errno, __u32 want_reason,
		    const char *what)
{
	struct iopgt_as_create c;
	int id;

	memset(&c, 0, sizeof(c));
	c.out_reason = 0xdead;
	id = as_create(fd, format, flags, pgsizes, ias, oas, quirks, &c);
	if (!want_errno) {
		if (id < 0)
			H_FAIL("%s: AS_CREATE failed: %s (reason %u)", what,
			       h_errname(errno), c.out_reason);
		else if (c.out_reason)
			H_FAIL("%s: success with out_reason %u", what, c.out_reason);
		return id;
	}
	if (id >= 0) {
		H_FAIL("%s: AS_CREATE succeeded, expected %s (reason %u)", what,
		       h_errname(want_errno), want_reason);
		as_destroy(fd, id);
		return -1;
	}
	if (errno != want_errno)
		H_FAIL("%s: got %s, expected %s", what, h_errname(errno),
		       h_errname(want_errno));
	if (c.out_reason != want_reason)
		H_FAIL("%s: out_reason %u, expected %u", what, c.out_reason, want_reason);
	return -1;
}

#define CREATE_R(fd, fmt, fl, pg, ias, oas, q, e, r) \
	create_r(fd, fmt, fl, pg, ias, oas, q, e, r, #fmt " " #fl " " #pg " " #ias " " #oas " " #q)

TEST(create_format_ids)
{
	int fd = dev_open();
	struct iopgt_get_info gi;
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];

	ASSERT_OK(get_info(fd, &gi, fi));
	CREATE_R(fd, 0, 0, 0, 0, 0, 0, EINVAL, IOPGT_REASON_FORMAT_UNKNOWN);
	CREATE_R(fd, IOPGT_FMT_COUNT, 0, 0, 0, 0, 0, EINVAL, IOPGT_REASON_FORMAT_UNKNOWN);
	CREATE_R(fd, 0xffffffffU, 0, 0, 0, 0, 0, EINVAL, IOPGT_REASON_FORMAT_UNKNOWN);
	CREATE_R(fd, 1, 0x80, 0, 0, 0, 0, EINVAL, IOPGT_REASON_FLAGS_UNKNOWN);
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
		if (!(fi[i].flags & IOPGT_FMT_F_AVAILABLE))
			create_r(fd, fi[i].format, 0, 0, 0, 0, 0, EOPNOTSUPP,
				 IOPGT_REASON_FORMAT_UNAVAILABLE, fi[i].name);
	close(fd);
}

/*
 * Ranges, quirks, levels, page sizes and non-coherent walks, per format:
 * one case (TAP line) per rule; a rule the format does not have skips.
 */
#define FI	(&variant->fi)
#define F	(variant->format)

static void cr_ias_below(int fd, const struct h_variant *variant)
{
	if (FI->ias_min <= 1)
		h_skip("ias_min %u: nothing below", FI->ias_min);
	CREATE_R(fd, F, 0, 0, FI->ias_min - 1, 0, 0, EINVAL, IOPGT_REASON_IAS_RANGE);
}

static void cr_ias_above(int fd, const struct h_variant *variant)
{
	CREATE_R(fd, F, 0, 0, FI->ias_max + 1, 0, 0, EINVAL, IOPGT_REASON_IAS_RANGE);
}

static void cr_oas_below(int fd, const struct h_variant *variant)
{
	if (FI->oas_min <= 1)
		h_skip("oas_min %u: nothing below", FI->oas_min);
	CREATE_R(fd, F, 0, 0, 0, FI->oas_min - 1, 0, EINVAL, IOPGT_REASON_OAS_RANGE);
}

static void cr_oas_above(int fd, const struct h_variant *variant)
{
	CREATE_R(fd, F, 0, 0, 0, FI->oas_max + 1, 0, EINVAL, IOPGT_REASON_OAS_RANGE);
}

/* a page size of no set: half the granule */
static void cr_pgsizes(int fd, const struct h_variant *variant)
{
	__u64 granule = FI->pgsize_sets[0] & -FI->pgsize_sets[0];

	CREATE_R(fd, F, 0, granule | (granule >> 1), 0, 0, 0, EINVAL, IOPGT_REASON_PGSIZES);
}

static void cr_quirk(int fd, const struct h_variant *variant)
{
	__u64 q = ~FI->quirks & (IOPGT_QUIRK_ARM_NS | IOPGT_QUIRK_NO_PERMS |
				 IOPGT_QUIRK_ARM_TTBR1 | IOPGT_QUIRK_ARM_HD |
				 IOPGT_QUIRK_ARM_S2FWB);

	if (!q)
		h_skip("the format takes every quirk tried");
	CREATE_R(fd, F, 0, 0, 0, 0, q & -q, EINVAL, IOPGT_REASON_QUIRK_UNSUPPORTED);
}

static void cr_levels(int fd, const struct h_variant *variant)
{
	struct iopgt_as_create c = { .size = sizeof(c), .format = F,
				     .levels = FI->levels_max ? FI->levels_max + 1 : 3 };

	EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, &c), EINVAL);
	EXPECT_EQ(c.out_reason, IOPGT_REASON_LEVELS);
}

static void cr_noncoherent(int fd, const struct h_variant *variant)
{
	if (FI->flags & IOPGT_FMT_F_NONCOHERENT)
		h_skip("the format has non-coherent walks");
	CREATE_R(fd, F, IOPGT_AS_NONCOHERENT, 0, 0, 0, 0, EOPNOTSUPP,
		 IOPGT_REASON_NONCOHERENT_UNSUPPORTED);
}

static void cr_quirk_combination(int fd, const struct h_variant *variant)
{
	if (!fmt_is_lpae_s1(F))
		h_skip("not LPAE stage 1");
	CREATE_R(fd, F, 0, 0, 0, 0, IOPGT_QUIRK_ARM_OUTER_WBWA, EINVAL,
		 IOPGT_REASON_QUIRK_COMBINATION);
}

/* the rules beyond the ranges, as GET_INFO lists them */
static void cr_lpae_rules(int fd, const struct h_variant *variant)
{
	if (!fmt_is_lpae_s1(F) && !fmt_is_lpae_s2(F))
		h_skip("not LPAE");
	EXPECT_EQ(FI->oas_set, (1ULL << 32) | (1ULL << 36) | (1ULL << 40) | (1ULL << 42) |
			       (1ULL << 44) | (1ULL << 48) | (1ULL << 52));
	EXPECT_TRUE(FI->rules & IOPGT_FMT_RULE_CLAMP_48);
	if (FI->oas_max >= 38)
		CREATE_R(fd, F, 0, 0, 0, 38, 0, EINVAL, IOPGT_REASON_OAS_NOT_IN_SET);
	EXPECT_EQ(!!(FI->rules & IOPGT_FMT_RULE_IAS_LE_OAS), fmt_is_lpae_s2(F));
	if (fmt_is_lpae_s2(F) && FI->ias_max > FI->oas_min)
		CREATE_R(fd, F, 0, 0, FI->oas_min + 8 <= FI->ias_max ? FI->oas_min + 8 :
			 FI->ias_max, FI->oas_min, 0, EINVAL, IOPGT_REASON_IAS_ABOVE_OAS);
}

static void cr_mali_oas(int fd, const struct h_variant *variant)
{
	if (F != IOPGT_FMT_ARM_MALI_LPAE)
		h_skip("not Mali");
	EXPECT_EQ(FI->oas_max, 40);
	for (__u32 oas = 41; oas <= 48; oas++)
		CREATE_R(fd, F, 0, 0, 0, oas, 0, EINVAL, IOPGT_REASON_OAS_RANGE);
}

static void cr_v7s_ext(int fd, const struct h_variant *variant)
{
	if (F != IOPGT_FMT_ARM_V7S)
		h_skip("not v7s");
	EXPECT_TRUE(FI->rules & IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT);
	CREATE_R(fd, F, 0, 0, 33, 0, 0, EINVAL, IOPGT_REASON_NEEDS_MTK_EXT);
}

/* a good request: no reason */
static void cr_good(int fd, const struct h_variant *variant)
{
	int id = CREATE_R(fd, F, 0, 0, 0, 0, 0, 0, 0);

	if (id > 0)
		as_destroy(fd, id);
}

#undef FI
#undef F

FIXTURE(create) { int fd; };
FIXTURE_VARIANT(create) {
	const char *name;
	void (*check)(int fd, const struct h_variant *variant);
};
static const struct _h_fxv_create create_rules[] = {
	{ "ias_below_min", cr_ias_below }, { "ias_above_max", cr_ias_above },
	{ "oas_below_min", cr_oas_below }, { "oas_above_max", cr_oas_above },
	{ "pgsizes", cr_pgsizes }, { "quirk_unsupported", cr_quirk },
	{ "levels", cr_levels }, { "noncoherent", cr_noncoherent },
	{ "quirk_combination", cr_quirk_combination }, { "lpae_rules", cr_lpae_rules },
	{ "mali_oas", cr_mali_oas }, { "v7s_mtk_ext", cr_v7s_ext }, { "good", cr_good },
};
FIXTURE_VARIANT_ARRAY(create, create_rules);
FIXTURE_SETUP(create) { self->fd = dev_open(); }
FIXTURE_TEARDOWN(create) { close(self->fd); }

TEST_F_FMT(create, create_reasons)
{
	fvariant->check(self->fd, variant);
}

TEST(create_clamp_flag)
{
	int fd = dev_open(), id;
	struct iopgt_as_create c;
	struct iopgt_format_info fi;
	__u32 f = IOPGT_FMT_ARM_64_LPAE_S1;

	format_info(fd, f, &fi);
	if (!(fi.flags & IOPGT_FMT_F_AVAILABLE))
		h_skip("ARM_64_LPAE_S1 not available");
	id = as_create(fd, f, 0, SZ_4K | SZ_2M | SZ_1G, 52, 52, 0, &c);
	ASSERT_GT(id, 0);
	EXPECT_EQ(c.out_ias, 48);
	EXPECT_EQ(c.out_oas, 48);
	EXPECT_EQ(c.out_flags, IOPGT_AS_CREATE_IAS_CLAMPED | IOPGT_AS_CREATE_OAS_CLAMPED);
	as_destroy(fd, id);
	id = as_create(fd, f, 0, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0, &c);
	ASSERT_GT(id, 0);
	EXPECT_EQ(c.out_flags, 0);
	as_destroy(fd, id);
	id = as_create(fd, f, 0, SZ_64K | SZ_512M, 52, 52, 0, &c);
	ASSERT_GT(id, 0);
	EXPECT_EQ(c.out_ias, 52);
	EXPECT_EQ(c.out_flags, 0);
	as_destroy(fd, id);
	close(fd);
}

/* the caps: which one was hit, and ENOMEM is no cap */
TEST_FMT(create_cap_reasons)
{
	struct iopgt_get_info gi;
	struct iopgt_as_info ai;
	unsigned long long old;
	int fd = dev_open(), id;

	ASSERT_OK(param_get("max_as", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	ASSERT_OK(param_set("max_as", gi.nr_as + 1));
	id = CREATE_R(fd, variant->format, 0, 0, 0, 0, 0, 0, 0);
	CREATE_R(fd, variant->format, 0, 0, 0, 0, 0, ENOSPC, IOPGT_REASON_AS_CAP);
	EXPECT_OK(param_set("max_as", old));
	if (id > 0)
		as_destroy(fd, id);

	id = as_create(fd, variant->format, 0, 0, 0, 0, 0, NULL);
	ASSERT_GT(id, 0);
	ASSERT_OK(as_info(fd, id, &ai));
	as_destroy(fd, id);
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes - 1));
	CREATE_R(fd, variant->format, 0, 0, 0, 0, 0, ENOSPC, IOPGT_REASON_AS_TABLE_CAP);
	EXPECT_OK(param_set("max_as_table_bytes", old));

	ASSERT_OK(param_get("max_table_bytes", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	ASSERT_OK(param_set("max_table_bytes", gi.table_bytes + ai.table_bytes - 1));
	CREATE_R(fd, variant->format, 0, 0, 0, 0, 0, ENOSPC, IOPGT_REASON_DEV_TABLE_CAP);
	EXPECT_OK(param_set("max_table_bytes", old));
	close(fd);
}

static void map_r(int fd, int id, __u64 iova, __u64 pa, __u64 len, __u32 prot, __u32 pglog,
		  int want_errno, __u32 want_reason, int line)
{
	struct iopgt_map_entry e = { .iova = iova, .paddr = pa, .length = len, .prot = prot,
				     .pgsize_log2 = pglog };
	int r = map1e(fd, id, &e, 0, NULL);

	if (!want_errno) {
		if (r)
			H_FAIL("line %d: map 0x%llx+0x%llx: %s (reason %u)", line,
			       (unsigned long long)iova, (unsigned long long)len,
			       h_errname(errno), e.reason);
		else if (e.reason)
			H_FAIL("line %d: map succeeded with reason %u", line, e.reason);
		return;
	}
	if (!r || errno != want_errno || e.error != -want_errno || e.reason != want_reason)
		H_FAIL("line %d: map 0x%llx+0x%llx -> 0x%llx: %s, error %d, reason %u; expected %s, reason %u",
		       line, (unsigned long long)iova, (unsigned long long)len,
		       (unsigned long long)pa, r ? h_errname(errno) : "success", e.error,
		       e.reason, h_errname(want_errno), want_reason);
}

static void unmap_r(int fd, int id, __u64 iova, __u64 len, int want_errno, __u32 want_reason,
		    int line)
{
	struct iopgt_unmap_entry e = { .iova = iova, .length = len };
	struct iopgt_unmap u = {
		.size = sizeof(u), .as_id = id, .n_entries = 1,
		.entries_uptr = (uintptr_t)&e, .entry_size = sizeof(e),
	};
	int r = ioctl(fd, IOPGT_UNMAP, &u);

	if (!want_errno) {
		if (r || e.reason)
			H_FAIL("line %d: unmap 0x%llx+0x%llx: %s (reason %u)", line,
			       (unsigned long long)iova, (unsigned long long)len,
			       r ? h_errname(errno) : "success", e.reason);
		return;
	}
	if (!r || errno != want_errno || e.error != -want_errno || e.reason != want_reason)
		H_FAIL("line %d: unmap 0x%llx+0x%llx: %s, error %d, reason %u; expected %s, reason %u",
		       line, (unsigned long long)iova, (unsigned long long)len,
		       r ? h_errname(errno) : "success", e.error, e.reason,
		       h_errname(want_errno), want_reason);
}

#define MAP_R(...) map_r(__VA_ARGS__, __LINE__)
#define UNMAP_R(...) unmap_r(__VA_ARGS__, __LINE__)

TEST_FMT(map_unmap_reasons)
{
	struct iopgt_as_create c;
	int fd = dev_open(), id = as_create_v(fd, variant, 0, &c);
	__u64 g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	__u64 big = c.out_pgsize_bitmap & ~g, end;
	__u32 glog = ilog2_64(g);

	big &= -big;	/* the second page size, if any */
	MAP_R(fd, id, 0, 0, g, 0, 0, EINVAL, IOPGT_REASON_PROT_NO_RW);
	MAP_R(fd, id, 0, 0, g, RW | (1U << 6), 0, EINVAL, IOPGT_REASON_PROT_UNKNOWN);
	MAP_R(fd, id, 0, 0, g, RW, glog - 1, EINVAL, IOPGT_REASON_PGSIZE_UNKNOWN);
	MAP_R(fd, id, 0, 0, g, RW, 64, EINVAL, IOPGT_REASON_PGSIZE_UNKNOWN);
	MAP_R(fd, id, 0, 0, 0, RW, 0, EINVAL, IOPGT_REASON_LENGTH_ZERO);
	MAP_R(fd, id, g / 2, 0, g, RW, 0, EINVAL, IOPGT_REASON_IOVA_MISALIGNED);
	MAP_R(fd, id, 0, g / 2, g, RW, 0, EINVAL, IOPGT_REASON_PADDR_MISALIGNED);
	MAP_R(fd, id, 0, 0, g + g / 2, RW, 0, EINVAL, IOPGT_REASON_LENGTH_MISALIGNED);
	if (c.out_ias < 64) {
		end = 1ULL << c.out_ias;
		MAP_R(fd, id, end - g, 0, 2 * g, RW, 0, ERANGE, IOPGT_REASON_IOVA_BEYOND_IAS);
		MAP_R(fd, id, end, 0, g, RW, 0, ERANGE, IOPGT_REASON_IOVA_BEYOND_IAS);
	}
	if (c.out_oas < 64)
		MAP_R(fd, id, 0, (1ULL << c.out_oas) - g, 2 * g, RW, 0, ERANGE,
		      IOPGT_REASON_PADDR_BEYOND_OAS);
	MAP_R(fd, id, 0, 0, 4 * g, RW, 0, 0, 0);
	MAP_R(fd, id, 2 * g, 0, 4 * g, RW, 0, EEXIST, IOPGT_REASON_OVERLAP);
	UNMAP_R(fd, id, 8 * g, g, ENOENT, IOPGT_REASON_HOLE);
	UNMAP_R(fd, id, g / 2, g, EINVAL, IOPGT_REASON_IOVA_MISALIGNED);
	UNMAP_R(fd, id, 0, g / 2, EINVAL, IOPGT_REASON_LENGTH_MISALIGNED);
	UNMAP_R(fd, id, 0, 0, EINVAL, IOPGT_REASON_LENGTH_ZERO);
	if (c.out_ias < 64)
		UNMAP_R(fd, id, (1ULL << c.out_ias) - g, 2 * g, ERANGE,
			IOPGT_REASON_IOVA_BEYOND_IAS);
	if (big) {
		__u64 at = (16 * g + big - 1) & ~(big - 1);	/* clear of [0, 4g) */

		if (c.out_ias >= 64 || at + big <= 1ULL << c.out_ias) {
			MAP_R(fd, id, at, at, big, RW, ilog2_64(big), 0, 0);
			UNMAP_R(fd, id, at, g, EINVAL, IOPGT_REASON_PARTIAL_BLOCK);
			UNMAP_R(fd, id, at + big - g, g, EINVAL, IOPGT_REASON_PARTIAL_BLOCK);
			UNMAP_R(fd, id, at, big, 0, 0);
		}
	}
	UNMAP_R(fd, id, 0, 4 * g, 0, 0);
	as_destroy(fd, id);
	close(fd);
}

/* TTBR1: the input window is the top 2^ias bytes; IOVA 0 is below it */
TEST(ttbr1_window_reason)
{
	struct iopgt_as_create c;
	struct iopgt_format_info fi;
	int fd = dev_open(), id;
	__u64 lo;

	format_info(fd, IOPGT_FMT_ARM_64_LPAE_S1, &fi);
	if (!(fi.flags & IOPGT_FMT_F_AVAILABLE) || !(fi.quirks & IOPGT_QUIRK_ARM_TTBR1))
		h_skip("ARM_64_LPAE_S1 with TTBR1 not available");
	id = as_create(fd, IOPGT_FMT_ARM_64_LPAE_S1, 0, 0, 0, 0, IOPGT_QUIRK_ARM_TTBR1, &c);
	ASSERT_GT(id, 0);
	lo = ~0ULL << c.out_ias;
	MAP_R(fd, id, 0, 0, SZ_4K, RW, 0, ERANGE, IOPGT_REASON_IOVA_BELOW_WINDOW);
	MAP_R(fd, id, lo - SZ_4K, 0, SZ_4K, RW, 0, ERANGE, IOPGT_REASON_IOVA_BELOW_WINDOW);
	MAP_R(fd, id, lo - SZ_4K, 0, 2 * SZ_4K, RW, 0, ERANGE, IOPGT_REASON_IOVA_BELOW_WINDOW);
	UNMAP_R(fd, id, 0, SZ_4K, ERANGE, IOPGT_REASON_IOVA_BELOW_WINDOW);
	MAP_R(fd, id, lo, 0, SZ_4K, RW, 0, 0, 0);
	as_destroy(fd, id);
	close(fd);
}

/* the table-memory caps in MAP name themselves */
TEST_FMT(map_cap_reasons)
{
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	struct iopgt_get_info gi;
	unsigned long long old;
	int fd = dev_open(), id = as_create_v(fd, variant, 0, &c);
	__u64 g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	__u64 step = g * (g / 4);

	if (c.out_ias < 64 && step * 4 > 1ULL << c.out_ias)
		step = (1ULL << c.out_ias) / 4;
	ASSERT_OK(as_info(fd, id, &ai));
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes));
	MAP_R(fd, id, 3 * step, 0, g, RW, 0, ENOSPC, IOPGT_REASON_AS_TABLE_CAP);
	EXPECT_OK(param_set("max_as_table_bytes", old));
	ASSERT_OK(param_get("max_table_bytes", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	ASSERT_OK(param_set("max_table_bytes", gi.table_bytes));
	MAP_R(fd, id, 3 * step, 0, g, RW, 0, ENOSPC, IOPGT_REASON_DEV_TABLE_CAP);
	EXPECT_OK(param_set("max_table_bytes", old));
	as_destroy(fd, id);
	close(fd);
}

/* no usable format: one warning per cause, once per module load, naming the formats */
TEST(probe_log_no_format)
{
	struct iopgt_get_info gi;
	int fd = dev_open(), n, len, lines = 0, ready = 0;
	char *buf, *p, *nl;

	ASSERT_OK(get_info(fd, &gi, NULL));
	close(fd);
	len = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	ASSERT_GT(len, 0);
	buf = calloc(1, len + 1);
	ASSERT_TRUE(buf != NULL);
	n = klogctl(3, buf, len);	/* SYSLOG_ACTION_READ_ALL */
	ASSERT_GE(n, 0);
	buf[n] = 0;
	for (p = buf; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (!strstr(p, "iopgt"))
			continue;
		if (strstr(p, "ready: /dev/"))
			ready++;
		if (strstr(p, "no usable page-table format: ")) {
			lines++;
			h_diag("log: %s", strstr(p, "no usable"));
			if (!strstr(p, "not built into this kernel") &&
			    !strstr(p, "not usable standalone") &&
			    !strstr(p, "library is not exported") &&
			    !strstr(p, "unknown to this kernel"))
				H_FAIL("the line says no why: %s", p);
		}
	}
	free(buf);
	if (!ready)
		h_skip("the probe's log lines are gone from the kernel log");
	h_diag("%u formats available, %d probe(s), %d no-format line(s)", gi.n_available,
	       ready, lines);
	if (gi.n_available)
		EXPECT_EQ(lines, 0);
	else {
		EXPECT_GT(lines, 0);
		EXPECT_LE(lines, 4);	/* one per cause, not one per probe */
	}
}
