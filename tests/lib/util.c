// SPDX-License-Identifier: GPL-2.0
/* Raw ioctl, sysfs and generic-netlink helpers for the iopgt tests. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>

#include "util.h"

int dev_open(void)
{
	int fd = open(IOPGT_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		H_FAIL("open %s: %s", IOPGT_DEV, h_errname(errno));
		h_abort();
	}
	return fd;
}

int get_info(int fd, struct iopgt_get_info *gi, struct iopgt_format_info *fmts)
{
	memset(gi, 0, sizeof(*gi));
	gi->size = sizeof(*gi);
	if (fmts) {
		memset(fmts, 0, sizeof(*fmts) * IOPGT_FMT_COUNT);
		gi->n_formats = IOPGT_FMT_COUNT;
		gi->formats_uptr = (uintptr_t)fmts;
		gi->format_info_size = sizeof(*fmts);
	}
	return ioctl(fd, IOPGT_GET_INFO, gi);
}

void format_info(int fd, __u32 format, struct iopgt_format_info *fi)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;

	ASSERT_OK(get_info(fd, &gi, f));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++) {
		if (f[i].format == format) {
			*fi = f[i];
			return;
		}
	}
	H_FAIL("format %u not in GET_INFO", format);
	h_abort();
}

const char *format_name(__u32 f)
{
	static const char *const n[IOPGT_FMT_COUNT] = {
		"INVALID", "ARM_32_LPAE_S1", "ARM_32_LPAE_S2", "ARM_64_LPAE_S1",
		"ARM_64_LPAE_S2", "ARM_V7S", "ARM_MALI_LPAE", "APPLE_DART",
		"APPLE_DART2", "AMD_IOMMU_V1", "AMD_IOMMU_V2", "PT_AMDV1",
		"PT_VTDSS", "PT_X86_64", "PT_RISCV64",
	};
	return f < IOPGT_FMT_COUNT ? n[f] : "?";
}

bool fmt_is_lpae_s1(__u32 f)
{
	return f == IOPGT_FMT_ARM_32_LPAE_S1 || f == IOPGT_FMT_ARM_64_LPAE_S1;
}

bool fmt_is_lpae_s2(__u32 f)
{
	return f == IOPGT_FMT_ARM_32_LPAE_S2 || f == IOPGT_FMT_ARM_64_LPAE_S2;
}

bool fmt_is_lpae(__u32 f)
{
	return fmt_is_lpae_s1(f) || fmt_is_lpae_s2(f) || f == IOPGT_FMT_ARM_MALI_LPAE;
}

int as_create(int fd, __u32 format, __u32 flags, __u64 pgsizes, __u32 ias,
	      __u32 oas, __u64 quirks, struct iopgt_as_create *out)
{
	struct iopgt_as_create c = {
		.size = sizeof(c), .flags = flags, .format = format,
		.quirks = quirks, .pgsize_bitmap = pgsizes, .ias = ias, .oas = oas,
	};
	int ret = ioctl(fd, IOPGT_AS_CREATE, &c);

	if (out)
		*out = c;
	return ret < 0 ? ret : (int)c.as_id;
}

int as_create_v(int fd, const struct h_variant *v, __u64 quirks,
		struct iopgt_as_create *out)
{
	struct iopgt_as_create c;
	int id = as_create(fd, v->format, 0, v->pgsizes, v->ias, v->oas, quirks, &c);

	if (id < 0) {
		H_FAIL("AS_CREATE %s quirks 0x%llx: %s", v->name,
		       (unsigned long long)quirks, h_errname(errno));
		h_abort();
	}
	if (out)
		*out = c;
	return id;
}

int as_destroy(int fd, __u32 id)
{
	struct iopgt_as_destroy d = { .size = sizeof(d), .as_id = id };

	return ioctl(fd, IOPGT_AS_DESTROY, &d);
}

int map1e(int fd, __u32 id, struct iopgt_map_entry *e, __u32 flags, __u32 *n_done)
{
	struct iopgt_map m = {
		.size = sizeof(m), .as_id = id, .flags = flags, .n_entries = 1,
		.entries_uptr = (uintptr_t)e, .entry_size = sizeof(*e),
	};
	int ret = ioctl(fd, IOPGT_MAP, &m);

	if (n_done)
		*n_done = m.n_done;
	return ret;
}

int map1(int fd, __u32 id, __u64 iova, __u64 pa, __u64 len, __u32 prot,
	 __u32 pgsize_log2, __u64 *mapped)
{
	struct iopgt_map_entry e = {
		.iova = iova, .paddr = pa, .length = len, .prot = prot,
		.pgsize_log2 = pgsize_log2,
	};
	int ret = map1e(fd, id, &e, 0, NULL);

	if (mapped)
		*mapped = e.mapped;
	return ret;
}

int unmap1(int fd, __u32 id, __u64 iova, __u64 len, __u64 *unmapped)
{
	struct iopgt_unmap_entry e = { .iova = iova, .length = len };
	struct iopgt_unmap u = {
		.size = sizeof(u), .as_id = id, .n_entries = 1,
		.entries_uptr = (uintptr_t)&e, .entry_size = sizeof(e),
	};
	int ret = ioctl(fd, IOPGT_UNMAP, &u);

	if (unmapped)
		*unmapped = e.unmapped;
	return ret;
}

int xlate(int fd, __u32 id, __u64 iova, __u64 *phys, __u32 *out_flags)
{
	struct iopgt_iova_to_phys x = { .size = sizeof(x), .as_id = id, .iova = iova };
	int ret = ioctl(fd, IOPGT_IOVA_TO_PHYS, &x);

	if (phys)
		*phys = x.phys;
	if (out_flags)
		*out_flags = x.out_flags;
	return ret;
}

__u64 xlate_or_none(int fd, __u32 id, __u64 iova)
{
	__u64 phys;
	__u32 fl;

	if (xlate(fd, id, iova, &phys, &fl) < 0) {
		H_FAIL("IOVA_TO_PHYS as %u iova 0x%llx: %s", id,
		       (unsigned long long)iova, h_errname(errno));
		h_abort();
	}
	if (!(fl & IOPGT_XLATE_MAPPED)) {
		if (phys)
			H_FAIL("IOVA_TO_PHYS 0x%llx: not mapped but phys 0x%llx",
			       (unsigned long long)iova, (unsigned long long)phys);
		return ~0ULL;
	}
	return phys;
}

int hw_cfg(int fd, __u32 id, struct iopgt_hw_cfg *h)
{
	memset(h, 0, sizeof(*h));
	h->size = sizeof(*h);
	h->as_id = id;
	return ioctl(fd, IOPGT_GET_HW_CFG, h);
}

int as_info(int fd, __u32 id, struct iopgt_as_info *ai)
{
	memset(ai, 0, sizeof(*ai));
	ai->size = sizeof(*ai);
	ai->as_id = id;
	return ioctl(fd, IOPGT_AS_INFO, ai);
}

int walk(int fd, __u32 id, __u64 iova, __u32 flags, struct iopgt_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->as_id = id;
	w->iova = iova;
	w->flags = flags;
	return ioctl(fd, IOPGT_WALK, w);
}

int pgsizes_list(__u64 bitmap, __u64 *out, int max)
{
	int n = 0;

	for (int b = 0; b < 64 && n < max; b++)
		if (bitmap & (1ULL << b))
			out[n++] = 1ULL << b;
	return n;
}

int pgsizes_mix(__u64 bitmap, __u64 *out)
{
	__u64 all[64];
	int n = pgsizes_list(bitmap, all, 64), k = 0;
	int pick[6];

	while (n > 1 && all[n - 1] > SZ_1G)
		n--;
	if (n <= 4) {
		memcpy(out, all, n * sizeof(*out));
		return n;
	}
	/* 2 and 16 slots of the smallest level, a level size, 2 of its slots, the top */
	pick[0] = 0, pick[1] = 1, pick[2] = 4 < n ? 4 : 2;
	pick[3] = n / 2, pick[4] = n / 2 + 1, pick[5] = n - 1;
	for (int i = 0; i < 6; i++)
		if (pick[i] < n && (!k || all[pick[i]] > out[k - 1]))
			out[k++] = all[pick[i]];
	return k;
}

