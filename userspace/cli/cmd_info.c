// SPDX-License-Identifier: LGPL-2.1-or-later
/* iopgt info: ABI version, limits and counters of /dev/iopgt (GET_INFO). */
#include "cli.h"

enum { O_JSON };
static const struct opt info_opts[] = {
	[O_JSON] = { "json", NULL, "one JSON object" },
	{ 0 }
};

static int info_fn(struct cli *c, struct args *a)
{
	struct iopgt_get_info gi;
	struct iopgt_err err = { 0 };
	char b1[32], b2[32];
	int ret;

	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_query_info(&c->dev, &gi, NULL, NULL, &err))
		return explain(c, "GET_INFO", &err);
	out_init(stdout, a->set[O_JSON]);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "abi_version", "iopgt ABI %llu", gi.abi_version);
	print_text(" (tool built for %u), kernel page size %s\n", IOPGT_ABI_VERSION,
		   iopgt_size_str(gi.page_size, b1, sizeof(b1)));
	print_uint(PRINT_JSON, "n_formats", NULL, gi.n_formats);
	print_uint(PRINT_ANY, "n_available", "formats:          %llu available", gi.n_available);
	print_text(" of %u known\n", gi.n_formats);
	print_uint(PRINT_JSON, "page_size", NULL, gi.page_size);
	print_uint(PRINT_JSON, "max_as_per_device", NULL, gi.max_as_per_device);
	print_uint(PRINT_JSON, "max_map_entries", NULL, gi.max_map_entries);
	print_uint(PRINT_JSON, "max_table_bytes_per_as", NULL, gi.max_table_bytes_per_as);
	print_uint(PRINT_JSON, "max_table_bytes", NULL, gi.max_table_bytes);
	print_uint(PRINT_ANY, "nr_as", "address spaces:   %llu live", gi.nr_as);
	print_uint(PRINT_FP, NULL, ", max %llu per device\n", gi.max_as_per_device);
	print_uint(PRINT_FP, NULL, "map/unmap vector: max %llu entries per call\n",
		   gi.max_map_entries);
	print_uint(PRINT_ANY, "table_bytes", "table memory:     %llu bytes in use", gi.table_bytes);
	print_text("; caps %s per AS, %s per device\n",
		   iopgt_size_str(gi.max_table_bytes_per_as, b1, sizeof(b1)),
		   iopgt_size_str(gi.max_table_bytes, b2, sizeof(b2)));
	print_uint(PRINT_ANY, "module_allocs", "module allocs:    %llu live\n", gi.module_allocs);
	close_json_object();
	return 0;
}

const struct command cmd_info = {
	.name = "info",
	.summary = "ABI version, limits, counters",
	.usage = "  ABI version, limits (caps) and counters of /dev/iopgt.\n",
	.opts = info_opts,
	.fn = info_fn,
};
