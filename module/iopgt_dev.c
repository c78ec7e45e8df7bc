// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: the device layer. Platform driver, per-device context and its
 * device-bound lifetime, /dev/iopgt file operations, sysfs attributes.
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
#include <linux/platform_device.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/dma-mapping.h>
#include <linux/sysfs.h>
#include <linux/idr.h>
#include <linux/compat.h>

#include "iopgt_dev.h"
#include "iopgt_as.h"
#include "iopgt_ioctl.h"

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


/**
 * iopgt_dev_register() - register the platform driver and its device
 *
 * Return: 0 or -errno (nothing left registered).
 */
int iopgt_dev_register(void)
{
	struct platform_device *pdev;
	int ret;

	ret = platform_driver_register(&iopgt_driver);
	if (ret)
		return ret;
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
	return 0;

err_drv:
	platform_driver_unregister(&iopgt_driver);
	return ret;
}

/**
 * iopgt_dev_unregister() - undo iopgt_dev_register()
 */
void iopgt_dev_unregister(void)
{
	platform_device_unregister(iopgt_pdev);
	platform_driver_unregister(&iopgt_driver);
}
