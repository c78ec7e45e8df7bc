// SPDX-License-Identifier: GPL-2.0
/*
 * Format conformance, the kernel io-pgtable selftests' script run through the
 * ABI for every available format x page-size set x ias/oas: an empty table
 * translates nothing; each page size is mapped at 1G-strided IOVAs; an
 * overlapping map fails with EEXIST; iova+42 translates; unmap returns the
 * size; the translation is gone; remap works; the last largest page of the
 * IAS maps and unmaps; the same with TTBR1 (IOVAs at the top of the 64-bit
 * space) where the format takes that quirk. The final cfg from AS_CREATE
 * must equal GET_HW_CFG's, and the register images must agree with it.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

static __u32 ips_enc(__u32 oas)
{
	switch (oas) {
	case 32: return 0;
	case 36: return 1;
	case 40: return 2;
	case 42: return 3;
	case 44: return 4;
	case 48: return 5;
	case 52: return 6;
	}
	return 7;
}

static void check_hwcfg(int fd, int id, const struct h_variant *v,
			const struct iopgt_as_create *c)
{
	struct iopgt_hw_cfg h;
	__u64 gran = c->out_pgsize_bitmap & -c->out_pgsize_bitmap;
	bool ttbr1 = c->out_quirks & IOPGT_QUIRK_ARM_TTBR1;
	__u32 f = v->format;

	ASSERT_OK(hw_cfg(fd, id, &h));
	EXPECT_EQ(h.format, f);
	EXPECT_EQ(h.ias, c->out_ias);
	EXPECT_EQ(h.oas, c->out_oas);
	EXPECT_EQ(h.pgsize_bitmap, c->out_pgsize_bitmap);
	EXPECT_EQ(h.quirks, c->out_quirks);
	/* generic_pt AMDv1 grows its top level on demand (DYNAMIC_TOP) */
	if (f == IOPGT_FMT_PT_AMDV1)
		EXPECT_GE(h.levels, c->out_levels);
	else
		EXPECT_EQ(h.levels, c->out_levels);
	EXPECT_EQ(h.out_flags & IOPGT_HWCFG_ADDR_HIDDEN, 0);
	EXPECT_NE(h.regs[7], 0);
	EXPECT_EQ(h.regs[7] & 0x3f, 0);
	EXPECT_GE(h.levels, 1);
	EXPECT_LE(h.levels, IOPGT_MAX_LEVELS);

	if (fmt_is_lpae(f) && f != IOPGT_FMT_ARM_MALI_LPAE) {
		int pg_shift = ilog2_64(gran), bpl = pg_shift - 3;
		__u32 levels = (c->out_ias - pg_shift + bpl - 1) / bpl;
		__u64 r1 = h.regs[1];
		__u32 tg;

		EXPECT_EQ(h.regs[0], h.regs[7]);
		EXPECT_EQ(r1 & 0x3f, 64 - c->out_ias);		/* T0SZ */
		EXPECT_EQ((r1 >> 8) & 3, 1);			/* IRGN0 WBWA */
		EXPECT_EQ((r1 >> 10) & 3, 1);			/* ORGN0 WBWA */
		EXPECT_EQ((r1 >> 12) & 3, 3);			/* SH0 inner shareable */
		if (ttbr1)	/* TG1 encoding */
			tg = gran == SZ_4K ? 2 : gran == SZ_16K ? 1 : 3;
		else
			tg = gran == SZ_4K ? 0 : gran == SZ_16K ? 2 : 1;
		EXPECT_EQ((r1 >> 14) & 3, tg);
		if (fmt_is_lpae_s1(f)) {
			EXPECT_EQ((r1 >> 32) & 7, ips_enc(c->out_oas));	/* IPS */
			EXPECT_EQ(h.regs[2] & 0xffffffffULL, 0xf404ff44ULL);	/* MAIR */
			EXPECT_EQ(h.levels, levels);
			EXPECT_EQ(h.start_level, 4 - levels);
		} else {
			__u32 sl = h.start_level + (gran == SZ_4K);

			EXPECT_EQ((r1 >> 16) & 7, ips_enc(c->out_oas));	/* PS */
			EXPECT_EQ((r1 >> 6) & 3, ~sl & 3);			/* SL0 */
			/* concatenation may save one level */
			EXPECT_TRUE(h.levels == levels || h.levels == levels - 1);
			EXPECT_EQ(h.start_level + h.levels, 4);
		}
	} else if (f == IOPGT_FMT_ARM_MALI_LPAE) {
		EXPECT_EQ(h.regs[0] & ~0xfffULL, h.regs[7]);
	} else if (f == IOPGT_FMT_ARM_V7S) {
		EXPECT_EQ(h.regs[0] & ~0x7fULL, h.regs[7]);
		EXPECT_EQ(h.start_level, 1);
		EXPECT_EQ(h.levels, 2);
	} else if (f == IOPGT_FMT_PT_X86_64 || f == IOPGT_FMT_PT_AMDV1) {
		EXPECT_EQ(h.regs[0] & ~0xfffULL, h.regs[7]);
		EXPECT_EQ(h.regs[1], h.levels);
	} else if (f == IOPGT_FMT_PT_VTDSS) {
		EXPECT_EQ(h.regs[0] & ~0xfffULL, h.regs[7]);
		EXPECT_EQ(h.regs[1], h.levels - 2);
	}
	if (h_failed())
		h_diag("hw_cfg: levels %u start %u pgsizes 0x%llx ias %u oas %u quirks 0x%llx regs %llx %llx %llx %llx .. %llx",
		       h.levels, h.start_level, (unsigned long long)h.pgsize_bitmap,
		       h.ias, h.oas, (unsigned long long)h.quirks,
		       (unsigned long long)h.regs[0], (unsigned long long)h.regs[1],
		       (unsigned long long)h.regs[2], (unsigned long long)h.regs[3],
		       (unsigned long long)h.regs[7]);
}

