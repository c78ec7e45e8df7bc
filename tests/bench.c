// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks against the real limits, per available format (default
 * configuration, pages of the smallest size).
 *
 * map_unmap_rates: the ioctls against the library's own calls made in the
 * kernel with nothing around them (debugfs iopgt/bench, test-only):
 *  - one batched IOPGT_MAP / IOPGT_UNMAP of 65536 pages vs the library's
 *    multi-page calls in the chunks the module uses ("mapb"/"unmapb"),
 *    each run on fresh IOVAs so both allocate their tables; issue bar
 *    0.90 of the in-kernel rate, hard floor 0.6;
 *  - a vector IOPGT_IOVA_TO_PHYS of 16384 pages vs an in-kernel loop of
 *    the library's iova_to_phys ("xlate"); issue bar 0.5, hard floor 0.2;
 *  - second line: the batched ioctls vs a loop of one library call per
 *    page ("map"/"unmap", the old reference), one single-page ioctl vs one
 *    library call, and the fixed cost of one ioctl, measured as the
 *    cheapest one: IOPGT_GET_INFO with no format array.
 * The ioctl (A) and in-kernel (B) runs alternate, A-B then B-A. Under QEMU
 * TCG on a shared host a run can lose the CPU for milliseconds (a whole
 * median was seen 7x off in a loaded matrix), and such a loss only ever
 * adds time: the checks compare the fastest of the runs of each kind (the
 * cost without interference; a slower module path moves it too); the
 * medians are printed beside them.
 *
 * scaling: the per-leaf cost of MAP, vector IOVA_TO_PHYS and UNMAP of N
 * leaves (16-page entries, so the shadow map holds N/16 runs) at 10K and
 * 100K leaves, and 1M in one format per architecture (every format with
 * IOPGT_BENCH_LEAVES=1000000, as `make bench` runs it), must stay within
 * 1.5x across the sizes (sizes interleaved, fastest of the runs of each;
 * hard floor 3x); a one-page map and unmap into the address space
 * holding the most leaves (each in a fresh leaf table, the case that
 * allocates) must cost at most 2x the same on an empty one (hard floor 4x).
 *
 * Two tiers (BAR_* and FLOOR_* below): every figure is printed and compared
 * with issue 15's bar. Beyond the hard floor the test fails. Between the
 * bar and the floor it is a known gap: the test collects the figure and the
 * bar and, if nothing failed, ends with SKIP "known gap (issue 15): ..."
 * listing them, so it never passes below the bar. The floors exist because
 * QEMU TCG on a shared, loaded host misses the bars marginally and at random
 * while real defects land far beyond the floors.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define BENCH_FILE	"/sys/kernel/debug/iopgt/bench"
#define NPAGES		65536ULL	/* batched map/unmap */
#define NXLATE		16384ULL	/* translate */
#define NLOOP		16384ULL	/* per-page loop */
#define LOOP_REPS	3
#define NSINGLE		1024ULL		/* single-page ioctls */
#define NNULL		1000		/* null ioctls per batch */
#define REPS		7
#define RW		(IOPGT_PROT_READ | IOPGT_PROT_WRITE)

/*
 * Two tiers. BAR_* are issue 15's bars; FLOOR_* are hard floors. Under
 * QEMU TCG on a shared, loaded 2-core host the bars are missed marginally
 * and at random (0.84-0.89 for map/unmap, 0.30-0.50 for translate on 6.12,
 * one 1.54x scaling burst), while real defects land far beyond the floors
 * (an O(tree) recount per call gave 3.47x, udelay(1) per translate entry
 * gave 0.08). A result between a bar and its floor is a known gap: printed,
 * collected, and the test ends in SKIP listing them (never a silent pass);
 * beyond the floor it fails.
 */
#define BAR_MAPUNMAP	0.90	/* batched MAP/UNMAP ioctl / in-kernel batched */
#define FLOOR_MAPUNMAP	0.6
#define BAR_XLATE	0.5	/* vector translate / in-kernel iova_to_phys loop */
#define FLOOR_XLATE	0.2
#define BAR_SCALE	1.5	/* per-leaf cost, largest / smallest over sizes */
#define FLOOR_SCALE	3.0
#define BAR_ONE		2.0	/* one-page map/unmap, fullest / empty AS */
#define FLOOR_ONE	4.0

