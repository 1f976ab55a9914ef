// SPDX-License-Identifier: GPL-2.0
/*
 * bench - cost of the arm64 syscall entry/exit paths, in instructions.
 *
 * Usage: bench [-n ITERS] [PATH...]
 *   PATH is one of nowork, tracepoint, seccomp, seccomp_errno, ptrace, audit;
 *   with none, all of them run (audit last, see below).
 *
 * Method: meant to run in a guest of
 *   qemu-system-aarch64 -M virt -cpu max -smp 1 -icount shift=0,sleep=off,align=off
 * where the guest clock advances exactly 1 ns per executed instruction, so
 * guest CLOCK_MONOTONIC nanoseconds are instruction counts and a run is
 * repeatable.  Without -icount the numbers are plain wall-clock ns.
 *
 * Exact repeatability across boots also needs identical guest input: a
 * fixed qemu -seed (otherwise the -cpu max RNDR and the DTB rng/kaslr seeds
 * come from the host) and a byte-identical initramfs (otherwise boot, and
 * the timer tick phase, differ).  Run bench once per boot: after the audit
 * path, every newly forked task takes the audit syscall slow path.
 *
 * bench re-executes itself with ADDR_NO_RANDOMIZE: with address space
 * randomisation the ptrace figure moved by up to ~4% between boots.
 *
 * Each path runs in its own freshly forked child.  The measuring task runs
 * ITERS/10 warm-up calls, then reads CLOCK_MONOTONIC (through the vDSO, no
 * syscall: the ptrace path checks this by counting the tracee's stops),
 * runs ITERS getppid() calls (a raw "svc #0", one non-inlined loop shared
 * by all paths), reads the clock again and reports (t1 - t0) / ITERS.
 * Nothing is subtracted: the figure includes the loop's own few
 * instructions, which are the same for every kernel, so ratios are fair.
 * The clock ticks in 16 ns steps (62.5 MHz counter), so a total is exact
 * only to +-16 ns: negligible at the default ITERS.
 * With -smp 1 all other work the guest does while the loop runs (timer
 * ticks, kernel threads, and for audit and ptrace the draining parent,
 * kauditd and the tracer) is counted too: it is the system-wide cost.
 *
 * Paths (default ITERS 100000; ptrace uses ITERS / 10):
 *   nowork        no syscall work: the fast path.
 *   tracepoint    raw_syscalls:sys_enter/sys_exit enabled in a private
 *                 tracefs instance (small ring buffer, overwrite mode) with
 *                 a "common_pid == <child>" filter, so every call writes two
 *                 records; the record count is checked afterwards.
 *   seccomp       an always-allow seccomp filter.  Note the kernel's seccomp
 *                 action cache recognises it, so the BPF program is not run;
 *                 what is measured is the syscall work slow path.
 *   seccomp_errno getppid() is skipped by a filter returning
 *                 SECCOMP_RET_ERRNO | EPERM (the result is checked).
 *   ptrace        tracee loops on getppid() under PTRACE_SYSCALL; reported
 *                 per syscall, i.e. per entry-stop + exit-stop pair,
 *                 including all the tracer's work.  With ITERS / 100
 *                 occasional one-off kernel work falling into the shorter
 *                 window moved the result by up to 4% with the boot setup;
 *                 at ITERS / 10 it is stable to 0.01%.
 *   audit         this program becomes the audit daemon (AUDIT_SET enabled=1,
 *                 pid=self), adds an exit rule ALWAYS for getppid limited to
 *                 the measuring child (AUDIT_PID), forks the child after
 *                 enabling (only tasks forked then get an audit context) and
 *                 drains the records concurrently.  The drain, kauditd and
 *                 netlink costs are included in the child's time.  Lost
 *                 records (AUDIT_GET lost moving) are an error.  The rule is
 *                 removed and audit disabled afterwards, but every task
 *                 forked later still carries the audit syscall work flag,
 *                 hence audit runs last.
 *
 * Output, one line per path:
 *   BENCH path=<name> iters=<N> ns=<total ns> insns_per_call=<x.x>
 *   BENCH path=<name> error=<reason>
 * Exit status is non-zero if any path failed.
 *
 * Build: aarch64-linux-gnu-gcc -static -O2 -Wall \
 *          -isystem <uapi headers> bench.c -o bench -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define noinline	__attribute__((__noinline__))

#define DEFAULT_ITERS	100000UL
#define PATH_TIMEOUT_S	300	/* guest seconds, per path */

