// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt dump: stream one address space's tree from the generic netlink dump
 * and render it as an indented tree, ptdump-style ranges, versioned JSON or
 * Graphviz. Memory use is constant: every entry is rendered as it arrives.
 *
 * Consistency: when the kernel flags NLM_F_DUMP_INTR (the tables changed
 * under the dump) the output of the attempt is discarded and the dump is
 * retried (bounded). The destination is written only once a dump has
 * succeeded: output is spooled to an unlinked temporary file (O_TMPFILE in
 * the destination's directory when stdout is a regular file, else in
 * $TMPDIR or /tmp; tmpfile() as a last resort), emptied on a retry and
 * appended to stdout at the end. A failing dump leaves stdout untouched
 * (`iopgt dump ID >> log` never loses the log); stdout is never truncated.
 * /dev/null is written directly; --no-buffer streams directly and cannot
 * retry cleanly.
 *
 * Test and benchmark mode (environment, not options): IOPGT_DUMP_CAPTURE=FILE
 * records the dump's context and the netlink messages as received;
 * IOPGT_DUMP_REPLAY=FILE renders such a recording instead of asking the
 * kernel (no device, no socket), through the same parsing and rendering
 * code, so the CLI's own cost can be measured and profiled on any machine
 * and its output compared byte for byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../lib/nl_priv.h"

enum { F_TREE, F_RANGES, F_JSON, F_DOT };

struct dump {
	struct cli *c;
	FILE *out;
	int fmt;
	uint32_t id;
	struct iopgt_fmt_ctx ctx;
	struct iopgt_hw_cfg hw;
	int have_hw;
	struct iopgt_as_info ai;
	int have_ai;
	struct iopgt_tree_filter filter;
	int filtered;
	int collapse;
	int slot[TREE_MAX_DEPTH];
	uint64_t ents[TREE_MAX_DEPTH];
	struct treegap tg;
	struct coalescer co;
	uint64_t n_entries, n_tables, n_leaves;
	uint64_t by_size[64];
	/* dot */
	uint64_t seq;
	uint64_t parent[TREE_MAX_DEPTH + 1];
	uint64_t run_parent;
	uint32_t run_depth;
	/*
	 * The rendering of the last entry decoded, reused while the following
	 * entries differ from it only in their address (see same_attrs()).
	 */
	int raw_ok;		/* the format allows that shortcut */
	struct {
		int valid;
		uint32_t level, kind;
		uint64_t pte, oa;
		size_t attrs_len, jtail_len;
		char attrs[600];	/* render_attrs() */
		/* json: prot, decoder_kind, attrs, "}\n"; room for 20 fields escaped */
		char jtail[8192];
	} dc;
	char sizes[64][16];	/* iopgt_size_str(1 << i) */
	/* output handling */
	int mode;		/* 1 devnull, 2 spool, 3 unbuffered */
	unsigned int attempt;
	unsigned int max_tries;
};

static const char *fmt_name(const struct dump *d)
{
	const char *n = iopgt_format_name(d->ctx.format);

	return n ? n : "?";
}

/* ------------------------------------------------------------------ rendering */

static void render_attrs(const struct dump *d, const struct iopgt_tree_entry *e,
			 const struct iopgt_pte_info *pi, char *buf, size_t len)
{
	char f[400], p[64];
	int leaf = e->kind == IOPGT_PTE_BLOCK || e->kind == IOPGT_PTE_PAGE;

	(void)d;
	iopgt_fields_str(pi->f, pi->nfields, f, sizeof(f));
	if (leaf)
		snprintf(buf, len, "%s | %s%s%s", iopgt_prot_str(pi->prot, p, sizeof(p)),
			 f, pi->kind != e->kind ? " !decoder=" : "",
			 pi->kind != e->kind ? iopgt_kind_name(pi->kind) : "");
	else
		snprintf(buf, len, "%s%s%s", f, pi->kind != e->kind ? " !decoder=" : "",
			 pi->kind != e->kind ? iopgt_kind_name(pi->kind) : "");
}

static void tree_gap(int depth, uint64_t first, uint64_t count, void *arg)
{
	struct dump *d = arg;

	if (count == 1)
		fprintf(d->out, "%*s... 1 empty entry [%llu] ...\n", 2 * depth, "",
			(unsigned long long)first);
	else
		fprintf(d->out, "%*s... %llu empty entries [%llu-%llu] ...\n",
			2 * depth, "", (unsigned long long)count,
			(unsigned long long)first,
			(unsigned long long)(first + count - 1));
}

