// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: page-table descriptor decoders. Pure functions of (descriptor,
 * level, table context); no I/O. Bit layouts follow the architecture
 * documents and the kernel's drivers/iommu/io-pgtable-arm.c,
 * io-pgtable-arm-v7s.c, io-pgtable-dart.c and generic_pt/fmt/{amdv1,vtdss,
 * x86_64,riscv}.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libiopgt.h"

#define BIT64(n)	(1ULL << (n))
#define GENMASK64(h, l)	((~0ULL >> (63 - (h))) & ~((1ULL << (l)) - 1))
#define FIELD(v, h, l)	(((v) & GENMASK64(h, l)) >> (l))

static void add(struct iopgt_pte_info *o, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct iopgt_pte_info *o, const char *name, const char *fmt, ...)
{
	struct iopgt_field *f;
	va_list ap;

	if (o->nfields >= IOPGT_MAX_FIELDS)
		return;
	f = &o->f[o->nfields++];
	f->name = name;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

/* hot path of tree dumps: no formatting for flags */
static void flag(struct iopgt_pte_info *o, const char *name, int set)
{
	if (set && o->nfields < IOPGT_MAX_FIELDS) {
		o->f[o->nfields].name = name;
		o->f[o->nfields].value[0] = 0;
		o->nfields++;
	}
}

/* a field whose value is a constant string */
static void adds(struct iopgt_pte_info *o, const char *name, const char *v)
{
	if (o->nfields < IOPGT_MAX_FIELDS) {
		struct iopgt_field *f = &o->f[o->nfields++];
		size_t n = strlen(v);

		if (n >= sizeof(f->value))
			n = sizeof(f->value) - 1;
		f->name = name;
		memcpy(f->value, v, n);
		f->value[n] = 0;
	}
}

char *iopgt_fields_str(const struct iopgt_field *f, unsigned int n, char *buf,
		       size_t len)
{
	size_t off = 0;
	unsigned int i;

	if (!len)
		return buf;
	/* plain appends: this runs once per entry of a tree dump */
	for (i = 0; i < n; i++) {
		size_t ln = strlen(f[i].name), lv = strlen(f[i].value);
		size_t need = (off ? 1 : 0) + ln + (lv ? 1 + lv : 0);

		if (off + need >= len)
			break;
		if (off)
			buf[off++] = ' ';
		memcpy(buf + off, f[i].name, ln);
		off += ln;
		if (lv) {
			buf[off++] = '=';
			memcpy(buf + off, f[i].value, lv);
			off += lv;
		}
	}
	buf[off] = 0;
	return buf;
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void iopgt_fields_json(const struct iopgt_field *f, unsigned int n, FILE *out)
{
	unsigned int i;

	fputc('{', out);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_str(out, f[i].name);
		fputc(':', out);
		if (f[i].value[0])
			json_str(out, f[i].value);
		else
			fputs("true", out);
	}
	fputc('}', out);
}

/* ------------------------------------------------------------------ MAIR */

static const char *alloc_str(unsigned int h)
{
	switch (h & 3) {
	case 1: return "-WA";
	case 2: return "-RA";
	case 3: return "-RWA";
	}
	return "";
}

/* one 4-bit half of a Normal MAIR attribute */
static void mair_half(unsigned int h, char *buf, size_t len)
{
	if (h == 4)
		snprintf(buf, len, "NC");
	else if ((h >> 2) == 0)
		snprintf(buf, len, "WT-T%s", alloc_str(h));
	else if ((h >> 2) == 1)
		snprintf(buf, len, "WB-T%s", alloc_str(h));
	else if ((h >> 2) == 2)
		snprintf(buf, len, "WT%s", alloc_str(h));
	else
		snprintf(buf, len, "WB%s", alloc_str(h));
}

char *iopgt_mair_attr_str(uint8_t attr, char *buf, size_t len)
{
	unsigned int outer = attr >> 4, inner = attr & 0xf;
	char o[16], i[16];

	if (!outer) {
		static const char *const dev[4] = {
			"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE"
		};

		if (inner & 3)
			snprintf(buf, len, "reserved(0x%02x)", attr);
		else
			snprintf(buf, len, "%s", dev[inner >> 2]);
		return buf;
	}
	if (!inner) {
		snprintf(buf, len, "reserved(0x%02x)", attr);
		return buf;
	}
	mair_half(outer, o, sizeof(o));
	mair_half(inner, i, sizeof(i));
	if (outer == inner)
		snprintf(buf, len, "Normal %s", o);
	else
		snprintf(buf, len, "Normal I:%s O:%s", i, o);
	return buf;
}

/* Mali MEMATTR byte (AS_MEMATTR_AARCH64_* layout as in panthor/panfrost) */
static char *mali_attr_str(uint8_t a, char *buf, size_t len)
{
	static const char *const type[4] = { "shared", "NC", "WB", "fault" };
	static const char *const sh[4] = {
		"midgard-inner", "cpu-inner", "cpu-inner-shader-coh", "sh3"
	};
	unsigned int mode = (a >> 2) & 3;

	if (mode == 3)
		snprintf(buf, len, "%s alloc=%s%s sh=%s", type[a >> 6],
			 a & 2 ? "R" : "", a & 1 ? "W" : (a & 2 ? "" : "none"),
			 sh[(a >> 4) & 3]);
	else
		snprintf(buf, len, "%s alloc=%s sh=%s", type[a >> 6],
			 mode == 2 ? "impl" : "mode0", sh[(a >> 4) & 3]);
	return buf;
}

/* ------------------------------------------------------------------ LPAE */

static const char *const sh_names[4] = { "NS", "rsvd", "OS", "IS" };

static uint64_t lpae_oa(uint64_t pte, unsigned int g)
{
	uint64_t oa = pte & GENMASK64(47, g);

	if (g == 16)	/* 52-bit PA with 64K granule: PA[51:48] in bits 15:12 */
		oa |= FIELD(pte, 15, 12) << 48;
	return oa;
}

static void s2_memattr_str(unsigned int m, int fwb, char *buf, size_t len)
{
	static const char *const rgn[4] = { "rsvd", "NC", "WT", "WB" };
	static const char *const dev[4] = {
		"Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE"
	};

	if (fwb) {
		if (!(m & 4))
			snprintf(buf, len, "%s", dev[m & 3]);
		else if ((m & 3) == 2)
			snprintf(buf, len, "Normal-WB(FWB)");
		else if ((m & 3) == 1)
			snprintf(buf, len, "Normal-NC(FWB)");
		else if ((m & 3) == 3)
			snprintf(buf, len, "S1-attr(FWB)");
		else
			snprintf(buf, len, "rsvd(FWB)");
		return;
	}
	if (!(m >> 2))
		snprintf(buf, len, "%s", dev[m & 3]);
	else if ((m >> 2) == (m & 3))
		snprintf(buf, len, "Normal-%s", rgn[m & 3]);
	else
		snprintf(buf, len, "Normal I:%s O:%s", rgn[m & 3], rgn[m >> 2]);
}

static void decode_lpae(const struct iopgt_fmt_ctx *ctx, uint64_t pte,
			uint32_t level, struct iopgt_pte_info *o)
{
	unsigned int g = ctx->granule_log2 ? ctx->granule_log2 : 12;
	int s1 = ctx->format == IOPGT_FMT_ARM_64_LPAE_S1 ||
		 ctx->format == IOPGT_FMT_ARM_32_LPAE_S1;
	int mali = ctx->format == IOPGT_FMT_ARM_MALI_LPAE;
	unsigned int type = pte & 3;
	char buf[48];

	if (mali) {
		if (type == 1)
			o->kind = level == 3 ? IOPGT_PTE_PAGE : IOPGT_PTE_BLOCK;
		else if (type == 3 && level < 3)
			o->kind = IOPGT_PTE_TABLE;
		else
			o->kind = IOPGT_PTE_INVALID;
	} else if (!(type & 1)) {
		o->kind = IOPGT_PTE_INVALID;
	} else if (level >= 3) {
		o->kind = type == 3 ? IOPGT_PTE_PAGE : IOPGT_PTE_INVALID;
	} else {
		o->kind = type == 3 ? IOPGT_PTE_TABLE : IOPGT_PTE_BLOCK;
	}
	if (o->kind == IOPGT_PTE_INVALID) {
		if (pte)
			add(o, "type", "%u(reserved)", type);
		return;
	}
	o->oa = lpae_oa(pte, g);
	if (o->kind == IOPGT_PTE_TABLE) {
		if (s1) {
			flag(o, "NSTable", !!(pte & BIT64(63)));
			if (FIELD(pte, 62, 61))
				add(o, "APTable", "%u", (unsigned int)FIELD(pte, 62, 61));
			flag(o, "UXNTable", !!(pte & BIT64(60)));
			flag(o, "PXNTable", !!(pte & BIT64(59)));
		}
		return;
	}

	/* leaves */
	if (s1 || mali) {
		unsigned int idx = FIELD(pte, 4, 2);

		uint64_t attrs = s1 ? ctx->regs[2] : ctx->regs[1];
		uint32_t hi = (uint32_t)(attrs >> 32);

		/* S1 MAIR: the low 32 bits are reliable (sign-extension quirk) */
		if (ctx->have_regs && (!s1 || idx < 4 || (hi && hi != 0xffffffffU))) {
			uint8_t a = (uint8_t)(attrs >> (8 * idx));

			static __thread int cached = -1;
			static __thread char cbuf[64];
			int key = (s1 ? 0 : 256) + a;

			if (cached != key) {
				if (s1)
					iopgt_mair_attr_str(a, buf, sizeof(buf));
				else
					mali_attr_str(a, buf, sizeof(buf));
				snprintf(cbuf, sizeof(cbuf), "%u(%s)", idx, buf);
				cached = key;
			}
			/* the cached text starts with the index digit */
			cbuf[0] = (char)('0' + idx);
			adds(o, "AttrIndx", cbuf);
		} else {
			add(o, "AttrIndx", "%u", idx);
		}
		if (idx == 2)
			o->prot |= IOPGT_PROT_MMIO;
		else if (idx == 1)
			o->prot |= IOPGT_PROT_CACHE;
	}
	if (s1) {
		static const char *const ap[4] = { "rw-priv", "rw", "ro-priv", "ro" };
		unsigned int a = FIELD(pte, 7, 6);

		adds(o, "AP", ap[a]);
		o->prot |= IOPGT_PROT_READ;
		if (!(a & 2))
			o->prot |= IOPGT_PROT_WRITE;
		if (!(a & 1))
			o->prot |= IOPGT_PROT_PRIV;
	} else if (mali) {
		flag(o, "RD", !!(pte & BIT64(6)));
		flag(o, "WR", !!(pte & BIT64(7)));
		if (pte & BIT64(6))
			o->prot |= IOPGT_PROT_READ;
		if (pte & BIT64(7))
			o->prot |= IOPGT_PROT_WRITE;
	} else {
		static const char *const s2ap[4] = { "none", "r", "w", "rw" };
		unsigned int a = FIELD(pte, 7, 6);
		unsigned int m = FIELD(pte, 5, 2);
		int fwb = !!(ctx->quirks & IOPGT_QUIRK_ARM_S2FWB);

		s2_memattr_str(m, fwb, buf, sizeof(buf));
		add(o, "MemAttr", "0x%x(%s)", m, buf);
		adds(o, "S2AP", s2ap[a]);
		if (a & 1)
			o->prot |= IOPGT_PROT_READ;
		if (a & 2)
			o->prot |= IOPGT_PROT_WRITE;
		if (fwb ? (m & 4) == 0 : (m >> 2) == 0)
			o->prot |= IOPGT_PROT_MMIO;
		else if (fwb ? m == 6 : m == 0xf)
			o->prot |= IOPGT_PROT_CACHE;
	}
	adds(o, "SH", sh_names[FIELD(pte, 9, 8)]);
	if (!mali)
		flag(o, "AF", !!(pte & BIT64(10)));
	if (s1) {
		flag(o, "nG", !!(pte & BIT64(11)));
		flag(o, "NS", !!(pte & BIT64(5)));
		flag(o, "UXN", !!(pte & BIT64(54)));
		flag(o, "PXN", !!(pte & BIT64(53)));
	} else if (mali) {
		flag(o, "NX", !!(pte & BIT64(54)));
	} else {
		unsigned int xn = FIELD(pte, 54, 53);

		if (xn == 3)
			flag(o, "XN", 1);
		else if (xn)
			add(o, "XN", "%u", xn);
	}
	if (pte & BIT64(54))
		o->prot |= IOPGT_PROT_NOEXEC;
	flag(o, "CONT", !!(pte & BIT64(52)));
	flag(o, "DBM", !!(pte & BIT64(51)));
	if (pte & GENMASK64(58, 55))
		add(o, "SW", "0x%x", (unsigned int)FIELD(pte, 58, 55));
}

/* ------------------------------------------------------------------ v7s */

static void v7s_memtype(const struct iopgt_fmt_ctx *ctx, unsigned int tex,
			unsigned int c, unsigned int b, struct iopgt_pte_info *o)
{
	unsigned int region = ((tex & 1) << 2) | (c << 1) | b;

	add(o, "TEX", "%u", tex);
	flag(o, "C", c);
	flag(o, "B", b);
	if (ctx->have_regs) {
		uint32_t nmrr = (uint32_t)ctx->regs[2], prrr = (uint32_t)ctx->regs[3];
		unsigned int tr = (prrr >> (2 * region)) & 3;
		static const char *const rgn[4] = { "NC", "WBWA", "WT", "WB" };

		if (tr == 2)
			add(o, "mem", "r%u:Normal I:%s O:%s", region,
			    rgn[(nmrr >> (2 * region)) & 3],
			    rgn[(nmrr >> (2 * region + 16)) & 3]);
		else
			add(o, "mem", "r%u:%s", region,
			    tr == 0 ? "Strongly-ordered" : tr == 1 ? "Device" : "rsvd");
	} else {
		add(o, "region", "%u", region);
	}
	if (!tex)
		o->prot |= IOPGT_PROT_MMIO;
	else if (c)
		o->prot |= IOPGT_PROT_CACHE;
}

/* attribute block: AP0 bit0, AP1 bit1, TEX 4:2, AP2 bit5, S bit6, nG bit7 */
static void v7s_attrs(uint32_t attr, struct iopgt_pte_info *o)
{
	static const char *const ap[4] = { "rw-priv", "rw", "ro-priv", "ro" };
	unsigned int a = ((attr >> 5) & 1) << 1 | ((attr >> 1) & 1);

	adds(o, "AP", ap[a]);
	flag(o, "AF", attr & 1);
	flag(o, "S", !!(attr & BIT64(6)));
	flag(o, "nG", !!(attr & BIT64(7)));
	o->prot |= IOPGT_PROT_READ;
	if (!(a & 2))
		o->prot |= IOPGT_PROT_WRITE;
	if (!(a & 1))
		o->prot |= IOPGT_PROT_PRIV;
}

static void decode_v7s(const struct iopgt_fmt_ctx *ctx, uint64_t pte64,
		       uint32_t level, struct iopgt_pte_info *o)
{
	uint32_t pte = (uint32_t)pte64;

	if (!(pte & 3)) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	if (level <= 1) {
		if ((pte & 3) == 1) {
			o->kind = IOPGT_PTE_TABLE;
			o->oa = pte & GENMASK64(31, 10);
			flag(o, "NS", !!(pte & BIT64(3)));
			if (FIELD(pte, 8, 5))
				add(o, "domain", "%u", (unsigned int)FIELD(pte, 8, 5));
			return;
		}
		o->kind = IOPGT_PTE_BLOCK;
		if (pte & BIT64(18)) {
			adds(o, "type", "supersection");
			o->oa = pte & GENMASK64(31, 24);
			o->size_log2 = 24;
		} else {
			adds(o, "type", "section");
			o->oa = pte & GENMASK64(31, 20);
		}
		v7s_attrs(pte >> 10, o);
		v7s_memtype(ctx, FIELD(pte, 14, 12), !!(pte & 8), !!(pte & 4), o);
		flag(o, "XN", !!(pte & BIT64(4)));
		flag(o, "PXN", pte & 1);
		flag(o, "NS", !!(pte & BIT64(19)));
		if (pte & BIT64(4))
			o->prot |= IOPGT_PROT_NOEXEC;
		return;
	}
	o->kind = IOPGT_PTE_PAGE;
	if (pte & 2) {
		adds(o, "type", "small");
		o->oa = pte & GENMASK64(31, 12);
		v7s_attrs(pte >> 4, o);
		v7s_memtype(ctx, FIELD(pte, 8, 6), !!(pte & 8), !!(pte & 4), o);
		flag(o, "XN", pte & 1);
		if (pte & 1)
			o->prot |= IOPGT_PROT_NOEXEC;
	} else {
		uint32_t attr = (pte >> 4) & 0x23;	/* AP0, AP1, AP2 */

		attr |= (pte >> 4) & 0xc0;		/* S, nG */
		adds(o, "type", "large");
		o->oa = pte & GENMASK64(31, 16);
		o->size_log2 = 16;
		v7s_attrs(attr, o);
		v7s_memtype(ctx, FIELD(pte, 14, 12), !!(pte & 8), !!(pte & 4), o);
		flag(o, "XN", !!(pte & BIT64(15)));
		if (pte & BIT64(15))
			o->prot |= IOPGT_PROT_NOEXEC;
	}
}

/* ------------------------------------------------------------------ DART */

static void decode_dart(const struct iopgt_fmt_ctx *ctx, uint64_t pte,
			uint32_t level, struct iopgt_pte_info *o)
{
	int dart2 = ctx->format == IOPGT_FMT_APPLE_DART2;
	uint32_t last = ctx->levels ? ctx->start_level + ctx->levels - 1 : 2;

	if (!(pte & 1)) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	o->oa = dart2 ? (pte & GENMASK64(37, 10)) << 4 : pte & GENMASK64(35, 12);
	if (level < last) {
		o->kind = IOPGT_PTE_TABLE;
		return;
	}
	o->kind = IOPGT_PTE_PAGE;
	if (dart2) {
		flag(o, "NO_READ", !!(pte & BIT64(3)));
		flag(o, "NO_WRITE", !!(pte & BIT64(2)));
		flag(o, "NO_CACHE", !!(pte & BIT64(1)));
		if (!(pte & BIT64(3)))
			o->prot |= IOPGT_PROT_READ;
		if (!(pte & BIT64(2)))
			o->prot |= IOPGT_PROT_WRITE;
		if (!(pte & BIT64(1)))
			o->prot |= IOPGT_PROT_CACHE;
	} else {
		flag(o, "NO_READ", !!(pte & BIT64(8)));
		flag(o, "NO_WRITE", !!(pte & BIT64(7)));
		flag(o, "SP_DIS", !!(pte & BIT64(1)));
		if (!(pte & BIT64(8)))
			o->prot |= IOPGT_PROT_READ;
		if (!(pte & BIT64(7)))
			o->prot |= IOPGT_PROT_WRITE;
	}
	add(o, "subpage", "0x%03x-0x%03x", (unsigned int)FIELD(pte, 63, 52),
	    (unsigned int)FIELD(pte, 51, 40));
}

/* ------------------------------------------------------------------ generic_pt */

static unsigned int gpt_span(uint32_t level)
{
	return 12 + 9 * level;
}

static void decode_x86_64(uint64_t pte, uint32_t level, struct iopgt_pte_info *o)
{
	int leaf;

	if (!(pte & 1)) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	leaf = level == 0 || (level <= 2 && (pte & BIT64(7)));
	o->oa = pte & GENMASK64(51, 12);
	if (leaf && level)
		o->oa &= ~((1ULL << gpt_span(level)) - 1);
	o->kind = !leaf ? IOPGT_PTE_TABLE :
		  level ? IOPGT_PTE_BLOCK : IOPGT_PTE_PAGE;
	flag(o, "P", 1);
	flag(o, "RW", !!(pte & BIT64(1)));
	flag(o, "US", !!(pte & BIT64(2)));
	flag(o, "PWT", !!(pte & BIT64(3)));
	flag(o, "PCD", !!(pte & BIT64(4)));
	flag(o, "A", !!(pte & BIT64(5)));
	if (leaf)
		flag(o, "D", !!(pte & BIT64(6)));
	if (level && level <= 2)
		flag(o, "PS", !!(pte & BIT64(7)));
	else if (!level)
		flag(o, "PAT", !!(pte & BIT64(7)));
	if (leaf) {
		flag(o, "G", !!(pte & BIT64(8)));
		if (level)
			flag(o, "PAT", !!(pte & BIT64(12)));
	}
	flag(o, "NX", !!(pte & BIT64(63)));
	if (!leaf)
		return;
	o->prot |= IOPGT_PROT_READ;
	if (pte & BIT64(1))
		o->prot |= IOPGT_PROT_WRITE;
	if (!(pte & BIT64(2)))
		o->prot |= IOPGT_PROT_PRIV;
	if (pte & BIT64(63))
		o->prot |= IOPGT_PROT_NOEXEC;
}

static void decode_vtdss(uint64_t pte, uint32_t level, struct iopgt_pte_info *o)
{
	static const char *const emt[8] = {
		"UC", "WC", "rsvd2", "rsvd3", "WT", "WP", "WB", "rsvd7"
	};
	int leaf;

	if (!pte) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	leaf = level == 0 || (level <= 2 && (pte & BIT64(7)));
	o->oa = pte & GENMASK64(51, 12);
	if (leaf && level)
		o->oa &= ~((1ULL << gpt_span(level)) - 1);
	o->kind = !leaf ? IOPGT_PTE_TABLE :
		  level ? IOPGT_PTE_BLOCK : IOPGT_PTE_PAGE;
	flag(o, "R", pte & 1);
	flag(o, "W", !!(pte & BIT64(1)));
	flag(o, "X", !!(pte & BIT64(2)));
	if (leaf) {
		adds(o, "EMT", emt[FIELD(pte, 5, 3)]);
		flag(o, "IPAT", !!(pte & BIT64(6)));
	}
	if (level && level <= 2)
		flag(o, "PS", !!(pte & BIT64(7)));
	flag(o, "A", !!(pte & BIT64(8)));
	if (leaf)
		flag(o, "D", !!(pte & BIT64(9)));
	flag(o, "SNP", !!(pte & BIT64(11)));
	if (!leaf)
		return;
	if (pte & 1)
		o->prot |= IOPGT_PROT_READ;
	if (pte & 2)
		o->prot |= IOPGT_PROT_WRITE;
}

static void decode_amdv1(uint64_t pte, uint32_t level, struct iopgt_pte_info *o)
{
	unsigned int nl = FIELD(pte, 11, 9);
	int leaf;

	if (!(pte & 1)) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	leaf = level == 0 || nl == 0 || nl == 7;
	o->oa = pte & GENMASK64(51, 12);
	flag(o, "PR", 1);
	if (leaf && nl == 7) {
		/* page size encoded by a run of ones from address bit 12 */
		uint64_t a = o->oa >> 12;
		unsigned int ones = 0;
		char sz[16];

		while (ones < 40 && (a & 1)) {
			ones++;
			a >>= 1;
		}
		o->size_log2 = 12 + 1 + ones;
		o->oa &= ~((1ULL << o->size_log2) - 1);
		add(o, "NL", "7(%s)", iopgt_size_str(1ULL << o->size_log2, sz,
						    sizeof(sz)));
	} else {
		add(o, "NL", "%u", nl);
	}
	o->kind = !leaf ? IOPGT_PTE_TABLE :
		  level ? IOPGT_PTE_BLOCK : IOPGT_PTE_PAGE;
	flag(o, "IR", !!(pte & BIT64(61)));
	flag(o, "IW", !!(pte & BIT64(62)));
	flag(o, "FC", !!(pte & BIT64(60)));
	flag(o, "U", !!(pte & BIT64(59)));
	flag(o, "A", !!(pte & BIT64(5)));
	if (leaf)
		flag(o, "D", !!(pte & BIT64(6)));
	if (!leaf)
		return;
	if (pte & BIT64(61))
		o->prot |= IOPGT_PROT_READ;
	if (pte & BIT64(62))
		o->prot |= IOPGT_PROT_WRITE;
}

static void decode_riscv(uint64_t pte, uint32_t level, struct iopgt_pte_info *o)
{
	int leaf;

	if (!(pte & 1)) {
		o->kind = IOPGT_PTE_INVALID;
		return;
	}
	leaf = !!(pte & 0xe);
	o->oa = FIELD(pte, 53, 10) << 12;
	o->kind = !leaf ? IOPGT_PTE_TABLE :
		  level ? IOPGT_PTE_BLOCK : IOPGT_PTE_PAGE;
	flag(o, "V", 1);
	flag(o, "R", !!(pte & 2));
	flag(o, "W", !!(pte & 4));
	flag(o, "X", !!(pte & 8));
	flag(o, "U", !!(pte & 16));
	flag(o, "G", !!(pte & 32));
	flag(o, "A", !!(pte & 64));
	flag(o, "D", !!(pte & 128));
	if (FIELD(pte, 62, 61))
		add(o, "PBMT", "%u", (unsigned int)FIELD(pte, 62, 61));
	flag(o, "N", !!(pte & BIT64(63)));
	if (!leaf)
		return;
	if (pte & 2)
		o->prot |= IOPGT_PROT_READ;
	if (pte & 4)
		o->prot |= IOPGT_PROT_WRITE;
	if (!(pte & 8))
		o->prot |= IOPGT_PROT_NOEXEC;
	if (!(pte & 16))
		o->prot |= IOPGT_PROT_PRIV;
}

int iopgt_decode_pte(const struct iopgt_fmt_ctx *ctx, uint64_t pte,
		     uint32_t level, struct iopgt_pte_info *out)
{
	/* the field array is filled up to nfields; no need to clear it */
	out->kind = IOPGT_PTE_INVALID;
	out->oa = 0;
	out->size_log2 = 0;
	out->prot = 0;
	out->nfields = 0;
	switch (ctx->format) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
	case IOPGT_FMT_ARM_MALI_LPAE:
		decode_lpae(ctx, pte, level, out);
		return 0;
	case IOPGT_FMT_ARM_V7S:
		decode_v7s(ctx, pte, level, out);
		return 0;
	case IOPGT_FMT_APPLE_DART:
	case IOPGT_FMT_APPLE_DART2:
		decode_dart(ctx, pte, level, out);
		return 0;
	case IOPGT_FMT_PT_X86_64:
	case IOPGT_FMT_AMD_IOMMU_V2:
		decode_x86_64(pte, level, out);
		return 0;
	case IOPGT_FMT_PT_VTDSS:
		decode_vtdss(pte, level, out);
		return 0;
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_AMD_IOMMU_V1:
		decode_amdv1(pte, level, out);
		return 0;
	case IOPGT_FMT_PT_RISCV64:
		decode_riscv(pte, level, out);
		return 0;
	}
	out->kind = pte ? IOPGT_PTE_PAGE : IOPGT_PTE_INVALID;
	return -EOPNOTSUPP;
}

void iopgt_fmt_ctx_from_hw(struct iopgt_fmt_ctx *ctx, const struct iopgt_hw_cfg *hw)
{
	unsigned int g = 12;

	memset(ctx, 0, sizeof(*ctx));
	ctx->format = hw->format;
	ctx->levels = hw->levels;
	ctx->start_level = hw->start_level;
	ctx->quirks = hw->quirks;
	if (hw->pgsize_bitmap)
		g = (unsigned int)__builtin_ctzll(hw->pgsize_bitmap);
	ctx->granule_log2 = g;
	ctx->have_regs = 1;
	memcpy(ctx->regs, hw->regs, sizeof(ctx->regs));
}
