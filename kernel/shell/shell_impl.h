/* kernel/shell/: the built-in commands (builtins.c), added when the shell
 * starts (shell.c). */
#ifndef TAKT_SHELL_IMPL_H
#define TAKT_SHELL_IMPL_H

void shell_builtins(void);

#endif
