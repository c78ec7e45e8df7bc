// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: ioctl dispatch, the iommufd way. Every command struct starts with
 * "__u32 size"; a table {ioctl number, handler, kernel size, minimum size}
 * drives copy_struct_from_user() (short -> -EINVAL, non-zero unknown tail
 * -> -E2BIG); handlers write back at most min(user size, kernel size).
 * Arrays (map/unmap entries, format infos) follow the same rule per element.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/pid.h>
#include <linux/mm.h>

#include "iopgt_ioctl.h"
#include "iopgt_as.h"
#include "iopgt_perm.h"
#include "dirty.h"

/**
 * struct iopgt_ucmd - one ioctl call in progress
 * @filp: the struct file the call came through (its opener's credentials
 *	decide, with the caller's, whether kernel addresses are shown)
 * @file: the open file
 * @idev: its device, inside iopgt_dev_enter()
 * @ubuffer: user copy of the command struct
 * @user_size: size userspace declared (>= the command's minimum size)
 * @cmd: kernel copy of the command struct
 */
struct iopgt_ucmd {
	struct file *filp;
	struct iopgt_file *file;
	struct iopgt_dev *idev;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

static int iopgt_respond(struct iopgt_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

/*
 * An output array element larger than the kernel's struct: its unknown
 * tail must be zero, like the tail of an input struct.
 */
static int iopgt_check_tail(void __user *elem, size_t ksize, size_t usize)
{
	int ret;

	if (usize <= ksize)
		return 0;
	ret = check_zeroed_user(elem + ksize, usize - ksize);
	if (ret < 0)
		return -EFAULT;
	return ret ? 0 : -E2BIG;
}

static void iopgt_fill_format_info(const struct iopgt_fmt_desc *d,
				   struct iopgt_format_info *fi)
{
	u32 i;

	memset(fi, 0, sizeof(*fi));
	fi->format = d->id;
	fi->unavail_reason = iopgt_fmt_uapi_unavail(d);
	fi->flags = iopgt_fmt_uapi_flags(d);
	fi->dirty_unavail = iopgt_fmt_uapi_dirty(d);
	strscpy(fi->name, d->name, sizeof(fi->name));
	if (!(fi->flags & IOPGT_FMT_F_AVAILABLE))
		return;
	fi->quirks = d->quirks;
	fi->n_pgsize_sets = min_t(u32, d->n_pgsize_sets, IOPGT_MAX_PGSIZE_SETS);
	for (i = 0; i < fi->n_pgsize_sets; i++) {
		fi->pgsize_sets[i] = d->pgsize_sets[i];
		fi->table_bytes[i] = iopgt_walk_table_unit(d->id,
							    d->pgsize_sets[i]);
	}
	fi->ias_min = d->ias_min;
	fi->ias_max = d->ias_max;
	fi->oas_min = d->oas_min;
	fi->oas_max = d->oas_max;
	fi->levels_min = d->levels_min;
	fi->levels_max = d->levels_max;
	fi->ias_default = d->ias_default;
	fi->oas_default = d->oas_default;
	fi->oas_set = d->oas_set;
	fi->rules = d->rules;
}

/**
 * iopgt_ioctl_get_info() - IOPGT_GET_INFO: ABI version, formats, limits
 * @ucmd: call; cmd is struct iopgt_get_info
 *
 * Writes min(n_formats, IOPGT_FMT_COUNT - 1) format infos of
 * format_info_size bytes each (>= IOPGT_FORMAT_INFO_SIZE_V1, else -EINVAL;
 * a shorter element than the kernel's gets what fits, a larger element's
 * unknown tail must be zero, else -E2BIG).
 *
 * Return: 0, -EINVAL, -E2BIG, -EFAULT.
 */
static int iopgt_ioctl_get_info(struct iopgt_ucmd *ucmd)
{
	struct iopgt_get_info *cmd = ucmd->cmd;
	struct iopgt_dev *idev = ucmd->idev;
	void __user *uptr = u64_to_user_ptr(cmd->formats_uptr);
	u32 cap = cmd->n_formats, esize = cmd->format_info_size;
	u32 i, n = 0, avail = 0;
	int ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	BUILD_BUG_ON(IOPGT_FORMAT_INFO_SIZE_V1 !=
		     offsetofend(struct iopgt_format_info, oas_default));
	if (cap && esize < IOPGT_FORMAT_INFO_SIZE_V1)
		return -EINVAL;

	for (i = 1; i < IOPGT_FMT_COUNT; i++) {
		const struct iopgt_fmt_desc *d = iopgt_fmt_get(i);
		struct iopgt_format_info fi;

		if (iopgt_fmt_available(d))
			avail++;
		if (n >= cap)
			continue;
		iopgt_fill_format_info(d, &fi);
		ret = iopgt_check_tail(uptr + (size_t)n * esize, sizeof(fi),
				       esize);
		if (ret)
			return ret;
		if (copy_to_user(uptr + (size_t)n * esize, &fi,
				 min_t(size_t, esize, sizeof(fi))))
			return -EFAULT;
		n++;
	}

	cmd->abi_version = IOPGT_ABI_VERSION;
	cmd->n_formats = IOPGT_FMT_COUNT - 1;
	cmd->n_available = avail;
	cmd->page_size = PAGE_SIZE;
	cmd->max_as_per_device = READ_ONCE(iopgt_max_as);
	cmd->max_map_entries = READ_ONCE(iopgt_max_map_entries);
	cmd->max_table_bytes_per_as = READ_ONCE(iopgt_max_as_table_bytes);
	cmd->max_table_bytes = READ_ONCE(iopgt_max_table_bytes);
	cmd->nr_as = READ_ONCE(idev->nr_as);
	/* exact at all times (see iopgt_as_tables_end()): no recount */
	cmd->table_bytes = atomic64_read(&idev->table_bytes);
	cmd->module_allocs = iopgt_module_allocs();
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_as_create() - IOPGT_AS_CREATE
 * @ucmd: call; cmd is struct iopgt_as_create
 *
 * A refused request is written back too (out_reason names the rule).
 *
 * Return: see struct iopgt_as_create.
 */
static int iopgt_ioctl_as_create(struct iopgt_ucmd *ucmd)
{
	struct iopgt_as_create *cmd = ucmd->cmd;
	int ret;

	ret = iopgt_as_create(ucmd->idev, ucmd->file, cmd);
	if (ret) {
		/* the errno is the answer; the reason is a best effort */
		iopgt_respond(ucmd, sizeof(*cmd));
		return ret;
	}
	ret = iopgt_respond(ucmd, sizeof(*cmd));
	if (ret)	/* nobody learnt the id: do not leak the AS */
		iopgt_as_destroy(ucmd->idev, ucmd->file, cmd->as_id);
	return ret;
}

/**
 * iopgt_ioctl_as_destroy() - IOPGT_AS_DESTROY
 * @ucmd: call; cmd is struct iopgt_as_destroy
 *
 * Only the file that created a non-persistent address space may destroy
 * it.
 *
 * Return: 0, -ENOENT, -EPERM.
 */
static int iopgt_ioctl_as_destroy(struct iopgt_ucmd *ucmd)
{
	struct iopgt_as_destroy *cmd = ucmd->cmd;

	return iopgt_as_destroy(ucmd->idev, ucmd->file, cmd->as_id);
}

/*
 * Look up @id and lock it; -ENOENT if absent or dying, -ENOTRECOVERABLE
 * if broken (iopgt_as_break()) unless @entries: MAP and UNMAP refuse a
 * broken AS entry by entry, with the reason in the entry.
 */
static int __iopgt_as_lock_get(struct iopgt_ucmd *ucmd, u32 id,
			       struct iopgt_as **out, bool entries)
{
	struct iopgt_as *as = iopgt_as_get(ucmd->idev, id);
	int ret;

	if (!as)
		return -ENOENT;
	mutex_lock(&as->lock);
	ret = iopgt_as_usable(as);
	if (ret && !(entries && ret == -ENOTRECOVERABLE)) {
		mutex_unlock(&as->lock);
		iopgt_as_put(as);
		return ret;
	}
	*out = as;
	return 0;
}

static int iopgt_as_lock_get(struct iopgt_ucmd *ucmd, u32 id,
			     struct iopgt_as **out)
{
	return __iopgt_as_lock_get(ucmd, id, out, false);
}

static void iopgt_as_unlock_put(struct iopgt_as *as)
{
	mutex_unlock(&as->lock);
	iopgt_as_put(as);
}

/* One element of an input/output array: copy in with the size rule. */
static int iopgt_elem_in(void *k, size_t ksize, void __user *base, u32 i,
			 u32 esize)
{
	return copy_struct_from_user(k, ksize, base + (size_t)i * esize, esize);
}

static int iopgt_map_writeback(void __user *base, u32 i, u32 esize,
			       const struct iopgt_map_entry *e)
{
	void __user *p = base + (size_t)i * esize +
			 offsetof(struct iopgt_map_entry, mapped);

	if (copy_to_user(p, &e->mapped,
			 offsetofend(struct iopgt_map_entry, reason) -
			 offsetof(struct iopgt_map_entry, mapped)))
		return -EFAULT;
	return 0;
}

/* Rollback: reset the mapped field of entries [0, @n) to 0. */
static int iopgt_map_zero_mapped(void __user *base, u32 n, u32 esize)
{
	u64 zero = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		if (copy_to_user(base + (size_t)i * esize +
				 offsetof(struct iopgt_map_entry, mapped),
				 &zero, sizeof(zero)))
			return -EFAULT;
		if (!(i & 1023))
			cond_resched();
	}
	return 0;
}

/**
 * iopgt_ioctl_map() - IOPGT_MAP: map a vector of entries
 * @ucmd: call; cmd is struct iopgt_map
 *
 * Entries are processed in order under the AS mutex; processing stops at
 * the first failing entry, whose error and mapped fields say what
 * happened; n_done counts the entries completely mapped. With
 * IOPGT_MAP_ROLLBACK a failure undoes every entry of the call (their
 * mapped fields are reset to 0 and n_done to 0). n_done is written back
 * on failure too.
 *
 * Entries are copied in and answered one at a time and the rollback
 * finds the runs of this call by their tag in the shadow map
 * (iopgt_as_map_rollback()), so nothing is allocated in proportion to
 * n_entries.
 *
 * Return: 0 or the failing entry's error (see iopgt_as_map_one()), or
 * -EINVAL (flags, n_entries 0, entry_size short), -ENOSPC (n_entries >
 * max_map_entries), -E2BIG (element tail), -ENOENT (AS), -EPERM (the AS
 * is neither persistent nor created by this file; nothing is read or
 * written), -EFAULT.
 */
static int iopgt_ioctl_map(struct iopgt_ucmd *ucmd)
{
	struct iopgt_map *cmd = ucmd->cmd;
	void __user *base = u64_to_user_ptr(cmd->entries_uptr);
	bool rollback = cmd->flags & IOPGT_MAP_ROLLBACK;
	u32 i, n_undo = 0, esize = cmd->entry_size;
	u64 lo = U64_MAX, hi = 0;
	struct iopgt_as *as;
	int ret = 0, wret;

	cmd->n_done = 0;
	if (cmd->flags & ~IOPGT_MAP_ROLLBACK)
		return -EINVAL;
	if (!cmd->n_entries)
		return -EINVAL;
	if (cmd->n_entries > READ_ONCE(iopgt_max_map_entries))
		return -ENOSPC;
	if (esize < sizeof(struct iopgt_map_entry))
		return -EINVAL;
	ret = __iopgt_as_lock_get(ucmd, cmd->as_id, &as, true);
	if (ret)
		goto out;
	ret = iopgt_as_check_owner(as, ucmd->file);
	if (ret) {
		iopgt_as_unlock_put(as);
		goto out;
	}
	iopgt_as_map_begin(as);
	iopgt_flush_op_begin(as);	/* issue 14 */

	for (i = 0; i < cmd->n_entries; i++) {
		struct iopgt_map_entry e;

		ret = iopgt_elem_in(&e, sizeof(e), base, i, esize);
		if (ret)
			break;
		ret = iopgt_as_map_one(as, &e);
		e.error = ret;
		if (e.mapped) {
			/* entries [0, n_undo) have their mapped field set */
			n_undo = i + 1;
			lo = min(lo, e.iova);
			hi = max(hi, e.iova + e.mapped - 1);
		}
		if (ret) {
			atomic64_inc(&as->idev->stats.rejected);
			if (iopgt_map_writeback(base, i, esize, &e))
				ret = -EFAULT;
			break;
		}
		atomic64_inc(&as->idev->stats.maps);
		ret = iopgt_map_writeback(base, i, esize, &e);
		if (ret)
			break;
		cmd->n_done++;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}

	if (ret && rollback) {
		if (n_undo) {
			iopgt_as_map_rollback(as, lo, hi);
			/* the failing entry keeps its error */
			if (iopgt_map_zero_mapped(base, n_undo, esize))
				ret = -EFAULT;
		}
		cmd->n_done = 0;
	}
	iopgt_as_unlock_put(as);

out:
	wret = iopgt_respond(ucmd, sizeof(*cmd));
	return ret ? ret : wret;
}

/**
 * iopgt_ioctl_unmap() - IOPGT_UNMAP: unmap a vector of ranges
 * @ucmd: call; cmd is struct iopgt_unmap
 *
 * Each range must be whole mapped leaves (no hole: -ENOENT; no part of a
 * block: -EINVAL). Stops at the first failing entry; n_done is written
 * back on failure too.
 *
 * Return: 0 or the failing entry's error, -EINVAL (flags, n_entries 0,
 * entry_size short), -ENOSPC (n_entries > max_map_entries), -E2BIG,
 * -ENOENT, -EPERM (not this file's AS, as for MAP), -EFAULT,
 * -ENOTRECOVERABLE (broken AS: iopgt_as_break(); the entry's reason says
 * IOPGT_REASON_AS_BROKEN).
 */
static int iopgt_ioctl_unmap(struct iopgt_ucmd *ucmd)
{
	struct iopgt_unmap *cmd = ucmd->cmd;
	void __user *base = u64_to_user_ptr(cmd->entries_uptr);
	u32 i, esize = cmd->entry_size;
	struct iopgt_as *as;
	int ret, wret;

	cmd->n_done = 0;
	if (cmd->flags & ~IOPGT_UNMAP_CORE)
		return -EINVAL;
	if (!cmd->n_entries)
		return -EINVAL;
	if (cmd->n_entries > READ_ONCE(iopgt_max_map_entries))
		return -ENOSPC;
	if (esize < sizeof(struct iopgt_unmap_entry))
		return -EINVAL;
	ret = __iopgt_as_lock_get(ucmd, cmd->as_id, &as, true);
	if (ret)
		goto out;
	ret = iopgt_as_check_owner(as, ucmd->file);
	if (ret) {
		iopgt_as_unlock_put(as);
		goto out;
	}
	iopgt_flush_op_begin(as);	/* issue 14 */
	iopgt_flush_unmap_begin(as);	/* issue 14: the call's gather */

	for (i = 0; i < cmd->n_entries; i++) {
		struct iopgt_unmap_entry e;
		void __user *p;

		ret = iopgt_elem_in(&e, sizeof(e), base, i, esize);
		if (ret)
			break;
		ret = iopgt_as_unmap_entry(as, &e, cmd->flags);
		e.error = ret;
		p = base + (size_t)i * esize +
		    offsetof(struct iopgt_unmap_entry, unmapped);
		if (copy_to_user(p, &e.unmapped,
				 offsetofend(struct iopgt_unmap_entry, reason) -
				 offsetof(struct iopgt_unmap_entry, unmapped))) {
			ret = -EFAULT;
			break;
		}
		if (ret) {
			atomic64_inc(&as->idev->stats.rejected);
			break;
		}
		atomic64_inc(&as->idev->stats.unmaps);
		cmd->n_done++;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	iopgt_flush_unmap_end(as);	/* issue 14: synced once */
	iopgt_as_unlock_put(as);
out:
	wret = iopgt_respond(ucmd, sizeof(*cmd));
	return ret ? ret : wret;
}

/*
 * Inlined into the vector loop: one function call less per entry (on
 * arm64 a pointer-authentication pair, about half of the per-entry cost
 * the vector ioctl adds to the library's iova_to_phys under TCG).
 */
static __always_inline void iopgt_xlate_one(struct iopgt_as *as, u64 iova,
					    u64 *phys, u32 *out_flags)
{
	u64 off = iova & (as->granule - 1), pa;

	/*
	 * iova inside the input range; as->lock held (no concurrent unmap).
	 * The library returns 0 exactly for an unmapped page and for one
	 * mapped at PA 0: only then is the shadow map asked which it is.
	 */
	pa = as->fmt->ops->iova_to_phys(as, iova - off);
	*out_flags = 0;
	*phys = 0;
	if (pa || mtree_load(&as->shadow, iova)) {
		*out_flags = IOPGT_XLATE_MAPPED;
		*phys = pa + off;
	}
}

static __always_inline void iopgt_xlate_entry(struct iopgt_as *as,
					      struct iopgt_xlate_entry *e)
{
	e->error = 0;
	e->phys = 0;
	e->out_flags = 0;
	if (iopgt_as_iova_ok(as, e->iova, 1))
		iopgt_xlate_one(as, e->iova, &e->phys, &e->out_flags);
	else
		e->error = -ERANGE;
}

/* entries copied in and out at once by the vector form (on the stack) */
#define IOPGT_XLATE_BATCH	16

/*
 * The vector form: n_iovas entries, each with its own result and error.
 * Entries of exactly the kernel's size (no tail to check) move in batches
 * of IOPGT_XLATE_BATCH, one user copy each way per batch.
 */
static int iopgt_xlate_vector(struct iopgt_as *as,
			      struct iopgt_iova_to_phys *cmd)
{
	void __user *base = u64_to_user_ptr(cmd->iovas_uptr);
	struct iopgt_xlate_entry e[IOPGT_XLATE_BATCH];
	u32 i, j, k, esize = cmd->entry_size;
	int ret;

	for (i = 0; i < cmd->n_iovas; i += k) {
		k = min_t(u32, cmd->n_iovas - i, IOPGT_XLATE_BATCH);
		if (esize != sizeof(e[0]))
			k = 1;
		if (k == 1) {
			ret = iopgt_elem_in(&e[0], sizeof(e[0]), base, i, esize);
			if (ret)
				return ret;
		} else if (copy_from_user(e, base + (size_t)i * esize,
					  k * sizeof(e[0]))) {
			return -EFAULT;
		}
		for (j = 0; j < k; j++)
			iopgt_xlate_entry(as, &e[j]);
		if (copy_to_user(base + (size_t)i * esize, e, k * sizeof(e[0])))
			return -EFAULT;
		if ((i & ~1023U) != ((i + k) & ~1023U))
			cond_resched();
	}
	return 0;
}

/**
 * iopgt_ioctl_iova_to_phys() - IOPGT_IOVA_TO_PHYS
 * @ucmd: call; cmd is struct iopgt_iova_to_phys
 *
 * Translates cmd->iova, or with cmd->n_iovas the vector at cmd->iovas_uptr
 * (each entry gets its own result; an entry outside the input range gets
 * error -ERANGE and the others are still translated).
 *
 * Return: 0, -EINVAL (reserved, iova set with a vector, element size),
 * -ENOSPC (more than max_map_entries), -ENOENT (AS), -ERANGE (single iova
 * outside the input range), -E2BIG (element tail), -EFAULT,
 * -ENOTRECOVERABLE (broken AS: iopgt_as_break()).
 */
static int iopgt_ioctl_iova_to_phys(struct iopgt_ucmd *ucmd)
{
	struct iopgt_iova_to_phys *cmd = ucmd->cmd;
	struct iopgt_as *as;
	int ret;

	if (cmd->__reserved)
		return -EINVAL;
	if (cmd->n_iovas) {
		if (cmd->iova || cmd->entry_size < sizeof(struct iopgt_xlate_entry))
			return -EINVAL;
		if (cmd->n_iovas > READ_ONCE(iopgt_max_map_entries))
			return -ENOSPC;
	} else if (cmd->entry_size || cmd->iovas_uptr) {
		return -EINVAL;
	}
	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	cmd->out_flags = 0;
	cmd->phys = 0;
	if (cmd->n_iovas)
		ret = iopgt_xlate_vector(as, cmd);
	else if (!iopgt_as_iova_ok(as, cmd->iova, 1))
		ret = -ERANGE;
	else
		iopgt_xlate_one(as, cmd->iova, &cmd->phys, &cmd->out_flags);
	iopgt_as_unlock_put(as);
	if (ret)
		return ret;
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_get_hw_cfg() - IOPGT_GET_HW_CFG: registers of the format
 * @ucmd: call; cmd is struct iopgt_hw_cfg
 *
 * Unless iopgt_sees_kaddrs() allows them, the address bits of every
 * register holding a table address are cleared (iopgt_walk_hide_reg())
 * and IOPGT_HWCFG_ADDR_HIDDEN is set.
 *
 * Return: 0, -ENOENT, -EFAULT, -ENOTRECOVERABLE (broken AS), or a
 * backend error.
 */
static int iopgt_ioctl_get_hw_cfg(struct iopgt_ucmd *ucmd)
{
	struct iopgt_hw_cfg *cmd = ucmd->cmd;
	bool hide = !iopgt_sees_kaddrs(ucmd->filp, NULL);
	struct iopgt_as *as;
	u32 i;
	int ret;

	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	ret = iopgt_as_refresh_regs(as);
	if (ret) {
		iopgt_as_unlock_put(as);
		return ret;
	}
	cmd->format = as->format;
	cmd->out_flags = hide ? IOPGT_HWCFG_ADDR_HIDDEN : 0;
	cmd->levels = as->levels;
	cmd->start_level = as->start_level;
	cmd->pgsize_bitmap = as->pgsize_bitmap;
	cmd->ias = as->ias;
	cmd->oas = as->oas;
	cmd->quirks = as->quirks;
	for (i = 0; i < IOPGT_HW_NREGS; i++)
		cmd->regs[i] = hide ? iopgt_walk_hide_reg(as, i, as->regs[i]) :
				      as->regs[i];
	iopgt_as_unlock_put(as);
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_walk() - IOPGT_WALK: descriptors translating one IOVA
 * @ucmd: call; cmd is struct iopgt_walk
 *
 * The walker (iopgt_walk_iova()) reads the AS's own tables under its
 * mutex; IOPGT_WALK_HW additionally runs the library's pgtable_walk where
 * the kernel has one. Unless iopgt_sees_kaddrs() allows them, every kernel
 * address is removed from levels[] and hw_ptes[] (iopgt_walk_hide_addrs())
 * and IOPGT_WALK_ADDR_HIDDEN is set.
 *
 * Return: 0, -EINVAL (flags, reserved), -ENOENT, -ERANGE, -EFAULT,
 * -ENOTRECOVERABLE (broken AS).
 */
static int iopgt_ioctl_walk(struct iopgt_ucmd *ucmd)
{
	struct iopgt_walk *cmd = ucmd->cmd;
	struct iopgt_as *as;
	u64 iova = cmd->iova;
	u32 flags = cmd->flags;
	int ret;

	if ((flags & ~IOPGT_WALK_HW) || cmd->__reserved)
		return -EINVAL;
	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	if (!iopgt_as_iova_ok(as, iova, 1)) {
		iopgt_as_unlock_put(as);
		return -ERANGE;
	}
	cmd->n_levels = 0;
	cmd->phys = 0;
	cmd->out_flags = 0;
	memset(cmd->levels, 0, sizeof(cmd->levels));
	memset(cmd->hw_ptes, 0, sizeof(cmd->hw_ptes));
	ret = iopgt_walk_iova(as, iova, cmd);
	if (!ret && (flags & IOPGT_WALK_HW) && as->fmt->ops->hw_walk) {
		int hw;

		/* iova inside the input range, as->lock held */
		hw = as->fmt->ops->hw_walk(as, iova, cmd->hw_ptes);
		if (hw == 0 || hw == -EINVAL)	/* -EINVAL: walk hit a hole */
			cmd->out_flags |= IOPGT_WALK_HW_DONE;
	}
	if (!ret && !iopgt_sees_kaddrs(ucmd->filp, NULL)) {
		iopgt_walk_hide_addrs(as, cmd);
		cmd->out_flags |= IOPGT_WALK_ADDR_HIDDEN;
	}
	iopgt_as_unlock_put(as);
	if (ret)
		return ret;
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_as_info() - IOPGT_AS_INFO: counters of one address space
 * @ucmd: call; cmd is struct iopgt_as_info
 *
 * Return: 0, -EINVAL (reserved), -ENOENT, -EFAULT, -ENOTRECOVERABLE
 * (broken AS).
 */
static int iopgt_ioctl_as_info(struct iopgt_ucmd *ucmd)
{
	struct iopgt_as_info *cmd = ucmd->cmd;
	struct iopgt_as *as;
	int ret;

	if (cmd->__reserved)
		return -EINVAL;
	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	cmd->format = as->format;
	cmd->flags = 0;
	if (as->flags & IOPGT_AS_F_PERSISTENT)
		cmd->flags |= IOPGT_AS_INFO_PERSISTENT;
	if (as->flags & IOPGT_AS_F_NONCOHERENT)
		cmd->flags |= IOPGT_AS_INFO_NONCOHERENT;
	if (as->flags & IOPGT_AS_F_DIRTY)
		cmd->flags |= IOPGT_AS_INFO_DIRTY;
	if (as->flags & IOPGT_AS_F_FLUSH_RANGE)
		cmd->flags |= IOPGT_AS_INFO_FLUSH_RANGE;
	if (as->flags & IOPGT_AS_F_FLUSH_NO_GAPS)
		cmd->flags |= IOPGT_AS_INFO_FLUSH_NO_GAPS;
	cmd->generation = as->generation;
	cmd->mapped_bytes = as->mapped_bytes;
	cmd->n_extents = as->n_extents;
	cmd->table_bytes = iopgt_as_table_bytes(as);
	cmd->owner_pid = pid_vnr(as->owner_pid);
	iopgt_as_unlock_put(as);
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_flush_ctl() - IOPGT_FLUSH_CTL: invalidation log state/clear
 * @ucmd: call; cmd is struct iopgt_flush_ctl
 *
 * Return: 0, -EINVAL (flags, reserved), -ENOENT, -EPERM (CLEAR of another
 * file's address space), -EFAULT. See iopgt_flush_ctl() (flush.c).
 */
static int iopgt_ioctl_flush_ctl(struct iopgt_ucmd *ucmd)
{
	struct iopgt_flush_ctl *cmd = ucmd->cmd;
	struct iopgt_as *as;
	int ret;

	if ((cmd->flags & ~IOPGT_FLUSH_CTL_CLEAR) || cmd->__reserved)
		return -EINVAL;
	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	ret = iopgt_flush_ctl(as, ucmd->file, cmd);
	iopgt_as_unlock_put(as);
	if (ret)
		return ret;
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_read_dirty() - IOPGT_READ_DIRTY: read (and clear) dirty state
 * @ucmd: call; cmd is struct iopgt_read_dirty
 *
 * The struct is written back on failure too (out_reason names the rule).
 *
 * Return: 0, -ENOENT, -ENOTRECOVERABLE (broken AS), else see
 * iopgt_dirty_read() (dirty.c).
 */
static int iopgt_ioctl_read_dirty(struct iopgt_ucmd *ucmd)
{
	struct iopgt_read_dirty *cmd = ucmd->cmd;
	struct iopgt_as *as;
	int ret;

	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	ret = iopgt_dirty_read(as, ucmd->file, cmd);
	iopgt_as_unlock_put(as);
	if (ret) {
		/* the errno is the answer; the reason is a best effort */
		iopgt_respond(ucmd, sizeof(*cmd));
		return ret;
	}
	return iopgt_respond(ucmd, sizeof(*cmd));
}

/**
 * iopgt_ioctl_set_dirty() - IOPGT_SET_DIRTY: test only, "a device wrote here"
 * @ucmd: call; cmd is struct iopgt_set_dirty
 *
 * The struct is written back on failure too (out_reason names the rule).
 *
 * Return: 0, -ENOENT, -ENOTRECOVERABLE (broken AS), else see
 * iopgt_dirty_set() (dirty.c).
 */
static int iopgt_ioctl_set_dirty(struct iopgt_ucmd *ucmd)
{
	struct iopgt_set_dirty *cmd = ucmd->cmd;
	struct iopgt_as *as;
	int ret;

	ret = iopgt_as_lock_get(ucmd, cmd->as_id, &as);
	if (ret)
		return ret;
	ret = iopgt_dirty_set(as, ucmd->file, cmd);
	iopgt_as_unlock_put(as);
	if (ret) {
		iopgt_respond(ucmd, sizeof(*cmd));
		return ret;
	}
	return iopgt_respond(ucmd, sizeof(*cmd));
}

union iopgt_ucmd_buffer {
	struct iopgt_get_info get_info;
	struct iopgt_as_create as_create;
	struct iopgt_as_destroy as_destroy;
	struct iopgt_map map;
	struct iopgt_unmap unmap;
	struct iopgt_iova_to_phys iova_to_phys;
	struct iopgt_hw_cfg hw_cfg;
	struct iopgt_walk walk;
	struct iopgt_as_info as_info;
	struct iopgt_flush_ctl flush_ctl;
	struct iopgt_read_dirty read_dirty;
	struct iopgt_set_dirty set_dirty;
};

/**
 * struct iopgt_ioctl_op - one ioctl
 * @size: kernel size of its struct
 * @min_size: size of version 1 of the struct (shorter: -EINVAL)
 * @ioctl_num: full ioctl number
 * @execute: handler
 */
struct iopgt_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	int (*execute)(struct iopgt_ucmd *ucmd);
};

#define IOCTL_OP(_ioctl, _fn, _struct, _last)                                 \
	[_IOC_NR(_ioctl) - IOPGT_CMD_BASE] = {                                \
		.size = sizeof(_struct) +                                     \
			BUILD_BUG_ON_ZERO(sizeof(union iopgt_ucmd_buffer) <   \
					  sizeof(_struct)),                   \
		.min_size = offsetofend(_struct, _last),                      \
		.ioctl_num = _ioctl,                                          \
		.execute = _fn,                                               \
	}

static const struct iopgt_ioctl_op iopgt_ioctl_ops[] = {
	IOCTL_OP(IOPGT_GET_INFO, iopgt_ioctl_get_info, struct iopgt_get_info,
		 module_allocs),
	IOCTL_OP(IOPGT_AS_CREATE, iopgt_ioctl_as_create, struct iopgt_as_create,
		 out_quirks),
	IOCTL_OP(IOPGT_AS_DESTROY, iopgt_ioctl_as_destroy,
		 struct iopgt_as_destroy, as_id),
	IOCTL_OP(IOPGT_MAP, iopgt_ioctl_map, struct iopgt_map, n_done),
	IOCTL_OP(IOPGT_UNMAP, iopgt_ioctl_unmap, struct iopgt_unmap, n_done),
	IOCTL_OP(IOPGT_IOVA_TO_PHYS, iopgt_ioctl_iova_to_phys,
		 struct iopgt_iova_to_phys, __reserved),
	IOCTL_OP(IOPGT_GET_HW_CFG, iopgt_ioctl_get_hw_cfg, struct iopgt_hw_cfg,
		 regs),
	IOCTL_OP(IOPGT_WALK, iopgt_ioctl_walk, struct iopgt_walk, hw_ptes),
	IOCTL_OP(IOPGT_AS_INFO, iopgt_ioctl_as_info, struct iopgt_as_info,
		 __reserved),
	IOCTL_OP(IOPGT_FLUSH_CTL, iopgt_ioctl_flush_ctl, struct iopgt_flush_ctl,
		 __reserved),
	IOCTL_OP(IOPGT_READ_DIRTY, iopgt_ioctl_read_dirty,
		 struct iopgt_read_dirty, out_dirty_pages),
	IOCTL_OP(IOPGT_SET_DIRTY, iopgt_ioctl_set_dirty, struct iopgt_set_dirty,
		 __reserved),
};

/**
 * iopgt_ioctl() - /dev/iopgt unlocked_ioctl (and, via compat_ptr_ioctl,
 * compat_ioctl: every struct has the same layout for 32-bit callers)
 * @filp: open file
 * @cmd: ioctl number
 * @arg: user pointer to the command struct
 *
 * Return: -ENODEV once the device was unbound (every call), -ENOTTY for an
 * unknown number, -EFAULT, -EINVAL (short struct), -E2BIG (non-zero
 * unknown tail), else the handler's result.
 */
long iopgt_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct iopgt_file *f = filp->private_data;
	const struct iopgt_ioctl_op *op;
	union iopgt_ucmd_buffer buf;
	struct iopgt_ucmd ucmd = { };
	unsigned int nr = _IOC_NR(cmd);
	int cookie, ret;

	ret = iopgt_dev_enter(f->idev, &cookie);
	if (ret)
		return ret;

	ret = -ENOTTY;
	if (nr < IOPGT_CMD_BASE ||
	    nr - IOPGT_CMD_BASE >= ARRAY_SIZE(iopgt_ioctl_ops))
		goto out;
	op = &iopgt_ioctl_ops[nr - IOPGT_CMD_BASE];
	if (op->ioctl_num != cmd || !op->execute)
		goto out;

	ucmd.filp = filp;
	ucmd.file = f;
	ucmd.idev = f->idev;
	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		goto out;
	ret = -EINVAL;
	if (ucmd.user_size < op->min_size)
		goto out;
	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		goto out;
	ret = op->execute(&ucmd);
out:
	iopgt_dev_exit(f->idev, cookie);
	return ret;
}
