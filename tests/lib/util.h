/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw ioctl and netlink helpers for the iopgt tests. Every helper fills the
 * structs itself (size = sizeof) and returns the ioctl's return value, so
 * errno is what the kernel said. ABI tests that need to control every byte
 * call ioctl() directly.
 */
#ifndef IOPGT_TEST_UTIL_H
#define IOPGT_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/iopgt.h>
#include <linux/netlink.h>

#include "harness.h"

#define SZ_4K	0x1000ULL
#define SZ_16K	0x4000ULL
#define SZ_64K	0x10000ULL
#define SZ_1M	0x100000ULL
#define SZ_2M	0x200000ULL
#define SZ_16M	0x1000000ULL
#define SZ_32M	0x2000000ULL
#define SZ_512M	0x20000000ULL
#define SZ_1G	0x40000000ULL

#define IOPGT_DEV	"/dev/iopgt"
#define IOPGT_SYSDEV	"/sys/bus/platform/devices/iopgt.0"
#define IOPGT_DRV	"/sys/bus/platform/drivers/iopgt"
#define IOPGT_PARAM	"/sys/module/iopgt/parameters/"

#define RW	(IOPGT_PROT_READ | IOPGT_PROT_WRITE)

/* open /dev/iopgt (asserts) */
int dev_open(void);

/* GET_INFO: fills gi and, if fmts != NULL, up to IOPGT_FMT_COUNT formats */
int get_info(int fd, struct iopgt_get_info *gi, struct iopgt_format_info *fmts);
/* the format info of one format (asserts it exists) */
void format_info(int fd, __u32 format, struct iopgt_format_info *fi);
const char *format_name(__u32 format);
bool fmt_is_lpae_s1(__u32 f);
bool fmt_is_lpae_s2(__u32 f);
bool fmt_is_lpae(__u32 f);

/* AS_CREATE: returns as_id (> 0) or -1 with errno; out (may be NULL) gets the struct */
int as_create(int fd, __u32 format, __u32 flags, __u64 pgsizes, __u32 ias,
	      __u32 oas, __u64 quirks, struct iopgt_as_create *out);
/* create from a variant, asserting success */
int as_create_v(int fd, const struct h_variant *v, __u64 quirks,
		struct iopgt_as_create *out);
int as_destroy(int fd, __u32 id);
/* single-entry MAP / UNMAP; mapped/unmapped may be NULL; err gets entry.error */
int map1(int fd, __u32 id, __u64 iova, __u64 pa, __u64 len, __u32 prot,
	 __u32 pgsize_log2, __u64 *mapped);
int map1e(int fd, __u32 id, struct iopgt_map_entry *e, __u32 flags, __u32 *n_done);
int unmap1(int fd, __u32 id, __u64 iova, __u64 len, __u64 *unmapped);
int xlate(int fd, __u32 id, __u64 iova, __u64 *phys, __u32 *out_flags);
/* translated address, or ~0ULL when not mapped (asserts the ioctl works) */
__u64 xlate_or_none(int fd, __u32 id, __u64 iova);
int hw_cfg(int fd, __u32 id, struct iopgt_hw_cfg *h);
int as_info(int fd, __u32 id, struct iopgt_as_info *ai);
int walk(int fd, __u32 id, __u64 iova, __u32 flags, struct iopgt_walk *w);

/* page sizes of a bitmap, ascending; returns count */
int pgsizes_list(__u64 bitmap, __u64 *out, int max);
/*
 * A mix of at most 6 page sizes <= 1G for mapping tests: all of them when
 * there are at most 4; otherwise (AMDv1: every power of two) the smallest,
 * the 2- and 16-slot contiguous sizes, a mid size and the one above it, and
 * the largest. Ascending; returns the count.
 */
int pgsizes_mix(__u64 bitmap, __u64 *out);
/* one mapped extent: @len bytes at @iova -> @pa in pages of @pgsize */
struct ext {
	__u64 iova, pa, len, pgsize;
};
/*
 * Map a mix into AS @id: every size of pgsizes_mix() twice (within ias/oas),
 * then 37 granules in one call crossing a leaf-table boundary. Fills @ex
 * (room for 13) and returns the count.
 */
