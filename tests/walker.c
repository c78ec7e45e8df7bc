// SPDX-License-Identifier: GPL-2.0
/*
 * The walker per format and per quirk that changes what it reads: the
 * default configuration, LPAE TTBR1 (IOVAs at the top of the 64-bit space)
 * and ARM v7s with the MediaTek PA extension (PA bits 32-34 in descriptor
 * bits 9/4/5; with MTK_TTBR_EXT the whole TTBR is an address). In each, a
 * mix of page sizes and a run crossing a leaf-table boundary are mapped and
 * - the tree dump (several netlink calls, so resumed from its cursor) lists
 *   every entry once in (iova, depth) order, its leaves exactly what was
 *   mapped (output addresses included);
 * - WALK of every dumped entry's IOVA reports that entry at its depth, field
 *   for field, and the tables above it;
 * - AS_GET's table count is the dump's TABLE entries + 1 and AS_INFO's
 *   table bytes AS_GET's, mapped and after unmapping everything;
 * - a caller without CAP_SYS_ADMIN (its own descriptor and socket) sees the
 *   same dump and walks without a table address: table_pa 0, a TABLE
 *   entry's oa 0 and its descriptor without the format's next-table
 *   address bits (the architecture's, listed here), GET_HW_CFG regs[0]
 *   without its address field and regs[7] 0;
 * - with max_as_table_bytes at what the AS holds, a map next to an existing
 *   leaf (no new table) succeeds and a map where tables are missing fails
 *   with ENOSPC (the walker's bound of missing tables, read near a cap).
 * Variants a kernel does not offer (quirk not in GET_INFO) skip.
 */
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "util.h"

#define BIT64(n)	(1ULL << (n))
#define GENMASK64(h, l)	((~0ULL >> (63 - (h))) & ~((1ULL << (l)) - 1))
#define MTK		(IOPGT_QUIRK_ARM_MTK_EXT | IOPGT_QUIRK_ARM_MTK_TTBR_EXT)

/* descriptor bits naming the next table (architecture specs) */
static __u64 tbl_mask(__u32 fmt, __u64 quirks)
{
	switch (fmt) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
	case IOPGT_FMT_ARM_MALI_LPAE:
		return GENMASK64(47, 12);
	case IOPGT_FMT_ARM_V7S:
		return GENMASK64(31, 10) |
		       (quirks & MTK ? BIT64(9) | BIT64(5) | BIT64(4) : 0);
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
		return GENMASK64(51, 12);
	}
	return ~0ULL;
}

/* GET_HW_CFG regs[0] bits holding the top table's address */
static __u64 reg0_mask(__u32 fmt, __u64 quirks)
{
	switch (fmt) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
		return GENMASK64(51, 1);
	case IOPGT_FMT_ARM_MALI_LPAE:
		return GENMASK64(51, 12);
	case IOPGT_FMT_ARM_V7S:
		return quirks & MTK ? ~0ULL : GENMASK64(63, 7);
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
		return GENMASK64(63, 12);
	}
	return ~0ULL;
}

/* ------------------------------------------------------------------ */

struct entry {
	__u64 iova, pte, oa, table_pa;
	__u32 level, depth, index, span, kind;
};

struct dump {
	struct entry *e;
	size_t n, cap;
	unsigned long long tables, bad;
};

static int dump_cb(const struct nl_msg *m, void *arg)
{
	static const int need[] = {
		IOPGT_A_ENTRY_IOVA, IOPGT_A_ENTRY_PTE, IOPGT_A_ENTRY_OA,
		IOPGT_A_ENTRY_TABLE_PA, IOPGT_A_ENTRY_LEVEL, IOPGT_A_ENTRY_DEPTH,
		IOPGT_A_ENTRY_INDEX, IOPGT_A_ENTRY_SPAN_LOG2, IOPGT_A_ENTRY_KIND,
	};
	struct dump *d = arg;
	struct entry *e;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!m->tb[need[i]]) {
			d->bad++;
			return 0;
		}
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->e = realloc(d->e, d->cap * sizeof(*d->e));
		if (!d->e)
			abort();
	}
	e = &d->e[d->n++];
	e->iova = nla_u64(m->tb[IOPGT_A_ENTRY_IOVA]);
	e->pte = nla_u64(m->tb[IOPGT_A_ENTRY_PTE]);
	e->oa = nla_u64(m->tb[IOPGT_A_ENTRY_OA]);
	e->table_pa = nla_u64(m->tb[IOPGT_A_ENTRY_TABLE_PA]);
	e->level = nla_u32(m->tb[IOPGT_A_ENTRY_LEVEL]);
	e->depth = nla_u32(m->tb[IOPGT_A_ENTRY_DEPTH]);
	e->index = nla_u32(m->tb[IOPGT_A_ENTRY_INDEX]);
	e->span = nla_u32(m->tb[IOPGT_A_ENTRY_SPAN_LOG2]);
	e->kind = nla_u32(m->tb[IOPGT_A_ENTRY_KIND]);
	d->tables += e->kind == IOPGT_PTE_TABLE;
	return 0;
}

