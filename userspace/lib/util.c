// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: errors, names, argument parsers, the script tokenizer and the
 * streaming helpers behind "dump --format ranges|tree".
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iopgt.h"

int iopgt_err_set(struct iopgt_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code > 0)
		code = -code;
	if (!err)
		return code;
	err->code = code;
	err->dump_intr = 0;
	err->from_kernel = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *iopgt_errno_name(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENXIO: return "ENXIO";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTO: return "EPROTO";
	case ENOBUFS: return "ENOBUFS";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOSYS: return "ENOSYS";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
	}
	return "E?";
}

/* ------------------------------------------------------------------ names */

static const char *const fmt_names[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_ARM_32_LPAE_S1] = "ARM_32_LPAE_S1",
	[IOPGT_FMT_ARM_32_LPAE_S2] = "ARM_32_LPAE_S2",
	[IOPGT_FMT_ARM_64_LPAE_S1] = "ARM_64_LPAE_S1",
	[IOPGT_FMT_ARM_64_LPAE_S2] = "ARM_64_LPAE_S2",
	[IOPGT_FMT_ARM_V7S] = "ARM_V7S",
	[IOPGT_FMT_ARM_MALI_LPAE] = "ARM_MALI_LPAE",
	[IOPGT_FMT_APPLE_DART] = "APPLE_DART",
	[IOPGT_FMT_APPLE_DART2] = "APPLE_DART2",
	[IOPGT_FMT_AMD_IOMMU_V1] = "AMD_IOMMU_V1",
	[IOPGT_FMT_AMD_IOMMU_V2] = "AMD_IOMMU_V2",
	[IOPGT_FMT_PT_AMDV1] = "PT_AMDV1",
	[IOPGT_FMT_PT_VTDSS] = "PT_VTDSS",
	[IOPGT_FMT_PT_X86_64] = "PT_X86_64",
	[IOPGT_FMT_PT_RISCV64] = "PT_RISCV64",
};

const char *iopgt_format_name(uint32_t format)
{
	if (format >= IOPGT_FMT_COUNT)
		return NULL;
	return fmt_names[format];
}

int iopgt_format_from_name(const char *name)
{
	int i;

	for (i = 1; i < IOPGT_FMT_COUNT; i++)
		if (fmt_names[i] && !strcasecmp(name, fmt_names[i]))
			return i;
	/* accept the names without the "PT_" prefix and short aliases */
	for (i = 1; i < IOPGT_FMT_COUNT; i++)
		if (fmt_names[i] && !strncmp(fmt_names[i], "PT_", 3) &&
		    !strcasecmp(name, fmt_names[i] + 3))
			return i;
	return -1;
}

const char *iopgt_kind_name(uint32_t kind)
{
	switch (kind) {
	case IOPGT_PTE_INVALID: return "invalid";
	case IOPGT_PTE_TABLE: return "table";
	case IOPGT_PTE_BLOCK: return "block";
	case IOPGT_PTE_PAGE: return "page";
	}
	return "unknown";
}

const char *iopgt_unavail_str(uint32_t reason)
{
	switch (reason) {
	case IOPGT_UNAVAIL_NONE: return "available";
	case IOPGT_UNAVAIL_NOT_BUILT: return "not built into this kernel";
	case IOPGT_UNAVAIL_UNSAFE: return "exists but cannot be used standalone";
	case IOPGT_UNAVAIL_NO_BACKEND: return "no io-pgtable/generic_pt backend in this kernel";
	case IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL: return "this kernel has no such format";
	}
	return "unknown reason";
}

