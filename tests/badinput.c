// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input sweep: every numeric field of AS_CREATE, MAP, UNMAP,
 * IOVA_TO_PHYS and WALK at 0, 1, boundaries, max, unaligned, overflowing and
 * wrapping values, alone and combined, each with the errno the header
 * documents. A rejected request must leave the address space unchanged. The
 * VM run fails on any WARNING in the console, so this is also the "no
 * userspace input reaches a WARN" test.
 *
 * Where the header documents no order between two errors of a combined
 * input, either documented errno is accepted (never success, never another).
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

#define MAXE 4
struct eset {
	int e[MAXE];	/* 0-terminated; {0} = success */
};

static bool in_set(const struct eset *s, int e)
{
	for (int i = 0; i < MAXE && s->e[i]; i++)
		if (s->e[i] == e)
			return true;
	return false;
}

static const char *set_str(const struct eset *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	if (!s->e[0])
		return "success";
	for (int i = 0; i < MAXE && s->e[i]; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? "|" : "", h_errname(s->e[i]));
	return buf;
}

struct as {
	int fd, id;
	struct iopgt_as_create c;
	__u64 gran, ias_top, oas_top;	/* top 0: 2^64 */
	bool ttbr1;
};

static void as_open(struct as *a, const struct h_variant *v)
{
	a->fd = dev_open();
	a->id = as_create_v(a->fd, v, 0, &a->c);
	a->gran = a->c.out_pgsize_bitmap & -a->c.out_pgsize_bitmap;
	a->ias_top = a->c.out_ias >= 64 ? 0 : 1ULL << a->c.out_ias;
	a->oas_top = a->c.out_oas >= 64 ? 0 : 1ULL << a->c.out_oas;
}

/* every test of a format: an AS of the variant's configuration */
FIXTURE(as) { struct as a; };
FIXTURE_SETUP(as) { as_open(&self->a, variant); }
FIXTURE_TEARDOWN(as) { close(self->a.fd); }

static __u64 mapped_bytes(struct as *a)
{
	struct iopgt_as_info ai;

	ASSERT_OK(as_info(a->fd, a->id, &ai));
	return ai.mapped_bytes;
}

/* end of [start, start+len) inside [0, top) (top 0 = 2^64), no wrap */
static bool fits(__u64 start, __u64 len, __u64 top)
{
	if (start + len < start && start + len != 0)
		return false;
	if (start + len == 0 && len)	/* ends exactly at 2^64 */
		return top == 0;
	if (!top)
		return true;
	return start < top && len <= top - start;
}

static void try_map(struct as *a, __u64 iova, __u64 pa, __u64 len, __u32 prot,
		    __u32 pglog2, const struct eset *want)
{
	__u64 before = mapped_bytes(a), mapped = 0, un = 0;
	char b1[64];
	int r, e;

	errno = 0;
	r = map1(a->fd, a->id, iova, pa, len, prot, pglog2, &mapped);
	e = r ? errno : 0;
	if (r && !want->e[0])
		H_FAIL("map iova 0x%llx pa 0x%llx len 0x%llx prot 0x%x pgsize_log2 %u: got %s, expected success",
		       (unsigned long long)iova, (unsigned long long)pa,
		       (unsigned long long)len, prot, pglog2, h_errname(e));
	else if (r == 0 && want->e[0])
		H_FAIL("map iova 0x%llx pa 0x%llx len 0x%llx prot 0x%x pgsize_log2 %u: succeeded, expected %s",
		       (unsigned long long)iova, (unsigned long long)pa,
		       (unsigned long long)len, prot, pglog2, set_str(want, b1, sizeof(b1)));
	else if (r && !in_set(want, e))
		H_FAIL("map iova 0x%llx pa 0x%llx len 0x%llx prot 0x%x pgsize_log2 %u: got %s, expected %s",
		       (unsigned long long)iova, (unsigned long long)pa,
		       (unsigned long long)len, prot, pglog2, h_errname(e),
		       set_str(want, b1, sizeof(b1)));
	if (r) {
		/* rejected: nothing changed */
		if (mapped_bytes(a) != before)
			H_FAIL("rejected map (iova 0x%llx len 0x%llx) changed mapped_bytes %llu -> %llu",
			       (unsigned long long)iova, (unsigned long long)len,
			       (unsigned long long)before, (unsigned long long)mapped_bytes(a));
		if (mapped)
			H_FAIL("rejected map reports mapped 0x%llx", (unsigned long long)mapped);
		return;
	}
	EXPECT_EQ(mapped, len);
	EXPECT_OK(unmap1(a->fd, a->id, iova, len, &un));
	EXPECT_EQ(un, len);
	EXPECT_EQ(mapped_bytes(a), before);
}

