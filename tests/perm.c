// SPDX-License-Identifier: GPL-2.0
/*
 * Permissions (the "Permissions" rules of uapi/linux/iopgt.h).
 *
 * Opening: as uid/gid 65534 without capabilities, opening /dev/iopgt gives
 * EACCES and netlink dumps give EPERM.
 *
 * Kernel addresses: per available format, root maps an address space with
 * tables at every level (a page under the top of the input range, a page
 * and a larger leaf at the bottom), then records every ioctl output
 * (GET_INFO with its format array, GET_HW_CFG, AS_INFO, WALK with and
 * without IOPGT_WALK_HW and IOVA_TO_PHYS, single and vector, at six
 * IOVAs; AS_CREATE/MAP/UNMAP outputs of a twin address space) and every
 * attribute of every netlink message (FORMAT_GET, AS_GET, TREE_GET). The
 * same record is then taken by
 *   nobody       uid 65534, no capabilities, root's /dev/iopgt descriptor
 *                inherited (netlink: EPERM, root's socket and its own);
 *   nobody+net   uid 65534 keeping CAP_NET_ADMIN, root's descriptor and
 *                netlink socket inherited, and a netlink socket of its own;
 *   no-sysadmin  uid 0 with every capability but CAP_SYS_ADMIN, its own
 *                descriptor and socket;
 *   root-via-fds root with every capability, through the descriptor and
 *                socket no-sysadmin opened (passed with SCM_RIGHTS): the
 *                opener's credentials count too.
 * Each must see no table address anywhere (table_pa, the next-table
 * address of every table entry, the address bits of table descriptors in
 * levels[], hw_ptes[] and IOPGT_A_ENTRY_PTE, TTBRs and roots), leaves and
 * everything else exactly as root sees them (byte for byte, attribute by
 * attribute).
 *
 * Ownership: from a second process with a descriptor of its own, MAP,
 * UNMAP and AS_DESTROY of a non-persistent address space give EPERM and
 * change nothing, reads work; a persistent one can be changed and
 * destroyed; a forked child using the creator's own descriptor may change
 * it.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/genetlink.h>

#include "util.h"

#define GENMASK64(h, l)	(((~0ULL) >> (63 - (h))) & ~((1ULL << (l)) - 1))
#define BIT64(n)	(1ULL << (n))

static void nl_open_or_die(struct nl *nl)
{
	int r = nl_open(nl);

	if (r) {
		H_FAIL("netlink family iopgt: %s", h_errname(-r));
		h_abort();
	}
}

static void drop_privs(void)
{
	ASSERT_OK(setgroups(0, NULL));
	ASSERT_OK(setresgid(65534, 65534, 65534));
	ASSERT_OK(setresuid(65534, 65534, 65534));
	ASSERT_NE(geteuid(), 0);
}

TEST(unprivileged_open)
{
	drop_privs();
	EXPECT_ERRNO(open(IOPGT_DEV, O_RDWR), EACCES);
	EXPECT_ERRNO(open(IOPGT_DEV, O_RDONLY), EACCES);
}

TEST(unprivileged_netlink)
{
	struct nl nl;
	struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, 1 } };
	int r;

	drop_privs();
	r = nl_open(&nl);
	if (r) {
		H_FAIL("resolving the iopgt family unprivileged: %s", h_errname(-r));
		h_abort();
	}
	EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_FORMAT_GET, a, 1, NULL, NULL, NULL), -EPERM);
	EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_AS_GET, a, 1, NULL, NULL, NULL), -EPERM);
	EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL), -EPERM);
	nl_close(&nl);
}

TEST(passed_fd_get_info)
{
	struct iopgt_get_info gi;
	int fd = dev_open();

	drop_privs();
	EXPECT_OK(get_info(fd, &gi, NULL));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Capabilities                                                        */

static int caps_get(__u64 *eff, __u64 *perm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return -1;
	*eff = d[0].effective | (__u64)d[1].effective << 32;
	*perm = d[0].permitted | (__u64)d[1].permitted << 32;
	return 0;
}

/* effective = permitted = @caps, inheritable = 0 */
static int caps_set(__u64 caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (__u32)caps;
	d[1].effective = d[1].permitted = (__u32)(caps >> 32);
	return syscall(SYS_capset, &h, d);
}

enum who {
	W_NOBODY,	/* uid 65534, no capabilities */
	W_NOBODY_NET,	/* uid 65534, CAP_NET_ADMIN only */
	W_NO_SYSADMIN,	/* uid 0, every capability but CAP_SYS_ADMIN */
	W_ROOT_VIA_FDS,	/* root, through descriptors W_NO_SYSADMIN opened */
};

static const char *const who_name[] = {
	"nobody", "nobody+net", "no-sysadmin", "root-via-fds",
};

static void become(enum who w)
{
	__u64 eff, perm;

	if (w == W_NOBODY) {
		drop_privs();
	} else if (w == W_NOBODY_NET) {
		ASSERT_OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		drop_privs();
		ASSERT_OK(caps_set(BIT64(CAP_NET_ADMIN)));
	} else if (w == W_NO_SYSADMIN) {
		ASSERT_OK(caps_get(&eff, &perm));
		ASSERT_OK(caps_set(perm & ~BIT64(CAP_SYS_ADMIN)));
	}
	ASSERT_OK(caps_get(&eff, &perm));
	ASSERT_EQ(eff & BIT64(CAP_SYS_ADMIN), 0);
	ASSERT_EQ(!!(eff & BIT64(CAP_NET_ADMIN)), w != W_NOBODY);
}

