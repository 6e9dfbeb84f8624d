/*
 * newlib configured for x86_64-none-elf builds its reentrant wrappers with
 * MISSING_SYSCALL_NAMES, so _write_r calls write() rather than the _write()
 * that kernel/posix/syscalls.c provides (as aarch64-none-elf expects). These
 * forward the plain names; newlib's headers are not included so their
 * prototypes cannot clash (the register ABI is the same).
 */
#include <stddef.h>
#include <stdint.h>

struct stat;
struct timeval;
struct tms;

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
long _lseek(int fd, long off, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
void *_sbrk(ptrdiff_t incr);
int _open(const char *path, int flags, int mode);
int _kill(int pid, int sig);
int _getpid(void);
int _gettimeofday(struct timeval *tv, void *tz);
long _times(struct tms *t);

int write(int fd, const char *buf, int len) { return _write(fd, buf, len); }
int read(int fd, char *buf, int len) { return _read(fd, buf, len); }
int close(int fd) { return _close(fd); }
long lseek(int fd, long off, int whence) { return _lseek(fd, off, whence); }
int fstat(int fd, struct stat *st) { return _fstat(fd, st); }
int isatty(int fd) { return _isatty(fd); }
void *sbrk(ptrdiff_t incr) { return _sbrk(incr); }
int open(const char *path, int flags, int mode) { return _open(path, flags, mode); }
int kill(int pid, int sig) { return _kill(pid, sig); }
int getpid(void) { return _getpid(); }
int gettimeofday(struct timeval *tv, void *tz) { return _gettimeofday(tv, tz); }
long times(struct tms *t) { return _times(t); }
