// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt map, unmap: vector MAP/UNMAP calls. A refused entry is explained
 * by the reason the kernel wrote into it (enum iopgt_reason).
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

#define MAX_ENTS	16

static void range_str(char *buf, size_t len, uint64_t a, uint64_t l)
{
	snprintf(buf, len, "0x%llx+0x%llx", (unsigned long long)a,
		 (unsigned long long)l);
}

/*
 * The rule a MAP/UNMAP entry broke, as the kernel named it (@reason), with
 * the values involved; NULL when the kernel gave no reason.
 */
static const char *entry_why(struct cli *c, uint32_t id, uint32_t reason,
			     const struct iopgt_map_entry *e, char *buf, size_t blen)
{
	struct iopgt_hw_cfg hw;
	struct iopgt_get_info gi;
	struct iopgt_err err = { 0 };
	int have_hw, have_gi = 0;

	if (!reason)
		return NULL;
	have_hw = !iopgt_query_hw_cfg(&c->dev, id, &hw, &err);
	if (reason == IOPGT_REASON_AS_TABLE_CAP || reason == IOPGT_REASON_DEV_TABLE_CAP)
		have_gi = !iopgt_query_info(&c->dev, &gi, NULL, NULL, &err);
	return iopgt_entry_err_str(reason, e->iova, e->paddr, e->length, e->prot,
				   e->pgsize_log2, have_hw ? &hw : NULL,
				   have_gi ? &gi : NULL, buf, blen);
}

/* the failing entry of a MAP or UNMAP call (@e->paddr 0 for UNMAP) */
static int entry_err(struct cli *c, const char *what, uint32_t id, uint32_t reason,
		     const struct iopgt_map_entry *e, int code)
{
	char r[64], why[256];
	const char *w = entry_why(c, id, reason, e, why, sizeof(why));

	range_str(r, sizeof(r), e->iova, e->length);
	if (w && !strcmp(what, "map"))
		return kern_err(c, "map %s -> 0x%llx: %s (%s)", r,
				(unsigned long long)e->paddr, w, iopgt_errno_name(code));
	if (w)
		return kern_err(c, "%s %s: %s (%s)", what, r, w, iopgt_errno_name(code));
	/* a kernel that names no rule: the errno alone */
	return kern_err(c, "%s %s: %s (%s)", what, r, strerror(-code),
			iopgt_errno_name(code));
}

/* the whole call failed (not one entry): explained by its errno */
static int call_err(struct cli *c, const char *what, uint32_t id, int ret,
		    int entry_error, const struct iopgt_err *err)
{
	if (ret == -ENODEV || ret == -ENOTTY || ret == -E2BIG || ret == -EFAULT)
		return explain(c, what, err);
	if (ret == -ENOENT && !entry_error)
		return no_as_err(c, id);
	if (ret == -EPERM && !entry_error)
		return not_owner_err(c, what, id);
	return -1;
}

/* one result line: entries done, or the failing one (@code != 0) */
static void print_result(const char *what, const struct iopgt_map_entry *e,
			 uint64_t done_bytes, int code)
{
	char p[64], sz[16];
	int map = !strcmp(what, "map");

	open_json_object(NULL);
	print_hex(PRINT_ANY, "iova", map ? "mapped 0x%llx" : "unmapped 0x%llx", e->iova);
	if (map && !code)
		print_hex(PRINT_JSON, "paddr", NULL, e->paddr);
	if (!code)
		print_hex(PRINT_ANY, "length", "+0x%llx", e->length);
	if (map && !code)
		print_hex(PRINT_FP, NULL, " -> 0x%llx", e->paddr);
	print_hex(PRINT_JSON, map ? "mapped" : "unmapped", NULL, done_bytes);
	if (map)
		print_string(PRINT_FP, NULL, " (%s)", iopgt_size_str(done_bytes, sz, sizeof(sz)));
	else
		print_hex(PRINT_FP, NULL, " (0x%llx bytes)", done_bytes);
	if (map)
		print_string(PRINT_FP, NULL, " %s", iopgt_prot_str(e->prot, p, sizeof(p)));
	print_int(PRINT_JSON, "error", NULL, code);
	if (code)
		print_string(PRINT_JSON, "errno", NULL, iopgt_errno_name(code));
	print_text("\n");
	close_json_object();
}

