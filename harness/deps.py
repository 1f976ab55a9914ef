"""Stage: host packages and the arm64 guest sysroot.

Host packages come from Debian; when one is missing and we are root they are
installed, otherwise the exact apt-get line is printed and we stop.  Guest
userland (busybox, libcap for seccomp_bpf) is fetched as arm64 .debs with
`apt-get download` and unpacked into build/sysroot.
"""

import glob
import os
import subprocess

from .common import BUILD, SYSROOT, HarnessError, Stage, run, say

HOST_PACKAGES = [
    "make", "gcc", "git", "python3", "xz-utils", "gzip", "cpio", "flex",
    "bison", "bc", "libssl-dev", "libelf-dev", "ccache", "perl", "rsync",
    "kmod", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross",
    "gcc-arm-linux-gnueabihf", "libc6-dev-armhf-cross", "qemu-system-arm",
    "sparse",
    # checkpatch.pl runs scripts/spdxcheck.py, which imports ply and git
    "python3-ply", "python3-git",
    # validate: readelf checks the fetched arm64 packages' libraries,
    # dpkg-source unpacks strace's Debian source package
    "binutils", "dpkg-dev",
]
BASE_PACKAGE = "linux-source-6.12"
BASE_VERSION = "6.12.117-1~deb12u1"
GUEST_PACKAGES = ["busybox-static", "libcap-dev", "libcap2"]


def installed_version(pkg):
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}",
                           pkg], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    fields = proc.stdout.split()
    if proc.returncode or fields[:3] != ["install", "ok", "installed"]:
        return None
    return fields[3] if len(fields) > 3 else ""


def missing_host_packages(need_base):
    pkgs = list(HOST_PACKAGES)
    if need_base:
        pkgs.append(BASE_PACKAGE)
    return [p for p in pkgs if installed_version(p) is None]


def arm64_enabled():
    out = subprocess.run(["dpkg", "--print-foreign-architectures"],
                         stdout=subprocess.PIPE, text=True).stdout.split()
    return "arm64" in out


def ensure_host(need_base=True):
    missing = missing_host_packages(need_base)
    foreign = arm64_enabled()
    if not missing and foreign:
        return
    root = os.geteuid() == 0
    steps = []
    if not foreign:
        steps.append("dpkg --add-architecture arm64")
    steps.append("apt-get update")
    if missing:
        steps.append("apt-get install -y " + " ".join(missing))
    line = " && ".join(steps)
    if not root:
        raise HarnessError("missing Debian packages or the arm64 "
                           "architecture; as root run:\n  " + line,
                           stage="deps")
    with Stage(f"deps: installing {' '.join(missing) or 'arm64 arch'}"):
        log = os.path.join(BUILD, "logs", "apt.log")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        if not foreign:
            run(["dpkg", "--add-architecture", "arm64"], log=log,
                stage="deps", what="dpkg --add-architecture arm64")
        run(["apt-get", "update", "-q"], log=log, env=env, stage="deps",
            what="apt-get update")
        if missing:
            run(["apt-get", "install", "-y", "-q", *missing], log=log,
                env=env, stage="deps", what="apt-get install")
    still = missing_host_packages(need_base)
    if still:
        raise HarnessError("still missing after install: " + " ".join(still),
                           stage="deps")


def check_base_package():
    """The pinned Debian base: say which version, refuse another."""
    ver = installed_version(BASE_PACKAGE)
    if ver is None:
        raise HarnessError(f"{BASE_PACKAGE} is not installed", stage="deps")
    if ver != BASE_VERSION:
        raise HarnessError(f"{BASE_PACKAGE} is {ver}, the series is pinned "
                           f"to {BASE_VERSION}; install that version or "
                           f"give BASE=<tree>", stage="deps")
    return ver


def ensure_sysroot():
    stamp = os.path.join(SYSROOT, ".stamp")
    want = " ".join(GUEST_PACKAGES)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return SYSROOT
    debs = os.path.join(BUILD, "debs")
    os.makedirs(debs, exist_ok=True)
    log = os.path.join(BUILD, "logs", "apt-download.log")
    with Stage("deps: arm64 guest packages (" + want + ")"):
        for old in glob.glob(os.path.join(debs, "*.deb")):
            os.unlink(old)
        run(["apt-get", "download", *[p + ":arm64" for p in GUEST_PACKAGES]],
            log=log, cwd=debs, stage="deps",
            what="apt-get download of arm64 guest packages")
        run(["rm", "-rf", SYSROOT], stage="deps")
        os.makedirs(SYSROOT)
        for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
            run(["dpkg-deb", "-x", deb, SYSROOT], log=log, stage="deps",
                what=f"unpacking {os.path.basename(deb)}")
        for f in ("bin/busybox", "usr/lib/aarch64-linux-gnu/libcap.a"):
            if not os.path.exists(os.path.join(SYSROOT, f)):
                raise HarnessError(f"{f} missing from the arm64 sysroot",
                                   stage="deps", log=log)
        with open(stamp, "w") as fh:
            fh.write(want)
    return SYSROOT


def main(argv):
    need_base = "BASE" not in os.environ or not os.environ["BASE"]
    ensure_host(need_base)
    if need_base:
        say(f"base: Debian {BASE_PACKAGE} {check_base_package()}")
    ensure_sysroot()
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
