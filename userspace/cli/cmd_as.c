// SPDX-License-Identifier: LGPL-2.1-or-later
/* iopgt create, destroy, list: address spaces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------------ create */

enum { O_IAS, O_OAS, O_PGSIZES, O_PGSIZE, O_QUIRKS, O_LEVELS, O_NONCOH, O_PERS, O_RECFL,
       O_JSON, O_DIRTY, O_CONTRACT };
static const struct opt create_opts[] = {
	[O_IAS] = { "ias", "N", "input address size in bits (default: the format's)" },
	[O_OAS] = { "oas", "N", "output address size in bits (default: the format's)" },
	[O_PGSIZES] = { "pgsizes", "4K,2M,1G", "page sizes (default: the format's first set)" },
	[O_PGSIZE] = { "pgsize", "4K,2M,1G", "same as --pgsizes" },
	[O_QUIRKS] = { "quirks", "ttbr1,ns,...", "io-pgtable quirks (listed above)" },
	[O_LEVELS] = { "levels", "N", "generic_pt level count (default: from ias)" },
	[O_NONCOH] = { "noncoherent", NULL, "tables for a walker that does not snoop caches" },
	[O_PERS] = { "persistent", NULL, "outlive this process (any opener may destroy it)" },
	[O_RECFL] = { "record-flushes", NULL, "record every invalidation (see 'iopgt flushes')" },
	[O_JSON] = { "json", NULL, "one JSON object" },
	[O_DIRTY] = { "dirty", NULL, "dirty tracking (see 'iopgt dirty'; formats with dirty: yes)" },
	[O_CONTRACT] = { "flush-contract", "range|no-gaps",
			 "generic_pt invalidation contract (PT_FEAT_FLUSH_RANGE[_NO_GAPS]; see 'iopgt formats')" },
	{ 0 }
};

/* GET_INFO with the info of @format (fi zeroed when unknown); 0 on success */
static int get_fmt_info(struct cli *c, uint32_t format, struct iopgt_get_info *gi,
			struct iopgt_format_info *fi)
{
	struct iopgt_format_info *f = NULL;
	struct iopgt_err err = { 0 };
	unsigned int n = 0, i;

	memset(fi, 0, sizeof(*fi));
	if (iopgt_query_info_all(&c->dev, gi, &f, &n, &err))
		return -1;
	for (i = 0; i < n; i++)
		if (f[i].format == format)
			*fi = f[i];
	free(f);
	return 0;
}

/*
 * AS_CREATE failed: the rule the kernel named in out_reason, with the
 * values from the request and GET_INFO.
 */
static int create_errmsg(struct cli *c, const char *arg,
			 const struct iopgt_as_create *req,
			 const struct iopgt_err *err)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info fi;
	const char *fn = iopgt_format_name(req->format);
	char msg[512], what[96];
	int have = !get_fmt_info(c, req->format, &gi, &fi);

	snprintf(what, sizeof(what), "create %s", fn ? fn : arg);
	if (iopgt_create_err_str(req, err->code, have ? &gi : NULL, have ? &fi : NULL,
				 msg, sizeof(msg)))
		return kern_err(c, "%s: %s", what, msg);
	return explain(c, what, err);
}

static int create_parse(struct cli *c, struct args *a, struct iopgt_as_create *req)
{
	const char *pg_s = a->val[O_PGSIZES] ? a->val[O_PGSIZES] : a->val[O_PGSIZE];
	const char *q_s = a->val[O_QUIRKS];
	int fmt;
	char bad[64];
	uint64_t v64;

	if (a->npos != 1)
		return usage_err(c, "missing FORMAT (see 'iopgt formats')");
	memset(req, 0, sizeof(*req));
	fmt = iopgt_format_from_name(a->pos[0]);
	if (fmt < 0) {
		uint32_t v;

		if (parse_u32(a->pos[0], &v))
			return usage_err(c, "bad FORMAT '%s': unknown format name (see 'iopgt formats')",
					 a->pos[0]);
		fmt = (int)v;
	}
	req->format = (uint32_t)fmt;
	if ((a->val[O_IAS] && arg_u32(c, "--ias", a->val[O_IAS], &req->ias)) ||
	    (a->val[O_OAS] && arg_u32(c, "--oas", a->val[O_OAS], &req->oas)) ||
	    (a->val[O_LEVELS] && arg_u32(c, "--levels", a->val[O_LEVELS], &req->levels)))
		return EXIT_USAGE;
	if (pg_s && parse_pgsizes(pg_s, &v64))
		return usage_err(c, "bad --pgsizes '%s': want a list of powers of two like 4K,2M,1G",
				 pg_s);
	if (pg_s)
		req->pgsize_bitmap = v64;
	if (q_s && parse_quirks(q_s, &v64, bad, sizeof(bad)))
		return usage_err(c, "bad --quirks '%s': unknown quirk '%s'", q_s, bad);
	if (q_s)
		req->quirks = v64;
	if (a->set[O_PERS])
		req->flags |= IOPGT_AS_PERSISTENT;
	if (a->set[O_NONCOH])
		req->flags |= IOPGT_AS_NONCOHERENT;
	if (a->set[O_RECFL])
		req->flags |= IOPGT_AS_RECORD_FLUSHES;
	if (a->set[O_DIRTY])
		req->flags |= IOPGT_AS_DIRTY_TRACKING;
	if (a->set[O_CONTRACT]) {
		const char *v = a->val[O_CONTRACT];

		if (!strcmp(v, "range"))
			req->flags |= IOPGT_AS_FLUSH_RANGE;
		else if (!strcmp(v, "no-gaps"))
			req->flags |= IOPGT_AS_FLUSH_NO_GAPS;
		else if (strcmp(v, "call"))
			return usage_err(c, "bad --flush-contract '%s': one of call, range, no-gaps", v);
	}
	return 0;
}