__u32 first_available(int fd, const __u32 *prefer, unsigned int n)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;

	if (get_info(fd, &gi, f))
		return 0;
	for (unsigned int p = 0; p < n; p++)
		for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
			if (f[i].format == prefer[p] && (f[i].flags & IOPGT_FMT_F_AVAILABLE))
				return prefer[p];
	return 0;
}

const char *pgsizes_str(__u64 bitmap, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int b = 0; b < 64; b++) {
		const char *u = "";
		__u64 v = 1ULL << b;

		if (!(bitmap & v))
			continue;
		if (b >= 40) {
			v >>= 40;
			u = "T";
		} else if (b >= 30) {
			v >>= 30;
			u = "G";
		} else if (b >= 20) {
			v >>= 20;
			u = "M";
		} else if (b >= 10) {
			v >>= 10;
			u = "K";
		}
		o += snprintf(buf + o, len > o ? len - o : 0, "%s%llu%s", o ? "+" : "",
			      (unsigned long long)v, u);
	}
	if (!o)
		snprintf(buf, len, "default");
	return buf;
}

int sysfs_read_u64(const char *path, unsigned long long *val)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	*val = strtoull(buf, NULL, 0);
	return 0;
}

int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

int param_get(const char *name, unsigned long long *val)
{
	char p[256];

	snprintf(p, sizeof(p), IOPGT_PARAM "%s", name);
	return sysfs_read_u64(p, val);
}

