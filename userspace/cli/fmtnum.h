/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iopgt CLI: numbers formatted by hand for the dump's per-entry path, the
 * same bytes as printf's %016llx, %llx and %llu (tests/test_fmtnum.c checks
 * them against snprintf). They write into a line buffer with room to
 * spare: each may store up to 16 bytes past the digits it returns, which
 * the caller overwrites next.
 *
 * A hexmemo keeps the digits of a field's last value: the next value of
 * the field that differs only in its low 16 bits (the next leaf's IOVA,
 * descriptor and output address, the same table's address) copies them
 * and formats 4 digits.
 */
#ifndef IOPGT_CLI_FMTNUM_H
#define IOPGT_CLI_FMTNUM_H

#include <stdint.h>
#include <string.h>

struct hexmemo {
	uint64_t hi;		/* value >> 16 of the digits in s */
	uint32_t len;		/* digits in s; 0: empty */
	char s[24];		/* the digits, then up to 7 bytes of scratch */
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The 8 hex digits of @x, most significant first, as 8 bytes in memory
 * order: the nibbles spread one per byte, then '0'-'9'/'a'-'f' by
 * arithmetic (no loop, no table), byte-swapped into string order.
 */
static inline uint64_t fmt_hex8(uint32_t x)
{
	uint64_t v = x, lt;

	v = ((v & 0xffff0000ULL) << 16) | (v & 0xffffULL);
	v = ((v & 0x0000ff000000ff00ULL) << 8) | (v & 0x000000ff000000ffULL);
	v = ((v & 0x00f000f000f000f0ULL) << 4) | (v & 0x000f000f000f000fULL);
	/* 0x01 in every byte whose nibble is >= 10 */
	lt = ((v + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	v += 0x3030303030303030ULL + lt * ('a' - '9' - 1);
	return __builtin_bswap64(v);
}

/* the 4 hex digits of the low 16 bits of @x, as fmt_hex8() */
static inline uint32_t fmt_hex4(uint32_t x)
{
	uint32_t v = x & 0xffff, lt;

	v = ((v & 0xff00U) << 8) | (v & 0xffU);
	v = ((v & 0x00f000f0U) << 4) | (v & 0x000f000fU);
	lt = ((v + 0x06060606U) >> 4) & 0x01010101U;
	v += 0x30303030U + lt * ('a' - '9' - 1);
	return __builtin_bswap32(v);
}

static inline char *put_hex16(char *p, uint64_t v)	/* %016llx */
{
	uint64_t hi = fmt_hex8((uint32_t)(v >> 32)), lo = fmt_hex8((uint32_t)v);

	memcpy(p, &hi, 8);
	memcpy(p + 8, &lo, 8);
	return p + 16;
}

/* %llx: stores 8-byte words, up to 7 bytes past the digits */
static inline char *put_hex(char *p, uint64_t v)
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;
	uint64_t lo = fmt_hex8((uint32_t)v), hi;

	if (n <= 8) {
		lo >>= 8 * (8 - n);	/* its last n bytes, first in memory */
		memcpy(p, &lo, 8);
		return p + n;
	}
	hi = fmt_hex8((uint32_t)(v >> 32)) >> (8 * (16 - n));
	memcpy(p, &hi, 8);
	memcpy(p + n - 8, &lo, 8);
	return p + n;
}

static inline void put_hex4(char *p, uint64_t v)	/* %04llx of v & 0xffff */
{
	uint32_t d = fmt_hex4((uint32_t)v);

	memcpy(p, &d, 4);
}
#else
static inline char *put_hex16(char *p, uint64_t v)	/* %016llx */
{
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
	return p + 16;
}

static inline char *put_hex(char *p, uint64_t v)	/* %llx */
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1, i;

	for (i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
	return p + n;
}

static inline void put_hex4(char *p, uint64_t v)	/* %04llx of v & 0xffff */
{
	int i;

	for (i = 3; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}
#endif

/* the hex digit of @c (0-15) */
static inline char hex_digit(uint32_t c)
{
	return (char)('0' + c + ((c + 6) >> 4) * ('a' - '9' - 1));
}

/* the memo's digits: @v in %llx (@fixed 0) or %016llx (@fixed 1) */
void hexmemo_fill(struct hexmemo *m, uint64_t v, int fixed);

/*
 * %llx of @v through @m: when @v differs from the memo's value only in its
 * low 16 bits and has more than 4 digits (so the same number of digits),
 * the memo's digits with the last 4 replaced. Stores 16 bytes at @p.
 */
static inline __attribute__((always_inline)) char *put_hex_memo(char *p, uint64_t v,
								 struct hexmemo *m)
{
	uint32_t n;

	if (__builtin_expect((v >> 16) != m->hi || m->len <= 4, 0))
		hexmemo_fill(m, v, 0);
	n = m->len;
	memcpy(p, m->s, 16);
	if (n > 4)
		put_hex4(p + n - 4, v);
	return p + n;
}

/* %016llx of @v through @m (any value: the width is fixed) */
static inline __attribute__((always_inline)) char *put_hex16_memo(char *p, uint64_t v,
								   struct hexmemo *m)
{
	if (__builtin_expect((v >> 16) != m->hi || m->len != 16, 0))
		hexmemo_fill(m, v, 1);
	memcpy(p, m->s, 12);
	put_hex4(p + 12, v);
	return p + 16;
}

/* "00".."99" */
extern const char fmt_dec2[201];

char *put_dec_long(char *p, uint64_t v);

static inline char *put_dec(char *p, uint64_t v)	/* %llu */
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, fmt_dec2 + 2 * v, 2);
		return p + 2;
	}
	if (v < 1000) {
		*p = (char)('0' + v / 100);
		memcpy(p + 1, fmt_dec2 + 2 * (v % 100), 2);
		return p + 3;
	}
	return put_dec_long(p, v);
}

static inline char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

#endif