static const struct eset es_ok = { { 0 } };
static const struct eset es_inval = { { EINVAL } };
static const struct eset es_range = { { ERANGE } };
static const struct eset es_noent = { { ENOENT } };
static const struct eset es_inval_range = { { EINVAL, ERANGE } };
static const struct eset es_range_noent = { { ERANGE, ENOENT } };
static const struct eset es_inval_range_noent = { { EINVAL, ERANGE, ENOENT } };
#define OK_ (&es_ok)

/*
 * MAP's fields: one case (TAP line) per IOVA, each with every PA, length
 * and forced page size (none, the granule) below; g is the granule, it
 * the top of the input range (1 << ias; none when ias is 64).
 */
enum at { AT_0, AT_1, AT_G_1, AT_G, AT_G1, AT_2_63, AT_MAX, AT_NEG_G,
	  AT_IT_G, AT_IT, AT_IT_PLUS_G, AT_IT_1 };

FIXTURE(map_iova) { struct as a; };
FIXTURE_VARIANT(map_iova) { const char *name; enum at at; };
static const struct _h_fxv_map_iova map_iovas[] = {
	{ "iova_0", AT_0 }, { "iova_1", AT_1 }, { "iova_g-1", AT_G_1 }, { "iova_g", AT_G },
	{ "iova_g+1", AT_G1 }, { "iova_2^63", AT_2_63 }, { "iova_max", AT_MAX },
	{ "iova_-g", AT_NEG_G }, { "iova_top-g", AT_IT_G }, { "iova_top", AT_IT },
	{ "iova_top+g", AT_IT_PLUS_G }, { "iova_top-1", AT_IT_1 },
};
FIXTURE_VARIANT_ARRAY(map_iova, map_iovas);
FIXTURE_SETUP(map_iova) { as_open(&self->a, variant); }
FIXTURE_TEARDOWN(map_iova) { close(self->a.fd); }

TEST_F_FMT(map_iova, map_field_sweep)
{
	struct as *a = &self->a;
	__u64 g = a->gran, it = a->ias_top, ot = a->oas_top;
	__u64 pas[16], lens[16], iova = 0;
	int np = 0, nl = 0;
	unsigned long long n = 0;

	switch (fvariant->at) {
	case AT_0: iova = 0; break;
	case AT_1: iova = 1; break;
	case AT_G_1: iova = g - 1; break;
	case AT_G: iova = g; break;
	case AT_G1: iova = g + 1; break;
	case AT_2_63: iova = 1ULL << 63; break;
	case AT_MAX: iova = ~0ULL; break;
	case AT_NEG_G: iova = -g; break;
	case AT_IT_G: iova = it - g; break;
	case AT_IT: iova = it; break;
	case AT_IT_PLUS_G: iova = it + g; break;
	case AT_IT_1: iova = it - 1; break;
	}
	if (fvariant->at >= AT_IT_G && !it)
		h_skip("ias %u: the input range has no top below 2^64", a->c.out_ias);
	pas[np++] = 0; pas[np++] = 1; pas[np++] = g; pas[np++] = g + 1;
	pas[np++] = ~0ULL; pas[np++] = -g; pas[np++] = 1ULL << 63;
	if (ot) {
		pas[np++] = ot - g; pas[np++] = ot; pas[np++] = ot + g;
	}
	lens[nl++] = 0; lens[nl++] = 1; lens[nl++] = g - 1; lens[nl++] = g;
	lens[nl++] = g + 1; lens[nl++] = 2 * g; lens[nl++] = ~0ULL;
	lens[nl++] = -g; lens[nl++] = 1ULL << 63;
	if (it)
		lens[nl++] = it + g;
	for (int p = 0; p < np; p++)
		for (int l = 0; l < nl; l++)
			for (int f = 0; f < 2; f++) {
				__u64 pa = pas[p], len = lens[l];
				bool bad_align = !len || (len % g) || (iova % g) || (pa % g);
				bool bad_range = !fits(iova, len ? len : g, it) ||
						 !fits(pa, len ? len : g, ot);
				const struct eset *w;

				if (bad_align && bad_range)
					w = (&es_inval_range);
				else if (bad_align)
					w = (&es_inval);
				else if (bad_range)
					w = (&es_range);
				else
					w = OK_;
				try_map(a, iova, pa, len, RW, f ? ilog2_64(g) : 0, w);
				n++;
			}
	h_diag("%llu map requests at IOVA 0x%llx", n, (unsigned long long)iova);
}

