// SPDX-License-Identifier: GPL-2.0
/*
 * The `iopgt` CLI against the kernel (issue 4's "must show", checked by a
 * test): per available format a mix of page sizes is mapped (persistent AS,
 * so the CLI process can name it) and dumped in all four formats; the JSON
 * leaves must agree exactly with what was mapped (per-size leaf counts, a
 * contiguous leaf counting once, and every leaf's output address), `translate` and `walk`
 * must agree with IOVA_TO_PHYS. A 10K/100K/1M-leaf JSON dump is timed and
 * the CLI's peak RSS (getrusage of the child) must stay flat. As an
 * unprivileged user the CLI must be refused with exit status 1 and a message;
 * map/unmap/destroy of another process's non-persistent address space too.
 * IOPGT_CLI overrides the binary (default: iopgt from PATH).
 */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *cli(void)
{
	const char *c = getenv("IOPGT_CLI");

	return c && *c ? c : "iopgt";
}

struct run {
	int status;
	struct rusage ru;
	double secs;
	char err[512];
};

typedef void (*line_fn)(const char *line, void *arg);

/* run the CLI with args; feed stdout lines to fn; capture stderr */
static void run_cli(char *const argv[], line_fn fn, void *arg, bool drop, struct run *r)
{
	int out[2], err[2];
	struct timespec t0, t1;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	pid_t pid;
	ssize_t n;

	ASSERT_OK(pipe(out));
	ASSERT_OK(pipe(err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		if (drop && (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
			     setresuid(65534, 65534, 65534)))
			_exit(99);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	f = fdopen(out[0], "r");
	ASSERT_TRUE(f != NULL);
	while ((n = getline(&line, &cap, f)) >= 0)
		if (fn)
			fn(line, arg);
	fclose(f);
	free(line);
	n = read(err[0], r->err, sizeof(r->err) - 1);
	r->err[n > 0 ? n : 0] = 0;
	while (n > 0 && r->err[n - 1] == '\n')
		r->err[--n] = 0;
	close(err[0]);
	ASSERT_EQ(wait4(pid, &r->status, 0, &r->ru), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 127)
		H_FAIL("cannot run %s", argv[0]);
}

static int exit_code(const struct run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status);
}

/*
 * The page-size mix the CLI tests map: 19 granules, then 2 pages of each
 * larger size of pgsizes_mix(), each extent aligned to its page size with
 * a gap of one page, inside ias/oas. Returns the number of extents.
 */
static int plan_mix(const struct iopgt_as_create *c, struct ext *ex)
{
	__u64 sizes[6], iova = 0;
	int n = pgsizes_mix(c->out_pgsize_bitmap, sizes), ne = 0;

	for (int i = 0; i < n; i++) {
		__u64 s = sizes[i], cnt = i ? 2 : 19, pa = (0x40 + 8 * i) * s;

		iova = (iova + s - 1) & ~(s - 1);
		if (c->out_ias < 64 && iova + cnt * s > 1ULL << c->out_ias)
			break;
		if (c->out_oas < 64 && pa + cnt * s > 1ULL << c->out_oas)
			pa = 0;
		ex[ne++] = (struct ext){ iova, pa, cnt * s, s };
		iova += (cnt + 1) * s;
	}
	return ne;
}

struct jcheck {
	const struct ext *ex;
	int ne;
	unsigned long long leaves[64], bytes, bad, lines;
	__u64 base, pa, gran;	/* for the big dump: one linear extent */
};

static bool jfield(const char *line, const char *key, unsigned long long *v)
{
	const char *p = strstr(line, key);

	if (!p)
		return false;
	p += strlen(key);
	if (*p == '"')
		p++;
	*v = strtoull(p, NULL, 0);
	return true;
}

static void json_line(const char *line, void *arg)
{
	struct jcheck *j = arg;
	unsigned long long iova, oa, span;

	j->lines++;
	if (!strstr(line, "\"kind\":\"page\"") && !strstr(line, "\"kind\":\"block\""))
		return;
	if (!jfield(line, "\"iova\":", &iova) || !jfield(line, "\"oa\":", &oa) ||
	    !jfield(line, "\"span_log2\":", &span) || span >= 64) {
		if (j->bad++ < 3)
			H_FAIL("unparsable json leaf: %.200s", line);
		return;
	}
	j->leaves[span]++;
	j->bytes += 1ULL << span;
	if (j->ex) {
		for (int i = 0; i < j->ne; i++)
			if (iova >= j->ex[i].iova && iova < j->ex[i].iova + j->ex[i].len) {
				if (oa != j->ex[i].pa + (iova - j->ex[i].iova) && j->bad++ < 3)
					H_FAIL("json leaf 0x%llx: oa 0x%llx, mapped to 0x%llx", iova,
					       oa, (unsigned long long)(j->ex[i].pa + iova - j->ex[i].iova));
				return;
			}
		if (j->bad++ < 3)
			H_FAIL("json leaf 0x%llx was never mapped", iova);
	} else if (oa != j->pa + (iova - j->base) || (1ULL << span) != j->gran) {
		if (j->bad++ < 3)
			H_FAIL("json leaf 0x%llx: oa 0x%llx span %llu", iova, oa, span);
	}
}

struct grab {
	char buf[4096];
	size_t len;
};

static void grab_line(const char *line, void *arg)
{
	struct grab *g = arg;
	size_t l = strlen(line);

	if (g->len + l < sizeof(g->buf)) {
		memcpy(g->buf + g->len, line, l);
		g->len += l;
		g->buf[g->len] = 0;
	}
}

static void count_line(const char *line, void *arg)
{
	(void)line;
	(*(unsigned long long *)arg)++;
}

TEST_FMT(cli_dump_translate_walk)
{
	static const char *const fmts[] = { "tree", "ranges", "json", "dot" };
	struct iopgt_as_create c;
	struct ext ex[16];
	char ids[16];
	int fd = dev_open(), id, ne;
	unsigned long long want[64] = { 0 }, total = 0;

	id = as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	snprintf(ids, sizeof(ids), "%d", id);
	ne = plan_mix(&c, ex);
	for (int i = 0; i < ne; i++) {
		ASSERT_OK(map1(fd, id, ex[i].iova, ex[i].pa, ex[i].len, RW,
			       ilog2_64(ex[i].pgsize), NULL));
		want[ilog2_64(ex[i].pgsize)] += ex[i].len / ex[i].pgsize;
		total += ex[i].len;
	}
	for (unsigned int k = 0; k < 4; k++) {
		char *argv[] = { (char *)cli(), "dump", ids, "--format", (char *)fmts[k], NULL };
		struct jcheck j = { .ex = ex, .ne = ne };
		unsigned long long lines = 0;
		struct run r;

		if (k == 2) {
			run_cli(argv, json_line, &j, false, &r);
			EXPECT_EQ(j.bad, 0);
			EXPECT_EQ(j.bytes, total);
			for (int b = 0; b < 64; b++)
				if (j.leaves[b] != want[b])
					H_FAIL("json: %llu leaves of 2^%d, mapped %llu",
					       j.leaves[b], b, want[b]);
		} else {
			run_cli(argv, count_line, &lines, false, &r);
			EXPECT_GT(lines, 1);
		}
		if (exit_code(&r))
			H_FAIL("iopgt dump %s --format %s: exit %d: %s", ids, fmts[k],
			       exit_code(&r), r.err);
	}
	/* translate and walk of one IOVA per extent */
	for (int i = 0; i < ne; i++) {
		char iv[32], want_s[40];
		char *targv[] = { (char *)cli(), "translate", ids, iv, NULL };
		char *wargv[] = { (char *)cli(), "walk", ids, iv, NULL };
		struct grab g = { .len = 0 };
		__u64 va = ex[i].iova + ex[i].len - ex[i].pgsize + 0x123;
		__u64 pa = ex[i].pa + ex[i].len - ex[i].pgsize + 0x123;
		struct run r;

		snprintf(iv, sizeof(iv), "0x%llx", (unsigned long long)va);
		snprintf(want_s, sizeof(want_s), "0x%llx", (unsigned long long)pa);
		EXPECT_EQ(xlate_or_none(fd, id, va), pa);
		run_cli(targv, grab_line, &g, false, &r);
		EXPECT_EQ(exit_code(&r), 0);
		if (!strstr(g.buf, want_s))
			H_FAIL("iopgt translate %s %s: output lacks %s: %.200s", ids, iv, want_s,
			       g.buf);
		g.len = 0;
		g.buf[0] = 0;
		run_cli(wargv, grab_line, &g, false, &r);
		EXPECT_EQ(exit_code(&r), 0);
		if (!strstr(g.buf, want_s))
			H_FAIL("iopgt walk %s %s: output lacks %s: %.200s", ids, iv, want_s, g.buf);
	}
	/* the unprivileged user is refused with a message */
	{
		char *argv[] = { (char *)cli(), "dump", ids, NULL };
		struct run r;

		run_cli(argv, NULL, NULL, true, &r);
		EXPECT_EQ(exit_code(&r), 1);
		if (!r.err[0])
			H_FAIL("unprivileged iopgt dump: exit %d without a message", exit_code(&r));
		else
			h_diag("unprivileged dump: %.200s", r.err);
	}
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

/* ---- one `iopgt script` over every available format ---- */

#define SCRIPT_MAX_FMTS	IOPGT_FMT_COUNT

struct sfmt {
	const char *name;
	struct ext ex[8];
	int ne;
	unsigned long long want[64], total;
	/* what the output showed */
	struct jcheck j;
	unsigned long long tree_leaves, range_bytes, dot_open, dot_close, walks_ok, xlates_ok;
	int n_probe;
	__u64 probe_iova[8], probe_pa[8];
};

struct sstate {
	struct sfmt *f;
	int nf, cur;
	char sect[16];
	unsigned long long bad;
};

static void script_line(const char *line, void *arg)
{
	struct sstate *st = arg;
	struct sfmt *f = st->cur >= 0 ? &st->f[st->cur] : NULL;
	unsigned long long a, b, iova, pa;

	if (!strncmp(line, "@@AS ", 5)) {
		st->cur++;
		st->sect[0] = 0;
		if (st->cur >= st->nf || strncmp(line + 5, st->f[st->cur].name,
						 strlen(st->f[st->cur].name))) {
			H_FAIL("script output: unexpected marker %.100s", line);
			st->cur = st->nf - 1;
		}
		return;
	}
	if (!strncmp(line, "@@", 2)) {
		snprintf(st->sect, sizeof(st->sect), "%.*s", (int)strcspn(line + 2, " \n"), line + 2);
		return;
	}
	if (!f)
		return;
	if (!strcmp(st->sect, "JSON")) {
		json_line(line, &f->j);
	} else if (!strcmp(st->sect, "TREE")) {
		if (line[0] != '#' && (strstr(line, " page ") || strstr(line, " block ")))
			f->tree_leaves++;
	} else if (!strcmp(st->sect, "RANGES")) {
		if (sscanf(line, "0x%llx-0x%llx", &a, &b) == 2 && b > a)
			f->range_bytes += b - a;
	} else if (!strcmp(st->sect, "DOT")) {
		if (!strncmp(line, "digraph", 7))
			f->dot_open++;
		else if (!strcmp(line, "}\n"))
			f->dot_close++;
	} else if (!strcmp(st->sect, "PROBE")) {
		/* walk: "AS n FMT iova 0x..: -> 0x.."; translate: "0x.. -> 0x.." */
		const char *w = strstr(line, " iova 0x");

		for (int k = 0; k < f->n_probe; k++) {
			if (w && sscanf(w, " iova 0x%llx: -> 0x%llx", &iova, &pa) == 2 &&
			    iova <= f->probe_iova[k] && f->probe_iova[k] - iova < 0x1000) {
				/* the IOVA as given or page-aligned, and its output */
				if (pa == f->probe_pa[k] - (f->probe_iova[k] - iova))
					f->walks_ok++;
				else if (st->bad++ < 5)
					H_FAIL("%s: walk 0x%llx -> 0x%llx, mapped to 0x%llx", f->name,
					       iova, pa, (unsigned long long)f->probe_pa[k]);
			} else if (!w && sscanf(line, "0x%llx -> 0x%llx", &iova, &pa) == 2 &&
				   iova == f->probe_iova[k]) {
				if (pa == f->probe_pa[k])
					f->xlates_ok++;
				else if (st->bad++ < 5)
					H_FAIL("%s: translate 0x%llx -> 0x%llx, mapped to 0x%llx", f->name,
					       iova, pa, (unsigned long long)f->probe_pa[k]);
			}
		}
	}
}

/*
 * Issue 4's script, literally: one `iopgt script FILE` creates an address
 * space per available format, maps a mix of page sizes (forced with
 * --pgsize), dumps each in all four formats and walks and translates one
 * IOVA per extent; the output is checked section by section (JSON leaves
 * per page size and output address, tree leaf count, ranges byte total,
 * a complete dot graph, walk and translate against the mapping).
 */
TEST(cli_script_every_format)
{
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];
	struct iopgt_get_info gi;
	struct sfmt *sf = calloc(SCRIPT_MAX_FMTS, sizeof(*sf));
	struct sstate st = { .f = sf, .cur = -1 };
	char path[] = "/tmp/iopgt-script-XXXXXX";
	int fd = dev_open(), sfd, nf = 0;
	struct run r;
	FILE *out;

	ASSERT_TRUE(sf != NULL);
	ASSERT_OK(get_info(fd, &gi, fi));
	sfd = mkstemp(path);
	ASSERT_GE(sfd, 0);
	out = fdopen(sfd, "w");
	ASSERT_TRUE(out != NULL);
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++) {
		struct iopgt_as_create c;
		struct sfmt *f = &sf[nf];
		int id;

		if (!(fi[i].flags & IOPGT_FMT_F_AVAILABLE))
			continue;
		/* learn the default geometry the script's create will get */
		id = as_create(fd, fi[i].format, 0, 0, 0, 0, 0, &c);
		ASSERT_GT(id, 0);
		ASSERT_OK(as_destroy(fd, id));
		f->name = format_name(fi[i].format);
		fprintf(out, "echo @@AS %s\ncreate %s\n", f->name, f->name);
		f->ne = plan_mix(&c, f->ex);
		for (int k = 0; k < f->ne; k++) {
			const struct ext *e = &f->ex[k];

			fprintf(out, "map 0x%llx 0x%llx 0x%llx rw --pgsize 0x%llx\n",
				(unsigned long long)e->iova, (unsigned long long)e->pa,
				(unsigned long long)e->len, (unsigned long long)e->pgsize);
			f->want[ilog2_64(e->pgsize)] += e->len / e->pgsize;
			f->total += e->len;
			f->probe_iova[f->n_probe] = e->iova + e->len - e->pgsize + 0x2a8;
			f->probe_pa[f->n_probe++] = e->pa + e->len - e->pgsize + 0x2a8;
		}
		f->j.ex = f->ex;
		f->j.ne = f->ne;
		fputs("echo @@JSON\ndump --format json\necho @@TREE\ndump --format tree\n"
		      "echo @@RANGES\ndump --format ranges\necho @@DOT\ndump --format dot\n"
		      "echo @@PROBE\n", out);
		for (int k = 0; k < f->n_probe; k++)
			fprintf(out, "walk 0x%llx\ntranslate 0x%llx\n",
				(unsigned long long)f->probe_iova[k],
				(unsigned long long)f->probe_iova[k]);
		nf++;
	}
	fclose(out);
	close(fd);
	if (!nf) {
		unlink(path);
		free(sf);
		SKIP("no page-table format available on this kernel");
	}
	st.nf = nf;
	{
		char *argv[] = { (char *)cli(), "script", path, NULL };

		run_cli(argv, script_line, &st, false, &r);
	}
	unlink(path);
	EXPECT_EQ(exit_code(&r), 0);
	if (exit_code(&r))
		h_diag("stderr: %.300s", r.err);
	EXPECT_EQ(st.cur, nf - 1);
	for (int i = 0; i < nf; i++) {
		struct sfmt *f = &sf[i];
		unsigned long long leaves = 0;

		for (int b = 0; b < 64; b++) {
			leaves += f->want[b];
			if (f->j.leaves[b] != f->want[b])
				H_FAIL("%s: json has %llu leaves of 2^%d, mapped %llu", f->name,
				       f->j.leaves[b], b, f->want[b]);
		}
		if (f->j.bad || f->j.bytes != f->total)
			H_FAIL("%s: json: %llu bad leaves, 0x%llx bytes, mapped 0x%llx", f->name,
			       f->j.bad, f->j.bytes, f->total);
		if (f->tree_leaves != leaves)
			H_FAIL("%s: tree has %llu leaf lines, mapped %llu leaves", f->name,
			       f->tree_leaves, leaves);
		if (f->range_bytes != f->total)
			H_FAIL("%s: ranges cover 0x%llx bytes, mapped 0x%llx", f->name,
			       f->range_bytes, f->total);
		if (f->dot_open != 1 || f->dot_close != 1)
			H_FAIL("%s: dot graph opened %llu times, closed %llu", f->name,
			       f->dot_open, f->dot_close);
		if (f->walks_ok != (unsigned long long)f->n_probe ||
		    f->xlates_ok != (unsigned long long)f->n_probe)
			H_FAIL("%s: %llu walks and %llu translations agreed, of %d", f->name,
			       f->walks_ok, f->xlates_ok, f->n_probe);
		h_diag("%s: %llu leaves in %d extents, %llu tree leaf lines, ranges 0x%llx bytes, %llu/%d walks and %llu/%d translations as mapped",
		       f->name, leaves, f->ne, f->tree_leaves, f->range_bytes, f->walks_ok,
		       f->n_probe, f->xlates_ok, f->n_probe);
	}
	free(sf);
}

