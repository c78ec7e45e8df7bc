// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark, per available format: map and unmap 65536 pages of the
 * smallest page size
 *  - through one batched IOPGT_MAP / IOPGT_UNMAP ioctl,
 *  - through the module's test-only in-kernel loop of one map_pages /
 *    unmap_pages call per page (/sys/kernel/debug/iopgt/bench),
 *  - through one IOPGT_MAP / IOPGT_UNMAP ioctl per page (4096 pages),
 * each on its own IOVA region so that every run allocates its own tables
 * (best of five runs for the first two). Prints the rates and the ratios; fails when the batched ioctl reaches less
 * than 90% of the in-kernel loop's rate. Under QEMU TCG absolute numbers
 * are emulated; compare only within one run.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define BENCH_FILE	"/sys/kernel/debug/iopgt/bench"
#define NPAGES		65536ULL
#define NSINGLE		4096ULL
#define REPS		5
#define RW		(IOPGT_PROT_READ | IOPGT_PROT_WRITE)

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Run one in-kernel bench command; returns its nanoseconds, or 0. */
static unsigned long long kbench(const char *cmd, unsigned long long npages)
{
	char buf[96], op[8];
	unsigned long long n = 0, ns = 0;
	int fd = open(BENCH_FILE, O_RDWR);
	ssize_t r;

	if (fd < 0) {
		H_FAIL("open %s: %s", BENCH_FILE, h_errname(errno));
		return 0;
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		H_FAIL("bench '%s': %s", cmd, h_errname(errno));
		close(fd);
		return 0;
	}
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (r <= 0) {
		H_FAIL("read %s: %s", BENCH_FILE, r < 0 ? h_errname(errno) : "empty");
		return 0;
	}
	buf[r] = 0;
	if (sscanf(buf, "%7s %llu %llu", op, &n, &ns) != 3 || n != npages) {
		H_FAIL("bench result '%s' for '%s'", buf, cmd);
		return 0;
	}
	return ns;
}

static double rate(unsigned long long pages, unsigned long long ns)
{
	return ns ? pages * 1e9 / ns : 0;
}

TEST_X(map_unmap_rates, H_FMT, 240, 0)
{
	struct iopgt_as_create out;
	unsigned long long t, b_map, b_unmap, k_map, k_unmap, s_map, s_unmap;
	__u64 g, base_b, base_k, base_s, pa = 0x80000000ULL, done, i;
	char cmd[128];
	double r_map, r_unmap;
	int fd = dev_open(), id, lg, rep;

	if (access(BENCH_FILE, W_OK))
		SKIP("%s: %s (debugfs not mounted?)", BENCH_FILE, h_errname(errno));
	id = as_create(fd, variant->format, 0, 0, 0, 0, 0, &out);
	ASSERT_GT(id, 0);
	g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
	lg = ilog2_64(g);
	/* disjoint regions inside the IAS: REPS x NPAGES pages for each of
	 * the batched and in-kernel runs, NSINGLE pages for single ioctls */
	base_b = NPAGES * g;
	base_k = base_b + REPS * NPAGES * g;
	base_s = base_k + REPS * NPAGES * g;
	ASSERT_TRUE(out.out_ias >= 64 || base_s + NSINGLE * g <= 1ULL << out.out_ias);
	if (out.out_oas < 64 && pa + NPAGES * g > (1ULL << out.out_oas))
		pa = 0;

	/*
	 * Best of REPS runs of each, every run on fresh IOVAs (emptied tables
	 * stay allocated after an unmap): the batched ioctl, pages forced to
	 * the granule, then the in-kernel loop of one library call per page.
	 */
	b_map = b_unmap = k_map = k_unmap = ~0ULL;
	for (rep = 0; rep < REPS; rep++) {
		__u64 ib = base_b + rep * NPAGES * g, ik = base_k + rep * NPAGES * g;

		t = now_ns();
		ASSERT_OK(map1(fd, id, ib, pa, NPAGES * g, RW, lg, &done));
		t = now_ns() - t;
		b_map = t < b_map ? t : b_map;
		ASSERT_EQ(done, NPAGES * g);
		t = now_ns();
		ASSERT_OK(unmap1(fd, id, ib, NPAGES * g, &done));
		t = now_ns() - t;
		b_unmap = t < b_unmap ? t : b_unmap;
		ASSERT_EQ(done, NPAGES * g);

		snprintf(cmd, sizeof(cmd), "map %d %#llx %#llx %llu", id,
			 (unsigned long long)ik, (unsigned long long)pa, NPAGES);
		t = kbench(cmd, NPAGES);
		if (!t)
			h_abort();
		k_map = t < k_map ? t : k_map;
		EXPECT_EQ(xlate_or_none(fd, id, ik + 42 * g + 7), pa + 42 * g + 7);
		snprintf(cmd, sizeof(cmd), "unmap %d %#llx %llu", id,
			 (unsigned long long)ik, NPAGES);
		t = kbench(cmd, NPAGES);
		if (!t)
			h_abort();
		k_unmap = t < k_unmap ? t : k_unmap;
		EXPECT_EQ(xlate_or_none(fd, id, ik + 42 * g + 7), ~0ULL);
	}

	/* one ioctl per page */
	t = now_ns();
	for (i = 0; i < NSINGLE; i++)
		ASSERT_OK(map1(fd, id, base_s + i * g, pa + i * g, g, RW, 0, NULL));
	s_map = now_ns() - t;
	t = now_ns();
	for (i = 0; i < NSINGLE; i++)
		ASSERT_OK(unmap1(fd, id, base_s + i * g, g, NULL));
	s_unmap = now_ns() - t;

	r_map = rate(NPAGES, b_map) / rate(NPAGES, k_map);
	r_unmap = rate(NPAGES, b_unmap) / rate(NPAGES, k_unmap);
	h_diag("bench %s map %llu x %lluK: batched ioctl %.0f pages/s, in-kernel loop %.0f pages/s, ratio %.2f; single-page ioctl %.0f pages/s (%.3f of in-kernel)",
	       format_name(variant->format), NPAGES, (unsigned long long)g >> 10,
	       rate(NPAGES, b_map), rate(NPAGES, k_map), r_map,
	       rate(NSINGLE, s_map), rate(NSINGLE, s_map) / rate(NPAGES, k_map));
	h_diag("bench %s unmap: batched ioctl %.0f pages/s, in-kernel loop %.0f pages/s, ratio %.2f; single-page ioctl %.0f pages/s (%.3f of in-kernel)",
	       format_name(variant->format),
	       rate(NPAGES, b_unmap), rate(NPAGES, k_unmap), r_unmap,
	       rate(NSINGLE, s_unmap), rate(NSINGLE, s_unmap) / rate(NPAGES, k_unmap));
	EXPECT_GE((unsigned long long)(r_map * 100), 90);
	EXPECT_GE((unsigned long long)(r_unmap * 100), 90);
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
}
