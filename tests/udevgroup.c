// SPDX-License-Identifier: GPL-2.0
/*
 * The udev rule's group access (userspace/udev/60-iopgt.rules). The VM has
 * no udevd, so this applies the rule's documented group example itself
 * (GROUP and MODE parsed from the line below; the group "iopgt" stands as
 * gid 4242) and checks, as uid/gid 65534 with and without that
 * supplementary group: a member opens /dev/iopgt and creates, maps and
 * translates; netlink dumps still give EPERM and table addresses stay
 * hidden (the module's own checks); a non-member gets EACCES; with the
 * default rule (root:root 0600) a member gets EACCES too. The host test
 * userspace/tests/test_udev.sh checks this line against the rule file.
 */
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char group_rule[] =
	"KERNEL==\"iopgt\", SUBSYSTEM==\"misc\", GROUP=\"iopgt\", MODE=\"0660\"";

#define GROUP_GID	4242	/* the group "iopgt" of the rule */
#define NOBODY		65534

/* The value of KEY="..." in the rule. */
static void rule_value(const char *key, char *out, size_t len)
{
	char pat[32];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "%s=\"", key);
	p = strstr(group_rule, pat);
	ASSERT_NE(p, NULL);
	p += strlen(pat);
	e = strchr(p, '"');
	ASSERT_NE(e, NULL);
	ASSERT_LT((size_t)(e - p), len);
	memcpy(out, p, e - p);
	out[e - p] = 0;
}

/* As root: give the node the rule's group and mode (or the default's). */
static void apply(bool group_rule_on)
{
	char mode[8], group[32];

	if (!group_rule_on) {
		ASSERT_OK(chown(IOPGT_DEV, 0, 0));
		ASSERT_OK(chmod(IOPGT_DEV, 0600));
		return;
	}
	rule_value("GROUP", group, sizeof(group));
	rule_value("MODE", mode, sizeof(mode));
	ASSERT_EQ(strcmp(group, "iopgt"), 0);
	ASSERT_OK(chown(IOPGT_DEV, 0, GROUP_GID));
	ASSERT_OK(chmod(IOPGT_DEV, (mode_t)strtoul(mode, NULL, 8)));
}

/* Become uid/gid 65534, a member of the rule's group or not. */
static void become_user(bool member)
{
	gid_t g = GROUP_GID;

	ASSERT_OK(setgroups(member ? 1 : 0, &g));
	ASSERT_OK(setresgid(NOBODY, NOBODY, NOBODY));
	ASSERT_OK(setresuid(NOBODY, NOBODY, NOBODY));
	ASSERT_NE(geteuid(), 0);
}

/* open /dev/iopgt read-write, or fail the test naming the errno */
static int member_open(void)
{
	int fd = open(IOPGT_DEV, O_RDWR);

	if (fd < 0) {
		H_FAIL("open(%s, O_RDWR) as a member of the group: %s", IOPGT_DEV, h_errname(errno));
		h_abort();
	}
	return fd;
}

TEST(member_opens_and_reads_info)
{
	struct iopgt_get_info gi;
	struct stat st;
	int fd;

	apply(true);
	ASSERT_OK(stat(IOPGT_DEV, &st));
	EXPECT_EQ(st.st_mode & 07777, 0660);
	EXPECT_EQ(st.st_gid, GROUP_GID);
	become_user(true);
	fd = member_open();
	EXPECT_OK(get_info(fd, &gi, NULL));
	close(fd);
}

TEST_FMT(member_maps_translates_addresses_hidden)
{
	struct iopgt_hw_cfg h;
	struct nl nl;
	struct nl_req_attr a[1] = { { IOPGT_A_DEV_ID, 4, 0 } };
	__u64 phys = 0;
	__u32 fl = 0;
	int fd, id;

	apply(true);
	become_user(true);
	fd = member_open();
	id = as_create_v(fd, variant, 0, NULL);
	ASSERT_OK(map1(fd, id, SZ_2M, SZ_1G, SZ_64K, RW, 0, NULL));
	ASSERT_OK(xlate(fd, id, SZ_2M + 42, &phys, &fl));
	EXPECT_EQ(phys, SZ_1G + 42);
	ASSERT_OK(hw_cfg(fd, id, &h));
	EXPECT_EQ(h.out_flags & IOPGT_HWCFG_ADDR_HIDDEN, IOPGT_HWCFG_ADDR_HIDDEN);
	/* the table address is gone; attribute bits (below 4K) stay */
	EXPECT_EQ(h.regs[0] & ~0xfffULL, 0);
	ASSERT_OK(nl_open(&nl));
	EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_AS_GET, a, 1, NULL, NULL, NULL), -EPERM);
	nl_close(&nl);
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
}

TEST(non_member_gets_eacces)
{
	apply(true);
	become_user(false);
	EXPECT_ERRNO(open(IOPGT_DEV, O_RDWR), EACCES);
	EXPECT_ERRNO(open(IOPGT_DEV, O_RDONLY), EACCES);
}

/* Last: the default rule (root-only) is back; a member is refused too. */
TEST(default_rule_refuses_member)
{
	struct stat st;

	apply(false);
	ASSERT_OK(stat(IOPGT_DEV, &st));
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(st.st_gid, 0);
	become_user(true);
	EXPECT_ERRNO(open(IOPGT_DEV, O_RDWR), EACCES);
}
