"""Files that ship inside the package: the default actor catalogue and the page-furniture rules."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(name: str) -> Path:
    """Path of a bundled file (``actors.yaml``, ``cleaning.yaml``), in a checkout or an installed wheel."""
    return Path(str(resources.files("classifier.resources") / name))
