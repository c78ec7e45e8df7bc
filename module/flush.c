// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: the invalidation log (IOPGT_AS_RECORD_FLUSHES).
 *
 * The page-table libraries ask their IOMMU driver for TLB invalidations
 * (io-pgtable: struct iommu_flush_ops and the gather of unmap_pages();
 * generic_pt: the iommu_iotlb_gather it fills, iotlb_sync, iotlb_sync_map,
 * flush_iotlb_all, change_top). No hardware caches iopgt's tables, so
 * nothing needs invalidating; but what the library asked for is exactly
 * what a driver would have done, and a missing or too-narrow request is the
 * classic IOMMU bug. An address space created with IOPGT_AS_RECORD_FLUSHES
 * keeps every such request in a bounded log (max_flush_records; records
 * beyond it are counted as dropped, never silently lost), read back by the
 * netlink FLUSH_GET dump and cleared by IOPGT_FLUSH_CTL.
 *
 * Address spaces without the flag have no log (as->flush is NULL) and the
 * backends take exactly the path they take without this file.
 *
 * Locking: the log belongs to its address space and is protected by
 * as->lock; the library calls the recording hooks only inside backend
 * calls, which hold it (lockdep_assert_held() checks it, also in the
 * hooks that run in atomic context: the mutex is held by the same task).
 * The log is created before the address space is visible and freed after
 * its last reference went, both without the lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/moduleparam.h>
#include <linux/iommu.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "iopgt_as.h"
#include "iopgt_perm.h"
#include "flush.h"

#define IOPGT_MAX_FLUSH_RECORDS_LIMIT	(1U << 20)

unsigned int iopgt_max_flush_records = 4096;

static int max_flush_records_set(const char *val,
				 const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (!v || v > IOPGT_MAX_FLUSH_RECORDS_LIMIT)
		return -EINVAL;
	WRITE_ONCE(iopgt_max_flush_records, v);
	return 0;
}

static const struct kernel_param_ops max_flush_records_ops = {
	.set = max_flush_records_set,
	.get = param_get_uint,
};
module_param_cb(max_flush_records, &max_flush_records_ops,
		&iopgt_max_flush_records, 0644);
MODULE_PARM_DESC(max_flush_records,
		 "invalidation records kept per recording address space (1..1048576, default 4096; read at creation)");

/* test-only: see IOPGT_FLUSH_DROP_* */
unsigned int iopgt_flush_test_drop;
module_param_named(flush_test_drop, iopgt_flush_test_drop, uint, 0600);
MODULE_PARM_DESC(flush_test_drop,
		 "TEST ONLY: do not record tlb_flush_walk (1), tlb_add_page (2), gather syncs (4), change_top (16); NO_GAPS address spaces created with FLUSH_RANGE (8)");

/**
 * iopgt_flush_create() - give a new address space its log
 * @as: address space being created, before its backend and before it is
 *	visible: no lock (nothing else can reach it)
 *
 * Return: 0 or -ENOMEM.
 */
int iopgt_flush_create(struct iopgt_as *as)
{
	unsigned int cap = READ_ONCE(iopgt_max_flush_records);
	struct iopgt_flush_log *log;

	log = iopgt_kvcalloc(1, struct_size(log, recs, cap),
			     IOPGT_GFP_USER_SIZED);
	if (!log)
		return -ENOMEM;
	log->cap = cap;
	as->flush = log;
	return 0;
}

/**
 * iopgt_flush_destroy() - free the log of an address space
 * @as: address space whose last reference went (iopgt_as_free()): no lock
 *	(nothing else can reach it)
 */
void iopgt_flush_destroy(struct iopgt_as *as)
{
	iopgt_kvfree(as->flush);
	as->flush = NULL;
}

/**
 * iopgt_flush_op_begin() - a MAP or UNMAP call starts
 * @as: live address space, as->lock held
 *
 * Records made until the next call carry its sequence number.
 */