/* expected "iopgt translate --json" lines, in order */
struct xcheck {
	const __u64 *iova, *pa;	/* pa ~0: not mapped */
	unsigned long long n, seen, bad, range_err;
};

static void xlate_line(const char *raw, void *arg)
{
	struct xcheck *x = arg;
	unsigned long long iova, pa;
	bool mapped = strstr(raw, "\"mapped\":true") != NULL;
	char line[256];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(raw, "\n"), raw);

	if (!jfield(line, "\"iova\":", &iova)) {
		if (x->bad++ < 3)
			H_FAIL("translate --json: unparsable line %.200s", line);
		return;
	}
	if (x->seen >= x->n) {
		if (x->bad++ < 3)
			H_FAIL("translate --json: extra line %.200s", line);
		return;
	}
	if (iova != x->iova[x->seen] && x->bad++ < 3)
		H_FAIL("translate --json: line %llu is iova 0x%llx, asked 0x%llx", x->seen, iova,
		       (unsigned long long)x->iova[x->seen]);
	if (strstr(line, "\"error\":\"ERANGE\"")) {
		x->range_err++;
		if (x->pa[x->seen] != ~0ULL - 1 && x->bad++ < 3)
			H_FAIL("translate 0x%llx: unexpected ERANGE", iova);
	} else if (x->pa[x->seen] == ~0ULL - 1) {
		if (x->bad++ < 3)
			H_FAIL("translate 0x%llx: ERANGE expected: %.200s", iova, line);
	} else if (x->pa[x->seen] == ~0ULL) {
		if (mapped && x->bad++ < 3)
			H_FAIL("translate 0x%llx: mapped, expected not: %.200s", iova, line);
	} else if (!mapped || !jfield(line, "\"phys\":", &pa) || pa != x->pa[x->seen]) {
		if (x->bad++ < 3)
			H_FAIL("translate 0x%llx: want 0x%llx: %.200s", iova,
			       (unsigned long long)x->pa[x->seen], line);
	}
	x->seen++;
}

