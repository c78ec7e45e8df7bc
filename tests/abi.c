// SPDX-License-Identifier: GPL-2.0
/*
 * ABI conformance of every iopgt ioctl (the iommufd TEST_LENGTH pattern):
 * struct size rules, reserved fields and flags, bad user pointers, unknown
 * ioctl numbers, unknown and destroyed address-space ids, array element
 * sizes, GET_INFO contents.
 */
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define UNKNOWN_ID	0xfffffff0U
#define PGSZ		((size_t)sysconf(_SC_PAGESIZE))

/* a buffer of len bytes that ends exactly at a PROT_NONE page */
static void *guard_buf(size_t len)
{
	size_t pages = (len + PGSZ - 1) / PGSZ + 1;
	char *p = mmap(NULL, pages * PGSZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_OK(mprotect(p + (pages - 1) * PGSZ, PGSZ, PROT_NONE));
	p += (pages - 1) * PGSZ - len;
	memset(p, 0, len);
	return p;
}

static void *none_page(void)
{
	void *p = mmap(NULL, PGSZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	return p;
}

struct ioc {
	const char *name;
	unsigned long cmd;
	size_t size;
	int has_id;	/* __u32 as_id at offset 4 */
	size_t min_size;	/* first ABI version, if smaller than size */
};

static const struct ioc iocs[] = {
	{ "GET_INFO", IOPGT_GET_INFO, sizeof(struct iopgt_get_info), 0, 0 },
	{ "AS_CREATE", IOPGT_AS_CREATE, sizeof(struct iopgt_as_create), 0,
	  offsetof(struct iopgt_as_create, out_reason) },
	{ "AS_DESTROY", IOPGT_AS_DESTROY, sizeof(struct iopgt_as_destroy), 1, 0 },
	{ "MAP", IOPGT_MAP, sizeof(struct iopgt_map), 1, 0 },
	{ "UNMAP", IOPGT_UNMAP, sizeof(struct iopgt_unmap), 1, 0 },
	{ "IOVA_TO_PHYS", IOPGT_IOVA_TO_PHYS, sizeof(struct iopgt_iova_to_phys), 1,
	  offsetof(struct iopgt_iova_to_phys, n_iovas) },
	{ "GET_HW_CFG", IOPGT_GET_HW_CFG, sizeof(struct iopgt_hw_cfg), 1, 0 },
	{ "WALK", IOPGT_WALK, sizeof(struct iopgt_walk), 1, 0 },
	{ "AS_INFO", IOPGT_AS_INFO, sizeof(struct iopgt_as_info), 1, 0 },
	{ "READ_DIRTY", IOPGT_READ_DIRTY, sizeof(struct iopgt_read_dirty), 1, 0 },
	{ "SET_DIRTY", IOPGT_SET_DIRTY, sizeof(struct iopgt_set_dirty), 1, 0 },
};
#define N_IOCS (sizeof(iocs) / sizeof(iocs[0]))

static struct iopgt_map_entry g_ment;
static struct iopgt_unmap_entry g_uent;

/*
 * Fill a valid-looking struct of ioctl i into buf (exact size) whose result
 * with the exact size is well defined: GET_INFO succeeds, AS_CREATE of an
 * AMD io-pgtable format (never available) gives EOPNOTSUPP, everything else
 * names an unknown id and gives ENOENT.
 */
static void fill(const struct ioc *c, void *buf)
{
	memset(buf, 0, c->size);
	*(__u32 *)buf = c->size;
	if (c->has_id)
		((__u32 *)buf)[1] = UNKNOWN_ID;
	if (c->cmd == IOPGT_AS_CREATE) {
		struct iopgt_as_create *a = buf;

		a->format = IOPGT_FMT_AMD_IOMMU_V1;
	} else if (c->cmd == IOPGT_MAP) {
		struct iopgt_map *m = buf;

		g_ment = (struct iopgt_map_entry){ .length = SZ_4K, .prot = RW };
		m->n_entries = 1;
		m->entries_uptr = (uintptr_t)&g_ment;
		m->entry_size = sizeof(g_ment);
	} else if (c->cmd == IOPGT_UNMAP) {
		struct iopgt_unmap *u = buf;

		g_uent = (struct iopgt_unmap_entry){ .length = SZ_4K };
		u->n_entries = 1;
		u->entries_uptr = (uintptr_t)&g_uent;
		u->entry_size = sizeof(g_uent);
	}
}

static int exact_errno(const struct ioc *c)
{
	if (c->cmd == IOPGT_GET_INFO)
		return 0;
	if (c->cmd == IOPGT_AS_CREATE)
		return EOPNOTSUPP;
	return ENOENT;
}

static void expect_result(int fd, const struct ioc *c, void *buf, int want, const char *what)
{
	int r;

	errno = 0;
	r = ioctl(fd, c->cmd, buf);
	if (!want) {
		if (r)
			H_FAIL("%s %s: got %s, expected success", c->name, what,
			       h_errname(errno));
	} else if (r != -1 || errno != want) {
		H_FAIL("%s %s: got %s, expected %s", c->name, what,
		       r ? h_errname(errno) : "success", h_errname(want));
	}
}

TEST(length_rules)
{
	int fd = dev_open();

	for (unsigned int i = 0; i < N_IOCS; i++) {
		const struct ioc *c = &iocs[i];
		char buf[4096] __attribute__((aligned(8)));
		int want = exact_errno(c);

		fill(c, buf);
		expect_result(fd, c, buf, want, "exact size");

		fill(c, buf);
		*(__u32 *)buf = (c->min_size ? c->min_size : c->size) - 1;
		expect_result(fd, c, buf, EINVAL, "size-1");
		if (c->min_size) {	/* the first version is still accepted */
			fill(c, buf);
			*(__u32 *)buf = c->min_size;
			expect_result(fd, c, buf, want, "first-version size");
		}

		/* the smallest struct (AS_DESTROY) has 8 bytes: size 4 and 0 */
		fill(c, buf);
		*(__u32 *)buf = 0;
		expect_result(fd, c, buf, EINVAL, "size 0");
		fill(c, buf);
		*(__u32 *)buf = 4;
		expect_result(fd, c, buf, EINVAL, "size 4");

		/* one byte longer, and 8 and 2000 bytes longer */
		for (size_t extra = 1; extra <= 2000; extra = extra == 1 ? 8 : extra == 8 ? 2000 : 4096) {
			char msg[64];

			fill(c, buf);
			*(__u32 *)buf = c->size + extra;
			buf[c->size + extra - 1] = 0x5a;
			snprintf(msg, sizeof(msg), "size+%zu non-zero tail", extra);
			expect_result(fd, c, buf, E2BIG, msg);

			fill(c, buf);
			memset(buf + c->size, 0, extra);
			*(__u32 *)buf = c->size + extra;
			snprintf(msg, sizeof(msg), "size+%zu zero tail", extra);
			expect_result(fd, c, buf, want, msg);
			/* outputs are written only up to the known size */
			for (size_t b = c->size; b < c->size + extra; b++)
				if (buf[b]) {
					H_FAIL("%s: byte %zu beyond the struct was written",
					       c->name, b);
					break;
				}
		}
		/* non-zero byte right after the struct */
		fill(c, buf);
		*(__u32 *)buf = c->size + 8;
		buf[c->size] = 1;
		expect_result(fd, c, buf, E2BIG, "size+8 first tail byte set");
	}
	close(fd);
}

TEST(zero_tail_same_output)
{
	struct iopgt_get_info a, *b;
	int fd = dev_open();
	char *buf = calloc(1, 3 * 4096);

	ASSERT_TRUE(buf != NULL);
	ASSERT_OK(get_info(fd, &a, NULL));
	b = (void *)buf;
	b->size = 3 * 4096;
	ASSERT_OK(ioctl(fd, IOPGT_GET_INFO, b));
	b->size = a.size;
	EXPECT_EQ(memcmp(&a, b, sizeof(a)), 0);
	close(fd);
}

TEST(bad_struct_pointers)
{
	int fd = dev_open();
	void *none = none_page();

	for (unsigned int i = 0; i < N_IOCS; i++) {
		const struct ioc *c = &iocs[i];
		char *g;

		expect_result(fd, c, NULL, EFAULT, "NULL arg");
		expect_result(fd, c, none, EFAULT, "PROT_NONE arg");
		expect_result(fd, c, (void *)-4096L, EFAULT, "kernel-half arg");

		/* size readable, the rest of the struct in the guard page */
		g = guard_buf(8);
		*(__u32 *)g = c->size;
		if (c->size > 8)
			expect_result(fd, c, g, EFAULT, "struct crossing into guard");

		/* huge size: the zero-tail check runs into the guard page */
		g = guard_buf(c->size + 64);
		fill(c, g);
		*(__u32 *)g = c->size + 8192;
		expect_result(fd, c, g, EFAULT, "size beyond mapping");
		fill(c, g);
		*(__u32 *)g = 0xffffffffU;
		expect_result(fd, c, g, EFAULT, "size 0xffffffff");
	}
	close(fd);
}

TEST(unknown_ioctls)
{
	static const unsigned long bad[] = {
		_IO(IOPGT_TYPE, IOPGT_CMD_BASE - 1),
		_IO(IOPGT_TYPE, IOPGT_CMD_SET_DIRTY + 1),
		_IO(IOPGT_TYPE, 0xff),
		_IO(IOPGT_TYPE, 0),
		_IO(IOPGT_TYPE + 1, IOPGT_CMD_GET_INFO),
		_IOWR(IOPGT_TYPE, IOPGT_CMD_GET_INFO, struct iopgt_get_info),
		_IOR(IOPGT_TYPE, IOPGT_CMD_MAP, struct iopgt_map),
		_IOW(IOPGT_TYPE, IOPGT_CMD_AS_CREATE, __u32),
		0,
		0xffffffffUL,
	};
	struct iopgt_get_info gi = { .size = sizeof(gi) };
	int fd = dev_open();

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!EXPECT_ERRNO(ioctl(fd, bad[i], &gi), ENOTTY))
			h_diag("ioctl number 0x%lx", bad[i]);
	}
	close(fd);
}

