// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: test-only benchmark knob, /sys/kernel/debug/iopgt/bench (root).
 *
 * The in-kernel references the ioctl rates are compared against: the
 * page-table library called in a kernel loop with nothing around it. Write
 * one command, then read the file for "<op> <npages> <ns> <check>":
 *
 *  map AS_ID IOVA PADDR NPAGES	one backend map call per page
 *  unmap AS_ID IOVA NPAGES	one backend unmap call per page
 *  mapb AS_ID IOVA PADDR NPAGES	the library's multi-page calls in the
 *				chunks IOPGT_MAP uses (IOPGT_CHUNK_PAGES
 *				pages per backend call: io-pgtable's
 *				map_pages looped on its returned count,
 *				generic_pt's iommu_map of the whole chunk)
 *  unmapb AS_ID IOVA NPAGES	the same for unmap_pages / iommu_unmap
 *  xlate AS_ID IOVA NPAGES	one backend iova_to_phys call per page
 *
 * NPAGES pages of the address space's smallest page size; <ns> is the time
 * of the library calls only. <check> is NPAGES for map and unmap and, for
 * xlate, the number of pages that translated to a non-zero address (the
 * caller can see the loop really ran on mapped pages).
 *
 * A map range is validated once up front with the same rules as IOPGT_MAP
 * (alignment, input/output range, shadow map, and both table-memory caps,
 * max_as_table_bytes and max_table_bytes); the shadow map records it as one
 * run and the table accounting follows it like IOPGT_MAP's, so the address
 * space stays consistent and can be unmapped with IOPGT_UNMAP afterwards.
 * unmap/unmapb take exactly one such run; xlate takes any range inside the
 * input range and changes nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/iommu.h>
#include <linux/maple_tree.h>

#include "iopgt_bench.h"
#include "iopgt_dev.h"
#include "iopgt_as.h"

static struct dentry *iopgt_debugfs;
static DEFINE_MUTEX(iopgt_bench_lock);
static char iopgt_bench_result[96];

/* one bench command: which loop, and its result */
struct iopgt_bench_cmd {
	bool batched;
	u64 npages;
	u64 ns;
	u64 check;
};

/* Undo @pages granule pages at @iova, one chunk per backend call. */
static void iopgt_bench_undo(struct iopgt_as *as, u64 iova, u64 pages)
{
	u64 g = as->granule;

	while (pages) {
		u64 n = min(pages, IOPGT_CHUNK_PAGES);

		/* mapped granule pages of this run, as->lock held */
		as->fmt->ops->unmap(as, iova, g, n);
		iova += n * g;
		pages -= n;
		cond_resched();
	}
}

/* The timed loop of "map"/"mapb"; returns 0 or the failing call's error. */
static int iopgt_bench_map_loop(struct iopgt_as *as, u64 iova, u64 paddr,
				struct iopgt_bench_cmd *c, u64 *done)
{
	u64 g = as->granule, i = 0, n, mapped;
	ktime_t t0;
	int ret = 0;

	t0 = ktime_get();
	while (i < c->npages) {
		/*
		 * Checked by the caller (as->lock held): granule page in the
		 * final bitmap, aligned, the whole range inside ias/oas and
		 * empty in the shadow map; 1 <= n <= IOPGT_CHUNK_PAGES.
		 */
		n = c->batched ? min(c->npages - i, IOPGT_CHUNK_PAGES) : 1;
		mapped = 0;
		ret = as->fmt->ops->map(as, iova + i * g, paddr + i * g, g, n,
					IOMMU_READ | IOMMU_WRITE, &mapped);
		if (ret) {
			i += mapped / g;
			break;
		}
		i += n;
		/* the module yields between chunks, the per-page loop so often */
		if (c->batched ? i < c->npages : !(i & 4095))
			cond_resched();
	}
	c->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	*done = i;
	return ret;
}

static int iopgt_bench_map(struct iopgt_as *as, u64 iova, u64 paddr,
			   struct iopgt_bench_cmd *c)
{
	u64 g = as->granule, len, bound, done = 0;
	struct iopgt_tables_mark mark;
	int ret;

	if (!c->npages || c->npages > U64_MAX / g)
		return -EINVAL;
	len = c->npages * g;
	if ((iova | paddr) & (g - 1))
		return -EINVAL;
	if (!iopgt_as_iova_ok(as, iova, len) || len - 1 > U64_MAX - paddr ||
	    (as->oas < 64 && ((paddr + len - 1) >> as->oas)))
		return -ERANGE;
	/* both table-memory caps, exactly as IOPGT_MAP checks them */
	bound = iopgt_walk_table_bytes_bound(as, iova, len);
	ret = iopgt_as_table_reserve(as, bound);
	if (ret)
		return ret;
	ret = mtree_insert_range(&as->shadow, iova, iova + len - 1,
				 iopgt_shadow_mk(__ffs64(g), 0),
				 IOPGT_GFP_USER_SIZED);
	if (ret) {
		iopgt_as_table_release(as, bound);
		return ret;
	}

	iopgt_as_tables_begin(as, iova, iova + len - 1, false, &mark);
	ret = iopgt_bench_map_loop(as, iova, paddr, c, &done);
	if (ret) {
		iopgt_bench_undo(as, iova, done);
		mtree_erase(&as->shadow, iova);
	} else {
		as->n_extents++;
		as->mapped_bytes += len;
		c->check = c->npages;
	}
	as->generation++;
	iopgt_as_tables_end(as, &mark);
	iopgt_as_table_release(as, bound);
	return ret;
}

static int iopgt_bench_unmap(struct iopgt_as *as, u64 iova,
			     struct iopgt_bench_cmd *c)
{
	MA_STATE(mas, &as->shadow, iova, iova);
	u64 g = as->granule, len, i, n, first, last;
	struct iopgt_tables_mark mark;
	void *entry;
	ktime_t t0;

	if (!c->npages || c->npages > U64_MAX / g || (iova & (g - 1)))
		return -EINVAL;
	len = c->npages * g;
	if (!iopgt_as_iova_ok(as, iova, len))
		return -ERANGE;
	/* exactly one run of granule pages, as "map" made it */
	mtree_lock(&as->shadow);
	entry = mas_walk(&mas);
	first = mas.index;
	last = mas.last;
	mtree_unlock(&as->shadow);
	if (!entry || first != iova || last != iova + len - 1 ||
	    iopgt_shadow_log2(entry) != __ffs64(g))
		return -EINVAL;
	mtree_erase(&as->shadow, iova);

	iopgt_as_tables_begin(as, iova, iova + len - 1, true, &mark);
	t0 = ktime_get();
	for (i = 0; i < c->npages; i += n) {
		n = c->batched ? min(c->npages - i, IOPGT_CHUNK_PAGES) : 1;
		/* mapped granule pages of this run (shadow map), as->lock held */
		as->fmt->ops->unmap(as, iova + i * g, g, n);
		if (c->batched ? i + n < c->npages : !((i + n) & 4095))
			cond_resched();
	}
	c->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	iopgt_as_tables_end(as, &mark);
	as->n_extents--;
	as->mapped_bytes -= len;
	as->generation++;
	c->check = c->npages;
	return 0;
}

static int iopgt_bench_xlate(struct iopgt_as *as, u64 iova,
			     struct iopgt_bench_cmd *c)
{
	u64 g = as->granule, i, nonzero = 0;
	ktime_t t0;

	if (!c->npages || c->npages > U64_MAX / g || (iova & (g - 1)))
		return -EINVAL;
	if (!iopgt_as_iova_ok(as, iova, c->npages * g))
		return -ERANGE;
	t0 = ktime_get();
	for (i = 0; i < c->npages; i++) {
		/* inside the input range (checked above), as->lock held */
		if (as->fmt->ops->iova_to_phys(as, iova + i * g))
			nonzero++;
		if (!((i + 1) & 4095))
			cond_resched();
	}
	c->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	c->check = nonzero;
	return 0;
}

static ssize_t iopgt_bench_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[128], op[8];
	unsigned long long a, b, c, d = 0;
	struct iopgt_bench_cmd cmd = { };
	struct iopgt_dev *idev;
	struct iopgt_as *as;
	bool map, unmap, xlate;
	int n, ret, cookie;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	n = sscanf(buf, "%7s %llu %lli %lli %lli", op, &a, &b, &c, &d);
	if (n < 4)
		return -EINVAL;
	map = !strcmp(op, "map") || !strcmp(op, "mapb");
	unmap = !strcmp(op, "unmap") || !strcmp(op, "unmapb");
	xlate = !strcmp(op, "xlate");
	if (!map && !unmap && !xlate)
		return -EINVAL;
	if (n != (map ? 5 : 4))
		return -EINVAL;
	cmd.batched = op[strlen(op) - 1] == 'b';
	cmd.npages = map ? d : c;

	idev = iopgt_dev_get_current();
	if (!idev)
		return -ENODEV;
	ret = iopgt_dev_enter(idev, &cookie);
	if (ret)
		goto out_put;
	as = iopgt_as_get(idev, a);
	if (!as) {
		ret = -ENOENT;
		goto out_exit;
	}
	mutex_lock(&as->lock);
	ret = iopgt_as_usable(as);
	if (!ret && map)
		ret = iopgt_bench_map(as, b, c, &cmd);
	else if (!ret && unmap)
		ret = iopgt_bench_unmap(as, b, &cmd);
	else if (!ret)
		ret = iopgt_bench_xlate(as, b, &cmd);
	mutex_unlock(&as->lock);
	iopgt_as_put(as);
	if (!ret) {
		mutex_lock(&iopgt_bench_lock);
		snprintf(iopgt_bench_result, sizeof(iopgt_bench_result),
			 "%s %llu %llu %llu\n", op, cmd.npages, cmd.ns,
			 cmd.check);
		mutex_unlock(&iopgt_bench_lock);
	}
out_exit:
	iopgt_dev_exit(idev, cookie);
out_put:
	iopgt_dev_put(idev);
	return ret ? ret : count;
}

static ssize_t iopgt_bench_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[sizeof(iopgt_bench_result)];

	mutex_lock(&iopgt_bench_lock);
	memcpy(buf, iopgt_bench_result, sizeof(buf));
	mutex_unlock(&iopgt_bench_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static const struct file_operations iopgt_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = iopgt_bench_read,
	.write = iopgt_bench_write,
	.llseek = default_llseek,
};

void iopgt_debugfs_init(void)
{
	iopgt_debugfs = debugfs_create_dir("iopgt", NULL);
	debugfs_create_file("bench", 0600, iopgt_debugfs, NULL,
			    &iopgt_bench_fops);
}

void iopgt_debugfs_exit(void)
{
	debugfs_remove_recursive(iopgt_debugfs);
}
