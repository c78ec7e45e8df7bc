// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: dirty tracking (IOPGT_AS_DIRTY_TRACKING), issue 14.
 *
 * IOPGT_READ_DIRTY reads the hardware dirty state of a range into a user
 * bitmap shaped like iommufd's IOMMU_HWPT_GET_DIRTY_BITMAP, and clears it
 * unless asked not to; IOPGT_SET_DIRTY (test only) does what a device
 * write does to the leaf translating an IOVA.
 *
 * The libraries' read_and_clear_dirty WARNs on a zero size, on TTBR1
 * IOVAs and (io-pgtable on 6.12) on any hole, and its bitmap helpers
 * (iova_bitmap_*) are stubs in kernels built without CONFIG_IOMMUFD_DRIVER.
 * So the library is called only on whole mapped leaves of one run of the
 * shadow map (never a hole, never size 0; TTBR1 is refused at creation),
 * and with no bitmap: iommu_dirty_bitmap_record() also adds every dirty
 * leaf to the dirty struct's gather, so a call with a fresh gather says
 * whether its range holds a dirty leaf and spans the first to the last
 * one. Bisecting on that finds every dirty leaf with O(d log n) calls.
 * The bitmap is built in the kernel and copied out before anything is
 * cleared: a bad user pointer (-EFAULT) loses no dirty state. Clearing is
 * a second pass (nothing can change in between: as->lock is held
 * throughout, and SET_DIRTY takes it too) whose gathers are merged into
 * one, synced (recorded as IOPGT_FLUSH_SYNC when the address space
 * records) as iommufd does after read_and_clear_dirty().
 *
 * Locking: both entry points run with as->lock held on a live address
 * space (the ioctl layer takes it), which serialises every library call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/bitops.h>
#include <linux/iommu.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/maple_tree.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "iopgt_as.h"
#include "iopgt_perm.h"
#include "dirty.h"

/* test-only: see the module parameter below */
static unsigned int iopgt_dirty_test_defect;
module_param_named(dirty_test_defect, iopgt_dirty_test_defect, uint, 0600);
MODULE_PARM_DESC(dirty_test_defect,
		 "TEST ONLY: do not clear (1), report the neighbour bit (2), do not record the clearing's sync (4)");

#define IOPGT_DIRTY_DEFECT_NO_CLEAR	BIT(0)
#define IOPGT_DIRTY_DEFECT_WRONG_BIT	BIT(1)
#define IOPGT_DIRTY_DEFECT_NO_SYNC	BIT(2)

/**
 * struct iopgt_dirty_scan - one READ_DIRTY in progress
 * @as: address space
 * @first: first IOVA asked for
 * @last: last IOVA asked for (inclusive)
 * @ps_log2: log2 of the bitmap's page size
 * @bits: the bitmap (u64 words, bit i: page i)
 * @nbits: bits in the range
 * @found: dirty leaves found
 */
struct iopgt_dirty_scan {
	struct iopgt_as *as;
	u64 first, last;
	u32 ps_log2;
	u64 *bits;
	u64 nbits;
	u64 found;
};

/* set bits [@a, @b] of @w */
static void iopgt_dirty_bits_set(u64 *w, u64 a, u64 b)
{
	while (a <= b) {
		u64 word = a / 64, lo = a % 64;
		u64 hi = min_t(u64, 63, lo + (b - a));

		w[word] |= GENMASK_ULL(hi, lo);
		a += hi - lo + 1;
	}
}

/* leaf [@lf, @ll] is dirty: set the bits of its part inside the request */
static void iopgt_dirty_mark(struct iopgt_dirty_scan *s, u64 lf, u64 ll)
{
	u64 a = max(lf, s->first), b = min(ll, s->last);
	u64 ba, bb;

	s->found++;
	if (a > b)
		return;
	ba = (a - s->first) >> s->ps_log2;
	bb = (b - s->first) >> s->ps_log2;
	if (READ_ONCE(iopgt_dirty_test_defect) & IOPGT_DIRTY_DEFECT_WRONG_BIT) {
		ba = (ba + 1) % s->nbits;
		bb = max(ba, (bb + 1) % s->nbits);
	}
	iopgt_dirty_bits_set(s->bits, ba, bb);
}