static void dump_take(struct nl *nl, int id, struct dump *d)
{
	struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, id } };
	bool intr = false;

	memset(d, 0, sizeof(*d));
	ASSERT_EQ(nl_dump(nl, IOPGT_NL_CMD_TREE_GET, a, 2, dump_cb, d, &intr), 0);
	EXPECT_TRUE(!intr);
	EXPECT_EQ(d->bad, 0);
}

static bool is_leaf(__u32 kind)
{
	return kind == IOPGT_PTE_BLOCK || kind == IOPGT_PTE_PAGE;
}

/* AS_GET's table count and bytes of @id */
struct as_count {
	__u32 id;
	int found;
	__u64 tables, bytes;
};

static int as_count_cb(const struct nl_msg *m, void *arg)
{
	struct as_count *c = arg;

	if (m->tb[IOPGT_A_AS_ID] && nla_u32(m->tb[IOPGT_A_AS_ID]) == c->id &&
	    m->tb[IOPGT_A_AS_TABLES] && m->tb[IOPGT_A_AS_TABLE_BYTES]) {
		c->found++;
		c->tables = nla_u64(m->tb[IOPGT_A_AS_TABLES]);
		c->bytes = nla_u64(m->tb[IOPGT_A_AS_TABLE_BYTES]);
	}
	return 0;
}

static void check_counts(struct nl *nl, int fd, int id, const struct dump *d,
			 const char *when)
{
	struct nl_req_attr a[1] = { { IOPGT_A_DEV_ID, 4, 0 } };
	struct as_count c = { .id = id };
	struct iopgt_as_info ai;

	ASSERT_EQ(nl_dump(nl, IOPGT_NL_CMD_AS_GET, a, 1, as_count_cb, &c, NULL), 0);
	ASSERT_EQ(c.found, 1);
	ASSERT_OK(as_info(fd, id, &ai));
	if (c.tables != d->tables + 1)
		H_FAIL("%s: AS_GET counts %llu tables, the dump has %llu TABLE entries + the top",
		       when, (unsigned long long)c.tables, d->tables);
	EXPECT_EQ(c.bytes, ai.table_bytes);
}

/* ------------------------------------------------------------------ */

struct plan {
	struct ext ex[16];
	int n;
	__u64 base, gran, total;
	__u64 span;	/* IOVA one leaf table covers */
	__u64 end;	/* offset above base of the end of the run */
	__u64 room;	/* bytes of IOVA above base */
};

/* PA of an offset: MediaTek variants put bits 32-34 to use */
static __u64 pa_for(__u64 quirks, __u64 off, int k)
{
	static const __u64 hi[] = { BIT64(32), BIT64(33), BIT64(34), 0 };

	return (quirks & IOPGT_QUIRK_ARM_MTK_EXT) ? off + hi[k % 4] : off;
}

