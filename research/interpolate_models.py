"""Interpolate two stance models in weight space (WiSE-FT): (1 - a) * START + a * TUNED, for several a.

    python research/interpolate_models.py models/newsmtsc-v16 runs/md-a --alphas 0.25,0.5,0.75 --out runs/wise

Both models must come from one starting point (TUNED continued from START), so their weights lie in one
basin and the average is a working model; it often keeps more of START's strengths than TUNED does while
keeping most of TUNED's gains (Wortsman et al., "Robust fine-tuning of zero-shot models", CVPR 2022).
Each result is a model folder OUT-<a> with a card naming its ingredients; choose a with
``scripts/bench_suite.py ... --part dev`` and never on the test parts. Temperature 1 (calibrate after).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.models.card import read_card  # noqa: E402
from research.soup import average_models  # noqa: E402
from classifier.models.stance_model import StanceModel  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("start")
    parser.add_argument("tuned")
    parser.add_argument("--alphas", default="0.25,0.5,0.75", help="weights of TUNED, comma-separated")
    parser.add_argument("--out", required=True, help="prefix of the output folders (OUT-<alpha>)")
    args = parser.parse_args()
    tuned_card = read_card(args.tuned)
    for alpha in (float(a) for a in args.alphas.split(",")):
        start, tuned = StanceModel.load(args.start), StanceModel.load(args.tuned)
        mixed = average_models([tuned, start], [alpha, 1 - alpha])
        mixed.temperature = 1.0
        out = Path(f"{args.out}-{alpha:g}")
        card = {**tuned_card, "name": out.name,
                "summary": f"Weight-space interpolation: {alpha:g} x {args.tuned} + {1 - alpha:g} x {args.start} "
                           f"(WiSE-FT). {tuned_card.get('summary', '')}".strip(),
                "interpolation": {"start": str(args.start), "tuned": str(args.tuned), "alpha_tuned": alpha,
                                  "command": "python research/interpolate_models.py " + " ".join(sys.argv[1:])},
                "created": time.strftime("%Y-%m-%d")}
        card.pop("evaluation", None)
        mixed.save(out, card)
        print(f"saved {out}", flush=True)


if __name__ == "__main__":
    main()
