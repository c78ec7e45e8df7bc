// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt dump: stream one address space's tree from the generic netlink dump
 * and render it as an indented tree, ptdump-style ranges, versioned JSON or
 * Graphviz. Memory use is constant: every entry is rendered as it arrives.
 *
 * Consistency: when the kernel flags NLM_F_DUMP_INTR (the tables changed
 * under the dump) the output of the attempt is discarded and the dump is
 * retried (bounded). The destination is written only once a dump has
 * succeeded (spool.c): output is spooled to an unlinked temporary file (O_TMPFILE in
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fmtnum.h"
#include "reline.h"
#include "spool.h"
#include "../lib/nl_priv.h"

enum { F_TREE, F_RANGES, F_JSON, F_DOT };
/* the hexmemos of the entry fields (fmtnum.h) */
enum { HM_IOVA, HM_PTE, HM_OA, HM_TABLE, HM_N };
/* the kinds with a name (IOPGT_PTE_*), then one for any other value */
#define KIND_N	(IOPGT_PTE_PAGE + 2)

struct dump {
	struct cli *c;
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
	/* the per-entry path's constant pieces (begin()) and its hexmemos */
	char tsize[64][24];	/* tree: " %5s -> " of sizes[i] */
	uint8_t tsize_len[64];
	char kname[2][KIND_N][16];	/* kind names: as is, "%-5s" */
	uint8_t kname_len[2][KIND_N];
	struct hexmemo hm[HM_N];
	struct reline rl;	/* the last tree or json entry line */
	/* output handling */
	struct spool sp;
	/*
	 * Entry lines are formatted here (line_begin()) and go to sp.out's
	 * file in writes of about 128K (an fwrite per line cost ~9% of a json
	 * dump, a copy per line more); stage_flush() before any other write
	 * to sp.out keeps the order.
	 */
	size_t staged;
	int werr;		/* errno of a failed write of the stage */
	char stage[1 << 17];
	unsigned int attempt;
	unsigned int max_tries;
	/* IOPGT_DUMP_CAPTURE / IOPGT_DUMP_REPLAY */
	int rec_fd;
	int replaying;
	struct iopgt_netlink *saved_nl;
};


/* ------------------------------------------------------------------ rendering */

/*
 * The staged lines straight to the stream's file (after what stdio holds
 * of it): no copy through the FILE's buffer. A failed write is kept in
 * werr and reported once the dump ends.
 */
static void stage_flush(struct dump *d)
{
	const char *b = d->stage;
	size_t n = d->staged;
	int fd;

	d->staged = 0;
	if (!n || d->werr)
		return;
	if (fflush(d->sp.out)) {
		d->werr = errno ? errno : EIO;
		return;
	}
	fd = fileno(d->sp.out);
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			d->werr = w < 0 ? errno : EIO;
			return;
		}
		b += w;
		n -= (size_t)w;
	}
}

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

	stage_flush(d);
	if (count == 1)
		fprintf(d->sp.out, "%*s... 1 empty entry [%llu] ...\n", 2 * depth, "",
			(unsigned long long)first);
	else
		fprintf(d->sp.out, "%*s... %llu empty entries [%llu-%llu] ...\n",
			2 * depth, "", (unsigned long long)count,
			(unsigned long long)first,
			(unsigned long long)(first + count - 1));
}

static void range_emit(const struct range_run *r, void *arg)
{
	struct dump *d = arg;
	char tot[16], pg[16];

	stage_flush(d);
	if (d->fmt == F_RANGES) {
		fprintf(d->sp.out, "0x%016llx-0x%016llx %6s  %4s x%-7llu -> 0x%016llx  %s\n",
			(unsigned long long)r->iova, (unsigned long long)r->end,
			iopgt_size_str(r->end - r->iova, tot, sizeof(tot)),
			iopgt_size_str(1ULL << r->span_log2, pg, sizeof(pg)),
			(unsigned long long)r->count, (unsigned long long)r->oa, r->key);
		return;
	}
	/* dot: one node per run of leaves */
	d->seq++;
	fprintf(d->sp.out,
		"  n%llu [shape=record, style=filled, fillcolor=\"#e8f4e8\", label=\"{L%u %s x%llu|iova 0x%llx-0x%llx|-> 0x%llx|",
		(unsigned long long)d->seq, r->level,
		iopgt_size_str(1ULL << r->span_log2, pg, sizeof(pg)),
		(unsigned long long)r->count, (unsigned long long)r->iova,
		(unsigned long long)r->end, (unsigned long long)r->oa);
	{
		const char *s;

		for (s = r->key; *s; s++) {
			if (strchr("{}|<>\"\\", *s))
				fputc('\\', d->sp.out);
			fputc(*s, d->sp.out);
		}
	}
	fprintf(d->sp.out, "}\"];\n  n%llu -> n%llu;\n",
		(unsigned long long)d->run_parent, (unsigned long long)d->seq);
}

