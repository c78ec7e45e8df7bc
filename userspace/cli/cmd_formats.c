// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt formats: every format the ABI knows, from GET_INFO (or the generic
 * netlink dump with --netlink).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { O_JSON, O_NETLINK };
static const struct opt formats_opts[] = {
	[O_JSON] = { "json", NULL, "a JSON array, one format per line" },
	[O_NETLINK] = { "netlink", NULL,
			"list them from the generic netlink dump instead of GET_INFO" },
	{ 0 }
};

static const char *backend_str(uint32_t flags)
{
	if (flags & IOPGT_FMT_F_GENERIC_PT)
		return "generic_pt";
	if (flags & IOPGT_FMT_F_IO_PGTABLE)
		return "io-pgtable";
	return "-";
}

/* IOPGT_FMT_RULE_* as words */
static char *rules_str(uint32_t rules, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s",
		 rules & IOPGT_FMT_RULE_IAS_LE_OAS ? "ias<=oas" : "",
		 (rules & IOPGT_FMT_RULE_IAS_LE_OAS) && (rules & ~1U) ? "," : "",
		 rules & IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT ? "ias/oas>32-need-mtk_ext" : "",
		 (rules & IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT) && (rules & IOPGT_FMT_RULE_CLAMP_48) ? "," : "",
		 rules & IOPGT_FMT_RULE_CLAMP_48 ? ">48-clamped-unless-64K" : "");
	return buf;
}

static int nl_format_cb(const struct iopgt_netlink_format *f, void *arg)
{
	int avail = !!(f->flags & IOPGT_FMT_F_AVAILABLE);

	(void)arg;
	open_json_object(NULL);
	print_uint(PRINT_JSON, "format", NULL, f->format);
	print_string(PRINT_ANY, "name", "%-16s ", f->name);
	print_string(PRINT_FP, NULL, "%-10s ", backend_str(f->flags));
	print_flag(PRINT_JSON, "available", NULL, avail);
	print_uint(PRINT_JSON, "flags", NULL, f->flags);
	print_uint(PRINT_JSON, "unavail_reason", NULL, f->unavail);
	print_string(PRINT_FP, NULL, "%s\n", avail ? "available" : iopgt_unavail_str(f->unavail));
	close_json_object();
	return 0;
}

/* "4K,2M | 16K,32M" and "4K,16K" of a format's page-size sets */
static void pgsize_sets_str(const struct iopgt_format_info *fi, unsigned int sets,
			    char *pg, size_t pglen, char *tb, size_t tblen)
{
	char one[64];
	unsigned int k;

	pg[0] = tb[0] = 0;
	for (k = 0; k < sets; k++) {
		iopgt_pgsizes_str(fi->pgsize_sets[k], one, sizeof(one));
		snprintf(pg + strlen(pg), pglen - strlen(pg), "%s%s", k ? " | " : "", one);
		/* memory one table of that granule takes (GET_INFO) */
		iopgt_size_str(fi->table_bytes[k], one, sizeof(one));
		snprintf(tb + strlen(tb), tblen - strlen(tb), "%s%s", k ? "," : "", one);
	}
}

/* the text columns IAS, OAS, LEVELS of an available format */
static void ranges_text(const struct iopgt_format_info *fi, char *ias, char *oas,
			char *lv)
{
	snprintf(ias, 16, "%u-%u", fi->ias_min, fi->ias_max);
	if (fi->oas_set)
		iopgt_bits_str(fi->oas_set & (~0ULL >> (63 - fi->oas_max)) &
			       ~((1ULL << fi->oas_min) - 1), oas, 32);
	else
		snprintf(oas, 32, "%u-%u", fi->oas_min, fi->oas_max);
	if (fi->levels_max)
		snprintf(lv, 16, "%u-%u", fi->levels_min, fi->levels_max);
	else
		snprintf(lv, 16, "-");
}

static void print_json_limits(const struct iopgt_format_info *fi, unsigned int sets,
			      const char *q)
{
	char one[64];
	unsigned int k;

	open_json_array("pgsize_sets", 0);
	for (k = 0; k < sets; k++)
		print_hex(PRINT_JSON, NULL, NULL, fi->pgsize_sets[k]);
	close_json_array();
	open_json_array("table_bytes", 0);
	for (k = 0; k < sets; k++)
		print_uint(PRINT_JSON, NULL, NULL, fi->table_bytes[k]);
	close_json_array();
	print_uint(PRINT_JSON, "ias_min", NULL, fi->ias_min);
	print_uint(PRINT_JSON, "ias_max", NULL, fi->ias_max);
	print_uint(PRINT_JSON, "oas_min", NULL, fi->oas_min);
	print_uint(PRINT_JSON, "oas_max", NULL, fi->oas_max);
	print_uint(PRINT_JSON, "ias_default", NULL, fi->ias_default);
	print_uint(PRINT_JSON, "oas_default", NULL, fi->oas_default);
	print_uint(PRINT_JSON, "levels_min", NULL, fi->levels_min);
	print_uint(PRINT_JSON, "levels_max", NULL, fi->levels_max);
	print_string(PRINT_JSON, "quirks", NULL, fi->quirks ? q : "");
	open_json_array("oas_set", 0);
	for (k = 0; k < 64; k++)
		if (fi->oas_set & (1ULL << k))
			print_uint(PRINT_JSON, NULL, NULL, k);
	close_json_array();
	print_string(PRINT_JSON, "rules", NULL, rules_str(fi->rules, one, sizeof(one)));
}