/* ------------------------------------------------------------------ */
/* Where a format keeps table addresses (the architecture specs)       */

static bool mtk_quirk(__u64 quirks)
{
	return quirks & (IOPGT_QUIRK_ARM_MTK_EXT | IOPGT_QUIRK_ARM_MTK_TTBR_EXT);
}

/* descriptor bits naming the next table */
static __u64 tbl_mask(__u32 fmt, __u64 quirks)
{
	switch (fmt) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
	case IOPGT_FMT_ARM_MALI_LPAE:
		return GENMASK64(47, 12);	/* 64K granule: PA 51:48 in 15:12 */
	case IOPGT_FMT_ARM_V7S:		/* MediaTek: PA 32/33/34 in 9/4/5 */
		return GENMASK64(31, 10) |
		       (mtk_quirk(quirks) ? BIT64(9) | BIT64(5) | BIT64(4) : 0);
	case IOPGT_FMT_APPLE_DART:
		return GENMASK64(35, 12);
	case IOPGT_FMT_APPLE_DART2:
		return GENMASK64(37, 10);
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
		return GENMASK64(51, 12);
	}
	return ~0ULL;
}

/* GET_HW_CFG register bits holding a table address */
static __u64 reg_mask(__u32 fmt, __u64 quirks, int i)
{
	if (i == 7)
		return ~0ULL;
	switch (fmt) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S2:
		return i == 0 ? GENMASK64(51, 1) : 0;	/* TTBR/VTTBR BADDR */
	case IOPGT_FMT_ARM_MALI_LPAE:
		return i == 0 ? GENMASK64(51, 12) : 0;	/* TRANSTAB */
	case IOPGT_FMT_ARM_V7S:
		return i == 0 ? (mtk_quirk(quirks) ? ~0ULL : GENMASK64(63, 7)) : 0;
	case IOPGT_FMT_APPLE_DART:
	case IOPGT_FMT_APPLE_DART2:
		return i < 4 ? ~0ULL : 0;
	case IOPGT_FMT_PT_AMDV1:
	case IOPGT_FMT_PT_VTDSS:
	case IOPGT_FMT_PT_X86_64:
		return i == 0 ? GENMASK64(63, 12) : 0;
	}
	return i == 0 ? ~0ULL : 0;
}

static bool is_leaf(__u32 kind)
{
	return kind == IOPGT_PTE_BLOCK || kind == IOPGT_PTE_PAGE;
}

/* io-pgtable's pgtable_walk (LPAE, Mali): ptes[lvl]; a table above level 3 */
static bool hw_is_table(__u32 lvl, __u64 pte)
{
	return lvl < 3 && (pte & 3) == 3;
}

/* ------------------------------------------------------------------ */
/* One record of everything a caller can read                         */

#define N_PROBE		6
#define MAX_TABLES	256

struct nlrec {
	int err;
	int n;
	size_t len, cap;
	unsigned char *buf;	/* per message: __u32 length, attributes */
};

struct snap {
	struct iopgt_get_info gi;
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];
	struct iopgt_hw_cfg hw;
	struct iopgt_as_info ai;
	struct iopgt_walk w[N_PROBE][2];
	struct iopgt_iova_to_phys x[N_PROBE];
	struct iopgt_iova_to_phys xv;
	struct iopgt_xlate_entry xe[N_PROBE];
	bool have_nl;
	struct nlrec nl[3];	/* FORMAT_GET, AS_GET, TREE_GET */
};

static const char *const nl_name[3] = { "FORMAT_GET", "AS_GET", "TREE_GET" };
static const __u8 nl_cmd[3] = {
	IOPGT_NL_CMD_FORMAT_GET, IOPGT_NL_CMD_AS_GET, IOPGT_NL_CMD_TREE_GET,
};

/* twin address space: the outputs of AS_CREATE, MAP, UNMAP */
struct twin {
	struct iopgt_as_create c;
	struct iopgt_map_entry me;
	struct iopgt_map m;
	struct iopgt_unmap_entry ue;
	struct iopgt_unmap u;
};

struct ctx {
	__u32 fmt, id;
	__u64 quirks, g, big;
	__u64 iova_b, pa_b;
	__u64 probe[N_PROBE];
	struct snap root;
	struct twin root_twin;
	__u64 tables[MAX_TABLES];	/* every table PA root saw */
	int n_tables;
};

static int rec_cb(const struct nl_msg *m, void *arg)
{
	struct nlrec *r = arg;
	const struct genlmsghdr *g = NLMSG_DATA(m->nlh);
	__u32 alen = m->nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*g));
	size_t need = sizeof(__u32) + ((alen + 3) & ~3U);

	if (r->len + need > r->cap) {
		r->cap = (r->len + need) * 2 + 4096;
		r->buf = realloc(r->buf, r->cap);
		ASSERT_TRUE(r->buf != NULL);
	}
	memcpy(r->buf + r->len, &alen, sizeof(alen));
	memcpy(r->buf + r->len + sizeof(alen), g + 1, alen);
	r->len += need;
	r->n++;
	return 0;
}