int param_set(const char *name, unsigned long long val)
{
	char p[256], v[32];

	snprintf(p, sizeof(p), IOPGT_PARAM "%s", name);
	snprintf(v, sizeof(v), "%llu", val);
	return sysfs_write(p, v);
}

bool param_exists(const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), IOPGT_PARAM "%s", name);
	return access(p, F_OK) == 0;
}

long long read_nr_iommu_pages(void)
{
	char line[128];
	long long v = -1;
	FILE *f;

	sysfs_write("/proc/sys/vm/stat_refresh", "1");
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "nr_iommu_pages ", 15))
			v = atoll(line + 15);
	fclose(f);
	return v;
}

__u64 table_unit(const struct iopgt_format_info *fi, __u64 pgsize_bitmap)
{
	__u64 gran = pgsize_bitmap & -pgsize_bitmap;
	__u32 n = fi->n_pgsize_sets < IOPGT_MAX_PGSIZE_SETS ? fi->n_pgsize_sets :
							     IOPGT_MAX_PGSIZE_SETS;

	for (__u32 k = 0; k < n; k++)
		if ((fi->pgsize_sets[k] & -fi->pgsize_sets[k]) == gran)
			return fi->table_bytes[k];
	H_FAIL("%s: no page-size set of GET_INFO has the granule 0x%llx of 0x%llx",
	       fi->name, (unsigned long long)gran, (unsigned long long)pgsize_bitmap);
	return 0;
}

