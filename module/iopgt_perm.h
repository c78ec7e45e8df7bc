/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the permission model (iopgt_perm.c).
 */
#ifndef _IOPGT_PERM_H
#define _IOPGT_PERM_H

#include "iopgt_types.h"

struct sk_buff;
bool iopgt_sees_kaddrs(const struct file *file, const struct sk_buff *nl_skb);
int iopgt_as_check_owner(const struct iopgt_as *as,
			 const struct iopgt_file *file);

#endif /* _IOPGT_PERM_H */
