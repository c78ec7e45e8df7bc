// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: the "iopgt" generic netlink family over libmnl.
 *
 * Every dump streams: one message is decoded into a stack struct and handed
 * to the caller's callback, so memory stays constant whatever the tree size.
 * NLM_F_DUMP_INTR on any message (or on NLMSG_DONE) marks the dump as torn:
 * the callback is not called again, the rest is drained, and -EINTR is
 * returned with err->dump_intr set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libiopgt.h"
#include "nl_priv.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

#define NL_BUFSZ	(64 * 1024)

struct iopgt_netlink {
	struct mnl_socket *sk;
	uint16_t family;
	uint32_t portid;
	uint32_t seq;
	char *buf;
	int src_fd;	/* >= 0: read a recorded stream from this fd */
	size_t carry;	/* src_fd: bytes left at buf from the last buffer */
	int carry_cut;	/* they are one message cut by the read size */
	int rec_fd;	/* >= 0: record every received buffer here */
	/* requests are built here: buf may hold a recorded stream's next bytes */
	char req[512] __attribute__((aligned(8)));
};

struct run_ctx {
	int (*cb)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
	int intr;
	int stopped;
	int user_ret;
	int error;	/* negative errno from NLMSG_ERROR/DONE */
	char ext_msg[200];
};

uint16_t iopgt_netlink_family(const struct iopgt_netlink *nl)
{
	return nl->family;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct run_ctx *rc = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(rc->ext_msg, sizeof(rc->ext_msg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void parse_extack(const struct nlmsghdr *nlh, unsigned int offset,
			 struct run_ctx *rc)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (offset >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, offset, extack_cb, rc);
}

/*
 * One buffer of messages: a datagram from the socket, or the next bytes of
 * a recorded stream after the partial message kept from the last read.
 * Returns the bytes in nl->buf, 0 at the end of a recorded stream, or -1
 * with errno.
 */
static ssize_t nl_recv(struct iopgt_netlink *nl)
{
	ssize_t n;

	if (nl->src_fd >= 0) {
		size_t have = nl->carry;

		while (have < NL_BUFSZ) {
			n = read(nl->src_fd, nl->buf + have, NL_BUFSZ - have);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
			if (!n)
				break;
			have += (size_t)n;
		}
		if (have == nl->carry && (nl->carry_cut || !have))
			return 0;
		nl->carry = 0;
		return (ssize_t)have;
	}
	n = mnl_socket_recvfrom(nl->sk, nl->buf, NL_BUFSZ);
	if (n > 0 && nl->rec_fd >= 0) {
		const char *p = nl->buf;
		size_t left = (size_t)n;

		while (left) {
			ssize_t w = write(nl->rec_fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {	/* stop recording; the dump goes on */
				nl->rec_fd = -1;
				break;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	return n;
}

/*
 * A recorded stream holds every attempt of a retried dump back to back:
 * what follows NLMSG_DONE/ERROR in the buffer belongs to the next one.
 */
static void keep_rest(struct iopgt_netlink *nl, const struct nlmsghdr *nlh, int len)
{
	if (nl->src_fd < 0)
		return;
	nlh = mnl_nlmsg_next(nlh, &len);
	nl->carry = len > 0 ? (size_t)len : 0;
	nl->carry_cut = 0;
	if (nl->carry)
		memmove(nl->buf, nlh, nl->carry);
}

/* mnl_nlmsg_ok() and mnl_nlmsg_next(), inlined: one of each per tree entry */
static inline int nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(struct nlmsghdr) &&
	       nlh->nlmsg_len >= sizeof(struct nlmsghdr) &&
	       (int)nlh->nlmsg_len <= len;
}

static inline const struct nlmsghdr *nlmsg_next(const struct nlmsghdr *nlh, int *len)
{
	*len -= (int)MNL_ALIGN(nlh->nlmsg_len);
	return (const struct nlmsghdr *)((const char *)nlh + MNL_ALIGN(nlh->nlmsg_len));
}

/*
 * Receives until NLMSG_DONE / NLMSG_ERROR for @seq, @cb per message (the
 * tree dump's own copy calls entry_msg() directly: nl_run_tree()).
 * Returns 0 or -errno.
 */
static inline __attribute__((always_inline)) int
nl_run_cb(struct iopgt_netlink *nl, uint32_t seq, struct run_ctx *rc, const char *op,
	  struct iopgt_err *err, int (*cb)(const struct nlmsghdr *nlh, void *arg))
{
	for (;;) {
		ssize_t n = nl_recv(nl);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->buf;
		int len;

		if (n == 0 && nl->src_fd >= 0) {
			rc->error = -EPROTO;
			snprintf(rc->ext_msg, sizeof(rc->ext_msg),
				 "the recorded stream ends %s",
				 nl->carry ? "inside a message" :
				 "before NLMSG_DONE");
			goto done;
		}
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			if (e == ENOBUFS)
				return iopgt_err_set(err, -ENOBUFS,
						     "%s: netlink receive buffer overrun (ENOBUFS)",
						     op);
			return iopgt_err_set(err, -e, "%s: netlink receive: %s (%s)",
					     op, strerror(e), iopgt_errno_name(e));
		}
		len = (int)n;
		for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq && nl->src_fd < 0)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				rc->intr = 1;
			/* a data message first: one per tree entry */
			if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
				if (rc->intr || rc->stopped || !rc->cb)
					continue;
				rc->user_ret = cb(nlh, rc->arg);
				if (rc->user_ret)
					rc->stopped = 1;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
					int e = *(int *)mnl_nlmsg_get_payload(nlh);

					if (e < 0)
						rc->error = e;
					parse_extack(nlh, sizeof(int), rc);
				}
				keep_rest(nl, nlh, len);
				goto done;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				unsigned int off = sizeof(*e);

				if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
					rc->error = -EPROTO;
					goto done;
				}
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				rc->error = e->error;
				parse_extack(nlh, off, rc);
				keep_rest(nl, nlh, len);
				goto done;
			}
		}
		if (nl->src_fd >= 0) {	/* a message cut by the read size */
			nl->carry = len > 0 ? (size_t)len : 0;
			nl->carry_cut = 1;
			if (nl->carry)
				memmove(nl->buf, nlh, nl->carry);
		}
	}