int leak_snap(struct leak_snap *s)
{
	struct iopgt_get_info gi;
	int fd = open(IOPGT_DEV, O_RDWR | O_CLOEXEC);

	memset(s, 0, sizeof(*s));
	if (fd < 0)
		return -1;
	if (get_info(fd, &gi, NULL) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	s->module_allocs = gi.module_allocs;
	s->table_bytes = gi.table_bytes;
	s->nr_as = gi.nr_as;
	s->nr_iommu_pages = read_nr_iommu_pages();
	return 0;
}

bool leak_same(const struct leak_snap *a, const struct leak_snap *b, const char *what)
{
	bool same = true;

	if (a->module_allocs != b->module_allocs || a->table_bytes != b->table_bytes ||
	    a->nr_as != b->nr_as) {
		printf("# FAIL %s: leak: module_allocs %llu -> %llu, table_bytes %llu -> %llu, nr_as %llu -> %llu (seed=%llu)\n",
		       what, a->module_allocs, b->module_allocs, a->table_bytes,
		       b->table_bytes, a->nr_as, b->nr_as, h_seed());
		same = false;
	}
	/*
	 * nr_iommu_pages is system wide and only approximately refreshed;
	 * it is compared only when the module counters moved too, or when it
	 * grew, which is a table-page leak the module did not count.
	 */
	if (a->nr_iommu_pages >= 0 && b->nr_iommu_pages > a->nr_iommu_pages) {
		printf("# FAIL %s: leak: nr_iommu_pages %lld -> %lld (seed=%llu)\n",
		       what, a->nr_iommu_pages, b->nr_iommu_pages, h_seed());
		same = false;
	}
	fflush(stdout);
	return same;
}

/* ---- generic netlink ---- */

#define NLA_ALIGNTO_ 4
#define NLA_AL(len) (((len) + NLA_ALIGNTO_ - 1) & ~(NLA_ALIGNTO_ - 1))

__u32 nla_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

__u64 nla_u64(const struct nlattr *a)
{
	__u64 v = 0;

	if (a->nla_len - NLA_HDRLEN >= 8)
		memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	else
		v = nla_u32(a);
	return v;
}

static void *put_attr(void *p, __u16 type, const void *data, __u16 len)
{
	struct nlattr *a = p;

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)p + NLA_HDRLEN, data, len);
	memset((char *)p + NLA_HDRLEN + len, 0, NLA_AL(len) - len);
	return (char *)p + NLA_HDRLEN + NLA_AL(len);
}

static int nl_send(struct nl *nl, __u16 type, __u16 flags, __u8 cmd,
		   const struct nl_req_attr *attrs, int n)
{
	char buf[512];
	struct nlmsghdr *h = (void *)buf;
	struct genlmsghdr *g = NLMSG_DATA(h);
	char *p = (char *)(g + 1);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	memset(buf, 0, sizeof(buf));
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl->seq;
	g->cmd = cmd;
	g->version = IOPGT_GENL_VERSION;
	for (int i = 0; i < n; i++) {
		if (attrs[i].len == 8) {
			__u64 v = attrs[i].val;

			p = put_attr(p, attrs[i].type, &v, 8);
		} else {
			__u32 v = attrs[i].val;

			p = put_attr(p, attrs[i].type, &v, 4);
		}
	}
	h->nlmsg_len = p - buf;
	if (sendto(nl->fd, buf, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

int nl_send_raw(struct nl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n = sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));

	return n < 0 ? -errno : (int)n;
}

static void parse_attrs(const struct nlattr *a, int len, const struct nlattr **tb, int max)
{
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int t = a->nla_type & NLA_TYPE_MASK;

		if (t <= max)
			tb[t] = a;
		len -= NLA_AL(a->nla_len);
		a = (const void *)((const char *)a + NLA_AL(a->nla_len));
	}
}

/*
 * One recv() of replies for our seq, cb per data message (none once *stop
 * is set, which a non-zero cb return sets): 1 when more is to come, else
 * the reply's result, 0 or -errno (DONE, ERROR, poll timeout).
 */
