/* Linked into apps that say takt_app(... SHELL): the shell starts at boot. */
#include <stdio.h>

#include <takt/board.h>
#include <takt/shell.h>

static void shell_autostart(void)
{
	int err = tk_shell_start();

	if (err)
		printf("shell: not started (%d): the console takes no input\n", err);
}

TK_INIT(shell_autostart);