TEST_F_FMT(as, map_alignment_and_pgsize)
{
	__u64 sizes[64];
	int n;

	n = pgsizes_list(self->a.c.out_pgsize_bitmap, sizes, 64);
	for (int i = 0; i < n; i++) {
		__u64 s = sizes[i];
		__u32 lg = ilog2_64(s);

		if (self->a.ias_top && s >= self->a.ias_top)
			continue;
		/* aligned to the granule, not to the forced page size */
		if (s > self->a.gran) {
			try_map(&self->a, s + self->a.gran, 0, s, RW, lg, (&es_inval));
			try_map(&self->a, 0, s + self->a.gran, s, RW, lg, (&es_inval));
			try_map(&self->a, s, s, s + self->a.gran, RW, lg, (&es_inval));
			try_map(&self->a, s, s, self->a.gran, RW, lg, (&es_inval));
		}
		/* unaligned to the granule */
		try_map(&self->a, s + self->a.gran / 2, s, s, RW, lg, (&es_inval));
		try_map(&self->a, s, s + 1, s, RW, lg, (&es_inval));
		try_map(&self->a, s, s, s - 1, RW, lg, (&es_inval));
		/* a forced size that works */
		try_map(&self->a, s, 2 * s, s, RW, lg, OK_);
	}
	/* page sizes the table does not have */
	for (__u32 lg = 0; lg < 64; lg++)
		if (lg && !(self->a.c.out_pgsize_bitmap & (1ULL << lg)))
			try_map(&self->a, 0, 0, self->a.gran, RW, lg, (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, RW, 64, (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, RW, 255, (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, RW, 0xffffffff, (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, RW, 0x80000000 | ilog2_64(self->a.gran), (&es_inval));
}

TEST_F_FMT(as, map_prot_values)
{

	for (__u32 p = 0; p <= IOPGT_PROT_ALL; p++)
		try_map(&self->a, self->a.gran, self->a.gran, self->a.gran, p,
			0, (p & RW) ? OK_ : (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, ~0U, 0, (&es_inval));
	try_map(&self->a, 0, 0, self->a.gran, 0x80000000U | RW, 0, (&es_inval));
}

TEST_F_FMT(as, map_batches)
{
	struct iopgt_map_entry e[3];
	struct iopgt_map m;

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.as_id = self->a.id;
	m.n_entries = 3;
	m.entries_uptr = (uintptr_t)e;
	m.entry_size = sizeof(e[0]);

	/* entry 1 overlaps entry 0: stops there, entry 0 stays, 2 untouched */
	memset(e, 0, sizeof(e));
	e[0] = (struct iopgt_map_entry){ .iova = 0, .paddr = 0, .length = 2 * self->a.gran, .prot = RW };
	e[1] = (struct iopgt_map_entry){ .iova = self->a.gran, .paddr = 0, .length = self->a.gran, .prot = RW };
	e[2] = (struct iopgt_map_entry){ .iova = 8 * self->a.gran, .paddr = 0, .length = self->a.gran, .prot = RW };
	ASSERT_ERRNO(ioctl(self->a.fd, IOPGT_MAP, &m), EEXIST);
	EXPECT_EQ(m.n_done, 1);
	EXPECT_EQ(e[0].mapped, 2 * self->a.gran);
	EXPECT_EQ(e[0].error, 0);
	EXPECT_EQ(e[1].error, -EEXIST);
	EXPECT_EQ(e[1].mapped, 0);
	EXPECT_EQ(e[2].error, 0);
	EXPECT_EQ(e[2].mapped, 0);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, self->a.gran + 3), self->a.gran + 3);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, 8 * self->a.gran), ~0ULL);
	EXPECT_EQ(mapped_bytes(&self->a), 2 * self->a.gran);
	ASSERT_OK(unmap1(self->a.fd, self->a.id, 0, 2 * self->a.gran, NULL));

	/* the same with ROLLBACK: nothing stays */
	memset(e, 0, sizeof(e));
	e[0] = (struct iopgt_map_entry){ .iova = 0, .paddr = 0, .length = 2 * self->a.gran, .prot = RW };
	e[1] = (struct iopgt_map_entry){ .iova = 16 * self->a.gran, .paddr = 0, .length = self->a.gran,
					 .prot = RW, .pgsize_log2 = 1 };
	e[2] = (struct iopgt_map_entry){ .iova = 8 * self->a.gran, .paddr = 0, .length = self->a.gran, .prot = RW };
	m.flags = IOPGT_MAP_ROLLBACK;
	ASSERT_ERRNO(ioctl(self->a.fd, IOPGT_MAP, &m), EINVAL);
	EXPECT_EQ(e[1].error, -EINVAL);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, 3), ~0ULL);
	EXPECT_EQ(mapped_bytes(&self->a), 0);

	/* a range error in the middle */
	if (self->a.ias_top) {
		memset(e, 0, sizeof(e));
		e[0] = (struct iopgt_map_entry){ .iova = 0, .length = self->a.gran, .prot = RW };
		e[1] = (struct iopgt_map_entry){ .iova = self->a.ias_top, .length = self->a.gran, .prot = RW };
		m.flags = 0;
		ASSERT_ERRNO(ioctl(self->a.fd, IOPGT_MAP, &m), ERANGE);
		EXPECT_EQ(m.n_done, 1);
		EXPECT_EQ(e[1].error, -ERANGE);
		EXPECT_EQ(mapped_bytes(&self->a), self->a.gran);
	}
}

