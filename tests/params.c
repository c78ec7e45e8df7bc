// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: every one rejects out-of-range values with EINVAL
 * (and keeps its value), and with each set to its largest accepted value
 * the largest request it allows gets success or a clean errno and no
 * kernel report (the VM runs with panic_on_warn: a WARN, an allocation
 * failure report or an OOM ends the run). Also: the debugfs bench obeys
 * both table-memory caps, and the driver drives its own iopgt.0 only.
 *
 * The parameters are read once at program start and restored by every
 * test (at its start too, in case an earlier test was cut short).
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "util.h"

/* the module's documented bounds (MODULE_PARM_DESC, README) */
#define MAX_AS_LIMIT		4096ULL
#define MAX_MAP_ENTRIES_LIMIT	16777216ULL

#define BENCH_FILE	"/sys/kernel/debug/iopgt/bench"

static const char *const params[] = {
	"max_as", "max_table_bytes", "max_as_table_bytes", "max_map_entries", "fault_nth",
};
#define N_PARAMS	(sizeof(params) / sizeof(params[0]))
static unsigned long long saved[N_PARAMS];
static bool have_saved;

__attribute__((constructor)) static void save_params(void)
{
	for (unsigned int i = 0; i < N_PARAMS; i++)
		if (param_get(params[i], &saved[i]))
			return;
	have_saved = true;
}

static void restore_params(void)
{
	if (!have_saved) {
		H_FAIL("module parameters could not be read at start");
		h_abort();
	}
	for (unsigned int i = 0; i < N_PARAMS; i++)
		if (param_set(params[i], saved[i]))
			H_FAIL("restore %s=%llu: %s", params[i], saved[i], h_errname(errno));
}

/* a quarter of RAM: the upper bound of both table-memory caps */
static unsigned long long table_bytes_limit(void)
{
	struct sysinfo si;

	if (sysinfo(&si)) {
		H_FAIL("sysinfo: %s", h_errname(errno));
		h_abort();
	}
	return (unsigned long long)si.totalram * si.mem_unit / 4;
}

static int param_write(const char *name, const char *val)
{
	char p[256];

	snprintf(p, sizeof(p), IOPGT_PARAM "%s", name);
	return sysfs_write(p, val);
}

/* @val must be refused with EINVAL and leave the value unchanged */
static void expect_rejected(const char *name, const char *val)
{
	unsigned long long before = 0, after = 0;

	ASSERT_OK(param_get(name, &before));
	errno = 0;
	if (param_write(name, val) == 0)
		H_FAIL("%s='%s' accepted (now %llu), expected EINVAL", name, val,
		       (param_get(name, &after), after));
	else if (errno != EINVAL)
		H_FAIL("%s='%s': got %s, expected EINVAL", name, val, h_errname(errno));
	ASSERT_OK(param_get(name, &after));
	if (after != before)
		H_FAIL("%s changed from %llu to %llu by the refused '%s'", name, before, after,
		       val);
}

static void expect_accepted(const char *name, unsigned long long v)
{
	unsigned long long got = 0;

	if (param_set(name, v)) {
		H_FAIL("%s=%llu (in range) refused: %s", name, v, h_errname(errno));
		return;
	}
	ASSERT_OK(param_get(name, &got));
	EXPECT_EQ(got, v);
}

static void check_range(const char *name, unsigned long long min, unsigned long long max)
{
	char buf[32];

	if (!param_exists(name)) {
		H_FAIL("module parameter %s missing", name);
		return;
	}
	expect_accepted(name, min);
	expect_accepted(name, max);
	if (min > 0) {
		snprintf(buf, sizeof(buf), "%llu", min - 1);
		expect_rejected(name, buf);
	}
	snprintf(buf, sizeof(buf), "%llu", max + 1);
	expect_rejected(name, buf);
	snprintf(buf, sizeof(buf), "0x%llx", max + 1);
	expect_rejected(name, buf);
	if (max < 4294967296ULL)
		expect_rejected(name, "4294967296");
	expect_rejected(name, "18446744073709551615");
	expect_rejected(name, "18446744073709551616");
	expect_rejected(name, "-1");
	expect_rejected(name, "12abc");
	expect_rejected(name, "\n");
}

/*
 * One case per parameter (its range checked by check_range(); max 0: RAM/4,
 * the table-memory caps' bound), then GET_INFO against the parameters and
 * the read-only ones; the parameters are restored around each case.
 */