const char *iopgt_reason_str(uint32_t reason)
{
	switch (reason) {
	case IOPGT_REASON_NONE: return "no reason given";
	case IOPGT_REASON_RESERVED: return "a reserved field is not 0";
	case IOPGT_REASON_LENGTH_ZERO: return "the length is 0";
	case IOPGT_REASON_PROT_NO_RW: return "prot has neither r nor w";
	case IOPGT_REASON_PROT_UNKNOWN: return "prot has unknown bits";
	case IOPGT_REASON_PGSIZE_UNKNOWN: return "the page size is not one of the address space's";
	case IOPGT_REASON_IOVA_MISALIGNED: return "the IOVA is not a multiple of the page size";
	case IOPGT_REASON_PADDR_MISALIGNED: return "the PADDR is not a multiple of the page size";
	case IOPGT_REASON_LENGTH_MISALIGNED: return "the length is not a multiple of the page size";
	case IOPGT_REASON_IOVA_BELOW_WINDOW: return "the IOVA is below the TTBR1 input window";
	case IOPGT_REASON_IOVA_BEYOND_IAS: return "the IOVA range ends beyond the input range (ias)";
	case IOPGT_REASON_PADDR_BEYOND_OAS: return "the output range ends beyond the output range (oas)";
	case IOPGT_REASON_OVERLAP: return "overlaps an existing mapping";
	case IOPGT_REASON_HOLE: return "part of the range is not mapped";
	case IOPGT_REASON_PARTIAL_BLOCK: return "an end of the range cuts a larger leaf";
	case IOPGT_REASON_AS_TABLE_CAP: return "the per-address-space page-table memory cap is reached";
	case IOPGT_REASON_DEV_TABLE_CAP: return "the per-device page-table memory cap is reached";
	case IOPGT_REASON_NOMEM: return "the kernel is out of memory";
	case IOPGT_REASON_INTERRUPTED: return "interrupted by a fatal signal";
	case IOPGT_REASON_FLAGS_UNKNOWN: return "unknown flags";
	case IOPGT_REASON_FORMAT_UNKNOWN: return "unknown format id";
	case IOPGT_REASON_FORMAT_UNAVAILABLE: return "the format is not available on this kernel";
	case IOPGT_REASON_NONCOHERENT_UNSUPPORTED: return "non-coherent table walks are not supported";
	case IOPGT_REASON_QUIRK_UNSUPPORTED: return "a quirk the format does not accept";
	case IOPGT_REASON_QUIRK_COMBINATION: return "a quirk needs another quirk or a non-coherent walk";
	case IOPGT_REASON_LEVELS: return "the level count is not accepted";
	case IOPGT_REASON_IAS_RANGE: return "ias is outside the format's range";
	case IOPGT_REASON_OAS_RANGE: return "oas is outside the format's range";
	case IOPGT_REASON_PGSIZES: return "the page sizes are not one of the format's sets";
	case IOPGT_REASON_OAS_NOT_IN_SET: return "oas is not one of the values the format accepts";
	case IOPGT_REASON_IAS_ABOVE_OAS: return "the format needs ias <= oas";
	case IOPGT_REASON_NEEDS_MTK_EXT: return "ias/oas above 32 need the mtk_ext quirk";
	case IOPGT_REASON_IAS_FOR_GRANULE: return "ias is too large for the granule";
	case IOPGT_REASON_PGSIZES_ABOVE_IAS: return "every page size is at least 2^ias";
	case IOPGT_REASON_AS_CAP: return "the device has max_as_per_device address spaces";
	case IOPGT_REASON_ONE_AT_A_TIME: return "this kernel allows one such address space at a time";
	case IOPGT_REASON_LIBRARY_REFUSED: return "the kernel's page-table library refused";
	case IOPGT_REASON_AS_BROKEN: return "the address space is broken: its page-table library once disagreed with the module (the kernel log says how); destroy it";
	}
	return "unknown reason";
}

static const char *const quirk_names[64] = {
	[0] = "ns", [1] = "no_perms", [3] = "mtk_ext", [4] = "mtk_ttbr_ext",
	[5] = "ttbr1", [6] = "outer_wbwa", [7] = "hd", [8] = "s2fwb",
};

const char *iopgt_quirk_name(unsigned int bit)
{
	return bit < 64 ? quirk_names[bit] : NULL;
}

/* ------------------------------------------------------------------ parsers */

int iopgt_parse_u64(const char *s, uint64_t *out)
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

int iopgt_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int ret = iopgt_parse_u64(s, &v);

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

int iopgt_parse_prot(const char *s, uint32_t *prot, char *bad, size_t badlen)
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
		if (iopgt_parse_u64(s, &num) || num > UINT32_MAX) {
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

int iopgt_parse_range(const char *s, uint64_t *start, uint64_t *end_incl)
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
		if (iopgt_parse_u64(buf, &a))
			return -EINVAL;
		*start = *end_incl = a;
		return 0;
	}
	*sep = 0;
	if (iopgt_parse_u64(buf, &a) || iopgt_parse_u64(sep + 1, &b))
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

