// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks against the real limits, per available format (default
 * configuration, pages of the smallest size).
 *
 * map_unmap_rates: the ioctls against the library's own calls made in the
 * kernel with nothing around them (debugfs iopgt/bench, test-only):
 *  - one batched IOPGT_MAP of 131072 pages vs the library's multi-page
 *    calls in the chunks the module uses ("mapb", 2 of 65536 pages), and
 *    one batched IOPGT_UNMAP of 262144 pages (one run) vs "unmapb" (4
 *    calls), each run on fresh IOVAs so both allocate their tables: must
 *    reach 0.90 of the in-kernel rate. The UNMAP call's fixed cost is the
 *    shadow map's store (one maple node allocated, two freed, measured by
 *    ftrace): a few us, but 30-400 us under the matrix's hardened boot
 *    (slub_debug=FZPU, and KFENCE every 5 ms takes the node), 2.5-5% of a
 *    131072-page unmap (1.2 ms) in the fastest runs; the unmap runs on
 *    twice the pages so that cost weighs as it does in a map run (with
 *    262144-page map runs of 10 ms a loaded host left none clean);
 *  - a vector IOPGT_IOVA_TO_PHYS of 2048 pages vs an in-kernel loop of
 *    the library's iova_to_phys ("xlate"): must reach 0.5;
 *  - second line: the batched ioctls vs a loop of one library call per
 *    page ("map"/"unmap", the old reference), one single-page ioctl vs one
 *    library call, and the fixed cost of one ioctl, measured as the
 *    cheapest one: IOPGT_GET_INFO with no format array.
 * The ioctl (A) and in-kernel (B) runs alternate, A-B then B-A, 31 times
 * (31 more, twice at most, while a ratio is below its bar: see
 * more_pairs()); a result still below its bar is measured again from
 * scratch, up to three attempts, each ioctl judged on its best (see ATTEMPTS).
 * Robust by design on a shared, loaded host (QEMU TCG, 2 host cores): each
 * run is short (1-3 ms) and the two runs of a pair follow each other, so
 * a pair sees one host state (the same CPU clock, the same neighbours);
 * the checks take the median of the pairs' ratios. A preemption that hits
 * one run of a pair moves that pair's ratio up or down, as often one way
 * as the other, and the median stays put while fewer than half the pairs
 * are hit; a slower module path moves every pair. (Comparing the fastest
 * run of each kind, as before, let one side's fastest run come from a
 * moment the host clocked higher: 0.86-0.89 beside three other VMs, with
 * medians of the pairs at 0.95-0.99. Translate runs of 10 ms were each
 * preempted under load.) The fastest runs are printed beside them.
 * KFENCE sampling is paused for this program by the VM init (see
 * scripts/vm-init.sh): the stock kernels ship it off.
 *
 * scaling: the per-leaf cost of MAP, vector IOVA_TO_PHYS, UNMAP (16-page
 * entries) and of the netlink tree dump at 10K and 100K leaves, and 1M in
 * one format per architecture (every format with IOPGT_BENCH_LEAVES=1000000,
 * as `make bench` runs it), must stay within 1.5x across the sizes. The
 * sizes run side by side, one address space each, through the same phase
 * at the same time: a round is one call of 1024 leaves per size (64
 * MAP/UNMAP entries, 1024 translations; about 1 ms each) or one recv() of
 * each size's whole-tree dump (each on its own socket, a few hundred
 * leaves); the largest size paces the phase and the smaller ones start
 * over when they run out (see scale_cycle()). A size is compared with the
 * smallest on the median, over the rounds, of its per-leaf time over the
 * smallest's in the same round: load moves both calls of a round alike,
 * while a cost that grows with the tree shows in every round of the
 * largest size (its map/unmap calls run at fill 0..N, its dump recv()s at
 * positions 0..N). (The lower quartile of each size's own calls, as
 * before, drifted 1.47x between sizes beside other VMs, when the sizes'
 * dumps ran in different stretches of time.) A phase past the bar is
 * measured again in one more whole cycle, up to three, and judged on its
 * best (see ATTEMPTS). A one-page map and unmap into the address space
 * holding the most leaves (each in a fresh leaf table, the case that
 * allocates) must cost at most 2x the same on an empty one (interleaved,
 * medians of 64).
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
#define NPAGES		131072ULL	/* batched map: 2 module chunks */
#define NPAGES_U	(2 * NPAGES)	/* batched unmap: 4 module chunks */
#define NXLATE		2048ULL		/* translate */
#define NLOOP		16384ULL	/* per-page loop */
#define LOOP_REPS	3
#define NSINGLE		1024ULL		/* single-page ioctls */
#define NNULL		1000		/* null ioctls per batch */
#define REPS		31
#define RW		(IOPGT_PROT_READ | IOPGT_PROT_WRITE)

/*
 * issue 15's bars. Vector translate fails below its bar (0.69-0.90 once
 * the per-entry translation was inlined into the loop; udelay(1) per
 * translated page gave 0.06). The batched MAP/UNMAP check fails below its
 * bar (udelay(500) per UNMAP call gave 0.74-0.83). The per-leaf scaling
 * of every phase fails above its bar (a walk of the whole shadow map per
 * MAP gave 2.96x; ndelay() per dumped leaf 5.44x). Measured side by side
 * (see scale_cycle()), the 6.1 and 6.12 arm64 kernels show the most
 * growth under the hardened boot: UNMAP 1.10-1.34x and MAP 1.12-1.30x
 * from 10K to 100K/1M leaves (up to 2.67x in a first cycle beside a loaded
 * host, hence the attempts), against 1.04-1.23x in a plain boot, while 7.2
 * and the amd64 kernels stay at 0.94-1.15x. The cause (counted on 6.1, see
 * README) is the shadow map's maple tree: its stores preallocate nodes for
 * the worst case, in numbers that grow with its height, and free nearly
 * all of them unused, each allocation and free slow under slub_debug=FZPU.
 */
