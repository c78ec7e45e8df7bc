// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt generic netlink family (spec: uapi/iopgt.yaml): three dumps.
 *
 *  FORMAT_GET: one message per format the ABI knows.
 *  AS_GET: one message per live address space (optionally only one).
 *  TREE_GET: one message per non-empty descriptor of one address space,
 *	in IOVA order with tables before their children, optionally limited
 *	to an IOVA range and a depth.
 *  FLUSH_GET: one message per recorded invalidation of one address space
 *	(flush.c), from an optional first index on.
 *
 * Every dumpit call enters the device context and, for TREE_GET, takes the
 * address space's lock for that call only: a dump of any size is streamed
 * over as many calls as needed, with the walk position kept in the
 * callback context. cb->seq follows the address space's generation, so
 * NLM_F_DUMP_INTR marks a dump during which the tree changed (userspace
 * retries); an address space destroyed mid-dump ends the dump with
 * NLM_F_DUMP_INTR as well.
 *
 * The request is validated by the genetlink core against the per-command
 * policy (strict), then again here, where the attributes are parsed from
 * the request with the same policy (the core's parsed copy sits in a
 * structure whose layout differs between kernel versions). Semantic checks
 * run in .start when the kernel passes an extack there (6.12 and later);
 * otherwise (6.1) in the first dumpit call, whose extack reaches userspace
 * in the NLMSG_DONE message.
 */

#include <linux/capability.h>
#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "iopgt_nl.h"
#include "iopgt_dev.h"
#include "iopgt_as.h"
#include "iopgt_perm.h"

/**
 * struct iopgt_nl_ctx - per-dump state, stored in netlink_callback::args
 * @idev: device context, referenced from .start to .done
 * @first: TREE_GET: lowest IOVA of interest
 * @last: TREE_GET: highest IOVA of interest (inclusive)
 * @cursor: TREE_GET: IOVA of the next entry
 * @as_id: TREE_GET: the address space; AS_GET: only this one if non-zero
 * @next: FORMAT_GET: next format id; AS_GET: next address-space id
 * @cursor_depth: TREE_GET: depth of the next entry
 * @max_depth: TREE_GET: deepest depth dumped
 * @validated: the semantic checks passed
 * @done: nothing left to dump
 * @hide: iopgt_sees_kaddrs() said no: kernel addresses are removed from
 *	every entry (iopgt_walk_hide_entry())
 */
struct iopgt_nl_ctx {
	struct iopgt_dev *idev;
	u64 first;
	u64 last;
	u64 cursor;
	u32 as_id;
	u32 next;
	u8 cursor_depth;
	u8 max_depth;
	u8 validated;
	u8 done;
	u8 hide;
};

static struct genl_family iopgt_nl_family;

static const struct nla_policy iopgt_nl_format_policy[IOPGT_A_MAX + 1] = {
	[IOPGT_A_DEV_ID] = { .type = NLA_U32 },
};

static const struct nla_policy iopgt_nl_as_policy[IOPGT_A_MAX + 1] = {
	[IOPGT_A_DEV_ID] = { .type = NLA_U32 },
	[IOPGT_A_AS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy iopgt_nl_tree_policy[IOPGT_A_MAX + 1] = {
	[IOPGT_A_DEV_ID] = { .type = NLA_U32 },
	[IOPGT_A_AS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOPGT_A_DUMP_IOVA_START] = { .type = NLA_U64 },
	[IOPGT_A_DUMP_IOVA_END] = { .type = NLA_U64 },
	[IOPGT_A_DUMP_MAX_LEVEL] = NLA_POLICY_MAX(NLA_U32, IOPGT_MAX_LEVELS - 1),
};

/* issue 14: FLUSH_GET (the cursor is ctx->cursor, a record index) */
static const struct nla_policy iopgt_nl_flush_policy[IOPGT_A_MAX + 1] = {
	[IOPGT_A_DEV_ID] = { .type = NLA_U32 },
	[IOPGT_A_AS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOPGT_A_FLUSH_INDEX] = { .type = NLA_U64 },
};

static struct iopgt_nl_ctx *nl_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct iopgt_nl_ctx) > sizeof(cb->args));
	return (struct iopgt_nl_ctx *)cb->args;
}

