// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt walk, regs: the descriptors translating one IOVA, and the hardware
 * configuration of an address space, decoded.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------ walk */

enum { O_JSON, O_HW };
static const struct opt walk_opts[] = {
	[O_JSON] = { "json", NULL, "one JSON object" },
	[O_HW] = { "hw", NULL, "also ask io-pgtable's own pgtable_walk (where the kernel has it)" },
	{ 0 }
};

static void print_level(const struct iopgt_fmt_ctx *ctx, const struct iopgt_walk *w,
			const struct iopgt_walk_level *l)
{
	struct iopgt_pte_info pi;
	char p[64], sz[16];
	int hidden = l->kind == IOPGT_PTE_TABLE && (w->out_flags & IOPGT_WALK_ADDR_HIDDEN);

	iopgt_decode_pte(ctx, l->pte, l->level, &pi);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "level", "  L%llu", l->level);
	print_uint(PRINT_ANY, "index", " [%4llu]", l->index);
	print_hex(PRINT_ANY, "pte", " 0x%016llx", l->pte);
	print_string(PRINT_ANY, "kind", " %-7s", iopgt_kind_name(l->kind));
	print_uint(PRINT_JSON, "span_log2", NULL, l->span_log2);
	print_string(PRINT_FP, NULL, " %5s", l->span_log2 < 64 ?
		     iopgt_size_str(1ULL << l->span_log2, sz, sizeof(sz)) : "?");
	print_hex(PRINT_ANY, "oa", hidden ? " -> hidden" : " -> 0x%llx", l->oa);
	print_hex(PRINT_JSON, "table_pa", NULL, l->table_pa);
	print_string(PRINT_JSON, "prot", NULL, l->kind >= IOPGT_PTE_BLOCK ?
		     iopgt_prot_str(pi.prot, p, sizeof(p)) : "");
	print_fields(PRINT_ANY, "attrs", pi.nfields ? "  %s" : NULL, pi.f, pi.nfields);
	if (pi.kind != l->kind)
		print_string(PRINT_FP, NULL, " !decoder=%s", iopgt_kind_name(pi.kind));
	print_text("\n");
	close_json_object();
}

/* io-pgtable's own pgtable_walk result (--hw) */
static void print_hw_ptes(const struct iopgt_walk *w, int asked)
{
	unsigned int i;

	if (!(w->out_flags & IOPGT_WALK_HW_DONE)) {
		if (asked)
			print_text("  (no io-pgtable pgtable_walk for this format/kernel)\n");
		return;
	}
	print_text("  pgtable_walk ptes:");
	open_json_array("hw_ptes", 0);
	for (i = 0; i < 4; i++)
		print_hex(PRINT_ANY, NULL, " 0x%016llx", w->hw_ptes[i]);
	close_json_array();
	print_text("\n");
}

static int walk_fn(struct cli *c, struct args *a)
{
	struct iopgt_err err = { 0 };
	struct iopgt_hw_cfg hw;
	struct iopgt_fmt_ctx ctx;
	struct iopgt_walk w;
	uint32_t id, i;
	uint64_t iova;
	int ret, mapped;

	need_id(c, a, 2);
	if (a->npos != 2)
		return usage_err(c, "want ID IOVA");
	if (arg_id(c, a->pos[0], &id) || arg_u64(c, "IOVA", a->pos[1], &iova))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_query_hw_cfg(&c->dev, id, &hw, &err) ||
	    iopgt_query_walk(&c->dev, id, iova, a->set[O_HW] ? IOPGT_WALK_HW : 0, &w, &err)) {
		if (err.code == -ENOENT)
			return no_as_err(c, id);
		if (err.code == -ERANGE)
			return kern_err(c, "walk 0x%llx: outside the input address range (ERANGE)",
					(unsigned long long)iova);
		return explain(c, "walk", &err);
	}
	iopgt_fmt_ctx_from_hw(&ctx, &hw);
	if (w.n_levels > IOPGT_MAX_LEVELS)
		w.n_levels = IOPGT_MAX_LEVELS;
	mapped = !!(w.out_flags & IOPGT_WALK_MAPPED);
	out_init(stdout, a->set[O_JSON]);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "as", "AS %llu", id);
	print_string(PRINT_ANY, "format", " %s", fmt_name_or(hw.format));
	print_hex(PRINT_ANY, "iova", " iova 0x%llx: ", iova);
	print_flag(PRINT_JSON, "mapped", NULL, mapped);
	print_hex(PRINT_ANY, "phys", mapped ? "-> 0x%llx\n" : "not mapped\n", w.phys);
	open_json_array("levels", 0);
	for (i = 0; i < w.n_levels; i++)
		print_level(&ctx, &w, &w.levels[i]);
	close_json_array();
	print_hw_ptes(&w, a->set[O_HW]);
	close_json_object();
	return 0;
}