static void map_plan(int fd, int id, const struct iopgt_as_create *c, __u32 fmt,
		     __u64 quirks, struct plan *p)
{
	__u64 sizes[6], off = 0, span, room;
	int n = pgsizes_mix(c->out_pgsize_bitmap, sizes), k = 0;

	memset(p, 0, sizeof(*p));
	room = p->room = c->out_ias >= 64 ? ~0ULL : 1ULL << c->out_ias;
	p->gran = sizes[0];
	p->base = (quirks & IOPGT_QUIRK_ARM_TTBR1) && c->out_ias < 64 ?
		  ~0ULL << c->out_ias : 0;
	/* first: 600 granules from 3 before the end of a leaf table's span */
	span = p->span = p->gran << (fmt == IOPGT_FMT_ARM_V7S ? 8 : ilog2_64(p->gran) - 3);
	off = span - 3 * p->gran;
	ASSERT_LE(off + 600 * p->gran, room);
	p->ex[p->n++] = (struct ext){ p->base + off, pa_for(quirks, off, k++),
				      600 * p->gran, p->gran };
	off += 600 * p->gran;
	/* two leaf tables' spans free (check_bound()) */
	p->end = off;
	off = ((off + span - 1) & ~(span - 1)) + 2 * span;
	/* then every size of the mix twice, as far as ias and 4G allow */
	for (int i = 0; i < n; i++) {
		__u64 s = sizes[i];

		off = (off + s - 1) & ~(s - 1);
		if (off + 2 * s > room || off + 2 * s > 1ULL << 32)
			break;
		p->ex[p->n] = (struct ext){ p->base + off, pa_for(quirks, off, k++), 2 * s, s };
		p->n++;
		off += 3 * s;
	}
	for (int i = 0; i < p->n; i++) {
		const struct ext *e = &p->ex[i];

		if (c->out_oas < 64 && e->pa + e->len > 1ULL << c->out_oas)
			SKIP("pa 0x%llx + 0x%llx beyond oas %u", (unsigned long long)e->pa,
			     (unsigned long long)e->len, c->out_oas);
		ASSERT_OK(map1(fd, id, e->iova, e->pa, e->len, RW, ilog2_64(e->pgsize), NULL));
		p->total += e->len;
	}
	ASSERT_GE(p->n, 2);
}

static const struct ext *ext_of(const struct plan *p, __u64 iova)
{
	for (int i = 0; i < p->n; i++)
		if (iova >= p->ex[i].iova && iova - p->ex[i].iova < p->ex[i].len)
			return &p->ex[i];
	return NULL;
}

/* the dump against the mappings and its own order */
static void check_dump(const struct plan *p, const struct dump *d)
{
	__u64 bytes = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct entry *e = &d->e[i];
		const struct ext *x;

		if (i && (e->iova < d->e[i - 1].iova ||
			  (e->iova == d->e[i - 1].iova && e->depth <= d->e[i - 1].depth)))
			H_FAIL("entry %zu (iova 0x%llx depth %u) after (iova 0x%llx depth %u): not in (iova, depth) order",
			       i, (unsigned long long)e->iova, e->depth,
			       (unsigned long long)d->e[i - 1].iova, d->e[i - 1].depth);
		if (e->kind == IOPGT_PTE_TABLE)
			continue;
		if (!is_leaf(e->kind)) {
			H_FAIL("entry %zu (iova 0x%llx depth %u): kind %u", i,
			       (unsigned long long)e->iova, e->depth, e->kind);
			continue;
		}
		x = ext_of(p, e->iova);
		if (!x) {
			H_FAIL("leaf iova 0x%llx was never mapped", (unsigned long long)e->iova);
			continue;
		}
		if (e->oa != x->pa + (e->iova - x->iova) || e->span != (__u32)ilog2_64(x->pgsize))
			H_FAIL("leaf iova 0x%llx: oa 0x%llx span %u, mapped to 0x%llx in 2^%d pages",
			       (unsigned long long)e->iova, (unsigned long long)e->oa, e->span,
			       (unsigned long long)(x->pa + (e->iova - x->iova)),
			       ilog2_64(x->pgsize));
		bytes += 1ULL << e->span;
	}
	EXPECT_EQ(bytes, p->total);
}

