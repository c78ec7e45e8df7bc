// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writes a dump recording (the CLI's IOPGT_DUMP_REPLAY input: context
 * header + the netlink TREE_GET messages as the module sends them, see
 * module/iopgt_netlink.c nl_put_entry) of a synthetic tree, for the host tests
 * and benchmarks of `iopgt dump` without a kernel.
 *
 *   gen_dump FORMAT LEAVES SEED [hidden] [intr] > file
 *
 * FORMAT: lpae-s1, lpae-s2, v7s, x86-64, vtdss, amdv1. The tree is filled
 * depth first in IOVA order, mostly full last-level tables with some empty
 * slots, blocks and larger gaps; the attribute bits of the leaves change in
 * runs (so `ranges` coalesces) and output addresses jump now and then.
 * "hidden": table addresses zeroed as for a caller without CAP_SYS_ADMIN;
 * "intr": a first attempt torn by NLM_F_DUMP_INTR precedes the full dump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "../cli/cli.h"

static uint64_t rs;

static uint64_t rnd(void)
{
	uint64_t x = rs;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rs = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static int chance(unsigned int n)	/* 1 in n */
{
	return rnd() % n == 0;
}

enum fmt { LPAE_S1, LPAE_S2, V7S, X86_64, VTDSS, AMDV1 };

static enum fmt f;
static int hidden;
static unsigned int levels, last_depth;
static uint64_t left, oa_next, attr, tbl_pa = 0x80000000ULL;
static char *out;
static size_t out_len, out_cap;
static uint32_t seq = 7;

static void *put(const void *p, size_t n)
{
	void *d;

	if (out_len + n > out_cap) {
		out_cap = (out_len + n) * 2;
		out = realloc(out, out_cap);
		if (!out)
			exit(1);
	}
	d = out + out_len;
	if (p)
		memcpy(d, p, n);
	else
		memset(d, 0, n);
	out_len += n;
	return d;
}

static void attr_u32(uint16_t t, uint32_t v)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + 4, .nla_type = t };

	put(&a, sizeof(a));
	put(&v, 4);
}

static void attr_u64(uint16_t t, uint64_t v)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN + 8, .nla_type = t };

	put(&a, sizeof(a));
	put(&v, 8);
}

static uint16_t msg_flags = NLM_F_MULTI;

static void entry(uint32_t level, uint32_t depth, uint32_t index, uint64_t iova,
		  uint32_t span, uint64_t pte, uint32_t kind, uint64_t oa,
		  uint64_t table_pa)
{
	size_t start = out_len;
	struct nlmsghdr h = { .nlmsg_type = 0x1c, .nlmsg_flags = msg_flags,
			      .nlmsg_seq = seq, .nlmsg_pid = 4242 };
	struct genlmsghdr g = { .cmd = IOPGT_NL_CMD_TREE_GET, .version = IOPGT_GENL_VERSION };

	put(&h, sizeof(h));
	put(&g, sizeof(g));
	attr_u32(IOPGT_A_DEV_ID, 0);
	attr_u32(IOPGT_A_AS_ID, 3);
	attr_u32(IOPGT_A_ENTRY_LEVEL, level);
	attr_u32(IOPGT_A_ENTRY_DEPTH, depth);
	attr_u32(IOPGT_A_ENTRY_INDEX, index);
	attr_u64(IOPGT_A_ENTRY_IOVA, iova);
	attr_u32(IOPGT_A_ENTRY_SPAN_LOG2, span);
	attr_u64(IOPGT_A_ENTRY_PTE, pte);
	attr_u32(IOPGT_A_ENTRY_KIND, kind);
	attr_u64(IOPGT_A_ENTRY_OA, oa);
	attr_u64(IOPGT_A_ENTRY_TABLE_PA, table_pa);
	((struct nlmsghdr *)(out + start))->nlmsg_len = (uint32_t)(out_len - start);
}

static void done(void)
{
	struct nlmsghdr h = { .nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE,
			      .nlmsg_flags = NLM_F_MULTI, .nlmsg_seq = seq, .nlmsg_pid = 4242 };
	int32_t z = 0;

	put(&h, sizeof(h));
	put(&z, 4);
}