static char gaps[440];
static int ngaps;

/* Record a result between the bar and the hard floor. */
static void __attribute__((format(printf, 1, 2))) known_gap(const char *fmt, ...)
{
	char m[256];
	size_t n = strlen(gaps);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	h_diag("known gap (issue 15): %s", m);
	snprintf(gaps + n, sizeof(gaps) - n, "%s%s", ngaps ? "; " : "", m);
	ngaps++;
}

/* End of a test: gaps and no failure make it a SKIP, not a pass. */
static void end_gaps(void)
{
	if (ngaps && !h_failed())
		SKIP("known gap (issue 15): %s", gaps);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a;
	unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static unsigned long long minimum(const unsigned long long *v, int n)
{
	unsigned long long m = v[0];

	for (int i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static unsigned long long median(const unsigned long long *v, int n)
{
	unsigned long long s[64];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_ull);
	return n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/*
 * Run one in-kernel bench command; returns its nanoseconds (aborts the
 * test on failure). *check gets the command's check field.
 */
static unsigned long long kbench(const char *cmd, unsigned long long npages,
				 unsigned long long *check)
{
	char buf[128], op[8];
	unsigned long long n = 0, ns = 0, c = 0;
	int fd = open(BENCH_FILE, O_RDWR);
	ssize_t r;

	if (fd < 0) {
		H_FAIL("open %s: %s", BENCH_FILE, h_errname(errno));
		h_abort();
	}
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		H_FAIL("bench '%s': %s", cmd, h_errname(errno));
		h_abort();
	}
	r = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (r <= 0) {
		H_FAIL("read %s: %s", BENCH_FILE, r < 0 ? h_errname(errno) : "empty");
		h_abort();
	}
	buf[r] = 0;
	if (sscanf(buf, "%7s %llu %llu %llu", op, &n, &ns, &c) != 4 ||
	    n != npages || !ns) {
		H_FAIL("bench result '%s' for '%s'", buf, cmd);
		h_abort();
	}
	if (check)
		*check = c;
	return ns;
}

static unsigned long long kbench_map(const char *op, int id, __u64 iova, __u64 pa,
				     unsigned long long n)
{
	unsigned long long c;
	char cmd[128];
	unsigned long long ns;

	snprintf(cmd, sizeof(cmd), "%s %d %#llx %#llx %llu", op, id,
		 (unsigned long long)iova, (unsigned long long)pa, n);
	ns = kbench(cmd, n, &c);
	EXPECT_EQ(c, n);
	return ns;
}

static unsigned long long kbench_unmap(const char *op, int id, __u64 iova,
				       unsigned long long n)
{
	unsigned long long c;
	char cmd[128];
	unsigned long long ns;

	snprintf(cmd, sizeof(cmd), "%s %d %#llx %llu", op, id,
		 (unsigned long long)iova, n);
	ns = kbench(cmd, n, &c);
	EXPECT_EQ(c, n);
	return ns;
}

static double rate(unsigned long long pages, unsigned long long ns)
{
	return ns ? pages * 1e9 / ns : 0;
}

/* vector IOPGT_IOVA_TO_PHYS of n entries */
static int xlate_vec(int fd, int id, struct iopgt_xlate_entry *v, __u32 n)
{
	struct iopgt_iova_to_phys x = {
		.size = sizeof(x), .as_id = id, .n_iovas = n,
		.entry_size = sizeof(*v), .iovas_uptr = (uintptr_t)v,
	};

	return ioctl(fd, IOPGT_IOVA_TO_PHYS, &x);
}

/* the cheapest ioctl: GET_INFO without a format array */
static int null_ioctl(int fd)
{
	struct iopgt_get_info gi = { .size = sizeof(gi) };

	return ioctl(fd, IOPGT_GET_INFO, &gi);
}

/* median nanoseconds of one null ioctl (5 batches of NNULL) */
static unsigned long long null_ioctl_ns(int fd)
{
	unsigned long long t[5];

	for (int b = 0; b < 5; b++) {
		unsigned long long t0 = now_ns();

		for (int i = 0; i < NNULL; i++)
			if (null_ioctl(fd)) {
				H_FAIL("GET_INFO: %s", h_errname(errno));
				h_abort();
			}
		t[b] = (now_ns() - t0) / NNULL;
	}
	return median(t, 5);
}

/* Fail below floor, known gap below bar; say what was compared. */
static void check_ratio(const char *fmt, const char *what, const char *ref,
			unsigned long long pages, unsigned long long t_ioctl,
			unsigned long long t_kernel, double bar, double floor)
{
	double r = (double)t_kernel / t_ioctl;

	if (r < floor)
		H_FAIL("%s: %s reaches %.2f of %s (%.0f vs %.0f pages/s, fastest of %d interleaved runs of %llu pages), below the hard floor %.2f (issue bar %.2f)",
		       fmt, what, r, ref, rate(pages, t_ioctl), rate(pages, t_kernel),
		       REPS, pages, floor, bar);
	else if (r < bar)
		known_gap("%s %s %.2f of %s, bar %.2f", fmt, what, r, ref, bar);
}

TEST_X(map_unmap_rates, H_FMT, 240, 0)
{
	struct iopgt_as_create out;
	unsigned long long bm[REPS], bu[REPS], km[REPS], ku[REPS], vx[REPS], kx[REPS];
	unsigned long long lm[LOOP_REPS], lu[LOOP_REPS], t, s_map, s_unmap, floor_ns, c;
	__u64 g, R, base_x, base_s, pa = 0x80000000ULL, done, i;
	const char *name = format_name(variant->format);
	struct iopgt_xlate_entry *xv;
	double r_map, r_unmap, r_x, kg;
	int fd = dev_open(), id, lg, rep;

	if (access(BENCH_FILE, W_OK))
		SKIP("%s: %s (debugfs not mounted?)", BENCH_FILE, h_errname(errno));
	id = as_create(fd, variant->format, 0, 0, 0, 0, 0, &out);
	ASSERT_GT(id, 0);
	g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
	lg = ilog2_64(g);
	kg = g / 1024.0;
	/*
	 * Regions of NPAGES pages: 2 * rep for the ioctl runs, 2 * rep + 1
	 * for the in-kernel ones, then one for the per-page loops and the
	 * single-page ioctls (fits 2^32 with 4K pages).
	 */
	R = NPAGES * g;
	base_x = 2 * REPS * R;
	base_s = base_x + LOOP_REPS * NLOOP * g;
	ASSERT_TRUE(out.out_ias >= 64 || base_s + NSINGLE * g <= 1ULL << out.out_ias);
	if (out.out_oas < 64 && pa + R > (1ULL << out.out_oas))
		pa = 0;

	/* batched map/unmap: A = ioctl, B = in-kernel; A-B, then B-A */
	for (rep = 0; rep < REPS; rep++) {
		__u64 ia = 2 * rep * R, ib = ia + R;

		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				t = now_ns();
				ASSERT_OK(map1(fd, id, ia, pa, R, RW, lg, &done));
				bm[rep] = now_ns() - t;
				ASSERT_EQ(done, R);
			} else {
				km[rep] = kbench_map("mapb", id, ib, pa, NPAGES);
				EXPECT_EQ(xlate_or_none(fd, id, ib + 42 * g + 7),
					  pa + 42 * g + 7);
			}
		}
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				t = now_ns();
				ASSERT_OK(unmap1(fd, id, ia, R, &done));
				bu[rep] = now_ns() - t;
				ASSERT_EQ(done, R);
			} else {
				ku[rep] = kbench_unmap("unmapb", id, ib, NPAGES);
				EXPECT_EQ(xlate_or_none(fd, id, ib + 42 * g + 7), ~0ULL);
			}
		}
	}

	/* translate NXLATE mapped pages: vector ioctl vs in-kernel loop */
	ASSERT_OK(map1(fd, id, 0, pa, NXLATE * g, RW, lg, &done));
	xv = calloc(NXLATE, sizeof(*xv));
	ASSERT_TRUE(xv != NULL);
	for (rep = 0; rep < REPS; rep++) {
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				for (i = 0; i < NXLATE; i++)
					xv[i] = (struct iopgt_xlate_entry){ .iova = i * g };
				t = now_ns();
				ASSERT_OK(xlate_vec(fd, id, xv, NXLATE));
				vx[rep] = now_ns() - t;
				for (i = 0; i < NXLATE; i++)
					if (xv[i].error || xv[i].out_flags != IOPGT_XLATE_MAPPED ||
					    xv[i].phys != pa + i * g) {
						H_FAIL("vector translate [%llu] iova %#llx: error %d flags %#x phys %#llx, want %#llx",
						       (unsigned long long)i,
						       (unsigned long long)xv[i].iova, xv[i].error,
						       xv[i].out_flags,
						       (unsigned long long)xv[i].phys,
						       (unsigned long long)(pa + i * g));
						h_abort();
					}
			} else {
				char cmd[128];

				snprintf(cmd, sizeof(cmd), "xlate %d 0 %llu", id, NXLATE);
				kx[rep] = kbench(cmd, NXLATE, &c);
				/* every page translated (to a non-zero address) */
				EXPECT_EQ(c, pa ? NXLATE : NXLATE - 1);
			}
		}
	}
	free(xv);
	ASSERT_OK(unmap1(fd, id, 0, NXLATE * g, &done));

	/* the old reference: one library call per page */
	for (rep = 0; rep < LOOP_REPS; rep++) {
		__u64 il = base_x + rep * NLOOP * g;

		lm[rep] = kbench_map("map", id, il, pa, NLOOP);
		lu[rep] = kbench_unmap("unmap", id, il, NLOOP);
	}

	/* one ioctl per page, and the null ioctl */
	floor_ns = null_ioctl_ns(fd);
	t = now_ns();
	for (i = 0; i < NSINGLE; i++)
		ASSERT_OK(map1(fd, id, base_s + i * g, pa + i * g, g, RW, 0, NULL));
	s_map = (now_ns() - t) / NSINGLE;
	t = now_ns();
	for (i = 0; i < NSINGLE; i++)
		ASSERT_OK(unmap1(fd, id, base_s + i * g, g, NULL));
	s_unmap = (now_ns() - t) / NSINGLE;

	{
		unsigned long long mbm = minimum(bm, REPS), mkm = minimum(km, REPS);
		unsigned long long mbu = minimum(bu, REPS), mku = minimum(ku, REPS);
		unsigned long long mvx = minimum(vx, REPS), mkx = minimum(kx, REPS);
		unsigned long long mlm = median(lm, LOOP_REPS) / NLOOP;
		unsigned long long mlu = median(lu, LOOP_REPS) / NLOOP;

		r_map = (double)mkm / mbm;
		r_unmap = (double)mku / mbu;
		r_x = (double)mkx / mvx;
		h_diag("bench %s %.0fK: map batched ioctl %.1fM/s / in-kernel batched %.1fM/s = %.2f (medians %.2f); unmap %.1fM/s / %.1fM/s = %.2f (%.2f); translate vector ioctl %.2fM/s / in-kernel iova_to_phys loop %.2fM/s = %.2f (%.2f) (pages/s, fastest of %d interleaved runs)",
		       name, kg, rate(NPAGES, mbm) / 1e6, rate(NPAGES, mkm) / 1e6, r_map,
		       (double)median(km, REPS) / median(bm, REPS),
		       rate(NPAGES, mbu) / 1e6, rate(NPAGES, mku) / 1e6, r_unmap,
		       (double)median(ku, REPS) / median(bu, REPS),
		       rate(NXLATE, mvx) / 1e6, rate(NXLATE, mkx) / 1e6, r_x,
		       (double)median(kx, REPS) / median(vx, REPS), REPS);
		h_diag("bench %s per page: batched ioctl / in-kernel per-page loop: map %.1f, unmap %.1f; single-page ioctl / in-kernel single call: map %.2f us / %.2f us = %.3f, unmap %.2f us / %.2f us = %.3f; null ioctl (GET_INFO, no formats) %.2f us",
		       name, (double)mlm * NPAGES / mbm, (double)mlu * NPAGES / mbu,
		       s_map / 1e3, mlm / 1e3, (double)mlm / s_map,
		       s_unmap / 1e3, mlu / 1e3, (double)mlu / s_unmap, floor_ns / 1e3);
		check_ratio(name, "the batched MAP ioctl", "the in-kernel batched map",
			    NPAGES, mbm, mkm, BAR_MAPUNMAP, FLOOR_MAPUNMAP);
		check_ratio(name, "the batched UNMAP ioctl", "the in-kernel batched unmap",
			    NPAGES, mbu, mku, BAR_MAPUNMAP, FLOOR_MAPUNMAP);
		check_ratio(name, "the vector IOVA_TO_PHYS ioctl",
			    "the in-kernel iova_to_phys loop", NXLATE, mvx, mkx, BAR_XLATE,
			    FLOOR_XLATE);
	}
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
	end_gaps();
}

