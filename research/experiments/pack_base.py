"""Pack a Hugging Face encoder directory small enough to upload to a GPU machine, and unpack it there.

    python research/experiments/pack_base.py pack SRC DST [--int8] [--part-mb 55]
    python research/experiments/pack_base.py unpack DST... --out DIR

``pack`` stores the weights in fp16, or with ``--int8`` each large matrix as int8 with one fp32
scale per 64 weights of a row (symmetric, absmax), cut into parts of ``--part-mb`` so that each part fits one upload;
config and tokenizer files travel as they are. ``unpack`` joins the parts (from one or more DST
folders) and writes an ordinary fp32 ``model.safetensors``. int8 weights differ from the original by at
most half a step (group absmax/254): a starting point for fine-tuning, not a finished model.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

GROUP = 64  # weights per int8 scale
KEEP = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def pack(src: Path, dst: Path, int8: bool, part_mb: int) -> None:
    import torch
    from safetensors.torch import load_file, save

    weights = load_file(src / "model.safetensors")
    packed = {}
    for name, tensor in weights.items():
        tensor = tensor.float()
        if int8 and tensor.dim() == 2 and tensor.numel() >= 1 << 16 and tensor.shape[1] % GROUP == 0:
            groups = tensor.reshape(tensor.shape[0], -1, GROUP)
            scale = groups.abs().amax(dim=2, keepdim=True).clamp(min=1e-12) / 127
            packed[name + ".q8"] = torch.round(groups / scale).to(torch.int8).reshape(tensor.shape)
            packed[name + ".scale"] = scale.float()
        else:
            packed[name] = tensor.half()
    blob = save(packed)
    dst.mkdir(parents=True, exist_ok=True)
    size = part_mb << 20
    for n in range(0, len(blob), size):
        (dst / f"weights.part{n // size}").write_bytes(blob[n:n + size])
    for name in KEEP:
        if (src / name).exists():
            shutil.copy(src / name, dst / name)
    print(f"{dst}: {len(blob) / 2**20:.1f} MB in {-(-len(blob) // size)} parts", flush=True)


def unpack(sources: list[Path], out: Path) -> None:
    import torch
    from safetensors.torch import load, save_file

    parts = sorted((p for s in sources for p in s.glob("weights.part*")), key=lambda p: int(p.name[len("weights.part"):]))
    packed = load(b"".join(p.read_bytes() for p in parts))
    weights = {}
    for name, tensor in packed.items():
        if name.endswith(".scale"):
            continue
        if name.endswith(".q8"):
            base = name[:-3]
            q = tensor.float().reshape(tensor.shape[0], -1, GROUP)
            weights[base] = (q * packed[base + ".scale"]).reshape(tensor.shape)
        else:
            weights[name] = tensor.float()
    out.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in weights.items()}, out / "model.safetensors", metadata={"format": "pt"})
    for source in sources:
        for name in KEEP:
            if (source / name).exists():
                shutil.copy(source / name, out / name)
    print(f"{out}: {len(weights)} tensors from {len(parts)} parts", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack")
    p.add_argument("src", type=Path)
    p.add_argument("dst", type=Path)
    p.add_argument("--int8", action="store_true")
    p.add_argument("--part-mb", type=int, default=55)
    u = sub.add_parser("unpack")
    u.add_argument("sources", type=Path, nargs="+")
    u.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "pack":
        pack(args.src, args.dst, args.int8, args.part_mb)
    else:
        unpack(args.sources, args.out)


if __name__ == "__main__":
    main()
