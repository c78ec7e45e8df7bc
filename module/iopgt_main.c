// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: the entry. Module parameters and module init/exit, which bring
 * the layers up through one table, bottom first (iopgt_services.h lists
 * the layers). Nothing below imports this file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/sysfs.h>

#include "iopgt_services.h"
#include "iopgt_backends.h"
#include "iopgt_nl.h"
#include "iopgt_dev.h"
#include "iopgt_bench.h"

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

static int fault_nth_set(const char *val, const struct kernel_param *kp)
{
	u64 n;
	int ret;

	ret = iopgt_param_parse(val, 0, INT_MAX, &n);
	if (ret)
		return ret;
	iopgt_fault_arm(n);
	return 0;
}

static int fault_nth_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", iopgt_fault_left());
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
	return sysfs_emit(buf, "%d\n", iopgt_fault_seen());
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

/* ------------------------------------------------------------------ */
/* Init and exit                                                       */

static int iopgt_debugfs_up(void)
{
	iopgt_debugfs_init();
	return 0;
}

/**
 * struct iopgt_part - one part of the module brought up at init
 * @name: for the log when @init fails
 * @init: returns 0 or -errno
 * @exit: undoes @init; may be NULL
 *
 * Initialised in array order, torn down in reverse. Read-only after build.
 */
struct iopgt_part {
	const char *name;
	int (*init)(void);
	void (*exit)(void);
};

/*
 * The backends register their formats first. The netlink family goes
 * before the driver at exit: unregistering it drains its callers, which
 * hold context references. The debugfs bench comes last.
 */
static const struct iopgt_part iopgt_parts[] = {
	{ "io-pgtable backend", iopgt_iopt_init, iopgt_iopt_exit },
	{ "generic_pt backend", iopgt_pt_init, iopgt_pt_exit },
	{ "platform driver", iopgt_dev_register, iopgt_dev_unregister },
	{ "netlink family", iopgt_nl_init, iopgt_nl_exit },
	{ "debugfs", iopgt_debugfs_up, iopgt_debugfs_exit },
};

static void iopgt_parts_exit(unsigned int n)
{
	while (n--)
		if (iopgt_parts[n].exit)
			iopgt_parts[n].exit();
}

static int __init iopgt_init(void)
{
	unsigned int i;
	int ret;

	/* the defaults may exceed the caps' upper bound on a small machine */
	iopgt_max_table_bytes = min_t(u64, iopgt_max_table_bytes,
				      iopgt_table_bytes_limit());
	iopgt_max_as_table_bytes = min_t(u64, iopgt_max_as_table_bytes,
					 iopgt_table_bytes_limit());
	iopgt_fmt_init_defaults();
	for (i = 0; i < ARRAY_SIZE(iopgt_parts); i++) {
		ret = iopgt_parts[i].init();
		if (ret) {
			pr_err("%s: init failed: %d\n", iopgt_parts[i].name, ret);
			iopgt_parts_exit(i);
			return ret;
		}
	}
	return 0;
}

static void __exit iopgt_exit(void)
{
	iopgt_parts_exit(ARRAY_SIZE(iopgt_parts));
}

module_init(iopgt_init);
module_exit(iopgt_exit);

MODULE_DESCRIPTION("io-pgtable and generic_pt page tables behind /dev/iopgt");
MODULE_LICENSE("GPL");
MODULE_VERSION(IOPGT_VERSION);
