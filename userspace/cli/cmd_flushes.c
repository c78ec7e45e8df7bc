// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt flushes / tlbcheck (issue 14): the invalidations a page-table
 * library asked for, and the IOTLB oracle's random workload.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct fl_arg {
	int json;
	uint64_t n;
};

static const char *contract_str(uint32_t c)
{
	return c == IOPGT_FLUSH_CONTRACT_NO_GAPS ? "no-gaps" :
	       c == IOPGT_FLUSH_CONTRACT_RANGE ? "range" : "call";
}

static uint32_t ctl_contract(const struct iopgt_flush_ctl *ctl)
{
	if (ctl->out_flags & IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS)
		return IOPGT_FLUSH_CONTRACT_NO_GAPS;
	if (ctl->out_flags & IOPGT_FLUSH_CTL_CONTRACT_RANGE)
		return IOPGT_FLUSH_CONTRACT_RANGE;
	return IOPGT_FLUSH_CONTRACT_CALL;
}

static int print_rec(const struct iopgt_flush_entry *r, void *arg)
{
	struct fl_arg *a = arg;
	const char *k = iopgt_flush_kind_name(r->kind);

	a->n++;
	if (a->json) {
		printf("{\"index\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"iova\":\"0x%" PRIx64 "\",\"size\":\"0x%" PRIx64 "\",\"granule\":\"0x%" PRIx64 "\",\"freed\":%u,\"contract\":\"%s\"}\n",
		       r->index, r->seq, k ? k : "unknown", r->iova, r->size,
		       r->granule, r->freed, contract_str(r->contract));
		return 0;
	}
	printf("%6" PRIu64 " seq %-4" PRIu64 " %-10s", r->index, r->seq,
	       k ? k : "unknown");
	switch (r->kind) {
	case IOPGT_FLUSH_ALL:
		break;
	case IOPGT_FLUSH_TOP:
		printf(" new top level %" PRIu64, r->granule);
		break;
	default:
		printf(" 0x%" PRIx64 "+0x%" PRIx64, r->iova, r->size);
		if (r->granule)
			printf(" granule 0x%" PRIx64, r->granule);
		if (r->kind == IOPGT_FLUSH_SYNC)
			printf(" freed %u", r->freed);
	}
	putchar('\n');
	return 0;
}

enum { FL_CLEAR, FL_JSON };
static const struct opt flushes_opts[] = {
	[FL_CLEAR] = { "clear", NULL, "empty the log afterwards (owner only)" },
	[FL_JSON] = { "json", NULL, "one JSON object per record, then a summary" },
	{ 0 }
};

static void flushes_summary(const struct iopgt_flush_ctl *ctl, uint64_t n,
			    int json)
{
	if (json)
		printf("{\"records\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"capacity\":%u,\"contract\":\"%s\"}\n",
		       n, (uint64_t)ctl->dropped, (uint64_t)ctl->seq,
		       ctl->capacity, contract_str(ctl_contract(ctl)));
	else if (ctl->out_flags & (IOPGT_FLUSH_CTL_CONTRACT_RANGE |
				   IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS))
		printf("invalidation contract: %s (one gather per UNMAP call)\n",
		       contract_str(ctl_contract(ctl)));
	if (!json && ctl->dropped)
		printf("%" PRIu64 " records dropped: the log (%u records) was full (module parameter max_flush_records)\n",
		       (uint64_t)ctl->dropped, ctl->capacity);
}

static int flushes_fn(struct cli *c, struct args *a)
{
	struct iopgt_flush_ctl ctl;
	struct iopgt_err err = { 0 };
	struct fl_arg fa = { 0 };
	uint32_t id;
	int ret;

	need_id(c, a, 1);
	if (a->npos != 1)
		return usage_err(c, "missing ID");
	if (arg_id(c, a->pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)) || (ret = cli_open_nl(c)))
		return ret;
	if (iopgt_control_flushes(&c->dev, id, 0, &ctl, &err))
		return explain(c, "flushes", &err);
	if (!(ctl.out_flags & IOPGT_FLUSH_CTL_RECORDING))
		return kern_err(c, "address space %u does not record invalidations: create it with --record-flushes (EOPNOTSUPP)",
				id);
	fa.json = a->set[FL_JSON];
	if (iopgt_netlink_dump_flushes(c->nl, 0, id, 0, print_rec, &fa, &err))
		return explain_nl(c, "flushes", &err);
	flushes_summary(&ctl, fa.n, fa.json);
	if (a->set[FL_CLEAR] &&
	    iopgt_control_flushes(&c->dev, id, IOPGT_FLUSH_CTL_CLEAR, NULL, &err))
		return explain(c, "flushes --clear", &err);
	return 0;
}