/* ------------------------------------------------------------------ map */

enum { O_PGSIZE, O_ROLLBACK, O_JSON };
static const struct opt map_opts[] = {
	[O_PGSIZE] = { "pgsize", "SIZE", "force this page size (default: the largest that fits)" },
	[O_ROLLBACK] = { "rollback", NULL, "undo every entry of the call if one fails" },
	[O_JSON] = { "json", NULL, "one JSON object per entry" },
	{ 0 }
};

static int map_parse(struct cli *c, struct args *a, uint32_t *id,
		     struct iopgt_map_entry *ents, int *n)
{
	const char *pg_s = a->val[O_PGSIZE];
	uint32_t pglog = 0;
	int i;

	if (a->npos % 4 == 0 && a->npos)
		need_id(c, a, a->npos + 1);
	if (a->npos < 5 || (a->npos - 1) % 4)
		return usage_err(c, "want ID followed by IOVA PADDR LEN PROT (groups of four); got %d argument%s",
				 a->npos, a->npos == 1 ? "" : "s");
	*n = (a->npos - 1) / 4;
	if (*n > MAX_ENTS)
		return usage_err(c, "at most %d mappings per command", MAX_ENTS);
	if (arg_id(c, a->pos[0], id))
		return EXIT_USAGE;
	if (pg_s) {
		uint64_t v;

		if (arg_u64(c, "--pgsize", pg_s, &v))
			return EXIT_USAGE;
		if (!v || (v & (v - 1)))
			return usage_err(c, "bad --pgsize '%s': not a power of two", pg_s);
		pglog = (uint32_t)__builtin_ctzll(v);
	}
	memset(ents, 0, MAX_ENTS * sizeof(*ents));
	for (i = 0; i < *n; i++) {
		char **g = &a->pos[1 + 4 * i], bad[64];
		uint64_t v[3];

		if (arg_u64(c, "IOVA", g[0], &v[0]) || arg_u64(c, "PADDR", g[1], &v[1]) ||
		    arg_u64(c, "LEN", g[2], &v[2]))
			return EXIT_USAGE;
		ents[i].iova = v[0];
		ents[i].paddr = v[1];
		ents[i].length = v[2];
		if (parse_prot(g[3], &ents[i].prot, bad, sizeof(bad)))
			return usage_err(c, "bad PROT '%s': '%s' is not one of r, w, x, nx, cache, mmio, priv",
					 g[3], bad);
		ents[i].pgsize_log2 = pglog;
	}
	return 0;
}

static int map_fn(struct cli *c, struct args *a)
{
	struct iopgt_map_entry ents[MAX_ENTS], *e;
	struct iopgt_err err = { 0 };
	uint32_t id, done = 0;
	int ret, i, n = 0;

	ret = map_parse(c, a, &id, ents, &n);
	if (ret)
		return ret;
	if ((ret = cli_open_dev(c)))
		return ret;
	ret = iopgt_map_entries(&c->dev, id, a->set[O_ROLLBACK] ? IOPGT_MAP_ROLLBACK : 0,
				ents, (uint32_t)n, &done, &err);
	out_init(stdout, a->set[O_JSON]);
	for (i = 0; i < n && i < (int)done; i++)
		print_result("map", &ents[i], ents[i].mapped, 0);
	if (!ret)
		return 0;
	e = done < (uint32_t)n ? &ents[done] : NULL;
	i = call_err(c, "map", id, ret, e && e->error, &err);
	if (i >= 0)
		return i;
	if (!e)
		return explain(c, "map", &err);
	if (e->mapped && !a->set[O_ROLLBACK])
		fprintf(stderr, "%s map: note: 0x%llx bytes of the failing entry stay mapped\n",
			c->prog, (unsigned long long)e->mapped);
	if (out_json())
		print_result("map", e, e->mapped, e->error ? e->error : ret);
	return entry_err(c, "map", id, e->reason, e, e->error ? e->error : ret);
}