int iopgt_parse_pgsizes(const char *s, uint64_t *bitmap)
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

		if (iopgt_parse_u64(tok, &v) || !v || (v & (v - 1)))
			return -EINVAL;
		bm |= v;
	}
	if (!bm)
		return -EINVAL;
	*bitmap = bm;
	return 0;
}

int iopgt_parse_quirks(const char *s, uint64_t *quirks, char *bad, size_t badlen)
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
			const char *nm = quirk_names[i];

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
				if (!iopgt_parse_u64(tmp, &v)) {
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

char *iopgt_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	uint64_t v = bytes;

	while (v && !(v & 1023) && u < 5) {
		v >>= 10;
		u++;
	}
	if (!bytes)
		snprintf(buf, len, "0");
	else if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v < 1024 || u == 5)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else {
		/* 8T+4K rather than 8589934596K: one term per unit, largest first */
		size_t off = 0;
		int k;

		buf[0] = 0;
		for (k = 5; k >= 0 && off < len; k--) {
			uint64_t part = (bytes >> (10 * (k + 1))) & 1023;
			int w;

			if (k == 5)
				part = bytes >> 60;
			if (!part)
				continue;
			w = snprintf(buf + off, len - off, "%s%llu%c", off ? "+" : "",
				     (unsigned long long)part, units[k]);
			if (w < 0)
				break;
			off += (size_t)w;
		}
	}
	return buf;
}

char *iopgt_prot_str(uint32_t prot, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s",
		 prot & IOPGT_PROT_READ ? "r" : "-",
		 prot & IOPGT_PROT_WRITE ? "w" : "-",
		 prot & IOPGT_PROT_NOEXEC ? " nx" : "",
		 prot & IOPGT_PROT_CACHE ? " cache" : "",
		 prot & IOPGT_PROT_MMIO ? " mmio" : "",
		 prot & IOPGT_PROT_PRIV ? " priv" : "");
	return buf;
}

char *iopgt_pgsizes_str(uint64_t bitmap, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	if (!bitmap) {
		snprintf(buf, len, "-");
		return buf;
	}
	/* runs of three or more consecutive sizes print as "A-B" */
	while (i < 64 && off < len) {
		unsigned int j = i;
		char a[24], b[24];
		int w;

		if (!(bitmap & (1ULL << i))) {
			i++;
			continue;
		}
		while (j + 1 < 64 && (bitmap & (1ULL << (j + 1))))
			j++;
		iopgt_size_str(1ULL << i, a, sizeof(a));
		iopgt_size_str(1ULL << j, b, sizeof(b));
		if (j - i >= 2)
			w = snprintf(buf + off, len - off, "%s%s-%s", off ? "," : "", a, b);
		else if (j > i)
			w = snprintf(buf + off, len - off, "%s%s,%s", off ? "," : "", a, b);
		else
			w = snprintf(buf + off, len - off, "%s%s", off ? "," : "", a);
		if (w < 0)
			break;
		off += (size_t)w;
		i = j + 1;
	}
	return buf;
}

char *iopgt_quirks_str(uint64_t quirks, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < 64 && off < len; i++) {
		if (!(quirks & (1ULL << i)))
			continue;
		if (quirk_names[i])
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", quirk_names[i]);
		else
			off += snprintf(buf + off, len - off, "%sbit%u",
					off ? "," : "", i);
	}
	if (!quirks)
		snprintf(buf, len, "-");
	return buf;
}

/* ------------------------------------------------------------------ tokenizer */

int iopgt_tokenize(char *line, char **argv, int max)
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

/* ------------------------------------------------------------------ coalescer */

void iopgt_coalescer_init(struct iopgt_coalescer *c,
			  void (*emit)(const struct iopgt_range *r, void *arg),
			  void *arg)
{
	memset(c, 0, sizeof(*c));
	c->emit = emit;
	c->arg = arg;
}

void iopgt_coalescer_flush(struct iopgt_coalescer *c)
{
	if (c->active) {
		c->emit(&c->cur, c->arg);
		c->runs++;
	}
	c->active = 0;
}

