// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: module init, platform driver, per-device context and its
 * device-bound lifetime, /dev/iopgt file operations, module parameters,
 * allocation accounting and fault injection.
 *
 * Lifetime (see struct iopgt_dev): probe creates the context, the misc
 * device and one devm action. At unbind that action (1) deregisters the
 * misc device (no new opens), (2) marks the context dead and waits for every
 * call in flight (SRCU), (3) frees every address space while the platform
 * device, their iommu_dev, is still alive. Open files keep the context
 * (not the device) alive and get -ENODEV. The misc fops' owner pins the
 * module while any file is open, so rmmod cannot free code an open file
 * still references; netlink callers are drained by genl_unregister_family()
 * before the driver goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/dma-mapping.h>
#include <linux/sysfs.h>
#include <linux/idr.h>
#include <linux/compat.h>

#include "iopgt.h"

/* ------------------------------------------------------------------ */
/* Parameters                                                          */

/*
 * Every parameter has its own kernel_param_ops: a write outside the
 * documented range fails with -EINVAL (sysfs write and insmod alike) and
 * leaves the value unchanged. The upper bounds keep every request a root
 * user can then make inside what the module handles without a kernel
 * report: no allocation scales with max_map_entries (vectors are streamed
 * entry by entry), and the table-memory caps stay below a quarter of RAM
 * (page tables are unswappable kernel memory).
 */
static int iopgt_param_parse(const char *val, u64 min, u64 max, u64 *out)
{
	u64 v;

	if (kstrtou64(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A quarter of RAM: the upper bound of both table-memory caps. */
static u64 iopgt_table_bytes_limit(void)
{
	return ((u64)totalram_pages() << PAGE_SHIFT) / 4;
}

unsigned int iopgt_max_as = 64;

static int max_as_set(const char *val, const struct kernel_param *kp)
{
	u64 v;
	int ret = iopgt_param_parse(val, 1, IOPGT_MAX_AS_LIMIT, &v);

	if (!ret)
		WRITE_ONCE(iopgt_max_as, v);
	return ret;
}

static const struct kernel_param_ops max_as_ops = {
	.set = max_as_set,
	.get = param_get_uint,
};
module_param_cb(max_as, &max_as_ops, &iopgt_max_as, 0644);
MODULE_PARM_DESC(max_as,
		 "Live address spaces per device, 1-" __stringify(IOPGT_MAX_AS_LIMIT) " (-ENOSPC beyond; default 64)");

unsigned long long iopgt_max_table_bytes = 256ULL << 20;

static int max_table_bytes_set(const char *val, const struct kernel_param *kp)
{
	u64 v;
	int ret = iopgt_param_parse(val, 0, iopgt_table_bytes_limit(),
				    &v);

	if (!ret)
		WRITE_ONCE(iopgt_max_table_bytes, v);
	return ret;
}

static const struct kernel_param_ops max_table_bytes_ops = {
	.set = max_table_bytes_set,
	.get = param_get_ullong,
};
module_param_cb(max_table_bytes, &max_table_bytes_ops, &iopgt_max_table_bytes,
		0644);
MODULE_PARM_DESC(max_table_bytes,
		 "Page-table memory per device, 0 (no table at all) to RAM/4 (-ENOSPC beyond; default 256 MiB or RAM/4 if less)");

unsigned long long iopgt_max_as_table_bytes = 64ULL << 20;

static int max_as_table_bytes_set(const char *val,
				  const struct kernel_param *kp)
{
	u64 v;
	int ret = iopgt_param_parse(val, 0, iopgt_table_bytes_limit(),
				    &v);

	if (!ret)
		WRITE_ONCE(iopgt_max_as_table_bytes, v);
	return ret;
}

static const struct kernel_param_ops max_as_table_bytes_ops = {
	.set = max_as_table_bytes_set,
	.get = param_get_ullong,
};
module_param_cb(max_as_table_bytes, &max_as_table_bytes_ops,
		&iopgt_max_as_table_bytes, 0644);
MODULE_PARM_DESC(max_as_table_bytes,
		 "Page-table memory per address space, 0 (no table at all) to RAM/4 (-ENOSPC beyond; default 64 MiB or RAM/4 if less)");

unsigned int iopgt_max_map_entries = 65536;

static int max_map_entries_set(const char *val, const struct kernel_param *kp)
{
	u64 v;
	int ret = iopgt_param_parse(val, 1, IOPGT_MAX_MAP_ENTRIES_LIMIT, &v);

	if (!ret)
		WRITE_ONCE(iopgt_max_map_entries, v);
	return ret;
}

static const struct kernel_param_ops max_map_entries_ops = {
	.set = max_map_entries_set,
	.get = param_get_uint,
};
module_param_cb(max_map_entries, &max_map_entries_ops, &iopgt_max_map_entries,
		0644);
MODULE_PARM_DESC(max_map_entries,
		 "Entries per MAP/UNMAP/IOVA_TO_PHYS call, 1-" __stringify(IOPGT_MAX_MAP_ENTRIES_LIMIT) " (-ENOSPC beyond; default 65536)");

static atomic_t iopgt_fault_left = ATOMIC_INIT(0);
static atomic_t iopgt_fault_seen = ATOMIC_INIT(0);

static int fault_nth_set(const char *val, const struct kernel_param *kp)
{
	u64 n;
	int ret;

	ret = iopgt_param_parse(val, 0, INT_MAX, &n);
	if (ret)
		return ret;
	atomic_set(&iopgt_fault_seen, 0);
	atomic_set(&iopgt_fault_left, n);
	return 0;
}

static int fault_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iopgt_fault_left));
}

