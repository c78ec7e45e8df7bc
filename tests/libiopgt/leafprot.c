// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12: the permission and attribute bits of every mapped leaf.
 *
 * Per available format (default configuration), per leaf size (the
 * smallest page, the next size, and the largest size <= 32M) and per
 * protection combination the uapi offers (READ / WRITE / READ|WRITE x
 * NOEXEC or not x plain / CACHE / MMIO x PRIV or not): map one leaf, read
 * it back with IOPGT_WALK, decode the raw descriptor with libiopgt's
 * iopgt_decode_pte() and compare
 *  - the attribute bits of the raw descriptor with exactly what the
 *    kernel's prot-to-pte writes (io-pgtable-arm.c arm_lpae_prot_to_pte(),
 *    generic_pt fmt/{amdv1,x86_64,vtdss}.h *_iommu_set_prot() and
 *    *_install_leaf_entry()), under a per-format mask of the attribute
 *    bits (output address and type/size bits excluded);
 *  - the decoded permissions (struct iopgt_pte_info.prot) with what the
 *    format can express of the request (a bit the format or kernel does
 *    not honour is expected absent, exactly as the kernel's code does:
 *    x86-64 never sets NX and always U, LPAE stage 1 has no write-only,
 *    v7s and stage 2 have their own encodings);
 *  - the decoded AF flag on LPAE (not Mali) and v7s leaves;
 *  - the decoded leaf kind, output address and size with the mapping, and
 *    IOVA_TO_PHYS of an address inside the leaf with the same.
 * The prot-to-pte code these expectations come from is the same in 6.1,
 * 6.12 and 7.x for the default configuration (no quirks: the later
 * IO_PGTABLE_QUIRK_ARM_HD / S2FWB branches only act with their quirk).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "libiopgt.h"

#define BIT64(n)	(1ULL << (n))
#define GENMASK64(h, l)	(((~0ULL) >> (63 - (h))) & ~((1ULL << (l)) - 1))

#define P_R	IOPGT_PROT_READ
#define P_W	IOPGT_PROT_WRITE
#define P_C	IOPGT_PROT_CACHE
#define P_X	IOPGT_PROT_NOEXEC
#define P_M	IOPGT_PROT_MMIO
#define P_P	IOPGT_PROT_PRIV

/* what the kernel writes: raw attribute bits under a mask, decoded prot */
struct expect {
	__u64 mask, bits;
	__u32 prot;
	int af;		/* decoder must list AF */
};

/*
 * arm_lpae_prot_to_pte() of io-pgtable-arm.c (identical in 6.1, 6.12 and
 * 7.2 without quirks): stage 1 nG, AP[2] read-only iff READ without WRITE,
 * AP[1] unprivileged iff no PRIV; stage 2 / Mali HAP R (bit 6) / W (bit 7);
 * stage 2 MemAttr DEV 0x1 / OIWB 0xf / NC 0x5, stage 1 and Mali AttrIndx
 * DEV 2 / CACHE 1 / NC 0; SH IS with CACHE (not Mali), else OS; XN (bits
 * 53 and 54) iff NOEXEC; AF except Mali.
 */
static void expect_lpae(__u32 fmt, __u32 prot, struct expect *e)
{
	int s1 = fmt_is_lpae_s1(fmt), mali = fmt == IOPGT_FMT_ARM_MALI_LPAE;
	__u64 b = 0;
	__u32 p = 0;

	e->mask = GENMASK64(11, 2) | GENMASK64(54, 51);
	if (s1) {
		b |= BIT64(11);				/* nG */
		if (!(prot & P_W) && (prot & P_R))
			b |= BIT64(7);			/* AP_RDONLY */
		if (!(prot & P_P))
			b |= BIT64(6);			/* AP_UNPRIV */
		p |= P_R;				/* AP always readable */
		if (!(b & BIT64(7)))
			p |= P_W;
		if (prot & P_P)
			p |= P_P;
	} else {
		if (prot & P_R)
			b |= BIT64(6);
		if (prot & P_W)
			b |= BIT64(7);
		p |= prot & (P_R | P_W);
	}
	if (!s1 && !mali) {
		if (prot & P_M) {
			b |= 0x1ULL << 2;
			p |= P_M;
		} else if (prot & P_C) {
			b |= 0xfULL << 2;
			p |= P_C;
		} else {
			b |= 0x5ULL << 2;
		}
	} else {
		if (prot & P_M) {
			b |= 2ULL << 2;
			p |= P_M;
		} else if (prot & P_C) {
			b |= 1ULL << 2;
			p |= P_C;
		}
	}
	if ((prot & P_C) && !mali)
		b |= 3ULL << 8;				/* SH_IS */
	else
		b |= 2ULL << 8;				/* SH_OS */
	if (prot & P_X) {
		b |= 3ULL << 53;			/* XN: UXN + PXN */
		p |= P_X;
	}
	if (!mali)
		b |= BIT64(10);				/* AF */
	e->bits = b;
	e->prot = p;
	e->af = !mali;
}