TEST(unknown_ids)
{
	static const __u32 ids[] = { 0, 1, 2, 0x7fffffff, 0xfffffff0, 0xffffffff };
	struct iopgt_get_info gi;
	int fd = dev_open();

	ASSERT_OK(get_info(fd, &gi, NULL));
	for (unsigned int i = 0; i < N_IOCS; i++) {
		const struct ioc *c = &iocs[i];
		char buf[4096] __attribute__((aligned(8)));

		if (!c->has_id)
			continue;
		for (unsigned int j = 0; j < sizeof(ids) / sizeof(ids[0]); j++) {
			char msg[32];

			/* small ids may be live persistent ASes of someone else */
			if (ids[j] && ids[j] < 3 && gi.nr_as)
				continue;
			fill(c, buf);
			((__u32 *)buf)[1] = ids[j];
			snprintf(msg, sizeof(msg), "id %u", ids[j]);
			expect_result(fd, c, buf, ENOENT, msg);
		}
	}
	close(fd);
}

TEST(get_info_flags_reserved)
{
	struct iopgt_get_info gi;
	int fd = dev_open();

	for (int b = 0; b < 32; b++) {
		memset(&gi, 0, sizeof(gi));
		gi.size = sizeof(gi);
		gi.flags = 1U << b;
		if (!EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &gi), EINVAL))
			h_diag("flags bit %d", b);
	}
	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.__reserved = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &gi), EINVAL);
	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.__reserved = 0x80000000U;
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &gi), EINVAL);
	close(fd);
}