static int raw_shortcut_ok(const struct iopgt_fmt_ctx *ctx);

/*
 * The header: "# AS ..." and filter lines of tree and ranges, the "as" and
 * "filter" objects of json, from one set of calls.
 */
static void header(struct dump *d)
{
	char pg[128], q[128];
	unsigned int i;

	print_string(PRINT_JSON, "schema", NULL, "iopgt-dump");
	print_uint(PRINT_JSON, "version", NULL, 1);
	open_json_object("as");
	print_uint(PRINT_ANY, "id", "# AS %llu", d->id);
	print_string(PRINT_ANY, "format", " %s", fmt_name_or(d->ctx.format));
	print_uint(PRINT_JSON, "format_id", NULL, d->ctx.format);
	print_uint(PRINT_ANY, "levels", " levels=%llu", d->hw.levels);
	print_uint(PRINT_ANY, "start_level", " start_level=%llu", d->hw.start_level);
	print_uint(PRINT_ANY, "ias", " ias=%llu", d->hw.ias);
	print_uint(PRINT_ANY, "oas", " oas=%llu", d->hw.oas);
	print_hex(PRINT_JSON, "pgsize_bitmap", NULL, d->hw.pgsize_bitmap);
	print_string(PRINT_FP, NULL, " pgsizes=%s",
		     iopgt_pgsizes_str(d->hw.pgsize_bitmap, pg, sizeof(pg)));
	print_hex(PRINT_JSON, "quirks", NULL, d->hw.quirks);
	print_string(PRINT_FP, NULL, " quirks=%s", iopgt_quirks_str(d->hw.quirks, q, sizeof(q)));
	if (d->have_ai) {
		print_hex(PRINT_ANY, "mapped_bytes", " mapped=0x%llx", d->ai.mapped_bytes);
		print_uint(PRINT_ANY, "generation", " generation=%llu", d->ai.generation);
		print_flag(PRINT_JSON, "persistent", NULL, d->ai.flags & IOPGT_AS_INFO_PERSISTENT);
	}
	if (d->have_hw) {
		open_json_array("regs", 0);
		for (i = 0; i < IOPGT_HW_NREGS; i++)
			print_hex(PRINT_JSON, NULL, NULL, d->hw.regs[i]);
		close_json_array();
	}
	close_json_object();
	print_text("\n");
	open_json_object("filter");
	if (d->filter.has_range) {
		print_hex(PRINT_ANY, "iova_start", "# iova filter 0x%llx", d->filter.iova_start);
		print_hex(PRINT_ANY, "iova_end", "-0x%llx\n", d->filter.iova_end);
	}
	if (d->filter.max_depth >= 0)
		print_int(PRINT_ANY, "max_depth", "# depth filter 0..%lld\n", d->filter.max_depth);
	close_json_object();
}

static void header_dot(struct dump *d)
{
	char pg[128];

	fprintf(d->sp.out, "digraph iopgt {\n  graph [rankdir=LR, fontname=\"monospace\", label=\"AS %u %s ias=%u oas=%u pgsizes=%s\"];\n"
		"  node [shape=record, fontname=\"monospace\", fontsize=10];\n"
		"  edge [fontname=\"monospace\", fontsize=9];\n",
		d->id, fmt_name_or(d->ctx.format), d->hw.ias, d->hw.oas,
		iopgt_pgsizes_str(d->hw.pgsize_bitmap, pg, sizeof(pg)));
	if (d->have_hw && !(d->hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN))
		fprintf(d->sp.out, "  n0 [style=filled, fillcolor=\"#dde8f8\", label=\"{top table L%u|pa 0x%llx}\"];\n",
			d->hw.start_level, (unsigned long long)d->hw.regs[7]);
	else
		fprintf(d->sp.out, "  n0 [style=filled, fillcolor=\"#dde8f8\", label=\"{top table L%u}\"];\n",
			d->hw.start_level);
}

