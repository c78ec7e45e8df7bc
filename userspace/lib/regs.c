// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libiopgt: decoders for the hardware configuration GET_HW_CFG returns
 * (the register images a driver would program), per format.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libiopgt.h"

#define FIELD(v, h, l)	(((v) >> (l)) & ((1ULL << ((h) - (l) + 1)) - 1))

static struct iopgt_reg *reg(struct iopgt_reg *regs, unsigned int *n,
			     unsigned int max, const char *name, uint64_t value)
{
	static struct iopgt_reg sink;
	struct iopgt_reg *r;

	if (*n >= max) {
		memset(&sink, 0, sizeof(sink));
		return &sink;
	}
	r = &regs[(*n)++];
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->value = value;
	return r;
}

static void rf(struct iopgt_reg *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rf(struct iopgt_reg *r, const char *name, const char *fmt, ...)
{
	struct iopgt_field *f;
	va_list ap;

	if (r->nfields >= IOPGT_MAX_FIELDS)
		return;
	f = &r->f[r->nfields++];
	f->name = name;
	va_start(ap, fmt);
	vsnprintf(f->value, sizeof(f->value), fmt, ap);
	va_end(ap);
}

static void rflag(struct iopgt_reg *r, const char *name, int set)
{
	if (set)
		rf(r, name, "%s", "");
}

static const char *const rgn_names[4] = { "NC", "WBWA", "WT", "WB" };
static const char *const sh_names[4] = { "NS", "rsvd", "OS", "IS" };

static unsigned int ps_bits(unsigned int ps)
{
	static const unsigned int bits[8] = { 32, 36, 40, 42, 44, 48, 52, 56 };

	return bits[ps & 7];
}

static void tcr_common(struct iopgt_reg *r, uint64_t v, int tg1)
{
	static const char *const tg0[4] = { "4K", "64K", "16K", "rsvd" };
	static const char *const tg1n[4] = { "rsvd", "16K", "4K", "64K" };
	unsigned int t0sz = FIELD(v, 5, 0);

	rf(r, "T0SZ", "%u(ias=%u)", t0sz, 64 - t0sz);
	rf(r, "IRGN0", "%s", rgn_names[FIELD(v, 9, 8)]);
	rf(r, "ORGN0", "%s", rgn_names[FIELD(v, 11, 10)]);
	rf(r, "SH0", "%s", sh_names[FIELD(v, 13, 12)]);
	if (tg1)
		rf(r, "TG", "%s(TG1 encoding)", tg1n[FIELD(v, 15, 14)]);
	else
		rf(r, "TG0", "%s", tg0[FIELD(v, 15, 14)]);
}

static void addr_reg(struct iopgt_reg *r, const struct iopgt_hw_cfg *hw,
		     uint64_t addr)
{
	if (hw->out_flags & IOPGT_HWCFG_ADDR_HIDDEN)
		rf(r, "addr", "hidden");
	else
		rf(r, "addr", "0x%llx", (unsigned long long)addr);
}

unsigned int iopgt_decode_regs(const struct iopgt_hw_cfg *hw,
			       struct iopgt_reg *regs, unsigned int max)
{
	const __u64 *v = hw->regs;
	unsigned int n = 0, i;
	struct iopgt_reg *r;
	char buf[48];

	switch (hw->format) {
	case IOPGT_FMT_ARM_32_LPAE_S1:
	case IOPGT_FMT_ARM_64_LPAE_S1: {
		uint64_t mair = v[2];
		uint32_t hi = (uint32_t)(mair >> 32);
		unsigned int slots = 4;

		r = reg(regs, &n, max, "TTBR", v[0]);
		addr_reg(r, hw, v[0] & 0x0000fffffffffffeULL);
		r = reg(regs, &n, max, "TCR", v[1]);
		tcr_common(r, v[1], !!(hw->quirks & IOPGT_QUIRK_ARM_TTBR1));
		rf(r, "IPS", "%u(%u bits)", (unsigned int)FIELD(v[1], 34, 32),
		   ps_bits(FIELD(v[1], 34, 32)));
		/*
		 * Only the low 32 bits are reliable: some kernels sign-extend
		 * the 0xf4 attribute at index 3 into the high half.
		 */
		if (hi && hi != 0xffffffffU)
			slots = 8;
		else
			mair &= 0xffffffffULL;
		r = reg(regs, &n, max, "MAIR", mair);
		for (i = 0; i < slots; i++) {
			static const char *const an[8] = {
				"attr0", "attr1", "attr2", "attr3",
				"attr4", "attr5", "attr6", "attr7"
			};
			uint8_t a = (uint8_t)(mair >> (8 * i));

			rf(r, an[i], "0x%02x(%s)", a,
			   iopgt_mair_attr_str(a, buf, sizeof(buf)));
		}
		break;
	}
	case IOPGT_FMT_ARM_32_LPAE_S2:
	case IOPGT_FMT_ARM_64_LPAE_S2: {
		unsigned int tg = FIELD(v[1], 15, 14), sl0 = FIELD(v[1], 7, 6);
		int start;

		r = reg(regs, &n, max, "VTTBR", v[0]);
		addr_reg(r, hw, v[0] & 0x0000fffffffffffeULL);
		r = reg(regs, &n, max, "VTCR", v[1]);
		tcr_common(r, v[1], 0);
		/* SL0: 4K granule counts from level 2, others from level 3 */
		start = (tg == 0 ? 2 : 3) - (int)sl0;
		rf(r, "SL0", "%u(start level %d)", sl0, start);
		rf(r, "PS", "%u(%u bits)", (unsigned int)FIELD(v[1], 18, 16),
		   ps_bits(FIELD(v[1], 18, 16)));
		break;
	}
	case IOPGT_FMT_ARM_MALI_LPAE: {
		static const char *const an[8] = {
			"attr0", "attr1", "attr2", "attr3",
			"attr4", "attr5", "attr6", "attr7"
		};

		r = reg(regs, &n, max, "TRANSTAB", v[0]);
		addr_reg(r, hw, v[0] & 0x0000fffffffff000ULL);
		rf(r, "ADRMODE", "%u%s", (unsigned int)(v[0] & 3),
		   (v[0] & 3) == 3 ? "(table)" : "");
		rflag(r, "READ_INNER", !!(v[0] & 4));
		rflag(r, "SHARE_OUTER", !!(v[0] & 16));
		r = reg(regs, &n, max, "MEMATTR", v[1]);
		for (i = 0; i < 8; i++) {
			uint8_t a = (uint8_t)(v[1] >> (8 * i));
			static const char *const type[4] = { "shared", "NC", "WB", "fault" };

			if (!a)		/* unused slot */
				continue;
			static const char *const sh[4] = {
				"midgard-inner", "cpu-inner", "cpu-inner-coh", "sh3"
			};
			unsigned int mode = (a >> 2) & 3;

			if (mode == 3)
				rf(r, an[i], "0x%02x(%s alloc=%s%s sh=%s)", a,
				   type[a >> 6], a & 2 ? "R" : "",
				   a & 1 ? "W" : (a & 2 ? "" : "none"),
				   sh[(a >> 4) & 3]);
			else
				rf(r, an[i], "0x%02x(%s alloc=%s sh=%s)", a,
				   type[a >> 6], mode == 2 ? "impl" : "mode0",
				   sh[(a >> 4) & 3]);
		}
		break;
	}
	case IOPGT_FMT_ARM_V7S: {
		uint32_t ttbr = (uint32_t)v[0], nmrr = (uint32_t)v[2];
		uint32_t prrr = (uint32_t)v[3];
		unsigned int irgn = ((ttbr >> 6) & 1) | ((ttbr & 1) << 1);
		static const char *const rn[8] = {
			"region0", "region1", "region2", "region3",
			"region4", "region5", "region6", "region7"
		};

		r = reg(regs, &n, max, "TTBR", v[0]);
		addr_reg(r, hw, ttbr & 0xffffc000U);
		rf(r, "IRGN", "%s", rgn_names[irgn]);
		rf(r, "RGN", "%s", rgn_names[(ttbr >> 3) & 3]);
		rflag(r, "S", !!(ttbr & 2));
		rflag(r, "NOS", !!(ttbr & 32));
		r = reg(regs, &n, max, "TCR", v[1]);
		rf(r, "N", "%u", (unsigned int)(v[1] & 7));
		rflag(r, "PD0", !!(v[1] & 16));
		rflag(r, "PD1", !!(v[1] & 32));
		reg(regs, &n, max, "NMRR", v[2]);
		r = reg(regs, &n, max, "PRRR", v[3]);
		for (i = 0; i < 8; i++) {
			unsigned int tr = (prrr >> (2 * i)) & 3;

			if (tr == 2)
				rf(r, rn[i], "Normal I:%s O:%s%s",
				   rgn_names[(nmrr >> (2 * i)) & 3],
				   rgn_names[(nmrr >> (2 * i + 16)) & 3],
				   prrr & (1U << (24 + i)) ? " sh=IS" : " sh=OS");
			else
				rf(r, rn[i], "%s", tr == 0 ? "Strongly-ordered" :
				   tr == 1 ? "Device" : "rsvd");
		}
		rflag(r, "DS0", !!(prrr & (1U << 16)));
		rflag(r, "DS1", !!(prrr & (1U << 17)));
		rflag(r, "NS0", !!(prrr & (1U << 18)));
		rflag(r, "NS1", !!(prrr & (1U << 19)));
		break;
	}
	case IOPGT_FMT_APPLE_DART:
	case IOPGT_FMT_APPLE_DART2: {
		static const char *const tn[4] = { "TTBR0", "TTBR1", "TTBR2", "TTBR3" };
		unsigned int nt = v[4] > 4 ? 4 : (unsigned int)v[4];

		for (i = 0; i < nt; i++) {
			r = reg(regs, &n, max, tn[i], v[i]);
			addr_reg(r, hw, v[i]);
		}
		r = reg(regs, &n, max, "n_ttbrs", v[4]);
		r = reg(regs, &n, max, "n_levels", v[5]);
		break;
	}
	case IOPGT_FMT_PT_AMDV1:
		r = reg(regs, &n, max, "host_pt_root", v[0]);
		addr_reg(r, hw, v[0]);
		r = reg(regs, &n, max, "mode", v[1]);
		rf(r, "levels", "%llu", (unsigned long long)v[1]);
		break;
	case IOPGT_FMT_PT_VTDSS:
		r = reg(regs, &n, max, "ssptptr", v[0]);
		addr_reg(r, hw, v[0]);
		r = reg(regs, &n, max, "aw", v[1]);
		if (v[1] >= 1 && v[1] <= 3)
			rf(r, "agaw", "%u-level(%u bits)", (unsigned int)v[1] + 2,
			   30 + 9 * (unsigned int)v[1]);
		break;
	case IOPGT_FMT_PT_X86_64:
		r = reg(regs, &n, max, "gcr3_pt", v[0]);
		addr_reg(r, hw, v[0]);
		reg(regs, &n, max, "levels", v[1]);
		break;
	case IOPGT_FMT_PT_RISCV64:
		r = reg(regs, &n, max, "ppn", v[0]);
		if (!(hw->out_flags & IOPGT_HWCFG_ADDR_HIDDEN))
			rf(r, "addr", "0x%llx", (unsigned long long)(v[0] << 12));
		r = reg(regs, &n, max, "fsc_iosatp_mode", v[1]);
		if (v[1] >= 8 && v[1] <= 10)
			rf(r, "mode", "Sv%u", 39 + 9 * ((unsigned int)v[1] - 8));
		break;
	default:
		for (i = 0; i < 7; i++)
			if (v[i]) {
				static const char *const gn[7] = {
					"reg0", "reg1", "reg2", "reg3", "reg4",
					"reg5", "reg6"
				};
				reg(regs, &n, max, gn[i], v[i]);
			}
		break;
	}
	r = reg(regs, &n, max, "top_table", v[7]);
	addr_reg(r, hw, v[7]);
	return n > max ? max : n;
}