/* a sequence number for nl_dump_check_consistent(); never 0 */
static unsigned int gen_to_seq(u64 generation)
{
	return (unsigned int)generation + 1 ?: 1;
}

/* make the DONE message (or the next one) carry NLM_F_DUMP_INTR */
static void nl_force_intr(struct netlink_callback *cb)
{
	cb->seq = cb->prev_seq + 1 ?: 1;
}

static void *nl_put_hdr(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, &iopgt_nl_family, NLM_F_MULTI,
			   cmd);
}

/* checks of a request that need the device; extack may be NULL */
static int nl_validate(struct netlink_callback *cb, u8 cmd,
		       const struct nla_policy *policy,
		       struct netlink_ext_ack *extack)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	struct nlattr *tb[IOPGT_A_MAX + 1];
	struct iopgt_as *as;
	int cookie, ret;

	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, IOPGT_A_MAX, policy,
			  extack);
	if (ret)
		return ret;

	if (tb[IOPGT_A_DEV_ID] &&
	    nla_get_u32(tb[IOPGT_A_DEV_ID]) != (u32)ctx->idev->instance) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IOPGT_A_DEV_ID],
				    "no iopgt device with this IOPGT_A_DEV_ID");
		return -ENODEV;
	}

	if (cmd == IOPGT_NL_CMD_FORMAT_GET) {
		ctx->next = IOPGT_FMT_INVALID + 1;
		ctx->validated = 1;
		return 0;
	}

	if (tb[IOPGT_A_AS_ID])
		ctx->as_id = nla_get_u32(tb[IOPGT_A_AS_ID]);
	if (cmd == IOPGT_NL_CMD_TREE_GET) {
		if (!ctx->as_id) {
			NL_SET_ERR_MSG(extack, "missing IOPGT_A_AS_ID");
			return -EINVAL;
		}
		ctx->first = 0;
		ctx->last = U64_MAX;
		ctx->max_depth = IOPGT_MAX_LEVELS - 1;
		if (tb[IOPGT_A_DUMP_IOVA_START])
			ctx->first = nla_get_u64(tb[IOPGT_A_DUMP_IOVA_START]);
		if (tb[IOPGT_A_DUMP_IOVA_END])
			ctx->last = nla_get_u64(tb[IOPGT_A_DUMP_IOVA_END]);
		if (ctx->last < ctx->first) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOPGT_A_DUMP_IOVA_END],
					    "IOPGT_A_DUMP_IOVA_END is below IOPGT_A_DUMP_IOVA_START");
			return -EINVAL;
		}
		if (tb[IOPGT_A_DUMP_MAX_LEVEL])
			ctx->max_depth = nla_get_u32(tb[IOPGT_A_DUMP_MAX_LEVEL]);
		ctx->cursor = 0;
		ctx->cursor_depth = 0;
		/* decided once, in the request's context (.start / 1st dumpit) */
		ctx->hide = !iopgt_sees_kaddrs(NULL, cb->skb);
	}
	if (cmd == IOPGT_NL_CMD_FLUSH_GET) {	/* issue 14 */
		if (!ctx->as_id) {
			NL_SET_ERR_MSG(extack, "missing IOPGT_A_AS_ID");
			return -EINVAL;
		}
		ctx->cursor = tb[IOPGT_A_FLUSH_INDEX] ?
			      nla_get_u64(tb[IOPGT_A_FLUSH_INDEX]) : 0;
	}
	ctx->next = ctx->as_id ?: 1;

	if (ctx->as_id) {
		ret = iopgt_dev_enter(ctx->idev, &cookie);
		if (ret) {
			NL_SET_ERR_MSG(extack, "the iopgt device was unbound");
			return ret;
		}
		as = iopgt_as_get(ctx->idev, ctx->as_id);
		if (as) {
			mutex_lock(&as->lock);
			ret = iopgt_as_usable(as);
			if (!ret && cmd == IOPGT_NL_CMD_FLUSH_GET && !as->flush)
				ret = -EOPNOTSUPP;
			mutex_unlock(&as->lock);
			iopgt_as_put(as);
		} else {
			ret = -ENOENT;
		}
		iopgt_dev_exit(ctx->idev, cookie);
		if (ret == -EOPNOTSUPP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOPGT_A_AS_ID],
					    "the address space does not record invalidations (IOPGT_AS_RECORD_FLUSHES)");
			return ret;
		}
		if (ret) {
			if (ret == -ENOTRECOVERABLE)
				NL_SET_ERR_MSG_ATTR(extack, tb[IOPGT_A_AS_ID],
						    "the address space is broken (the kernel log says why)");
			else
				NL_SET_ERR_MSG_ATTR(extack, tb[IOPGT_A_AS_ID],
						    "unknown address space id");
			return ret;
		}
	}
	ctx->validated = 1;
	return 0;
}

