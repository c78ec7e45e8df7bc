/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: every difference between the target kernels, as small wrappers
 * over the conftest.sh results (iopgt_compat.h, generated). The code that
 * uses them has no #ifdef inside a function body; whole formats or
 * backends that a kernel lacks are still compiled out at file scope.
 * Every HAVE_* result has a user (tests/host/probes.sh).
 */
#ifndef _IOPGT_KCOMPAT_H
#define _IOPGT_KCOMPAT_H

#include <linux/kconfig.h>
#include <linux/types.h>
#include <linux/io-pgtable.h>

#include "iopgt_compat.h"

/* ------------------------------------------------------------------ */
/* io-pgtable                                                          */

/* the kernel's quirk bits, 0 where the kernel lacks the quirk */
#ifdef HAVE_IO_PGTABLE_QUIRK_ARM_HD
#define IOPGT_KQUIRK_ARM_HD	IO_PGTABLE_QUIRK_ARM_HD
#else
#define IOPGT_KQUIRK_ARM_HD	0
#endif
#ifdef HAVE_IO_PGTABLE_QUIRK_ARM_S2FWB
#define IOPGT_KQUIRK_ARM_S2FWB	IO_PGTABLE_QUIRK_ARM_S2FWB
#else
#define IOPGT_KQUIRK_ARM_S2FWB	0
#endif
#ifdef HAVE_IO_PGTABLE_QUIRK_NO_WARN
#define IOPGT_KQUIRK_NO_WARN	IO_PGTABLE_QUIRK_NO_WARN
#else
#define IOPGT_KQUIRK_NO_WARN	0
#endif

/* the kernel's enum io_pgtable_fmt value, 0 where the enum lacks it */
#ifdef HAVE_IO_PGTABLE_FMT_ARM_MALI_LPAE
#define IOPGT_KFMT_ARM_MALI_LPAE	ARM_MALI_LPAE
#else
#define IOPGT_KFMT_ARM_MALI_LPAE	0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_ARM_V7S
#define IOPGT_KFMT_ARM_V7S		ARM_V7S
#else
#define IOPGT_KFMT_ARM_V7S		0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_APPLE_DART
#define IOPGT_KFMT_APPLE_DART		APPLE_DART
#else
#define IOPGT_KFMT_APPLE_DART		0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_APPLE_DART2
#define IOPGT_KFMT_APPLE_DART2		APPLE_DART2
#else
#define IOPGT_KFMT_APPLE_DART2		0
#endif

/* does the kernel's enum io_pgtable_fmt know these formats? */
#ifdef HAVE_IO_PGTABLE_FMT_ARM_MALI_LPAE
#define IOPGT_KHAS_FMT_ARM_MALI_LPAE	1
#else
#define IOPGT_KHAS_FMT_ARM_MALI_LPAE	0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_ARM_V7S
#define IOPGT_KHAS_FMT_ARM_V7S	1
#else
#define IOPGT_KHAS_FMT_ARM_V7S	0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_APPLE_DART
#define IOPGT_KHAS_FMT_APPLE_DART	1
#else
#define IOPGT_KHAS_FMT_APPLE_DART	0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_APPLE_DART2
#define IOPGT_KHAS_FMT_APPLE_DART2	1
#else
#define IOPGT_KHAS_FMT_APPLE_DART2	0
#endif
#ifdef HAVE_IO_PGTABLE_FMT_AMD_IOMMU_V1
#define IOPGT_KHAS_FMT_AMD_IOMMU_V1	1
#else
#define IOPGT_KHAS_FMT_AMD_IOMMU_V1	0
#endif

/* is alloc_io_pgtable_ops() exported to modules? */
#ifdef HAVE_EXPORT_ALLOC_IO_PGTABLE_OPS
#define IOPGT_KHAS_IO_PGTABLE_OPS	1
#else
#define IOPGT_KHAS_IO_PGTABLE_OPS	0
#endif

/**
 * iopgt_kcfg_set_alloc() - table allocator hooks of an io_pgtable_cfg
 * @cfg: the configuration being built
 * @alloc: cfg->alloc
 * @free: cfg->free
 *
 * Return: true if the kernel has the hooks (6.12+) and they were set.
 */