TEST_F_FMT(as, map_entry_count_limits)
{
	struct iopgt_get_info gi;
	struct iopgt_map m;
	struct iopgt_unmap u;
	struct iopgt_map_entry *e;

	ASSERT_OK(get_info(self->a.fd, &gi, NULL));
	e = calloc(gi.max_map_entries + 1ULL, sizeof(*e));
	ASSERT_TRUE(e != NULL);
	for (__u32 i = 0; i <= gi.max_map_entries; i++)
		e[i] = (struct iopgt_map_entry){ .iova = i * self->a.gran, .length = self->a.gran, .prot = RW };
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.as_id = self->a.id;
	m.entries_uptr = (uintptr_t)e;
	m.entry_size = sizeof(*e);
	/* beyond the cap: ENOSPC, like every other cap of the module */
	m.n_entries = gi.max_map_entries + 1;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_MAP, &m), ENOSPC);
	m.n_entries = 0xffffffff;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_MAP, &m), ENOSPC);
	/* a huge element size: its unknown tail is unreadable or non-zero */
	m.n_entries = 1;
	m.entry_size = 0xffffffff;
	{
		int r = ioctl(self->a.fd, IOPGT_MAP, &m);

		EXPECT_TRUE(r == -1 && (errno == EFAULT || errno == E2BIG));
	}
	EXPECT_EQ(mapped_bytes(&self->a), 0);
	m.entry_size = sizeof(*e);
	m.n_entries = gi.max_map_entries;
	if (self->a.ias_top == 0 || gi.max_map_entries * self->a.gran < self->a.ias_top) {
		EXPECT_OK(ioctl(self->a.fd, IOPGT_MAP, &m));
		EXPECT_EQ(m.n_done, gi.max_map_entries);
	}
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.as_id = self->a.id;
	u.entries_uptr = (uintptr_t)e;
	u.entry_size = sizeof(struct iopgt_unmap_entry);
	u.n_entries = gi.max_map_entries + 1;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_UNMAP, &u), ENOSPC);
	u.n_entries = 0xffffffff;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_UNMAP, &u), ENOSPC);
	free(e);
}

static void try_unmap(struct as *a, __u64 iova, __u64 len, const struct eset *want)
{
	__u64 before = mapped_bytes(a), un = 0;
	char b1[64];
	int r, e;

	errno = 0;
	r = unmap1(a->fd, a->id, iova, len, &un);
	e = r ? errno : 0;
	if (!r && want->e[0])
		H_FAIL("unmap 0x%llx+0x%llx: succeeded (0x%llx), expected %s",
		       (unsigned long long)iova, (unsigned long long)len,
		       (unsigned long long)un, set_str(want, b1, sizeof(b1)));
	else if (r && !in_set(want, e))
		H_FAIL("unmap 0x%llx+0x%llx: got %s, expected %s",
		       (unsigned long long)iova, (unsigned long long)len, h_errname(e),
		       set_str(want, b1, sizeof(b1)));
	if (r) {
		EXPECT_EQ(un, 0);
		if (mapped_bytes(a) != before)
			H_FAIL("rejected unmap 0x%llx+0x%llx changed mapped_bytes",
			       (unsigned long long)iova, (unsigned long long)len);
	}
}