done:
	if (rc->error) {
		int e = -rc->error;

		if (rc->ext_msg[0]) {
			iopgt_err_set(err, rc->error, "%s: %s (%s)", op, rc->ext_msg,
				      iopgt_errno_name(e));
			if (err)
				err->from_kernel = 1;
			return rc->error;
		}
		return iopgt_err_set(err, rc->error, "%s: %s (%s)", op,
				     strerror(e), iopgt_errno_name(e));
	}
	if (rc->intr) {
		iopgt_err_set(err, -EINTR,
			      "%s: the tables changed during the dump (NLM_F_DUMP_INTR)",
			      op);
		if (err)
			err->dump_intr = 1;
		return -EINTR;
	}
	if (rc->stopped)
		return rc->user_ret;
	if (err)
		err->code = 0;
	return 0;
}

static int nl_run(struct iopgt_netlink *nl, uint32_t seq, struct run_ctx *rc,
		  const char *op, struct iopgt_err *err)
{
	return nl_run_cb(nl, seq, rc, op, err, rc->cb);
}

static struct nlmsghdr *genl_req(struct iopgt_netlink *nl, uint16_t type,
				 uint16_t flags, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int nl_send(struct iopgt_netlink *nl, struct nlmsghdr *nlh, const char *op,
		   struct iopgt_err *err)
{
	if (nl->src_fd >= 0)	/* a recorded stream: the request was sent */
		return 0;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		int e = errno;

		return iopgt_err_set(err, -e, "%s: netlink send: %s (%s)", op,
				     strerror(e), iopgt_errno_name(e));
	}
	return 0;
}

struct family_ctx {
	uint16_t id;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family_ctx *fc = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		fc->id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, arg);
	return 0;
}