enum param_case { PC_RANGE, PC_GET_INFO, PC_READ_ONLY };

FIXTURE(params) { int unused; };
FIXTURE_VARIANT(params) {
	const char *name;	/* the parameter, for PC_RANGE */
	enum param_case kind;
	unsigned long long min, max;
};
static const struct _h_fxv_params param_cases[] = {
	{ "max_as", PC_RANGE, 1, MAX_AS_LIMIT },
	{ "max_map_entries", PC_RANGE, 1, MAX_MAP_ENTRIES_LIMIT },
	{ "max_table_bytes", PC_RANGE, 0, 0 },
	{ "max_as_table_bytes", PC_RANGE, 0, 0 },
	{ "fault_nth", PC_RANGE, 0, 2147483647ULL },
	{ .name = "get_info_reports_them", .kind = PC_GET_INFO },
	{ .name = "read_only", .kind = PC_READ_ONLY },
};
FIXTURE_VARIANT_ARRAY(params, param_cases);
FIXTURE_SETUP(params) { restore_params(); }
FIXTURE_TEARDOWN(params) { restore_params(); }

TEST_F(params, param_ranges)
{
	unsigned long long tb = table_bytes_limit();
	struct iopgt_get_info gi;
	char p[256];
	int fd;

	switch (fvariant->kind) {
	case PC_RANGE:
		h_diag("%s: %llu-%llu", fvariant->name, fvariant->min,
		       fvariant->max ? fvariant->max : tb);
		check_range(fvariant->name, fvariant->min, fvariant->max ? fvariant->max : tb);
		break;
	case PC_GET_INFO:
		/* GET_INFO reports what the parameters say */
		fd = dev_open();
		ASSERT_OK(param_set("max_as", MAX_AS_LIMIT));
		ASSERT_OK(param_set("max_map_entries", MAX_MAP_ENTRIES_LIMIT));
		ASSERT_OK(param_set("max_table_bytes", tb));
		ASSERT_OK(param_set("max_as_table_bytes", tb));
		ASSERT_OK(get_info(fd, &gi, NULL));
		EXPECT_EQ(gi.max_as_per_device, MAX_AS_LIMIT);
		EXPECT_EQ(gi.max_map_entries, MAX_MAP_ENTRIES_LIMIT);
		EXPECT_EQ(gi.max_table_bytes, tb);
		EXPECT_EQ(gi.max_table_bytes_per_as, tb);
		close(fd);
		break;
	case PC_READ_ONLY:
		/* fault_count is read-only; inject_warn (a WARN on demand) is gone */
		snprintf(p, sizeof(p), IOPGT_PARAM "fault_count");
		EXPECT_ERRNO(sysfs_write(p, "1"), EACCES);
		EXPECT_TRUE(!param_exists("inject_warn"));
		break;
	}
}

/* the first available format, preferring the common 4K-granule ones */
static __u32 pick_format(int fd)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_ARM_64_LPAE_S2, IOPGT_FMT_PT_VTDSS, IOPGT_FMT_ARM_32_LPAE_S1,
		IOPGT_FMT_ARM_MALI_LPAE, IOPGT_FMT_ARM_32_LPAE_S2, IOPGT_FMT_ARM_V7S,
	};
	__u32 f = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));

	if (!f)
		SKIP("no page-table format available on this kernel");
	return f;
}

/*
 * An array of @n elements of @esize bytes whose first @valid elements are
 * readable and writable and the rest PROT_NONE (EFAULT). Returns the base.
 */
static void *sparse_array(size_t n, size_t esize, size_t valid, size_t *maplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = n * esize, vlen = (valid * esize + pg - 1) / pg * pg;
	char *p;

	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		H_FAIL("mmap %zu bytes: %s", len, h_errname(errno));
		h_abort();
	}
	if (vlen && mprotect(p, vlen, PROT_READ | PROT_WRITE)) {
		H_FAIL("mprotect: %s", h_errname(errno));
		h_abort();
	}
	*maplen = len;
	return p;
}

struct scribble {
	struct iopgt_map_entry *e;
	unsigned int n;
	__u64 iova;
	volatile int stop;
};

