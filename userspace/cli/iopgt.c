// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt: command-line front end for /dev/iopgt and the "iopgt" generic
 * netlink family.
 *
 * Exit status: 0 success, 1 the kernel (or the system) refused, 2 bad
 * command line. Errors are one line on stderr: "iopgt CMD: what was wrong".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "iopgt_flush.h"

#define MAX_POS		128

#ifndef IOPGT_VERSION	/* from dkms.conf's PACKAGE_VERSION, by the Makefile */
#error "IOPGT_VERSION is not defined: build with userspace/Makefile"
#endif

/* ------------------------------------------------------------------ errors */

static void vmsg(struct cli *c, const char *fmt, va_list ap)
{
	if (c->script)
		fprintf(stderr, "%s: line %lu: %s: ", c->prog, c->lineno,
			c->cmd ? c->cmd : "script");
	else if (c->cmd)
		fprintf(stderr, "%s %s: ", c->prog, c->cmd);
	else
		fprintf(stderr, "%s: ", c->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int usage_err(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int kern_err(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, fmt, ap);
	va_end(ap);
	return EXIT_KERNEL;
}

static int num_err(struct cli *c, const char *what, const char *s, int ret)
{
	if (ret == -ERANGE)
		return usage_err(c, "bad %s '%s': out of range", what, s);
	return usage_err(c, "bad %s '%s': not a number", what, s);
}

int arg_u64(struct cli *c, const char *what, const char *s, uint64_t *v)
{
	int ret = iopgt_parse_u64(s, v);

	return ret ? num_err(c, what, s, ret) : 0;
}

int arg_u32(struct cli *c, const char *what, const char *s, uint32_t *v)
{
	int ret = iopgt_parse_u32(s, v);

	return ret ? num_err(c, what, s, ret) : 0;
}

int arg_id(struct cli *c, const char *s, uint32_t *id)
{
	if (!strcmp(s, "@") || !strcmp(s, "$LAST") || !strcmp(s, "LAST")) {
		if (!c->have_last)
			return usage_err(c, "bad ID '%s': no address space was created yet%s",
					 s, c->script ? "" : " in this process");
		*id = c->last_id;
		return 0;
	}
	if (arg_u32(c, "ID", s, id))
		return EXIT_USAGE;
	if (!*id)
		return usage_err(c, "bad ID '%s': address space ids start at 1", s);
	return 0;
}

/* ------------------------------------------------------------------ explain */

int explain(struct cli *c, const char *what, const struct iopgt_err *err)
{
	int e = -err->code;
	const char *n = iopgt_errno_name(e);

	char pre[96] = "";

	if (err->from_kernel)	/* the kernel's extended ack says it best */
		return kern_err(c, "%s", err->msg);
	/* "iopgt translate: translate: ..." reads badly */
	if (!c->cmd || strcmp(what, c->cmd))
		snprintf(pre, sizeof(pre), "%s: ", what);
	switch (e) {
	case ENODEV:
		return kern_err(c, "%sthe iopgt device was unbound (ENODEV)", pre);
	case ENOTTY:
		return kern_err(c, "%sthe module does not know this ioctl (ENOTTY): module and tool versions differ?",
				pre);
	case E2BIG:
		return kern_err(c, "%sthe module is older than this tool and rejected a newer struct (E2BIG)",
				pre);
	case EINTR:
		if (err->dump_intr)
			return kern_err(c, "%s", err->msg);
		break;
	}
	return kern_err(c, "%s%s", pre, err->msg[0] ? err->msg : n);
}

int cli_open_dev(struct cli *c)
{
	struct iopgt_err err = { 0 };
	const char *path = c->dev_path ? c->dev_path :
			   getenv("IOPGT_DEVICE") ? getenv("IOPGT_DEVICE") :
			   IOPGT_DEFAULT_PATH;

	if (c->dev_open)
		return 0;
	if (iopgt_open(&c->dev, path, &err)) {
		switch (-err.code) {
		case EACCES:
		case EPERM:
			return kern_err(c, "%s is root-only (%s)", path,
					iopgt_errno_name(err.code));
		case ENOENT:
			return kern_err(c, "%s does not exist: the iopgt module is not loaded or its device is unbound (ENOENT)",
					path);
		case ENODEV:
		case ENXIO:
			return kern_err(c, "%s: the iopgt device was unbound (%s)", path,
					iopgt_errno_name(err.code));
		}
		return kern_err(c, "%s", err.msg);
	}
	c->dev_open = 1;
	return 0;
}

int cli_open_nl(struct cli *c)
{
	struct iopgt_err err = { 0 };

	if (c->nl)
		return 0;
	if (iopgt_nl_open(&c->nl, &err))
		return kern_err(c, "%s", err.msg);
	return 0;
}

/* netlink errors need the EPERM wording */
int explain_nl(struct cli *c, const char *what, const struct iopgt_err *err)
{
	if (err->code == -EPERM)
		return kern_err(c, "%s: netlink dumps need CAP_NET_ADMIN (EPERM)", what);
	return explain(c, what, err);
}

/* ------------------------------------------------------------------ options */

int getopts(struct cli *c, int argc, char **argv,
		   const struct optdef *defs, char **pos, int maxpos, int *npos,
		   const char *usage)
{
	int i, only_pos = 0;

	*npos = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct optdef *d;
		const char *eq;
		size_t nlen;

		if (!only_pos && !strcmp(a, "--")) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && (!strcmp(a, "-h") || !strcmp(a, "--help"))) {
			fputs(usage, stdout);
			return EXIT_HELP;
		}
		if (only_pos || strncmp(a, "--", 2)) {
			if (*npos >= maxpos)
				return usage_err(c, "unexpected argument '%s' (see --help)", a);
			pos[(*npos)++] = argv[i];
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (d = defs; d && d->name; d++)
			if (strlen(d->name) == nlen && !strncmp(d->name, a + 2, nlen))
				break;
		if (!d || !d->name)
			return usage_err(c, "unknown option '%s' (see --help)", a);
		if (!d->has_arg) {
			if (eq)
				return usage_err(c, "option --%s takes no value", d->name);
			*d->flag = 1;
			continue;
		}
		if (eq) {
			*d->sval = eq + 1;
		} else {
			if (i + 1 >= argc)
				return usage_err(c, "option --%s needs a value", d->name);
			*d->sval = argv[++i];
		}
	}
	return 0;
}

/* script mode: a missing leading ID means the last created address space */
int need_id(struct cli *c, char **pos, int *npos, int want)
{
	int i;

	if (*npos == want - 1 && c->script && c->have_last) {
		for (i = *npos; i > 0; i--)
			pos[i] = pos[i - 1];
		pos[0] = "@";
		(*npos)++;
	}
	return 0;
}

static void print_hex_json(FILE *f, const char *key, uint64_t v, int comma)
{
	fprintf(f, "%s\"%s\":\"0x%llx\"", comma ? "," : "", key, (unsigned long long)v);
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* ------------------------------------------------------------------ info */

static const char usage_info[] =
"usage: iopgt info [--json]\n"
"  ABI version, limits (caps) and counters of /dev/iopgt.\n";

static int cmd_info(struct cli *c, int argc, char **argv)
{
	struct iopgt_get_info gi;
	struct iopgt_err err = { 0 };
	char *pos[1];
	int npos, json = 0, ret;
	const struct optdef defs[] = { { "json", 0, NULL, &json }, { 0 } };
	char b1[32], b2[32];

	ret = getopts(c, argc, argv, defs, pos, 0, &npos, usage_info);
	if (ret)
		return ret;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_get_info(&c->dev, &gi, NULL, NULL, &err))
		return explain(c, "GET_INFO", &err);
	if (json) {
		printf("{\"abi_version\":%u,\"n_formats\":%u,\"n_available\":%u,"
		       "\"page_size\":%llu,\"max_as_per_device\":%u,"
		       "\"max_map_entries\":%u,\"max_table_bytes_per_as\":%llu,"
		       "\"max_table_bytes\":%llu,\"nr_as\":%u,\"table_bytes\":%llu,"
		       "\"module_allocs\":%llu}\n",
		       gi.abi_version, gi.n_formats, gi.n_available,
		       (unsigned long long)gi.page_size, gi.max_as_per_device,
		       gi.max_map_entries,
		       (unsigned long long)gi.max_table_bytes_per_as,
		       (unsigned long long)gi.max_table_bytes, gi.nr_as,
		       (unsigned long long)gi.table_bytes,
		       (unsigned long long)gi.module_allocs);
		return 0;
	}
	printf("iopgt ABI %u (tool built for %u), kernel page size %s\n",
	       gi.abi_version, IOPGT_ABI_VERSION,
	       iopgt_size_str(gi.page_size, b1, sizeof(b1)));
	printf("formats:          %u available of %u known\n", gi.n_available,
	       gi.n_formats);
	printf("address spaces:   %u live, max %u per device\n", gi.nr_as,
	       gi.max_as_per_device);
	printf("map/unmap vector: max %u entries per call\n", gi.max_map_entries);
	printf("table memory:     %llu bytes in use; caps %s per AS, %s per device\n",
	       (unsigned long long)gi.table_bytes,
	       iopgt_size_str(gi.max_table_bytes_per_as, b1, sizeof(b1)),
	       iopgt_size_str(gi.max_table_bytes, b2, sizeof(b2)));
	printf("module allocs:    %llu live\n", (unsigned long long)gi.module_allocs);
	return 0;
}

/* ------------------------------------------------------------------ formats */

static const char usage_formats[] =
"usage: iopgt formats [--json] [--netlink]\n"
"  Every format the ABI knows: available here or why not, backend, page-size\n"
"  sets, ias/oas ranges, generic_pt level counts, accepted quirks.\n"
"  --netlink  list them from the generic netlink dump instead of GET_INFO\n";

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

static int nl_format_cb(const struct iopgt_nl_format *f, void *arg)
{
	int json = *(int *)arg;

	if (json) {
		printf("{\"format\":%u,\"name\":", f->format);
		json_string(stdout, f->name);
		printf(",\"available\":%s,\"flags\":%u,\"unavail_reason\":%u}\n",
		       f->flags & IOPGT_FMT_F_AVAILABLE ? "true" : "false",
		       f->flags, f->unavail);
	} else {
		printf("%-16s %-10s %s\n", f->name,
		       backend_str(f->flags),
		       f->flags & IOPGT_FMT_F_AVAILABLE ? "available" :
		       iopgt_unavail_str(f->unavail));
	}
	return 0;
}

static int cmd_formats(struct cli *c, int argc, char **argv)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info *f = NULL;
	struct iopgt_err err = { 0 };
	unsigned int n = 0, i, k;
	char *pos[1];
	int npos, json = 0, nlflag = 0, ret;
	const struct optdef defs[] = {
		{ "json", 0, NULL, &json }, { "netlink", 0, NULL, &nlflag }, { 0 }
	};

	ret = getopts(c, argc, argv, defs, pos, 0, &npos, usage_formats);
	if (ret)
		return ret;
	if (nlflag) {
		if ((ret = cli_open_nl(c)))
			return ret;
		if (iopgt_nl_dump_formats(c->nl, 0, nl_format_cb, &json, &err))
			return explain_nl(c, "FORMAT_GET dump", &err);
		return 0;
	}
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_get_info_all(&c->dev, &gi, &f, &n, &err))
		return explain(c, "GET_INFO", &err);
	if (json)
		printf("[");
	else
		printf("%-16s %-10s %-5s %-22s %-11s %-7s %-7s %-6s %s\n", "NAME", "BACKEND",
		       "AVAIL", "PGSIZES", "TABLE", "IAS", "OAS", "LEVELS", "QUIRKS");
	for (i = 0; i < n; i++) {
		const struct iopgt_format_info *fi = &f[i];
		char pg[160] = "", tb[80] = "", q[128], one[64];
		unsigned int sets = fi->n_pgsize_sets > IOPGT_MAX_PGSIZE_SETS ?
				    IOPGT_MAX_PGSIZE_SETS : fi->n_pgsize_sets;
		int avail = !!(fi->flags & IOPGT_FMT_F_AVAILABLE);
		char name[IOPGT_NAME_LEN + 1];

		memcpy(name, fi->name, IOPGT_NAME_LEN);
		name[IOPGT_NAME_LEN] = 0;
		for (k = 0; k < sets; k++) {
			iopgt_pgsizes_str(fi->pgsize_sets[k], one, sizeof(one));
			snprintf(pg + strlen(pg), sizeof(pg) - strlen(pg), "%s%s",
				 k ? " | " : "", one);
			/* memory one table of that granule takes (GET_INFO) */
			iopgt_size_str(fi->table_bytes[k], one, sizeof(one));
			snprintf(tb + strlen(tb), sizeof(tb) - strlen(tb), "%s%s",
				 k ? "," : "", one);
		}
		iopgt_quirks_str(fi->quirks, q, sizeof(q));
		if (json) {
			printf("%s\n{\"format\":%u,\"name\":", i ? "," : "", fi->format);
			json_string(stdout, name);
			printf(",\"available\":%s,\"backend\":\"%s\",\"unavail_reason\":",
			       avail ? "true" : "false", backend_str(fi->flags));
			json_string(stdout, avail ? "" : iopgt_unavail_str(fi->unavail_reason));
			printf(",\"flags\":%u,\"hw_walk\":%s,\"noncoherent_ok\":%s,\"pgsize_sets\":[",
			       fi->flags, fi->flags & IOPGT_FMT_F_HW_WALK ? "true" : "false",
			       fi->flags & IOPGT_FMT_F_NONCOHERENT ? "true" : "false");
			for (k = 0; k < sets; k++)
				printf("%s\"0x%llx\"", k ? "," : "",
				       (unsigned long long)fi->pgsize_sets[k]);
			printf("],\"table_bytes\":[");
			for (k = 0; k < sets; k++)
				printf("%s%u", k ? "," : "", fi->table_bytes[k]);
			printf("],\"ias_min\":%u,\"ias_max\":%u,\"oas_min\":%u,\"oas_max\":%u,"
			       "\"ias_default\":%u,\"oas_default\":%u,\"levels_min\":%u,"
			       "\"levels_max\":%u,\"quirks\":",
			       fi->ias_min, fi->ias_max, fi->oas_min, fi->oas_max,
			       fi->ias_default, fi->oas_default, fi->levels_min,
			       fi->levels_max);
			json_string(stdout, fi->quirks ? q : "");
			printf(",\"oas_set\":[");
			for (k = 0; k < 64; k++)
				if (fi->oas_set & (1ULL << k))
					printf("%s%u", (fi->oas_set & ((1ULL << k) - 1)) ? "," : "", k);
			printf("],\"rules\":");
			json_string(stdout, rules_str(fi->rules, one, sizeof(one)));
			printf("}");
			continue;
		}
		if (!avail) {
			printf("%-16s %-10s %-5s (%s)\n", name, backend_str(fi->flags),
			       "no", iopgt_unavail_str(fi->unavail_reason));
			continue;
		}
		{
			char ias[16], oas[32], lv[16];

			snprintf(ias, sizeof(ias), "%u-%u", fi->ias_min, fi->ias_max);
			if (fi->oas_set)
				iopgt_bits_str(fi->oas_set & (~0ULL >> (63 - fi->oas_max)) &
					 ~((1ULL << fi->oas_min) - 1), oas, sizeof(oas));
			else
				snprintf(oas, sizeof(oas), "%u-%u", fi->oas_min, fi->oas_max);
			if (fi->levels_max)
				snprintf(lv, sizeof(lv), "%u-%u", fi->levels_min,
					 fi->levels_max);
			else
				snprintf(lv, sizeof(lv), "-");
			printf("%-16s %-10s %-5s %-22s %-11s %-7s %-7s %-6s %s%s%s\n", name,
			       backend_str(fi->flags), "yes", pg, tb, ias, oas, lv, q,
			       fi->rules ? "  rules: " : "",
			       fi->rules ? rules_str(fi->rules, one, sizeof(one)) : "");
		}
	}
	if (json)
		printf("\n]\n");
	free(f);
	return 0;
}