int iopgt_netlink_open(struct iopgt_netlink **out, struct iopgt_err *err)
{
	struct iopgt_netlink *nl;
	struct nlmsghdr *nlh;
	struct family_ctx fc = { 0 };
	struct run_ctx rc = { .cb = family_cb, .arg = &fc };
	int one = 1, ret;
	int rcvbuf = 4 * 1024 * 1024;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return iopgt_err_set(err, -ENOMEM, "netlink: out of memory");
	nl->buf = malloc(NL_BUFSZ);
	if (!nl->buf) {
		free(nl);
		return iopgt_err_set(err, -ENOMEM, "netlink: out of memory");
	}
	nl->src_fd = -1;
	nl->rec_fd = -1;
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		ret = -errno;
		iopgt_err_set(err, ret, "netlink: socket: %s (%s)",
			      strerror(-ret), iopgt_errno_name(ret));
		goto fail;
	}
	/* best effort: older kernels lack these */
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		iopgt_err_set(err, ret, "netlink: bind: %s (%s)",
			      strerror(-ret), iopgt_errno_name(ret));
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);

	nlh = genl_req(nl, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
		       CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IOPGT_GENL_NAME);
	ret = nl_send(nl, nlh, "resolve family " IOPGT_GENL_NAME, err);
	if (ret)
		goto fail;
	ret = nl_run(nl, nlh->nlmsg_seq, &rc, "resolve family " IOPGT_GENL_NAME,
		     err);
	if (ret == -ENOENT) {
		iopgt_err_set(err, ret,
			      "generic netlink family \"%s\" is not registered (is the iopgt module loaded?) (ENOENT)",
			      IOPGT_GENL_NAME);
		goto fail;
	}
	if (ret)
		goto fail;
	if (!fc.id) {
		ret = iopgt_err_set(err, -EPROTO,
				    "resolve family %s: no family id in the reply",
				    IOPGT_GENL_NAME);
		goto fail;
	}
	nl->family = fc.id;
	*out = nl;
	return 0;
fail:
	iopgt_netlink_close(nl);
	return ret;
}

int iopgt_netlink_open_stream(struct iopgt_netlink **out, int fd, struct iopgt_err *err)
{
	struct iopgt_netlink *nl;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (nl)
		nl->buf = malloc(NL_BUFSZ);
	if (!nl || !nl->buf) {
		free(nl);
		return iopgt_err_set(err, -ENOMEM, "netlink: out of memory");
	}
	nl->src_fd = fd;
	nl->rec_fd = -1;
	nl->family = GENL_MIN_ID;	/* any non-zero id: check_nl() passes */
	*out = nl;
	return 0;
}

void iopgt_netlink_record(struct iopgt_netlink *nl, int fd)
{
	nl->rec_fd = fd;
}

void iopgt_netlink_close(struct iopgt_netlink *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl);
}

/* ------------------------------------------------------------------ parsing */

struct attr_tb {
	const struct nlattr *a[IOPGT_A_MAX + 1];
	uint64_t has;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_tb *tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > IOPGT_A_MAX)
		return MNL_CB_OK;	/* newer kernel: ignore */
	tb->a[type] = attr;
	tb->has |= IOPGT_HAS(type);
	return MNL_CB_OK;
}

static uint32_t get_u32(const struct attr_tb *tb, int t)
{
	const struct nlattr *a = tb->a[t];

	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) == 4)
		return mnl_attr_get_u32(a);
	if (mnl_attr_get_payload_len(a) == 8)
		return (uint32_t)mnl_attr_get_u64(a);
	if (mnl_attr_get_payload_len(a) == 2)
		return mnl_attr_get_u16(a);
	if (mnl_attr_get_payload_len(a) == 1)
		return mnl_attr_get_u8(a);
	return 0;
}

static uint64_t get_u64(const struct attr_tb *tb, int t)
{
	const struct nlattr *a = tb->a[t];

	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) == 8)
		return mnl_attr_get_u64(a);
	return get_u32(tb, t);
}

static void parse_tb(const struct nlmsghdr *nlh, struct attr_tb *tb)
{
	memset(tb, 0, sizeof(*tb));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, tb);
}

struct dump_arg {
	void *cb;
	void *arg;
};

