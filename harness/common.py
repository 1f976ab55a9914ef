"""Shared plumbing for the harness stages: paths, progress, errors, commands."""

import fcntl
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("HARNESS_BUILD", os.path.join(ROOT, "build"))
OUT = os.environ.get("HARNESS_OUT", os.path.join(ROOT, "out"))
# SERIES=<git tree>:<base>..<branch> tests a branch of the user's own tree
# (harness/tree.py): its patches are written to build/branch-series/.
SERIES = os.environ.get("HARNESS_SERIES") or (
    os.path.join(BUILD, "branch-series") if os.environ.get("SERIES",
                                                            "").strip()
    else os.path.join(ROOT, "series"))
CONFIGS_DIR = os.path.join(ROOT, "configs")
GUEST_DIR = os.path.join(ROOT, "guest")

TREE = os.path.join(BUILD, "linux")
# The harness's own worktree of TREE: every checkout and build happens
# here, never in the tree the user edits.
WORK = os.path.join(BUILD, "work")
SYSROOT = os.environ.get("HARNESS_SYSROOT", os.path.join(BUILD, "sysroot"))
ARCH = "arm64"
CROSS_COMPILE = "aarch64-linux-gnu-"
CROSS_COMPILE_COMPAT = "arm-linux-gnueabihf-"
CONFIGS = ("debug", "prod")
KERNELS = ("base", "series")

_T0 = time.monotonic()


class HarnessError(Exception):
    """A broken promise: says what, where, and which log holds the detail."""

    def __init__(self, message, kernel=None, config=None, stage=None,
                 log=None):
        self.message = message
        self.kernel = kernel
        self.config = config
        self.stage = stage
        self.log = log
        super().__init__(self.describe())

    def describe(self):
        where = [f"{k}={v}" for k, v in (("stage", self.stage),
                                          ("kernel", self.kernel),
                                          ("config", self.config)) if v]
        text = "error"
        if where:
            text += " [" + " ".join(where) + "]"
        text += ": " + self.message
        if self.log:
            text += f"\n  log: {self.log}"
        return text


def elapsed():
    return time.monotonic() - _T0


def fmt_secs(s):
    s = int(round(s))
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def say(msg):
    print(f"[{fmt_secs(elapsed()):>6}] {msg}", flush=True)


# build/'s lock, once this process holds it (hold_build())
_BUILD_LOCK = []


def hold_build(stage):
    """Hold build/'s lock for the rest of this process.  Every command
    checks out and builds in the one worktree (build/work) and object dirs:
    a second command there would check another commit out under the
    first one's make.  So the second is refused, naming the holder; the
    lock goes with the process (even one killed)."""
    if _BUILD_LOCK:
        return
    os.makedirs(BUILD, exist_ok=True)
    fh = open(os.path.join(BUILD, ".lock"), "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "a process that did not say"
        fh.close()
        raise HarnessError(
            f"{BUILD} is in use by {holder}; wait for it to end, or give "
            "this command a build directory of its own (HARNESS_BUILD=)",
            stage=stage) from None
    fh.seek(0)
    fh.truncate()
    cmd = " ".join(["harness", *sys.argv[1:]])
    fh.write(f"pid {os.getpid()} ({cmd}, since "
             f"{time.strftime('%H:%M:%S')})\n")
    fh.flush()
    _BUILD_LOCK.append(fh)


TIMINGS = os.path.join(BUILD, "timings.json")
HEARTBEAT = 30


class Stage:
    """Context manager that prints start, end and duration of a step.

    With key, a long step also says every HEARTBEAT seconds that it is
    still running, with the time the last step of that key took, and
    records its own time for the next one."""

    def __init__(self, name, key=None):
        self.name = name
        self.key = key
        self._stop = None

    def _beat(self, last):
        while not self._stop.wait(HEARTBEAT):
            est = f" (last time {fmt_secs(last)})" if last else ""
            say(f"{self.name}: running for "
                f"{fmt_secs(time.monotonic() - self.t)}{est}")

    def __enter__(self):
        import threading
        self.t = time.monotonic()
        say(f"{self.name} ...")
        if self.key:
            last = read_json(TIMINGS, default={}).get(self.key)
            self._stop = threading.Event()
            threading.Thread(target=self._beat, args=(last,),
                             daemon=True).start()
        return self

    def __exit__(self, exc_type, exc, tb):
        secs = time.monotonic() - self.t
        took = fmt_secs(secs)
        if self._stop:
            self._stop.set()
        if exc_type is None:
            say(f"{self.name}: done in {took}")
            if self.key:
                times = read_json(TIMINGS, default={})
                times[self.key] = round(secs)
                write_json(TIMINGS, times)
        else:
            say(f"{self.name}: FAILED after {took}")
        return False


def run(cmd, log=None, cwd=None, env=None, check=True, what=None,
        kernel=None, config=None, stage=None, timeout=None):
    """Run a command; its output goes to log (appended) or is returned.

    On failure raise HarnessError naming the log and its last lines.
    """
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    try:
        return _run(cmd, log, cwd, full_env, check, what, kernel, config,
                    stage, timeout)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"{what or cmd[0]} did not finish within "
                           f"{timeout} s", kernel=kernel, config=config,
                           stage=stage, log=log) from None
    except OSError as e:
        raise HarnessError(f"{what or cmd[0]}: cannot run {cmd[0]}: {e}",
                           kernel=kernel, config=config, stage=stage,
                           log=log) from None


