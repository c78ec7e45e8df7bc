/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the device layer (iopgt_dev.c): the platform driver, one context
 * per bound device, /dev/iopgt file operations, probe and the devm
 * teardown. Shape of drivers/iommu/iommufd/main.c.
 */
#ifndef _IOPGT_DEV_H
#define _IOPGT_DEV_H

#include "iopgt_types.h"

/**
 * iopgt_dev_get_current() - the context of /dev/iopgt (instance 0)
 *
 * Return: a referenced context, or NULL while no device is bound. Release
 * with iopgt_dev_put(). The context may die at any time: use
 * iopgt_dev_enter() around every use.
 */
struct iopgt_dev *iopgt_dev_get_current(void);
void iopgt_dev_get(struct iopgt_dev *idev);
void iopgt_dev_put(struct iopgt_dev *idev);

/**
 * iopgt_dev_register() - register the platform driver and its device
 *
 * Called once by the entry (module init); probes iopgt.0, which creates
 * /dev/iopgt.
 *
 * Return: 0 or -errno (nothing left registered).
 */
int iopgt_dev_register(void);

/**
 * iopgt_dev_unregister() - undo iopgt_dev_register() (module exit)
 *
 * Unbinds the device: the devm teardown frees every address space.
 */
void iopgt_dev_unregister(void);

#endif /* _IOPGT_DEV_H */