static int format_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_arg *d = arg;
	struct attr_tb tb;
	struct iopgt_netlink_format f;

	parse_tb(nlh, &tb);
	memset(&f, 0, sizeof(f));
	f.has = tb.has;
	f.dev_id = get_u32(&tb, IOPGT_A_DEV_ID);
	f.format = get_u32(&tb, IOPGT_A_FORMAT);
	f.flags = get_u32(&tb, IOPGT_A_FORMAT_FLAGS);
	f.unavail = get_u32(&tb, IOPGT_A_FORMAT_UNAVAIL);
	if (tb.a[IOPGT_A_FORMAT_NAME]) {
		size_t n = mnl_attr_get_payload_len(tb.a[IOPGT_A_FORMAT_NAME]);

		if (n >= sizeof(f.name))
			n = sizeof(f.name) - 1;
		memcpy(f.name, mnl_attr_get_payload(tb.a[IOPGT_A_FORMAT_NAME]), n);
		f.name[n] = 0;
	}
	return ((iopgt_format_cb)d->cb)(&f, d->arg);
}

static int as_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_arg *d = arg;
	struct attr_tb tb;
	struct iopgt_netlink_as a;

	parse_tb(nlh, &tb);
	memset(&a, 0, sizeof(a));
	a.has = tb.has;
	a.dev_id = get_u32(&tb, IOPGT_A_DEV_ID);
	a.as_id = get_u32(&tb, IOPGT_A_AS_ID);
	a.format = get_u32(&tb, IOPGT_A_FORMAT);
	a.flags = get_u32(&tb, IOPGT_A_AS_FLAGS);
	a.owner = get_u32(&tb, IOPGT_A_AS_OWNER);
	a.mapped = get_u64(&tb, IOPGT_A_AS_MAPPED);
	a.table_bytes = get_u64(&tb, IOPGT_A_AS_TABLE_BYTES);
	a.tables = get_u64(&tb, IOPGT_A_AS_TABLES);
	a.generation = get_u64(&tb, IOPGT_A_AS_GENERATION);
	a.ias = get_u32(&tb, IOPGT_A_AS_IAS);
	a.oas = get_u32(&tb, IOPGT_A_AS_OAS);
	a.pgsizes = get_u64(&tb, IOPGT_A_AS_PGSIZES);
	a.levels = get_u32(&tb, IOPGT_A_AS_LEVELS);
	return ((iopgt_as_cb)d->cb)(&a, d->arg);
}

/*
 * One value of an attribute as get_u32()/get_u64() read it: by payload
 * length 8, 4, 2 or 1; anything else reads as 0.
 */
static inline uint64_t attr_uint(const struct nlattr *a, uint16_t plen)
{
	const void *v = (const char *)a + MNL_ATTR_HDRLEN;

	switch (plen) {
	case 8: {
		uint64_t x;

		memcpy(&x, v, 8);
		return x;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, v, 4);
		return x;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, v, 2);
		return x;
	}
	case 1:
		return *(const uint8_t *)v;
	}
	return 0;
}

/*
 * The hot path of tree dumps (one message per entry): the attributes are
 * walked in place, as mnl_attr_parse() + get_u32()/get_u64() would read
 * them (the last of a repeated attribute wins; a malformed one ends the
 * walk; types above IOPGT_A_MAX are ignored).
 */
/*
 * The attributes of a TREE_GET entry in the order and sizes the module puts
 * them (module/iopgt_nl.c, 64-bit kernels: no IOPGT_A_PAD). A message laid
 * out exactly so is read at fixed offsets; any other layout (padding, more
 * or fewer attributes, another order) takes the general loop. Same values
 * either way.
 */
static const struct nlattr entry_layout[] = {
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_DEV_ID },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_AS_ID },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_ENTRY_LEVEL },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_ENTRY_DEPTH },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_ENTRY_INDEX },
	{ MNL_ATTR_HDRLEN + 8, IOPGT_A_ENTRY_IOVA },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_ENTRY_SPAN_LOG2 },
	{ MNL_ATTR_HDRLEN + 8, IOPGT_A_ENTRY_PTE },
	{ MNL_ATTR_HDRLEN + 4, IOPGT_A_ENTRY_KIND },
	{ MNL_ATTR_HDRLEN + 8, IOPGT_A_ENTRY_OA },
	{ MNL_ATTR_HDRLEN + 8, IOPGT_A_ENTRY_TABLE_PA },
};
#define ENTRY_LAYOUT_N	(sizeof(entry_layout) / sizeof(entry_layout[0]))
/* 7 x (4 + 4) + 4 x (4 + 8) */
#define ENTRY_LAYOUT_LEN	104

