// SPDX-License-Identifier: GPL-2.0
/*
 * Device lifetime: unbind with open fds -> ENODEV on every ioctl and netlink
 * call, close is safe, rebind gives a fresh working device; 50 unbind/rebind
 * cycles while 4 threads map and unmap; module counters (and nr_iommu_pages
 * where the kernel has it) back to the baseline after every cycle.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void unbind(void)
{
	if (sysfs_write(IOPGT_DRV "/unbind", "iopgt.0")) {
		H_FAIL("unbind: %s", h_errname(errno));
		h_abort();
	}
}

static void bind_dev(void)
{
	if (sysfs_write(IOPGT_DRV "/bind", "iopgt.0")) {
		H_FAIL("bind: %s", h_errname(errno));
		h_abort();
	}
}

/* wait for the misc node to come back after bind (devtmpfs) */
static int open_retry(void)
{
	for (int i = 0; i < 2000; i++) {
		int fd = open(IOPGT_DEV, O_RDWR | O_CLOEXEC);

		if (fd >= 0)
			return fd;
		usleep(1000);
	}
	H_FAIL("%s did not come back: %s", IOPGT_DEV, h_errname(errno));
	h_abort();
}

static int first_format(int fd, struct iopgt_format_info *out)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;

	ASSERT_OK(get_info(fd, &gi, f));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
		if (f[i].flags & IOPGT_FMT_F_AVAILABLE) {
			if (out)
				*out = f[i];
			return f[i].format;
		}
	return 0;
}

static void snap_or_die(struct leak_snap *s)
{
	/* fresh open after a rebind may race with devtmpfs */
	for (int i = 0; i < 2000; i++) {
		if (!leak_snap(s))
			return;
		usleep(1000);
	}
	H_FAIL("GET_INFO for leak snapshot failed: %s", h_errname(errno));
	h_abort();
}

TEST_X(unbind_with_open_fds, H_PLAIN, 60, H_NOLEAK)
{
	struct leak_snap base, after;
	struct iopgt_get_info gi;
	int fd, fd2, fmt, id = 0, pid = 0;
	struct nl nl;
	int nl_ok;

	snap_or_die(&base);
	fd = dev_open();
	fd2 = dev_open();
	fmt = first_format(fd, NULL);
	if (fmt) {
		id = as_create(fd, fmt, 0, 0, 0, 0, 0, NULL);
		ASSERT_GT(id, 0);
		ASSERT_OK(map1(fd, id, 0, 0, SZ_64K, RW, 0, NULL));
		pid = as_create(fd2, fmt, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, NULL);
		ASSERT_GT(pid, 0);
	}
	nl_ok = nl_open(&nl);
	unbind();

	/* every ioctl: ENODEV */
	EXPECT_ERRNO(get_info(fd, &gi, NULL), ENODEV);
	EXPECT_ERRNO(as_create(fd, fmt ? fmt : IOPGT_FMT_ARM_64_LPAE_S1, 0, 0, 0, 0, 0, NULL),
		     ENODEV);
	EXPECT_ERRNO(as_destroy(fd, id ? id : 1), ENODEV);
	EXPECT_ERRNO(map1(fd, id ? id : 1, SZ_1M, 0, SZ_4K, RW, 0, NULL), ENODEV);
	EXPECT_ERRNO(unmap1(fd, id ? id : 1, 0, SZ_4K, NULL), ENODEV);
	EXPECT_ERRNO(xlate(fd, id ? id : 1, 0, NULL, NULL), ENODEV);
	{
		struct iopgt_hw_cfg h;
		struct iopgt_walk w;
		struct iopgt_as_info ai;

		EXPECT_ERRNO(hw_cfg(fd, id ? id : 1, &h), ENODEV);
		EXPECT_ERRNO(walk(fd, id ? id : 1, 0, 0, &w), ENODEV);
		EXPECT_ERRNO(as_info(fd, id ? id : 1, &ai), ENODEV);
		EXPECT_ERRNO(as_info(fd2, pid ? pid : 1, &ai), ENODEV);
	}
	/* unknown ioctls are still ENOTTY or ENODEV, never anything else */
	{
		int r = ioctl(fd, _IO(IOPGT_TYPE, 0xff), NULL);

		EXPECT_TRUE(r == -1 && (errno == ENODEV || errno == ENOTTY));
	}
	/* netlink: the device is gone */
	if (nl_ok == 0) {
		struct nl_req_attr a[2] = { { IOPGT_A_DEV_ID, 4, 0 }, { IOPGT_A_AS_ID, 4, id ? id : 1 } };
		int r;

		r = nl_dump(&nl, IOPGT_NL_CMD_AS_GET, a, 1, NULL, NULL, NULL);
		EXPECT_EQ(r, -ENODEV);
		r = nl_dump(&nl, IOPGT_NL_CMD_TREE_GET, a, 2, NULL, NULL, NULL);
		EXPECT_EQ(r, -ENODEV);
		r = nl_dump(&nl, IOPGT_NL_CMD_FORMAT_GET, a, 1, NULL, NULL, NULL);
		EXPECT_EQ(r, -ENODEV);
		nl_close(&nl);
	} else {
		H_FAIL("netlink family iopgt: %s", h_errname(-nl_ok));
	}
	EXPECT_OK(close(fd));
	EXPECT_OK(close(fd2));
	bind_dev();
	fd = open_retry();
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_EQ(gi.nr_as, 0);
	if (fmt) {
		struct iopgt_as_info ai;
		int nid;

		/* the persistent AS died with the device */
		EXPECT_ERRNO(as_info(fd, pid, &ai), ENOENT);
		nid = as_create(fd, fmt, 0, 0, 0, 0, 0, NULL);
		EXPECT_GT(nid, 0);
		EXPECT_OK(map1(fd, nid, 0, 0, SZ_64K, RW, 0, NULL));
		EXPECT_EQ(xlate_or_none(fd, nid, 42), 42);
	}
	close(fd);
	snap_or_die(&after);
	EXPECT_TRUE(leak_same(&base, &after, "unbind_with_open_fds"));
}