/* keeps pointing every entry at @iova (a mapping of an earlier call) */
static void *scribbler(void *arg)
{
	struct scribble *s = arg;

	while (!s->stop)
		for (unsigned int i = 0; i < s->n; i++)
			__atomic_store_n(&s->e[i].iova, s->iova, __ATOMIC_RELAXED);
	return NULL;
}

/*
 * max_map_entries at its largest value, n_entries = that value with
 * IOPGT_MAP_ROLLBACK: the kernel maps the readable head of the array, meets
 * EFAULT and must undo every entry of the call (and only those: mappings
 * of earlier calls inside the same IOVA range stay, even while another
 * thread rewrites the array) without allocating per entry. UNMAP and
 * vector IOVA_TO_PHYS of the same size: EFAULT after the readable head.
 */
TEST_X(max_map_entries_at_max, H_PLAIN, 180, 0)
{
	const unsigned int K = 4096;	/* readable entries */
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	struct iopgt_map_entry *e;
	struct iopgt_map m;
	struct scribble sc;
	pthread_t th;
	__u64 gran, other, stride;
	size_t maplen;
	int fd, id, bad = 0;

	restore_params();
	fd = dev_open();
	id = as_create(fd, pick_format(fd), 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	/* entries 2 granules apart; the mappings of an earlier call in between */
	stride = 2 * gran;
	if (c.out_ias < 64 && (__u64)K * stride * 2 > 1ULL << c.out_ias)
		SKIP("input range too small");
	for (unsigned int i = 0; i < 8; i++) {
		other = (__u64)(i * (K / 8)) * stride + gran;
		ASSERT_OK(map1(fd, id, other, other, gran, RW, 0, NULL));
	}
	ASSERT_OK(param_set("max_map_entries", MAX_MAP_ENTRIES_LIMIT));

	e = sparse_array(MAX_MAP_ENTRIES_LIMIT, sizeof(*e), K, &maplen);
	for (unsigned int i = 0; i < K; i++)
		e[i] = (struct iopgt_map_entry){ .iova = (__u64)i * stride,
						 .paddr = (__u64)i * stride, .length = gran,
						 .prot = RW, .error = 12345, .mapped = 99 };
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.as_id = id;
	m.flags = IOPGT_MAP_ROLLBACK;
	m.n_entries = MAX_MAP_ENTRIES_LIMIT;
	m.entries_uptr = (uintptr_t)e;
	m.entry_size = sizeof(*e);
	m.n_done = 77;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EFAULT);
	EXPECT_EQ(m.n_done, 0);
	for (unsigned int i = 0; i < K && bad < 5; i++) {
		if (e[i].mapped != 0 || e[i].error != 0) {
			H_FAIL("entry %u after rollback: mapped %llu error %d (expected 0, 0)", i,
			       (unsigned long long)e[i].mapped, e[i].error);
			bad++;
		}
		if (xlate_or_none(fd, id, (__u64)i * stride) != ~0ULL) {
			H_FAIL("entry %u (iova 0x%llx) still mapped after rollback", i,
			       (unsigned long long)i * stride);
			bad++;
		}
	}
	for (unsigned int i = 0; i < 8; i++) {
		other = (__u64)(i * (K / 8)) * stride + gran;
		if (xlate_or_none(fd, id, other) != other)
			H_FAIL("mapping of an earlier call at 0x%llx undone by the rollback",
			       (unsigned long long)other);
	}
	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(ai.mapped_bytes, 8 * gran);
	EXPECT_EQ(ai.n_extents, 8);

	/* the same with a failing entry (EEXIST) while the array is rewritten */
	for (unsigned int i = 0; i < K; i++)
		e[i] = (struct iopgt_map_entry){ .iova = (__u64)i * stride,
						 .paddr = (__u64)i * stride, .length = gran,
						 .prot = RW };
	e[K - 1].iova = gran;	/* overlaps the earlier call's first mapping */
	m.n_entries = K;
	sc = (struct scribble){ .e = e, .n = K - 1, .iova = gran };
	/* give the kernel a head start: the scribbler begins mid-call */
	ASSERT_EQ(pthread_create(&th, NULL, scribbler, &sc), 0);
	errno = 0;
	if (ioctl(fd, IOPGT_MAP, &m) == 0)
		H_FAIL("MAP with an overlapping entry succeeded");
	else if (errno != EEXIST && errno != EINVAL)
		H_FAIL("MAP: got %s, expected EEXIST (or EINVAL from a rewritten entry)",
		       h_errname(errno));
	sc.stop = 1;
	pthread_join(th, NULL);
	EXPECT_EQ(m.n_done, 0);
	for (unsigned int i = 0; i < 8; i++) {
		other = (__u64)(i * (K / 8)) * stride + gran;
		if (xlate_or_none(fd, id, other) != other)
			H_FAIL("mapping of an earlier call at 0x%llx undone by the rollback",
			       (unsigned long long)other);
	}
	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(ai.mapped_bytes, 8 * gran);

	/* UNMAP and vector IOVA_TO_PHYS of max entries: EFAULT after the head */
	{
		struct iopgt_unmap_entry *u = (void *)e;
		struct iopgt_unmap um = { .size = sizeof(um), .as_id = id,
					  .n_entries = MAX_MAP_ENTRIES_LIMIT,
					  .entries_uptr = (uintptr_t)e, .entry_size = sizeof(*u) };
		struct iopgt_xlate_entry *x = (void *)e;
		struct iopgt_iova_to_phys t = { .size = sizeof(t), .as_id = id,
						.n_iovas = MAX_MAP_ENTRIES_LIMIT,
						.entry_size = sizeof(*x),
						.iovas_uptr = (uintptr_t)e };
		unsigned int nu = K * sizeof(*e) / sizeof(*u);
		unsigned int nx = K * sizeof(*e) / sizeof(*x);

		memset(e, 0, K * sizeof(*e));
		for (unsigned int i = 0; i < 8; i++)
			u[i] = (struct iopgt_unmap_entry){ .iova = (__u64)(i * (K / 8)) * stride + gran,
							   .length = gran };
		for (unsigned int i = 8; i < nu; i++)	/* holes: ENOENT stops it */
			u[i] = (struct iopgt_unmap_entry){ .iova = 0, .length = gran };
		EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &um), ENOENT);
		EXPECT_EQ(um.n_done, 8);
		memset(e, 0, K * sizeof(*e));
		for (unsigned int i = 0; i < nx; i++)
			x[i].iova = (__u64)i * gran;
		EXPECT_ERRNO(ioctl(fd, IOPGT_IOVA_TO_PHYS, &t), EFAULT);
	}
	munmap(e, maplen);
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
	restore_params();
}

