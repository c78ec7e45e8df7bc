// SPDX-License-Identifier: GPL-2.0
/*
 * iopgt test harness: registration, runtime variant generation from
 * IOPGT_GET_INFO, forked execution with timeouts, TAP 13 output and a
 * per-test leak check (GET_INFO module_allocs/table_bytes/nr_as back to the
 * value before the test once the child has exited).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "tap.h"
#include "util.h"

struct h_shared {
	int fail;
	int skip;
	char reason[512];
};

static struct h_test *h_tests, **h_tail = &h_tests;
static struct h_shared *h_sh;
static const char *h_cur_name;
static unsigned long long h_seed_val;

void h_register(struct h_test *t)
{
	*h_tail = t;
	h_tail = &t->next;
}

void h_fixture_variant(struct h_fixture *f, struct h_fvariant *v)
{
	if (!f->vtail)
		f->vtail = &f->variants;
	*f->vtail = v;
	f->vtail = &v->next;
}

void h_fixture_variants(struct h_fixture *f, const void *arr, size_t n, size_t size,
			size_t name_off)
{
	for (size_t i = 0; i < n; i++) {
		const char *el = (const char *)arr + i * size;
		struct h_fvariant *v = calloc(1, sizeof(*v));

		if (!v)
			abort();
		v->data = el;
		memcpy(&v->name, el + name_off, sizeof(v->name));
		h_fixture_variant(f, v);
	}
}

/*
 * The fixture of the running test (child side), torn down when the test
 * returns, ASSERTs or SKIPs; cleared before the teardown runs, so an
 * ASSERT inside it ends the test without running it again.
 */
static struct {
	const struct h_fixture *fx;
	void *self;
	const struct h_variant *v;
	const void *fv;
} h_td;

static void h_teardown(void)
{
	const struct h_fixture *fx = h_td.fx;

	h_td.fx = NULL;
	if (fx && fx->teardown)
		fx->teardown(h_td.self, h_td.v, h_td.fv);
}

const char *h_test_name(void)
{
	return h_cur_name ? h_cur_name : "?";
}

unsigned long long h_seed(void)
{
	return h_seed_val;
}

void h_diag(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# %s\n", buf);
	fflush(stdout);
}

void h_fail_at(const char *file, int line, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("# FAIL %s: %s:%d: %s (seed=%llu)\n", h_test_name(), file, line,
	       buf, h_seed_val);
	fflush(stdout);
	if (h_sh)
		h_sh->fail++;
}

int h_failed(void)
{
	return h_sh ? h_sh->fail : 0;
}

void h_abort(void)
{
	h_teardown();
	fflush(stdout);
	_exit(1);
}

void h_skip(const char *fmt, ...)
{
	va_list ap;

	if (h_sh) {
		va_start(ap, fmt);
		vsnprintf(h_sh->reason, sizeof(h_sh->reason), fmt, ap);
		va_end(ap);
		h_sh->skip = 1;
	}
	h_teardown();
	fflush(stdout);
	_exit(0);
}

const char *h_errname(int e)
{
	static char buf[16];

	switch (e) {
#define E(x) case x: return #x
	E(0); E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO);
	E(E2BIG); E(ENOEXEC); E(EBADF); E(ECHILD); E(EAGAIN); E(ENOMEM);
	E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(ENODEV); E(ENOTDIR);
	E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(EFBIG); E(ENOSPC);
	E(ESPIPE); E(EROFS); E(EPIPE); E(EDOM); E(ERANGE); E(EDEADLK);
	E(ENAMETOOLONG); E(ENOSYS); E(ENOTEMPTY); E(ENODATA); E(EOVERFLOW);
	E(EBADMSG); E(EMSGSIZE); E(EPROTONOSUPPORT); E(EOPNOTSUPP);
	E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENOBUFS); E(ETIMEDOUT);
	E(ECONNREFUSED); E(EALREADY); E(ESTALE); E(ECANCELED);
	E(ENOTRECOVERABLE);
