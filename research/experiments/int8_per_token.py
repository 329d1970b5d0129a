"""Would int8 with per-token activation scales keep accuracy? A fake-quantisation check in torch.

    python research/experiments/int8_per_token.py --weight-bits 8

Per-token (per-row) scales make an item's int8 scores independent of the other items in its batch, so
batched int8 could be resumable-exact. This simulates it: every encoder Linear quantises its input per
token (symmetric, 8 bits) and its weight per output channel (``--weight-bits``; 7 avoids the u8s8 int16
saturation of AVX2 kernels), then dequantises; the classifier head stays fp32. Macro-F1 on NewsMTSC
devtest_rw + devtest_mt against the same model in fp32. Accuracy only: fake quantisation is not faster.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def fake_quant(x, bits: int, dim: int):
    import torch

    top = 2 ** (bits - 1) - 1
    scale = x.abs().amax(dim=dim, keepdim=True).clamp(min=1e-8) / top
    return torch.clamp(torch.round(x / scale), -top, top) * scale


def quantise_linears(module, weight_bits: int, activation_bits: int = 8) -> int:
    import torch

    class PerTokenLinear(torch.nn.Module):
        def __init__(self, linear):
            super().__init__()
            self.weight = torch.nn.Parameter(fake_quant(linear.weight.data, weight_bits, dim=1), requires_grad=False)
            self.bias = linear.bias

        def forward(self, x):
            return torch.nn.functional.linear(fake_quant(x, activation_bits, dim=-1), self.weight, self.bias)

    count = 0
    for name, child in list(module.named_children()):
        if isinstance(child, torch.nn.Linear):
            setattr(module, name, PerTokenLinear(child))
            count += 1
        else:
            count += quantise_linears(child, weight_bits, activation_bits)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(ROOT / "models" / "default"))
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--weight-bits", default="8,7")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    from classifier.benchmarks import find_set, load_part
    from classifier.cli.app import quiet_libraries
    from classifier.evaluate import classification_metrics
    from classifier.models.stance_model import StanceModel

    quiet_libraries()
    items = [item for name in ("newsmtsc_rw", "newsmtsc_mt")
             for item in load_part(find_set(name), Path(args.data), ROOT, "test")]
    items = items[: args.limit] if args.limit else items
    gold = [item.label for item in items]
    model = StanceModel.load(args.model)
    fp32 = model.predict_proba(items).argmax(axis=1)
    print(f"fp32: macro-F1 {100 * classification_metrics(gold, [model.labels[i] for i in fp32])['macro_f1']:.2f}")
    for bits in (int(b) for b in args.weight_bits.split(",")):
        model = StanceModel.load(args.model)
        n = quantise_linears(model.model.base_model.encoder, bits)
        predicted = model.predict_proba(items).argmax(axis=1)
        f1 = classification_metrics(gold, [model.labels[i] for i in predicted])["macro_f1"]
        print(f"W{bits}A8 per token ({n} Linears): macro-F1 {100 * f1:.2f}, "
              f"argmax agreement with fp32 {100 * (predicted == fp32).mean():.1f}%", flush=True)


if __name__ == "__main__":
    main()
