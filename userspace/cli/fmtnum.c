// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: the out-of-line parts of fmtnum.h (decimal numbers of four
 * digits and more, a hexmemo's refill).
 */
#include "fmtnum.h"

const char fmt_dec2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

char *put_dec_long(char *p, uint64_t v)	/* %llu */
{
	char t[20];
	int n = 20;

	while (v >= 100) {
		n -= 2;
		memcpy(t + n, fmt_dec2 + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		n -= 2;
		memcpy(t + n, fmt_dec2 + 2 * v, 2);
	} else {
		t[--n] = (char)('0' + v);
	}
	memcpy(p, t + n, (size_t)(20 - n));
	return p + 20 - n;
}

void hexmemo_fill(struct hexmemo *m, uint64_t v, int fixed)
{
	m->len = fixed ? 16 : (uint32_t)(put_hex(m->s, v) - m->s);
	if (fixed)
		put_hex16(m->s, v);
	m->hi = v >> 16;
}