#undef E
	default:
		snprintf(buf, sizeof(buf), "E%d", e);
		return buf;
	}
}

/* ---- variants ---- */

struct h_run {
	struct h_test *t;
	struct h_variant v;
	int has_v;
	const struct h_fvariant *fv;	/* fixture variant (table case) or NULL */
	const char *skip;	/* pre-decided skip reason */
};

static struct h_run *runs;
static int n_runs, cap_runs;

static struct h_run *add_run(struct h_test *t)
{
	if (n_runs == cap_runs) {
		cap_runs = cap_runs ? cap_runs * 2 : 64;
		runs = realloc(runs, cap_runs * sizeof(*runs));
		if (!runs)
			abort();
	}
	memset(&runs[n_runs], 0, sizeof(runs[0]));
	runs[n_runs].t = t;
	return &runs[n_runs++];
}

/* ias/oas values of the kernel io-pgtable selftests */
static const __u32 selftest_as[] = { 32, 36, 40, 42, 44, 48 };

static int add_uniq(__u32 *arr, int n, __u32 v)
{
	for (int i = 0; i < n; i++)
		if (arr[i] == v)
			return n;
	arr[n] = v;
	return n + 1;
}

static int as_values(const struct iopgt_format_info *fi, bool ias, __u32 *out)
{
	__u32 lo = ias ? fi->ias_min : fi->oas_min;
	__u32 hi = ias ? fi->ias_max : fi->oas_max;
	__u32 def = ias ? fi->ias_default : fi->oas_default;
	int n = 0;

	if (fi->flags & IOPGT_FMT_F_IO_PGTABLE) {
		for (unsigned int i = 0; i < sizeof(selftest_as) / sizeof(selftest_as[0]); i++)
			if (selftest_as[i] >= lo && selftest_as[i] <= hi)
				n = add_uniq(out, n, selftest_as[i]);
		if (def >= lo && def <= hi)
			n = add_uniq(out, n, def);
		if (!n && hi)
			n = add_uniq(out, n, hi);
	} else {
		if (def)
			n = add_uniq(out, n, def);
		if (lo)
			n = add_uniq(out, n, lo);
		if (hi)
			n = add_uniq(out, n, hi);
	}
	return n;
}

/* runs[first..] once per variant of the test's fixture (a table: one run per case) */
static void fan_out(struct h_test *t, int first)
{
	int n = n_runs - first;
	struct h_run *base;

	if (!t->fixture || !t->fixture->variants || !n)
		return;
	base = malloc(n * sizeof(*base));
	if (!base)
		abort();
	memcpy(base, &runs[first], n * sizeof(*base));
	n_runs = first;
	for (int i = 0; i < n; i++) {
		if (base[i].skip) {
			*add_run(t) = base[i];
			continue;
		}
		for (const struct h_fvariant *fv = t->fixture->variants; fv; fv = fv->next) {
			struct h_run *r = add_run(t);

			*r = base[i];
			r->fv = fv;
		}
	}
	free(base);
}

static char h_fmt_names[2048];
static char h_no_fmt_reason[512];

static const char *reason_str(__u32 r)
{
	switch (r) {
	case IOPGT_UNAVAIL_NONE: return "available";
	case IOPGT_UNAVAIL_NOT_BUILT: return "not built";
	case IOPGT_UNAVAIL_UNSAFE: return "unsafe standalone";
	case IOPGT_UNAVAIL_NO_BACKEND: return "no backend";
	case IOPGT_UNAVAIL_UNKNOWN_TO_KERNEL: return "unknown to kernel";
	default: return "?";
	}
}

static int h_formats(struct iopgt_format_info *fmts, int *n_fmts, char *err, size_t errlen)
{
	struct iopgt_get_info gi;
	int fd;

	fd = open(IOPGT_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "open %s: %s", IOPGT_DEV, h_errname(errno));
		return -1;
	}
	if (get_info(fd, &gi, fmts) < 0) {
		snprintf(err, errlen, "IOPGT_GET_INFO: %s", h_errname(errno));
		close(fd);
		return -1;
	}
	close(fd);
	*n_fmts = gi.n_formats < IOPGT_FMT_COUNT ? gi.n_formats : IOPGT_FMT_COUNT;
	return 0;
}