static const struct kernel_param_ops fault_nth_ops = {
	.set = fault_nth_set,
	.get = fault_nth_get,
};
module_param_cb(fault_nth, &fault_nth_ops, NULL, 0644);
MODULE_PARM_DESC(fault_nth,
		 "Test only: fail the Nth allocation from now, 0-2147483647 (0 = off)");

static int fault_count_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&iopgt_fault_seen));
}

/* read-only: sysfs has no store for 0444 (-EACCES); insmod gets -EINVAL */
static int fault_count_set(const char *val, const struct kernel_param *kp)
{
	return -EINVAL;
}

static const struct kernel_param_ops fault_count_ops = {
	.set = fault_count_set,
	.get = fault_count_get,
};
module_param_cb(fault_count, &fault_count_ops, NULL, 0444);
MODULE_PARM_DESC(fault_count, "Allocations seen since fault_nth was set (read-only)");

bool iopgt_should_fail(void)
{
	atomic_inc(&iopgt_fault_seen);
	if (atomic_read(&iopgt_fault_left) <= 0)
		return false;
	return atomic_dec_and_test(&iopgt_fault_left);
}

/* ------------------------------------------------------------------ */
/* Allocation accounting                                               */

static atomic64_t iopgt_allocs = ATOMIC64_INIT(0);

void iopgt_alloc_note(long delta)
{
	atomic64_add(delta, &iopgt_allocs);
}

s64 iopgt_module_allocs(void)
{
	return atomic64_read(&iopgt_allocs);
}

void *iopgt_kzalloc(size_t size, gfp_t gfp)
{
	void *p;

	if (iopgt_should_fail())
		return NULL;
	p = kzalloc(size, gfp);
	if (p)
		atomic64_inc(&iopgt_allocs);
	return p;
}

void *iopgt_kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	void *p;

	if (iopgt_should_fail())
		return NULL;
	p = kvcalloc(n, size, gfp);
	if (p)
		atomic64_inc(&iopgt_allocs);
	return p;
}

void iopgt_kfree(const void *p)
{
	if (!p)
		return;
	kfree(p);
	atomic64_dec(&iopgt_allocs);
}

void iopgt_kvfree(const void *p)
{
	if (!p)
		return;
	kvfree(p);
	atomic64_dec(&iopgt_allocs);
}