/*
 * arm_v7s_prot_to_pte(): AP read-only iff no WRITE, AP unprivileged iff no
 * PRIV, AF; XN iff NOEXEC; TEX 1 unless MMIO; B for MMIO, B|C for CACHE.
 * The raw layout moves between sections, pages and large pages
 * (arm_v7s_pte_to_cont()), so v7s is compared decoded, field by field.
 */
static void expect_v7s(__u32 prot, struct expect *e)
{
	e->mask = 0;
	e->bits = 0;
	e->prot = P_R | (prot & (P_W | P_P | P_X));
	if (prot & P_M)
		e->prot |= P_M;
	else if (prot & P_C)
		e->prot |= P_C;
	e->af = 1;
}

/*
 * amdv1pt_iommu_set_prot() + install_leaf_entry(): PR, FC (the module
 * forces PT_FEAT_AMDV1_FORCE_COHERENCE), IR iff READ, IW iff WRITE; no U,
 * A or D; nothing for NOEXEC, CACHE, MMIO (no SME in the VM), PRIV.
 */
static void expect_amdv1(__u32 prot, struct expect *e)
{
	e->mask = BIT64(0) | BIT64(5) | BIT64(6) | GENMASK64(63, 59);
	e->bits = BIT64(0) | BIT64(60);
	if (prot & P_R)
		e->bits |= BIT64(61);
	if (prot & P_W)
		e->bits |= BIT64(62);
	e->prot = prot & (P_R | P_W);
	e->af = 0;
}

/*
 * x86_64_pt_iommu_set_prot() + install_leaf_entry(): P, U, A always; RW
 * and D iff WRITE; PS above level 0; never NX (NOEXEC is not honoured),
 * never PWT/PCD/G. Decoded: always READ, WRITE iff RW, never PRIV (U set).
 */
static void expect_x86_64(__u32 prot, __u32 level, struct expect *e)
{
	e->mask = GENMASK64(8, 0) | BIT64(63);
	e->bits = BIT64(0) | BIT64(2) | BIT64(5);
	if (prot & P_W)
		e->bits |= BIT64(1) | BIT64(6);
	if (level)
		e->bits |= BIT64(7);
	e->prot = P_R | (prot & P_W);
	e->af = 0;
}

/*
 * vtdss_pt_iommu_set_prot() + install_leaf_entry(): R iff READ, W iff
 * WRITE, no SNP (no FORCE_COHERENCE feature), EMT 0, PS above level 0.
 */
static void expect_vtdss(__u32 prot, __u32 level, struct expect *e)
{
	e->mask = GENMASK64(11, 0);
	e->bits = 0;
	if (prot & P_R)
		e->bits |= BIT64(0);
	if (prot & P_W)
		e->bits |= BIT64(1);
	if (level)
		e->bits |= BIT64(7);
	e->prot = prot & (P_R | P_W);
	e->af = 0;
}

static int has_expect(__u32 fmt)
{
	return fmt_is_lpae(fmt) || fmt == IOPGT_FMT_ARM_MALI_LPAE ||
	       fmt == IOPGT_FMT_ARM_V7S || fmt == IOPGT_FMT_PT_AMDV1 ||
	       fmt == IOPGT_FMT_PT_X86_64 || fmt == IOPGT_FMT_PT_VTDSS;
}

