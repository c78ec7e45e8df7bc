// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded, time-bounded, structure-aware fuzzer for the ioctls and the
 * netlink family: valid ids, sizes and page-aligned addresses mixed with
 * garbage, bad pointers, odd struct and element sizes, random attributes.
 * IOPGT_FUZZ_SECONDS (default 20) bounds it; IOPGT_SEED reproduces it.
 * The kernel must never WARN (the VM run fails on any), and every error must
 * be one of the errnos the ABI documents.
 *
 * Each step (one ioctl, one netlink request with its reply, one close of
 * the fd) is timed; the budget is checked after every step and the slowest
 * step is reported. A netlink reply is read for at most NL_REPLY_SECONDS:
 * MAP may legitimately fill an address space with millions of leaves (a
 * few TiB of 2 MiB blocks fit the default table caps), and a TREE_GET dump
 * of that streams for minutes under TCG; such a dump is abandoned by
 * closing the socket mid-dump (the family's .done runs then).
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "util.h"

static __u64 rs;
static int live[16], nlive;
static int pers[64], npers;
static __u32 fmts[IOPGT_FMT_COUNT];
static int nfmts;
static char *guard;	/* a page followed by PROT_NONE */
static size_t guard_pg;	/* the userspace page size (4K, 16K or 64K) */

static __u64 r64(void) { return rnd64(&rs); }
static __u32 rn(__u32 n) { return n ? (__u32)(r64() % n) : 0; }

static __u64 fuzz_u64(void)
{
	static const __u64 edge[] = {
		0, 1, 0xfff, 0x1000, 0x1001, 0x10000, 0x200000, 0x40000000,
		0xffffffffULL, 0x100000000ULL, 1ULL << 47, 1ULL << 48, 1ULL << 52,
		1ULL << 63, ~0ULL, ~0ULL - 0xfff, 0x7fffffffffffffffULL,
	};

	switch (rn(4)) {
	case 0: return edge[rn(sizeof(edge) / sizeof(edge[0]))];
	case 1: return (r64() % 64) * SZ_4K * (1ULL << (rn(4) * 9));
	case 2: return r64() & ~0xfffULL & ((1ULL << (32 + rn(20))) - 1);
	default: return r64();
	}
}

static __u32 fuzz_id(void)
{
	if (nlive && rn(8))
		return live[rn(nlive)];
	return rn(3) ? rn(40) : (__u32)r64();
}

static __u32 fuzz_size(__u32 sz)
{
	switch (rn(12)) {
	case 0: return sz - 1;
	case 1: return sz + 8;
	case 2: return 0;
	case 3: return rn(512);
	default: return sz;
	}
}

static bool allowed(int e)
{
	switch (e) {
	case EINVAL: case E2BIG: case EFAULT: case ENOTTY: case ENOENT: case EEXIST:
	case ERANGE: case ENOSPC: case EOPNOTSUPP: case ENOMEM:
	case EBUSY:	/* AS_CREATE of a IOPGT_FMT_F_ONE_LIVE format */
		return true;
	}
	return false;
}

static void *fuzz_ptr(void *good, size_t len)
{
	switch (rn(24)) {
	case 0: return NULL;
	case 1: return (void *)-4096L;
	case 2: return guard + guard_pg - (len > 16 ? len / 2 : 4);
	case 3: return (void *)(uintptr_t)r64();
	default: return good;
	}
}

static unsigned long long n_ioctl, n_ok, n_nl, n_nl_cut;
static bool use_nl;

#define NL_REPLY_SECONDS	0.5

/* What the current step does, kept raw; formatted only for the slowest. */
struct step {
	const char *op;
	unsigned long cmd;
	__u32 as_id;
	__u32 n;		/* entries, or netlink messages read */
	__u64 iova;		/* MAP/UNMAP: the longest entry */
	__u64 length;
};
static struct step cur, slowest;
static double slowest_s;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void step_begin(const char *op, unsigned long cmd, __u32 as_id)
{
	memset(&cur, 0, sizeof(cur));
	cur.op = op;
	cur.cmd = cmd;
	cur.as_id = as_id;
}

static void step_end(double t0)
{
	double d = now_s() - t0;

	if (d > slowest_s) {
		slowest_s = d;
		slowest = cur;
	}
}

static void do_ioctl(int fd, unsigned long cmd, void *arg, size_t len)
{
	int r;

	if (!cur.op)
		step_begin("ioctl", cmd, 0);
	r = ioctl(fd, cmd, fuzz_ptr(arg, len));
	n_ioctl++;
	if (!r) {
		n_ok++;
		return;
	}
	if (!allowed(errno))
		H_FAIL("ioctl 0x%lx: undocumented errno %s", cmd, h_errname(errno));
}

static void fuzz_one(int fd)
{
	union {
		struct iopgt_get_info gi;
		struct iopgt_as_create c;
		struct iopgt_as_destroy d;
		struct iopgt_map m;
		struct iopgt_unmap u;
		struct iopgt_iova_to_phys x;
		struct iopgt_hw_cfg h;
		struct iopgt_walk w;
		struct iopgt_as_info ai;
		char raw[1024];
	} b;
	struct iopgt_map_entry me[8];
	struct iopgt_unmap_entry ue[8];
	struct iopgt_format_info fi[IOPGT_FMT_COUNT + 2];
	int op = rn(12);

	cur.op = NULL;
	memset(&b, 0, sizeof(b));
	if (!rn(16))	/* garbage tail / reserved */
		for (int i = 0; i < 8; i++)
			b.raw[rn(sizeof(b.raw))] = r64();
	switch (op) {
	case 0:
		b.gi.size = fuzz_size(sizeof(b.gi));
		b.gi.n_formats = rn(4) ? IOPGT_FMT_COUNT : rn(100);
		if (b.gi.n_formats > IOPGT_FMT_COUNT + 2)
			b.gi.n_formats = IOPGT_FMT_COUNT + 2;
		b.gi.formats_uptr = (uintptr_t)fuzz_ptr(fi, sizeof(fi));
		b.gi.format_info_size = rn(4) ? sizeof(fi[0]) : rn(200);
		if (b.gi.format_info_size * b.gi.n_formats > sizeof(fi))
			b.gi.format_info_size = sizeof(fi[0]), b.gi.n_formats = IOPGT_FMT_COUNT;
		if (!rn(10))
			b.gi.flags = r64();
		do_ioctl(fd, IOPGT_GET_INFO, &b, sizeof(b.gi));
		break;
	case 1: {
		b.c.size = fuzz_size(sizeof(b.c));
		b.c.format = rn(4) && nfmts ? fmts[rn(nfmts)] : rn(20);
		b.c.flags = rn(4) ? (rn(4) ? 0 : IOPGT_AS_NONCOHERENT) : (__u32)r64();
		if (b.c.flags & IOPGT_AS_PERSISTENT && (rn(4) || npers >= 64))
			b.c.flags &= ~IOPGT_AS_PERSISTENT;
		b.c.quirks = rn(4) ? 0 : 1ULL << rn(64);
		b.c.pgsize_bitmap = rn(3) ? 0 : fuzz_u64();
		b.c.ias = rn(3) ? 0 : rn(70);
		b.c.oas = rn(3) ? 0 : rn(70);
		b.c.levels = rn(4) ? 0 : rn(8);
		if (nlive >= 16)
			break;
		step_begin("AS_CREATE", IOPGT_AS_CREATE, 0);
		n_ioctl++;
		if (!ioctl(fd, IOPGT_AS_CREATE, fuzz_ptr(&b, sizeof(b.c)))) {
			n_ok++;
			live[nlive++] = b.c.as_id;
			if (b.c.flags & IOPGT_AS_PERSISTENT)
				pers[npers++] = b.c.as_id;
		} else if (!allowed(errno)) {
			H_FAIL("AS_CREATE: undocumented errno %s", h_errname(errno));
		}
		break;
	}
	case 2:
		if (rn(4))
			break;
		b.d.size = fuzz_size(sizeof(b.d));
		b.d.as_id = fuzz_id();
		step_begin("AS_DESTROY", IOPGT_AS_DESTROY, b.d.as_id);
		n_ioctl++;
		if (!ioctl(fd, IOPGT_AS_DESTROY, &b)) {
			n_ok++;
			for (int i = 0; i < nlive; i++)
				if (live[i] == (int)b.d.as_id)
					live[i] = live[--nlive];
		} else if (!allowed(errno)) {
			H_FAIL("AS_DESTROY: undocumented errno %s", h_errname(errno));
		}
		break;
	case 3: case 4: case 5: {
		int n = 1 + rn(8);

		memset(me, 0, sizeof(me));
		for (int i = 0; i < n; i++) {
			me[i].iova = fuzz_u64();
			me[i].paddr = rn(2) ? me[i].iova : fuzz_u64();
			me[i].length = rn(3) ? SZ_4K << (rn(3) * 4) : fuzz_u64();
			me[i].prot = rn(8) ? RW : rn(64);
			me[i].pgsize_log2 = rn(3) ? 0 : rn(70);
			if (!rn(30))
				me[i].reason = 1;
		}
		b.m.size = fuzz_size(sizeof(b.m));
		b.m.as_id = fuzz_id();
		b.m.flags = rn(6) ? 0 : rn(4);
		b.m.n_entries = rn(10) ? (__u32)n : (__u32)r64();
		b.m.entries_uptr = (uintptr_t)fuzz_ptr(me, sizeof(me));
		b.m.entry_size = rn(10) ? sizeof(me[0]) : rn(80);
		if (b.m.entry_size > sizeof(me[0]) && b.m.n_entries * (__u64)b.m.entry_size > sizeof(me))
			b.m.n_entries = sizeof(me) / b.m.entry_size;
		step_begin("MAP", IOPGT_MAP, b.m.as_id);
		cur.n = b.m.n_entries;
		for (int i = 0; i < n; i++)
			if (me[i].length >= cur.length)
				cur.iova = me[i].iova, cur.length = me[i].length;
		do_ioctl(fd, IOPGT_MAP, &b, sizeof(b.m));
		break;
	}
	case 6: case 7: {
		int n = 1 + rn(8);

		memset(ue, 0, sizeof(ue));
		for (int i = 0; i < n; i++) {
			ue[i].iova = fuzz_u64();
			ue[i].length = rn(3) ? SZ_4K << (rn(3) * 4) : fuzz_u64();
		}
		b.u.size = fuzz_size(sizeof(b.u));
		b.u.as_id = fuzz_id();
		b.u.flags = rn(10) ? 0 : r64();
		b.u.n_entries = rn(10) ? (__u32)n : (__u32)r64();
		b.u.entries_uptr = (uintptr_t)fuzz_ptr(ue, sizeof(ue));
		b.u.entry_size = rn(10) ? sizeof(ue[0]) : rn(60);
		if (b.u.entry_size > sizeof(ue[0]) && b.u.n_entries * (__u64)b.u.entry_size > sizeof(ue))
			b.u.n_entries = sizeof(ue) / b.u.entry_size;
		step_begin("UNMAP", IOPGT_UNMAP, b.u.as_id);
		cur.n = b.u.n_entries;
		for (int i = 0; i < n; i++)
			if (ue[i].length >= cur.length)
				cur.iova = ue[i].iova, cur.length = ue[i].length;
		do_ioctl(fd, IOPGT_UNMAP, &b, sizeof(b.u));
		break;
	}
	case 8:
		b.x.size = fuzz_size(sizeof(b.x));
		b.x.as_id = fuzz_id();
		b.x.iova = fuzz_u64();
		step_begin("IOVA_TO_PHYS", IOPGT_IOVA_TO_PHYS, b.x.as_id);
		do_ioctl(fd, IOPGT_IOVA_TO_PHYS, &b, sizeof(b.x));
		break;
	case 9:
		b.h.size = fuzz_size(sizeof(b.h));
		b.h.as_id = fuzz_id();
		step_begin("GET_HW_CFG", IOPGT_GET_HW_CFG, b.h.as_id);
		do_ioctl(fd, IOPGT_GET_HW_CFG, &b, sizeof(b.h));
		break;
	case 10:
		b.w.size = fuzz_size(sizeof(b.w));
		b.w.as_id = fuzz_id();
		b.w.iova = fuzz_u64();
		b.w.flags = rn(4) ? rn(2) : r64();
		step_begin("WALK", IOPGT_WALK, b.w.as_id);
		do_ioctl(fd, IOPGT_WALK, &b, sizeof(b.w));
		break;
	default:
		if (rn(2)) {
			b.ai.size = fuzz_size(sizeof(b.ai));
			b.ai.as_id = fuzz_id();
			step_begin("AS_INFO", IOPGT_AS_INFO, b.ai.as_id);
			do_ioctl(fd, IOPGT_AS_INFO, &b, sizeof(b.ai));
		} else {
			/* unknown numbers */
			unsigned long cmd = rn(2) ? _IO(IOPGT_TYPE, rn(256)) :
				_IOC(rn(4), IOPGT_TYPE, IOPGT_CMD_BASE + rn(12), rn(1024));

			do_ioctl(fd, cmd, &b, sizeof(b));
		}
		break;
	}
}

/*
 * Read the reply to the last request until NLMSG_DONE/NLMSG_ERROR, a 200 ms
 * silence (no reply expected), or NL_REPLY_SECONDS: then the dump is
 * abandoned by closing the socket and a fresh one is opened.
 */
static void nl_reply(struct nl *nl)
{
	static char buf[65536] __attribute__((aligned(8)));
	double t0 = now_s();

	for (;;) {
		struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			return;
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE)
				return;
			cur.n++;
		}
		if (now_s() - t0 > NL_REPLY_SECONDS) {
			n_nl_cut++;
			nl_close(nl);
			use_nl = nl_open(nl) == 0;
			if (!use_nl)
				H_FAIL("netlink: reopening the socket failed");
			return;
		}
	}
}

