/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iopgt walker: reads the page tables an address space owns and decodes
 * their descriptors, for the WALK ioctl, netlink tree dumps and table-memory
 * accounting; plus the generic netlink family (iopgt_nl.c).
 *
 * Included by iopgt.h: depends on nothing from it but the forward
 * declarations below. Needs no conftest probe (the netlink code uses only
 * interfaces common to 6.1 .. 7.2).
 *
 * Locking: every function taking a struct iopgt_as is called with as->lock
 * held on a live address space (!as->dead), except iopgt_nl_init/exit.
 * The walker only reads tables reachable from the AS's own top table
 * (as->regs[7]), through descriptors the page-table library wrote; every
 * index is bounded by the table's entry count and every depth by the
 * format's level count.
 */
#ifndef _IOPGT_WALK_H
#define _IOPGT_WALK_H

#include <linux/types.h>

struct iopgt_as;
struct iopgt_walk;
struct iopgt_walk_fmt;

/**
 * struct iopgt_walk_geom - geometry of one address space's tree
 *
 * Written by iopgt_walk_init() under as->lock and read under it. Depth 0 is
 * the top table; depth @levels - 1 holds the smallest pages. One entry at
 * depth d covers 2^(@granule_shift + @bits_per_level * (@levels - 1 - d))
 * bytes of IOVA.
 *
 * @fmt: descriptor decoder of the format family (NULL: not walkable)
 * @top_pa: physical address of the top table (as->regs[7])
 * @top_va: its kernel virtual address
 * @va_base: bits OR-ed into IOVAs rebuilt from indices (TTBR1: the
 *	upper 64 - ias bits set; otherwise 0)
 * @levels: number of levels walked from the top (1..IOPGT_MAX_LEVELS)
 * @start_level: level number of the top table in the format's numbering
 * @level_dec: level numbers go down with depth (generic_pt) instead of up
 * @top_entries: entries in the top table (power of two)
 * @granule_shift: log2 of the smallest page
 * @bits_per_level: index bits of every table below the top
 * @desc_size: bytes per descriptor (4 for ARM v7s, 8 otherwise)
 * @ias: input address bits
 * @top_bytes: memory footprint of the top table
 * @table_bytes: memory footprint of every table below the top
 * @mtk_ext: ARM v7s with the MediaTek 34-bit PA extension
 * @ttbr1: LPAE TTBR1 quirk: the input range is the top of the 2^64 space
 */
struct iopgt_walk_geom {
	const struct iopgt_walk_fmt *fmt;
	u64 top_pa;
	void *top_va;
	u64 va_base;
	u32 levels;
	u32 start_level;
	bool level_dec;
	u32 top_entries;
	u32 granule_shift;
	u32 bits_per_level;
	u32 desc_size;
	u32 ias;
	u32 top_bytes;
	u32 table_bytes;
	bool mtk_ext;
	bool ttbr1;
};

/**
 * struct iopgt_walk_entry - one non-empty descriptor found by a tree walk
 * @iova: first IOVA the entry covers (for a contiguous leaf: of the group)
 * @pte: raw descriptor as stored
 * @table_pa: physical address of the table holding it
 * @oa: output address of a leaf (start of the whole leaf) or physical
 *	address of the next-level table
 * @span_log2: log2 of the bytes the entry covers (a contiguous leaf, e.g.
 *	an ARM v7s large page, counts as one entry of its full size)
 * @level: level number in the format's numbering
 * @depth: 0 for the top table, +1 per level down
 * @index: index of the descriptor in its table (for a contiguous leaf: of
 *	the first descriptor of the group)
 * @kind: enum iopgt_pte_kind
 */
struct iopgt_walk_entry {
	u64 iova;
	u64 pte;
	u64 table_pa;
	u64 oa;
	u32 span_log2;
	u32 level;
	u32 depth;
	u32 index;
	u32 kind;
};

/**
 * struct iopgt_walk_cursor - resumable position of a tree walk
 * @iova: IOVA of the next entry to visit
 * @depth: its depth; entries are visited in (iova, depth) order, which is
 *	IOVA order with every table before its children
 * @done: the walk reached the end of the requested range
 *
 * A zeroed cursor starts at the beginning. It holds no pointer into the
 * tables, so it stays valid when the lock is dropped and the tree changes
 * (the caller detects that through as->generation).
 */
struct iopgt_walk_cursor {
	u64 iova;
	u32 depth;
	bool done;
};

/**
 * struct iopgt_walk_filter - what a tree walk visits
 * @first: lowest IOVA of interest
 * @last: highest IOVA of interest (inclusive, >= @first)
 * @max_depth: deepest depth visited (0 = top table only)
 *
 * Entries whose IOVA range intersects [@first, @last] are visited.
 */
struct iopgt_walk_filter {
	u64 first;
	u64 last;
	u32 max_depth;
};

/**
 * typedef iopgt_walk_visit_t - tree-walk callback
 * @priv: caller's context
 * @e: the entry (valid during the call only)
 *
 * Return: 0 to go on; > 0 to stop after this entry (it was consumed); < 0
 * to stop before it (not consumed: the cursor points at it and the next
 * walk starts with it).
 */
typedef int (*iopgt_walk_visit_t)(void *priv, const struct iopgt_walk_entry *e);

int iopgt_walk_init(struct iopgt_as *as);
int iopgt_walk_iova(struct iopgt_as *as, u64 iova, struct iopgt_walk *out);
u64 iopgt_walk_hide_desc(const struct iopgt_as *as, u64 raw, u32 kind);
void iopgt_walk_hide_entry(const struct iopgt_as *as,
			   struct iopgt_walk_entry *e);
void iopgt_walk_hide_addrs(const struct iopgt_as *as, struct iopgt_walk *w);
u64 iopgt_walk_hide_reg(const struct iopgt_as *as, u32 i, u64 val);
int iopgt_walk_tree(struct iopgt_as *as, const struct iopgt_walk_filter *f,
		    struct iopgt_walk_cursor *cur, iopgt_walk_visit_t visit,
		    void *priv);
u64 iopgt_walk_count_table_bytes(struct iopgt_as *as, u64 *n_tables);
u64 iopgt_walk_count_tables(struct iopgt_as *as, u64 first, u64 last);
u64 iopgt_walk_table_bytes_bound(struct iopgt_as *as, u64 iova, u64 len);
u64 iopgt_walk_table_bytes_max(struct iopgt_as *as, u64 iova, u64 len);
u32 iopgt_walk_table_unit(u32 format, u64 pgsize_set);

int iopgt_nl_init(void);
void iopgt_nl_exit(void);

#endif /* _IOPGT_WALK_H */
