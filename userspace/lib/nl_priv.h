/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiopgt internals shared with the iopgt CLI (linked statically); not
 * exported from libiopgt.so (hidden visibility) and not part of the API.
 *
 * A recorded netlink stream is the bytes of the messages as received from
 * the kernel, back to back (what recvmsg returned, concatenated). The CLI's
 * dump records one with IOPGT_DUMP_CAPTURE and renders one with
 * IOPGT_DUMP_REPLAY: the same parsing and rendering code as a live dump,
 * without a kernel (host tests, benchmarks, profiling).
 */
#ifndef IOPGT_NL_PRIV_H
#define IOPGT_NL_PRIV_H

#include "libiopgt.h"

#define IOPGT_HIDDEN __attribute__((visibility("hidden")))

/*
 * A handle whose dumps read a recorded stream from @fd (from its current
 * offset) instead of the kernel: nothing is sent, any sequence number is
 * accepted. The caller keeps @fd open until iopgt_netlink_close().
 */
IOPGT_HIDDEN int iopgt_netlink_open_stream(struct iopgt_netlink **out, int fd,
					   struct iopgt_err *err);
/* From now on every received buffer is also written to @fd (-1: stop). */
IOPGT_HIDDEN void iopgt_netlink_record(struct iopgt_netlink *nl, int fd);

#endif