#define ENTRY_LAYOUT_HAS							\
	(IOPGT_HAS(IOPGT_A_DEV_ID) | IOPGT_HAS(IOPGT_A_AS_ID) |			\
	 IOPGT_HAS(IOPGT_A_ENTRY_LEVEL) | IOPGT_HAS(IOPGT_A_ENTRY_DEPTH) |	\
	 IOPGT_HAS(IOPGT_A_ENTRY_INDEX) | IOPGT_HAS(IOPGT_A_ENTRY_IOVA) |	\
	 IOPGT_HAS(IOPGT_A_ENTRY_SPAN_LOG2) | IOPGT_HAS(IOPGT_A_ENTRY_PTE) |	\
	 IOPGT_HAS(IOPGT_A_ENTRY_KIND) | IOPGT_HAS(IOPGT_A_ENTRY_OA) |		\
	 IOPGT_HAS(IOPGT_A_ENTRY_TABLE_PA))

/* 1 and @e filled when @p (ENTRY_LAYOUT_LEN bytes) is laid out as entry_layout */
static inline __attribute__((always_inline)) int entry_fixed(const char *p,
							     struct iopgt_tree_entry *e)
{
	uint64_t v[ENTRY_LAYOUT_N];
	unsigned int i, off = 0;
	uint32_t bad = 0;

	/*
	 * The layout is a constant: unrolled, each header is one 32-bit load
	 * and xor with a constant, no branch (a chain of 16-bit compares
	 * with && cost ~70 instructions per entry).
	 */
#pragma GCC unroll 16
	for (i = 0; i < ENTRY_LAYOUT_N; i++) {
		uint32_t h, want;

		memcpy(&h, p + off, sizeof(h));
		memcpy(&want, &entry_layout[i], sizeof(want));
		bad |= h ^ want;
		if (entry_layout[i].nla_len == MNL_ATTR_HDRLEN + 8) {
			memcpy(&v[i], p + off + MNL_ATTR_HDRLEN, 8);
		} else {
			uint32_t x;

			memcpy(&x, p + off + MNL_ATTR_HDRLEN, 4);
			v[i] = x;
		}
		off += entry_layout[i].nla_len;
	}
	if (bad)
		return 0;
	e->has = ENTRY_LAYOUT_HAS;
	e->level = (uint32_t)v[2];
	e->depth = (uint32_t)v[3];
	e->index = (uint32_t)v[4];
	e->iova = v[5];
	e->span_log2 = (uint32_t)v[6];
	e->pte = v[7];
	e->kind = (uint32_t)v[8];
	e->oa = v[9];
	e->table_pa = v[10];
	return 1;
}

static inline __attribute__((always_inline)) int entry_msg(const struct nlmsghdr *nlh,
							    void *arg)
{
	struct dump_arg *d = arg;
	struct iopgt_tree_entry e;
	/* mnl_nlmsg_get_payload() + genl header, mnl_nlmsg_get_payload_tail() */
	const char *p = (const char *)nlh + MNL_NLMSG_HDRLEN +
			MNL_ALIGN(sizeof(struct genlmsghdr));
	const char *end = (const char *)nlh + MNL_ALIGN(nlh->nlmsg_len);

	/* entry_fixed() sets every field */
	if (end - p == ENTRY_LAYOUT_LEN && entry_fixed(p, &e))
		return ((iopgt_entry_cb)d->cb)(&e, d->arg);
	memset(&e, 0, sizeof(e));
	while (end - p >= (ptrdiff_t)sizeof(struct nlattr)) {
		const struct nlattr *a = (const struct nlattr *)p;
		uint16_t type = a->nla_type & NLA_TYPE_MASK, plen;
		uint64_t v;

		if (a->nla_len < sizeof(struct nlattr) || a->nla_len > end - p)
			break;
		plen = (uint16_t)(a->nla_len - MNL_ATTR_HDRLEN);
		p += MNL_ALIGN(a->nla_len);
		if (type > IOPGT_A_MAX)
			continue;
		e.has |= IOPGT_HAS(type);
		v = attr_uint(a, plen);
		switch (type) {
		case IOPGT_A_ENTRY_LEVEL:
			e.level = (uint32_t)v;
			break;
		case IOPGT_A_ENTRY_INDEX:
			e.index = (uint32_t)v;
			break;
		case IOPGT_A_ENTRY_DEPTH:
			e.depth = (uint32_t)v;
			break;
		case IOPGT_A_ENTRY_KIND:
			e.kind = (uint32_t)v;
			break;
		case IOPGT_A_ENTRY_SPAN_LOG2:
			e.span_log2 = (uint32_t)v;
			break;
		case IOPGT_A_ENTRY_IOVA:
			e.iova = v;
			break;
		case IOPGT_A_ENTRY_PTE:
			e.pte = v;
			break;
		case IOPGT_A_ENTRY_OA:
			e.oa = v;
			break;
		case IOPGT_A_ENTRY_TABLE_PA:
			e.table_pa = v;
			break;
		}
	}
	return ((iopgt_entry_cb)d->cb)(&e, d->arg);
}