static void rec_nl(struct nl *nl, __u32 id, struct snap *s)
{
	struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, id } };

	s->have_nl = true;
	for (int i = 0; i < 3; i++) {
		bool intr = false;

		memset(&s->nl[i], 0, sizeof(s->nl[i]));
		s->nl[i].err = nl_dump(nl, nl_cmd[i], a, i ? 2 : 1, rec_cb, &s->nl[i], &intr);
		if (intr)
			H_FAIL("%s dump interrupted: nothing should change the tables", nl_name[i]);
	}
}

static void snap_take(const struct ctx *cx, int fd, struct nl *nl, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	ASSERT_OK(get_info(fd, &s->gi, s->fi));
	ASSERT_OK(hw_cfg(fd, cx->id, &s->hw));
	ASSERT_OK(as_info(fd, cx->id, &s->ai));
	for (int i = 0; i < N_PROBE; i++) {
		ASSERT_OK(walk(fd, cx->id, cx->probe[i], 0, &s->w[i][0]));
		ASSERT_OK(walk(fd, cx->id, cx->probe[i], IOPGT_WALK_HW, &s->w[i][1]));
		s->x[i].size = sizeof(s->x[i]);
		s->x[i].as_id = cx->id;
		s->x[i].iova = cx->probe[i];
		ASSERT_OK(ioctl(fd, IOPGT_IOVA_TO_PHYS, &s->x[i]));
		s->xe[i].iova = cx->probe[i];
	}
	s->xv.size = sizeof(s->xv);
	s->xv.as_id = cx->id;
	s->xv.n_iovas = N_PROBE;
	s->xv.entry_size = sizeof(s->xe[0]);
	s->xv.iovas_uptr = (uintptr_t)s->xe;
	ASSERT_OK(ioctl(fd, IOPGT_IOVA_TO_PHYS, &s->xv));
	if (nl)
		rec_nl(nl, cx->id, s);
}

static void snap_free(struct snap *s)
{
	for (int i = 0; i < 3; i++)
		free(s->nl[i].buf);
}

static void twin_run(const struct ctx *cx, int fd, struct twin *t)
{
	int id;

	memset(t, 0, sizeof(*t));
	id = as_create(fd, cx->fmt, 0, 0, 0, 0, 0, &t->c);
	ASSERT_GT(id, 0);
	t->me.iova = cx->iova_b;
	t->me.paddr = cx->pa_b;
	t->me.length = cx->big;
	t->me.prot = RW;
	t->m.size = sizeof(t->m);
	t->m.as_id = id;
	t->m.n_entries = 1;
	t->m.entries_uptr = (uintptr_t)&t->me;
	t->m.entry_size = sizeof(t->me);
	ASSERT_OK(ioctl(fd, IOPGT_MAP, &t->m));
	t->ue.iova = cx->iova_b;
	t->ue.length = cx->big;
	t->u.size = sizeof(t->u);
	t->u.as_id = id;
	t->u.n_entries = 1;
	t->u.entries_uptr = (uintptr_t)&t->ue;
	t->u.entry_size = sizeof(t->ue);
	ASSERT_OK(ioctl(fd, IOPGT_UNMAP, &t->u));
	ASSERT_OK(as_destroy(fd, id));
}

/* ------------------------------------------------------------------ */
/* Comparing                                                           */

static void add_table(struct ctx *cx, __u64 pa)
{
	if (!pa)
		return;
	for (int i = 0; i < cx->n_tables; i++)
		if (cx->tables[i] == pa)
			return;
	if (cx->n_tables < MAX_TABLES)
		cx->tables[cx->n_tables++] = pa;
}

/*
 * Does @v name table @t? Compared from the table's alignment (at least
 * 1K for v7s level-2 tables, at most a page) up to bit 51. Every leaf of
 * this test maps at or above 0xc0000000, above the VMs' RAM, so a leaf's
 * output address never matches.
 */
static __u64 names_table(const struct ctx *cx, __u64 v)
{
	for (int i = 0; i < cx->n_tables; i++) {
		__u64 t = cx->tables[i];
		int k = __builtin_ctzll(t);
		__u64 m;

		k = k > 12 ? 12 : k < 7 ? 7 : k;
		m = GENMASK64(51, k);
		if ((v & m) == (t & m))
			return t;
	}
	return 0;
}

static void no_table(const struct ctx *cx, const char *who, const char *what, __u64 v)
{
	__u64 t = names_table(cx, v);

	if (t)
		H_FAIL("%s: %s 0x%llx names table 0x%llx (a kernel address leaked)", who, what,
		       (unsigned long long)v, (unsigned long long)t);
}

/* catch-all: @got must equal @exp byte for byte */
static void same_bytes(const char *who, const char *what, const void *exp, const void *got,
		       size_t len)
{
	const unsigned char *a = exp, *b = got;
	int shown = 0;

	for (size_t off = 0; off < len; off += 8) {
		size_t n = len - off < 8 ? len - off : 8;
		__u64 x = 0, y = 0;

		if (!memcmp(a + off, b + off, n))
			continue;
		memcpy(&x, a + off, n);
		memcpy(&y, b + off, n);
		H_FAIL("%s: %s bytes %zu..%zu: 0x%llx, root's (with addresses hidden) 0x%llx", who,
		       what, off, off + n - 1, (unsigned long long)y, (unsigned long long)x);
		if (++shown == 6)
			break;
	}
}

