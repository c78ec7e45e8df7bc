// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: errors, names (formats, kinds, reasons, quirks, prot bits,
 * sizes) and the kernel's refusal reasons in words.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "libiopgt.h"

int iopgt_err_set(struct iopgt_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code > 0)
		code = -code;
	if (!err)
		return code;
	err->code = code;
	err->dump_intr = 0;
	err->from_kernel = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *iopgt_errno_name(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case 0: return "OK";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENXIO: return "ENXIO";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTO: return "EPROTO";
	case ENOBUFS: return "ENOBUFS";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOSYS: return "ENOSYS";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOTRECOVERABLE: return "ENOTRECOVERABLE";
	}
	return "E?";
}

/* ------------------------------------------------------------------ names */

static const char *const fmt_names[IOPGT_FMT_COUNT] = {
	[IOPGT_FMT_ARM_32_LPAE_S1] = "ARM_32_LPAE_S1",
	[IOPGT_FMT_ARM_32_LPAE_S2] = "ARM_32_LPAE_S2",
	[IOPGT_FMT_ARM_64_LPAE_S1] = "ARM_64_LPAE_S1",
	[IOPGT_FMT_ARM_64_LPAE_S2] = "ARM_64_LPAE_S2",
	[IOPGT_FMT_ARM_V7S] = "ARM_V7S",
	[IOPGT_FMT_ARM_MALI_LPAE] = "ARM_MALI_LPAE",
	[IOPGT_FMT_APPLE_DART] = "APPLE_DART",
	[IOPGT_FMT_APPLE_DART2] = "APPLE_DART2",
	[IOPGT_FMT_AMD_IOMMU_V1] = "AMD_IOMMU_V1",
	[IOPGT_FMT_AMD_IOMMU_V2] = "AMD_IOMMU_V2",
	[IOPGT_FMT_PT_AMDV1] = "PT_AMDV1",
	[IOPGT_FMT_PT_VTDSS] = "PT_VTDSS",
	[IOPGT_FMT_PT_X86_64] = "PT_X86_64",
	[IOPGT_FMT_PT_RISCV64] = "PT_RISCV64",
};

const char *iopgt_format_name(uint32_t format)
{
	if (format >= IOPGT_FMT_COUNT)
		return NULL;
	return fmt_names[format];
}

int iopgt_format_from_name(const char *name)
{
	int i;

	for (i = 1; i < IOPGT_FMT_COUNT; i++)
		if (fmt_names[i] && !strcasecmp(name, fmt_names[i]))
			return i;
	/* accept the names without the "PT_" prefix and short aliases */
	for (i = 1; i < IOPGT_FMT_COUNT; i++)
		if (fmt_names[i] && !strncmp(fmt_names[i], "PT_", 3) &&
		    !strcasecmp(name, fmt_names[i] + 3))
			return i;
	return -1;
}

const char *iopgt_kind_name(uint32_t kind)
{
	switch (kind) {
	case IOPGT_PTE_INVALID: return "invalid";
	case IOPGT_PTE_TABLE: return "table";
	case IOPGT_PTE_BLOCK: return "block";
	case IOPGT_PTE_PAGE: return "page";
	}
	return "unknown";
}

const char *iopgt_unavail_str(uint32_t reason)
{
	switch (reason) {
	case IOPGT_UNAVAIL_NONE: return "available";
	case IOPGT_UNAVAIL_NOT_BUILT: return "not built into this kernel";
	case IOPGT_UNAVAIL_UNSAFE: return "exists but cannot be used standalone";
	case IOPGT_UNAVAIL_NO_BACKEND: return "no io-pgtable/generic_pt backend in this kernel";
	case IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL: return "this kernel has no such format";
	}
	return "unknown reason";
}

const char *iopgt_dirty_unavail_str(uint32_t why)
{
	switch (why) {
	case IOPGT_DIRTY_AVAILABLE: return "available";
	case IOPGT_DIRTY_FORMAT_UNAVAILABLE: return "the format is not available";
	case IOPGT_DIRTY_NO_FORMAT_SUPPORT: return "the format has no hardware dirty state";
	case IOPGT_DIRTY_KERNEL_NO_HD: return "the kernel's io-pgtable lacks IO_PGTABLE_QUIRK_ARM_HD / read_and_clear_dirty";
	case IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER: return "the kernel was built without CONFIG_IOMMUFD_DRIVER (generic_pt's read_and_clear_dirty returns EOPNOTSUPP)";
	case IOPGT_DIRTY_NOT_IMPLEMENTED: return "this module does not drive the library's dirty tracking yet";
	}
	return "unknown reason";
}

