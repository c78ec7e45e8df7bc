/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the objects every layer shares (device context, address space,
 * open file) and the few static inlines that only read them. No function
 * is declared here: the functions live in the headers of their layers
 * (iopgt_dev.h, iopgt_as.h, ...; see iopgt_services.h for the layers).
 */
#ifndef _IOPGT_TYPES_H
#define _IOPGT_TYPES_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/srcu.h>
#include <linux/xarray.h>
#include <linux/maple_tree.h>
#include <linux/miscdevice.h>
#include <linux/atomic.h>
#include <linux/device.h>

#include "iopgt_services.h"
#include "iopgt_walk.h"
#include "flush.h"	/* issue 14: invalidation log */

/* ------------------------------------------------------------------ */
/* Devices                                                             */

/**
 * struct iopgt_dev - per-device context (one per bound platform device)
 *
 * Created by probe, torn down by the single devm action at unbind, freed
 * when the last reference goes. Open files and netlink callers hold a
 * reference (@kref), never one on @dev.
 *
 * @kref: lifetime of this structure (not of the device)
 * @srcu: read side held by every ioctl/netlink call (iopgt_dev_enter());
 *	teardown sets @dead and waits for all readers
 * @dead: set once at unbind; afterwards every call fails with -ENODEV.
 *	Read inside an SRCU read section with READ_ONCE().
 * @dev: the bound platform device; valid only inside an SRCU read section
 *	that saw !@dead (it is the iommu_dev of every io-pgtable)
 * @instance: device number (0 for /dev/iopgt), IOPGT_A_DEV_ID in netlink
 * @misc: /dev/iopgt node; registered while bound
 * @misc_name: its name
 * @as_lock: protects @ases insertions/removals together with @nr_as and
 *	@next_id (the xarray's own lock protects lookups)
 * @ases: live address spaces by id; each entry holds one reference
 * @next_id: cursor for xa_alloc_cyclic()
 * @nr_as: number of entries in @ases
 * @table_bytes: page-table memory held by all address spaces (sum of
 *	as->table_bytes; updated under the owning as->lock)
 * @table_bytes_pending: sum of as->table_bytes_pending: @table_bytes plus
 *	this is an upper bound of the real table memory at any time
 * @noncoherent_ok: the DMA pre-flight passed: coherent_walk=false allowed
 * @stats: counters for debugfs (atomic, no lock)
 */
struct iopgt_dev {
	struct kref kref;
	struct srcu_struct srcu;
	bool dead;
	struct device *dev;
	int instance;
	struct miscdevice misc;
	char misc_name[16];
	struct mutex as_lock;
	struct xarray ases;
	u32 next_id;
	unsigned int nr_as;
	atomic64_t table_bytes;
	atomic64_t table_bytes_pending;
	bool noncoherent_ok;
	struct {
		atomic64_t as_created;
		atomic64_t as_destroyed;
		atomic64_t maps;
		atomic64_t unmaps;
		atomic64_t rejected;
	} stats;
};


/**
 * iopgt_dev_enter() - start a call on a device context
 * @idev: referenced context
 * @cookie: out: pass to iopgt_dev_exit()
 *
 * Return: 0 (call iopgt_dev_exit() when done; may sleep in between), or
 * -ENODEV when the device was unbound (do not call iopgt_dev_exit()).
 */
static inline int iopgt_dev_enter(struct iopgt_dev *idev, int *cookie)
{
	*cookie = srcu_read_lock(&idev->srcu);
	if (READ_ONCE(idev->dead)) {
		srcu_read_unlock(&idev->srcu, *cookie);
		return -ENODEV;
	}
	return 0;
}

/**
 * iopgt_dev_exit() - end a call started by iopgt_dev_enter()
 * @idev: the context
 * @cookie: what iopgt_dev_enter() returned
 */
static inline void iopgt_dev_exit(struct iopgt_dev *idev, int cookie)
{
	srcu_read_unlock(&idev->srcu, cookie);
}

