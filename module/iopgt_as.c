// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: address spaces. Creation against the format's constraints, the
 * shadow map of mapped runs, and the map/unmap logic that proves every
 * precondition of the page-table libraries before calling a backend.
 *
 * The shadow map (as->shadow, a maple tree) holds one entry per mapped
 * run: [first, last] -> xa_mk_value(log2 of the run's page size). A run is
 * a range mapped with one page size, so its leaves are exactly the
 * page-size-aligned blocks inside it. It answers, before the library is
 * called:
 *  - map: does [iova, iova + len) intersect anything? -> -EEXIST
 *  - unmap: is [iova, iova + len) covered without a hole (-ENOENT) and
 *    does it cut no leaf (-EINVAL)? One behaviour on every kernel: 6.x
 *    would split a block, 7.2 WARNs; we refuse.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/pid.h>
#include <linux/iommu.h>
#include <linux/maple_tree.h>
#include <linux/xarray.h>

#include "iopgt.h"

/* Pages per backend call: bounds latency between cond_resched() calls. */
#define IOPGT_CHUNK_PAGES	(1ULL << 16)

static void iopgt_as_free(struct kref *kref)
{
	struct iopgt_as *as = container_of(kref, struct iopgt_as, kref);

	put_pid(as->owner_pid);
	mutex_destroy(&as->lock);
	iopgt_kfree(as);
}

void iopgt_as_put(struct iopgt_as *as)
{
	if (as)
		kref_put(&as->kref, iopgt_as_free);
}

struct iopgt_as *iopgt_as_get(struct iopgt_dev *idev, u32 id)
{
	struct iopgt_as *as;

	if (!id)
		return NULL;
	xa_lock(&idev->ases);
	as = xa_load(&idev->ases, id);
	if (as)
		kref_get(&as->kref);
	xa_unlock(&idev->ases);
	return as;
}

struct iopgt_as *iopgt_as_get_next(struct iopgt_dev *idev, u32 *id)
{
	unsigned long index = *id;
	struct iopgt_as *as;

	xa_lock(&idev->ases);
	as = xa_find(&idev->ases, &index, U32_MAX, XA_PRESENT);
	if (as) {
		kref_get(&as->kref);
		*id = index;
	}
	xa_unlock(&idev->ases);
	return as;
}

/* Recount the tables (walker) and fold the change into the device total. */
void iopgt_as_update_table_bytes(struct iopgt_as *as)
{
	u64 now = iopgt_walk_count_table_bytes(as, &as->n_tables);

	atomic64_add((s64)(now - as->table_bytes), &as->idev->table_bytes);
	atomic64_sub(as->table_bytes_pending, &as->idev->table_bytes_pending);
	as->table_bytes = now;
	as->table_bytes_pending = 0;
	as->table_bytes_dirty = false;
}

u64 iopgt_as_table_bytes(struct iopgt_as *as)
{
	if (as->table_bytes_dirty || as->table_bytes_pending)
		iopgt_as_update_table_bytes(as);
	return as->table_bytes;
}

void iopgt_dev_refresh_table_bytes(struct iopgt_dev *idev)
{
	struct iopgt_as *as;
	u32 id = 1;

	while ((as = iopgt_as_get_next(idev, &id))) {
		mutex_lock(&as->lock);
		if (!as->dead)
			iopgt_as_table_bytes(as);
		mutex_unlock(&as->lock);
		iopgt_as_put(as);
		if (id == U32_MAX)
			break;
		id++;
	}
}

int iopgt_as_refresh_regs(struct iopgt_as *as)
{
	u64 top = as->regs[7];
	int ret;

	if (!as->fmt->ops->read_regs)
		return 0;
	ret = as->fmt->ops->read_regs(as);
	if (ret)
		return ret;
	if (as->regs[7] != top)
		ret = iopgt_walk_init(as);
	return ret;
}

/**
 * iopgt_as_kill() - free the tables of an address space
 * @as: address space, already removed from its device's xarray
 *
 * Idempotent. Frees the backend and the shadow map under as->lock and marks
 * the AS dead; the structure stays until its last reference goes.
 */
void iopgt_as_kill(struct iopgt_as *as)
{
	struct iopgt_dev *idev = as->idev;

	mutex_lock(&as->lock);
	if (!as->dead) {
		as->fmt->ops->destroy(as);
		mtree_destroy(&as->shadow);
		atomic64_sub(as->table_bytes, &idev->table_bytes);
		atomic64_sub(as->table_bytes_pending,
			     &idev->table_bytes_pending);
		as->table_bytes = 0;
		as->n_tables = 0;
		as->table_bytes_pending = 0;
		as->mapped_bytes = 0;
		as->n_extents = 0;
		as->generation++;
		as->dead = true;
		atomic64_inc(&idev->stats.as_destroyed);
	}
	mutex_unlock(&as->lock);
}

/* Is @bitmap a subset of one of @d's page-size sets, with its granule? */
static bool iopgt_pgsize_ok(const struct iopgt_fmt_desc *d, u64 bitmap)
{
	u32 i;

	for (i = 0; i < d->n_pgsize_sets && i < IOPGT_MAX_PGSIZE_SETS; i++) {
		u64 set = d->pgsize_sets[i];
		u64 granule = set & -set;

		if (set && !(bitmap & ~set) && (bitmap & granule))
			return true;
	}
	return false;
}

/**
 * iopgt_as_create() - AS_CREATE
 * @idev: device, inside iopgt_dev_enter()
 * @file: the creating file (owner unless IOPGT_AS_PERSISTENT)
 * @req: request; on success the out_* fields and as_id are filled
 *
 * Return: 0, -EINVAL (request outside the format's constraints),
 * -EOPNOTSUPP (format unavailable, or non-coherent walks impossible),
 * -ENOSPC (max_as or table-memory caps), -ENOMEM.
 */
int iopgt_as_create(struct iopgt_dev *idev, struct iopgt_file *file,
		    struct iopgt_as_create *req)
{
	const struct iopgt_fmt_desc *d;
	struct iopgt_as_create k = *req;
	struct iopgt_as *as;
	u32 id;
	int ret;

	if (k.flags & ~(IOPGT_AS_PERSISTENT | IOPGT_AS_NONCOHERENT))
		return -EINVAL;
	d = iopgt_fmt_get(k.format);
	if (!d)
		return -EINVAL;
	if (!iopgt_fmt_available(d))
		return -EOPNOTSUPP;
	if (k.flags & IOPGT_AS_NONCOHERENT) {
		if (!(d->flags & IOPGT_FMT_F_NONCOHERENT) || !idev->noncoherent_ok)
			return -EOPNOTSUPP;
	}
	if (k.quirks & ~d->quirks)
		return -EINVAL;
	if (!d->levels_max) {
		if (k.levels)
			return -EINVAL;
	} else if (k.levels &&
		   (k.levels < d->levels_min || k.levels > d->levels_max)) {
		return -EINVAL;
	}
	if (!k.ias)
		k.ias = d->ias_default;
	if (!k.oas)
		k.oas = d->oas_default;
	if (!k.pgsize_bitmap)
		k.pgsize_bitmap = d->pgsize_default;
	if (k.ias < d->ias_min || k.ias > d->ias_max ||
	    k.oas < d->oas_min || k.oas > d->oas_max)
		return -EINVAL;
	if (!iopgt_pgsize_ok(d, k.pgsize_bitmap))
		return -EINVAL;

	mutex_lock(&idev->as_lock);
	if (idev->nr_as >= READ_ONCE(iopgt_max_as)) {
		mutex_unlock(&idev->as_lock);
		return -ENOSPC;
	}
	idev->nr_as++;	/* reserved; dropped again on failure */
	mutex_unlock(&idev->as_lock);

	ret = -ENOMEM;
	as = iopgt_kzalloc(sizeof(*as), GFP_KERNEL);
	if (!as)
		goto err_unreserve;
	kref_init(&as->kref);
	mutex_init(&as->lock);
	mt_init(&as->shadow);
	as->idev = idev;
	as->format = k.format;
	as->fmt = d;
	if (k.flags & IOPGT_AS_PERSISTENT)
		as->flags |= IOPGT_AS_F_PERSISTENT;
	else
		as->owner = file;
	if (k.flags & IOPGT_AS_NONCOHERENT)
		as->flags |= IOPGT_AS_F_NONCOHERENT;
	as->owner_pid = get_task_pid(current, PIDTYPE_PID);

	mutex_lock(&as->lock);
	ret = d->ops->create(as, &k);
	if (ret) {
		mutex_unlock(&as->lock);
		goto err_free;
	}
	ret = iopgt_walk_init(as);
	if (!ret) {
		iopgt_as_update_table_bytes(as);
		if (as->table_bytes > READ_ONCE(iopgt_max_as_table_bytes) ||
		    atomic64_read(&idev->table_bytes) >
		    READ_ONCE(iopgt_max_table_bytes))
			ret = -ENOSPC;
	}
	if (!ret && iopgt_should_fail())
		ret = -ENOMEM;
	if (!ret) {
		ret = xa_alloc_cyclic(&idev->ases, &id, as, XA_LIMIT(1, INT_MAX),
				      &idev->next_id, GFP_KERNEL);
		if (ret > 0)	/* wrapped: still a fresh id */
			ret = 0;
	}
	if (ret) {
		d->ops->destroy(as);
		atomic64_sub(as->table_bytes, &idev->table_bytes);
		mutex_unlock(&as->lock);
		goto err_free;
	}
	as->id = id;
	atomic64_inc(&idev->stats.as_created);

	req->as_id = id;
	req->out_levels = as->levels;
	req->out_pgsize_bitmap = as->pgsize_bitmap;
	req->out_ias = as->ias;
	req->out_oas = as->oas;
	req->out_quirks = as->quirks;
	mutex_unlock(&as->lock);
	return 0;

err_free:
	mtree_destroy(&as->shadow);
	iopgt_as_put(as);
err_unreserve:
	mutex_lock(&idev->as_lock);
	idev->nr_as--;
	mutex_unlock(&idev->as_lock);
	return ret;
}

/* Remove @as from its device (caller holds idev->as_lock). */
static bool iopgt_as_unlink(struct iopgt_dev *idev, struct iopgt_as *as)
{
	if (xa_cmpxchg(&idev->ases, as->id, as, NULL, GFP_KERNEL) != as)
		return false;
	idev->nr_as--;
	return true;
}

/**
 * iopgt_as_destroy() - AS_DESTROY
 * @idev: device, inside iopgt_dev_enter()
 * @file: the file asking; must own the address space unless it is
 *	persistent (iopgt_as_check_owner())
 * @id: address space
 *
 * Return: 0, -ENOENT (no such address space), -EPERM (not @file's).
 */
int iopgt_as_destroy(struct iopgt_dev *idev, struct iopgt_file *file, u32 id)
{
	struct iopgt_as *as;
	bool unlinked = false;
	int ret;

	as = iopgt_as_get(idev, id);
	if (!as)
		return -ENOENT;
	ret = iopgt_as_check_owner(as, file);
	if (ret) {
		iopgt_as_put(as);
		return ret;
	}
	mutex_lock(&idev->as_lock);
	unlinked = iopgt_as_unlink(idev, as);
	mutex_unlock(&idev->as_lock);
	if (unlinked) {
		iopgt_as_kill(as);
		iopgt_as_put(as);	/* the xarray's reference */
	}
	iopgt_as_put(as);
	return unlinked ? 0 : -ENOENT;
}

static void iopgt_as_release_matching(struct iopgt_dev *idev,
				      const void *owner, bool all)
{
	unsigned long index;
	struct iopgt_as *as;

	mutex_lock(&idev->as_lock);
	xa_for_each(&idev->ases, index, as) {
		if (!all && as->owner != owner)
			continue;
		if (!iopgt_as_unlink(idev, as))
			continue;
		mutex_unlock(&idev->as_lock);
		iopgt_as_kill(as);
		iopgt_as_put(as);
		cond_resched();
		mutex_lock(&idev->as_lock);
	}
	mutex_unlock(&idev->as_lock);
}

/* The file @file is closing: its non-persistent address spaces die. */
void iopgt_as_release_file(struct iopgt_dev *idev, struct iopgt_file *file)
{
	iopgt_as_release_matching(idev, file, false);
}

/* Unbind: no call is in flight any more; free every address space. */
void iopgt_as_release_all(struct iopgt_dev *idev)
{
	iopgt_as_release_matching(idev, NULL, true);
}

/* ------------------------------------------------------------------ */
/* Shadow map                                                          */

/* Does anything in the shadow map intersect [first, last]? */
static bool iopgt_shadow_any(struct iopgt_as *as, u64 first, u64 last)
{
	MA_STATE(mas, &as->shadow, first, last);
	void *entry;

	mtree_lock(&as->shadow);
	entry = mas_find(&mas, last);
	mtree_unlock(&as->shadow);
	return entry != NULL;
}

/* The run containing @iova: its page size (0: not mapped) and bounds. */
static u64 iopgt_shadow_lookup(struct iopgt_as *as, u64 iova, u64 *first,
			       u64 *last)
{
	MA_STATE(mas, &as->shadow, iova, iova);
	void *entry;

	mtree_lock(&as->shadow);
	entry = mas_walk(&mas);
	if (entry) {
		*first = mas.index;
		*last = mas.last;
	}
	mtree_unlock(&as->shadow);
	return entry ? 1ULL << xa_to_value(entry) : 0;
}

/**
 * iopgt_as_check_unmap() - may [iova, iova + length) be unmapped?
 * @as: address space, as->lock held
 * @iova: start
 * @length: bytes, >= 1, inside the input range
 *
 * Return: 0 when the range is covered by mapped runs without a hole and
 * both ends fall on leaf boundaries; -ENOENT for a hole; -EINVAL when an
 * end cuts a leaf (part of a block).
 */
int iopgt_as_check_unmap(struct iopgt_as *as, u64 iova, u64 length)
{
	MA_STATE(mas, &as->shadow, iova, iova + length - 1);
	u64 last = iova + length - 1, pos = iova;
	bool covered = false;
	void *entry;
	int ret = -ENOENT;

	mtree_lock(&as->shadow);
	mas_for_each(&mas, entry, last) {
		u64 sz = 1ULL << xa_to_value(entry);

		if (mas.index > pos) {
			ret = -ENOENT;
			break;
		}
		if (mas.index < iova && (iova & (sz - 1))) {
			ret = -EINVAL;
			break;
		}
		if (mas.last >= last) {
			if (mas.last > last && ((last + 1) & (sz - 1)))
				ret = -EINVAL;
			else
				covered = true;
			break;
		}
		pos = mas.last + 1;
	}
	mtree_unlock(&as->shadow);
	return covered ? 0 : ret;
}

/* ------------------------------------------------------------------ */
/* Map                                                                 */

static int iopgt_prot_to_iommu(u32 prot)
{
	int p = 0;

	if (prot & IOPGT_PROT_READ)
		p |= IOMMU_READ;
	if (prot & IOPGT_PROT_WRITE)
		p |= IOMMU_WRITE;
	if (prot & IOPGT_PROT_CACHE)
		p |= IOMMU_CACHE;
	if (prot & IOPGT_PROT_NOEXEC)
		p |= IOMMU_NOEXEC;
	if (prot & IOPGT_PROT_MMIO)
		p |= IOMMU_MMIO;
	if (prot & IOPGT_PROT_PRIV)
		p |= IOMMU_PRIV;
	return p;
}

/*
 * The largest page size that alignment and length allow at @iova/@paddr,
 * and how many such pages to map before a larger size could take over
 * (the iommu core's iommu_pgsize(), Tyr's get_pgsize()).
 */
static u64 iopgt_pick_pgsize(u64 bitmap, u64 iova, u64 paddr, u64 size,
			     u64 *count)
{
	u64 addr_merge = iova | paddr, pgsizes, pgsize, bigger, next, offset;

	pgsizes = bitmap & GENMASK_ULL(fls64(size) - 1, 0);
	if (addr_merge)
		pgsizes &= GENMASK_ULL(__ffs64(addr_merge), 0);
	pgsize = 1ULL << (fls64(pgsizes) - 1);

	bigger = bitmap & ~GENMASK_ULL(__ffs64(pgsize), 0);
	if (bigger) {
		next = bigger & -bigger;
		if (!((iova ^ paddr) & (next - 1))) {
			offset = next - (iova & (next - 1));
			if (offset < size)
				size = offset;
		}
	}
	*count = size >> __ffs64(pgsize);
	return pgsize;
}

/* Undo the backend part of a run: [iova, iova + done) of @pgsize pages. */
static void iopgt_backend_unmap_all(struct iopgt_as *as, u64 iova, u64 pgsize,
				    u64 done)
{
	u64 pages = done / pgsize;

	while (pages) {
		u64 n = min(pages, IOPGT_CHUNK_PAGES), got;

		got = as->fmt->ops->unmap(as, iova, pgsize, n);
		if (got != n * pgsize) {
			pr_err("as %u: unmap of %llu bytes at %#llx returned %llu\n",
			       as->id, n * pgsize, iova, got);
			return;
		}
		iova += got;
		pages -= n;
		cond_resched();
	}
}

/* Map one run: @count pages of @pgsize; all or nothing. */
static int iopgt_map_run(struct iopgt_as *as, u64 iova, u64 paddr, u64 pgsize,
			 u64 count, int prot)
{
	u64 len = pgsize * count, done = 0;
	int ret;

	if (iopgt_should_fail())
		return -ENOMEM;
	ret = mtree_insert_range(&as->shadow, iova, iova + len - 1,
				 xa_mk_value(__ffs64(pgsize)), GFP_KERNEL);
	if (ret)
		return ret == -EEXIST ? -EEXIST : -ENOMEM;

	while (done < len) {
		u64 n = min(count - done / pgsize, IOPGT_CHUNK_PAGES), mapped = 0;

		ret = as->fmt->ops->map(as, iova + done, paddr + done, pgsize, n,
					prot, &mapped);
		if (!ret && mapped != n * pgsize)
			ret = -EIO;
		if (ret) {
			done += mapped;
			break;
		}
		done += mapped;
		if (done < len) {
			cond_resched();
			if (fatal_signal_pending(current)) {
				ret = -EINTR;
				break;
			}
		}
	}
	as->table_bytes_dirty = true;
	if (ret) {
		iopgt_backend_unmap_all(as, iova, pgsize, done);
		mtree_erase(&as->shadow, iova);
		as->generation++;
		return ret;
	}
	as->n_extents++;
	as->mapped_bytes += len;
	as->generation++;
	return 0;
}

/* Table-memory caps: may up to @bound more bytes of tables be allocated? */
static bool iopgt_table_room(struct iopgt_as *as, u64 bound)
{
	u64 as_cap = READ_ONCE(iopgt_max_as_table_bytes);
	u64 dev_cap = READ_ONCE(iopgt_max_table_bytes);
	u64 as_now = as->table_bytes + as->table_bytes_pending;
	u64 dev_now = atomic64_read(&as->idev->table_bytes) +
		      atomic64_read(&as->idev->table_bytes_pending);

	return as_now <= as_cap && bound <= as_cap - as_now &&
	       dev_now <= dev_cap && bound <= dev_cap - dev_now;
}

/*
 * Upper bound of the table memory a run of @count pages of @pgsize at
 * @iova can add: the walker's bound (which assumes the smallest page
 * everywhere) or, for runs of larger pages, the tables the levels above
 * those leaves can need, whichever is smaller.
 */
static u64 iopgt_run_bound(struct iopgt_as *as, u64 iova, u64 pgsize,
			   u64 count)
{
	const struct iopgt_walk_geom *g = &as->walk;
	u64 len = pgsize * count, walker, n = 0;
	u32 d;

	walker = iopgt_walk_table_bytes_bound(as, iova, len);
	if (!g->fmt || g->levels < 2 || pgsize == as->granule)
		return walker;
	for (d = 1; d < g->levels; d++) {
		/* a table at depth d hangs off an entry spanning 2^shift */
		u32 shift = g->granule_shift + g->bits_per_level * (g->levels - d);

		if (shift < 64 && (1ULL << shift) <= pgsize)
			break;	/* the leaves sit above depth d */
		n += shift >= 64 ? 1 : (len >> shift) + 2;
	}
	if (g->level_dec)	/* a generic_pt top may grow (AMDv1) */
		n += IOPGT_MAX_LEVELS - g->levels;
	return min(walker, n * g->table_bytes);
}

/**
 * iopgt_as_map_one() - map one IOPGT_MAP entry
 * @as: live address space, as->lock held
 * @e: entry; e->mapped is set to the bytes mapped
 *
 * Checks every precondition of kernel-apis.md §2 ("The exact check list")
 * before the backend sees the request. Maps run by run; a failing run is
 * undone, earlier runs stay (the caller rolls them back if asked).
 *
 * Return: 0 or -EINVAL (reserved, prot, pgsize, alignment, length),
 * -ERANGE (outside ias/oas or wrapping), -EEXIST (overlap), -ENOSPC
 * (table-memory cap), -ENOMEM, -EINTR.
 */
int iopgt_as_map_one(struct iopgt_as *as, struct iopgt_map_entry *e)
{
	u64 iova = e->iova, paddr = e->paddr, len = e->length;
	u64 forced = 0, align, done = 0, bound;
	int prot, ret = 0;

	e->mapped = 0;
	if (e->__reserved)
		return -EINVAL;
	if (!(e->prot & (IOPGT_PROT_READ | IOPGT_PROT_WRITE)) ||
	    (e->prot & ~IOPGT_PROT_ALL))
		return -EINVAL;
	if (e->pgsize_log2) {
		if (e->pgsize_log2 >= 64)
			return -EINVAL;
		forced = 1ULL << e->pgsize_log2;
		if (!(forced & as->pgsize_bitmap))
			return -EINVAL;
	}
	align = forced ? forced : as->granule;
	if (!len || ((iova | paddr | len) & (align - 1)))
		return -EINVAL;
	if (!iopgt_as_iova_ok(as, iova, len))
		return -ERANGE;
	if (len - 1 > U64_MAX - paddr)
		return -ERANGE;
	if (as->oas < 64 && ((paddr + len - 1) >> as->oas))
		return -ERANGE;
	if (iopgt_shadow_any(as, iova, iova + len - 1))
		return -EEXIST;

	prot = iopgt_prot_to_iommu(e->prot);
	while (done < len) {
		u64 pgsize, count;

		if (forced) {
			pgsize = forced;
			count = (len - done) / forced;
		} else {
			pgsize = iopgt_pick_pgsize(as->pgsize_bitmap,
						   iova + done, paddr + done,
						   len - done, &count);
		}
		/* table-memory caps, before the library can allocate */
		bound = iopgt_run_bound(as, iova + done, pgsize, count);
		if (!iopgt_table_room(as, bound)) {
			iopgt_as_update_table_bytes(as);
			if (!iopgt_table_room(as, bound)) {
				ret = -ENOSPC;
				break;
			}
		}
		as->table_bytes_pending += bound;
		atomic64_add(bound, &as->idev->table_bytes_pending);

		ret = iopgt_map_run(as, iova + done, paddr + done, pgsize,
				    count, prot);
		if (ret)
			break;
		done += pgsize * count;
		e->mapped = done;
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Unmap                                                               */

/**
 * iopgt_as_unmap_range() - unmap one IOPGT_UNMAP entry
 * @as: live address space, as->lock held
 * @iova: start, aligned to the smallest page size
 * @length: bytes
 * @unmapped: out: bytes unmapped
 *
 * Return: 0, -EINVAL (alignment, zero length, part of a leaf), -ERANGE
 * (outside the input range), -ENOENT (a hole), -ENOMEM (shadow map; what
 * was unmapped before is reported in @unmapped), -EIO (library disagreed).
 */
int iopgt_as_unmap_range(struct iopgt_as *as, u64 iova, u64 length,
			 u64 *unmapped)
{
	u64 last, pos;
	int ret;

	*unmapped = 0;
	if (!length || ((iova | length) & (as->granule - 1)))
		return -EINVAL;
	if (!iopgt_as_iova_ok(as, iova, length))
		return -ERANGE;
	ret = iopgt_as_check_unmap(as, iova, length);
	if (ret)
		return ret;

	last = iova + length - 1;
	pos = iova;
	for (;;) {
		u64 first_run, last_run, pgsize, plast, pages, got;
		u64 piova;

		pgsize = iopgt_shadow_lookup(as, pos, &first_run, &last_run);
		if (!pgsize)
			return -EIO;	/* checked above: cannot happen */
		plast = min(last_run, last);

		/* shadow first: a failure here leaves everything consistent */
		if (first_run == pos && last_run == plast) {
			mtree_erase(&as->shadow, pos);
			as->n_extents--;
		} else {
			if (iopgt_should_fail())
				return -ENOMEM;
			ret = mtree_store_range(&as->shadow, pos, plast, NULL,
						GFP_KERNEL);
			if (ret)
				return -ENOMEM;
			if (first_run < pos && last_run > plast)
				as->n_extents++;
		}
		as->generation++;
		as->table_bytes_dirty = true;

		pages = (plast - pos) / pgsize + 1;
		piova = pos;
		while (pages) {
			u64 n = min(pages, IOPGT_CHUNK_PAGES);

			got = as->fmt->ops->unmap(as, piova, pgsize, n);
			*unmapped += got;
			as->mapped_bytes -= got;
			if (got != n * pgsize) {
				pr_err("as %u: unmap of %llu bytes at %#llx returned %llu\n",
				       as->id, n * pgsize, piova, got);
				return -EIO;
			}
			piova += got;
			pages -= n;
			if (pages)
				cond_resched();
		}
		if (plast == last)
			break;
		pos = plast + 1;
		cond_resched();
	}
	return 0;
}