const char *iopgt_reason_str(uint32_t reason)
{
	switch (reason) {
	case IOPGT_REASON_NONE: return "no reason given";
	case IOPGT_REASON_RESERVED: return "a reserved field is not 0";
	case IOPGT_REASON_LENGTH_ZERO: return "the length is 0";
	case IOPGT_REASON_PROT_NO_RW: return "prot has neither r nor w";
	case IOPGT_REASON_PROT_UNKNOWN: return "prot has unknown bits";
	case IOPGT_REASON_PGSIZE_UNKNOWN: return "the page size is not one of the address space's";
	case IOPGT_REASON_IOVA_MISALIGNED: return "the IOVA is not a multiple of the page size";
	case IOPGT_REASON_PADDR_MISALIGNED: return "the PADDR is not a multiple of the page size";
	case IOPGT_REASON_LENGTH_MISALIGNED: return "the length is not a multiple of the page size";
	case IOPGT_REASON_IOVA_BELOW_WINDOW: return "the IOVA is below the TTBR1 input window";
	case IOPGT_REASON_IOVA_BEYOND_IAS: return "the IOVA range ends beyond the input range (ias)";
	case IOPGT_REASON_PADDR_BEYOND_OAS: return "the output range ends beyond the output range (oas)";
	case IOPGT_REASON_OVERLAP: return "overlaps an existing mapping";
	case IOPGT_REASON_HOLE: return "part of the range is not mapped";
	case IOPGT_REASON_PARTIAL_BLOCK: return "an end of the range cuts a larger leaf";
	case IOPGT_REASON_AS_TABLE_CAP: return "the per-address-space page-table memory cap is reached";
	case IOPGT_REASON_DEV_TABLE_CAP: return "the per-device page-table memory cap is reached";
	case IOPGT_REASON_NOMEM: return "the kernel is out of memory";
	case IOPGT_REASON_INTERRUPTED: return "interrupted by a fatal signal";
	case IOPGT_REASON_FLAGS_UNKNOWN: return "unknown flags";
	case IOPGT_REASON_FORMAT_UNKNOWN: return "unknown format id";
	case IOPGT_REASON_FORMAT_UNAVAILABLE: return "the format is not available on this kernel";
	case IOPGT_REASON_NONCOHERENT_UNSUPPORTED: return "non-coherent table walks are not supported";
	case IOPGT_REASON_QUIRK_UNSUPPORTED: return "a quirk the format does not accept";
	case IOPGT_REASON_QUIRK_COMBINATION: return "a quirk needs another quirk or a non-coherent walk";
	case IOPGT_REASON_LEVELS: return "the level count is not accepted";
	case IOPGT_REASON_IAS_RANGE: return "ias is outside the format's range";
	case IOPGT_REASON_OAS_RANGE: return "oas is outside the format's range";
	case IOPGT_REASON_PGSIZES: return "the page sizes are not one of the format's sets";
	case IOPGT_REASON_OAS_NOT_IN_SET: return "oas is not one of the values the format accepts";
	case IOPGT_REASON_IAS_ABOVE_OAS: return "the format needs ias <= oas";
	case IOPGT_REASON_NEEDS_MTK_EXT: return "ias/oas above 32 need the mtk_ext quirk";
	case IOPGT_REASON_IAS_FOR_GRANULE: return "ias is too large for the granule";
	case IOPGT_REASON_PGSIZES_ABOVE_IAS: return "every page size is at least 2^ias";
	case IOPGT_REASON_AS_CAP: return "the device has max_as_per_device address spaces";
	case IOPGT_REASON_ONE_AT_A_TIME: return "this kernel allows one such address space at a time";
	case IOPGT_REASON_LIBRARY_REFUSED: return "the kernel's page-table library refused";
	case IOPGT_REASON_AS_BROKEN: return "the address space is broken: its page-table library once disagreed with the module (the kernel log says how); destroy it";
	case IOPGT_REASON_DIRTY_UNAVAILABLE: return "this format has no dirty tracking on this kernel (see iopgt formats)";
	case IOPGT_REASON_DIRTY_COMBINATION: return "dirty tracking cannot be combined with the TTBR1 quirk or a non-coherent walk";
	case IOPGT_REASON_NO_DIRTY_TRACKING: return "the address space was created without dirty tracking (create --dirty)";
	case IOPGT_REASON_DIRTY_PAGE_SIZE: return "the bitmap page size is not a power of two at least the smallest page size";
	case IOPGT_REASON_DIRTY_TOO_LONG: return "the range is longer than IOPGT_DIRTY_MAX_PAGES smallest pages";
	case IOPGT_REASON_BITMAP_TOO_SMALL: return "the bitmap is smaller than the range needs";
	case IOPGT_REASON_NOT_WRITABLE: return "the leaf is not writable (a device write would fault)";
	case IOPGT_REASON_IOVA_OVERFLOW: return "iova + length wraps past 2^64";
	case IOPGT_REASON_FLUSH_CONTRACT_UNSUPPORTED: return "this format has no such invalidation contract on this kernel (see iopgt formats; io-pgtable formats have none)";
	case IOPGT_REASON_FLUSH_CONTRACT_COMBINATION: return "choose one invalidation contract: range or no-gaps";
	}
	return "unknown reason";
}

