/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iopgt: the kernel's IOMMU page-table code (io-pgtable, generic_pt) exposed
 * on /dev/iopgt for tests and tools.
 *
 * ABI rules (the iommufd pattern):
 *  - every ioctl struct starts with "__u32 size", the size userspace built;
 *  - the kernel accepts any size >= the size of version 1 of the struct
 *    (shorter: -EINVAL); bytes beyond what the kernel knows must be zero
 *    (otherwise -E2BIG); outputs are written back up to min(size, known);
 *  - every "reserved"/"__pad" field and every unknown flag bit must be zero
 *    (otherwise -EINVAL);
 *  - user pointers are __u64; arrays are described by (uptr, count,
 *    element size) so their elements can grow too;
 *  - unknown ioctl numbers: -ENOTTY; unknown address-space id: -ENOENT;
 *    the device was unbound: -ENODEV on every call (it takes precedence
 *    over every other errno, -ENOTTY included);
 *  - array elements follow the same size rule: an element size shorter
 *    than version 1 of the element is -EINVAL, a longer one must have a
 *    zeroed tail (-E2BIG).
 *
 * Permissions:
 *  - who may open /dev/iopgt is decided by the node's mode (root-only by
 *    default); the netlink family needs CAP_NET_ADMIN;
 *  - reading is open to every opener, for every address space of the
 *    device: GET_INFO, IOVA_TO_PHYS, GET_HW_CFG, WALK, AS_INFO and every
 *    netlink dump;
 *  - changing an address space (MAP, UNMAP, AS_DESTROY) is reserved to the
 *    open file description that created it (a forked child or a process
 *    the descriptor was passed to uses that same file; a second open() of
 *    the device is another file), unless it was created with
 *    IOPGT_AS_PERSISTENT: a persistent address space is shared by every
 *    opener. Anyone else gets -EPERM (after -ENOENT for an unknown id and
 *    the checks of the request itself). The netlink family changes
 *    nothing;
 *  - kernel physical addresses (the address of every table, the
 *    table-address bits of every table descriptor, TTBRs and other root
 *    pointers) are shown only when both the credentials the file (or
 *    netlink socket) was opened with and the calling task have
 *    CAP_SYS_ADMIN in the initial user namespace. Otherwise they are
 *    zeroed in every output, ioctl and netlink: table_pa everywhere, the
 *    next-table address (oa) of every entry that is not a leaf, the
 *    address bits of its raw descriptor (its attribute bits stay) and the
 *    address bits of the registers (see struct iopgt_hw_cfg). Leaves keep
 *    their raw descriptor and output address: the user chose them.
 *
 * All numeric values in this file are this ABI's own; the module translates
 * them to the running kernel's enums by name.
 */
#ifndef _UAPI_LINUX_IOPGT_H
#define _UAPI_LINUX_IOPGT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IOPGT_ABI_VERSION	1
#define IOPGT_DEVICE_NAME	"iopgt"

/**
 * enum iopgt_format - page-table formats known to this ABI
 *
 * Whether one is usable depends on the running kernel; see
 * IOPGT_GET_INFO. The AMD io-pgtable formats of 6.x kernels are listed but
 * never available: they only work embedded in the AMD driver's own
 * structures.
 */
enum iopgt_format {
	IOPGT_FMT_INVALID = 0,
	IOPGT_FMT_ARM_32_LPAE_S1 = 1,
	IOPGT_FMT_ARM_32_LPAE_S2 = 2,
	IOPGT_FMT_ARM_64_LPAE_S1 = 3,
	IOPGT_FMT_ARM_64_LPAE_S2 = 4,
	IOPGT_FMT_ARM_V7S = 5,
	IOPGT_FMT_ARM_MALI_LPAE = 6,
	IOPGT_FMT_APPLE_DART = 7,
	IOPGT_FMT_APPLE_DART2 = 8,
	IOPGT_FMT_AMD_IOMMU_V1 = 9,
	IOPGT_FMT_AMD_IOMMU_V2 = 10,
	IOPGT_FMT_PT_AMDV1 = 11,	/* generic_pt AMD v1 */
	IOPGT_FMT_PT_VTDSS = 12,	/* generic_pt VT-d second stage */
	IOPGT_FMT_PT_X86_64 = 13,	/* generic_pt x86-64 (AMD v2 / VT-d FS) */
	IOPGT_FMT_PT_RISCV64 = 14,	/* generic_pt RISC-V 64 */
	IOPGT_FMT_COUNT			/* one past the last */
};

/* struct iopgt_format_info.flags */
#define IOPGT_FMT_F_AVAILABLE		(1U << 0)
#define IOPGT_FMT_F_IO_PGTABLE		(1U << 1)  /* backend: io-pgtable */
#define IOPGT_FMT_F_GENERIC_PT		(1U << 2)  /* backend: generic_pt */
#define IOPGT_FMT_F_HW_WALK		(1U << 3)  /* ops->pgtable_walk exists */
#define IOPGT_FMT_F_NONCOHERENT		(1U << 4)  /* coherent_walk=false ok */
/*
 * One live address space of this format at a time on this kernel (ARM_V7S
 * on CONFIG_DEBUG_VM kernels: each table names a kmem_cache, and DEBUG_VM
 * WARNs on a duplicate name): AS_CREATE of a second one fails with -EBUSY,
 * out_reason IOPGT_REASON_ONE_AT_A_TIME, until the first is destroyed.
 */
#define IOPGT_FMT_F_ONE_LIVE		(1U << 5)
/*
 * Dirty tracking works on this kernel (AS_CREATE with
 * IOPGT_AS_DIRTY_TRACKING, IOPGT_READ_DIRTY, IOPGT_SET_DIRTY); when it does
 * not, iopgt_format_info.dirty_unavail (v3 of the element) says why.
 */
#define IOPGT_FMT_F_DIRTY		(1U << 6)
/*
 * generic_pt invalidation contracts this format accepts on this kernel
 * (AS_CREATE IOPGT_AS_FLUSH_RANGE / IOPGT_AS_FLUSH_NO_GAPS): the library's
 * PT_FEAT_FLUSH_RANGE and PT_FEAT_FLUSH_RANGE_NO_GAPS. Never set for
 * io-pgtable formats, whose flush callbacks have no such contract.
 */
#define IOPGT_FMT_F_FLUSH_RANGE		(1U << 7)
#define IOPGT_FMT_F_FLUSH_NO_GAPS	(1U << 8)

/* struct iopgt_format_info.rules: rules beyond the ranges */
#define IOPGT_FMT_RULE_IAS_LE_OAS	(1U << 0)  /* ias <= oas (after clamping) */
#define IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT (1U << 1) /* ias/oas > 32 need IOPGT_QUIRK_ARM_MTK_EXT */
#define IOPGT_FMT_RULE_CLAMP_48		(1U << 2)  /* ias/oas > 48 become 48 unless the granule is 64K */

/* struct iopgt_format_info.unavail_reason */
enum iopgt_unavail_reason {
	IOPGT_UNAVAIL_NONE = 0,		/* available */
	IOPGT_UNAVAIL_NOT_BUILT = 1,	/* not built into this kernel */
	IOPGT_UNAVAIL_UNSAFE = 2,	/* exists but cannot be used standalone */
	IOPGT_UNAVAIL_NO_BACKEND = 3,	/* library absent (no alloc_io_pgtable_ops / pt_iommu) */
	IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL = 4, /* this kernel has no such format */
};