static void range_emit(const struct range_run *r, void *arg)
{
	struct dump *d = arg;
	char tot[16], pg[16];

	if (d->fmt == F_RANGES) {
		fprintf(d->out, "0x%016llx-0x%016llx %6s  %4s x%-7llu -> 0x%016llx  %s\n",
			(unsigned long long)r->iova, (unsigned long long)r->end,
			iopgt_size_str(r->end - r->iova, tot, sizeof(tot)),
			iopgt_size_str(1ULL << r->span_log2, pg, sizeof(pg)),
			(unsigned long long)r->count, (unsigned long long)r->oa, r->key);
		return;
	}
	/* dot: one node per run of leaves */
	d->seq++;
	fprintf(d->out,
		"  n%llu [shape=record, style=filled, fillcolor=\"#e8f4e8\", label=\"{L%u %s x%llu|iova 0x%llx-0x%llx|-> 0x%llx|",
		(unsigned long long)d->seq, r->level,
		iopgt_size_str(1ULL << r->span_log2, pg, sizeof(pg)),
		(unsigned long long)r->count, (unsigned long long)r->iova,
		(unsigned long long)r->end, (unsigned long long)r->oa);
	{
		const char *s;

		for (s = r->key; *s; s++) {
			if (strchr("{}|<>\"\\", *s))
				fputc('\\', d->out);
			fputc(*s, d->out);
		}
	}
	fprintf(d->out, "}\"];\n  n%llu -> n%llu;\n",
		(unsigned long long)d->run_parent, (unsigned long long)d->seq);
}

static void hexs(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ",\"%s\":\"0x%llx\"", key, (unsigned long long)v);
}

static int raw_shortcut_ok(const struct iopgt_fmt_ctx *ctx);

static void begin(struct dump *d)
{
	char pg[128], q[128];
	unsigned int i;

	d->n_entries = d->n_tables = d->n_leaves = 0;
	memset(d->by_size, 0, sizeof(d->by_size));
	d->dc.valid = 0;
	d->raw_ok = raw_shortcut_ok(&d->ctx);
	for (i = 0; i < 64; i++)
		iopgt_size_str(1ULL << i, d->sizes[i], sizeof(d->sizes[i]));
	treegap_init(&d->tg, d->have_hw ? d->slot : NULL,
			   d->have_hw ? d->ents : NULL, !d->filtered && d->collapse,
			   tree_gap, d);
	coalescer_init(&d->co, range_emit, d);
	d->seq = 0;
	memset(d->parent, 0, sizeof(d->parent));
	iopgt_pgsizes_str(d->hw.pgsize_bitmap, pg, sizeof(pg));
	iopgt_quirks_str(d->hw.quirks, q, sizeof(q));

	switch (d->fmt) {
	case F_TREE:
	case F_RANGES:
		fprintf(d->out, "# AS %u %s levels=%u start_level=%u ias=%u oas=%u pgsizes=%s quirks=%s",
			d->id, fmt_name(d), d->hw.levels, d->hw.start_level, d->hw.ias,
			d->hw.oas, pg, q);
		if (d->have_ai)
			fprintf(d->out, " mapped=0x%llx generation=%llu",
				(unsigned long long)d->ai.mapped_bytes,
				(unsigned long long)d->ai.generation);
		fprintf(d->out, "\n");
		if (d->filter.has_range)
			fprintf(d->out, "# iova filter 0x%llx-0x%llx\n",
				(unsigned long long)d->filter.iova_start,
				(unsigned long long)d->filter.iova_end);
		if (d->filter.max_depth >= 0)
			fprintf(d->out, "# depth filter 0..%d\n", d->filter.max_depth);
		if (d->fmt == F_RANGES)
			fprintf(d->out, "# %-35s %6s  %12s  %-18s  %s\n", "iova range",
				"size", "pages", "output address", "prot | attributes");
		break;
	case F_JSON:
		fprintf(d->out, "{\"schema\":\"iopgt-dump\",\"version\":1,\"as\":{\"id\":%u,\"format\":\"%s\",\"format_id\":%u,"
			"\"levels\":%u,\"start_level\":%u,\"ias\":%u,\"oas\":%u",
			d->id, fmt_name(d), d->ctx.format, d->hw.levels,
			d->hw.start_level, d->hw.ias, d->hw.oas);
		hexs(d->out, "pgsize_bitmap", d->hw.pgsize_bitmap);
		hexs(d->out, "quirks", d->hw.quirks);
		if (d->have_ai) {
			hexs(d->out, "mapped_bytes", d->ai.mapped_bytes);
			fprintf(d->out, ",\"generation\":%llu,\"persistent\":%s",
				(unsigned long long)d->ai.generation,
				d->ai.flags & IOPGT_AS_INFO_PERSISTENT ? "true" : "false");
		}
		if (d->have_hw) {
			fprintf(d->out, ",\"regs\":[");
			for (i = 0; i < IOPGT_HW_NREGS; i++)
				fprintf(d->out, "%s\"0x%llx\"", i ? "," : "",
					(unsigned long long)d->hw.regs[i]);
			fprintf(d->out, "]");
		}
		fprintf(d->out, "},\"filter\":{");
		if (d->filter.has_range)
			fprintf(d->out, "\"iova_start\":\"0x%llx\",\"iova_end\":\"0x%llx\"%s",
				(unsigned long long)d->filter.iova_start,
				(unsigned long long)d->filter.iova_end,
				d->filter.max_depth >= 0 ? "," : "");
		if (d->filter.max_depth >= 0)
			fprintf(d->out, "\"max_depth\":%d", d->filter.max_depth);
		fprintf(d->out, "},\"entries\":[\n");
		break;
	case F_DOT:
		fprintf(d->out, "digraph iopgt {\n  graph [rankdir=LR, fontname=\"monospace\", label=\"AS %u %s ias=%u oas=%u pgsizes=%s\"];\n"
			"  node [shape=record, fontname=\"monospace\", fontsize=10];\n"
			"  edge [fontname=\"monospace\", fontsize=9];\n",
			d->id, fmt_name(d), d->hw.ias, d->hw.oas, pg);
		if (d->have_hw && !(d->hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN))
			fprintf(d->out, "  n0 [style=filled, fillcolor=\"#dde8f8\", label=\"{top table L%u|pa 0x%llx}\"];\n",
				d->hw.start_level, (unsigned long long)d->hw.regs[7]);
		else
			fprintf(d->out, "  n0 [style=filled, fillcolor=\"#dde8f8\", label=\"{top table L%u}\"];\n",
				d->hw.start_level);
		break;
	}
}

