"""How many CPUs this process may use: the one rule for ``--workers 0`` and the default thread count."""

from __future__ import annotations

import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


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


def cpu_quota(cgroup: Path | None = None) -> int | None:
    """The CPUs the cgroup's bandwidth quota allows, ceil(quota / period), at least 1: cgroup v2's ``cpu.max``
    ("200000 100000"), else cgroup v1's ``cpu/cpu.cfs_quota_us`` and ``cpu.cfs_period_us``; None where no quota is set
    ("max", -1) or the files are missing or unreadable. By hand: ``os.process_cpu_count`` (3.13) and
    ``os.sched_getaffinity`` ignore quotas, and joblib's loky, which reads them, is no dependency of ours (it comes
    with scikit-learn) and reads fixed paths in a private function."""
    def read(path: Path) -> list[str]:
        try:
            return path.read_text(encoding="ascii").split()
        except (OSError, ValueError):  # missing, not a file, not ASCII
            return []

    cgroup = CGROUP if cgroup is None else cgroup  # read at the call: a test points CGROUP elsewhere
    pair = read(cgroup / "cpu.max")
    if len(pair) != 2:
        pair = read(cgroup / "cpu" / "cpu.cfs_quota_us")[:1] + read(cgroup / "cpu" / "cpu.cfs_period_us")[:1]
    try:
        quota, period = (int(value) for value in pair)
    except ValueError:  # "max", or not two numbers
        return None
    if quota <= 0 or period <= 0:  # -1: no quota (cgroup v1)
        return None
    return max(1, -(-quota // period))