/* ------------------------------------------------------------------ create */

static const char usage_create[] =
"usage: iopgt create FORMAT [--ias N] [--oas N] [--pgsizes 4K,2M,1G]\n"
"                    [--quirks ttbr1,ns,...] [--levels N] [--noncoherent]\n"
"                    [--persistent] [--record-flushes] [--json]\n"
"  Create an address space; prints its id and the configuration the kernel\n"
"  settled on. Without --persistent it lives as long as this process (use\n"
"  'iopgt script' to work with it). FORMAT is a name from 'iopgt formats'\n"
"  (case-insensitive; PT_ prefix optional) or a number.\n"
"  quirks: ns, no_perms, mtk_ext, mtk_ttbr_ext, ttbr1, outer_wbwa, hd, s2fwb\n"
"  --record-flushes: record every invalidation (see 'iopgt flushes').\n";

/* GET_INFO with the info of @format (fi zeroed when unknown); 0 on success */
static int get_fmt_info(struct cli *c, uint32_t format, struct iopgt_get_info *gi,
			struct iopgt_format_info *fi)
{
	struct iopgt_format_info *f = NULL;
	struct iopgt_err err = { 0 };
	unsigned int n = 0, i;

	memset(fi, 0, sizeof(*fi));
	if (iopgt_get_info_all(&c->dev, gi, &f, &n, &err))
		return -1;
	for (i = 0; i < n; i++)
		if (f[i].format == format)
			*fi = f[i];
	free(f);
	return 0;
}