/* Shared between a path's child, its helpers and main(). */
struct shared {
	int printed;			/* the path printed its BENCH line */
	int measured;			/* ns and last are valid */
	unsigned long long ns;
	long last;			/* return value of the last call */
};

static struct shared *shm;
static unsigned long iters = DEFAULT_ITERS;

static void report(const char *name, unsigned long n, unsigned long long ns)
{
	printf("BENCH path=%s iters=%lu ns=%llu insns_per_call=%.1f\n",
	       name, n, ns, (double)ns / n);
	fflush(stdout);
	shm->printed = 1;
}

static int report_err(const char *name, const char *reason)
{
	printf("BENCH path=%s error=%s\n", name, reason);
	fflush(stdout);
	shm->printed = 1;
	return 1;
}

static inline long raw_getppid(void)
{
	register long x8 asm("x8") = __NR_getppid;
	register long x0 asm("x0");

	asm volatile("svc #0" : "=r" (x0) : "r" (x8) : "memory");
	return x0;
}

/* The measured loop: identical code for every path. */
static noinline long syscall_loop(unsigned long n)
{
	long ret = 0;

	while (n--)
		ret = raw_getppid();
	return ret;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long warmup_iters(unsigned long n)
{
	return n / 10 ? n / 10 : 1;
}

/* Warm up, then time n calls; results go to shm.  Makes no other syscall. */
static void measure(unsigned long n)
{
	unsigned long long t0, t1;
	long ret;

	syscall_loop(warmup_iters(n));
	t0 = now_ns();
	ret = syscall_loop(n);
	t1 = now_ns();
	shm->ns = t1 - t0;
	shm->last = ret;
	shm->measured = 1;
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int child_exited_ok(pid_t pid)
{
	int st;

	return !wait_child(pid, &st) && WIFEXITED(st) && !WEXITSTATUS(st);
}

/* ---- nowork ---- */

static int bench_nowork(const char *name)
{
	measure(iters);
	report(name, iters, shm->ns);
	return 0;
}

/* ---- seccomp ---- */

static int install_filter(struct sock_filter *insns, unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int bench_seccomp(const char *name)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (install_filter(allow, ARRAY_SIZE(allow)))
		return report_err(name, "seccomp_filter_install_failed");
	measure(iters);
	if (shm->last < 0)
		return report_err(name, "getppid_failed");
	report(name, iters, shm->ns);
	return 0;
}

static int bench_seccomp_errno(const char *name)
{
	struct sock_filter deny[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (install_filter(deny, ARRAY_SIZE(deny)))
		return report_err(name, "seccomp_filter_install_failed");
	if (raw_getppid() != -EPERM)
		return report_err(name, "getppid_not_eperm");
	measure(iters);
	if (shm->last != -EPERM)
		return report_err(name, "getppid_not_eperm");
	report(name, iters, shm->ns);
	return 0;
}

/* ---- ptrace ---- */

static int bench_ptrace(const char *name)
{
	unsigned long n = iters / 10 ? iters / 10 : 1;
	unsigned long stops = 0, expect;
	int st, sig = 0;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return report_err(name, "fork_failed");
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(1);
		kill(getpid(), SIGSTOP);
		measure(n);
		_exit(0);
	}

	if (wait_child(pid, &st) || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
		kill(pid, SIGKILL);
		return report_err(name, "tracee_did_not_stop");
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) {
		kill(pid, SIGKILL);
		return report_err(name, "ptrace_setoptions_failed");
	}
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, pid, 0, sig)) {
			kill(pid, SIGKILL);
			return report_err(name, "ptrace_syscall_failed");
		}
		if (wait_child(pid, &st))
			return report_err(name, "waitpid_failed");
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80))
			stops++;
		else
			sig = WSTOPSIG(st);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) || !shm->measured)
		return report_err(name, "tracee_failed");
	/*
	 * Entry and exit stop for every getppid(), plus the exit_group()
	 * entry stop.  More means the clock read made syscalls.
	 */
	expect = 2 * (warmup_iters(n) + n) + 1;
	if (stops != expect)
		return report_err(name, "unexpected_syscall_stops");
	report(name, n, shm->ns);
	return 0;
}