static int nl_start(struct netlink_callback *cb, u8 cmd,
		    const struct nla_policy *policy)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	int ret;

	/* fault injection: the dump's buffers are allocated on its behalf */
	if (iopgt_should_fail())
		return -ENOMEM;
	ctx->idev = iopgt_dev_get_current();
	/* without an extack here (6.1), check in the first dumpit call */
	if (!cb->extack)
		return 0;
	if (!ctx->idev) {
		NL_SET_ERR_MSG(cb->extack, "no iopgt device is bound");
		return -ENODEV;
	}
	ret = nl_validate(cb, cmd, policy, cb->extack);
	if (ret) {
		/* .done is not called when .start fails */
		iopgt_dev_put(ctx->idev);
		ctx->idev = NULL;
	}
	return ret;
}

static int nl_format_start(struct netlink_callback *cb)
{
	return nl_start(cb, IOPGT_NL_CMD_FORMAT_GET, iopgt_nl_format_policy);
}

static int nl_as_start(struct netlink_callback *cb)
{
	return nl_start(cb, IOPGT_NL_CMD_AS_GET, iopgt_nl_as_policy);
}

static int nl_tree_start(struct netlink_callback *cb)
{
	return nl_start(cb, IOPGT_NL_CMD_TREE_GET, iopgt_nl_tree_policy);
}

static int nl_flush_start(struct netlink_callback *cb)
{
	return nl_start(cb, IOPGT_NL_CMD_FLUSH_GET, iopgt_nl_flush_policy);
}

static int nl_done(struct netlink_callback *cb)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);

	if (ctx->idev)
		iopgt_dev_put(ctx->idev);
	ctx->idev = NULL;
	return 0;
}

/*
 * Common head of every dumpit call: late validation, then enter the
 * device. Returns 1 when the dump is over, 0 when entered (call
 * iopgt_dev_exit() with *cookie), or -errno.
 */
static int nl_dump_enter(struct netlink_callback *cb, u8 cmd,
			 const struct nla_policy *policy, int *cookie)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	int ret;

	if (!ctx->validated) {
		if (!ctx->idev) {
			NL_SET_ERR_MSG(cb->extack, "no iopgt device is bound");
			return -ENODEV;
		}
		ret = nl_validate(cb, cmd, policy, cb->extack);
		if (ret)
			return ret;
	}
	if (ctx->done)
		return 1;
	ret = iopgt_dev_enter(ctx->idev, cookie);
	if (ret) {
		NL_SET_ERR_MSG(cb->extack, "the iopgt device was unbound");
		return ret;
	}
	return 0;
}