/* WALK of every dumped entry's IOVA shows it at its depth */
static void check_walks(int fd, int id, const struct dump *d)
{
	int f0 = h_failed();

	for (size_t i = 0; i < d->n; i++) {
		const struct entry *e = &d->e[i];
		const struct iopgt_walk_level *l;
		struct iopgt_walk w;

		ASSERT_OK(walk(fd, id, e->iova, 0, &w));
		if (w.n_levels <= e->depth || w.n_levels > IOPGT_MAX_LEVELS) {
			H_FAIL("walk 0x%llx: %u levels, the dump has an entry at depth %u",
			       (unsigned long long)e->iova, w.n_levels, e->depth);
			return;
		}
		l = &w.levels[e->depth];
		if (l->pte != e->pte || l->oa != e->oa || l->table_pa != e->table_pa ||
		    l->level != e->level || l->index != e->index ||
		    l->span_log2 != e->span || l->kind != e->kind)
			H_FAIL("walk 0x%llx depth %u: pte 0x%llx oa 0x%llx table 0x%llx level %u index %u span %u kind %u; dump: pte 0x%llx oa 0x%llx table 0x%llx level %u index %u span %u kind %u",
			       (unsigned long long)e->iova, e->depth,
			       (unsigned long long)l->pte, (unsigned long long)l->oa,
			       (unsigned long long)l->table_pa, l->level, l->index,
			       l->span_log2, l->kind, (unsigned long long)e->pte,
			       (unsigned long long)e->oa, (unsigned long long)e->table_pa,
			       e->level, e->index, e->span, e->kind);
		for (__u32 k = 0; k < e->depth; k++)
			if (w.levels[k].kind != IOPGT_PTE_TABLE)
				H_FAIL("walk 0x%llx: level %u kind %u above the entry at depth %u",
				       (unsigned long long)e->iova, k, w.levels[k].kind, e->depth);
		if (is_leaf(e->kind)) {
			EXPECT_EQ(w.n_levels, e->depth + 1);
			EXPECT_EQ(w.phys, e->oa);
			EXPECT_EQ(w.out_flags & IOPGT_WALK_MAPPED, IOPGT_WALK_MAPPED);
		}
		if (h_failed() > f0)
			return;	/* the first entry that differs is enough */
	}
}

/* what a caller without CAP_SYS_ADMIN must see of @e */
static struct entry hidden(const struct entry *e, __u32 fmt, __u64 quirks)
{
	struct entry h = *e;

	h.table_pa = 0;
	if (!is_leaf(e->kind)) {
		h.oa = 0;
		h.pte &= ~tbl_mask(fmt, quirks);
	}
	return h;
}

static int caps_drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	if (syscall(SYS_capget, &h, c))
		return -1;
	c[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	c[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	c[CAP_SYS_ADMIN / 32].inheritable = 0;
	return syscall(SYS_capset, &h, c);
}

static void check_hidden(int id, __u32 fmt, __u64 quirks, const struct dump *root,
			 const struct iopgt_hw_cfg *root_hw)
{
	struct iopgt_hw_cfg hw;
	struct dump d;
	struct nl nl;
	int fd, status, f0 = h_failed();
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid) {
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		return;
	}
	ASSERT_OK(caps_drop_sys_admin());
	fd = dev_open();
	ASSERT_OK(nl_open(&nl));
	dump_take(&nl, id, &d);
	ASSERT_EQ(d.n, root->n);
	for (size_t i = 0; i < d.n; i++) {
		struct entry want = hidden(&root->e[i], fmt, quirks);
		const struct entry *e = &d.e[i];

		if (e->iova != want.iova || e->pte != want.pte || e->oa != want.oa ||
		    e->table_pa != want.table_pa || e->level != want.level ||
		    e->depth != want.depth || e->index != want.index ||
		    e->span != want.span || e->kind != want.kind)
			H_FAIL("hidden dump entry %zu (iova 0x%llx depth %u kind %u): pte 0x%llx oa 0x%llx table 0x%llx, want pte 0x%llx oa 0 table 0",
			       i, (unsigned long long)e->iova, e->depth, e->kind,
			       (unsigned long long)e->pte, (unsigned long long)e->oa,
			       (unsigned long long)e->table_pa, (unsigned long long)want.pte);
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct entry *r = &root->e[i];
		struct iopgt_walk w;
		struct entry want = hidden(r, fmt, quirks);
		const struct iopgt_walk_level *l;

		ASSERT_OK(walk(fd, id, r->iova, 0, &w));
		ASSERT_GT(w.n_levels, r->depth);
		l = &w.levels[r->depth];
		if (l->pte != want.pte || l->oa != want.oa || l->table_pa)
			H_FAIL("hidden walk 0x%llx depth %u: pte 0x%llx oa 0x%llx table 0x%llx, want pte 0x%llx oa 0x%llx table 0",
			       (unsigned long long)r->iova, r->depth, (unsigned long long)l->pte,
			       (unsigned long long)l->oa, (unsigned long long)l->table_pa,
			       (unsigned long long)want.pte, (unsigned long long)want.oa);
		if (h_failed() > f0)
			break;
	}
	ASSERT_OK(hw_cfg(fd, id, &hw));
	EXPECT_EQ(hw.regs[7], 0);
	EXPECT_EQ(hw.regs[0], root_hw->regs[0] & ~reg0_mask(fmt, quirks));
	_exit(h_failed() > f0 ? 1 : 0);
}

