"""A warning is said once at the terminal and kept in the files that are shared: report's one-model sentence,
evaluate --compare P P's, and the compared file named by its option in evaluate as in report."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli.app import app

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

for command in ("evaluate", "report"):  # registers the commands used here
    importlib.import_module(f"classifier.cli.{command}")
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


def test_evaluate_compared_with_itself_keeps_the_warning_in_its_json(tmp_path, monkeypatch):
    """evaluate P --compare P warned at the terminal alone that every difference is 0; --out's JSON, which is
    shared, showed a comparison of two models that was none. It keeps the words now as compare.same_file_warning
    (report.json's compare.warning; evaluate's compare.warning was already compare_frames' one-large-article note),
    naming the file as the JSON names it, and null where the files differ."""
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "p.jsonl", prediction_rows(120))
    write_jsonl(tmp_path / "q.jsonl", [{**row, "stance": "neutral"} for row in prediction_rows(120)])
    result = runner.invoke(app, ["evaluate", "p.jsonl", "--compare", str(tmp_path / "p.jsonl"), "--n-boot", "0",
                                 "--out", "m.json"])
    assert result.exit_code == 0, result.output
    words = "--compare p.jsonl: the same file as the first; every difference is 0"
    # the terminal names it as typed, the JSON as a shared file names a path (relative to the working directory)
    assert said(result).count("the same file as the first") == 1
    assert f"--compare {tmp_path / 'p.jsonl'}: the same" in said(result)
    assert json.loads((tmp_path / "m.json").read_text())["compare"]["same_file_warning"] == words
    result = runner.invoke(app, ["evaluate", "p.jsonl", "--compare", "q.jsonl", "--n-boot", "0", "--out", "m2.json"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "m2.json").read_text())["compare"]["same_file_warning"] is None


def test_evaluate_compare_names_the_compared_file_by_its_option_as_report_does(tmp_path, monkeypatch):
    """evaluate NEW --compare OLD warned "old.jsonl: 9 of 60 items ... in-sample", report NEW --compare OLD
    "--compare old.jsonl: 9 of 60 items ...": one form now, the option as typed."""
    from test_trained_items import old_and_new

    old_and_new(tmp_path, monkeypatch)
    evaluated = runner.invoke(app, ["evaluate", "new.jsonl", "--compare", "old.jsonl", "--n-boot", "0", "-q"])
    reported = runner.invoke(app, ["report", "new.jsonl", "--compare", "old.jsonl", "--out", "r", "--n-boot", "0",
                                   "--n-perm", "10", "--period", "none", "--examples", "0", "-q"])
    assert evaluated.exit_code == 0 and reported.exit_code == 0, (evaluated.output, reported.output)
    line = "warning: --compare old.jsonl: 9 of 60 items (15%) were in"
    assert said(evaluated).count(line) == 1 and said(reported).count(line) == 1, (evaluated.output, reported.output)


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
