/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Minimal TAP producer for the host unit tests (plan printed at the end). */
#ifndef IOPGT_TAP_H
#define IOPGT_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail;

static inline int tap_ok(int cond, const char *desc)
{
	tap_n++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, desc);
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

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_fail)
		printf("# %d of %d failed\n", tap_fail, tap_n);
	return tap_fail ? 1 : 0;
}

#endif
