// SPDX-License-Identifier: GPL-2.0
/*
 * The `iopgt` CLI's messages against the kernel (issue 9 item 7): every
 * message names the rule the kernel says was broken, with its values; and
 * `iopgt dump ID >> file` (item 2) writes the file only when the dump
 * succeeded: a failing dump leaves an appended-to file byte-for-byte
 * unchanged, a dump that succeeded on a retry appends exactly one dump.
 * IOPGT_CLI overrides the binary (default: iopgt from PATH).
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static const char *cli(void)
{
	const char *c = getenv("IOPGT_CLI");

	return c && *c ? c : "iopgt";
}

struct res {
	int code;
	char out[16384];
	char err[2048];
};

static void drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while ((r = read(fd, buf + n, n + 1 < cap ? cap - 1 - n : 0)) > 0)
		n += r;
	/* keep reading (and dropping) so the child never blocks */
	if (n + 1 >= cap) {
		char junk[4096];

		while (read(fd, junk, sizeof(junk)) > 0)
			;
	}
	buf[n] = 0;
}

/*
 * Run the CLI with @argv (NULL-terminated, argv[0] is replaced); stdout goes
 * to @out_fd when >= 0, else is captured; stderr is captured.
 */
static void run(struct res *r, int out_fd, const char *const *args)
{
	char *argv[96];
	int o[2], e[2], st, n = 0;
	pid_t pid;

	argv[n++] = (char *)cli();
	while (*args && n < 95)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	ASSERT_OK(pipe(o));
	ASSERT_OK(pipe(e));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out_fd >= 0 ? out_fd : o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	drain(o[0], r->out, sizeof(r->out));
	drain(e[0], r->err, sizeof(r->err));
	close(o[0]);
	close(e[0]);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	r->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (r->code == 127)
		H_FAIL("cannot run %s", argv[0]);
}

#define RUN(r, ...) run(r, -1, (const char *const[]){ __VA_ARGS__, NULL })

/* exit status @code and @needle in stderr */
static bool expect_msg(const struct res *r, int code, const char *needle, const char *what)
{
	if (r->code == code && strstr(r->err, needle))
		return true;
	H_FAIL("%s: exit %d, stderr '%s'; want exit %d and '%s'", what, r->code, r->err, code,
	       needle);
	return false;
}

static bool avail(int fd, __u32 f, struct iopgt_format_info *fi)
{
	format_info(fd, f, fi);
	return fi->flags & IOPGT_FMT_F_AVAILABLE;
}

static __u32 first_format(int fd)
{
	struct iopgt_get_info gi;
	struct iopgt_format_info fi[IOPGT_FMT_COUNT];

	ASSERT_OK(get_info(fd, &gi, fi));
	for (unsigned int i = 0; i < gi.n_formats && i < IOPGT_FMT_COUNT; i++)
		if (fi[i].flags & IOPGT_FMT_F_AVAILABLE)
			return fi[i].format;
	h_skip("no available format");
}

/*
 * What every test here sets up: the device open, at most one address space
 * the CLI is pointed at (by id, in ids), module parameters changed for the
 * test; the teardown destroys the one and restores the others, also when
 * the test ASSERTs.
 */
struct cli_env {
	int fd, id;
	struct iopgt_as_create c;
	__u64 g;		/* the AS's granule */
	char ids[16];
	int n_saved;
	struct {
		const char *name;
		unsigned long long old;
	} saved[4];
};

static void env_setup(struct cli_env *e)
{
	e->fd = dev_open();
	e->id = -1;
}

static void env_teardown(struct cli_env *e)
{
	while (e->n_saved--)
		EXPECT_OK(param_set(e->saved[e->n_saved].name, e->saved[e->n_saved].old));
	if (e->id > 0)
		EXPECT_OK(as_destroy(e->fd, e->id));
	close(e->fd);
}

