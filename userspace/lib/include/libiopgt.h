/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libiopgt: C library over /dev/iopgt (ioctls) and the "iopgt" generic
 * netlink family (dumps), plus pure, host-testable decoders for page-table
 * descriptors and hardware configuration registers.
 *
 * Conventions:
 *  - every function that can fail returns 0 or a negative errno and, when
 *    @err is not NULL, fills it with the errno and a one-line message naming
 *    the operation and the values involved;
 *  - numbers in the uapi structs are the ABI's own (see <linux/iopgt.h>);
 *  - the library's names are its own, not the module's (struct
 *    iopgt_handle, iopgt_create_as, iopgt_netlink_*; the module has
 *    iopgt_as_create, iopgt_nl_*): tests/test_libabi.sh keeps them apart.
 *
 * The API: errors, the device (one wrapper per ioctl), generic netlink,
 * names, decoders. libiopgt.so exports exactly the functions declared here,
 * versioned LIBIOPGT_1.
 */
#ifndef LIBIOPGT_H
#define LIBIOPGT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/iopgt.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOPGT_DEFAULT_PATH	"/dev/iopgt"

/* ------------------------------------------------------------------ errors */

/**
 * struct iopgt_err - error report
 * @code: negative errno (0: no error)
 * @dump_intr: a netlink dump saw NLM_F_DUMP_INTR (code is -EINTR); retry
 * @from_kernel: the message in @msg came from the kernel's extended ack
 * @msg: one line, no trailing newline
 */
struct iopgt_err {
	int code;
	int dump_intr;
	int from_kernel;
	char msg[256];
};

