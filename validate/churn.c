// SPDX-License-Identifier: GPL-2.0
/*
 * churn - tracer churn stress for the syscall entry/exit path.
 *
 * A multi-threaded tracee makes syscalls whose results it knows
 * (getppid(), a failing close(-1), nanosleep(0), a read() from a pipe
 * holding data) and checks every result.  Meanwhile:
 *
 *  - a tracer process keeps attaching to every thread of the tracee
 *    (alternating PTRACE_SEIZE and PTRACE_ATTACH sessions), resumes the
 *    stops with PTRACE_SYSCALL or PTRACE_CONT in turn, checks what
 *    PTRACE_GET_SYSCALL_INFO reports at syscall-exit stops, stops the
 *    threads again (PTRACE_INTERRUPT, or a thread-directed SIGURG), detaches
 *    and starts over;
 *  - the controller becomes the audit daemon over NETLINK_AUDIT, adds and
 *    deletes a syscall-exit audit rule for the tracee, drains the records
 *    and checks that the kernel's "lost" counter does not move;
 *  - the controller enables and disables the raw_syscalls:sys_exit
 *    tracepoint in a private tracefs instance.
 *
 * So syscall work flags (TIF_SYSCALL_TRACE, _AUDIT, _TRACEPOINT) are set
 * and cleared on running tasks all the time, from other tasks.  At the end
 * every tracee result must have been right, the tracer must have seen the
 * right return values, and every task must exit within a timeout (a task
 * left in D or t state is reported).
 *
 * Prints "CHURN ok syscalls=N attaches=N switches=N audit_toggles=N
 * lost_delta=0 ..." or "CHURN FAIL <reason>"; exit status 0 or 1.
 *
 * Usage: churn [-t SECONDS] [-n THREADS] [-A] [-F]
 *   -A: no audit part, -F: no tracefs part (default: both are required).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#define MAX_THREADS	16
#define EXIT_TIMEOUT_S	30

struct shared {
	int stop;			/* controller -> tracee: finish */
	int ready;			/* tracee threads running */
	int64_t syscalls;		/* checked tracee syscalls */
	int64_t bad;			/* wrong tracee results */
	int64_t attaches;		/* tracer: successful attach ops */
	int64_t switches;		/* tracer: SYSCALL <-> CONT changes */
	int64_t sysstops;		/* tracer: syscall stops seen */
	int64_t checked_exits;		/* tracer: exit values verified */
	int64_t sessions;
	char tracee_err[160];
	char tracer_err[160];
};

static struct shared *sh;
static int duration = 20;
static int nthreads = 4;
static pid_t controller;

static void set_err(char *buf, const char *fmt, ...)
{
	char tmp[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* keep the first error only */
	if (!buf[0])
		memcpy(buf, tmp, sizeof(tmp));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- tracee */

static void *tracee_worker(void *arg)
{
	long idx = (long)arg;
	struct timespec zero = { 0, 0 };
	double deadline = now() + duration + EXIT_TIMEOUT_S;
	int64_t n = 0;
	int p[2];
	char c, w;
	long r;

	if (pipe(p)) {
		set_err(sh->tracee_err, "pipe: %s", strerror(errno));
		__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED) && now() < deadline) {
		r = syscall(SYS_getppid);
		if (r != controller) {
			set_err(sh->tracee_err, "thread %ld: getppid()=%ld, want %d",
				idx, r, controller);
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		}
		errno = 0;
		r = syscall(SYS_close, -1);
		if (r != -1 || errno != EBADF) {
			set_err(sh->tracee_err, "thread %ld: close(-1)=%ld errno=%d",
				idx, r, errno);
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		}
		r = syscall(SYS_nanosleep, &zero, NULL);
		if (r != 0) {
			set_err(sh->tracee_err, "thread %ld: nanosleep(0)=%ld errno=%d",
				idx, r, errno);
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		}
		w = 'a' + (n & 15);
		r = syscall(SYS_write, p[1], &w, 1);
		if (r != 1) {
			set_err(sh->tracee_err, "thread %ld: write(pipe)=%ld errno=%d",
				idx, r, errno);
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		}
		c = 0;
		r = syscall(SYS_read, p[0], &c, 1);
		if (r != 1 || c != w) {
			set_err(sh->tracee_err,
				"thread %ld: read(pipe)=%ld errno=%d byte %#x want %#x",
				idx, r, errno, c, w);
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		}
		n += 5;
		if ((n & 0xff) == 0) {
			__atomic_add_fetch(&sh->syscalls, 256, __ATOMIC_RELAXED);
			n -= 256;
		}
	}
	__atomic_add_fetch(&sh->syscalls, n, __ATOMIC_RELAXED);
	close(p[0]);
	close(p[1]);
	return NULL;
}

static void run_tracee(void)
{
	pthread_t th[MAX_THREADS];
	long i;

	/* the main thread is a worker too, so every thread makes syscalls */
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&th[i], NULL, tracee_worker, (void *)i)) {
			set_err(sh->tracee_err, "pthread_create failed");
			__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
			_exit(1);
		}
	}
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	tracee_worker((void *)0);
	for (i = 1; i < nthreads; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}