/* the env's AS (persistent: it outlives the CLI's own open of the device) */
static int env_as(struct cli_env *e, __u32 f, __u32 ias, __u32 oas, __u64 quirks)
{
	e->id = as_create(e->fd, f, IOPGT_AS_PERSISTENT, 0, ias, oas, quirks, &e->c);
	if (e->id > 0) {
		e->g = e->c.out_pgsize_bitmap & -e->c.out_pgsize_bitmap;
		snprintf(e->ids, sizeof(e->ids), "%d", e->id);
	}
	return e->id;
}

/* set module parameter @name for this test; the teardown puts it back */
static void env_param(struct cli_env *e, const char *name, unsigned long long val)
{
	ASSERT_LT(e->n_saved, 4);
	ASSERT_OK(param_get(name, &e->saved[e->n_saved].old));
	e->saved[e->n_saved++].name = name;
	ASSERT_OK(param_set(name, val));
}

/* FIXTURE(fx) holding a struct cli_env, set up and torn down as above */
#define CLI_FIXTURE(fx)							\
	FIXTURE(fx) { struct cli_env e; };				\
	FIXTURE_SETUP(fx) { env_setup(&self->e); }			\
	FIXTURE_TEARDOWN(fx) { env_teardown(&self->e); }

/*
 * One CLI run against its expected exit status and messages; each case of
 * a table below is one TAP line.
 */
struct cli_case {
	const char *name;
	__u32 format;		/* must be available (0: any kernel) */
	const char *argv[8];
	int code;		/* exit status */
	const char *err;	/* in stderr ("" or NULL: anything) */
	const char *not_err[2];	/* not in stderr */
	const char *out;	/* in stdout */
	const char *out_after;	/* in stdout after out */
};

static void run_case(struct cli_env *e, const struct cli_case *k)
{
	struct iopgt_format_info fi;
	struct res r;

	if (k->format && !avail(e->fd, k->format, &fi))
		h_skip("%s is not available here", format_name(k->format));
	run(&r, -1, k->argv);
	expect_msg(&r, k->code, k->err ? k->err : "", k->name);
	for (int i = 0; i < 2; i++)
		if (k->not_err[i] && strstr(r.err, k->not_err[i]))
			H_FAIL("%s: stderr names '%s': %s", k->name, k->not_err[i], r.err);
	if (k->out && (!strstr(r.out, k->out) ||
		       (k->out_after && !strstr(strstr(r.out, k->out), k->out_after))))
		H_FAIL("%s: stdout lacks '%s'%s%s: %.300s", k->name, k->out,
		       k->out_after ? " followed by " : "", k->out_after ? k->out_after : "", r.out);
}

/* ---- create ---- */

/* an unknown id is named, not blamed on the configuration */
#define UNKNOWN_ID(id)							\
	{ .name = "id_" id, .argv = { "create", id }, .code = 1,		\
	  .err = "unknown format id " id, .not_err = { "ias", "pgsize" } }

CLI_FIXTURE(create_unknown_format_id);
FIXTURE_VARIANT(create_unknown_format_id) { const char *name; };
static const struct cli_case unknown_ids[] = {
	UNKNOWN_ID("15"), UNKNOWN_ID("0"), UNKNOWN_ID("4294967295"),
};