static int nl_recv_one(struct nl *nl, nl_cb cb, void *arg, bool *intr, bool *stop,
		       int timeout_ms)
{
	static char buf[65536] __attribute__((aligned(8)));
	struct pollfd pfd = { .fd = nl->fd, .events = POLLIN };
	ssize_t n;

	if (timeout_ms >= 0 && poll(&pfd, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	n = recv(nl->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_seq != nl->seq)
			continue;
		if (h->nlmsg_flags & NLM_F_DUMP_INTR && intr)
			*intr = true;
		if (h->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error;
		}
		if (h->nlmsg_type == NLMSG_DONE) {
			int err = 0;

			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
				memcpy(&err, NLMSG_DATA(h), sizeof(int));
			return err;
		}
		if (cb && !*stop) {
			struct nl_msg m;
			const struct genlmsghdr *g = NLMSG_DATA(h);
			int alen = h->nlmsg_len - NLMSG_LENGTH(sizeof(*g));

			memset(&m, 0, sizeof(m));
			m.nlh = h;
			if (alen > 0)
				parse_attrs((const void *)(g + 1), alen, m.tb, IOPGT_A_MAX);
			if (cb(&m, arg))
				*stop = true;
		}
	}
	return 1;
}

/* receive until DONE or ERROR for our seq; cb per data message */
static int nl_recv(struct nl *nl, nl_cb cb, void *arg, bool *intr, int timeout_ms)
{
	bool stop = false;
	int ret;

	do
		ret = nl_recv_one(nl, cb, arg, intr, &stop, timeout_ms);
	while (ret == 1);
	return ret;
}

int nl_drain(struct nl *nl, int timeout_ms)
{
	return nl_recv(nl, NULL, NULL, NULL, timeout_ms);
}

struct fam_arg {
	__u16 id;
};

static int fam_cb(const struct nl_msg *m, void *arg)
{
	const struct genlmsghdr *g = NLMSG_DATA(m->nlh);
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	int alen = m->nlh->nlmsg_len - NLMSG_LENGTH(sizeof(*g));

	parse_attrs((const void *)(g + 1), alen, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID]) {
		__u16 id;

		memcpy(&id, (const char *)tb[CTRL_ATTR_FAMILY_ID] + NLA_HDRLEN, 2);
		((struct fam_arg *)arg)->id = id;
	}
	return 0;
}

int nl_open(struct nl *nl)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	char req[128];
	struct nlmsghdr *h = (void *)req;
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct fam_arg fa = { 0 };
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &sl) < 0) {
		ret = -errno;
		close(nl->fd);
		return ret;
	}
	nl->portid = sa.nl_pid;
	memset(req, 0, sizeof(req));
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++nl->seq;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	h->nlmsg_len = (char *)put_attr(g + 1, CTRL_ATTR_FAMILY_NAME, IOPGT_GENL_NAME,
					sizeof(IOPGT_GENL_NAME)) - req;
	ret = nl_send_raw(nl, req, h->nlmsg_len);
	if (ret < 0)
		goto err;
	ret = nl_recv(nl, fam_cb, &fa, NULL, 5000);
	if (ret < 0)
		goto err;
	if (!fa.id) {
		ret = -ENOENT;
		goto err;
	}
	nl->family = fa.id;
	return 0;
err:
	close(nl->fd);
	nl->fd = -1;
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int nl_dump(struct nl *nl, __u8 cmd, const struct nl_req_attr *attrs, int n_attrs,
	    nl_cb cb, void *arg, bool *intr)
{
	int ret;

	if (intr)
		*intr = false;
	ret = nl_send(nl, nl->family, NLM_F_DUMP, cmd, attrs, n_attrs);
	if (ret < 0)
		return ret;
	return nl_recv(nl, cb, arg, intr, 60000);
}

static int tree_cb(const struct nl_msg *m, void *arg)
{
	struct tree_walk *ta = arg;
	__u32 kind, span;

	ta->st->messages++;
	if (!m->tb[IOPGT_A_ENTRY_KIND])
		return 0;
	ta->st->entries++;
	kind = nla_u32(m->tb[IOPGT_A_ENTRY_KIND]);
	if (kind == IOPGT_PTE_TABLE) {
		ta->st->tables++;
		return 0;
	}
	if (kind != IOPGT_PTE_BLOCK && kind != IOPGT_PTE_PAGE)
		return 0;
	if (!m->tb[IOPGT_A_ENTRY_SPAN_LOG2] || !m->tb[IOPGT_A_ENTRY_IOVA] ||
	    !m->tb[IOPGT_A_ENTRY_OA]) {
		ta->err = -EBADMSG;
		return 1;
	}
	span = nla_u32(m->tb[IOPGT_A_ENTRY_SPAN_LOG2]);
	if (span < 64)
		ta->st->leaves[span]++;
	if (ta->cb && ta->cb(nla_u64(m->tb[IOPGT_A_ENTRY_IOVA]),
			     nla_u64(m->tb[IOPGT_A_ENTRY_OA]), span, ta->arg))
		return 1;
	return 0;
}

