/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iopgt CLI: the spool of "dump" (see spool.c). */
#ifndef IOPGT_CLI_SPOOL_H
#define IOPGT_CLI_SPOOL_H

#include <stdio.h>

enum spool_mode {
	SPOOL_DEVNULL = 1,	/* stdout is /dev/null: written directly */
	SPOOL_FILE = 2,		/* an unlinked temporary file */
	SPOOL_DIRECT = 3,	/* --no-buffer: stdout */
};

/**
 * struct spool - where a dump is written
 * @out: the stream to write to
 * @mode: enum spool_mode
 */
struct spool {
	FILE *out;
	int mode;
};

/* 0 or -errno (no temporary file could be made) */
int spool_open(struct spool *s, int no_buffer);
/* a retry: forget what was written (or mark the restart when direct) */
int spool_restart(struct spool *s);
/* the dump succeeded: append the spool to stdout; @s->out is stdout after */
int spool_copy_out(struct spool *s);
/* the dump failed: drop the spool; @s->out is stdout after */
void spool_drop(struct spool *s);

#endif