/* nl_run() with entry_msg() inlined: one call less per tree entry */
static int nl_run_tree(struct iopgt_netlink *nl, uint32_t seq, struct run_ctx *rc,
		       const char *op, struct iopgt_err *err)
{
	return nl_run_cb(nl, seq, rc, op, err, entry_msg);
}

static int check_nl(struct iopgt_netlink *nl, struct iopgt_err *err)
{
	if (!nl || !nl->family)
		return iopgt_err_set(err, -EBADF, "netlink: not open");
	return 0;
}

static const uint16_t DUMP_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP;

int iopgt_netlink_dump_formats(struct iopgt_netlink *nl, uint32_t dev_id,
			       iopgt_format_cb cb, void *arg, struct iopgt_err *err)
{
	struct dump_arg d = { (void *)cb, arg };
	struct run_ctx rc = { .cb = format_msg, .arg = &d };
	struct nlmsghdr *nlh;
	int ret = check_nl(nl, err);

	if (ret)
		return ret;
	nlh = genl_req(nl, nl->family, DUMP_FLAGS, IOPGT_NL_CMD_FORMAT_GET,
		       IOPGT_GENL_VERSION);
	mnl_attr_put_u32(nlh, IOPGT_A_DEV_ID, dev_id);
	ret = nl_send(nl, nlh, "FORMAT_GET dump", err);
	if (ret)
		return ret;
	return nl_run(nl, nlh->nlmsg_seq, &rc, "FORMAT_GET dump", err);
}

int iopgt_netlink_dump_as(struct iopgt_netlink *nl, uint32_t dev_id, iopgt_as_cb cb,
			  void *arg, struct iopgt_err *err)
{
	struct dump_arg d = { (void *)cb, arg };
	struct run_ctx rc = { .cb = as_msg, .arg = &d };
	struct nlmsghdr *nlh;
	int ret = check_nl(nl, err);

	if (ret)
		return ret;
	nlh = genl_req(nl, nl->family, DUMP_FLAGS, IOPGT_NL_CMD_AS_GET,
		       IOPGT_GENL_VERSION);
	mnl_attr_put_u32(nlh, IOPGT_A_DEV_ID, dev_id);
	ret = nl_send(nl, nlh, "AS_GET dump", err);
	if (ret)
		return ret;
	return nl_run(nl, nlh->nlmsg_seq, &rc, "AS_GET dump", err);
}

int iopgt_netlink_dump_tree(struct iopgt_netlink *nl, uint32_t dev_id, uint32_t as_id,
			    const struct iopgt_tree_filter *filter, iopgt_entry_cb cb,
			    void *arg, struct iopgt_err *err)
{
	struct dump_arg d = { (void *)cb, arg };
	struct run_ctx rc = { .cb = entry_msg, .arg = &d };
	struct nlmsghdr *nlh;
	int ret = check_nl(nl, err);

	if (ret)
		return ret;
	nlh = genl_req(nl, nl->family, DUMP_FLAGS, IOPGT_NL_CMD_TREE_GET,
		       IOPGT_GENL_VERSION);
	mnl_attr_put_u32(nlh, IOPGT_A_DEV_ID, dev_id);
	mnl_attr_put_u32(nlh, IOPGT_A_AS_ID, as_id);
	if (filter && filter->has_range) {
		mnl_attr_put_u64(nlh, IOPGT_A_DUMP_IOVA_START, filter->iova_start);
		mnl_attr_put_u64(nlh, IOPGT_A_DUMP_IOVA_END, filter->iova_end);
	}
	if (filter && filter->max_depth >= 0)
		mnl_attr_put_u32(nlh, IOPGT_A_DUMP_MAX_LEVEL,
				 (uint32_t)filter->max_depth);
	ret = nl_send(nl, nlh, "TREE_GET dump", err);
	if (ret)
		return ret;
	return nl_run_tree(nl, nlh->nlmsg_seq, &rc, "TREE_GET dump", err);
}

