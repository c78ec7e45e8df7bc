// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own YNL C client of uapi/iopgt.yaml against the ioctl view
 * (issue 9, item 6). The client is generated from the spec by
 * tools/net/ynl/pyynl/ynl_gen_c.py --mode user and linked with
 * tools/net/ynl/lib/ynl.c, both from Debian's linux-source package of the
 * sid kernel (scripts/ynl.sh); this program decodes nothing itself.
 *
 *  - format dump vs GET_INFO: one message per format, same name, flags and
 *    unavailability reason; every flag bit and enum value the kernel sends is
 *    declared in the spec (runs with no format available too);
 *  - address-space dump, whole and per as-id, vs AS_INFO and AS_CREATE's
 *    outputs, with an address space of every available format alive at once
 *    (plus a persistent and a non-coherent one);
 *  - tree dump of each address space vs WALK at every entry's IOVA (every
 *    field of the level the entry is at) and IOVA_TO_PHYS at both ends of
 *    every leaf; leaf bytes vs mapped bytes, table entries vs as-tables;
 *    again after an unmap. The tree comparison also runs per format x
 *    page-size set x ias/oas.
 */
#include <ctype.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

#ifdef IOPGT_YNL
#include "ynl.h"
#include "iopgt-user.h"

static struct ynl_sock *ynl_open(void)
{
	struct ynl_error yerr;
	struct ynl_sock *ys = ynl_sock_create(&ynl_iopgt_family, &yerr);

	if (!ys) {
		H_FAIL("ynl_sock_create(iopgt): %s (code %d)", yerr.msg, yerr.code);
		h_abort();
	}
	return ys;
}

/* every set bit of @v has a name in the spec */
static void flags_declared(const char *what, __u32 id, __u32 v,
			   const char *(*str)(int))
{
	for (int b = 0; b < 32; b++)
		if ((v & (1U << b)) && !str(1U << b))
			H_FAIL("%s of %u is 0x%x: bit %d is not declared in uapi/iopgt.yaml",
			       what, id, v, b);
}

/* "arm-32-lpae-s1" names "ARM_32_LPAE_S1" */
static bool spec_name_is(const char *spec, const char *uapi)
{
	size_t i;

	for (i = 0; spec[i] && uapi[i]; i++)
		if ((spec[i] == '-' ? '_' : toupper((unsigned char)spec[i])) != uapi[i])
			return false;
	return !spec[i] && !uapi[i];
}

TEST(format_dump_agrees_with_get_info)
{
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];
	struct iopgt_format_get_list *list;
	struct iopgt_format_get_req *req;
	struct iopgt_get_info gi;
	struct ynl_sock *ys = ynl_open();
	unsigned int seen[IOPGT_FMT_COUNT] = { 0 }, n = 0, avail = 0;
	int fd = dev_open();

	ASSERT_OK(get_info(fd, &gi, fi));
	ASSERT_EQ(gi.n_formats, IOPGT_FMT_COUNT - 1);
	req = iopgt_format_get_req_alloc();
	ASSERT_TRUE(req != NULL);
	list = iopgt_format_get_dump(ys, req);
	iopgt_format_get_req_free(req);
	if (!list) {
		H_FAIL("YNL format-get dump: %s (code %d)", ys->err.msg, ys->err.code);
		h_abort();
	}
	ynl_dump_foreach(list, r) {
		const struct iopgt_format_info *f = NULL;

		n++;
		if (!r->_present.dev_id || !r->_present.format || !r->_present.format_flags ||
		    !r->_present.format_unavail || !r->_len.format_name) {
			H_FAIL("format-get message %u lacks an attribute (dev-id %d format %d "
			       "format-name %d format-flags %d format-unavail %d)", n,
			       r->_present.dev_id, r->_present.format, r->_len.format_name != 0,
			       r->_present.format_flags, r->_present.format_unavail);
			continue;
		}
		EXPECT_EQ(r->dev_id, 0);
		for (unsigned int i = 0; i < gi.n_formats; i++)
			if (fi[i].format == r->format)
				f = &fi[i];
		if (!f) {
			H_FAIL("format-get sent format %u, which GET_INFO does not list", r->format);
			continue;
		}
		seen[r->format]++;
		if (strcmp(r->format_name, f->name))
			H_FAIL("format %u: format-get name \"%s\", GET_INFO \"%s\"", r->format,
			       r->format_name, f->name);
		if (r->format_flags != f->flags)
			H_FAIL("format %s: format-get flags 0x%x, GET_INFO flags 0x%x", f->name,
			       r->format_flags, f->flags);
		if (r->format_unavail != f->unavail_reason)
			H_FAIL("format %s: format-get unavail %u, GET_INFO unavail_reason %u",
			       f->name, r->format_unavail, f->unavail_reason);
		flags_declared("format-flags", r->format, r->format_flags,
			       iopgt_format_flags_str);
		if (!iopgt_format_str(r->format) || !spec_name_is(iopgt_format_str(r->format), f->name))
			H_FAIL("format %s (%u) is \"%s\" in the spec's format enum", f->name,
			       r->format, iopgt_format_str(r->format) ?: "(undeclared)");
		if (!iopgt_unavail_reason_str(r->format_unavail))
			H_FAIL("format %s: format-unavail %u is not declared in uapi/iopgt.yaml",
			       f->name, r->format_unavail);
		if (r->format_flags & IOPGT_FMT_F_AVAILABLE)
			avail++;
	}
	iopgt_format_get_list_free(list);
	EXPECT_EQ(n, gi.n_formats);
	EXPECT_EQ(avail, gi.n_available);
	for (unsigned int i = 1; i < IOPGT_FMT_COUNT; i++)
		if (seen[i] != 1)
			H_FAIL("format %u (%s): %u format-get messages", i, format_name(i), seen[i]);
	if (!h_failed())
		h_diag("%u formats, %u available: names, flags and reasons as GET_INFO's", n,
		       avail);
	ynl_sock_destroy(ys);
	close(fd);
}