static void cmp_walk(const struct ctx *cx, const char *who, int p, int hw,
		     const struct iopgt_walk *r, const struct iopgt_walk *u)
{
	__u64 tm = tbl_mask(cx->fmt, cx->quirks);
	struct iopgt_walk e = *r;
	char what[96];

	e.out_flags |= IOPGT_WALK_ADDR_HIDDEN;
	for (int i = 0; i < IOPGT_MAX_LEVELS; i++) {
		struct iopgt_walk_level *l = &e.levels[i];

		snprintf(what, sizeof(what), "WALK%s 0x%llx level[%d]", hw ? " HW" : "",
			 (unsigned long long)cx->probe[p], i);
		no_table(cx, who, what, u->levels[i].table_pa);
		l->table_pa = 0;
		if (is_leaf(l->kind))
			continue;
		no_table(cx, who, what, u->levels[i].pte);
		no_table(cx, who, what, u->levels[i].oa);
		l->pte &= ~tm;
		l->oa = 0;
	}
	for (int j = 0; j < 4; j++) {
		snprintf(what, sizeof(what), "WALK HW 0x%llx hw_ptes[%d]",
			 (unsigned long long)cx->probe[p], j);
		if (hw_is_table(j, r->hw_ptes[j])) {
			no_table(cx, who, what, u->hw_ptes[j]);
			e.hw_ptes[j] &= ~tm;
		}
	}
	snprintf(what, sizeof(what), "WALK%s 0x%llx", hw ? " HW" : "",
		 (unsigned long long)cx->probe[p]);
	same_bytes(who, what, &e, u, sizeof(e));
}

struct attrs {
	int n;
	__u16 type[64], len[64];
	const unsigned char *p[64];
};

static void parse(const unsigned char *b, __u32 len, struct attrs *a)
{
	a->n = 0;
	while (len >= NLA_HDRLEN && a->n < 64) {
		const struct nlattr *na = (const void *)b;
		__u32 al = (na->nla_len + 3) & ~3U;

		if (na->nla_len < NLA_HDRLEN || na->nla_len > len)
			break;
		a->type[a->n] = na->nla_type & NLA_TYPE_MASK;
		a->len[a->n] = na->nla_len - NLA_HDRLEN;
		a->p[a->n] = b + NLA_HDRLEN;
		a->n++;
		if (al >= len)
			break;
		b += al;
		len -= al;
	}
}

static __u64 aval(const struct attrs *a, int i)
{
	__u64 v = 0;

	memcpy(&v, a->p[i], a->len[i] < 8 ? a->len[i] : 8);
	return v;
}

static void cmp_nl(const struct ctx *cx, const char *who, int d, const struct nlrec *r,
		   const struct nlrec *u)
{
	__u64 tm = tbl_mask(cx->fmt, cx->quirks);
	size_t ro = 0, uo = 0;

	if (u->err) {
		H_FAIL("%s: %s dump failed: %s", who, nl_name[d], h_errname(-u->err));
		return;
	}
	if (u->n != r->n) {
		H_FAIL("%s: %s: %d messages, root got %d", who, nl_name[d], u->n, r->n);
		return;
	}
	for (int k = 0; k < r->n; k++) {
		struct attrs ra, ua;
		__u32 rl, ul;
		bool leaf = true;

		memcpy(&rl, r->buf + ro, 4);
		memcpy(&ul, u->buf + uo, 4);
		parse(r->buf + ro + 4, rl, &ra);
		parse(u->buf + uo + 4, ul, &ua);
		ro += 4 + ((rl + 3) & ~3U);
		uo += 4 + ((ul + 3) & ~3U);
		for (int i = 0; i < ra.n; i++)
			if (ra.type[i] == IOPGT_A_ENTRY_KIND)
				leaf = is_leaf(aval(&ra, i));
		if (ua.n != ra.n) {
			H_FAIL("%s: %s message %d: %d attributes, root's has %d", who, nl_name[d], k,
			       ua.n, ra.n);
			continue;
		}
		for (int i = 0; i < ra.n; i++) {
			__u64 rv = aval(&ra, i), uv = aval(&ua, i), ev = rv;
			char what[96];

			snprintf(what, sizeof(what), "%s message %d attribute %u%s", nl_name[d], k,
				 ra.type[i],
				 ra.type[i] == IOPGT_A_ENTRY_PTE ? " (ENTRY_PTE)" :
				 ra.type[i] == IOPGT_A_ENTRY_OA ? " (ENTRY_OA)" :
				 ra.type[i] == IOPGT_A_ENTRY_TABLE_PA ? " (ENTRY_TABLE_PA)" : "");
			if (ra.type[i] > IOPGT_A_MAX) {
				H_FAIL("%s: %s is unknown to this test: extend it", who, what);
				continue;
			}
			if (ua.type[i] != ra.type[i] || ua.len[i] != ra.len[i]) {
				H_FAIL("%s: %s: got type %u length %u, root's type %u length %u", who,
				       what, ua.type[i], ua.len[i], ra.type[i], ra.len[i]);
				continue;
			}
			switch (ra.type[i]) {
			case IOPGT_A_ENTRY_TABLE_PA:
				no_table(cx, who, what, uv);
				ev = 0;
				break;
			case IOPGT_A_ENTRY_PTE:
				if (!leaf) {
					no_table(cx, who, what, uv);
					ev = rv & ~tm;
				}
				break;
			case IOPGT_A_ENTRY_OA:
				if (!leaf) {
					no_table(cx, who, what, uv);
					ev = 0;
				}
				break;
			default:
				if (memcmp(ra.p[i], ua.p[i], ra.len[i]))
					H_FAIL("%s: %s differs from root's: 0x%llx vs 0x%llx", who,
					       what, (unsigned long long)uv, (unsigned long long)rv);
				continue;
			}
			if (uv != ev)
				H_FAIL("%s: %s: 0x%llx, want 0x%llx (root's 0x%llx, addresses hidden)",
				       who, what, (unsigned long long)uv, (unsigned long long)ev,
				       (unsigned long long)rv);
		}
	}
}

