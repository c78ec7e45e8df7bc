// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests for the dump's number formatting (cli/fmtnum.h): put_hex,
 * put_hex16, put_dec and the hexmemo variants print exactly what snprintf's
 * %llx, %016llx and %llu print, for edge values, every digit count and
 * sequences of values like a dump's fields (steps of a page, jumps, digit
 * counts changing, small values after large ones); a reline (cli/reline.h)
 * re-emits a kept line with new values exactly as the line formatted anew.
 */
#include <stdio.h>
#include <string.h>

#include "../cli/fmtnum.h"
#include "../cli/reline.h"
#include "tap.h"

static uint64_t rs = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rs ^= rs >> 12;
	rs ^= rs << 25;
	rs ^= rs >> 27;
	return rs * 0x2545F4914F6CDD1DULL;
}

enum { HEX, HEX16, DEC, HEX_MEMO, HEX16_MEMO, KINDS };
static const char *const names[] = { "%llx", "%016llx", "%llu", "%llx memo", "%016llx memo" };
static unsigned long checked[KINDS], bad[KINDS];
static char first_bad[KINDS][128];

/* @v through formatter @k (memo @m) vs snprintf */
static void check(int k, uint64_t v, struct hexmemo *m)
{
	char want[32], buf[64], *end = NULL;
	size_t n;

	memset(buf, '#', sizeof(buf));
	switch (k) {
	case HEX:
		end = put_hex(buf, v);
		break;
	case HEX16:
		end = put_hex16(buf, v);
		break;
	case DEC:
		end = put_dec(buf, v);
		break;
	case HEX_MEMO:
		end = put_hex_memo(buf, v, m);
		break;
	case HEX16_MEMO:
		end = put_hex16_memo(buf, v, m);
		break;
	}
	snprintf(want, sizeof(want), k == DEC ? "%llu" : k == HEX16 || k == HEX16_MEMO ?
		 "%016llx" : "%llx", (unsigned long long)v);
	n = strlen(want);
	checked[k]++;
	if ((size_t)(end - buf) != n || memcmp(buf, want, n)) {
		if (!bad[k]++)
			snprintf(first_bad[k], sizeof(first_bad[k]), "0x%llx: got '%.*s' want '%s'",
				 (unsigned long long)v, (int)(end - buf) > 0 &&
				 end - buf < 40 ? (int)(end - buf) : 0, buf, want);
	}
}

static void plain_values(void)
{
	int i, b;

	for (i = 0; i < 3; i++) {
		check(i, 0, NULL);
		check(i, ~0ULL, NULL);
		for (b = 0; b < 64; b++) {
			check(i, 1ULL << b, NULL);
			check(i, (1ULL << b) - 1, NULL);
			check(i, (1ULL << b) + 1, NULL);
		}
		for (b = 0; b < 20000; b++) {
			uint64_t v = rnd();

			check(i, v, NULL);
			check(i, v >> (v & 63), NULL);	/* every digit count */
		}
	}
	for (b = 0; b < 2000; b++)
		check(DEC, (uint64_t)b, NULL);
}

/* a field's values along a dump: pages in a row, jumps, any width */
static void memo_sequences(void)
{
	static const uint64_t starts[] = {
		0, 1, 0xf000, 0xfff000, 0x10000, 0xfffff000, 0x40000000, 0x7fffffff000,
		0xfffffffffffff000ULL, 0x80000067, 0x800000004000011dULL,
	};
	unsigned int s, i, k;

	for (k = HEX_MEMO; k <= HEX16_MEMO; k++) {
		for (s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
			struct hexmemo m = { 0 };
			uint64_t v = starts[s];

			for (i = 0; i < 3000; i++) {
				check((int)k, v, &m);
				if (rnd() % 97 == 0)
					v = rnd() >> (rnd() & 63);	/* a jump */
				else if (rnd() % 53 == 0)
					v = v & 0xffff;	/* back under 5 digits */
				else
					v += rnd() % 7 == 0 ? 1 : 0x1000;
			}
		}
		for (i = 0; i < 64; i++) {	/* the digit count grows by one */
			struct hexmemo m = { 0 };
			uint64_t v = (1ULL << i) - 2;

			check((int)k, v, &m);
			check((int)k, v + 1, &m);
			check((int)k, v + 2, &m);
			check((int)k, v + 3, &m);
		}
	}
}