/* the kernel clamped ias/oas: say so on stderr */
static void clamp_notes(struct cli *c, const struct iopgt_as_create *req)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info fi;
	const char *why = "";

	if (!(req->out_flags & (IOPGT_AS_CREATE_IAS_CLAMPED | IOPGT_AS_CREATE_OAS_CLAMPED)))
		return;
	if (!get_fmt_info(c, req->format, &gi, &fi) && (fi.rules & IOPGT_FMT_RULE_CLAMP_48))
		why = " (this format clamps ias/oas above 48 unless the granule is 64K)";
	if (req->out_flags & IOPGT_AS_CREATE_IAS_CLAMPED)
		fprintf(stderr, "%s create: note: ias %u%s became %u%s\n", c->prog,
			req->ias ? req->ias : fi.ias_default,
			req->ias ? "" : " (the default)", req->out_ias, why);
	if (req->out_flags & IOPGT_AS_CREATE_OAS_CLAMPED)
		fprintf(stderr, "%s create: note: oas %u%s became %u%s\n", c->prog,
			req->oas ? req->oas : fi.oas_default,
			req->oas ? "" : " (the default)", req->out_oas, why);
}

static int create_fn(struct cli *c, struct args *a)
{
	struct iopgt_as_create req;
	struct iopgt_err err = { 0 };
	char pg[128], q[128];
	int ret, pers = a->set[O_PERS], noncoh = a->set[O_NONCOH];

	ret = create_parse(c, a, &req);
	if (ret)
		return ret;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_create_as(&c->dev, &req, &err))
		return create_errmsg(c, a->pos[0], &req, &err);
	c->last_id = req.as_id;
	c->have_last = 1;
	out_init(stdout, a->set[O_JSON]);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%llu\t", req.as_id);
	print_uint(PRINT_JSON, "format", NULL, req.format);
	print_string(PRINT_ANY, "format_name", "%s", fmt_name_or(req.format));
	print_uint(PRINT_ANY, "levels", " levels=%llu", req.out_levels);
	print_uint(PRINT_ANY, "ias", " ias=%llu", req.out_ias);
	print_uint(PRINT_ANY, "oas", " oas=%llu", req.out_oas);
	print_hex(PRINT_JSON, "pgsize_bitmap", NULL, req.out_pgsize_bitmap);
	print_string(PRINT_FP, NULL, " pgsizes=%s",
		     iopgt_pgsizes_str(req.out_pgsize_bitmap, pg, sizeof(pg)));
	print_hex(PRINT_JSON, "quirks", NULL, req.out_quirks);
	print_string(PRINT_FP, NULL, " quirks=%s", iopgt_quirks_str(req.out_quirks, q, sizeof(q)));
	print_flag(PRINT_ANY, "persistent", " persistent", pers);
	print_flag(PRINT_ANY, "noncoherent", " noncoherent", noncoh);
	print_flag(PRINT_ANY, "dirty", " dirty", a->set[O_DIRTY]);
	print_string(req.flags & (IOPGT_AS_FLUSH_RANGE | IOPGT_AS_FLUSH_NO_GAPS) ?
		     PRINT_ANY : PRINT_JSON, "flush_contract", " flush-contract=%s",
		     req.flags & IOPGT_AS_FLUSH_NO_GAPS ? "no-gaps" :
		     req.flags & IOPGT_AS_FLUSH_RANGE ? "range" : "call");
	print_text("\n");
	close_json_object();
	clamp_notes(c, &req);
	if (!pers && !c->script)
		fprintf(stderr, "%s create: note: address space %u is not persistent and is destroyed when this command exits (use --persistent, or 'iopgt script')\n",
			c->prog, req.as_id);
	return 0;
}

