"""What the harness runs: kselftest targets, tests, their arguments, and the
outcomes known in advance (with the reason)."""

# kselftest TARGETS to build.  arm64 is built with ARM64_SUBTARGETS=abi.
TARGETS = ["ptrace", "rseq", "arm64", "seccomp", "syscall_user_dispatch",
           "audit", "ftrace"]

# The base tree's own tests that exercise the syscall path.
# breakpoints' breakpoint_test_arm64 is left out: in one of five boots it
# oopsed the 7.3.4 base kernel itself (prod config: NULL dereference in
# perf_ctx_sched_task_cb() from __perf_event_task_sched_in() as the test's
# child entered a ptrace stop after a watchpoint hit), a perf bug of the
# base that would make the gate fail at random; it does not test the
# syscall exit path.
# rseq's basic_percpu_ops_test (200 threads x 5000 reps) is left out: on
# the 7.3 base under TCG it had not finished after 7 minutes with two
# guests sharing the two cores (80 s on 6.12); basic_test and a bounded
# param_test run rseq critical sections instead.
BASE_TESTS = [
    "ptrace:get_syscall_info",
    "ptrace:peeksiginfo",
    "ptrace:vmaccess",
    "rseq:basic_test",
    "rseq:param_test",
    "arm64:ptrace",
    "arm64:syscall-abi",
    "seccomp:seccomp_bpf",
    "syscall_user_dispatch:sud_test",
]

# The series' own tests (added by its selftest patches).
SERIES_TESTS = [
    "ptrace:syscall_exit_stops",
    "arm64:syscall_stop",
    "audit:audit_syscall_exit",
    "rseq:syscall_debug_test",
    "ftrace:ftracetest",
]

# What a boot of each intermediate patch of the series runs (make check's
# bisect): the series' own tests and the base tree's tests of the syscall
# entry and exit paths.  The slow rseq stress tests run on the base and the
# series tip only.
EXIT_PATH_BASE_TESTS = [
    "ptrace:get_syscall_info",
    "arm64:ptrace",
    "arm64:syscall-abi",
    "seccomp:seccomp_bpf",
]


def exit_path_tests():
    return EXIT_PATH_BASE_TESTS + SERIES_TESTS


# Arguments, as run_kselftest.sh takes them (KSELFTEST_<NAME>_ARGS).
# param_test is bounded: one spinlock run, 4 threads, 200 repetitions.
# ftracetest runs only the series' test case (its whole suite takes long and
# is not about the exit path), in KTAP.  Not -v: ftracetest prints a
# failing case's log after its result line, where a KTAP reader takes it
# for the next case's.  (The helper's own KTAP is in that log; run alone,
# syscall_exit_event prints it.)
ARGS = {
    "param_test": "-T s -t 4 -r 200",
    "ftracetest": "-K test.d/event/syscall-exit-event.tc",
}

# Files a program of the series runs that are not programs of their own
# (TEST_GEN_FILES): installed whenever their source is there.
SUPPORT_FILES = {
    "ftrace:ftracetest": ["ftrace/syscall_exit_event",
                          "ftrace/test.d/event/syscall-exit-event.tc"],
}

# Outcomes that are known before the run, and why.  They are reported as
# "known", never as a pass, and must be the same on every kernel.
# A key is "suite:program" (the program and all its subtests) or
# "suite:program/subtest" (that subtest; the program's own failure is then
# known only if every failing subtest is).
KNOWN = {
    "syscall_user_dispatch:sud_test":
        "syscall user dispatch needs GENERIC_ENTRY, which arm64 does not "
        "use (7.3 as 6.12): prctl(PR_SET_SYSCALL_USER_DISPATCH) fails",
    "seccomp:seccomp_bpf/global.user_notification_wait_killable_after_reply":
        "races a 1 ms itimer against many user-notification round trips "
        "(a test new since 6.12); under TCG it does not finish within "
        "the kselftest harness's 30 s timeout, on every kernel",
    "ptrace:vmaccess/global.attach":
        "expects PTRACE_ATTACH to fail with EAGAIN while a multi-threaded "
        "tracee execs with a zombie sibling; that de_thread()/"
        "cred_guard_mutex change is in neither 6.12 nor 7.3, so the test "
        "hangs until its 30 s timeout on every kernel",
}


# Subtests of the base tree's own tests with a race of their own that can
# end them in the kselftest harness's 30 s timeout on any kernel.  A boot
# in which one of them timed out is booted once more (run.boot_one), the
# first console log kept; the second boot's outcomes are the ones
# compared, and the rows say so.  A real hang times out again.
FLAKY_TIMEOUTS = {
    "seccomp:seccomp_bpf/TRACE_syscall.":
        "seccomp_bpf's tracer (start_tracer()) tests tracer_running and "
        "then blocks in wait(); the teardown's SIGUSR1 that clears the flag "
        "can land between the two, and the tracer then waits for ever. "
        "Seen under TCG in about one boot of twenty (arm64 p12 debug "
        "syscall_redirected, x86_64 prod syscall_faked), on kernels that "
        "pass the case in every other boot",
}


def flaky_timeouts(rows):
    """The suite:test names of rows that timed out in a subtest listed in
    FLAKY_TIMEOUTS."""
    return sorted(f"{r['suite']}:{r['test']}" for r in rows
                  if r["result"] == "timeout" and
                  any(f"{r['suite']}:{r['test']}".startswith(p)
                      for p in FLAKY_TIMEOUTS))


def known_reason(suite, test, failing_subtests=()):
    """Why (suite, test) has a known outcome, or None.  test is
    "program" or "program/subtest"."""
    prog = test.split("/")[0]
    if f"{suite}:{prog}" in KNOWN:
        return KNOWN[f"{suite}:{prog}"]
    if "/" in test:
        return KNOWN.get(f"{suite}:{test}")
    reasons = [KNOWN.get(f"{suite}:{prog}/{s}") for s in failing_subtests]
    if failing_subtests and all(reasons):
        return "; ".join(sorted(set(reasons)))
    return None


def all_tests():
    return BASE_TESTS + SERIES_TESTS


def env_lines():
    # rseq's param_test registers rseq itself and fails (exit 255) when
    # glibc already has: run_param_test.sh turns glibc's registration off
    # the same way.
    lines = ['export GLIBC_TUNABLES="glibc.pthread.rseq=0"']
    for name, args in sorted(ARGS.items()):
        var = "KSELFTEST_" + "".join(c if c.isalnum() else "_"
                                     for c in name).upper() + "_ARGS"
        lines.append(f'export {var}="{args}"')
    return lines
