"""What zero-shot stance through an NLI model costs per item on this machine's CPU.

    python scripts/bench_zero_shot_cost.py                  # deberta-v3-base and bart-large shapes
    python scripts/bench_zero_shot_cost.py --shapes deberta-v3-base --items 200

No NLI weights can be installed here, so each model is built with random weights in the shape of the
real one (layers, width, heads, vocabulary): the cost of a forward pass does not depend on the values of
the weights. The items are the seed corpus prepared by ``stance prepare`` (each sentence x actor); every
item is three (sentence, hypothesis) pairs. Compared with the default fine-tuned MiniLM on the same items.
A benchmark, not a test. Writes bench/results/zero_shot_cost.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.cli.script import at_least, choose_names, run_script  # noqa: E402

SHAPES = {  # the published configurations of the two NLI models the README names
    "deberta-v3-base": dict(kind="deberta-v2", hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                            intermediate_size=3072, vocab_size=128100, relative_attention=True,
                            position_buckets=256, max_relative_positions=-1, pos_att_type=["p2c", "c2p"],
                            norm_rel_ebd="layer_norm", share_att_key=True, position_biased_input=False,
                            type_vocab_size=0, max_position_embeddings=512),
    "bart-large": dict(kind="bart", d_model=1024, encoder_layers=12, decoder_layers=12, encoder_attention_heads=16,
                       decoder_attention_heads=16, encoder_ffn_dim=4096, decoder_ffn_dim=4096, vocab_size=50265,
                       max_position_embeddings=1024),
}


def random_nli_model(shape: str, folder: Path) -> Path:
    """A model of ``shape`` with random weights and NLI labels, saved with the MiniLM tokenizer (its ids
    fall inside every vocabulary here; word pieces and BPE give sentences of similar length)."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    from classifier.models.base import bundled_minilm_dir

    settings = dict(SHAPES[shape])
    kind = settings.pop("kind")
    labels = {0: "entailment", 1: "neutral", 2: "contradiction"}
    config = AutoConfig.for_model(kind, num_labels=3, id2label=labels, label2id={v: k for k, v in labels.items()},
                                  **settings)
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(config).eval()
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    if kind == "bart":  # BART pools at its end-of-sequence token: the tokenizer's [SEP] here
        model.config.pad_token_id, model.config.eos_token_id = tokenizer.pad_token_id, tokenizer.sep_token_id
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


def seed_items(limit: int):
    from classifier.items import Item
    from classifier.prepare import prepare_items

    return [Item.model_validate(record) for record in prepare_items(ROOT / "seeds")][:limit]


def per_item_seconds(model, items, batch_size: int) -> float:
    model.predict_proba(items[:batch_size], batch_size=batch_size)  # warm-up
    started = time.perf_counter()
    model.predict_proba(items, batch_size=batch_size)
    return (time.perf_counter() - started) / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--items", type=at_least(1), default=130)
    parser.add_argument("--batch-size", type=at_least(1), default=16, help="items per pass (each is 3 pairs)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "zero_shot_cost.json"))
    args = parser.parse_args()
    args.shapes = choose_names(args.shapes, list(SHAPES), "--shapes")

    import torch
    from rich.console import Console
    from rich.table import Table

    from classifier.cli.app import quiet_libraries
    from classifier.io.files import write_json_atomic
    from classifier.models.stance_model import StanceModel
    from classifier.models.zero_shot import ZeroShotModel

    quiet_libraries()
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    items = seed_items(args.items)
    rows = {"models/default (fine-tuned MiniLM)": per_item_seconds(StanceModel.load(), items, 64)}
    for shape in args.shapes:
        with tempfile.TemporaryDirectory() as folder:
            model = ZeroShotModel.load(random_nli_model(shape, Path(folder) / shape))
            rows[f"--zero-shot {shape} shape (3 hypotheses)"] = per_item_seconds(model, items, args.batch_size)
    table = Table(title=f"Cost per item on {len(items)} seed items, {threads} CPU threads")
    for column in ("model", "ms / item", "items / s", "hours / 1M items"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, seconds in rows.items():
        table.add_row(name, f"{1000 * seconds:.1f}", f"{1 / seconds:.1f}", f"{seconds * 1e6 / 3600:.0f}")
    Console().print(table)
    write_json_atomic(Path(args.out), {"items": len(items), "threads": threads, "batch_size": args.batch_size,
                                       "seconds_per_item": rows})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    run_script(main)
