/*
 * Command-line splitting (see bootargs.h). The rules are a small subset of
 * the POSIX shell's (quoting and backslash, no expansion), so a bootargs
 * string reads the way the same words would on a Linux command line.
 *
 * It works in place: the write pointer w never passes the read pointer r,
 * because every output byte consumes at least one input byte.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "bootargs.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Copy one word from *rp to *wp, undoing quotes and escapes. Stops at an
 * unquoted blank or the NUL, which is left unconsumed. */
static int take_word(char **rp, char **wp)
{
	char *r = *rp, *w = *wp;
	char quote = 0;

	for (;;) {
		char c = *r;

		if (c == '\0' && quote)
			return -EINVAL; /* unterminated quote */
		if (c == '\0' || (!quote && is_space(c)))
			break;
		r++;
		if (quote == '\'') { /* single quotes: everything literal */
			if (c == '\'')
				quote = 0;
			else
				*w++ = c;
		} else if (c == '\\') {
			if (*r == '\0')
				return -EINVAL; /* trailing backslash */
			*w++ = *r++;
		} else if (quote == '"' && c == '"') {
			quote = 0;
		} else if (!quote && (c == '"' || c == '\'')) {
			quote = c;
		} else {
			*w++ = c;
		}
	}
	*rp = r;
	*wp = w;
	return 0;
}

int tk_bootargs_split(char *buf, const char *prog, char **argv, int max_argv)
{
	char *r = buf, *w = buf;
	int argc = 1;

	if (!argv || max_argv < 2)
		return -EINVAL;
	argv[0] = (char *)(prog ? prog : "");
	argv[1] = NULL;
	if (!buf)
		return 1;
	for (;;) {
		char *start = w;
		int rc;

		while (is_space(*r))
			r++;
		if (*r == '\0')
			break;
		if (argc >= max_argv - 1)
			return -E2BIG;
		rc = take_word(&r, &w);
		if (rc)
			return rc;
		/* r is on the delimiter; step over it before w may overwrite it. */
		if (*r)
			r++;
		*w++ = '\0';
		argv[argc++] = start;
		argv[argc] = NULL;
	}
	return argc;
}