static void expect_of(__u32 fmt, __u32 prot, __u32 level, struct expect *e)
{
	if (fmt_is_lpae(fmt) || fmt == IOPGT_FMT_ARM_MALI_LPAE)
		expect_lpae(fmt, prot, e);
	else if (fmt == IOPGT_FMT_ARM_V7S)
		expect_v7s(prot, e);
	else if (fmt == IOPGT_FMT_PT_AMDV1)
		expect_amdv1(prot, e);
	else if (fmt == IOPGT_FMT_PT_X86_64)
		expect_x86_64(prot, level, e);
	else
		expect_vtdss(prot, level, e);
}

static int has_field(const struct iopgt_pte_info *in, const char *name)
{
	for (unsigned int i = 0; i < in->nfields; i++)
		if (!strcmp(in->f[i].name, name))
			return 1;
	return 0;
}

FIXTURE(leaf) {
	int fd;
	int id;
	struct iopgt_as_create c;
	struct iopgt_fmt_ctx ctx;
};

FIXTURE_SETUP(leaf)
{
	struct iopgt_hw_cfg hw;

	self->fd = dev_open();
	self->id = -1;
	if (!has_expect(variant->format))
		SKIP("no leaf expectations for format %s (%u)",
		     format_name(variant->format), variant->format);
	self->id = as_create_v(self->fd, variant, 0, &self->c);
	ASSERT_OK(hw_cfg(self->fd, self->id, &hw));
	iopgt_fmt_ctx_from_hw(&self->ctx, &hw);
}

FIXTURE_TEARDOWN(leaf)
{
	if (self->id > 0)
		EXPECT_OK(as_destroy(self->fd, self->id));
	close(self->fd);
}

/* the leaf sizes: smallest, next, largest <= 32M (distinct, ascending) */
static int leaf_sizes(__u64 bitmap, __u64 *out)
{
	__u64 all[64];
	int n = pgsizes_list(bitmap, all, 64), k = 0;

	for (int i = 0; i < n && i < 2; i++)
		if (all[i] <= SZ_32M)
			out[k++] = all[i];
	for (int i = n - 1; i >= 2; i--)
		if (all[i] <= SZ_32M) {
			out[k++] = all[i];
			break;
		}
	return k;
}

static const __u32 perms[] = { P_R, P_W, P_R | P_W };
static const __u32 attrs[] = { 0, P_C, P_M };

static const char *pstr(__u32 prot, char *buf, size_t len)
{
	return iopgt_prot_str(prot, buf, len);
}