/* the format's level number of a depth */
static uint32_t level_of(unsigned int depth)
{
	switch (f) {
	case LPAE_S1:
	case LPAE_S2:
		return 4 - levels + depth;
	case V7S:
		return depth + 1;
	default:
		return levels - 1 - depth;
	}
}

static unsigned int slot_log2(unsigned int depth)
{
	if (f == V7S)
		return depth ? 12 : 20;
	return 12 + 9 * (levels - 1 - depth);
}

static unsigned int entries(unsigned int depth)
{
	if (f == V7S)
		return depth ? 256 : 4096;
	return depth ? 512 : 4;
}

static uint64_t attr_bits(void)
{
	switch (f) {
	case LPAE_S1:
		return (rnd() & 0x8dcULL) | 0x400 | ((rnd() & 0x3) << 53);
	case LPAE_S2:
		return (rnd() & 0xffcULL) | 0x400 | ((rnd() & 0x3) << 53) |
		       (chance(8) ? (rnd() & 0xfULL) << 55 : 0);
	case V7S:
		return rnd() & 0xffdULL;
	case X86_64:
		return (rnd() & 0x17eULL) | ((rnd() & 1) << 63);
	case VTDSS:
		return (rnd() & 0xb7eULL) | 1;
	case AMDV1:
		return (rnd() & (0x60ULL | 0xfULL << 59));
	}
	return 0;
}

static uint64_t table_pte(uint64_t pa, unsigned int depth)
{
	switch (f) {
	case LPAE_S1:
		return pa | 3 | (chance(4) ? (rnd() & 0x1fULL) << 59 : 0);
	case LPAE_S2:
		return pa | 3;
	case V7S:
		return (pa & 0xfffffc00ULL) | 1 | (chance(4) ? 8 : 0);
	case X86_64:
		return pa | 0x27;
	case VTDSS:
		return pa | 0x103;
	case AMDV1:
		return pa | 1 | ((uint64_t)level_of(depth + 1) << 9) | 3ULL << 61 |
		       (chance(3) ? 0x20 : 0);
	}
	return 0;
}

static uint64_t leaf_pte(uint64_t oa, unsigned int depth, int block)
{
	uint64_t a = attr;

	switch (f) {
	case LPAE_S1:
	case LPAE_S2:
		return oa | (block ? 1 : 3) | a;
	case V7S:
		if (block)
			return (oa & 0xfff00000ULL) | 2 | ((a & 0x3c) << 8) | (a & 0xc) |
			       (chance(16) ? 1ULL << 19 : 0);
		return (oa & 0xfffff000ULL) | 2 | (a & 0xffd);
	case X86_64:
		return oa | 1 | a | (block ? 0x80 : 0);
	case VTDSS:
		return oa | 1 | (a & ~0x80ULL) | (block ? 0x80 : 0);
	case AMDV1:
		(void)depth;
		return oa | 1 | a;
	}
	return 0;
}

