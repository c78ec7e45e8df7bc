/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iopgt CLI: the command table and what the commands share.
 *
 * One file per command (or family of commands), each defining a
 * `const struct command cmd_NAME`; main.c lists them (CLI_COMMANDS below)
 * and prints `iopgt --help` from the table. Each command's options are one
 * table (struct opt): the parser (opts.c), the usage text of `iopgt CMD
 * --help` and, through that text, the host tests of the man page and the
 * bash completion all read it. Adding a command: a new file and one
 * X(name) entry in CLI_COMMANDS.
 */
#ifndef IOPGT_CLI_H
#define IOPGT_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "libiopgt.h"
#include "parse.h"
#include "print.h"
#include "tree.h"

/* exit statuses */
#define EXIT_KERNEL	1	/* the kernel (or the system) refused */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_HELP	100	/* internal: --help printed, exit 0 */

/* words per script line */
#define MAX_POS		128

struct cli {
	const char *prog;		/* "iopgt" */
	const char *cmd;		/* current subcommand name */
	const char *dev_path;		/* --device */
	struct iopgt_handle dev;
	int dev_open;
	struct iopgt_netlink *nl;
	int script;			/* running a script */
	unsigned long lineno;		/* script line */
	uint32_t last_id;		/* last AS created in this process */
	int have_last;
};

/**
 * struct opt - one option of a command
 * @name: long name without the leading "--"
 * @arg: placeholder of its value in the usage ("N", "4K,2M,1G"); NULL for
 *	a flag
 * @help: one line for `iopgt CMD --help` (the host tests require it)
 */
struct opt {
	const char *name;
	const char *arg;
	const char *help;
};

#define MAX_OPTS	16

/**
 * struct args - a parsed command line (filled by parse_args())
 * @set: per option of the command's table (same index): given
 * @val: per option with a value: the last value given
 * @pos: the positional arguments (room for one more, see need_id())
 * @npos: their number
 */
struct args {
	int set[MAX_OPTS];
	const char *val[MAX_OPTS];
	char **pos;
	int npos;
};

/**
 * struct command - one subcommand
 * @name: what the user types
 * @summary: one line for `iopgt --help`
 * @args: the positional arguments in the usage ("ID IOVA"); several
 *	alternatives separated by '\n'
 * @usage: what the command does, for `iopgt CMD --help` (lines indented
 *	by two spaces, each ending in '\n')
 * @opts: its options, terminated by an entry with a NULL name (may be NULL)
 * @max_pos: most positional arguments accepted (-1: any number)
 * @fn: runs it; returns an exit status
 */
struct command {
	const char *name;
	const char *summary;
	const char *args;
	const char *usage;
	const struct opt *opts;
	int max_pos;
	int (*fn)(struct cli *c, struct args *a);
};

/* every command, in the order of `iopgt --help` */
#define CLI_COMMANDS(X) \
	X(info) X(formats) X(create) X(destroy) X(list) X(map) X(unmap) \
	X(translate) X(walk) X(regs) X(dump) X(script) X(flushes) \
	X(tlbcheck) X(dirty) X(devwrite)

#define CLI_DECLARE(n) extern const struct command cmd_##n;
CLI_COMMANDS(CLI_DECLARE)
#undef CLI_DECLARE

/* main.c: runs argv[0] as a command (the script command calls it per line) */
int dispatch(struct cli *c, int argc, char **argv);

/* opts.c */
/*
 * Parses argv[1..] against @cmd's option table into @a (a->pos is
 * allocated: free it). Returns 0, EXIT_HELP after printing the usage for
 * -h/--help, or EXIT_USAGE after a message.
 */
int parse_args(struct cli *c, const struct command *cmd, int argc, char **argv,
	       struct args *a);
/* `iopgt CMD --help`, generated from @cmd */
void print_usage(const struct command *cmd, FILE *f);
/* script mode: a missing leading ID (npos == want - 1) becomes "@" */
void need_id(struct cli *c, struct args *a, int want);

/* errors.c */
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

int cli_open_dev(struct cli *c);
int cli_open_nl(struct cli *c);
/* explain a failed ioctl/netlink call in the tool's terms; returns EXIT_KERNEL */
int explain(struct cli *c, const char *what, const struct iopgt_err *err);
/* same, with "netlink dumps need CAP_NET_ADMIN" for EPERM */
int explain_nl(struct cli *c, const char *what, const struct iopgt_err *err);
/* "no address space ID (ENOENT)" */
int no_as_err(struct cli *c, uint32_t id);
/*
 * EPERM from MAP, UNMAP or AS_DESTROY: the address space is not persistent
 * and another open file of the device created it. Names its creator.
 */
int not_owner_err(struct cli *c, const char *what, uint32_t id);
/* the format's name, "?" when unknown */
const char *fmt_name_or(uint32_t format);

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
	int32_t slot[TREE_MAX_DEPTH];
	uint64_t ents[TREE_MAX_DEPTH];
};

#endif
