/*
 * The console shell (takt/shell.h): a thread that reads the console's input
 * (tk_console_read), echoes it, edits the line (backspace), and runs the
 * command its first word names. Lines are at most TK_SHELL_LINE_MAX bytes:
 * a longer one is discarded whole and said so; bytes that are neither
 * printable nor an editing key are dropped and counted in the line's
 * message, so binary garbage cannot reach a command.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <takt/log.h>
#include <takt/shell.h>
#include <takt/takt.h>

#include "shell_impl.h"

#define PROMPT "takt> "

struct command {
	char name[16];
	const char *help;
	tk_shell_fn fn;
};

static struct command commands[TK_SHELL_COMMANDS_MAX];
static unsigned ncommands;
static struct tk_mutex table_lock;
static int started;	/* 0, then 1 for good (atomic) */

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= sizeof(commands[0].name))
		return false;
	for (size_t i = 0; i < n; i++)
		if (name[i] <= ' ' || name[i] > '~')
			return false;
	return true;
}

static struct command *find(const char *name)
{
	for (unsigned i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return 0;
}

int tk_shell_register(const char *name, const char *help, tk_shell_fn fn)
{
	int err = 0;

	if (!name_ok(name) || !fn)
		return -EINVAL;
	tk_mutex_lock(&table_lock, TK_FOREVER);
	if (find(name))
		err = -EEXIST;
	else if (ncommands == TK_SHELL_COMMANDS_MAX)
		err = -ENOSPC;
	else {
		struct command *c = &commands[ncommands++];

		strcpy(c->name, name);	/* name_ok: it fits */
		c->help = help;
		c->fn = fn;
	}
	tk_mutex_unlock(&table_lock);
	return err;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (unsigned i = 0; i < ncommands; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help ? commands[i].help : "");
	return 0;
}

/* Split line at spaces into argv; returns argc, -1 when too many words. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
		if (argc == TK_SHELL_ARGS_MAX)
			return -1;
		argv[argc++] = p;
	}
	return argc;
}

static void run_line(char *line)
{
	char *argv[TK_SHELL_ARGS_MAX + 1];
	int argc = split(line, argv);

	if (argc < 0) {
		printf("shell: more than %d words\n", TK_SHELL_ARGS_MAX);
		return;
	}
	if (argc == 0)
		return;
	argv[argc] = 0;
	tk_mutex_lock(&table_lock, TK_FOREVER);
	struct command *c = find(argv[0]);
	tk_shell_fn fn = c ? c->fn : 0;
	tk_mutex_unlock(&table_lock);
	if (!fn) {
		printf("shell: unknown command '%s' (help lists them)\n", argv[0]);
		return;
	}
	int rc = fn(argc, argv);

	if (rc)
		printf("shell: %s: %d\n", argv[0], rc);
}

/* The line being typed. */
static struct {
	char buf[TK_SHELL_LINE_MAX];
	size_t len;
	bool overlong;		/* past the limit: discarded at its end */
	unsigned dropped;	/* unprintable bytes left out */
} ed;

static void echo(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
	fflush(stdout);
}

/* The line ended: run it, or say why not; then a new prompt. */
static void end_line(void)
{
	echo("\n", 1);
	if (ed.overlong)
		printf("shell: line too long (at most %d bytes): ignored\n", TK_SHELL_LINE_MAX - 1);
	else if (ed.dropped)
		printf("shell: %u unprintable byte(s) left out of the line\n", ed.dropped);
	if (!ed.overlong) {
		ed.buf[ed.len] = 0;
		run_line(ed.buf);
	}
	ed.len = 0;
	ed.overlong = false;
	ed.dropped = 0;
	echo(PROMPT, sizeof(PROMPT) - 1);
}

static void take(char c)
{
	if (c == '\r' || c == '\n') {
		end_line();
	} else if (c == 0x7f || c == 0x08) {	/* DEL, BS: erase one */
		if (ed.len > 0 && !ed.overlong) {
			ed.len--;
			echo("\b \b", 3);
		}
	} else if (c < ' ' || c > '~') {
		ed.dropped++;
	} else if (ed.len + 1 >= TK_SHELL_LINE_MAX) {
		ed.overlong = true;
	} else if (!ed.overlong) {
		ed.buf[ed.len++] = c;
		echo(&c, 1);
	}
}

static void *shell_main(void *arg)
{
	char in[32];
	char last = 0;

	(void)arg;
	printf("shell: ready (help lists the commands)\n");
	echo(PROMPT, sizeof(PROMPT) - 1);
	for (;;) {
		int n = tk_console_read(in, sizeof(in), TK_FOREVER);

		for (int i = 0; i < n; i++) {
			if (in[i] == '\n' && last == '\r')
				last = 0;	/* CR LF: one end of line */
			else
				take(last = in[i]);
		}
	}
	return 0;
}

int tk_shell_start(void)
{
	struct tk_thread_attr a = { .name = "shell", .stack_size = 8192,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 1 } };
	tk_thread_t *t;
	int err;

	if (__atomic_exchange_n(&started, 1, __ATOMIC_ACQ_REL))
		return -EALREADY;
	if (tk_console_read(NULL, 0, 0) == -ENODEV) {
		started = 0;
		return -ENODEV;
	}
	tk_shell_register("help", "list the commands", cmd_help);
	shell_builtins();
	err = tk_thread_create(&t, &a, shell_main, 0);
	if (err)
		started = 0;
	return err;
}