const struct command cmd_create = {
	.name = "create",
	.summary = "create an address space (--persistent to keep it)",
	.args = "FORMAT",
	.usage = "  Create an address space; prints its id and the configuration the kernel\n"
		 "  settled on. Without --persistent it lives as long as this process (use\n"
		 "  'iopgt script' to work with it). FORMAT is a name from 'iopgt formats'\n"
		 "  (case-insensitive; PT_ prefix optional) or a number.\n"
		 "  quirks: ns, no_perms, mtk_ext, mtk_ttbr_ext, ttbr1, outer_wbwa, hd, s2fwb\n",
	.opts = create_opts,
	.max_pos = 1,
	.fn = create_fn,
};

/* ------------------------------------------------------------------ destroy */

static int destroy_fn(struct cli *c, struct args *a)
{
	struct iopgt_err err = { 0 };
	uint32_t id;
	int ret;

	need_id(c, a, 1);
	if (a->npos != 1)
		return usage_err(c, "missing ID");
	if (arg_id(c, a->pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_destroy_as(&c->dev, id, &err)) {
		if (err.code == -ENOENT)
			return no_as_err(c, id);
		if (err.code == -EPERM)
			return not_owner_err(c, "destroy", id);
		return explain(c, "destroy", &err);
	}
	if (c->have_last && c->last_id == id)
		c->have_last = 0;
	return 0;
}

const struct command cmd_destroy = {
	.name = "destroy",
	.summary = "free an address space",
	.args = "ID",
	.usage = "  Free an address space with all its mappings. Only the open file that\n"
		 "  created it may (any opener for --persistent ones).\n",
	.max_pos = 1,
	.fn = destroy_fn,
};

/* ------------------------------------------------------------------ list */

enum { L_JSON };
static const struct opt list_opts[] = {
	[L_JSON] = { "json", NULL, "one JSON object per address space" },
	{ 0 }
};

static int list_cb(const struct iopgt_netlink_as *a, void *arg)
{
	char pg[96];

	(void)arg;
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "%-4llu ", a->as_id);
	print_uint(PRINT_JSON, "format", NULL, a->format);
	print_string(PRINT_ANY, "format_name", "%-16s ", fmt_name_or(a->format));
	print_uint(PRINT_ANY, "owner", "%-7llu ", a->owner);
	print_flag(PRINT_JSON, "persistent", NULL, a->flags & IOPGT_AS_INFO_PERSISTENT);
	print_string(PRINT_FP, NULL, "%-13s ",
		     a->flags & IOPGT_AS_INFO_PERSISTENT ? "persistent" : "fd-bound");
	print_flag(PRINT_JSON, "noncoherent", NULL, a->flags & IOPGT_AS_INFO_NONCOHERENT);
	print_uint(PRINT_ANY, "mapped", "%14llu ", a->mapped);
	print_uint(PRINT_ANY, "tables", "%7llu ", a->tables);
	print_uint(PRINT_ANY, "table_bytes", "%12llu ", a->table_bytes);
	print_uint(PRINT_ANY, "generation", "%10llu  ", a->generation);
	print_uint(PRINT_ANY, "ias", "ias=%llu ", a->ias);
	print_uint(PRINT_ANY, "oas", "oas=%llu ", a->oas);
	print_uint(PRINT_ANY, "levels", "levels=%llu ", a->levels);
	print_hex(PRINT_JSON, "pgsizes", NULL, a->pgsizes);
	print_string(PRINT_FP, NULL, "pgsizes=%s\n", iopgt_pgsizes_str(a->pgsizes, pg, sizeof(pg)));
	close_json_object();
	return 0;
}

static int list_fn(struct cli *c, struct args *a)
{
	struct iopgt_err err = { 0 };
	int ret;

	if ((ret = cli_open_nl(c)))
		return ret;
	out_init(stdout, a->set[L_JSON]);
	print_text("%-4s %-16s %-7s %-13s %14s %7s %12s %10s\n", "ID", "FORMAT", "OWNER",
		   "LIFETIME", "MAPPED", "TABLES", "TABLE_BYTES", "GEN");
	if (iopgt_netlink_dump_as(c->nl, 0, list_cb, NULL, &err))
		return explain_nl(c, "AS_GET dump", &err);
	return 0;
}

const struct command cmd_list = {
	.name = "list",
	.summary = "live address spaces (netlink)",
	.usage = "  Live address spaces of the device (generic netlink dump; needs\n"
		 "  CAP_NET_ADMIN): id, format, owner pid, flags, mapped bytes, page-table\n"
		 "  tables held (the top one included) and their bytes, generation.\n",
	.opts = list_opts,
	.fn = list_fn,
};
