/*
 * /chosen/bootargs -> the app's argv.
 */
#ifndef TAKT_BOOTARGS_H
#define TAKT_BOOTARGS_H

/*
 * Split a command line in place into argv. Whitespace (space, tab, newline)
 * separates; "double" and 'single' quotes group (quotes removed; "" gives an
 * empty argument); backslash escapes the next char outside single quotes.
 * argv[0] is set to prog and the real args follow; argv[argc] = NULL.
 * buf is rewritten (and left half-split on error); the argv strings point into it.
 * @retval argc (>= 1); buf NULL -> 1
 * @retval -E2BIG more than max_argv-1 strings including prog (argv must have room for the NULL)
 * @retval -EINVAL unterminated quote or trailing backslash; argv NULL or max_argv < 2
 */
int tk_bootargs_split(char *buf, const char *prog, char **argv, int max_argv);
/* main()'s arguments at most, the program's name included (boot.c; the
 * settings fuzzer feeds lines up to it) */
#define BOOTARGS_MAX_ARGS 32

#endif /* TAKT_BOOTARGS_H */