/* ------------------------------------------------------------------ */
/* Formats registry                                                    */

static const char * const iopgt_fmt_names[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_ARM_32_LPAE_S1] = "ARM_32_LPAE_S1",
	[IOPGT_FMT_ARM_32_LPAE_S2] = "ARM_32_LPAE_S2",
	[IOPGT_FMT_ARM_64_LPAE_S1] = "ARM_64_LPAE_S1",
	[IOPGT_FMT_ARM_64_LPAE_S2] = "ARM_64_LPAE_S2",
	[IOPGT_FMT_ARM_V7S] = "ARM_V7S",
	[IOPGT_FMT_ARM_MALI_LPAE] = "ARM_MALI_LPAE",
	[IOPGT_FMT_APPLE_DART] = "APPLE_DART",
	[IOPGT_FMT_APPLE_DART2] = "APPLE_DART2",
	[IOPGT_FMT_AMD_IOMMU_V1] = "AMD_IOMMU_V1",
	[IOPGT_FMT_AMD_IOMMU_V2] = "AMD_IOMMU_V2",
	[IOPGT_FMT_PT_AMDV1] = "PT_AMDV1",
	[IOPGT_FMT_PT_VTDSS] = "PT_VTDSS",
	[IOPGT_FMT_PT_X86_64] = "PT_X86_64",
	[IOPGT_FMT_PT_RISCV64] = "PT_RISCV64",
};

/* Defaults for formats no backend registered: "not built" */
static struct iopgt_fmt_desc iopgt_fmt_default[IOPGT_FMT_COUNT];
static const struct iopgt_fmt_desc *iopgt_fmts[IOPGT_FMT_COUNT];

static void iopgt_fmt_init_defaults(void)
{
	u32 i;

	for (i = 1; i < IOPGT_FMT_COUNT; i++) {
		struct iopgt_fmt_desc *d = &iopgt_fmt_default[i];

		d->id = i;
		d->name = iopgt_fmt_names[i];
		d->unavail_reason = IOPGT_UNAVAIL_NOT_BUILT;
		iopgt_fmts[i] = d;
	}
}

void iopgt_fmt_register(const struct iopgt_fmt_desc *desc)
{
	if (desc->id == IOPGT_FMT_INVALID || desc->id >= IOPGT_FMT_COUNT)
		return;
	iopgt_fmts[desc->id] = desc;
}

const struct iopgt_fmt_desc *iopgt_fmt_get(u32 id)
{
	if (id == IOPGT_FMT_INVALID || id >= IOPGT_FMT_COUNT)
		return NULL;
	return iopgt_fmts[id];
}

static ssize_t formats_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	ssize_t len = 0;
	u32 i;

	for (i = 1; i < IOPGT_FMT_COUNT; i++) {
		const struct iopgt_fmt_desc *d = iopgt_fmt_get(i);

		if (iopgt_fmt_available(d))
			len += sysfs_emit_at(buf, len, "%s\n", d->name);
	}
	return len;
}
static DEVICE_ATTR_RO(formats);

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf);
static DEVICE_ATTR_RO(stats);

static struct attribute *iopgt_dev_attrs[] = {
	&dev_attr_formats.attr,
	&dev_attr_stats.attr,
	NULL,
};
ATTRIBUTE_GROUPS(iopgt_dev);

/* ------------------------------------------------------------------ */
/* Device contexts                                                     */

/* Protects iopgt_current and the instance ida. */
static DEFINE_MUTEX(iopgt_global_lock);
static struct iopgt_dev *iopgt_current;
static DEFINE_IDA(iopgt_instance_ida);

static void iopgt_dev_release(struct kref *kref)
{
	struct iopgt_dev *idev = container_of(kref, struct iopgt_dev, kref);

	WARN_ON_ONCE(!xa_empty(&idev->ases));
	xa_destroy(&idev->ases);
	cleanup_srcu_struct(&idev->srcu);
	mutex_destroy(&idev->as_lock);
	iopgt_kfree(idev);
}