/* ---------------------------------------------------------------- tracer */

struct tthread {
	pid_t tid;
	int attached;
	int stopped;		/* in a ptrace stop we have not resumed yet */
	int last_req;		/* PTRACE_SYSCALL or PTRACE_CONT */
	int have_entry;
	uint64_t entry_nr, entry_arg0;
	int64_t resumes;
};

static int list_threads(pid_t pid, struct tthread *t, int max)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		memset(&t[n], 0, sizeof(t[n]));
		t[n++].tid = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

static struct tthread *find_thread(struct tthread *t, int n, pid_t tid)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].tid == tid)
			return &t[i];
	return NULL;
}

static void tracer_fail(const char *fmt, ...)
{
	char tmp[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	set_err(sh->tracer_err, "%s", tmp);
}

/* Verify what the tracer sees at a syscall stop. */
static void check_syscall_stop(struct tthread *t)
{
	struct __ptrace_syscall_info info;
	long r;

	memset(&info, 0, sizeof(info));
	r = ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof(info), &info);
	if (r <= 0) {
		tracer_fail("GET_SYSCALL_INFO tid %d: %ld errno %d", t->tid, r, errno);
		return;
	}
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->have_entry = 1;
		t->entry_nr = info.entry.nr;
		t->entry_arg0 = info.entry.args[0];
		return;
	}
	if (info.op != PTRACE_SYSCALL_INFO_EXIT) {
		tracer_fail("tid %d: syscall stop with op %d", t->tid, info.op);
		return;
	}
	if (!t->have_entry)
		return;		/* attached or switched mid-syscall */
	t->have_entry = 0;
	if (t->entry_nr == __NR_getppid) {
		if (info.exit.is_error || info.exit.rval != controller)
			tracer_fail("tid %d: getppid exit rval %lld is_error %d",
				    t->tid, (long long)info.exit.rval, info.exit.is_error);
		sh->checked_exits++;
	} else if (t->entry_nr == __NR_close && t->entry_arg0 == (uint64_t)-1) {
		if (!info.exit.is_error || info.exit.rval != -EBADF)
			tracer_fail("tid %d: close(-1) exit rval %lld is_error %d",
				    t->tid, (long long)info.exit.rval, info.exit.is_error);
		sh->checked_exits++;
	}
}

static void resume(struct tthread *t, int sig)
{
	/* mostly PTRACE_SYSCALL, every 4th resume PTRACE_CONT */
	int req = (t->resumes++ % 4 == 3) ? PTRACE_CONT : PTRACE_SYSCALL;

	if (req == PTRACE_CONT)
		t->have_entry = 0;
	if (ptrace(req, t->tid, 0, sig)) {
		tracer_fail("resume tid %d: %s", t->tid, strerror(errno));
		return;
	}
	if (t->last_req && t->last_req != req)
		sh->switches++;
	t->last_req = req;
	t->stopped = 0;
}

/* Handle one wait status of a traced thread; returns 0 or -1 if it died. */
static int handle_stop(struct tthread *t, int status, int seize, int resume_it)
{
	int sig;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		tracer_fail("tracee thread %d died (status %#x)", t->tid, status);
		t->attached = 0;
		return -1;
	}
	if (!WIFSTOPPED(status))
		return 0;
	t->stopped = 1;
	sig = WSTOPSIG(status);
	if (sig == (SIGTRAP | 0x80)) {
		sh->sysstops++;
		check_syscall_stop(t);
		sig = 0;
	} else {
		t->have_entry = 0;
		if (status >> 16)	/* PTRACE_EVENT_STOP: interrupt/group stop */
			sig = 0;
		else if (sig == SIGSTOP || sig == SIGURG)
			sig = 0;	/* ours: suppress */
		if (!seize && !t->last_req &&
		    ptrace(PTRACE_SETOPTIONS, t->tid, 0, PTRACE_O_TRACESYSGOOD))
			tracer_fail("SETOPTIONS tid %d: %s", t->tid, strerror(errno));
	}
	if (resume_it)
		resume(t, sig);
	return 0;
}