int tree_dump(struct nl *nl, __u32 as_id, struct tree_stats *st, leaf_cb cb, void *arg)
{
	struct tree_walk tw;
	int ret = tree_dump_begin(nl, as_id, &tw, st, cb, arg);

	if (ret)
		return ret;
	do
		ret = tree_dump_step(nl, &tw);
	while (ret == 1);
	return ret;
}

int tree_dump_begin(struct nl *nl, __u32 as_id, struct tree_walk *tw,
		    struct tree_stats *st, leaf_cb cb, void *arg)
{
	struct nl_req_attr a[2] = {
		{ IOPGT_A_DEV_ID, 4, 0 },
		{ IOPGT_A_AS_ID, 4, as_id },
	};
	int ret;

	memset(st, 0, sizeof(*st));
	*tw = (struct tree_walk){ .st = st, .cb = cb, .arg = arg };
	ret = nl_send(nl, nl->family, NLM_F_DUMP, IOPGT_NL_CMD_TREE_GET, a, 2);
	return ret < 0 ? ret : 0;
}

int tree_dump_step(struct nl *nl, struct tree_walk *tw)
{
	int ret = nl_recv_one(nl, tree_cb, tw, &tw->st->intr, &tw->stop, 60000);

	return ret ? ret : tw->err;
}

/* the same for the entries overlapping [first, last] (the request filter) */
int tree_dump_range(struct nl *nl, __u32 as_id, __u64 first, __u64 last,
		    struct tree_stats *st, leaf_cb cb, void *arg)
{
	struct nl_req_attr a[4] = {
		{ IOPGT_A_DEV_ID, 4, 0 },
		{ IOPGT_A_AS_ID, 4, as_id },
		{ IOPGT_A_DUMP_IOVA_START, 8, first },
		{ IOPGT_A_DUMP_IOVA_END, 8, last },
	};
	struct tree_walk ta = { .st = st, .cb = cb, .arg = arg };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nl_dump(nl, IOPGT_NL_CMD_TREE_GET, a, 4, tree_cb, &ta, &st->intr);
	return ret ? ret : ta.err;
}

/* map a mix: every page size (up to 1G) twice, plus a run of granules */
int map_mix(int fd, int id, const struct iopgt_as_create *c, struct ext *ex)
{
	__u64 sizes[6], iova = 0;
	int n = pgsizes_mix(c->out_pgsize_bitmap, sizes), ne = 0;

	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			__u64 s = sizes[i], pa = (0x100 + 3 * i + k) * s;

			iova = (iova + s - 1) & ~(s - 1);
			if (c->out_oas < 64 && pa + s > 1ULL << c->out_oas)
				pa = 0;
			if (c->out_ias < 64 && iova + s > 1ULL << c->out_ias)
				break;
			ASSERT_OK(map1(fd, id, iova, pa, s, RW, ilog2_64(s), NULL));
			ex[ne++] = (struct ext){ iova, pa, s, s };
			iova += 2 * s;
		}
	}
	/* 37 granules in one call, crossing a leaf-table boundary */
	iova = (iova + SZ_2M - 1) & ~(SZ_2M - 1);
	iova += SZ_2M - 5 * sizes[0];
	if (c->out_ias >= 64 || iova + 37 * sizes[0] <= 1ULL << c->out_ias) {
		ASSERT_OK(map1(fd, id, iova, 0x40 * sizes[0], 37 * sizes[0], RW,
			       ilog2_64(sizes[0]), NULL));
		ex[ne++] = (struct ext){ iova, 0x40 * sizes[0], 37 * sizes[0], sizes[0] };
	}
	return ne;
}