void iopgt_dev_get(struct iopgt_dev *idev)
{
	kref_get(&idev->kref);
}

void iopgt_dev_put(struct iopgt_dev *idev)
{
	if (idev)
		kref_put(&idev->kref, iopgt_dev_release);
}

struct iopgt_dev *iopgt_dev_get_current(void)
{
	struct iopgt_dev *idev;

	mutex_lock(&iopgt_global_lock);
	idev = iopgt_current;
	if (idev)
		kref_get(&idev->kref);
	mutex_unlock(&iopgt_global_lock);
	return idev;
}

int iopgt_dev_enter(struct iopgt_dev *idev, int *cookie)
{
	*cookie = srcu_read_lock(&idev->srcu);
	if (READ_ONCE(idev->dead)) {
		srcu_read_unlock(&idev->srcu, *cookie);
		return -ENODEV;
	}
	return 0;
}

void iopgt_dev_exit(struct iopgt_dev *idev, int cookie)
{
	srcu_read_unlock(&idev->srcu, cookie);
}

static ssize_t stats_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct iopgt_dev *idev = dev_get_drvdata(dev);
	ssize_t len = 0;

	if (!idev)
		return -ENODEV;
	len += sysfs_emit_at(buf, len, "nr_as %u\n", READ_ONCE(idev->nr_as));
	len += sysfs_emit_at(buf, len, "table_bytes %lld\n",
			     (long long)atomic64_read(&idev->table_bytes));
	len += sysfs_emit_at(buf, len, "as_created %lld\n",
			     (long long)atomic64_read(&idev->stats.as_created));
	len += sysfs_emit_at(buf, len, "as_destroyed %lld\n",
			     (long long)atomic64_read(&idev->stats.as_destroyed));
	len += sysfs_emit_at(buf, len, "maps %lld\n",
			     (long long)atomic64_read(&idev->stats.maps));
	len += sysfs_emit_at(buf, len, "unmaps %lld\n",
			     (long long)atomic64_read(&idev->stats.unmaps));
	len += sysfs_emit_at(buf, len, "rejected %lld\n",
			     (long long)atomic64_read(&idev->stats.rejected));
	len += sysfs_emit_at(buf, len, "module_allocs %lld\n",
			     (long long)iopgt_module_allocs());
	return len;
}

/* ------------------------------------------------------------------ */
/* /dev/iopgt                                                          */

static int iopgt_open(struct inode *inode, struct file *filp)
{
	/* misc_open() set private_data to our struct miscdevice. */
	struct miscdevice *misc = filp->private_data;
	struct iopgt_dev *idev = container_of(misc, struct iopgt_dev, misc);
	struct iopgt_file *f;

	f = iopgt_kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	/*
	 * misc_open() runs under misc_mtx and misc_deregister() takes it, so
	 * the context cannot be torn down under us here.
	 */
	kref_get(&idev->kref);
	f->idev = idev;
	filp->private_data = f;
	return nonseekable_open(inode, filp);
}

static int iopgt_release(struct inode *inode, struct file *filp)
{
	struct iopgt_file *f = filp->private_data;
	struct iopgt_dev *idev = f->idev;
	int cookie;

	/* Address spaces die with the fd that created them, unless persistent. */
	if (!iopgt_dev_enter(idev, &cookie)) {
		iopgt_as_release_file(idev, f);
		iopgt_dev_exit(idev, cookie);
	}
	iopgt_dev_put(idev);
	iopgt_kfree(f);
	return 0;
}