/* the constant pieces of entry lines, the hexmemos emptied */
static void pieces_init(struct dump *d)
{
	unsigned int i;
	int n;

	for (i = 0; i < 64; i++) {
		n = snprintf(d->tsize[i], sizeof(d->tsize[i]), " %5s -> ", d->sizes[i]);
		d->tsize_len[i] = (uint8_t)(n < (int)sizeof(d->tsize[i]) ? n : 0);
	}
	for (i = 0; i < KIND_N; i++) {
		const char *k = iopgt_kind_name(i);

		n = snprintf(d->kname[0][i], sizeof(d->kname[0][i]), "%s", k);
		d->kname_len[0][i] = (uint8_t)n;
		n = snprintf(d->kname[1][i], sizeof(d->kname[1][i]), "%-5s", k);
		d->kname_len[1][i] = (uint8_t)n;
	}
	memset(d->hm, 0, sizeof(d->hm));
	d->rl.valid = 0;
}

static void begin(struct dump *d)
{
	unsigned int i;

	d->n_entries = d->n_tables = d->n_leaves = 0;
	memset(d->by_size, 0, sizeof(d->by_size));
	d->dc.valid = 0;
	d->raw_ok = raw_shortcut_ok(&d->ctx);
	for (i = 0; i < 64; i++)
		iopgt_size_str(1ULL << i, d->sizes[i], sizeof(d->sizes[i]));
	pieces_init(d);
	treegap_init(&d->tg, d->have_hw ? d->slot : NULL,
		     d->have_hw ? d->ents : NULL, !d->filtered && d->collapse,
		     tree_gap, d);
	coalescer_init(&d->co, range_emit, d);
	d->seq = 0;
	memset(d->parent, 0, sizeof(d->parent));
	if (d->fmt == F_DOT) {
		header_dot(d);
		return;
	}
	out_init(d->sp.out, d->fmt == F_JSON);
	open_json_object(NULL);
	header(d);
	if (d->fmt == F_RANGES)
		print_text("# %-35s %6s  %12s  %-18s  %s\n", "iova range",
			   "size", "pages", "output address", "prot | attributes");
	open_json_array("entries", 0);
	if (d->fmt == F_JSON)
		fputc('\n', d->sp.out);
}

/* ------------------------------------------------------------------ hot path */

/*
 * The per-entry path formats by hand into one line buffer (fmtnum.h): the
 * same bytes as the printf formats it replaced (userspace/tests/golden
 * holds what those wrote).
 */
#define PUT_LIT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), (p) + sizeof(lit) - 1)

/* a JSON string: as json_str() in lib/decode.c */

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
/* decode @e and render what the output formats print of its attributes */
static void decode_entry(struct dump *d, const struct iopgt_tree_entry *e)
{
	struct iopgt_pte_info pi;
	int leaf = e->kind == IOPGT_PTE_BLOCK || e->kind == IOPGT_PTE_PAGE;
	char *p;

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
		/* 20 x (6 x (16 + 47) + 8) < 8192 - 200 */
		p = PUT_LIT(p, ",\"attrs\":");
		p = json_fields(p, pi.f, pi.nfields < IOPGT_MAX_FIELDS ? pi.nfields : IOPGT_MAX_FIELDS);
		p = PUT_LIT(p, "}\n");
		d->dc.jtail_len = (size_t)(p - d->dc.jtail);
	}
	d->dc.valid = d->raw_ok;
	d->dc.level = e->level;
	d->dc.kind = e->kind;
}

/* the longest entry line: indent, fields, attributes (dc.attrs, dc.jtail) */
#define LINE_MAX_LEN	(8192 + 512)

/* where the next entry line is formatted: in the stage, room for one line */
static inline char *line_begin(struct dump *d)
{
	if (sizeof(d->stage) - d->staged < LINE_MAX_LEN)
		stage_flush(d);
	return d->stage + d->staged;
}

static inline void line_end(struct dump *d, const char *end)
{
	d->staged = (size_t)(end - d->stage);
}

/* the name of @kind, padded as "%-5s" when @pad */
static inline char *put_kind(const struct dump *d, char *p, uint32_t kind, int pad)
{
	uint32_t k = kind < KIND_N - 1 ? kind : KIND_N - 1;

	memcpy(p, d->kname[pad][k], 16);
	return p + d->kname_len[pad][k];
}

