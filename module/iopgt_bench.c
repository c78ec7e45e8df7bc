// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: test-only benchmark knob, /sys/kernel/debug/iopgt/bench (root).
 *
 * Write "map AS_ID IOVA PADDR NPAGES" or "unmap AS_ID IOVA NPAGES": the
 * module maps (unmaps) NPAGES pages of the address space's smallest page
 * size with one backend call per page, in a kernel loop, and times it;
 * read the file for "<op> <npages> <ns>". It is the in-kernel reference
 * the batched IOPGT_MAP/IOPGT_UNMAP rate is compared against.
 *
 * The whole range is validated once up front with the same rules as
 * IOPGT_MAP/IOPGT_UNMAP (alignment, input/output range, shadow map, and
 * both table-memory caps, max_as_table_bytes and max_table_bytes), and
 * the shadow map records it as one run, so the address space stays
 * consistent and can be unmapped with IOPGT_UNMAP afterwards.
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

#include "iopgt.h"

static struct dentry *iopgt_debugfs;
static DEFINE_MUTEX(iopgt_bench_lock);
static char iopgt_bench_result[96];

static int iopgt_bench_map(struct iopgt_as *as, u64 iova, u64 paddr,
			   u64 npages, u64 *ns)
{
	u64 g = as->granule, len, i, mapped;
	ktime_t t0;
	int ret = 0;

	if (!npages || npages > U64_MAX / g)
		return -EINVAL;
	len = npages * g;
	if ((iova | paddr) & (g - 1))
		return -EINVAL;
	if (!iopgt_as_iova_ok(as, iova, len) || len - 1 > U64_MAX - paddr ||
	    (as->oas < 64 && ((paddr + len - 1) >> as->oas)))
		return -ERANGE;
	/* both table-memory caps, exactly as IOPGT_MAP checks them */
	ret = iopgt_as_table_reserve(as, iopgt_walk_table_bytes_bound(as, iova,
								      len));
	if (ret)
		return ret;
	ret = mtree_insert_range(&as->shadow, iova, iova + len - 1,
				 iopgt_shadow_mk(__ffs64(g), 0),
				 IOPGT_GFP_USER_SIZED);
	if (ret) {
		iopgt_as_update_table_bytes(as);	/* drop the reservation */
		return ret;
	}

	t0 = ktime_get();
	for (i = 0; i < npages; i++) {
		/*
		 * Checked above (as->lock held): granule page in the final
		 * bitmap, aligned, the whole range inside ias/oas and empty
		 * in the shadow map; pgcount 1.
		 */
		ret = as->fmt->ops->map(as, iova + i * g, paddr + i * g, g, 1,
					IOMMU_READ | IOMMU_WRITE, &mapped);
		if (ret)
			break;
		if (!(i & 4095))
			cond_resched();
	}
	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	if (ret) {
		while (i--)
			as->fmt->ops->unmap(as, iova + i * g, g, 1);
		mtree_erase(&as->shadow, iova);
		as->table_bytes_dirty = true;
		iopgt_as_update_table_bytes(as);
		return ret;
	}
	as->n_extents++;
	as->mapped_bytes += len;
	as->generation++;
	as->table_bytes_dirty = true;
	iopgt_as_update_table_bytes(as);
	return 0;
}

static int iopgt_bench_unmap(struct iopgt_as *as, u64 iova, u64 npages,
			     u64 *ns)
{
	MA_STATE(mas, &as->shadow, iova, iova);
	u64 g = as->granule, len, i, first, last;
	void *entry;
	ktime_t t0;

	if (!npages || npages > U64_MAX / g || (iova & (g - 1)))
		return -EINVAL;
	len = npages * g;
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

	t0 = ktime_get();
	for (i = 0; i < npages; i++) {
		/* a mapped granule page of this run (shadow map), as->lock held */
		as->fmt->ops->unmap(as, iova + i * g, g, 1);
		if (!(i & 4095))
			cond_resched();
	}
	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	as->n_extents--;
	as->mapped_bytes -= len;
	as->generation++;
	as->table_bytes_dirty = true;
	return 0;
}

static ssize_t iopgt_bench_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[128], op[8];
	unsigned long long a, b, c, d = 0;
	struct iopgt_dev *idev;
	struct iopgt_as *as;
	u64 ns = 0;
	int n, ret, cookie;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	n = sscanf(buf, "%7s %llu %lli %lli %lli", op, &a, &b, &c, &d);
	if (n < 4)
		return -EINVAL;
	if (strcmp(op, "map") == 0 && n != 5)
		return -EINVAL;
	if (strcmp(op, "map") && strcmp(op, "unmap"))
		return -EINVAL;

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
	if (as->dead)
		ret = -ENOENT;
	else if (op[0] == 'm')
		ret = iopgt_bench_map(as, b, c, d, &ns);
	else
		ret = iopgt_bench_unmap(as, b, c, &ns);
	mutex_unlock(&as->lock);
	iopgt_as_put(as);
	if (!ret) {
		mutex_lock(&iopgt_bench_lock);
		snprintf(iopgt_bench_result, sizeof(iopgt_bench_result),
			 "%s %llu %llu\n", op, op[0] == 'm' ? d : c, ns);
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