const struct command cmd_flushes = {
	.name = "flushes",
	.summary = "invalidations recorded for an address space",
	.args = "ID",
	.usage =
"  The invalidations the page-table library asked for in address space ID\n"
"  (created with --record-flushes), one line per record: the MAP/UNMAP call\n"
"  (seq) that caused it, the kind (flush_all, flush_walk, add_page, sync,\n"
"  sync_map, top), its range and granule, and the table pages freed with a\n"
"  gather.\n",
	.opts = flushes_opts,
	.max_pos = 1,
	.fn = flushes_fn,
};

enum { TC_SEED, TC_OPS, TC_VERBOSE, TC_JSON, TC_CONTRACT };
static const struct opt tlbcheck_opts[] = {
	[TC_SEED] = { "seed", "S", "random seed (default 1)" },
	[TC_OPS] = { "ops", "N", "number of operations (default 1000)" },
	[TC_VERBOSE] = { "verbose", NULL, "print every operation and its records" },
	[TC_JSON] = { "json", NULL, "one JSON object" },
	[TC_CONTRACT] = { "flush-contract", "call|range|no-gaps|all",
			  "generic_pt invalidation contract of the address space (all: each the format has)" },
	{ 0 }
};

static void tlbcheck_print(const char *name, uint64_t seed, uint32_t contract,
			   const struct iopgt_tlbcheck_result *r, int json)
{
	if (json)
		printf("{\"format\":\"%s\",\"contract\":\"%s\",\"seed\":%" PRIu64 ",\"ops\":%" PRIu64 ",\"maps\":%" PRIu64 ",\"unmaps\":%" PRIu64 ",\"core_unmaps\":%" PRIu64 ",\"multi_unmaps\":%" PRIu64 ",\"blocks_over_tables\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"tables_freed\":%" PRIu64 ",\"records\":%" PRIu64 ",\"checked\":%" PRIu64 ",\"changed\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"over\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"gap_bytes\":%" PRIu64 ",\"nogaps_violations\":%" PRIu64 ",\"levels_start\":%u,\"levels_end\":%u,\"top_changes\":%" PRIu64 "}\n",
		       name, contract_str(contract), seed, r->ops, r->maps,
		       r->unmaps, r->core_unmaps, r->multi_unmaps,
		       r->blocks_over_tables, r->refused, r->tables_freed,
		       r->c.records, r->c.checked, r->c.changed, r->c.stale,
		       r->c.over, r->c.gaps, r->c.gap_bytes,
		       r->c.nogaps_violations, r->levels_start, r->levels_end,
		       r->c.top_changes);
	else
		printf("%s contract %s seed %" PRIu64 ": %" PRIu64 " ops (%" PRIu64 " maps, %" PRIu64 " unmaps, %" PRIu64 " core unmaps, %" PRIu64 " multi-range unmaps, %" PRIu64 " blocks over tables, block 0x%" PRIx64 "), %" PRIu64 " tables freed, %" PRIu64 " records; %" PRIu64 " cached entries compared, %" PRIu64 " changed: %" PRIu64 " stale, %" PRIu64 " over-invalidations, %" PRIu64 " syncs over gaps (0x%" PRIx64 " bytes), %" PRIu64 " NO_GAPS violations; levels %u -> %u (%" PRIu64 " top changes)\n",
		       name, contract_str(contract), seed, r->ops, r->maps,
		       r->unmaps, r->core_unmaps, r->multi_unmaps,
		       r->blocks_over_tables, r->block_size, r->tables_freed,
		       r->c.records, r->c.checked, r->c.changed, r->c.stale,
		       r->c.over, r->c.gaps, r->c.gap_bytes,
		       r->c.nogaps_violations, r->levels_start, r->levels_end,
		       r->c.top_changes);
}

