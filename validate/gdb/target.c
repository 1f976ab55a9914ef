// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny static target for the gdb validation scripts.  Every syscall the
 * scripts look at is made through one svc instruction (label svc_site)
 * with known register contents: x0 = first argument, x7 = 0x77 (a
 * syscall-stop ABI quirk clobbers x7 while the tracee is stopped), x8 = nr.
 *
 *   target getppid   getppid() through svc_site, prints the result
 *   target step      close(-1) through svc_site (for stepi across svc)
 *   target read      blocking read() of an empty pipe, interrupted by
 *                    SIGALRM (handler without SA_RESTART): -EINTR
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <asm/unistd.h>

volatile int got_alarm;
long x7_after;

/* One svc instruction for all calls: long nr, long a0, long a1, long a2. */
long raw_syscall3(long nr, long a0, long a1, long a2);
asm(".text\n"
    ".globl raw_syscall3\n"
    ".type raw_syscall3, %function\n"
    "raw_syscall3:\n"
    "	mov	x8, x0\n"
    "	mov	x0, x1\n"
    "	mov	x1, x2\n"
    "	mov	x2, x3\n"
    "	mov	x7, #0x77\n"
    ".globl svc_site\n"
    "svc_site:\n"
    "	svc	#0\n"
    "	adrp	x9, x7_after\n"
    "	str	x7, [x9, :lo12:x7_after]\n"
    "	ret\n"
    ".size raw_syscall3, .-raw_syscall3\n");

static void on_alarm(int sig)
{
	got_alarm = 1;
}

long __attribute__((noinline)) blocking_read(int fd)
{
	char c;

	alarm(2);
	return raw_syscall3(__NR_read, fd, (long)&c, 1);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int p[2];
	long r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "getppid")) {
		r = raw_syscall3(__NR_getppid, 0x1234, 0, 0);
		printf("target: getppid=%ld x7=%#lx\n", r, x7_after);
	} else if (!strcmp(argv[1], "step")) {
		r = raw_syscall3(__NR_close, -1, 0, 0);
		printf("target: close(-1)=%ld x7=%#lx\n", r, x7_after);
	} else if (!strcmp(argv[1], "read")) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;	/* no SA_RESTART */
		sigaction(SIGALRM, &sa, NULL);
		if (pipe(p))
			return 1;
		r = blocking_read(p[0]);
		printf("target: read=%ld got_alarm=%d x7=%#lx\n", r, got_alarm, x7_after);
	} else {
		return 2;
	}
	return 0;
}