/*
 * "iopgt translate" with many IOVAs (vector IOVA_TO_PHYS): explicit lists
 * with mapped, unmapped and out-of-range addresses, and a --range walk over
 * 5000 granules (more than one 4096-entry batch) at the default step.
 */
TEST_FMT(cli_translate_vector)
{
	struct iopgt_as_create c;
	__u64 gran, big = 5000, base, pa0, iova[8], pa[8], *riova, *rpa;
	char ids[16], a[8][32], rng[64];
	int fd = dev_open(), id, n = 0;
	struct run r;

	id = as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	snprintf(ids, sizeof(ids), "%d", id);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	base = 16 * gran;
	pa0 = 0x80 * gran;
	if (c.out_ias < 64 && base + 2 * big * gran > 1ULL << c.out_ias)
		SKIP("ias %u too small for %llu granules", c.out_ias, big);
	if (c.out_oas < 64 && pa0 + big * gran > 1ULL << c.out_oas)
		pa0 = 0;
	ASSERT_OK(map1(fd, id, base, pa0, big * gran, RW, ilog2_64(gran), NULL));
	/* list: first, inside, last granule, a hole, before the mapping */
	iova[n] = base, pa[n++] = pa0;
	iova[n] = base + 7 * gran + 0x2a, pa[n++] = pa0 + 7 * gran + 0x2a;
	iova[n] = base + big * gran - 1, pa[n++] = pa0 + big * gran - 1;
	iova[n] = base + big * gran, pa[n++] = ~0ULL;
	iova[n] = 0, pa[n++] = ~0ULL;
	if (c.out_ias < 64)	/* one past the input range: per-entry ERANGE */
		iova[n] = 1ULL << c.out_ias, pa[n++] = ~0ULL - 1;
	{
		char *argv[16] = { (char *)cli(), "translate", ids, "--json" };
		struct xcheck x = { .iova = iova, .pa = pa, .n = n };

		for (int i = 0; i < n; i++) {
			snprintf(a[i], sizeof(a[i]), "0x%llx", (unsigned long long)iova[i]);
			argv[4 + i] = a[i];
		}
		run_cli(argv, xlate_line, &x, false, &r);
		EXPECT_EQ(x.seen, n);
		EXPECT_EQ(x.bad, 0);
		if (c.out_ias < 64) {
			EXPECT_EQ(x.range_err, 1);
			EXPECT_EQ(exit_code(&r), 1);
		} else {
			EXPECT_EQ(exit_code(&r), 0);
		}
	}
	/* the same in text form: out-of-range reported on stderr, exit 1 */
	if (c.out_ias < 64) {
		char *argv[] = { (char *)cli(), "translate", ids, a[0], a[n - 1], NULL };
		struct grab g = { .len = 0 };

		run_cli(argv, grab_line, &g, false, &r);
		EXPECT_EQ(exit_code(&r), 1);
		if (!strstr(r.err, "outside the input address range (ERANGE)") ||
		    !strstr(r.err, a[n - 1]))
			H_FAIL("translate %s %s: stderr lacks the ERANGE message: %.200s", a[0],
			       a[n - 1], r.err);
		snprintf(rng, sizeof(rng), "0x%llx", (unsigned long long)pa0);
		if (!strstr(g.buf, rng))
			H_FAIL("translate %s: stdout lacks %s: %.200s", a[0], rng, g.buf);
	}
	/* --range over the mapping plus one granule each side, default step */
	riova = calloc(big + 2, sizeof(*riova));
	rpa = calloc(big + 2, sizeof(*rpa));
	ASSERT_TRUE(riova && rpa);
	for (__u64 k = 0; k < big + 2; k++) {
		riova[k] = base + (k - 1) * gran;
		rpa[k] = k && k <= big ? pa0 + (k - 1) * gran : ~0ULL;
	}
	snprintf(rng, sizeof(rng), "0x%llx+0x%llx", (unsigned long long)(base - gran),
		 (unsigned long long)((big + 2) * gran));
	{
		char *argv[] = { (char *)cli(), "translate", ids, "--range", rng, "--json", NULL };
		struct xcheck x = { .iova = riova, .pa = rpa, .n = big + 2 };

		run_cli(argv, xlate_line, &x, false, &r);
		EXPECT_EQ(exit_code(&r), 0);
		EXPECT_EQ(x.seen, big + 2);
		EXPECT_EQ(x.bad, 0);
		h_diag("%s: --range %s: %llu lines in %.2f s", variant->name, rng, x.seen, r.secs);
	}
	free(riova);
	free(rpa);
	/* a bad argument is a usage error naming it, before any ioctl */
	{
		char *argv[] = { (char *)cli(), "translate", ids, a[0], "0x12zz", NULL };

		run_cli(argv, NULL, NULL, false, &r);
		EXPECT_EQ(exit_code(&r), 2);
		if (!strstr(r.err, "0x12zz"))
			H_FAIL("translate with a bad IOVA: message does not name it: %.200s", r.err);
	}
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

/* one CLI call that must fail with @code and a stderr line containing @needle */
static void cli_fails(int code, const char *needle, char *const argv[])
{
	struct run r;

	run_cli(argv, NULL, NULL, false, &r);
	if (exit_code(&r) != code || !strstr(r.err, needle))
		H_FAIL("iopgt %s %s %s %s: exit %d, stderr '%s'; want exit %d and '%s'", argv[1],
		       argv[2] ? argv[2] : "", argv[2] && argv[3] ? argv[3] : "",
		       argv[2] && argv[3] && argv[4] ? argv[4] : "", exit_code(&r), r.err, code,
		       needle);
}

/*
 * Kernel refusals come back in the tool's terms: which rule a MAP broke
 * (overlap, which of IOVA/PADDR/length is misaligned, page size, prot,
 * which end is beyond ias/oas), unknown ids.
 */
TEST_FMT(cli_error_messages)
{
	struct iopgt_as_create c;
	char ids[16], beyond_ias[32], beyond_oas[32], big_pg[32], pg[32], half[32];
	__u64 gran;
	int fd = dev_open(), id;

	id = as_create(fd, variant->format, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	snprintf(ids, sizeof(ids), "%d", id);
	gran = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	snprintf(pg, sizeof(pg), "0x%llx", (unsigned long long)gran);
	snprintf(half, sizeof(half), "0x%llx", (unsigned long long)(gran / 2));
	snprintf(big_pg, sizeof(big_pg), "0x%llx", (unsigned long long)(gran * 4));
	ASSERT_OK(map1(fd, id, 16 * gran, 0, gran, RW, 0, NULL));
	{
		char iv[32];
		char *argv[] = { (char *)cli(), "map", ids, iv, "0", pg, "rw", NULL };

		snprintf(iv, sizeof(iv), "0x%llx", (unsigned long long)(16 * gran));
		cli_fails(1, "overlaps an existing mapping (EEXIST)", argv);
	}
	{
		char iv[32];
		char *argv[] = { (char *)cli(), "map", ids, iv, "0", half, "rw", NULL };

		snprintf(iv, sizeof(iv), "0x%llx", (unsigned long long)(32 * gran));
		cli_fails(1, "is not a multiple of the smallest page size", argv);
		argv[5] = pg;
		snprintf(iv, sizeof(iv), "0x%llx", (unsigned long long)(32 * gran + gran / 2));
		cli_fails(1, "IOVA", argv);
		snprintf(iv, sizeof(iv), "0x%llx", (unsigned long long)(32 * gran));
		argv[4] = half;
		cli_fails(1, "PADDR", argv);
		argv[4] = "0";
		argv[6] = "0x4";	/* IOPGT_PROT_CACHE alone */
		cli_fails(1, "prot has neither r nor w (EINVAL)", argv);
	}
	/* a power-of-two page size this address space does not have */
	for (int b = ilog2_64(gran) + 1; b < 63; b++) {
		char iv[32];
		char *argv[] = { (char *)cli(), "map", ids, iv, "0", big_pg, "rw", "--pgsize",
				 big_pg, NULL };

		if (c.out_pgsize_bitmap & (1ULL << b))
			continue;
		if (c.out_ias < 64 && b + 1 > (int)c.out_ias)
			break;	/* would be beyond ias too */
		snprintf(big_pg, sizeof(big_pg), "0x%llx", 1ULL << b);
		snprintf(iv, sizeof(iv), "0x%llx", 1ULL << b);
		cli_fails(1, "is not one of this address space's", argv);
		break;
	}
	if (c.out_ias < 64) {
		char *argv[] = { (char *)cli(), "map", ids, beyond_ias, "0", pg, "rw", NULL };

		snprintf(beyond_ias, sizeof(beyond_ias), "0x%llx",
			 (unsigned long long)((1ULL << c.out_ias) - gran));
		argv[5] = big_pg;
		snprintf(big_pg, sizeof(big_pg), "0x%llx", (unsigned long long)(2 * gran));
		cli_fails(1, "input range (ias) (ERANGE)", argv);
	}
	if (c.out_oas < 64) {
		char *argv[] = { (char *)cli(), "map", ids, pg, beyond_oas, pg, "rw", NULL };

		snprintf(beyond_oas, sizeof(beyond_oas), "0x%llx", (unsigned long long)(1ULL << c.out_oas));
		cli_fails(1, "output range (oas) (ERANGE)", argv);
	}
	ASSERT_OK(as_destroy(fd, id));
	{
		char *argv[] = { (char *)cli(), "translate", ids, "0", NULL };

		cli_fails(1, "no address space", argv);
	}
	close(fd);
}

TEST(cli_unprivileged)
{
	char *argv[] = { (char *)cli(), "info", NULL };
	char *largv[] = { (char *)cli(), "list", NULL };
	struct run r;

	run_cli(argv, NULL, NULL, true, &r);
	EXPECT_EQ(exit_code(&r), 1);
	EXPECT_NE(r.err[0], 0);
	h_diag("unprivileged info: %.200s", r.err);
	run_cli(largv, NULL, NULL, true, &r);
	EXPECT_EQ(exit_code(&r), 1);
	EXPECT_NE(r.err[0], 0);
	h_diag("unprivileged list: %.200s", r.err);
}

/*
 * Ownership: an address space this process created without --persistent
 * can be read by the CLI (another process, another open file) but not
 * changed; map, unmap and destroy say why, with the creator's pid.
 */
TEST(cli_not_owner)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_AMDV1, IOPGT_FMT_PT_X86_64,
		IOPGT_FMT_ARM_32_LPAE_S1, IOPGT_FMT_ARM_V7S, IOPGT_FMT_PT_VTDSS,
	};
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	char ids[16], pg[32], want[160];
	int fd = dev_open(), id;
	__u32 fmt = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));
	struct run r;

	if (!fmt)
		SKIP("none of the formats this test uses is available on this kernel");
	id = as_create(fd, fmt, 0, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	snprintf(ids, sizeof(ids), "%d", id);
	snprintf(pg, sizeof(pg), "0x%llx",
		 (unsigned long long)(c.out_pgsize_bitmap & -c.out_pgsize_bitmap));
	ASSERT_OK(map1(fd, id, 0, 0, c.out_pgsize_bitmap & -c.out_pgsize_bitmap, RW, 0, NULL));
	ASSERT_OK(as_info(fd, id, &ai));
	snprintf(want, sizeof(want),
		 "address space %d is not persistent: only the descriptor that created it (pid %d) may map, unmap or destroy it (EPERM)",
		 id, (int)getpid());
	{
		char *argv[] = { (char *)cli(), "destroy", ids, NULL };

		cli_fails(1, want, argv);
	}
	{
		char *argv[] = { (char *)cli(), "map", ids, pg, "0", pg, "rw", NULL };

		cli_fails(1, want, argv);
	}
	{
		char *argv[] = { (char *)cli(), "unmap", ids, "0", pg, NULL };

		cli_fails(1, want, argv);
	}
	{
		char *argv[] = { (char *)cli(), "walk", ids, "0", NULL };

		run_cli(argv, NULL, NULL, false, &r);
		EXPECT_EQ(exit_code(&r), 0);
	}
	{
		struct iopgt_as_info now;

		ASSERT_OK(as_info(fd, id, &now));
		EXPECT_EQ(now.generation, ai.generation);
		EXPECT_EQ(now.mapped_bytes, ai.mapped_bytes);
	}
	close(fd);
}