static void cmp_snap(const struct ctx *cx, const char *who, const struct snap *u)
{
	const struct snap *r = &cx->root;
	struct iopgt_get_info gi = r->gi;
	struct iopgt_hw_cfg hw = r->hw;
	struct iopgt_iova_to_phys xv = r->xv;
	char what[64];

	/* allocations of the module: this caller's own open files count too */
	gi.module_allocs = u->gi.module_allocs;
	gi.formats_uptr = u->gi.formats_uptr;	/* input: this process's buffer */
	same_bytes(who, "GET_INFO", &gi, &u->gi, sizeof(gi));
	same_bytes(who, "GET_INFO formats", r->fi, u->fi, sizeof(r->fi));
	hw.out_flags |= IOPGT_HWCFG_ADDR_HIDDEN;
	for (int i = 0; i < IOPGT_HW_NREGS; i++) {
		__u64 m = reg_mask(cx->fmt, cx->quirks, i);

		if (!m)
			continue;
		snprintf(what, sizeof(what), "GET_HW_CFG regs[%d]", i);
		no_table(cx, who, what, u->hw.regs[i]);
		hw.regs[i] &= ~m;
	}
	same_bytes(who, "GET_HW_CFG", &hw, &u->hw, sizeof(hw));
	same_bytes(who, "AS_INFO", &r->ai, &u->ai, sizeof(r->ai));
	for (int p = 0; p < N_PROBE; p++) {
		for (int hwf = 0; hwf < 2; hwf++)
			cmp_walk(cx, who, p, hwf, &r->w[p][hwf], &u->w[p][hwf]);
		snprintf(what, sizeof(what), "IOVA_TO_PHYS 0x%llx",
			 (unsigned long long)cx->probe[p]);
		same_bytes(who, what, &r->x[p], &u->x[p], sizeof(r->x[p]));
	}
	xv.iovas_uptr = u->xv.iovas_uptr;
	same_bytes(who, "IOVA_TO_PHYS vector", &xv, &u->xv, sizeof(xv));
	same_bytes(who, "IOVA_TO_PHYS vector entries", r->xe, u->xe, sizeof(r->xe));
	if (u->have_nl)
		for (int d = 0; d < 3; d++)
			cmp_nl(cx, who, d, &r->nl[d], &u->nl[d]);
}

static void cmp_twin(const struct ctx *cx, const char *who, const struct twin *u)
{
	struct twin e = cx->root_twin;

	/* a fresh id, and the pointers this process passed in */
	e.c.as_id = u->c.as_id;
	e.m.as_id = u->m.as_id;
	e.m.entries_uptr = u->m.entries_uptr;
	e.u.as_id = u->u.as_id;
	e.u.entries_uptr = u->u.entries_uptr;
	same_bytes(who, "AS_CREATE/MAP/UNMAP outputs", &e, u, sizeof(e));
}

/* everything one caller sees, compared with root's */
static void check_caller(const struct ctx *cx, enum who w, int fd, struct nl *nl)
{
	const char *who = who_name[w];
	struct twin t;
	struct snap u;

	snap_take(cx, fd, nl, &u);
	cmp_snap(cx, who, &u);
	snap_free(&u);
	twin_run(cx, fd, &t);
	cmp_twin(cx, who, &t);
}

/* ------------------------------------------------------------------ */

static void send_fds(int sock, const int *fds, int n)
{
	char c = 'f', cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	memset(cbuf, 0, sizeof(cbuf));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	ASSERT_EQ(sendmsg(sock, &mh, 0), 1);
}

static void recv_fds(int sock, int *fds, int n)
{
	char c, cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	ASSERT_EQ(recvmsg(sock, &mh, 0), 1);
	cm = CMSG_FIRSTHDR(&mh);
	ASSERT_TRUE(cm && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(n * sizeof(int)));
	memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
}

static int wait_child(pid_t pid, const char *who)
{
	int st = 0;

	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		H_FAIL("%s: child process failed (status 0x%x)", who, st);
	return st;
}