/*
 * Find the dirty leaves of [@first, @last], whole leaves of 2^@pg_log2
 * bytes of one mapped run, without clearing anything. Depth is bounded by
 * log2 of the leaves in the range (at most 64).
 */
static int iopgt_dirty_scan(struct iopgt_dirty_scan *s, u64 first, u64 last,
			    u32 pg_log2)
{
	const struct iopgt_backend_ops *ops = s->as->fmt->ops;
	struct iommu_iotlb_gather g;
	u64 pg = BIT_ULL(pg_log2), f, l, n, mid;
	int ret;

	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	iommu_iotlb_gather_init(&g);
	/* whole mapped leaves, size >= 1, inside the input range, no TTBR1 */
	ret = ops->dirty_read(s->as, first, last - first + 1, false, &g);
	if (ret)
		return ret;
	if (g.start > g.end)
		return 0;		/* nothing dirty in the range */
	/* from the first to the last dirty leaf (clamped: trust nothing) */
	f = max_t(u64, first, g.start & ~(pg - 1));
	l = min_t(u64, last, (u64)g.end | (pg - 1));
	if (f > l)
		return 0;
	n = ((l - f) >> pg_log2) + 1;
	if (n == 1) {
		iopgt_dirty_mark(s, f, l);
		return 0;
	}
	mid = f + ((n / 2) << pg_log2);
	ret = iopgt_dirty_scan(s, f, mid - 1, pg_log2);
	if (ret)
		return ret;
	return iopgt_dirty_scan(s, mid, l, pg_log2);
}

/*
 * The next mapped run at or after *@pos, up to @last, clipped to the
 * leaves that meet [@first, @last]: *@rf..*@rl (inclusive), leaves of
 * 2^*@log2. Advances *@pos. Return: false when there is none.
 */
static bool iopgt_dirty_next_run(struct iopgt_as *as, u64 *pos, u64 first,
				 u64 last, u64 *rf, u64 *rl, u32 *log2,
				 bool *done)
{
	MA_STATE(mas, &as->shadow, *pos, last);
	void *entry;
	u64 pg;

	if (*done)
		return false;
	mtree_lock(&as->shadow);
	entry = mas_find(&mas, last);
	if (entry) {
		*log2 = iopgt_shadow_log2(entry);
		pg = BIT_ULL(*log2);
		*rf = max_t(u64, mas.index, first & ~(pg - 1));
		*rl = min_t(u64, mas.last, last | (pg - 1));
		if (mas.last >= last)
			*done = true;
		else
			*pos = mas.last + 1;
	}
	mtree_unlock(&as->shadow);
	return entry != NULL;
}

static int iopgt_dirty_refuse(u32 *reason, u32 why, int err)
{
	*reason = why;
	return err;
}

/* the request checks of READ_DIRTY; fills *@align_log2 */
static int iopgt_dirty_check(struct iopgt_as *as,
			     struct iopgt_read_dirty *cmd, u64 *last)
{
	u32 *r = &cmd->out_reason;
	u64 ps = cmd->page_size, align, nbits, bytes;