/* ------------------------------------------------------------------ hot path */

/*
 * The per-entry path formats by hand into one line buffer and writes it
 * with one fwrite: the same bytes as the printf formats it replaced
 * (userspace/tests/golden holds what those wrote).
 */
static const char hexdig[] = "0123456789abcdef";

static char *put_hex16(char *p, uint64_t v)	/* %016llx */
{
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		p[i] = hexdig[v & 15];
	return p + 16;
}

static char *put_hex(char *p, uint64_t v)	/* %llx */
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1, i;

	for (i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = hexdig[v & 15];
	return p + n;
}

static char *put_dec(char *p, uint64_t v)	/* %llu */
{
	char t[20];
	int n = 0;

	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = t[--n];
	return p;
}

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* a JSON string: as json_str() in lib/decode.c */
static char *put_json_str(char *p, const char *s)
{
	*p++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c < 0x20) {
			p = PUT_LIT(p, "\\u00");
			*p++ = hexdig[c >> 4];
			*p++ = hexdig[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '"';
	return p;
}

/*
 * Formats whose walker reports a descriptor's address as a fixed bit mask
 * of the descriptor (per level): module/iopgt_walk.c. For them a
 * descriptor is address | other bits, and when two entries of the same
 * level and kind satisfy pte2 - pte1 == oa2 - oa1, their other bits are
 * equal, so they decode to the same attributes. Not for AMDv1 NL=7 leaves
 * (the size is in the address bits), LPAE with a 64K granule (PA[51:48] in
 * bits 15:12), DART2 and RISC-V (shifted addresses).
 */
static int raw_shortcut_ok(const struct iopgt_fmt_ctx *ctx)
{
	switch (ctx->format) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
	case IOPGT_FMT_ARM_MALI_LPAE:
		return ctx->granule_log2 < 16;
	case IOPGT_FMT_ARM_V7S:
	case IOPGT_FMT_APPLE_DART:
	case IOPGT_FMT_PT_X86_64:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_AMDV1:
		return 1;
	}
	return 0;
}

static int same_attrs(const struct dump *d, const struct iopgt_tree_entry *e)
{
	if (!d->dc.valid || d->dc.level != e->level || d->dc.kind != e->kind ||
	    e->pte - d->dc.pte != e->oa - d->dc.oa)
		return 0;
	if (d->ctx.format == IOPGT_FMT_PT_AMDV1 && ((e->pte >> 9) & 7) == 7)
		return 0;
	return 1;
}

/* decode @e and render what the output formats print of its attributes */
static void decode_entry(struct dump *d, const struct iopgt_tree_entry *e)
{
	struct iopgt_pte_info pi;
	int leaf = e->kind == IOPGT_PTE_BLOCK || e->kind == IOPGT_PTE_PAGE;
	char *p;
	unsigned int i;

	iopgt_decode_pte(&d->ctx, e->pte, e->level, &pi);
	render_attrs(d, e, &pi, d->dc.attrs, sizeof(d->dc.attrs));
	d->dc.attrs_len = strlen(d->dc.attrs);
	d->dc.jtail_len = 0;
	if (d->fmt == F_JSON) {
		p = d->dc.jtail;
		if (leaf) {
			char pr[64];

			p = PUT_LIT(p, ",\"prot\":\"");
			p = put_str(p, iopgt_prot_str(pi.prot, pr, sizeof(pr)));
			*p++ = '"';
		}
		if (pi.kind != e->kind) {
			p = PUT_LIT(p, ",\"decoder_kind\":\"");
			p = put_str(p, iopgt_kind_name(pi.kind));
			*p++ = '"';
		}
		/* as iopgt_fields_json(); 20 x (6 x (16 + 47) + 8) < 8192 - 200 */
		p = PUT_LIT(p, ",\"attrs\":{");
		for (i = 0; i < pi.nfields && i < IOPGT_MAX_FIELDS; i++) {
			if (i)
				*p++ = ',';
			p = put_json_str(p, pi.f[i].name);
			*p++ = ':';
			if (pi.f[i].value[0])
				p = put_json_str(p, pi.f[i].value);
			else
				p = PUT_LIT(p, "true");
		}
		p = PUT_LIT(p, "}}\n");
		d->dc.jtail_len = (size_t)(p - d->dc.jtail);
	}
	d->dc.valid = d->raw_ok;
	d->dc.level = e->level;
	d->dc.kind = e->kind;
}

