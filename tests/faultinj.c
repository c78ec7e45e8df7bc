// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection, two sweeps over the same scenario.
 *
 * fail_nth_sweep (iommufd_fail_nth, through the module's own knob): run a
 * fixed scenario (create, map a few page sizes, a batch across tables, walk,
 * tree dump, destroy) once to count its allocations (fault_count), then for
 * every N fail the Nth allocation (fault_nth=N): the failing step must fail
 * with ENOMEM, nothing else may fail, the address space must stay usable
 * (or, for a failed create, not exist), and after destroy the module
 * counters must be back to the baseline.
 *
 * kernel_fail_nth_sweep (the kernel's own switches, sanitizer kernels with
 * FAILSLAB + FAIL_PAGE_ALLOC + FAULT_INJECTION_DEBUG_FS): the same, with
 * /proc/thread-self/fail-nth failing the Nth slab or page allocation of
 * the task (failslab and fail_page_alloc with ignore-gfp-wait=N, min-order=0
 * so order-0 table pages fail too, verbose=0 so no injected failure prints
 * a Call Trace). This reaches the allocations inside io-pgtable and
 * generic_pt. A failing step must fail with ENOMEM (ENOBUFS for the netlink
 * dump), a step may also succeed (an allocation with a fallback); the rest
 * as above, and the console judge sees any splat.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

struct scen {
	int fd, id;
	__u64 sizes[64];
	int n;
	struct nl nl;
	bool use_nl;
	__u64 gran;
};

/* returns the step number that failed (0 = none); err = its errno */
static int scenario(struct scen *s, const struct h_variant *v, int *err, bool keep)
{
	struct iopgt_as_create c;
	struct iopgt_walk w;
	struct tree_stats st;
	__u64 pa;
	int step = 0, r;

	*err = 0;
	step++;
	s->id = as_create(s->fd, v->format, 0, 0, 0, 0, 0, &c);
	if (s->id < 0) {
		*err = errno;
		s->id = 0;
		return step;
	}
	s->n = pgsizes_list(c.out_pgsize_bitmap, s->sizes, 3);
	s->gran = s->sizes[0];
	for (int i = 0; i < s->n; i++) {
		__u64 sz = s->sizes[i];

		step++;
		if (c.out_ias < 64 && (i + 1) * SZ_1G + sz > 1ULL << c.out_ias)
			continue;
		if (map1(s->fd, s->id, (i + 1) * SZ_1G, sz, sz, RW, ilog2_64(sz), NULL)) {
			*err = errno;
			return step;
		}
	}
	/* 8 granules in 8 different leaf tables, one call */
	step++;
	{
		struct iopgt_map_entry e[8];
		struct iopgt_map m = { .size = sizeof(m), .as_id = s->id, .n_entries = 8,
				       .entries_uptr = (uintptr_t)e, .entry_size = sizeof(e[0]) };

		memset(e, 0, sizeof(e));
		for (int i = 0; i < 8; i++)
			e[i] = (struct iopgt_map_entry){ .iova = i * SZ_16M, .paddr = i * s->gran,
							 .length = s->gran, .prot = RW };
		if (ioctl(s->fd, IOPGT_MAP, &m)) {
			*err = errno;
			return step;
		}
	}
	step++;
	if (xlate(s->fd, s->id, 2 * SZ_16M + 1, &pa, NULL)) {
		*err = errno;
		return step;
	}
	step++;
	if (walk(s->fd, s->id, SZ_16M, 0, &w)) {
		*err = errno;
		return step;
	}
	step++;
	if (s->use_nl) {
		r = tree_dump(&s->nl, s->id, &st, NULL, NULL);
		if (r) {
			*err = -r;
			return step;
		}
	}
	step++;
	if (unmap1(s->fd, s->id, 3 * SZ_16M, s->gran, NULL)) {
		*err = errno;
		return step;
	}
	if (!keep) {
		step++;
		if (as_destroy(s->fd, s->id)) {
			*err = errno;
			return step;
		}
		s->id = 0;
	}
	return 0;
}

/* the device and a socket; fault injection off again whatever the test did */
FIXTURE(faultinj) { struct scen s; };
FIXTURE_SETUP(faultinj)
{
	if (!param_exists("fault_nth") || !param_exists("fault_count")) {
		H_FAIL("module parameters fault_nth/fault_count missing");
		h_abort();
	}
	self->s.fd = dev_open();
	self->s.use_nl = nl_open(&self->s.nl) == 0;
}
FIXTURE_TEARDOWN(faultinj)
{
	EXPECT_OK(param_set("fault_nth", 0));
	if (self->s.use_nl)
		nl_close(&self->s.nl);
	close(self->s.fd);
}

TEST_F_X(faultinj, fail_nth_sweep, H_FMT, 200, H_NOLEAK)
{
	struct scen s = self->s;	/* the teardown needs only its fds */
	struct leak_snap base, now;
	unsigned long long total = 0;
	int step, err, nfail = 0;

	ASSERT_OK(leak_snap(&base));
	/* count: a large N never fires */
	ASSERT_OK(param_set("fault_nth", 1000000));
	step = scenario(&s, variant, &err, false);
	ASSERT_OK(param_get("fault_count", &total));
	ASSERT_OK(param_set("fault_nth", 0));
	ASSERT_EQ(step, 0);
	ASSERT_GT(total, 0);
	h_diag("%s: scenario makes %llu allocations (netlink %s)", variant->name, total,
	       s.use_nl ? "yes" : "no");
	for (unsigned long long n = 1; n <= total; n++) {
		ASSERT_OK(param_set("fault_nth", n));
		step = scenario(&s, variant, &err, true);
		EXPECT_OK(param_set("fault_nth", 0));
		if (!step) {
			H_FAIL("fault_nth=%llu: no step failed", n);
		} else if (err != ENOMEM) {
			H_FAIL("fault_nth=%llu: step %d failed with %s, expected ENOMEM", n, step,
			       h_errname(err));
		} else {
			nfail++;
		}
		if (s.id) {
			/* still usable: the mapping made by step 2 (if any) and a new one */
			struct iopgt_as_info ai;

			EXPECT_OK(as_info(s.fd, s.id, &ai));
			if (step > 2 && s.n && (s.sizes[0] + SZ_1G) < (1ULL << 40))
				EXPECT_EQ(xlate_or_none(s.fd, s.id, SZ_1G + 42), s.sizes[0] + 42);
			if (EXPECT_OK(map1(s.fd, s.id, 0x7100 * s.gran, 0, s.gran, RW, 0, NULL)) == 0)
				EXPECT_EQ(xlate_or_none(s.fd, s.id, 0x7100 * s.gran + 1), 1);
			EXPECT_OK(as_destroy(s.fd, s.id));
			s.id = 0;
		}
		ASSERT_OK(leak_snap(&now));
		if (!leak_same(&base, &now, "fail_nth_sweep"))
			H_FAIL("fault_nth=%llu (step %d): counters not back to baseline", n, step);
		if (h_failed() > 10)
			break;
	}
	h_diag("%s: %d injected failures, all ENOMEM and clean", variant->name, nfail);
}

/* The kernel's fault-injection knobs (debugfs), restored at the end. */
static const char *const kfi_knobs[][2] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
};

