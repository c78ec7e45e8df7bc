/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: the generic netlink family (iopgt_nl.c).
 */
#ifndef _IOPGT_NL_H
#define _IOPGT_NL_H

/**
 * iopgt_nl_init() - register the netlink family (module init)
 *
 * Return: 0 or -errno.
 */
int iopgt_nl_init(void);

/**
 * iopgt_nl_exit() - unregister the family; waits for the callers in flight
 */
void iopgt_nl_exit(void);

#endif /* _IOPGT_NL_H */