/**
 * enum iopgt_dirty_unavail - why a format has no dirty tracking here
 *
 * struct iopgt_format_info.dirty_unavail; 0 exactly when the format has
 * IOPGT_FMT_F_DIRTY. New values may be added.
 *
 * @IOPGT_DIRTY_AVAILABLE: available
 * @IOPGT_DIRTY_FORMAT_UNAVAILABLE: the format itself is not available
 *	(see unavail_reason)
 * @IOPGT_DIRTY_NO_FORMAT_SUPPORT: the format has no hardware dirty state
 *	(io-pgtable: every format but ARM_64_LPAE_S1; generic_pt: the format
 *	defines no write-dirty bit, e.g. PT_X86_64)
 * @IOPGT_DIRTY_KERNEL_NO_HD: the kernel's io-pgtable has neither
 *	IO_PGTABLE_QUIRK_ARM_HD nor ops->read_and_clear_dirty (6.1)
 * @IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER: the kernel was built without
 *	CONFIG_IOMMUFD_DRIVER, so generic_pt's read_and_clear_dirty returns
 *	-EOPNOTSUPP (every Debian kernel)
 * @IOPGT_DIRTY_NOT_IMPLEMENTED: the kernel could, this module does not
 *	drive it yet (generic_pt with CONFIG_IOMMUFD_DRIVER: its dirty state
 *	is only reported through an iova_bitmap)
 */
enum iopgt_dirty_unavail {
	IOPGT_DIRTY_AVAILABLE = 0,
	IOPGT_DIRTY_FORMAT_UNAVAILABLE = 1,
	IOPGT_DIRTY_NO_FORMAT_SUPPORT = 2,
	IOPGT_DIRTY_KERNEL_NO_HD = 3,
	IOPGT_DIRTY_KERNEL_NO_IOMMUFD_DRIVER = 4,
	IOPGT_DIRTY_NOT_IMPLEMENTED = 5,
};

/**
 * enum iopgt_reason - which rule a request broke
 *
 * Written by the kernel next to the errno: in struct iopgt_map_entry.reason,
 * struct iopgt_unmap_entry.reason and struct iopgt_as_create.out_reason, so
 * that tools can say what was wrong without re-deriving the module's rules.
 * IOPGT_REASON_NONE: no reason to give (success, or an errno that speaks
 * for itself, e.g. -EFAULT). New values may be added; treat unknown ones
 * like NONE.
 */
enum iopgt_reason {
	IOPGT_REASON_NONE = 0,
	/* IOPGT_MAP / IOPGT_UNMAP entries */
	IOPGT_REASON_RESERVED = 1,		/* -EINVAL: a reserved field is not 0 */
	IOPGT_REASON_LENGTH_ZERO = 2,		/* -EINVAL: length is 0 */
	IOPGT_REASON_PROT_NO_RW = 3,		/* -EINVAL: prot has neither READ nor WRITE */
	IOPGT_REASON_PROT_UNKNOWN = 4,		/* -EINVAL: prot bits outside IOPGT_PROT_ALL */
	IOPGT_REASON_PGSIZE_UNKNOWN = 5,	/* -EINVAL: pgsize_log2 is not a page size of the AS */
	IOPGT_REASON_IOVA_MISALIGNED = 6,	/* -EINVAL: iova not a multiple of the page size */
	IOPGT_REASON_PADDR_MISALIGNED = 7,	/* -EINVAL: paddr not a multiple of the page size */
	IOPGT_REASON_LENGTH_MISALIGNED = 8,	/* -EINVAL: length not a multiple of the page size */
	IOPGT_REASON_IOVA_BELOW_WINDOW = 9,	/* -ERANGE: IOPGT_QUIRK_ARM_TTBR1: iova below 2^64 - 2^ias */
	IOPGT_REASON_IOVA_BEYOND_IAS = 10,	/* -ERANGE: the range ends beyond the input range */
	IOPGT_REASON_PADDR_BEYOND_OAS = 11,	/* -ERANGE: the output range ends beyond 2^oas */
	IOPGT_REASON_OVERLAP = 12,		/* -EEXIST: overlaps an existing mapping */
	IOPGT_REASON_HOLE = 13,			/* -ENOENT: part of the range is not mapped */
	IOPGT_REASON_PARTIAL_BLOCK = 14,	/* -EINVAL: an end cuts a larger leaf */
	IOPGT_REASON_AS_TABLE_CAP = 15,		/* -ENOSPC: max_table_bytes_per_as */
	IOPGT_REASON_DEV_TABLE_CAP = 16,	/* -ENOSPC: max_table_bytes (device) */
	IOPGT_REASON_NOMEM = 17,		/* -ENOMEM: the kernel is out of memory */
	IOPGT_REASON_INTERRUPTED = 18,		/* -EINTR: fatal signal */
	/* IOPGT_AS_CREATE */
	IOPGT_REASON_FLAGS_UNKNOWN = 32,	/* -EINVAL: unknown IOPGT_AS_* flag */
	IOPGT_REASON_FORMAT_UNKNOWN = 33,	/* -EINVAL: not an enum iopgt_format id */
	IOPGT_REASON_FORMAT_UNAVAILABLE = 34,	/* -EOPNOTSUPP: see iopgt_format_info.unavail_reason */
	IOPGT_REASON_NONCOHERENT_UNSUPPORTED = 35, /* -EOPNOTSUPP: no IOPGT_FMT_F_NONCOHERENT, or the
						 * device's DMA pre-flight failed */
	IOPGT_REASON_QUIRK_UNSUPPORTED = 36,	/* -EINVAL: quirk not in iopgt_format_info.quirks */
	IOPGT_REASON_QUIRK_COMBINATION = 37,	/* -EINVAL: ARM_OUTER_WBWA without IOPGT_AS_NONCOHERENT,
						 * ARM_MTK_EXT without NO_PERMS, ARM_MTK_TTBR_EXT
						 * without ARM_MTK_EXT */
	IOPGT_REASON_LEVELS = 38,		/* -EINVAL: levels outside levels_min..levels_max, set
						 * for an io-pgtable format, or not fitting ias */
	IOPGT_REASON_IAS_RANGE = 39,		/* -EINVAL: ias outside ias_min..ias_max */
	IOPGT_REASON_OAS_RANGE = 40,		/* -EINVAL: oas outside oas_min..oas_max */
	IOPGT_REASON_PGSIZES = 41,		/* -EINVAL: page sizes not a subset of one pgsize_sets[]
						 * entry containing its granule */
	IOPGT_REASON_OAS_NOT_IN_SET = 42,	/* -EINVAL: oas not in iopgt_format_info.oas_set */
	IOPGT_REASON_IAS_ABOVE_OAS = 43,	/* -EINVAL: IOPGT_FMT_RULE_IAS_LE_OAS broken */
	IOPGT_REASON_NEEDS_MTK_EXT = 44,	/* -EINVAL: IOPGT_FMT_RULE_EXT_NEEDS_MTK_EXT broken */
	IOPGT_REASON_IAS_FOR_GRANULE = 45,	/* -EINVAL: ias too large for the granule (DART 4K: 32) */
	IOPGT_REASON_PGSIZES_ABOVE_IAS = 46,	/* -EINVAL: every page size is >= 2^ias */
	IOPGT_REASON_AS_CAP = 47,		/* -ENOSPC: max_as_per_device address spaces exist */
	IOPGT_REASON_ONE_AT_A_TIME = 48,	/* -EBUSY: this kernel allows one live address space of
						 * the format (IOPGT_FMT_F_ONE_LIVE); -ENOSPC before
						 * IOPGT_FMT_F_ONE_LIVE existed */
	IOPGT_REASON_LIBRARY_REFUSED = 49,	/* -ENOMEM/-EINVAL: the page-table library refused */
	/* any call on an address space */
	IOPGT_REASON_AS_BROKEN = 50,		/* -ENOTRECOVERABLE: the page-table library once
						 * disagreed with the module (e.g. unmapped another
						 * size than asked; the kernel log says what): every
						 * call on the AS but AS_DESTROY fails */
	/* dirty tracking (AS_CREATE, IOPGT_READ_DIRTY, IOPGT_SET_DIRTY) */
	IOPGT_REASON_DIRTY_UNAVAILABLE = 51,	/* -EOPNOTSUPP: IOPGT_AS_DIRTY_TRACKING on a format
						 * without IOPGT_FMT_F_DIRTY (see dirty_unavail) */
	IOPGT_REASON_DIRTY_COMBINATION = 52,	/* -EINVAL: IOPGT_AS_DIRTY_TRACKING with
						 * IOPGT_QUIRK_ARM_TTBR1 or IOPGT_AS_NONCOHERENT */
	IOPGT_REASON_NO_DIRTY_TRACKING = 53,	/* -EOPNOTSUPP: the AS was created without
						 * IOPGT_AS_DIRTY_TRACKING */
	IOPGT_REASON_DIRTY_PAGE_SIZE = 54,	/* -EINVAL: bitmap page_size not a power of two
						 * >= the AS's smallest page size */
	IOPGT_REASON_DIRTY_TOO_LONG = 55,	/* -ENOSPC: length above IOPGT_DIRTY_MAX_PAGES
						 * smallest pages */
	IOPGT_REASON_BITMAP_TOO_SMALL = 56,	/* -EINVAL: bitmap_size below what the range needs */
	IOPGT_REASON_NOT_WRITABLE = 57,		/* -EACCES: SET_DIRTY on a leaf mapped without
						 * IOPGT_PROT_WRITE (a device write faults) */
	IOPGT_REASON_IOVA_OVERFLOW = 58,	/* -EOVERFLOW: iova + length wraps past 2^64 */
	/* invalidation contract (AS_CREATE IOPGT_AS_FLUSH_RANGE / _NO_GAPS) */
	IOPGT_REASON_FLUSH_CONTRACT_UNSUPPORTED = 59, /* -EOPNOTSUPP: the format has no such
						 * contract (IOPGT_FMT_F_FLUSH_RANGE /
						 * IOPGT_FMT_F_FLUSH_NO_GAPS; io-pgtable: none) */
	IOPGT_REASON_FLUSH_CONTRACT_COMBINATION = 60, /* -EINVAL: IOPGT_AS_FLUSH_RANGE together
						 * with IOPGT_AS_FLUSH_NO_GAPS */
};