/*
 * max_as at its largest value: create address spaces until the kernel
 * says no. The answer must be ENOSPC, after exactly max_as - nr_as
 * creates, or earlier when a table-memory cap (also at its largest) is
 * reached first.
 */
TEST_X(max_as_at_max, H_PLAIN, 300, 0)
{
	struct iopgt_get_info gi0, gi;
	struct iopgt_as_create c;
	unsigned long long tb = table_bytes_limit();
	unsigned int n = 0;
	__u32 fmt;
	int fd, id, err = 0;

	restore_params();
	fd = dev_open();
	fmt = pick_format(fd);
	ASSERT_OK(param_set("max_as", MAX_AS_LIMIT));
	ASSERT_OK(param_set("max_table_bytes", tb));
	ASSERT_OK(param_set("max_as_table_bytes", tb));
	ASSERT_OK(get_info(fd, &gi0, NULL));
	for (;;) {
		id = as_create(fd, fmt, 0, 0, 0, 0, 0, &c);
		if (id < 0) {
			err = errno;
			break;
		}
		n++;
		if (n > MAX_AS_LIMIT) {
			H_FAIL("%u address spaces created with max_as %llu", n, MAX_AS_LIMIT);
			break;
		}
	}
	ASSERT_OK(get_info(fd, &gi, NULL));
	h_diag("%s: %u created (nr_as %u before), stopped by %s; table_bytes %llu",
	       format_name(fmt), n, gi0.nr_as, h_errname(err),
	       (unsigned long long)gi.table_bytes);
	if (id >= 0 || err != ENOSPC)
		H_FAIL("create %u with max_as %llu: %s, expected ENOSPC", n + 1, MAX_AS_LIMIT,
		       id >= 0 ? "succeeded" : h_errname(err));
	if (n != MAX_AS_LIMIT - gi0.nr_as && gi.table_bytes + gi.table_bytes / (n ? n : 1) <= tb)
		H_FAIL("ENOSPC after %u creates: neither max_as (%llu) nor the table cap reached",
		       n, MAX_AS_LIMIT);
	EXPECT_EQ(gi.nr_as, gi0.nr_as + n);
	close(fd);	/* frees them all */
	restore_params();
}

