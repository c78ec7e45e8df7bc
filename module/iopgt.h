/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: internal interfaces shared by the module's files.
 *
 * Ownership: iopgt_main.c (devices, lifetime, params), iopgt_ioctl.c (ioctl
 * dispatch), iopgt_as.c (address spaces, shadow map, map/unmap logic),
 * iopgt_iopt.c (io-pgtable backend) belong to the core; iopgt_walk.[ch] and
 * iopgt_nl.c (walker, WALK ioctl body, netlink) and iopgt_pt.c (generic_pt
 * backend) build on this header.
 */
#ifndef _IOPGT_H
#define _IOPGT_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/srcu.h>
#include <linux/xarray.h>
#include <linux/maple_tree.h>
#include <linux/miscdevice.h>
#include <linux/atomic.h>
#include <linux/device.h>

#include "iopgt_compat.h"
#include "iopgt_uapi.h"

struct iopgt_as;
struct iopgt_dev;

#include "iopgt_walk.h"
#include "flush.h"	/* issue 14: invalidation log */

/* ------------------------------------------------------------------ */
/* Module parameters (iopgt_main.c); read them with READ_ONCE().       */

extern unsigned int iopgt_max_as;
extern unsigned long long iopgt_max_table_bytes;
extern unsigned long long iopgt_max_as_table_bytes;
extern unsigned int iopgt_max_map_entries;

/*
 * Allocations whose number userspace decides (shadow-map nodes, table
 * pages): a failure is -ENOMEM, quietly and without the OOM killer.
 */
#define IOPGT_GFP_USER_SIZED	(GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/*
 * Pages per backend call of IOPGT_MAP/IOPGT_UNMAP (and the debugfs bench's
 * batched modes): bounds the latency between cond_resched() calls.
 */
#define IOPGT_CHUNK_PAGES	(1ULL << 16)

/* Upper bounds of the count parameters (the byte caps: RAM / 4) */
#define IOPGT_MAX_AS_LIMIT		4096
#define IOPGT_MAX_MAP_ENTRIES_LIMIT	16777216

/* ------------------------------------------------------------------ */
/* Accounting and fault injection (iopgt_main.c)                       */

/**
 * iopgt_should_fail() - fault injection point
 *
 * Call once before every allocation the module makes on behalf of a user
 * request (AS create, map, dump buffers, table pages through cfg->alloc).
 * Counts the call in the `fault_count` parameter and returns true exactly
 * once, for the Nth call after N was written to `fault_nth`.
 *
 * Return: true if the caller must behave as if the allocation failed.
 */
bool iopgt_should_fail(void);

/*
 * Allocations made by the module itself, for GET_INFO.module_allocs. Every
 * iopgt_kzalloc() must be paired with iopgt_kfree(); both are NULL-safe and
 * iopgt_kzalloc() honours iopgt_should_fail().
 */
void *iopgt_kzalloc(size_t size, gfp_t gfp);
void *iopgt_kvcalloc(size_t n, size_t size, gfp_t gfp);
void iopgt_kfree(const void *p);
void iopgt_kvfree(const void *p);
void iopgt_alloc_note(long delta);	/* for other allocators */
s64 iopgt_module_allocs(void);

/* ------------------------------------------------------------------ */
/* Formats                                                             */

/**
 * struct iopgt_backend_ops - one page-table library behind a format
 *
 * Every op except @create and @destroy is called with as->lock held, on a
 * live address space, after the core checked every precondition it can
 * check generically: for map/unmap pgsize is a power of two in
 * as->pgsize_bitmap, 1 <= pgcount <= INT_MAX, pgsize * pgcount does not
 * overflow, iova and paddr are pgsize-aligned, [iova, iova + size) is
 * inside [as->va_first, as->va_last], paddr + size <= 2^as->oas, prot has
 * IOMMU_READ or IOMMU_WRITE and nothing outside IOMMU_* bits 0-5; the
 * shadow map proved that a map range is empty and that an unmap range is
 * exactly whole leaves of size pgsize. For iova_to_phys and hw_walk, iova is
 * inside the input range.
 *
 * @create: build the backend object for as->fmt from @req (already checked
 *	against the format's constraints in struct iopgt_fmt_desc; the
 *	backend checks the format-specific rules) and fill as->backend,
 *	as->ias/oas/pgsize_bitmap/quirks/levels/start_level/granule,
 *	as->va_first/va_last and as->regs[]. Called with as->lock held, not
 *	yet visible to anyone else. Returns 0 or -errno; on failure it may
 *	set as->create_reason (enum iopgt_reason, AS_CREATE's out_reason).
 * @destroy: free everything @create made. Called once, as->lock held.
 * @map: map @pgcount pages of @pgsize at @iova -> @paddr. Maps all of them
 *	or fails; *@mapped is the number of bytes actually mapped either way
 *	(the core unmaps them on failure).
 * @unmap: unmap @pgcount pages of @pgsize at @iova; returns bytes unmapped
 *	(the core treats a short count as -EIO).
 * @iova_to_phys: output address of @iova, 0 when not mapped.
 * @read_regs: refresh as->regs[] (and levels) from the library; may be
 *	NULL when the registers never change after create.
 * @hw_walk: the library's own walker (io-pgtable pgtable_walk); NULL if
 *	the kernel has none for this format. Fills @ptes (zeroed by caller).
 */