/*
 * Quirks (struct iopgt_as_create.quirks). Translated by name to the kernel's
 * IO_PGTABLE_QUIRK_*; which ones a format accepts on this kernel is in
 * struct iopgt_format_info.quirks. IO_PGTABLE_QUIRK_NO_WARN is always set by
 * the module where the kernel has it and is not part of the ABI.
 */
#define IOPGT_QUIRK_ARM_NS		(1ULL << 0)
#define IOPGT_QUIRK_NO_PERMS		(1ULL << 1)
#define IOPGT_QUIRK_ARM_MTK_EXT		(1ULL << 3)
#define IOPGT_QUIRK_ARM_MTK_TTBR_EXT	(1ULL << 4)
#define IOPGT_QUIRK_ARM_TTBR1		(1ULL << 5)
#define IOPGT_QUIRK_ARM_OUTER_WBWA	(1ULL << 6)
#define IOPGT_QUIRK_ARM_HD		(1ULL << 7)
#define IOPGT_QUIRK_ARM_S2FWB		(1ULL << 8)

/* Mapping permissions (struct iopgt_map_entry.prot), as IOMMU_* in the kernel */
#define IOPGT_PROT_READ		(1U << 0)
#define IOPGT_PROT_WRITE	(1U << 1)
#define IOPGT_PROT_CACHE	(1U << 2)
#define IOPGT_PROT_NOEXEC	(1U << 3)
#define IOPGT_PROT_MMIO		(1U << 4)
#define IOPGT_PROT_PRIV		(1U << 5)
#define IOPGT_PROT_ALL		0x3fU

#define IOPGT_NAME_LEN		32
#define IOPGT_MAX_PGSIZE_SETS	4
#define IOPGT_MAX_LEVELS	6

/**
 * struct iopgt_format_info - one element of IOPGT_GET_INFO's format array
 * @format: enum iopgt_format
 * @flags: IOPGT_FMT_F_*
 * @unavail_reason: enum iopgt_unavail_reason (0 when available)
 * @n_pgsize_sets: number of valid entries in @pgsize_sets
 * @name: NUL-terminated name, e.g. "ARM_64_LPAE_S1"
 * @quirks: IOPGT_QUIRK_* bits this format accepts on this kernel
 * @pgsize_sets: page-size sets AS_CREATE accepts (one per granule); any
 *	non-empty subset containing the granule is accepted
 * @ias_min: smallest input address size accepted
 * @ias_max: largest input address size accepted
 * @oas_min: smallest output address size accepted
 * @oas_max: largest output address size accepted
 * @levels_min: generic_pt: smallest level count; io-pgtable: 0
 * @levels_max: generic_pt: largest level count; io-pgtable: 0
 * @ias_default: ias used when AS_CREATE passes 0
 * @oas_default: oas used when AS_CREATE passes 0
 * @oas_set: (since v2 of the element) bit n set: oas n is accepted; 0:
 *	every value from @oas_min to @oas_max is (with
 *	IOPGT_FMT_RULE_CLAMP_48 the value is checked after clamping)
 * @rules: (v2) IOPGT_FMT_RULE_*
 * @__pad: 0
 * @table_bytes: (v2) memory one page table below the top level takes, per
 *	entry of @pgsize_sets (same index): the kernel allocates a table
 *	smaller than its PAGE_SIZE a whole page (a 4K-granule LPAE table takes
 *	16 KiB on a 16K-page kernel); ARM_V7S level-2 tables are 1 KiB slab
 *	objects. Table-memory accounting (table_bytes, the max_*table_bytes
 *	caps) counts in these units.
 * @dirty_unavail: (v3) enum iopgt_dirty_unavail: why the format has no
 *	IOPGT_FMT_F_DIRTY on this kernel (0 when it has)
 * @__pad2: 0
 *
 * Version 1 of the element ends at @oas_default
 * (IOPGT_FORMAT_INFO_SIZE_V1 bytes): GET_INFO accepts that size and writes
 * only what fits.
 */
struct iopgt_format_info {
	__u32 format;
	__u32 flags;
	__u32 unavail_reason;
	__u32 n_pgsize_sets;
	char name[IOPGT_NAME_LEN];
	__u64 quirks;
	__u64 pgsize_sets[IOPGT_MAX_PGSIZE_SETS];
	__u32 ias_min;
	__u32 ias_max;
	__u32 oas_min;
	__u32 oas_max;
	__u32 levels_min;
	__u32 levels_max;
	__u32 ias_default;
	__u32 oas_default;
	__u64 oas_set;
	__u32 rules;
	__u32 __pad;
	__u32 table_bytes[IOPGT_MAX_PGSIZE_SETS];
	__u32 dirty_unavail;
	__u32 __pad2;
};
#define IOPGT_FORMAT_INFO_SIZE_V1	120

/**
 * struct iopgt_get_info - IOPGT_GET_INFO
 * @size: sizeof(struct iopgt_get_info)
 * @flags: must be 0
 * @abi_version: out: IOPGT_ABI_VERSION
 * @n_formats: in: capacity of @formats_uptr in elements (0 to query);
 *	out: number of formats the module knows (IOPGT_FMT_COUNT - 1).
 *	Elements beyond the capacity are not written.
 * @formats_uptr: array of struct iopgt_format_info (may be 0 if n_formats=0)
 * @format_info_size: in: sizeof(struct iopgt_format_info) as userspace knows it
 *	(>= IOPGT_FORMAT_INFO_SIZE_V1)
 * @n_available: out: number of available formats
 * @page_size: out: the kernel's PAGE_SIZE
 * @max_as_per_device: out: cap on live address spaces per device (AS_CREATE
 *	-ENOSPC with IOPGT_REASON_AS_CAP)
 * @max_map_entries: out: cap on entries per MAP/UNMAP call
 * @max_table_bytes_per_as: out: cap on page-table memory per address space
 *	(-ENOSPC with IOPGT_REASON_AS_TABLE_CAP)
 * @max_table_bytes: out: cap on page-table memory per device (-ENOSPC with
 *	IOPGT_REASON_DEV_TABLE_CAP)
 * @nr_as: out: live address spaces on this device
 * @__reserved: must be 0
 * @table_bytes: out: page-table memory currently held by this device
 * @module_allocs: out: live allocations made by the module itself (leak
 *	checking: back to its baseline after everything is destroyed)
 */