static void fuzz_nl(struct nl *nl)
{
	char buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *h = (void *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	char *p = (char *)(g + 1);
	int nattr = rn(6);

	memset(buf, 0, sizeof(buf));
	h->nlmsg_type = nl->family;
	h->nlmsg_flags = NLM_F_REQUEST | (rn(8) ? NLM_F_DUMP : rn(2) ? NLM_F_ACK : 0);
	h->nlmsg_seq = ++nl->seq;
	g->cmd = rn(8) ? 1 + rn(3) : rn(256);
	g->version = rn(8) ? IOPGT_GENL_VERSION : rn(256);
	for (int i = 0; i < nattr; i++) {
		struct nlattr *a = (void *)p;
		int type = rn(8) ? rn(IOPGT_A_MAX + 2) : rn(0x8000);
		int len = rn(4) ? (rn(2) ? 4 : 8) : rn(24);
		__u64 v = type == IOPGT_A_AS_ID && nlive && rn(2) ? (__u64)live[rn(nlive)] :
			  type == IOPGT_A_DEV_ID && rn(2) ? 0 : fuzz_u64();

		if (p + NLA_HDRLEN + 24 > buf + sizeof(buf))
			break;
		a->nla_type = type;
		a->nla_len = NLA_HDRLEN + len;
		memset(p + NLA_HDRLEN, 0, 24);
		memcpy(p + NLA_HDRLEN, &v, len < 8 ? len : 8);
		p += NLA_HDRLEN + ((len + 3) & ~3);
	}
	h->nlmsg_len = p - buf;
	if (!rn(20))
		h->nlmsg_len -= rn(8);
	step_begin("netlink", g->cmd, 0);
	for (struct nlattr *a = (void *)(g + 1); (char *)a < p; a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == IOPGT_A_AS_ID)
			memcpy(&cur.as_id, a + 1, 4);
	if (nl_send_raw(nl, buf, h->nlmsg_len) >= 0) {
		n_nl++;
		nl_reply(nl);
	}
}

TEST_X(fuzz, H_PLAIN, 600, 0)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;
	const char *e = getenv("IOPGT_FUZZ_SECONDS");
	double secs = e && atof(e) > 0 ? atof(e) : 20, el, t0, ts;
	struct nl nl;
	unsigned long i = 0;
	int fd = dev_open();

	rs = h_seed() ^ 0x9e3779b97f4a7c15ULL;	/* xorshift: any seed, never 0 */
	if (!rs)
		rs = 1;
	rnd64(&rs);
	guard_pg = (size_t)sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, 2 * guard_pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(guard != MAP_FAILED);
	ASSERT_OK(mprotect(guard + guard_pg, guard_pg, PROT_NONE));
	ASSERT_OK(get_info(fd, &gi, f));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
		if (f[i].flags & IOPGT_FMT_F_AVAILABLE)
			fmts[nfmts++] = f[i].format;
	use_nl = nl_open(&nl) == 0;
	t0 = now_s();
	do {
		/* 64 ioctls, then one netlink request, now and then a new fd */
		ts = now_s();
		if (++i % 65) {
			fuzz_one(fd);
		} else if (use_nl) {
			fuzz_nl(&nl);
		}
		step_end(ts);
		if (!(i % 65) && !rn(64)) {	/* fresh fd: every AS of the old one dies */
			ts = now_s();
			step_begin("close", 0, 0);
			cur.n = nlive;
			close(fd);
			step_end(ts);
			fd = dev_open();
			nlive = 0;
		}
		el = now_s() - t0;
	} while (el < secs && h_failed() < 20);
	printf("# fuzz: %llu ioctls in %.1f s (%.0f/s) seed=%llu, %llu succeeded, %llu netlink requests (%llu dumps cut at %.1f s)%s\n",
	       n_ioctl, el, n_ioctl / el, h_seed(), n_ok, n_nl, n_nl_cut,
	       NL_REPLY_SECONDS, use_nl ? "" : " (no netlink family)");
	printf("# fuzz: slowest step %.2f s (op %s cmd=%#lx as=%u n=%u iova=%#llx length=%#llx)\n",
	       slowest_s, slowest.op ? slowest.op : "?", slowest.cmd,
	       slowest.as_id, slowest.n, (unsigned long long)slowest.iova,
	       (unsigned long long)slowest.length);
	/* whatever is persistent: destroy it so the leak check sees the baseline */
	for (int i = 0; i < npers; i++)
		as_destroy(fd, pers[i]);
	close(fd);
	if (use_nl)
		nl_close(&nl);
}