void iopgt_coalescer_feed(struct iopgt_coalescer *c, uint64_t iova,
			  uint32_t span_log2, uint32_t level, uint64_t oa,
			  const char *key)
{
	uint64_t size = span_log2 >= 64 ? 0 : 1ULL << span_log2;
	struct iopgt_range *r = &c->cur;

	if (c->active && r->span_log2 == span_log2 && r->level == level &&
	    r->end == iova && r->end != 0 &&
	    r->oa + (r->end - r->iova) == oa && !strcmp(r->key, key)) {
		r->end += size;
		r->count++;
		return;
	}
	iopgt_coalescer_flush(c);
	c->active = 1;
	r->iova = iova;
	r->end = iova + size;
	r->oa = oa;
	r->span_log2 = span_log2;
	r->level = level;
	r->count = 1;
	snprintf(r->key, sizeof(r->key), "%s", key);
}

/* ------------------------------------------------------------------ tree gaps */

#define UNSET UINT64_MAX

void iopgt_treegap_init(struct iopgt_treegap *t, const int *slot_span,
			const uint64_t *entries, int edges,
			void (*gap)(int depth, uint64_t first, uint64_t count,
				    void *arg),
			void *arg)
{
	int i;

	memset(t, 0, sizeof(*t));
	t->edges = edges;
	t->depth = -1;
	t->gap = gap;
	t->arg = arg;
	for (i = 0; i < IOPGT_TREE_MAX_DEPTH; i++) {
		t->slot[i] = slot_span ? slot_span[i] : -1;
		t->fixed[i] = t->slot[i] >= 0;
		t->entries[i] = entries ? entries[i] : 0;
	}
}

static uint64_t treegap_entries(const struct iopgt_treegap *t, int d)
{
	if (t->entries[d])
		return t->entries[d];
	if (d > 0 && t->slot[d] >= 0 && t->slot[d - 1] > t->slot[d] &&
	    t->slot[d - 1] - t->slot[d] < 64)
		return 1ULL << (t->slot[d - 1] - t->slot[d]);
	return 0;
}

static void treegap_open(struct iopgt_treegap *t, int d)
{
	t->depth = d;
	t->next[d] = t->edges ? 0 : UNSET;
}

/* Close the table open at depth @d (report its trailing gap). */
static void treegap_close(struct iopgt_treegap *t, int d)
{
	uint64_t n = treegap_entries(t, d);

	if (t->edges && n && t->next[d] != UNSET && t->next[d] < n)
		t->gap(d, t->next[d], n - t->next[d], t->arg);
}

void iopgt_treegap_feed(struct iopgt_treegap *t, uint32_t depth, uint64_t index,
			uint32_t span_log2, int is_table)
{
	int d = (int)depth;
	uint64_t slots = 1;

	if (d >= IOPGT_TREE_MAX_DEPTH)
		return;
	while (t->depth > d) {
		treegap_close(t, t->depth);
		t->depth--;
	}
	while (t->depth < d)
		treegap_open(t, t->depth + 1);
	if (!t->fixed[d] && (t->slot[d] < 0 || (int)span_log2 < t->slot[d]))
		t->slot[d] = (int)span_log2;
	if (t->slot[d] >= 0 && (int)span_log2 > t->slot[d] &&
	    (int)span_log2 - t->slot[d] < 64)
		slots = 1ULL << ((int)span_log2 - t->slot[d]);
	if (t->next[d] == UNSET)
		t->next[d] = index;	/* first entry of a filtered table */
	if (index > t->next[d])
		t->gap(d, t->next[d], index - t->next[d], t->arg);
	t->next[d] = index + slots;
	if (is_table && d + 1 < IOPGT_TREE_MAX_DEPTH)
		treegap_open(t, d + 1);
}

void iopgt_treegap_finish(struct iopgt_treegap *t)
{
	while (t->depth >= 0) {
		treegap_close(t, t->depth);
		t->depth--;
	}
}