static bool sysfs_lists(const char *name)
{
	char buf[4096], *l, *save = NULL;
	ssize_t n;
	int fd = open(IOPGT_SYSDEV "/formats", O_RDONLY);

	ASSERT_TRUE(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_GE(n, 0);
	buf[n] = 0;
	for (l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (!strcmp(l, name))
			return true;
	return false;
}

TEST(get_info_contents)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;
	unsigned int avail = 0, seen = 0;
	int fd = dev_open();

	ASSERT_OK(get_info(fd, &gi, f));
	EXPECT_EQ(gi.abi_version, IOPGT_ABI_VERSION);
	EXPECT_EQ(gi.n_formats, IOPGT_FMT_COUNT - 1);
	EXPECT_EQ(gi.page_size, (__u64)sysconf(_SC_PAGESIZE));
	EXPECT_EQ(gi.flags, 0);
	EXPECT_EQ(gi.__reserved, 0);
	EXPECT_GE(gi.max_as_per_device, 1);
	EXPECT_GE(gi.max_map_entries, 1);
	EXPECT_GE(gi.max_table_bytes_per_as, gi.page_size);
	EXPECT_GE(gi.max_table_bytes, gi.page_size);
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++) {
		const struct iopgt_format_info *fi = &f[i];
		bool av = fi->flags & IOPGT_FMT_F_AVAILABLE;

		if (fi->format == 0 || fi->format >= IOPGT_FMT_COUNT) {
			H_FAIL("element %u: format %u out of range", i, fi->format);
			continue;
		}
		if (seen & (1U << fi->format))
			H_FAIL("format %u listed twice", fi->format);
		seen |= 1U << fi->format;
		if (strncmp(fi->name, format_name(fi->format), IOPGT_NAME_LEN))
			H_FAIL("format %u named '%.32s', expected %s", fi->format,
			       fi->name, format_name(fi->format));
		if (!memchr(fi->name, 0, IOPGT_NAME_LEN))
			H_FAIL("format %u: name not NUL-terminated", fi->format);
		/* sysfs lists exactly the available formats */
		if (sysfs_lists(format_name(fi->format)) != av)
			H_FAIL("%s: sysfs formats %s it, GET_INFO says %savailable",
			       fi->name, av ? "lacks" : "lists", av ? "" : "un");
		if (!av) {
			EXPECT_NE(fi->unavail_reason, IOPGT_UNAVAIL_NONE);
			EXPECT_LE(fi->unavail_reason, IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL);
			continue;
		}
		avail++;
		h_diag("%s: flags 0x%x quirks 0x%llx sets %u ias %u..%u (%u) oas %u..%u (%u) levels %u..%u",
		       fi->name, fi->flags, (unsigned long long)fi->quirks,
		       fi->n_pgsize_sets, fi->ias_min, fi->ias_max, fi->ias_default,
		       fi->oas_min, fi->oas_max, fi->oas_default, fi->levels_min,
		       fi->levels_max);
		EXPECT_EQ(fi->unavail_reason, IOPGT_UNAVAIL_NONE);
		/* AMD io-pgtable formats are never usable standalone */
		EXPECT_NE(fi->format, IOPGT_FMT_AMD_IOMMU_V1);
		EXPECT_NE(fi->format, IOPGT_FMT_AMD_IOMMU_V2);
		EXPECT_TRUE(!!(fi->flags & IOPGT_FMT_F_IO_PGTABLE) !=
			    !!(fi->flags & IOPGT_FMT_F_GENERIC_PT));
		EXPECT_GE(fi->n_pgsize_sets, 1);
		EXPECT_LE(fi->n_pgsize_sets, IOPGT_MAX_PGSIZE_SETS);
		for (unsigned int s = 0; s < fi->n_pgsize_sets && s < IOPGT_MAX_PGSIZE_SETS; s++)
			EXPECT_NE(fi->pgsize_sets[s], 0);
		EXPECT_LE(fi->ias_min, fi->ias_default);
		EXPECT_LE(fi->ias_default, fi->ias_max);
		EXPECT_LE(fi->oas_min, fi->oas_default);
		EXPECT_LE(fi->oas_default, fi->oas_max);
		EXPECT_LE(fi->ias_max, 64);
		EXPECT_LE(fi->oas_max, 64);
		EXPECT_EQ(fi->quirks & ~0x1fbULL, 0);
		if (fi->flags & IOPGT_FMT_F_IO_PGTABLE) {
			EXPECT_EQ(fi->levels_min, 0);
			EXPECT_EQ(fi->levels_max, 0);
		} else {
			EXPECT_GE(fi->levels_min, 1);
			EXPECT_LE(fi->levels_min, fi->levels_max);
			EXPECT_LE(fi->levels_max, IOPGT_MAX_LEVELS);
		}
	}
	EXPECT_EQ(gi.n_available, avail);
	close(fd);
}