struct iopgt_backend_ops {
	int (*create)(struct iopgt_as *as, const struct iopgt_as_create *req);
	void (*destroy)(struct iopgt_as *as);
	int (*map)(struct iopgt_as *as, u64 iova, u64 paddr, u64 pgsize,
		   u64 pgcount, int prot, u64 *mapped);
	u64 (*unmap)(struct iopgt_as *as, u64 iova, u64 pgsize, u64 pgcount);
	u64 (*iova_to_phys)(struct iopgt_as *as, u64 iova);
	int (*read_regs)(struct iopgt_as *as);
	int (*hw_walk)(struct iopgt_as *as, u64 iova, u64 ptes[4]);
};

/**
 * struct iopgt_fmt_desc - one format as this kernel offers it
 *
 * Registered once at module init with iopgt_fmt_register() and never
 * changed afterwards (no locking needed to read it). The constraint fields
 * are exactly what GET_INFO reports; the core checks AS_CREATE requests
 * against them before calling @ops->create.
 *
 * @id: enum iopgt_format
 * @name: uapi name, e.g. "ARM_64_LPAE_S1"
 * @flags: IOPGT_FMT_F_* except AVAILABLE (set by the core when
 *	@unavail_reason is IOPGT_UNAVAIL_NONE); bits outside
 *	IOPGT_FMT_F_DESC_MASK are the backend's own and never reported
 * @unavail_reason: enum iopgt_unavail_reason
 * @ops: backend; required when available
 * @kfmt: backend private: the kernel's enum value (io-pgtable) etc.
 * @quirks: IOPGT_QUIRK_* accepted
 * @n_pgsize_sets: valid entries in @pgsize_sets
 * @pgsize_sets: accepted page-size sets; the lowest bit of each is its
 *	granule; a request must be a subset of one set containing the granule
 * @ias_min: smallest input address size
 * @ias_max: largest input address size
 * @oas_min: smallest output address size
 * @oas_max: largest output address size
 * @levels_min: generic_pt: smallest level count (0 for io-pgtable)
 * @levels_max: generic_pt: largest level count (0 for io-pgtable)
 * @ias_default: ias when the request says 0
 * @oas_default: oas when the request says 0
 * @pgsize_default: pgsize_bitmap when the request says 0
 * @addr_regs: bit i set: regs[i] holds a physical address (its address
 *	bits are hidden, see iopgt_walk_hide_reg()); regs[7] always is one
 * @oas_set: GET_INFO's oas_set (bit n: oas n accepted; 0: the whole range)
 * @rules: IOPGT_FMT_RULE_* the backend enforces (GET_INFO's rules)
 */
struct iopgt_fmt_desc {
	u32 id;
	const char *name;
	u32 flags;
	u32 unavail_reason;
	const struct iopgt_backend_ops *ops;
	int kfmt;
	u64 quirks;
	u32 n_pgsize_sets;
	u64 pgsize_sets[IOPGT_MAX_PGSIZE_SETS];
	u32 ias_min, ias_max;
	u32 oas_min, oas_max;
	u32 levels_min, levels_max;
	u32 ias_default, oas_default;
	u64 pgsize_default;
	u32 addr_regs;
	u64 oas_set;
	u32 rules;
};

/**
 * iopgt_fmt_register() - make a format known (module init only)
 * @desc: static descriptor; overrides the default "not built" entry for
 *	desc->id. Must stay valid until module exit.
 */
void iopgt_fmt_register(const struct iopgt_fmt_desc *desc);

/**
 * iopgt_fmt_get() - descriptor of a uapi format id
 * @id: enum iopgt_format
 *
 * Return: the descriptor (available or not), or NULL for an id outside
 * 1..IOPGT_FMT_COUNT-1.
 */
const struct iopgt_fmt_desc *iopgt_fmt_get(u32 id);

static inline bool iopgt_fmt_available(const struct iopgt_fmt_desc *d)
{
	return d && d->unavail_reason == IOPGT_UNAVAIL_NONE && d->ops;
}