/* ------------------------------------------------------------------ */
/* Address spaces                                                      */

#define IOPGT_AS_F_PERSISTENT	BIT(0)
#define IOPGT_AS_F_NONCOHERENT	BIT(1)
#define IOPGT_AS_F_TTBR1	BIT(2)	/* input range is the top of 2^64 */
/*
 * Table accounting (iopgt_as_tables_begin()): the library reports every
 * table it allocates or frees after create through the backend's
 * allocator callbacks (io-pgtable's cfg->alloc/free), which add to
 * struct iopgt_as.tables_cb
 */
#define IOPGT_AS_F_TABLES_CB	BIT(3)
/* an unmap of whole leaves never frees a table (io-pgtable) */
#define IOPGT_AS_F_UNMAP_KEEPS	BIT(4)
/* issue 14: created with IOPGT_AS_DIRTY_TRACKING (dirty.c) */
#define IOPGT_AS_F_DIRTY	BIT(5)
/*
 * the tables an unmap frees are subtracted from struct iopgt_as.tables_cb
 * by the backend (generic_pt: the gather's free list in iotlb_sync)
 */
#define IOPGT_AS_F_UNMAP_CB	BIT(6)
/* issue 14: created with IOPGT_AS_FLUSH_RANGE / IOPGT_AS_FLUSH_NO_GAPS */
#define IOPGT_AS_F_FLUSH_RANGE	BIT(7)
#define IOPGT_AS_F_FLUSH_NO_GAPS	BIT(8)

/**
 * struct iopgt_as - one address space (page table)
 *
 * Lifetime: @kref; the idev->ases entry holds one reference, lookups
 * (iopgt_as_get()) take one more. The tables are freed by
 * iopgt_as_kill() (destroy, owner's close, unbind) under @lock, which sets
 * @dead; the structure itself goes with the last reference. Lookups must
 * happen inside iopgt_dev_enter()/exit() of @idev.
 *
 * Immutable after creation (no lock): @id, @idev, @format, @fmt, @flags,
 * @owner, @owner_pid, @ias, @oas, @pgsize_bitmap, @granule, @quirks,
 * @kquirks, @va_first, @va_last.
 *
 * @lock protects everything else (listed after it) and serialises every
 * backend call: the libraries have no locking of their own.
 *
 * @kref: lifetime of the structure (see above)
 * @id: per-device id, never 0
 * @idev: device (not referenced: the AS never outlives its device's
 *	teardown; use only inside a device call)
 * @format: enum iopgt_format
 * @fmt: its descriptor
 * @flags: IOPGT_AS_F_*
 * @owner: the struct iopgt_file that created it (compared, never
 *	dereferenced): the only file that may change it (see
 *	iopgt_as_check_owner()); NULL for persistent address spaces
 * @owner_pid: creator (referenced struct pid)
 * @ias: final input address bits
 * @oas: final output address bits
 * @pgsize_bitmap: final page sizes usable for map/unmap (the library's
 *	final bitmap minus sizes >= 2^ias)
 * @granule: smallest page size (lowest bit of @pgsize_bitmap)
 * @quirks: IOPGT_QUIRK_* in effect
 * @kquirks: kernel IO_PGTABLE_QUIRK_* passed (backend private)
 * @va_first: lowest valid IOVA
 * @va_last: highest valid IOVA (inclusive)
 * @lock: see above
 * @dead: tables freed; every op fails with -ENOENT
 * @generation: bumped on every change of the tables
 * @levels: levels walked from the top table
 * @start_level: level number of the top table in the format's numbering
 * @regs: GET_HW_CFG registers, unhidden; regs[7] = top table PA
 * @mapped_bytes: bytes currently mapped
 * @n_extents: entries in @shadow
 * @table_bytes: page-table memory held by the tables (top included);
 *	exact whenever @lock is free: kept up to date around every backend
 *	call by iopgt_as_tables_begin()/iopgt_as_tables_end(), at a cost
 *	that follows the call's range, never the size of the tree
 * @n_tables: tables, the top one included; exact under the same rule
 * @table_bytes_pending: upper bound of the table memory the backend call
 *	in progress may add (iopgt_as_table_reserve()); cap checks use
 *	@table_bytes + this
 * @tables_cb: tables the backend's allocator callbacks saw allocated minus
 *	freed since iopgt_as_tables_end() last folded them in
 *	(IOPGT_AS_F_TABLES_CB)
 * @shadow: mapped runs: [first, last] -> iopgt_shadow_mk(log2 page size,
 *	tag of the MAP call that made it); external lock (@lock), no
 *	allocations under spinlocks
 * @map_tag: tag of the current (or last) MAP call, never 0 once a MAP ran
 *	(0 marks runs the bench made); see iopgt_as_map_begin()
 * @backend: backend object (io-pgtable ops holder / generic_pt domain)
 * @walk: walker geometry (iopgt_walk.h), set by iopgt_walk_init()
 * @create_reason: set by the backend's create on failure (enum
 *	iopgt_reason); meaningless afterwards
 * @broken: 0, or IOPGT_REASON_AS_BROKEN once the library disagreed with
 *	the shadow map (iopgt_as_break()); from then on every call but
 *	AS_DESTROY fails with -ENOTRECOVERABLE and the library is called
 *	for nothing but destroy
 * @flush: invalidation log (flush.c), only with IOPGT_AS_RECORD_FLUSHES;
 *	set before the backend's create, freed with the structure
 */
