/* The console shell with an app command (takt_app(... SHELL)): the target
 * test types into it (tests/target/CMakeLists.txt, shell_*). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <takt/shell.h>
#include <takt/takt.h>

static int cmd_add(int argc, char **argv)
{
	if (argc != 3) {
		printf("usage: add A B\n");
		return -EINVAL;
	}
	printf("sum %ld\n", strtol(argv[1], 0, 10) + strtol(argv[2], 0, 10));
	return 0;
}

static int cmd_quit(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("shell app: bye\n");
	fflush(stdout);
	tk_poweroff(0);
}

int main(void)
{
	/* The shell started at boot and may print on another CPU meanwhile:
	 * one line with every answer, then "registered" for the test to go on. */
	int add = tk_shell_register("add", "add two numbers", cmd_add);
	int again = tk_shell_register("add", "x", cmd_add);
	int bad = tk_shell_register("a b", "x", cmd_add);
	int nofn = tk_shell_register("x", "x", 0);
	int start = tk_shell_start();
	int quit = tk_shell_register("quit", "power off (status 0)", cmd_quit);

	printf("shell app: add %d, again %d, bad name %d, no function %d, start again %d, "
	       "quit %d\n", add, again, bad, nofn, start, quit);
	printf("shell app: registered\n");
	for (;;)
		tk_sleep_ns(1000000000ull);
}