TEST(get_info_array_rules)
{
	struct iopgt_format_info ref[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi, q;
	size_t big = sizeof(struct iopgt_format_info) + 24;
	char *arr;
	int fd = dev_open();

	ASSERT_OK(get_info(fd, &gi, ref));

	/* query: n_formats 0, no pointer */
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.format_info_size = sizeof(ref[0]);
	ASSERT_OK(ioctl(fd, IOPGT_GET_INFO, &q));
	EXPECT_EQ(q.n_formats, IOPGT_FMT_COUNT - 1);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	EXPECT_OK(ioctl(fd, IOPGT_GET_INFO, &q));

	/* capacity 3: elements beyond are not written */
	{
		struct iopgt_format_info f[5];

		memset(f, 0xa5, sizeof(f));
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.n_formats = 3;
		q.formats_uptr = (uintptr_t)f;
		q.format_info_size = sizeof(f[0]);
		ASSERT_OK(ioctl(fd, IOPGT_GET_INFO, &q));
		EXPECT_EQ(q.n_formats, IOPGT_FMT_COUNT - 1);
		EXPECT_EQ(memcmp(f, ref, 3 * sizeof(f[0])), 0);
		for (size_t b = 3 * sizeof(f[0]); b < sizeof(f); b++)
			if (((unsigned char *)f)[b] != 0xa5) {
				H_FAIL("byte %zu beyond capacity written", b);
				break;
			}
	}

	/* element size short / 0 */
	{
		struct iopgt_format_info f[IOPGT_FMT_COUNT];

		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.n_formats = IOPGT_FMT_COUNT;
		q.formats_uptr = (uintptr_t)f;
		q.format_info_size = IOPGT_FORMAT_INFO_SIZE_V1 - 1;
		EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EINVAL);
		q.format_info_size = 0;
		EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EINVAL);
		q.format_info_size = 4;
		EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EINVAL);
	}

	/* version 1 elements: that stride, only the v1 part written */
	{
		size_t v1 = IOPGT_FORMAT_INFO_SIZE_V1;
		unsigned char *a1 = malloc(IOPGT_FMT_COUNT * v1);

		ASSERT_TRUE(a1 != NULL);
		memset(a1, 0xa5, IOPGT_FMT_COUNT * v1);
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.n_formats = IOPGT_FMT_COUNT - 1;
		q.formats_uptr = (uintptr_t)a1;
		q.format_info_size = v1;
		ASSERT_OK(ioctl(fd, IOPGT_GET_INFO, &q));
		for (unsigned int i = 0; i < IOPGT_FMT_COUNT - 1; i++)
			if (memcmp(a1 + i * v1, &ref[i], v1))
				H_FAIL("v1 element %u at stride %zu differs", i, v1);
		for (size_t k = (IOPGT_FMT_COUNT - 1) * v1; k < IOPGT_FMT_COUNT * v1; k++)
			if (a1[k] != 0xa5)
				H_FAIL("byte %zu after %u v1 elements was written", k,
				       IOPGT_FMT_COUNT - 1);
		free(a1);
	}

	/* element size longer: elements at that stride, known part filled */
	arr = calloc(IOPGT_FMT_COUNT, big);
	ASSERT_TRUE(arr != NULL);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.n_formats = IOPGT_FMT_COUNT - 1;
	q.formats_uptr = (uintptr_t)arr;
	q.format_info_size = big;
	ASSERT_OK(ioctl(fd, IOPGT_GET_INFO, &q));
	for (unsigned int i = 0; i < IOPGT_FMT_COUNT - 1; i++)
		if (memcmp(arr + i * big, &ref[i], sizeof(ref[0])))
			H_FAIL("element %u at stride %zu differs", i, big);

	/* bad array pointers */
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.n_formats = IOPGT_FMT_COUNT - 1;
	q.format_info_size = sizeof(ref[0]);
	q.formats_uptr = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EFAULT);
	q.formats_uptr = (uintptr_t)none_page();
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EFAULT);
	q.formats_uptr = (uintptr_t)guard_buf(2 * sizeof(ref[0]));
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EFAULT);
	q.formats_uptr = 0xffffffffffff0000ULL;
	EXPECT_ERRNO(ioctl(fd, IOPGT_GET_INFO, &q), EFAULT);
	close(fd);
}