static void request_stop(pid_t tgid, struct tthread *t, int seize)
{
	if (seize) {
		if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) && errno != ESRCH)
			tracer_fail("INTERRUPT tid %d: %s", t->tid, strerror(errno));
	} else {
		syscall(SYS_tgkill, tgid, t->tid, SIGURG);
	}
}

static int wait_thread_stop(struct tthread *t, int seize)
{
	int status;
	pid_t r;

	while (!t->stopped) {
		r = waitpid(t->tid, &status, __WALL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			tracer_fail("waitpid tid %d: %s", t->tid, strerror(errno));
			return -1;
		}
		if (handle_stop(t, status, seize, 0))
			return -1;
	}
	return 0;
}

static void tracer_session(pid_t tgid, int seize, double end)
{
	struct tthread t[MAX_THREADS + 1];
	int n, i, status, idle = 0;
	double stop_at = now() + 0.05 + (rand() % 200) / 1000.0;
	struct tthread *tt;
	pid_t r;

	n = list_threads(tgid, t, MAX_THREADS + 1);
	if (n <= 0) {
		tracer_fail("no threads in tracee %d", tgid);
		return;
	}
	for (i = 0; i < n; i++) {
		if (seize)
			r = ptrace(PTRACE_SEIZE, t[i].tid, 0, PTRACE_O_TRACESYSGOOD);
		else
			r = ptrace(PTRACE_ATTACH, t[i].tid, 0, 0);
		if (r) {
			tracer_fail("%s tid %d: %s", seize ? "SEIZE" : "ATTACH",
				    t[i].tid, strerror(errno));
			continue;
		}
		t[i].attached = 1;
		sh->attaches++;
		/* a seized thread runs on: stop it once to get syscall stops */
		if (seize)
			request_stop(tgid, &t[i], seize);
	}
	if (stop_at > end)
		stop_at = end;

	while (now() < stop_at && !sh->tracer_err[0]) {
		r = waitpid(-1, &status, __WALL | WNOHANG);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			tracer_fail("waitpid: %s", strerror(errno));
			break;
		}
		if (r == 0) {
			/* nothing pending: re-stop threads running under PTRACE_CONT */
			if (++idle % 4 == 0)
				for (i = 0; i < n; i++)
					if (t[i].attached && !t[i].stopped &&
					    t[i].last_req == PTRACE_CONT)
						request_stop(tgid, &t[i], seize);
			msleep(1);
			continue;
		}
		tt = find_thread(t, n, r);
		if (!tt) {
			tracer_fail("wait returned unknown task %d", r);
			break;
		}
		handle_stop(tt, status, seize, 1);
	}

	/* detach: bring every thread to a stop, then PTRACE_DETACH */
	for (i = 0; i < n; i++) {
		if (!t[i].attached)
			continue;
		if (!t[i].stopped) {
			request_stop(tgid, &t[i], seize);
			if (wait_thread_stop(&t[i], seize))
				continue;
		}
		if (ptrace(PTRACE_DETACH, t[i].tid, 0, 0))
			tracer_fail("DETACH tid %d: %s", t[i].tid, strerror(errno));
		t[i].attached = 0;
	}
	/*
	 * A SIGSTOP from PTRACE_ATTACH that was still queued at detach time
	 * stops the (now untraced) group: continue it.
	 */
	if (!seize)
		kill(tgid, SIGCONT);
	sh->sessions++;
}

static void run_tracer(pid_t tgid)
{
	double end = now() + duration;
	int k = 0;

	alarm(duration + EXIT_TIMEOUT_S);	/* a stuck tracer dies, detaching */
	srand(getpid());
	while (now() < end && !sh->tracer_err[0])
		tracer_session(tgid, k++ & 1, end);
	_exit(0);
}

/* ----------------------------------------------------------------- audit */

struct audit {
	int fd;
	uint32_t seq;
	int64_t records, syscall_records;
	struct audit_status st;
	int got_status;
	char err[160];
};