/*
 * AS_CREATE failed: say which rule, as the kernel named it in out_reason,
 * with the values from the request and GET_INFO.
 */
static int create_errmsg(struct cli *c, const char *what,
			 const struct iopgt_as_create *req,
			 const struct iopgt_err *err)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info fi;
	char msg[512];
	int have = !get_fmt_info(c, req->format, &gi, &fi);

	if (iopgt_create_err_str(req, err->code, have ? &gi : NULL, have ? &fi : NULL,
				 msg, sizeof(msg)))
		return kern_err(c, "%s: %s", what, msg);
	return explain(c, what, err);
}

static int cmd_create(struct cli *c, int argc, char **argv)
{
	const char *ias_s = NULL, *oas_s = NULL, *pg_s = NULL, *q_s = NULL, *lv_s = NULL;
	int noncoh = 0, pers = 0, json = 0, npos, ret, fmt, recfl = 0;
	const struct optdef defs[] = {
		{ "record-flushes", 0, NULL, &recfl },	/* issue 14 */
		{ "ias", 1, &ias_s, NULL }, { "oas", 1, &oas_s, NULL },
		{ "pgsizes", 1, &pg_s, NULL }, { "pgsize", 1, &pg_s, NULL },
		{ "quirks", 1, &q_s, NULL }, { "levels", 1, &lv_s, NULL },
		{ "noncoherent", 0, NULL, &noncoh }, { "persistent", 0, NULL, &pers },
		{ "json", 0, NULL, &json }, { 0 }
	};
	struct iopgt_as_create req;
	struct iopgt_err err = { 0 };
	char *pos[1], bad[64], pg[128], q[128];

	ret = getopts(c, argc, argv, defs, pos, 1, &npos, usage_create);
	if (ret)
		return ret;
	if (npos != 1)
		return usage_err(c, "missing FORMAT (see 'iopgt formats')");
	memset(&req, 0, sizeof(req));
	fmt = iopgt_format_from_name(pos[0]);
	if (fmt < 0) {
		uint32_t v;

		if (iopgt_parse_u32(pos[0], &v))
			return usage_err(c, "bad FORMAT '%s': unknown format name (see 'iopgt formats')",
					 pos[0]);
		fmt = (int)v;
	}
	req.format = (uint32_t)fmt;
	if (ias_s && arg_u32(c, "--ias", ias_s, &req.ias))
		return EXIT_USAGE;
	if (oas_s && arg_u32(c, "--oas", oas_s, &req.oas))
		return EXIT_USAGE;
	if (lv_s && arg_u32(c, "--levels", lv_s, &req.levels))
		return EXIT_USAGE;
	if (pg_s) {
		uint64_t bm;

		if (iopgt_parse_pgsizes(pg_s, &bm))
			return usage_err(c, "bad --pgsizes '%s': want a list of powers of two like 4K,2M,1G",
					 pg_s);
		req.pgsize_bitmap = bm;
	}
	if (q_s) {
		uint64_t qq;

		if (iopgt_parse_quirks(q_s, &qq, bad, sizeof(bad)))
			return usage_err(c, "bad --quirks '%s': unknown quirk '%s'", q_s, bad);
		req.quirks = qq;
	}
	if (pers)
		req.flags |= IOPGT_AS_PERSISTENT;
	if (noncoh)
		req.flags |= IOPGT_AS_NONCOHERENT;
	if (recfl)
		req.flags |= IOPGT_AS_RECORD_FLUSHES;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_as_create(&c->dev, &req, &err)) {
		const char *fn = iopgt_format_name(req.format);
		char what[96];

		snprintf(what, sizeof(what), "create %s", fn ? fn : pos[0]);
		return create_errmsg(c, what, &req, &err);
	}
	c->last_id = req.as_id;
	c->have_last = 1;
	iopgt_pgsizes_str(req.out_pgsize_bitmap, pg, sizeof(pg));
	iopgt_quirks_str(req.out_quirks, q, sizeof(q));
	if (json) {
		printf("{\"id\":%u,\"format\":%u,\"format_name\":\"%s\",\"levels\":%u,"
		       "\"ias\":%u,\"oas\":%u,\"pgsize_bitmap\":\"0x%llx\",\"quirks\":\"0x%llx\","
		       "\"persistent\":%s,\"noncoherent\":%s}\n",
		       req.as_id, req.format,
		       iopgt_format_name(req.format) ? iopgt_format_name(req.format) : "?",
		       req.out_levels, req.out_ias, req.out_oas,
		       (unsigned long long)req.out_pgsize_bitmap,
		       (unsigned long long)req.out_quirks, pers ? "true" : "false",
		       noncoh ? "true" : "false");
	} else {
		printf("%u\t%s levels=%u ias=%u oas=%u pgsizes=%s quirks=%s%s%s\n",
		       req.as_id,
		       iopgt_format_name(req.format) ? iopgt_format_name(req.format) : "?",
		       req.out_levels, req.out_ias, req.out_oas, pg, q,
		       pers ? " persistent" : "", noncoh ? " noncoherent" : "");
	}
	if (req.out_flags & (IOPGT_AS_CREATE_IAS_CLAMPED | IOPGT_AS_CREATE_OAS_CLAMPED)) {
		struct iopgt_get_info gi;
		struct iopgt_format_info fi;
		const char *why = "";

		if (!get_fmt_info(c, req.format, &gi, &fi) &&
		    (fi.rules & IOPGT_FMT_RULE_CLAMP_48))
			why = " (this format clamps ias/oas above 48 unless the granule is 64K)";
		if (req.out_flags & IOPGT_AS_CREATE_IAS_CLAMPED)
			fprintf(stderr, "%s create: note: ias %u%s became %u%s\n", c->prog,
				req.ias ? req.ias : fi.ias_default,
				req.ias ? "" : " (the default)", req.out_ias, why);
		if (req.out_flags & IOPGT_AS_CREATE_OAS_CLAMPED)
			fprintf(stderr, "%s create: note: oas %u%s became %u%s\n", c->prog,
				req.oas ? req.oas : fi.oas_default,
				req.oas ? "" : " (the default)", req.out_oas, why);
	}
	if (!pers && !c->script)
		fprintf(stderr, "%s create: note: address space %u is not persistent and is destroyed when this command exits (use --persistent, or 'iopgt script')\n",
			c->prog, req.as_id);
	return 0;
}