static const struct file_operations iopgt_fops = {
	.owner = THIS_MODULE,
	.open = iopgt_open,
	.release = iopgt_release,
	.unlocked_ioctl = iopgt_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ------------------------------------------------------------------ */
/* Probe and the devm teardown                                          */

/*
 * Can the tables of a non-coherent walk be handed to the DMA API on this
 * device? io-pgtable (7.2) WARNs when dma_map_single() does not return the
 * physical address, so check that once with a scratch page.
 */
static bool iopgt_dma_preflight(struct device *dev)
{
	dma_addr_t dma;
	void *page;
	bool ok;

	if (dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)))
		return false;
	page = (void *)__get_free_page(GFP_KERNEL);
	if (!page)
		return false;
	dma = dma_map_single(dev, page, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma)) {
		ok = false;
	} else {
		ok = dma == virt_to_phys(page);
		dma_unmap_single(dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	}
	free_page((unsigned long)page);
	return ok;
}

/* The one devm action of a device: see the file comment. */
static void iopgt_dev_teardown(void *data)
{
	struct iopgt_dev *idev = data;

	mutex_lock(&iopgt_global_lock);
	if (iopgt_current == idev)
		iopgt_current = NULL;
	mutex_unlock(&iopgt_global_lock);

	misc_deregister(&idev->misc);

	WRITE_ONCE(idev->dead, true);
	synchronize_srcu(&idev->srcu);

	/* No call is in flight and none can start: free every AS. */
	iopgt_as_release_all(idev);
	idev->dev = NULL;
	/* the node name is free again: a rebind gets /dev/iopgt back */
	ida_free(&iopgt_instance_ida, idev->instance);
	iopgt_dev_put(idev);
}

static const char * const iopgt_unavail_text[] = {
	[IOPGT_UNAVAIL_NOT_BUILT] = "not built into this kernel",
	[IOPGT_UNAVAIL_UNSAFE] = "not usable standalone",
	[IOPGT_UNAVAIL_NO_BACKEND] = "its page-table library is not exported",
	[IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL] = "unknown to this kernel",
};

/*
 * With no usable format every AS_CREATE fails: say so, and why, once per
 * module load (rebinding the device does not repeat it).
 */
static void iopgt_log_no_format(struct device *dev)
{
	static bool logged;
	char names[256];
	u32 i, r;

	for (i = 1; i < IOPGT_FMT_COUNT; i++)
		if (iopgt_fmt_available(iopgt_fmt_get(i)))
			return;
	if (logged)
		return;
	logged = true;
	for (r = 1; r < ARRAY_SIZE(iopgt_unavail_text); r++) {
		size_t len = 0;

		names[0] = 0;
		for (i = 1; i < IOPGT_FMT_COUNT; i++) {
			const struct iopgt_fmt_desc *d = iopgt_fmt_get(i);

			if (d->unavail_reason != r)
				continue;
			len += scnprintf(names + len, sizeof(names) - len, "%s%s",
					 len ? " " : "", d->name);
		}
		if (len)
			dev_warn(dev, "no usable page-table format: %s: %s\n",
				 iopgt_unavail_text[r], names);
	}
}

/* The module's own device, iopgt.0: set before it is added (and probed). */
static struct platform_device *iopgt_pdev;