TEST(create_unavailable)
{
	struct iopgt_format_info f[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;
	int fd = dev_open();

	ASSERT_OK(get_info(fd, &gi, f));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++) {
		if (f[i].flags & IOPGT_FMT_F_AVAILABLE)
			continue;
		if (!EXPECT_ERRNO(as_create(fd, f[i].format, 0, 0, 0, 0, 0, NULL), EOPNOTSUPP))
			h_diag("format %s", f[i].name);
	}
	/* not a format at all */
	EXPECT_ERRNO(as_create(fd, IOPGT_FMT_INVALID, 0, 0, 0, 0, 0, NULL), EINVAL);
	EXPECT_ERRNO(as_create(fd, IOPGT_FMT_COUNT, 0, 0, 0, 0, 0, NULL), EINVAL);
	EXPECT_ERRNO(as_create(fd, 0xffffffff, 0, 0, 0, 0, 0, NULL), EINVAL);
	close(fd);
}

/* ---- tests that need an address space ---- */

static const unsigned long id_cmds[] = {
	IOPGT_AS_DESTROY, IOPGT_MAP, IOPGT_UNMAP, IOPGT_IOVA_TO_PHYS,
	IOPGT_GET_HW_CFG, IOPGT_WALK, IOPGT_AS_INFO,
};

TEST_FMT(destroyed_id)
{
	int fd = dev_open();
	int id = as_create_v(fd, variant, 0, NULL);

	ASSERT_OK(as_destroy(fd, id));
	for (unsigned int i = 0; i < N_IOCS; i++) {
		char buf[4096] __attribute__((aligned(8)));

		if (!iocs[i].has_id)
			continue;
		fill(&iocs[i], buf);
		((__u32 *)buf)[1] = id;
		expect_result(fd, &iocs[i], buf, ENOENT, "destroyed id");
	}
	(void)id_cmds;
	close(fd);
}