TEST_F_FMT(as, unmap_field_sweep)
{
	__u64 sizes[64], blk, X, Y, vals[12];
	int n, nv = 0;

	n = pgsizes_list(self->a.c.out_pgsize_bitmap, sizes, 64);
	blk = n > 1 ? sizes[1] : sizes[0];
	X = 4 * blk;
	Y = 8 * blk;
	if (self->a.ias_top && Y + blk > self->a.ias_top)
		SKIP("ias %u too small for the sweep", self->a.c.out_ias);
	ASSERT_OK(map1(self->a.fd, self->a.id, X, X, blk, RW, ilog2_64(blk), NULL));
	ASSERT_OK(map1(self->a.fd, self->a.id, Y, 0, self->a.gran, RW, 0, NULL));

	/* documented: hole -> ENOENT, partial block -> EINVAL */
	try_unmap(&self->a, 0, self->a.gran, (&es_noent));
	try_unmap(&self->a, Y + self->a.gran, self->a.gran, (&es_noent));
	try_unmap(&self->a, Y, 2 * self->a.gran, (&es_noent));
	try_unmap(&self->a, Y - self->a.gran, 2 * self->a.gran, (&es_noent));
	if (blk > self->a.gran) {
		try_unmap(&self->a, X, self->a.gran, (&es_inval));
		try_unmap(&self->a, X + self->a.gran, self->a.gran, (&es_inval));
		try_unmap(&self->a, X + blk - self->a.gran, self->a.gran, (&es_inval));
		try_unmap(&self->a, X, blk - self->a.gran, (&es_inval));
		/* whole block plus a hole after it */
		try_unmap(&self->a, X, blk + self->a.gran, (&es_noent));
		try_unmap(&self->a, X - self->a.gran, blk + self->a.gran, (&es_noent));
	}
	/* misaligned / zero */
	try_unmap(&self->a, Y + 1, self->a.gran, (&es_inval));
	try_unmap(&self->a, Y, self->a.gran + 1, (&es_inval));
	try_unmap(&self->a, Y, self->a.gran - 1, (&es_inval));
	try_unmap(&self->a, Y, 0, (&es_inval));
	try_unmap(&self->a, Y, 1, (&es_inval));
	/* outside the input range: nothing can be mapped there (order undocumented) */
	vals[nv++] = ~0ULL;
	vals[nv++] = -self->a.gran;
	vals[nv++] = 1ULL << 63;
	if (self->a.ias_top) {
		vals[nv++] = self->a.ias_top;
		vals[nv++] = self->a.ias_top - self->a.gran;
	}
	for (int i = 0; i < nv; i++) {
		__u64 v = vals[i];
		bool al = !(v % self->a.gran);

		try_unmap(&self->a, v, self->a.gran, al ? (&es_range_noent) : (&es_inval_range_noent));
		try_unmap(&self->a, Y, v, al ? (&es_range_noent) : (&es_inval_range_noent));
		try_unmap(&self->a, v, v, (al && v) ? (&es_range_noent) :
			  (&es_inval_range_noent));
	}
	/* wrap-around */
	try_unmap(&self->a, Y, -Y, (&es_range_noent));
	try_unmap(&self->a, -self->a.gran, 2 * self->a.gran, (&es_range_noent));
	/* intact */
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, X + 42), X + 42);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, Y + 42), 42);
	try_unmap(&self->a, X, blk, OK_);
	try_unmap(&self->a, Y, self->a.gran, OK_);
	EXPECT_EQ(mapped_bytes(&self->a), 0);
}

TEST_F_FMT(as, unmap_batches)
{
	struct iopgt_unmap_entry e[3];
	struct iopgt_unmap u;

	ASSERT_OK(map1(self->a.fd, self->a.id, 0, 0, self->a.gran, RW, 0, NULL));
	ASSERT_OK(map1(self->a.fd, self->a.id, 4 * self->a.gran, 0, self->a.gran, RW, 0, NULL));
	memset(e, 0, sizeof(e));
	e[0] = (struct iopgt_unmap_entry){ .iova = 0, .length = self->a.gran };
	e[1] = (struct iopgt_unmap_entry){ .iova = 2 * self->a.gran, .length = self->a.gran };
	e[2] = (struct iopgt_unmap_entry){ .iova = 4 * self->a.gran, .length = self->a.gran };
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.as_id = self->a.id;
	u.n_entries = 3;
	u.entries_uptr = (uintptr_t)e;
	u.entry_size = sizeof(e[0]);
	ASSERT_ERRNO(ioctl(self->a.fd, IOPGT_UNMAP, &u), ENOENT);
	EXPECT_EQ(u.n_done, 1);
	EXPECT_EQ(e[0].unmapped, self->a.gran);
	EXPECT_EQ(e[0].error, 0);
	EXPECT_EQ(e[1].error, -ENOENT);
	EXPECT_EQ(e[1].unmapped, 0);
	EXPECT_EQ(e[2].unmapped, 0);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, 0), ~0ULL);
	EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, 4 * self->a.gran), 0);
	EXPECT_EQ(mapped_bytes(&self->a), self->a.gran);
}