static void out_line(struct dump *d, const char *buf, size_t n)
{
	fwrite_unlocked(buf, 1, n, d->out);
}

static int on_entry(const struct iopgt_tree_entry *e, void *arg)
{
	struct dump *d = arg;
	char line[8192 + 512], *p = line;
	int leaf = e->kind == IOPGT_PTE_BLOCK || e->kind == IOPGT_PTE_PAGE;
	uint32_t depth = e->depth < TREE_MAX_DEPTH ? e->depth : TREE_MAX_DEPTH - 1;
	int hit = same_attrs(d, e);

	d->n_entries++;
	if (leaf) {
		d->n_leaves++;
		if (e->span_log2 < 64)
			d->by_size[e->span_log2]++;
	} else if (e->kind == IOPGT_PTE_TABLE) {
		d->n_tables++;
	}
	/* ranges: a leaf that continues the run with the same descriptor bits */
	if (d->fmt == F_RANGES && hit && leaf && d->co.active) {
		struct range_run *r = &d->co.cur;

		if (r->span_log2 == e->span_log2 && r->level == e->level &&
		    r->end == e->iova && r->end && r->oa + (r->end - r->iova) == e->oa &&
		    d->dc.attrs_len < sizeof(r->key)) {
			r->end += e->span_log2 >= 64 ? 0 : 1ULL << e->span_log2;
			r->count++;
			d->dc.pte = e->pte;
			d->dc.oa = e->oa;
			return 0;
		}
	}
	if (!hit)
		decode_entry(d, e);
	d->dc.pte = e->pte;
	d->dc.oa = e->oa;
	switch (d->fmt) {
	case F_TREE:
		treegap_feed(&d->tg, depth, e->index, e->span_log2,
				   e->kind == IOPGT_PTE_TABLE);
		/* "%*sL%u[%u] 0x%016llx %-5s 0x%016llx %5s -> %s%s%s\n" */
		memset(p, ' ', 2 * depth);
		p += 2 * depth;
		*p++ = 'L';
		p = put_dec(p, e->level);
		*p++ = '[';
		p = put_dec(p, e->index);
		p = PUT_LIT(p, "] 0x");
		p = put_hex16(p, e->pte);
		*p++ = ' ';
		{
			const char *k = iopgt_kind_name(e->kind);
			size_t n = strlen(k);

			memcpy(p, k, n);
			p += n;
			while (n++ < 5)
				*p++ = ' ';
		}
		p = PUT_LIT(p, " 0x");
		p = put_hex16(p, e->iova);
		*p++ = ' ';
		{
			const char *sz = e->span_log2 < 64 ? d->sizes[e->span_log2] : "?";
			size_t n = strlen(sz);

			while (n < 5) {
				*p++ = ' ';
				n++;
			}
			p = put_str(p, sz);
		}
		p = PUT_LIT(p, " -> ");
		/* a table is never at PA 0: 0 means the kernel hid it */
		if (e->kind == IOPGT_PTE_TABLE && !e->oa) {
			p = PUT_LIT(p, "hidden");
		} else {
			p = PUT_LIT(p, "0x");
			p = put_hex(p, e->oa);
		}
		if (d->dc.attrs_len) {
			p = PUT_LIT(p, "  ");
			memcpy(p, d->dc.attrs, d->dc.attrs_len);
			p += d->dc.attrs_len;
		}
		*p++ = '\n';
		out_line(d, line, (size_t)(p - line));
		break;
	case F_RANGES:
		if (leaf)
			coalescer_feed(&d->co, e->iova, e->span_log2, e->level,
					     e->oa, d->dc.attrs);
		break;
	case F_JSON:
		if (d->n_entries > 1)
			*p++ = ',';
		p = PUT_LIT(p, "{\"depth\":");
		p = put_dec(p, e->depth);
		p = PUT_LIT(p, ",\"level\":");
		p = put_dec(p, e->level);
		p = PUT_LIT(p, ",\"index\":");
		p = put_dec(p, e->index);
		p = PUT_LIT(p, ",\"iova\":\"0x");
		p = put_hex(p, e->iova);
		p = PUT_LIT(p, "\",\"span_log2\":");
		p = put_dec(p, e->span_log2);
		p = PUT_LIT(p, ",\"kind\":\"");
		p = put_str(p, iopgt_kind_name(e->kind));
		p = PUT_LIT(p, "\",\"pte\":\"0x");
		p = put_hex(p, e->pte);
		p = PUT_LIT(p, "\",\"oa\":\"0x");
		p = put_hex(p, e->oa);
		p = PUT_LIT(p, "\",\"table_pa\":\"0x");
		p = put_hex(p, e->table_pa);
		*p++ = '"';
		memcpy(p, d->dc.jtail, d->dc.jtail_len);
		p += d->dc.jtail_len;
		out_line(d, line, (size_t)(p - line));
		break;
	case F_DOT:
		if (e->kind == IOPGT_PTE_TABLE) {
			uint64_t parent = d->parent[depth];

			coalescer_flush(&d->co);
			d->seq++;
			d->parent[depth + 1] = d->seq;
			if (e->oa)
				fprintf(d->out, "  n%llu [style=filled, fillcolor=\"#dde8f8\", label=\"{L%u table|iova 0x%llx|pa 0x%llx}\"];\n",
					(unsigned long long)d->seq, e->level,
					(unsigned long long)e->iova,
					(unsigned long long)e->oa);
			else
				fprintf(d->out, "  n%llu [style=filled, fillcolor=\"#dde8f8\", label=\"{L%u table|iova 0x%llx}\"];\n",
					(unsigned long long)d->seq, e->level,
					(unsigned long long)e->iova);
			fprintf(d->out, "  n%llu -> n%llu [label=\"[%u]\"];\n",
				(unsigned long long)parent, (unsigned long long)d->seq,
				e->index);
		} else if (leaf) {
			if (!d->co.active || d->run_parent != d->parent[depth] ||
			    d->run_depth != depth) {
				coalescer_flush(&d->co);
				d->run_parent = d->parent[depth];
				d->run_depth = depth;
			}
			coalescer_feed(&d->co, e->iova, e->span_log2, e->level,
					     e->oa, d->dc.attrs);
		}
		break;
	}
	return 0;
}