static void expand(struct iopgt_format_info *fmts, int n_fmts)
{
	int n_avail = 0, cnt[5] = { 0 };
	char *p = h_fmt_names;

	for (int i = 0; i < n_fmts; i++) {
		p += snprintf(p, h_fmt_names + sizeof(h_fmt_names) - p, "%s%s=%s",
			      i ? " " : "", fmts[i].name,
			      (fmts[i].flags & IOPGT_FMT_F_AVAILABLE) ? "available" :
			      reason_str(fmts[i].unavail_reason));
		if (fmts[i].flags & IOPGT_FMT_F_AVAILABLE)
			n_avail++;
		else if (fmts[i].unavail_reason < 5)
			cnt[fmts[i].unavail_reason]++;
	}
	if (!n_avail)
		snprintf(h_no_fmt_reason, sizeof(h_no_fmt_reason),
			 "no page-table format available on this kernel (%d not built, %d unsafe standalone, %d no backend, %d unknown to kernel)",
			 cnt[1], cnt[2], cnt[3], cnt[4]);

	for (struct h_test *t = h_tests; t; t = t->next) {
		const char *filter = getenv("IOPGT_TEST_FILTER");
		int first = n_runs;

		if (filter && *filter && !strstr(t->name, filter))
			continue;
		if (t->kind == H_PLAIN) {
			add_run(t);
			fan_out(t, first);
			continue;
		}
		if (!n_avail) {
			add_run(t)->skip = h_no_fmt_reason;
			continue;
		}
		for (int i = 0; i < n_fmts; i++) {
			const struct iopgt_format_info *fi = &fmts[i];
			__u32 iasv[16], oasv[16];
			int ni, no;

			if (!(fi->flags & IOPGT_FMT_F_AVAILABLE))
				continue;
			if (t->kind == H_FMT) {
				struct h_run *r = add_run(t);

				r->has_v = 1;
				r->v.fi = *fi;
				r->v.format = fi->format;
				snprintf(r->v.name, sizeof(r->v.name), "%s", fi->name);
				continue;
			}
			ni = as_values(fi, true, iasv);
			no = as_values(fi, false, oasv);
			for (unsigned int s = 0; s < fi->n_pgsize_sets && s < IOPGT_MAX_PGSIZE_SETS; s++) {
				for (int a = 0; a < ni; a++) {
					for (int o = 0; o < no; o++) {
						struct h_run *r;
						char pb[64];

						/* the selftests' rule: ias > oas is not valid for S2 */
						if ((fi->flags & IOPGT_FMT_F_IO_PGTABLE) &&
						    iasv[a] > oasv[o])
							continue;
						r = add_run(t);
						r->has_v = 1;
						r->v.fi = *fi;
						r->v.format = fi->format;
						r->v.pgsizes = fi->pgsize_sets[s];
						r->v.ias = iasv[a];
						r->v.oas = oasv[o];
						snprintf(r->v.name, sizeof(r->v.name),
							 "%s/%s/ias%u/oas%u", fi->name,
							 pgsizes_str(fi->pgsize_sets[s], pb, sizeof(pb)),
							 iasv[a], oasv[o]);
					}
				}
			}
		}
		fan_out(t, first);
	}
}

/* the test's body (child side): with its fixture set up and torn down */
static void run_body(struct h_run *r)
{
	const struct h_variant *v = r->has_v ? &r->v : NULL;
	const struct h_fixture *fx = r->t->fixture;
	const void *fv = r->fv ? r->fv->data : NULL;
	void *self;

	if (!r->t->ffn) {
		r->t->fn(v);
		return;
	}
	self = calloc(1, fx->size ? fx->size : 1);
	if (!self) {
		H_FAIL("fixture %s: no memory", fx->name);
		h_abort();
	}
	if (fx->setup)
		fx->setup(self, v, fv);
	h_td.fx = fx;
	h_td.self = self;
	h_td.v = v;
	h_td.fv = fv;
	r->t->ffn(self, v, fv);
	h_teardown();
	free(self);
}

