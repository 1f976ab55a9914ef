"""Stages: initramfs and boot.

The initramfs holds busybox-static (arm64), the kselftest install, the
harness's /init and the list of tests to run.  A boot runs one kernel under
qemu-system-aarch64 -M virt -cpu max with a time limit; the whole console is
kept beside the kernel.  A boot that hits the limit, or whose console lacks
the end marker, is an error that names the log, never a pass.
"""

import gzip
import io
import os
import re
import select
import stat
import subprocess
import time

from .common import GUEST_DIR, SYSROOT, HarnessError, fmt_secs, say

QEMU = os.environ.get("HARNESS_QEMU", "qemu-system-aarch64")
DEFAULT_TIMEOUT = int(os.environ.get("BOOT_TIMEOUT", "900"))


# Per guest architecture: the emulator, its machine, the console device and
# the kernel image kbuild makes.
ARCHS = {
    "arm64": {"qemu": QEMU, "machine": ["-M", "virt", "-cpu", "max"],
              "console": "ttyAMA0", "image": "arch/arm64/boot/Image"},
    "x86_64": {"qemu": "qemu-system-x86_64",
               "machine": ["-M", "pc", "-cpu", "max"],
               "console": "ttyS0", "image": "arch/x86/boot/bzImage"},
}


def _cpio_entry(out, name, mode, data=b"", ino=[1], rdev=(0, 0)):
    ino[0] += 1
    name_b = name.encode() + b"\0"
    hdr = ("070701" + "".join(f"{v:08x}" for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, *rdev, len(name_b), 0)))
    out.write(hdr.encode() + name_b)
    out.write(b"\0" * ((4 - (110 + len(name_b)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def _add_tree(buf, src, prefix):
    """Add the directory src under prefix (links kept as links)."""
    for top, subdirs, files in os.walk(src):
        subdirs.sort()
        rel = os.path.relpath(top, src)
        base = prefix if rel == "." else f"{prefix}/{rel}"
        if rel != ".":
            _cpio_entry(buf, base, stat.S_IFDIR | 0o755)
        for f in sorted(files) + sorted(d for d in subdirs if os.path.islink(
                os.path.join(top, d))):
            p = os.path.join(top, f)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                _cpio_entry(buf, f"{base}/{f}", stat.S_IFLNK | 0o777,
                            os.readlink(p).encode())
            else:
                with open(p, "rb") as fh:
                    _cpio_entry(buf, f"{base}/{f}",
                                stat.S_IFREG | (st.st_mode & 0o777),
                                fh.read())


def make_initramfs(dest, install_dir, tests, env_lines=(), run_script=None,
                   extra_files=(), trees=(), sysroot=SYSROOT):
    """Write a gzipped newc cpio.  No root, no cpio(1): written here, with
    every file root-owned and reproducible."""
    buf = io.BytesIO()
    dirs = ["bin", "sbin", "usr", "usr/bin", "usr/sbin", "proc", "sys",
            "dev", "tmp", "harness", "kselftest", "root", "etc", "run"]
    for d in dirs:
        _cpio_entry(buf, d, stat.S_IFDIR | 0o755)
    _cpio_entry(buf, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
    with open(os.path.join(sysroot, "bin", "busybox"), "rb") as fh:
        _cpio_entry(buf, "bin/busybox", stat.S_IFREG | 0o755, fh.read())
    for applet in ("sh", "mount", "poweroff", "sync", "mkdir", "ln", "cat",
                   "hostname", "uname", "sed", "grep", "echo"):
        _cpio_entry(buf, f"bin/{applet}", stat.S_IFLNK | 0o777, b"busybox")
    with open(os.path.join(GUEST_DIR, "init"), "rb") as fh:
        _cpio_entry(buf, "init", stat.S_IFREG | 0o755, fh.read())
    _cpio_entry(buf, "etc/passwd", stat.S_IFREG | 0o644,
                b"root:x:0:0:root:/root:/bin/sh\n"
                b"nobody:x:65534:65534:nobody:/:/bin/false\n")
    _cpio_entry(buf, "etc/group", stat.S_IFREG | 0o644,
                b"root:x:0:\nnogroup:x:65534:\n")
    _cpio_entry(buf, "harness/tests", stat.S_IFREG | 0o644,
                ("\n".join(tests) + "\n").encode())
    env = ["# busybox's timeout lacks --foreground, which runner.sh uses:",
           "# the kselftest harness's own timeouts and the boot limit apply",
           "/bin/busybox --install -s",
           "rm -f /usr/bin/timeout"] + list(env_lines)
    _cpio_entry(buf, "harness/env", stat.S_IFREG | 0o644,
                ("\n".join(env) + "\n").encode())
    if run_script:
        _cpio_entry(buf, "harness/run", stat.S_IFREG | 0o755,
                    run_script.encode())
    for name, mode, data in extra_files:
        _cpio_entry(buf, name, mode, data)
    if install_dir:
        _add_tree(buf, install_dir, "kselftest")
    for src, prefix in trees:
        _cpio_entry(buf, prefix, stat.S_IFDIR | 0o755)
        _add_tree(buf, src, prefix)
    _cpio_entry(buf, "TRAILER!!!", 0)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with gzip.GzipFile(dest, "wb", compresslevel=1, mtime=0) as fh:
        fh.write(buf.getvalue())
    return dest


def qemu_cmd(image, initrd, append="", icount=False, smp=2, mem=1024,
             arch="arm64"):
    a = ARCHS[arch]
    # -seed: -cpu max has RNDR and the DTB carries random seeds; a fixed
    # seed makes boots repeatable (exactly so under -icount).
    cmd = [a["qemu"], *a["machine"], "-smp", str(smp), "-seed", "1",
           "-m", str(mem), "-nographic", "-no-reboot", "-kernel", image,
           "-initrd", initrd, "-append",
           f"console={a['console']} panic=-1 loglevel=4 printk.time=1 " +
           append]
    if icount:
        cmd += ["-icount", "shift=0,sleep=off,align=off"]
    return cmd


# A program that prints nothing for this long is hung: the guest's busybox
# timeout cannot run the kselftest per-program timeouts (runner.sh needs
# --foreground), so the host applies this one and names the program.
SILENCE = int(os.environ.get("HARNESS_SILENCE", "480"))
RESULT = re.compile(r"^(ok|not ok) \d+ selftests: (\S+): (\S+)(.*)$")
STARTED = re.compile(r"^# selftests: (\S+): (\S+)\s*$")


def _console(proc, fh, timeout, silence, label, stream):
    """Copy the guest console to fh until qemu exits.  Returns (None, why)
    on a timeout or a silent program, else (rc, None); streams each
    program's result line when stream is set."""
    t0 = time.monotonic()
    last, current, buf = t0, None, b""
    while True:
        now = time.monotonic()
        if now - t0 > timeout:
            return None, (f"boot timed out after {fmt_secs(timeout)} (no "
                          "power-off): kernel hang or a test stuck" +
                          (f"; running: {current}" if current else ""))
        if silence and current and now - last > silence:
            return None, (f"{current} printed nothing for "
                          f"{fmt_secs(silence)}: hung (HARNESS_SILENCE)")
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            return proc.wait(), None
        fh.write(chunk)
        fh.flush()
        last = time.monotonic()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip("\r")
            m = STARTED.match(line)
            if m:
                current = f"{m.group(1)}:{m.group(2)}"
            m = RESULT.match(line)
            if m:
                current = None
                if stream:
                    say(f"{label}: {m.group(1)} {m.group(2)}:{m.group(3)}"
                        f"{m.group(4)}")


def boot(image, initrd, log, kernel, config, timeout=DEFAULT_TIMEOUT,
         append="", icount=False, smp=2, silence=None, stream=False,
         arch="arm64"):
    """Boot; return the console text.  Raises on a hang or a missing end
    marker (the console log is kept either way)."""
    if not os.path.exists(image):
        raise HarnessError(f"no kernel image {image}", kernel=kernel,
                           config=config, stage="boot")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    cmd = qemu_cmd(image, initrd, append, icount, smp, arch=arch)
    t0 = time.monotonic()
    with open(log, "wb") as fh:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
        except OSError as e:
            raise HarnessError(f"cannot run {cmd[0]}: {e}", kernel=kernel,
                               config=config, stage="boot") from None
        try:
            rc, why = _console(proc, fh, timeout, silence,
                               f"{kernel}-{config}", stream)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
    took = time.monotonic() - t0
    text = open(log, "rb").read().decode("utf-8", "replace")
    if rc is None:
        raise HarnessError(why, kernel=kernel, config=config, stage="boot",
                           log=log)
    if "HARNESS: BEGIN" not in text:
        why = "kernel panic" if "Kernel panic" in text else \
            f"qemu exit {rc}, init never started"
        raise HarnessError(f"the guest did not reach /init ({why})",
                           kernel=kernel, config=config, stage="boot",
                           log=log)
    if "HARNESS: END" not in text:
        why = "kernel panic" if "Kernel panic" in text else \
            "the guest stopped before the tests finished"
        raise HarnessError(f"{why}: console has no end marker; the KTAP "
                           "is truncated", kernel=kernel, config=config,
                           stage="boot", log=log)
    say(f"boot {kernel}-{config}: {fmt_secs(took)}")
    return text
