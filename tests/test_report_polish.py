"""What the report marks, orders and warns of, found missing on a researcher's walk through it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from classifier.errors import InputWarning
from classifier.report import make_report

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402
from test_report_split import DAY, article, corpus, day  # noqa: E402


def test_report_json_names_the_cells_of_one_side(tmp_path):
    rows = corpus() + article("BBC", "EU", "late", day(5), (1, 0, 0))
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, split_date=DAY)
    split = json.loads((tmp_path / "out" / "report.json").read_text())["split_date"]
    assert split["cells_one_sided"] == 1 and split["one_sided_cells"] == ["BBC · EU (after only)"]


def test_a_gold_set_of_the_very_items_predicted_is_in_sample_and_says_so(tmp_path):
    """--gold holding the predictions' own items fitted the correction on the items it corrects, without a word."""
    gold = write_jsonl(tmp_path / "gold.jsonl", prediction_rows(240))
    preds = write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False))
    with pytest.warns(InputWarning, match=r"gold.jsonl'?: 240 of its 240 gold items are among the 240 "):
        result = make_report(preds, tmp_path / "out", gold=gold, n_boot=20, n_perm=20, period="none")
    assert result["correction"]["gold_overlap"] == 240
    assert ("It is fitted on the same items it corrects (240 of its 240 gold items are among the 240 items in the "
            "table, the same ids)") in result["correction_note"]
    assert "fitted on the same items it corrects" in (tmp_path / "out" / "report.md").read_text()
    apart = write_jsonl(tmp_path / "apart.jsonl", [r | {"id": f"g{r['id']}"} for r in prediction_rows(240)])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        other = make_report(preds, tmp_path / "out2", gold=apart, n_boot=20, n_perm=20, period="none")
    assert "fitted on the same" not in other["correction_note"] and "gold_overlap" not in other["correction"]