static void summary_text(struct dump *d)
{
	unsigned int i;
	char sz[16];

	fprintf(d->out, "# %llu entries: %llu tables, %llu leaves",
		(unsigned long long)d->n_entries, (unsigned long long)d->n_tables,
		(unsigned long long)d->n_leaves);
	for (i = 0; i < 64; i++)
		if (d->by_size[i])
			fprintf(d->out, "%s%llu x %s", " ", (unsigned long long)d->by_size[i],
				iopgt_size_str(1ULL << i, sz, sizeof(sz)));
	fprintf(d->out, "\n");
}

static void finish(struct dump *d)
{
	unsigned int i;
	int first = 1;
	char sz[16];

	switch (d->fmt) {
	case F_TREE:
		treegap_finish(&d->tg);
		if (!d->n_entries)
			fprintf(d->out, "(empty: no valid descriptor in the top table)\n");
		summary_text(d);
		break;
	case F_RANGES:
		coalescer_flush(&d->co);
		fprintf(d->out, "# %llu ranges; ", (unsigned long long)d->co.runs);
		summary_text(d);
		break;
	case F_JSON:
		fprintf(d->out, "],\"summary\":{\"entries\":%llu,\"tables\":%llu,\"leaves\":%llu,\"attempts\":%u,\"leaves_by_size\":{",
			(unsigned long long)d->n_entries, (unsigned long long)d->n_tables,
			(unsigned long long)d->n_leaves, d->attempt);
		for (i = 0; i < 64; i++)
			if (d->by_size[i]) {
				fprintf(d->out, "%s\"%s\":%llu", first ? "" : ",",
					iopgt_size_str(1ULL << i, sz, sizeof(sz)),
					(unsigned long long)d->by_size[i]);
				first = 0;
			}
		fprintf(d->out, "}}}\n");
		break;
	case F_DOT:
		coalescer_flush(&d->co);
		fprintf(d->out, "}\n");
		break;
	}
}

/* ------------------------------------------------------------------ output */

/* an unlinked file in @dir (O_TMPFILE), or -1 */
static int tmpfile_in(const char *dir)
{
	return dir && *dir ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
}

/*
 * Spool: the dump goes to an unlinked temporary file, appended to stdout
 * only after the dump succeeded (copy_out()).
 */
static int setup_output(struct dump *d, int no_buffer)
{
	struct stat st;
	int fd = -1;

	fflush(stdout);
	if (no_buffer) {
		d->mode = 3;
		d->out = stdout;
		return 0;
	}
	if (!fstat(STDOUT_FILENO, &st)) {
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
		    minor(st.st_rdev) == 3) {	/* /dev/null */
			d->mode = 1;
			d->out = stdout;
			return 0;
		}
		if (S_ISREG(st.st_mode)) {	/* next to the destination */
			char link[PATH_MAX];
			ssize_t n = readlink("/proc/self/fd/1", link, sizeof(link) - 1);

			if (n > 0 && link[0] == '/') {
				link[n] = 0;
				fd = tmpfile_in(dirname(link));
			}
		}
	}
	if (fd < 0)
		fd = tmpfile_in(getenv("TMPDIR"));
	if (fd < 0)
		fd = tmpfile_in("/tmp");
	d->out = fd >= 0 ? fdopen(fd, "w+") : tmpfile();
	if (!d->out) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	/*
	 * Large writes: glibc ignores the size of setvbuf(NULL) and would
	 * write the spool in st_blksize (4K) blocks. One dump at a time uses
	 * it (the spool is closed before the command returns).
	 */
	{
		static char spool_buf[1 << 18];

		setvbuf(d->out, spool_buf, _IOFBF, sizeof(spool_buf));
	}
	d->mode = 2;
	return 0;
}

