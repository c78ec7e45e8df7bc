/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu_put_pages_list() is exported (GPL, no namespace) by
 * drivers/iommu/iommu-pages.c on kernels with generic_pt, but declared only
 * in the private drivers/iommu/iommu-pages.h, which linux-headers does not
 * ship. Same prototype as there; the conftest reports the export as
 * HAVE_EXPORT_IOMMU_PUT_PAGES_LIST.
 */
#ifndef _IOPGT_IOMMU_PAGES_H
#define _IOPGT_IOMMU_PAGES_H

struct iommu_pages_list;

void iommu_put_pages_list(struct iommu_pages_list *list);

#endif /* _IOPGT_IOMMU_PAGES_H */
