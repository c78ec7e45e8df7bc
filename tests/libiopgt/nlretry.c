// SPDX-License-Identifier: GPL-2.0
/*
 * libiopgt against the kernel (built only when the tests get USERSPACE_O):
 * iopgt_netlink_dump_tree_retry() retries a dump the kernel flagged
 * NLM_F_DUMP_INTR whether or not the caller passed an error struct
 * (issue 9 item 5: it used to give up with -EINTR when err was NULL).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "libiopgt.h"

static atomic_int stop;
static int g_fd, g_id;
static __u64 g_gran, g_base;

/* maps and unmaps away from the dumped leaves for a burst of @arg ms */
static void *racer(void *arg)
{
	long limit = (long)(intptr_t)arg;
	__u64 s = 0x9e3779b97f4a7c15ULL;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&stop)) {
		__u64 iova = g_base + (rnd64(&s) % 256) * g_gran;

		if (map1(g_fd, g_id, iova, iova, g_gran, RW, 0, NULL))
			unmap1(g_fd, g_id, iova, g_gran, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > limit)
			break;
	}
	return NULL;
}

struct cnt {
	unsigned long long entries, restarts;
};

static int on_entry(const struct iopgt_tree_entry *e, void *arg)
{
	(void)e;
	((struct cnt *)arg)->entries++;
	return 0;
}

static int on_restart(void *arg)
{
	((struct cnt *)arg)->entries = 0;
	((struct cnt *)arg)->restarts++;
	return 0;
}

TEST_X(dump_tree_retry_without_err, H_PLAIN, 90, 0)
{
	struct iopgt_as_create c;
	struct iopgt_netlink *nl = NULL;
	struct iopgt_err err = { 0 };
	pthread_t th;
	int attempts, retried = 0;

	struct iopgt_get_info gi;
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];
	__u32 f = 0;

	g_fd = dev_open();
	ASSERT_OK(get_info(g_fd, &gi, fi));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT && !f; i++)
		if (fi[i].flags & IOPGT_FMT_F_AVAILABLE)
			f = fi[i].format;
	if (!f)
		h_skip("no available format");
	g_id = as_create(g_fd, f, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(g_id, 0);
	g_gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(map1(g_fd, g_id, 0, 0, 4096 * g_gran, RW, ilog2_64(g_gran), NULL));
	g_base = 4112 * g_gran;
	if (iopgt_netlink_open(&nl, &err))
		H_FAIL("iopgt_netlink_open: %s", err.msg);
	ASSERT_TRUE(nl != NULL);
	atomic_store(&stop, 0);
	for (attempts = 0; attempts < 40 && !retried; attempts++) {
		struct cnt n = { 0, 0 };
		unsigned int tries = 0;
		int r;

		ASSERT_OK(-pthread_create(&th, NULL, racer, (void *)(intptr_t)(200 + 50 * attempts)));
		r = iopgt_netlink_dump_tree_retry(nl, 0, g_id, NULL, on_entry, &n, on_restart,
					     100000, &tries, NULL);
		atomic_store(&stop, 1);
		pthread_join(th, NULL);
		atomic_store(&stop, 0);

		if (r) {
			H_FAIL("dump_tree_retry(err = NULL): %s after %u attempt(s), %llu restart(s)",
			       h_errname(-r), tries, n.restarts);
			break;
		}
		if (n.entries < 4096)
			H_FAIL("only %llu entries", n.entries);
		if (tries > 1) {
			retried = 1;
			EXPECT_EQ(n.restarts, tries - 1);
		}
	}
	h_diag("%d dump(s) until one needed a retry", attempts);
	if (!retried && !h_failed())
		H_FAIL("no dump was interrupted in %d attempts: the test proves nothing", attempts);
	iopgt_netlink_close(nl);
	as_destroy(g_fd, g_id);
	close(g_fd);
}