/* the address-space message @r vs AS_INFO and AS_CREATE's outputs */
static void as_msg_agrees(int fd, const struct iopgt_as_get_rsp *r,
			  const struct iopgt_as_create *c)
{
	struct iopgt_as_info ai;
	__u32 id = r->as_id;

	if (!r->_present.dev_id || !r->_present.as_id || !r->_present.format ||
	    !r->_present.as_flags || !r->_present.as_owner || !r->_present.as_mapped ||
	    !r->_present.as_table_bytes || !r->_present.as_tables ||
	    !r->_present.as_generation || !r->_present.as_ias || !r->_present.as_oas ||
	    !r->_present.as_pgsizes || !r->_present.as_levels) {
		H_FAIL("as-get message of as %u lacks an attribute", id);
		return;
	}
	ASSERT_OK(as_info(fd, id, &ai));
	EXPECT_EQ(r->dev_id, 0);
	if (r->format != ai.format)
		H_FAIL("as %u: as-get format %u, AS_INFO %u", id, r->format, ai.format);
	if (r->as_flags != ai.flags)
		H_FAIL("as %u: as-get as-flags 0x%x, AS_INFO flags 0x%x", id, r->as_flags, ai.flags);
	flags_declared("as-flags", id, r->as_flags, iopgt_as_info_flags_str);
	if (!iopgt_format_str(r->format))
		H_FAIL("as %u: format %u is not declared in uapi/iopgt.yaml", id, r->format);
	if (r->as_owner != ai.owner_pid)
		H_FAIL("as %u: as-get owner %u, AS_INFO owner_pid %u", id, r->as_owner,
		       ai.owner_pid);
	if (r->as_mapped != ai.mapped_bytes)
		H_FAIL("as %u: as-get mapped 0x%llx, AS_INFO 0x%llx", id,
		       (unsigned long long)r->as_mapped, (unsigned long long)ai.mapped_bytes);
	if (r->as_table_bytes != ai.table_bytes)
		H_FAIL("as %u: as-get table-bytes %llu, AS_INFO %llu", id,
		       (unsigned long long)r->as_table_bytes, (unsigned long long)ai.table_bytes);
	if (r->as_generation != ai.generation)
		H_FAIL("as %u: as-get generation %llu, AS_INFO %llu", id,
		       (unsigned long long)r->as_generation, (unsigned long long)ai.generation);
	if (!c)
		return;
	if (r->format != c->format)
		H_FAIL("as %u: as-get format %u, created as %u", id, r->format, c->format);
	if (r->as_ias != c->out_ias || r->as_oas != c->out_oas)
		H_FAIL("as %u: as-get ias/oas %u/%u, AS_CREATE out %u/%u", id, r->as_ias,
		       r->as_oas, c->out_ias, c->out_oas);
	if (r->as_pgsizes != c->out_pgsize_bitmap)
		H_FAIL("as %u: as-get pgsizes 0x%llx, AS_CREATE out 0x%llx", id,
		       (unsigned long long)r->as_pgsizes,
		       (unsigned long long)c->out_pgsize_bitmap);
	if (r->as_levels != c->out_levels)
		H_FAIL("as %u: as-get levels %u, AS_CREATE out %u", id, r->as_levels,
		       c->out_levels);
}