int iopgt_err_set(struct iopgt_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "EEXIST" for EEXIST or -EEXIST; "E?" when unknown */
const char *iopgt_errno_name(int e);

/* ------------------------------------------------------------------ device */

struct iopgt_handle {
	int fd;
};

int iopgt_open_device(struct iopgt_handle *dev, const char *path, struct iopgt_err *err);
void iopgt_close_device(struct iopgt_handle *dev);

/*
 * GET_INFO. @fmts may be NULL (then *@n_fmts is ignored on input); on
 * return *@n_fmts (if @n_fmts) is the number of formats the module knows.
 */
int iopgt_query_info(struct iopgt_handle *dev, struct iopgt_get_info *info,
		     struct iopgt_format_info *fmts, unsigned int *n_fmts,
		     struct iopgt_err *err);
/* Convenience: allocates the format array (free() it). */
int iopgt_query_info_all(struct iopgt_handle *dev, struct iopgt_get_info *info,
			 struct iopgt_format_info **fmts, unsigned int *n_fmts,
			 struct iopgt_err *err);

/* @req: in: flags/format/levels/quirks/pgsize_bitmap/ias/oas; out fields filled */
int iopgt_create_as(struct iopgt_handle *dev, struct iopgt_as_create *req,
		    struct iopgt_err *err);
int iopgt_destroy_as(struct iopgt_handle *dev, uint32_t as_id,
		     struct iopgt_err *err);
/* @n_done may be NULL. Entries' mapped/error fields are written back. */
int iopgt_map_entries(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		      struct iopgt_map_entry *ents, uint32_t n, uint32_t *n_done,
		      struct iopgt_err *err);
int iopgt_map_one(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		  uint64_t paddr, uint64_t len, uint32_t prot, uint32_t pgsize_log2,
		  uint64_t *mapped, struct iopgt_err *err);
int iopgt_unmap_entries(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_unmap_entry *ents, uint32_t n, uint32_t *n_done,
			struct iopgt_err *err);
int iopgt_unmap_one(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		    uint64_t len, uint64_t *unmapped, struct iopgt_err *err);
/* *@mapped (may be NULL) is 1 when @iova is mapped. */
int iopgt_translate(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		    uint64_t *phys, int *mapped, struct iopgt_err *err);
/*
 * Vector form: translates ents[0..n) in one call, 1 <= n <= the device's
 * max_map_entries (more: -ENOSPC). Each entry's phys, out_flags and error
 * (0 or -ERANGE) are written back; the call itself fails only as a whole.
 */
int iopgt_translate_vec(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_xlate_entry *ents, uint32_t n,
			struct iopgt_err *err);
int iopgt_query_hw_cfg(struct iopgt_handle *dev, uint32_t as_id,
		       struct iopgt_hw_cfg *cfg, struct iopgt_err *err);
int iopgt_query_walk(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		     uint32_t flags, struct iopgt_walk *out, struct iopgt_err *err);
int iopgt_query_as_info(struct iopgt_handle *dev, uint32_t as_id,
			struct iopgt_as_info *out, struct iopgt_err *err);
/*
 * Dirty tracking (AS created with IOPGT_AS_DIRTY_TRACKING).
 * iopgt_dirty_bitmap_get(): IOPGT_READ_DIRTY; @req: in: as_id, flags
 * (IOPGT_DIRTY_NO_CLEAR), iova, length, page_size, bitmap_uptr,
 * bitmap_size (size is set here); out: out_reason, out_dirty_pages
 * (written back on failure too). iopgt_dirty_bitmap_bytes(): the bitmap
 * bytes a range needs (0 when page_size is 0 or the count overflows).
 * iopgt_device_write(): IOPGT_SET_DIRTY (test only: what a device write
 * does to the leaf at @iova); @out may be NULL.
 */
int iopgt_dirty_bitmap_get(struct iopgt_handle *dev, struct iopgt_read_dirty *req,
			   struct iopgt_err *err);
uint64_t iopgt_dirty_bitmap_bytes(uint64_t length, uint64_t page_size);
int iopgt_device_write(struct iopgt_handle *dev, uint32_t as_id, uint64_t iova,
		       struct iopgt_set_dirty *out, struct iopgt_err *err);

/* ------------------------------------------------------------------ netlink */

struct iopgt_netlink;

int iopgt_netlink_open(struct iopgt_netlink **nl, struct iopgt_err *err);
void iopgt_netlink_close(struct iopgt_netlink *nl);
/* Resolved generic netlink family id (after iopgt_netlink_open). */
uint16_t iopgt_netlink_family(const struct iopgt_netlink *nl);

/* Bits of the "has" masks below: attribute IOPGT_A_x present => 1ULL << x */
#define IOPGT_HAS(a)	(1ULL << (a))

struct iopgt_netlink_format {
	uint64_t has;
	uint32_t dev_id;
	uint32_t format;
	uint32_t flags;
	uint32_t unavail;
	char name[IOPGT_NAME_LEN];
};

struct iopgt_netlink_as {
	uint64_t has;
	uint32_t dev_id;
	uint32_t as_id;
	uint32_t format;
	uint32_t flags;
	uint32_t owner;
	uint32_t ias;
	uint32_t oas;
	uint32_t levels;
	uint64_t mapped;
	uint64_t table_bytes;
	uint64_t generation;
	uint64_t pgsizes;
	uint64_t tables;	/* 0 from a module without IOPGT_A_AS_TABLES */
};

struct iopgt_tree_entry {
	uint64_t has;
	uint32_t level;
	uint32_t index;
	uint32_t depth;
	uint32_t kind;
	uint32_t span_log2;
	uint64_t iova;
	uint64_t pte;
	uint64_t oa;
	uint64_t table_pa;
};

struct iopgt_tree_filter {
	int has_range;
	uint64_t iova_start;	/* inclusive */
	uint64_t iova_end;	/* inclusive */
	int max_depth;		/* < 0: no filter */
};

/*
 * Per-message callbacks: return 0 to continue, non-zero to stop (the dump is
 * drained and the value is returned). After NLM_F_DUMP_INTR has been seen
 * the callback is no longer called for that dump; the function returns
 * -EINTR with err->dump_intr = 1.
 */
typedef int (*iopgt_format_cb)(const struct iopgt_netlink_format *f, void *arg);
typedef int (*iopgt_as_cb)(const struct iopgt_netlink_as *a, void *arg);
typedef int (*iopgt_entry_cb)(const struct iopgt_tree_entry *e, void *arg);

int iopgt_netlink_dump_formats(struct iopgt_netlink *nl, uint32_t dev_id,
			       iopgt_format_cb cb, void *arg, struct iopgt_err *err);
int iopgt_netlink_dump_as(struct iopgt_netlink *nl, uint32_t dev_id, iopgt_as_cb cb,
			  void *arg, struct iopgt_err *err);
int iopgt_netlink_dump_tree(struct iopgt_netlink *nl, uint32_t dev_id, uint32_t as_id,
			    const struct iopgt_tree_filter *filter, iopgt_entry_cb cb,
			    void *arg, struct iopgt_err *err);
/*
 * Retries iopgt_netlink_dump_tree up to @max_tries times while it reports
 * NLM_F_DUMP_INTR; @restart (may be NULL) is called before every retry so
 * the caller can discard what the interrupted attempt delivered.
 * *@tries (may be NULL) receives the number of attempts made.
 */
int iopgt_netlink_dump_tree_retry(struct iopgt_netlink *nl, uint32_t dev_id,
				  uint32_t as_id,
				  const struct iopgt_tree_filter *filter,
				  iopgt_entry_cb cb, void *arg,
				  int (*restart)(void *arg), unsigned int max_tries,
				  unsigned int *tries, struct iopgt_err *err);

/* ------------------------------------------------------------------ names */

const char *iopgt_format_name(uint32_t format);	/* "ARM_64_LPAE_S1" or NULL */
int iopgt_format_from_name(const char *name);	/* case-insensitive; -1 */
const char *iopgt_kind_name(uint32_t kind);	/* "invalid", "table", ... */
const char *iopgt_unavail_str(uint32_t reason);
/* enum iopgt_dirty_unavail as a phrase */
const char *iopgt_dirty_unavail_str(uint32_t why);
/* enum iopgt_reason as a phrase: "overlaps an existing mapping" */
const char *iopgt_reason_str(uint32_t reason);
/*
 * What a refused AS_CREATE broke, in words with the values involved
 * ("ias 48 > oas 40: this format needs ias <= oas (EINVAL)"), from the
 * kernel's req->out_reason; @gi/@fi (GET_INFO and the format's info; may
 * be NULL) supply the limits. @code: the negative errno. Returns @buf, or
 * NULL when neither the reason nor the errno can be named.
 */
const char *iopgt_create_err_str(const struct iopgt_as_create *req, int code,
				 const struct iopgt_get_info *gi,
				 const struct iopgt_format_info *fi, char *buf,
				 size_t len);
/*
 * The same for a MAP/UNMAP entry's reason (paddr/prot/pgsize_log2 0 for
 * UNMAP); @hw (the AS's GET_HW_CFG) and @gi may be NULL. NULL for
 * IOPGT_REASON_NONE.
 */
const char *iopgt_entry_err_str(uint32_t reason, uint64_t iova, uint64_t paddr,
				uint64_t length, uint32_t prot, uint32_t pgsize_log2,
				const struct iopgt_hw_cfg *hw,
				const struct iopgt_get_info *gi, char *buf,
				size_t len);
/* "32,36,40" for the bits of @set */
char *iopgt_bits_str(uint64_t set, char *buf, size_t len);
const char *iopgt_quirk_name(unsigned int bit);	/* "ns", "ttbr1" ... or NULL */

/* "4K", "2M", "12K"; sums of units when one unit needs 4+ digits: "8T+4K" */
char *iopgt_size_str(uint64_t bytes, char *buf, size_t len);
/* "rw nx cache" style prot string */
char *iopgt_prot_str(uint32_t prot, char *buf, size_t len);
char *iopgt_pgsizes_str(uint64_t bitmap, char *buf, size_t len);
char *iopgt_quirks_str(uint64_t quirks, char *buf, size_t len);

/* ------------------------------------------------------------------ decoders */

#define IOPGT_MAX_FIELDS	20

/**
 * struct iopgt_field - one decoded field
 * @name: static field name ("AP", "AF", "XN", ...)
 * @value: textual value; empty for a boolean flag that is set (flags that
 *	are clear are not listed)
 */
struct iopgt_field {
	const char *name;
	char value[48];
};

/**
 * struct iopgt_fmt_ctx - what a decoder needs to know about the table
 * @format: enum iopgt_format
 * @levels: number of levels walked from the top table (0: unknown)
 * @start_level: level number of the top table (format's own numbering)
 * @granule_log2: smallest page size (12 for 4K; 0: 12)
 * @quirks: IOPGT_QUIRK_* in effect
 * @have_regs: @regs holds GET_HW_CFG's regs[] (used for MAIR/MEMATTR/NMRR/PRRR)
 * @regs: register values as in struct iopgt_hw_cfg
 */
struct iopgt_fmt_ctx {
	uint32_t format;
	uint32_t levels;
	uint32_t start_level;
	uint32_t granule_log2;
	uint64_t quirks;
	int have_regs;
	uint64_t regs[IOPGT_HW_NREGS];
};

/**
 * struct iopgt_pte_info - a decoded descriptor
 * @kind: enum iopgt_pte_kind as the decoder classifies the descriptor
 * @oa: output address (leaf) or next-table address (table)
 * @size_log2: for leaves: log2 of the bytes the *mapping* covers when the
 *	descriptor itself encodes a size (AMDv1 NL=7, v7s supersection / large
 *	page: the contiguous group), else 0 (use the level's span)
 * @prot: IOPGT_PROT_* the descriptor grants (leaves; best effort inverse of
 *	the kernel's prot-to-pte)
 * @nfields: valid entries in @f
 * @f: decoded fields, in a stable order per format
 */
struct iopgt_pte_info {
	uint32_t kind;
	uint64_t oa;
	uint32_t size_log2;
	uint32_t prot;
	unsigned int nfields;
	struct iopgt_field f[IOPGT_MAX_FIELDS];
};

/* Fills @ctx from a GET_HW_CFG result. */
void iopgt_fmt_ctx_from_hw(struct iopgt_fmt_ctx *ctx, const struct iopgt_hw_cfg *hw);

/*
 * Decodes @pte found at @level (format's own numbering). Returns 0, or
 * -EOPNOTSUPP for a format without a decoder (kind/oa still best effort).
 */
int iopgt_decode_pte(const struct iopgt_fmt_ctx *ctx, uint64_t pte,
		     uint32_t level, struct iopgt_pte_info *out);

/* "AP=rw-any AF SH=IS ..." (fields joined by spaces). Returns @buf. */
char *iopgt_fields_str(const struct iopgt_field *f, unsigned int n, char *buf,
		       size_t len);
/* {"AP":"rw-any","AF":true,...} */
void iopgt_fields_json(const struct iopgt_field *f, unsigned int n, FILE *out);

/* One 8-bit MAIR attribute, e.g. "Normal WB-RWA", "Device-nGnRE". */
char *iopgt_mair_attr_str(uint8_t attr, char *buf, size_t len);

#define IOPGT_MAX_REGS	8

struct iopgt_reg {
	const char *name;
	uint64_t value;
	unsigned int nfields;
	struct iopgt_field f[IOPGT_MAX_FIELDS];
};

/*
 * Decodes GET_HW_CFG: one struct iopgt_reg per meaningful register of the
 * format (TTBR/TCR/MAIR, VTTBR/VTCR, TRANSTAB/MEMATTR, v7s TTBR/TCR/NMRR/
 * PRRR, DART TTBRs, generic_pt roots/levels). Returns the count.
 */
unsigned int iopgt_decode_regs(const struct iopgt_hw_cfg *hw,
			       struct iopgt_reg *regs, unsigned int max);

/* ---------------------------------------------------------- invalidations */

/*
 * The invalidations a page-table library asked for (issue 14)
 * and an IOTLB oracle that checks them.
 *
 * An address space created with IOPGT_AS_RECORD_FLUSHES records every
 * invalidation (enum iopgt_flush_kind); iopgt_netlink_dump_flushes() reads the
 * records, iopgt_control_flushes() clears them. The oracle (iopgt_tlb_*) is a
 * worst-case IOTLB: it caches every leaf translation and every table
 * pointer that was ever reachable (never a non-present entry) and drops
 * what each recorded invalidation covers:
 *  - add_page(iova, granule): leaves overlapping [iova, iova + granule);
 *  - flush_walk(iova, size): the walk cache (table pointers) of the range,
 *    and the leaves in it: every in-tree driver implements it with a
 *    non-leaf invalidation by address (arm-smmu-v3 leaf=false, arm-smmu
 *    TLBIVA), which drops both;
 *  - a gather sync: io-pgtable: the leaves of its range (the gather only
 *    collects add_page pages, synced with a leaf invalidation);
 *    generic_pt: leaves and table pointers of its range (PT_FEAT_FLUSH_RANGE:
 *    "clean out any walk cache or any IOPTE fully contained by the range");
 *  - iotlb_sync_map: its range; flush_all: everything; top change: the
 *    cached root (iopgt_tlb_check_top()).
 * After an operation the entries of the range it touched are compared with
 * the real tables (a filtered tree dump): a cached entry that no longer
 * matches and that no record covered is a stale entry.
 *
 * generic_pt invalidation contracts (iopgt_tlb_set_contract()): a gather
 * sync whose range includes IOVA that no entry changed by the operation
 * covers (a gap) is an over-invalidation under FLUSH_RANGE (counted in
 * gaps/gap_bytes) and a violation under NO_GAPS (counted in
 * nogaps_violations and reported).
 */
/* One record of IOPGT_NL_CMD_FLUSH_GET */
struct iopgt_flush_entry {
	uint64_t has;		/* IOPGT_HAS(IOPGT_A_x) per attribute seen */
	uint32_t as_id;
	uint32_t kind;		/* enum iopgt_flush_kind */
	uint64_t index;
	uint64_t seq;
	uint64_t iova;
	uint64_t size;
	uint64_t granule;
	uint32_t freed;
	uint32_t contract;	/* enum iopgt_flush_contract of the AS */
};

typedef int (*iopgt_flush_cb)(const struct iopgt_flush_entry *r, void *arg);

/* IOPGT_FLUSH_CTL; @flags: IOPGT_FLUSH_CTL_CLEAR or 0 */
int iopgt_control_flushes(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		    struct iopgt_flush_ctl *out, struct iopgt_err *err);
/* FLUSH_GET dump from record @first_index on (callback as for the tree) */
int iopgt_netlink_dump_flushes(struct iopgt_netlink *nl, uint32_t dev_id,
			  uint32_t as_id, uint64_t first_index,
			  iopgt_flush_cb cb, void *arg, struct iopgt_err *err);
/* IOPGT_UNMAP with flags (IOPGT_UNMAP_CORE: split like iommu_unmap()) */
int iopgt_unmap_entries_flags(struct iopgt_handle *dev, uint32_t as_id, uint32_t flags,
		      struct iopgt_unmap_entry *ents, uint32_t n,
		      uint32_t *n_done, struct iopgt_err *err);
/* "flush_all", "flush_walk", "add_page", "sync", "sync_map", "top"; NULL */
const char *iopgt_flush_kind_name(uint32_t kind);

/* ------------------------------------------------------------------ oracle */

struct iopgt_tlb;

/* @generic_pt: the records follow generic_pt's gather contract */
struct iopgt_tlb *iopgt_tlb_new(int generic_pt);
void iopgt_tlb_free(struct iopgt_tlb *t);

/* A stale entry: cached, changed, and covered by no record */
struct iopgt_tlb_stale {
	uint64_t first, last;	/* range of the operation */
	uint64_t iova;		/* the entry */
	uint32_t span_log2;
	uint32_t level;
	uint32_t kind;		/* enum iopgt_pte_kind */
	uint64_t pte;
	const char *missing;	/* the invalidation that should have covered it */
};

struct iopgt_tlb_counts {
	uint64_t checked;	/* cached entries compared */
	uint64_t changed;	/* of those, changed (covered or stale) */
	uint64_t stale;
	uint64_t records;	/* records applied */
	uint64_t over;		/* records that covered no changed entry */
	uint64_t gaps;		/* generic_pt syncs spanning IOVA nothing changed */
	uint64_t gap_bytes;	/* bytes of those gaps */
	uint64_t nogaps_violations;	/* such syncs under the NO_GAPS contract */
	uint64_t top_changes;	/* top-table changes seen (iopgt_tlb_check_top) */
};

/* A sync that spans a gap */
struct iopgt_tlb_gap {
	uint64_t first, last;	/* range of the operation */
	uint64_t sync_iova, sync_size;	/* the sync record */
	uint64_t gap_first, gap_last;	/* the first gap in it (inclusive) */
	uint64_t gap_bytes;	/* all gaps in it */
	uint32_t contract;	/* enum iopgt_flush_contract */
	int violation;		/* the contract forbids it (NO_GAPS) */
};

typedef void (*iopgt_tlb_gap_report)(const struct iopgt_tlb_gap *g, void *arg);

typedef void (*iopgt_tlb_report)(const struct iopgt_tlb_stale *s, void *arg);

/*
 * One operation touched [@first, @last]: @now are the entries of that range
 * after it (a TREE_GET dump filtered on it), @recs the records it caused.
 * Adds to @c; calls @report (may be NULL) per stale entry. Returns 0, or
 * -ENOMEM.
 */
int iopgt_tlb_check(struct iopgt_tlb *t, uint64_t first, uint64_t last,
		    const struct iopgt_tree_entry *now, size_t n_now,
		    const struct iopgt_flush_entry *recs, size_t n_recs,
		    struct iopgt_tlb_counts *c, iopgt_tlb_report report,
		    void *arg);

/*
 * The hardware itself changed these entries (a device write set a leaf's
 * dirty state, IOPGT_SET_DIRTY): the cached copies of the same entries
 * take the new descriptors, as an IOMMU's own update does; no invalidation
 * is needed or checked. Returns 0 or -EINVAL.
 */
int iopgt_tlb_hw_update(struct iopgt_tlb *t, const struct iopgt_tree_entry *now,
			size_t n_now);

/*
 * generic_pt: the address space's invalidation contract (enum
 * iopgt_flush_contract); @report (may be NULL) is called per sync that
 * spans a gap, with @arg. Before iopgt_tlb_check().
 */
void iopgt_tlb_set_contract(struct iopgt_tlb *t, uint32_t contract,
			    iopgt_tlb_gap_report report, void *arg);

/*
 * generic_pt: the top table after an operation (GET_HW_CFG regs[7] and
 * levels) with @recs, the records the operation caused. The first call
 * caches the root. A change needs a top record (change_top: the driver
 * points the hardware at the new top) naming the new top level, else the
 * cached root is stale; table pointers cached under the old top stay valid
 * only if the old top is reachable from the new one: @path, the entries at
 * IOVA 0 from the new top down (a TREE_GET of [0, 0]), must hold a table
 * entry one level above the old top that points to it (when addresses
 * are hidden, its presence is taken); otherwise every cached entry must be
 * covered by a record. Returns 0, -EINVAL or -ENOMEM.
 */
int iopgt_tlb_check_top(struct iopgt_tlb *t, uint64_t top_pa, uint32_t levels,
			const struct iopgt_tree_entry *path, size_t n_path,
			const struct iopgt_flush_entry *recs, size_t n_recs,
			struct iopgt_tlb_counts *c, iopgt_tlb_report report,
			void *arg);

/* The random workload of `iopgt tlbcheck` */
struct iopgt_tlbcheck_opts {
	uint32_t format;
	uint64_t seed;
	uint32_t ops;
	int verbose;		/* print every operation and its records */
	FILE *out;		/* stale entries and verbose output (NULL: none) */
	uint32_t flush_contract;	/* enum iopgt_flush_contract (generic_pt) */
	int grow_top;		/* where the top can grow (generic_pt PT_AMDV1):
				 * start at the fewest levels and the largest
				 * ias, and grow it level by level; elsewhere
				 * the default geometry */
};

struct iopgt_tlbcheck_result {
	uint32_t as_id;
	uint64_t ops, maps, unmaps, core_unmaps, blocks_over_tables, refused;
	uint64_t tables_freed;	/* walk flushes + pages freed with gathers */
	uint64_t block_size;	/* the table-sized block of the workload */
	struct iopgt_tlb_counts c;
	uint64_t multi_unmaps;	/* UNMAP calls of several disjoint ranges */
	uint32_t levels_start;	/* GET_HW_CFG levels after create */
	uint32_t levels_end;	/* and at the end */
};

int iopgt_tlbcheck_run(struct iopgt_handle *dev, struct iopgt_netlink *nl,
		       const struct iopgt_tlbcheck_opts *o,
		       struct iopgt_tlbcheck_result *r, struct iopgt_err *err);

#ifdef __cplusplus
}
#endif
#endif /* LIBIOPGT_H */