TEST_X(cli_big_dump_rss, H_PLAIN, 230, 0)
{
	static const __u32 prefer[] = {
		IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_FMT_PT_X86_64, IOPGT_FMT_PT_AMDV1,
		IOPGT_FMT_PT_VTDSS,
	};
	/*
	 * 1M leaves (250 MB of JSON parsed here) only where the matrix asks
	 * for it (IOPGT_CLI_DUMP_MAX, set for one target). Its rate against
	 * the kernel's stream is clirate's.
	 */
	const char *e = getenv("IOPGT_CLI_DUMP_MAX");
	unsigned long long maxn = e && atoll(e) > 0 ? atoll(e) : 100000;
	double per_leaf_100k = 0;
	long rss0 = 0;
	__u32 fmt;
	int fd = dev_open();

	fmt = first_available(fd, prefer, sizeof(prefer) / sizeof(prefer[0]));
	if (!fmt)
		SKIP("no format with 4K pages and a >= 32-bit IAS available on this kernel");
	for (unsigned long long n = 10000; n <= maxn; n *= 10) {
		struct jcheck j = { .base = SZ_1G, .pa = 2 * SZ_1G, .gran = SZ_4K };
		char ids[16];
		char *argv[] = { (char *)cli(), "dump", ids, "--format", "json", NULL };
		struct run r;
		int id = as_create(fd, fmt, IOPGT_AS_PERSISTENT, SZ_4K, 0, 0, 0, NULL);

		ASSERT_GT(id, 0);
		snprintf(ids, sizeof(ids), "%d", id);
		ASSERT_OK(map1(fd, id, j.base, j.pa, n * SZ_4K, RW, 12, NULL));
		run_cli(argv, json_line, &j, false, &r);
		printf("# cli dump %s: %llu leaves in %.2f s (%.0f leaves/s), iopgt peak RSS %ld KiB\n",
		       format_name(fmt), n, r.secs, n / r.secs, r.ru.ru_maxrss);
		fflush(stdout);
		EXPECT_EQ(exit_code(&r), 0);
		EXPECT_EQ(j.leaves[12], n);
		EXPECT_EQ(j.bad, 0);
		if (!rss0)
			rss0 = r.ru.ru_maxrss;
		/* streaming: memory must not grow with the tree */
		else if (r.ru.ru_maxrss > rss0 + 4096)
			H_FAIL("peak RSS %ld KiB at %llu leaves vs %ld KiB at 10000", r.ru.ru_maxrss,
			       n, rss0);
		/* linear: the time per leaf must not grow with the tree */
		if (n == 100000)
			per_leaf_100k = r.secs / n;
		else if (n > 100000 && r.secs / n > 2 * per_leaf_100k)
			H_FAIL("%llu leaves: %.1f us per leaf, %.1f us at 100000: not linear", n,
			       1e6 * r.secs / n, 1e6 * per_leaf_100k);
		ASSERT_OK(as_destroy(fd, id));
	}
	close(fd);
}