/* the as-get dump filtered by as-id: exactly one message, agreeing */
static void as_dump_one(struct ynl_sock *ys, int fd, __u32 id,
			const struct iopgt_as_create *c, __u64 *tables)
{
	struct iopgt_as_get_req *req = iopgt_as_get_req_alloc();
	struct iopgt_as_get_list *list;
	unsigned int n = 0;

	ASSERT_TRUE(req != NULL);
	iopgt_as_get_req_set_as_id(req, id);
	list = iopgt_as_get_dump(ys, req);
	iopgt_as_get_req_free(req);
	if (!list) {
		H_FAIL("YNL as-get dump of as %u: %s (code %d)", id, ys->err.msg, ys->err.code);
		h_abort();
	}
	ynl_dump_foreach(list, r) {
		n++;
		if (r->as_id != id) {
			H_FAIL("as-get of as-id %u sent as %u", id, r->as_id);
			continue;
		}
		as_msg_agrees(fd, r, c);
		*tables = r->as_tables;
	}
	iopgt_as_get_list_free(list);
	if (n != 1)
		H_FAIL("as-get of as-id %u: %u messages", id, n);
}

static bool lv_equal(const struct iopgt_walk_level *lv, const struct iopgt_tree_get_rsp *e)
{
	return lv->pte == e->entry_pte && lv->table_pa == e->entry_table_pa &&
	       lv->oa == e->entry_oa && lv->span_log2 == e->entry_span_log2 &&
	       lv->level == e->entry_level && lv->index == e->entry_index &&
	       lv->kind == e->entry_kind;
}

/*
 * The tree dump of @id vs WALK and IOVA_TO_PHYS; the AS dump of @id vs
 * AS_INFO (and @c). Returns the number of leaves.
 */