#define MALI_OAS(o)							\
	{ .name = "mali_oas_" #o, .format = IOPGT_FMT_ARM_MALI_LPAE,	\
	  .argv = { "create", "ARM_MALI_LPAE", "--oas", #o }, .code = 1,	\
	  .err = "oas " #o " is outside this format's range 32-40" }

/* the rule the kernel names for each refusal, with its values */
static const struct cli_case format_rules[] = {
	{ .name = "unavailable", .argv = { "create", "AMD_IOMMU_V1" }, .code = 1,
	  .err = "not available on this kernel: " },
	{ .name = "s2_ias_gt_oas", .format = IOPGT_FMT_ARM_64_LPAE_S2,
	  .argv = { "create", "ARM_64_LPAE_S2", "--ias", "48", "--oas", "40" }, .code = 1,
	  .err = "ias 48 > oas 40: this format needs ias <= oas" },
	{ .name = "s2_formats_lists_rule", .format = IOPGT_FMT_ARM_64_LPAE_S2,
	  .argv = { "formats" }, .out = "ias<=oas" },
	MALI_OAS(41), MALI_OAS(42), MALI_OAS(43), MALI_OAS(44),
	MALI_OAS(45), MALI_OAS(46), MALI_OAS(47), MALI_OAS(48),
	{ .name = "mali_formats_json_oas_max", .format = IOPGT_FMT_ARM_MALI_LPAE,
	  .argv = { "formats", "--json" },
	  .out = "\"name\":\"ARM_MALI_LPAE\"", .out_after = "\"oas_max\":40" },
	{ .name = "lpae_oas_set", .format = IOPGT_FMT_ARM_64_LPAE_S1,
	  .argv = { "create", "ARM_64_LPAE_S1", "--oas", "38" }, .code = 1,
	  .err = "oas 38: this format accepts oas 32,36,40,42,44,48,52 only" },
	{ .name = "lpae_ias52_4k_clamped", .format = IOPGT_FMT_ARM_64_LPAE_S1,
	  .argv = { "create", "ARM_64_LPAE_S1", "--ias", "52", "--pgsizes", "4K,2M,1G" },
	  .err = "note: ias 52 became 48" },
	{ .name = "lpae_ias52_64k_kept", .format = IOPGT_FMT_ARM_64_LPAE_S1,
	  .argv = { "create", "ARM_64_LPAE_S1", "--ias", "52", "--pgsizes", "64K,512M" },
	  .not_err = { "became" } },
	{ .name = "v7s_ias33", .format = IOPGT_FMT_ARM_V7S,
	  .argv = { "create", "ARM_V7S", "--ias", "33" }, .code = 1,
	  .err = "above 32 bits need --quirks mtk_ext,no_perms" },
};

CLI_FIXTURE(create_format_rules);
FIXTURE_VARIANT(create_format_rules) { const char *name; };
FIXTURE_VARIANT_ARRAY(create_format_rules, format_rules);

TEST_F(create_format_rules, cli_create_format_rules)
{
	run_case(&self->e, (const struct cli_case *)fvariant);
}

FIXTURE_VARIANT_ARRAY(create_unknown_format_id, unknown_ids);

TEST_F(create_unknown_format_id, cli_create_unknown_format_id)
{
	run_case(&self->e, (const struct cli_case *)fvariant);
}

CLI_FIXTURE(cli);

/* non-coherent walks where the format has none: not "format not available" */
TEST_F_FMT(cli, cli_create_noncoherent)
{
	const struct cli_case k = {
		.name = "--noncoherent", .format = variant->format,
		.argv = { "create", variant->fi.name, "--noncoherent" }, .code = 1,
		.err = "does not support non-coherent table walks", .not_err = { "not available" },
	};

	if (variant->fi.flags & IOPGT_FMT_F_NONCOHERENT)
		h_skip("%s supports non-coherent walks", variant->fi.name);
	run_case(&self->e, &k);
}

/* each cap is named when a create would exceed it */
enum cap_kind { CAP_AS, CAP_AS_TABLE_BYTES, CAP_TABLE_BYTES };

CLI_FIXTURE(create_caps);
FIXTURE_VARIANT(create_caps) {
	const char *name;	/* the module parameter */
	enum cap_kind kind;
	const char *err, *not_err;
};
static const struct _h_fxv_create_caps create_caps[] = {
	{ "max_as", CAP_AS, "max_as_per_device = ", NULL },
	{ "max_as_table_bytes", CAP_AS_TABLE_BYTES,
	  "per-address-space page-table cap max_table_bytes_per_as = ", "max_as_per_device" },
	{ "max_table_bytes", CAP_TABLE_BYTES,
	  "the device's page-table memory cap max_table_bytes = ", "max_as_per_device" },
};
FIXTURE_VARIANT_ARRAY(create_caps, create_caps);

TEST_F(create_caps, cli_create_caps)
{
	struct cli_env *e = &self->e;
	__u32 f = first_format(e->fd);
	struct iopgt_get_info gi;
	struct iopgt_as_info ai;
	unsigned long long val = 0;
	char want[96];
	struct res r;

	ASSERT_GT(env_as(e, f, 0, 0, 0), 0);
	ASSERT_OK(get_info(e->fd, &gi, NULL));
	ASSERT_OK(as_info(e->fd, e->id, &ai));
	switch (fvariant->kind) {
	case CAP_AS:
		val = gi.nr_as;
		break;
	case CAP_AS_TABLE_BYTES:
		val = ai.table_bytes - 1;
		break;
	case CAP_TABLE_BYTES:
		val = gi.table_bytes + ai.table_bytes - 1;
		break;
	}
	env_param(e, fvariant->name, val);
	RUN(&r, "create", format_name(f));
	if (fvariant->kind == CAP_AS)
		snprintf(want, sizeof(want), "%s%llu address spaces", fvariant->err, val);
	else
		snprintf(want, sizeof(want), "%s", fvariant->err);
	expect_msg(&r, 1, want, fvariant->name);
	if (fvariant->not_err && (strstr(r.err, fvariant->not_err) || strstr(r.err, "ENOMEM")))
		H_FAIL("the wrong cap is named: %s", r.err);
}

/* ---- map / unmap ---- */

CLI_FIXTURE(map);
FIXTURE_VARIANT(map) { const char *name; };
FIXTURE_VARIANT_ADD(map, help_16) { "help_16" };
FIXTURE_VARIANT_ADD(map, sixteen_mappings) { "sixteen_mappings" };
FIXTURE_VARIANT_ADD(map, misaligned_iova) { "misaligned_iova" };
FIXTURE_VARIANT_ADD(map, overlap) { "overlap" };
FIXTURE_VARIANT_ADD(map, hole) { "hole" };
FIXTURE_VARIANT_ADD(map, partial_block) { "partial_block" };

TEST_F(map, cli_map_messages)
{
	struct cli_env *e = &self->e;
	const char *args[80], *c = fvariant->name;
	char addr[16][24], g_s[24], want[128];
	struct res r;
	int n = 0, lines = 0;
	__u64 g;

	ASSERT_GT(env_as(e, first_format(e->fd), 0, 0, 0), 0);
	g = e->g;
	snprintf(g_s, sizeof(g_s), "0x%llx", (unsigned long long)g);
	for (int i = 0; i < 16; i++)
		snprintf(addr[i], sizeof(addr[i]), "0x%llx", (unsigned long long)(2 * i * g));

	if (!strcmp(c, "help_16")) {
		/* the 16 mappings map --help promises */
		RUN(&r, "map", "--help");
		expect_msg(&r, 0, "", "map --help");
		if (!strstr(r.out, "Up to 16"))
			H_FAIL("map --help: %.200s", r.out);
		return;
	}
	if (!strcmp(c, "sixteen_mappings")) {
		args[n++] = "map";
		args[n++] = e->ids;
		for (int i = 0; i < 16; i++) {
			args[n++] = addr[i];
			args[n++] = addr[i];
			args[n++] = g_s;
			args[n++] = "rw";
		}
		args[n] = NULL;
		run(&r, -1, args);
		for (char *p = r.out; (p = strstr(p, "mapped ")); p++)
			lines++;
		if (r.code || lines != 16)
			H_FAIL("map with 16 mappings: exit %d, %d mapped lines, stderr '%s'", r.code,
			       lines, r.err);
		return;
	}
	/* the 16 mappings, one granule each at 2 * i granules */
	for (int i = 0; i < 16; i++)
		ASSERT_OK(map1(e->fd, e->id, 2 * i * g, 2 * i * g, g, RW, ilog2_64(g), NULL));
	if (!strcmp(c, "misaligned_iova")) {
		snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)(64 * g + g / 2));
		RUN(&r, "map", e->ids, addr[0], "0", g_s, "rw");
		snprintf(want, sizeof(want), "IOVA %s is not a multiple of the smallest page size",
			 addr[0]);
		expect_msg(&r, 1, want, "misaligned map");
	} else if (!strcmp(c, "overlap")) {
		RUN(&r, "map", e->ids, "0", "0", g_s, "rw");
		expect_msg(&r, 1, "overlaps an existing mapping (EEXIST)", "overlap");
	} else if (!strcmp(c, "hole")) {
		snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)(g));
		RUN(&r, "unmap", e->ids, addr[0], g_s);
		expect_msg(&r, 1, "part of the range is not mapped (ENOENT)", "hole");
	} else if (!strcmp(c, "partial_block")) {
		__u64 big = e->c.out_pgsize_bitmap & ~g, at;

		big &= -big;
		at = (128 * g + big - 1) & ~(big - 1);	/* clear of the 16 mappings */
		if (!big || (e->c.out_ias < 64 && at + big > 1ULL << e->c.out_ias))
			h_skip("no page size above the granule fits the input range");
		ASSERT_OK(map1(e->fd, e->id, at, at, big, RW, ilog2_64(big), NULL));
		snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)at);
		RUN(&r, "unmap", e->ids, addr[0], g_s);
		expect_msg(&r, 1, "an end of the range cuts a larger leaf (EINVAL)",
			   "partial block");
	} else {
		H_FAIL("unknown case %s", c);
	}
}