static int iopgt_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct iopgt_dev *idev;
	int ret;

	/*
	 * One instance only: /dev/iopgt on iopgt.0. Any other platform
	 * device could only come through driver_override, taken from its
	 * own driver, with its DMA mask rewritten and used as the iommu_dev
	 * of every table; refuse it (bind fails with -ENODEV).
	 */
	if (pdev != READ_ONCE(iopgt_pdev))
		return -ENODEV;

	idev = iopgt_kzalloc(sizeof(*idev), GFP_KERNEL);
	if (!idev)
		return -ENOMEM;
	ret = init_srcu_struct(&idev->srcu);
	if (ret) {
		iopgt_kfree(idev);
		return ret;
	}
	ret = ida_alloc(&iopgt_instance_ida, GFP_KERNEL);
	if (ret < 0) {
		cleanup_srcu_struct(&idev->srcu);
		iopgt_kfree(idev);
		return ret;
	}
	idev->instance = ret;
	kref_init(&idev->kref);
	mutex_init(&idev->as_lock);
	xa_init_flags(&idev->ases, XA_FLAGS_ALLOC1);
	atomic64_set(&idev->table_bytes, 0);
	atomic64_set(&idev->table_bytes_pending, 0);
	idev->dev = dev;
	idev->noncoherent_ok = iopgt_dma_preflight(dev);

	if (idev->instance)
		snprintf(idev->misc_name, sizeof(idev->misc_name), "iopgt%d",
			 idev->instance);
	else
		strscpy(idev->misc_name, IOPGT_DEVICE_NAME,
			sizeof(idev->misc_name));
	idev->misc.minor = MISC_DYNAMIC_MINOR;
	idev->misc.name = idev->misc_name;
	idev->misc.fops = &iopgt_fops;
	idev->misc.mode = 0600;
	idev->misc.parent = dev;
	ret = misc_register(&idev->misc);
	if (ret) {
		ida_free(&iopgt_instance_ida, idev->instance);
		iopgt_dev_put(idev);
		return ret;
	}
	platform_set_drvdata(pdev, idev);

	/* From here on the devm action owns the context reference. */
	ret = devm_add_action_or_reset(dev, iopgt_dev_teardown, idev);
	if (ret)
		return ret;

	mutex_lock(&iopgt_global_lock);
	if (!iopgt_current)
		iopgt_current = idev;
	mutex_unlock(&iopgt_global_lock);

	dev_info(dev, "ready: /dev/%s, DMA pre-flight %s\n", idev->misc_name,
		 idev->noncoherent_ok ? "ok" : "failed (no non-coherent walks)");
	iopgt_log_no_format(dev);
	return 0;
}

static struct platform_driver iopgt_driver = {
	.probe = iopgt_probe,
	.driver = {
		.name = "iopgt",
		.dev_groups = iopgt_dev_groups,
	},
};

static int __init iopgt_init(void)
{
	struct platform_device *pdev;
	int ret;

	/* the defaults may exceed the caps' upper bound on a small machine */
	iopgt_max_table_bytes = min_t(u64, iopgt_max_table_bytes,
				      iopgt_table_bytes_limit());
	iopgt_max_as_table_bytes = min_t(u64, iopgt_max_as_table_bytes,
					 iopgt_table_bytes_limit());
	iopgt_fmt_init_defaults();
	ret = iopgt_iopt_init();
	if (ret)
		return ret;
	ret = iopgt_pt_init();
	if (ret)
		goto err_iopt;
	ret = iopgt_nl_init();
	if (ret)
		goto err_pt;
	ret = platform_driver_register(&iopgt_driver);
	if (ret)
		goto err_nl;
	pdev = platform_device_alloc("iopgt", 0);
	if (!pdev) {
		ret = -ENOMEM;
		goto err_drv;
	}
	WRITE_ONCE(iopgt_pdev, pdev);	/* before probe runs */
	ret = platform_device_add(pdev);
	if (ret) {
		WRITE_ONCE(iopgt_pdev, NULL);
		platform_device_put(pdev);
		goto err_drv;
	}
	iopgt_debugfs_init();
	return 0;

err_drv:
	platform_driver_unregister(&iopgt_driver);
err_nl:
	iopgt_nl_exit();
err_pt:
	iopgt_pt_exit();
err_iopt:
	iopgt_iopt_exit();
	return ret;
}

static void __exit iopgt_exit(void)
{
	iopgt_debugfs_exit();
	/* Netlink first: it drains its callers, which hold context refs. */
	iopgt_nl_exit();
	platform_device_unregister(iopgt_pdev);
	platform_driver_unregister(&iopgt_driver);
	iopgt_pt_exit();
	iopgt_iopt_exit();
}

module_init(iopgt_init);
module_exit(iopgt_exit);

MODULE_DESCRIPTION("io-pgtable and generic_pt page tables behind /dev/iopgt");
MODULE_LICENSE("GPL");
MODULE_VERSION(IOPGT_VERSION);