/* ---- 50 unbind/rebind cycles under 4 mapping threads ---- */

#define NTHREADS 4

static atomic_int may_open;	/* set by main once the device is back and measured */
static atomic_int holding;	/* threads holding an fd */
static atomic_int stop;
static atomic_ullong nops, nenodev;
static int g_fmt;

static void *mapper(void *arg)
{
	__u64 rs = h_seed() + (uintptr_t)arg * 7919;

	while (!atomic_load(&stop)) {
		int fd, id = 0;

		if (!atomic_load(&may_open)) {
			usleep(200);
			continue;
		}
		atomic_fetch_add(&holding, 1);
		fd = open(IOPGT_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			atomic_fetch_sub(&holding, 1);
			usleep(500);
			continue;
		}
		while (!atomic_load(&stop)) {
			struct iopgt_get_info gi;
			int r;

			if (g_fmt && !id) {
				id = as_create(fd, g_fmt, (rnd64(&rs) & 3) ? 0 : IOPGT_AS_PERSISTENT,
					       0, 0, 0, 0, NULL);
				if (id < 0) {
					if (errno == ENODEV)
						break;
					if (errno != ENOSPC && errno != ENOMEM)
						H_FAIL("thread create: %s", h_errname(errno));
					id = 0;
				}
			}
			if (id) {
				__u64 iova = (rnd64(&rs) % 512) * SZ_64K;

				r = map1(fd, id, iova, iova, SZ_64K, RW, 0, NULL);
				if (r && errno != EEXIST && errno != ENODEV && errno != ENOSPC)
					H_FAIL("thread map: %s", h_errname(errno));
				if (r && errno == ENODEV)
					break;
				r = unmap1(fd, id, (rnd64(&rs) % 512) * SZ_64K, SZ_64K, NULL);
				if (r && errno != ENOENT && errno != ENODEV && errno != EINVAL)
					H_FAIL("thread unmap: %s", h_errname(errno));
				if (r && errno == ENODEV)
					break;
				if (!(rnd64(&rs) % 64)) {
					r = as_destroy(fd, id);
					if (r && errno == ENODEV)
						break;
					id = 0;
				}
			}
			r = get_info(fd, &gi, NULL);
			atomic_fetch_add(&nops, 1);
			if (r && errno == ENODEV)
				break;
			if (r)
				H_FAIL("thread GET_INFO: %s", h_errname(errno));
		}
		atomic_fetch_add(&nenodev, 1);
		close(fd);
		atomic_fetch_sub(&holding, 1);
	}
	return NULL;
}

TEST_X(unbind_rebind_cycles, H_PLAIN, 200, H_NOLEAK)
{
	pthread_t th[NTHREADS];
	struct leak_snap base, s;
	int cycles = 50, done = 0, fd;
	const char *e = getenv("IOPGT_LIFETIME_CYCLES");
	struct timespec t0, t1;

	if (e && atoi(e) > 0)
		cycles = atoi(e);
	fd = dev_open();
	g_fmt = first_format(fd, NULL);
	close(fd);
	snap_or_die(&base);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	atomic_store(&may_open, 1);
	for (long i = 0; i < NTHREADS; i++)
		ASSERT_OK(-pthread_create(&th[i], NULL, mapper, (void *)i));
	for (int c = 0; c < cycles; c++) {
		usleep(20000 + (rnd64(&(__u64){ h_seed() + c }) % 20000));
		atomic_store(&may_open, 0);
		unbind();
		/* every thread sees ENODEV and closes its fd */
		for (int w = 0; atomic_load(&holding) > 0; w++) {
			if (w > 20000) {
				H_FAIL("cycle %d: threads stuck after unbind (%d hold an fd)", c,
				       atomic_load(&holding));
				h_abort();
			}
			usleep(1000);
		}
		bind_dev();
		snap_or_die(&s);
		if (!leak_same(&base, &s, "unbind_rebind_cycles"))
			H_FAIL("cycle %d: counters not back to baseline", c);
		atomic_store(&may_open, 1);
		done = c + 1;
		if (h_failed())
			break;
	}
	/* threads leave on ENODEV; the unbind also frees their persistent ASes */
	unbind();
	atomic_store(&stop, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	bind_dev();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	h_diag("%d of %d cycles, %llu thread ops, %llu ENODEV exits, %.1f s, format %s", done,
	       cycles,
	       (unsigned long long)atomic_load(&nops), (unsigned long long)atomic_load(&nenodev),
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       g_fmt ? format_name(g_fmt) : "none");
	snap_or_die(&s);
	EXPECT_TRUE(leak_same(&base, &s, "unbind_rebind_cycles end"));
}
