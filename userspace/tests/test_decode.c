// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Golden tests for the descriptor and register decoders. Every descriptor
 * below is built by hand from the architecture's bit layout (and the
 * kernel's prot-to-pte conventions), and every expected string follows from
 * the definitions, not from running the decoder.
 */
#include <stdio.h>
#include <string.h>

#include "libiopgt.h"
#include "tap.h"

static struct iopgt_fmt_ctx ctx_of(uint32_t fmt, uint32_t levels,
				   uint32_t start, uint32_t g)
{
	struct iopgt_fmt_ctx c;

	memset(&c, 0, sizeof(c));
	c.format = fmt;
	c.levels = levels;
	c.start_level = start;
	c.granule_log2 = g;
	return c;
}

/* decode and compare kind, oa, fields string and prot string */
static void check(const struct iopgt_fmt_ctx *c, uint64_t pte, uint32_t level,
		  uint32_t kind, uint64_t oa, const char *fields,
		  const char *prot, const char *desc)
{
	struct iopgt_pte_info pi;
	char f[512], p[64], d[256];

	iopgt_decode_pte(c, pte, level, &pi);
	snprintf(d, sizeof(d), "%s: kind %s", desc, iopgt_kind_name(kind));
	if (!tap_ok(pi.kind == kind, d))
		printf("#   got kind %s\n", iopgt_kind_name(pi.kind));
	if (kind == IOPGT_PTE_INVALID && !fields)
		return;
	snprintf(d, sizeof(d), "%s: address", desc);
	tap_u64(pi.oa, oa, d);
	snprintf(d, sizeof(d), "%s: fields", desc);
	tap_str(iopgt_fields_str(pi.f, pi.nfields, f, sizeof(f)), fields, d);
	if (prot) {
		snprintf(d, sizeof(d), "%s: prot", desc);
		tap_str(iopgt_prot_str(pi.prot, p, sizeof(p)), prot, d);
	}
}

static void test_mair(void)
{
	char b[64];

	tap_str(iopgt_mair_attr_str(0x44, b, sizeof(b)), "Normal NC", "MAIR 0x44");
	tap_str(iopgt_mair_attr_str(0xff, b, sizeof(b)), "Normal WB-RWA", "MAIR 0xff");
	tap_str(iopgt_mair_attr_str(0x04, b, sizeof(b)), "Device-nGnRE", "MAIR 0x04");
	tap_str(iopgt_mair_attr_str(0x00, b, sizeof(b)), "Device-nGnRnE", "MAIR 0x00");
	tap_str(iopgt_mair_attr_str(0x0c, b, sizeof(b)), "Device-GRE", "MAIR 0x0c");
	tap_str(iopgt_mair_attr_str(0xf4, b, sizeof(b)), "Normal I:NC O:WB-RWA",
		"MAIR 0xf4 (inner NC, outer WB RWA)");
	tap_str(iopgt_mair_attr_str(0xaa, b, sizeof(b)), "Normal WT-RA",
		"MAIR 0xaa (WT non-transient, read-allocate)");
	tap_str(iopgt_mair_attr_str(0xbb, b, sizeof(b)), "Normal WT-RWA",
		"MAIR 0xbb (WT non-transient, read+write-allocate)");
	tap_str(iopgt_mair_attr_str(0x77, b, sizeof(b)), "Normal WB-T-RWA",
		"MAIR 0x77 (WB transient)");
	tap_str(iopgt_mair_attr_str(0x01, b, sizeof(b)), "reserved(0x01)",
		"MAIR 0x01 reserved device encoding");
}