/* the larger page sizes and the probes: see the top of the file */
static void plan(struct ctx *cx, const struct iopgt_as_create *c, __u64 *huge)
{
	__u64 p = c->out_pgsize_bitmap, top, iova_a, iova_c, iova_h = 0;

	cx->g = p & -p;
	cx->big = cx->g;
	*huge = 0;
	for (int b = ilog2_64(cx->g) + 1; b < 63; b++) {
		if (!(p & (1ULL << b)))
			continue;
		if (cx->big == cx->g)
			cx->big = 1ULL << b;
		else if ((1ULL << b) <= SZ_2M)
			*huge = 1ULL << b;
	}
	top = c->out_ias >= 64 ? 0 : 1ULL << c->out_ias;	/* 0: 2^64 */
	cx->iova_b = cx->big;
	cx->pa_b = 0xc0000000ULL;
	iova_a = 2 * cx->big + 3 * cx->g;
	iova_c = top - cx->g;
	if (*huge) {
		iova_h = 4 * cx->big > *huge ? 4 * cx->big : *huge;
		iova_h = (iova_h + *huge - 1) & ~(*huge - 1);
	}
	cx->probe[0] = iova_a;
	cx->probe[1] = cx->iova_b + cx->g;
	cx->probe[2] = iova_c;
	cx->probe[3] = iova_a + cx->g;	/* hole under the same last-level table */
	cx->probe[4] = 0;
	cx->probe[5] = *huge ? iova_h + cx->g : iova_c - cx->g;
}

/*
 * One address space with tables at every level, read by root and by every
 * kind of caller without CAP_SYS_ADMIN.
 */
TEST_FMT(hides_kernel_addresses)
{
	struct iopgt_as_create c;
	struct ctx *cx = calloc(1, sizeof(*cx));
	struct nl nl;
	__u64 huge, top, iova_c;
	int fd = dev_open(), depths = 0, sp[2];
	pid_t pid;

	if (variant->fi.flags & IOPGT_FMT_F_ONE_LIVE)
		SKIP("%s allows one live address space at a time on this kernel (IOPGT_FMT_F_ONE_LIVE); this test compares two",
		     variant->name);

	ASSERT_TRUE(cx != NULL);
	nl_open_or_die(&nl);
	cx->fmt = variant->format;
	cx->id = as_create_v(fd, variant, 0, &c);
	cx->quirks = c.out_quirks;
	if (c.out_oas < 32)
		SKIP("oas %u: the test maps at 0xc0000000 and above", c.out_oas);
	plan(cx, &c, &huge);
	top = c.out_ias >= 64 ? 0 : 1ULL << c.out_ias;
	iova_c = top - cx->g;
	ASSERT_OK(map1(fd, cx->id, cx->iova_b, cx->pa_b, cx->big, RW, 0, NULL));
	ASSERT_OK(map1(fd, cx->id, cx->probe[0], 0xe0000000ULL + 3 * cx->g, cx->g, RW, 0, NULL));
	ASSERT_OK(map1(fd, cx->id, iova_c, 0xf0000000ULL, cx->g, RW | IOPGT_PROT_NOEXEC, 0,
		       NULL));
	if (huge)
		ASSERT_OK(map1(fd, cx->id, cx->probe[5] - cx->g, 0xd0000000ULL, huge,
			       IOPGT_PROT_READ, 0, NULL));

	/* root's view, and the table addresses in it */
	snap_take(cx, fd, &nl, &cx->root);
	ASSERT_EQ(cx->root.hw.out_flags & IOPGT_HWCFG_ADDR_HIDDEN, 0);
	add_table(cx, cx->root.hw.regs[7]);
	for (int p = 0; p < N_PROBE; p++) {
		for (int h = 0; h < 2; h++) {
			const struct iopgt_walk *w = &cx->root.w[p][h];

			ASSERT_EQ(w->out_flags & IOPGT_WALK_ADDR_HIDDEN, 0);
			for (__u32 i = 0; i < w->n_levels && i < IOPGT_MAX_LEVELS; i++) {
				add_table(cx, w->levels[i].table_pa);
				if (w->levels[i].kind == IOPGT_PTE_TABLE)
					add_table(cx, w->levels[i].oa);
			}
		}
	}
	{
		const struct nlrec *t = &cx->root.nl[2];
		size_t off = 0;
		unsigned int seen = 0;

		ASSERT_EQ(t->err, 0);
		for (int k = 0; k < t->n; k++) {
			struct attrs a;
			__u32 l, kind = 0, depth = 0;
			__u64 oa = 0, tpa = 0;

			memcpy(&l, t->buf + off, 4);
			parse(t->buf + off + 4, l, &a);
			off += 4 + ((l + 3) & ~3U);
			for (int i = 0; i < a.n; i++) {
				if (a.type[i] == IOPGT_A_ENTRY_KIND)
					kind = aval(&a, i);
				else if (a.type[i] == IOPGT_A_ENTRY_DEPTH)
					depth = aval(&a, i);
				else if (a.type[i] == IOPGT_A_ENTRY_OA)
					oa = aval(&a, i);
				else if (a.type[i] == IOPGT_A_ENTRY_TABLE_PA)
					tpa = aval(&a, i);
			}
			add_table(cx, tpa);
			if (kind == IOPGT_PTE_TABLE) {
				add_table(cx, oa);
				if (depth < 32)
					seen |= 1U << depth;
			}
		}
		depths = __builtin_popcount(seen);
	}
	/* the test is only worth something if root saw tables at several levels */
	h_diag("%s: %d table addresses, tables at %d depths of %u levels", variant->name,
	       cx->n_tables, depths, cx->root.hw.levels);
	ASSERT_GE(depths, cx->root.hw.levels >= 3 ? 2 : 1);
	ASSERT_NE(cx->root.hw.regs[7], 0);
	ASSERT_NE(cx->root.hw.regs[0] & reg_mask(cx->fmt, cx->quirks, 0), 0);
	twin_run(cx, fd, &cx->root_twin);

	/* uid 65534 without capabilities: root's descriptor, no netlink */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct nl own;

		become(W_NOBODY);
		check_caller(cx, W_NOBODY, fd, NULL);
		{
			struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 },
						    { IOPGT_A_AS_ID, 4, cx->id } };

			EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL),
				  -EPERM);
			nl_open_or_die(&own);
			EXPECT_EQ(nl_dump(&own, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL),
				  -EPERM);
		}
		_exit(0);
	}
	wait_child(pid, who_name[W_NOBODY]);

	/* uid 65534 with CAP_NET_ADMIN: root's descriptor and socket, its own socket */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct nl own;

		become(W_NOBODY_NET);
		check_caller(cx, W_NOBODY_NET, fd, &nl);
		nl_open_or_die(&own);
		check_caller(cx, W_NOBODY_NET, fd, &own);
		_exit(0);
	}
	wait_child(pid, who_name[W_NOBODY_NET]);

	/* uid 0 without CAP_SYS_ADMIN: its own descriptor and socket, then root uses them */
	ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct nl own;
		int ofd, fds[2];
		char c2;

		close(sp[0]);
		become(W_NO_SYSADMIN);
		ofd = dev_open();
		nl_open_or_die(&own);
		check_caller(cx, W_NO_SYSADMIN, ofd, &own);
		fds[0] = ofd;
		fds[1] = own.fd;
		send_fds(sp[1], fds, 2);
		/* keep them open until root is done */
		ASSERT_EQ(read(sp[1], &c2, 1), 1);
		_exit(0);
	}
	close(sp[1]);
	{
		struct nl via = nl;
		int fds[2];

		recv_fds(sp[0], fds, 2);
		via.fd = fds[1];
		check_caller(cx, W_ROOT_VIA_FDS, fds[0], &via);
		ASSERT_EQ(write(sp[0], "x", 1), 1);
		close(fds[0]);
		close(fds[1]);
	}
	close(sp[0]);
	wait_child(pid, who_name[W_NO_SYSADMIN]);

	snap_free(&cx->root);
	nl_close(&nl);
	close(fd);
	free(cx);
}