/*
 * Both table-memory caps at their largest value: a map needing more table
 * memory than that is refused with ENOSPC before anything is allocated; a
 * large map within it succeeds and is counted.
 */
TEST_X(table_bytes_at_max, H_PLAIN, 300, 0)
{
	unsigned long long tb = table_bytes_limit();
	struct iopgt_as_create c;
	struct iopgt_as_info ai0, ai;
	struct iopgt_get_info gi;
	__u64 gran, len, un;
	int fd, id;

	restore_params();
	fd = dev_open();
	ASSERT_OK(param_set("max_table_bytes", tb));
	ASSERT_OK(param_set("max_as_table_bytes", tb));
	id = as_create(fd, pick_format(fd), 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	ASSERT_OK(as_info(fd, id, &ai0));
	/* the whole input range in granule pages: far more tables than RAM/4 */
	len = c.out_ias >= 64 ? 1ULL << 63 : 1ULL << c.out_ias;
	if ((len / gran) * 8 > tb) {
		EXPECT_ERRNO(map1(fd, id, 0, 0, len, RW, ilog2_64(gran), NULL), ENOSPC);
		ASSERT_OK(as_info(fd, id, &ai));
		EXPECT_EQ(ai.mapped_bytes, 0);
		EXPECT_EQ(ai.table_bytes, ai0.table_bytes);
	} else {
		h_diag("input range of %u bits fits in %llu bytes of tables", c.out_ias, tb);
	}
	/* 64K granule pages: a few leaf tables, inside any cap */
	len = 65536 * gran;
	if (c.out_ias < 64 && len > 1ULL << c.out_ias)
		len = 1ULL << (c.out_ias - 1);
	EXPECT_OK(map1(fd, id, 0, 0, len, RW, ilog2_64(gran), NULL));
	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(ai.mapped_bytes, len);
	EXPECT_GT(ai.table_bytes, ai0.table_bytes);
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_LE(gi.table_bytes, tb);
	EXPECT_OK(unmap1(fd, id, 0, len, &un));
	EXPECT_EQ(un, len);
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
	restore_params();
}

static int bench_cmd(const char *cmd)
{
	int fd = open(BENCH_FILE, O_WRONLY);
	ssize_t r;
	int e;

	if (fd < 0)
		SKIP("%s: %s (debugfs not mounted?)", BENCH_FILE, h_errname(errno));
	r = write(fd, cmd, strlen(cmd));
	e = errno;
	close(fd);
	errno = e;
	return r == (ssize_t)strlen(cmd) ? 0 : -1;
}

/*
 * The debugfs bench maps through the same table-memory caps as IOPGT_MAP:
 * the device cap (max_table_bytes) and the per-AS cap counting what the
 * address space already holds; both its per-page ("map") and its batched
 * ("mapb") loop.
 */
static void bench_caps(const char *op)
{
	struct iopgt_format_info fis[IOPGT_FMT_COUNT];
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	struct iopgt_get_info gi;
	char cmd[128];
	__u64 gran, un, unit = 0;
	int fd, id, f;

	h_diag("bench op %s", op);
	restore_params();
	fd = dev_open();
	f = pick_format(fd);
	id = as_create(fd, f, 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	/* what one table takes (a 4K-granule table: 16K on a 16K-page kernel) */
	ASSERT_OK(get_info(fd, &gi, fis));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
		if ((int)fis[i].format == f)
			unit = table_unit(&fis[i], c.out_pgsize_bitmap);
	ASSERT_TRUE(unit > 0);
	if (c.out_ias < 40)
		SKIP("input range of %u bits too small for this test", c.out_ias);

	/* device cap: room for about two tables */
	ASSERT_OK(get_info(fd, &gi, NULL));
	ASSERT_OK(param_set("max_table_bytes", gi.table_bytes + 2 * unit));
	/* 4096 granules from 2^39 need at least 9 new tables */
	snprintf(cmd, sizeof(cmd), "%s %d 0x%llx 0 4096", op, id, 1ULL << 39);
	EXPECT_ERRNO(bench_cmd(cmd), ENOSPC);
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_LE(gi.table_bytes, gi.max_table_bytes);
	EXPECT_EQ(xlate_or_none(fd, id, 1ULL << 39), ~0ULL);
	ASSERT_OK(param_set("max_table_bytes", saved[1]));

	/* per-AS cap: what the AS already holds counts */
	EXPECT_OK(map1(fd, id, 0, 0, gran, RW, 0, NULL));
	ASSERT_OK(as_info(fd, id, &ai));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes + unit));
	/* one granule in a fresh top-level subtree needs more than one table */
	snprintf(cmd, sizeof(cmd), "%s %d 0x%llx 0 1", op, id, 1ULL << 39);
	errno = 0;
	EXPECT_ERRNO(bench_cmd(cmd), ENOSPC);
	ASSERT_OK(as_info(fd, id, &ai));
	h_diag("AS table_bytes %llu, cap %llu", (unsigned long long)ai.table_bytes,
	       (unsigned long long)(ai.table_bytes + unit));
	EXPECT_EQ(xlate_or_none(fd, id, 1ULL << 39), ~0ULL);
	/* within the caps the bench works, and the result can be unmapped */
	ASSERT_OK(param_set("max_as_table_bytes", saved[2]));
	EXPECT_OK(bench_cmd(cmd));
	EXPECT_EQ(xlate_or_none(fd, id, 1ULL << 39), 0);
	EXPECT_OK(unmap1(fd, id, 1ULL << 39, gran, &un));
	EXPECT_OK(as_destroy(fd, id));
	close(fd);
	restore_params();
}

