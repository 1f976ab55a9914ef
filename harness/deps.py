"""Stage: host packages, the base kernel source and the arm64 guest sysroot.

Host packages come from Debian; when one is missing and we are root they are
installed, otherwise the exact apt-get line is printed and we stop.  Guest
userland (busybox, libcap for seccomp_bpf) is fetched as arm64 .debs with
`apt-get download` and unpacked into build/sysroot.

The base is Debian's linux-source-7.3 from trixie-backports, an
`Architecture: all` package holding the source tarball.  It is fetched with
`apt-get download` through an apt state directory of the harness's own
(build/apt: its own sources file naming that suite, lists and cache), so the
machine's apt sources are never touched; the .deb's version and SHA-256 are
pinned and checked, the .deb is kept in build/debs/base and the tarball
taken out of it with dpkg-deb.
"""

import glob
import hashlib
import os
import shutil
import subprocess

from .common import BUILD, SYSROOT, Cache, HarnessError, Stage, run, say

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
    # the Debian archive key that signs trixie-backports, for the base
    "debian-archive-keyring",
]
# The Debian source packages the harness can use as a base, pinned by
# version and by the .deb's SHA-256.  "7.3" is the series' base; "6.12"
# (Debian 12's kernel) runs the selftest patches alone and gives v1's base
# for the range-diff.
BASES = {
    "7.3": {"package": "linux-source-7.3", "version": "7.3.4-1~bpo13+1",
            "uri": "http://deb.debian.org/debian",
            "suite": "trixie-backports",
            "sha256": "703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df"
                      "039633ed181ee3"},
    "6.12": {"package": "linux-source-6.12", "version": "6.12.117-1~deb12u1",
             "uri": "http://deb.debian.org/debian-security",
             "suite": "bookworm-security",
             "sha256": "e849faf31ca3555757f3a8877cb01af92122f744f75d1f3102"
                       "734651c4e14703"},
}
DEFAULT_BASE = "7.3"
BASE_PACKAGE = BASES[DEFAULT_BASE]["package"]
BASE_VERSION = BASES[DEFAULT_BASE]["version"]
BASE_SUITE = BASES[DEFAULT_BASE]["suite"]
BASE_DEB_SHA256 = BASES[DEFAULT_BASE]["sha256"]
APT_TIMEOUT = 900
GUEST_PACKAGES = ["busybox-static", "libcap-dev", "libcap2"]


def installed_version(pkg):
    proc = subprocess.run(["dpkg-query", "-W", "-f=${Status} ${Version}",
                           pkg], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    fields = proc.stdout.split()
    if proc.returncode or fields[:3] != ["install", "ok", "installed"]:
        return None
    return fields[3] if len(fields) > 3 else ""


def missing_host_packages():
    return [p for p in HOST_PACKAGES if installed_version(p) is None]


def arm64_enabled():
    out = subprocess.run(["dpkg", "--print-foreign-architectures"],
                         stdout=subprocess.PIPE, text=True).stdout.split()
    return "arm64" in out


def ensure_host():
    missing = missing_host_packages()
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
            what="apt-get update", timeout=APT_TIMEOUT)
        if missing:
            run(["apt-get", "install", "-y", "-q", *missing], log=log,
                env=env, stage="deps", what="apt-get install",
                timeout=APT_TIMEOUT)
    still = missing_host_packages()
    if still:
        raise HarnessError("still missing after install: " + " ".join(still),
                           stage="deps")