TEST_F_FMT(as, translate_walk_range)
{
	struct iopgt_walk w;
	__u32 fl = 0;
	__u64 ph = 1;

	EXPECT_ERRNO(xlate(self->a.fd, self->a.id, ~0ULL, NULL, NULL), ERANGE);
	EXPECT_ERRNO(walk(self->a.fd, self->a.id, ~0ULL, 0, &w), ERANGE);
	EXPECT_ERRNO(xlate(self->a.fd, self->a.id, 1ULL << 63, NULL, NULL), ERANGE);
	if (self->a.ias_top) {
		EXPECT_ERRNO(xlate(self->a.fd, self->a.id, self->a.ias_top, NULL, NULL), ERANGE);
		EXPECT_ERRNO(walk(self->a.fd, self->a.id, self->a.ias_top, 0, &w), ERANGE);
		EXPECT_OK(xlate(self->a.fd, self->a.id, self->a.ias_top - 1, &ph, &fl));
		EXPECT_EQ(fl, 0);
		EXPECT_EQ(ph, 0);
		/* the last byte of the IAS, mapped: no ULONG_MAX-style overflow */
		ASSERT_OK(map1(self->a.fd, self->a.id, self->a.ias_top - self->a.gran, self->a.gran, self->a.gran, RW, 0, NULL));
		EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, self->a.ias_top - 1), 2 * self->a.gran - 1);
	}
}

/*
 * IOVA_TO_PHYS with a vector of IOVAs: per-entry results and errors, at the
 * element's own stride and at a longer one (zero tail); the kernel writes
 * only the known fields of the n_iovas elements, not the tails nor the
 * element after the last.
 */
TEST_F_FMT(as, translate_vector)
{
	const size_t esz = sizeof(struct iopgt_xlate_entry);
	const size_t strides[] = { esz, esz + 16 };
	unsigned char buf[6 * (sizeof(struct iopgt_xlate_entry) + 16)] __attribute__((aligned(8)));
	unsigned char ref[sizeof(buf)];
	struct iopgt_xlate_entry e[5], big[2];
	struct iopgt_iova_to_phys x;
	unsigned long long maxe;
	__u64 iovas[6];
	__u64 g;

	g = self->a.gran;
	ASSERT_OK(map1(self->a.fd, self->a.id, g, 5 * g, 2 * g, RW, 0, NULL));
	iovas[0] = g + 3;		/* mapped */
	iovas[1] = 2 * g + g - 1;	/* mapped, last byte */
	iovas[2] = 8 * g;		/* not mapped */
	iovas[3] = self->a.ias_top ? self->a.ias_top : 4 * g;	/* outside, if any */
	iovas[4] = 0;			/* not mapped */
	iovas[5] = g;			/* mapped, but past n_iovas */
	for (unsigned int s = 0; s < sizeof(strides) / sizeof(strides[0]); s++) {
		size_t st = strides[s];
		int nf = h_failed();

		memset(buf, 0, sizeof(buf));
		for (int i = 0; i < 6; i++) {
			struct iopgt_xlate_entry *p = (void *)(buf + i * st);

			p->iova = iovas[i];
			p->phys = 0x1234;
			p->out_flags = 0x80;
			p->error = 77;
		}
		memcpy(ref, buf, sizeof(buf));
		memset(&x, 0, sizeof(x));
		x.size = sizeof(x);
		x.as_id = self->a.id;
		x.n_iovas = 5;
		x.entry_size = st;
		x.iovas_uptr = (uintptr_t)buf;
		ASSERT_OK(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x));
		EXPECT_EQ(x.out_flags, 0);
		for (int i = 0; i < 5; i++) {
			memcpy(&e[i], buf + i * st, esz);
			EXPECT_EQ(e[i].iova, iovas[i]);
			/* the tail of a longer element is left alone */
			EXPECT_EQ(memcmp(buf + i * st + esz, ref + i * st + esz, st - esz), 0);
		}
		/* the element after the last is not touched */
		EXPECT_EQ(memcmp(buf + 5 * st, ref + 5 * st, st), 0);
		EXPECT_EQ(e[0].error, 0);
		EXPECT_EQ(e[0].out_flags, IOPGT_XLATE_MAPPED);
		EXPECT_EQ(e[0].phys, 5 * g + 3);
		EXPECT_EQ(e[1].error, 0);
		EXPECT_EQ(e[1].out_flags, IOPGT_XLATE_MAPPED);
		EXPECT_EQ(e[1].phys, 7 * g - 1);
		EXPECT_EQ(e[2].error, 0);
		EXPECT_EQ(e[2].out_flags, 0);
		EXPECT_EQ(e[2].phys, 0);
		if (self->a.ias_top) {
			EXPECT_EQ(e[3].error, -ERANGE);
			EXPECT_EQ(e[3].out_flags, 0);
			EXPECT_EQ(e[3].phys, 0);
		} else {
			EXPECT_EQ(e[3].error, 0);
			EXPECT_EQ(e[3].out_flags, 0);
		}
		EXPECT_EQ(e[4].error, 0);
		EXPECT_EQ(e[4].out_flags, 0);
		EXPECT_EQ(e[4].phys, 0);
		/* every entry agrees with the single form */
		for (int i = 0; i < 5; i++)
			if (!e[i].error)
				EXPECT_EQ(xlate_or_none(self->a.fd, self->a.id, e[i].iova),
					  e[i].out_flags ? e[i].phys : ~0ULL);
		if (h_failed() != nf)
			h_diag("the failures above: entry_size %zu", st);
	}
	x.entry_size = esz;
	x.iovas_uptr = (uintptr_t)e;

	/* iova must be 0 with a vector; element size rules; caps; pointers */
	x.iova = g;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), EINVAL);
	x.iova = 0;
	x.entry_size = sizeof(e[0]) - 1;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), EINVAL);
	memset(big, 0, sizeof(big));
	big[0].iova = g;
	((char *)&big[1])[0] = 1;	/* non-zero byte past the known element */
	x.entry_size = sizeof(big[0]) + 1;
	x.n_iovas = 1;
	x.iovas_uptr = (uintptr_t)big;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), E2BIG);
	x.entry_size = sizeof(e[0]);
	x.iovas_uptr = 8;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), EFAULT);
	x.iovas_uptr = (uintptr_t)e;
	ASSERT_OK(param_get("max_map_entries", &maxe));
	x.n_iovas = maxe + 1;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), ENOSPC);
	x.n_iovas = 0;
	x.iovas_uptr = (uintptr_t)e;
	EXPECT_ERRNO(ioctl(self->a.fd, IOPGT_IOVA_TO_PHYS, &x), EINVAL);
}

