/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one TAP 13 producer of iopgt's tests: the host unit tests
 * (userspace/tests/test_*.c: tap_ok() and friends number their checks and print
 * the plan at the end with tap_done()) and the in-VM harness
 * (tests/lib/harness.c prints every result line with tap_line()). It lives
 * here because the packaged source (scripts/deb.sh: no tests/) runs the host
 * tests; tests/Makefile puts this folder on the in-VM tests' include path.
 *
 * A result line is "ok N - NAME", "not ok N - NAME" or
 * "ok N - NAME # SKIP REASON"; diagnostics are "# ..." lines.
 */
#ifndef IOPGT_TAP_H
#define IOPGT_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One result line (skip: NULL, or why the check did not run). */
static inline void tap_line(int ok, int idx, const char *name, const char *skip)
{
	printf("%sok %d - %s", ok ? "" : "not ", idx, name);
	if (skip)
		printf(" # SKIP %s", skip);
	putchar('\n');
	fflush(stdout);
}

/* ---- checks numbered in the order they run (host unit tests) ---- */

static int tap_n, tap_fail;

static inline int tap_ok(int cond, const char *desc)
{
	tap_line(cond, ++tap_n, desc, NULL);
	if (!cond)
		tap_fail++;
	return cond;
}

static inline int tap_str(const char *got, const char *want, const char *desc)
{
	int ok = !strcmp(got, want);

	tap_ok(ok, desc);
	if (!ok) {
		printf("#   got:  '%s'\n", got);
		printf("#   want: '%s'\n", want);
	}
	return ok;
}

static inline int tap_u64(uint64_t got, uint64_t want, const char *desc)
{
	int ok = got == want;

	tap_ok(ok, desc);
	if (!ok)
		printf("#   got 0x%" PRIx64 ", want 0x%" PRIx64 "\n", got, want);
	return ok;
}

/* The plan, after the last check; the exit status of the program. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_fail)
		printf("# %d of %d failed\n", tap_fail, tap_n);
	return tap_fail ? 1 : 0;
}

#endif