void iopgt_flush_op_begin(struct iopgt_as *as)
{
	lockdep_assert_held(&as->lock);
	if (as->flush)
		as->flush->seq++;
}

static bool iopgt_flush_dropped_kind(u32 kind)
{
	unsigned int drop = READ_ONCE(iopgt_flush_test_drop);

	return ((drop & IOPGT_FLUSH_DROP_WALK) && kind == IOPGT_FLUSH_WALK) ||
	       ((drop & IOPGT_FLUSH_DROP_ADD_PAGE) &&
		kind == IOPGT_FLUSH_ADD_PAGE) ||
	       ((drop & IOPGT_FLUSH_DROP_SYNC) && kind == IOPGT_FLUSH_SYNC) ||
	       ((drop & IOPGT_FLUSH_DROP_TOP) && kind == IOPGT_FLUSH_TOP);
}

/**
 * iopgt_flush_unmap_begin() - an IOPGT_UNMAP call starts
 * @as: live address space, as->lock held until iopgt_flush_unmap_end()
 *
 * With an invalidation contract (IOPGT_AS_FLUSH_RANGE / _NO_GAPS) the
 * backend unmaps every entry of the call into one gather, as a driver's
 * iommu_unmap_fast() loop does; without one nothing changes.
 */
void iopgt_flush_unmap_begin(struct iopgt_as *as)
{
	lockdep_assert_held(&as->lock);
	if ((as->flags & (IOPGT_AS_F_FLUSH_RANGE | IOPGT_AS_F_FLUSH_NO_GAPS)) &&
	    as->fmt->ops->unmap_batch)
		as->fmt->ops->unmap_batch(as, true);
}

/**
 * iopgt_flush_unmap_end() - the IOPGT_UNMAP call ends: sync its gather
 * @as: live address space, as->lock held since iopgt_flush_unmap_begin()
 */
void iopgt_flush_unmap_end(struct iopgt_as *as)
{
	lockdep_assert_held(&as->lock);
	if ((as->flags & (IOPGT_AS_F_FLUSH_RANGE | IOPGT_AS_F_FLUSH_NO_GAPS)) &&
	    as->fmt->ops->unmap_batch)
		as->fmt->ops->unmap_batch(as, false);
}

/**
 * iopgt_flush_record() - append one record
 * @as: address space; as->lock held by the caller of the library call
 *	(may be atomic context: nothing here sleeps)
 * @kind: enum iopgt_flush_kind
 * @iova: start
 * @size: bytes
 * @granule: see enum iopgt_flush_kind
 * @freed: table pages freed with a gather
 *
 * Does nothing when @as does not record.
 */
void iopgt_flush_record(struct iopgt_as *as, u32 kind, u64 iova, u64 size,
			u64 granule, u32 freed)
{
	struct iopgt_flush_log *log = as->flush;
	struct iopgt_flush_rec *r;

	if (!log)
		return;
	lockdep_assert_held(&as->lock);
	if (iopgt_flush_dropped_kind(kind))
		return;
	if (log->n >= log->cap) {
		log->dropped++;
		return;
	}
	r = &log->recs[log->n++];
	r->seq = log->seq;
	r->iova = iova;
	r->size = size;
	r->granule = granule;
	r->kind = kind;
	r->freed = freed;
}

/**
 * iopgt_flush_gather_init() - an empty gather for one library call
 * @g: gather
 */
void iopgt_flush_gather_init(struct iommu_iotlb_gather *g)
{
	iommu_iotlb_gather_init(g);
}

/**
 * iopgt_flush_gather_add() - the io-pgtable driver side of tlb_add_page
 * @as: recording address space
 * @g: the gather passed to unmap_pages()
 * @iova: page
 * @size: its granule
 *
 * Does what arm-smmu-v3 does (iommu_iotlb_gather_add_page()): a page of
 * another size, or one disjoint from the gathered range, first syncs the
 * gather; then the page joins it.
 */
