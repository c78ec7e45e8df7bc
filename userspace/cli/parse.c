// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: argument parsers and the script tokenizer
 * (CLI internals: not part of libiopgt).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* ------------------------------------------------------------------ parsers */

int parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10, shift = 0, ndig = 0;
	unsigned __int128 v = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	}
	for (; *p; p++) {
		unsigned int d;

		if (*p == '_' && ndig)
			continue;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isxdigit((unsigned char)*p) && base == 16)
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			return -EINVAL;
		v = v * base + d;
		if (v > UINT64_MAX)
			return -ERANGE;
		ndig++;
	}
	if (!ndig)
		return -EINVAL;
	if (*p) {
		switch (toupper((unsigned char)*p)) {
		case 'K': shift = 10; break;
		case 'M': shift = 20; break;
		case 'G': shift = 30; break;
		case 'T': shift = 40; break;
		case 'P': shift = 50; break;
		case 'E': shift = 60; break;
		default: return -EINVAL;
		}
		p++;
		if (*p == 'i' && (p[1] == 'B' || p[1] == 'b'))
			p += 2;
		else if (*p == 'B' || *p == 'b')
			p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p)
			return -EINVAL;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*out = (uint64_t)v;
	return 0;
}

int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int ret = parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static void set_bad(char *bad, size_t badlen, const char *tok, size_t n)
{
	if (!bad || !badlen)
		return;
	if (n >= badlen)
		n = badlen - 1;
	memcpy(bad, tok, n);
	bad[n] = 0;
}

int parse_prot(const char *s, uint32_t *prot, char *bad, size_t badlen)
{
	static const struct { const char *name; uint32_t bit; } words[] = {
		{ "r", IOPGT_PROT_READ }, { "read", IOPGT_PROT_READ },
		{ "w", IOPGT_PROT_WRITE }, { "write", IOPGT_PROT_WRITE },
		{ "nx", IOPGT_PROT_NOEXEC }, { "noexec", IOPGT_PROT_NOEXEC },
		{ "cache", IOPGT_PROT_CACHE }, { "c", IOPGT_PROT_CACHE },
		{ "mmio", IOPGT_PROT_MMIO }, { "priv", IOPGT_PROT_PRIV },
		{ "x", 0 }, { "exec", 0 },
	};
	uint32_t p = 0;
	int exec = 0;
	const char *t = s;
	uint64_t num;

	if (!s || !*s) {
		set_bad(bad, badlen, "empty", 5);
		return -EINVAL;
	}
	if (isdigit((unsigned char)*s)) {
		if (parse_u64(s, &num) || num > UINT32_MAX) {
			set_bad(bad, badlen, s, strlen(s));
			return -EINVAL;
		}
		*prot = (uint32_t)num;
		return 0;
	}
	while (*t) {
		size_t n = strcspn(t, ",+ \t|");
		size_t i;
		int found = 0;

		if (!n) {
			t++;
			continue;
		}
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strlen(words[i].name) == n &&
			    !strncasecmp(t, words[i].name, n)) {
				p |= words[i].bit;
				if (!words[i].bit)
					exec = 1;
				found = 1;
				break;
			}
		}
		if (!found) {
			/* letters form: only r, w, x */
			size_t j;

			for (j = 0; j < n; j++) {
				char c = tolower((unsigned char)t[j]);

				if (c == 'r')
					p |= IOPGT_PROT_READ;
				else if (c == 'w')
					p |= IOPGT_PROT_WRITE;
				else if (c == 'x')
					exec = 1;
				else
					break;
			}
			if (j != n) {
				set_bad(bad, badlen, t, n);
				return -EINVAL;
			}
		}
		t += n;
	}
	if (exec && (p & IOPGT_PROT_NOEXEC)) {
		set_bad(bad, badlen, "x and nx together", 17);
		return -EINVAL;
	}
	*prot = p;
	return 0;
}

int parse_range(const char *s, uint64_t *start, uint64_t *end_incl)
{
	char buf[128];
	char *sep;
	uint64_t a, b;
	int plus;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	sep = strchr(buf, '+');
	plus = sep != NULL;
	if (!sep)
		sep = strchr(buf, '-');
	if (!sep) {
		if (parse_u64(buf, &a))
			return -EINVAL;
		*start = *end_incl = a;
		return 0;
	}
	*sep = 0;
	if (parse_u64(buf, &a) || parse_u64(sep + 1, &b))
		return -EINVAL;
	if (plus) {
		if (!b || b - 1 > UINT64_MAX - a)
			return -ERANGE;
		b = a + b - 1;
	}
	if (b < a)
		return -ERANGE;
	*start = a;
	*end_incl = b;
	return 0;
}

int parse_pgsizes(const char *s, uint64_t *bitmap)
{
	char buf[256];
	char *tok, *save = NULL;
	uint64_t bm = 0;

	if (!s || !*s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",|+ ", &save); tok;
	     tok = strtok_r(NULL, ",|+ ", &save)) {
		uint64_t v;

		if (parse_u64(tok, &v) || !v || (v & (v - 1)))
			return -EINVAL;
		bm |= v;
	}
	if (!bm)
		return -EINVAL;
	*bitmap = bm;
	return 0;
}

int parse_quirks(const char *s, uint64_t *quirks, char *bad, size_t badlen)
{
	uint64_t q = 0;
	const char *t = s;

	if (!s)
		return -EINVAL;
	while (*t) {
		size_t n = strcspn(t, ",+ |");
		unsigned int i;
		int found = 0;

		if (!n) {
			t++;
			continue;
		}
		for (i = 0; i < 64; i++) {
			const char *nm = iopgt_quirk_name(i);

			if (nm && strlen(nm) == n && !strncasecmp(t, nm, n)) {
				q |= 1ULL << i;
				found = 1;
				break;
			}
		}
		if (!found) {
			uint64_t v;
			char tmp[32];

			if (n < sizeof(tmp)) {
				memcpy(tmp, t, n);
				tmp[n] = 0;
				if (!parse_u64(tmp, &v)) {
					q |= v;
					found = 1;
				}
			}
		}
		if (!found) {
			set_bad(bad, badlen, t, n);
			return -EINVAL;
		}
		t += n;
	}
	*quirks = q;
	return 0;
}

/* ------------------------------------------------------------------ tokenizer */

int tokenize(char *line, char **argv, int max)
{
	char *r = line, *w = line;
	int argc = 0;

	for (;;) {
		char quote = 0;
		char *start;

		while (*r && isspace((unsigned char)*r))
			r++;
		if (!*r || *r == '#')
			break;
		if (argc >= max)
			return -E2BIG;
		start = w;
		while (*r) {
			if (quote) {
				if (*r == quote) {
					quote = 0;
					r++;
					continue;
				}
				if (*r == '\\' && quote == '"' && r[1]) {
					r++;
					*w++ = *r++;
					continue;
				}
				*w++ = *r++;
				continue;
			}
			if (isspace((unsigned char)*r))
				break;
			if (*r == '\'' || *r == '"') {
				quote = *r++;
				continue;
			}
			if (*r == '\\' && r[1]) {
				r++;
				*w++ = *r++;
				continue;
			}
			*w++ = *r++;
		}
		if (quote)
			return -EINVAL;
		if (*r)
			r++;
		*w++ = 0;
		argv[argc++] = start;
	}
	return argc;
}

