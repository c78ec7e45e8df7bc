// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt dirty / devwrite (issue 14): the hardware dirty state of an
 * address space created with --dirty, and the test-only "a device wrote
 * here".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { D_NO_CLEAR, D_PAGE_SIZE, D_JSON };
static const struct opt dirty_opts[] = {
	[D_NO_CLEAR] = { "no-clear", NULL, "report only; leave the dirty state (any opener may)" },
	[D_PAGE_SIZE] = { "page-size", "SZ", "bytes per bitmap bit (default: the smallest page size)" },
	[D_JSON] = { "json", NULL, "one JSON object with the dirty ranges" },
	{ 0 }
};

/* the address space's smallest page size */
static int dirty_granule(struct cli *c, uint32_t id, uint64_t *ps)
{
	struct iopgt_hw_cfg hw;
	struct iopgt_err err = { 0 };

	if (iopgt_query_hw_cfg(&c->dev, id, &hw, &err))
		return explain(c, "dirty", &err);
	*ps = hw.pgsize_bitmap & -hw.pgsize_bitmap;
	return 0;
}

static int bit_set(const uint64_t *w, uint64_t i)
{
	return (w[i / 64] >> (i % 64)) & 1;
}

/* the runs of set bits, as IOVA ranges */
static void dirty_print(const struct iopgt_read_dirty *rq, const uint64_t *w, int json)
{
	uint64_t nbits = rq->length / rq->page_size, i = 0, j;
	char a[32], b[32];

	out_init(stdout, json);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "id", NULL, rq->as_id);
	print_hex(PRINT_JSON, "iova", NULL, rq->iova);
	print_hex(PRINT_JSON, "length", NULL, rq->length);
	print_hex(PRINT_JSON, "page_size", NULL, rq->page_size);
	print_flag(PRINT_JSON, "cleared", NULL, !(rq->flags & IOPGT_DIRTY_NO_CLEAR));
	print_uint(PRINT_JSON, "dirty_pages", NULL, rq->out_dirty_pages);
	open_json_array("ranges", 0);
	while (i < nbits) {
		if (!bit_set(w, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < nbits && bit_set(w, j + 1); j++)
			;
		open_json_object(NULL);
		print_hex(PRINT_ANY, "iova", "0x%" PRIx64, rq->iova + i * rq->page_size);
		print_hex(PRINT_ANY, "length", "+0x%" PRIx64, (j - i + 1) * rq->page_size);
		print_text(" (%" PRIu64 " pages of %s)\n", j - i + 1,
			   iopgt_size_str(rq->page_size, a, sizeof(a)));
		close_json_object();
		i = j + 1;
	}
	close_json_array();
	close_json_object();
	print_text("%" PRIu64 " of %" PRIu64 " pages of %s dirty in 0x%" PRIx64 "+0x%" PRIx64 "%s\n",
		   (uint64_t)rq->out_dirty_pages, nbits,
		   iopgt_size_str(rq->page_size, b, sizeof(b)), (uint64_t)rq->iova,
		   (uint64_t)rq->length,
		   rq->flags & IOPGT_DIRTY_NO_CLEAR ? " (not cleared)" : " (now cleared)");
}

