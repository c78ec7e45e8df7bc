// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests for the argument parsers, the script tokenizer, the ranges
 * coalescer and the tree "empty run" finder (fed synthetic entry streams).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libiopgt.h"
#include "../cli/parse.h"
#include "../cli/tree.h"
#include "tap.h"

static void num(const char *s, int want_ret, uint64_t want)
{
	uint64_t v = 0xdeadbeef;
	int ret = parse_u64(s, &v);
	char d[128];

	snprintf(d, sizeof(d), "parse_u64('%s') -> %s", s,
		 want_ret ? iopgt_errno_name(want_ret) : "ok");
	if (!tap_ok(ret == want_ret && (want_ret || v == want), d))
		printf("#   ret %d value 0x%llx\n", ret, (unsigned long long)v);
}

static void test_numbers(void)
{
	uint32_t u;

	num("0", 0, 0);
	num("4096", 0, 4096);
	num("0x1000", 0, 0x1000);
	num("0X1f", 0, 0x1f);
	num("4K", 0, 4096);
	num("4k", 0, 4096);
	num("2M", 0, 2 << 20);
	num("1G", 0, 1ULL << 30);
	num("3T", 0, 3ULL << 40);
	num("4KiB", 0, 4096);
	num("4KB", 0, 4096);
	num("0x10K", 0, 0x4000);
	num("0b101", 0, 5);
	num("0o17", 0, 15);
	num("010", 0, 10);
	num("1_000_000", 0, 1000000);
	num("0xffffffffffffffff", 0, ~0ULL);
	num("18446744073709551615", 0, ~0ULL);
	num("15E", 0, 15ULL << 60);
	num("", -EINVAL, 0);
	num("0x", -EINVAL, 0);
	num("0xzz", -EINVAL, 0);
	num("12Q", -EINVAL, 0);
	num("4K4", -EINVAL, 0);
	num("-1", -EINVAL, 0);
	num("0b102", -EINVAL, 0);
	num("18446744073709551616", -ERANGE, 0);
	num("0x10000000000000000", -ERANGE, 0);
	num("16E", -ERANGE, 0);
	num("16777216T", -ERANGE, 0);
	tap_ok(parse_u32("4G", &u) == -ERANGE, "parse_u32('4G') -> ERANGE");
	tap_ok(!parse_u32("0xffffffff", &u) && u == 0xffffffffU,
	       "parse_u32('0xffffffff')");
}

static void prot(const char *s, int want_ret, uint32_t want, const char *bad)
{
	uint32_t p = 0;
	char b[64] = "";
	int ret = parse_prot(s, &p, b, sizeof(b));
	char d[128];

	snprintf(d, sizeof(d), "parse_prot('%s')", s);
	if (!tap_ok(ret == want_ret && (ret || p == want) &&
		    (!bad || !strcmp(b, bad)), d))
		printf("#   ret %d prot 0x%x bad '%s'\n", ret, p, b);
}

static void test_prot(void)
{
	const uint32_t R = IOPGT_PROT_READ, W = IOPGT_PROT_WRITE;

	prot("rw", 0, R | W, NULL);
	prot("r", 0, R, NULL);
	prot("w", 0, W, NULL);
	prot("rwx", 0, R | W, NULL);
	prot("RW", 0, R | W, NULL);
	prot("rw,nx", 0, R | W | IOPGT_PROT_NOEXEC, NULL);
	prot("r,w,nx,cache", 0, R | W | IOPGT_PROT_NOEXEC | IOPGT_PROT_CACHE, NULL);
	prot("rw+mmio+priv", 0, R | W | IOPGT_PROT_MMIO | IOPGT_PROT_PRIV, NULL);
	prot("read,write,noexec", 0, R | W | IOPGT_PROT_NOEXEC, NULL);
	prot("nx", 0, IOPGT_PROT_NOEXEC, NULL);
	prot("0x3", 0, 3, NULL);
	prot("63", 0, 63, NULL);
	prot("rq", -EINVAL, 0, "rq");
	prot("rw,bogus", -EINVAL, 0, "bogus");
	prot("x,nx", -EINVAL, 0, "x and nx together");
	prot("", -EINVAL, 0, "empty");
}

static void test_range(void)
{
	uint64_t a = 0, b = 0;

	tap_ok(!parse_range("0x1000-0x1fff", &a, &b) && a == 0x1000 && b == 0x1fff,
	       "range A-B");
	tap_ok(!parse_range("4K+4K", &a, &b) && a == 0x1000 && b == 0x1fff,
	       "range A+LEN");
	tap_ok(!parse_range("2M", &a, &b) && a == 0x200000 && b == 0x200000,
	       "range single address");
	tap_ok(!parse_range("0-0xffffffffffffffff", &a, &b) && a == 0 && b == ~0ULL,
	       "range whole 64-bit space");
	tap_ok(parse_range("0x2000-0x1000", &a, &b) == -ERANGE, "range end < start");
	tap_ok(parse_range("1+0", &a, &b) == -ERANGE, "range zero length");
	tap_ok(parse_range("0xffffffffffffffff+2", &a, &b) == -ERANGE,
	       "range A+LEN overflow");
	tap_ok(parse_range("a-b", &a, &b) == -EINVAL, "range not numbers");
}