/* FLUSH_GET reads the records of any live address space that keeps them. */
static int nl_flush_usable(const struct iopgt_as *as)
{
	return as->dead || !as->flush ? -ENOENT : 0;
}

/*
 * Common head of the dumps of one address space (TREE_GET, FLUSH_GET):
 * nl_dump_enter(), then ctx->as_id looked up, locked and checked with
 * @usable (iopgt_as_usable() for the dumps that read the tables). Returns the address space, referenced and with as->lock held
 * (end with nl_as_dump_leave()), or NULL with *@ret set to the dumpit's
 * result: 0 when the dump is over (or the address space went away after
 * part of the dump was sent: the dump is then marked interrupted), -errno
 * when nothing was sent yet.
 */
static struct iopgt_as *nl_as_dump_enter(struct netlink_callback *cb, u8 cmd,
					 const struct nla_policy *policy,
					 int (*usable)(const struct iopgt_as *),
					 int *cookie, int *ret)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	struct iopgt_as *as;
	int err = -ENOENT;

	*ret = nl_dump_enter(cb, cmd, policy, cookie);
	if (*ret) {
		if (*ret > 0)
			*ret = 0;
		return NULL;
	}
	as = iopgt_as_get(ctx->idev, ctx->as_id);
	if (as) {
		mutex_lock(&as->lock);
		err = usable(as);
		if (!err)
			return as;
		mutex_unlock(&as->lock);
		iopgt_as_put(as);
	}
	iopgt_dev_exit(ctx->idev, *cookie);
	ctx->done = 1;
	*ret = 0;
	if (cb->prev_seq) {
		/* part of the dump was sent: mark it interrupted */
		nl_force_intr(cb);
		return NULL;
	}
	/* nothing was sent yet: a plain error */
	if (err == -ENOTRECOVERABLE)
		NL_SET_ERR_MSG(cb->extack,
			       "the address space is broken (the kernel log says why)");
	else
		NL_SET_ERR_MSG(cb->extack, "the address space was destroyed");
	*ret = err;
	return NULL;
}

/* The tail of a dump nl_as_dump_enter() began. */
static void nl_as_dump_leave(struct netlink_callback *cb, struct iopgt_as *as,
			     int cookie)
{
	lockdep_assert_held(&as->lock);
	mutex_unlock(&as->lock);
	iopgt_as_put(as);
	iopgt_dev_exit(nl_ctx(cb)->idev, cookie);
}

/* ------------------------------------------------------------------ */
/* FORMAT_GET                                                          */

static int nl_put_format(struct sk_buff *skb, struct netlink_callback *cb,
			 const struct iopgt_fmt_desc *d, u32 id)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	void *hdr;

	hdr = nl_put_hdr(skb, cb, IOPGT_NL_CMD_FORMAT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IOPGT_A_DEV_ID, ctx->idev->instance) ||
	    nla_put_u32(skb, IOPGT_A_FORMAT, id) ||
	    nla_put_string(skb, IOPGT_A_FORMAT_NAME, d->name ?: "") ||
	    nla_put_u32(skb, IOPGT_A_FORMAT_FLAGS, iopgt_fmt_uapi_flags(d)) ||
	    nla_put_u32(skb, IOPGT_A_FORMAT_UNAVAIL,
			iopgt_fmt_uapi_unavail(d))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nl_format_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	int cookie, ret;

	ret = nl_dump_enter(cb, IOPGT_NL_CMD_FORMAT_GET,
			    iopgt_nl_format_policy, &cookie);
	if (ret)
		return ret < 0 ? ret : 0;

	for (; ctx->next < IOPGT_FMT_COUNT; ctx->next++) {
		const struct iopgt_fmt_desc *d = iopgt_fmt_get(ctx->next);

		if (!d)
			continue;
		ret = nl_put_format(skb, cb, d, ctx->next);
		if (ret)
			break;
	}
	iopgt_dev_exit(ctx->idev, cookie);
	if (ctx->next >= IOPGT_FMT_COUNT)
		ctx->done = 1;
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* AS_GET                                                              */

