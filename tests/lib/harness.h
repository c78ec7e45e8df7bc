/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal kselftest-harness-like framework for the iopgt in-VM tests.
 *
 * Tests are registered with TEST() (run once), TEST_FMT() (run once per
 * format the running kernel offers, default configuration) or TEST_CFG()
 * (run once per format x page-size set x ias/oas variant). Variants are
 * generated at run time from IOPGT_GET_INFO, so every kernel tests what it
 * offers. Each test runs in a forked child with a timeout; results are TAP 13.
 *
 * Fixtures (the shape of the kernel's kselftest_harness.h, combined with the
 * run-time variants above, which that harness lacks):
 *
 *	FIXTURE(as) { int fd; int id; };		// per-run state: self
 *	FIXTURE_VARIANT(as) { const char *name; __u32 flags; };	// optional
 *	FIXTURE_VARIANT_ADD(as, persistent) { .flags = IOPGT_AS_PERSISTENT };
 *	FIXTURE_VARIANT_ARRAY(as, cases);	// or a table: one per element
 *	FIXTURE_SETUP(as) { self->fd = dev_open(); ... }	// may ASSERT
 *	FIXTURE_TEARDOWN(as) { close(self->fd); }
 *	TEST_F_FMT(as, map_one) { ... self->id ... fvariant->flags ... }
 *
 * TEST_F / TEST_F_FMT / TEST_F_CFG / TEST_F_X run a test like TEST / TEST_FMT
 * / TEST_CFG / TEST_X, once per fixture variant within each run-time variant
 * (every case of a table is its own TAP line, "test/format.../case"), with
 * self set up before and torn down after; a test that ASSERTs or SKIPs
 * still gets its teardown (setup that fails does not). Bodies see self,
 * variant (the run-time variant, NULL for TEST_F) and fvariant (the
 * fixture variant, NULL when the fixture has none).
 *
 * Assertions: ASSERT_* end the test on failure, EXPECT_* record the failure and
 * continue. ASSERT_ERRNO(expr, E) requires expr to return -1 with errno == E
 * and prints the names of what it got and what it expected. Result lines
 * come from the TAP helper the host unit tests use (userspace/tests/tap.h).
 */
#ifndef IOPGT_TEST_HARNESS_H
#define IOPGT_TEST_HARNESS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/iopgt.h>

enum h_kind {
	H_PLAIN,	/* run once */
	H_FMT,		/* once per available format, default cfg */
	H_CFG,		/* once per available format x pgsize set x ias/oas */
};

/* per-test flags */
#define H_NOLEAK	(1U << 0)	/* test does its own leak accounting */

struct h_variant {
	char name[96];
	struct iopgt_format_info fi;
	__u32 format;
	__u64 pgsizes;		/* requested pgsize_bitmap (0: default) */
	__u32 ias, oas;		/* requested (0: default) */
};

struct h_ctx;
typedef void (*h_fn)(const struct h_variant *v);
typedef void (*h_ffn)(void *self, const struct h_variant *v, const void *fv);

/* one FIXTURE_VARIANT_ADD / element of a FIXTURE_VARIANT_ARRAY */
struct h_fvariant {
	const char *name;
	const void *data;
	struct h_fvariant *next;
};

struct h_fixture {
	const char *name;
	size_t size;			/* of self */
	h_ffn setup, teardown;		/* NULL: none */
	struct h_fvariant *variants, **vtail;
};

struct h_test {
	const char *name;
	h_fn fn;
	h_ffn ffn;			/* TEST_F*: the body, with fixture */
	struct h_fixture *fixture;
	enum h_kind kind;
	unsigned int timeout;
	unsigned int flags;
	struct h_test *next;
};

void h_register(struct h_test *t);
void h_fixture_variant(struct h_fixture *f, struct h_fvariant *v);
/* each of @n elements of @arr (@size bytes apart, a const char *name at @name_off) */
void h_fixture_variants(struct h_fixture *f, const void *arr, size_t n, size_t size,
			size_t name_off);
int h_main(int argc, char **argv);

/* Failure bookkeeping (child side). */
void h_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void h_abort(void) __attribute__((noreturn));
void h_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void h_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int h_failed(void);
const char *h_errname(int e);
/* Name of the test currently running (child side). */
const char *h_test_name(void);

/* Seed: IOPGT_SEED or time; printed in every failure message. */
unsigned long long h_seed(void);