#define BAR_MAPUNMAP	0.90	/* batched MAP/UNMAP ioctl / in-kernel batched */
#define BAR_XLATE	0.5	/* vector translate / in-kernel iova_to_phys loop */
#define MAX_SPREAD	2.0	/* in-kernel runs' median / fastest, to judge a ratio */
#define BAR_SCALE	1.5	/* per-leaf cost, largest / smallest over sizes */
#define BAR_ONE		2.0	/* one-page map/unmap, fullest / empty AS */

static char unjudged[440];
static int nunjudged;

/* Record a result below its bar from a host too loaded to judge it. */
static void __attribute__((format(printf, 1, 2))) not_judged(const char *fmt, ...)
{
	char m[256];
	size_t n = strlen(unjudged);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	h_diag("not judged: %s", m);
	snprintf(unjudged + n, sizeof(unjudged) - n, "%s%s", nunjudged ? "; " : "", m);
	nunjudged++;
}

/* End of a test: a result not judged and no failure make it a SKIP, not a pass. */
static void end_unjudged(void)
{
	if (nunjudged && !h_failed())
		SKIP("not judged: %s", unjudged);
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
	static unsigned long long s[8192];

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

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median over the first @n pairs of b[i] / a[i]: the in-kernel time
 * over the ioctl time of runs taken one after the other, so the ioctl's
 * rate as a fraction of the library's.
 */
static double pair_median(const unsigned long long *a, const unsigned long long *b,
			  int n)
{
	static double r[3 * REPS];

	for (int i = 0; i < n; i++)
		r[i] = (double)b[i] / a[i];
	qsort(r, n, sizeof(*r), cmp_dbl);
	return n & 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/*
 * One attempt's interleaved pairs: a[i] the ioctl run's nanoseconds, b[i]
 * the in-kernel run's, taken one after the other; n of them.
 */
struct pairs {
	unsigned long long a[3 * REPS], b[3 * REPS];
	int n;
};

static double pairs_ratio(const struct pairs *p)
{
	return pair_median(p->a, p->b, p->n);
}

/*
 * Whether to take REPS more pairs: while the median pair ratio is below
 * @bar, up to 3 * REPS pairs, judged on all of them (a slower ioctl path
 * stays below the bar in the added pairs too, so it still fails).
 */
static bool more_pairs(const struct pairs *p, double bar)
{
	return p->n < 3 * REPS && pairs_ratio(p) < bar;
}

/* Of an ioctl's attempts, the one with the highest median pair ratio. */
static const struct pairs *best_attempt(const struct pairs *att, int natt)
{
	const struct pairs *best = &att[0];

	for (int i = 1; i < natt; i++)
		if (pairs_ratio(&att[i]) > pairs_ratio(best))
			best = &att[i];
	return best;
}

/*
 * Judge an ioctl's attempts (see ATTEMPTS): fail when the best is below
 * the bar; say what was compared. A result below the bar is not judged
 * when the in-kernel reference itself shows the host was too loaded to
 * measure: its median run took over MAX_SPREAD times its fastest (1.1-1.4x
 * on a quiet or moderately loaded host; 2.9x in a cold CI run beside two
 * kernel builds, where bookworm-arm64's UNMAP pairs gave 0.81). Then the
 * test ends in SKIP naming the figures, never a pass.
 */
static void check_ratio(const char *fmt, const char *what, const char *ref,
			unsigned long long pages, const struct pairs *att, int natt,
			double bar)
{
	const struct pairs *p = best_attempt(att, natt);
	double r = pairs_ratio(p);
	double spread = (double)median(p->b, p->n) / minimum(p->b, p->n);
	char first[64] = "";

	if (natt > 1)
		snprintf(first, sizeof(first), "; %d attempts, the first %.2f",
			 natt, pairs_ratio(&att[0]));
	if (r < bar && spread > MAX_SPREAD)
		not_judged("%s %s %.2f of %s: the host was too loaded (the in-kernel runs' median %.1fx their fastest, above %.1fx%s)",
			  fmt, what, r, ref, spread, MAX_SPREAD, first);
	else if (r < bar)
		H_FAIL("%s: %s reaches %.2f of %s (median of %d interleaved pairs' ratios, runs of %llu pages; medians %.0f vs %.0f pages/s, fastest %.0f vs %.0f%s), below the bar %.2f",
		       fmt, what, r, ref, p->n, pages,
		       rate(pages, median(p->a, p->n)), rate(pages, median(p->b, p->n)),
		       rate(pages, minimum(p->a, p->n)), rate(pages, minimum(p->b, p->n)),
		       first, bar);
}

/*
 * Attempts per measurement: a result past its bar is measured again, from
 * scratch, up to ATTEMPTS times in all, and each ioctl or scaling phase is
 * judged on its best attempt, so that a stretch of host load cannot fail a
 * check alone (a warm CI run failed once on sid-amd64-rt; in a cold run
 * beside the sanitizer kernels' builds, bookworm-arm64's UNMAP scaling
 * gave 2.34x, 2.67x and 1.56x in three formats' first cycles, 1.13x, 1.38x
 * and 1.07x in their second), while a slower module path is slow in every
 * attempt and fails (udelay(500) per UNMAP: 0.80-0.83 in all three).
 */
#define ATTEMPTS	3

/*
 * Batched map/unmap: A = ioctl, B = in-kernel; A-B, then B-A. Each pair
 * in a fresh address space (both runs allocate their tables; io-pgtable
 * keeps tables after an unmap), A and B in two regions of NPAGES pages;
 * one live address space at a time (ARM_V7S allows one). @pa may move to
 * 0 for a small output size.
 */
static void measure_batched(int fd, __u32 format, __u64 *pa, struct pairs *map,
			    struct pairs *unmap)
{
	struct iopgt_as_create out;
	__u64 g, R, RU, done;
	int id, lg, rep;

	map->n = unmap->n = REPS;
	for (rep = 0; rep < map->n; rep++) {
		__u64 ia, ib, ua, ub;

		id = as_create(fd, format, 0, 0, 0, 0, 0, &out);
		ASSERT_GT(id, 0);
		g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
		lg = ilog2_64(g);
		R = NPAGES * g;
		RU = NPAGES_U * g;
		ASSERT_TRUE(out.out_ias >= 64 || 2 * RU <= 1ULL << out.out_ias);
		if (out.out_oas < 64 && *pa + RU > (1ULL << out.out_oas))
			*pa = 0;
		ia = (rep & 1) ? R : 0;
		ib = R - ia;
		ua = (rep & 1) ? RU : 0;
		ub = RU - ua;
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				unsigned long long t = now_ns();

				ASSERT_OK(map1(fd, id, ia, *pa, R, RW, lg, &done));
				map->a[rep] = now_ns() - t;
				ASSERT_EQ(done, R);
			} else {
				map->b[rep] = kbench_map("mapb", id, ib, *pa, NPAGES);
				EXPECT_EQ(xlate_or_none(fd, id, ib + 42 * g + 7),
					  *pa + 42 * g + 7);
			}
		}
		/*
		 * The unmap pair runs on NPAGES_U pages: both sides remapped
		 * untimed as one run each (the ioctl's one MAP call, the
		 * library's calls), so the UNMAP call's fixed cost is spread
		 * as over a map run of NPAGES.
		 */
		ASSERT_OK(unmap1(fd, id, ia, R, &done));
		kbench_unmap("unmapb", id, ib, NPAGES);
		ASSERT_OK(map1(fd, id, ua, *pa, RU, RW, lg, &done));
		ASSERT_EQ(done, RU);
		kbench_map("mapb", id, ub, *pa, NPAGES_U);
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				unsigned long long t = now_ns();

				ASSERT_OK(unmap1(fd, id, ua, RU, &done));
				unmap->a[rep] = now_ns() - t;
				ASSERT_EQ(done, RU);
			} else {
				unmap->b[rep] = kbench_unmap("unmapb", id, ub, NPAGES_U);
				EXPECT_EQ(xlate_or_none(fd, id, ub + 42 * g + 7), ~0ULL);
			}
		}
		ASSERT_OK(as_destroy(fd, id));
		if (rep + 1 == map->n && (more_pairs(map, BAR_MAPUNMAP) ||
					  more_pairs(unmap, BAR_MAPUNMAP)))
			map->n = unmap->n = map->n + REPS;
	}
}