/*
 * A line like the dump's, "KEY:INDEX 0xHEX16 0xHEX 0xHEX|", formatted by
 * snprintf with the fields' offsets; *hex0 is fixed-width.
 */
static size_t fmt_line(char *buf, size_t len, uint64_t key, uint64_t index,
		       const uint64_t *hex, struct reline_fields *f)
{
	int a, b, c, d, n;

	memset(f, 0, sizeof(*f));
	n = snprintf(buf, len, "k%llu:%n%llu%n 0x%016llx%n 0x%llx%n 0x%llx|\n",
		     (unsigned long long)key, &a, (unsigned long long)index, &b,
		     (unsigned long long)hex[0], &c, (unsigned long long)hex[1], &d,
		     (unsigned long long)hex[2]);
	f->idx_off = (uint32_t)a;
	f->idx_len = (uint32_t)(b - a);
	f->index = index;
	f->hex_end[0] = (uint32_t)c;
	f->hex_end[1] = (uint32_t)d;
	f->hex_end[2] = (uint32_t)(n - 2);
	f->fixed[0] = 1;
	for (a = 0; a < RELINE_HEX; a++)
		f->hex[a] = hex[a];
	return (size_t)n;
}

/* entries in a row (steps of a page, jumps, new keys, digit counts changing) */
static void reline_sequences(void)
{
	static struct reline r;
	unsigned long reused = 0, lines = 0, wrong = 0;
	uint64_t key = 1, index = 0, hex[RELINE_HEX] = { 0x80000067, 0x40000000, 0xfff000 };
	char want[256], got[1100 + RELINE_MAX], first[300] = "";
	int i, k;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < 200000; i++) {
		uint64_t kk[RELINE_KEY] = { key, 0, 0 };
		struct reline_fields f;
		size_t n = fmt_line(want, sizeof(want), key, index, hex, &f);
		char *end = reline_put(&r, got, kk, index, hex);

		lines++;
		if (end) {
			reused++;
			if ((size_t)(end - got) != n || memcmp(got, want, n)) {
				if (!wrong++)
					snprintf(first, sizeof(first), "line %d: got '%.*s' want '%s'",
						 i, (int)(end - got) < 200 ? (int)(end - got) : 200,
						 got, want);
			}
		} else {
			reline_save(&r, kk, want, n, &f);
		}
		/* the next entry */
		if (rnd() % 1000 == 0)
			key++;
		index = rnd() % 300 == 0 ? rnd() % 100000 : index + 1;
		for (k = 0; k < RELINE_HEX; k++) {
			if (rnd() % 400 == 0)
				hex[k] = rnd() >> (rnd() & 63);
			else
				hex[k] += rnd() % 50 == 0 ? rnd() % 0x3000 : 0x1000;
		}
	}
	snprintf(want, sizeof(want), "reline: %lu lines, %lu re-emitted, as formatted anew",
		 lines, reused);
	if (!tap_ok(!wrong && reused > lines / 2, want))
		printf("#   %lu differ, first: %s\n", wrong, first);
}

int main(void)
{
	char d[256];
	int k;

	plain_values();
	memo_sequences();
	reline_sequences();
	for (k = 0; k < KINDS; k++) {
		snprintf(d, sizeof(d), "%s: %lu values as snprintf prints them", names[k],
			 checked[k]);
		if (!tap_ok(checked[k] > 1000 && !bad[k], d))
			printf("#   %lu differ, first: %s\n", bad[k], first_bad[k]);
	}
	return tap_done();
}