/*
 * "%*sL%u[%u] 0x%016llx %-5s 0x%016llx %5s -> %s%s%s\n". Inlined into
 * on_entry() like entry_json(): a call per entry costs ~4% of a dump.
 */
static inline __attribute__((always_inline)) void entry_tree(struct dump *d, const struct iopgt_tree_entry *e, uint32_t depth, int hit)
{
	const uint64_t key[RELINE_KEY] = {
		(uint64_t)depth << 32 | e->level, (uint64_t)e->span_log2 << 32 | e->kind, 0,
	};
	const uint64_t hex[RELINE_HEX] = { e->pte, e->iova, e->oa };
	struct reline_fields f;
	char *p, *l;

	/* gap lines first: they flush the stage */
	treegap_step(&d->tg, depth, e->index, e->span_log2, e->kind == IOPGT_PTE_TABLE);
	p = line_begin(d);
	/* the attributes are the last line's: maybe the same line, new digits */
	if (hit && (l = reline_put(&d->rl, p, key, e->index, hex))) {
		line_end(d, l);
		return;
	}
	l = p;
	memset(&f, 0, sizeof(f));
	f.fixed[0] = f.fixed[1] = 1;
	memset(p, ' ', 2 * depth);
	p += 2 * depth;
	*p++ = 'L';
	p = put_dec(p, e->level);
	*p++ = '[';
	f.idx_off = (uint32_t)(p - l);
	p = put_dec(p, e->index);
	f.idx_len = (uint32_t)(p - l) - f.idx_off;
	f.index = e->index;
	p = PUT_LIT(p, "] 0x");
	p = put_hex16_memo(p, e->pte, &d->hm[HM_PTE]);
	f.hex_end[0] = (uint32_t)(p - l);
	*p++ = ' ';
	/* "%-5s " of the kind, "0x" */
	p = put_kind(d, p, e->kind, 1);
	p = PUT_LIT(p, " 0x");
	p = put_hex16_memo(p, e->iova, &d->hm[HM_IOVA]);
	f.hex_end[1] = (uint32_t)(p - l);
	/* " %5s" of the size, " -> " */
	if (e->span_log2 < 64) {
		memcpy(p, d->tsize[e->span_log2], sizeof(d->tsize[0]));
		p += d->tsize_len[e->span_log2];
	} else {
		p = PUT_LIT(p, "     ? -> ");
	}
	/* a table is never at PA 0: 0 means the kernel hid it */
	if (e->kind == IOPGT_PTE_TABLE && !e->oa) {
		p = PUT_LIT(p, "hidden");
		f.hex[2] = 0;	/* no such field: not kept */
	} else {
		p = PUT_LIT(p, "0x");
		p = put_hex_memo(p, e->oa, &d->hm[HM_OA]);
		f.hex[2] = e->oa;
	}
	f.hex_end[2] = (uint32_t)(p - l);
	if (d->dc.attrs_len) {
		p = PUT_LIT(p, "  ");
		memcpy(p, d->dc.attrs, d->dc.attrs_len);
		p += d->dc.attrs_len;
	}
	*p++ = '\n';
	line_end(d, p);
	f.hex[0] = e->pte;
	f.hex[1] = e->iova;
	reline_save(&d->rl, key, l, (size_t)(p - l), &f);
}

