"""How many CPUs this process may use: the one rule for ``--workers 0`` and the default thread count."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

CGROUP = Path("/sys/fs/cgroup")
MEMBERSHIP = Path("/proc/self/cgroup")  # the cgroup this process is in, per hierarchy


def usable_cpus(cgroup: Path | None = None) -> int:
    """The cores this process may run on (its affinity), capped by its container's CPU quota where one is set (a
    Docker ``--cpus 2`` or Kubernetes CPU limit: ``cpu_quota``; ``cgroup``: where its files are, default
    ``CGROUP``), at least 1."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13
        cores = os.process_cpu_count() or 1
    elif hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0)) or 1
    else:
        cores = os.cpu_count() or 1
    quota = cpu_quota(CGROUP if cgroup is None else cgroup)
    return min(cores, quota) if quota else cores


def cpu_quota(cgroup: Path | None = None, membership: Path | None = None) -> int | None:
    """The CPUs the bandwidth quota of this process's cgroup allows, ceil(quota / period), at least 1: cgroup v2's
    ``cpu.max`` ("200000 100000"), or cgroup v1's ``cpu/cpu.cfs_quota_us`` and ``cpu.cfs_period_us``, read in the
    cgroup ``membership`` (default ``MEMBERSHIP``, /proc/self/cgroup) names under the mount ``cgroup`` (default
    ``CGROUP``) and in each cgroup above it up to the mount's root, the smallest of them (a parent's limit binds
    its children: ``cgroup_levels``). None where no quota is set ("max", -1) or the files are missing or
    unreadable. By hand: ``os.process_cpu_count`` (3.13) and ``os.sched_getaffinity`` ignore quotas, and joblib's
    loky, which reads them, is no dependency of ours (it comes with scikit-learn) and reads fixed paths in a
    private function."""
    cgroup = CGROUP if cgroup is None else cgroup  # read at the call: a test points CGROUP elsewhere
    v2, v1 = cgroup_paths(MEMBERSHIP if membership is None else membership)
    pairs = [read_words(level / "cpu.max") for level in cgroup_levels(cgroup, v2)]
    pairs += [read_words(level / "cpu.cfs_quota_us")[:1] + read_words(level / "cpu.cfs_period_us")[:1]
              for level in cgroup_levels(cgroup / "cpu", v1)]
    return min((cpus for cpus in map(quota_cpus, pairs) if cpus is not None), default=None)


def read_words(path: Path) -> list[str]:
    """The words of a small cgroup file; none where it is missing, not a file or not ASCII."""
    try:
        return path.read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return []


def quota_cpus(pair: list[str]) -> int | None:
    """ceil(quota / period) of a quota and its period, at least 1; None for no quota ("max", -1, 0) or no pair."""
    try:
        quota, period = (int(value) for value in pair)
    except ValueError:  # "max", or not two numbers
        return None
    if quota <= 0 or period <= 0:  # -1: no quota (cgroup v1)
        return None
    return max(1, -(-quota // period))


def cgroup_paths(membership: Path) -> tuple[str, str]:
    """This process's cgroup v2 path (its line "0::/PATH") and cgroup v1 CPU path (the line of the hierarchy that
    holds the cpu controller, "4:cpu,cpuacct:/PATH"), "/" where ``membership`` names none or cannot be read."""
    v2 = v1 = "/"
    try:
        lines = membership.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return v2, v1
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and not controllers:
            v2 = path or "/"
        elif "cpu" in controllers.split(","):
            v1 = path or "/"
    return v2, v1


def cgroup_levels(mount: Path, path: str) -> list[Path]:
    """The folder of the cgroup ``path`` under ``mount``, and each above it up to ``mount`` itself. A container that
    sees its own cgroup as the mount's root, while /proc/self/cgroup still names the host's path for it, has no such
    folders: its quota is read at the root, the one level there.

    A ``..`` goes up a level. In a cgroup namespace the path is relative to the namespace's root, the mount's root,
    and a process moved out of that root since is named by a path that leaves it ("/../../user.slice/x"): its cgroup
    and the ones above it that bind it lie outside the mount, where nothing can be read, and the folders under the
    mount are other cgroups (dropping the ``..`` read "user.slice/x" under the mount: another cgroup's quota). No
    level then: no quota known from this hierarchy."""
    parts: list[str] = []
    for part in PurePosixPath(path).parts:
        if part == "..":
            if not parts:
                return []  # above the mount's root: no folder here is this cgroup or one above it
            parts.pop()
        elif part not in ("/", "."):
            parts.append(part)
    return [mount.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]
