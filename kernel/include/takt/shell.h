/*
 * A small shell on the console (kernel/shell/): takt_app(... SHELL) starts
 * it at boot. Built in: help, threads, stats, log, reboot; an app adds its
 * own with tk_shell_register. Lines are edited with backspace; an overlong
 * line, an unknown command and unprintable bytes each get a message, and the
 * shell goes on.
 */
#ifndef TAKT_SHELL_H
#define TAKT_SHELL_H

#define TK_SHELL_LINE_MAX 128	/* bytes of a line, its end included */
#define TK_SHELL_ARGS_MAX 16
#define TK_SHELL_COMMANDS_MAX 32

/* A command: argv[0] is its name. Its return value is printed when not 0. */
typedef int (*tk_shell_fn)(int argc, char **argv);

/* Add a command (before or after the shell starts). name: 1..15 printable
 * bytes without spaces; help: one line, may be NULL.
 * @retval 0, -EINVAL (bad name, fn NULL), -EEXIST (taken), -ENOSPC (full) */
int tk_shell_register(const char *name, const char *help, tk_shell_fn fn);

/* Start the shell thread on the console (FIFO priority 1).
 * @retval 0, -EALREADY (running), -ENODEV (the console takes no input),
 *         or tk_thread_create's error */
int tk_shell_start(void);

#endif