unsigned int iopgt_tree_geometry(const struct iopgt_hw_cfg *hw, int *slot_span,
				 uint64_t *entries, unsigned int max)
{
	unsigned int levels = hw->levels, d, g, bpl;
	int top_bits;

	if (!levels || levels > max)
		return 0;
	g = hw->pgsize_bitmap ? (unsigned int)__builtin_ctzll(hw->pgsize_bitmap) : 12;
	switch (hw->format) {
	case IOPGT_FMT_ARM_V7S:
		if (levels != 2)
			return 0;
		slot_span[0] = 20;
		slot_span[1] = 12;
		entries[1] = 256;
		break;
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
	case IOPGT_FMT_PT_RISCV64:
		g = 12;
		/* fall through */
	default:
		if (g < 4)
			return 0;
		bpl = g - 3;
		for (d = 0; d < levels; d++) {
			slot_span[d] = (int)(g + bpl * (levels - 1 - d));
			entries[d] = 1ULL << bpl;
		}
		break;
	}
	top_bits = (int)hw->ias - slot_span[0];
	if (top_bits < 0)
		top_bits = 0;
	if (top_bits > 20)
		top_bits = 20;
	entries[0] = 1ULL << top_bits;
	if (hw->format != IOPGT_FMT_ARM_V7S && hw->format != IOPGT_FMT_ARM_64_LPAE_S2 &&
	    hw->format != IOPGT_FMT_ARM_32_LPAE_S2 && levels > 1 &&
	    entries[0] > entries[1])
		entries[0] = entries[1];
	for (d = levels; d < max; d++) {
		slot_span[d] = -1;
		entries[d] = 0;
	}
	return levels;
}

char *iopgt_bits_str(uint64_t set, char *buf, size_t len)
{
	size_t off = 0;
	int b;

	if (!len)
		return buf;
	buf[0] = 0;
	for (b = 0; b < 64 && off < len; b++)
		if (set & (1ULL << b)) {
			int w = snprintf(buf + off, len - off, "%s%d", off ? "," : "", b);

			if (w < 0)
				break;
			off += (size_t)w;
		}
	return buf;
}