static inline __attribute__((always_inline)) void entry_json(struct dump *d, const struct iopgt_tree_entry *e, int hit)
{
	const uint64_t key[RELINE_KEY] = {
		(uint64_t)e->depth << 32 | e->level, (uint64_t)e->span_log2 << 32 | e->kind,
		e->table_pa,
	};
	const uint64_t hex[RELINE_HEX] = { e->iova, e->pte, e->oa };
	struct reline_fields f;
	char *p = line_begin(d), *l = p;

	/*
	 * The attributes are the last line's and that line had its comma:
	 * maybe the same line, new digits.
	 */
	if (hit && d->n_entries > 2 && (l = reline_put(&d->rl, p, key, e->index, hex))) {
		line_end(d, l);
		return;
	}
	l = p;
	memset(&f, 0, sizeof(f));
	f.hex[0] = e->iova;
	f.hex[1] = e->pte;
	f.hex[2] = e->oa;
	if (d->n_entries > 1)
		*p++ = ',';
	p = PUT_LIT(p, "{\"depth\":");
	p = put_dec(p, e->depth);
	p = PUT_LIT(p, ",\"level\":");
	p = put_dec(p, e->level);
	p = PUT_LIT(p, ",\"index\":");
	f.idx_off = (uint32_t)(p - l);
	p = put_dec(p, e->index);
	f.idx_len = (uint32_t)(p - l) - f.idx_off;
	f.index = e->index;
	p = PUT_LIT(p, ",\"iova\":\"0x");
	p = put_hex_memo(p, e->iova, &d->hm[HM_IOVA]);
	f.hex_end[0] = (uint32_t)(p - l);
	p = PUT_LIT(p, "\",\"span_log2\":");
	p = put_dec(p, e->span_log2);
	p = PUT_LIT(p, ",\"kind\":\"");
	p = put_kind(d, p, e->kind, 0);
	p = PUT_LIT(p, "\",\"pte\":\"0x");
	p = put_hex_memo(p, e->pte, &d->hm[HM_PTE]);
	f.hex_end[1] = (uint32_t)(p - l);
	p = PUT_LIT(p, "\",\"oa\":\"0x");
	p = put_hex_memo(p, e->oa, &d->hm[HM_OA]);
	f.hex_end[2] = (uint32_t)(p - l);
	p = PUT_LIT(p, "\",\"table_pa\":\"0x");
	p = put_hex_memo(p, e->table_pa, &d->hm[HM_TABLE]);
	*p++ = '"';
	memcpy(p, d->dc.jtail, d->dc.jtail_len);
	p += d->dc.jtail_len;
	line_end(d, p);
	reline_save(&d->rl, key, l, (size_t)(p - l), &f);
}

static void entry_dot(struct dump *d, const struct iopgt_tree_entry *e, uint32_t depth)
{
	uint64_t parent = d->parent[depth];

	if (e->kind != IOPGT_PTE_TABLE) {	/* a leaf */
		if (!d->co.active || d->run_parent != d->parent[depth] ||
		    d->run_depth != depth) {
			coalescer_flush(&d->co);
			d->run_parent = d->parent[depth];
			d->run_depth = depth;
		}
		coalescer_feed(&d->co, e->iova, e->span_log2, e->level, e->oa, d->dc.attrs);
		return;
	}
	coalescer_flush(&d->co);
	stage_flush(d);
	d->seq++;
	d->parent[depth + 1] = d->seq;
	fprintf(d->sp.out, "  n%llu [style=filled, fillcolor=\"#dde8f8\", label=\"{L%u table|iova 0x%llx",
		(unsigned long long)d->seq, e->level, (unsigned long long)e->iova);
	if (e->oa)
		fprintf(d->sp.out, "|pa 0x%llx", (unsigned long long)e->oa);
	fprintf(d->sp.out, "}\"];\n  n%llu -> n%llu [label=\"[%u]\"];\n",
		(unsigned long long)parent, (unsigned long long)d->seq, e->index);
}

/* ranges: a leaf that continues the run with the same descriptor bits */
static int extends_run(struct dump *d, const struct iopgt_tree_entry *e)
{
	struct range_run *r = &d->co.cur;

	if (!d->co.active || r->span_log2 != e->span_log2 || r->level != e->level ||
	    r->end != e->iova || !r->end || r->oa + (r->end - r->iova) != e->oa ||
	    d->dc.attrs_len >= sizeof(r->key))
		return 0;
	r->end += e->span_log2 >= 64 ? 0 : 1ULL << e->span_log2;
	r->count++;
	return 1;
}

static int on_entry(const struct iopgt_tree_entry *e, void *arg)
{
	struct dump *d = arg;
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
	if (d->fmt == F_RANGES && hit && leaf && extends_run(d, e)) {
		d->dc.pte = e->pte;
		d->dc.oa = e->oa;
		return 0;
	}
	if (!hit)
		decode_entry(d, e);
	d->dc.pte = e->pte;
	d->dc.oa = e->oa;
	switch (d->fmt) {
	case F_TREE:
		entry_tree(d, e, depth, hit);
		break;
	case F_RANGES:
		if (leaf)
			coalescer_feed(&d->co, e->iova, e->span_log2, e->level, e->oa,
				       d->dc.attrs);
		break;
	case F_JSON:
		entry_json(d, e, hit);
		break;
	case F_DOT:
		if (leaf || e->kind == IOPGT_PTE_TABLE)
			entry_dot(d, e, depth);
		break;
	}
	return 0;
}