static void audit_drain_msg(struct audit *a, struct nlmsghdr *nh, uint32_t seq,
			    int *acked)
{
	struct nlmsgerr *e;

	switch (nh->nlmsg_type) {
	case NLMSG_ERROR:
		e = NLMSG_DATA(nh);
		if (nh->nlmsg_seq == seq)
			*acked = 1;
		if (e->error)
			set_err(a->err, "audit request type %d seq %u: error %d",
				e->msg.nlmsg_type, nh->nlmsg_seq, e->error);
		break;
	case AUDIT_GET:
		if (nh->nlmsg_seq == seq) {
			memcpy(&a->st, NLMSG_DATA(nh), sizeof(a->st));
			a->got_status = 1;
		}
		break;
	case NLMSG_NOOP:
	case NLMSG_DONE:
		break;
	default:
		if (nh->nlmsg_type >= AUDIT_FIRST_USER_MSG &&
		    nh->nlmsg_type <= AUDIT_LAST_USER_MSG2) {
			a->records++;
			if (nh->nlmsg_type == AUDIT_SYSCALL)
				a->syscall_records++;
		}
	}
}

/* Read everything pending (wait up to @ms for the first message). */
static int audit_drain(struct audit *a, int ms, uint32_t seq, int *acked)
{
	static char buf[1 << 16] __attribute__((aligned(8)));
	struct pollfd pfd = { a->fd, POLLIN, 0 };
	struct nlmsghdr *nh;
	ssize_t len;
	int dummy;

	if (!acked)
		acked = &dummy;
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	for (;;) {
		len = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) {
				set_err(a->err, "audit socket overrun (ENOBUFS)");
				continue;
			}
			set_err(a->err, "audit recv: %s", strerror(errno));
			return -1;
		}
		for (nh = (void *)buf; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len))
			audit_drain_msg(a, nh, seq, acked);
	}
}

static int audit_request(struct audit *a, int type, const void *data, size_t size,
			 int want_status)
{
	char buf[NLMSG_SPACE(sizeof(struct audit_rule_data) + 64)] __attribute__((aligned(8)));
	struct nlmsghdr *nh = (void *)buf;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	double deadline = now() + 5;
	int acked = 0;

	memset(buf, 0, sizeof(buf));
	nh->nlmsg_len = NLMSG_LENGTH(size);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++a->seq;
	memcpy(NLMSG_DATA(nh), data, size);
	if (want_status)
		a->got_status = 0;
	if (sendto(a->fd, nh, nh->nlmsg_len, 0, (void *)&sa, sizeof(sa)) < 0) {
		set_err(a->err, "audit send type %d: %s", type, strerror(errno));
		return -1;
	}
	while (!(acked && (!want_status || a->got_status))) {
		if (now() > deadline) {
			set_err(a->err, "audit request type %d: no reply", type);
			return -1;
		}
		if (audit_drain(a, 100, a->seq, &acked))
			return -1;
	}
	return a->err[0] ? -1 : 0;
}

static int audit_open(struct audit *a)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int sz = 4 << 20;

	memset(a, 0, sizeof(*a));
	a->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (a->fd < 0) {
		set_err(a->err, "NETLINK_AUDIT socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(a->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	if (bind(a->fd, (void *)&sa, sizeof(sa))) {
		set_err(a->err, "bind audit socket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int audit_get(struct audit *a)
{
	return audit_request(a, AUDIT_GET, NULL, 0, 1);
}

/* Become the audit daemon and enable auditing. */
static int audit_become_daemon(struct audit *a, int enable)
{
	struct audit_status s;

	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID;
	s.enabled = enable;
	s.pid = enable ? getpid() : 0;
	if (enable) {
		s.mask |= AUDIT_STATUS_BACKLOG_LIMIT;
		s.backlog_limit = 8192;
	}
	return audit_request(a, AUDIT_SET, &s, sizeof(s), 0);
}

static int audit_rule(struct audit *a, int add, pid_t pid)
{
	struct audit_rule_data r;

	memset(&r, 0, sizeof(r));
	r.flags = AUDIT_FILTER_EXIT;
	r.action = AUDIT_ALWAYS;
	r.mask[__NR_getppid / 32] |= 1U << (__NR_getppid % 32);
	r.mask[__NR_close / 32] |= 1U << (__NR_close % 32);
	r.field_count = 2;
	r.fields[0] = AUDIT_ARCH;
	r.fieldflags[0] = AUDIT_EQUAL;
	r.values[0] = AUDIT_ARCH_AARCH64;
	r.fields[1] = AUDIT_PID;
	r.fieldflags[1] = AUDIT_EQUAL;
	r.values[1] = pid;
	return audit_request(a, add ? AUDIT_ADD_RULE : AUDIT_DEL_RULE, &r, sizeof(r), 0);
}

/* -------------------------------------------------------- controller threads */

static volatile int ctl_stop;
static pid_t tracee_pid;
static struct audit aud;
static int64_t audit_toggles;
static uint32_t lost_start, lost_end;

static void *audit_thread(void *arg)
{
	double next = now();
	int on = 0;

	while (!ctl_stop && !aud.err[0]) {
		if (now() >= next) {
			if (audit_rule(&aud, !on, tracee_pid))
				break;
			on = !on;
			audit_toggles++;
			next = now() + 0.2;
		}
		audit_drain(&aud, 5, 0, NULL);
	}
	if (on)
		audit_rule(&aud, 0, tracee_pid);
	/* let the records of the last syscalls arrive */
	audit_drain(&aud, 200, 0, NULL);
	return NULL;
}

static char trace_dir[256];
static int64_t trace_toggles;
static char trace_err[160];

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s));
	close(fd);
	return r == (ssize_t)strlen(s) ? 0 : -1;
}