/* ------------------------------------------------------------------ destroy */

static const char usage_destroy[] =
"usage: iopgt destroy ID\n"
"  Free an address space with all its mappings. Only the open file that\n"
"  created it may (any opener for --persistent ones).\n";

/*
 * EPERM from MAP, UNMAP or AS_DESTROY: the address space is not persistent
 * and another open file of the device created it. Name its creator.
 */
static int not_owner_err(struct cli *c, const char *what, uint32_t id)
{
	struct iopgt_as_info ai;
	struct iopgt_err e2 = { 0 };
	char who[48] = "";

	if (!iopgt_as_info(&c->dev, id, &ai, &e2) && ai.owner_pid)
		snprintf(who, sizeof(who), " (pid %u)", ai.owner_pid);
	return kern_err(c, "%s %u: address space %u is not persistent: only the descriptor that created it%s may map, unmap or destroy it (EPERM)",
			what, id, id, who);
}

static int cmd_destroy(struct cli *c, int argc, char **argv)
{
	struct iopgt_err err = { 0 };
	char *pos[2];
	int npos, ret;
	uint32_t id;

	ret = getopts(c, argc, argv, NULL, pos, 1, &npos, usage_destroy);
	if (ret)
		return ret;
	need_id(c, pos, &npos, 1);
	if (npos != 1)
		return usage_err(c, "missing ID");
	if (arg_id(c, pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_as_destroy(&c->dev, id, &err)) {
		if (err.code == -ENOENT)
			return kern_err(c, "no address space %u (ENOENT)", id);
		if (err.code == -EPERM)
			return not_owner_err(c, "destroy", id);
		return explain(c, "destroy", &err);
	}
	if (c->have_last && c->last_id == id)
		c->have_last = 0;
	return 0;
}

/* ------------------------------------------------------------------ list */

static const char usage_list[] =
"usage: iopgt list [--json]\n"
"  Live address spaces of the device (generic netlink dump; needs\n"
"  CAP_NET_ADMIN): id, format, owner pid, flags, mapped bytes, page-table\n"
"  tables held (the top one included) and their bytes, generation.\n";

static int list_cb(const struct iopgt_nl_as *a, void *arg)
{
	int json = *(int *)arg;
	const char *fn = iopgt_format_name(a->format);
	char pg[96];

	if (json) {
		printf("{\"id\":%u,\"format\":%u,\"format_name\":\"%s\",\"owner\":%u,"
		       "\"persistent\":%s,\"noncoherent\":%s,\"mapped\":%llu,"
		       "\"tables\":%llu,\"table_bytes\":%llu,\"generation\":%llu,"
		       "\"ias\":%u,\"oas\":%u,\"levels\":%u,\"pgsizes\":\"0x%llx\"}\n",
		       a->as_id, a->format, fn ? fn : "?", a->owner,
		       a->flags & IOPGT_AS_INFO_PERSISTENT ? "true" : "false",
		       a->flags & IOPGT_AS_INFO_NONCOHERENT ? "true" : "false",
		       (unsigned long long)a->mapped,
		       (unsigned long long)a->tables,
		       (unsigned long long)a->table_bytes,
		       (unsigned long long)a->generation, a->ias, a->oas, a->levels,
		       (unsigned long long)a->pgsizes);
		return 0;
	}
	printf("%-4u %-16s %-7u %-13s %14llu %7llu %12llu %10llu  ias=%u oas=%u levels=%u pgsizes=%s\n",
	       a->as_id, fn ? fn : "?", a->owner,
	       a->flags & IOPGT_AS_INFO_PERSISTENT ? "persistent" : "fd-bound",
	       (unsigned long long)a->mapped, (unsigned long long)a->tables,
	       (unsigned long long)a->table_bytes,
	       (unsigned long long)a->generation, a->ias, a->oas, a->levels,
	       iopgt_pgsizes_str(a->pgsizes, pg, sizeof(pg)));
	return 0;
}

static int cmd_list(struct cli *c, int argc, char **argv)
{
	struct iopgt_err err = { 0 };
	char *pos[1];
	int npos, json = 0, ret;
	const struct optdef defs[] = { { "json", 0, NULL, &json }, { 0 } };

	ret = getopts(c, argc, argv, defs, pos, 0, &npos, usage_list);
	if (ret)
		return ret;
	if ((ret = cli_open_nl(c)))
		return ret;
	if (!json)
		printf("%-4s %-16s %-7s %-13s %14s %7s %12s %10s\n", "ID", "FORMAT", "OWNER",
		       "LIFETIME", "MAPPED", "TABLES", "TABLE_BYTES", "GEN");
	if (iopgt_nl_dump_as(c->nl, 0, list_cb, &json, &err))
		return explain_nl(c, "AS_GET dump", &err);
	return 0;
}

/* ------------------------------------------------------------------ map */

static const char usage_map[] =
"usage: iopgt map ID IOVA PADDR LEN PROT [IOVA PADDR LEN PROT ...]\n"
"                 [--pgsize SIZE] [--rollback] [--json]\n"
"  Map LEN bytes at IOVA to PADDR. Up to 16 quadruples make one vector call.\n"
"  PROT: letters or a comma list of r, w, x, nx, cache, mmio, priv\n"
"        (e.g. rw, r, rw,nx,cache); or raw IOPGT_PROT_* bits as a number.\n"
"  --pgsize   force this page size (default: the largest that fits)\n"
"  --rollback undo every entry of the call if one fails\n"
"  Numbers: decimal, 0x hex, 0b binary, with K/M/G/T suffixes.\n";

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
			     uint64_t iova, uint64_t paddr, uint64_t len,
			     uint32_t prot, uint32_t pgsize_log2, char *buf,
			     size_t blen)
{
	struct iopgt_hw_cfg hw;
	struct iopgt_get_info gi;
	struct iopgt_err err = { 0 };
	int have_hw, have_gi = 0;

	if (!reason)
		return NULL;
	have_hw = !iopgt_get_hw_cfg(&c->dev, id, &hw, &err);
	if (reason == IOPGT_REASON_AS_TABLE_CAP || reason == IOPGT_REASON_DEV_TABLE_CAP)
		have_gi = !iopgt_get_info(&c->dev, &gi, NULL, NULL, &err);
	return iopgt_entry_err_str(reason, iova, paddr, len, prot, pgsize_log2,
				   have_hw ? &hw : NULL, have_gi ? &gi : NULL, buf, blen);
}

