// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt: command-line front end for /dev/iopgt and the "iopgt" generic
 * netlink family. The commands are the table below (CLI_COMMANDS in
 * cli.h); `iopgt --help` and `iopgt CMD --help` are printed from it.
 *
 * Exit status: 0 success, 1 the kernel (or the system) refused, 2 bad
 * command line. Errors are one line on stderr: "iopgt CMD: what was wrong".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef IOPGT_VERSION	/* from dkms.conf's PACKAGE_VERSION, by the Makefile */
#error "IOPGT_VERSION is not defined: build with userspace/Makefile"
#endif

#define CLI_ENTRY(n) &cmd_##n,
static const struct command *const commands[] = { CLI_COMMANDS(CLI_ENTRY) };
#undef CLI_ENTRY

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_main_usage(FILE *f)
{
	size_t i;

	fputs("usage: iopgt [--device PATH] COMMAND [ARGS] [--help]\n"
	      "\n"
	      "IOMMU page tables of the running kernel (io-pgtable, generic_pt) through\n"
	      "/dev/iopgt and the \"iopgt\" generic netlink family.\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n"
	      "'iopgt COMMAND --help' (or 'iopgt help COMMAND') shows its arguments and options.\n"
	      "Numbers: decimal, 0x hex, 0b binary, with K/M/G/T suffixes (4K, 0x200000, 2M).\n"
	      "Exit status: 0 ok, 1 the kernel refused, 2 bad command line.\n"
	      "Environment: IOPGT_DEVICE overrides /dev/iopgt.\n", f);
}

int dispatch(struct cli *c, int argc, char **argv)
{
	struct args a;
	size_t i;
	int ret;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(argv[0], commands[i]->name))
			break;
	if (i == N_COMMANDS) {
		if (!strcmp(argv[0], "help")) {
			char *h[] = { argv[1], "--help", NULL };

			if (argc > 1)
				return dispatch(c, 2, h);
			print_main_usage(stdout);
			return EXIT_HELP;
		}
		c->cmd = NULL;
		return usage_err(c, "unknown command '%s' (see --help)", argv[0]);
	}
	c->cmd = commands[i]->name;
	ret = parse_args(c, commands[i], argc, argv, &a);
	if (!ret) {
		out_init(stdout, 0);
		ret = commands[i]->fn(c, &a);
	}
	free(a.pos);
	return ret;
}

/* global options before the command; returns the index of the command */
static int global_opts(struct cli *c, int argc, char **argv, int *ret)
{
	int i = 1;

	*ret = -1;
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			print_main_usage(stdout);
			*ret = 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("iopgt %s (ABI %u)\n", IOPGT_VERSION, IOPGT_ABI_VERSION);
			*ret = 0;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			c->dev_path = argv[++i];
		} else if (!strncmp(argv[i], "--device=", 9)) {
			c->dev_path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--device")) {
			*ret = usage_err(c, "option --device needs a value");
		} else {
			*ret = usage_err(c, "unknown option '%s' (see --help)", argv[i]);
		}
		if (*ret >= 0)
			return i;
		i++;
	}
	if (i >= argc) {
		print_main_usage(stderr);
		*ret = EXIT_USAGE;
	}
	return i;
}

int main(int argc, char **argv)
{
	struct cli c;
	int i, ret;

	memset(&c, 0, sizeof(c));
	c.prog = "iopgt";
	c.dev.fd = -1;
	i = global_opts(&c, argc, argv, &ret);
	if (ret >= 0)
		return ret;
	ret = dispatch(&c, argc - i, argv + i);
	if (ret == EXIT_HELP)
		ret = 0;
	if (fflush(stdout) && !ret)
		ret = kern_err(&c, "write error: %s", strerror(errno));
	iopgt_netlink_close(c.nl);
	iopgt_close_device(&c.dev);
	return ret;
}
