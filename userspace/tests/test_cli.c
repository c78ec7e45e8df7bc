// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host tests of the iopgt CLI's command line, no kernel needed: every bad
 * argument must give exit status 2 and one line naming the argument before
 * the device is opened; --help gives exit status 0 and the usage; a missing
 * device gives exit status 1 with the reason. The binary comes from argv[1]
 * (the Makefile passes the one it built).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static const char *bin;

struct res {
	int status;
	char out[8192], err[2048];
};

static void drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
}

/* runs "iopgt ARGS..." (NULL-terminated) with IOPGT_DEVICE pointing nowhere */
static void run(struct res *r, const char *const *args)
{
	char *argv[96];
	int out[2], err[2], st, n = 0;
	pid_t pid;

	argv[n++] = (char *)bin;
	while (*args && n < 95)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	if (pipe(out) || pipe(err))
		abort();
	pid = fork();
	if (pid < 0)
		abort();
	if (!pid) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		setenv("IOPGT_DEVICE", "/nonexistent/iopgt-test-device", 1);
		execv(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* outputs are small: read stdout fully, then stderr */
	drain(out[0], r->out, sizeof(r->out));
	drain(err[0], r->err, sizeof(r->err));
	close(out[0]);
	close(err[0]);
	if (waitpid(pid, &st, 0) != pid)
		abort();
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* exit status 2, nothing on stdout, one stderr line containing @needle */
static void usage_case(const char *needle, const char *const *args)
{
	char desc[256];
	struct res r;
	size_t o = 0;

	for (const char *const *a = args; *a && o < sizeof(desc) - 1; a++)
		o += snprintf(desc + o, sizeof(desc) - o, "%s%s", o ? " " : "", *a);
	run(&r, args);
	if (!tap_ok(r.status == 2 && !r.out[0] && lines(r.err) == 1 && strstr(r.err, needle),
		    desc))
		printf("#   exit %d, stdout '%.100s', stderr '%s' (want exit 2, one line with '%s')\n",
		       r.status, r.out, r.err, needle);
}

#define USAGE(needle, ...) usage_case(needle, (const char *const[]){ __VA_ARGS__, NULL })

static void help_case(const char *cmd)
{
	const char *const args[] = { cmd, "--help", NULL };
	char desc[64];
	struct res r;

	snprintf(desc, sizeof(desc), "%s --help: exit 0, usage on stdout", cmd);
	run(&r, args);
	if (!tap_ok(r.status == 0 && strstr(r.out, "usage: iopgt") && !r.err[0], desc))
		printf("#   exit %d, stdout '%.80s', stderr '%s'\n", r.status, r.out, r.err);
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = {
		"info", "formats", "create", "destroy", "list", "map", "unmap",
		"translate", "walk", "regs", "dump", "script",
	};
	struct res r;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-iopgt\n", argv[0]);
		return 2;
	}
	bin = argv[1];

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		help_case(cmds[i]);

	USAGE("unknown command 'bogus'", "bogus");
	USAGE("unknown option '--frob'", "info", "--frob");
	USAGE("bad FORMAT 'NOPE'", "create", "NOPE");
	USAGE("'0'", "destroy", "0");
	USAGE("'zz'", "destroy", "zz");
	USAGE("'0x1g0'", "map", "1", "0x1g0", "0", "4K", "rw");
	USAGE("'zz'", "map", "1", "0x1000", "zz", "4K", "rw");
	USAGE("rwq", "map", "1", "0x1000", "0x1000", "4K", "rwq");
	USAGE("'99999999999999999999'", "unmap", "1", "99999999999999999999", "4K");
	USAGE("'0x12zz'", "translate", "1", "0x1000", "0x12zz");
	USAGE("--step needs --range", "translate", "1", "--step", "4K", "0x1000");
	USAGE("'0x2000-0x1000'", "translate", "1", "--range", "0x2000-0x1000");
	USAGE("more than 16777216", "translate", "1", "--range", "0-0xffffffffffffffff",
	      "--step", "1");
	USAGE("--step '0'", "translate", "1", "--range", "0-4K", "--step", "0");
	USAGE("not both", "translate", "1", "0x1000", "--range", "0-4K");
	USAGE("'xml'", "dump", "1", "--format", "xml");
	USAGE("--iova-range", "dump", "1", "--iova-range", "5-1");
	USAGE("'q'", "walk", "1", "q");

	/* map --help promises 16 mappings per command: the 16th is accepted */
	{
		const char *args[80];
		int n = 0;

		args[n++] = "map";
		args[n++] = "1";
		for (int i = 0; i < 17; i++) {
			args[n++] = "0x1000";
			args[n++] = "0x1000";
			args[n++] = "4K";
			args[n++] = "rw";
		}
		args[n] = NULL;
		args[n - 4] = NULL;	/* 16 mappings */
		run(&r, args);
		if (!tap_ok(r.status == 1 && strstr(r.err, "ENOENT") && !strstr(r.err, "unexpected"),
			    "map with 16 mappings: the arguments are good (device missing: exit 1)"))
			printf("#   exit %d, stderr '%s'\n", r.status, r.err);
		args[n - 4] = "0x1000";	/* 17 */
		run(&r, args);
		if (!tap_ok(r.status == 2 && strstr(r.err, "at most 16 mappings per command"),
			    "map with 17 mappings: at most 16"))
			printf("#   exit %d, stderr '%s'\n", r.status, r.err);
		run(&r, (const char *const[]){ "map", "--help", NULL });
		tap_ok(strstr(r.out, "Up to 16 quadruples") != NULL, "map --help: up to 16 mappings");
	}

	/* the device is opened only after the arguments are good */
	{
		const char *const args[] = { "translate", "1", "0x1000", NULL };

		run(&r, args);
		if (!tap_ok(r.status == 1 && strstr(r.err, "/nonexistent/iopgt-test-device") &&
			    strstr(r.err, "ENOENT"),
			    "translate with good arguments and no device: exit 1, says which path (ENOENT)"))
			printf("#   exit %d, stderr '%s'\n", r.status, r.err);
	}
	return tap_done();
}