static int map_errmsg(struct cli *c, const struct iopgt_map_entry *e, int code,
		      uint32_t id)
{
	char r[64], why[256];
	const char *n = iopgt_errno_name(code), *w;

	range_str(r, sizeof(r), e->iova, e->length);
	w = entry_why(c, id, e->reason, e->iova, e->paddr, e->length, e->prot,
		      e->pgsize_log2, why, sizeof(why));
	if (w)
		return kern_err(c, "map %s -> 0x%llx: %s (%s)", r,
				(unsigned long long)e->paddr, w, n);
	/* a kernel that names no rule: the errno alone */
	switch (-code) {
	case EEXIST:
		return kern_err(c, "map %s: overlaps an existing mapping (EEXIST)", r);
	case EINVAL:
		return kern_err(c, "map %s -> 0x%llx: misaligned address or length, or prot/page size not accepted (EINVAL)",
				r, (unsigned long long)e->paddr);
	case ERANGE:
		return kern_err(c, "map %s -> 0x%llx: outside the input (ias) or output (oas) address range (ERANGE)",
				r, (unsigned long long)e->paddr);
	case ENOSPC:
		return kern_err(c, "map %s: a page-table memory cap was reached (ENOSPC)", r);
	case ENOENT:
		return kern_err(c, "map %s: no address space %u (ENOENT)", r, id);
	case ENOMEM:
		return kern_err(c, "map %s: the kernel is out of memory (ENOMEM)", r);
	}
	return kern_err(c, "map %s: %s (%s)", r, strerror(-code), n);
}

static int cmd_map(struct cli *c, int argc, char **argv)
{
	const char *pg_s = NULL;
	int rollback = 0, json = 0, npos, ret, i, n;
	const struct optdef defs[] = {
		{ "pgsize", 1, &pg_s, NULL }, { "rollback", 0, NULL, &rollback },
		{ "json", 0, NULL, &json }, { 0 }
	};
	struct iopgt_map_entry ents[16];
	struct iopgt_err err = { 0 };
	char *pos[MAX_POS];
	uint32_t id, pglog = 0, done = 0;

	ret = getopts(c, argc, argv, defs, pos, MAX_POS - 1, &npos, usage_map);
	if (ret)
		return ret;
	if (npos % 4 == 0 && npos)
		need_id(c, pos, &npos, npos + 1);
	if (npos < 5 || (npos - 1) % 4)
		return usage_err(c, "want ID followed by IOVA PADDR LEN PROT (groups of four); got %d argument%s",
				 npos, npos == 1 ? "" : "s");
	n = (npos - 1) / 4;
	if (n > (int)(sizeof(ents) / sizeof(ents[0])))
		return usage_err(c, "at most %zu mappings per command",
				 sizeof(ents) / sizeof(ents[0]));
	if (arg_id(c, pos[0], &id))
		return EXIT_USAGE;
	if (pg_s) {
		uint64_t v;

		if (arg_u64(c, "--pgsize", pg_s, &v))
			return EXIT_USAGE;
		if (!v || (v & (v - 1)))
			return usage_err(c, "bad --pgsize '%s': not a power of two", pg_s);
		pglog = (uint32_t)__builtin_ctzll(v);
	}
	memset(ents, 0, sizeof(ents));
	for (i = 0; i < n; i++) {
		char **g = &pos[1 + 4 * i];
		char bad[64];
		uint64_t a, p, l;

		if (arg_u64(c, "IOVA", g[0], &a) ||
		    arg_u64(c, "PADDR", g[1], &p) ||
		    arg_u64(c, "LEN", g[2], &l))
			return EXIT_USAGE;
		ents[i].iova = a;
		ents[i].paddr = p;
		ents[i].length = l;
		if (iopgt_parse_prot(g[3], &ents[i].prot, bad, sizeof(bad)))
			return usage_err(c, "bad PROT '%s': '%s' is not one of r, w, x, nx, cache, mmio, priv",
					 g[3], bad);
		ents[i].pgsize_log2 = pglog;
	}
	if ((ret = cli_open_dev(c)))
		return ret;
	ret = iopgt_map(&c->dev, id, rollback ? IOPGT_MAP_ROLLBACK : 0, ents,
			(uint32_t)n, &done, &err);
	for (i = 0; i < n && i < (int)done; i++) {
		char p[64], sz[16];

		if (json)
			printf("{\"iova\":\"0x%llx\",\"paddr\":\"0x%llx\",\"length\":\"0x%llx\",\"mapped\":\"0x%llx\",\"error\":0}\n",
			       (unsigned long long)ents[i].iova,
			       (unsigned long long)ents[i].paddr,
			       (unsigned long long)ents[i].length,
			       (unsigned long long)ents[i].mapped);
		else
			printf("mapped 0x%llx+0x%llx -> 0x%llx (%s) %s\n",
			       (unsigned long long)ents[i].iova,
			       (unsigned long long)ents[i].length,
			       (unsigned long long)ents[i].paddr,
			       iopgt_size_str(ents[i].mapped, sz, sizeof(sz)),
			       iopgt_prot_str(ents[i].prot, p, sizeof(p)));
	}
	if (ret) {
		if (ret == -ENODEV || ret == -ENOTTY || ret == -E2BIG || ret == -EFAULT)
			return explain(c, "map", &err);
		if (ret == -ENOENT && (done >= (uint32_t)n || !ents[done].error))
			return kern_err(c, "no address space %u (ENOENT)", id);
		if (ret == -EPERM && (done >= (uint32_t)n || !ents[done].error))
			return not_owner_err(c, "map", id);
		if (done < (uint32_t)n) {
			int code = ents[done].error ? ents[done].error : ret;

			if (ents[done].mapped && !rollback)
				fprintf(stderr, "%s map: note: 0x%llx bytes of the failing entry stay mapped\n",
					c->prog, (unsigned long long)ents[done].mapped);
			if (json)
				printf("{\"iova\":\"0x%llx\",\"mapped\":\"0x%llx\",\"error\":%d,\"errno\":\"%s\"}\n",
				       (unsigned long long)ents[done].iova,
				       (unsigned long long)ents[done].mapped, code,
				       iopgt_errno_name(code));
			return map_errmsg(c, &ents[done], code, id);
		}
		return explain(c, "map", &err);
	}
	return 0;
}