static int restart(void *arg)
{
	struct dump *d = arg;

	d->attempt++;
	fprintf(stderr, "%s dump: the tables changed during the dump (NLM_F_DUMP_INTR); retrying (attempt %u of %u)\n",
		d->c->prog, d->attempt, d->max_tries);
	fflush(d->out);
	switch (d->mode) {
	case 2:
		rewind(d->out);
		if (ftruncate(fileno(d->out), 0))
			return -errno;
		break;
	case 3:
		fprintf(d->out, "# ---- dump restarted after NLM_F_DUMP_INTR ----\n");
		break;
	}
	begin(d);
	return 0;
}

/* write all of @buf to @fd */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* the dump succeeded: append the spool to stdout */
static int copy_out(struct dump *d)
{
	static char buf[1 << 18];
	struct stat st;
	int in, ret = 0;
	ssize_t n;

	if (d->mode != 2)
		return 0;
	if (fflush(d->out))
		return -errno;
	in = fileno(d->out);
	if (lseek(in, 0, SEEK_SET) < 0)
		return -errno;
	fflush(stdout);
	if (!fstat(STDOUT_FILENO, &st) && S_ISFIFO(st.st_mode)) {
		/*
		 * A pipe: 256K writes into a pipe of 1M (best effort), fewer
		 * round trips with the reader; sendfile from the spool into a
		 * pipe was slower under QEMU.
		 */
		fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
		goto byhand;
	}
	/* a file or anything else: in the kernel, in large blocks */
	for (;;) {
		n = sendfile(STDOUT_FILENO, in, NULL, 1 << 30);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (!n) {
		fclose(d->out);
		d->out = stdout;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		ret = -errno;
		fclose(d->out);
		d->out = stdout;
		return ret;
	}
	/* sendfile refused this pair before writing: copy by hand */
byhand:
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = write_all(STDOUT_FILENO, buf, (size_t)n);
		if (ret)
			break;
	}
	fclose(d->out);
	d->out = stdout;
	return ret;
}

/* ------------------------------------------------------------------ command */

static const char usage_dump[] =
"usage: iopgt dump ID [--format tree|ranges|json|dot] [--iova-range A-B|A+LEN]\n"
"                  [--level N] [--retries N] [--no-collapse] [--no-buffer]\n"
"  Dump an address space's page-table tree (generic netlink; needs\n"
"  CAP_NET_ADMIN), streamed in constant memory.\n"
"  tree    indented per level: index, raw descriptor, kind, IOVA, span,\n"
"          output/next-table address, prot and decoded attributes; runs of\n"
"          empty entries are collapsed into '... N empty entries [a-b] ...'\n"
"  ranges  ptdump-style: contiguous leaves with equal attributes coalesced\n"
"  json    schema \"iopgt-dump\" version 1: {\"schema\",\"version\",\"as\",\n"
"          \"filter\",\"entries\":[one object per line],\"summary\"}; 64-bit\n"
"          values are hex strings\n"
"  dot     Graphviz digraph of tables and leaf runs (dot -Tsvg)\n"
"  --iova-range  only entries overlapping A-B (inclusive) or A+LEN\n"
"  --level N     only depths 0..N (0 = top table)\n"
"  --retries N   attempts when the tables change mid-dump (default 8)\n"
"  --no-buffer   stream to stdout even when a retry could not undo output\n"
"  --stats       print entries, time, rate and peak RSS to stderr\n";

/* ------------------------------------------------------------------ recordings */

static const char capture_magic[8] = IOPGT_CAPTURE_MAGIC;

static int capture_start(struct dump *d, const char *path, int *fd)
{
	struct iopgt_capture_hdr h;
	int ret;

	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (*fd < 0)
		return -errno;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, capture_magic, sizeof(h.magic));
	h.hdr_size = sizeof(h);
	h.id = d->id;
	h.have_hw = d->have_hw;
	h.have_ai = d->have_ai;
	h.hw = d->hw;
	h.ai = d->ai;
	h.ctx = d->ctx;
	memcpy(h.slot, d->slot, sizeof(h.slot));
	memcpy(h.ents, d->ents, sizeof(h.ents));
	if (write(*fd, &h, sizeof(h)) != (ssize_t)sizeof(h)) {
		ret = errno ? -errno : -EIO;
		close(*fd);
		*fd = -1;
		return ret;
	}
	iopgt_netlink_record(d->c->nl, *fd);
	return 0;
}

/* 0, -errno, or 1 when @fd is not a recording of this build */
static int replay_load(struct dump *d, int fd)
{
	struct iopgt_capture_hdr h;
	ssize_t n = read(fd, &h, sizeof(h));

	if (n < 0)
		return -errno;
	if (n != (ssize_t)sizeof(h) || memcmp(h.magic, capture_magic, sizeof(h.magic)) ||
	    h.hdr_size != sizeof(h))
		return 1;
	d->id = h.id;
	d->have_hw = h.have_hw;
	d->have_ai = h.have_ai;
	d->hw = h.hw;
	d->ai = h.ai;
	d->ctx = h.ctx;
	memcpy(d->slot, h.slot, sizeof(h.slot));
	memcpy(d->ents, h.ents, sizeof(h.ents));
	return 0;
}