const struct command cmd_map = {
	.name = "map",
	.summary = "map (vector: repeat IOVA PADDR LEN PROT)",
	.args = "ID IOVA PADDR LEN PROT [IOVA PADDR LEN PROT ...]",
	.usage = "  Map LEN bytes at IOVA to PADDR. Up to 16 quadruples make one vector call.\n"
		 "  PROT: letters or a comma list of r, w, x, nx, cache, mmio, priv\n"
		 "        (e.g. rw, r, rw,nx,cache); or raw IOPGT_PROT_* bits as a number.\n"
		 "  Numbers: decimal, 0x hex, 0b binary, with K/M/G/T suffixes.\n",
	.opts = map_opts,
	.max_pos = MAX_POS - 1,
	.fn = map_fn,
};

/* ------------------------------------------------------------------ unmap */

enum { U_CORE, U_JSON };
static const struct opt unmap_opts[] = {
	[U_CORE] = { "core", NULL, "split each range like the iommu core (frees tables)" },
	[U_JSON] = { "json", NULL, "one JSON object per entry" },
	{ 0 }
};

static int unmap_parse(struct cli *c, struct args *a, uint32_t *id,
		       struct iopgt_unmap_entry *ents, int *n)
{
	int i;

	if (a->npos % 2 == 0 && a->npos)
		need_id(c, a, a->npos + 1);
	if (a->npos < 3 || (a->npos - 1) % 2)
		return usage_err(c, "want ID followed by IOVA LEN pairs; got %d argument%s",
				 a->npos, a->npos == 1 ? "" : "s");
	*n = (a->npos - 1) / 2;
	if (*n > MAX_ENTS)
		return usage_err(c, "at most %d ranges per command", MAX_ENTS);
	if (arg_id(c, a->pos[0], id))
		return EXIT_USAGE;
	memset(ents, 0, MAX_ENTS * sizeof(*ents));
	for (i = 0; i < *n; i++) {
		uint64_t v[2];

		if (arg_u64(c, "IOVA", a->pos[1 + 2 * i], &v[0]) ||
		    arg_u64(c, "LEN", a->pos[2 + 2 * i], &v[1]))
			return EXIT_USAGE;
		ents[i].iova = v[0];
		ents[i].length = v[1];
	}
	return 0;
}

static int unmap_fn(struct cli *c, struct args *a)
{
	struct iopgt_unmap_entry ents[MAX_ENTS];
	struct iopgt_map_entry m;
	struct iopgt_err err = { 0 };
	uint32_t id, done = 0;
	int ret, i, n = 0, code;

	ret = unmap_parse(c, a, &id, ents, &n);
	if (ret)
		return ret;
	if ((ret = cli_open_dev(c)))
		return ret;
	ret = iopgt_unmap_entries_flags(&c->dev, id,
					a->set[U_CORE] ? IOPGT_UNMAP_CORE : 0,
					ents, (uint32_t)n, &done, &err);
	out_init(stdout, a->set[U_JSON]);
	for (i = 0; i < (int)done && i < n; i++) {
		m = (struct iopgt_map_entry){ .iova = ents[i].iova, .length = ents[i].length };
		print_result("unmap", &m, ents[i].unmapped, 0);
	}
	if (!ret)
		return 0;
	if (done >= (uint32_t)n)
		return explain(c, "unmap", &err);
	i = call_err(c, "unmap", id, ret, ents[done].error, &err);
	if (i >= 0)
		return i;
	code = ents[done].error ? ents[done].error : ret;
	m = (struct iopgt_map_entry){ .iova = ents[done].iova, .length = ents[done].length };
	if (out_json())
		print_result("unmap", &m, ents[done].unmapped, code);
	return entry_err(c, "unmap", id, ents[done].reason, &m, code);
}

const struct command cmd_unmap = {
	.name = "unmap",
	.summary = "unmap (vector: repeat IOVA LEN)",
	.args = "ID IOVA LEN [IOVA LEN ...]",
	.usage = "  Unmap whole leaves covering IOVA..IOVA+LEN (no holes, no partial blocks).\n"
		 "  Up to 16 pairs make one vector call.\n",
	.opts = unmap_opts,
	.max_pos = MAX_POS - 1,
	.fn = unmap_fn,
};
