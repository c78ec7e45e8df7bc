/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: init and exit of the backends, which register their formats with
 * the registry (iopgt_services.h). Called by the entry only.
 */
#ifndef _IOPGT_BACKENDS_H
#define _IOPGT_BACKENDS_H

/* io-pgtable backend (backend_io_pgtable.c) */
int iopgt_iopt_init(void);
void iopgt_iopt_exit(void);

/* generic_pt backend (backend_generic_pt.c) */
int iopgt_pt_init(void);
void iopgt_pt_exit(void);

#endif /* _IOPGT_BACKENDS_H */