struct iopgt_as {
	struct kref kref;
	u32 id;
	struct iopgt_dev *idev;
	u32 format;
	const struct iopgt_fmt_desc *fmt;
	u32 flags;
	const void *owner;
	struct pid *owner_pid;
	u32 ias, oas;
	u64 pgsize_bitmap;
	u64 granule;
	u64 quirks;
	unsigned long kquirks;
	u64 va_first, va_last;

	struct mutex lock;
	bool dead;
	u64 generation;
	u32 levels;
	u32 start_level;
	u64 regs[IOPGT_HW_NREGS];
	u64 mapped_bytes;
	u64 n_extents;
	u64 table_bytes;
	u64 n_tables;
	u64 table_bytes_pending;
	s64 tables_cb;
	struct maple_tree shadow;
	u64 map_tag;
	void *backend;
	struct iopgt_walk_geom walk;
	u32 create_reason;
	u32 broken;
	struct iopgt_flush_log *flush;
};

/**
 * iopgt_as_iova_ok() - is [iova, iova + len) inside the input range?
 * @as: address space
 * @iova: start
 * @len: bytes, >= 1
 */
static inline bool iopgt_as_iova_ok(const struct iopgt_as *as, u64 iova,
				    u64 len)
{
	return len && iova >= as->va_first && iova <= as->va_last &&
	       len - 1 <= as->va_last - iova;
}


/**
 * iopgt_as_flush_contract() - the invalidation contract of an address space
 * @as: address space (@flags is immutable: no lock)
 *
 * Return: enum iopgt_flush_contract.
 */
static inline u32 iopgt_as_flush_contract(const struct iopgt_as *as)
{
	if (as->flags & IOPGT_AS_F_FLUSH_NO_GAPS)
		return IOPGT_FLUSH_CONTRACT_NO_GAPS;
	if (as->flags & IOPGT_AS_F_FLUSH_RANGE)
		return IOPGT_FLUSH_CONTRACT_RANGE;
	return IOPGT_FLUSH_CONTRACT_CALL;
}

/**
 * struct iopgt_file - one open /dev/iopgt
 * @idev: referenced device context; set at open, immutable, dropped at
 *	release (no lock needed). The context may be dead: every use goes
 *	through iopgt_dev_enter().
 *
 * Its address is the owner tag of the non-persistent address spaces it
 * created (struct iopgt_as.owner); release kills them.
 */
struct iopgt_file {
	struct iopgt_dev *idev;
};

#endif /* _IOPGT_TYPES_H */
