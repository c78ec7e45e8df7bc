/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt: test-only benchmark knob (iopgt_bench.c): debugfs iopgt/bench.
 */
#ifndef _IOPGT_BENCH_H
#define _IOPGT_BENCH_H

void iopgt_debugfs_init(void);
void iopgt_debugfs_exit(void);

#endif /* _IOPGT_BENCH_H */