/* AS_CREATE's fields, one case each: ias x oas, page-size sets, single bits, NONCOHERENT */
static void create_ias_oas(int fd, const struct h_variant *variant);
static void create_pgsize_sets(int fd, const struct h_variant *variant);
static void create_pgsize_bits(int fd, const struct h_variant *variant);
static void create_noncoherent(int fd, const struct h_variant *variant);

FIXTURE(create) { int fd; };
FIXTURE_VARIANT(create) {
	const char *name;
	void (*sweep)(int fd, const struct h_variant *variant);
};
FIXTURE_VARIANT_ADD(create, ias_oas) { "ias_oas", create_ias_oas };
FIXTURE_VARIANT_ADD(create, pgsize_sets) { "pgsize_sets", create_pgsize_sets };
FIXTURE_VARIANT_ADD(create, pgsize_bits) { "pgsize_bits", create_pgsize_bits };
FIXTURE_VARIANT_ADD(create, noncoherent) { "noncoherent", create_noncoherent };
FIXTURE_SETUP(create) { self->fd = dev_open(); }
FIXTURE_TEARDOWN(create) { close(self->fd); }

TEST_F_FMT(create, create_field_sweep)
{
	fvariant->sweep(self->fd, variant);
}

static void create_ias_oas(int fd, const struct h_variant *variant)
{
	const struct iopgt_format_info *fi = &variant->fi;
	__u32 iv[12], ov[12];
	int ni = 0, no = 0;
	bool s2 = fmt_is_lpae_s2(variant->format);
	bool iopt = fi->flags & IOPGT_FMT_F_IO_PGTABLE;

#define BOUNDS(arr, n, lo, hi) do {					\
	arr[n++] = 0; arr[n++] = 1; arr[n++] = lo; arr[n++] = hi;	\
	arr[n++] = (hi) + 1; arr[n++] = 65; arr[n++] = 255;		\
	arr[n++] = 0xffffffff; arr[n++] = 0x80000000U | (hi);		\
	if ((lo) > 1)							\
		arr[n++] = (lo) - 1;					\
} while (0)
	BOUNDS(iv, ni, fi->ias_min, fi->ias_max);
	BOUNDS(ov, no, fi->oas_min, fi->oas_max);
	for (int i = 0; i < ni; i++) {
		for (int o = 0; o < no; o++) {
			__u32 ias = iv[i], oas = ov[o];
			__u32 ia = ias ? ias : fi->ias_default;
			__u32 oa = oas ? oas : fi->oas_default;
			bool ias_ok = !ias || (ias >= fi->ias_min && ias <= fi->ias_max);
			bool oas_ok = !oas || (oas >= fi->oas_min && oas <= fi->oas_max);
			/* LPAE takes only the architected output sizes */
			bool oas_arch = oa == 32 || oa == 36 || oa == 40 || oa == 42 ||
					oa == 44 || oa == 48 || oa == 52;
			/* v7s: ias 33-34 / oas 33-35 exist only with the MTK_EXT quirk */
			bool v7s_ext = variant->format == IOPGT_FMT_ARM_V7S && (ia > 32 || oa > 32);
			int id;

			errno = 0;
			id = as_create(fd, variant->format, 0, 0, ias, oas, 0, NULL);
			if (ias_ok && oas_ok && !(s2 && ia > oa) && !v7s_ext && (!iopt || oas_arch ||
								     !fmt_is_lpae(variant->format) ||
								     variant->format == IOPGT_FMT_ARM_MALI_LPAE)) {
				if (id < 0)
					H_FAIL("create ias %u oas %u: %s, expected success", ias,
					       oas, h_errname(errno));
			} else if (ias_ok && oas_ok) {
				/* refused or accepted, never a WARN or another errno */
				if (id < 0 && errno != EINVAL)
					H_FAIL("create ias %u oas %u: %s", ias, oas, h_errname(errno));
			} else if (id >= 0 || errno != EINVAL) {
				H_FAIL("create ias %u oas %u (ias %u..%u oas %u..%u): %s, expected EINVAL",
				       ias, oas, fi->ias_min, fi->ias_max, fi->oas_min,
				       fi->oas_max, id >= 0 ? "success" : h_errname(errno));
			}
			if (id > 0)
				EXPECT_OK(as_destroy(fd, id));
		}
	}
}

