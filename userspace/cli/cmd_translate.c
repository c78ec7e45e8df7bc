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

struct xlate_out {
	int single;		/* one positional IOVA: terse error wording */
	unsigned long long n_mapped, n_unmapped, n_range;
};

static void print_entry(struct cli *c, struct xlate_out *o,
			const struct iopgt_xlate_entry *e)
{
	int mapped = !!(e->out_flags & IOPGT_XLATE_MAPPED);

	if (e->error) {
		o->n_range++;
		if (!out_json()) {
			fflush(stdout);
			if (e->error == -ERANGE)
				kern_err(c, "%s0x%llx: outside the input address range (ERANGE)",
					 o->single ? "translate " : "", (unsigned long long)e->iova);
			else
				kern_err(c, "0x%llx: %s (%s)", (unsigned long long)e->iova,
					 strerror(-e->error), iopgt_errno_name(-e->error));
			return;
		}
	} else if (mapped) {
		o->n_mapped++;
	} else {
		o->n_unmapped++;
	}
	open_json_object(NULL);
	print_hex(PRINT_ANY, "iova", "0x%llx", e->iova);
	print_flag(PRINT_JSON, "mapped", NULL, mapped);
	if (e->error)
		print_string(PRINT_JSON, "error", NULL, iopgt_errno_name(-e->error));
	else
		print_hex(PRINT_ANY, "phys", mapped ? " -> 0x%llx\n" : ": not mapped\n", e->phys);
	close_json_object();
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

enum { O_JSON, O_RANGE, O_STEP };
static const struct opt translate_opts[] = {
	[O_JSON] = { "json", NULL, "one object per address: iova, mapped, phys (and error)" },
	[O_RANGE] = { "range", "A-B|A+LEN", "every S-th address from A to B (inclusive) or A+LEN" },
	[O_STEP] = { "step", "S", "stride of --range (default: the smallest page size)" },
	{ 0 }
};

/* what to translate: a list of IOVAs or --range */
struct xlate_req {
	uint32_t id;
	const char *range_s;
	uint64_t start, end, step, count;
	uint64_t *list;
};

static int translate_parse(struct cli *c, struct args *a, struct xlate_req *x)
{
	const char *step_s = a->val[O_STEP];
	int i, ret;

	x->range_s = a->val[O_RANGE];
	need_id(c, a, x->range_s ? 1 : 2);
	if (step_s && !x->range_s)
		return usage_err(c, "--step needs --range");
	if (a->npos < 1 || (!x->range_s && a->npos < 2))
		return usage_err(c, "want ID IOVA [IOVA...] or ID --range A-B");
	if (x->range_s && a->npos > 1)
		return usage_err(c, "give IOVAs or --range, not both ('%s')", a->pos[1]);
	if (arg_id(c, a->pos[0], &x->id))
		return EXIT_USAGE;
	/* parse every IOVA before the first call: a typo sends nothing */
	for (i = 1; i < a->npos; i++)
		if (arg_u64(c, "IOVA", a->pos[i], &x->list[i - 1]))
			return EXIT_USAGE;
	x->count = (uint64_t)a->npos - 1;
	if (!x->range_s)
		return 0;
	ret = range_parse(c, x->range_s, step_s, &x->start, &x->end, &x->step);
	if (!ret && x->step)
		ret = range_count(c, x->range_s, x->start, x->end, x->step, &x->count);
	return ret;
}

/* every address of @x, in batches of the device's vector limit */
static int translate_run(struct cli *c, struct xlate_req *x, struct xlate_out *o)
{
	struct iopgt_xlate_entry *ents;
	uint32_t batch = 1, n = 0;
	uint64_t k;
	int ret;

	if (x->range_s && !x->step) {
		ret = range_default_step(c, x->id, &x->step);
		if (!ret)
			ret = range_count(c, x->range_s, x->start, x->end, x->step, &x->count);
		if (ret)
			return ret;
	}
	ret = batch_size(c, &batch);
	if (ret)
		return ret;
	ents = calloc(batch, sizeof(*ents));
	if (!ents)
		return kern_err(c, "out of memory for %u entries", batch);
	for (k = 0; k < x->count && !ret; k++) {
		uint64_t iova = x->range_s ? x->start + k * x->step : x->list[k];

		ents[n++] = (struct iopgt_xlate_entry){ .iova = iova };
		if (n == batch) {
			ret = flush_batch(c, x->id, o, ents, n);
			n = 0;
		}
	}
	if (!ret)
		ret = flush_batch(c, x->id, o, ents, n);
	free(ents);
	return ret;
}

/**
 * translate_fn() - "iopgt translate": IOVA_TO_PHYS for many IOVAs
 * @c: CLI state
 * @a: the parsed command line
 *
 * Return: 0, EXIT_KERNEL (any IOVA outside the input range, or the call
 * failed) or EXIT_USAGE.
 */
static int translate_fn(struct cli *c, struct args *a)
{
	struct xlate_req x = { 0 };
	struct xlate_out o = { 0 };
	int ret;

	x.list = calloc((size_t)a->npos + 1, sizeof(*x.list));
	if (!x.list)
		return kern_err(c, "out of memory");
	ret = translate_parse(c, a, &x);
	if (!ret)
		ret = cli_open_dev(c);
	if (!ret) {
		out_init(stdout, a->set[O_JSON]);
		o.single = !x.range_s && a->npos == 2;
		ret = translate_run(c, &x, &o);
	}
	if (!ret && o.n_range)
		ret = EXIT_KERNEL;
	if (!ret && x.range_s)
		print_text("# %llu mapped, %llu not mapped\n", o.n_mapped, o.n_unmapped);
	free(x.list);
	return ret;
}

const struct command cmd_translate = {
	.name = "translate",
	.summary = "IOVAs -> output addresses (--range A-B)",
	.args = "ID IOVA [IOVA...]\nID --range A-B|A+LEN",
	.usage = "  The output address each IOVA translates to (IOVA_TO_PHYS, vector form:\n"
		 "  many addresses per call).\n"
		 "  Exit status 1 if any IOVA is outside the input address range.\n"
		 "  In a script, ID may be left out with one IOVA or --range; write @ for\n"
		 "  the last created address space before a list of IOVAs.\n",
	.opts = translate_opts,
	.max_pos = -1,
	.fn = translate_fn,
};