static void test_lists(void)
{
	uint64_t bm = 0, q = 0;
	char bad[32] = "";
	char buf[128];

	tap_ok(!parse_pgsizes("4K,2M,1G", &bm) && bm == 0x40201000,
	       "pgsizes 4K,2M,1G");
	tap_ok(parse_pgsizes("3K", &bm) == -EINVAL, "pgsizes not a power of two");
	tap_ok(parse_pgsizes("", &bm) == -EINVAL, "pgsizes empty");
	tap_ok(!parse_quirks("ttbr1,ns", &q, bad, sizeof(bad)) &&
	       q == (IOPGT_QUIRK_ARM_TTBR1 | IOPGT_QUIRK_ARM_NS), "quirks ttbr1,ns");
	tap_ok(!parse_quirks("S2FWB", &q, bad, sizeof(bad)) &&
	       q == IOPGT_QUIRK_ARM_S2FWB, "quirks case-insensitive");
	tap_ok(parse_quirks("ttbr1,bogus", &q, bad, sizeof(bad)) == -EINVAL &&
	       !strcmp(bad, "bogus"), "quirks unknown name");
	tap_str(iopgt_size_str(4096, buf, sizeof(buf)), "4K", "size 4K");
	tap_str(iopgt_size_str(0x200000, buf, sizeof(buf)), "2M", "size 2M");
	tap_str(iopgt_size_str(1ULL << 42, buf, sizeof(buf)), "4T", "size 4T");
	tap_str(iopgt_size_str(0x3000, buf, sizeof(buf)), "12K", "size 12K");
	tap_str(iopgt_size_str(4097, buf, sizeof(buf)), "4097", "size not a multiple of 1K");
	tap_str(iopgt_size_str(0, buf, sizeof(buf)), "0", "size 0");
	tap_str(iopgt_size_str((8ULL << 40) + 4096, buf, sizeof(buf)), "8T+4K", "size 8T+4K");
	tap_str(iopgt_size_str(1536 * 1024, buf, sizeof(buf)), "1M+512K", "size 1M+512K");
	tap_str(iopgt_size_str(1023 * 1024, buf, sizeof(buf)), "1023K", "size 1023K");
	tap_str(iopgt_pgsizes_str(0x40201000, buf, sizeof(buf)), "4K,2M,1G",
		"pgsizes string");
	/* AMDv1: every power of two from 4K to 2P except 512G */
	tap_str(iopgt_pgsizes_str(((1ULL << 52) - (1ULL << 12)) & ~(1ULL << 39), buf,
				  sizeof(buf)), "4K-256G,1T-2P", "pgsizes string with runs");
	tap_str(iopgt_pgsizes_str(0x3000, buf, sizeof(buf)), "4K,8K", "pgsizes pair");
	tap_str(iopgt_pgsizes_str(0, buf, sizeof(buf)), "-", "pgsizes empty");
	tap_str(iopgt_quirks_str(IOPGT_QUIRK_ARM_TTBR1 | (1ULL << 40), buf, sizeof(buf)),
		"ttbr1,bit40", "quirks string with an unknown bit");
	tap_str(iopgt_prot_str(IOPGT_PROT_READ | IOPGT_PROT_NOEXEC | IOPGT_PROT_CACHE,
			       buf, sizeof(buf)), "r- nx cache", "prot string");
	tap_ok(iopgt_format_from_name("arm_64_lpae_s1") == IOPGT_FMT_ARM_64_LPAE_S1,
	       "format name case-insensitive");
	tap_ok(iopgt_format_from_name("amdv1") == IOPGT_FMT_PT_AMDV1,
	       "format name without PT_ prefix");
	tap_ok(iopgt_format_from_name("nope") == -1, "unknown format name");
}

static void tok(const char *line, int want, const char *const *words, const char *desc)
{
	char buf[256], *argv[8];
	int n, i, ok;

	snprintf(buf, sizeof(buf), "%s", line);
	n = tokenize(buf, argv, 8);
	ok = n == want;
	for (i = 0; ok && i < n; i++)
		ok = !strcmp(argv[i], words[i]);
	if (!tap_ok(ok, desc)) {
		printf("#   n=%d:", n);
		for (i = 0; i < n; i++)
			printf(" [%s]", argv[i]);
		printf("\n");
	}
}