int iopgt_netlink_dump_tree_retry(struct iopgt_netlink *nl, uint32_t dev_id,
				  uint32_t as_id,
				  const struct iopgt_tree_filter *filter,
				  iopgt_entry_cb cb, void *arg,
				  int (*restart)(void *arg), unsigned int max_tries,
				  unsigned int *tries, struct iopgt_err *err)
{
	struct iopgt_err local;
	unsigned int i;
	int ret = -EINTR;

	/* whether to retry is in err->dump_intr: keep one even if @err is NULL */
	if (!err)
		err = &local;
	memset(err, 0, sizeof(*err));
	if (!max_tries)
		max_tries = 1;
	for (i = 0; i < max_tries; i++) {
		if (i && restart) {
			ret = restart(arg);
			if (ret)
				break;
		}
		err->dump_intr = 0;
		ret = iopgt_netlink_dump_tree(nl, dev_id, as_id, filter, cb, arg, err);
		if (ret != -EINTR || !err->dump_intr)
			break;
	}
	if (tries)
		*tries = i < max_tries ? i + 1 : max_tries;
	if (ret == -EINTR && err->dump_intr)
		iopgt_err_set(err, -EINTR,
			      "TREE_GET dump: the tables kept changing; gave up after %u attempts (NLM_F_DUMP_INTR)",
			      max_tries), err->dump_intr = 1;
	return ret;
}

/* ------------------------------------------------------------ FLUSH_GET */

static int flush_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_arg *d = arg;
	struct attr_tb tb;
	struct iopgt_flush_entry r;

	parse_tb(nlh, &tb);
	memset(&r, 0, sizeof(r));
	r.has = tb.has;
	r.as_id = get_u32(&tb, IOPGT_A_AS_ID);
	r.kind = get_u32(&tb, IOPGT_A_FLUSH_KIND);
	r.index = get_u64(&tb, IOPGT_A_FLUSH_INDEX);
	r.seq = get_u64(&tb, IOPGT_A_FLUSH_SEQ);
	r.iova = get_u64(&tb, IOPGT_A_FLUSH_IOVA);
	r.size = get_u64(&tb, IOPGT_A_FLUSH_SIZE);
	r.granule = get_u64(&tb, IOPGT_A_FLUSH_GRANULE);
	r.freed = get_u32(&tb, IOPGT_A_FLUSH_FREED);
	r.contract = get_u32(&tb, IOPGT_A_FLUSH_CONTRACT);
	return ((iopgt_flush_cb)d->cb)(&r, d->arg);
}

int iopgt_netlink_dump_flushes(struct iopgt_netlink *nl, uint32_t dev_id,
			  uint32_t as_id, uint64_t first_index,
			  iopgt_flush_cb cb, void *arg, struct iopgt_err *err)
{
	struct dump_arg d = { (void *)cb, arg };
	struct run_ctx rc = { .cb = flush_msg, .arg = &d };
	struct nlmsghdr *nlh;
	int ret = check_nl(nl, err);

	if (ret)
		return ret;
	nlh = genl_req(nl, nl->family, DUMP_FLAGS, IOPGT_NL_CMD_FLUSH_GET,
		       IOPGT_GENL_VERSION);
	mnl_attr_put_u32(nlh, IOPGT_A_DEV_ID, dev_id);
	mnl_attr_put_u32(nlh, IOPGT_A_AS_ID, as_id);
	if (first_index)
		mnl_attr_put_u64(nlh, IOPGT_A_FLUSH_INDEX, first_index);
	ret = nl_send(nl, nlh, "FLUSH_GET dump", err);
	if (ret)
		return ret;
	return nl_run(nl, nlh->nlmsg_seq, &rc, "FLUSH_GET dump", err);
}
