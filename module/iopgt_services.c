// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: shared services (see iopgt_services.h for the layers): the limits
 * the module parameters set, fault injection, allocation accounting and
 * the format registry. Imports nothing of the module above it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "iopgt_services.h"

/* ------------------------------------------------------------------ */
/* Limits (module parameters in iopgt_main.c set them)                 */

unsigned int iopgt_max_as = 64;
unsigned long long iopgt_max_table_bytes = 256ULL << 20;
unsigned long long iopgt_max_as_table_bytes = 64ULL << 20;
unsigned int iopgt_max_map_entries = 65536;

/* ------------------------------------------------------------------ */
/* Fault injection                                                     */

static atomic_t iopgt_fault_nleft = ATOMIC_INIT(0);
static atomic_t iopgt_fault_nseen = ATOMIC_INIT(0);

void iopgt_fault_arm(int n)
{
	atomic_set(&iopgt_fault_nseen, 0);
	atomic_set(&iopgt_fault_nleft, n);
}

int iopgt_fault_left(void)
{
	return atomic_read(&iopgt_fault_nleft);
}

int iopgt_fault_seen(void)
{
	return atomic_read(&iopgt_fault_nseen);
}

bool iopgt_should_fail(void)
{
	atomic_inc(&iopgt_fault_nseen);
	if (atomic_read(&iopgt_fault_nleft) <= 0)
		return false;
	return atomic_dec_and_test(&iopgt_fault_nleft);
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

void iopgt_fmt_init_defaults(void)
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