TEST_F(cli, cli_map_size_8t_4k)
{
	struct cli_env *e = &self->e;
	struct res r;

	for (__u32 f = 1; f < IOPGT_FMT_COUNT && e->id < 0; f++) {
		struct iopgt_format_info fi;

		if (!avail(e->fd, f, &fi) || fi.ias_max < 48 || fi.oas_max < 48)
			continue;
		if (env_as(e, f, 48, 48, 0) > 0 && !(e->c.out_pgsize_bitmap & SZ_1G)) {
			as_destroy(e->fd, e->id);
			e->id = -1;
		}
	}
	if (e->id < 0)
		h_skip("no format with ias/oas 48 and 1G pages");
	RUN(&r, "map", e->ids, "0", "0", "8T+4K", "rw");
	if (r.code == 2)	/* the parser has no '+': give the number */
		RUN(&r, "map", e->ids, "0", "0", "0x80000001000", "rw");
	if (r.code || !strstr(r.out, "(8T+4K)"))
		H_FAIL("map 8T+4K: exit %d, stdout '%.200s', stderr '%s'", r.code, r.out, r.err);
	if (strstr(r.out, "8589934596K"))
		H_FAIL("map 8T+4K printed its size in K: %s", r.out);
}

TEST_F(cli, cli_ttbr1_window)
{
	struct cli_env *e = &self->e;
	struct iopgt_format_info fi;
	struct res r;

	if (!avail(e->fd, IOPGT_FMT_ARM_64_LPAE_S1, &fi) || !(fi.quirks & IOPGT_QUIRK_ARM_TTBR1))
		h_skip("ARM_64_LPAE_S1 with TTBR1 not available");
	ASSERT_GT(env_as(e, IOPGT_FMT_ARM_64_LPAE_S1, 48, 0, IOPGT_QUIRK_ARM_TTBR1), 0);
	RUN(&r, "map", e->ids, "0", "0", "4K", "rw");
	expect_msg(&r, 1, "IOVA 0x0 is below the TTBR1 input window 0xffff000000000000-0xffffffffffffffff",
		   "TTBR1 IOVA 0");
	RUN(&r, "map", e->ids, "0xfffe000000000000", "0", "4K", "rw");
	expect_msg(&r, 1, "IOVA 0xfffe000000000000 is below the TTBR1 input window",
		   "TTBR1 IOVA below the window");
	if (strstr(r.err, "ends beyond"))
		H_FAIL("TTBR1: blames the end of the range: %s", r.err);
	RUN(&r, "map", e->ids, "0xffff000000000000", "0", "4K", "rw");
	EXPECT_EQ(r.code, 0);
}