/* the summary: "# N entries: ..." of tree and ranges, "summary" of json */
static void summary(struct dump *d)
{
	unsigned int i;

	close_json_array();
	open_json_object("summary");
	print_uint(PRINT_ANY, "entries", "# %llu entries: ", d->n_entries);
	print_uint(PRINT_ANY, "tables", "%llu tables, ", d->n_tables);
	print_uint(PRINT_ANY, "leaves", "%llu leaves", d->n_leaves);
	print_uint(PRINT_JSON, "attempts", NULL, d->attempt);
	open_json_object("leaves_by_size");
	for (i = 0; i < 64; i++) {
		if (!d->by_size[i])
			continue;
		print_uint(PRINT_JSON, d->sizes[i], NULL, d->by_size[i]);
		print_text(" %llu x %s", (unsigned long long)d->by_size[i], d->sizes[i]);
	}
	close_json_object();
	close_json_object();
	print_text("\n");
	close_json_object();
}

static void finish(struct dump *d)
{
	stage_flush(d);
	switch (d->fmt) {
	case F_TREE:
		treegap_finish(&d->tg);
		if (!d->n_entries)
			print_text("(empty: no valid descriptor in the top table)\n");
		summary(d);
		break;
	case F_RANGES:
		coalescer_flush(&d->co);
		print_text("# %llu ranges; ", (unsigned long long)d->co.runs);
		summary(d);
		break;
	case F_JSON:
		summary(d);
		break;
	case F_DOT:
		coalescer_flush(&d->co);
		fprintf(d->sp.out, "}\n");
		break;
	}
}

/* ------------------------------------------------------------------ output */

static int restart(void *arg)
{
	struct dump *d = arg;
	int ret;

	d->attempt++;
	stage_flush(d);	/* as unstaged output: spool_restart() drops it */
	fprintf(stderr, "%s dump: the tables changed during the dump (NLM_F_DUMP_INTR); retrying (attempt %u of %u)\n",
		d->c->prog, d->attempt, d->max_tries);
	ret = spool_restart(&d->sp);
	if (!ret && d->werr)
		ret = -d->werr;
	if (ret)
		return ret;
	begin(d);
	return 0;
}

/* ------------------------------------------------------------------ command */

enum { O_FORMAT, O_RANGE, O_LEVEL, O_RETRIES, O_NOCOLLAPSE, O_NOBUF, O_STATS, O_JSON };
static const struct opt dump_opts[] = {
	[O_FORMAT] = { "format", "tree|ranges|json|dot", "output format (default tree)" },
	[O_RANGE] = { "iova-range", "A-B|A+LEN", "only entries overlapping A-B (inclusive) or A+LEN" },
	[O_LEVEL] = { "level", "N", "only depths 0..N (0 = top table)" },
	[O_RETRIES] = { "retries", "N", "attempts when the tables change mid-dump (default 8)" },
	[O_NOCOLLAPSE] = { "no-collapse", NULL, "print every empty entry instead of collapsing runs of them" },
	[O_NOBUF] = { "no-buffer", NULL, "stream to stdout even when a retry could not undo output" },
	[O_STATS] = { "stats", NULL, "print entries, time, rate and peak RSS to stderr" },
	[O_JSON] = { "json", NULL, "same as --format json" },
	{ 0 }
};

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

static int dump_parse_format(struct cli *c, struct dump *d, const struct args *a)
{
	static const char *const names[] = {
		[F_TREE] = "tree", [F_RANGES] = "ranges", [F_JSON] = "json", [F_DOT] = "dot",
	};
	const char *fmt_s = a->set[O_JSON] ? "json" : a->val[O_FORMAT];
	unsigned int i;

	if (!fmt_s)
		fmt_s = "tree";
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(fmt_s, names[i])) {
			d->fmt = (int)i;
			return 0;
		}
	return usage_err(c, "bad --format '%s': want tree, ranges, json or dot", fmt_s);
}