static void test_lpae_s1(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_ARM_64_LPAE_S1, 4, 0, 12);

	/* nG | AP_UNPRIV | AttrIndx 1 | SH IS | AF | XN(53,54) | page */
	check(&c, 0x0060000080001F47ULL, 3, IOPGT_PTE_PAGE, 0x80001000,
	      "AttrIndx=1 AP=rw SH=IS AF nG UXN PXN", "rw nx cache",
	      "S1 page rw cache nx");
	c.have_regs = 1;
	c.regs[2] = 0xf404ff44;	/* the kernel's MAIR: NC, WBRWA, DEV, INC_OWBRWA */
	check(&c, 0x0060000080001F47ULL, 3, IOPGT_PTE_PAGE, 0x80001000,
	      "AttrIndx=1(Normal WB-RWA) AP=rw SH=IS AF nG UXN PXN",
	      "rw nx cache", "S1 page with MAIR");
	/* nG | AP=ro (AP[2:1]=11) | AttrIndx 2 | SH OS | AF | block */
	check(&c, 0x40000EC9ULL, 2, IOPGT_PTE_BLOCK, 0x40000000,
	      "AttrIndx=2(Device-nGnRE) AP=ro SH=OS AF nG", "r- mmio",
	      "S1 2M block ro mmio");
	/* privileged rw: AP[2:1]=00, AttrIndx 0 */
	check(&c, 0x0000000000200401ULL | (2ULL << 8), 2, IOPGT_PTE_BLOCK, 0x200000,
	      "AttrIndx=0(Normal NC) AP=rw-priv SH=OS AF", "rw priv",
	      "S1 block rw privileged");
	/* sign-extended MAIR: index 3 still decodes, index 5 does not */
	c.regs[2] = 0xfffffffff404ff44ULL;
	check(&c, 0x000000008000074fULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "AttrIndx=3(Normal I:NC O:WB-RWA) AP=rw SH=IS AF", "rw",
	      "S1 AttrIndx 3 with sign-extended MAIR");
	check(&c, 0x0000000080000757ULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "AttrIndx=5 AP=rw SH=IS AF", "rw",
	      "S1 AttrIndx 5 not decoded from a sign-extended MAIR");
	c.have_regs = 0;
	check(&c, 0x0000000041234003ULL, 0, IOPGT_PTE_TABLE, 0x41234000, "", NULL,
	      "S1 table");
	check(&c, 0x8000000041234003ULL, 1, IOPGT_PTE_TABLE, 0x41234000, "NSTable",
	      NULL, "S1 table NSTable");
	check(&c, 0, 1, IOPGT_PTE_INVALID, 0, NULL, NULL, "S1 zero");
	check(&c, 0x80001741ULL, 3, IOPGT_PTE_INVALID, 0, "type=1(reserved)", NULL,
	      "S1 level-3 type 0b01 is reserved");
	check(&c, 0x80001742ULL, 2, IOPGT_PTE_INVALID, 0, "type=2(reserved)", NULL,
	      "S1 bit0 clear is invalid");
	/* NS | CONT | DBM */
	check(&c, 0x0018000080000763ULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "AttrIndx=0 AP=rw SH=IS AF NS CONT DBM", "rw",
	      "S1 NS, contiguous hint, DBM");
	/* 64K granule, 52-bit PA: PA[51:48] in descriptor bits 15:12 */
	c = ctx_of(IOPGT_FMT_ARM_64_LPAE_S1, 3, 1, 16);
	check(&c, 0x0000123456781403ULL, 3, IOPGT_PTE_PAGE, 0x0001123456780000ULL,
	      "AttrIndx=0 AP=rw-priv SH=NS AF", "rw priv",
	      "S1 64K granule 52-bit output address");
}

static void test_lpae_s2(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_ARM_64_LPAE_S2, 3, 1, 12);

	/* HAP rw | MemAttr 0xf | SH IS | AF | page */
	check(&c, 0x800007FFULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "MemAttr=0xf(Normal-WB) S2AP=rw SH=IS AF", "rw cache",
	      "S2 page rw cacheable");
	/* HAP r | MemAttr 0x5 | SH OS | AF | XN | block */
	check(&c, 0x0060000000200655ULL, 2, IOPGT_PTE_BLOCK, 0x200000,
	      "MemAttr=0x5(Normal-NC) S2AP=r SH=OS AF XN", "r- nx",
	      "S2 block ro NC noexec");
	/* HAP w | MemAttr 0x1 (Device-nGnRE) | SH OS | AF */
	check(&c, 0x10000687ULL, 3, IOPGT_PTE_PAGE, 0x10000000,
	      "MemAttr=0x1(Device-nGnRE) S2AP=w SH=OS AF", "-w mmio",
	      "S2 page wo device");
	/* MemAttr 0xe: outer WB, inner WT */
	check(&c, 0x800007FBULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "MemAttr=0xe(Normal I:WT O:WB) S2AP=rw SH=IS AF", "rw",
	      "S2 MemAttr inner WT outer WB");
	/* XN[1:0] = 0b01 (only bit 53) */
	check(&c, 0x00200000800007FFULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "MemAttr=0xf(Normal-WB) S2AP=rw SH=IS AF XN=1", "rw cache",
	      "S2 XN[0] only");
	c.quirks = IOPGT_QUIRK_ARM_S2FWB;
	check(&c, 0x800007DBULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "MemAttr=0x6(Normal-WB(FWB)) S2AP=rw SH=IS AF", "rw cache",
	      "S2 FWB MemAttr 0b0110");
}