struct iopgt_get_info {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 n_formats;
	__u64 formats_uptr;
	__u32 format_info_size;
	__u32 n_available;
	__u64 page_size;
	__u32 max_as_per_device;
	__u32 max_map_entries;
	__u64 max_table_bytes_per_as;
	__u64 max_table_bytes;
	__u32 nr_as;
	__u32 __reserved;
	__u64 table_bytes;
	__u64 module_allocs;
};

/* struct iopgt_as_create.flags */
#define IOPGT_AS_PERSISTENT	(1U << 0)  /* outlives the fd; until destroy/unbind */
#define IOPGT_AS_NONCOHERENT	(1U << 1)  /* coherent_walk = false */
#define IOPGT_AS_RECORD_FLUSHES	(1U << 2)  /* record every invalidation (IOPGT_NL_CMD_FLUSH_GET) */
/*
 * Dirty tracking (formats with IOPGT_FMT_F_DIRTY): ARM_64_LPAE_S1 gets
 * IO_PGTABLE_QUIRK_ARM_HD (writable leaves carry DBM; out_quirks then
 * includes IOPGT_QUIRK_ARM_HD); refused with IOPGT_QUIRK_ARM_TTBR1 or
 * IOPGT_AS_NONCOHERENT (-EINVAL, IOPGT_REASON_DIRTY_COMBINATION) and on a
 * format without IOPGT_FMT_F_DIRTY (-EOPNOTSUPP,
 * IOPGT_REASON_DIRTY_UNAVAILABLE).
 */
#define IOPGT_AS_DIRTY_TRACKING	(1U << 3)
/*
 * Invalidation contract of a generic_pt address space, the one an IOMMU
 * driver picks (amd/iommu.c: NO_GAPS under a hypervisor that shadows the
 * tables, FLUSH_RANGE otherwise; intel/iommu.c: FLUSH_RANGE). At most one
 * of the two (both: -EINVAL, IOPGT_REASON_FLUSH_CONTRACT_COMBINATION); a
 * format without the matching IOPGT_FMT_F_FLUSH_* (every io-pgtable
 * format, PT_VTDSS for NO_GAPS) refuses it with -EOPNOTSUPP,
 * IOPGT_REASON_FLUSH_CONTRACT_UNSUPPORTED.
 *
 * The table is created with PT_FEAT_FLUSH_RANGE or
 * PT_FEAT_FLUSH_RANGE_NO_GAPS, and each IOPGT_UNMAP call unmaps through
 * one gather for all of its entries, synced once at the end (as
 * iommu_unmap_fast() for each range and one iotlb_sync do): with
 * FLUSH_RANGE the gather grows over the gaps between the ranges, with
 * NO_GAPS the library syncs it before it would cover IOVA that did not
 * change. Without either flag (contract IOPGT_FLUSH_CONTRACT_CALL) no
 * feature is requested and every library call has its own gather, synced
 * when it returns (iommu_unmap()).
 */
#define IOPGT_AS_FLUSH_RANGE	(1U << 4)
#define IOPGT_AS_FLUSH_NO_GAPS	(1U << 5)

/**
 * enum iopgt_flush_contract - invalidation contract of an address space
 *
 * IOPGT_A_FLUSH_CONTRACT of every FLUSH_GET record;
 * struct iopgt_flush_ctl.out_flags and struct iopgt_as_info.flags carry it
 * as bits.
 *
 * @IOPGT_FLUSH_CONTRACT_CALL: no contract feature: a gather per library
 *	call (io-pgtable formats, and generic_pt without IOPGT_AS_FLUSH_*)
 * @IOPGT_FLUSH_CONTRACT_RANGE: PT_FEAT_FLUSH_RANGE, one gather per UNMAP
 *	call; ranges may include IOVA that did not change (gaps)
 * @IOPGT_FLUSH_CONTRACT_NO_GAPS: PT_FEAT_FLUSH_RANGE_NO_GAPS, one gather
 *	per UNMAP call; no synced range includes IOVA that did not change
 */
enum iopgt_flush_contract {
	IOPGT_FLUSH_CONTRACT_CALL = 0,
	IOPGT_FLUSH_CONTRACT_RANGE = 1,
	IOPGT_FLUSH_CONTRACT_NO_GAPS = 2,
};

/* struct iopgt_as_create.out_flags */
#define IOPGT_AS_CREATE_IAS_CLAMPED	(1U << 0)  /* out_ias differs from the ias asked for */
#define IOPGT_AS_CREATE_OAS_CLAMPED	(1U << 1)  /* out_oas differs from the oas asked for */

/**
 * struct iopgt_as_create - IOPGT_AS_CREATE
 * @size: sizeof(struct iopgt_as_create)
 * @flags: IOPGT_AS_*
 * @format: enum iopgt_format, must be available
 * @levels: generic_pt only: number of levels (0: format default); must be 0
 *	for io-pgtable formats
 * @quirks: IOPGT_QUIRK_*, must be a subset of the format's quirks
 * @pgsize_bitmap: requested page sizes (0: the format's default set)
 * @ias: requested input address bits (0: default)
 * @oas: requested output address bits (0: default)
 * @as_id: out: id of the new address space (never 0)
 * @out_levels: out: levels of the table the kernel built at creation
 *	(PT_AMDV1 grows its top level while mapping: GET_HW_CFG has the
 *	current count)
 * @out_pgsize_bitmap: out: final page sizes the kernel settled on (sizes
 *	>= 2^ias are dropped: they could not be mapped)
 * @out_ias: out: final input address bits
 * @out_oas: out: final output address bits
 * @out_quirks: out: quirks in effect (IOPGT_QUIRK_*)
 * @out_reason: (v2) out, also written on failure: enum iopgt_reason, the
 *	rule the request broke (IOPGT_REASON_NONE on success)
 * @out_flags: (v2) out: IOPGT_AS_CREATE_* (e.g. --ias 52 with 4K pages on
 *	LPAE gives out_ias 48 and IOPGT_AS_CREATE_IAS_CLAMPED; a 0 request
 *	compares as its default)
 *
 * Returns 0, or -EINVAL for a bad request (the format's constraints are in
 * GET_INFO: ranges, pgsize_sets, quirks, oas_set and rules), -EOPNOTSUPP
 * for an unavailable format or non-coherent walks it cannot do, -ENOSPC
 * when the device already has max_as_per_device address spaces or a
 * table-memory cap would be exceeded, -EBUSY when the format allows one
 * live address space at a time (IOPGT_FMT_F_ONE_LIVE) and one exists,
 * -ENOMEM. The struct is written back
 * on failure too (out_reason says which rule; version 1 callers, whose
 * struct ends at @out_quirks, get the errno only).
 */
struct iopgt_as_create {
	__u32 size;
	__u32 flags;
	__u32 format;
	__u32 levels;
	__u64 quirks;
	__u64 pgsize_bitmap;
	__u32 ias;
	__u32 oas;
	__u32 as_id;
	__u32 out_levels;
	__u64 out_pgsize_bitmap;
	__u32 out_ias;
	__u32 out_oas;
	__u64 out_quirks;
	__u32 out_reason;
	__u32 out_flags;
};

/**
 * struct iopgt_as_destroy - IOPGT_AS_DESTROY
 * @size: sizeof(struct iopgt_as_destroy)
 * @as_id: address space to free with all its mappings
 *
 * Returns 0, -ENOENT (no such address space), -EPERM (neither persistent
 * nor created by this open file, see "Permissions" above).
 */