void iopgt_flush_gather_add(struct iopgt_as *as, struct iommu_iotlb_gather *g,
			    u64 iova, u64 size)
{
	if ((g->pgsize && g->pgsize != size) ||
	    iommu_iotlb_gather_is_disjoint(g, iova, size))
		iopgt_flush_gather_sync(as, g, 0);
	g->pgsize = size;
	iommu_iotlb_gather_add_range(g, iova, size);
}

/**
 * iopgt_flush_gather_sync() - record a gather's sync and empty it
 * @as: recording address space
 * @g: gather
 * @freed: table pages on its free list
 *
 * An empty gather (start > end, as iommu_iotlb_sync() skips it) records
 * nothing.
 */
void iopgt_flush_gather_sync(struct iopgt_as *as, struct iommu_iotlb_gather *g,
			     u32 freed)
{
	if (g->start <= g->end)
		iopgt_flush_record(as, IOPGT_FLUSH_SYNC, g->start,
				   (u64)g->end - g->start + 1, g->pgsize, freed);
	g->start = ULONG_MAX;
	g->end = 0;
	g->pgsize = 0;
}

/**
 * iopgt_flush_get() - one record by index
 * @as: live address space, as->lock held
 * @index: absolute record index
 *
 * Return: the record, or NULL when @index is not held (cleared, or not yet
 * made) or @as does not record.
 */
const struct iopgt_flush_rec *iopgt_flush_get(struct iopgt_as *as, u64 index)
{
	struct iopgt_flush_log *log = as->flush;

	lockdep_assert_held(&as->lock);
	if (!log || index < log->first_index ||
	    index - log->first_index >= log->n)
		return NULL;
	return &log->recs[index - log->first_index];
}

/**
 * iopgt_flush_ctl() - IOPGT_FLUSH_CTL on a looked-up address space
 * @as: live address space, as->lock held
 * @file: the caller's open file (CLEAR is reserved to the owner)
 * @cmd: the command (flags and __reserved checked here); outputs filled
 *
 * Return: 0, -EINVAL (flags, reserved), -EPERM (CLEAR by another file).
 */
int iopgt_flush_ctl(struct iopgt_as *as, struct iopgt_file *file,
		    struct iopgt_flush_ctl *cmd)
{
	struct iopgt_flush_log *log = as->flush;
	int ret;

	lockdep_assert_held(&as->lock);
	if ((cmd->flags & ~IOPGT_FLUSH_CTL_CLEAR) || cmd->__reserved)
		return -EINVAL;
	if (cmd->flags & IOPGT_FLUSH_CTL_CLEAR) {
		ret = iopgt_as_check_owner(as, file);
		if (ret)
			return ret;
	}
	cmd->out_flags = 0;
	cmd->n_records = 0;
	cmd->first_index = 0;
	cmd->next_index = 0;
	cmd->dropped = 0;
	cmd->seq = 0;
	cmd->capacity = 0;
	if (!log)
		return 0;
	cmd->out_flags = IOPGT_FLUSH_CTL_RECORDING;
	if (as->flags & IOPGT_AS_F_FLUSH_RANGE)
		cmd->out_flags |= IOPGT_FLUSH_CTL_CONTRACT_RANGE;
	if (as->flags & IOPGT_AS_F_FLUSH_NO_GAPS)
		cmd->out_flags |= IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS;
	cmd->n_records = log->n;
	cmd->first_index = log->first_index;
	cmd->next_index = log->first_index + log->n;
	cmd->dropped = log->dropped;
	cmd->seq = log->seq;
	cmd->capacity = log->cap;
	if (cmd->flags & IOPGT_FLUSH_CTL_CLEAR) {
		log->first_index += log->n;
		log->n = 0;
		log->dropped = 0;
		log->clears++;
	}
	return 0;
}