static void test_mali(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_ARM_MALI_LPAE, 4, 0, 12);

	/* HAP rw | AttrIndx 1 | SH OS | type 1 (Mali: leaf at every level) */
	check(&c, 0x800002C5ULL, 3, IOPGT_PTE_PAGE, 0x80000000,
	      "AttrIndx=1 RD WR SH=OS", "rw cache", "Mali page rw");
	c.have_regs = 1;
	c.regs[1] = 0x888D88;	/* MEMATTR: IMP_DEF, WRITE_ALLOC, IMP_DEF */
	check(&c, 0x00600000802002C5ULL & ~0x80ULL, 2, IOPGT_PTE_BLOCK, 0x80200000,
	      "AttrIndx=1(WB alloc=W sh=midgard-inner) RD SH=OS NX", "r- nx cache",
	      "Mali block ro nx with MEMATTR");
	check(&c, 0x0000000041234003ULL, 1, IOPGT_PTE_TABLE, 0x41234000, "", NULL,
	      "Mali table");
	check(&c, 0x80000003ULL, 3, IOPGT_PTE_INVALID, 0, NULL, NULL,
	      "Mali type 3 at the last level is not a leaf");
}

static void test_v7s(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_ARM_V7S, 2, 1, 12);

	/* section: attrs (nG S TEX1 AF UNPRIV)<<10 | XN(bit4) | C B | 0b10 */
	check(&c, 0x80131C1EULL, 1, IOPGT_PTE_BLOCK, 0x80100000,
	      "type=section AP=rw AF S nG TEX=1 C B region=7 XN", "rw nx cache",
	      "v7s section rw cache nx");
	check(&c, 0x81071C0EULL, 1, IOPGT_PTE_BLOCK, 0x81000000,
	      "type=supersection AP=rw AF S nG TEX=1 C B region=7", "rw cache",
	      "v7s supersection");
	/* small page: attrs (nG S AF UNPRIV RDONLY)<<4, TEX 0, B, 0b10 */
	check(&c, 0x10000E36ULL, 2, IOPGT_PTE_PAGE, 0x10000000,
	      "type=small AP=ro AF S nG TEX=0 B region=1", "r- mmio",
	      "v7s small page ro mmio");
	/* large page: the kernel's cont form of a small rw cache nx page */
	check(&c, 0x80019C3DULL, 2, IOPGT_PTE_PAGE, 0x80010000,
	      "type=large AP=rw AF S nG TEX=1 C B region=7 XN", "rw nx cache",
	      "v7s large page");
	check(&c, 0x41234001ULL, 1, IOPGT_PTE_TABLE, 0x41234000, "", NULL,
	      "v7s level-1 table");
	check(&c, 0x41234009ULL, 1, IOPGT_PTE_TABLE, 0x41234000, "NS", NULL,
	      "v7s level-1 table NS");
	check(&c, 0, 2, IOPGT_PTE_INVALID, 0, NULL, NULL, "v7s empty");
	c.have_regs = 1;
	c.regs[2] = 0x40004000;	/* NMRR: region 7 inner/outer WBWA */
	c.regs[3] = 0x800B8204;	/* PRRR: r1 device, r4/r7 normal */
	check(&c, 0x80131C1EULL, 1, IOPGT_PTE_BLOCK, 0x80100000,
	      "type=section AP=rw AF S nG TEX=1 C B mem=r7:Normal I:WBWA O:WBWA XN",
	      "rw nx cache", "v7s section with PRRR/NMRR");
}

