// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: error messages ("iopgt CMD: what was wrong"), argument
 * helpers, opening the device and the netlink socket.
 *
 * A refused call is explained from what the kernel reported: its extended
 * ack, the reason of the entry or request (enum iopgt_reason, put into
 * words by libiopgt), or the errno; the CLI keeps no copy of the kernel's
 * rules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	int ret = parse_u64(s, v);

	return ret ? num_err(c, what, s, ret) : 0;
}

int arg_u32(struct cli *c, const char *what, const char *s, uint32_t *v)
{
	int ret = parse_u32(s, v);

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

const char *fmt_name_or(uint32_t format)
{
	const char *n = iopgt_format_name(format);

	return n ? n : "?";
}

int explain(struct cli *c, const char *what, const struct iopgt_err *err)
{
	int e = -err->code;
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
	return kern_err(c, "%s%s", pre, err->msg[0] ? err->msg : iopgt_errno_name(e));
}

/* netlink errors need the EPERM wording */
int explain_nl(struct cli *c, const char *what, const struct iopgt_err *err)
{
	if (err->code == -EPERM)
		return kern_err(c, "%s: netlink dumps need CAP_NET_ADMIN (EPERM)", what);
	return explain(c, what, err);
}

int no_as_err(struct cli *c, uint32_t id)
{
	return kern_err(c, "no address space %u (ENOENT)", id);
}

int not_owner_err(struct cli *c, const char *what, uint32_t id)
{
	struct iopgt_as_info ai;
	struct iopgt_err e2 = { 0 };
	char who[48] = "";

	if (!iopgt_query_as_info(&c->dev, id, &ai, &e2) && ai.owner_pid)
		snprintf(who, sizeof(who), " (pid %u)", ai.owner_pid);
	return kern_err(c, "%s %u: address space %u is not persistent: only the descriptor that created it%s may map, unmap or destroy it (EPERM)",
			what, id, id, who);
}

int cli_open_dev(struct cli *c)
{
	struct iopgt_err err = { 0 };
	const char *path = c->dev_path ? c->dev_path :
			   getenv("IOPGT_DEVICE") ? getenv("IOPGT_DEVICE") :
			   IOPGT_DEFAULT_PATH;

	if (c->dev_open)
		return 0;
	if (!iopgt_open_device(&c->dev, path, &err)) {
		c->dev_open = 1;
		return 0;
	}
	switch (-err.code) {
	case EACCES:
	case EPERM:
		return kern_err(c, "%s is root-only (%s)", path, iopgt_errno_name(err.code));
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

int cli_open_nl(struct cli *c)
{
	struct iopgt_err err = { 0 };

	if (c->nl)
		return 0;
	if (iopgt_netlink_open(&c->nl, &err))
		return kern_err(c, "%s", err.msg);
	return 0;
}
