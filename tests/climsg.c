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

/* ---- create ---- */

TEST(cli_create_unknown_format_id)
{
	static const char *const ids[] = { "15", "0", "4294967295" };
	struct res r;

	for (unsigned int i = 0; i < 3; i++) {
		char want[64];

		RUN(&r, "create", ids[i]);
		snprintf(want, sizeof(want), "unknown format id %s", ids[i]);
		expect_msg(&r, 1, want, ids[i]);
		if (strstr(r.err, "ias") || strstr(r.err, "pgsize"))
			H_FAIL("create %s blames the configuration: %s", ids[i], r.err);
	}
}

TEST(cli_create_format_rules)
{
	struct iopgt_format_info fi;
	struct res r;
	int fd = dev_open(), n = 0;

	/* an unavailable format: says why */
	RUN(&r, "create", "AMD_IOMMU_V1");
	expect_msg(&r, 1, "not available on this kernel: ", "create AMD_IOMMU_V1");
	/* non-coherent walks: not "format not available" */
	for (__u32 f = 1; f < IOPGT_FMT_COUNT; f++) {
		if (!avail(fd, f, &fi) || (fi.flags & IOPGT_FMT_F_NONCOHERENT))
			continue;
		RUN(&r, "create", format_name(f), "--noncoherent");
		expect_msg(&r, 1, "does not support non-coherent table walks", format_name(f));
		if (strstr(r.err, "not available"))
			H_FAIL("create %s --noncoherent: %s", format_name(f), r.err);
		n++;
	}
	if (avail(fd, IOPGT_FMT_ARM_64_LPAE_S2, &fi)) {
		RUN(&r, "create", "ARM_64_LPAE_S2", "--ias", "48", "--oas", "40");
		expect_msg(&r, 1, "ias 48 > oas 40: this format needs ias <= oas", "S2 ias>oas");
		RUN(&r, "formats");
		if (!strstr(r.out, "ias<=oas"))
			H_FAIL("formats does not list S2's ias<=oas rule: %.300s", r.out);
		n++;
	}
	if (avail(fd, IOPGT_FMT_ARM_MALI_LPAE, &fi)) {
		for (int oas = 41; oas <= 48; oas++) {
			char o[8], want[64];

			snprintf(o, sizeof(o), "%d", oas);
			snprintf(want, sizeof(want), "oas %d is outside this format's range 32-40",
				 oas);
			RUN(&r, "create", "ARM_MALI_LPAE", "--oas", o);
			expect_msg(&r, 1, want, "Mali oas");
		}
		RUN(&r, "formats", "--json");
		if (!strstr(r.out, "\"name\":\"ARM_MALI_LPAE\"") ||
		    !strstr(strstr(r.out, "\"name\":\"ARM_MALI_LPAE\""), "\"oas_max\":40"))
			H_FAIL("formats --json: Mali oas_max is not 40");
		n++;
	}
	if (avail(fd, IOPGT_FMT_ARM_64_LPAE_S1, &fi)) {
		RUN(&r, "create", "ARM_64_LPAE_S1", "--oas", "38");
		expect_msg(&r, 1, "oas 38: this format accepts oas 32,36,40,42,44,48,52 only",
			   "LPAE oas set");
		RUN(&r, "create", "ARM_64_LPAE_S1", "--ias", "52", "--pgsizes", "4K,2M,1G");
		expect_msg(&r, 0, "note: ias 52 became 48", "--ias 52 with 4K");
		RUN(&r, "create", "ARM_64_LPAE_S1", "--ias", "52", "--pgsizes", "64K,512M");
		if (r.code || strstr(r.err, "became"))
			H_FAIL("--ias 52 with 64K: exit %d, %s", r.code, r.err);
		n++;
	}
	if (avail(fd, IOPGT_FMT_ARM_V7S, &fi)) {
		RUN(&r, "create", "ARM_V7S", "--ias", "33");
		expect_msg(&r, 1, "above 32 bits need --quirks mtk_ext,no_perms", "v7s ias 33");
		n++;
	}
	if (!n)
		h_skip("no format here has one of these rules");
	close(fd);
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

TEST(cli_create_caps)
{
	struct iopgt_get_info gi;
	struct iopgt_as_info ai;
	unsigned long long old;
	int fd = dev_open(), id;
	__u32 f = first_format(fd);
	char v[96];
	struct res r;

	ASSERT_OK(param_get("max_as", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	id = as_create(fd, f, 0, 0, 0, 0, 0, NULL);
	ASSERT_GT(id, 0);
	ASSERT_OK(param_set("max_as", gi.nr_as + 1));
	snprintf(v, sizeof(v), "max_as_per_device = %u address spaces", gi.nr_as + 1);
	RUN(&r, "create", format_name(f));
	expect_msg(&r, 1, v, "create over max_as");
	EXPECT_OK(param_set("max_as", old));

	ASSERT_OK(as_info(fd, id, &ai));
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes - 1));
	RUN(&r, "create", format_name(f));
	expect_msg(&r, 1, "per-address-space page-table cap max_table_bytes_per_as = ",
		   "create over max_as_table_bytes");
	if (strstr(r.err, "max_as_per_device") || strstr(r.err, "ENOMEM"))
		H_FAIL("the wrong cap is named: %s", r.err);
	EXPECT_OK(param_set("max_as_table_bytes", old));

	ASSERT_OK(param_get("max_table_bytes", &old));
	ASSERT_OK(get_info(fd, &gi, NULL));
	ASSERT_OK(param_set("max_table_bytes", gi.table_bytes + ai.table_bytes - 1));
	RUN(&r, "create", format_name(f));
	expect_msg(&r, 1, "the device's page-table memory cap max_table_bytes = ",
		   "create over max_table_bytes");
	EXPECT_OK(param_set("max_table_bytes", old));
	as_destroy(fd, id);
	close(fd);
}

/* ---- map / unmap ---- */

TEST(cli_map_messages)
{
	struct iopgt_as_create c;
	int fd = dev_open(), id;
	__u32 f = first_format(fd);
	const char *args[80];
	char ids[16], addr[16][24], g_s[24], want[128];
	__u64 g;
	struct res r;
	int n = 0, lines = 0;

	id = as_create(fd, f, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	snprintf(ids, sizeof(ids), "%d", id);
	snprintf(g_s, sizeof(g_s), "0x%llx", (unsigned long long)g);

	/* the 16 mappings map --help promises */
	RUN(&r, "map", "--help");
	expect_msg(&r, 0, "", "map --help");
	if (!strstr(r.out, "Up to 16"))
		H_FAIL("map --help: %.200s", r.out);
	args[n++] = "map";
	args[n++] = ids;
	for (int i = 0; i < 16; i++) {
		snprintf(addr[i], sizeof(addr[i]), "0x%llx", (unsigned long long)(2 * i * g));
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
	/* misaligned IOVA, overlap, hole, partial block */
	snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)(64 * g + g / 2));
	RUN(&r, "map", ids, addr[0], "0", g_s, "rw");
	snprintf(want, sizeof(want), "IOVA %s is not a multiple of the smallest page size",
		 addr[0]);
	expect_msg(&r, 1, want, "misaligned map");
	RUN(&r, "map", ids, "0", "0", g_s, "rw");
	expect_msg(&r, 1, "overlaps an existing mapping (EEXIST)", "overlap");
	snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)(g));
	RUN(&r, "unmap", ids, addr[0], g_s);
	expect_msg(&r, 1, "part of the range is not mapped (ENOENT)", "hole");
	{
		__u64 big = c.out_pgsize_bitmap & ~g;

		__u64 at;

		big &= -big;
		at = (128 * g + big - 1) & ~(big - 1);	/* clear of the 16 mappings */
		if (big && (c.out_ias >= 64 || at + big <= 1ULL << c.out_ias)) {
			ASSERT_OK(map1(fd, id, at, at, big, RW, ilog2_64(big), NULL));
			snprintf(addr[0], sizeof(addr[0]), "0x%llx", (unsigned long long)at);
			RUN(&r, "unmap", ids, addr[0], g_s);
			expect_msg(&r, 1, "an end of the range cuts a larger leaf (EINVAL)",
				   "partial block");
		}
	}
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST(cli_map_size_8t_4k)
{
	struct iopgt_as_create c;
	int fd = dev_open(), id = -1;
	char ids[16];
	struct res r;

	for (__u32 f = 1; f < IOPGT_FMT_COUNT && id < 0; f++) {
		struct iopgt_format_info fi;

		if (!avail(fd, f, &fi) || fi.ias_max < 48 || fi.oas_max < 48)
			continue;
		id = as_create(fd, f, IOPGT_AS_PERSISTENT, 0, 48, 48, 0, &c);
		if (id > 0 && !(c.out_pgsize_bitmap & SZ_1G)) {
			as_destroy(fd, id);
			id = -1;
		}
	}
	if (id < 0)
		h_skip("no format with ias/oas 48 and 1G pages");
	snprintf(ids, sizeof(ids), "%d", id);
	RUN(&r, "map", ids, "0", "0", "8T+4K", "rw");
	if (r.code == 2)	/* the parser has no '+': give the number */
		RUN(&r, "map", ids, "0", "0", "0x80000001000", "rw");
	if (r.code || !strstr(r.out, "(8T+4K)"))
		H_FAIL("map 8T+4K: exit %d, stdout '%.200s', stderr '%s'", r.code, r.out, r.err);
	if (strstr(r.out, "8589934596K"))
		H_FAIL("map 8T+4K printed its size in K: %s", r.out);
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST(cli_ttbr1_window)
{
	struct iopgt_format_info fi;
	struct iopgt_as_create c;
	int fd = dev_open(), id;
	char ids[16], want[128];
	struct res r;

	if (!avail(fd, IOPGT_FMT_ARM_64_LPAE_S1, &fi) || !(fi.quirks & IOPGT_QUIRK_ARM_TTBR1))
		h_skip("ARM_64_LPAE_S1 with TTBR1 not available");
	id = as_create(fd, IOPGT_FMT_ARM_64_LPAE_S1, IOPGT_AS_PERSISTENT, 0, 48, 0,
		       IOPGT_QUIRK_ARM_TTBR1, &c);
	ASSERT_GT(id, 0);
	snprintf(ids, sizeof(ids), "%d", id);
	RUN(&r, "map", ids, "0", "0", "4K", "rw");
	expect_msg(&r, 1, "IOVA 0x0 is below the TTBR1 input window 0xffff000000000000-0xffffffffffffffff",
		   "TTBR1 IOVA 0");
	RUN(&r, "map", ids, "0xfffe000000000000", "0", "4K", "rw");
	snprintf(want, sizeof(want), "IOVA 0xfffe000000000000 is below the TTBR1 input window");
	expect_msg(&r, 1, want, "TTBR1 IOVA below the window");
	if (strstr(r.err, "ends beyond"))
		H_FAIL("TTBR1: blames the end of the range: %s", r.err);
	RUN(&r, "map", ids, "0xffff000000000000", "0", "4K", "rw");
	EXPECT_EQ(r.code, 0);
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST(cli_map_table_cap)
{
	struct iopgt_as_create c;
	struct iopgt_as_info ai;
	unsigned long long old;
	int fd = dev_open(), id;
	__u32 f = first_format(fd);
	char ids[16], at[32];
	__u64 g, step;
	struct res r;

	id = as_create(fd, f, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, &c);
	ASSERT_GT(id, 0);
	g = c.out_pgsize_bitmap & -c.out_pgsize_bitmap;
	step = g * (g / 4);
	if (c.out_ias < 64 && step * 4 > 1ULL << c.out_ias)
		step = (1ULL << c.out_ias) / 4;
	snprintf(ids, sizeof(ids), "%d", id);
	snprintf(at, sizeof(at), "0x%llx", (unsigned long long)(3 * step));
	ASSERT_OK(as_info(fd, id, &ai));
	ASSERT_OK(param_get("max_as_table_bytes", &old));
	ASSERT_OK(param_set("max_as_table_bytes", ai.table_bytes));
	RUN(&r, "map", ids, at, "0", "4K", "rw");
	expect_msg(&r, 1, "per-address-space cap max_table_bytes_per_as = ", "map over the AS cap");
	EXPECT_OK(param_set("max_as_table_bytes", old));
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
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

/* a persistent AS with @n leaves so that a dump spans many messages */
static int big_as(int fd, int n, struct iopgt_as_create *c)
{
	__u32 f = first_format(fd);
	int id = as_create(fd, f, IOPGT_AS_PERSISTENT, 0, 0, 0, 0, c);
	__u64 g;

	ASSERT_GT(id, 0);
	g = c->out_pgsize_bitmap & -c->out_pgsize_bitmap;
	ASSERT_OK(map1(fd, id, 0, 0, n * g, RW, ilog2_64(g), NULL));
	race_gran = g;
	race_base = (__u64)n * g + 16 * g;
	return id;
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

static void stop_racer(pthread_t th)
{
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
}

TEST_X(cli_dump_append_failing, H_PLAIN, 60, 0)
{
	const char *path = "/tmp/iopgt-climsg-fail.log";
	struct iopgt_as_create c;
	int fd = dev_open(), id = big_as(fd, 4096, &c), tries;
	char ids[16];
	struct res r;
	bool failed = false;

	snprintf(ids, sizeof(ids), "%d", id);
	for (tries = 0; tries < 30 && !failed; tries++) {
		pthread_t th;
		int out = make_log(path);
		size_t len;
		char *got;

		start_racer(&th, fd, id, -1, 0);
		run(&r, out, (const char *const[]){ "dump", ids, "--retries", "1", NULL });
		stop_racer(th);
		close(out);
		got = slurp(path, &len);
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
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST_X(cli_dump_append_retried, H_PLAIN, 60, 0)
{
	const char *path = "/tmp/iopgt-climsg-retry.log";
	struct iopgt_as_create c;
	int fd = dev_open(), id = big_as(fd, 4096, &c), tries;
	char ids[16];
	struct res r;
	bool retried = false;

	snprintf(ids, sizeof(ids), "%d", id);
	for (tries = 0; tries < 30 && !retried; tries++) {
		pthread_t th;
		int out = make_log(path);
		size_t len, ol = strlen(old_content);
		char *got;

		start_racer(&th, fd, id, -1, 300 + 100 * tries);
		run(&r, out, (const char *const[]){ "dump", ids, "--retries", "1000", NULL });
		stop_racer(th);
		close(out);
		if (r.code) {
			H_FAIL("dump: exit %d: %s", r.code, r.err);
			break;
		}
		got = slurp(path, &len);
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
	ASSERT_OK(as_destroy(fd, id));
	close(fd);
}

TEST_X(cli_dump_destroyed_midway, H_PLAIN, 60, 0)
{
	const char *path = "/tmp/iopgt-climsg-destroyed.log";
	int fd = dev_open(), ms = 40, seen = 0, tries;
	struct res r;

	for (tries = 0; tries < 16 && !seen; tries++) {
		struct iopgt_as_create c;
		int id = big_as(fd, 8192, &c), out = make_log(path);
		char ids[16];
		pthread_t th;
		size_t len;
		char *got;

		snprintf(ids, sizeof(ids), "%d", id);
		start_racer(&th, fd, id, ms, 0);
		run(&r, out, (const char *const[]){ "dump", ids, "--format", "json", NULL });
		pthread_join(th, NULL);
		close(out);
		got = slurp(path, &len);
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
		as_destroy(fd, id);	/* if the racer was too late */
	}
	h_diag("%d attempt(s), last delay %d ms", tries, ms);
	if (!seen)
		h_skip("the destroy never hit a running dump in %d attempts", tries);
	close(fd);
}