/* ---- scaling ---- */

#define RUN_PAGES	16	/* pages per MAP/UNMAP entry */
#define SPOTS		64	/* one-page maps per address space */

struct scale {
	int fd, id;
	__u64 g, n;
	int lg;
	struct iopgt_map_entry *me;
	struct iopgt_unmap_entry *ue;
	struct iopgt_xlate_entry *xv;
	__u32 max_entries;
};

static int map_vec(int fd, int id, struct iopgt_map_entry *e, __u32 n, __u32 *n_done)
{
	struct iopgt_map m = {
		.size = sizeof(m), .as_id = id, .n_entries = n,
		.entries_uptr = (uintptr_t)e, .entry_size = sizeof(*e),
	};
	int r = ioctl(fd, IOPGT_MAP, &m);

	*n_done = m.n_done;
	return r;
}

static int unmap_vec(int fd, int id, struct iopgt_unmap_entry *e, __u32 n,
		     __u32 *n_done)
{
	struct iopgt_unmap u = {
		.size = sizeof(u), .as_id = id, .n_entries = n,
		.entries_uptr = (uintptr_t)e, .entry_size = sizeof(*e),
	};
	int r = ioctl(fd, IOPGT_UNMAP, &u);

	*n_done = u.n_done;
	return r;
}

