// SPDX-License-Identifier: GPL-2.0
/*
 * Audit validation workload: stops itself so the runner can add audit
 * rules for its pid, then makes N getppid(), N failing close(-1) and N
 * successful close() calls, checking each result.
 *
 * Usage: workload N
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	pid_t ppid = getppid();
	int i, fd, bad = 0;
	long r;

	/* wait here until the rules are in */
	kill(getpid(), SIGSTOP);
	for (i = 0; i < n; i++) {
		r = syscall(SYS_getppid);
		bad += r != ppid;
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		r = syscall(SYS_close, -1);
		bad += r != -1 || errno != EBADF;
	}
	for (i = 0; i < n; i++) {
		fd = dup(1);
		r = syscall(SYS_close, fd);
		bad += fd < 0 || r != 0;
	}
	printf("workload: %d x (getppid, close(-1), close(fd)), %d wrong results\n", n, bad);
	return bad != 0;
}
