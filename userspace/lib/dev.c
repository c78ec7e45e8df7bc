// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: ioctl wrappers for /dev/iopgt.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libiopgt.h"

static int fail(struct iopgt_err *err, const char *op, int e)
{
	return iopgt_err_set(err, -e, "%s: %s (%s)", op, strerror(e),
			     iopgt_errno_name(e));
}

static int do_ioctl(struct iopgt_handle *dev, unsigned long cmd, void *arg,
		    const char *op, struct iopgt_err *err)
{
	if (!dev || dev->fd < 0)
		return iopgt_err_set(err, -EBADF, "%s: device not open", op);
	if (ioctl(dev->fd, cmd, arg) < 0)
		return fail(err, op, errno);
	if (err)
		err->code = 0;
	return 0;
}

int iopgt_open_device(struct iopgt_handle *dev, const char *path, struct iopgt_err *err)
{
	if (!path)
		path = getenv("IOPGT_DEVICE");
	if (!path || !*path)
		path = IOPGT_DEFAULT_PATH;
	dev->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->fd < 0) {
		int e = errno;

		return iopgt_err_set(err, -e, "open %s: %s (%s)", path,
				     strerror(e), iopgt_errno_name(e));
	}
	return 0;
}

void iopgt_close_device(struct iopgt_handle *dev)
{
	if (dev && dev->fd >= 0) {
		close(dev->fd);
		dev->fd = -1;
	}
}

int iopgt_query_info(struct iopgt_handle *dev, struct iopgt_get_info *info,
		     struct iopgt_format_info *fmts, unsigned int *n_fmts,
		     struct iopgt_err *err)
{
	int ret;

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->format_info_size = sizeof(struct iopgt_format_info);
	if (fmts && n_fmts) {
		memset(fmts, 0, sizeof(*fmts) * *n_fmts);
		info->n_formats = *n_fmts;
		info->formats_uptr = (uintptr_t)fmts;
	}
	ret = do_ioctl(dev, IOPGT_GET_INFO, info, "GET_INFO", err);
	if (!ret && n_fmts)
		*n_fmts = info->n_formats;
	return ret;
}

int iopgt_query_info_all(struct iopgt_handle *dev, struct iopgt_get_info *info,
			 struct iopgt_format_info **fmts, unsigned int *n_fmts,
			 struct iopgt_err *err)
{
	unsigned int n = 0, cap;
	struct iopgt_format_info *arr;
	int ret;

	*fmts = NULL;
	ret = iopgt_query_info(dev, info, NULL, NULL, err);
	if (ret)
		return ret;
	cap = info->n_formats;
	if (!cap) {
		*n_fmts = 0;
		return 0;
	}
	arr = calloc(cap, sizeof(*arr));
	if (!arr)
		return iopgt_err_set(err, -ENOMEM, "GET_INFO: out of memory");
	n = cap;
	ret = iopgt_query_info(dev, info, arr, &n, err);
	if (ret) {
		free(arr);
		return ret;
	}
	*fmts = arr;
	*n_fmts = n < cap ? n : cap;
	return 0;
}

int iopgt_create_as(struct iopgt_handle *dev, struct iopgt_as_create *req,
		    struct iopgt_err *err)
{
	req->size = sizeof(*req);
	return do_ioctl(dev, IOPGT_AS_CREATE, req, "AS_CREATE", err);
}

int iopgt_destroy_as(struct iopgt_handle *dev, uint32_t as_id,
		     struct iopgt_err *err)
{
	struct iopgt_as_destroy d = { .size = sizeof(d), .as_id = as_id };

	return do_ioctl(dev, IOPGT_AS_DESTROY, &d, "AS_DESTROY", err);
}

int iopgt_map_entries(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		      struct iopgt_map_entry *ents, uint32_t n, uint32_t *n_done,
		      struct iopgt_err *err)
{
	struct iopgt_map m = {
		.size = sizeof(m), .as_id = as_id, .flags = flags,
		.n_entries = n, .entries_uptr = (uintptr_t)ents,
		.entry_size = sizeof(*ents),
	};
	int ret = do_ioctl(dev, IOPGT_MAP, &m, "MAP", err);

	if (n_done)
		*n_done = m.n_done;
	return ret;
}

int iopgt_map_one(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		  uint64_t paddr, uint64_t len, uint32_t prot, uint32_t pgsize_log2,
		  uint64_t *mapped, struct iopgt_err *err)
{
	struct iopgt_map_entry e = {
		.iova = iova, .paddr = paddr, .length = len, .prot = prot,
		.pgsize_log2 = pgsize_log2,
	};
	int ret = iopgt_map_entries(dev, as_id, 0, &e, 1, NULL, err);

	if (mapped)
		*mapped = e.mapped;
	return ret;
}

int iopgt_unmap_entries(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_unmap_entry *ents, uint32_t n, uint32_t *n_done,
			struct iopgt_err *err)
{
	struct iopgt_unmap u = {
		.size = sizeof(u), .as_id = as_id, .n_entries = n,
		.entries_uptr = (uintptr_t)ents, .entry_size = sizeof(*ents),
	};
	int ret = do_ioctl(dev, IOPGT_UNMAP, &u, "UNMAP", err);

	if (n_done)
		*n_done = u.n_done;
	return ret;
}

int iopgt_unmap_one(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		    uint64_t len, uint64_t *unmapped, struct iopgt_err *err)
{
	struct iopgt_unmap_entry e = { .iova = iova, .length = len };
	int ret = iopgt_unmap_entries(dev, as_id, &e, 1, NULL, err);

	if (unmapped)
		*unmapped = e.unmapped;
	return ret;
}

int iopgt_translate(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		    uint64_t *phys, int *mapped, struct iopgt_err *err)
{
	struct iopgt_iova_to_phys x = {
		.size = sizeof(x), .as_id = as_id, .iova = iova,
	};
	int ret = do_ioctl(dev, IOPGT_IOVA_TO_PHYS, &x, "IOVA_TO_PHYS", err);

	if (ret)
		return ret;
	if (phys)
		*phys = x.phys;
	if (mapped)
		*mapped = !!(x.out_flags & IOPGT_XLATE_MAPPED);
	return 0;
}

int iopgt_translate_vec(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_xlate_entry *ents, uint32_t n,
			struct iopgt_err *err)
{
	struct iopgt_iova_to_phys x = {
		.size = sizeof(x), .as_id = as_id, .n_iovas = n,
		.entry_size = sizeof(*ents), .iovas_uptr = (uintptr_t)ents,
	};

	if (!n)
		return iopgt_err_set(err, -EINVAL, "IOVA_TO_PHYS: no IOVA to translate");
	return do_ioctl(dev, IOPGT_IOVA_TO_PHYS, &x, "IOVA_TO_PHYS", err);
}

int iopgt_query_hw_cfg(struct iopgt_handle *dev, uint32_t as_id,
		       struct iopgt_hw_cfg *cfg, struct iopgt_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
	cfg->as_id = as_id;
	return do_ioctl(dev, IOPGT_GET_HW_CFG, cfg, "GET_HW_CFG", err);
}

int iopgt_query_walk(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		     uint32_t flags, struct iopgt_walk *out, struct iopgt_err *err)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->as_id = as_id;
	out->iova = iova;
	out->flags = flags;
	return do_ioctl(dev, IOPGT_WALK, out, "WALK", err);
}

int iopgt_query_as_info(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_as_info *out, struct iopgt_err *err)
{
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->as_id = as_id;
	return do_ioctl(dev, IOPGT_AS_INFO, out, "AS_INFO", err);
}