static int fail_nth_fd = -1;

static int fail_nth_set(unsigned long long n)
{
	char b[32];
	int len = snprintf(b, sizeof(b), "%llu", n);

	return pwrite(fail_nth_fd, b, len, 0) == len ? 0 : -1;
}

static long long fail_nth_get(void)
{
	char b[32] = { 0 };

	if (pread(fail_nth_fd, b, sizeof(b) - 1, 0) <= 0)
		return -1;
	return strtoll(b, NULL, 10);
}

TEST_X(kernel_fail_nth_sweep, H_FMT, 900, H_NOLEAK)
{
	struct scen s = { 0 };
	struct leak_snap base, now;
	char saved[5][32];
	long long left;
	unsigned long long total, n, stride;
	int step, err, nfail = 0, nok = 0, i;

	if (access("/sys/kernel/debug/failslab", F_OK) ||
	    access("/sys/kernel/debug/fail_page_alloc", F_OK))
		SKIP("kernel without FAILSLAB/FAIL_PAGE_ALLOC + FAULT_INJECTION_DEBUG_FS (the sanitizer targets have them)");
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth_fd < 0)
		SKIP("no /proc/thread-self/fail-nth (%s)", h_errname(errno));
	for (i = 0; i < 5; i++) {
		FILE *f = fopen(kfi_knobs[i][0], "r");

		ASSERT_TRUE(f != NULL);
		if (!fgets(saved[i], sizeof(saved[i]), f))
			saved[i][0] = 0;
		saved[i][strcspn(saved[i], "\n")] = 0;
		fclose(f);
		ASSERT_OK(sysfs_write(kfi_knobs[i][0], kfi_knobs[i][1]));
	}
	s.fd = dev_open();
	s.use_nl = nl_open(&s.nl) == 0;
	ASSERT_OK(leak_snap(&base));
	/* count: a large N never fires; what is left says how many calls */
	ASSERT_OK(fail_nth_set(1000000));
	step = scenario(&s, variant, &err, false);
	left = fail_nth_get();
	ASSERT_OK(fail_nth_set(0));
	ASSERT_EQ(step, 0);
	ASSERT_GT(left, 0);
	total = 1000000 - left;
	ASSERT_GT(total, 0);
	/* every N up to 400, then a stride that keeps it to ~400 runs */
	stride = total > 400 ? (total + 399) / 400 : 1;
	h_diag("%s: the scenario makes %llu fault-injectable calls; failing every %llu%s (netlink %s)",
	       variant->name, total, stride, stride == 1 ? "" : "th", s.use_nl ? "yes" : "no");
	for (n = 1; n <= total; n += stride) {
		ASSERT_OK(fail_nth_set(n));
		step = scenario(&s, variant, &err, true);
		left = fail_nth_get();
		EXPECT_OK(fail_nth_set(0));
		if (!step) {
			nok++;	/* the failed call had a fallback, or came after the last step */
		} else if (err != ENOMEM && !(err == ENOBUFS && s.use_nl)) {
			H_FAIL("fail-nth=%llu: step %d failed with %s, expected ENOMEM", n, step,
			       h_errname(err));
		} else {
			nfail++;
		}
		if (left > 0 && step)
			H_FAIL("fail-nth=%llu: step %d failed (%s) but no failure was injected (%lld left)",
			       n, step, h_errname(err), left);
		if (s.id) {
			struct iopgt_as_info ai;

			EXPECT_OK(as_info(s.fd, s.id, &ai));
			if (EXPECT_OK(map1(s.fd, s.id, 0x7100 * s.gran, 0, s.gran, RW, 0, NULL)) == 0)
				EXPECT_EQ(xlate_or_none(s.fd, s.id, 0x7100 * s.gran + 1), 1);
			EXPECT_OK(as_destroy(s.fd, s.id));
			s.id = 0;
		}
		ASSERT_OK(leak_snap(&now));
		if (!leak_same(&base, &now, "kernel_fail_nth_sweep"))
			H_FAIL("fail-nth=%llu (step %d): counters not back to baseline", n, step);
		if (h_failed() > 10)
			break;
	}
	h_diag("%s: %d injected failures failed a step with a clean errno, %d were absorbed",
	       variant->name, nfail, nok);
	for (i = 0; i < 5; i++)
		if (saved[i][0])
			sysfs_write(kfi_knobs[i][0], saved[i]);
	if (s.use_nl)
		nl_close(&s.nl);
	close(s.fd);
	close(fail_nth_fd);
}
