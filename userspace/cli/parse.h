/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iopgt CLI: argument parsers and the script tokenizer (not in libiopgt). */
#ifndef IOPGT_CLI_PARSE_H
#define IOPGT_CLI_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include "libiopgt.h"

/*
 * Numbers: decimal (a leading 0 is still decimal), 0x hex, 0b binary, 0o
 * octal; optional suffix
 * K, M, G, T, P (powers of 1024; "KB"/"KiB" also accepted). '_' separators
 * allowed. Overflow is an error. Return 0 or -EINVAL/-ERANGE.
 */
int parse_u64(const char *s, uint64_t *out);
/* Same, but the value must fit in 32 bits. */
int parse_u32(const char *s, uint32_t *out);
/*
 * Prot: a comma/space/'+' separated list of tokens r, w, x, nx, cache,
 * mmio, priv (long forms read, write, exec, noexec also accepted); a token
 * made only of the letters r/w/x ("rw", "rwx") counts as those letters.
 * Only "nx" sets IOPGT_PROT_NOEXEC; "x" documents intent and conflicts with
 * "nx". A plain number is taken as raw IOPGT_PROT_* bits. The kernel, not
 * the parser, rejects prot without r or w. Returns 0 or -EINVAL with @bad (may be
 * NULL) set to the offending token or reason.
 */
int parse_prot(const char *s, uint32_t *prot, char *bad, size_t badlen);
/* "A-B" (inclusive end), "A+LEN" (end = A+LEN-1), or "A" (one address). */
int parse_range(const char *s, uint64_t *start, uint64_t *end_incl);
/* Page-size list "4K,2M,1G" -> bitmap; each must be a power of two. */
int parse_pgsizes(const char *s, uint64_t *bitmap);
/* Quirk list "ttbr1,ns,..." -> IOPGT_QUIRK_* */
int parse_quirks(const char *s, uint64_t *quirks, char *bad, size_t badlen);

/*
 * Script tokenizer: splits @line into at most @max words in place (modifies
 * @line). Whitespace separates; '#' outside quotes starts a comment; single
 * and double quotes group; backslash escapes the next character outside
 * single quotes. Returns the word count, or -EINVAL (unterminated quote) /
 * -E2BIG (too many words).
 */
int tokenize(char *line, char **argv, int max);

#endif