struct iopgt_as_destroy {
	__u32 size;
	__u32 as_id;
};

/**
 * struct iopgt_map_entry - one element of IOPGT_MAP
 * @iova: start, aligned to the page size used
 * @paddr: output address, aligned like @iova
 * @length: bytes, a multiple of the smallest page size
 * @prot: IOPGT_PROT_*, READ or WRITE at least
 * @pgsize_log2: 0: the module picks the largest page size that alignment
 *	and length allow at each step; otherwise force pages of 1 << this
 * @mapped: out: bytes mapped for this entry
 * @error: out: 0 or a negative errno for this entry
 * @reason: in: must be 0 (it was "__reserved" in the first ABI: old
 *	kernels reject non-zero and never write it); out: enum iopgt_reason,
 *	the rule a failing entry broke (written with @error)
 */
struct iopgt_map_entry {
	__u64 iova;
	__u64 paddr;
	__u64 length;
	__u32 prot;
	__u32 pgsize_log2;
	__u64 mapped;
	__s32 error;
	__u32 reason;
};

/* struct iopgt_unmap.flags */
#define IOPGT_UNMAP_CORE	(1U << 0)  /* split each range like iommu_unmap(): largest page
					    * sizes alignment allows (frees whole tables) */

/* struct iopgt_map.flags */
#define IOPGT_MAP_ROLLBACK	(1U << 0)  /* on error, undo every entry of the call */

/**
 * struct iopgt_map - IOPGT_MAP
 * @size: sizeof(struct iopgt_map)
 * @as_id: address space
 * @flags: IOPGT_MAP_*
 * @n_entries: entries at @entries_uptr, 1..max_map_entries (0: -EINVAL;
 *	more than max_map_entries: -ENOSPC)
 * @entries_uptr: array of struct iopgt_map_entry
 * @entry_size: sizeof(struct iopgt_map_entry) as userspace knows it
 * @n_done: out: entries completely mapped (processing stops at the first
 *	failing entry, whose error/mapped fields say what happened); written
 *	back on failure too. With IOPGT_MAP_ROLLBACK a failure undoes every
 *	entry: n_done is 0, undone entries report mapped = 0 and the failing
 *	entry keeps its error.
 *
 * Errors: -EEXIST overlap with an existing mapping, -EINVAL misaligned or
 * bad prot/pgsize, -ERANGE outside ias/oas, -ENOSPC table-memory cap; the
 * failing entry's reason field names the rule (enum iopgt_reason);
 * -ENOENT unknown @as_id and -EPERM (not this file's address space and not
 * persistent, see "Permissions" above) before any entry is read: n_done 0,
 * entries untouched.
 */
struct iopgt_map {
	__u32 size;
	__u32 as_id;
	__u32 flags;
	__u32 n_entries;
	__u64 entries_uptr;
	__u32 entry_size;
	__u32 n_done;
};

/**
 * struct iopgt_unmap_entry - one element of IOPGT_UNMAP
 * @iova: start, aligned to the smallest page size
 * @length: bytes; the range must consist of whole mapped leaves
 *	(no hole, no partial block: -ENOENT / -EINVAL)
 * @unmapped: out: bytes unmapped
 * @error: out: 0 or a negative errno
 * @reason: in: must be 0; out: enum iopgt_reason (as in struct
 *	iopgt_map_entry)
 */
struct iopgt_unmap_entry {
	__u64 iova;
	__u64 length;
	__u64 unmapped;
	__s32 error;
	__u32 reason;
};

/**
 * struct iopgt_unmap - IOPGT_UNMAP
 * @size: sizeof(struct iopgt_unmap)
 * @as_id: address space
 * @flags: IOPGT_UNMAP_CORE or 0. Without it every run is unmapped in
 *	the page size it was mapped with (a table is never freed); with it
 *	each range is split into the largest page sizes its alignment allows,
 *	as the iommu core does, so a block-sized piece of a range that was
 *	mapped with smaller pages frees the table below it. The range rules
 *	(whole leaves, no hole) are the same.
 * @n_entries: entries at @entries_uptr, 1..max_map_entries (0: -EINVAL;
 *	more than max_map_entries: -ENOSPC)
 * @entries_uptr: array of struct iopgt_unmap_entry
 * @entry_size: sizeof(struct iopgt_unmap_entry) as userspace knows it
 * @n_done: out: entries completely unmapped
 *
 * -ENOENT (unknown @as_id) and -EPERM (as for IOPGT_MAP) come before any
 * entry is read.
 */
struct iopgt_unmap {
	__u32 size;
	__u32 as_id;
	__u32 flags;
	__u32 n_entries;
	__u64 entries_uptr;
	__u32 entry_size;
	__u32 n_done;
};

/* struct iopgt_iova_to_phys.out_flags */
#define IOPGT_XLATE_MAPPED	(1U << 0)

/**
 * struct iopgt_xlate_entry - one element of a vector IOPGT_IOVA_TO_PHYS
 * @iova: address to translate
 * @phys: out: the output address; meaningful only with IOPGT_XLATE_MAPPED
 * @out_flags: out: IOPGT_XLATE_MAPPED when @iova is mapped
 * @error: out: 0, or -ERANGE when @iova is outside the input range
 */
struct iopgt_xlate_entry {
	__u64 iova;
	__u64 phys;
	__u32 out_flags;
	__s32 error;
};

/**
 * struct iopgt_iova_to_phys - IOPGT_IOVA_TO_PHYS
 * @size: sizeof(struct iopgt_iova_to_phys); the first version (32 bytes,
 *	ending at @__reserved) is still accepted
 * @as_id: address space
 * @iova: address to translate, inside the input range (else -ERANGE);
 *	must be 0 when @n_iovas is not
 * @phys: out: the output address; meaningful only with
 *	IOPGT_XLATE_MAPPED (0 is a valid output address)
 * @out_flags: out: IOPGT_XLATE_MAPPED when @iova is mapped
 * @__reserved: must be 0
 * @n_iovas: 0: translate @iova; otherwise translate the @n_iovas entries at
 *	@iovas_uptr instead (1..max_map_entries, more: -ENOSPC), each with
 *	its own result and error; the call then returns 0
 * @entry_size: sizeof(struct iopgt_xlate_entry) as userspace knows it
 *	(element size rules as for MAP)
 * @iovas_uptr: array of struct iopgt_xlate_entry
 */
struct iopgt_iova_to_phys {
	__u32 size;
	__u32 as_id;
	__u64 iova;
	__u64 phys;
	__u32 out_flags;
	__u32 __reserved;
	__u32 n_iovas;
	__u32 entry_size;
	__u64 iovas_uptr;
};

/* struct iopgt_hw_cfg.out_flags */
#define IOPGT_HWCFG_ADDR_HIDDEN	(1U << 0)  /* no CAP_SYS_ADMIN: address bits zeroed */

#define IOPGT_HW_NREGS		8
/*
 * struct iopgt_hw_cfg.regs[], per format:
 *  ARM_*_LPAE_S1: [0] TTBR, [1] TCR image (TCR_EL1 T0 field layout: T0SZ
 *	5:0, IRGN0 9:8, ORGN0 11:10, SH0 13:12, TG0 15:14 (the TG1 encoding
 *	under IOPGT_QUIRK_ARM_TTBR1), IPS 34:32), [2] MAIR (low 32 bits)
 *  ARM_*_LPAE_S2: [0] VTTBR, [1] VTCR image (T0SZ 5:0, SL0 7:6, IRGN0 9:8,
 *	ORGN0 11:10, SH0 13:12, TG0 15:14, PS 18:16)
 *  ARM_MALI_LPAE: [0] TRANSTAB, [1] MEMATTR
 *  ARM_V7S: [0] TTBR, [1] TCR, [2] NMRR, [3] PRRR
 *  APPLE_DART*: [0..3] TTBR[0..3], [4] n_ttbrs, [5] n_levels
 *  PT_AMDV1: [0] host_pt_root, [1] mode
 *  PT_VTDSS: [0] ssptptr, [1] aw
 *  PT_X86_64: [0] gcr3_pt, [1] levels
 *  PT_RISCV64: [0] ppn, [1] fsc_iosatp_mode
 * regs[7] is always the physical address of the top-level table.
 *
 * With IOPGT_HWCFG_ADDR_HIDDEN (see "Permissions" above) regs[7] is 0 and
 * every register holding a table address has its address field zeroed,
 * the other bits stay: LPAE TTBR/VTTBR bits 51:1, Mali TRANSTAB bits 51:12,
 * v7s TTBR bits 31:7 (all of it with IOPGT_QUIRK_ARM_MTK_EXT or
 * IOPGT_QUIRK_ARM_MTK_TTBR_EXT), generic_pt roots bits 63:12, Apple DART
 * TTBRs and the RISC-V ppn entirely.
 */

