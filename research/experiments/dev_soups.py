"""Compare trained stance models, and every weight-average ("soup") of a set of them, on a dev split.

Dev only: the split is carved from NewsMTSC train by article exactly as research/train_default.py
does (``--dev-fraction``, seed 0); no test file is read. Differences against the first model come
with a 95% paired bootstrap interval resampled by article.

    python research/experiments/dev_soups.py --dev-fraction 0.3 \\
        --models runs/d30_A runs/d30_D runs/d30_E --soup runs/d30_A runs/d30_D runs/d30_E
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "newsmtsc" / "train.jsonl"))
    parser.add_argument("--dev-fraction", type=float, default=0.3)
    parser.add_argument("--models", nargs="+", required=True, help="model directories scored one by one")
    parser.add_argument("--soup", nargs="*", default=[], help="also score every soup of 2+ of these (same start)")
    parser.add_argument("--n-boot", type=int, default=500)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dev_soups.json"))
    args = parser.parse_args()

    from classifier.cli.app import quiet_libraries
    from classifier.evaluate import compare_frames, prediction_frame
    from classifier.io.files import atomic_path
    from classifier.items import read_items
    from research.soup import average_models
    from classifier.models.stance_model import StanceModel
    from classifier.models.train import predicted_labels, split_by_article

    quiet_libraries()
    _, dev = split_by_article(list(read_items(args.data)), args.dev_fraction, seed=0)

    def frame(model: StanceModel, name: str):
        return prediction_frame(dev, predicted_labels(model, dev), name)

    frames = [frame(StanceModel.load(m), Path(m).name) for m in args.models]
    for k in range(2, len(args.soup) + 1):
        for combo in itertools.combinations(args.soup, k):
            soup = average_models([StanceModel.load(m) for m in combo])
            soup.model.half().float()  # as it would be saved
            frames.append(frame(soup, "soup(" + ", ".join(Path(m).name for m in combo) + ")"))

    reference = frames[0]
    results = []
    print(f"dev split: {len(dev)} items ({args.dev_fraction:.0%} of train's articles); "
          f"difference against {args.models[0]}, 95% paired bootstrap CI by article")
    for candidate in frames:
        macro = compare_frames(reference, candidate, n_boot=args.n_boot, seed=0)["metrics"]["macro_f1"]
        row = {"model": candidate["model"].iloc[0], "dev_macro_f1": round(100 * macro["second"], 2),
               "vs_first": round(100 * macro["difference"], 2),
               "vs_first_ci95": [round(100 * x, 2) for x in macro["ci"]]}
        results.append(row)
        print(f"{row['model']:70s} {row['dev_macro_f1']:5.1f}  {row['vs_first']:+5.1f} "
              f"[{row['vs_first_ci95'][0]:+.1f}, {row['vs_first_ci95'][1]:+.1f}]", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(Path(args.out)) as tmp:
        tmp.write_text(json.dumps({"dev_fraction": args.dev_fraction, "dev_items": len(dev),
                                   "reference": Path(args.models[0]).name, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