static void test_dart(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_APPLE_DART, 2, 0, 14);

	check(&c, 0x000FFF0080004003ULL, 1, IOPGT_PTE_PAGE, 0x80004000,
	      "SP_DIS subpage=0x000-0xfff", "rw", "DART1 page rw");
	check(&c, 0x000FFF0080004083ULL, 1, IOPGT_PTE_PAGE, 0x80004000,
	      "NO_WRITE SP_DIS subpage=0x000-0xfff", "r-", "DART1 page ro");
	check(&c, 0x0000000041234001ULL, 0, IOPGT_PTE_TABLE, 0x41234000, "", NULL,
	      "DART1 table");
	c.format = IOPGT_FMT_APPLE_DART2;
	check(&c, 0x000FFF0008000401ULL, 1, IOPGT_PTE_PAGE, 0x80004000,
	      "subpage=0x000-0xfff", "rw cache", "DART2 page (address >> 4)");
	check(&c, 0x000FFF0008000403ULL | 0x4, 1, IOPGT_PTE_PAGE, 0x80004000,
	      "NO_WRITE NO_CACHE subpage=0x000-0xfff", "r-", "DART2 page ro uncached");
}

static void test_x86_64(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_PT_X86_64, 4, 3, 12);

	check(&c, 0x80001067ULL, 0, IOPGT_PTE_PAGE, 0x80001000, "P RW US A D",
	      "rw", "x86-64 PTE rw");
	check(&c, 0x80000000800000E7ULL, 1, IOPGT_PTE_BLOCK, 0x80000000,
	      "P RW US A D PS NX", "rw nx", "x86-64 2M PDE leaf nx");
	check(&c, 0x00000000C0000185ULL, 2, IOPGT_PTE_BLOCK, 0xC0000000,
	      "P US PS G", "r-", "x86-64 1G PDPTE leaf ro global");
	check(&c, 0x0000000041234027ULL, 3, IOPGT_PTE_TABLE, 0x41234000,
	      "P RW US A", NULL, "x86-64 PML4E table");
	check(&c, 0x0000000041234019ULL, 1, IOPGT_PTE_TABLE, 0x41234000,
	      "P PWT PCD", NULL, "x86-64 PDE table PWT PCD");
	check(&c, 0x80001066ULL, 0, IOPGT_PTE_INVALID, 0, NULL, NULL,
	      "x86-64 not present");
	check(&c, 0x80001001ULL, 0, IOPGT_PTE_PAGE, 0x80001000, "P", "r- priv",
	      "x86-64 supervisor read-only");
}

static void test_vtdss(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_PT_VTDSS, 4, 3, 12);

	check(&c, 0x80001803ULL, 0, IOPGT_PTE_PAGE, 0x80001000, "R W EMT=UC SNP",
	      "rw", "VT-d SS PTE rw snoop");
	check(&c, 0x80200081ULL, 1, IOPGT_PTE_BLOCK, 0x80200000, "R EMT=UC PS",
	      "r-", "VT-d SS 2M leaf ro");
	check(&c, 0x80001373ULL, 0, IOPGT_PTE_PAGE, 0x80001000,
	      "R W EMT=WB IPAT A D", "rw", "VT-d SS EMT WB IPAT A D");
	check(&c, 0x41234003ULL, 2, IOPGT_PTE_TABLE, 0x41234000, "R W", NULL,
	      "VT-d SS table");
	check(&c, 0, 0, IOPGT_PTE_INVALID, 0, NULL, NULL, "VT-d SS empty");
}