/**
 * struct iopgt_hw_cfg - IOPGT_GET_HW_CFG
 * @size: sizeof(struct iopgt_hw_cfg)
 * @as_id: address space
 * @format: out: enum iopgt_format
 * @out_flags: out: IOPGT_HWCFG_*
 * @levels: out: levels of the walk from the top table
 * @start_level: out: level number of the top table in the format's own
 *	numbering (LPAE: 0..3; generic_pt: top_level; v7s: 1)
 * @pgsize_bitmap: out: final page sizes
 * @ias: out: final input address bits
 * @oas: out: final output address bits
 * @quirks: out: quirks in effect (IOPGT_QUIRK_*)
 * @regs: out: per-format register values, see above
 */
struct iopgt_hw_cfg {
	__u32 size;
	__u32 as_id;
	__u32 format;
	__u32 out_flags;
	__u32 levels;
	__u32 start_level;
	__u64 pgsize_bitmap;
	__u32 ias;
	__u32 oas;
	__u64 quirks;
	__u64 regs[IOPGT_HW_NREGS];
};

/* struct iopgt_walk_level.kind, and IOPGT_A_ENTRY_KIND */
enum iopgt_pte_kind {
	IOPGT_PTE_INVALID = 0,	/* empty / not valid */
	IOPGT_PTE_TABLE = 1,	/* points to a next-level table */
	IOPGT_PTE_BLOCK = 2,	/* leaf above the last level */
	IOPGT_PTE_PAGE = 3,	/* leaf at the last level */
};

/**
 * struct iopgt_walk_level - one level of a walk
 * @pte: raw descriptor as stored; if hidden (IOPGT_WALK_ADDR_HIDDEN), a
 *	descriptor that is not a leaf has its table-address bits zeroed
 *	(LPAE/Mali 47:12, v7s 31:10 and with a MediaTek quirk 9, 5, 4, DART
 *	35:12 / DART2 37:10, generic_pt 51:12), its other bits stay
 * @table_pa: physical address of the table holding @pte (0 if hidden)
 * @oa: output address or next-table address the descriptor names (0 for
 *	a descriptor that is not a leaf if hidden); for a contiguous leaf
 *	the output address of the start of the whole leaf
 * @span_log2: log2 of the bytes the entry covers (a contiguous leaf: all
 *	of it)
 * @level: level number in the format's own numbering
 * @index: index of the slot read in its table
 * @kind: enum iopgt_pte_kind
 */
struct iopgt_walk_level {
	__u64 pte;
	__u64 table_pa;
	__u64 oa;
	__u32 span_log2;
	__u32 level;
	__u32 index;
	__u32 kind;
};

/* struct iopgt_walk.flags */
#define IOPGT_WALK_HW		(1U << 0)  /* also run io-pgtable's own pgtable_walk */

/* struct iopgt_walk.out_flags */
#define IOPGT_WALK_MAPPED	(1U << 0)
#define IOPGT_WALK_HW_DONE	(1U << 1)  /* hw_ptes[] filled by pgtable_walk */
#define IOPGT_WALK_ADDR_HIDDEN	(1U << 2)  /* no CAP_SYS_ADMIN: table addresses zeroed */

/**
 * struct iopgt_walk - IOPGT_WALK: the descriptors translating one IOVA
 * @size: sizeof(struct iopgt_walk)
 * @as_id: address space
 * @iova: address to walk, inside the input range (else -ERANGE)
 * @flags: IOPGT_WALK_*
 * @n_levels: out: valid entries in @levels (the walk stops at the first
 *	leaf or invalid descriptor)
 * @phys: out: output address of @iova when mapped
 * @out_flags: out: IOPGT_WALK_MAPPED, IOPGT_WALK_HW_DONE
 * @__reserved: must be 0
 * @levels: out: one per level walked, top first
 * @hw_ptes: out: with IOPGT_WALK_HW where the kernel has pgtable_walk:
 *	its ptes[] array as returned (LPAE only), indexed by level; if
 *	hidden, every entry but the leaf @levels[] found at that level has
 *	its table-address bits zeroed as in struct iopgt_walk_level
 */
struct iopgt_walk {
	__u32 size;
	__u32 as_id;
	__u64 iova;
	__u32 flags;
	__u32 n_levels;
	__u64 phys;
	__u32 out_flags;
	__u32 __reserved;
	struct iopgt_walk_level levels[IOPGT_MAX_LEVELS];
	__u64 hw_ptes[4];
};

/* struct iopgt_as_info.flags (out) */
#define IOPGT_AS_INFO_PERSISTENT	(1U << 0)
#define IOPGT_AS_INFO_NONCOHERENT	(1U << 1)
#define IOPGT_AS_INFO_DIRTY		(1U << 2)  /* created with IOPGT_AS_DIRTY_TRACKING */
#define IOPGT_AS_INFO_FLUSH_RANGE	(1U << 3)  /* created with IOPGT_AS_FLUSH_RANGE */
#define IOPGT_AS_INFO_FLUSH_NO_GAPS	(1U << 4)  /* created with IOPGT_AS_FLUSH_NO_GAPS */

/**
 * struct iopgt_as_info - IOPGT_AS_INFO: counters of one address space
 * @size: sizeof(struct iopgt_as_info)
 * @as_id: address space
 * @format: out: enum iopgt_format
 * @flags: out: IOPGT_AS_INFO_*
 * @generation: out: bumped on every change of the tables
 * @mapped_bytes: out: bytes currently mapped
 * @n_extents: out: mapping extents in the module's shadow map
 * @table_bytes: out: page-table memory held by this address space
 * @owner_pid: out: pid (in the caller's namespace) of the creator
 * @__reserved: must be 0
 */
struct iopgt_as_info {
	__u32 size;
	__u32 as_id;
	__u32 format;
	__u32 flags;
	__u64 generation;
	__u64 mapped_bytes;
	__u64 n_extents;
	__u64 table_bytes;
	__u32 owner_pid;
	__u32 __reserved;
};

/**
 * enum iopgt_flush_kind - one recorded invalidation (IOPGT_A_FLUSH_KIND)
 *
 * Recorded for address spaces created with IOPGT_AS_RECORD_FLUSHES, in the
 * order the page-table library asked for them; each record carries the
 * sequence number of the MAP/UNMAP call that caused it (IOPGT_A_FLUSH_SEQ).
 * io-pgtable formats: the library's struct iommu_flush_ops callbacks, and
 * the gather the module passes to unmap_pages() (as the iommu core does;
 * the module's tlb_add_page adds each page to it like arm-smmu-v3) synced
 * at the end of each library call. generic_pt formats: the domain's
 * iotlb_sync with the gather the library filled (the table pages it frees
 * are counted in IOPGT_A_FLUSH_FREED), iotlb_sync_map, flush_iotlb_all and
 * the top-level change (AMDv1 growth).
 *
 * @IOPGT_FLUSH_ALL: tlb_flush_all / flush_iotlb_all: everything
 * @IOPGT_FLUSH_WALK: tlb_flush_walk(iova, size, granule): walk cache of
 *	[iova, iova + size)
 * @IOPGT_FLUSH_ADD_PAGE: tlb_add_page(iova, granule): leaf at iova
 * @IOPGT_FLUSH_SYNC: a gather synced: [iova, iova + size), granule = the
 *	gather's pgsize (0 when unused), freed = table pages on its free list
 * @IOPGT_FLUSH_SYNC_MAP: iotlb_sync_map(iova, size) after a map
 * @IOPGT_FLUSH_TOP: the top table changed (iova 0, size 0, granule = the
 *	new top level in generic_pt's numbering, i.e. levels - 1); a driver
 *	points the hardware at the new top and flushes its cached copy
 */