static void check_leaf(struct _h_fxd_leaf *self, __u32 fmt, __u64 size,
		       __u64 iova, __u64 pa, __u32 prot)
{
	struct iopgt_walk w;
	struct iopgt_walk_level *l;
	struct iopgt_pte_info in;
	struct expect e;
	char want[64], want2[64], got[64], fl[512];
	__u64 mapped = 0, phys = 0, off;
	__u32 xfl = 0;
	int ret;

	pstr(prot, want, sizeof(want));
	ret = map1(self->fd, self->id, iova, pa, size, prot, ilog2_64(size), &mapped);
	if (ret < 0) {
		H_FAIL("map 0x%llx at iova 0x%llx prot %s (0x%x): %s",
		       (unsigned long long)size, (unsigned long long)iova, want,
		       prot, h_errname(errno));
		return;
	}
	ASSERT_EQ(mapped, size);
	ASSERT_OK(walk(self->fd, self->id, iova + size / 2, 0, &w));
	ASSERT_TRUE(w.out_flags & IOPGT_WALK_MAPPED);
	ASSERT_GE(w.n_levels, 1);
	l = &w.levels[w.n_levels - 1];
	if (l->kind != IOPGT_PTE_PAGE && l->kind != IOPGT_PTE_BLOCK)
		H_FAIL("%s size 0x%llx prot %s: the walk ends at a kind %u entry (pte 0x%llx level %u), not a leaf",
		       format_name(fmt), (unsigned long long)size, want, l->kind,
		       (unsigned long long)l->pte, l->level);
	EXPECT_EQ(1ULL << l->span_log2, size);
	EXPECT_EQ(l->oa, pa);
	EXPECT_EQ(w.phys, pa + size / 2);

	ret = iopgt_decode_pte(&self->ctx, l->pte, l->level, &in);
	ASSERT_EQ(ret, 0);
	iopgt_fields_str(in.f, in.nfields, fl, sizeof(fl));
	if (in.kind != l->kind)
		H_FAIL("%s prot %s: decoder kind %u vs walk kind %u (pte 0x%llx: %s)",
		       format_name(fmt), want, in.kind, l->kind,
		       (unsigned long long)l->pte, fl);
	if (in.oa != pa)
		H_FAIL("%s prot %s: decoded output address 0x%llx, mapped 0x%llx (pte 0x%llx: %s)",
		       format_name(fmt), want, (unsigned long long)in.oa,
		       (unsigned long long)pa, (unsigned long long)l->pte, fl);

	expect_of(fmt, prot, l->level, &e);
	if ((l->pte & e.mask) != e.bits)
		H_FAIL("%s size 0x%llx level %u prot %s (0x%x): leaf attribute bits 0x%llx, kernel's prot-to-pte writes 0x%llx (mask 0x%llx, differing 0x%llx; pte 0x%llx: %s)",
		       format_name(fmt), (unsigned long long)size, l->level, want,
		       prot, (unsigned long long)(l->pte & e.mask),
		       (unsigned long long)e.bits, (unsigned long long)e.mask,
		       (unsigned long long)((l->pte & e.mask) ^ e.bits),
		       (unsigned long long)l->pte, fl);
	if (in.prot != e.prot)
		H_FAIL("%s size 0x%llx level %u prot %s (0x%x): leaf grants %s (0x%x), expected %s (0x%x) (pte 0x%llx: %s)",
		       format_name(fmt), (unsigned long long)size, l->level, want,
		       prot, pstr(in.prot, got, sizeof(got)), in.prot,
		       pstr(e.prot, want2, sizeof(want2)), e.prot,
		       (unsigned long long)l->pte, fl);
	if (e.af && !has_field(&in, "AF"))
		H_FAIL("%s size 0x%llx prot %s: leaf without the access flag (pte 0x%llx: %s)",
		       format_name(fmt), (unsigned long long)size, want,
		       (unsigned long long)l->pte, fl);

	/* IOVA_TO_PHYS agrees: first byte, an inner byte, the last byte */
	for (int i = 0; i < 3; i++) {
		off = i == 0 ? 0 : i == 1 ? size / 2 + 0x123 : size - 1;
		ASSERT_OK(xlate(self->fd, self->id, iova + off, &phys, &xfl));
		if (!(xfl & IOPGT_XLATE_MAPPED) || phys != pa + off)
			H_FAIL("%s prot %s: IOVA_TO_PHYS(0x%llx) = 0x%llx flags 0x%x, expected 0x%llx",
			       format_name(fmt), want, (unsigned long long)(iova + off),
			       (unsigned long long)phys, xfl,
			       (unsigned long long)(pa + off));
	}
	ASSERT_OK(unmap1(self->fd, self->id, iova, size, &mapped));
	ASSERT_EQ(mapped, size);
}

/* every protection combination x leaf size, one leaf at a time */
TEST_F_X(leaf, leaf_prot_bits, H_FMT, 120, 0)
{
	__u64 sizes[3];
	int ns = leaf_sizes(self->c.out_pgsize_bitmap, sizes), n = 0, bad = 0;

	ASSERT_GT(ns, 0);
	for (int s = 0; s < ns; s++) {
		__u64 size = sizes[s], iova = 4 * (size > SZ_2M ? size : SZ_2M);
		unsigned int k = 0;

		for (unsigned int pi = 0; pi < 3; pi++)
			for (unsigned int ai = 0; ai < 3; ai++)
				for (unsigned int x = 0; x < 2; x++)
					for (unsigned int pr = 0; pr < 2; pr++) {
						__u32 prot = perms[pi] | attrs[ai] |
							     (x ? P_X : 0) | (pr ? P_P : 0);
						__u64 pa = SZ_1G + (__u64)(k++ + 1) * size;

						check_leaf(self, variant->format, size,
							   iova, pa, prot);
						n++;
						/* a few leaves past the first failure */
						if (h_failed() && ++bad >= 4)
							h_abort();
					}
	}
	h_diag("%s: %d leaves checked (%d sizes)", format_name(variant->format), n, ns);
}
