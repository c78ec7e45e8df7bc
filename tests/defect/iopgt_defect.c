// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt_defect: TEST-ONLY. Commits one deliberate memory error at load
 * time so that the kernel's debugging (hardened boots: slub_debug=FZPU,
 * KFENCE, page poisoning; UBSAN built in) reports it on the console and the
 * matrix's judge (scripts/parse.sh) fails the target. Loaded by the VM's
 * /init only when the harness is run with IOPGT_DEFECT=<defect>; never
 * built otherwise, never part of iopgt.ko.
 *
 * defect=overrun      one-byte overrun of a kmalloc(32) object, then kfree
 *                     (SLUB: "BUG kmalloc-32 (...): Right Redzone overwritten")
 * defect=double_free  kfree of an already freed object (SLUB report)
 * defect=uaf          write to a freed kmalloc object (SLUB: "Poison
 *                     overwritten", at the next allocation or validate)
 * defect=pagealloc    write to a freed page, then allocate again
 *                     ("pagealloc: memory corruption")
 * defect=kfence       out-of-bounds read of a KFENCE-sampled object
 *                     ("BUG: KFENCE: out-of-bounds read")
 * defect=ubsan        array index out of bounds ("UBSAN: array-index-out-of-bounds")
 * defect=leak         kmalloc leak_count objects of leak_size bytes and drop
 *                     them (the sanitizer targets' judge: kmemleak, and the
 *                     kmalloc slab counters back to their baseline)
 * defect=lockinv      take two mutexes in one order, then in the other
 *                     (lockdep: "possible circular locking dependency") * defect=failnth      nothing here: this defect is compiled into iopgt.ko
 *                     itself (module/Kbuild, iopgt_services.h: a leak on
 *                     the error path of a library allocation failure),
 *                     for the kernel fail-nth sweep to find
 */
#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kfence.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *defect = "";
module_param(defect, charp, 0444);
MODULE_PARM_DESC(defect, "overrun|double_free|uaf|pagealloc|kfence|ubsan|leak|lockinv");

static int idx = 4;
module_param(idx, int, 0444);
MODULE_PARM_DESC(idx, "array index used by defect=ubsan (4 is out of bounds)");

static int leak_size = 192;
module_param(leak_size, int, 0444);
MODULE_PARM_DESC(leak_size, "object size leaked by defect=leak (192: kmalloc-192, the size class kmemleak misses here)");

static int leak_count = 128;
module_param(leak_count, int, 0444);
MODULE_PARM_DESC(leak_count, "objects leaked by defect=leak (above the judge's slack of 64 per kmalloc cache)");

static void defect_leak(void)
{
	void *p;
	int i;

	for (i = 0; i < leak_count; i++) {
		p = kmalloc(leak_size, GFP_KERNEL);
		if (!p)
			return;
		/* filled like a live object; the pointer is dropped */
		memset(p, 0xa5, leak_size);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static DEFINE_MUTEX(defect_lock_a);
static DEFINE_MUTEX(defect_lock_b);

static void defect_lockinv(void)
{
	/* A then B, later B then A: no deadlock here, lockdep sees the cycle */
	mutex_lock(&defect_lock_a);
	mutex_lock(&defect_lock_b);
	mutex_unlock(&defect_lock_b);
	mutex_unlock(&defect_lock_a);

	mutex_lock(&defect_lock_b);
	mutex_lock(&defect_lock_a);
	mutex_unlock(&defect_lock_a);
	mutex_unlock(&defect_lock_b);
}

static void defect_overrun(void)
{
	char *p = kmalloc(32, GFP_KERNEL);

	if (!p)
		return;
	OPTIMIZER_HIDE_VAR(p);
	p[32] = 0x5a;
	kfree(p);
}

static void defect_double_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	kfree(p);
}

static void defect_uaf(void)
{
	char *p = kmalloc(64, GFP_KERNEL);
	void *q;

	if (!p)
		return;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	memset(p + 16, 0x5a, 8);
	/* the next allocation from the cache usually gets it back */
	q = kmalloc(64, GFP_KERNEL);
	kfree(q);
}

static void defect_pagealloc(void)
{
	struct page *pg, *again;
	char *va;
	int i;

	for (i = 0; i < 8; i++) {
		pg = alloc_page(GFP_KERNEL);
		if (!pg)
			return;
		va = page_address(pg);
		preempt_disable();
		__free_page(pg);
		OPTIMIZER_HIDE_VAR(va);
		va[100] = 0x5a;
		/* the per-cpu free list hands the same page out again */
		again = alloc_page(GFP_ATOMIC);
		preempt_enable();
		if (again)
			__free_page(again);
		if (again == pg)
			break;
	}
}

static void defect_kfence(void)
{
	char *p;
	int i;

	/* KFENCE samples one allocation per sample_interval ms */
	for (i = 0; i < 5000; i++) {
		p = kmalloc(32, GFP_KERNEL);
		if (!p)
			return;
		if (is_kfence_address(p)) {
			/*
			 * The object sits at the start or the end of its
			 * page; the guard page is just before or after it.
			 */
			OPTIMIZER_HIDE_VAR(p);
			if (offset_in_page(p))
				(void)READ_ONCE(p[32]);
			else
				(void)READ_ONCE(p[-1]);
			kfree(p);
			return;
		}
		kfree(p);
		usleep_range(500, 1000);
	}
	pr_err("iopgt_defect: no KFENCE-sampled allocation in 5000 tries (is kfence.sample_interval set?)\n");
}

static void defect_ubsan(void)
{
	int a[4] = { 1, 2, 3, 4 };
	int i = READ_ONCE(idx);

	pr_info("iopgt_defect: a[%d] = %d\n", i, a[i]);
}

static void defect_failnth(void)
{
	pr_info("iopgt_defect: failnth lives in iopgt.ko (built with IOPGT_DEFECT=failnth)\n");
}

static int __init iopgt_defect_init(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} defects[] = {
		{ "overrun", defect_overrun },
		{ "double_free", defect_double_free },
		{ "uaf", defect_uaf },
		{ "pagealloc", defect_pagealloc },
		{ "kfence", defect_kfence },
		{ "ubsan", defect_ubsan },
		{ "leak", defect_leak },
		{ "lockinv", defect_lockinv },
		{ "failnth", defect_failnth },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(defects); i++) {
		if (strcmp(defect, defects[i].name))
			continue;
		pr_info("iopgt_defect: committing defect '%s' on purpose\n", defect);
		defects[i].fn();
		return 0;
	}
	pr_err("iopgt_defect: unknown defect '%s'\n", defect);
	return -EINVAL;
}

static void __exit iopgt_defect_exit(void)
{
}

module_init(iopgt_defect_init);
module_exit(iopgt_defect_exit);
MODULE_DESCRIPTION("iopgt test-only module with deliberate memory errors");
MODULE_LICENSE("GPL");