static void test_tokenizer(void)
{
	static const char *const w1[] = { "map", "@", "0x0", "0x80000000", "2M", "rw" };
	static const char *const w2[] = { "echo", "a b", "c d", "e f", "g#h" };
	static const char *const w3[] = { "x", "say \"hi\"", "" };

	tok("map @ 0x0 0x80000000 2M rw   # first block", 6, w1, "words and a comment");
	tok("  \tmap @ 0x0 0x80000000 2M rw", 6, w1, "leading blanks");
	tok("echo \"a b\" 'c d' e\\ f g#h", 5, w2, "quotes, escapes, # inside a word");
	tok("x \"say \\\"hi\\\"\" ''", 3, w3, "escaped quotes and an empty word");
	tok("# only a comment", 0, NULL, "comment line");
	tok("", 0, NULL, "empty line");
	tok("echo \"unterminated", -EINVAL, NULL, "unterminated quote");
	tok("1 2 3 4 5 6 7 8 9", -E2BIG, NULL, "too many words");
}

/* ------------------------------------------------------------------ coalescer */

static char ranges[1024];

static void emit(const struct range_run *r, void *arg)
{
	size_t l = strlen(ranges);

	(void)arg;
	snprintf(ranges + l, sizeof(ranges) - l, "[%llx-%llx>%llx s%u n%llu %s]",
		 (unsigned long long)r->iova, (unsigned long long)r->end,
		 (unsigned long long)r->oa, r->span_log2,
		 (unsigned long long)r->count, r->key);
}

static void test_coalescer(void)
{
	struct coalescer c;
	uint64_t i;

	ranges[0] = 0;
	coalescer_init(&c, emit, NULL);
	for (i = 0; i < 512; i++)	/* 2M of 4K pages, contiguous */
		coalescer_feed(&c, i << 12, 12, 3, 0x80000000 + (i << 12), "rw");
	/* next page: contiguous IOVA and OA but other attributes */
	coalescer_feed(&c, 0x200000, 12, 3, 0x80200000, "r-");
	/* contiguous IOVA, discontiguous OA */
	coalescer_feed(&c, 0x201000, 12, 3, 0x90000000, "r-");
	/* a hole, then two 2M blocks */
	coalescer_feed(&c, 0x400000, 21, 2, 0xa0000000, "rw");
	coalescer_feed(&c, 0x600000, 21, 2, 0xa0200000, "rw");
	/* 4K page right after, same attributes, different size: new run */
	coalescer_feed(&c, 0x800000, 12, 3, 0xa0400000, "rw");
	coalescer_flush(&c);
	tap_str(ranges,
		"[0-200000>80000000 s12 n512 rw]"
		"[200000-201000>80200000 s12 n1 r-]"
		"[201000-202000>90000000 s12 n1 r-]"
		"[400000-800000>a0000000 s21 n2 rw]"
		"[800000-801000>a0400000 s12 n1 rw]",
		"coalescer runs");
	tap_u64(c.runs, 5, "coalescer run count");
	ranges[0] = 0;
	coalescer_flush(&c);
	tap_str(ranges, "", "flush of an empty coalescer emits nothing");
}

/* ------------------------------------------------------------------ tree gaps */

static char gaps[1024];

static void gap(int depth, uint64_t first, uint64_t count, void *arg)
{
	size_t l = strlen(gaps);

	(void)arg;
	snprintf(gaps + l, sizeof(gaps) - l, "(%d:%llu+%llu)", depth,
		 (unsigned long long)first, (unsigned long long)count);
}