const struct command cmd_walk = {
	.name = "walk",
	.summary = "descriptors translating IOVA, decoded",
	.args = "ID IOVA",
	.usage = "  The descriptors that translate IOVA, top table first: level, index, raw\n"
		 "  descriptor, kind and decoded fields.\n"
		 "  Table addresses need CAP_SYS_ADMIN (opener and caller): otherwise the\n"
		 "  kernel zeroes the address bits of table descriptors, shown as hidden.\n",
	.opts = walk_opts,
	.max_pos = 2,
	.fn = walk_fn,
};

/* ------------------------------------------------------------------ regs */

enum { R_JSON };
static const struct opt regs_opts[] = {
	[R_JSON] = { "json", NULL, "one JSON object" },
	{ 0 }
};

static void print_regs(const struct iopgt_hw_cfg *hw)
{
	struct iopgt_reg regs[IOPGT_MAX_REGS + 4];
	unsigned int n = iopgt_decode_regs(hw, regs, sizeof(regs) / sizeof(regs[0])), i;

	open_json_array("raw", 0);
	for (i = 0; i < IOPGT_HW_NREGS; i++)
		print_hex(PRINT_JSON, NULL, NULL, hw->regs[i]);
	close_json_array();
	open_json_array("regs", 0);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "name", "  %-16s", regs[i].name);
		print_hex(PRINT_ANY, "value", " 0x%016llx", regs[i].value);
		print_fields(PRINT_ANY, "fields", regs[i].nfields ? "  %s" : NULL,
			     regs[i].f, regs[i].nfields);
		print_text("\n");
		close_json_object();
	}
	close_json_array();
}

static int regs_fn(struct cli *c, struct args *a)
{
	struct iopgt_err err = { 0 };
	struct iopgt_hw_cfg hw;
	char pg[128], q[128];
	uint32_t id;
	int ret;

	need_id(c, a, 1);
	if (a->npos != 1)
		return usage_err(c, "want ID");
	if (arg_id(c, a->pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_query_hw_cfg(&c->dev, id, &hw, &err)) {
		if (err.code == -ENOENT)
			return no_as_err(c, id);
		return explain(c, "regs", &err);
	}
	out_init(stdout, a->set[R_JSON]);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "as", "AS %llu", id);
	print_uint(PRINT_JSON, "format", NULL, hw.format);
	print_string(PRINT_ANY, "format_name", " %s:", fmt_name_or(hw.format));
	print_uint(PRINT_ANY, "levels", " levels=%llu", hw.levels);
	print_uint(PRINT_ANY, "start_level", " start_level=%llu", hw.start_level);
	print_uint(PRINT_ANY, "ias", " ias=%llu", hw.ias);
	print_uint(PRINT_ANY, "oas", " oas=%llu", hw.oas);
	print_hex(PRINT_JSON, "pgsize_bitmap", NULL, hw.pgsize_bitmap);
	print_string(PRINT_FP, NULL, " pgsizes=%s", iopgt_pgsizes_str(hw.pgsize_bitmap, pg, sizeof(pg)));
	print_hex(PRINT_JSON, "quirks", NULL, hw.quirks);
	print_string(PRINT_FP, NULL, " quirks=%s", iopgt_quirks_str(hw.quirks, q, sizeof(q)));
	print_flag(PRINT_ANY, "addr_hidden", " (table addresses hidden: need CAP_SYS_ADMIN)",
		   hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN);
	print_text("\n");
	print_regs(&hw);
	close_json_object();
	return 0;
}

const struct command cmd_regs = {
	.name = "regs",
	.summary = "hardware configuration, decoded",
	.args = "ID",
	.usage = "  The hardware configuration of an address space (GET_HW_CFG): the register\n"
		 "  values a driver would program, decoded (TCR/VTCR fields, MAIR attribute\n"
		 "  slots, Mali TRANSTAB/MEMATTR, v7s TTBR/NMRR/PRRR, generic_pt roots).\n"
		 "  Table addresses need CAP_SYS_ADMIN (otherwise shown as hidden).\n",
	.opts = regs_opts,
	.max_pos = 1,
	.fn = regs_fn,
};
