/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the address-space core (iopgt_as.c): lookups, creation, the
 * shadow map, map/unmap/rollback and table accounting. Called by the
 * device layer (ioctl, netlink, bench, teardown) and by the backends
 * (iopgt_as_refresh_regs()); calls the backends only through the ops of
 * the format registry.
 */
#ifndef _IOPGT_AS_H
#define _IOPGT_AS_H

#include "iopgt_types.h"

/**
 * iopgt_as_get() - look up a live address space
 * @idev: device, inside iopgt_dev_enter()
 * @id: address-space id
 *
 * Return: referenced AS (release with iopgt_as_put()), or NULL. The AS can
 * still die before the caller takes as->lock: check as->dead under it.
 */
struct iopgt_as *iopgt_as_get(struct iopgt_dev *idev, u32 id);

/**
 * iopgt_as_get_next() - iterate live address spaces in id order
 * @idev: device, inside iopgt_dev_enter()
 * @id: in: first id to consider; out: id of the returned AS
 *
 * Return: referenced AS with the smallest id >= *@id, or NULL. Continue
 * with *@id + 1 (check for wrap at U32_MAX).
 */
struct iopgt_as *iopgt_as_get_next(struct iopgt_dev *idev, u32 *id);
void iopgt_as_put(struct iopgt_as *as);

/**
 * iopgt_as_refresh_regs() - re-read registers (AMDv1's top can grow)
 * @as: address space, as->lock held, live
 *
 * Calls the backend's read_regs and, when regs[7] changed, iopgt_walk_init().
 * Return: 0 or -errno.
 */
int iopgt_as_refresh_regs(struct iopgt_as *as);

/**
 * iopgt_as_break() - the library disagreed with the module: stop using it
 * @as: live address space, as->lock held
 * @fmt: what happened (printf format, no newline)
 *
 * A "cannot happen" state (e.g. the library unmapped another size than the
 * shadow map proved mapped). Logs once per call site (dev_err_once, never a
 * WARN: the boots run with panic_on_warn) and marks @as broken: every
 * later call on it fails with -ENOTRECOVERABLE (reason
 * IOPGT_REASON_AS_BROKEN), see iopgt_as_usable().
 */
__printf(2, 3) void iopgt_as_break(struct iopgt_as *as, const char *fmt, ...);

/**
 * iopgt_as_usable() - may a call use this address space?
 * @as: address space, as->lock held
 *
 * Return: 0, -ENOENT (destroyed), -ENOTRECOVERABLE (broken, see
 * iopgt_as_break()).
 */
int iopgt_as_usable(const struct iopgt_as *as);

/* ------------------------------------------------------------------ */
/* Address-space operations, used by the ioctl handlers.               */

int iopgt_as_create(struct iopgt_dev *idev, struct iopgt_file *file,
		    struct iopgt_as_create *req);
int iopgt_as_destroy(struct iopgt_dev *idev, struct iopgt_file *file, u32 id);
void iopgt_as_kill(struct iopgt_as *as);
void iopgt_as_release_file(struct iopgt_dev *idev, struct iopgt_file *file);
void iopgt_as_release_all(struct iopgt_dev *idev);
int iopgt_as_map_one(struct iopgt_as *as, struct iopgt_map_entry *e);
void iopgt_as_map_begin(struct iopgt_as *as);
void iopgt_as_map_rollback(struct iopgt_as *as, u64 first, u64 last);
int iopgt_as_table_reserve(struct iopgt_as *as, u64 bound);

/*
 * Shadow map values: bits 0-5 the log2 of the run's page size, the bits
 * above it the tag of the MAP call that made the run (xa_mk_value() takes
 * at most LONG_MAX: the tag is masked to IOPGT_SHADOW_TAG_MASK).
 */
#define IOPGT_SHADOW_TAG_SHIFT	6
#define IOPGT_SHADOW_TAG_MASK	(ULONG_MAX >> (IOPGT_SHADOW_TAG_SHIFT + 1))

static inline void *iopgt_shadow_mk(u32 pgsize_log2, u64 tag)
{
	return xa_mk_value(((unsigned long)(tag & IOPGT_SHADOW_TAG_MASK) <<
			    IOPGT_SHADOW_TAG_SHIFT) | pgsize_log2);
}

static inline u32 iopgt_shadow_log2(const void *entry)
{
	return xa_to_value(entry) & (BIT(IOPGT_SHADOW_TAG_SHIFT) - 1);
}

static inline u64 iopgt_shadow_tag(const void *entry)
{
	return xa_to_value(entry) >> IOPGT_SHADOW_TAG_SHIFT;
}
int iopgt_as_unmap_range(struct iopgt_as *as, u64 iova, u64 length,
			 u64 *unmapped);
int iopgt_as_unmap_entry(struct iopgt_as *as, struct iopgt_unmap_entry *e,
			 u32 flags);
int iopgt_as_check_unmap(struct iopgt_as *as, u64 iova, u64 length);
void iopgt_as_update_table_bytes(struct iopgt_as *as);
void iopgt_as_table_release(struct iopgt_as *as, u64 bound);

/**
 * struct iopgt_tables_mark - tables covering a range before a backend call
 * @first: lowest IOVA of the range
 * @last: highest IOVA (inclusive)
 * @before: tables covering [@first, @last] when the mark was taken
 * @top_pa: the top table then (a change means: recount everything)
 * @levels: the walked levels then
 * @count: the range is counted (neither the allocator callbacks nor the
 *	library's rules tell the change)
 */
struct iopgt_tables_mark {
	u64 first, last, before, top_pa;
	u32 levels;
	bool count;
};

void iopgt_as_tables_begin(struct iopgt_as *as, u64 first, u64 last,
			   bool unmap, struct iopgt_tables_mark *m);
void iopgt_as_tables_end(struct iopgt_as *as,
			 const struct iopgt_tables_mark *m);

/**
 * iopgt_as_table_bytes() - exact page-table memory of an address space
 * @as: live address space, as->lock held
 *
 * Return: bytes (kept exact by the accounting, nothing is recounted).
 */
u64 iopgt_as_table_bytes(struct iopgt_as *as);

#endif /* _IOPGT_AS_H */