/* ---- tracepoint ---- */

#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCE	TRACEFS "/instances/bench"

static int write_file(const char *path, const char *val)
{
	ssize_t len = strlen(val);
	int fd, ret;

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ret = write(fd, val, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

/* Sum of "entries" + "overrun" over the instance's per-cpu buffers. */
static long instance_events(void)
{
	char path[128], buf[1024], *p;
	long total = 0;
	int cpu, fd;
	ssize_t len;

	for (cpu = 0; ; cpu++) {
		snprintf(path, sizeof(path), INSTANCE "/per_cpu/cpu%d/stats", cpu);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			return -1;
		buf[len] = '\0';
		p = strstr(buf, "entries:");
		if (!p)
			return -1;
		total += strtol(p + 8, NULL, 10);
		p = strstr(buf, "overrun:");
		if (!p)
			return -1;
		total += strtol(p + 8, NULL, 10);
	}
	return cpu ? total : -1;
}

static const char *tracepoint_setup(pid_t pid)
{
	char filter[64];

	if (write_file(INSTANCE "/buffer_size_kb", "64"))
		return "buffer_size_kb";
	if (write_file(INSTANCE "/options/overwrite", "1"))
		return "overwrite";
	snprintf(filter, sizeof(filter), "common_pid == %d", pid);
	if (write_file(INSTANCE "/events/raw_syscalls/sys_enter/filter", filter) ||
	    write_file(INSTANCE "/events/raw_syscalls/sys_exit/filter", filter))
		return "set_filter";
	if (write_file(INSTANCE "/events/raw_syscalls/enable", "1"))
		return "enable_raw_syscalls";
	if (write_file(INSTANCE "/tracing_on", "1"))
		return "tracing_on";
	return NULL;
}

static int bench_tracepoint(const char *name)
{
	const char *err;
	char c = 0;
	long events;
	int go[2];
	pid_t pid;

	if (access(TRACEFS "/instances", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return report_err(name, "no_tracefs");
	if (mkdir(INSTANCE, 0755)) {
		if (errno != EEXIST || rmdir(INSTANCE) || mkdir(INSTANCE, 0755))
			return report_err(name, "mkdir_instance_failed");
	}
	if (pipe(go)) {
		rmdir(INSTANCE);
		return report_err(name, "pipe_failed");
	}

	pid = fork();
	if (pid < 0) {
		rmdir(INSTANCE);
		return report_err(name, "fork_failed");
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		measure(iters);
		_exit(0);
	}
	close(go[0]);

	err = tracepoint_setup(pid);
	if (!err && write(go[1], &c, 1) != 1)
		err = "pipe_write_failed";
	close(go[1]);
	if (!child_exited_ok(pid) && !err)
		err = "child_failed";
	write_file(INSTANCE "/events/raw_syscalls/enable", "0");
	events = instance_events();
	if (rmdir(INSTANCE) && !err)
		err = "rmdir_instance_failed";

	if (err)
		return report_err(name, err);
	/* Two records per call at least (warm-up and timed). */
	if (events < 0)
		return report_err(name, "no_buffer_stats");
	if ((unsigned long)events < 2 * (warmup_iters(iters) + iters))
		return report_err(name, "too_few_trace_records");
	report(name, iters, shm->ns);
	return 0;
}

/* ---- audit ---- */

struct audit_ctx {
	int fd;
	unsigned int seq;		/* sequence number of the pending request */
	int acked;
	int ack_err;
	int got_status;
	struct audit_status status;
	unsigned long syscall_recs;	/* AUDIT_SYSCALL records received */
};

static int audit_send(struct audit_ctx *ctx, int type, int flags, const void *data, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		char data[sizeof(struct audit_rule_data)];
	} req;

	if (len > sizeof(req.data))
		return -1;
	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = NLMSG_LENGTH(len);
	req.nlh.nlmsg_type = type;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	req.nlh.nlmsg_seq = ++ctx->seq;
	memcpy(NLMSG_DATA(&req.nlh), data, len);
	ctx->acked = 0;
	ctx->got_status = 0;
	if (sendto(ctx->fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	return 0;
}

/* Read and account every message already queued on the socket. */
static int audit_drain(struct audit_ctx *ctx)
{
	static long buf[16384 / sizeof(long)];	/* aligned for nlmsghdr */
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	ssize_t len;

	for (;;) {
		len = recv(ctx->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0)
			return errno == EAGAIN ? 0 : -1;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			switch (nlh->nlmsg_type) {
			case NLMSG_ERROR:
				e = NLMSG_DATA(nlh);
				if (nlh->nlmsg_seq == ctx->seq) {
					ctx->acked = 1;
					ctx->ack_err = e->error;
				}
				break;
			case AUDIT_GET:
				if (nlh->nlmsg_seq == ctx->seq) {
					memcpy(&ctx->status, NLMSG_DATA(nlh), sizeof(ctx->status));
					ctx->got_status = 1;
				}
				break;
			case AUDIT_SYSCALL:
				ctx->syscall_recs++;
				break;
			}
		}
	}
}

/* Wait (up to timeout_ms per poll) until cond(ctx) holds. */
static int audit_wait(struct audit_ctx *ctx, int (*cond)(struct audit_ctx *), int timeout_ms)
{
	struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN };

	for (;;) {
		if (audit_drain(ctx))
			return -1;
		if (cond(ctx))
			return 0;
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
	}
}

static int cond_acked(struct audit_ctx *ctx)
{
	return ctx->acked;
}

static int cond_status(struct audit_ctx *ctx)
{
	return ctx->acked && ctx->got_status;
}

/* Send a request with NLM_F_ACK and wait for its ack; returns its errno. */
static int audit_request(struct audit_ctx *ctx, int type, const void *data, size_t len)
{
	if (audit_send(ctx, type, NLM_F_ACK, data, len) ||
	    audit_wait(ctx, cond_acked, 5000))
		return -EIO;
	return ctx->ack_err;
}

static int audit_get(struct audit_ctx *ctx, struct audit_status *s)
{
	if (audit_send(ctx, AUDIT_GET, NLM_F_ACK, NULL, 0) ||
	    audit_wait(ctx, cond_status, 5000) || ctx->ack_err)
		return -1;
	*s = ctx->status;
	return 0;
}

static int audit_set(struct audit_ctx *ctx, unsigned int enabled, unsigned int pid)
{
	struct audit_status s = {
		.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID,
		.enabled = enabled,
		.pid = pid,
	};

	return audit_request(ctx, AUDIT_SET, &s, sizeof(s));
}

static void audit_rule(struct audit_rule_data *r, pid_t pid)
{
	memset(r, 0, sizeof(*r));
	r->flags = AUDIT_FILTER_EXIT;
	r->action = AUDIT_ALWAYS;
	r->mask[AUDIT_WORD(__NR_getppid)] = AUDIT_BIT(__NR_getppid);
	r->field_count = 1;
	r->fields[0] = AUDIT_PID;
	r->values[0] = pid;
	r->fieldflags[0] = AUDIT_EQUAL;
}

static unsigned long audit_expect;

static int cond_all_records(struct audit_ctx *ctx)
{
	return ctx->syscall_recs >= audit_expect;
}

/* Run the measuring child while draining the audit socket; returns error or NULL. */
static const char *audit_run(struct audit_ctx *ctx)
{
	struct audit_rule_data rule;
	struct pollfd pfd[2];
	int go[2], done[2];
	const char *err = NULL;
	char c = 0;
	pid_t pid;

	if (pipe(go) || pipe(done))
		return "pipe_failed";
	pid = fork();
	if (pid < 0)
		return "fork_failed";
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(done[0]);
		close(ctx->fd);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		measure(iters);
		_exit(0);	/* closes done[1]: the parent sees EOF */
	}
	close(go[0]);
	close(done[1]);

	audit_rule(&rule, pid);
	if (audit_request(ctx, AUDIT_ADD_RULE, &rule, sizeof(rule))) {
		close(go[1]);
		close(done[0]);
		child_exited_ok(pid);
		return "add_rule_failed";
	}
	if (write(go[1], &c, 1) != 1)
		err = "pipe_write_failed";
	close(go[1]);

	/* Drain concurrently until the child is gone. */
	pfd[0].fd = ctx->fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = done[0];
	pfd[1].events = POLLIN;
	while (!err) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			err = "poll_failed";
			break;
		}
		if (audit_drain(ctx)) {
			err = "recv_failed";
			break;
		}
		if (pfd[1].revents)
			break;
	}
	close(done[0]);
	if (!child_exited_ok(pid) && !err)
		err = "child_failed";

	/* Every audited getppid() (warm-up and timed) must show up. */
	audit_expect = warmup_iters(iters) + iters;
	if (!err && audit_wait(ctx, cond_all_records, 5000))
		err = "missing_audit_records";
	if (audit_request(ctx, AUDIT_DEL_RULE, &rule, sizeof(rule)) && !err)
		err = "del_rule_failed";
	return err;
}