static void test_amdv1(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_PT_AMDV1, 3, 2, 12);

	check(&c, 0x6000000080001001ULL, 0, IOPGT_PTE_PAGE, 0x80001000,
	      "PR NL=0 IR IW", "rw", "AMDv1 4K PTE rw");
	check(&c, 0x6000000041234401ULL, 2, IOPGT_PTE_TABLE, 0x41234000,
	      "PR NL=2 IR IW", NULL, "AMDv1 PDE to level 2");
	/* NL=7, one trailing 1 at address bit 12: 16K page */
	check(&c, 0x6000000080001E01ULL, 0, IOPGT_PTE_PAGE, 0x80000000,
	      "PR NL=7(16K) IR IW", "rw", "AMDv1 NL=7 16K page");
	/* NL=7 at level 1 with eight 1s from bit 12: 2M (contiguous encoding) */
	check(&c, 0x20000000802FFE01ULL, 1, IOPGT_PTE_BLOCK, 0x80200000,
	      "PR NL=7(2M) IR", "r-", "AMDv1 NL=7 2M page read-only");
	check(&c, 0x1000000080200061ULL, 1, IOPGT_PTE_BLOCK, 0x80200000,
	      "PR NL=0 FC A D", "--", "AMDv1 NL=0 leaf FC A D no access");
	check(&c, 0x6000000080001000ULL, 0, IOPGT_PTE_INVALID, 0, NULL, NULL,
	      "AMDv1 not present");
}

static void test_riscv(void)
{
	struct iopgt_fmt_ctx c = ctx_of(IOPGT_FMT_PT_RISCV64, 3, 2, 12);

	check(&c, 0x200004C7ULL, 0, IOPGT_PTE_PAGE, 0x80001000, "V R W A D",
	      "rw nx priv", "RISC-V leaf rw");
	check(&c, 0x1048D001ULL, 1, IOPGT_PTE_TABLE, 0x41234000, "V", NULL,
	      "RISC-V pointer");
}

static int has_field(const struct iopgt_reg *r, const char *name, const char *val)
{
	unsigned int i;

	for (i = 0; i < r->nfields; i++)
		if (!strcmp(r->f[i].name, name) && !strcmp(r->f[i].value, val))
			return 1;
	printf("#   %s: no field %s=%s\n", r->name, name, val);
	return 0;
}