static unsigned long check_as(struct ynl_sock *ys, int fd, __u32 id,
			      const struct iopgt_as_create *c)
{
	struct iopgt_tree_get_req *req = iopgt_tree_get_req_alloc();
	struct iopgt_tree_get_list *list;
	struct iopgt_as_info ai;
	unsigned long leaves = 0, tables = 0, n = 0;
	__u64 bytes = 0, prev = 0, as_tables = 0;

	ASSERT_TRUE(req != NULL);
	iopgt_tree_get_req_set_as_id(req, id);
	list = iopgt_tree_get_dump(ys, req);
	iopgt_tree_get_req_free(req);
	if (!list) {
		H_FAIL("YNL tree-get dump of as %u: %s (code %d)", id, ys->err.msg, ys->err.code);
		h_abort();
	}
	ynl_dump_foreach(list, e) {
		struct iopgt_walk w;
		__u32 d = e->entry_depth;

		n++;
		if (!e->_present.dev_id || !e->_present.as_id || !e->_present.entry_level ||
		    !e->_present.entry_depth || !e->_present.entry_index ||
		    !e->_present.entry_iova || !e->_present.entry_span_log2 ||
		    !e->_present.entry_pte || !e->_present.entry_kind ||
		    !e->_present.entry_oa || !e->_present.entry_table_pa) {
			H_FAIL("tree-get message %lu of as %u lacks an attribute", n, id);
			continue;
		}
		EXPECT_EQ(e->as_id, id);
		if (!iopgt_pte_kind_str(e->entry_kind))
			H_FAIL("as %u iova 0x%llx: entry-kind %u is not declared in uapi/iopgt.yaml",
			       id, (unsigned long long)e->entry_iova, e->entry_kind);
		if (e->entry_iova < prev)
			H_FAIL("as %u: tree-get iova 0x%llx after 0x%llx", id,
			       (unsigned long long)e->entry_iova, (unsigned long long)prev);
		prev = e->entry_iova;
		ASSERT_OK(walk(fd, id, e->entry_iova, 0, &w));
		if (d >= w.n_levels || !lv_equal(&w.levels[d], e)) {
			const struct iopgt_walk_level *lv = d < w.n_levels ? &w.levels[d] : NULL;

			H_FAIL("as %u iova 0x%llx depth %u: tree-get kind %u level %u index %u "
			       "span %u pte 0x%llx oa 0x%llx table_pa 0x%llx; WALK (%u levels) "
			       "kind %u level %u index %u span %u pte 0x%llx oa 0x%llx "
			       "table_pa 0x%llx", id, (unsigned long long)e->entry_iova, d,
			       e->entry_kind, e->entry_level, e->entry_index, e->entry_span_log2,
			       (unsigned long long)e->entry_pte, (unsigned long long)e->entry_oa,
			       (unsigned long long)e->entry_table_pa, w.n_levels,
			       lv ? lv->kind : 0, lv ? lv->level : 0, lv ? lv->index : 0,
			       lv ? lv->span_log2 : 0, lv ? (unsigned long long)lv->pte : 0,
			       lv ? (unsigned long long)lv->oa : 0,
			       lv ? (unsigned long long)lv->table_pa : 0);
			continue;
		}
		if (e->entry_kind == IOPGT_PTE_TABLE) {
			tables++;
			continue;
		}
		if (e->entry_kind != IOPGT_PTE_BLOCK && e->entry_kind != IOPGT_PTE_PAGE) {
			H_FAIL("as %u iova 0x%llx: tree-get kind %u", id,
			       (unsigned long long)e->entry_iova, e->entry_kind);
			continue;
		}
		leaves++;
		ASSERT_LT(e->entry_span_log2, 64);
		{
			__u64 span = 1ULL << e->entry_span_log2, last = e->entry_iova + span - 1;

			bytes += span;
			EXPECT_EQ(w.n_levels, d + 1);
			EXPECT_EQ(w.out_flags & IOPGT_WALK_MAPPED, IOPGT_WALK_MAPPED);
			EXPECT_EQ(w.phys, e->entry_oa);
			if (xlate_or_none(fd, id, e->entry_iova) != e->entry_oa ||
			    xlate_or_none(fd, id, last) != e->entry_oa + span - 1)
				H_FAIL("as %u leaf 0x%llx+2^%u -> 0x%llx: IOVA_TO_PHYS gives 0x%llx "
				       "and 0x%llx at its ends", id,
				       (unsigned long long)e->entry_iova, e->entry_span_log2,
				       (unsigned long long)e->entry_oa,
				       (unsigned long long)xlate_or_none(fd, id, e->entry_iova),
				       (unsigned long long)xlate_or_none(fd, id, last));
		}
		if (h_failed())
			h_abort();
	}
	iopgt_tree_get_list_free(list);
	as_dump_one(ys, fd, id, c, &as_tables);
	ASSERT_OK(as_info(fd, id, &ai));
	if (bytes != ai.mapped_bytes)
		H_FAIL("as %u: tree-get leaves cover 0x%llx bytes, AS_INFO mapped 0x%llx", id,
		       (unsigned long long)bytes, (unsigned long long)ai.mapped_bytes);
	if (as_tables != tables + 1)
		H_FAIL("as %u: tree-get has %lu table entries, as-get as-tables %llu", id,
		       tables, (unsigned long long)as_tables);
	return leaves;
}

TEST_CFG(tree_dump_agrees_with_walk)
{
	struct iopgt_as_create c;
	struct ext ex[64];
	struct ynl_sock *ys = ynl_open();
	int fd = dev_open(), id, ne;
	unsigned long l0, l1, l2;

	id = as_create_v(fd, variant, 0, &c);
	l0 = check_as(ys, fd, id, &c);
	EXPECT_EQ(l0, 0);
	ne = map_mix(fd, id, &c, ex);
	l1 = check_as(ys, fd, id, &c);
	ASSERT_GE(ne, 1);
	ASSERT_OK(unmap1(fd, id, ex[0].iova, ex[0].len, NULL));
	l2 = check_as(ys, fd, id, &c);
	EXPECT_LT(l2, l1);
	h_diag("%s: %d extents, %lu leaves, %lu after an unmap", variant->name, ne, l1, l2);
	ynl_sock_destroy(ys);
	close(fd);
}