static void check_mapped_bytes(int fd, int id, __u64 want)
{
	struct iopgt_as_info ai;

	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(ai.mapped_bytes, want);
}

/* output address for an IOVA: identity where the OAS allows, else wrapped */
static __u64 pa_of(const struct iopgt_as_create *c, __u64 iova)
{
	return c->out_oas >= 64 ? iova : iova & ((1ULL << c->out_oas) - 1);
}

static void run_script(const struct h_variant *v, __u64 quirks)
{
	struct iopgt_as_create c;
	struct iopgt_map_entry e;
	__u64 sizes[64], base = 0, stride, iova, total = 0, gran, ias_top;
	bool ttbr1 = quirks & IOPGT_QUIRK_ARM_TTBR1;
	int n, fd = dev_open();
	int id = as_create_v(fd, v, quirks, &c);
	__u32 n_done;

	/* what the kernel settled on */
	if (v->ias)
		EXPECT_EQ(c.out_ias, v->ias);
	if (v->oas)
		EXPECT_EQ(c.out_oas, v->oas);
	if (v->pgsizes) {
		EXPECT_EQ(c.out_pgsize_bitmap & ~v->pgsizes, 0);
		EXPECT_NE(c.out_pgsize_bitmap & v->pgsizes & -v->pgsizes, 0);
	}
	EXPECT_EQ(c.out_quirks & quirks, quirks);
	ASSERT_NE(c.out_pgsize_bitmap, 0);
	ASSERT_GE(c.out_ias, 12);
	check_hwcfg(fd, id, v, &c);

	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ias_top = c.out_ias >= 64 ? 0 : 1ULL << c.out_ias;
	if (ttbr1)
		base = -ias_top;
	n = pgsizes_list(c.out_pgsize_bitmap, sizes, 64);
	/* only page sizes below 2^ias and within oas can be mapped */
	while (n && ((c.out_ias < 64 && sizes[n - 1] >= ias_top) ||
		     (c.out_oas < 64 && sizes[n - 1] >= 1ULL << c.out_oas)))
		n--;
	ASSERT_GT(n, 0);
	stride = SZ_1G;
	while (stride > sizes[n - 1] && c.out_ias < 64 && (n + 1) * stride > ias_top)
		stride >>= 1;
	if (stride < sizes[n - 1])
		stride = sizes[n - 1];

	/* empty table translates nothing */
	for (int k = 0; k < 3; k++)
		if (c.out_ias >= 64 || k * SZ_1G + 42 < ias_top)
			EXPECT_EQ(xlate_or_none(fd, id, base + k * SZ_1G + 42), ~0ULL);

	/* map each size, overlap fails, translate */
	iova = 0;
	for (int i = 0; i < n; i++, iova += stride) {
		__u64 sz = sizes[i], mapped = 0;

		iova = (iova + sz - 1) & ~(sz - 1);
		if (c.out_ias < 64 && iova + sz > ias_top)
			break;
		if (EXPECT_OK(map1(fd, id, base + iova, pa_of(&c, iova), sz, RW | IOPGT_PROT_CACHE,
				   ilog2_64(sz), &mapped)) < 0) {
			h_diag("map size 0x%llx at 0x%llx", (unsigned long long)sz,
			       (unsigned long long)(base + iova));
			continue;
		}
		EXPECT_EQ(mapped, sz);
		total += sz;
		/* same IOVA, other PA */
		e = (struct iopgt_map_entry){ .iova = base + iova, .paddr = pa_of(&c, iova + sz),
					      .length = sz, .prot = RW };
		if (!EXPECT_ERRNO(map1e(fd, id, &e, 0, &n_done), EEXIST))
			h_diag("overlapping map of size 0x%llx", (unsigned long long)sz);
		EXPECT_EQ(e.error, -EEXIST);
		EXPECT_EQ(e.mapped, 0);
		EXPECT_EQ(n_done, 0);
		/* a granule inside it */
		if (sz > gran)
			EXPECT_ERRNO(map1(fd, id, base + iova + sz - gran, 0, gran, RW, 0, NULL),
				     EEXIST);
		EXPECT_EQ(xlate_or_none(fd, id, base + iova + 42), pa_of(&c, iova) + 42);
		EXPECT_EQ(xlate_or_none(fd, id, base + iova + sz - 1), pa_of(&c, iova) + sz - 1);
	}
	check_mapped_bytes(fd, id, total);

	/* unmap returns the size, translation gone, remap */
	iova = 0;
	for (int i = 0; i < n; i++, iova += stride) {
		__u64 sz = sizes[i], un = 0;

		iova = (iova + sz - 1) & ~(sz - 1);
		if (c.out_ias < 64 && iova + sz > ias_top)
			break;
		if (EXPECT_OK(unmap1(fd, id, base + iova, sz, &un)) < 0)
			continue;
		EXPECT_EQ(un, sz);
		EXPECT_EQ(xlate_or_none(fd, id, base + iova + 42), ~0ULL);
		EXPECT_OK(map1(fd, id, base + iova, pa_of(&c, iova), sz, RW, ilog2_64(sz), NULL));
		EXPECT_EQ(xlate_or_none(fd, id, base + iova + 42), pa_of(&c, iova) + 42);
	}
	check_mapped_bytes(fd, id, total);
	iova = 0;
	for (int i = 0; i < n; i++, iova += stride) {
		__u64 sz = sizes[i], un = 0;

		iova = (iova + sz - 1) & ~(sz - 1);
		if (c.out_ias < 64 && iova + sz > ias_top)
			break;
		EXPECT_OK(unmap1(fd, id, base + iova, sz, &un));
		EXPECT_EQ(un, sz);
	}
	check_mapped_bytes(fd, id, 0);

	/* the last largest page of the IAS (concatenated-pgd corner cases) */
	if (c.out_ias < 64) {
		__u64 big = sizes[n - 1], last = ias_top - big, pa, mapped = 0, un = 0;

		pa = (c.out_oas >= 64 || last + big <= 1ULL << c.out_oas) ? last : 0;
		ASSERT_OK(map1(fd, id, base + last, pa, big, RW, ilog2_64(big), &mapped));
		EXPECT_EQ(mapped, big);
		EXPECT_EQ(xlate_or_none(fd, id, base + last + 42), pa + 42);
		EXPECT_EQ(xlate_or_none(fd, id, base + ias_top - 1), pa + big - 1);
		ASSERT_OK(unmap1(fd, id, base + last, big, &un));
		EXPECT_EQ(un, big);
		EXPECT_EQ(xlate_or_none(fd, id, base + last + 42), ~0ULL);
		/* and the last granule */
		ASSERT_OK(map1(fd, id, base + ias_top - gran, 0, gran, RW, 0, &mapped));
		EXPECT_EQ(mapped, gran);
		EXPECT_EQ(xlate_or_none(fd, id, base + ias_top - 1), gran - 1);
		ASSERT_OK(unmap1(fd, id, base + ias_top - gran, gran, &un));
		EXPECT_EQ(un, gran);
		/* one past the input range */
		if (ttbr1) {
			EXPECT_ERRNO(map1(fd, id, base - gran, 0, gran, RW, 0, NULL), ERANGE);
			EXPECT_ERRNO(xlate(fd, id, base - gran, NULL, NULL), ERANGE);
			EXPECT_ERRNO(map1(fd, id, 0, 0, gran, RW, 0, NULL), ERANGE);
		} else {
			EXPECT_ERRNO(map1(fd, id, ias_top, 0, gran, RW, 0, NULL), ERANGE);
			EXPECT_ERRNO(xlate(fd, id, ias_top, NULL, NULL), ERANGE);
		}
	}
	check_mapped_bytes(fd, id, 0);
	check_hwcfg(fd, id, v, &c);
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST_CFG(selftest_script)
{
	run_script(variant, 0);
}

/* TTBR1: where the format takes the quirk; otherwise the same script runs */
TEST_CFG(selftest_script_ttbr1)
{
	if (!(variant->fi.quirks & IOPGT_QUIRK_ARM_TTBR1)) {
		/* not applicable: prove the quirk is refused instead */
		int fd = dev_open();

		EXPECT_ERRNO(as_create(fd, variant->format, 0, variant->pgsizes, variant->ias,
				       variant->oas, IOPGT_QUIRK_ARM_TTBR1, NULL), EINVAL);
		close(fd);
		return;
	}
	run_script(variant, IOPGT_QUIRK_ARM_TTBR1);
}