enum iopgt_flush_kind {
	IOPGT_FLUSH_NONE = 0,
	IOPGT_FLUSH_ALL = 1,
	IOPGT_FLUSH_WALK = 2,
	IOPGT_FLUSH_ADD_PAGE = 3,
	IOPGT_FLUSH_SYNC = 4,
	IOPGT_FLUSH_SYNC_MAP = 5,
	IOPGT_FLUSH_TOP = 6,
};

/* struct iopgt_flush_ctl.flags */
#define IOPGT_FLUSH_CTL_CLEAR	(1U << 0)  /* drop every record and the overflow count */

/**
 * struct iopgt_flush_ctl - IOPGT_FLUSH_CTL: state of the invalidation log
 * @size: sizeof(struct iopgt_flush_ctl)
 * @as_id: address space
 * @flags: IOPGT_FLUSH_CTL_*; CLEAR changes the address space (owner only,
 *	-EPERM otherwise, as for MAP)
 * @out_flags: out: IOPGT_FLUSH_CTL_RECORDING when the address space
 *	records (otherwise every other field is 0), with
 *	IOPGT_FLUSH_CTL_CONTRACT_RANGE or IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS
 *	when it has that invalidation contract (neither: CALL)
 * @n_records: out: records held (before a CLEAR)
 * @first_index: out: index of the oldest record held (records are numbered
 *	from 0 since creation; a CLEAR moves this to @next_index)
 * @next_index: out: index the next record will get
 * @dropped: out: records lost because the log was full (max_flush_records
 *	module parameter; before a CLEAR)
 * @seq: out: sequence number of the last MAP/UNMAP call (the first is 1)
 * @capacity: out: records the log holds
 * @__reserved: must be 0
 */
struct iopgt_flush_ctl {
	__u32 size;
	__u32 as_id;
	__u32 flags;
	__u32 out_flags;
	__u64 n_records;
	__u64 first_index;
	__u64 next_index;
	__u64 dropped;
	__u64 seq;
	__u32 capacity;
	__u32 __reserved;
};
#define IOPGT_FLUSH_CTL_RECORDING	(1U << 0)
#define IOPGT_FLUSH_CTL_CONTRACT_RANGE	(1U << 1)  /* IOPGT_FLUSH_CONTRACT_RANGE */
#define IOPGT_FLUSH_CTL_CONTRACT_NO_GAPS (1U << 2) /* IOPGT_FLUSH_CONTRACT_NO_GAPS */

/* struct iopgt_read_dirty.flags */
#define IOPGT_DIRTY_NO_CLEAR	(1U << 0)  /* report only; leave the dirty state as it is */

/* cap on IOPGT_READ_DIRTY's length, in the AS's smallest pages (64 GiB of 4K) */
#define IOPGT_DIRTY_MAX_PAGES	(1ULL << 24)

/**
 * struct iopgt_read_dirty - IOPGT_READ_DIRTY: read (and clear) dirty state
 * @size: sizeof(struct iopgt_read_dirty)
 * @as_id: address space, created with IOPGT_AS_DIRTY_TRACKING (else
 *	-EOPNOTSUPP, IOPGT_REASON_NO_DIRTY_TRACKING)
 * @flags: IOPGT_DIRTY_NO_CLEAR or 0. Without it the call changes the
 *	address space: owner only (-EPERM, as for IOPGT_MAP); with it any
 *	opener may read
 * @out_reason: out, also on failure: enum iopgt_reason
 * @iova: start; aligned to the AS's smallest page and to @page_size
 * @length: bytes, >= 1 (-EINVAL, IOPGT_REASON_LENGTH_ZERO), aligned like
 *	@iova, iova + length must not wrap (-EOVERFLOW), inside the input
 *	range (-ERANGE), at most IOPGT_DIRTY_MAX_PAGES smallest pages
 *	(-ENOSPC, IOPGT_REASON_DIRTY_TOO_LONG)
 * @page_size: bytes one bit stands for: a power of two >= the AS's
 *	smallest page size (-EINVAL, IOPGT_REASON_DIRTY_PAGE_SIZE)
 * @bitmap_uptr: user bitmap, as iommufd's IOMMU_HWPT_GET_DIRTY_BITMAP:
 *	__u64 words, bit b of word w is the page at
 *	iova + (64 * w + b) * page_size
 * @bitmap_size: bytes at @bitmap_uptr; at least
 *	8 * ceil(length / page_size / 64) (-EINVAL,
 *	IOPGT_REASON_BITMAP_TOO_SMALL). Exactly that many bytes are written:
 *	every bit (set or cleared, beyond the range cleared); -EFAULT leaves
 *	the dirty state untouched
 * @out_dirty_pages: out: bits set
 *
 * A page is dirty when a leaf covering part of it is write-dirty (the
 * hardware's state: LPAE DBM leaf with AP[2] clear; generic_pt D bit).
 * The library is called only on mapped leaves (holes read as clean).
 * Clearing works per leaf: a leaf cut by the range is cleared whole.
 * When the address space records invalidations, the clearing is one
 * operation (it gets a sequence number) whose records are the gather
 * sync covering every cleared leaf, as iommufd does after
 * read_and_clear_dirty().
 *
 * Return: 0, -EINVAL (flags, reserved, alignment, page_size, bitmap
 * size), -EOVERFLOW, -ERANGE, -ENOSPC, -ENOENT, -EOPNOTSUPP, -EPERM,
 * -EFAULT, -ENOMEM, -ENOTRECOVERABLE (broken AS).
 */
struct iopgt_read_dirty {
	__u32 size;
	__u32 as_id;
	__u32 flags;
	__u32 out_reason;
	__u64 iova;
	__u64 length;
	__u64 page_size;
	__u64 bitmap_uptr;
	__u64 bitmap_size;
	__u64 out_dirty_pages;
};

/**
 * struct iopgt_set_dirty - IOPGT_SET_DIRTY: test only, "a device wrote here"
 * @size: sizeof(struct iopgt_set_dirty)
 * @as_id: address space, created with IOPGT_AS_DIRTY_TRACKING (else
 *	-EOPNOTSUPP, IOPGT_REASON_NO_DIRTY_TRACKING); changes it: owner only
 *	(-EPERM)
 * @flags: must be 0
 * @out_reason: out, also on failure: enum iopgt_reason
 * @iova: any address inside the input range (-ERANGE); must be mapped
 *	(-ENOENT, IOPGT_REASON_HOLE) writable (-EACCES,
 *	IOPGT_REASON_NOT_WRITABLE)
 * @out_leaf_iova: out: first IOVA of the leaf made dirty
 * @out_leaf_log2: out: log2 of its size
 * @__reserved: must be 0
 *
 * Sets the hardware dirty state of the leaf translating @iova exactly as
 * the IOMMU does on a write: LPAE clears AP[2] (AP_RDONLY) of the DBM leaf
 * with an atomic update; generic_pt calls the library's set_dirty.
 */
struct iopgt_set_dirty {
	__u32 size;
	__u32 as_id;
	__u32 flags;
	__u32 out_reason;
	__u64 iova;
	__u64 out_leaf_iova;
	__u32 out_leaf_log2;
	__u32 __reserved;
};

#define IOPGT_TYPE	0xB7