	if (cmd->flags & ~IOPGT_DIRTY_NO_CLEAR)
		return iopgt_dirty_refuse(r, IOPGT_REASON_RESERVED, -EINVAL);
	if (!(as->flags & IOPGT_AS_F_DIRTY))
		return iopgt_dirty_refuse(r, IOPGT_REASON_NO_DIRTY_TRACKING,
					  -EOPNOTSUPP);
	if (!cmd->length)
		return iopgt_dirty_refuse(r, IOPGT_REASON_LENGTH_ZERO, -EINVAL);
	if (check_add_overflow(cmd->iova, cmd->length - 1, last))
		return iopgt_dirty_refuse(r, IOPGT_REASON_IOVA_OVERFLOW,
					  -EOVERFLOW);
	if (!iopgt_as_iova_ok(as, cmd->iova, cmd->length))
		return iopgt_dirty_refuse(r, IOPGT_REASON_IOVA_BEYOND_IAS,
					  -ERANGE);
	if (!ps || (ps & (ps - 1)) || ps < as->granule)
		return iopgt_dirty_refuse(r, IOPGT_REASON_DIRTY_PAGE_SIZE,
					  -EINVAL);
	align = max(ps, as->granule);
	if (cmd->iova & (align - 1))
		return iopgt_dirty_refuse(r, IOPGT_REASON_IOVA_MISALIGNED,
					  -EINVAL);
	if (cmd->length & (align - 1))
		return iopgt_dirty_refuse(r, IOPGT_REASON_LENGTH_MISALIGNED,
					  -EINVAL);
	if ((cmd->length >> ilog2(as->granule)) > IOPGT_DIRTY_MAX_PAGES)
		return iopgt_dirty_refuse(r, IOPGT_REASON_DIRTY_TOO_LONG,
					  -ENOSPC);
	/* at most IOPGT_DIRTY_MAX_PAGES bits: no overflow below */
	nbits = cmd->length >> ilog2(ps);
	bytes = DIV_ROUND_UP(nbits, 64) * sizeof(u64);
	if (cmd->bitmap_size < bytes)
		return iopgt_dirty_refuse(r, IOPGT_REASON_BITMAP_TOO_SMALL,
					  -EINVAL);
	return 0;
}

/* second pass: clear the dirty leaves of the range, one gather for all */
static int iopgt_dirty_clear(struct iopgt_as *as, u64 first, u64 last)
{
	const struct iopgt_backend_ops *ops = as->fmt->ops;
	struct iommu_iotlb_gather all, g;
	u64 pos = first, rf, rl;
	bool done = false;
	u32 log2;
	int ret;

	iopgt_flush_op_begin(as);
	iommu_iotlb_gather_init(&all);
	while (iopgt_dirty_next_run(as, &pos, first, last, &rf, &rl, &log2,
				    &done)) {
		iommu_iotlb_gather_init(&g);
		/* whole mapped leaves of one run, as in iopgt_dirty_scan() */
		ret = ops->dirty_read(as, rf, rl - rf + 1, true, &g);
		if (ret)
			return ret;
		if (g.start <= g.end)
			iommu_iotlb_gather_add_range(&all, g.start,
						     g.end - g.start + 1);
		cond_resched();
	}
	if (all.start > all.end)
		return 0;
	as->generation++;
	/* the invalidation clearing needs: the gather's range, synced */
	if (READ_ONCE(iopgt_dirty_test_defect) & IOPGT_DIRTY_DEFECT_NO_SYNC)
		return 0;
	iopgt_flush_gather_sync(as, &all, 0);
	return 0;
}

/**
 * iopgt_dirty_read() - IOPGT_READ_DIRTY on a looked-up address space
 * @as: live address space, as->lock held
 * @file: the caller's open file (clearing is reserved to the owner)
 * @cmd: the request; out_reason and out_dirty_pages are written
 *
 * See struct iopgt_read_dirty. Checks the request, finds the dirty leaves
 * of every mapped run of the range without clearing, writes the whole
 * bitmap, and only then clears (unless IOPGT_DIRTY_NO_CLEAR).
 *
 * Return: 0, -EINVAL, -EOVERFLOW, -ERANGE, -ENOSPC, -EOPNOTSUPP, -EPERM,
 * -EFAULT, -ENOMEM, -EINTR, or the library's error.
 */
int iopgt_dirty_read(struct iopgt_as *as, struct iopgt_file *file,
		     struct iopgt_read_dirty *cmd)
{
	bool clear = !(cmd->flags & IOPGT_DIRTY_NO_CLEAR), done = false;
	struct iopgt_dirty_scan s = { .as = as };
	u64 last, pos, rf, rl, words, i;
	u32 log2;
	int ret;

