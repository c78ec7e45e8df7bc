// SPDX-License-Identifier: LGPL-2.1-or-later
/* iopgt script: one command per line, in this process. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void sleep_ms(uint64_t ms)
{
	struct timespec ts;

	if (ms > 3600000)
		ms = 3600000;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* one line's words (words[0] the first): a built-in or a command */
static int script_line(struct cli *c, int n, char **words)
{
	uint64_t ms;
	int i, ret;

	if (!strcmp(words[0], "echo")) {
		for (i = 1; i < n; i++)
			printf("%s%s", i > 1 ? " " : "", words[i]);
		printf("\n");
		fflush(stdout);
		return 0;
	}
	if (!strcmp(words[0], "sleep")) {
		c->cmd = "sleep";
		if (n != 2 || parse_u64(words[1], &ms))
			return usage_err(c, "want MILLISECONDS");
		fflush(stdout);
		sleep_ms(ms);
		return 0;
	}
	ret = dispatch(c, n, words);
	fflush(stdout);
	return ret == EXIT_HELP ? 0 : ret;
}

static int script_fn(struct cli *c, struct args *a)
{
	char *line = NULL, *words[MAX_POS + 1];
	const char *saved_cmd = c->cmd;
	size_t cap = 0;
	int ret = 0, n;
	FILE *f;

	if (a->npos != 1)
		return usage_err(c, "want FILE or -");
	if (c->script)
		return usage_err(c, "scripts do not nest");
	f = strcmp(a->pos[0], "-") ? fopen(a->pos[0], "r") : stdin;
	if (!f)
		return kern_err(c, "cannot open '%s': %s", a->pos[0], strerror(errno));
	c->script = 1;
	c->lineno = 0;
	while (!ret && getline(&line, &cap, f) >= 0) {
		c->lineno++;
		line[strcspn(line, "\r\n")] = 0;
		n = tokenize(line, words, MAX_POS);
		if (n < 0) {
			c->cmd = NULL;
			ret = usage_err(c, "%s", n == -E2BIG ? "too many words" :
					"unterminated quote");
		} else if (n) {
			words[n] = NULL;
			ret = script_line(c, n, words);
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	c->script = 0;
	c->cmd = saved_cmd;
	return ret;
}

const struct command cmd_script = {
	.name = "script",
	.summary = "run commands in one process",
	.args = "FILE|-",
	.usage = "  Run one command per line in this process, so address spaces created\n"
		 "  without --persistent live until the script ends. Syntax per line is the\n"
		 "  subcommand's ('map 1 0 0x80000000 2M rw'); '#' starts a comment; quotes\n"
		 "  group words. '@' or '$LAST' names the last address space created by the\n"
		 "  script, and commands taking a leading ID (destroy, map, unmap, translate,\n"
		 "  walk, regs, dump) may omit it to mean that one. 'echo WORDS' prints\n"
		 "  WORDS; 'sleep MS' waits. The script stops at the first failing line\n"
		 "  with its exit status.\n",
	.max_pos = 1,
	.fn = script_fn,
};