#define _H_REG(_name, _kind, _timeout, _flags)				\
	static void _name(const struct h_variant *variant);		\
	static struct h_test _h_t_##_name = {				\
		.name = #_name, .fn = _name, .kind = _kind,		\
		.timeout = _timeout, .flags = _flags };			\
	__attribute__((constructor)) static void _h_reg_##_name(void)	\
	{ h_register(&_h_t_##_name); }					\
	static void _name(const struct h_variant *variant __attribute__((unused)))

#define TEST(n)			_H_REG(n, H_PLAIN, 30, 0)
#define TEST_FMT(n)		_H_REG(n, H_FMT, 30, 0)
#define TEST_CFG(n)		_H_REG(n, H_CFG, 30, 0)
/* explicit timeout (seconds) and flags */
#define TEST_X(n, k, to, fl)	_H_REG(n, k, to, fl)

/* ---- fixtures (kselftest_harness.h shape) ---- */

#define FIXTURE(fx)							\
	static struct h_fixture _h_fx_##fx = { .name = #fx };		\
	struct _h_fxv_##fx;						\
	struct _h_fxd_##fx

#define FIXTURE_VARIANT(fx)	struct _h_fxv_##fx

#define FIXTURE_SETUP(fx)	_H_FX_HOOK(fx, setup)
#define FIXTURE_TEARDOWN(fx)	_H_FX_HOOK(fx, teardown)
#define _H_FX_HOOK(fx, hook)						\
	static void _h_fx_##hook##_##fx(struct _h_fxd_##fx *self,	\
		const struct h_variant *variant,			\
		const struct _h_fxv_##fx *fvariant);			\
	static void _h_fxw_##hook##_##fx(void *s, const struct h_variant *v, \
					  const void *fv)		\
	{ _h_fx_##hook##_##fx(s, v, fv); }				\
	__attribute__((constructor)) static void _h_fxr_##hook##_##fx(void) \
	{ _h_fx_##fx.hook = _h_fxw_##hook##_##fx; }			\
	static void _h_fx_##hook##_##fx(struct _h_fxd_##fx *self __attribute__((unused)), \
		const struct h_variant *variant __attribute__((unused)), \
		const struct _h_fxv_##fx *fvariant __attribute__((unused)))

#define FIXTURE_VARIANT_ADD(fx, vn)					\
	static const struct _h_fxv_##fx _h_fxv_##fx##_##vn;		\
	static struct h_fvariant _h_fvr_##fx##_##vn = {			\
		.name = #vn, .data = &_h_fxv_##fx##_##vn };		\
	__attribute__((constructor)) static void _h_fvreg_##fx##_##vn(void) \
	{ h_fixture_variant(&_h_fx_##fx, &_h_fvr_##fx##_##vn); }	\
	static const struct _h_fxv_##fx _h_fxv_##fx##_##vn =

/*
 * Every element of a static array is a variant named by its .name (a
 * const char *): an array of FIXTURE_VARIANT(fx), or of a case struct
 * several fixtures share, which the bodies then get as fvariant (cast it).
 */
#define FIXTURE_VARIANT_ARRAY(fx, arr)					\
	__attribute__((constructor)) static void _h_fvarr_##fx(void)	\
	{ h_fixture_variants(&_h_fx_##fx, arr, sizeof(arr) / sizeof(arr[0]), \
			     sizeof(arr[0]), offsetof(__typeof__(arr[0]), name)); }

#define _H_REG_F(fx, _name, _kind, _timeout, _flags)			\
	static void _name(struct _h_fxd_##fx *self,			\
			  const struct h_variant *variant,		\
			  const struct _h_fxv_##fx *fvariant);		\
	static void _h_fw_##_name(void *s, const struct h_variant *v, const void *fv) \
	{ _name(s, v, fv); }						\
	static struct h_test _h_t_##_name = {				\
		.name = #_name, .ffn = _h_fw_##_name, .fixture = &_h_fx_##fx, \
		.kind = _kind, .timeout = _timeout, .flags = _flags };	\
	__attribute__((constructor)) static void _h_reg_##_name(void)	\
	{								\
		_h_fx_##fx.size = sizeof(struct _h_fxd_##fx);		\
		h_register(&_h_t_##_name);				\
	}								\
	static void _name(struct _h_fxd_##fx *self __attribute__((unused)), \
		const struct h_variant *variant __attribute__((unused)), \
		const struct _h_fxv_##fx *fvariant __attribute__((unused)))

#define TEST_F(fx, n)		_H_REG_F(fx, n, H_PLAIN, 30, 0)
#define TEST_F_FMT(fx, n)	_H_REG_F(fx, n, H_FMT, 30, 0)
#define TEST_F_CFG(fx, n)	_H_REG_F(fx, n, H_CFG, 30, 0)
#define TEST_F_X(fx, n, k, to, fl)	_H_REG_F(fx, n, k, to, fl)

#define H_FAIL(...)	h_fail_at(__FILE__, __LINE__, __VA_ARGS__)

#define _H_CMP(abort, a, op, b) do {					\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (!(_a op _b)) {						\
		H_FAIL("%s %s %s: 0x%llx (%lld) vs 0x%llx (%lld)",	\
		       #a, #op, #b, _a, (long long)_a, _b, (long long)_b); \
		if (abort)						\
			h_abort();					\
	}								\
} while (0)

/*
 * Orderings compare the mathematical values: a negative operand of a
 * signed type is below every value of an unsigned one (ASSERT_GE(fd, 0)
 * fails for fd -1). EQ/NE compare bit patterns, so -EINVAL equals a __u32
 * holding it.
 */
#define _H_NEG(x, v)	((__typeof__(x))-1 < 1 && (long long)(v) < 0)

static inline int h_cmp3(unsigned long long a, int a_neg,
			 unsigned long long b, int b_neg)
{
	if (a_neg != b_neg)
		return a_neg ? -1 : 1;
	return a < b ? -1 : a > b;
}

#define _H_ORD(abort, a, op, b) do {					\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (!(h_cmp3(_a, _H_NEG(a, _a), _b, _H_NEG(b, _b)) op 0)) {		\
		H_FAIL("%s %s %s: 0x%llx (%lld) vs 0x%llx (%lld)",	\
		       #a, #op, #b, _a, (long long)_a, _b, (long long)_b); \
		if (abort)						\
			h_abort();					\
	}								\
} while (0)

#define ASSERT_EQ(a, b)	_H_CMP(1, a, ==, b)
#define ASSERT_NE(a, b)	_H_CMP(1, a, !=, b)
#define ASSERT_LE(a, b)	_H_ORD(1, a, <=, b)
#define ASSERT_LT(a, b)	_H_ORD(1, a, <, b)
#define ASSERT_GE(a, b)	_H_ORD(1, a, >=, b)
#define ASSERT_GT(a, b)	_H_ORD(1, a, >, b)
#define EXPECT_EQ(a, b)	_H_CMP(0, a, ==, b)
#define EXPECT_NE(a, b)	_H_CMP(0, a, !=, b)
#define EXPECT_LE(a, b)	_H_ORD(0, a, <=, b)
#define EXPECT_GE(a, b)	_H_ORD(0, a, >=, b)
#define EXPECT_LT(a, b)	_H_ORD(0, a, <, b)
#define EXPECT_GT(a, b)	_H_ORD(0, a, >, b)
#define ASSERT_TRUE(c)	do { if (!(c)) { H_FAIL("%s is false", #c); h_abort(); } } while (0)
#define EXPECT_TRUE(c)	do { if (!(c)) H_FAIL("%s is false", #c); } while (0)

/* expr must succeed (return >= 0) */
#define _H_OK(abort, expr) ({						\
	errno = 0;							\
	long _r = (long)(expr);						\
	if (_r < 0) {							\
		int _e = errno;						\
		H_FAIL("%s failed: %s (%d)", #expr, h_errname(_e), _e);	\
		if (abort)						\
			h_abort();					\
	}								\
	_r;								\
})
#define ASSERT_OK(expr)	_H_OK(1, expr)
#define EXPECT_OK(expr)	_H_OK(0, expr)

/* expr must return -1 with errno == e */
#define _H_ERRNO(abort, expr, e) ({					\
	errno = 0;							\
	long _r = (long)(expr);						\
	int _e = errno, _ok = (_r == -1 && _e == (e));			\
	if (!_ok) {							\
		if (_r == -1)						\
			H_FAIL("%s: got %s (%d), expected %s (%d)", #expr,	\
			       h_errname(_e), _e, h_errname(e), (e));	\
		else							\
			H_FAIL("%s: succeeded (ret %ld), expected %s (%d)", \
			       #expr, _r, h_errname(e), (e));		\
		if (abort)						\
			h_abort();					\
	}								\
	_ok;								\
})
#define ASSERT_ERRNO(expr, e)	_H_ERRNO(1, expr, e)
#define EXPECT_ERRNO(expr, e)	_H_ERRNO(0, expr, e)

#define SKIP(...)	h_skip(__VA_ARGS__)

#endif
