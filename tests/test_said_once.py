"""A warning is said once at the terminal and kept in the files that are shared: report's one-model sentence,
evaluate --compare P P's, and the compared file named by its option in evaluate as in report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

import classifier.cli.evaluate  # noqa: F401  (registers the commands used here)
import classifier.cli.report  # noqa: F401
from classifier.cli.app import app

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

runner = CliRunner()


def said(result) -> str:
    return " ".join(result.output.split())


def test_report_says_the_one_model_warning_once_and_keeps_it_on_the_page(tmp_path, monkeypatch):
    """report --gold of another model's predictions warned "the correction assumes one model", then printed the
    correction note, which ended with the same sentence: twice at the terminal. Now once; the page's note and
    report.json keep it."""
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False, model="tiny@abc"))
    write_jsonl(tmp_path / "g.jsonl", prediction_rows(90, seed=3, model="other@def"))
    result = runner.invoke(app, ["report", "p.jsonl", "--out", "r", "--gold", "g.jsonl", "--n-boot", "20",
                                 "--n-perm", "20", "--period", "none", "--examples", "0"])
    assert result.exit_code == 0, result.output
    assert said(result).count("the correction assumes one model") == 1, result.output
    assert "warning: the gold predictions come from other@def" in said(result)
    assert "the correction assumes one model" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["correction"]["warning"].endswith("the correction assumes one model")


def test_report_says_the_gold_items_among_the_predictions_once(tmp_path, monkeypatch):
    """report --gold G, G's items among the predictions (the same ids), warned "--gold G: 90 of its 90 gold items
    are among the 240 predictions ...", then the correction note printed after it said "(90 of its 90 gold items
    are among the 240 items in the table, the same ids)": twice. Now the warning alone at the terminal; the page's
    note keeps the sentence, and without --gold (the predictions' own gold rows, warned of nowhere else) the
    terminal's note still says it."""
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "p.jsonl", prediction_rows(240, labelled=False))
    write_jsonl(tmp_path / "g.jsonl", prediction_rows(90, seed=3))
    options = ["--n-boot", "20", "--n-perm", "20", "--period", "none", "--examples", "0"]
    result = runner.invoke(app, ["report", "p.jsonl", "--out", "r", "--gold", "g.jsonl", *options])
    assert result.exit_code == 0, result.output
    assert said(result).count("90 of its 90 gold items are among the 240") == 1, result.output
    assert "fitted on the same items it corrects (90 of its 90 gold items are among the 240 items in the table" in \
        " ".join((tmp_path / "r" / "report.md").read_text(encoding="utf-8").split())
    write_jsonl(tmp_path / "own.jsonl", prediction_rows(240))
    result = runner.invoke(app, ["report", "own.jsonl", "--out", "r2", *options])
    assert result.exit_code == 0 and "It is fitted on the same items it corrects (its 240 gold rows" in said(result)