/* ------------------------------------------------------------------ unmap */

static const char usage_unmap[] =
"usage: iopgt unmap ID IOVA LEN [IOVA LEN ...] [--core] [--json]\n"
"  Unmap whole leaves covering IOVA..IOVA+LEN (no holes, no partial blocks).\n"
"  Up to 16 pairs make one vector call. --core splits each range into the\n"
"  largest page sizes alignment allows, like the iommu core (frees tables).\n";

static int cmd_unmap(struct cli *c, int argc, char **argv)
{
	int json = 0, npos, ret, i, n, core = 0;
	const struct optdef defs[] = { { "json", 0, NULL, &json },
				       { "core", 0, NULL, &core }, { 0 } };
	struct iopgt_unmap_entry ents[16];
	struct iopgt_err err = { 0 };
	char *pos[MAX_POS], r[64];
	uint32_t id, done = 0;

	ret = getopts(c, argc, argv, defs, pos, MAX_POS - 1, &npos, usage_unmap);
	if (ret)
		return ret;
	if (npos % 2 == 0 && npos)
		need_id(c, pos, &npos, npos + 1);
	if (npos < 3 || (npos - 1) % 2)
		return usage_err(c, "want ID followed by IOVA LEN pairs; got %d argument%s",
				 npos, npos == 1 ? "" : "s");
	n = (npos - 1) / 2;
	if (n > 16)
		return usage_err(c, "at most 16 ranges per command");
	if (arg_id(c, pos[0], &id))
		return EXIT_USAGE;
	memset(ents, 0, sizeof(ents));
	for (i = 0; i < n; i++) {
		uint64_t a, l;

		if (arg_u64(c, "IOVA", pos[1 + 2 * i], &a) ||
		    arg_u64(c, "LEN", pos[2 + 2 * i], &l))
			return EXIT_USAGE;
		ents[i].iova = a;
		ents[i].length = l;
	}
	if ((ret = cli_open_dev(c)))
		return ret;
	ret = iopgt_unmap_flags(&c->dev, id, core ? IOPGT_UNMAP_CORE : 0, ents,
				(uint32_t)n, &done, &err);
	for (i = 0; i < (int)done && i < n; i++) {
		if (json)
			printf("{\"iova\":\"0x%llx\",\"length\":\"0x%llx\",\"unmapped\":\"0x%llx\",\"error\":0}\n",
			       (unsigned long long)ents[i].iova,
			       (unsigned long long)ents[i].length,
			       (unsigned long long)ents[i].unmapped);
		else
			printf("unmapped 0x%llx+0x%llx (0x%llx bytes)\n",
			       (unsigned long long)ents[i].iova,
			       (unsigned long long)ents[i].length,
			       (unsigned long long)ents[i].unmapped);
	}
	if (!ret)
		return 0;
	if (ret == -ENODEV || ret == -ENOTTY || ret == -E2BIG || ret == -EFAULT ||
	    done >= (uint32_t)n)
		return explain(c, "unmap", &err);
	{
		struct iopgt_unmap_entry *e = &ents[done];
		int code = e->error ? e->error : ret;

		range_str(r, sizeof(r), e->iova, e->length);
		if (code == -ENOENT && !e->error)
			return kern_err(c, "no address space %u (ENOENT)", id);
		if (code == -EPERM && !e->error)
			return not_owner_err(c, "unmap", id);
		if (json)
			printf("{\"iova\":\"0x%llx\",\"unmapped\":\"0x%llx\",\"error\":%d,\"errno\":\"%s\"}\n",
			       (unsigned long long)e->iova,
			       (unsigned long long)e->unmapped, code,
			       iopgt_errno_name(code));
		{
			char why[256];
			const char *w = entry_why(c, id, e->reason, e->iova, 0, e->length,
						  0, 0, why, sizeof(why));

			if (w)
				return kern_err(c, "unmap %s: %s (%s)", r, w,
						iopgt_errno_name(code));
		}
		switch (-code) {
		case ENOENT:
			return kern_err(c, "unmap %s: part of the range is not mapped (ENOENT)", r);
		case EINVAL:
			return kern_err(c, "unmap %s: misaligned, or would split a larger block (EINVAL)",
					r);
		case ERANGE:
			return kern_err(c, "unmap %s: outside the input address range (ERANGE)", r);
		}
		return kern_err(c, "unmap %s: %s (%s)", r, strerror(-code),
				iopgt_errno_name(code));
	}
}

/* ------------------------------------------------------------------ walk */

static const char usage_walk[] =
"usage: iopgt walk ID IOVA [--hw] [--json]\n"
"  The descriptors that translate IOVA, top table first: level, index, raw\n"
"  descriptor, kind and decoded fields.\n"
"  --hw  also ask io-pgtable's own pgtable_walk (where the kernel has it)\n"
"  Table addresses need CAP_SYS_ADMIN (opener and caller): otherwise the\n"
"  kernel zeroes the address bits of table descriptors, shown as hidden.\n";

static int get_ctx(struct cli *c, uint32_t id, struct iopgt_hw_cfg *hw,
		   struct iopgt_fmt_ctx *ctx, struct iopgt_err *err)
{
	if (iopgt_get_hw_cfg(&c->dev, id, hw, err))
		return -1;
	iopgt_fmt_ctx_from_hw(ctx, hw);
	return 0;
}