TEST_X(as_dump_agrees_with_as_info, H_PLAIN, 120, 0)
{
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];
	struct iopgt_as_create c[IOPGT_FMT_COUNT + 2];
	struct iopgt_as_get_list *list;
	struct iopgt_as_get_req *req;
	struct iopgt_get_info gi;
	struct ext ex[64];
	struct ynl_sock *ys;
	unsigned int seen[IOPGT_FMT_COUNT + 2] = { 0 }, nas = 0, persistent = 0;
	int fd = dev_open(), ids[IOPGT_FMT_COUNT + 2];
	unsigned long leaves = 0;

	ASSERT_OK(get_info(fd, &gi, fi));
	if (!gi.n_available)
		SKIP("no format is available on this kernel");
	ys = ynl_open();
	for (unsigned int i = 0; i < gi.n_formats; i++) {
		if (!(fi[i].flags & IOPGT_FMT_F_AVAILABLE))
			continue;
		ids[nas] = as_create(fd, fi[i].format, 0, 0, 0, 0, 0, &c[nas]);
		ASSERT_GT(ids[nas], 0);
		map_mix(fd, ids[nas], &c[nas], ex);
		nas++;
		if (!persistent) {
			/* a persistent one of the first format, left empty */
			ids[nas] = as_create(fd, fi[i].format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0,
					     &c[nas]);
			ASSERT_GT(ids[nas], 0);
			persistent = ids[nas++];
		}
		if ((fi[i].flags & IOPGT_FMT_F_NONCOHERENT) && nas < IOPGT_FMT_COUNT + 1) {
			int id = as_create(fd, fi[i].format, IOPGT_AS_NONCOHERENT, 0, 0, 0, 0,
					   &c[nas]);

			if (id > 0) {
				map_mix(fd, id, &c[nas], ex);
				ids[nas++] = id;
			} else {
				/* one live AS of this format already exists */
				EXPECT_EQ(errno, fi[i].flags & IOPGT_FMT_F_ONE_LIVE ?
					  EBUSY : EOPNOTSUPP);
			}
		}
	}
	req = iopgt_as_get_req_alloc();
	ASSERT_TRUE(req != NULL);
	list = iopgt_as_get_dump(ys, req);
	iopgt_as_get_req_free(req);
	if (!list) {
		H_FAIL("YNL as-get dump: %s (code %d)", ys->err.msg, ys->err.code);
		h_abort();
	}
	ynl_dump_foreach(list, r) {
		int k = -1;

		for (unsigned int i = 0; i < nas; i++)
			if (ids[i] > 0 && (__u32)ids[i] == r->as_id)
				k = i;
		/* address spaces of others (persistent ones) still agree */
		as_msg_agrees(fd, r, k >= 0 ? &c[k] : NULL);
		if (k >= 0)
			seen[k]++;
	}
	iopgt_as_get_list_free(list);
	for (unsigned int i = 0; i < nas; i++) {
		if (seen[i] != 1)
			H_FAIL("as %d (%s): %u messages in the as-get dump", ids[i],
			       format_name(c[i].format), seen[i]);
		leaves += check_as(ys, fd, ids[i], &c[i]);
	}
	h_diag("%u address spaces (%u formats) alive at once, %lu leaves: as-get and "
	       "tree-get agree with the ioctls", nas, gi.n_available, leaves);
	ASSERT_OK(as_destroy(fd, persistent));
	ynl_sock_destroy(ys);
	close(fd);
}

#else /* !IOPGT_YNL */

#if __has_include("ynl-skip.h")
#include "ynl-skip.h"
#else
#define IOPGT_YNL_SKIP "built without the YNL client (make -C tests YNL_DIR=<dir>, scripts/ynl.sh)"
#endif

TEST(ynl_client)
{
	SKIP("no YNL client of uapi/iopgt.yaml: %s", IOPGT_YNL_SKIP);
}

#endif /* IOPGT_YNL */