static const char *const quirk_names[64] = {
	[0] = "ns", [1] = "no_perms", [3] = "mtk_ext", [4] = "mtk_ttbr_ext",
	[5] = "ttbr1", [6] = "outer_wbwa", [7] = "hd", [8] = "s2fwb",
};

const char *iopgt_quirk_name(unsigned int bit)
{
	return bit < 64 ? quirk_names[bit] : NULL;
}

char *iopgt_size_str(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGTPE";
	int u = -1;
	uint64_t v = bytes;

	while (v && !(v & 1023) && u < 5) {
		v >>= 10;
		u++;
	}
	if (!bytes)
		snprintf(buf, len, "0");
	else if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
	else if (v < 1024 || u == 5)
		snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
	else {
		/* 8T+4K rather than 8589934596K: one term per unit, largest first */
		size_t off = 0;
		int k;

		buf[0] = 0;
		for (k = 5; k >= 0 && off < len; k--) {
			uint64_t part = (bytes >> (10 * (k + 1))) & 1023;
			int w;

			if (k == 5)
				part = bytes >> 60;
			if (!part)
				continue;
			w = snprintf(buf + off, len - off, "%s%llu%c", off ? "+" : "",
				     (unsigned long long)part, units[k]);
			if (w < 0)
				break;
			off += (size_t)w;
		}
	}
	return buf;
}

char *iopgt_prot_str(uint32_t prot, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s",
		 prot & IOPGT_PROT_READ ? "r" : "-",
		 prot & IOPGT_PROT_WRITE ? "w" : "-",
		 prot & IOPGT_PROT_NOEXEC ? " nx" : "",
		 prot & IOPGT_PROT_CACHE ? " cache" : "",
		 prot & IOPGT_PROT_MMIO ? " mmio" : "",
		 prot & IOPGT_PROT_PRIV ? " priv" : "");
	return buf;
}

char *iopgt_pgsizes_str(uint64_t bitmap, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i = 0;

	if (!len)
		return buf;
	buf[0] = 0;
	if (!bitmap) {
		snprintf(buf, len, "-");
		return buf;
	}
	/* runs of three or more consecutive sizes print as "A-B" */
	while (i < 64 && off < len) {
		unsigned int j = i;
		char a[24], b[24];
		int w;

		if (!(bitmap & (1ULL << i))) {
			i++;
			continue;
		}
		while (j + 1 < 64 && (bitmap & (1ULL << (j + 1))))
			j++;
		iopgt_size_str(1ULL << i, a, sizeof(a));
		iopgt_size_str(1ULL << j, b, sizeof(b));
		if (j - i >= 2)
			w = snprintf(buf + off, len - off, "%s%s-%s", off ? "," : "", a, b);
		else if (j > i)
			w = snprintf(buf + off, len - off, "%s%s,%s", off ? "," : "", a, b);
		else
			w = snprintf(buf + off, len - off, "%s%s", off ? "," : "", a);
		if (w < 0)
			break;
		off += (size_t)w;
		i = j + 1;
	}
	return buf;
}

