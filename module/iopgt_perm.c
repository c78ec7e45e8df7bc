// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt: the permission model, in one place.
 *
 *  - Opening /dev/iopgt is decided by the node's mode (root-only by
 *    default); the netlink family needs CAP_NET_ADMIN (GENL_ADMIN_PERM).
 *  - Reading (GET_INFO, IOVA_TO_PHYS, GET_HW_CFG, WALK, AS_INFO, every
 *    netlink dump) is open to whoever got that far, for every address
 *    space of the device.
 *  - Changing an address space (MAP, UNMAP, AS_DESTROY) belongs to the open
 *    file that created it; a persistent one is shared by every opener.
 *    Anyone else gets -EPERM (iopgt_as_check_owner()). The netlink family
 *    has no operation that changes anything.
 *  - Kernel physical addresses (table addresses, the table-address bits of
 *    descriptors, TTBRs and roots) are shown only when
 *    iopgt_sees_kaddrs() says so; otherwise the walker's hide helpers
 *    (iopgt_walk_hide_*()) remove them from every output.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "iopgt_perm.h"

/**
 * iopgt_sees_kaddrs() - may this request see kernel physical addresses?
 * @file: the /dev/iopgt file an ioctl came through, or NULL
 * @nl_skb: the netlink request of a dump, or NULL (set exactly one; call
 *	it from the request's own context: .start or the first dumpit,
 *	which run in the sender's sendmsg())
 *
 * Table addresses reveal the kernel's memory layout, so they go only to a
 * request for which BOTH the credentials the file (or netlink socket) was
 * opened with AND the calling task have CAP_SYS_ADMIN in the initial user
 * namespace. A descriptor opened by root and handed to (or inherited by) a
 * less privileged process does not show them, and neither does one opened
 * without the capability and then used by a privileged process.
 *
 * netlink_capable() alone is not enough: it skips the socket-opener check
 * when the message was sent with an explicit destination address
 * (NETLINK_SKB_DST, every sendto()), so the opener's credentials are
 * checked here explicitly as well.
 *
 * Return: true to show kernel addresses, false to hide them.
 */
bool iopgt_sees_kaddrs(const struct file *file, const struct sk_buff *nl_skb)
{
	if (nl_skb) {
		const struct sock *sk = NETLINK_CB(nl_skb).sk;
		const struct socket *sock = sk ? READ_ONCE(sk->sk_socket) : NULL;

		if (!netlink_capable(nl_skb, CAP_SYS_ADMIN))
			return false;
		file = sock ? sock->file : NULL;
	}
	return file && file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       capable(CAP_SYS_ADMIN);
}

/**
 * iopgt_as_check_owner() - may @file change @as (MAP, UNMAP, AS_DESTROY)?
 * @as: address space (looked up and referenced; @as->flags and
 *	@as->owner are immutable, so no lock is needed)
 * @file: the open /dev/iopgt the request came through
 *
 * A non-persistent address space belongs to the file that created it (a
 * forked child or a process the descriptor was passed to uses the same
 * file); a persistent one to every opener.
 *
 * Return: 0, or -EPERM.
 */
int iopgt_as_check_owner(const struct iopgt_as *as,
			 const struct iopgt_file *file)
{
	if (as->flags & IOPGT_AS_F_PERSISTENT)
		return 0;
	return as->owner == file ? 0 : -EPERM;
}