#define PA0	(1ULL << 20)

/* map the n leaves of @s into s->id: returns nanoseconds */
static unsigned long long scale_map(struct scale *s)
{
	__u64 ne = s->n / RUN_PAGES, done = 0;
	unsigned long long t, total = 0;
	__u32 nd;

	while (done < ne) {
		__u32 k = ne - done > s->max_entries ? s->max_entries : ne - done;

		for (__u32 i = 0; i < k; i++) {
			__u64 j = done + i;

			s->me[i] = (struct iopgt_map_entry){
				.iova = j * RUN_PAGES * s->g,
				.paddr = PA0 + j * RUN_PAGES * s->g,
				.length = RUN_PAGES * s->g, .prot = RW,
				.pgsize_log2 = s->lg,
			};
		}
		t = now_ns();
		if (map_vec(s->fd, s->id, s->me, k, &nd) || nd != k) {
			H_FAIL("MAP of %u entries at %#llx: %s, %u done", k,
			       (unsigned long long)(done * RUN_PAGES * s->g),
			       h_errname(errno), nd);
			h_abort();
		}
		total += now_ns() - t;
		done += k;
	}
	return total;
}

static unsigned long long scale_unmap(struct scale *s)
{
	__u64 ne = s->n / RUN_PAGES, done = 0;
	unsigned long long t, total = 0;
	__u32 nd;

	while (done < ne) {
		__u32 k = ne - done > s->max_entries ? s->max_entries : ne - done;

		for (__u32 i = 0; i < k; i++)
			s->ue[i] = (struct iopgt_unmap_entry){
				.iova = (done + i) * RUN_PAGES * s->g,
				.length = RUN_PAGES * s->g,
			};
		t = now_ns();
		if (unmap_vec(s->fd, s->id, s->ue, k, &nd) || nd != k) {
			H_FAIL("UNMAP of %u entries: %s, %u done", k, h_errname(errno), nd);
			h_abort();
		}
		total += now_ns() - t;
		done += k;
	}
	return total;
}