/*
 * Vector translate of the NXLATE pages mapped at 0 in @id (to @pa on):
 * A = one IOPGT_IOVA_TO_PHYS ioctl, B = the in-kernel iova_to_phys loop.
 */
static void measure_xlate(int fd, int id, __u64 g, __u64 pa,
			  struct iopgt_xlate_entry *xv, struct pairs *x)
{
	unsigned long long c;
	__u64 i;

	x->n = REPS;
	for (int rep = 0; rep < x->n; rep++) {
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == !(rep & 1)) {
				unsigned long long t;

				for (i = 0; i < NXLATE; i++)
					xv[i] = (struct iopgt_xlate_entry){ .iova = i * g };
				t = now_ns();
				ASSERT_OK(xlate_vec(fd, id, xv, NXLATE));
				x->a[rep] = now_ns() - t;
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
				x->b[rep] = kbench(cmd, NXLATE, &c);
				/* every page translated (to a non-zero address) */
				EXPECT_EQ(c, pa ? NXLATE : NXLATE - 1);
			}
		}
		if (rep + 1 == x->n && more_pairs(x, BAR_XLATE))
			x->n += REPS;
	}
}

TEST_X(map_unmap_rates, H_FMT, 240, 0)
{
	struct iopgt_as_create out;
	struct pairs bmap[ATTEMPTS], bunmap[ATTEMPTS], bx[ATTEMPTS];
	const struct pairs *pm, *pu, *px;
	unsigned long long lm[LOOP_REPS], lu[LOOP_REPS], t, s_map, s_unmap, floor_ns;
	__u64 g, base_x, base_s, pa = 0x80000000ULL, done, i;
	const char *name = format_name(variant->format);
	struct iopgt_xlate_entry *xv;
	int fd = dev_open(), id, lg, rep, nb, nx;
	double kg;

	if (access(BENCH_FILE, W_OK))
		SKIP("%s: %s (debugfs not mounted?)", BENCH_FILE, h_errname(errno));
	for (nb = 0; nb < ATTEMPTS;) {
		measure_batched(fd, variant->format, &pa, &bmap[nb], &bunmap[nb]);
		nb++;
		if (pairs_ratio(best_attempt(bmap, nb)) >= BAR_MAPUNMAP &&
		    pairs_ratio(best_attempt(bunmap, nb)) >= BAR_MAPUNMAP)
			break;
		if (nb < ATTEMPTS)
			h_diag("bench %s: batched MAP %.2f, UNMAP %.2f of the in-kernel calls in attempt %d, below the bar %.2f: measuring again",
			       name, pairs_ratio(&bmap[nb - 1]), pairs_ratio(&bunmap[nb - 1]),
			       nb, BAR_MAPUNMAP);
	}

	id = as_create(fd, variant->format, 0, 0, 0, 0, 0, &out);
	ASSERT_GT(id, 0);
	g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
	lg = ilog2_64(g);
	kg = g / 1024.0;
	/* translate at 0, then the per-page loops, then the single-page ioctls */
	base_x = NXLATE * g;
	base_s = base_x + LOOP_REPS * NLOOP * g;
	ASSERT_TRUE(out.out_ias >= 64 || base_s + NSINGLE * g <= 1ULL << out.out_ias);

	/* translate NXLATE mapped pages: vector ioctl vs in-kernel loop */
	ASSERT_OK(map1(fd, id, 0, pa, NXLATE * g, RW, lg, &done));
	xv = calloc(NXLATE, sizeof(*xv));
	ASSERT_TRUE(xv != NULL);
	for (nx = 0; nx < ATTEMPTS;) {
		measure_xlate(fd, id, g, pa, xv, &bx[nx]);
		nx++;
		if (pairs_ratio(&bx[nx - 1]) >= BAR_XLATE)
			break;
		if (nx < ATTEMPTS)
			h_diag("bench %s: vector translate %.2f of the in-kernel loop in attempt %d, below the bar %.2f: measuring again",
			       name, pairs_ratio(&bx[nx - 1]), nx, BAR_XLATE);
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

	pm = best_attempt(bmap, nb);
	pu = best_attempt(bunmap, nb);
	px = best_attempt(bx, nx);
	{
		unsigned long long mbm = minimum(pm->a, pm->n), mkm = minimum(pm->b, pm->n);
		unsigned long long mbu = minimum(pu->a, pu->n), mku = minimum(pu->b, pu->n);
		unsigned long long mvx = minimum(px->a, px->n), mkx = minimum(px->b, px->n);
		unsigned long long mlm = median(lm, LOOP_REPS) / NLOOP;
		unsigned long long mlu = median(lu, LOOP_REPS) / NLOOP;

		h_diag("bench %s %.0fK (map %llu pages, unmap %llu): map batched ioctl %.1fM/s / in-kernel batched %.1fM/s = %.2f (fastest %.2f); unmap %.1fM/s / %.1fM/s = %.2f (%.2f); translate vector ioctl %.2fM/s / in-kernel iova_to_phys loop %.2fM/s = %.2f (%.2f) (pages/s: medians; ratio: median of %d/%d (translate: %d) interleaved pairs' ratios, attempts %d (translate: %d), the best one; fastest: fastest run of each kind)",
		       name, kg, NPAGES, NPAGES_U,
		       rate(NPAGES, median(pm->a, pm->n)) / 1e6,
		       rate(NPAGES, median(pm->b, pm->n)) / 1e6,
		       pairs_ratio(pm), (double)mkm / mbm,
		       rate(NPAGES_U, median(pu->a, pu->n)) / 1e6,
		       rate(NPAGES_U, median(pu->b, pu->n)) / 1e6,
		       pairs_ratio(pu), (double)mku / mbu,
		       rate(NXLATE, median(px->a, px->n)) / 1e6,
		       rate(NXLATE, median(px->b, px->n)) / 1e6,
		       pairs_ratio(px), (double)mkx / mvx, pm->n, pu->n, px->n, nb, nx);
		h_diag("bench %s per page: batched ioctl / in-kernel per-page loop: map %.1f, unmap %.1f; single-page ioctl / in-kernel single call: map %.2f us / %.2f us = %.3f, unmap %.2f us / %.2f us = %.3f; null ioctl (GET_INFO, no formats) %.2f us",
		       name, (double)mlm * NPAGES / mbm, (double)mlu * NPAGES_U / mbu,
		       s_map / 1e3, mlm / 1e3, (double)mlm / s_map,
		       s_unmap / 1e3, mlu / 1e3, (double)mlu / s_unmap, floor_ns / 1e3);
		check_ratio(name, "the batched MAP ioctl", "the in-kernel batched map",
			    NPAGES, bmap, nb, BAR_MAPUNMAP);
		check_ratio(name, "the batched UNMAP ioctl", "the in-kernel batched unmap",
			    NPAGES_U, bunmap, nb, BAR_MAPUNMAP);
		check_ratio(name, "the vector IOVA_TO_PHYS ioctl",
			    "the in-kernel iova_to_phys loop", NXLATE, bx, nx, BAR_XLATE);
	}
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
	end_unjudged();
}

/* ---- scaling ---- */

#define RUN_PAGES	16	/* pages per MAP/UNMAP entry */
#define CHUNK		1024	/* leaves per timed call */
#define DUMP_MIN	64	/* a dump recv() of fewer leaves is no sample */
#define SPOTS		64	/* one-page maps per address space */
#define PA0		(1ULL << 20)
#define NOPS		4	/* the phases, in their order */
#define MAXROUNDS	16384	/* rounds recorded per phase (1M: 977 calls, ~3500 recv()s) */

enum { OP_MAP, OP_XLATE, OP_DUMP, OP_UNMAP };

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

/*
 * A dump in progress: its leaves, checked, and the time of its own steps
 * (the request, then one recv() each) since the last sample.
 */
struct dump_clock {
	int lg;
	__u64 leaves, bad, acc_leaves;
	unsigned long long acc_ns;
};

static int dump_leaf(__u64 iova, __u64 oa, __u32 span_log2, void *arg)
{
	struct dump_clock *d = arg;

	if (oa - PA0 != iova || span_log2 != (__u32)d->lg)
		d->bad++;
	d->leaves++;
	return 0;
}


#define MAXCOPIES	101	/* 1M leaves in address spaces of 10K */

/*
 * One size: as many address spaces of n leaves as hold the largest size's
 * leaves, filled and emptied in order; its dump socket; its samples.
 */
struct size_run {
	__u64 n;		/* leaves of one address space when full */
	int ids[MAXCOPIES];	/* address spaces, fresh each cycle */
	int copies;
	__u64 filled;		/* leaves mapped, over the copies in order */
	__u64 xpos;		/* next leaf to translate, over the copies */
	int dcopy;		/* the copy being dumped */
	struct nl nl;		/* its own socket: the dumps interleave */
	bool dumping;
	struct tree_walk tw;
	struct tree_stats st;
	struct dump_clock d;
	/* picoseconds per leaf of the size's call in each round (0: none) */
	unsigned long long *t[NOPS];
};

struct scale {
	int fd;
	__u32 format;
	__u64 g;
	int lg;
	int rounds[NOPS];	/* rounds so far per phase, over all cycles */
	struct iopgt_map_entry me[CHUNK / RUN_PAGES];
	struct iopgt_unmap_entry ue[CHUNK / RUN_PAGES];
	struct iopgt_xlate_entry xv[CHUNK];
};

/* this round's sample of @op for @z: @ns for @leaves leaves */
static void record(struct scale *s, struct size_run *z, int op, unsigned long long ns,
		   __u64 leaves)
{
	if (s->rounds[op] < MAXROUNDS)
		z->t[op][s->rounds[op]] = ns * 1000 / leaves;
}

/* fresh, empty address spaces for @z */
static void fresh(struct scale *s, struct size_run *z)
{
	for (int c = 0; c < z->copies; c++) {
		if (z->ids[c] > 0)
			ASSERT_OK(as_destroy(s->fd, z->ids[c]));
		z->ids[c] = as_create(s->fd, s->format, 0, 0, 0, 0, 0, NULL);
		ASSERT_GT(z->ids[c], 0);
	}
	z->filled = 0;
	z->xpos = 0;
	z->dcopy = 0;
}

/*
 * Map the next (up to) CHUNK leaves of @z in one call (never across two
 * copies); its nanoseconds.
 */
static unsigned long long scale_map_chunk(struct scale *s, struct size_run *z, __u64 *k)
{
	__u64 first = z->filled % z->n;
	int id = z->ids[z->filled / z->n];
	__u32 ne, nd;
	unsigned long long t;

	*k = z->n - first > CHUNK ? CHUNK : z->n - first;
	ne = (*k + RUN_PAGES - 1) / RUN_PAGES;
	for (__u32 i = 0; i < ne; i++) {
		__u64 j = first + i * RUN_PAGES;
		__u64 len = j + RUN_PAGES > first + *k ? first + *k - j : RUN_PAGES;

		s->me[i] = (struct iopgt_map_entry){
			.iova = j * s->g, .paddr = PA0 + j * s->g,
			.length = len * s->g, .prot = RW, .pgsize_log2 = s->lg,
		};
	}
	t = now_ns();
	if (map_vec(s->fd, id, s->me, ne, &nd) || nd != ne) {
		H_FAIL("MAP of %u entries at %#llx: %s, %u done", ne,
		       (unsigned long long)(first * s->g), h_errname(errno), nd);
		h_abort();
	}
	t = now_ns() - t;
	z->filled += *k;
	return t;
}

/* unmap the last (up to) CHUNK mapped leaves of @z in one call */
static unsigned long long scale_unmap_chunk(struct scale *s, struct size_run *z, __u64 *k)
{
	__u64 top = (z->filled - 1) % z->n + 1;
	__u64 first = (top - 1) / CHUNK * CHUNK;
	int id = z->ids[(z->filled - 1) / z->n];
	__u32 ne, nd;
	unsigned long long t;

	*k = top - first;
	ne = (*k + RUN_PAGES - 1) / RUN_PAGES;
	for (__u32 i = 0; i < ne; i++) {
		__u64 j = first + i * RUN_PAGES;
		__u64 len = j + RUN_PAGES > first + *k ? first + *k - j : RUN_PAGES;

		s->ue[i] = (struct iopgt_unmap_entry){
			.iova = j * s->g, .length = len * s->g };
	}
	t = now_ns();
	if (unmap_vec(s->fd, id, s->ue, ne, &nd) || nd != ne) {
		H_FAIL("UNMAP of %u entries at %#llx: %s, %u done", ne,
		       (unsigned long long)(first * s->g), h_errname(errno), nd);
		h_abort();
	}
	t = now_ns() - t;
	z->filled -= *k;
	return t;
}

/*
 * Translate the next (up to) CHUNK leaves of a full @z in one call (the
 * copies in turn), checked; its nanoseconds.
 */
static unsigned long long scale_xlate_chunk(struct scale *s, struct size_run *z, __u64 *kp)
{
	__u64 first = z->xpos % z->n, k = z->n - first > CHUNK ? CHUNK : z->n - first;
	int id = z->ids[z->xpos / z->n];
	unsigned long long t;

	for (__u32 i = 0; i < k; i++)
		s->xv[i] = (struct iopgt_xlate_entry){ .iova = (first + i) * s->g + 8 };
	t = now_ns();
	ASSERT_OK(xlate_vec(s->fd, id, s->xv, k));
	t = now_ns() - t;
	for (__u32 i = 0; i < k; i++) {
		__u64 want = PA0 + (first + i) * s->g + 8;

		if (s->xv[i].out_flags != IOPGT_XLATE_MAPPED || s->xv[i].phys != want) {
			H_FAIL("translate of leaf %llu: flags %#x phys %#llx, want %#llx",
			       (unsigned long long)(first + i), s->xv[i].out_flags,
			       (unsigned long long)s->xv[i].phys, (unsigned long long)want);
			h_abort();
		}
	}
	z->xpos = (z->xpos + k) % (z->n * z->copies);
	*kp = k;
	return t;
}

/*
 * One step of the whole-tree dump of a full copy of @z (the copies in
 * turn): the request with the first recv(), or one more recv(). *@leaves
 * gets the leaves it brought; returns its nanoseconds; z->dumping is false
 * once the dump is complete (and checked).
 */
static unsigned long long scale_dump_step(struct scale *s, struct size_run *z,
					  __u64 *leaves)
{
	unsigned long long t = now_ns();
	__u64 before;
	int ret;

	if (!z->dumping) {
		z->d = (struct dump_clock){ .lg = s->lg };
		ASSERT_OK(tree_dump_begin(&z->nl, z->ids[z->dcopy], &z->tw, &z->st, dump_leaf,
					  &z->d));
		z->dumping = true;
	}
	before = z->d.leaves;
	ret = tree_dump_step(&z->nl, &z->tw);
	t = now_ns() - t;
	*leaves = z->d.leaves - before;
	if (ret == 1)
		return t;
	z->dumping = false;
	z->dcopy = (z->dcopy + 1) % z->copies;
	if (ret || z->d.leaves != z->n || z->d.bad || z->st.intr) {
		H_FAIL("dump of %llu leaves: %s, %llu leaves, %llu wrong, intr %d",
		       (unsigned long long)z->n, h_errname(-ret),
		       (unsigned long long)z->d.leaves, (unsigned long long)z->d.bad,
		       z->st.intr);
		h_abort();
	}
	return t;
}

/*
 * One-page map and unmap at @spots fresh leaf tables, alternating between
 * the full address space @id_full and the empty one; medians in ns.
 */
static void single_full_vs_empty(struct scale *s, int id_full, int id_empty, __u64 base,
				 __u64 stride, int spots, unsigned long long med[4])
{
	unsigned long long t[4][SPOTS];
	int ids[2] = { id_full, id_empty };

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

/*
 * The median over the rounds where both sizes have a sample of a[r] / b[r]
 * (*@pairs: how many); 0 when there is none.
 */
static double round_ratio(const unsigned long long *a, const unsigned long long *b,
			  int rounds, int *pairs)
{
	static double r[MAXROUNDS];
	int n = 0;

	for (int i = 0; i < rounds && i < MAXROUNDS; i++)
		if (a[i] && b[i])
			r[n++] = (double)a[i] / b[i];
	*pairs = n;
	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), cmp_dbl);
	return n & 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

/* lower quartile and median of @z's samples of @op, in ps per leaf */
static void size_quartiles(const struct size_run *z, int op, int rounds,
			   unsigned long long *lq, unsigned long long *med, int *n)
{
	static unsigned long long v[MAXROUNDS];
	int k = 0;

	for (int i = 0; i < rounds && i < MAXROUNDS; i++)
		if (z->t[op][i])
			v[k++] = z->t[op][i];
	*n = k;
	*lq = *med = 0;
	if (!k)
		return;
	qsort(v, k, sizeof(*v), cmp_ull);
	*lq = v[k / 4];
	*med = v[k / 2];
}

typedef unsigned long long (*size_call)(struct scale *s, struct size_run *z, __u64 *k);

static bool not_full(const struct size_run *z)
{
	return z->filled < z->n * z->copies;
}

static bool not_empty(const struct size_run *z)
{
	return z->filled;
}

/*
 * One round of phase @op: @call once for each size with work left
 * (@has_work, NULL: every size), recorded when it was a whole call of
 * CHUNK leaves (a dump recv() of DUMP_MIN leaves or more).
 */
static void scale_round(struct scale *s, struct size_run *z, int nsz, int op,
			size_call call, bool (*has_work)(const struct size_run *z))
{
	unsigned long long ns;
	__u64 k;

	for (int i = 0; i < nsz; i++) {
		if (has_work && !has_work(&z[i]))
			continue;
		ns = call(s, &z[i], &k);
		if (op == OP_DUMP ? k >= DUMP_MIN : k == CHUNK)
			record(s, &z[i], op, ns, k);
	}
	s->rounds[op]++;
}

/*
 * One cycle: every size goes through the phases together, one call (or
 * one recv() of a dump) per size per round, so that the calls the sizes
 * are compared on ran side by side. Each size holds as many leaves as the
 * largest (in copies of its own size), so every leaf is mapped in the MAP
 * phase and unmapped in the UNMAP phase, in the same order for all sizes;
 * the largest paces every phase (translate and dump go round the copies).
 */
static void scale_cycle(struct scale *s, struct size_run *z, int nsz,
			const struct iopgt_as_create *out, int *spots,
			unsigned long long one[4])
{
	struct size_run *big = &z[nsz - 1];
	__u64 k, chunks = (big->n + CHUNK - 1) / CHUNK;

	for (int i = 0; i < nsz; i++)
		fresh(s, &z[i]);
	/* MAP; then what the smaller sizes have left, untimed */
	while (big->filled < big->n)
		scale_round(s, z, nsz, OP_MAP, scale_map_chunk, not_full);
	for (int i = 0; i < nsz - 1; i++)
		while (not_full(&z[i]))
			scale_map_chunk(s, &z[i], &k);
	if (!*spots) {
		/* one page into the fullest AS vs an empty one */
		__u64 stride = s->g * 512, top = out->out_ias >= 64 ? ~0ULL :
			(1ULL << out->out_ias);
		__u64 base = (big->n * s->g + 2 * stride - 1) / stride * stride;
		int id_empty = as_create(s->fd, s->format, 0, 0, 0, 0, 0, NULL);

		ASSERT_GT(id_empty, 0);
		*spots = base < top ? (top - base) / stride : 0;
		if (*spots > SPOTS)
			*spots = SPOTS;
		ASSERT_GE(*spots, 8);
		single_full_vs_empty(s, big->ids[0], id_empty, base, stride, *spots, one);
		ASSERT_OK(as_destroy(s->fd, id_empty));
	}
	/* translate */
	for (__u64 c = 0; c < chunks; c++)
		scale_round(s, z, nsz, OP_XLATE, scale_xlate_chunk, NULL);
	/* dump: until the largest's dump is complete; the others finish theirs */
	do
		scale_round(s, z, nsz, OP_DUMP, scale_dump_step, NULL);
	while (big->dumping);
	for (int i = 0; i < nsz - 1; i++)
		while (z[i].dumping)
			scale_dump_step(s, &z[i], &k);
	/* UNMAP; then what the smaller sizes have left, untimed */
	while (big->filled)
		scale_round(s, z, nsz, OP_UNMAP, scale_unmap_chunk, not_empty);
	for (int i = 0; i < nsz - 1; i++)
		while (not_empty(&z[i]))
			scale_unmap_chunk(s, &z[i], &k);
}

static const char *const scale_opn[NOPS] = {
	"MAP", "vector IOVA_TO_PHYS", "netlink tree dump", "UNMAP"
};

/* One cycle's growth of a phase's per-leaf cost: hi / lo, between sizes. */
struct growth {
	double f;
	int zhi, zlo;
};

/*
 * Print one cycle's figures per size and per phase; @gr[op] gets the
 * phase's growth (the largest over the smallest of the sizes' median
 * round ratios to the smallest size, itself 1).
 */
static void scale_report(const struct scale *s, const struct size_run *z, int nsz,
			 const __u64 *sizes, const char *name, struct growth *gr)
{
	for (int i = 0; i < nsz; i++) {
		unsigned long long lq[NOPS], med[NOPS];
		int n[NOPS];

		for (int op = 0; op < NOPS; op++) {
			size_quartiles(&z[i], op, s->rounds[op], &lq[op], &med[op], &n[op]);
			ASSERT_GT(n[op], 4);
		}
		h_diag("scaling %s %7llu leaves: map %.1f, translate %.1f, unmap %.1f, dump %.1f ns/leaf (lower quartiles of %d, %d, %d calls of %d leaves and of %d dump recv()s; map/unmap %d-page entries; medians %.1f, %.1f, %.1f, %.1f)",
		       name, (unsigned long long)sizes[i], lq[OP_MAP] / 1e3, lq[OP_XLATE] / 1e3,
		       lq[OP_UNMAP] / 1e3, lq[OP_DUMP] / 1e3, n[OP_MAP], n[OP_XLATE],
		       n[OP_UNMAP], CHUNK, n[OP_DUMP], RUN_PAGES,
		       med[OP_MAP] / 1e3, med[OP_XLATE] / 1e3, med[OP_UNMAP] / 1e3,
		       med[OP_DUMP] / 1e3);
	}
	for (int op = 0; op < NOPS; op++) {
		double q, lo = 1, hi = 1;
		int pairs;
		char line[160];
		size_t len = 0;

		gr[op] = (struct growth){ 1, 0, 0 };
		for (int i = 1; i < nsz; i++) {
			q = round_ratio(z[i].t[op], z[0].t[op], s->rounds[op], &pairs);
			if (pairs < 8) {
				H_FAIL("%s: %s: only %d rounds with samples of both %llu and %llu leaves",
				       name, scale_opn[op], pairs, (unsigned long long)sizes[i],
				       (unsigned long long)sizes[0]);
				h_abort();
			}
			if (q < lo)
				lo = q, gr[op].zlo = i;
			if (q > hi)
				hi = q, gr[op].zhi = i;
			len += snprintf(line + len, sizeof(line) - len, "%s%llu: %.2f (%d rounds)",
					i > 1 ? ", " : "", (unsigned long long)sizes[i], q, pairs);
		}
		gr[op].f = hi / lo;
		if (nsz > 1)
			h_diag("scaling %s %s per leaf against %llu leaves, medians over rounds: %s",
			       name, scale_opn[op], (unsigned long long)sizes[0], line);
	}
}

/* Whether a phase grew past the bar in each of the @natt cycles of @gr. */
static bool scale_above_all(const struct growth (*gr)[NOPS], int natt)
{
	for (int op = 0; op < NOPS; op++) {
		int a = 0;

		while (a < natt && gr[a][op].f > BAR_SCALE)
			a++;
		if (a == natt)
			return true;
	}
	return false;
}

/*
 * Per-leaf cost against the tree's size: the sizes run side by side (see
 * scale_cycle()); a size is compared with the smallest on the median over
 * rounds of its call's per-leaf time over the smallest's in the same
 * round, so host load, which moves both calls of a round alike, cancels.
 * The lower quartiles and medians of each size are printed beside.
 */
TEST_X(scaling, H_FMT, 600, 0)
{
	static const __u32 big_pref[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_PT_VTDSS,
	};
	static const __u64 sizes[] = { 10000, 100000, 1000000 };
	const char *name = format_name(variant->format);
	static struct scale s;
	struct size_run z[3];
	struct iopgt_as_create out;
	unsigned long long one[4] = { 0 };
	__u64 max = bench_leaves_max();
	struct growth gr[ATTEMPTS][NOPS];
	int nsz = 0, spots = 0, id, need = 1, natt = 0;
	unsigned long long max_as = 0;

	memset(&s, 0, sizeof(s));
	memset(z, 0, sizeof(z));
	s.fd = dev_open();
	s.format = variant->format;
	if (variant->format == first_available(s.fd, big_pref, 4) && max < 1000000)
		max = 1000000;
	while (nsz < 3 && sizes[nsz] <= max)
		nsz++;
	ASSERT_GT(nsz, 0);
	id = as_create(s.fd, variant->format, 0, 0, 0, 0, 0, &out);
	ASSERT_GT(id, 0);
	if (nsz > 1) {
		int id2 = as_create(s.fd, variant->format, 0, 0, 0, 0, 0, NULL);

		if (id2 < 0 && errno == EBUSY)
			SKIP("one live address space of this format at a time (IOPGT_FMT_F_ONE_LIVE)");
		ASSERT_GT(id2, 0);
		ASSERT_OK(as_destroy(s.fd, id2));
	}
	ASSERT_OK(as_destroy(s.fd, id));
	for (int i = 0; i < nsz; i++) {
		z[i].n = sizes[i];
		z[i].copies = (sizes[nsz - 1] + sizes[i] - 1) / sizes[i];
		ASSERT_TRUE(z[i].copies <= MAXCOPIES);
		need += z[i].copies;
		ASSERT_OK(nl_open(&z[i].nl));
		for (int op = 0; op < NOPS; op++) {
			z[i].t[op] = calloc(MAXROUNDS, sizeof(**z[i].t));
			ASSERT_TRUE(z[i].t[op] != NULL);
		}
	}
	s.g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
	s.lg = ilog2_64(s.g);
	/* the leaves (and the one-page spots after them) must fit */
	if ((out.out_ias < 64 && (sizes[nsz - 1] + 20 * 512) * s.g > 1ULL << out.out_ias) ||
	    (out.out_oas < 64 && PA0 + sizes[nsz - 1] * s.g > 1ULL << out.out_oas))
		SKIP("%llu leaves of %lluK do not fit ias %u / oas %u",
		     (unsigned long long)sizes[nsz - 1], (unsigned long long)s.g >> 10,
		     out.out_ias, out.out_oas);
	/* every size's copies live at once (111 at 1M), one more for the spots */
	ASSERT_OK(param_get("max_as", &max_as));
	if (max_as < (unsigned long long)need)
		ASSERT_OK(param_set("max_as", need));
	/*
	 * While a phase is past the bar in every cycle so far, one more whole
	 * cycle from scratch (see ATTEMPTS); each phase is judged on its best.
	 */
	for (;;) {
		scale_cycle(&s, z, nsz, &out, &spots, one);
		scale_report(&s, z, nsz, sizes, name, gr[natt++]);
		if (natt == ATTEMPTS || !scale_above_all(gr, natt))
			break;
		h_diag("scaling %s: a phase grew past the bar %.1fx in cycle %d: measuring again",
		       name, BAR_SCALE, natt);
		memset(s.rounds, 0, sizeof(s.rounds));
		for (int i = 0; i < nsz; i++)
			for (int op = 0; op < NOPS; op++)
				memset(z[i].t[op], 0, MAXROUNDS * sizeof(**z[i].t));
	}
	for (int i = 0; i < nsz; i++)
		for (int c = 0; c < z[i].copies; c++)
			ASSERT_OK(as_destroy(s.fd, z[i].ids[c]));
	if (max_as < (unsigned long long)need)
		ASSERT_OK(param_set("max_as", max_as));

	for (int op = 0; op < NOPS; op++) {
		const struct growth *b = &gr[0][op];

		for (int a = 1; a < natt; a++)
			if (gr[a][op].f < b->f)
				b = &gr[a][op];
		if (b->f > BAR_SCALE)
			H_FAIL("%s: %s per leaf at %llu leaves is %.2fx that at %llu leaves (medians over rounds run side by side; the best of %d cycles, the first %.2fx), above the bar %.1fx",
			       name, scale_opn[op], (unsigned long long)sizes[b->zhi], b->f,
			       (unsigned long long)sizes[b->zlo], natt, gr[0][op].f, BAR_SCALE);
	}
	h_diag("scaling %s: one-page map into %llu leaves %.1f us vs empty %.1f us (%.2fx), unmap %.1f us vs %.1f us (%.2fx); medians of %d, each in a fresh leaf table",
	       name, (unsigned long long)sizes[nsz - 1], one[0] / 1e3, one[1] / 1e3,
	       (double)one[0] / one[1], one[2] / 1e3, one[3] / 1e3,
	       (double)one[2] / one[3], spots);
	for (int k = 0; k < 4; k += 2) {
		double q = (double)one[k] / one[k + 1];

		if (q > BAR_ONE)
			H_FAIL("%s: a one-page %s with %llu leaves costs %.1f us, %.2fx the %.1f us on an empty address space: above the bar %.1fx",
			       name, k ? "UNMAP" : "MAP", (unsigned long long)sizes[nsz - 1],
			       one[k] / 1e3, q, one[k + 1] / 1e3, BAR_ONE);
	}
	for (int i = 0; i < nsz; i++) {
		nl_close(&z[i].nl);
		for (int op = 0; op < NOPS; op++)
			free(z[i].t[op]);
	}
	close(s.fd);
}

/* ---- A/B of two module builds (scripts/bench-ab.sh, `make bench-ab`) ---- */

#define AB_REPS	15

/*
 * Only with IOPGT_BENCH_AB=<label> (tests/bench-ab.sh runs it once per
 * module load, old and new builds alternating): AB_REPS batched IOPGT_MAP
 * and IOPGT_UNMAP of NPAGES (131072) pages of the preferred format, each in a fresh
 * address space with invalidation recording off (the default), one line
 * "# ab LABEL map NS unmap NS" per rep; the script compares the medians.
 */
TEST_X(ab_batched, H_PLAIN, 120, 0)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_PT_VTDSS,
	};
	const char *label = getenv("IOPGT_BENCH_AB");
	struct iopgt_as_create out;
	__u64 g, R, done, pa = 0x80000000ULL;
	unsigned long long t, tm, tu;
	int fd, id;
	__u32 fmt;

	if (!label || !*label)
		SKIP("runs only under tests/bench-ab.sh (IOPGT_BENCH_AB=<label>)");
	fd = dev_open();
	fmt = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));
	if (!fmt)
		SKIP("no format with 4K pages and a >= 32-bit IAS available on this kernel");
	for (int rep = 0; rep < AB_REPS; rep++) {
		id = as_create(fd, fmt, 0, 0, 0, 0, 0, &out);
		ASSERT_GT(id, 0);
		g = out.out_pgsize_bitmap & -out.out_pgsize_bitmap;
		R = NPAGES * g;
		t = now_ns();
		ASSERT_OK(map1(fd, id, 0, pa, R, RW, ilog2_64(g), &done));
		tm = now_ns() - t;
		ASSERT_EQ(done, R);
		t = now_ns();
		ASSERT_OK(unmap1(fd, id, 0, R, &done));
		tu = now_ns() - t;
		ASSERT_EQ(done, R);
		ASSERT_OK(as_destroy(fd, id));
		h_diag("ab %s map %llu unmap %llu (%s, %llu pages)", label, tm, tu,
		       format_name(fmt), NPAGES);
	}
	close(fd);
}