static int cmd_walk(struct cli *c, int argc, char **argv)
{
	int json = 0, hwf = 0, npos, ret;
	const struct optdef defs[] = {
		{ "json", 0, NULL, &json }, { "hw", 0, NULL, &hwf }, { 0 }
	};
	struct iopgt_err err = { 0 };
	struct iopgt_hw_cfg hw;
	struct iopgt_fmt_ctx ctx;
	struct iopgt_walk w;
	char *pos[3];
	uint32_t id, i;
	uint64_t iova;

	ret = getopts(c, argc, argv, defs, pos, 2, &npos, usage_walk);
	if (ret)
		return ret;
	need_id(c, pos, &npos, 2);
	if (npos != 2)
		return usage_err(c, "want ID IOVA");
	if (arg_id(c, pos[0], &id) || arg_u64(c, "IOVA", pos[1], &iova))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (get_ctx(c, id, &hw, &ctx, &err) ||
	    iopgt_walk(&c->dev, id, iova, hwf ? IOPGT_WALK_HW : 0, &w, &err)) {
		if (err.code == -ENOENT)
			return kern_err(c, "no address space %u (ENOENT)", id);
		if (err.code == -ERANGE)
			return kern_err(c, "walk 0x%llx: outside the input address range (ERANGE)",
					(unsigned long long)iova);
		return explain(c, "walk", &err);
	}
	if (w.n_levels > IOPGT_MAX_LEVELS)
		w.n_levels = IOPGT_MAX_LEVELS;
	if (json) {
		printf("{\"as\":%u,\"format\":\"%s\",\"iova\":\"0x%llx\",\"mapped\":%s,\"phys\":\"0x%llx\",\"levels\":[",
		       id, iopgt_format_name(hw.format) ? iopgt_format_name(hw.format) : "?",
		       (unsigned long long)iova,
		       w.out_flags & IOPGT_WALK_MAPPED ? "true" : "false",
		       (unsigned long long)w.phys);
	} else {
		printf("AS %u %s iova 0x%llx: ", id,
		       iopgt_format_name(hw.format) ? iopgt_format_name(hw.format) : "?",
		       (unsigned long long)iova);
		if (w.out_flags & IOPGT_WALK_MAPPED)
			printf("-> 0x%llx\n", (unsigned long long)w.phys);
		else
			printf("not mapped\n");
	}
	for (i = 0; i < w.n_levels; i++) {
		const struct iopgt_walk_level *l = &w.levels[i];
		struct iopgt_pte_info pi;
		char f[512], sz[16], oa[24];

		iopgt_decode_pte(&ctx, l->pte, l->level, &pi);
		if (json) {
			printf("%s{\"level\":%u,\"index\":%u,\"pte\":\"0x%llx\",\"kind\":\"%s\","
			       "\"span_log2\":%u,\"oa\":\"0x%llx\",\"table_pa\":\"0x%llx\",\"prot\":\"%s\",\"attrs\":",
			       i ? "," : "", l->level, l->index,
			       (unsigned long long)l->pte, iopgt_kind_name(l->kind),
			       l->span_log2, (unsigned long long)l->oa,
			       (unsigned long long)l->table_pa,
			       l->kind >= IOPGT_PTE_BLOCK ?
			       iopgt_prot_str(pi.prot, f, sizeof(f)) : "");
			iopgt_fields_json(pi.f, pi.nfields, stdout);
			printf("}");
			continue;
		}
		iopgt_fields_str(pi.f, pi.nfields, f, sizeof(f));
		if (l->kind == IOPGT_PTE_TABLE && (w.out_flags & IOPGT_WALK_ADDR_HIDDEN))
			snprintf(oa, sizeof(oa), "hidden");
		else
			snprintf(oa, sizeof(oa), "0x%llx", (unsigned long long)l->oa);
		printf("  L%u [%4u] 0x%016llx %-7s %5s -> %s%s%s%s%s\n", l->level,
		       l->index, (unsigned long long)l->pte, iopgt_kind_name(l->kind),
		       l->span_log2 < 64 ? iopgt_size_str(1ULL << l->span_log2, sz, sizeof(sz)) : "?",
		       oa, f[0] ? "  " : "", f,
		       pi.kind != l->kind ? " !decoder=" : "",
		       pi.kind != l->kind ? iopgt_kind_name(pi.kind) : "");
	}
	if (json) {
		printf("]");
		if (w.out_flags & IOPGT_WALK_HW_DONE) {
			printf(",\"hw_ptes\":[");
			for (i = 0; i < 4; i++)
				printf("%s\"0x%llx\"", i ? "," : "",
				       (unsigned long long)w.hw_ptes[i]);
			printf("]");
		}
		printf("}\n");
	} else if (w.out_flags & IOPGT_WALK_HW_DONE) {
		printf("  pgtable_walk ptes:");
		for (i = 0; i < 4; i++)
			printf(" 0x%016llx", (unsigned long long)w.hw_ptes[i]);
		printf("\n");
	} else if (hwf) {
		printf("  (no io-pgtable pgtable_walk for this format/kernel)\n");
	}
	return 0;
}

/* ------------------------------------------------------------------ regs */

static const char usage_regs[] =
"usage: iopgt regs ID [--json]\n"
"  The hardware configuration of an address space (GET_HW_CFG): the register\n"
"  values a driver would program, decoded (TCR/VTCR fields, MAIR attribute\n"
"  slots, Mali TRANSTAB/MEMATTR, v7s TTBR/NMRR/PRRR, generic_pt roots).\n"
"  Table addresses need CAP_SYS_ADMIN (otherwise shown as hidden).\n";

static int cmd_regs(struct cli *c, int argc, char **argv)
{
	int json = 0, npos, ret;
	const struct optdef defs[] = { { "json", 0, NULL, &json }, { 0 } };
	struct iopgt_err err = { 0 };
	struct iopgt_hw_cfg hw;
	struct iopgt_reg regs[IOPGT_MAX_REGS + 4];
	char *pos[2], pg[128], q[128], f[1024];
	unsigned int n, i;
	uint32_t id;

	ret = getopts(c, argc, argv, defs, pos, 1, &npos, usage_regs);
	if (ret)
		return ret;
	need_id(c, pos, &npos, 1);
	if (npos != 1)
		return usage_err(c, "want ID");
	if (arg_id(c, pos[0], &id))
		return EXIT_USAGE;
	if ((ret = cli_open_dev(c)))
		return ret;
	if (iopgt_get_hw_cfg(&c->dev, id, &hw, &err)) {
		if (err.code == -ENOENT)
			return kern_err(c, "no address space %u (ENOENT)", id);
		return explain(c, "regs", &err);
	}
	n = iopgt_decode_regs(&hw, regs, sizeof(regs) / sizeof(regs[0]));
	iopgt_pgsizes_str(hw.pgsize_bitmap, pg, sizeof(pg));
	iopgt_quirks_str(hw.quirks, q, sizeof(q));
	if (json) {
		printf("{\"as\":%u,\"format\":%u,\"format_name\":\"%s\",\"levels\":%u,"
		       "\"start_level\":%u,\"ias\":%u,\"oas\":%u,\"pgsize_bitmap\":\"0x%llx\","
		       "\"quirks\":\"0x%llx\",\"addr_hidden\":%s,\"raw\":[",
		       id, hw.format,
		       iopgt_format_name(hw.format) ? iopgt_format_name(hw.format) : "?",
		       hw.levels, hw.start_level, hw.ias, hw.oas,
		       (unsigned long long)hw.pgsize_bitmap,
		       (unsigned long long)hw.quirks,
		       hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN ? "true" : "false");
		for (i = 0; i < IOPGT_HW_NREGS; i++)
			printf("%s\"0x%llx\"", i ? "," : "", (unsigned long long)hw.regs[i]);
		printf("],\"regs\":[");
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":\"%s\"", i ? "," : "", regs[i].name);
			print_hex_json(stdout, "value", regs[i].value, 1);
			printf(",\"fields\":");
			iopgt_fields_json(regs[i].f, regs[i].nfields, stdout);
			printf("}");
		}
		printf("]}\n");
		return 0;
	}
	printf("AS %u %s: levels=%u start_level=%u ias=%u oas=%u pgsizes=%s quirks=%s%s\n",
	       id, iopgt_format_name(hw.format) ? iopgt_format_name(hw.format) : "?",
	       hw.levels, hw.start_level, hw.ias, hw.oas, pg, q,
	       hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN ? " (table addresses hidden: need CAP_SYS_ADMIN)" : "");
	for (i = 0; i < n; i++)
	{
		iopgt_fields_str(regs[i].f, regs[i].nfields, f, sizeof(f));
		printf("  %-16s 0x%016llx%s%s\n", regs[i].name,
		       (unsigned long long)regs[i].value, f[0] ? "  " : "", f);
	}
	return 0;
}