static void gen(unsigned int depth, uint64_t base, uint64_t table_pa)
{
	unsigned int n = entries(depth), sl = slot_log2(depth), i;
	uint32_t level = level_of(depth);

	for (i = 0; i < n && left; i++) {
		uint64_t iova = base + ((uint64_t)i << sl);

		if (depth < last_depth) {
			/* mostly tables; sometimes a block or a hole */
			if (depth && chance(40))
				continue;
			if ((depth || f == V7S) && depth + 1 >= last_depth && chance(25)) {
				uint64_t oa = (oa_next + (1ULL << sl) - 1) & ~((1ULL << sl) - 1);

				if (f == V7S)
					oa &= 0xffffffffULL;
				oa_next = oa + (1ULL << sl);
				entry(level, depth, i, iova, sl, leaf_pte(oa, depth, 1),
				      IOPGT_PTE_BLOCK, oa, hidden ? 0 : table_pa);
				left--;
				continue;
			}
			tbl_pa += f == V7S ? 0x400 : 0x1000;
			{
				uint64_t pa = tbl_pa;

				entry(level, depth, i, iova, sl, table_pte(hidden ? 0 : pa, depth),
				      IOPGT_PTE_TABLE, hidden ? 0 : pa, hidden ? 0 : table_pa);
				gen(depth + 1, iova, pa);
			}
			continue;
		}
		if (chance(100))	/* a hole */
			continue;
		if (chance(64))
			attr = attr_bits();
		if (chance(128))
			oa_next += 0x100000;
		if (f == V7S)
			oa_next &= 0xffffffffULL;
		entry(level, depth, i, iova, sl, leaf_pte(oa_next, depth, 0), IOPGT_PTE_PAGE,
		      oa_next, hidden ? 0 : table_pa);
		oa_next += 1ULL << sl;
		left--;
	}
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "lpae-s1", "lpae-s2", "v7s", "x86-64",
					     "vtdss", "amdv1" };
	static const uint32_t ids[] = { IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_ARM_64_LPAE_S2,
					IOPGT_FMT_ARM_V7S, IOPGT_FMT_PT_X86_64,
					IOPGT_FMT_PT_VTDSS, IOPGT_FMT_PT_AMDV1 };
	struct iopgt_capture_hdr h;
	unsigned long long n;
	int intr = 0, i, k;

	if (argc < 4) {
		fprintf(stderr, "usage: gen_dump FORMAT LEAVES SEED [hidden] [intr]\n");
		return 2;
	}
	for (k = 0; k < 6 && strcmp(argv[1], names[k]); k++)
		;
	if (k == 6) {
		fprintf(stderr, "gen_dump: unknown format '%s'\n", argv[1]);
		return 2;
	}
	f = (enum fmt)k;
	n = strtoull(argv[2], NULL, 0);
	rs = strtoull(argv[3], NULL, 0) | 1;
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "hidden"))
			hidden = 1;
		else if (!strcmp(argv[i], "intr"))
			intr = 1;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, IOPGT_CAPTURE_MAGIC, sizeof(h.magic));
	h.hdr_size = sizeof(h);
	h.id = 3;
	h.hw.size = sizeof(h.hw);
	h.hw.as_id = 3;
	h.hw.format = ids[k];
	h.hw.pgsize_bitmap = f == V7S ? 0x1000 | 0x10000 | 0x100000 | 0x1000000 :
			     0x1000 | 0x200000 | 0x40000000;
	levels = f == V7S ? 2 : 4;
	h.hw.levels = levels;
	h.hw.start_level = f == LPAE_S1 || f == LPAE_S2 ? 0 : f == V7S ? 1 : 3;
	h.hw.ias = f == V7S ? 32 : 48;
	h.hw.oas = f == V7S ? 32 : 48;
	h.hw.out_flags = hidden ? IOPGT_HWCFG_ADDR_HIDDEN : 0;
	for (i = 0; i < IOPGT_HW_NREGS; i++)
		h.hw.regs[i] = 0x1111111111111111ULL * (uint64_t)(i + 1);
	if (f == LPAE_S1)
		h.hw.regs[2] = 0x0000000000f404ffULL;	/* MAIR: WB, nGnRE, NC, ... */
	if (f == V7S) {
		h.hw.regs[2] = 0x40e040e0;	/* NMRR */
		h.hw.regs[3] = 0xff0a81a8;	/* PRRR */
	}
	h.hw.regs[7] = hidden ? 0 : tbl_pa;
	h.have_hw = 1;
	h.have_ai = 1;
	h.ai.size = sizeof(h.ai);
	h.ai.as_id = 3;
	h.ai.format = ids[k];
	h.ai.generation = 12345;
	h.ai.mapped_bytes = n << 12;
	iopgt_fmt_ctx_from_hw(&h.ctx, &h.hw);
	tree_geometry(&h.hw, h.slot, h.ents, TREE_MAX_DEPTH);
	last_depth = levels - 1;
	put(&h, sizeof(h));
	oa_next = 0x40000000ULL;
	attr = attr_bits();
	if (intr) {
		uint64_t save_rs = rs, save_oa = oa_next, save_attr = attr, save_tbl = tbl_pa;

		left = n / 3 + 1;
		gen(0, 0, tbl_pa);
		/* the kernel flags the messages after the change; drop the tail */
		msg_flags = NLM_F_MULTI | NLM_F_DUMP_INTR;
		entry(0, 0, 0, 0, 12, 0, IOPGT_PTE_PAGE, 0, 0);
		msg_flags = NLM_F_MULTI;
		done();
		seq++;
		rs = save_rs;
		oa_next = save_oa;
		attr = save_attr;
		tbl_pa = save_tbl;
	}
	left = n;
	gen(0, 0, tbl_pa);
	done();
	if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout))
		return 1;
	return 0;
}
