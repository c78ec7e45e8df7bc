// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt translate: IOVA -> output address for one or many IOVAs, through
 * the vector form of IOPGT_IOVA_TO_PHYS (one ioctl per batch of up to the
 * device's max_map_entries addresses).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* a --range walk beyond this many addresses is almost surely a typo */
#define XLATE_MAX_STEPS	(1ULL << 24)
#define XLATE_BATCH	4096U

static const char usage_translate[] =
"usage: iopgt translate ID IOVA [IOVA...] [--json]\n"
"       iopgt translate ID --range A-B|A+LEN [--step S] [--json]\n"
"  The output address each IOVA translates to (IOVA_TO_PHYS, vector form:\n"
"  many addresses per call).\n"
"  --range   every S-th address from A to B (inclusive) or A+LEN\n"
"  --step S  stride of --range (default: the smallest page size)\n"
"  --json    one object per address: iova, mapped, phys (and error)\n"
"  Exit status 1 if any IOVA is outside the input address range.\n"
"  In a script, ID may be left out with one IOVA or --range; write @ for\n"
"  the last created address space before a list of IOVAs.\n";

struct xlate_out {
	int json;
	int single;		/* one positional IOVA: terse error wording */
	unsigned long long n_mapped, n_unmapped, n_range;
};

static void print_entry(struct cli *c, struct xlate_out *o,
			const struct iopgt_xlate_entry *e)
{
	unsigned long long iova = e->iova, phys = e->phys;
	int mapped = !!(e->out_flags & IOPGT_XLATE_MAPPED);

	if (e->error) {
		o->n_range++;
		if (o->json) {
			printf("{\"iova\":\"0x%llx\",\"mapped\":false,\"error\":\"%s\"}\n",
			       iova, iopgt_errno_name(-e->error));
		} else if (e->error == -ERANGE) {
			fflush(stdout);
			kern_err(c, "%s0x%llx: outside the input address range (ERANGE)",
				 o->single ? "translate " : "", iova);
		} else {
			fflush(stdout);
			kern_err(c, "0x%llx: %s (%s)", iova, strerror(-e->error),
				 iopgt_errno_name(-e->error));
		}
		return;
	}
	if (mapped)
		o->n_mapped++;
	else
		o->n_unmapped++;
	if (o->json)
		printf("{\"iova\":\"0x%llx\",\"mapped\":%s,\"phys\":\"0x%llx\"}\n",
		       iova, mapped ? "true" : "false", phys);
	else if (mapped)
		printf("0x%llx -> 0x%llx\n", iova, phys);
	else
		printf("0x%llx: not mapped\n", iova);
}

static int flush_batch(struct cli *c, uint32_t id, struct xlate_out *o,
		       struct iopgt_xlate_entry *ents, uint32_t n)
{
	struct iopgt_err err = { 0 };

	if (!n)
		return 0;
	if (iopgt_translate_vec(&c->dev, id, ents, n, &err)) {
		if (err.code == -ENOENT)
			return kern_err(c, "no address space %u (ENOENT)", id);
		return explain(c, "translate", &err);
	}
	for (uint32_t i = 0; i < n; i++)
		print_entry(c, o, &ents[i]);
	return 0;
}

/* batch size: the device's vector limit, at most XLATE_BATCH */
static int batch_size(struct cli *c, uint32_t *batch)
{
	struct iopgt_get_info gi;
	struct iopgt_err err = { 0 };

	if (iopgt_query_info(&c->dev, &gi, NULL, NULL, &err))
		return explain(c, "GET_INFO", &err);
	*batch = gi.max_map_entries < XLATE_BATCH ? gi.max_map_entries : XLATE_BATCH;
	if (!*batch)
		*batch = 1;
	return 0;
}

/* parse --range and --step; *@step stays 0 when it must come from the AS */
static int range_parse(struct cli *c, const char *range_s, const char *step_s,
		       uint64_t *start, uint64_t *end, uint64_t *step)
{
	int r = parse_range(range_s, start, end);

	if (r)
		return usage_err(c, "bad --range '%s': %s", range_s,
				 r == -ERANGE ? "end before start or overflow" :
				 "want A-B or A+LEN");
	*step = 0;
	if (!step_s)
		return 0;
	if (arg_u64(c, "--step", step_s, step))
		return EXIT_USAGE;
	if (!*step)
		return usage_err(c, "bad --step '%s': must be at least 1", step_s);
	return 0;
}

/* the default --step: the address space's smallest page size */
static int range_default_step(struct cli *c, uint32_t id, uint64_t *step)
{
	struct iopgt_hw_cfg hw;
	struct iopgt_err err = { 0 };

	if (iopgt_query_hw_cfg(&c->dev, id, &hw, &err)) {
		if (err.code == -ENOENT)
			return kern_err(c, "no address space %u (ENOENT)", id);
		return explain(c, "GET_HW_CFG", &err);
	}
	*step = hw.pgsize_bitmap & -hw.pgsize_bitmap;
	if (!*step)
		*step = 4096;
	return 0;
}

static int range_count(struct cli *c, const char *range_s, uint64_t start,
		       uint64_t end, uint64_t step, uint64_t *count)
{
	uint64_t last = (end - start) / step;	/* +1 may wrap: compare first */

	if (last >= XLATE_MAX_STEPS)
		return usage_err(c, "bad --range '%s': more than %llu addresses at step 0x%llx (raise --step)",
				 range_s, XLATE_MAX_STEPS, (unsigned long long)step);
	*count = last + 1;
	return 0;
}

/**
 * cmd_translate() - "iopgt translate": IOVA_TO_PHYS for many IOVAs
 * @c: CLI state
 * @argc: argument count, argv[0] being "translate"
 * @argv: arguments
 *
 * Return: 0, EXIT_KERNEL (any IOVA outside the input range, or the call
 * failed) or EXIT_USAGE.
 */
int cmd_translate(struct cli *c, int argc, char **argv)
{
	const char *range_s = NULL, *step_s = NULL;
	int json = 0, npos, ret;
	const struct optdef defs[] = {
		{ "json", 0, NULL, &json }, { "range", 1, &range_s, NULL },
		{ "step", 1, &step_s, NULL }, { 0 }
	};
	struct iopgt_xlate_entry *ents = NULL;
	struct xlate_out o = { 0 };
	uint64_t start = 0, end = 0, step = 0, count = 0;
	uint32_t id, batch = 1, n = 0;
	uint64_t *list;
	char **pos;

	pos = calloc(argc + 1, sizeof(*pos));
	list = calloc(argc + 1, sizeof(*list));
	if (!pos || !list) {
		free(pos);
		free(list);
		return kern_err(c, "out of memory");
	}
	ret = getopts(c, argc, argv, defs, pos, argc, &npos, usage_translate);
	if (ret)
		goto out;
	if (!range_s)
		need_id(c, pos, &npos, 2);
	else
		need_id(c, pos, &npos, 1);
	if (step_s && !range_s) {
		ret = usage_err(c, "--step needs --range");
		goto out;
	}
	if (npos < 1 || (!range_s && npos < 2)) {
		ret = usage_err(c, "want ID IOVA [IOVA...] or ID --range A-B");
		goto out;
	}
	if (range_s && npos > 1) {
		ret = usage_err(c, "give IOVAs or --range, not both ('%s')", pos[1]);
		goto out;
	}
	if (arg_id(c, pos[0], &id)) {
		ret = EXIT_USAGE;
		goto out;
	}
	o.json = json;
	o.single = !range_s && npos == 2;
	/* parse every IOVA before the first call: a typo sends nothing */
	for (int i = 1; i < npos; i++) {
		if (arg_u64(c, "IOVA", pos[i], &list[i - 1])) {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (range_s) {
		ret = range_parse(c, range_s, step_s, &start, &end, &step);
		if (!ret && step)
			ret = range_count(c, range_s, start, end, step, &count);
		if (ret)
			goto out;
	}
	ret = cli_open_dev(c);
	if (ret)
		goto out;
	if (range_s && !step) {
		ret = range_default_step(c, id, &step);
		if (!ret)
			ret = range_count(c, range_s, start, end, step, &count);
		if (ret)
			goto out;
	}
	ret = batch_size(c, &batch);
	if (ret)
		goto out;
	ents = calloc(batch, sizeof(*ents));
	if (!ents) {
		ret = kern_err(c, "out of memory for %u entries", batch);
		goto out;
	}
	if (!range_s)
		count = npos - 1;
	for (uint64_t k = 0; k < count; k++) {
		uint64_t iova;

		iova = range_s ? start + k * step : list[k];
		ents[n++] = (struct iopgt_xlate_entry){ .iova = iova };
		if (n == batch) {
			ret = flush_batch(c, id, &o, ents, n);
			if (ret)
				goto out;
			n = 0;
		}
	}
	ret = flush_batch(c, id, &o, ents, n);
	if (!ret && o.n_range)
		ret = EXIT_KERNEL;
	if (!ret && range_s && !json)
		printf("# %llu mapped, %llu not mapped\n", o.n_mapped, o.n_unmapped);
out:
	free(ents);
	free(list);
	free(pos);
	return ret;
}
