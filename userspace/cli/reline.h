/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iopgt CLI: the dump's last entry line kept with where its variable fields
 * are, so that the next entry, when it differs only in those fields and
 * their widths stay the same, is the same bytes with the digits replaced:
 * one copy instead of a line formatted field by field. In a dump of 4K
 * pages consecutive leaves differ in their index (decimal) and in the low
 * 16 bits of their IOVA, descriptor and output address (hex). The caller
 * decides what else must be equal (the key: depth, level, kind, ... and
 * its decoded attributes). tests/test_fmtnum.c checks the bytes against
 * snprintf.
 */
#ifndef IOPGT_CLI_RELINE_H
#define IOPGT_CLI_RELINE_H

#include <stdint.h>
#include <string.h>

#include "fmtnum.h"

#define RELINE_HEX	3	/* hex fields per line */
#define RELINE_KEY	3	/* key words */
#define RELINE_MAX	1024	/* longer lines are not kept */

struct reline {
	int valid;
	uint32_t len;
	uint64_t key[RELINE_KEY];
	uint32_t idx_off, idx_len;	/* the decimal field */
	uint64_t index;			/* its value */
	uint32_t hex_end[RELINE_HEX];	/* offset after each hex field's last digit */
	uint64_t hex[RELINE_HEX];	/* its value */
	char buf[RELINE_MAX];
};

/* where the variable fields of a line just formatted are */
struct reline_fields {
	uint32_t idx_off, idx_len;
	uint64_t index;
	uint32_t hex_end[RELINE_HEX];
	uint64_t hex[RELINE_HEX];
	uint8_t fixed[RELINE_HEX];	/* %016llx (else %llx) */
};

/* the number of decimal digits of @v (%llu) */
static inline uint32_t dec_width(uint64_t v)
{
	uint32_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * Keep @line (@len bytes, with @f's fields) for @key. A %llx field under
 * 0x10000 has a width of its own: then the line is not kept.
 */
static inline void reline_save(struct reline *r, const uint64_t key[RELINE_KEY],
			       const char *line, size_t len, const struct reline_fields *f)
{
	unsigned int i;

	r->valid = len <= RELINE_MAX;
	for (i = 0; i < RELINE_HEX; i++) {
		r->hex_end[i] = f->hex_end[i];
		r->hex[i] = f->hex[i];
		if (!f->fixed[i] && !(f->hex[i] >> 16))
			r->valid = 0;
	}
	if (!r->valid)
		return;
	memcpy(r->key, key, sizeof(r->key));
	r->idx_off = f->idx_off;
	r->idx_len = f->idx_len;
	r->index = f->index;
	r->len = (uint32_t)len;
	memcpy(r->buf, line, len);
}

/*
 * The kept line with @index and @hex in its fields, at @p (returns the
 * end), if it has @key and the fields keep their widths; else NULL.
 */
static inline __attribute__((always_inline)) char *
reline_put(struct reline *r, char *p, const uint64_t key[RELINE_KEY], uint64_t index,
	   const uint64_t hex[RELINE_HEX])
{
	uint64_t diff = !r->valid, step = 0;
	unsigned int i;

	/*
	 * One branch for the key and the hex fields' upper digits; @step
	 * collects the other bits that changed but the 4th hex digit from the
	 * end (a step of 4K changes that digit only).
	 */
#pragma GCC unroll 4
	for (i = 0; i < RELINE_KEY; i++)
		diff |= key[i] ^ r->key[i];
#pragma GCC unroll 4
	for (i = 0; i < RELINE_HEX; i++) {
		diff |= (hex[i] ^ r->hex[i]) >> 16;
		step |= (hex[i] ^ r->hex[i]) & 0x0fff;
	}
	if (diff)
		return NULL;
	if (index == r->index + 1 && index % 10) {	/* the last digit + 1 */
		r->buf[r->idx_off + r->idx_len - 1]++;
	} else {
		if (index < 10 ? r->idx_len != 1 : index < 100 ? r->idx_len != 2 :
		    index < 1000 ? r->idx_len != 3 : dec_width(index) != r->idx_len)
			return NULL;
		put_dec(r->buf + r->idx_off, index);
	}
	r->index = index;
	if (!step) {
#pragma GCC unroll 4
		for (i = 0; i < RELINE_HEX; i++)
			r->buf[r->hex_end[i] - 4] = hex_digit((hex[i] >> 12) & 15);
	} else {
#pragma GCC unroll 4
		for (i = 0; i < RELINE_HEX; i++)
			put_hex4(r->buf + r->hex_end[i] - 4, hex[i]);
	}
#pragma GCC unroll 4
	for (i = 0; i < RELINE_HEX; i++)
		r->hex[i] = hex[i];
	memcpy(p, r->buf, r->len);
	return p + r->len;
}

#endif