def own_apt_options(name):
    """apt-get options that read only build/apt/<name>: its sources, lists
    and cache.  The machine's /etc/apt/sources.list* are not read."""
    b = BASES[name]
    d = os.path.join(BUILD, "apt", name)
    for sub in ("sources.list.d", "preferences.d", "lists/partial",
                "cache/archives/partial"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    with open(os.path.join(d, "sources.list.d", "base.sources"), "w") as fh:
        fh.write(f"Types: deb\nURIs: {b['uri']}\nSuites: {b['suite']}\n"
                 "Components: main\nSigned-By: "
                 "/usr/share/keyrings/debian-archive-keyring.gpg\n")
    return ["-o", "Dir::Etc::SourceList=/dev/null",
            "-o", f"Dir::Etc::SourceParts={d}/sources.list.d",
            "-o", "Dir::Etc::Preferences=/dev/null",
            "-o", f"Dir::Etc::PreferencesParts={d}/preferences.d",
            "-o", f"Dir::State::Lists={d}/lists",
            "-o", f"Dir::Cache={d}/cache",
            "-o", "APT::Sandbox::User=root"]


def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def base_deb_path(name=DEFAULT_BASE):
    b = BASES[name]
    return os.path.join(BUILD, "debs", "base",
                        f"{b['package']}_{b['version'].replace(':', '%3a')}"
                        "_all.deb")


def _fetch_base_deb(name, deb):
    b = BASES[name]
    log = os.path.join(BUILD, "logs", f"apt-base-{name}.log")
    os.makedirs(os.path.dirname(deb), exist_ok=True)
    opts = own_apt_options(name)
    with Stage(f"deps: {b['package']} {b['version']} from {b['suite']} "
               f"(own apt state in build/apt/{name})"):
        run(["apt-get", *opts, "update", "-q"], log=log, stage="deps",
            what=f"apt-get update of {b['suite']}", timeout=APT_TIMEOUT)
        run(["apt-get", *opts, "download", f"{b['package']}={b['version']}"],
            log=log, stage="deps", cwd=os.path.dirname(deb),
            timeout=APT_TIMEOUT,
            what=f"apt-get download {b['package']}={b['version']}")
    if not os.path.exists(deb):
        raise HarnessError(f"apt-get download gave no {deb}", stage="deps",
                           log=log)
    got = _sha256_file(deb)
    if got != b["sha256"]:
        raise HarnessError(f"{deb}: SHA-256 {got}, the pinned {b['package']} "
                           f"{b['version']} is {b['sha256']}; not using it",
                           stage="deps", log=log)


def base_tarball(name=DEFAULT_BASE):
    """The pinned base's source tarball, fetched and checked if needed."""
    b = BASES[name]
    tarball_name = b["package"] + ".tar.xz"
    tarball = os.path.join(BUILD, "base", tarball_name)
    deb = base_deb_path(name)
    cache = Cache(tarball + ".stamp", b["sha256"],
                  note=f"from {b['package']} {b['version']} "
                  f"(.deb SHA-256 {b['sha256']})")
    if cache.hit(tarball):
        return tarball
    if not (os.path.exists(deb) and _sha256_file(deb) == b["sha256"]):
        _fetch_base_deb(name, deb)
    with Stage(f"deps: unpacking {tarball_name} from the .deb"), \
            cache.making():
        os.makedirs(os.path.dirname(tarball), exist_ok=True)
        member = f"./usr/src/{tarball_name}"
        tmp = tarball + ".tmp"
        with open(tmp, "wb") as out:
            fsys = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                                    stdout=subprocess.PIPE)
            tar = subprocess.run(["tar", "-xO", member], stdin=fsys.stdout,
                                 stdout=out, stderr=subprocess.PIPE,
                                 timeout=APT_TIMEOUT)
            fsys.stdout.close()
            if fsys.wait() or tar.returncode:
                raise HarnessError(f"{deb} holds no {member}: "
                                   f"{tar.stderr.decode().strip()}",
                                   stage="deps")
        os.replace(tmp, tarball)
    return tarball


def guest_sysroot(dest, arch, triplet, packages=GUEST_PACKAGES):
    """dest: Debian's packages of a guest architecture (busybox-static,
    libcap for seccomp_bpf) unpacked, fetched with apt-get download and
    kept under a stamp naming them."""
    want = " ".join(packages)
    # The stamp lives beside dest, which is made afresh below.
    cache = Cache(dest.rstrip("/") + ".stamp", arch, want, note=want)
    if cache.hit(dest):
        return dest
    debs = os.path.join(BUILD, "debs", f"guest-{arch}")
    log = os.path.join(BUILD, "logs", f"apt-download-{arch}.log")
    with Stage(f"deps: {arch} guest packages ({want})"), cache.making():
        shutil.rmtree(debs, ignore_errors=True)
        os.makedirs(debs)
        run(["apt-get", "download", *[f"{p}:{arch}" for p in packages]],
            log=log, cwd=debs, stage="deps", timeout=APT_TIMEOUT,
            what=f"apt-get download of {arch} guest packages")
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
            run(["dpkg-deb", "-x", deb, dest], log=log, stage="deps",
                what=f"unpacking {os.path.basename(deb)}")
        for f in ("bin/busybox", f"usr/lib/{triplet}/libcap.a"):
            if not os.path.exists(os.path.join(dest, f)):
                raise HarnessError(f"{f} missing from the {arch} sysroot",
                                   stage="deps", log=log)
    return dest


def ensure_sysroot():
    return guest_sysroot(SYSROOT, "arm64", "aarch64-linux-gnu")


def main(argv):
    ensure_host()
    if not os.environ.get("BASE"):
        base_tarball()
        say(f"base: Debian {BASE_PACKAGE} {BASE_VERSION} ({BASE_SUITE}), "
            f".deb SHA-256 {BASE_DEB_SHA256[:16]}... verified")
    ensure_sysroot()
    return 0


if __name__ == "__main__":
    from .common import entry
    entry(main)
