/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iopgt CLI: one output path for text and JSON (the shape of iproute2's
 * lib/json_print.c). Every field is one call that names its JSON key and
 * its text format; in JSON mode the key and the value are written (commas
 * and nesting handled here), in text mode the format, so the two cannot
 * drift. PRINT_FP / PRINT_JSON limit a call to one of the modes (a field
 * the text does not show, a text column the JSON has no key for).
 *
 * Text formats take the value as unsigned long long (%llu, %llx), long
 * long (%lld) or a string (%s). Compact JSON, no spaces; a top-level value
 * ends with a newline.
 */
#ifndef IOPGT_CLI_PRINT_H
#define IOPGT_CLI_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "libiopgt.h"

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 3,
};

/* where and how: @json selects JSON mode */
void out_init(FILE *f, int json);
int out_json(void);

/* JSON only; @key NULL inside an array or at top level */
void open_json_object(const char *key);
void close_json_object(void);
/* @rows: one element per line ("[\n{..},\n{..}\n]") */
void open_json_array(const char *key, int rows);
void close_json_array(void);

void print_uint(enum output_type t, const char *key, const char *fmt, uint64_t v);
void print_int(enum output_type t, const char *key, const char *fmt, int64_t v);
/* JSON: "0x..." (64-bit values are hex strings) */
void print_hex(enum output_type t, const char *key, const char *fmt, uint64_t v);
void print_string(enum output_type t, const char *key, const char *fmt, const char *s);
/* JSON: true/false; text: @text when @v (nothing otherwise) */
void print_flag(enum output_type t, const char *key, const char *text, int v);
/* decoded fields: JSON {"AP":"rw",...}; text: fmt with "AP=rw AF ..." */
void print_fields(enum output_type t, const char *key, const char *fmt,
		  const struct iopgt_field *f, unsigned int n);
/* text only */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* decoded fields as a JSON object into @p; returns the end */
char *json_fields(char *p, const struct iopgt_field *f, unsigned int n);
/* a JSON string into @p (escaped, quoted); returns the end. Needs 6 * strlen + 2 */
char *json_escape(char *p, const char *s);

#endif
