// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * iopgt CLI: the output of "dump", written only once the dump succeeded.
 * The dump is spooled to an unlinked temporary file (O_TMPFILE in the
 * destination's directory when stdout is a regular file, else in $TMPDIR or
 * /tmp; tmpfile() as a last resort), emptied on a retry and appended to
 * stdout at the end; a failing dump leaves stdout untouched. /dev/null is
 * written directly; --no-buffer streams directly and cannot retry cleanly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "spool.h"

/* an unlinked file in @dir (O_TMPFILE), or -1 */
static int tmpfile_in(const char *dir)
{
	return dir && *dir ? open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600) : -1;
}

/*
 * Spool: the dump goes to an unlinked temporary file, appended to stdout
 * only after the dump succeeded (spool_copy_out()).
 */
int spool_open(struct spool *d, int no_buffer)
{
	struct stat st;
	int fd = -1;

	fflush(stdout);
	if (no_buffer) {
		d->mode = SPOOL_DIRECT;
		d->out = stdout;
		return 0;
	}
	if (!fstat(STDOUT_FILENO, &st)) {
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
		    minor(st.st_rdev) == 3) {	/* /dev/null */
			d->mode = SPOOL_DEVNULL;
			d->out = stdout;
			return 0;
		}
		if (S_ISREG(st.st_mode)) {	/* next to the destination */
			char link[PATH_MAX];
			ssize_t n = readlink("/proc/self/fd/1", link, sizeof(link) - 1);

			if (n > 0 && link[0] == '/') {
				link[n] = 0;
				fd = tmpfile_in(dirname(link));
			}
		}
	}
	if (fd < 0)
		fd = tmpfile_in(getenv("TMPDIR"));
	if (fd < 0)
		fd = tmpfile_in("/tmp");
	d->out = fd >= 0 ? fdopen(fd, "w+") : tmpfile();
	if (!d->out) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	/*
	 * Large writes: glibc ignores the size of setvbuf(NULL) and would
	 * write the spool in st_blksize (4K) blocks. One dump at a time uses
	 * it (the spool is closed before the command returns).
	 */
	{
		static char spool_buf[1 << 18];

		setvbuf(d->out, spool_buf, _IOFBF, sizeof(spool_buf));
	}
	d->mode = SPOOL_FILE;
	return 0;
}

/* write all of @buf to @fd */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * stdout is a pipe: 0 when the spool went out, -errno, or 1 when splice()
 * refused before writing anything (the caller copies by hand). A pipe of
 * 1M (best effort) means fewer round trips with the reader; splice() puts
 * the spool's pages into it by reference, no copy (a read/write loop
 * copies each byte twice: about 2 us per leaf of a json dump under QEMU
 * TCG). IOPGT_DUMP_COPY=rw forces the loop (benchmarks).
 */
static int to_pipe(struct spool *d, int in)
{
	const char *how = getenv("IOPGT_DUMP_COPY");
	loff_t off = 0;
	ssize_t n;
	int ret;

	fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
	if (how && !strcmp(how, "rw"))
		return 1;
	for (;;) {
		n = splice(in, &off, STDOUT_FILENO, NULL, 1 << 20,
			   SPLICE_F_MOVE | SPLICE_F_MORE);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n && !off && (errno == EINVAL || errno == ENOSYS))
		return 1;
	ret = n ? -errno : 0;
	fclose(d->out);
	d->out = stdout;
	return ret;
}

/* the dump succeeded: append the spool to stdout */
int spool_copy_out(struct spool *d)
{
	static char buf[1 << 18];
	struct stat st;
	int in, ret = 0;
	ssize_t n;

	if (d->mode != SPOOL_FILE)
		return 0;
	if (fflush(d->out))
		return -errno;
	in = fileno(d->out);
	if (lseek(in, 0, SEEK_SET) < 0)
		return -errno;
	fflush(stdout);
	if (!fstat(STDOUT_FILENO, &st) && S_ISFIFO(st.st_mode)) {
		ret = to_pipe(d, in);
		if (ret <= 0)
			return ret;
		ret = 0;
		goto byhand;	/* refused before writing: copy by hand */
	}
	/* a file or anything else: in the kernel, in large blocks */
	for (;;) {
		n = sendfile(STDOUT_FILENO, in, NULL, 1 << 30);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (!n) {
		fclose(d->out);
		d->out = stdout;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		ret = -errno;
		fclose(d->out);
		d->out = stdout;
		return ret;
	}
	/* sendfile refused this pair before writing: copy by hand */
byhand:
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		ret = write_all(STDOUT_FILENO, buf, (size_t)n);
		if (ret)
			break;
	}
	fclose(d->out);
	d->out = stdout;
	return ret;
}

int spool_restart(struct spool *d)
{
	fflush(d->out);
	switch (d->mode) {
	case SPOOL_FILE:
		rewind(d->out);
		if (ftruncate(fileno(d->out), 0))
			return -errno;
		break;
	case SPOOL_DIRECT:
		fprintf(d->out, "# ---- dump restarted after NLM_F_DUMP_INTR ----\n");
		break;
	}
	return 0;
}

void spool_drop(struct spool *d)
{
	if (d->mode == SPOOL_FILE)
		fclose(d->out);
	d->out = stdout;
}