static volatile sig_atomic_t h_alarm;

static void on_alarm(int sig)
{
	(void)sig;
	h_alarm = 1;
}

static int run_one(struct h_run *r, int idx, bool leakcheck)
{
	char name[256];
	struct leak_snap before, after;
	bool have_before = false;
	unsigned int timeout = r->t->timeout;
	const char *tm = getenv("IOPGT_TEST_TIMEOUT_SCALE");
	int status = 0, ok;
	pid_t pid;

	snprintf(name, sizeof(name), "%s%s%s%s%s", r->t->name, r->has_v ? "/" : "",
		 r->has_v ? r->v.name : "", r->fv ? "/" : "", r->fv ? r->fv->name : "");
	if (r->skip) {
		tap_line(1, idx, name, r->skip);
		return 0;
	}
	if (tm && atoi(tm) > 0)
		timeout *= atoi(tm);
	if (leakcheck && !(r->t->flags & H_NOLEAK))
		have_before = leak_snap(&before) == 0;
	memset(h_sh, 0, sizeof(*h_sh));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("# FAIL %s: fork: %s\n", name, h_errname(errno));
		tap_line(0, idx, name, NULL);
		return 1;
	}
	if (!pid) {
		setpgid(0, 0);
		/* never outlive the runner (a killed runner must not leave a test mapping) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		h_cur_name = name;
		signal(SIGALRM, SIG_DFL);
		run_body(r);
		fflush(stdout);
		_exit(h_sh->fail ? 1 : 0);
	}
	h_alarm = 0;
	alarm(timeout);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			break;
		if (h_alarm) {
			printf("# FAIL %s: timeout after %u s (seed=%llu)\n", name,
			       timeout, h_seed_val);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			h_alarm = 0;
		}
	}
	alarm(0);
	/* reap anything the test left in its process group */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, WNOHANG) > 0)
		;
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !h_sh->fail;
	if (WIFSIGNALED(status))
		printf("# FAIL %s: killed by signal %d (seed=%llu)\n", name,
		       WTERMSIG(status), h_seed_val);
	if (ok && h_sh->skip) {
		tap_line(1, idx, name, h_sh->reason);
		return 0;
	}
	if (have_before && leak_snap(&after) == 0 && !leak_same(&before, &after, name))
		ok = 0;
	tap_line(ok, idx, name, NULL);
	return !ok;
}

int h_main(int argc, char **argv)
{
	struct iopgt_format_info fmts[IOPGT_FMT_COUNT];
	char err[256];
	const char *s = getenv("IOPGT_SEED");
	int n_fmts = 0, fails = 0;
	bool leakcheck = !getenv("IOPGT_NO_LEAKCHECK");
	struct sigaction sa = { .sa_handler = on_alarm };

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	h_seed_val = s && *s ? strtoull(s, NULL, 0) :
		     (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 16);
	sigaction(SIGALRM, &sa, NULL);
	h_sh = mmap(NULL, sizeof(*h_sh), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h_sh == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	printf("TAP version 13\n");
	if (h_formats(fmts, &n_fmts, err, sizeof(err)) < 0) {
		printf("1..1\n# %s: %s\nnot ok 1 - %s-setup # %s\n", argv[0], err,
		       argv[0], err);
		return 1;
	}
	expand(fmts, n_fmts);
	printf("# %s seed=%llu (set IOPGT_SEED to reproduce)\n", argv[0], h_seed_val);
	printf("# formats: %s\n", h_fmt_names);
	printf("1..%d\n", n_runs);
	fflush(stdout);
	for (int i = 0; i < n_runs; i++)
		fails += run_one(&runs[i], i + 1, leakcheck);
	printf("# %d tests, %d failed\n", n_runs, fails);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	return h_main(argc, argv);
}