static unsigned long long scale_xlate(struct scale *s)
{
	unsigned long long t, total = 0;
	__u64 done = 0;

	while (done < s->n) {
		__u32 k = s->n - done > s->max_entries ? s->max_entries : s->n - done;

		for (__u32 i = 0; i < k; i++)
			s->xv[i] = (struct iopgt_xlate_entry){
				.iova = (done + i) * s->g + 8 };
		t = now_ns();
		ASSERT_OK(xlate_vec(s->fd, s->id, s->xv, k));
		total += now_ns() - t;
		for (__u32 i = 0; i < k; i++) {
			__u64 want = PA0 + (done + i) * s->g + 8;

			if (s->xv[i].out_flags != IOPGT_XLATE_MAPPED || s->xv[i].phys != want) {
				H_FAIL("translate of leaf %llu: flags %#x phys %#llx, want %#llx",
				       (unsigned long long)(done + i), s->xv[i].out_flags,
				       (unsigned long long)s->xv[i].phys,
				       (unsigned long long)want);
				h_abort();
			}
		}
		done += k;
	}
	return total;
}

/*
 * One-page map and unmap at @spots fresh leaf tables, alternating between
 * the full address space and the empty one; medians in ns.
 */
static void single_full_vs_empty(struct scale *s, int id_empty, __u64 base,
				 __u64 stride, int spots, unsigned long long med[4])
{
	unsigned long long t[4][SPOTS];
	int ids[2] = { s->id, id_empty };

	for (int k = 0; k < spots; k++) {
		__u64 iova = base + k * stride;

		for (int op = 0; op < 2; op++) {	/* map, unmap */
			for (int j = 0; j < 2; j++) {
				int w = (k & 1) ? 1 - j : j;	/* full/empty order */
				unsigned long long t0 = now_ns();

				if (!op)
					ASSERT_OK(map1(s->fd, ids[w], iova, PA0, s->g, RW, 0, NULL));
				else
					ASSERT_OK(unmap1(s->fd, ids[w], iova, s->g, NULL));
				t[op * 2 + w][k] = now_ns() - t0;
			}
		}
	}
	for (int i = 0; i < 4; i++)
		med[i] = median(t[i], spots);
}