/* ------------------------------------------------------------------ script */

static const char usage_script[] =
"usage: iopgt script FILE|-\n"
"  Run one command per line in this process, so address spaces created\n"
"  without --persistent live until the script ends. Syntax per line is the\n"
"  subcommand's ('map 1 0 0x80000000 2M rw'); '#' starts a comment; quotes\n"
"  group words. '@' or '$LAST' names the last address space created by the\n"
"  script, and commands taking a leading ID (destroy, map, unmap, translate,\n"
"  walk, regs, dump) may omit it to mean that one. 'echo WORDS' prints\n"
"  WORDS; 'sleep MS' waits. The script stops at the first failing line\n"
"  with its exit status.\n";

static int dispatch(struct cli *c, int argc, char **argv);

static int cmd_script(struct cli *c, int argc, char **argv)
{
	char *pos[2], *line = NULL, *words[MAX_POS + 1];
	size_t cap = 0;
	int npos, ret;
	FILE *f;
	struct cli saved;

	ret = getopts(c, argc, argv, NULL, pos, 1, &npos, usage_script);
	if (ret)
		return ret;
	if (npos != 1)
		return usage_err(c, "want FILE or -");
	if (c->script)
		return usage_err(c, "scripts do not nest");
	f = strcmp(pos[0], "-") ? fopen(pos[0], "r") : stdin;
	if (!f)
		return kern_err(c, "cannot open '%s': %s", pos[0], strerror(errno));
	saved = *c;
	c->script = 1;
	c->lineno = 0;
	ret = 0;
	while (getline(&line, &cap, f) >= 0) {
		int n;

		c->lineno++;
		line[strcspn(line, "\r\n")] = 0;
		n = iopgt_tokenize(line, words + 1, MAX_POS);
		if (n < 0) {
			c->cmd = NULL;
			ret = usage_err(c, "%s", n == -E2BIG ? "too many words" :
					"unterminated quote");
			break;
		}
		if (!n)
			continue;
		words[0] = (char *)c->prog;
		if (!strcmp(words[1], "echo")) {
			int i;

			for (i = 2; i <= n; i++)
				printf("%s%s", i > 2 ? " " : "", words[i]);
			printf("\n");
			fflush(stdout);
			continue;
		}
		if (!strcmp(words[1], "sleep")) {
			uint64_t ms;

			c->cmd = "sleep";
			if (n != 2 || iopgt_parse_u64(words[2], &ms)) {
				ret = usage_err(c, "want MILLISECONDS");
				break;
			}
			fflush(stdout);
			{
				struct timespec ts;

				if (ms > 3600000)
					ms = 3600000;
				ts.tv_sec = (time_t)(ms / 1000);
				ts.tv_nsec = (long)(ms % 1000) * 1000000L;
				while (nanosleep(&ts, &ts) && errno == EINTR)
					;
			}
			continue;
		}
		ret = dispatch(c, n, words + 1);
		fflush(stdout);
		if (ret == EXIT_HELP)
			ret = 0;
		if (ret)
			break;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	c->script = 0;
	c->cmd = saved.cmd;
	return ret;
}

/* ------------------------------------------------------------------ main */

static const char usage_main[] =
"usage: iopgt [--device PATH] COMMAND [ARGS] [--help]\n"
"\n"
"IOMMU page tables of the running kernel (io-pgtable, generic_pt) through\n"
"/dev/iopgt and the \"iopgt\" generic netlink family.\n"
"\n"
"commands:\n"
"  info                       ABI version, limits, counters\n"
"  formats                    formats, availability, constraints\n"
"  create FORMAT [opts]       create an address space (--persistent to keep it)\n"
"  destroy ID                 free an address space\n"
"  list                       live address spaces (netlink)\n"
"  map ID IOVA PADDR LEN PROT map (vector: repeat the quadruple)\n"
"  unmap ID IOVA LEN          unmap\n"
"  translate ID IOVA...       IOVAs -> output addresses (--range A-B)\n"
"  walk ID IOVA               descriptors translating IOVA, decoded\n"
"  regs ID                    hardware configuration, decoded\n"
"  dump ID --format F         the whole tree: tree, ranges, json or dot\n"
"  script FILE|-              run commands in one process\n"
"  flushes ID [--clear]       invalidations recorded for an address space\n"
"  tlbcheck FORMAT            random workload through the IOTLB oracle\n"
"\n"
"Numbers: decimal, 0x hex, 0b binary, with K/M/G/T suffixes (4K, 0x200000, 2M).\n"
"Exit status: 0 ok, 1 the kernel refused, 2 bad command line.\n"
"Environment: IOPGT_DEVICE overrides /dev/iopgt.\n";

static const struct {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
} cmds[] = {
	{ "info", cmd_info }, { "formats", cmd_formats },
	{ "create", cmd_create }, { "destroy", cmd_destroy },
	{ "list", cmd_list }, { "map", cmd_map }, { "unmap", cmd_unmap },
	{ "translate", cmd_translate }, { "walk", cmd_walk },
	{ "regs", cmd_regs }, { "dump", cmd_dump }, { "script", cmd_script },
	{ "flushes", cmd_flushes }, { "tlbcheck", cmd_tlbcheck },	/* issue 14 */
};

static int dispatch(struct cli *c, int argc, char **argv)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strcmp(argv[0], cmds[i].name)) {
			c->cmd = cmds[i].name;
			return cmds[i].fn(c, argc, argv);
		}
	}
	if (!strcmp(argv[0], "help")) {
		if (argc > 1) {
			char *h[] = { argv[1], "--help", NULL };

			return dispatch(c, 2, h);
		}
		fputs(usage_main, stdout);
		return EXIT_HELP;
	}
	c->cmd = NULL;
	return usage_err(c, "unknown command '%s' (see --help)", argv[0]);
}

int main(int argc, char **argv)
{
	struct cli c;
	int i = 1, ret;

	memset(&c, 0, sizeof(c));
	c.prog = "iopgt";
	c.dev.fd = -1;
	while (i < argc && !strncmp(argv[i], "-", 1)) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_main, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("iopgt %s (ABI %u)\n", IOPGT_VERSION, IOPGT_ABI_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			c.dev_path = argv[i + 1];
			i += 2;
			continue;
		}
		if (!strncmp(argv[i], "--device=", 9)) {
			c.dev_path = argv[i] + 9;
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--device"))
			return usage_err(&c, "option --device needs a value");
		return usage_err(&c, "unknown option '%s' (see --help)", argv[i]);
	}
	if (i >= argc) {
		fputs(usage_main, stderr);
		return EXIT_USAGE;
	}
	ret = dispatch(&c, argc - i, argv + i);
	if (ret == EXIT_HELP)
		ret = 0;
	if (fflush(stdout) && !ret)
		ret = kern_err(&c, "write error: %s", strerror(errno));
	iopgt_nl_close(c.nl);
	iopgt_close(&c.dev);
	return ret;
}