def _run(cmd, log, cwd, full_env, check, what, kernel, config, stage,
         timeout):
    if log:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "a") as fh:
            fh.write(f"$ {shlex.join(cmd)}\n")
            fh.flush()
            start = fh.tell()
            proc = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=fh,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        out = None
    else:
        proc = subprocess.run(cmd, cwd=cwd, env=full_env,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)
        out = proc.stdout
    if check and proc.returncode != 0:
        tail = tail_of(log) if log else (out or "")[-2000:]
        first = first_error(log, start) if log else None
        if first:
            tail = f"first error: {first}\n...\n{tail}"
        raise HarnessError(f"{what or cmd[0]} failed (exit {proc.returncode})"
                           f"\n{indent(tail)}", kernel=kernel, config=config,
                           stage=stage, log=log)
    return out if log is None else proc.returncode


def first_error(path, start=0):
    """The first compiler or linker error in a build log: what a failed
    build means, rather than the make[2]: *** lines that end it."""
    import re
    pat = re.compile(r"(: (fatal )?error: |: undefined reference to |"
                     r"^ERROR: )")
    try:
        with open(path, errors="replace") as fh:
            fh.seek(start)
            for line in fh:
                if pat.search(line):
                    return line.rstrip()
    except OSError:
        pass
    return None


def tail_of(path, lines=15):
    try:
        with open(path, errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])
    except OSError:
        return ""


def indent(text, prefix="  | "):
    return "\n".join(prefix + line for line in text.rstrip().splitlines())


def git(*args, cwd=TREE, check=True, timeout=600, env=None, input=None):
    """git in the tree (or cwd), with env added to the environment and
    input on its stdin; its output.  check=None: whether it succeeded."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              timeout=timeout, input=input,
                              env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        raise HarnessError(f"git {' '.join(args)} did not finish within "
                           f"{timeout} s", stage="tree") from None
    if check is None:
        return proc.returncode == 0
    if check and proc.returncode != 0:
        raise HarnessError(f"git {' '.join(args)} failed: "
                           f"{proc.stderr.strip()}", stage="tree")
    return proc.stdout.strip()


def sha256_of(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def file_bytes(path):
    with open(path, "rb") as fh:
        return fh.read()


class Cache:
    """The harness's one cache rule.  A product (a tree, a .config, an
    Image, an unpacked .deb, a boot's results) is up to date when its stamp
    file holds the SHA-256 of everything it was made from and its files
    exist.  A stage asks hit(), or makes the product inside making(): the
    stamp goes first, so an interrupted step is redone, and is written
    back only when the step succeeded.  note is kept in the stamp for the
    reader (what the inputs were)."""

    def __init__(self, stamp, *inputs, note=""):
        self.stamp = stamp
        self.ident = sha256_of(*inputs)
        self.note = note

    def hit(self, *products):
        lines = (read_text(self.stamp) or "").splitlines()
        return bool(lines) and lines[0] == self.ident and \
            all(os.path.exists(p) for p in products)

    def recorded_note(self):
        """The note of the stamp as it is on disk (the last inputs)."""
        return "\n".join((read_text(self.stamp) or "").splitlines()[1:])

    def forget(self):
        try:
            os.unlink(self.stamp)
        except FileNotFoundError:
            pass

    def record(self):
        os.makedirs(os.path.dirname(self.stamp), exist_ok=True)
        with open(self.stamp, "w") as fh:
            fh.write(self.ident + "\n" + (self.note + "\n" if self.note
                                          else ""))

    def making(self):
        return _Making(self)


class _Making:
    def __init__(self, cache):
        self.cache = cache

    def __enter__(self):
        self.cache.forget()
        return self.cache

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.cache.record()
        return False


def read_text(path):
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return None


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)


def read_json(path, default=None):
    try:
        with open(path) as fh:
            return json.load(fh)
    except FileNotFoundError:
        return default


def series_patches():
    """The numbered patches of series/, cover letter excluded, in order."""
    if not os.path.isdir(SERIES):
        return []
    return sorted(os.path.join(SERIES, f) for f in os.listdir(SERIES)
                  if f.endswith(".patch") and f[:4].isdigit()
                  and not f.startswith("0000-"))


def jobs():
    return str(int(os.environ.get("JOBS", (os.cpu_count() or 1) + 1)))


def die(err):
    print(err.describe() if isinstance(err, HarnessError) else str(err),
          file=sys.stderr, flush=True)
    sys.exit(1)


def entry(main, argv=None):
    """Run a stage's main(argv) as a program: a HarnessError is a clear
    message and exit status 1, not a traceback."""
    try:
        sys.exit(main(sys.argv[1:] if argv is None else argv))
    except HarnessError as e:
        die(e)
    except KeyboardInterrupt:
        die(HarnessError("interrupted"))
