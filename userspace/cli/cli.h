/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iopgt CLI: shared state between the subcommands. */
#ifndef IOPGT_CLI_H
#define IOPGT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "iopgt.h"

/* exit statuses */
#define EXIT_KERNEL	1	/* the kernel (or the system) refused */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_HELP	100	/* internal: --help printed, exit 0 */

struct cli {
	const char *prog;		/* "iopgt" */
	const char *cmd;		/* current subcommand name */
	const char *dev_path;		/* --device */
	struct iopgt_dev dev;
	int dev_open;
	struct iopgt_nl *nl;
	int script;			/* running a script */
	unsigned long lineno;		/* script line */
	uint32_t last_id;		/* last AS created in this process */
	int have_last;
};

/* prints "iopgt CMD: ..." to stderr; returns EXIT_USAGE */
int usage_err(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* prints "iopgt CMD: ..." to stderr; returns EXIT_KERNEL */
int kern_err(struct cli *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* argument helpers (return 0 or print + EXIT_USAGE) */
int arg_u64(struct cli *c, const char *what, const char *s, uint64_t *v);
int arg_u32(struct cli *c, const char *what, const char *s, uint32_t *v);
int arg_id(struct cli *c, const char *s, uint32_t *id);

/* an option: a flag (*@flag = 1) or one with a value (*@sval) */
struct optdef {
	const char *name;
	int has_arg;
	const char **sval;
	int *flag;
};

/*
 * Parses argv[1..] against @defs (NULL-name terminated); up to @maxpos
 * positional arguments land in @pos. Returns 0, EXIT_HELP after printing
 * @usage for -h/--help, or EXIT_USAGE after a message.
 */
int getopts(struct cli *c, int argc, char **argv, const struct optdef *defs,
	    char **pos, int maxpos, int *npos, const char *usage);
/* script mode: a missing leading ID (npos == want - 1) becomes "@" */
int need_id(struct cli *c, char **pos, int *npos, int want);

int cli_open_dev(struct cli *c);
int cli_open_nl(struct cli *c);
/* explain a failed ioctl/netlink call in the tool's terms; returns EXIT_KERNEL */
int explain(struct cli *c, const char *what, const struct iopgt_err *err);
/* same, with "netlink dumps need CAP_NET_ADMIN" for EPERM */
int explain_nl(struct cli *c, const char *what, const struct iopgt_err *err);

/* dump.c */
/*
 * A dump recording (IOPGT_DUMP_CAPTURE / IOPGT_DUMP_REPLAY): this header,
 * then the netlink messages back to back. Host byte order and this build's
 * struct layouts (a test/bench format, not an interchange one).
 */
#define IOPGT_CAPTURE_MAGIC	"IOPGTNL1"
struct iopgt_capture_hdr {
	char magic[8];
	uint32_t hdr_size;
	uint32_t id;
	int32_t have_hw;
	int32_t have_ai;
	struct iopgt_hw_cfg hw;
	struct iopgt_as_info ai;
	struct iopgt_fmt_ctx ctx;
	int32_t slot[IOPGT_TREE_MAX_DEPTH];
	uint64_t ents[IOPGT_TREE_MAX_DEPTH];
};

int cmd_dump(struct cli *c, int argc, char **argv);
/* translate.c */
int cmd_translate(struct cli *c, int argc, char **argv);

void json_string(FILE *f, const char *s);

/* flushes.c (issue 14) */
int cmd_flushes(struct cli *c, int argc, char **argv);
int cmd_tlbcheck(struct cli *c, int argc, char **argv);

#endif