static int find_as_cb(const struct iopgt_netlink_as *a, void *arg)
{
	struct dump *d = arg;

	if (a->as_id != d->id)
		return 0;
	d->ctx.format = a->format;
	d->hw.format = a->format;
	d->hw.levels = a->levels;
	d->hw.ias = a->ias;
	d->hw.oas = a->oas;
	d->hw.pgsize_bitmap = a->pgsizes;
	d->ctx.levels = a->levels;
	d->ctx.granule_log2 = a->pgsizes ? (uint32_t)__builtin_ctzll(a->pgsizes) : 12;
	return 1;
}

int cmd_dump(struct cli *c, int argc, char **argv)
{
	const char *fmt_s = "tree", *range_s = NULL, *level_s = NULL, *retry_s = NULL;
	int nocollapse = 0, nobuf = 0, stats = 0, npos, ret;
	struct timespec t0, t1;
	char *pos[2];
	struct dump *d;
	struct iopgt_err err = { 0 };
	int i;
	unsigned int tries = 0;
	const char *replay = NULL, *capture = NULL;
	int rec_fd = -1;
	struct iopgt_netlink *saved_nl = NULL;

	d = calloc(1, sizeof(*d));
	if (!d)
		return kern_err(c, "out of memory");
	d->c = c;
	d->filter.max_depth = -1;
	d->max_tries = 8;
	npos = 0;
	/* options (same conventions as the other subcommands) */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const char *names[] = { "format", "iova-range", "level", "retries" };
		const char **vals[] = { &fmt_s, &range_s, &level_s, &retry_s };
		size_t k;
		int matched = 0;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_dump, stdout);
			free(d);
			return EXIT_HELP;
		}
		if (!strcmp(a, "--no-collapse")) {
			nocollapse = 1;
			continue;
		}
		if (!strcmp(a, "--no-buffer")) {
			nobuf = 1;
			continue;
		}
		if (!strcmp(a, "--stats")) {
			stats = 1;
			continue;
		}
		if (!strcmp(a, "--json")) {
			fmt_s = "json";
			continue;
		}
		if (strncmp(a, "--", 2)) {
			if (npos >= 1) {
				free(d);
				return usage_err(c, "unexpected argument '%s' (see --help)", a);
			}
			pos[npos++] = argv[i];
			continue;
		}
		for (k = 0; k < 4; k++) {
			size_t l = strlen(names[k]);

			if (!strncmp(a + 2, names[k], l) && (a[2 + l] == 0 || a[2 + l] == '=')) {
				if (a[2 + l] == '=')
					v = a + 3 + l;
				else if (i + 1 < argc)
					v = argv[++i];
				else {
					free(d);
					return usage_err(c, "option --%s needs a value", names[k]);
				}
				*vals[k] = v;
				matched = 1;
				break;
			}
		}
		if (!matched) {
			free(d);
			return usage_err(c, "unknown option '%s' (see --help)", a);
		}
	}
	if (!npos && c->script && c->have_last)
		pos[npos++] = "@";
	if (npos != 1) {
		free(d);
		return usage_err(c, "want ID");
	}
	ret = EXIT_USAGE;
	if (arg_id(c, pos[0], &d->id))
		goto out;
	if (!strcmp(fmt_s, "tree"))
		d->fmt = F_TREE;
	else if (!strcmp(fmt_s, "ranges"))
		d->fmt = F_RANGES;
	else if (!strcmp(fmt_s, "json"))
		d->fmt = F_JSON;
	else if (!strcmp(fmt_s, "dot"))
		d->fmt = F_DOT;
	else {
		ret = usage_err(c, "bad --format '%s': want tree, ranges, json or dot", fmt_s);
		goto out;
	}
	if (range_s) {
		int r = parse_range(range_s, &d->filter.iova_start,
					  &d->filter.iova_end);

		if (r) {
			ret = usage_err(c, "bad --iova-range '%s': %s", range_s,
					r == -ERANGE ? "end before start or overflow" :
					"want A-B or A+LEN");
			goto out;
		}
		d->filter.has_range = 1;
		d->filtered = 1;
	}
	if (level_s) {
		uint32_t l;

		if (arg_u32(c, "--level", level_s, &l))
			goto out;
		if (l >= IOPGT_MAX_LEVELS) {
			ret = usage_err(c, "bad --level '%s': depths run from 0 (top table) to %d",
					level_s, IOPGT_MAX_LEVELS - 1);
			goto out;
		}
		d->filter.max_depth = (int)l;
		d->filtered = 1;
	}
	if (retry_s) {
		if (arg_u32(c, "--retries", retry_s, &d->max_tries))
			goto out;
		if (!d->max_tries)
			d->max_tries = 1;
	}
	d->collapse = !nocollapse;

	replay = getenv("IOPGT_DUMP_REPLAY");
	if (replay && *replay) {
		int r;

		rec_fd = open(replay, O_RDONLY | O_CLOEXEC);
		if (rec_fd < 0) {
			ret = kern_err(c, "IOPGT_DUMP_REPLAY: cannot open '%s': %s",
				       replay, strerror(errno));
			goto out;
		}
		r = replay_load(d, rec_fd);
		if (r) {
			ret = kern_err(c, "IOPGT_DUMP_REPLAY: '%s' %s", replay,
				       r > 0 ? "is not a dump recording of this iopgt build" :
				       strerror(-r));
			goto out;
		}
		saved_nl = c->nl;	/* a script's socket, back at the end */
		r = iopgt_netlink_open_stream(&c->nl, rec_fd, &err);
		if (r) {
			ret = explain(c, "replay", &err);
			goto out;
		}
		goto ready;
	}

	/* context: hardware config via the device; fall back to netlink */
	if (!c->dev_open && !iopgt_open_device(&c->dev, c->dev_path, NULL))
		c->dev_open = 1;
	if (c->dev_open && !iopgt_query_hw_cfg(&c->dev, d->id, &d->hw, &err)) {
		iopgt_fmt_ctx_from_hw(&d->ctx, &d->hw);
		d->have_hw = tree_geometry(&d->hw, d->slot, d->ents,
						 TREE_MAX_DEPTH) > 0;
		if (!d->have_hw)
			for (i = 0; i < TREE_MAX_DEPTH; i++)
				d->slot[i] = -1;
		d->have_ai = !iopgt_query_as_info(&c->dev, d->id, &d->ai, NULL);
	} else if (c->dev_open && err.code == -ENOENT) {
		ret = kern_err(c, "no address space %u (ENOENT)", d->id);
		goto out;
	}
	if ((ret = cli_open_nl(c)))
		goto out;
	if (!d->ctx.format) {
		struct iopgt_err e2 = { 0 };

		ret = iopgt_netlink_dump_as(c->nl, 0, find_as_cb, d, &e2);
		if (ret < 0) {
			ret = explain_nl(c, "AS_GET dump", &e2);
			goto out;
		}
		if (!d->ctx.format) {
			ret = kern_err(c, "no address space %u (ENOENT)", d->id);
			goto out;
		}
		d->have_hw = 0;
	}
	if (!d->have_hw && d->hw.levels && !d->ctx.have_regs) {
		d->have_hw = tree_geometry(&d->hw, d->slot, d->ents,
						 TREE_MAX_DEPTH) > 0;
	}
	capture = getenv("IOPGT_DUMP_CAPTURE");
	if (capture && *capture) {
		int r = capture_start(d, capture, &rec_fd);

		if (r) {
			ret = kern_err(c, "IOPGT_DUMP_CAPTURE: cannot write '%s': %s",
				       capture, strerror(-r));
			goto out;
		}
	}
