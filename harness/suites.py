"""What the harness runs: kselftest targets, tests, their arguments, and the
outcomes known in advance (with the reason)."""

# kselftest TARGETS to build.  arm64 is built with ARM64_SUBTARGETS=abi.
TARGETS = ["ptrace", "rseq", "arm64", "breakpoints", "seccomp",
           "syscall_user_dispatch", "audit", "ftrace"]

# The base tree's own tests that exercise the syscall path.
BASE_TESTS = [
    "ptrace:get_syscall_info",
    "ptrace:peeksiginfo",
    "ptrace:vmaccess",
    "rseq:basic_test",
    "rseq:basic_percpu_ops_test",
    "rseq:param_test",
    "arm64:ptrace",
    "arm64:syscall-abi",
    "breakpoints:breakpoint_test_arm64",
    "seccomp:seccomp_bpf",
    "syscall_user_dispatch:sud_test",
]

# The series' own tests (added by its selftest patches).
SERIES_TESTS = [
    "ptrace:syscall_exit_stops",
    "arm64:syscall_stop",
    "audit:audit_syscall_exit",
    "rseq:syscall_debug_test",
    "ftrace:syscall_exit_event",
]

# Arguments, as run_kselftest.sh takes them (KSELFTEST_<NAME>_ARGS).
# param_test is bounded: one spinlock run, 4 threads, 200 repetitions.
ARGS = {
    "param_test": "-T s -t 4 -r 200",
}

# Outcomes that are known before the run, and why.  They are reported as
# "known", never as a pass, and must be the same on every kernel.
# A key is "suite:program" (the program and all its subtests) or
# "suite:program/subtest" (that subtest; the program's own failure is then
# known only if every failing subtest is).
KNOWN = {
    "syscall_user_dispatch:sud_test":
        "syscall user dispatch needs GENERIC_ENTRY, which arm64 in 6.12 "
        "does not use: prctl(PR_SET_SYSCALL_USER_DISPATCH) fails",
    "ptrace:vmaccess/global.attach":
        "expects PTRACE_ATTACH to succeed while a multi-threaded tracee "
        "execs with a zombie sibling; that de_thread()/cred_guard_mutex "
        "change is not in 6.12, so the test hangs until its 30 s timeout "
        "on every kernel",
}


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


def installed_names():
    return all_tests()


def env_lines():
    lines = []
    for name, args in sorted(ARGS.items()):
        var = "KSELFTEST_" + "".join(c if c.isalnum() else "_"
                                     for c in name).upper() + "_ARGS"
        lines.append(f'export {var}="{args}"')
    return lines
