// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: dirty tracking (issue 14): IOPGT_READ_DIRTY and the test-only
 * IOPGT_SET_DIRTY; see include/libiopgt.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libiopgt.h"

uint64_t iopgt_dirty_bitmap_bytes(uint64_t length, uint64_t page_size)
{
	uint64_t bits;

	if (!page_size)
		return 0;
	bits = length / page_size;
	return (bits / 64 + !!(bits % 64)) * 8;
}

int iopgt_dirty_bitmap_get(struct iopgt_handle *dev, struct iopgt_read_dirty *req,
			   struct iopgt_err *err)
{
	req->size = sizeof(*req);
	if (!dev || dev->fd < 0)
		return iopgt_err_set(err, -EBADF, "READ_DIRTY: device not open");
	if (ioctl(dev->fd, IOPGT_READ_DIRTY, req) < 0) {
		int e = errno;

		return iopgt_err_set(err, -e,
				     "READ_DIRTY of as %u, iova 0x%" PRIx64 " length 0x%" PRIx64
				     " page size 0x%" PRIx64 " (bitmap %" PRIu64 " bytes, flags 0x%x): %s%s%s",
				     req->as_id, (uint64_t)req->iova, (uint64_t)req->length,
				     (uint64_t)req->page_size, (uint64_t)req->bitmap_size,
				     req->flags, strerror(e),
				     req->out_reason ? ": " : "",
				     req->out_reason ? iopgt_reason_str(req->out_reason) : "");
	}
	if (err)
		err->code = 0;
	return 0;
}

int iopgt_device_write(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		       struct iopgt_set_dirty *out, struct iopgt_err *err)
{
	struct iopgt_set_dirty local;

	if (!out)
		out = &local;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->as_id = as_id;
	out->iova = iova;
	if (!dev || dev->fd < 0)
		return iopgt_err_set(err, -EBADF, "SET_DIRTY: device not open");
	if (ioctl(dev->fd, IOPGT_SET_DIRTY, out) < 0) {
		int e = errno;

		return iopgt_err_set(err, -e, "SET_DIRTY of as %u at iova 0x%" PRIx64 ": %s%s%s",
				     as_id, iova, strerror(e),
				     out->out_reason ? ": " : "",
				     out->out_reason ? iopgt_reason_str(out->out_reason) : "");
	}
	if (err)
		err->code = 0;
	return 0;
}