static int bench_audit(const char *name)
{
	struct audit_ctx ctx = { .fd = -1 };
	struct audit_status before, after;
	const char *err;

	ctx.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (ctx.fd < 0)
		return report_err(name, "no_audit_socket");
	if (audit_get(&ctx, &before))
		return report_err(name, "audit_get_failed");
	if (before.pid)
		return report_err(name, "audit_daemon_already_running");
	if (audit_set(&ctx, 1, getpid()))
		return report_err(name, "audit_set_failed");

	err = audit_run(&ctx);

	if (audit_get(&ctx, &after) && !err)
		err = "audit_get_failed";
	else if (after.lost != before.lost && !err)
		err = "audit_records_lost";
	if (audit_set(&ctx, 0, 0) && !err)
		err = "audit_disable_failed";
	close(ctx.fd);
	if (err)
		return report_err(name, err);
	report(name, iters, shm->ns);
	return 0;
}

/* ---- driver ---- */

static const struct bench_path {
	const char *name;
	int (*fn)(const char *name);
} paths[] = {
	/* audit must stay last: see the header comment */
	{ "nowork", bench_nowork },
	{ "tracepoint", bench_tracepoint },
	{ "seccomp", bench_seccomp },
	{ "seccomp_errno", bench_seccomp_errno },
	{ "ptrace", bench_ptrace },
	{ "audit", bench_audit },
};