int map_mix(int fd, int id, const struct iopgt_as_create *c, struct ext *ex);
/* the first of @prefer[0..n) this kernel has available, 0 if none */
__u32 first_available(int fd, const __u32 *prefer, unsigned int n);
/* "4K+2M+1G" */
const char *pgsizes_str(__u64 bitmap, char *buf, size_t len);
static inline int ilog2_64(__u64 v) { return 63 - __builtin_clzll(v); }

/* sysfs / module params */
int sysfs_read_u64(const char *path, unsigned long long *val);
int sysfs_write(const char *path, const char *val);
int param_get(const char *name, unsigned long long *val);
int param_set(const char *name, unsigned long long val);
bool param_exists(const char *name);
/* /proc/vmstat nr_iommu_pages after a stat_refresh; -1 if absent */
long long read_nr_iommu_pages(void);
/*
 * GET_INFO's table_bytes of the page-size set whose granule (smallest size)
 * is that of @pgsize_bitmap (an AS's out_pgsize_bitmap); 0 and a failure if
 * no set has it.
 */
__u64 table_unit(const struct iopgt_format_info *fi, __u64 pgsize_bitmap);

/* leak accounting */
struct leak_snap {
	unsigned long long module_allocs, table_bytes, nr_as;
	long long nr_iommu_pages;	/* -1: kernel has no such counter */
};
int leak_snap(struct leak_snap *s);	/* opens the device itself */
/* compare; prints differences; returns true when equal */
bool leak_same(const struct leak_snap *a, const struct leak_snap *b, const char *what);

/* PRNG (xorshift64*) */
static inline __u64 rnd64(__u64 *s)
{
	__u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* ---- generic netlink ---- */
struct nl {
	int fd;
	__u16 family;
	__u32 seq;
	__u32 portid;
};

struct nl_req_attr {
	__u16 type;
	__u16 len;		/* 4 or 8 */
	__u64 val;
};

/* attributes of one message, indexed by type (NULL when absent) */
struct nl_msg {
	const struct nlmsghdr *nlh;
	const struct nlattr *tb[IOPGT_A_MAX + 1];
};

typedef int (*nl_cb)(const struct nl_msg *m, void *arg);

/* open and resolve the "iopgt" family: 0, or -errno (-ENOENT: no family) */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
/*
 * Run a dump. Returns 0 or -errno (from NLMSG_ERROR or NLMSG_DONE); *intr
 * (may be NULL) is set when a message carried NLM_F_DUMP_INTR. cb returning
 * non-zero stops delivery (the rest is drained).
 */
int nl_dump(struct nl *nl, __u8 cmd, const struct nl_req_attr *attrs, int n_attrs,
	    nl_cb cb, void *arg, bool *intr);
/* send a raw message (fuzzer); returns bytes sent or -errno */
int nl_send_raw(struct nl *nl, const void *buf, size_t len);
/* drain replies until DONE/ERROR or timeout; returns last error or 0 */
int nl_drain(struct nl *nl, int timeout_ms);
__u32 nla_u32(const struct nlattr *a);
__u64 nla_u64(const struct nlattr *a);

/* tree dump statistics: leaves per span_log2 */
struct tree_stats {
	unsigned long long leaves[64];
	unsigned long long tables, entries, messages;
	bool intr;
};
typedef int (*leaf_cb)(__u64 iova, __u64 oa, __u32 span_log2, void *arg);
int tree_dump(struct nl *nl, __u32 as_id, struct tree_stats *st, leaf_cb cb, void *arg);
/*
 * A whole-tree dump taken one recv() at a time, so that dumps of several
 * address spaces (each on its own socket) can interleave: begin sends the
 * request (0 or -errno), each step receives one buffer of replies and
 * returns 1 while more is to come, else the dump's result (0 or -errno).
 */
struct tree_walk {
	struct tree_stats *st;
	leaf_cb cb;
	void *arg;
	int err;
	bool stop;
};
int tree_dump_begin(struct nl *nl, __u32 as_id, struct tree_walk *tw,
		    struct tree_stats *st, leaf_cb cb, void *arg);
int tree_dump_step(struct nl *nl, struct tree_walk *tw);
int tree_dump_range(struct nl *nl, __u32 as_id, __u64 first, __u64 last,
		    struct tree_stats *st, leaf_cb cb, void *arg);

#endif