static int dirty_fn(struct cli *c, struct args *a)
{
	struct iopgt_read_dirty rq;
	struct iopgt_err err = { 0 };
	uint64_t start, end, bytes;
	uint64_t *w;
	uint32_t id;
	int ret, r;

	need_id(c, a, 2);
	if (a->npos != 2)
		return usage_err(c, "want ID RANGE (RANGE: A-B or A+LEN)");
	if (arg_id(c, a->pos[0], &id))
		return EXIT_USAGE;
	r = parse_range(a->pos[1], &start, &end);
	if (r)
		return usage_err(c, "bad RANGE '%s': %s", a->pos[1],
				 r == -ERANGE ? "end before start or overflow" :
				 "want A-B or A+LEN");
	if (end - start == UINT64_MAX)
		return usage_err(c, "bad RANGE '%s': the whole 2^64 space is too long", a->pos[1]);
	memset(&rq, 0, sizeof(rq));
	rq.as_id = id;
	rq.iova = start;
	rq.length = end - start + 1;
	if (a->set[D_NO_CLEAR])
		rq.flags |= IOPGT_DIRTY_NO_CLEAR;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (a->set[D_PAGE_SIZE]) {
		uint64_t v;

		if (parse_pgsizes(a->val[D_PAGE_SIZE], &v) || (v & (v - 1)))
			return usage_err(c, "bad --page-size '%s': want one power of two like 4K",
					 a->val[D_PAGE_SIZE]);
		rq.page_size = v;
	} else {
		uint64_t g = 0;

		if ((ret = dirty_granule(c, id, &g)))
			return ret;
		rq.page_size = g;
	}
	bytes = iopgt_dirty_bitmap_bytes(rq.length, rq.page_size);
	/* the kernel caps the range; a bitmap beyond 256 MiB is refused here */
	if (bytes > (256ULL << 20))
		return usage_err(c, "RANGE '%s' needs a %" PRIu64 "-byte bitmap at page size 0x%" PRIx64 ": too long",
				 a->pos[1], bytes, (uint64_t)rq.page_size);
	w = calloc(1, bytes ? bytes : 8);
	if (!w)
		return kern_err(c, "out of memory for a %" PRIu64 "-byte bitmap", bytes);
	rq.bitmap_uptr = (uintptr_t)w;
	rq.bitmap_size = bytes;
	if (iopgt_dirty_bitmap_get(&c->dev, &rq, &err)) {
		free(w);
		return explain(c, "dirty", &err);
	}
	dirty_print(&rq, w, a->set[D_JSON]);
	free(w);
	return 0;
}

const struct command cmd_dirty = {
	.name = "dirty",
	.summary = "read (and clear) the dirty state of a range",
	.args = "ID RANGE",
	.usage =
"  The pages of RANGE (A-B or A+LEN) that a device wrote to since the last\n"
"  clear, in address space ID (created with --dirty), one line per run of\n"
"  dirty pages, then a count; the dirty state is cleared afterwards unless\n"
"  --no-clear (clearing changes the address space: its owner only). A page\n"
"  is dirty when a dirty leaf covers part of it; clearing works per leaf.\n"
"  ARM_64_LPAE_S1 creates writable leaves dirty (clear once first).\n",
	.opts = dirty_opts,
	.max_pos = 2,
	.fn = dirty_fn,
};

enum { W_JSON };
static const struct opt devwrite_opts[] = {
	[W_JSON] = { "json", NULL, "one JSON object" },
	{ 0 }
};

static int devwrite_fn(struct cli *c, struct args *a)
{
	struct iopgt_set_dirty sd;
	struct iopgt_err err = { 0 };
	uint64_t iova;
	uint32_t id;
	int ret;

	need_id(c, a, 2);
	if (a->npos != 2)
		return usage_err(c, "want ID IOVA");
	if (arg_id(c, a->pos[0], &id) || arg_u64(c, "IOVA", a->pos[1], &iova))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_device_write(&c->dev, id, iova, &sd, &err))
		return explain(c, "devwrite", &err);
	out_init(stdout, a->set[W_JSON]);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "id", NULL, id);
	print_hex(PRINT_ANY, "iova", "wrote 0x%" PRIx64, iova);
	print_hex(PRINT_ANY, "leaf_iova", ": leaf 0x%" PRIx64, sd.out_leaf_iova);
	print_uint(PRINT_ANY, "leaf_log2", " (2^%" PRIu64 " bytes) is dirty\n", sd.out_leaf_log2);
	close_json_object();
	return 0;
}

const struct command cmd_devwrite = {
	.name = "devwrite",
	.summary = "test only: what a device write does to the dirty state",
	.args = "ID IOVA",
	.usage =
"  Make the leaf that translates IOVA in address space ID (created with\n"
"  dirty tracking) write-dirty exactly as the IOMMU does when a device writes\n"
"  there (ARM LPAE: clear AP[2] of the DBM leaf). IOVA must be mapped\n"
"  writable. Changes the address space: its owner only.\n",
	.opts = devwrite_opts,
	.max_pos = 2,
	.fn = devwrite_fn,
};