/* each page-size set, its granule alone, the set without its granule */
static void create_pgsize_sets(int fd, const struct h_variant *variant)
{
	const struct iopgt_format_info *fi = &variant->fi;

	for (unsigned int s = 0; s < fi->n_pgsize_sets && s < IOPGT_MAX_PGSIZE_SETS; s++) {
		__u64 set = fi->pgsize_sets[s], g = set & -set;
		struct iopgt_as_create c;
		int id;

		id = as_create(fd, variant->format, 0, set, 0, 0, 0, &c);
		if (EXPECT_OK(id) > 0) {
			EXPECT_EQ(c.out_pgsize_bitmap & ~set, 0);
			as_destroy(fd, id);
		}
		id = as_create(fd, variant->format, 0, g, 0, 0, 0, &c);
		if (EXPECT_OK(id) > 0) {
			EXPECT_EQ(c.out_pgsize_bitmap, g);
			as_destroy(fd, id);
		}
		/* without the granule */
		if (set != g)
			EXPECT_ERRNO(as_create(fd, variant->format, 0, set & ~g, 0, 0, 0, NULL),
				     EINVAL);
	}
	if (fi->n_pgsize_sets > 1) {
		__u64 g0 = fi->pgsize_sets[0] & -fi->pgsize_sets[0];
		__u64 g1 = fi->pgsize_sets[1] & -fi->pgsize_sets[1];

		/* two granules together */
		EXPECT_ERRNO(as_create(fd, variant->format, 0, g0 | g1, 0, 0, 0, NULL), EINVAL);
	}
}

/* every bit in no page-size set, and all ones */
static void create_pgsize_bits(int fd, const struct h_variant *variant)
{
	const struct iopgt_format_info *fi = &variant->fi;
	__u64 all = 0;

	for (unsigned int s = 0; s < fi->n_pgsize_sets && s < IOPGT_MAX_PGSIZE_SETS; s++)
		all |= fi->pgsize_sets[s];
	for (int b = 0; b < 64; b++)
		if (!(all & (1ULL << b)))
			if (!EXPECT_ERRNO(as_create(fd, variant->format, 0,
						    (1ULL << b), 0, 0, 0, NULL), EINVAL))
				h_diag("pgsize bit %d", b);
	EXPECT_ERRNO(as_create(fd, variant->format, 0, ~0ULL, 0, 0, 0, NULL), EINVAL);
}

/* a non-coherent walk: created where the format has it, else EINVAL or EOPNOTSUPP */
static void create_noncoherent(int fd, const struct h_variant *variant)
{
	const struct iopgt_format_info *fi = &variant->fi;

	{
		int id = as_create(fd, variant->format, IOPGT_AS_NONCOHERENT, 0, 0, 0, 0, NULL);

		if (fi->flags & IOPGT_FMT_F_NONCOHERENT) {
			if (EXPECT_OK(id) > 0)
				as_destroy(fd, id);
		} else if (id >= 0 || (errno != EINVAL && errno != EOPNOTSUPP)) {
			H_FAIL("NONCOHERENT on a format without F_NONCOHERENT: %s",
			       id >= 0 ? "success" : h_errname(errno));
		}
	}
}
