// SPDX-License-Identifier: LGPL-2.1-or-later
/* iopgt CLI: text or JSON from one call per field (see print.h). */
#include <stdarg.h>
#include <string.h>

#include "print.h"

#define MAX_NEST	8

static struct {
	FILE *f;
	int json;
	int depth;
	int first[MAX_NEST];
	int rows[MAX_NEST];
} o = { NULL, 0, 0, { 0 }, { 0 } };

static FILE *out(void)
{
	return o.f ? o.f : stdout;
}

void out_init(FILE *f, int json)
{
	memset(&o, 0, sizeof(o));
	o.f = f;
	o.json = json;
}

int out_json(void)
{
	return o.json;
}

static const char hexdig[] = "0123456789abcdef";

char *json_escape(char *p, const char *s)
{
	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20) {
			memcpy(p, "\\u00", 4);
			p += 4;
			*p++ = hexdig[c >> 4];
			*p++ = hexdig[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	return p;
}

char *json_fields(char *p, const struct iopgt_field *f, unsigned int n)
{
	unsigned int i;

	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		p = json_escape(p, f[i].name);
		*p++ = ':';
		if (f[i].value[0]) {
			p = json_escape(p, f[i].value);
		} else {
			memcpy(p, "true", 4);
			p += 4;
		}
	}
	*p++ = '}';
	return p;
}

static void json_str(const char *s)
{
	char buf[6 * 256 + 2], *end;

	if (strlen(s) > 256) {	/* longer than any name: escape in pieces */
		char part[257];

		fputc('"', out());
		for (; *s; s += strlen(part)) {
			snprintf(part, sizeof(part), "%s", s);
			end = json_escape(buf, part);
			fwrite(buf + 1, 1, (size_t)(end - buf - 2), out());
		}
		fputc('"', out());
		return;
	}
	end = json_escape(buf, s);
	fwrite(buf, 1, (size_t)(end - buf), out());
}

/* separator and key before a JSON value */
static void json_pre(const char *key)
{
	if (o.depth) {
		if (!o.first[o.depth])
			fputc(',', out());
		if (o.rows[o.depth])
			fputc('\n', out());
		o.first[o.depth] = 0;
	}
	if (key)
		fprintf(out(), "\"%s\":", key);
}

static void push(int rows)
{
	if (o.depth < MAX_NEST - 1)
		o.depth++;
	o.first[o.depth] = 1;
	o.rows[o.depth] = rows;
}

static void pop(void)
{
	if (o.depth)
		o.depth--;
	if (!o.depth)
		fputc('\n', out());
}

void open_json_object(const char *key)
{
	if (!o.json)
		return;
	json_pre(key);
	fputc('{', out());
	push(0);
}

void close_json_object(void)
{
	if (!o.json)
		return;
	fputc('}', out());
	pop();
}

void open_json_array(const char *key, int rows)
{
	if (!o.json)
		return;
	json_pre(key);
	fputc('[', out());
	push(rows);
}

void close_json_array(void)
{
	if (!o.json)
		return;
	if (o.rows[o.depth])
		fputc('\n', out());
	fputc(']', out());
	pop();
}

static int want_json(enum output_type t)
{
	return o.json && (t & PRINT_JSON);
}

static int want_text(enum output_type t, const char *fmt)
{
	return !o.json && (t & PRINT_FP) && fmt;
}

void print_uint(enum output_type t, const char *key, const char *fmt, uint64_t v)
{
	if (want_json(t)) {
		json_pre(key);
		fprintf(out(), "%llu", (unsigned long long)v);
	} else if (want_text(t, fmt)) {
		fprintf(out(), fmt, (unsigned long long)v);
	}
}

void print_int(enum output_type t, const char *key, const char *fmt, int64_t v)
{
	if (want_json(t)) {
		json_pre(key);
		fprintf(out(), "%lld", (long long)v);
	} else if (want_text(t, fmt)) {
		fprintf(out(), fmt, (long long)v);
	}
}

void print_hex(enum output_type t, const char *key, const char *fmt, uint64_t v)
{
	if (want_json(t)) {
		json_pre(key);
		fprintf(out(), "\"0x%llx\"", (unsigned long long)v);
	} else if (want_text(t, fmt)) {
		fprintf(out(), fmt, (unsigned long long)v);
	}
}

void print_string(enum output_type t, const char *key, const char *fmt, const char *s)
{
	if (want_json(t)) {
		json_pre(key);
		json_str(s);
	} else if (want_text(t, fmt)) {
		fprintf(out(), fmt, s);
	}
}

void print_flag(enum output_type t, const char *key, const char *text, int v)
{
	if (want_json(t)) {
		json_pre(key);
		fputs(v ? "true" : "false", out());
	} else if (want_text(t, text) && v) {
		fputs(text, out());
	}
}

void print_fields(enum output_type t, const char *key, const char *fmt,
		  const struct iopgt_field *f, unsigned int n)
{
	char buf[IOPGT_MAX_FIELDS * 400 + 2];

	if (want_json(t)) {
		json_pre(key);
		fwrite(buf, 1, (size_t)(json_fields(buf, f, n < IOPGT_MAX_FIELDS ? n : IOPGT_MAX_FIELDS) - buf), out());
	} else if (want_text(t, fmt)) {
		fprintf(out(), fmt, iopgt_fields_str(f, n, buf, sizeof(buf)));
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (o.json)
		return;
	va_start(ap, fmt);
	vfprintf(out(), fmt, ap);
	va_end(ap);
}