ready:
	ret = setup_output(d, nobuf);
	if (ret) {
		ret = kern_err(c, "cannot create a temporary file to spool the dump: %s (use --no-buffer)",
			       strerror(-ret));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d->attempt = 1;
	begin(d);
	memset(&err, 0, sizeof(err));
	ret = iopgt_netlink_dump_tree_retry(c->nl, 0, d->id, &d->filter, on_entry, d,
				       restart, d->max_tries, &tries, &err);
	if (ret) {
		/* never leave a torn or partial tree behind: drop the spool */
		if (d->mode == 2)
			fclose(d->out);
		d->out = stdout;
		if (err.code == -EPERM)
			ret = explain_nl(c, "TREE_GET dump", &err);
		else if (err.code == -ENOENT)	/* it existed when the dump began */
			ret = kern_err(c, "address space %u was destroyed during the dump (ENOENT); %s",
				       d->id, d->mode == 2 ? "nothing was written" :
				       "the output is incomplete");
		else
			ret = explain(c, "dump", &err);
		goto out;
	}
	finish(d);
	ret = copy_out(d);
	if (ret)
		ret = kern_err(c, "write error: %s", strerror(-ret));
	if (tries > 1)
		fprintf(stderr, "%s dump: consistent after %u attempts\n", c->prog, tries);
	if (stats) {
		struct rusage ru;
		double dt;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr, "%s dump: stats: %llu entries (%llu leaves) in %.3f s, %.0f entries/s, %u attempt%s, peak RSS %ld KiB\n",
			c->prog, (unsigned long long)d->n_entries,
			(unsigned long long)d->n_leaves, dt,
			dt > 0 ? (double)d->n_entries / dt : 0.0, tries,
			tries == 1 ? "" : "s", ru.ru_maxrss);
	}
out:
	if (rec_fd >= 0) {
		if (replay && *replay) {	/* the handle reads rec_fd */
			iopgt_netlink_close(c->nl);
			c->nl = saved_nl;
		} else {
			iopgt_netlink_record(c->nl, -1);
		}
		close(rec_fd);
	}
	free(d);
	return ret;
}