static int trace_setup(void)
{
	static const char * const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[300];
	unsigned int i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (access(path, F_OK))
			continue;
		snprintf(trace_dir, sizeof(trace_dir), "%s/instances/churn-%d",
			 roots[i], getpid());
		if (mkdir(trace_dir, 0755)) {
			set_err(trace_err, "mkdir %s: %s", trace_dir, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_exit/enable",
			 trace_dir);
		if (access(path, W_OK)) {
			set_err(trace_err, "no raw_syscalls:sys_exit (CONFIG_FTRACE_SYSCALLS)");
			return -1;
		}
		return 0;
	}
	set_err(trace_err, "tracefs not mounted");
	return -1;
}

static void *trace_thread(void *arg)
{
	char path[300];
	int on = 0;

	snprintf(path, sizeof(path), "%s/events/raw_syscalls/sys_exit/enable", trace_dir);
	while (!ctl_stop) {
		on = !on;
		if (write_str(path, on ? "1" : "0")) {
			set_err(trace_err, "write %s: %s", path, strerror(errno));
			break;
		}
		trace_toggles++;
		msleep(on ? 20 : 10);
	}
	write_str(path, "0");
	return NULL;
}

/* Report tasks of @pid that are in D or t/T state. */
static void report_stuck(pid_t pid, const char *who, char *why, size_t len)
{
	char path[64], buf[512], *p;
	struct dirent *de;
	DIR *d;
	FILE *f;
	int tid;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tid = atoi(de->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			p = strrchr(buf, ')');
			if (p && p[1] == ' ') {
				printf("# %s task %d state %c\n", who, tid, p[2]);
				if (strchr("DtT", p[2]) && !why[0])
					snprintf(why, len, "%s task %d stuck in state %c",
						 who, tid, p[2]);
			}
		}
		fclose(f);
	}
	closedir(d);
}