#ifdef HAVE_IO_PGTABLE_CFG_ALLOC
static inline bool iopgt_kcfg_set_alloc(struct io_pgtable_cfg *cfg,
					void *(*alloc)(void *, size_t, gfp_t),
					void (*free)(void *, void *, size_t))
{
	cfg->alloc = alloc;
	cfg->free = free;
	return true;
}
#else
static inline bool iopgt_kcfg_set_alloc(struct io_pgtable_cfg *cfg,
					void *(*alloc)(void *, size_t, gfp_t),
					void (*free)(void *, void *, size_t))
{
	return false;
}
#endif

/* Apple DART's level count: 2 on kernels whose cfg does not say */
#ifdef HAVE_APPLE_DART_CFG_N_LEVELS
static inline u32 iopgt_kdart_n_levels(const struct io_pgtable_cfg *cfg)
{
	return cfg->apple_dart_cfg.n_levels;
}
#else
static inline u32 iopgt_kdart_n_levels(const struct io_pgtable_cfg *cfg)
{
	return 2;
}
#endif

/* the library's own walker (ops->pgtable_walk with the LPAE walk data) */
#if defined(HAVE_IO_PGTABLE_OPS_PGTABLE_WALK) && \
	defined(HAVE_ARM_LPAE_IO_PGTABLE_WALK_DATA)
#define IOPGT_KHAS_PGTABLE_WALK	1
#endif

/*
 * issue 14: io-pgtable's dirty tracking, where the kernel has both the HD
 * quirk and ops->read_and_clear_dirty (6.12+; not 6.1)
 */
#if defined(HAVE_IO_PGTABLE_OPS_READ_AND_CLEAR_DIRTY) && \
	defined(HAVE_IO_PGTABLE_QUIRK_ARM_HD)
#define IOPGT_KHAS_IOPT_DIRTY	1
#include <linux/iommu.h>
/**
 * iopgt_kiopt_read_dirty() - ops->read_and_clear_dirty without a bitmap
 * @ops: the library's ops
 * @iova: start
 * @size: bytes, >= 1
 * @clear: clear the dirty state of what is found
 * @gather: initialised here; collects the range of every dirty leaf
 *	(iommu_dirty_bitmap_record() adds to it even without a bitmap)
 *
 * Return: what the library returns.
 */
static inline int iopgt_kiopt_read_dirty(struct io_pgtable_ops *ops,
					 unsigned long iova, size_t size,
					 bool clear,
					 struct iommu_iotlb_gather *gather)
{
	struct iommu_dirty_bitmap dirty;

	iommu_dirty_bitmap_init(&dirty, NULL, gather);
	return ops->read_and_clear_dirty(ops, iova, size,
					 clear ? 0 : IOMMU_DIRTY_NO_CLEAR,
					 &dirty);
}
#else
#define IOPGT_KHAS_IOPT_DIRTY	0
#endif

/* ------------------------------------------------------------------ */
/* generic_pt: the formats this kernel exports to modules              */

#if defined(HAVE_GENERIC_PT_IOMMU_H) && \
	defined(HAVE_EXPORT_IOMMU_PUT_PAGES_LIST) && \
	defined(HAVE_EXPORT_IOMMU_MAP)
#if defined(HAVE_EXPORT_PT_IOMMU_AMDV1_INIT) && IS_ENABLED(CONFIG_IOMMU_PT_AMDV1)
#define IOPGT_PT_AMDV1 1
#endif
#if defined(HAVE_EXPORT_PT_IOMMU_VTDSS_INIT) && IS_ENABLED(CONFIG_IOMMU_PT_VTDSS)
#define IOPGT_PT_VTDSS 1
#endif
#if defined(HAVE_EXPORT_PT_IOMMU_X86_64_INIT) && \
	IS_ENABLED(CONFIG_IOMMU_PT_X86_64)
#define IOPGT_PT_X86_64 1
#endif
#endif

/*
 * iommu_put_pages_list() is exported (GPL, no namespace) by
 * drivers/iommu/iommu-pages.c on kernels with generic_pt, but declared only
 * in the private drivers/iommu/iommu-pages.h, which linux-headers does not
 * ship. Same prototype as there (HAVE_EXPORT_IOMMU_PUT_PAGES_LIST above).
 */
struct iommu_pages_list;
void iommu_put_pages_list(struct iommu_pages_list *list);

#endif /* _IOPGT_KCOMPAT_H */