TEST_F(cli, cli_map_table_cap)
{
	struct cli_env *e = &self->e;
	struct iopgt_as_info ai;
	char at[32];
	__u64 step;
	struct res r;

	ASSERT_GT(env_as(e, first_format(e->fd), 0, 0, 0), 0);
	step = e->g * (e->g / 4);
	if (e->c.out_ias < 64 && step * 4 > 1ULL << e->c.out_ias)
		step = (1ULL << e->c.out_ias) / 4;
	snprintf(at, sizeof(at), "0x%llx", (unsigned long long)(3 * step));
	ASSERT_OK(as_info(e->fd, e->id, &ai));
	env_param(e, "max_as_table_bytes", ai.table_bytes);
	RUN(&r, "map", e->ids, at, "0", "4K", "rw");
	expect_msg(&r, 1, "per-address-space cap max_table_bytes_per_as = ", "map over the AS cap");
}

/* ---- dump >> file ---- */

static atomic_int race_stop;
static int race_fd, race_id, race_destroy_ms, race_limit_ms;
static __u64 race_gran, race_base;

/* maps and unmaps granules far from the dumped leaves, or destroys the AS */
static void *racer(void *arg)
{
	__u64 s = 0x1234567;

	(void)arg;
	if (race_destroy_ms >= 0) {
		struct timespec ts = { race_destroy_ms / 1000, (race_destroy_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		as_destroy(race_fd, race_id);
		return NULL;
	}
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&race_stop)) {
		__u64 iova = race_base + (rnd64(&s) % 256) * race_gran;

		if (map1(race_fd, race_id, iova, iova, race_gran, RW, 0, NULL))
			unmap1(race_fd, race_id, iova, race_gran, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t);
		/* a limited burst: a dump retrying after it settles */
		if (race_limit_ms && (t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000 > race_limit_ms)
			break;
	}
	return NULL;
}

static const char old_content[] = "line one of the log\nline two: keep me\n";

static int make_log(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, old_content, strlen(old_content)), (ssize_t)strlen(old_content));
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND);	/* like the shell's >> */
	ASSERT_GE(fd, 0);
	return fd;
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	ASSERT_GE(fd, 0);
	ASSERT_OK(fstat(fd, &st));
	buf = malloc(st.st_size + 1);
	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(read(fd, buf, st.st_size), st.st_size);
	buf[st.st_size] = 0;
	*len = st.st_size;
	close(fd);
	return buf;
}