enum {
	IOPGT_CMD_BASE = 0x80,
	IOPGT_CMD_GET_INFO = IOPGT_CMD_BASE,
	IOPGT_CMD_AS_CREATE,
	IOPGT_CMD_AS_DESTROY,
	IOPGT_CMD_MAP,
	IOPGT_CMD_UNMAP,
	IOPGT_CMD_IOVA_TO_PHYS,
	IOPGT_CMD_GET_HW_CFG,
	IOPGT_CMD_WALK,
	IOPGT_CMD_AS_INFO,
	IOPGT_CMD_FLUSH_CTL,
	IOPGT_CMD_READ_DIRTY,
	IOPGT_CMD_SET_DIRTY,
};

#define IOPGT_GET_INFO		_IO(IOPGT_TYPE, IOPGT_CMD_GET_INFO)
#define IOPGT_AS_CREATE		_IO(IOPGT_TYPE, IOPGT_CMD_AS_CREATE)
#define IOPGT_AS_DESTROY	_IO(IOPGT_TYPE, IOPGT_CMD_AS_DESTROY)
#define IOPGT_MAP		_IO(IOPGT_TYPE, IOPGT_CMD_MAP)
#define IOPGT_UNMAP		_IO(IOPGT_TYPE, IOPGT_CMD_UNMAP)
#define IOPGT_IOVA_TO_PHYS	_IO(IOPGT_TYPE, IOPGT_CMD_IOVA_TO_PHYS)
#define IOPGT_GET_HW_CFG	_IO(IOPGT_TYPE, IOPGT_CMD_GET_HW_CFG)
#define IOPGT_WALK		_IO(IOPGT_TYPE, IOPGT_CMD_WALK)
#define IOPGT_AS_INFO		_IO(IOPGT_TYPE, IOPGT_CMD_AS_INFO)
#define IOPGT_FLUSH_CTL		_IO(IOPGT_TYPE, IOPGT_CMD_FLUSH_CTL)
#define IOPGT_READ_DIRTY	_IO(IOPGT_TYPE, IOPGT_CMD_READ_DIRTY)
#define IOPGT_SET_DIRTY		_IO(IOPGT_TYPE, IOPGT_CMD_SET_DIRTY)

/*
 * Generic netlink family "iopgt" (spec: uapi/iopgt.yaml), in the initial
 * network namespace only. All commands need CAP_NET_ADMIN in the initial
 * user namespace (GENL_ADMIN_PERM); all are dumps. Every message carries
 * IOPGT_A_DEV_ID (the device instance: always 0, the module drives one
 * device, /dev/iopgt; a request naming another gets -ENODEV).
 *
 * AS_GET takes an optional IOPGT_A_AS_ID filter. TREE_GET sends one message
 * per non-empty entry; a contiguous leaf (LPAE contiguous hint, v7s large
 * page/supersection, AMDv1 multi-slot page) is one message with the index
 * of its first slot, its whole span and the output address of its start.
 * Without CAP_SYS_ADMIN (opener and caller, see "Permissions" above)
 * IOPGT_A_ENTRY_TABLE_PA is 0, and an entry that is not a leaf carries
 * IOPGT_A_ENTRY_OA 0 and IOPGT_A_ENTRY_PTE with its table-address bits
 * zeroed (as struct iopgt_walk_level). FLUSH_GET (IOPGT_A_AS_ID required,
 * optional IOPGT_A_FLUSH_INDEX: first record wanted) sends one message per
 * recorded invalidation (enum iopgt_flush_kind) in record order, each with
 * the address space's IOPGT_A_FLUSH_CONTRACT; an address
 * space that does not record gets -EOPNOTSUPP; a log cleared during the
 * dump marks it NLM_F_DUMP_INTR. Request errors come back with an
 * extack message: in the NLMSG_ERROR ack on 6.12+, in NLMSG_DONE on 6.1
 * kernels.
 */
#define IOPGT_GENL_NAME		"iopgt"
#define IOPGT_GENL_VERSION	1

enum {
	IOPGT_NL_CMD_UNSPEC,
	IOPGT_NL_CMD_FORMAT_GET,	/* dump: one message per known format */
	IOPGT_NL_CMD_AS_GET,	/* dump: one message per live address space */
	IOPGT_NL_CMD_TREE_GET,	/* dump: one message per non-empty entry of one AS */
	IOPGT_NL_CMD_FLUSH_GET,	/* dump: one message per recorded invalidation of one AS */
	__IOPGT_NL_CMD_MAX,
};
#define IOPGT_NL_CMD_MAX (__IOPGT_NL_CMD_MAX - 1)

enum {
	IOPGT_A_UNSPEC,
	IOPGT_A_DEV_ID,		/* u32: device instance (0 for /dev/iopgt) */
	IOPGT_A_FORMAT,		/* u32: enum iopgt_format */
	IOPGT_A_FORMAT_NAME,	/* string */
	IOPGT_A_FORMAT_FLAGS,	/* u32: IOPGT_FMT_F_* */
	IOPGT_A_FORMAT_UNAVAIL,	/* u32: enum iopgt_unavail_reason */
	IOPGT_A_AS_ID,		/* u32 */
	IOPGT_A_AS_FLAGS,	/* u32: IOPGT_AS_INFO_* */
	IOPGT_A_AS_OWNER,	/* u32: creator pid */
	IOPGT_A_AS_MAPPED,	/* u64: mapped bytes */
	IOPGT_A_AS_TABLE_BYTES,	/* u64 */
	IOPGT_A_AS_GENERATION,	/* u64 */
	IOPGT_A_AS_IAS,		/* u32 */
	IOPGT_A_AS_OAS,		/* u32 */
	IOPGT_A_AS_PGSIZES,	/* u64 */
	IOPGT_A_AS_LEVELS,	/* u32 */
	IOPGT_A_ENTRY_LEVEL,	/* u32: level number (format's numbering) */
	IOPGT_A_ENTRY_INDEX,	/* u32: index in its table */
	IOPGT_A_ENTRY_IOVA,	/* u64: first IOVA the entry covers */
	IOPGT_A_ENTRY_SPAN_LOG2,	/* u32: log2 bytes the entry covers */
	IOPGT_A_ENTRY_PTE,	/* u64: raw descriptor */
	IOPGT_A_ENTRY_KIND,	/* u32: enum iopgt_pte_kind */
	IOPGT_A_ENTRY_OA,	/* u64: output or next-table address */
	IOPGT_A_ENTRY_TABLE_PA,	/* u64: PA of the table holding the entry */
	IOPGT_A_DUMP_IOVA_START,	/* u64: request filter, inclusive */
	IOPGT_A_DUMP_IOVA_END,	/* u64: request filter, inclusive */
	IOPGT_A_DUMP_MAX_LEVEL,	/* u32: request filter: deepest level depth (0 = top) */
	IOPGT_A_ENTRY_DEPTH,	/* u32: 0 for the top table, +1 per level down */
	IOPGT_A_PAD,
	IOPGT_A_AS_TABLES,	/* u64: tables held, the top one included */
	IOPGT_A_FLUSH_INDEX,	/* u64: record index; in a request: first index wanted */
	IOPGT_A_FLUSH_SEQ,	/* u64: MAP/UNMAP call that caused the record */
	IOPGT_A_FLUSH_KIND,	/* u32: enum iopgt_flush_kind */
	IOPGT_A_FLUSH_IOVA,	/* u64 */
	IOPGT_A_FLUSH_SIZE,	/* u64 */
	IOPGT_A_FLUSH_GRANULE,	/* u64 */
	IOPGT_A_FLUSH_FREED,	/* u32: table pages freed with a gather */
	IOPGT_A_FLUSH_CONTRACT,	/* u32: enum iopgt_flush_contract of the AS */
	__IOPGT_A_MAX,
};
#define IOPGT_A_MAX (__IOPGT_A_MAX - 1)

#endif /* _UAPI_LINUX_IOPGT_H */
