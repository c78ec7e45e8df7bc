// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: the one option parser and the usage text, both from a
 * command's option table (struct opt).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define USAGE_WIDTH	78

static const struct opt *find_opt(const struct command *cmd, const char *a, size_t n)
{
	const struct opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (strlen(o->name) == n && !strncmp(o->name, a, n))
			return o;
	return NULL;
}

/* --name, --name=value, --name value */
static int take_opt(struct cli *c, const struct command *cmd, int argc, char **argv,
		    int *i, struct args *a)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	size_t nlen = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	const struct opt *o = find_opt(cmd, arg + 2, nlen);
	int k;

	if (!o)
		return usage_err(c, "unknown option '%s' (see --help)", arg);
	k = (int)(o - cmd->opts);
	a->set[k] = 1;
	if (!o->arg) {
		if (eq)
			return usage_err(c, "option --%s takes no value", o->name);
		return 0;
	}
	if (eq) {
		a->val[k] = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return usage_err(c, "option --%s needs a value", o->name);
	a->val[k] = argv[++*i];
	return 0;
}

int parse_args(struct cli *c, const struct command *cmd, int argc, char **argv,
	       struct args *a)
{
	int i, only_pos = 0, ret;

	memset(a, 0, sizeof(*a));
	a->pos = calloc((size_t)argc + 2, sizeof(*a->pos));
	if (!a->pos)
		return kern_err(c, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_pos && !strcmp(arg, "--")) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && (!strcmp(arg, "-h") || !strcmp(arg, "--help"))) {
			print_usage(cmd, stdout);
			return EXIT_HELP;
		}
		if (only_pos || strncmp(arg, "--", 2)) {
			if (cmd->max_pos >= 0 && a->npos >= cmd->max_pos)
				return usage_err(c, "unexpected argument '%s' (see --help)", arg);
			a->pos[a->npos++] = argv[i];
			continue;
		}
		ret = take_opt(c, cmd, argc, argv, &i, a);
		if (ret)
			return ret;
	}
	return 0;
}

void need_id(struct cli *c, struct args *a, int want)
{
	int i;

	if (a->npos == want - 1 && c->script && c->have_last) {
		for (i = a->npos; i > 0; i--)
			a->pos[i] = a->pos[i - 1];
		a->pos[0] = "@";
		a->npos++;
	}
}

/* the synopsis: "usage: iopgt NAME ARGS [--opt V] ...", wrapped; more alternatives below */
static void print_synopsis(const struct command *cmd, FILE *f)
{
	const char *args = cmd->args ? cmd->args : "", *nl = strchr(args, '\n');
	int len = (int)(nl ? (size_t)(nl - args) : strlen(args));
	int indent = (int)strlen("usage: iopgt ") + (int)strlen(cmd->name);
	int col = fprintf(f, "usage: iopgt %s%s%.*s", cmd->name, len ? " " : "", len, args);
	const struct opt *o;

	for (o = cmd->opts; o && o->name; o++) {
		int w = (int)strlen(o->name) + 5 + (o->arg ? (int)strlen(o->arg) + 1 : 0);

		if (col + w > USAGE_WIDTH)
			col = fprintf(f, "\n%*s", indent, "") - 1;
		col += fprintf(f, " [--%s%s%s]", o->name, o->arg ? " " : "",
			       o->arg ? o->arg : "");
	}
	fputc('\n', f);
	while (nl) {
		args = nl + 1;
		nl = strchr(args, '\n');
		len = (int)(nl ? (size_t)(nl - args) : strlen(args));
		fprintf(f, "       iopgt %s %.*s\n", cmd->name, len, args);
	}
}

void print_usage(const struct command *cmd, FILE *f)
{
	const struct opt *o;
	int w = 0;

	print_synopsis(cmd, f);
	fputs(cmd->usage, f);
	for (o = cmd->opts; o && o->name; o++) {
		int l = (int)strlen(o->name) + (o->arg ? (int)strlen(o->arg) + 1 : 0);

		if (l > w)
			w = l;
	}
	if (cmd->opts && cmd->opts->name)
		fputs("options:\n", f);
	for (o = cmd->opts; o && o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		if (o->help && *o->help)
			fprintf(f, "  --%-*s  %s\n", w, left, o->help);
		else
			fprintf(f, "  --%s\n", left);
	}
}