/*
 * max_as_table_bytes at what the AS holds: the granule after the run (in
 * the run's last leaf table) needs no table, one in the free span after the
 * next (map_plan() left two free) needs a leaf table.
 */
static void check_bound(int fd, int id, const struct plan *p)
{
	const struct ext *run = &p->ex[0];
	__u64 end = p->end;
	__u64 far = ((end + p->span - 1) & ~(p->span - 1)) + p->span;
	unsigned long long old;
	struct iopgt_as_info ai;

	if (!param_exists("max_as_table_bytes") || !(end & (p->span - 1)))
		return;
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	ASSERT_OK(as_info(fd, id, &ai));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes));
	EXPECT_OK(map1(fd, id, p->base + end, run->pa, p->gran, RW, 0, NULL));
	if (far + p->gran <= p->room)
		EXPECT_ERRNO(map1(fd, id, p->base + far, run->pa, p->gran, RW, 0, NULL),
			     ENOSPC);
	ASSERT_OK(param_set("max_as_table_bytes", old));
	EXPECT_OK(unmap1(fd, id, p->base + end, p->gran, NULL));
}

static void run_variant(const struct h_variant *v, __u64 quirks)
{
	struct iopgt_as_create c;
	struct iopgt_hw_cfg hw;
	struct dump d;
	struct plan p;
	struct nl nl;
	__u32 oas = 0;
	int fd, id;

	if ((v->fi.quirks & quirks) != quirks)
		SKIP("%s takes no quirks 0x%llx on this kernel", v->name,
		     (unsigned long long)quirks);
	if (quirks & IOPGT_QUIRK_ARM_MTK_EXT) {
		quirks |= IOPGT_QUIRK_NO_PERMS;	/* the library's rule */
		oas = 35;
	}
	fd = dev_open();
	ASSERT_OK(nl_open(&nl));
	id = as_create(fd, v->format, 0, 0, 0, oas, quirks, &c);
	if (id < 0) {
		H_FAIL("AS_CREATE %s quirks 0x%llx oas %u: %s", v->name,
		       (unsigned long long)quirks, oas, h_errname(errno));
		h_abort();
	}
	map_plan(fd, id, &c, v->format, quirks, &p);
	dump_take(&nl, id, &d);
	h_diag("%s quirks 0x%llx: %zu entries, %llu tables, base 0x%llx", v->name,
	       (unsigned long long)quirks, d.n, d.tables, (unsigned long long)p.base);
	check_dump(&p, &d);
	check_walks(fd, id, &d);
	check_counts(&nl, fd, id, &d, "mapped");
	ASSERT_OK(hw_cfg(fd, id, &hw));
	check_hidden(id, v->format, quirks, &d, &hw);
	check_bound(fd, id, &p);
	free(d.e);

	for (int i = 0; i < p.n; i++)
		ASSERT_OK(unmap1(fd, id, p.ex[i].iova, p.ex[i].len, NULL));
	dump_take(&nl, id, &d);
	for (size_t i = 0; i < d.n; i++)
		EXPECT_EQ(d.e[i].kind, IOPGT_PTE_TABLE);
	check_counts(&nl, fd, id, &d, "unmapped");
	free(d.e);
	ASSERT_OK(as_destroy(fd, id));
	nl_close(&nl);
	close(fd);
}

TEST_FMT(walker_default)
{
	run_variant(variant, 0);
}

TEST_FMT(walker_ttbr1)
{
	run_variant(variant, IOPGT_QUIRK_ARM_TTBR1);
}

TEST_FMT(walker_mtk_ext)
{
	run_variant(variant, IOPGT_QUIRK_ARM_MTK_EXT);
}

TEST_FMT(walker_mtk_ttbr_ext)
{
	run_variant(variant, IOPGT_QUIRK_ARM_MTK_EXT | IOPGT_QUIRK_ARM_MTK_TTBR_EXT);
}