	lockdep_assert_held(&as->lock);
	cmd->out_reason = IOPGT_REASON_NONE;
	cmd->out_dirty_pages = 0;
	ret = iopgt_dirty_check(as, cmd, &last);
	if (ret)
		return ret;
	if (clear) {
		ret = iopgt_as_check_owner(as, file);
		if (ret)
			return ret;
	}
	s.first = cmd->iova;
	s.last = last;
	s.ps_log2 = ilog2(cmd->page_size);
	s.nbits = cmd->length >> s.ps_log2;
	words = DIV_ROUND_UP(s.nbits, 64);
	s.bits = iopgt_kvcalloc(words, sizeof(u64), IOPGT_GFP_USER_SIZED);
	if (!s.bits)
		return iopgt_dirty_refuse(&cmd->out_reason, IOPGT_REASON_NOMEM,
					  -ENOMEM);

	pos = s.first;
	while (iopgt_dirty_next_run(as, &pos, s.first, s.last, &rf, &rl, &log2,
				    &done)) {
		ret = iopgt_dirty_scan(&s, rf, rl, log2);
		if (ret)
			goto out;
	}
	for (i = 0; i < words; i++)
		cmd->out_dirty_pages += hweight64(s.bits[i]);
	ret = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(cmd->bitmap_uptr), s.bits,
			 words * sizeof(u64)))
		goto out;
	ret = 0;
	if (clear && s.found &&
	    !(READ_ONCE(iopgt_dirty_test_defect) & IOPGT_DIRTY_DEFECT_NO_CLEAR))
		ret = iopgt_dirty_clear(as, s.first, s.last);
out:
	iopgt_kvfree(s.bits);
	return ret;
}

/**
 * iopgt_dirty_set() - IOPGT_SET_DIRTY on a looked-up address space
 * @as: live address space, as->lock held
 * @file: the caller's open file (owner only)
 * @cmd: the request; out_reason and the out_leaf fields are written
 *
 * Return: 0, -EINVAL (flags, reserved), -EOPNOTSUPP (no dirty tracking),
 * -ERANGE, -ENOENT (not mapped), -EACCES (not writable), -EPERM.
 */
int iopgt_dirty_set(struct iopgt_as *as, struct iopgt_file *file,
		    struct iopgt_set_dirty *cmd)
{
	u32 *r = &cmd->out_reason;
	void *entry;
	int ret;

	lockdep_assert_held(&as->lock);
	*r = IOPGT_REASON_NONE;
	cmd->out_leaf_iova = 0;
	cmd->out_leaf_log2 = 0;
	if (cmd->flags || cmd->__reserved)
		return iopgt_dirty_refuse(r, IOPGT_REASON_RESERVED, -EINVAL);
	if (!(as->flags & IOPGT_AS_F_DIRTY))
		return iopgt_dirty_refuse(r, IOPGT_REASON_NO_DIRTY_TRACKING,
					  -EOPNOTSUPP);
	if (!iopgt_as_iova_ok(as, cmd->iova, 1))
		return iopgt_dirty_refuse(r, IOPGT_REASON_IOVA_BEYOND_IAS,
					  -ERANGE);
	entry = mtree_load(&as->shadow, cmd->iova);
	if (!entry)
		return iopgt_dirty_refuse(r, IOPGT_REASON_HOLE, -ENOENT);
	ret = iopgt_as_check_owner(as, file);
	if (ret)
		return ret;
	ret = as->fmt->ops->dirty_set(as, cmd->iova, &cmd->out_leaf_iova,
				      &cmd->out_leaf_log2);
	if (ret == -EACCES)
		*r = IOPGT_REASON_NOT_WRITABLE;
	else if (ret == -ENOENT)	/* the shadow map said mapped */
		iopgt_as_break(as, "SET_DIRTY at %#llx: shadow map mapped, tables not",
			       cmd->iova);
	if (!ret)
		as->generation++;
	return ret == -ENOENT ? -ENOTRECOVERABLE : ret;
}