/* the bits of iopgt_fmt_desc::flags that userspace may see */
#define IOPGT_FMT_F_DESC_MASK	(IOPGT_FMT_F_IO_PGTABLE | IOPGT_FMT_F_GENERIC_PT | \
				 IOPGT_FMT_F_HW_WALK | IOPGT_FMT_F_NONCOHERENT)

/**
 * iopgt_fmt_uapi_flags() - the IOPGT_FMT_F_* flags of a format
 * @d: descriptor (not NULL)
 *
 * The only source of the flags that IOPGT_GET_INFO (format_info.flags) and
 * the netlink FORMAT_GET (IOPGT_A_FORMAT_FLAGS) report, so the two views
 * cannot differ: the uapi bits of @d->flags, without the backend's private
 * ones, plus IOPGT_FMT_F_AVAILABLE.
 *
 * Return: IOPGT_FMT_F_* bits.
 */
static inline u32 iopgt_fmt_uapi_flags(const struct iopgt_fmt_desc *d)
{
	u32 flags = d->flags & IOPGT_FMT_F_DESC_MASK;

	if (iopgt_fmt_available(d))
		flags |= IOPGT_FMT_F_AVAILABLE;
	return flags;
}

/**
 * iopgt_fmt_uapi_unavail() - why a format is not available, as reported
 * @d: descriptor (not NULL)
 *
 * Shared by IOPGT_GET_INFO and the netlink FORMAT_GET like
 * iopgt_fmt_uapi_flags(): a format without a backend whose reason says
 * none is IOPGT_UNAVAIL_NO_BACKEND.
 *
 * Return: enum iopgt_unavail_reason (IOPGT_UNAVAIL_NONE when available).
 */
static inline u32 iopgt_fmt_uapi_unavail(const struct iopgt_fmt_desc *d)
{
	if (!iopgt_fmt_available(d) && d->unavail_reason == IOPGT_UNAVAIL_NONE)
		return IOPGT_UNAVAIL_NO_BACKEND;
	return d->unavail_reason;
}

/* io-pgtable backend (iopgt_iopt.c): registers its formats */
int iopgt_iopt_init(void);
void iopgt_iopt_exit(void);

/* generic_pt backend (iopgt_pt.c, H6): registers its formats */
int iopgt_pt_init(void);
void iopgt_pt_exit(void);

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
 * iopgt_dev_get_current() - the context of /dev/iopgt (instance 0)
 *
 * Return: a referenced context, or NULL while no device is bound. Release
 * with iopgt_dev_put(). The context may die at any time: use
 * iopgt_dev_enter() around every use.
 */
struct iopgt_dev *iopgt_dev_get_current(void);
void iopgt_dev_get(struct iopgt_dev *idev);
void iopgt_dev_put(struct iopgt_dev *idev);

/**
 * iopgt_dev_enter() - start a call on a device context
 * @idev: referenced context
 * @cookie: out: pass to iopgt_dev_exit()
 *
 * Return: 0 (call iopgt_dev_exit() when done; may sleep in between), or
 * -ENODEV when the device was unbound (do not call iopgt_dev_exit()).
 */
int iopgt_dev_enter(struct iopgt_dev *idev, int *cookie);
void iopgt_dev_exit(struct iopgt_dev *idev, int cookie);

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
	struct iopgt_flush_log *flush;
};

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

/* ------------------------------------------------------------------ */
/* Address-space operations (iopgt_as.c), used by the ioctl handlers.  */

struct iopgt_file;

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

/* Permission model (iopgt_perm.c) */
struct sk_buff;
bool iopgt_sees_kaddrs(const struct file *file, const struct sk_buff *nl_skb);
int iopgt_as_check_owner(const struct iopgt_as *as,
			 const struct iopgt_file *file);

/* test-only benchmark knob (iopgt_bench.c): debugfs iopgt/bench */
void iopgt_debugfs_init(void);
void iopgt_debugfs_exit(void);

/* ioctl entry points (iopgt_ioctl.c) */
long iopgt_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

/*
 * The WALK ioctl (dispatcher in iopgt_ioctl.c) copies the command in,
 * checks flags and reserved fields, looks the AS up, takes as->lock,
 * checks that the AS is live and cmd->iova is inside the input range, zeroes
 * the outputs and calls iopgt_walk_iova(as, cmd->iova, cmd) (iopgt_walk.h,
 * H3). Afterwards it runs the backend's hw_walk for IOPGT_WALK_HW, and when
 * iopgt_sees_kaddrs() says no, iopgt_walk_hide_addrs() removes every
 * kernel address from levels[] and hw_ptes[].
 */

#endif /* _IOPGT_H */
