// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt flushes / tlbcheck (issue 14): the invalidations a page-table
 * library asked for, and the IOTLB oracle's random workload.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iopgt_flush.h"

static const char usage_flushes[] =
"usage: iopgt flushes ID [--clear] [--json]\n"
"  The invalidations the page-table library asked for in address space ID\n"
"  (created with --record-flushes), one line per record: the MAP/UNMAP call\n"
"  (seq) that caused it, the kind (flush_all, flush_walk, add_page, sync,\n"
"  sync_map, top), its range and granule, and the table pages freed with a\n"
"  gather. --clear empties the log afterwards (owner only).\n";

struct fl_arg {
	int json;
	uint64_t n;
};

static int print_rec(const struct iopgt_flush_rec *r, void *arg)
{
	struct fl_arg *a = arg;
	const char *k = iopgt_flush_kind_name(r->kind);

	a->n++;
	if (a->json) {
		printf("{\"index\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"kind\":\"%s\",\"iova\":\"0x%" PRIx64 "\",\"size\":\"0x%" PRIx64 "\",\"granule\":\"0x%" PRIx64 "\",\"freed\":%u}\n",
		       r->index, r->seq, k ? k : "unknown", r->iova, r->size,
		       r->granule, r->freed);
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

int cmd_flushes(struct cli *c, int argc, char **argv)
{
	int json = 0, clear = 0, npos, ret;
	const struct optdef defs[] = { { "json", 0, NULL, &json },
				       { "clear", 0, NULL, &clear }, { 0 } };
	struct iopgt_flush_ctl ctl;
	struct iopgt_err err = { 0 };
	struct fl_arg a = { 0 };
	char *pos[2];
	uint32_t id;

	ret = getopts(c, argc, argv, defs, pos, 1, &npos, usage_flushes);
	if (ret)
		return ret;
	need_id(c, pos, &npos, 1);
	if (npos != 1)
		return usage_err(c, "missing ID");
	if (arg_id(c, pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)) || (ret = cli_open_nl(c)))
		return ret;
	if (iopgt_flush_ctl(&c->dev, id, 0, &ctl, &err))
		return explain(c, "flushes", &err);
	if (!(ctl.out_flags & IOPGT_FLUSH_CTL_RECORDING))
		return kern_err(c, "address space %u does not record invalidations: create it with --record-flushes (EOPNOTSUPP)",
				id);
	a.json = json;
	if (iopgt_nl_dump_flushes(c->nl, 0, id, 0, print_rec, &a, &err))
		return explain_nl(c, "flushes", &err);
	if (json)
		printf("{\"records\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"seq\":%" PRIu64 ",\"capacity\":%u}\n",
		       a.n, (uint64_t)ctl.dropped, (uint64_t)ctl.seq,
		       ctl.capacity);
	else if (ctl.dropped)
		printf("%" PRIu64 " records dropped: the log (%u records) was full (module parameter max_flush_records)\n",
		       (uint64_t)ctl.dropped, ctl.capacity);
	if (clear && iopgt_flush_ctl(&c->dev, id, IOPGT_FLUSH_CTL_CLEAR, NULL,
				     &err))
		return explain(c, "flushes --clear", &err);
	return 0;
}

static const char usage_tlbcheck[] =
"usage: iopgt tlbcheck FORMAT [--seed S] [--ops N] [--verbose] [--json]\n"
"  Run N (default 1000) random operations (page-size mixes, page and\n"
"  core-style unmaps that free tables, blocks over tables, maps far up the\n"
"  input range) on a new address space of FORMAT that records its\n"
"  invalidations, and check each against a worst-case IOTLB model: a cached\n"
"  leaf or table pointer that changed without an invalidation covering it\n"
"  is a stale entry (printed, exit status 1). Records that covered nothing\n"
"  that changed are counted as over-invalidations.\n";

int cmd_tlbcheck(struct cli *c, int argc, char **argv)
{
	const char *seed_s = NULL, *ops_s = NULL;
	int json = 0, verbose = 0, npos, ret, fmt;
	const struct optdef defs[] = {
		{ "seed", 1, &seed_s, NULL }, { "ops", 1, &ops_s, NULL },
		{ "verbose", 0, NULL, &verbose }, { "json", 0, NULL, &json },
		{ 0 }
	};
	struct iopgt_tlbcheck_opts o = { .seed = 1, .ops = 1000 };
	struct iopgt_tlbcheck_result r;
	struct iopgt_err err = { 0 };
	const char *name;
	char *pos[1];

	ret = getopts(c, argc, argv, defs, pos, 1, &npos, usage_tlbcheck);
	if (ret)
		return ret;
	if (npos != 1)
		return usage_err(c, "missing FORMAT (see 'iopgt formats')");
	fmt = iopgt_format_from_name(pos[0]);
	if (fmt < 0)
		return usage_err(c, "bad FORMAT '%s': unknown format name (see 'iopgt formats')",
				 pos[0]);
	if (seed_s && arg_u64(c, "--seed", seed_s, &o.seed))
		return EXIT_USAGE;
	if (ops_s && arg_u32(c, "--ops", ops_s, &o.ops))
		return EXIT_USAGE;
	o.format = (uint32_t)fmt;
	o.verbose = verbose;
	o.out = stdout;
	if ((ret = cli_open_dev(c)) || (ret = cli_open_nl(c)))
		return ret;
	name = iopgt_format_name(o.format);
	ret = iopgt_tlbcheck_run(&c->dev, c->nl, &o, &r, &err);
	if (ret)
		return explain(c, "tlbcheck", &err);
	if (json)
		printf("{\"format\":\"%s\",\"seed\":%" PRIu64 ",\"ops\":%" PRIu64 ",\"maps\":%" PRIu64 ",\"unmaps\":%" PRIu64 ",\"core_unmaps\":%" PRIu64 ",\"blocks_over_tables\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"tables_freed\":%" PRIu64 ",\"records\":%" PRIu64 ",\"checked\":%" PRIu64 ",\"changed\":%" PRIu64 ",\"stale\":%" PRIu64 ",\"over\":%" PRIu64 "}\n",
		       name, o.seed, r.ops, r.maps, r.unmaps, r.core_unmaps,
		       r.blocks_over_tables, r.refused, r.tables_freed,
		       r.c.records, r.c.checked, r.c.changed, r.c.stale,
		       r.c.over);
	else
		printf("%s seed %" PRIu64 ": %" PRIu64 " ops (%" PRIu64 " maps, %" PRIu64 " unmaps, %" PRIu64 " core unmaps, %" PRIu64 " blocks over tables, block 0x%" PRIx64 "), %" PRIu64 " tables freed, %" PRIu64 " records; %" PRIu64 " cached entries compared, %" PRIu64 " changed: %" PRIu64 " stale, %" PRIu64 " over-invalidations\n",
		       name, o.seed, r.ops, r.maps, r.unmaps, r.core_unmaps,
		       r.blocks_over_tables, r.block_size, r.tables_freed,
		       r.c.records, r.c.checked, r.c.changed, r.c.stale,
		       r.c.over);
	return r.c.stale ? EXIT_KERNEL : 0;
}