/* ------------------------------------------------------------------ */
/* Ownership                                                           */

static __u32 own_fmt(int fd)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_AMDV1, IOPGT_FMT_PT_X86_64,
		IOPGT_FMT_ARM_32_LPAE_S1, IOPGT_FMT_ARM_V7S, IOPGT_FMT_PT_VTDSS,
		IOPGT_FMT_ARM_64_LPAE_S2, IOPGT_FMT_ARM_32_LPAE_S2, IOPGT_FMT_ARM_MALI_LPAE,
	};
	__u32 f = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));

	if (!f)
		SKIP("no page-table format available on this kernel");
	return f;
}

static int tree_leaves(struct nl *nl, __u32 id)
{
	struct tree_stats st;
	unsigned long long n = 0;
	int r = tree_dump(nl, id, &st, NULL, NULL);

	if (r)
		return r;
	for (int i = 0; i < 64; i++)
		n += st.leaves[i];
	return (int)n;
}

/* every read works on an address space this file does not own */
static void reads_work(int fd, struct nl *nl, __u32 id, __u64 iova, __u64 pa)
{
	struct iopgt_hw_cfg h;
	struct iopgt_as_info ai;
	struct iopgt_walk w;
	struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, id } };
	__u64 phys = 0;
	__u32 of = 0;

	EXPECT_OK(xlate(fd, id, iova, &phys, &of));
	EXPECT_EQ(of, IOPGT_XLATE_MAPPED);
	EXPECT_EQ(phys, pa);
	EXPECT_OK(walk(fd, id, iova, IOPGT_WALK_HW, &w));
	EXPECT_EQ(w.out_flags & IOPGT_WALK_MAPPED, IOPGT_WALK_MAPPED);
	EXPECT_EQ(w.phys, pa);
	EXPECT_OK(hw_cfg(fd, id, &h));
	EXPECT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(nl_dump(nl, IOPGT_NL_CMD_AS_GET, a, 2, NULL, NULL, NULL), 0);
	EXPECT_EQ(tree_leaves(nl, id), 1);
}

static int map_ioctl(int fd, struct iopgt_map *m)
{
	return ioctl(fd, IOPGT_MAP, m);
}

static int unmap_ioctl(int fd, struct iopgt_unmap *u)
{
	return ioctl(fd, IOPGT_UNMAP, u);
}