/* called with as->lock held */
static int nl_put_as(struct sk_buff *skb, struct netlink_callback *cb,
		     struct iopgt_as *as)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	u32 flags = 0;
	u64 table_bytes;
	void *hdr;

	lockdep_assert_held(&as->lock);
	/* exact, nothing is recounted */
	table_bytes = iopgt_as_table_bytes(as);
	if (as->flags & IOPGT_AS_F_PERSISTENT)
		flags |= IOPGT_AS_INFO_PERSISTENT;
	if (as->flags & IOPGT_AS_F_NONCOHERENT)
		flags |= IOPGT_AS_INFO_NONCOHERENT;
	if (as->flags & IOPGT_AS_F_DIRTY)
		flags |= IOPGT_AS_INFO_DIRTY;
	if (as->flags & IOPGT_AS_F_FLUSH_RANGE)
		flags |= IOPGT_AS_INFO_FLUSH_RANGE;
	if (as->flags & IOPGT_AS_F_FLUSH_NO_GAPS)
		flags |= IOPGT_AS_INFO_FLUSH_NO_GAPS;

	hdr = nl_put_hdr(skb, cb, IOPGT_NL_CMD_AS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IOPGT_A_DEV_ID, ctx->idev->instance) ||
	    nla_put_u32(skb, IOPGT_A_AS_ID, as->id) ||
	    nla_put_u32(skb, IOPGT_A_FORMAT, as->format) ||
	    nla_put_u32(skb, IOPGT_A_AS_FLAGS, flags) ||
	    nla_put_u32(skb, IOPGT_A_AS_OWNER, pid_vnr(as->owner_pid)) ||
	    nla_put_u64_64bit(skb, IOPGT_A_AS_MAPPED, as->mapped_bytes,
			      IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_AS_TABLE_BYTES, table_bytes,
			      IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_AS_TABLES, as->n_tables,
			      IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_AS_GENERATION, as->generation,
			      IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_AS_IAS, as->ias) ||
	    nla_put_u32(skb, IOPGT_A_AS_OAS, as->oas) ||
	    nla_put_u64_64bit(skb, IOPGT_A_AS_PGSIZES, as->pgsize_bitmap,
			      IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_AS_LEVELS, as->levels)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nl_as_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	struct iopgt_as *as;
	int cookie, ret;
	u32 id;

	ret = nl_dump_enter(cb, IOPGT_NL_CMD_AS_GET, iopgt_nl_as_policy,
			    &cookie);
	if (ret)
		return ret < 0 ? ret : 0;

	for (;;) {
		id = ctx->next;
		as = iopgt_as_get_next(ctx->idev, &id);
		if (as && ctx->as_id && id != ctx->as_id) {
			iopgt_as_put(as);
			as = NULL;
		}
		if (!as) {
			ctx->done = 1;
			break;
		}
		mutex_lock(&as->lock);
		ret = as->dead ? 0 : nl_put_as(skb, cb, as);
		mutex_unlock(&as->lock);
		iopgt_as_put(as);
		if (ret)
			break;	/* skb full: this id again next call */
		if (id == U32_MAX || ctx->as_id) {
			ctx->done = 1;
			break;
		}
		ctx->next = id + 1;
	}
	iopgt_dev_exit(ctx->idev, cookie);
	if (ret && !skb->len)
		return ret;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* TREE_GET                                                            */

struct nl_tree_state {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct iopgt_as *as;
	u32 as_id;
};