const char *iopgt_create_err_str(const struct iopgt_as_create *req, int code,
				 const struct iopgt_get_info *gi,
				 const struct iopgt_format_info *fi, char *buf,
				 size_t len)
{
	static const struct iopgt_format_info none;
	const char *n = iopgt_errno_name(code);
	char a[160], b[160];
	uint32_t ias, oas;
	unsigned int k;

	if (!fi)
		fi = &none;
	ias = req->ias ? req->ias : fi->ias_default;
	oas = req->oas ? req->oas : fi->oas_default;
	switch (req->out_reason) {
	case IOPGT_REASON_FORMAT_UNKNOWN:
		snprintf(buf, len, "unknown format id %u: this module knows ids 1-%u (see 'iopgt formats') (%s)",
			 req->format, gi ? gi->n_formats : IOPGT_FMT_COUNT - 1, n);
		return buf;
	case IOPGT_REASON_FORMAT_UNAVAILABLE:
		snprintf(buf, len, "this format is not available on this kernel: %s (%s); see 'iopgt formats'",
			 fi != &none ? iopgt_unavail_str(fi->unavail_reason) : "unknown why", n);
		return buf;
	case IOPGT_REASON_NONCOHERENT_UNSUPPORTED:
		if (fi->flags & IOPGT_FMT_F_NONCOHERENT)
			snprintf(buf, len, "--noncoherent: non-coherent table walks are not possible on this device (its DMA pre-flight failed) (%s)",
				 n);
		else
			snprintf(buf, len, "--noncoherent: this format does not support non-coherent table walks; drop --noncoherent (%s)",
				 n);
		return buf;
	case IOPGT_REASON_QUIRK_UNSUPPORTED:
		snprintf(buf, len, "quirks %s: this format accepts only %s (%s)",
			 iopgt_quirks_str(req->quirks, a, sizeof(a)),
			 fi->quirks ? iopgt_quirks_str(fi->quirks, b, sizeof(b)) : "none", n);
		return buf;
	case IOPGT_REASON_QUIRK_COMBINATION:
		snprintf(buf, len, "quirks %s: outer_wbwa needs --noncoherent, mtk_ext needs no_perms, mtk_ttbr_ext needs mtk_ext (%s)",
			 iopgt_quirks_str(req->quirks, a, sizeof(a)), n);
		return buf;
	case IOPGT_REASON_LEVELS:
		if (fi != &none && !fi->levels_max)
			snprintf(buf, len, "--levels %u: io-pgtable formats take no level count (%s)",
				 req->levels, n);
		else
			snprintf(buf, len, "--levels %u with ias %u: this format takes %u-%u levels and each level count covers only some ias values (%s)",
				 req->levels, ias, fi->levels_min, fi->levels_max, n);
		return buf;
	case IOPGT_REASON_IAS_RANGE:
		snprintf(buf, len, "ias %u is outside this format's range %u-%u (%s)", ias,
			 fi->ias_min, fi->ias_max, n);
		return buf;
	case IOPGT_REASON_OAS_RANGE:
		snprintf(buf, len, "oas %u is outside this format's range %u-%u (%s)", oas,
			 fi->oas_min, fi->oas_max, n);
		return buf;
	case IOPGT_REASON_PGSIZES:
		iopgt_pgsizes_str(req->pgsize_bitmap, a, sizeof(a));
		b[0] = 0;
		for (k = 0; k < fi->n_pgsize_sets && k < IOPGT_MAX_PGSIZE_SETS; k++) {
			char one[64];
			size_t l = strlen(b);

			iopgt_pgsizes_str(fi->pgsize_sets[k], one, sizeof(one));
			snprintf(b + l, sizeof(b) - l, "%s%s", k ? " | " : "", one);
		}
		snprintf(buf, len, "page sizes %s: want a subset of one of %s that contains its smallest size (%s)",
			 a, b[0] ? b : "the format's sets", n);
		return buf;
	case IOPGT_REASON_OAS_NOT_IN_SET:
		snprintf(buf, len, "oas %u: this format accepts oas %s only%s (%s)", oas,
			 iopgt_bits_str(fi->oas_set, a, sizeof(a)),
			 fi->rules & IOPGT_FMT_RULE_CLAMP_48 ?
			 " (above 48 clamped to 48 unless the granule is 64K)" : "", n);
		return buf;
	case IOPGT_REASON_IAS_ABOVE_OAS:
		snprintf(buf, len, "ias %u > oas %u: this format needs ias <= oas (%s)", ias, oas, n);
		return buf;
	case IOPGT_REASON_NEEDS_MTK_EXT:
		snprintf(buf, len, "ias %u / oas %u: above 32 bits need --quirks mtk_ext,no_perms (%s)",
			 ias, oas, n);
		return buf;
	case IOPGT_REASON_IAS_FOR_GRANULE:
		snprintf(buf, len, "ias %u is too large for the smallest page size %s (%s)", ias,
			 iopgt_size_str(req->pgsize_bitmap & -req->pgsize_bitmap, a, sizeof(a)), n);
		return buf;
	case IOPGT_REASON_PGSIZES_ABOVE_IAS:
		snprintf(buf, len, "every page size is at least 2^ias (ias %u): nothing could be mapped (%s)",
			 ias, n);
		return buf;
	case IOPGT_REASON_AS_CAP:
		if (gi)
			snprintf(buf, len, "the device already has max_as_per_device = %u address spaces (%s)",
				 gi->max_as_per_device, n);
		else
			snprintf(buf, len, "the device already has max_as_per_device address spaces (%s)", n);
		return buf;
	case IOPGT_REASON_AS_TABLE_CAP:
		snprintf(buf, len, "the top table alone exceeds the per-address-space page-table cap max_table_bytes_per_as = %s (%s)",
			 gi ? iopgt_size_str(gi->max_table_bytes_per_as, a, sizeof(a)) : "?", n);
		return buf;
	case IOPGT_REASON_DEV_TABLE_CAP:
		snprintf(buf, len, "the device's page-table memory cap max_table_bytes = %s is reached (%s in use) (%s)",
			 gi ? iopgt_size_str(gi->max_table_bytes, a, sizeof(a)) : "?",
			 gi ? iopgt_size_str(gi->table_bytes, b, sizeof(b)) : "?", n);
		return buf;
	case IOPGT_REASON_ONE_AT_A_TIME:
		snprintf(buf, len, "this kernel allows one live address space of this format at a time (%s)",
			 n);
		return buf;
	case IOPGT_REASON_NOMEM:
		snprintf(buf, len, "the kernel is out of memory (%s)", n);
		return buf;
	case IOPGT_REASON_LIBRARY_REFUSED:
		snprintf(buf, len, "the kernel's page-table library refused this configuration (%s)", n);
		return buf;
	case IOPGT_REASON_NONE:
		break;
	default:
		snprintf(buf, len, "%s (reason %u) (%s)", iopgt_reason_str(req->out_reason),
			 req->out_reason, n);
		return buf;
	}
	/* a kernel without out_reason: the errno alone */
	switch (-code) {
	case EOPNOTSUPP:
		snprintf(buf, len, "this format or --noncoherent is not available on this kernel (EOPNOTSUPP); see 'iopgt formats'");
		return buf;
	case EINVAL:
		snprintf(buf, len, "the kernel rejected this configuration (EINVAL); see 'iopgt formats'");
		return buf;
	case ENOSPC:
		snprintf(buf, len, "a cap was reached: max_as_per_device or page-table memory (ENOSPC)");
		return buf;
	case ENOMEM:
		snprintf(buf, len, "the kernel is out of memory (ENOMEM)");
		return buf;
	}
	return NULL;
}