static void print_format(const struct iopgt_format_info *fi)
{
	unsigned int sets = fi->n_pgsize_sets > IOPGT_MAX_PGSIZE_SETS ?
			    IOPGT_MAX_PGSIZE_SETS : fi->n_pgsize_sets;
	int avail = !!(fi->flags & IOPGT_FMT_F_AVAILABLE);
	char name[IOPGT_NAME_LEN + 1], pg[160], tb[80], q[128], one[64];
	char ias[16], oas[32], lv[16];

	memcpy(name, fi->name, IOPGT_NAME_LEN);
	name[IOPGT_NAME_LEN] = 0;
	pgsize_sets_str(fi, sets, pg, sizeof(pg), tb, sizeof(tb));
	iopgt_quirks_str(fi->quirks, q, sizeof(q));
	open_json_object(NULL);
	print_uint(PRINT_JSON, "format", NULL, fi->format);
	print_string(PRINT_ANY, "name", "%-16s ", name);
	print_flag(PRINT_JSON, "available", NULL, avail);
	print_string(PRINT_ANY, "backend", "%-10s ", backend_str(fi->flags));
	print_string(PRINT_JSON, "unavail_reason", NULL,
		     avail ? "" : iopgt_unavail_str(fi->unavail_reason));
	print_string(PRINT_FP, NULL, "%-5s ", avail ? "yes" : "no");
	print_uint(PRINT_JSON, "flags", NULL, fi->flags);
	print_flag(PRINT_JSON, "hw_walk", NULL, fi->flags & IOPGT_FMT_F_HW_WALK);
	print_flag(PRINT_JSON, "noncoherent_ok", NULL, fi->flags & IOPGT_FMT_F_NONCOHERENT);
	print_flag(PRINT_JSON, "one_live", NULL, fi->flags & IOPGT_FMT_F_ONE_LIVE);
	print_flag(PRINT_JSON, "dirty", NULL, fi->flags & IOPGT_FMT_F_DIRTY);
	print_string(PRINT_JSON, "dirty_unavail", NULL,
		     fi->flags & IOPGT_FMT_F_DIRTY ? "" :
		     iopgt_dirty_unavail_str(fi->dirty_unavail));
	print_flag(PRINT_JSON, "flush_range", NULL, fi->flags & IOPGT_FMT_F_FLUSH_RANGE);
	print_flag(PRINT_JSON, "flush_no_gaps", NULL, fi->flags & IOPGT_FMT_F_FLUSH_NO_GAPS);
	print_json_limits(fi, sets, q);
	close_json_object();
	if (out_json())
		return;
	if (!avail) {
		print_text("(%s)\n", iopgt_unavail_str(fi->unavail_reason));
		return;
	}
	ranges_text(fi, ias, oas, lv);
	print_text("%-22s %-11s %-7s %-7s %-6s %s%s%s%s  dirty: %s%s\n", pg, tb, ias, oas,
		   lv, q, fi->rules ? "  rules: " : "",
		   fi->rules ? rules_str(fi->rules, one, sizeof(one)) : "",
		   fi->flags & IOPGT_FMT_F_ONE_LIVE ?
		   "  limit: one live address space at a time" : "",
		   fi->flags & IOPGT_FMT_F_DIRTY ? "yes" :
		   iopgt_dirty_unavail_str(fi->dirty_unavail),
		   (fi->flags & IOPGT_FMT_F_FLUSH_NO_GAPS) ?
		   "  flush contracts: range,no-gaps" :
		   (fi->flags & IOPGT_FMT_F_FLUSH_RANGE) ?
		   "  flush contracts: range" : "");
}

static int formats_fn(struct cli *c, struct args *a)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info *f = NULL;
	struct iopgt_err err = { 0 };
	unsigned int n = 0, i;
	int ret;

	out_init(stdout, a->set[O_JSON]);
	if (a->set[O_NETLINK]) {
		if ((ret = cli_open_nl(c)))
			return ret;
		if (iopgt_netlink_dump_formats(c->nl, 0, nl_format_cb, NULL, &err))
			return explain_nl(c, "FORMAT_GET dump", &err);
		return 0;
	}
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_query_info_all(&c->dev, &gi, &f, &n, &err))
		return explain(c, "GET_INFO", &err);
	open_json_array(NULL, 1);
	print_text("%-16s %-10s %-5s %-22s %-11s %-7s %-7s %-6s %s\n", "NAME", "BACKEND",
		   "AVAIL", "PGSIZES", "TABLE", "IAS", "OAS", "LEVELS", "QUIRKS");
	for (i = 0; i < n; i++)
		print_format(&f[i]);
	close_json_array();
	free(f);
	return 0;
}

const struct command cmd_formats = {
	.name = "formats",
	.summary = "formats, availability, constraints",
	.usage = "  Every format the ABI knows: available here or why not, backend, page-size\n"
		 "  sets, ias/oas ranges, generic_pt level counts, accepted quirks, and\n"
		 "  whether dirty tracking works (create --dirty) or why not, and the\n"
		 "  generic_pt invalidation contracts it accepts (create --flush-contract).\n",
	.opts = formats_opts,
	.fn = formats_fn,
};