/* Wait for @pid to exit within @secs; 0 if it exited with status 0. */
static int wait_exit(pid_t pid, int secs, const char *who, char *why, size_t len)
{
	double deadline = now() + secs;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0) {
			snprintf(why, len, "waitpid %s: %s", who, strerror(errno));
			return -1;
		}
		if (now() > deadline) {
			report_stuck(pid, who, why, len);
			if (!why[0])
				snprintf(why, len, "%s did not exit within %ds", who, secs);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		msleep(20);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!why[0])
			snprintf(why, len, "%s exited with status %#x", who, status);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int use_audit = 1, use_trace = 1, opt, fail = 0;
	pthread_t at, tt;
	pid_t tracer;
	char why[256] = "";

	while ((opt = getopt(argc, argv, "t:n:AF")) != -1) {
		switch (opt) {
		case 't':
			duration = atoi(optarg);
			break;
		case 'n':
			nthreads = atoi(optarg);
			break;
		case 'A':
			use_audit = 0;
			break;
		case 'F':
			use_trace = 0;
			break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-n THREADS] [-A] [-F]\n",
				argv[0]);
			return 2;
		}
	}
	if (duration < 1 || nthreads < 1 || nthreads > MAX_THREADS) {
		fprintf(stderr, "bad -t or -n\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	controller = getpid();
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("CHURN FAIL mmap: %s\n", strerror(errno));
		return 1;
	}

	/* audit must be enabled before the tracee forks to give it a context */
	if (use_audit) {
		if (audit_open(&aud) || audit_get(&aud) || audit_become_daemon(&aud, 1) ||
		    audit_get(&aud)) {
			printf("CHURN FAIL audit setup: %s\n", aud.err);
			return 1;
		}
		lost_start = aud.st.lost;
	}
	if (use_trace && trace_setup()) {
		printf("CHURN FAIL tracefs setup: %s\n", trace_err);
		return 1;
	}

	tracee_pid = fork();
	if (tracee_pid < 0) {
		printf("CHURN FAIL fork: %s\n", strerror(errno));
		return 1;
	}
	if (tracee_pid == 0) {
		if (use_audit)
			close(aud.fd);
		run_tracee();
	}
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE))
		msleep(1);
	msleep(20);	/* let the worker threads start */

	tracer = fork();
	if (tracer < 0) {
		printf("CHURN FAIL fork: %s\n", strerror(errno));
		kill(tracee_pid, SIGKILL);
		return 1;
	}
	if (tracer == 0) {
		if (use_audit)
			close(aud.fd);
		run_tracer(tracee_pid);
	}

	if (use_audit)
		pthread_create(&at, NULL, audit_thread, NULL);
	if (use_trace)
		pthread_create(&tt, NULL, trace_thread, NULL);

	printf("# churn: tracee %d (%d threads), tracer %d, %ds\n",
	       tracee_pid, nthreads, tracer, duration);

	/* the tracer stops on its own after the duration */
	if (wait_exit(tracer, duration + EXIT_TIMEOUT_S, "tracer", why, sizeof(why)))
		fail = 1;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	kill(tracee_pid, SIGCONT);
	if (wait_exit(tracee_pid, EXIT_TIMEOUT_S, "tracee", why, sizeof(why)))
		fail = 1;

	ctl_stop = 1;
	if (use_trace)
		pthread_join(tt, NULL);
	if (use_audit) {
		pthread_join(at, NULL);
		if (!aud.err[0] && !audit_get(&aud))
			lost_end = aud.st.lost;
		audit_become_daemon(&aud, 0);
	}
	if (use_trace && trace_dir[0])
		rmdir(trace_dir);

	if (!why[0] && sh->tracee_err[0])
		snprintf(why, sizeof(why), "tracee: %s", sh->tracee_err);
	if (!why[0] && sh->tracer_err[0])
		snprintf(why, sizeof(why), "tracer: %s", sh->tracer_err);
	if (!why[0] && sh->bad)
		snprintf(why, sizeof(why), "%lld wrong tracee results", (long long)sh->bad);
	if (!why[0] && aud.err[0])
		snprintf(why, sizeof(why), "audit: %s", aud.err);
	if (!why[0] && trace_err[0])
		snprintf(why, sizeof(why), "tracefs: %s", trace_err);
	if (!why[0] && lost_end != lost_start)
		snprintf(why, sizeof(why), "audit lost counter moved %u -> %u",
			 lost_start, lost_end);
	if (!why[0] && use_audit && !aud.syscall_records)
		snprintf(why, sizeof(why), "no audit SYSCALL records received");
	if (!why[0] && (!sh->syscalls || !sh->attaches || !sh->sysstops))
		snprintf(why, sizeof(why), "no progress: syscalls=%lld attaches=%lld sysstops=%lld",
			 (long long)sh->syscalls, (long long)sh->attaches,
			 (long long)sh->sysstops);
	if (why[0])
		fail = 1;

	printf("# sessions=%lld sysstops=%lld checked_exits=%lld audit_records=%lld audit_syscall_records=%lld trace_toggles=%lld\n",
	       (long long)sh->sessions, (long long)sh->sysstops,
	       (long long)sh->checked_exits, (long long)aud.records,
	       (long long)aud.syscall_records, (long long)trace_toggles);
	if (fail) {
		printf("CHURN FAIL %s\n", why[0] ? why : "unknown");
		return 1;
	}
	printf("CHURN ok syscalls=%lld attaches=%lld switches=%lld audit_toggles=%lld lost_delta=%u\n",
	       (long long)sh->syscalls, (long long)sh->attaches,
	       (long long)sh->switches, (long long)audit_toggles,
	       lost_end - lost_start);
	return 0;
}