const char *iopgt_entry_err_str(uint32_t reason, uint64_t iova, uint64_t paddr,
				uint64_t length, uint32_t prot, uint32_t pgsize_log2,
				const struct iopgt_hw_cfg *hw,
				const struct iopgt_get_info *gi, char *buf,
				size_t len)
{
	static const struct iopgt_hw_cfg nohw;
	char sz[48], bm[128], sz2[48];
	uint64_t pg;

	if (!hw)
		hw = &nohw;
	pg = pgsize_log2 && pgsize_log2 < 64 ? 1ULL << pgsize_log2 :
	     hw->pgsize_bitmap & -hw->pgsize_bitmap;
	iopgt_size_str(pg, sz, sizeof(sz));
	switch (reason) {
	case IOPGT_REASON_NONE:
		return NULL;
	case IOPGT_REASON_PROT_UNKNOWN:
		snprintf(buf, len, "unknown prot bits 0x%x", prot & ~IOPGT_PROT_ALL);
		return buf;
	case IOPGT_REASON_PGSIZE_UNKNOWN:
		snprintf(buf, len, "page size 2^%u is not one of this address space's (%s)",
			 pgsize_log2, iopgt_pgsizes_str(hw->pgsize_bitmap, bm, sizeof(bm)));
		return buf;
	case IOPGT_REASON_IOVA_MISALIGNED:
	case IOPGT_REASON_PADDR_MISALIGNED:
	case IOPGT_REASON_LENGTH_MISALIGNED: {
		int r = reason == IOPGT_REASON_IOVA_MISALIGNED;
		int p = reason == IOPGT_REASON_PADDR_MISALIGNED;

		snprintf(buf, len, "%s 0x%llx is not a multiple of the %s page size %s",
			 r ? "IOVA" : p ? "PADDR" : "length",
			 (unsigned long long)(r ? iova : p ? paddr : length),
			 pgsize_log2 ? "forced" : "smallest", sz);
		return buf;
	}
	case IOPGT_REASON_IOVA_BELOW_WINDOW:
		snprintf(buf, len, "IOVA 0x%llx is below the TTBR1 input window 0x%llx-0xffffffffffffffff (the top 2^%u bytes)",
			 (unsigned long long)iova,
			 hw->ias < 64 ? (unsigned long long)(~0ULL << hw->ias) : 0ULL, hw->ias);
		return buf;
	case IOPGT_REASON_IOVA_BEYOND_IAS:
		snprintf(buf, len, "the IOVA range 0x%llx+0x%llx ends beyond the %u-bit input range (ias)",
			 (unsigned long long)iova, (unsigned long long)length, hw->ias);
		return buf;
	case IOPGT_REASON_PADDR_BEYOND_OAS:
		snprintf(buf, len, "the output range 0x%llx+0x%llx ends beyond the %u-bit output range (oas)",
			 (unsigned long long)paddr, (unsigned long long)length, hw->oas);
		return buf;
	case IOPGT_REASON_AS_TABLE_CAP:
		if (!gi)
			break;
		snprintf(buf, len, "the page tables would exceed the per-address-space cap max_table_bytes_per_as = %s",
			 iopgt_size_str(gi->max_table_bytes_per_as, sz2, sizeof(sz2)));
		return buf;
	case IOPGT_REASON_DEV_TABLE_CAP:
		if (!gi)
			break;
		snprintf(buf, len, "the page tables would exceed the device's cap max_table_bytes = %s (%s in use)",
			 iopgt_size_str(gi->max_table_bytes, sz2, sizeof(sz2)),
			 iopgt_size_str(gi->table_bytes, bm, sizeof(bm)));
		return buf;
	}
	snprintf(buf, len, "%s", iopgt_reason_str(reason));
	return buf;
}