/* the contracts to run: bit n = enum iopgt_flush_contract n */
static int contracts_of(struct cli *c, const char *v, uint32_t format,
			unsigned int *mask)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info *f = NULL;
	struct iopgt_err err = { 0 };
	unsigned int n = 0, i;

	if (!v || !strcmp(v, "call")) {
		*mask = 1U << IOPGT_FLUSH_CONTRACT_CALL;
		return 0;
	}
	if (!strcmp(v, "range")) {
		*mask = 1U << IOPGT_FLUSH_CONTRACT_RANGE;
		return 0;
	}
	if (!strcmp(v, "no-gaps")) {
		*mask = 1U << IOPGT_FLUSH_CONTRACT_NO_GAPS;
		return 0;
	}
	if (strcmp(v, "all"))
		return usage_err(c, "bad --flush-contract '%s': one of call, range, no-gaps, all", v);
	*mask = 1U << IOPGT_FLUSH_CONTRACT_CALL;
	if (iopgt_query_info_all(&c->dev, &gi, &f, &n, &err))
		return explain(c, "GET_INFO", &err);
	for (i = 0; i < n; i++) {
		if (f[i].format != format)
			continue;
		if (f[i].flags & IOPGT_FMT_F_FLUSH_RANGE)
			*mask |= 1U << IOPGT_FLUSH_CONTRACT_RANGE;
		if (f[i].flags & IOPGT_FMT_F_FLUSH_NO_GAPS)
			*mask |= 1U << IOPGT_FLUSH_CONTRACT_NO_GAPS;
	}
	free(f);
	return 0;
}

static int tlbcheck_fn(struct cli *c, struct args *a)
{
	struct iopgt_tlbcheck_opts o = { .seed = 1, .ops = 1000, .grow_top = 1 };
	struct iopgt_tlbcheck_result r;
	struct iopgt_err err = { 0 };
	unsigned int mask = 0, k;
	int ret, fmt, bad = 0;

	if (a->npos != 1)
		return usage_err(c, "missing FORMAT (see 'iopgt formats')");
	fmt = iopgt_format_from_name(a->pos[0]);
	if (fmt < 0)
		return usage_err(c, "bad FORMAT '%s': unknown format name (see 'iopgt formats')",
				 a->pos[0]);
	if (a->set[TC_SEED] && arg_u64(c, "--seed", a->val[TC_SEED], &o.seed))
		return EXIT_USAGE;
	if (a->set[TC_OPS] && arg_u32(c, "--ops", a->val[TC_OPS], &o.ops))
		return EXIT_USAGE;
	o.format = (uint32_t)fmt;
	o.verbose = a->set[TC_VERBOSE];
	o.out = stdout;
	if ((ret = cli_open_dev(c)) || (ret = cli_open_nl(c)))
		return ret;
	ret = contracts_of(c, a->set[TC_CONTRACT] ? a->val[TC_CONTRACT] : NULL,
			   o.format, &mask);
	if (ret)
		return ret;
	for (k = IOPGT_FLUSH_CONTRACT_CALL; k <= IOPGT_FLUSH_CONTRACT_NO_GAPS; k++) {
		if (!(mask & (1U << k)))
			continue;
		o.flush_contract = k;
		if (iopgt_tlbcheck_run(&c->dev, c->nl, &o, &r, &err))
			return explain(c, "tlbcheck", &err);
		tlbcheck_print(iopgt_format_name(o.format), o.seed, k, &r,
			       a->set[TC_JSON]);
		bad |= r.c.stale || r.c.nogaps_violations;
	}
	return bad ? EXIT_KERNEL : 0;
}

const struct command cmd_tlbcheck = {
	.name = "tlbcheck",
	.summary = "random workload through the IOTLB oracle",
	.args = "FORMAT",
	.usage =
"  Run N (default 1000) random operations (page-size mixes, page and\n"
"  core-style unmaps that free tables, blocks over tables, maps far up the\n"
"  input range) on a new address space of FORMAT that records its\n"
"  invalidations, and check each against a worst-case IOTLB model: a cached\n"
"  leaf or table pointer that changed without an invalidation covering it\n"
"  is a stale entry (printed, exit status 1). Records that covered nothing\n"
"  that changed are counted as over-invalidations. UNMAP calls of several\n"
"  disjoint ranges are part of the mix; generic_pt syncs spanning IOVA that\n"
"  did not change (gaps) are counted, and under the no-gaps contract each is\n"
"  a violation (printed, exit status 1). Where the top table can grow\n"
"  (PT_AMDV1) the address space starts at the fewest levels and maps grow\n"
"  it level by level; the oracle checks each top change was recorded.\n",
	.opts = tlbcheck_opts,
	.max_pos = 1,
	.fn = tlbcheck_fn,
};