static __u64 bench_leaves_max(void)
{
	const char *e = getenv("IOPGT_BENCH_LEAVES");

	return e && atoll(e) > 0 ? (__u64)atoll(e) : 100000;
}

TEST_X(scaling, H_FMT, 600, 0)
{
	static const __u32 big_pref[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_PT_VTDSS,
	};
	static const __u64 sizes[] = { 10000, 100000, 1000000 };
	static const int reps[] = { 5, 3, 3 };
	const char *name = format_name(variant->format);
	struct scale s = { 0 };
	struct iopgt_as_create out;
	struct iopgt_get_info gi;
	unsigned long long per[3][3] = { { 0 } }, one[4] = { 0 };
	__u64 max = bench_leaves_max(), g;
	int nsz = 0, spots = 0;

	s.fd = dev_open();
	ASSERT_OK(get_info(s.fd, &gi, NULL));
	s.max_entries = gi.max_map_entries;
	if (variant->format == first_available(s.fd, big_pref, 4) && max < 1000000)
		max = 1000000;
	while (nsz < 3 && sizes[nsz] <= max)
		nsz++;
	ASSERT_GT(nsz, 0);

	unsigned long long tm[3][5], tx[3][5], tu[3][5];

	/* sizes interleaved: a burst of host load hits them alike */
	for (int r = 0; r < 5; r++) {
		for (int z = 0; z < nsz; z++) {
			if (r >= reps[z])
				continue;
			s.n = sizes[z];
			s.id = as_create(s.fd, variant->format, 0, 0, 0, 0, 0, &out);
			ASSERT_GT(s.id, 0);
			g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
			if (!s.me) {
				s.g = g;
				s.lg = ilog2_64(g);
				s.me = calloc(s.max_entries, sizeof(*s.me));
				s.ue = calloc(s.max_entries, sizeof(*s.ue));
				s.xv = calloc(s.max_entries, sizeof(*s.xv));
				ASSERT_TRUE(s.me && s.ue && s.xv);
			}
			/* the leaves must fit the input and output ranges */
			if ((out.out_ias < 64 && sizes[nsz - 1] * g > 1ULL << out.out_ias) ||
			    (out.out_oas < 64 && PA0 + sizes[nsz - 1] * g > 1ULL << out.out_oas))
				SKIP("%llu leaves of %lluK do not fit ias %u / oas %u",
				     (unsigned long long)sizes[nsz - 1],
				     (unsigned long long)g >> 10, out.out_ias, out.out_oas);
			tm[z][r] = scale_map(&s);
			tx[z][r] = scale_xlate(&s);
			if (z == nsz - 1 && r == reps[z] - 1) {
				/* one page into the fullest AS vs an empty one */
				__u64 stride = g * 512, top = out.out_ias >= 64 ? ~0ULL :
					(1ULL << out.out_ias);
				__u64 base = (s.n * g + 2 * stride - 1) / stride * stride;
				int id_empty = as_create(s.fd, variant->format, 0, 0, 0, 0, 0, NULL);

				ASSERT_GT(id_empty, 0);
				spots = base < top ? (top - base) / stride : 0;
				if (spots > SPOTS)
					spots = SPOTS;
				ASSERT_GE(spots, 8);
				single_full_vs_empty(&s, id_empty, base, stride, spots, one);
				ASSERT_OK(as_destroy(s.fd, id_empty));
			}
			tu[z][r] = scale_unmap(&s);
			ASSERT_OK(as_destroy(s.fd, s.id));
		}
	}
	for (int z = 0; z < nsz; z++) {
		per[z][0] = minimum(tm[z], reps[z]) / (sizes[z] / 1000);	/* ps/leaf */
		per[z][1] = minimum(tx[z], reps[z]) / (sizes[z] / 1000);
		per[z][2] = minimum(tu[z], reps[z]) / (sizes[z] / 1000);
		h_diag("scaling %s %7llu leaves: map %.1f ns/leaf, translate %.1f ns/leaf, unmap %.1f ns/leaf (%d-page entries, fastest of %d; medians %.1f, %.1f, %.1f)",
		       name, (unsigned long long)sizes[z], per[z][0] / 1e3, per[z][1] / 1e3,
		       per[z][2] / 1e3, RUN_PAGES, reps[z],
		       median(tm[z], reps[z]) / (sizes[z] / 1000) / 1e3,
		       median(tx[z], reps[z]) / (sizes[z] / 1000) / 1e3,
		       median(tu[z], reps[z]) / (sizes[z] / 1000) / 1e3);
	}
	for (int op = 0; op < 3; op++) {
		static const char *const opn[] = { "MAP", "vector IOVA_TO_PHYS", "UNMAP" };
		unsigned long long lo = ~0ULL, hi = 0;
		int zlo = 0, zhi = 0;

		for (int z = 0; z < nsz; z++) {
			if (per[z][op] < lo)
				lo = per[z][op], zlo = z;
			if (per[z][op] > hi)
				hi = per[z][op], zhi = z;
		}
		if ((double)hi / lo > FLOOR_SCALE)
			H_FAIL("%s: %s costs %.1f ns/leaf at %llu leaves but %.1f ns/leaf at %llu leaves: %.2fx, above the hard floor %.1fx (issue bar %.1fx)",
			       name, opn[op], hi / 1e3, (unsigned long long)sizes[zhi],
			       lo / 1e3, (unsigned long long)sizes[zlo], (double)hi / lo,
			       FLOOR_SCALE, BAR_SCALE);
		else if ((double)hi / lo > BAR_SCALE)
			known_gap("%s %s per leaf %.2fx (%llu vs %llu leaves), bar %.1fx",
				  name, opn[op], (double)hi / lo, (unsigned long long)sizes[zhi],
				  (unsigned long long)sizes[zlo], BAR_SCALE);
	}
	h_diag("scaling %s: one-page map into %llu leaves %.1f us vs empty %.1f us (%.2fx), unmap %.1f us vs %.1f us (%.2fx); medians of %d, each in a fresh leaf table",
	       name, (unsigned long long)sizes[nsz - 1], one[0] / 1e3, one[1] / 1e3,
	       (double)one[0] / one[1], one[2] / 1e3, one[3] / 1e3,
	       (double)one[2] / one[3], spots);
	for (int k = 0; k < 4; k += 2) {
		const char *op = k ? "UNMAP" : "MAP";
		double q = (double)one[k] / one[k + 1];

		if (q > FLOOR_ONE)
			H_FAIL("%s: a one-page %s with %llu leaves costs %.1f us, %.2fx the %.1f us on an empty address space: above the hard floor %.1fx (issue bar %.1fx)",
			       name, op, (unsigned long long)sizes[nsz - 1], one[k] / 1e3, q,
			       one[k + 1] / 1e3, FLOOR_ONE, BAR_ONE);
		else if (q > BAR_ONE)
			known_gap("%s one-page %s full/empty %.2fx, bar %.1fx", name, op, q, BAR_ONE);
	}
	free(s.me);
	free(s.ue);
	free(s.xv);
	close(s.fd);
	end_gaps();
}