static int dump_parse(struct cli *c, struct dump *d, struct args *a)
{
	const char *range_s = a->val[O_RANGE], *level_s = a->val[O_LEVEL];
	uint32_t l;
	int r;

	need_id(c, a, 1);
	if (a->npos != 1)
		return usage_err(c, "want ID");
	if (arg_id(c, a->pos[0], &d->id) || dump_parse_format(c, d, a))
		return EXIT_USAGE;
	if (range_s) {
		r = parse_range(range_s, &d->filter.iova_start, &d->filter.iova_end);
		if (r)
			return usage_err(c, "bad --iova-range '%s': %s", range_s,
					 r == -ERANGE ? "end before start or overflow" :
					 "want A-B or A+LEN");
		d->filter.has_range = 1;
		d->filtered = 1;
	}
	if (level_s) {
		if (arg_u32(c, "--level", level_s, &l))
			return EXIT_USAGE;
		if (l >= IOPGT_MAX_LEVELS)
			return usage_err(c, "bad --level '%s': depths run from 0 (top table) to %d",
					 level_s, IOPGT_MAX_LEVELS - 1);
		d->filter.max_depth = (int)l;
		d->filtered = 1;
	}
	if (a->val[O_RETRIES] && arg_u32(c, "--retries", a->val[O_RETRIES], &d->max_tries))
		return EXIT_USAGE;
	if (!d->max_tries)
		d->max_tries = 1;
	d->collapse = !a->set[O_NOCOLLAPSE];
	return 0;
}

/* IOPGT_DUMP_REPLAY: the context and the messages from a recording */
static int dump_replay(struct cli *c, struct dump *d, const char *replay)
{
	struct iopgt_err err = { 0 };
	int r;

	d->rec_fd = open(replay, O_RDONLY | O_CLOEXEC);
	if (d->rec_fd < 0)
		return kern_err(c, "IOPGT_DUMP_REPLAY: cannot open '%s': %s",
				replay, strerror(errno));
	r = replay_load(d, d->rec_fd);
	if (r)
		return kern_err(c, "IOPGT_DUMP_REPLAY: '%s' %s", replay,
				r > 0 ? "is not a dump recording of this iopgt build" :
				strerror(-r));
	d->saved_nl = c->nl;	/* a script's socket, back at the end */
	d->replaying = 1;
	if (iopgt_netlink_open_stream(&c->nl, d->rec_fd, &err))
		return explain(c, "replay", &err);
	return 0;
}

/* the context: hardware config via the device; fall back to netlink */
static int dump_context(struct cli *c, struct dump *d)
{
	struct iopgt_err err = { 0 };
	int i, ret;

	if (!c->dev_open && !iopgt_open_device(&c->dev, c->dev_path, NULL))
		c->dev_open = 1;
	if (c->dev_open && !iopgt_query_hw_cfg(&c->dev, d->id, &d->hw, &err)) {
		iopgt_fmt_ctx_from_hw(&d->ctx, &d->hw);
		d->have_hw = tree_geometry(&d->hw, d->slot, d->ents, TREE_MAX_DEPTH) > 0;
		if (!d->have_hw)
			for (i = 0; i < TREE_MAX_DEPTH; i++)
				d->slot[i] = -1;
		d->have_ai = !iopgt_query_as_info(&c->dev, d->id, &d->ai, NULL);
	} else if (c->dev_open && err.code == -ENOENT) {
		return no_as_err(c, d->id);
	}
	if ((ret = cli_open_nl(c)))
		return ret;
	if (!d->ctx.format) {
		if (iopgt_netlink_dump_as(c->nl, 0, find_as_cb, d, &err) < 0)
			return explain_nl(c, "AS_GET dump", &err);
		if (!d->ctx.format)
			return no_as_err(c, d->id);
		d->have_hw = 0;
	}
	if (!d->have_hw && d->hw.levels && !d->ctx.have_regs)
		d->have_hw = tree_geometry(&d->hw, d->slot, d->ents, TREE_MAX_DEPTH) > 0;
	return 0;
}

static void dump_stats(struct cli *c, struct dump *d, const struct timespec *t0,
		       unsigned int tries)
{
	struct timespec t1;
	struct rusage ru;
	double dt;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "%s dump: stats: %llu entries (%llu leaves) in %.3f s, %.0f entries/s, %u attempt%s, peak RSS %ld KiB\n",
		c->prog, (unsigned long long)d->n_entries,
		(unsigned long long)d->n_leaves, dt,
		dt > 0 ? (double)d->n_entries / dt : 0.0, tries,
		tries == 1 ? "" : "s", ru.ru_maxrss);
}