/* MAP (plain and ROLLBACK), UNMAP and AS_DESTROY of @id through @fd: @err */
static void changes(int fd, __u32 id, __u64 g, int err, const char *what)
{
	struct iopgt_map_entry me = { .iova = 8 * g, .paddr = 0xc0000000ULL, .length = g,
				      .prot = RW };
	struct iopgt_map m = { .size = sizeof(m), .as_id = id, .n_entries = 1,
			       .entries_uptr = (uintptr_t)&me, .entry_size = sizeof(me) };
	struct iopgt_unmap_entry ue = { .iova = 0, .length = g };
	struct iopgt_unmap u = { .size = sizeof(u), .as_id = id, .n_entries = 1,
				 .entries_uptr = (uintptr_t)&ue, .entry_size = sizeof(ue) };

	for (int rb = 0; rb < 2; rb++) {
		m.flags = rb ? IOPGT_MAP_ROLLBACK : 0;
		m.n_done = 77;
		me.mapped = 0;
		me.error = 0;
		if (err) {
			if (!EXPECT_ERRNO(map_ioctl(fd, &m), err))
				H_FAIL("%s: MAP%s of another file's address space %u",
				       what, rb ? " (ROLLBACK)" : "", id);
			EXPECT_EQ(m.n_done, 0);
			EXPECT_EQ(me.mapped, 0);
			EXPECT_EQ(me.error, 0);	/* no entry was looked at */
		} else {
			EXPECT_OK(map_ioctl(fd, &m));
			EXPECT_EQ(m.n_done, 1);
			EXPECT_EQ(me.mapped, g);
			u.n_done = 0;
			ue.iova = 8 * g;
			EXPECT_OK(unmap_ioctl(fd, &u));
			ue.iova = 0;
		}
	}
	u.n_done = 77;
	ue.unmapped = 0;
	if (err) {
		if (!EXPECT_ERRNO(unmap_ioctl(fd, &u), err))
			H_FAIL("%s: UNMAP of another file's address space %u", what, id);
		EXPECT_EQ(u.n_done, 0);
		EXPECT_EQ(ue.unmapped, 0);
		EXPECT_EQ(ue.error, 0);
		if (!EXPECT_ERRNO(as_destroy(fd, id), err))
			H_FAIL("%s: AS_DESTROY of another file's address space %u", what, id);
	} else {
		EXPECT_OK(unmap_ioctl(fd, &u));
		EXPECT_EQ(ue.unmapped, g);
		EXPECT_OK(as_destroy(fd, id));
	}
}

TEST(ownership_per_operation)
{
	struct iopgt_as_info before, after;
	struct iopgt_as_create c;
	struct nl nl;
	int fd = dev_open(), id, pid_as, st;
	__u32 fmt = own_fmt(fd);
	__u64 g;
	pid_t pid;

	nl_open_or_die(&nl);
	id = as_create(fd, fmt, 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(map1(fd, id, 0, 0xc0000000ULL, g, RW, 0, NULL));
	pid_as = as_create(fd, fmt, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, NULL);
	ASSERT_GT(pid_as, 0);
	ASSERT_OK(map1(fd, pid_as, 0, 0xc0000000ULL, g, RW, 0, NULL));
	ASSERT_OK(as_info(fd, id, &before));

	/* a second process with a descriptor of its own (root, every capability) */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		struct nl own;
		int fd2 = dev_open();

		nl_open_or_die(&own);
		/* an unknown id is ENOENT, not EPERM */
		EXPECT_ERRNO(map1(fd2, 0x7ffffff0, 0, 0, g, RW, 0, NULL), ENOENT);
		EXPECT_ERRNO(unmap1(fd2, 0x7ffffff0, 0, g, NULL), ENOENT);
		EXPECT_ERRNO(as_destroy(fd2, 0x7ffffff0), ENOENT);
		/* not persistent: reads work, changes are EPERM */
		reads_work(fd2, &own, id, 0, 0xc0000000ULL);
		changes(fd2, id, g, EPERM, "second process");
		reads_work(fd2, &own, id, 0, 0xc0000000ULL);
		/* persistent: shared by every opener */
		reads_work(fd2, &own, pid_as, 0, 0xc0000000ULL);
		changes(fd2, pid_as, g, 0, "second process, persistent");
		_exit(0);
	}
	wait_child(pid, "second process");
	/* nothing changed */
	ASSERT_OK(as_info(fd, id, &after));
	EXPECT_EQ(after.generation, before.generation);
	EXPECT_EQ(after.mapped_bytes, before.mapped_bytes);
	EXPECT_EQ(xlate_or_none(fd, id, 0), 0xc0000000ULL);
	EXPECT_ERRNO(as_info(fd, pid_as, &after), ENOENT);

	/* a forked child using the creator's own descriptor is the same file */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		reads_work(fd, &nl, id, 0, 0xc0000000ULL);
		changes(fd, id, g, 0, "inherited descriptor");
		_exit(0);
	}
	st = wait_child(pid, "inherited descriptor");
	(void)st;
	EXPECT_ERRNO(as_info(fd, id, &after), ENOENT);
	nl_close(&nl);
	close(fd);
}

/* uid 65534 with a descriptor root opened and passed down may read, not change */
TEST(ownership_unprivileged_second_file)
{
	struct iopgt_as_create c;
	int fd = dev_open(), fd2 = dev_open(), id;
	__u32 fmt = own_fmt(fd);
	__u64 g;

	id = as_create(fd, fmt, 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(map1(fd, id, 0, 0xc0000000ULL, g, RW, 0, NULL));
	drop_privs();
	EXPECT_EQ(xlate_or_none(fd2, id, 0), 0xc0000000ULL);
	changes(fd2, id, g, EPERM, "uid 65534, second file");
	EXPECT_EQ(xlate_or_none(fd, id, 0), 0xc0000000ULL);
	/* through the creator's file it may: the file decides, not the uid */
	changes(fd, id, g, 0, "uid 65534, creator's file");
	close(fd2);
	close(fd);
}