TEST(bench_obeys_caps)
{
	bench_caps("map");
	bench_caps("mapb");
}

static int count_cb(const struct nl_msg *m, void *arg)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

/*
 * One instance: the driver binds only its own iopgt.0. Another platform
 * device offered to it through driver_override is refused with ENODEV and
 * no /dev/iopgt1 appears; netlink knows device 0 only.
 */
TEST(single_instance)
{
	char path[512], name[256] = "";
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int r, e;

	dir = opendir("/sys/bus/platform/devices");
	ASSERT_TRUE(dir != NULL);
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || !strncmp(d->d_name, "iopgt", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver", d->d_name);
		if (!lstat(path, &st))
			continue;	/* has a driver: leave it alone */
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver_override",
			 d->d_name);
		if (access(path, W_OK))
			continue;
		snprintf(name, sizeof(name), "%s", d->d_name);
		break;
	}
	closedir(dir);
	if (!name[0])
		SKIP("no platform device without a driver to offer to iopgt");
	h_diag("offering %s to the iopgt driver", name);
	ASSERT_OK(sysfs_write(path, "iopgt"));
	r = sysfs_write(IOPGT_DRV "/bind", name);
	e = errno;
	if (r == 0) {
		H_FAIL("bind of %s to iopgt succeeded, expected ENODEV (/dev/iopgt1 %s)", name,
		       access("/dev/iopgt1", F_OK) ? "absent" : "created");
		sysfs_write(IOPGT_DRV "/unbind", name);
	} else if (e != ENODEV) {
		H_FAIL("bind of %s: got %s, expected ENODEV", name, h_errname(e));
	}
	EXPECT_OK(sysfs_write(path, "\n"));
	EXPECT_TRUE(access("/dev/iopgt1", F_OK) != 0);
	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver", name);
	EXPECT_TRUE(lstat(path, &st) != 0);
	/* iopgt.0 still works */
	{
		int fd = dev_open();
		struct iopgt_get_info gi;

		EXPECT_OK(get_info(fd, &gi, NULL));
		close(fd);
	}
	/* netlink: device 0 answers, any other IOPGT_A_DEV_ID is ENODEV */
	{
		struct nl nl;
		struct nl_req_attr a = { .type = IOPGT_A_DEV_ID, .len = 4, .val = 0 };

		if (nl_open(&nl))
			SKIP("no iopgt generic netlink family");
		int n = 0;

		EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_FORMAT_GET, &a, 1, count_cb, &n, NULL), 0);
		EXPECT_EQ(n, IOPGT_FMT_COUNT - 1);
		a.val = 1;
		EXPECT_EQ(nl_dump(&nl, IOPGT_NL_CMD_FORMAT_GET, &a, 1, count_cb, &n, NULL),
			  -ENODEV);
		nl_close(&nl);
	}
}