TEST_FMT(ids_unique_and_die_with_fd)
{
	struct iopgt_as_create cr;
	struct iopgt_as_info ai;
	int fd = dev_open(), fd2 = dev_open();
	/* GET_INFO: one live address space of this format at a time */
	bool one = variant->fi.flags & IOPGT_FMT_F_ONE_LIVE;
	int a = as_create_v(fd, variant, 0, NULL);
	int b, p, c;

	if (one) {
		/* the second is refused for that reason, not the max_as cap */
		EXPECT_ERRNO(as_create(fd, variant->format, 0, variant->pgsizes, variant->ias,
				       variant->oas, 0, &cr), EBUSY);
		EXPECT_EQ(cr.out_reason, IOPGT_REASON_ONE_AT_A_TIME);
		/* with the first gone, the next is fine */
		ASSERT_OK(as_destroy(fd, a));
		b = as_create_v(fd, variant, 0, NULL);
		EXPECT_NE(b, a);
		ASSERT_OK(as_destroy(fd, b));
		a = as_create_v(fd, variant, 0, NULL);
	}
	b = one ? a : as_create_v(fd, variant, 0, NULL);
	EXPECT_NE(a, 0);
	EXPECT_NE(b, 0);
	if (!one)
		EXPECT_NE(a, b);
	ASSERT_OK(as_info(fd, a, &ai));
	EXPECT_EQ(ai.format, variant->format);
	EXPECT_EQ(ai.owner_pid, (__u32)getpid());
	EXPECT_EQ(ai.flags, 0);
	EXPECT_EQ(ai.mapped_bytes, 0);
	EXPECT_EQ(ai.__reserved, 0);
	/* a destroyed id is not reused for the next AS */
	ASSERT_OK(as_destroy(fd, b));
	c = as_create_v(fd, variant, 0, NULL);
	EXPECT_NE(c, b);
	EXPECT_NE(c, a);
	if (one) {
		/* the persistent one below needs the single slot */
		ASSERT_OK(as_destroy(fd, c));
	}

	/* persistent AS outlives its fd; a normal one dies with it */
	p = as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, NULL);
	ASSERT_GT(p, 0);
	ASSERT_OK(as_info(fd, p, &ai));
	EXPECT_EQ(ai.flags & IOPGT_AS_INFO_PERSISTENT, IOPGT_AS_INFO_PERSISTENT);
	close(fd);
	EXPECT_ERRNO(as_info(fd2, a, &ai), ENOENT);
	EXPECT_ERRNO(as_info(fd2, c, &ai), ENOENT);
	ASSERT_OK(as_info(fd2, p, &ai));
	EXPECT_OK(as_destroy(fd2, p));
	EXPECT_ERRNO(as_destroy(fd2, p), ENOENT);
	close(fd2);
}

TEST_FMT(create_flags_quirks_levels)
{
	struct iopgt_as_create c;
	int fd = dev_open();

	/*
	 * 2: IOPGT_AS_RECORD_FLUSHES, 3: IOPGT_AS_DIRTY_TRACKING,
	 * 4, 5: IOPGT_AS_FLUSH_RANGE / _NO_GAPS (flush_contract_rules)
	 */
	for (int b = 6; b < 32; b++)
		if (!EXPECT_ERRNO(as_create(fd, variant->format, 1U << b, 0, 0, 0, 0, NULL),
				  EINVAL))
			h_diag("flags bit %d", b);
	for (int b = 0; b < 64; b++) {
		if (variant->fi.quirks & (1ULL << b))
			continue;
		if (!EXPECT_ERRNO(as_create(fd, variant->format, 0, 0, 0, 0, 1ULL << b, NULL),
				  EINVAL))
			h_diag("quirk bit %d", b);
	}
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.format = variant->format;
	if (variant->fi.flags & IOPGT_FMT_F_IO_PGTABLE) {
		c.levels = 3;
		EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, &c), EINVAL);
	} else {
		c.levels = variant->fi.levels_max + 1;
		EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, &c), EINVAL);
		if (variant->fi.levels_min > 1) {
			c.levels = variant->fi.levels_min - 1;
			EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, &c), EINVAL);
		}
		c.levels = 0xffffffff;
		EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, &c), EINVAL);
	}
	/* out fields given as input are ignored */
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.format = variant->format;
	c.as_id = 12345;
	c.out_levels = 77;
	c.out_pgsize_bitmap = ~0ULL;
	ASSERT_OK(ioctl(fd, IOPGT_AS_CREATE, &c));
	EXPECT_NE(c.as_id, 12345);
	EXPECT_NE(c.out_pgsize_bitmap, ~0ULL);
	EXPECT_EQ(c.out_quirks & ~variant->fi.quirks, 0);
	/* defaults */
	EXPECT_EQ(c.out_ias, variant->fi.ias_default);
	EXPECT_EQ(c.out_oas, variant->fi.oas_default);
	close(fd);
}