char *iopgt_quirks_str(uint64_t quirks, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < 64 && off < len; i++) {
		if (!(quirks & (1ULL << i)))
			continue;
		if (quirk_names[i])
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", quirk_names[i]);
		else
			off += snprintf(buf + off, len - off, "%sbit%u",
					off ? "," : "", i);
	}
	if (!quirks)
		snprintf(buf, len, "-");
	return buf;
}

char *iopgt_bits_str(uint64_t set, char *buf, size_t len)
{
	size_t off = 0;
	int b;

	if (!len)
		return buf;
	buf[0] = 0;
	for (b = 0; b < 64 && off < len; b++)
		if (set & (1ULL << b)) {
			int w = snprintf(buf + off, len - off, "%s%d", off ? "," : "", b);

			if (w < 0)
				break;
			off += (size_t)w;
		}
	return buf;
}

const char *iopgt_create_err_str(const struct iopgt_as_create *req, int code,
				 const struct iopgt_get_info *gi,
				 const struct iopgt_format_info *fi, char *buf,
				 size_t len)
{
	static const struct iopgt_format_info none;
	const char *n = iopgt_errno_name(code);
	char a[160], b[160];
	uint32_t ias, oas;
	unsigned int k;

	if (!fi)
		fi = &none;
	ias = req->ias ? req->ias : fi->ias_default;
	oas = req->oas ? req->oas : fi->oas_default;
	switch (req->out_reason) {
	case IOPGT_REASON_FORMAT_UNKNOWN:
		snprintf(buf, len, "unknown format id %u: this module knows ids 1-%u (see 'iopgt formats') (%s)",
			 req->format, gi ? gi->n_formats : IOPGT_FMT_COUNT - 1, n);
		return buf;
	case IOPGT_REASON_FORMAT_UNAVAILABLE:
		snprintf(buf, len, "this format is not available on this kernel: %s (%s); see 'iopgt formats'",
			 fi != &none ? iopgt_unavail_str(fi->unavail_reason) : "unknown why", n);
		return buf;
	case IOPGT_REASON_DIRTY_UNAVAILABLE:
		snprintf(buf, len, "--dirty: this format has no dirty tracking on this kernel: %s (%s); see 'iopgt formats'",
			 fi != &none ? iopgt_dirty_unavail_str(fi->dirty_unavail) : "unknown why", n);
		return buf;
	case IOPGT_REASON_DIRTY_COMBINATION:
		snprintf(buf, len, "--dirty cannot be combined with %s (%s)",
			 (req->quirks & IOPGT_QUIRK_ARM_TTBR1) ? "the ttbr1 quirk" : "--noncoherent", n);
		return buf;
	case IOPGT_REASON_NONCOHERENT_UNSUPPORTED:
		if (fi->flags & IOPGT_FMT_F_NONCOHERENT)
			snprintf(buf, len, "--noncoherent: non-coherent table walks are not possible on this device (its DMA pre-flight failed) (%s)",
				 n);
		else
			snprintf(buf, len, "--noncoherent: this format does not support non-coherent table walks; drop --noncoherent (%s)",
				 n);
		return buf;
	case IOPGT_REASON_QUIRK_UNSUPPORTED:
		snprintf(buf, len, "quirks %s: this format accepts only %s (%s)",
			 iopgt_quirks_str(req->quirks, a, sizeof(a)),
			 fi->quirks ? iopgt_quirks_str(fi->quirks, b, sizeof(b)) : "none", n);
		return buf;
	case IOPGT_REASON_QUIRK_COMBINATION:
		snprintf(buf, len, "quirks %s: outer_wbwa needs --noncoherent, mtk_ext needs no_perms, mtk_ttbr_ext needs mtk_ext (%s)",
			 iopgt_quirks_str(req->quirks, a, sizeof(a)), n);
		return buf;
	case IOPGT_REASON_LEVELS:
		if (fi != &none && !fi->levels_max)
			snprintf(buf, len, "--levels %u: io-pgtable formats take no level count (%s)",
				 req->levels, n);
		else
			snprintf(buf, len, "--levels %u with ias %u: this format takes %u-%u levels and each level count covers only some ias values (%s)",
				 req->levels, ias, fi->levels_min, fi->levels_max, n);
		return buf;
	case IOPGT_REASON_IAS_RANGE:
		snprintf(buf, len, "ias %u is outside this format's range %u-%u (%s)", ias,
			 fi->ias_min, fi->ias_max, n);
		return buf;
	case IOPGT_REASON_OAS_RANGE:
		snprintf(buf, len, "oas %u is outside this format's range %u-%u (%s)", oas,
			 fi->oas_min, fi->oas_max, n);
		return buf;
	case IOPGT_REASON_PGSIZES:
		iopgt_pgsizes_str(req->pgsize_bitmap, a, sizeof(a));
		b[0] = 0;
		for (k = 0; k < fi->n_pgsize_sets && k < IOPGT_MAX_PGSIZE_SETS; k++) {
			char one[64];
			size_t l = strlen(b);

			iopgt_pgsizes_str(fi->pgsize_sets[k], one, sizeof(one));
			snprintf(b + l, sizeof(b) - l, "%s%s", k ? " | " : "", one);
		}
		snprintf(buf, len, "page sizes %s: want a subset of one of %s that contains its smallest size (%s)",
			 a, b[0] ? b : "the format's sets", n);
		return buf;
	case IOPGT_REASON_OAS_NOT_IN_SET:
		snprintf(buf, len, "oas %u: this format accepts oas %s only%s (%s)", oas,
			 iopgt_bits_str(fi->oas_set, a, sizeof(a)),
			 fi->rules & IOPGT_FMT_RULE_CLAMP_48 ?
			 " (above 48 clamped to 48 unless the granule is 64K)" : "", n);
		return buf;
	case IOPGT_REASON_IAS_ABOVE_OAS:
		snprintf(buf, len, "ias %u > oas %u: this format needs ias <= oas (%s)", ias, oas, n);
		return buf;
	case IOPGT_REASON_NEEDS_MTK_EXT:
		snprintf(buf, len, "ias %u / oas %u: above 32 bits need --quirks mtk_ext,no_perms (%s)",
			 ias, oas, n);
		return buf;
	case IOPGT_REASON_IAS_FOR_GRANULE:
		snprintf(buf, len, "ias %u is too large for the smallest page size %s (%s)", ias,
			 iopgt_size_str(req->pgsize_bitmap & -req->pgsize_bitmap, a, sizeof(a)), n);
		return buf;
	case IOPGT_REASON_PGSIZES_ABOVE_IAS:
		snprintf(buf, len, "every page size is at least 2^ias (ias %u): nothing could be mapped (%s)",
			 ias, n);
		return buf;
	case IOPGT_REASON_AS_CAP:
		if (gi)
			snprintf(buf, len, "the device already has max_as_per_device = %u address spaces (%s)",
				 gi->max_as_per_device, n);
		else
			snprintf(buf, len, "the device already has max_as_per_device address spaces (%s)", n);
		return buf;
	case IOPGT_REASON_AS_TABLE_CAP:
		snprintf(buf, len, "the top table alone exceeds the per-address-space page-table cap max_table_bytes_per_as = %s (%s)",
			 gi ? iopgt_size_str(gi->max_table_bytes_per_as, a, sizeof(a)) : "?", n);
		return buf;
	case IOPGT_REASON_DEV_TABLE_CAP:
		snprintf(buf, len, "the device's page-table memory cap max_table_bytes = %s is reached (%s in use) (%s)",
			 gi ? iopgt_size_str(gi->max_table_bytes, a, sizeof(a)) : "?",
			 gi ? iopgt_size_str(gi->table_bytes, b, sizeof(b)) : "?", n);
		return buf;
	case IOPGT_REASON_ONE_AT_A_TIME:
		snprintf(buf, len, "this kernel allows one live address space of this format at a time (%s)",
			 n);
		return buf;
	case IOPGT_REASON_NOMEM:
		snprintf(buf, len, "the kernel is out of memory (%s)", n);
		return buf;
	case IOPGT_REASON_LIBRARY_REFUSED:
		snprintf(buf, len, "the kernel's page-table library refused this configuration (%s)", n);
		return buf;
	case IOPGT_REASON_NONE:
		break;
	default:
		snprintf(buf, len, "%s (reason %u) (%s)", iopgt_reason_str(req->out_reason),
			 req->out_reason, n);
		return buf;
	}
	/* a kernel without out_reason: the errno alone */
	switch (-code) {
	case EOPNOTSUPP:
		snprintf(buf, len, "this format or --noncoherent is not available on this kernel (EOPNOTSUPP); see 'iopgt formats'");
		return buf;
	case EINVAL:
		snprintf(buf, len, "the kernel rejected this configuration (EINVAL); see 'iopgt formats'");
		return buf;
	case ENOSPC:
		snprintf(buf, len, "a cap was reached: max_as_per_device or page-table memory (ENOSPC)");
		return buf;
	case ENOMEM:
		snprintf(buf, len, "the kernel is out of memory (ENOMEM)");
		return buf;
	}
	return NULL;
}

