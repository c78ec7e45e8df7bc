/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the /dev/iopgt ioctls (iopgt_ioctl.c).
 *
 * The WALK ioctl (dispatcher in iopgt_ioctl.c) copies the command in,
 * checks flags and reserved fields, looks the AS up, takes as->lock,
 * checks that the AS is live and cmd->iova is inside the input range, zeroes
 * the outputs and calls iopgt_walk_iova(as, cmd->iova, cmd) (iopgt_walk.h,
 * H3). Afterwards it runs the backend's hw_walk for IOPGT_WALK_HW, and when
 * iopgt_sees_kaddrs() says no, iopgt_walk_hide_addrs() removes every
 * kernel address from levels[] and hw_ptes[].
 */
#ifndef _IOPGT_IOCTL_H
#define _IOPGT_IOCTL_H

struct file;

/* unlocked_ioctl of /dev/iopgt; see its kernel-doc in iopgt_ioctl.c */
long iopgt_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);

#endif /* _IOPGT_IOCTL_H */