TEST_FMT(reserved_fields)
{
	struct iopgt_iova_to_phys x;
	struct iopgt_walk w;
	struct iopgt_as_info ai;
	struct iopgt_map_entry me;
	struct iopgt_unmap_entry ue = { .length = SZ_4K };
	struct iopgt_unmap u;
	struct iopgt_as_create c;
	__u64 gran;
	int fd = dev_open();
	int id = as_create_v(fd, variant, 0, &c);

	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	memset(&x, 0, sizeof(x));
	x.size = sizeof(x);
	x.as_id = id;
	x.__reserved = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_IOVA_TO_PHYS, &x), EINVAL);

	for (int b = 0; b < 32; b++) {
		walk(fd, id, 0, 0, &w);
		w.flags = 1U << b;
		if (b == 0)	/* IOPGT_WALK_HW is valid */
			continue;
		if (!EXPECT_ERRNO(ioctl(fd, IOPGT_WALK, &w), EINVAL))
			h_diag("walk flags bit %d", b);
	}
	walk(fd, id, 0, 0, &w);
	w.__reserved = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_WALK, &w), EINVAL);

	memset(&ai, 0, sizeof(ai));
	ai.size = sizeof(ai);
	ai.as_id = id;
	ai.__reserved = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_AS_INFO, &ai), EINVAL);

	/* map: unknown flag bits, entry reserved, prot bits */
	for (int b = 1; b < 32; b++) {
		me = (struct iopgt_map_entry){ .length = gran, .prot = RW };
		if (!EXPECT_ERRNO(map1e(fd, id, &me, 1U << b, NULL), EINVAL))
			h_diag("map flags bit %d", b);
	}
	me = (struct iopgt_map_entry){ .length = gran, .prot = RW, .reason = 1 };
	EXPECT_ERRNO(map1e(fd, id, &me, 0, NULL), EINVAL);
	EXPECT_EQ(me.error, -EINVAL);
	EXPECT_EQ(me.reason, IOPGT_REASON_RESERVED);
	for (int b = 6; b < 32; b++) {
		me = (struct iopgt_map_entry){ .length = gran, .prot = RW | (1U << b) };
		if (!EXPECT_ERRNO(map1e(fd, id, &me, 0, NULL), EINVAL))
			h_diag("prot bit %d", b);
	}
	me = (struct iopgt_map_entry){ .length = gran, .prot = 0 };
	EXPECT_ERRNO(map1e(fd, id, &me, 0, NULL), EINVAL);
	me = (struct iopgt_map_entry){ .length = gran,
		.prot = IOPGT_PROT_NOEXEC | IOPGT_PROT_CACHE | IOPGT_PROT_PRIV };
	EXPECT_ERRNO(map1e(fd, id, &me, 0, NULL), EINVAL);

	/* unmap: flags and entry reserved (the range is mapped, so only these fail) */
	ASSERT_OK(map1(fd, id, 0, 0, gran, RW, 0, NULL));
	for (int b = 1; b < 32; b++) {	/* 0: IOPGT_UNMAP_CORE */
		memset(&u, 0, sizeof(u));
		u.size = sizeof(u);
		u.as_id = id;
		u.flags = 1U << b;
		u.n_entries = 1;
		u.entries_uptr = (uintptr_t)&ue;
		u.entry_size = sizeof(ue);
		ue = (struct iopgt_unmap_entry){ .length = gran };
		if (!EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EINVAL))
			h_diag("unmap flags bit %d", b);
	}
	u.flags = 0;
	ue = (struct iopgt_unmap_entry){ .length = gran, .reason = 1 };
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EINVAL);
	EXPECT_EQ(ue.reason, IOPGT_REASON_RESERVED);
	/* nothing above removed the mapping */
	EXPECT_EQ(xlate_or_none(fd, id, 42), 42);
	ue = (struct iopgt_unmap_entry){ .length = gran };
	EXPECT_OK(ioctl(fd, IOPGT_UNMAP, &u));
	EXPECT_EQ(ue.unmapped, gran);
	EXPECT_EQ(u.n_done, 1);
	close(fd);
}