/* the dump itself, into the spool (or stdout), then out */
static int dump_run(struct cli *c, struct dump *d, int nobuf, int stats)
{
	struct iopgt_err err = { 0 };
	struct timespec t0;
	unsigned int tries = 0;
	int ret;

	ret = spool_open(&d->sp, nobuf);
	if (ret)
		return kern_err(c, "cannot create a temporary file to spool the dump: %s (use --no-buffer)",
				strerror(-ret));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	d->attempt = 1;
	begin(d);
	ret = iopgt_netlink_dump_tree_retry(c->nl, 0, d->id, &d->filter, on_entry, d,
					    restart, d->max_tries, &tries, &err);
	if (ret) {
		/* never leave a torn or partial tree behind: drop the spool */
		stage_flush(d);
		spool_drop(&d->sp);
		if (err.code == -EPERM)
			return explain_nl(c, "TREE_GET dump", &err);
		if (err.code == -ENOENT)	/* it existed when the dump began */
			return kern_err(c, "address space %u was destroyed during the dump (ENOENT); %s",
					d->id, d->sp.mode == SPOOL_FILE ? "nothing was written" :
					"the output is incomplete");
		return explain(c, "dump", &err);
	}
	finish(d);
	if (d->werr) {
		spool_drop(&d->sp);
		return kern_err(c, "write error: %s", strerror(d->werr));
	}
	ret = spool_copy_out(&d->sp);
	if (ret)
		ret = kern_err(c, "write error: %s", strerror(-ret));
	if (tries > 1)
		fprintf(stderr, "%s dump: consistent after %u attempts\n", c->prog, tries);
	if (stats)
		dump_stats(c, d, &t0, tries);
	return ret;
}

static int dump_fn(struct cli *c, struct args *a)
{
	const char *replay = getenv("IOPGT_DUMP_REPLAY");
	const char *capture = getenv("IOPGT_DUMP_CAPTURE");
	struct dump *d;
	int ret;

	d = calloc(1, sizeof(*d));
	if (!d)
		return kern_err(c, "out of memory");
	d->c = c;
	d->filter.max_depth = -1;
	d->max_tries = 8;
	d->rec_fd = -1;
	ret = dump_parse(c, d, a);
	if (!ret && replay && *replay) {
		ret = dump_replay(c, d, replay);
	} else if (!ret) {
		ret = dump_context(c, d);
		if (!ret && capture && *capture) {
			ret = capture_start(d, capture, &d->rec_fd);
			if (ret)
				ret = kern_err(c, "IOPGT_DUMP_CAPTURE: cannot write '%s': %s",
					       capture, strerror(-ret));
		}
	}
	if (!ret)
		ret = dump_run(c, d, a->set[O_NOBUF], a->set[O_STATS]);
	if (d->replaying) {	/* the handle reads rec_fd */
		iopgt_netlink_close(c->nl);
		c->nl = d->saved_nl;
	} else if (d->rec_fd >= 0) {
		iopgt_netlink_record(c->nl, -1);
	}
	if (d->rec_fd >= 0)
		close(d->rec_fd);
	free(d);
	return ret;
}

const struct command cmd_dump = {
	.name = "dump",
	.summary = "the whole tree: tree, ranges, json or dot",
	.args = "ID",
	.usage = "  Dump an address space's page-table tree (generic netlink; needs\n"
		 "  CAP_NET_ADMIN), streamed in constant memory.\n"
		 "  tree    indented per level: index, raw descriptor, kind, IOVA, span,\n"
		 "          output/next-table address, prot and decoded attributes; runs of\n"
		 "          empty entries are collapsed into '... N empty entries [a-b] ...'\n"
		 "  ranges  ptdump-style: contiguous leaves with equal attributes coalesced\n"
		 "  json    schema \"iopgt-dump\" version 1: {\"schema\",\"version\",\"as\",\n"
		 "          \"filter\",\"entries\":[one object per line],\"summary\"}; 64-bit\n"
		 "          values are hex strings\n"
		 "  dot     Graphviz digraph of tables and leaf runs (dot -Tsvg)\n",
	.opts = dump_opts,
	.max_pos = 1,
	.fn = dump_fn,
};
