/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: dirty tracking of an address space (dirty.c), issue 14.
 */
#ifndef _IOPGT_DIRTY_H
#define _IOPGT_DIRTY_H

struct iopgt_as;
struct iopgt_file;
struct iopgt_read_dirty;
struct iopgt_set_dirty;

int iopgt_dirty_read(struct iopgt_as *as, struct iopgt_file *file,
		     struct iopgt_read_dirty *cmd);
int iopgt_dirty_set(struct iopgt_as *as, struct iopgt_file *file,
		    struct iopgt_set_dirty *cmd);

#endif /* _IOPGT_DIRTY_H */