static int count_str(const char *s, const char *needle)
{
	int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

/* the env's AS, persistent, with @n leaves so that a dump spans many messages */
static void env_big_as(struct cli_env *e, int n)
{
	ASSERT_GT(env_as(e, first_format(e->fd), 0, 0, 0), 0);
	ASSERT_OK(map1(e->fd, e->id, 0, 0, n * e->g, RW, ilog2_64(e->g), NULL));
	race_gran = e->g;
	race_base = (__u64)n * e->g + 16 * e->g;
}

static void start_racer(pthread_t *th, int fd, int id, int destroy_ms, int limit_ms)
{
	race_limit_ms = limit_ms;
	race_fd = fd;
	race_id = id;
	race_destroy_ms = destroy_ms;
	atomic_store(&race_stop, 0);
	ASSERT_OK(-pthread_create(th, NULL, racer, NULL));
}

/*
 * `iopgt dump ID @opt @val >> @path` (the file holding old_content) while
 * the racer maps and unmaps (@destroy_ms < 0; for @limit_ms, 0: until the
 * dump ends) or destroys the AS after @destroy_ms; returns the file's
 * content (free it) and its length in @len.
 */
static char *dump_racing(struct cli_env *e, const char *path, const char *opt, const char *val,
			 int destroy_ms, int limit_ms, struct res *r, size_t *len)
{
	int out = make_log(path);
	pthread_t th;

	start_racer(&th, e->fd, e->id, destroy_ms, limit_ms);
	run(r, out, (const char *const[]){ "dump", e->ids, opt, val, NULL });
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	close(out);
	return slurp(path, len);
}

CLI_FIXTURE(dump);

TEST_F_X(dump, cli_dump_append_failing, H_PLAIN, 60, 0)
{
	bool failed = false;
	struct res r;
	int tries;

	env_big_as(&self->e, 4096);
	for (tries = 0; tries < 30 && !failed; tries++) {
		size_t len;
		char *got = dump_racing(&self->e, "/tmp/iopgt-climsg-fail.log", "--retries", "1",
					-1, 0, &r, &len);

		if (r.code == 1) {
			failed = true;
			expect_msg(&r, 1, "gave up after 1 attempts", "dump --retries 1 racing");
			if (len != strlen(old_content) || memcmp(got, old_content, len))
				H_FAIL("a failing dump changed the appended-to file: %zu bytes, was %zu: '%.100s'",
				       len, strlen(old_content), got);
		} else if (r.code) {
			H_FAIL("dump: exit %d: %s", r.code, r.err);
		}
		free(got);
	}
	h_diag("%d dump(s) until one failed", tries);
	if (!failed)
		H_FAIL("no dump failed in %d racing attempts: the test proves nothing", tries);
}

TEST_F_X(dump, cli_dump_append_retried, H_PLAIN, 60, 0)
{
	size_t ol = strlen(old_content);
	bool retried = false;
	struct res r;
	int tries;

	env_big_as(&self->e, 4096);
	for (tries = 0; tries < 30 && !retried; tries++) {
		size_t len;
		char *got = dump_racing(&self->e, "/tmp/iopgt-climsg-retry.log", "--retries", "1000",
					-1, 300 + 100 * tries, &r, &len);

		if (r.code) {
			H_FAIL("dump: exit %d: %s", r.code, r.err);
			free(got);
			break;
		}
		if (len < ol || memcmp(got, old_content, ol))
			H_FAIL("the old content is gone: %zu bytes: '%.100s'", len, got);
		else if (count_str(got + ol, "# AS ") != 1 || count_str(got + ol, " entries: ") != 1)
			H_FAIL("not exactly one dump appended: %d headers, %d summaries (%s)",
			       count_str(got + ol, "# AS "), count_str(got + ol, " entries: "), r.err);
		if (strstr(r.err, "consistent after"))
			retried = true;
		free(got);
	}
	h_diag("%d dump(s) until one needed a retry", tries);
	if (!retried)
		H_FAIL("no dump needed a retry in %d racing attempts: the test proves nothing", tries);
}

TEST_F_X(dump, cli_dump_destroyed_midway, H_PLAIN, 60, 0)
{
	struct cli_env *e = &self->e;
	int ms = 40, seen = 0, tries;
	struct res r;

	for (tries = 0; tries < 16 && !seen; tries++) {
		size_t len;
		char *got;

		env_big_as(e, 8192);
		got = dump_racing(e, "/tmp/iopgt-climsg-destroyed.log", "--format", "json", ms, 0,
				  &r, &len);
		if (r.code == 0) {
			ms = ms * 2 / 3;	/* finished first: destroy sooner */
		} else if (strstr(r.err, "no address space")) {
			ms = ms * 3 / 2 + 1;	/* destroyed before it began */
		} else {
			seen = 1;
			expect_msg(&r, 1, "was destroyed during the dump (ENOENT)",
				   "dump of an AS destroyed mid-way");
			if (strstr(r.err, "unknown address space id"))
				H_FAIL("says unknown id: %s", r.err);
		}
		if (r.code && (len != strlen(old_content) || memcmp(got, old_content, len)))
			H_FAIL("a failing dump changed the appended-to file: %zu bytes: '%.100s'",
			       len, got);
		free(got);
		as_destroy(e->fd, e->id);	/* if the racer was too late */
		e->id = -1;
	}
	h_diag("%d attempt(s), last delay %d ms", tries, ms);
	if (!seen)
		h_skip("the destroy never hit a running dump in %d attempts", tries);
}