#define NR_PATHS ARRAY_SIZE(paths)

static int run_path(const struct bench_path *p)
{
	int st, ok;
	pid_t pid;

	memset(shm, 0, sizeof(*shm));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return report_err(p->name, "fork_failed");
	if (!pid) {
		alarm(PATH_TIMEOUT_S);
		_exit(p->fn(p->name) ? 1 : 0);
	}
	ok = !wait_child(pid, &st) && WIFEXITED(st) && !WEXITSTATUS(st);
	if (!shm->printed)
		report_err(p->name, WIFSIGNALED(st) ? "killed_or_timeout" : "no_result");
	return ok ? 0 : 1;
}

static void bad_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-n ITERS] [PATH...]\npaths:", prog);
	for (size_t i = 0; i < NR_PATHS; i++)
		fprintf(stderr, " %s", paths[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, first, failed = 0;
	size_t i;
	char *end;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		switch (opt) {
		case 'n':
			iters = strtoul(optarg, &end, 0);
			if (*end || !iters)
				bad_usage(argv[0]);
			break;
		default:
			bad_usage(argv[0]);
		}
	}

	/*
	 * Address space randomisation changes the instruction count of some
	 * paths (ptrace by up to ~4%), so run without it: re-exec once.
	 */
	opt = personality(0xffffffff);
	if (opt != -1 && !(opt & ADDR_NO_RANDOMIZE)) {
		if (personality(opt | ADDR_NO_RANDOMIZE) != -1)
			execv("/proc/self/exe", argv);
		fprintf(stderr, "bench: warning: cannot disable ASLR: %s\n", strerror(errno));
	}

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	if (optind == argc) {
		for (i = 0; i < NR_PATHS; i++)
			failed |= run_path(&paths[i]);
		return failed;
	}

	for (first = optind; optind < argc; optind++) {
		for (i = 0; i < NR_PATHS; i++)
			if (!strcmp(argv[optind], paths[i].name))
				break;
		if (i == NR_PATHS)
			bad_usage(argv[0]);
	}
	/* Run the named paths in table order, so audit still comes last. */
	for (i = 0; i < NR_PATHS; i++) {
		for (opt = first; opt < argc; opt++) {
			if (!strcmp(argv[opt], paths[i].name)) {
				failed |= run_path(&paths[i]);
				break;
			}
		}
	}
	return failed;
}