/* called by the walker with s->as->lock held */
static int nl_put_entry(void *priv, const struct iopgt_walk_entry *e)
{
	struct nl_tree_state *s = priv;
	struct iopgt_nl_ctx *ctx = nl_ctx(s->cb);
	struct sk_buff *skb = s->skb;
	struct iopgt_walk_entry hidden;
	void *hdr;

	lockdep_assert_held(&s->as->lock);
	if (ctx->hide) {
		hidden = *e;
		iopgt_walk_hide_entry(s->as, &hidden);
		e = &hidden;
	}

	hdr = nl_put_hdr(skb, s->cb, IOPGT_NL_CMD_TREE_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(s->cb, hdr);
	if (nla_put_u32(skb, IOPGT_A_DEV_ID, ctx->idev->instance) ||
	    nla_put_u32(skb, IOPGT_A_AS_ID, s->as_id) ||
	    nla_put_u32(skb, IOPGT_A_ENTRY_LEVEL, e->level) ||
	    nla_put_u32(skb, IOPGT_A_ENTRY_DEPTH, e->depth) ||
	    nla_put_u32(skb, IOPGT_A_ENTRY_INDEX, e->index) ||
	    nla_put_u64_64bit(skb, IOPGT_A_ENTRY_IOVA, e->iova, IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_ENTRY_SPAN_LOG2, e->span_log2) ||
	    nla_put_u64_64bit(skb, IOPGT_A_ENTRY_PTE, e->pte, IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_ENTRY_KIND, e->kind) ||
	    nla_put_u64_64bit(skb, IOPGT_A_ENTRY_OA, e->oa, IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_ENTRY_TABLE_PA, e->table_pa,
			      IOPGT_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int nl_tree_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	struct nl_tree_state s = { .skb = skb, .cb = cb };
	struct iopgt_walk_filter f;
	struct iopgt_walk_cursor cur;
	struct iopgt_as *as;
	int cookie, ret;

	as = nl_as_dump_enter(cb, IOPGT_NL_CMD_TREE_GET, iopgt_nl_tree_policy,
			      iopgt_as_usable, &cookie, &ret);
	if (!as)
		return ret;

	s.as_id = ctx->as_id;
	cb->seq = gen_to_seq(as->generation);
	s.as = as;
	f.first = ctx->first;
	f.last = ctx->last;
	f.max_depth = ctx->max_depth;
	cur.iova = ctx->cursor;
	cur.depth = ctx->cursor_depth;
	cur.done = false;
	ret = iopgt_walk_tree(as, &f, &cur, nl_put_entry, &s);
	nl_as_dump_leave(cb, as, cookie);

	ctx->cursor = cur.iova;
	ctx->cursor_depth = cur.depth;
	if (cur.done)
		ctx->done = 1;
	if (ret == -EOPNOTSUPP)
		NL_SET_ERR_MSG(cb->extack,
			       "the tree of this format cannot be walked");
	if (ret && (ret != -EMSGSIZE || !skb->len))
		return ret;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* FLUSH_GET (issue 14)                                                */

static int nl_put_flush(struct sk_buff *skb, struct netlink_callback *cb,
			u32 as_id, u32 contract, u64 index,
			const struct iopgt_flush_rec *r)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	void *hdr;

	hdr = nl_put_hdr(skb, cb, IOPGT_NL_CMD_FLUSH_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, IOPGT_A_DEV_ID, ctx->idev->instance) ||
	    nla_put_u32(skb, IOPGT_A_AS_ID, as_id) ||
	    nla_put_u64_64bit(skb, IOPGT_A_FLUSH_INDEX, index, IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_FLUSH_SEQ, r->seq, IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_FLUSH_KIND, r->kind) ||
	    nla_put_u64_64bit(skb, IOPGT_A_FLUSH_IOVA, r->iova, IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_FLUSH_SIZE, r->size, IOPGT_A_PAD) ||
	    nla_put_u64_64bit(skb, IOPGT_A_FLUSH_GRANULE, r->granule,
			      IOPGT_A_PAD) ||
	    nla_put_u32(skb, IOPGT_A_FLUSH_FREED, r->freed) ||
	    nla_put_u32(skb, IOPGT_A_FLUSH_CONTRACT, contract)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * One batch of records from ctx->cursor on, under as->lock. cb->seq is the
 * log's clear count: a clear between two batches marks the dump
 * NLM_F_DUMP_INTR, and the dump goes on from the oldest record left.
 */
static int nl_flush_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iopgt_nl_ctx *ctx = nl_ctx(cb);
	const struct iopgt_flush_rec *r;
	struct iopgt_as *as;
	int cookie, ret;

	as = nl_as_dump_enter(cb, IOPGT_NL_CMD_FLUSH_GET, iopgt_nl_flush_policy,
			      nl_flush_usable, &cookie, &ret);
	if (!as)
		return ret;
	cb->seq = gen_to_seq(as->flush->clears);
	if (ctx->cursor < as->flush->first_index)
		ctx->cursor = as->flush->first_index;
	ret = 0;
	while ((r = iopgt_flush_get(as, ctx->cursor))) {
		ret = nl_put_flush(skb, cb, ctx->as_id,
				   iopgt_as_flush_contract(as), ctx->cursor, r);
		if (ret)
			break;
		ctx->cursor++;
	}
	if (!ret)
		ctx->done = 1;
	nl_as_dump_leave(cb, as, cookie);
	if (ret && (ret != -EMSGSIZE || !skb->len))
		return ret;
	return skb->len;
}

/* ------------------------------------------------------------------ */

static const struct genl_ops iopgt_nl_ops[] = {
	{
		.cmd = IOPGT_NL_CMD_FORMAT_GET,
		.flags = GENL_ADMIN_PERM,
		.start = nl_format_start,
		.dumpit = nl_format_dumpit,
		.done = nl_done,
		.policy = iopgt_nl_format_policy,
		.maxattr = IOPGT_A_MAX,
	},
	{
		.cmd = IOPGT_NL_CMD_AS_GET,
		.flags = GENL_ADMIN_PERM,
		.start = nl_as_start,
		.dumpit = nl_as_dumpit,
		.done = nl_done,
		.policy = iopgt_nl_as_policy,
		.maxattr = IOPGT_A_MAX,
	},
	{
		.cmd = IOPGT_NL_CMD_TREE_GET,
		.flags = GENL_ADMIN_PERM,
		.start = nl_tree_start,
		.dumpit = nl_tree_dumpit,
		.done = nl_done,
		.policy = iopgt_nl_tree_policy,
		.maxattr = IOPGT_A_MAX,
	},
	{
		.cmd = IOPGT_NL_CMD_FLUSH_GET,	/* issue 14 */
		.flags = GENL_ADMIN_PERM,
		.start = nl_flush_start,
		.dumpit = nl_flush_dumpit,
		.done = nl_done,
		.policy = iopgt_nl_flush_policy,
		.maxattr = IOPGT_A_MAX,
	},
};

static struct genl_family iopgt_nl_family = {
	.name = IOPGT_GENL_NAME,
	.version = IOPGT_GENL_VERSION,
	.maxattr = IOPGT_A_MAX,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = iopgt_nl_ops,
	.n_ops = ARRAY_SIZE(iopgt_nl_ops),
	/* .resv_start_op = 0: header reserved fields and policies checked */
};

/**
 * iopgt_nl_init() - register the "iopgt" generic netlink family
 *
 * Call after the device infrastructure is ready: dumps may start at once.
 *
 * Return: 0 or -errno from genl_register_family().
 */
int iopgt_nl_init(void)
{
	return genl_register_family(&iopgt_nl_family);
}

/**
 * iopgt_nl_exit() - unregister the family
 *
 * No dump can be running: each one holds a reference on the module.
 */
void iopgt_nl_exit(void)
{
	genl_unregister_family(&iopgt_nl_family);
}
