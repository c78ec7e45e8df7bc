// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of the messages the CLI prints for a refused request (issue 9
 * item 7): the kernel names the rule (enum iopgt_reason), libiopgt turns it
 * into words with the values involved. Each case is one of the messages a
 * new user was sent the wrong way by.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "libiopgt.h"
#include "tap.h"

static char buf[512];

static void has(const char *got, const char *needle, const char *desc)
{
	if (!tap_ok(got && strstr(got, needle), desc))
		printf("#   got:  '%s'\n#   want: '...%s...'\n", got ? got : "(null)", needle);
}

static void lacks(const char *got, const char *needle, const char *desc)
{
	if (!tap_ok(got && !strstr(got, needle), desc))
		printf("#   got:  '%s'\n#   must not contain '%s'\n", got ? got : "(null)", needle);
}

#define LPAE_OAS ((1ULL << 32) | (1ULL << 36) | (1ULL << 40) | (1ULL << 42) | \
		  (1ULL << 44) | (1ULL << 48) | (1ULL << 52))

int main(void)
{
	struct iopgt_get_info gi = { .n_formats = 14, .max_as_per_device = 64,
				     .max_table_bytes_per_as = 64ULL << 20,
				     .max_table_bytes = 256ULL << 20,
				     .table_bytes = 12 << 12 };
	struct iopgt_format_info s2 = { .format = IOPGT_FMT_ARM_64_LPAE_S2,
		.flags = IOPGT_FMT_F_AVAILABLE | IOPGT_FMT_F_NONCOHERENT,
		.ias_min = 32, .ias_max = 52, .oas_min = 32, .oas_max = 52,
		.ias_default = 48, .oas_default = 48, .oas_set = LPAE_OAS,
		.rules = IOPGT_FMT_RULE_IAS_LE_OAS | IOPGT_FMT_RULE_CLAMP_48 };
	struct iopgt_format_info mali = { .format = IOPGT_FMT_ARM_MALI_LPAE,
		.flags = IOPGT_FMT_F_AVAILABLE, .ias_min = 32, .ias_max = 48,
		.oas_min = 32, .oas_max = 40, .ias_default = 48, .oas_default = 40 };
	struct iopgt_format_info amdv1 = { .format = IOPGT_FMT_PT_AMDV1,
		.flags = IOPGT_FMT_F_AVAILABLE | IOPGT_FMT_F_GENERIC_PT,
		.ias_min = 21, .ias_max = 64, .oas_min = 32, .oas_max = 52,
		.levels_min = 1, .levels_max = 6 };
	struct iopgt_format_info amd = { .format = IOPGT_FMT_AMD_IOMMU_V1,
		.unavail_reason = IOPGT_UNAVAIL_UNSAFE };
	struct iopgt_as_create r;
	struct iopgt_hw_cfg ttbr1 = { .ias = 48, .oas = 48,
				      .pgsize_bitmap = 0x40201000ULL,
				      .quirks = IOPGT_QUIRK_ARM_TTBR1 };
	const char *m;

	/* create 15 | 0 | 4294967295: an unknown id, not ias/oas/pgsizes */
	memset(&r, 0, sizeof(r));
	r.format = 15;
	r.out_reason = IOPGT_REASON_FORMAT_UNKNOWN;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, NULL, buf, sizeof(buf));
	has(m, "unknown format id 15: this module knows ids 1-14", "create 15: unknown format id");
	lacks(m, "ias", "create 15: does not blame ias/oas/pgsizes");
	r.format = 4294967295U;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, NULL, buf, sizeof(buf));
	has(m, "unknown format id 4294967295", "create 4294967295: unknown format id");
	r.format = 0;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, NULL, buf, sizeof(buf));
	has(m, "unknown format id 0", "create 0: unknown format id");

	/* PT_AMDV1 --noncoherent: the walk mode, not the format */
	memset(&r, 0, sizeof(r));
	r.format = IOPGT_FMT_PT_AMDV1;
	r.flags = IOPGT_AS_NONCOHERENT;
	r.out_reason = IOPGT_REASON_NONCOHERENT_UNSUPPORTED;
	m = iopgt_create_err_str(&r, -EOPNOTSUPP, &gi, &amdv1, buf, sizeof(buf));
	has(m, "this format does not support non-coherent table walks; drop --noncoherent (EOPNOTSUPP)",
	    "create PT_AMDV1 --noncoherent: non-coherent walks unsupported");
	lacks(m, "not available", "create PT_AMDV1 --noncoherent: not 'format not available'");
	m = iopgt_create_err_str(&r, -EOPNOTSUPP, &gi, &s2, buf, sizeof(buf));
	has(m, "its DMA pre-flight failed", "noncoherent on a format that could: the device");

	/* an unavailable format says why */
	memset(&r, 0, sizeof(r));
	r.format = IOPGT_FMT_AMD_IOMMU_V1;
	r.out_reason = IOPGT_REASON_FORMAT_UNAVAILABLE;
	m = iopgt_create_err_str(&r, -EOPNOTSUPP, &gi, &amd, buf, sizeof(buf));
	has(m, "not available on this kernel: exists but cannot be used standalone (EOPNOTSUPP)",
	    "unavailable format: why");

	/* S2 ias > oas; Mali oas 41-48; LPAE oas set */
	memset(&r, 0, sizeof(r));
	r.format = IOPGT_FMT_ARM_64_LPAE_S2;
	r.ias = 48;
	r.oas = 40;
	r.out_reason = IOPGT_REASON_IAS_ABOVE_OAS;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, &s2, buf, sizeof(buf));
	has(m, "ias 48 > oas 40: this format needs ias <= oas (EINVAL)", "S2 ias > oas");
	r.ias = 0;
	r.oas = 38;
	r.out_reason = IOPGT_REASON_OAS_NOT_IN_SET;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, &s2, buf, sizeof(buf));
	has(m, "oas 38: this format accepts oas 32,36,40,42,44,48,52 only", "LPAE oas set");
	memset(&r, 0, sizeof(r));
	r.format = IOPGT_FMT_ARM_MALI_LPAE;
	r.oas = 44;
	r.out_reason = IOPGT_REASON_OAS_RANGE;
	m = iopgt_create_err_str(&r, -EINVAL, &gi, &mali, buf, sizeof(buf));
	has(m, "oas 44 is outside this format's range 32-40 (EINVAL)", "Mali oas 44");

	/* caps: which one; ENOMEM is no cap */
	memset(&r, 0, sizeof(r));
	r.format = IOPGT_FMT_ARM_64_LPAE_S1;
	r.out_reason = IOPGT_REASON_AS_CAP;
	m = iopgt_create_err_str(&r, -ENOSPC, &gi, &s2, buf, sizeof(buf));
	has(m, "max_as_per_device = 64 address spaces (ENOSPC)", "create: the max_as cap");
	r.out_reason = IOPGT_REASON_AS_TABLE_CAP;
	m = iopgt_create_err_str(&r, -ENOSPC, &gi, &s2, buf, sizeof(buf));
	has(m, "per-address-space page-table cap max_table_bytes_per_as = 64M (ENOSPC)",
	    "create: the per-AS table cap");
	lacks(m, "max_as_per_device", "create: a table cap is not called max_as");
	r.out_reason = IOPGT_REASON_DEV_TABLE_CAP;
	m = iopgt_create_err_str(&r, -ENOSPC, &gi, &s2, buf, sizeof(buf));
	has(m, "device's page-table memory cap max_table_bytes = 256M is reached (48K in use)",
	    "create: the device table cap");
	r.out_reason = IOPGT_REASON_NOMEM;
	m = iopgt_create_err_str(&r, -ENOMEM, &gi, &s2, buf, sizeof(buf));
	has(m, "the kernel is out of memory (ENOMEM)", "create: ENOMEM");
	lacks(m, "cap", "create: ENOMEM is not called a cap");
	r.out_reason = IOPGT_REASON_NONE;	/* an old kernel */
	m = iopgt_create_err_str(&r, -ENOMEM, NULL, NULL, buf, sizeof(buf));
	lacks(m, "cap", "create: ENOMEM without a reason is not called a cap either");

	/* TTBR1: below the window, IOVA 0 included */
	m = iopgt_entry_err_str(IOPGT_REASON_IOVA_BELOW_WINDOW, 0, 0, 4096, IOPGT_PROT_READ, 0,
				&ttbr1, NULL, buf, sizeof(buf));
	has(m, "IOVA 0x0 is below the TTBR1 input window 0xffff000000000000-0xffffffffffffffff",
	    "TTBR1: IOVA 0");
	m = iopgt_entry_err_str(IOPGT_REASON_IOVA_BELOW_WINDOW, 0xfffe000000000000ULL, 0, 4096,
				IOPGT_PROT_READ, 0, &ttbr1, NULL, buf, sizeof(buf));
	has(m, "IOVA 0xfffe000000000000 is below the TTBR1 input window", "TTBR1: below the window");
	lacks(m, "ends beyond", "TTBR1: not 'ends beyond the input range'");
	m = iopgt_entry_err_str(IOPGT_REASON_IOVA_MISALIGNED, 0x800, 0, 4096, IOPGT_PROT_READ, 0,
				&ttbr1, NULL, buf, sizeof(buf));
	has(m, "IOVA 0x800 is not a multiple of the smallest page size 4K", "map: misaligned IOVA");
	m = iopgt_entry_err_str(IOPGT_REASON_AS_TABLE_CAP, 0, 0, 4096, IOPGT_PROT_READ, 0,
				&ttbr1, &gi, buf, sizeof(buf));
	has(m, "per-address-space cap max_table_bytes_per_as = 64M", "map: the per-AS table cap");
	m = iopgt_entry_err_str(IOPGT_REASON_DEV_TABLE_CAP, 0, 0, 4096, IOPGT_PROT_READ, 0,
				&ttbr1, &gi, buf, sizeof(buf));
	has(m, "device's cap max_table_bytes = 256M", "map: the device table cap");
	m = iopgt_entry_err_str(IOPGT_REASON_PARTIAL_BLOCK, 0x200000, 0, 4096, 0, 0,
				&ttbr1, NULL, buf, sizeof(buf));
	has(m, "an end of the range cuts a larger leaf", "unmap: partial block");
	tap_ok(iopgt_entry_err_str(IOPGT_REASON_NONE, 0, 0, 0, 0, 0, NULL, NULL, buf,
				   sizeof(buf)) == NULL, "no reason: no text (the errno speaks)");
	return tap_done();
}