static void test_treegap(void)
{
	struct treegap t;
	const int slot[TREE_MAX_DEPTH] = { 39, 30, 21, 12, -1, -1, -1, -1 };
	const uint64_t ents[TREE_MAX_DEPTH] = { 512, 512, 512, 512 };
	uint64_t i;

	/* 4-level LPAE-like tree: 3 pages, a hole, 1 page, a 2M block */
	gaps[0] = 0;
	treegap_init(&t, slot, ents, 1, gap, NULL);
	treegap_feed(&t, 0, 0, 39, 1);
	treegap_feed(&t, 1, 0, 30, 1);
	treegap_feed(&t, 2, 0, 21, 1);
	for (i = 0; i < 3; i++)
		treegap_feed(&t, 3, i, 12, 0);
	treegap_feed(&t, 3, 10, 12, 0);
	treegap_feed(&t, 2, 5, 21, 0);
	treegap_finish(&t);
	tap_str(gaps, "(3:3+7)(3:11+501)(2:1+4)(2:6+506)(1:1+511)(0:1+511)",
		"gaps of a sparse 4-level tree");

	/* learnt geometry (no slot spans given): top table size unknown */
	gaps[0] = 0;
	treegap_init(&t, NULL, NULL, 1, gap, NULL);
	treegap_feed(&t, 0, 2, 30, 1);
	treegap_feed(&t, 1, 0, 21, 0);
	treegap_feed(&t, 1, 511, 21, 0);
	treegap_feed(&t, 0, 3, 30, 0);
	treegap_finish(&t);
	tap_str(gaps, "(0:0+2)(1:1+510)", "gaps with learnt slot spans");

	/* contiguous entries (v7s large pages: 64K = 16 slots of 4K) */
	gaps[0] = 0;
	{
		const int s2[TREE_MAX_DEPTH] = { 20, 12, -1, -1, -1, -1, -1, -1 };
		const uint64_t e2[TREE_MAX_DEPTH] = { 4096, 256 };

		treegap_init(&t, s2, e2, 1, gap, NULL);
		treegap_feed(&t, 0, 0, 20, 1);
		treegap_feed(&t, 1, 0, 16, 0);	/* slots 0-15 */
		treegap_feed(&t, 1, 16, 16, 0);	/* slots 16-31 */
		treegap_feed(&t, 1, 48, 12, 0);
		treegap_feed(&t, 0, 1, 24, 0);	/* supersection: 16 slots */
		treegap_finish(&t);
	}
	tap_str(gaps, "(1:32+16)(1:49+207)(0:17+4079)",
		"contiguous entries consume several slots");

	/* filtered stream: no edge gaps, only holes between entries */
	gaps[0] = 0;
	treegap_init(&t, slot, ents, 0, gap, NULL);
	treegap_feed(&t, 2, 7, 21, 1);
	treegap_feed(&t, 3, 100, 12, 0);
	treegap_feed(&t, 3, 103, 12, 0);
	treegap_feed(&t, 2, 9, 21, 0);
	treegap_finish(&t);
	tap_str(gaps, "(3:101+2)(2:8+1)", "filtered stream reports inner holes only");

	/* an empty child table (kept after unmap) is one whole run */
	gaps[0] = 0;
	treegap_init(&t, slot, ents, 1, gap, NULL);
	treegap_feed(&t, 0, 0, 39, 1);
	treegap_feed(&t, 1, 0, 30, 1);
	treegap_feed(&t, 1, 1, 30, 0);
	treegap_finish(&t);
	tap_str(gaps, "(2:0+512)(1:2+510)(0:1+511)", "empty child table");
}

static void test_geometry(void)
{
	struct iopgt_hw_cfg hw;
	int slot[TREE_MAX_DEPTH];
	uint64_t ents[TREE_MAX_DEPTH];
	unsigned int n;

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_ARM_64_LPAE_S1;
	hw.levels = 4;
	hw.ias = 48;
	hw.pgsize_bitmap = 0x40201000;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 4 && slot[0] == 39 && slot[3] == 12 && ents[0] == 512 &&
	       ents[3] == 512 && slot[4] == -1, "geometry LPAE 4K ias 48");
	hw.levels = 3;
	hw.ias = 36;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 3 && slot[0] == 30 && ents[0] == 64, "geometry LPAE 4K ias 36: 64-entry top");
	hw.format = IOPGT_FMT_ARM_64_LPAE_S2;
	hw.levels = 3;
	hw.ias = 40;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 3 && slot[0] == 30 && ents[0] == 1024,
	       "geometry S2 concatenated top table (1024 entries)");
	hw.format = IOPGT_FMT_ARM_64_LPAE_S1;
	hw.levels = 3;
	hw.ias = 47;
	hw.pgsize_bitmap = 0x20010000;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 3 && slot[0] == 42 && slot[2] == 16 && ents[2] == 8192 && ents[0] == 32,
	       "geometry LPAE 64K granule");
	hw.format = IOPGT_FMT_ARM_V7S;
	hw.levels = 2;
	hw.ias = 32;
	hw.pgsize_bitmap = 0x1111000;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 2 && slot[0] == 20 && slot[1] == 12 && ents[0] == 4096 && ents[1] == 256,
	       "geometry v7s");
	hw.format = IOPGT_FMT_PT_AMDV1;
	hw.levels = 3;
	hw.ias = 39;
	n = tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH);
	tap_ok(n == 3 && slot[0] == 30 && ents[0] == 512, "geometry AMDv1 3 levels");
	hw.levels = 0;
	tap_ok(!tree_geometry(&hw, slot, ents, TREE_MAX_DEPTH),
	       "geometry unknown without levels");
}

int main(void)
{
	test_numbers();
	test_prot();
	test_range();
	test_lists();
	test_tokenizer();
	test_coalescer();
	test_treegap();
	test_geometry();
	return tap_done();
}