static void test_regs(void)
{
	struct iopgt_hw_cfg hw;
	struct iopgt_reg r[IOPGT_MAX_REGS + 4];
	char f[1024];
	unsigned int n;

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_ARM_64_LPAE_S1;
	hw.regs[0] = 0x41234000;
	hw.regs[1] = 0x0000000500003510ULL;
	hw.regs[2] = 0xfffffffff404ff44ULL;
	hw.regs[7] = 0x41234000;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(n == 4, "LPAE S1: TTBR, TCR, MAIR, top_table");
	tap_str(iopgt_fields_str(r[1].f, r[1].nfields, f, sizeof(f)),
		"T0SZ=16(ias=48) IRGN0=WBWA ORGN0=WBWA SH0=IS TG0=4K IPS=5(48 bits)",
		"TCR 4K ias 48 coherent");
	tap_str(iopgt_fields_str(r[2].f, r[2].nfields, f, sizeof(f)),
		"attr0=0x44(Normal NC) attr1=0xff(Normal WB-RWA) attr2=0x04(Device-nGnRE) attr3=0xf4(Normal I:NC O:WB-RWA)",
		"MAIR slots (sign-extended high half masked)");
	tap_u64(r[2].value, 0xf404ff44, "MAIR value masked to 32 bits");
	tap_str(iopgt_fields_str(r[0].f, r[0].nfields, f, sizeof(f)),
		"addr=0x41234000", "TTBR address");
	hw.out_flags = IOPGT_HWCFG_ADDR_HIDDEN;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_str(iopgt_fields_str(r[0].f, r[0].nfields, f, sizeof(f)),
		"addr=hidden", "TTBR hidden without CAP_SYS_ADMIN");
	hw.out_flags = 0;
	hw.quirks = IOPGT_QUIRK_ARM_TTBR1;
	hw.regs[1] = 0x000000020000A419ULL;	/* TG1 4K=0b10, SH OS, IRGN NC, ORGN WBWA, T0SZ 25 */
	n = iopgt_decode_regs(&hw, r, 12);
	tap_str(iopgt_fields_str(r[1].f, r[1].nfields, f, sizeof(f)),
		"T0SZ=25(ias=39) IRGN0=NC ORGN0=WBWA SH0=OS TG=4K(TG1 encoding) IPS=2(40 bits)",
		"TCR under the TTBR1 quirk");
	hw.regs[2] = 0x11223344556677ffULL;	/* a genuine 64-bit MAIR */
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(r[2].nfields == 8 && has_field(&r[2], "attr7", "0x11(Normal WT-T-WA)"),
	       "MAIR with a real high half decodes 8 slots");

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_ARM_64_LPAE_S2;
	hw.regs[1] = 0x23558;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_str(iopgt_fields_str(r[1].f, r[1].nfields, f, sizeof(f)),
		"T0SZ=24(ias=40) IRGN0=WBWA ORGN0=WBWA SH0=IS TG0=4K SL0=1(start level 1) PS=2(40 bits)",
		"VTCR 4K ias 40 concatenated start level 1");
	hw.regs[1] = 25 | (2 << 6) | (2 << 14) | (5 << 16);
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(has_field(&r[1], "TG0", "16K") && has_field(&r[1], "SL0", "2(start level 1)") &&
	       has_field(&r[1], "PS", "5(48 bits)"), "VTCR 16K granule SL0 counts from level 3");

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_ARM_MALI_LPAE;
	hw.regs[0] = 0x41234017;
	hw.regs[1] = 0x888D88;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_str(iopgt_fields_str(r[0].f, r[0].nfields, f, sizeof(f)),
		"addr=0x41234000 ADRMODE=3(table) READ_INNER SHARE_OUTER", "Mali TRANSTAB");
	tap_ok(has_field(&r[1], "attr0", "0x88(WB alloc=impl sh=midgard-inner)") &&
	       has_field(&r[1], "attr1", "0x8d(WB alloc=W sh=midgard-inner)"),
	       "Mali MEMATTR slots");

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_ARM_V7S;
	hw.regs[0] = 0x4123406A;
	hw.regs[2] = 0x40004000;
	hw.regs[3] = 0x800B8204;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_str(iopgt_fields_str(r[0].f, r[0].nfields, f, sizeof(f)),
		"addr=0x41234000 IRGN=WBWA RGN=WBWA S NOS", "v7s TTBR coherent");
	tap_ok(n >= 4 && !strcmp(r[3].name, "PRRR"), "v7s PRRR present");
	tap_str(iopgt_fields_str(r[3].f, r[3].nfields, f, sizeof(f)),
		"region0=Strongly-ordered region1=Device region2=Strongly-ordered "
		"region3=Strongly-ordered region4=Normal I:NC O:NC sh=OS "
		"region5=Strongly-ordered region6=Strongly-ordered "
		"region7=Normal I:WBWA O:WBWA sh=IS DS0 DS1 NS1",
		"v7s PRRR+NMRR memory regions");

	memset(&hw, 0, sizeof(hw));
	hw.format = IOPGT_FMT_PT_VTDSS;
	hw.regs[0] = 0x41234000;
	hw.regs[1] = 2;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(has_field(&r[1], "agaw", "4-level(48 bits)"), "VT-d SS aw=2");
	hw.format = IOPGT_FMT_PT_AMDV1;
	hw.regs[1] = 3;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(!strcmp(r[1].name, "mode") && has_field(&r[1], "levels", "3"),
	       "AMDv1 mode 3");
	hw.format = IOPGT_FMT_PT_RISCV64;
	hw.regs[0] = 0x41234;
	hw.regs[1] = 9;
	n = iopgt_decode_regs(&hw, r, 12);
	tap_ok(has_field(&r[0], "addr", "0x41234000") && has_field(&r[1], "mode", "Sv48"),
	       "RISC-V ppn and mode");
	tap_ok(!strcmp(r[n - 1].name, "top_table"), "top_table always last");
}

static void test_json(void)
{
	struct iopgt_field f[3] = {
		{ "AP", "rw" }, { "AF", "" }, { "q", "a\"b" },
	};
	char buf[256];
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	iopgt_fields_json(f, 3, m);
	fclose(m);
	tap_str(buf, "{\"AP\":\"rw\",\"AF\":true,\"q\":\"a\\\"b\"}", "fields as JSON");
}

int main(void)
{
	test_mair();
	test_lpae_s1();
	test_lpae_s2();
	test_mali();
	test_v7s();
	test_dart();
	test_x86_64();
	test_vtdss();
	test_amdv1();
	test_riscv();
	test_regs();
	test_json();
	return tap_done();
}