const char *iopgt_entry_err_str(uint32_t reason, uint64_t iova, uint64_t paddr,
				uint64_t length, uint32_t prot, uint32_t pgsize_log2,
				const struct iopgt_hw_cfg *hw,
				const struct iopgt_get_info *gi, char *buf,
				size_t len)
{
	static const struct iopgt_hw_cfg nohw;
	char sz[48], bm[128], sz2[48];
	uint64_t pg;

	if (!hw)
		hw = &nohw;
	pg = pgsize_log2 && pgsize_log2 < 64 ? 1ULL << pgsize_log2 :
	     hw->pgsize_bitmap & -hw->pgsize_bitmap;
	iopgt_size_str(pg, sz, sizeof(sz));
	switch (reason) {
	case IOPGT_REASON_NONE:
		return NULL;
	case IOPGT_REASON_PROT_UNKNOWN:
		snprintf(buf, len, "unknown prot bits 0x%x", prot & ~IOPGT_PROT_ALL);
		return buf;
	case IOPGT_REASON_PGSIZE_UNKNOWN:
		snprintf(buf, len, "page size 2^%u is not one of this address space's (%s)",
			 pgsize_log2, iopgt_pgsizes_str(hw->pgsize_bitmap, bm, sizeof(bm)));
		return buf;
	case IOPGT_REASON_IOVA_MISALIGNED:
	case IOPGT_REASON_PADDR_MISALIGNED:
	case IOPGT_REASON_LENGTH_MISALIGNED: {
		int r = reason == IOPGT_REASON_IOVA_MISALIGNED;
		int p = reason == IOPGT_REASON_PADDR_MISALIGNED;

		snprintf(buf, len, "%s 0x%llx is not a multiple of the %s page size %s",
			 r ? "IOVA" : p ? "PADDR" : "length",
			 (unsigned long long)(r ? iova : p ? paddr : length),
			 pgsize_log2 ? "forced" : "smallest", sz);
		return buf;
	}
	case IOPGT_REASON_IOVA_BELOW_WINDOW:
		snprintf(buf, len, "IOVA 0x%llx is below the TTBR1 input window 0x%llx-0xffffffffffffffff (the top 2^%u bytes)",
			 (unsigned long long)iova,
			 hw->ias < 64 ? (unsigned long long)(~0ULL << hw->ias) : 0ULL, hw->ias);
		return buf;
	case IOPGT_REASON_IOVA_BEYOND_IAS:
		snprintf(buf, len, "the IOVA range 0x%llx+0x%llx ends beyond the %u-bit input range (ias)",
			 (unsigned long long)iova, (unsigned long long)length, hw->ias);
		return buf;
	case IOPGT_REASON_PADDR_BEYOND_OAS:
		snprintf(buf, len, "the output range 0x%llx+0x%llx ends beyond the %u-bit output range (oas)",
			 (unsigned long long)paddr, (unsigned long long)length, hw->oas);
		return buf;
	case IOPGT_REASON_AS_TABLE_CAP:
		if (!gi)
			break;
		snprintf(buf, len, "the page tables would exceed the per-address-space cap max_table_bytes_per_as = %s",
			 iopgt_size_str(gi->max_table_bytes_per_as, sz2, sizeof(sz2)));
		return buf;
	case IOPGT_REASON_DEV_TABLE_CAP:
		if (!gi)
			break;
		snprintf(buf, len, "the page tables would exceed the device's cap max_table_bytes = %s (%s in use)",
			 iopgt_size_str(gi->max_table_bytes, sz2, sizeof(sz2)),
			 iopgt_size_str(gi->table_bytes, bm, sizeof(bm)));
		return buf;
	}
	snprintf(buf, len, "%s", iopgt_reason_str(reason));
	return buf;
}