TEST_FMT(array_element_size)
{
	struct iopgt_as_create c;
	char buf[4 * 128] __attribute__((aligned(8)));
	struct iopgt_map m;
	struct iopgt_unmap u;
	size_t es = sizeof(struct iopgt_map_entry), us = sizeof(struct iopgt_unmap_entry);
	__u64 gran;
	int fd = dev_open();
	int id = as_create_v(fd, variant, 0, &c);

	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.as_id = id;
	m.n_entries = 1;
	m.entries_uptr = (uintptr_t)buf;

#define ME(i, stride) ((struct iopgt_map_entry *)(buf + (i) * (stride)))
	memset(buf, 0, sizeof(buf));
	*ME(0, es) = (struct iopgt_map_entry){ .length = gran, .prot = RW };
	m.entry_size = es - 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EINVAL);
	m.entry_size = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EINVAL);
	m.entry_size = 8;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EINVAL);
	/* longer, non-zero tail */
	m.entry_size = es + 8;
	buf[es + 7] = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), E2BIG);
	EXPECT_EQ(xlate_or_none(fd, id, 0), ~0ULL);
	/* longer, zero tail, two entries at that stride */
	memset(buf, 0, sizeof(buf));
	*ME(0, es + 8) = (struct iopgt_map_entry){ .iova = 0, .paddr = 0x100 * gran,
						    .length = gran, .prot = RW };
	*ME(1, es + 8) = (struct iopgt_map_entry){ .iova = 4 * gran, .paddr = 0x200 * gran,
						    .length = gran, .prot = RW };
	m.n_entries = 2;
	ASSERT_OK(ioctl(fd, IOPGT_MAP, &m));
	EXPECT_EQ(m.n_done, 2);
	EXPECT_EQ(ME(0, es + 8)->mapped, gran);
	EXPECT_EQ(ME(1, es + 8)->mapped, gran);
	EXPECT_EQ(ME(0, es + 8)->error, 0);
	for (size_t b = es; b < es + 8; b++)
		EXPECT_EQ(buf[b], 0);
	EXPECT_EQ(xlate_or_none(fd, id, 42), 0x100 * gran + 42);
	EXPECT_EQ(xlate_or_none(fd, id, 4 * gran + 42), 0x200 * gran + 42);

	/* bad entries pointer */
	m.n_entries = 1;
	m.entry_size = es;
	m.entries_uptr = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EFAULT);
	m.entries_uptr = (uintptr_t)none_page();
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EFAULT);
	m.n_entries = 2;
	m.entries_uptr = (uintptr_t)guard_buf(es);
	*(struct iopgt_map_entry *)(uintptr_t)m.entries_uptr =
		(struct iopgt_map_entry){ .iova = 8 * gran, .length = gran, .prot = RW };
	/* the second entry is unreadable: EFAULT (the first may or may not be mapped) */
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EFAULT);
	/* n_entries 0 */
	m.n_entries = 0;
	m.entries_uptr = (uintptr_t)buf;
	EXPECT_ERRNO(ioctl(fd, IOPGT_MAP, &m), EINVAL);

	/* unmap element size rules */
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.as_id = id;
	u.n_entries = 1;
	u.entries_uptr = (uintptr_t)buf;
	memset(buf, 0, sizeof(buf));
	*(struct iopgt_unmap_entry *)buf = (struct iopgt_unmap_entry){ .length = gran };
	u.entry_size = us - 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EINVAL);
	u.entry_size = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EINVAL);
	u.entry_size = us + 8;
	buf[us + 3] = 1;
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), E2BIG);
	EXPECT_EQ(xlate_or_none(fd, id, 42), 0x100 * gran + 42);
	buf[us + 3] = 0;
	*(struct iopgt_unmap_entry *)(buf + us + 8) =
		(struct iopgt_unmap_entry){ .iova = 4 * gran, .length = gran };
	u.n_entries = 2;
	ASSERT_OK(ioctl(fd, IOPGT_UNMAP, &u));
	EXPECT_EQ(u.n_done, 2);
	EXPECT_EQ(((struct iopgt_unmap_entry *)buf)->unmapped, gran);
	EXPECT_EQ(((struct iopgt_unmap_entry *)(buf + us + 8))->unmapped, gran);
	EXPECT_EQ(xlate_or_none(fd, id, 42), ~0ULL);
	EXPECT_EQ(xlate_or_none(fd, id, 4 * gran), ~0ULL);
	u.n_entries = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EINVAL);
	u.n_entries = 1;
	u.entry_size = us;
	u.entries_uptr = 0;
	EXPECT_ERRNO(ioctl(fd, IOPGT_UNMAP, &u), EFAULT);
	close(fd);
}

TEST_FMT(output_struct_pointers)
{
	/* outputs written back to a read-only mapping: EFAULT, no state change */
	struct iopgt_as_create c;
	struct iopgt_get_info gi;
	int fd = dev_open();
	char *ro = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(ro != MAP_FAILED);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.format = variant->format;
	memcpy(ro, &c, sizeof(c));
	ASSERT_OK(mprotect(ro, PGSZ, PROT_READ));
	ASSERT_OK(get_info(fd, &gi, NULL));
	EXPECT_ERRNO(ioctl(fd, IOPGT_AS_CREATE, ro), EFAULT);
	{
		struct iopgt_get_info g2;

		ASSERT_OK(get_info(fd, &g2, NULL));
		/* a create whose id could not be returned must not stay */
		EXPECT_EQ(g2.nr_as, gi.nr_as);
	}
	close(fd);
}
