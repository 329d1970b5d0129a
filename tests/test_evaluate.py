"""stance evaluate: metrics agree with an independent scikit-learn computation; edge cases end cleanly."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, precision_recall_fscore_support
from typer.testing import CliRunner

from classifier.cli import calibrate, evaluate, report  # noqa: F401  (register the commands)
from classifier.cli.app import app
from classifier.evaluate import (bootstrap_metrics, cluster_codes, cluster_resamples, compare_frames,
                                 comparison_verdict, evaluate_frame, evaluate_predictions, expanded_tail,
                                 expected_calibration_error, labelled, paired_p_value, percentile_ci, read_predictions,
                                 reliability_bins)
from classifier.errors import InputError, InputWarning
from classifier.io.files import shared_path  # how evaluate's result names a file
from classifier.items import LABELS

runner = CliRunner()
N_BOOT = 200
OUTLETS = {"Daily A": 0.5, "Herald B": -0.4, "Times C": 0.0}
ACTORS = ("Russia", "NATO", "Ukraine")


def prediction_rows(n: int = 240, *, seed: int = 0, accuracy_boost: float = 1.5, labelled: bool = True,
                    outlets=OUTLETS, actors=ACTORS, per_article: int = 4, model: str = "tiny@abc") -> list[dict]:
    """Synthetic predictions: outlets lean per actor, the model is right more often than chance."""
    rng = np.random.default_rng(seed)
    rows = []
    names = list(outlets)
    for i in range(n):
        outlet, actor = names[i % len(names)], actors[(i // len(names)) % len(actors)]
        lean = outlets[outlet] * (1 if actor != "NATO" else -1)
        prior = np.clip([0.33 + lean / 2, 0.33 - lean / 2, 0.34], 0.02, None)
        gold = LABELS[rng.choice(3, p=prior / prior.sum())]
        logits = rng.normal(0, 1, 3)
        logits[LABELS.index(gold)] += accuracy_boost
        probs = np.exp(logits) / np.exp(logits).sum()
        text = f"{actor} was discussed by {outlet} in sentence {i}."
        rows.append({"id": f"i{i}", "text": text, "actor": actor, "spans": [[0, len(actor)]],
                     "label": gold if labelled else None, "source": outlet,
                     "article": f"{outlet}-{i // (len(names) * per_article)}",
                     "stance": LABELS[int(probs.argmax())],
                     "stance_scores": dict(zip(LABELS, [round(float(p), 6) for p in probs])), "model": model})
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture()
def preds(tmp_path) -> Path:
    return write_jsonl(tmp_path / "preds.jsonl", prediction_rows())


# -- reading ------------------------------------------------------------------------------------------

def test_read_predictions_jsonl_csv_parquet_agree(tmp_path, preds):
    from classifier.io.files import write_records

    rows = prediction_rows()
    write_records(tmp_path / "p.csv", rows)
    write_records(tmp_path / "p.parquet", rows)
    frames = [read_predictions(p) for p in (preds, tmp_path / "p.csv", tmp_path / "p.parquet")]
    for frame in frames[1:]:
        assert list(frame["stance"]) == list(frames[0]["stance"])
        assert np.allclose(frame[["p_favor", "p_against", "p_neutral"]], frames[0][["p_favor", "p_against",
                                                                                    "p_neutral"]])
    assert np.allclose(frames[0][["p_favor", "p_against", "p_neutral"]].sum(axis=1), 1.0)


@pytest.mark.parametrize("change, message", [
    ({"stance": "positive"}, "unknown stance 'positive'"),
    ({"stance": None}, "missing field 'stance'"),
    ({"stance_scores": None}, "missing field 'stance_scores'"),
    ({"stance_scores": {"favor": 0.5, "against": 0.5}}, "lacks ['neutral']"),
    ({"stance_scores": {"favor": 0.9, "against": 0.9, "neutral": 0.9}}, "summing to 1"),
    ({"label": "pro"}, "unknown gold label 'pro'"),
    ({"text": None}, "text"),
    ({"actor": None}, "a stance prediction without an 'actor'"),  # else all pooled into one actor, "(none)"
])
def test_bad_rows_name_file_and_line(tmp_path, change, message):
    rows = prediction_rows(5)
    rows[2].update(change)
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(path), "--n-boot", "0"])
    assert result.exit_code == 1
    assert f"{path}:3:" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_a_label_file_given_for_predictions_says_to_classify_it_first(tmp_path):
    # 'stance label gold' writes labelled items without predictions; --gold and evaluate want them scored
    rows = [{key: row[key] for key in ("id", "text", "actor", "article", "label")} for row in prediction_rows(5)]
    path = write_jsonl(tmp_path / "gold.jsonl", rows)
    preds = write_jsonl(tmp_path / "preds.jsonl", prediction_rows(5))
    for command in (["evaluate", str(path)], ["report", str(preds), "--gold", str(path), "--out", str(tmp_path / "r")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert f"{path}:1: a gold label but no prediction" in result.output
        assert "stance classify" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("extra", [{}, {"model": "m@1"}, {"stance_scores": None}, {"model": None},
                                   {"stance_scores": None, "model": "m@1"},
                                   {"stance_scores": {"favor": 0.8, "against": 0.1, "neutral": 0.1}}])
def test_a_row_without_a_prediction_is_told_a_label_file_by_the_rule_the_output_guards_use(tmp_path, extra):
    """evaluate kept its own rule (any of stance_scores, sentiment_scores or model not null), so a labelled row with a
    model named but nothing it predicted was "is this a predictions file?" to evaluate and no predictions to the
    output guards (io.files.is_predictions): one rule now, and its message."""
    from classifier.io.files import is_predictions

    row = {"id": "1", "text": "Russia won.", "actor": "Russia", "article": "a", "label": "favor", **extra}
    path = write_jsonl(tmp_path / "gold.jsonl", [row])
    said = " ".join(runner.invoke(app, ["evaluate", str(path), "--n-boot", "0"]).output.split())
    label_file = f"{path}:1: a gold label but no prediction (no 'stance' or 'sentiment'): this is a label file"
    assert (label_file in said) is not is_predictions(row), said
    if is_predictions(row):
        assert f"{path}:1: missing field 'stance' (or 'sentiment'); is this a predictions file" in said


def test_empty_predictions_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    for command in (["evaluate", str(path)], ["report", str(path), "--out", str(tmp_path / "r")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1, result.output
        assert "no predictions in the file" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_and_duplicate_ids(tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 1 and "no such file" in result.output
    rows = prediction_rows(4)
    rows[3]["id"] = rows[0]["id"]
    result = runner.invoke(app, ["evaluate", str(write_jsonl(tmp_path / "dup.jsonl", rows))])
    assert result.exit_code == 1 and ":4: duplicate id 'i0' (first on line 1)" in result.output
    result = runner.invoke(app, ["report", str(tmp_path / "dup.jsonl"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and ":4: duplicate id 'i0' (first on line 1)" in result.output
    assert not (tmp_path / "r").exists()


def test_ids_that_only_share_a_hash_are_not_duplicates(tmp_path, monkeypatch):
    """Ids are checked on 64-bit hashes; a repeated hash is confirmed on the ids themselves."""
    import classifier.evaluate as evaluate_module

    monkeypatch.setattr(evaluate_module, "id_hashes", lambda ids: np.zeros(len(ids), dtype=np.uint64))
    rows = prediction_rows(6)
    assert len(read_predictions(write_jsonl(tmp_path / "ok.jsonl", rows))) == 6
    rows[5]["id"] = rows[2]["id"]
    with pytest.raises(InputError, match=r"ok2\.jsonl:6: duplicate id 'i2' \(first on line 3\)"):
        read_predictions(write_jsonl(tmp_path / "ok2.jsonl", rows))


def test_one_row_hash_serves_evaluate_and_the_report():
    """evaluate's text_hash (the text alone) and the report's item hash (id, text and actor) are one function:
    one column hashes as its values do, a missing column or value as "" (never written to a file)."""
    import pyarrow as pa

    from classifier.evaluate import id_hashes, row_hashes

    table = pa.table({"id": ["1", "2"], "text": ["Ünï\u2028x", "b"], "actor": ["NATO", None]})
    assert list(row_hashes(table, ["text"])) == list(id_hashes(["Ünï\u2028x", "b"]))
    joined = ["1\x1fÜnï\u2028x\x1fNATO", "2\x1fb\x1f"]
    assert list(row_hashes(table, ("id", "text", "actor"))) == list(id_hashes(joined))
    assert list(row_hashes(table.drop_columns(["actor"]), ("id", "text", "actor"))) == list(
        row_hashes(table.set_column(2, "actor", pa.array([None, None], pa.string())), ("id", "text", "actor")))


def test_label_codes_are_positions_in_the_labels_and_refuse_any_other():
    from classifier.evaluate import label_codes

    values = list(np.random.default_rng(0).choice(LABELS, 500))
    assert label_codes(values).tolist() == [LABELS.index(v) for v in values]
    assert label_codes(pd.Series(values, dtype="str")).dtype == np.int64 and len(label_codes([])) == 0
    for bad in (None, "pro"):
        with pytest.raises(KeyError):
            label_codes(["favor", bad])


def test_the_expanded_tail_of_a_number_of_articles_is_worked_out_once(monkeypatch):
    """Each cell of a report asks it again (10,857 times for a million rows): scipy's quantile once per number."""
    import scipy.stats

    calls = []
    ppf = scipy.stats.t.ppf
    monkeypatch.setattr(scipy.stats.t, "ppf", lambda *a, **k: calls.append(a) or ppf(*a, **k))
    expanded_tail.cache_clear()
    assert expanded_tail(7) == expanded_tail(7) and len(calls) == 1


# -- metrics against scikit-learn -----------------------------------------------------------------------

def test_overall_and_group_metrics_match_sklearn(preds):
    result = evaluate_predictions(preds, by=["source", "actor"], n_boot=0)
    assert evaluate_predictions(preds, by="source", n_boot=0)["groups"] == {"source": result["groups"]["source"]}
    with pytest.raises(InputError, match="n_boot -5"):
        evaluate_predictions(preds, n_boot=-5)
    frame = pd.read_json(preds, lines=True)

    def check(got: dict, sub: pd.DataFrame) -> None:
        gold, pred = list(sub["label"]), list(sub["stance"])
        assert got["n"] == len(sub)
        assert got["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro", labels=list(LABELS),
                                                         zero_division=0))
        assert got["accuracy"] == pytest.approx(accuracy_score(gold, pred))
        assert got["f1_favor_against"] == pytest.approx(np.mean(f1_score(gold, pred, labels=["favor", "against"],
                                                                         average=None, zero_division=0)))
        p, r, f, s = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
        for k, label in enumerate(LABELS):
            assert got["per_class"][label] == pytest.approx({"precision": p[k], "recall": r[k], "f1": f[k],
                                                             "support": s[k]})
        assert got["confusion_matrix"] == confusion_matrix(gold, pred, labels=list(LABELS)).tolist()

    check(result["overall"], frame)
    for key in ("source", "actor"):
        assert {g["group"] for g in result["groups"][key]} == set(frame[key])
        for group in result["groups"][key]:
            check(group, frame[frame[key] == group["group"]])


def test_bootstrap_resamples_whole_articles(preds):
    """Weights from drawn articles equal concatenating the drawn articles' items (checked with sklearn)."""
    frame = read_predictions(preds)
    codes = cluster_codes(frame)
    draws = cluster_resamples(codes, 30, seed=0)
    result = evaluate_frame(frame, n_boot=30, seed=0)
    values = []
    for counts in draws:
        index = np.concatenate([np.repeat(np.flatnonzero(codes == c), k) for c, k in enumerate(counts) if k])
        values.append(f1_score(frame["label"].to_numpy()[index], frame["stance"].to_numpy()[index],
                               labels=list(LABELS), average="macro", zero_division=0))
    tail = 100 * expanded_tail(int(codes.max()) + 1)  # the percentile interval, expanded for the articles
    assert result["overall"]["ci"]["macro_f1"] == pytest.approx(list(np.percentile(values, [tail, 100 - tail])))
    lo, hi = result["overall"]["ci"]["macro_f1"]
    assert lo <= result["overall"]["macro_f1"] <= hi
    assert result["overall"]["n_articles"] == frame["article"].nunique()
    again = evaluate_frame(frame, n_boot=30, seed=0)
    assert again["overall"]["ci"] == result["overall"]["ci"]


def test_an_interval_from_few_articles_is_expanded():
    """The plain percentile interval is too narrow from few articles (83% coverage from 5 articles of correlated
    sentences in scripts/check_report_statistics.py): the tails shrink to Phi(-sqrt(n / (n - 1)) t(0.975, n - 1))
    and reach 2.5% only with many articles."""
    from scipy.stats import norm, t

    assert expanded_tail(5) == pytest.approx(norm.cdf(-np.sqrt(5 / 4) * t.ppf(0.975, 4)))
    assert expanded_tail(5) == pytest.approx(0.00095, abs=1e-5)
    assert expanded_tail(10) == pytest.approx(0.00855, abs=1e-5)
    assert 0.0247 < expanded_tail(2000) < 0.025
    values = np.linspace(0, 1, 10_001)
    assert percentile_ci(values) == pytest.approx([0.025, 0.975])
    assert percentile_ci(values, clusters=10) == pytest.approx([expanded_tail(10), 1 - expanded_tail(10)])
    # evaluate's interval from 5 articles is wider than the central 95% of its resamples
    rng = np.random.default_rng(1)
    codes = np.repeat(np.arange(5), [5, 9, 12, 15, 19])
    gold = rng.integers(0, 3, 60)
    pred = np.where(rng.random(60) < np.repeat([0.3, 0.5, 0.6, 0.7, 0.9], [5, 9, 12, 15, 19]), gold, (gold + 1) % 3)
    frame = pd.DataFrame({"label": [LABELS[g] for g in gold], "stance": [LABELS[p] for p in pred],
                          "article": [f"a{c}" for c in codes], "source": "s", "actor": "x", "model": "m",
                          **{f"p_{label}": 1 / 3 for label in LABELS}})
    samples = bootstrap_metrics(gold, pred, cluster_codes(frame), n_boot=500, seed=0)["accuracy"]
    lo, hi = evaluate_frame(frame, n_boot=500, seed=0)["overall"]["ci"]["accuracy"]
    plain = np.percentile(samples, [2.5, 97.5])
    assert lo <= plain[0] and hi >= plain[1] and hi - lo > 1.2 * (plain[1] - plain[0])
    # the paired p-value is converted alike: a plain 0.038 from 10 articles is no longer below 0.05
    diffs = np.random.default_rng(0).normal(0.1, 0.05, 999)
    plain_p = paired_p_value(diffs, 0.1)
    assert plain_p < 0.05 < paired_p_value(diffs, 0.1, clusters=10)
    assert paired_p_value(diffs, 0.1, clusters=10) == pytest.approx(
        2 * t.sf(norm.isf(plain_p / 2) / np.sqrt(10 / 9), 9))
    assert paired_p_value(diffs, 0.1, clusters=100_000) == pytest.approx(plain_p, rel=1e-3)


def test_resampled_confusion_scores_match_sklearn_with_weights():
    """Each resample's scores come from summed per-article confusion matrices; they equal scikit-learn's
    weighted scores, a class never gold nor predicted included (F1 0, zero_division=0)."""
    rng = np.random.default_rng(3)
    gold, pred = rng.choice(2, 60), rng.choice(2, 60)  # no "neutral" at all
    pred[:5] = 2  # predicted neutral, never gold
    codes = np.repeat(np.arange(12), 5)
    samples = bootstrap_metrics(gold, pred, codes, n_boot=25, seed=4)
    for b, draw in enumerate(cluster_resamples(codes, 25, seed=4)):
        weights = draw[codes].astype(float)
        _, _, f1, _ = precision_recall_fscore_support(gold, pred, labels=[0, 1, 2], sample_weight=weights,
                                                      zero_division=0)
        assert samples["macro_f1"][b] == pytest.approx(f1.mean())
        assert samples["f1_favor_against"][b] == pytest.approx(f1[:2].mean())
        assert samples["accuracy"][b] == pytest.approx(accuracy_score(gold, pred, sample_weight=weights))


def test_calibration_matches_sklearn(preds):
    from sklearn.calibration import calibration_curve

    frame = read_predictions(preds)
    probs = frame[["p_favor", "p_against", "p_neutral"]].to_numpy()
    gold = np.array([LABELS.index(v) for v in frame["label"]])
    bins = [b for b in reliability_bins(probs, gold, 10) if b["n"]]
    correct = (probs.argmax(axis=1) == gold).astype(int)
    prob_true, prob_pred = calibration_curve(correct, probs.max(axis=1), n_bins=10, strategy="uniform")
    assert [b["accuracy"] for b in bins] == pytest.approx(list(prob_true))
    assert [b["confidence"] for b in bins] == pytest.approx(list(prob_pred))
    weights = np.array([b["n"] for b in bins]) / len(gold)
    assert expected_calibration_error(probs, gold, 10) == pytest.approx(np.sum(weights * np.abs(prob_true - prob_pred)))
    result = evaluate_frame(frame, n_boot=0)
    assert result["overall"]["calibration"]["nll"] == pytest.approx(log_loss(gold, probs, labels=[0, 1, 2]))


# -- edge cases -------------------------------------------------------------------------------------------

def test_tiny_groups_are_shown_and_flagged(tmp_path):
    rows = prediction_rows(120) + [dict(row, id=f"tiny{i}", source="Tiny Post", article="tiny-1")
                                   for i, row in enumerate(prediction_rows(3, seed=5))]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(path), "--by", "source", "--n-boot", "100",
                                 "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    assert "Tiny" in result.output and "n<10" in result.output
    metrics = json.loads((tmp_path / "m.json").read_text())
    tiny = next(g for g in metrics["groups"]["source"] if g["group"] == "Tiny Post")
    assert tiny["small"] and tiny["n"] == 3 and tiny["ci"]["macro_f1"] is None
    assert any("too few" in note for note in tiny["notes"]) and any("one article" in n for n in tiny["notes"])
    assert not next(g for g in metrics["groups"]["source"] if g["group"] == "Daily A")["small"]


def test_predictions_are_read_a_chunk_at_a_time_into_the_same_frame(preds, monkeypatch):
    import classifier.evaluate as evaluate_module

    whole = read_predictions(preds)
    monkeypatch.setattr(evaluate_module, "FRAME_CHUNK_ROWS", 7)
    chunked = read_predictions(preds)
    pd.testing.assert_frame_equal(whole, chunked)


def test_an_article_that_holds_a_large_share_is_flagged(tmp_path):
    rows = prediction_rows(240)
    lumped = [dict(row, source="Daily A", article="corpus_v1") if i < 60 else row for i, row in enumerate(rows)]
    flagged = evaluate_frame(read_predictions(write_jsonl(tmp_path / "p.jsonl", lumped)), n_boot=20)["overall"]
    assert "big art." in flagged["flags"]
    assert any("article 'corpus_v1' holds 60 of 240 items" in note for note in flagged["notes"])
    assert "big art." not in evaluate_frame(read_predictions(write_jsonl(tmp_path / "q.jsonl", rows)), n_boot=20)["overall"]["flags"]



def test_a_compare_warns_of_an_article_that_holds_a_large_share(tmp_path):
    rows = [dict(row, source="Daily A", article="corpus_v1") if i < 60 else row
            for i, row in enumerate(prediction_rows(240))]
    other = [dict(row, stance="neutral") if i % 3 == 0 else row for i, row in enumerate(rows)]
    result = runner.invoke(app, ["evaluate", str(write_jsonl(tmp_path / "a.jsonl", rows)), "--compare",
                                 str(write_jsonl(tmp_path / "b.jsonl", other)), "--n-boot", "50",
                                 "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    assert "article 'corpus_v1' holds 60 of 240 items" in " ".join(result.output.split())
    assert "corpus_v1" in json.loads((tmp_path / "m.json").read_text())["compare"]["warning"]
    spread = prediction_rows(240)
    assert compare_frames(read_predictions(write_jsonl(tmp_path / "c.jsonl", spread)),
                          read_predictions(write_jsonl(tmp_path / "d.jsonl", spread)), n_boot=20)["warning"] is None


def test_missing_and_blank_sources_are_one_group(preds):
    from classifier.evaluate import group_values

    frame = read_predictions(preds).head(5)
    frame["source"] = [None, "", float("nan"), "  ", "Daily A"]
    assert list(group_values(frame, "source")) == ["(none)"] * 4 + ["Daily A"]
    groups = evaluate_frame(frame, by=["source"], n_boot=0)["groups"]["source"]
    assert sorted(g["group"] for g in groups) == ["(none)", "Daily A"]


def test_single_class_present(tmp_path):
    rows = prediction_rows(60)
    for row in rows:
        row["label"] = "favor"
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    result = evaluate_predictions(path, by=["source"], n_boot=50)
    gold, pred = [r["label"] for r in rows], [r["stance"] for r in rows]
    assert result["overall"]["macro_f1"] == pytest.approx(f1_score(gold, pred, labels=list(LABELS), average="macro",
                                                                   zero_division=0))
    assert result["overall"]["per_class"]["against"]["support"] == 0
    assert "no gold ag/neu" in result["overall"]["flags"] and not any("few" in f for f in result["overall"]["flags"])
    rows[0]["label"], rows[1]["label"], rows[2]["label"] = "against", "against", "neutral"  # 2 and 1 of them
    few = evaluate_predictions(write_jsonl(tmp_path / "f.jsonl", rows), n_boot=0)["overall"]
    assert "few gold ag/neu" in few["flags"] and "2 gold against, 1 gold neutral" in few["notes"][-1]
    json.dumps(result, allow_nan=False)
    cli = runner.invoke(app, ["evaluate", str(path), "--n-boot", "50"])
    assert cli.exit_code == 0 and "counts them as 0" in cli.output


def test_per_class_figures_that_are_undefined_show_a_dash_not_zero(tmp_path):
    """Precision with nothing predicted as the class, recall with no gold item of it, F1 with neither: "–" in
    the table (scikit-learn's zero_division=0 gives 0.0, which macro-F1 still counts)."""
    from classifier.evaluate import classification_metrics
    from classifier.report.tables import per_class_rows

    gold = ["against", "neutral", "against", "neutral"]
    never = classification_metrics(gold, gold)  # no favor at all; every gold item right
    _, rows = per_class_rows(never)
    assert {row[0]: row[1:] for row in rows} == {"favor": ["–", "–", "–", "0"], "against": ["1.000"] * 3 + ["2"],
                                                 "neutral": ["1.000"] * 3 + ["2"]}
    missed = classification_metrics(gold, ["against", "against", "against", "favor"])  # neutral never predicted
    table = {row[0]: row[1:] for row in per_class_rows(missed)[1]}
    assert table["neutral"] == ["–", "0.000", "0.000", "2"] and table["favor"] == ["0.000", "–", "0.000", "0"]
    assert never["macro_f1"] == pytest.approx(2 / 3)  # the undefined F1 still counts as 0 there

    rows = prediction_rows(60)
    for row in rows:
        row["label"] = row["stance"] = "against" if row["label"] == "favor" else row["label"]
    cli = runner.invoke(app, ["evaluate", str(write_jsonl(tmp_path / "p.jsonl", rows)), "--n-boot", "20"])
    favor = next(line for line in cli.output.splitlines() if line.split("│")[1:2] and line.split("│")[1].strip() == "favor")
    assert cli.exit_code == 0 and [cell.strip() for cell in favor.split("│")[2:5]] == ["–", "–", "–"], cli.output


def test_missing_gold_labels(tmp_path):
    unlabelled = write_jsonl(tmp_path / "u.jsonl", prediction_rows(30, labelled=False))
    result = runner.invoke(app, ["evaluate", str(unlabelled)])
    assert result.exit_code == 1 and "u.jsonl: no gold labels" in " ".join(result.output.split())
    result = runner.invoke(app, ["evaluate", str(unlabelled), "--seed", "-1"])
    assert result.exit_code == 2 and "Traceback" not in result.output  # a usage error, before any work
    rows = prediction_rows(60)
    for row in rows[::3]:
        row.pop("label")
    partial = evaluate_predictions(write_jsonl(tmp_path / "p.jsonl", rows), n_boot=0)
    assert partial["n_unlabelled"] == 20 and partial["n_labelled"] == 40 and partial["overall"]["n"] == 40


def test_unknown_group_key_is_refused(preds):
    result = runner.invoke(app, ["evaluate", str(preds), "--by", "newspaper"])
    assert result.exit_code == 2 and "newspaper" in result.output


# -- two models --------------------------------------------------------------------------------------------

def test_compare_with_paired_bootstrap(tmp_path, preds):
    worse_rows = prediction_rows(seed=0, accuracy_boost=0.0)[:-10] + [dict(r, id=f"extra{i}") for i, r in
                                                                       enumerate(prediction_rows(3, seed=9))]
    worse = write_jsonl(tmp_path / "worse.jsonl", worse_rows)
    result = runner.invoke(app, ["evaluate", str(preds), "--compare", str(worse), "--n-boot", str(N_BOOT),
                                 "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    compare = json.loads((tmp_path / "m.json").read_text())["compare"]
    # as 'stance report NEW --compare OLD': the --compare file is the first, the difference this file minus it
    assert compare["first"] == shared_path(worse) and compare["second"] == shared_path(preds)
    assert compare["n_common"] == 230 and compare["n_only_first"] == 3 and compare["n_only_second"] == 10
    first, second = read_predictions(preds), read_predictions(worse)
    common = first[first["id"].isin(second["id"])]
    other = second.set_index("id").loc[common["id"]]
    expected = f1_score(common["label"], common["stance"], average="macro", labels=list(LABELS)) - f1_score(
        common["label"], other["stance"], average="macro", labels=list(LABELS))
    macro = compare["metrics"]["macro_f1"]
    assert macro["difference"] == pytest.approx(expected) and macro["difference"] > 0
    assert macro["ci"][0] > 0 and macro["p_value"] < 0.05
    assert macro["first_ci"][0] <= macro["first"] <= macro["first_ci"][1]  # each model's figure has its interval
    said = " ".join(result.output.split())
    assert f"{preds.name} (tiny@abc) is higher by {macro['difference']:.3f} (95% interval [" in said, said
    assert compare["verdict"].startswith(f"On the same 230 gold items ({compare['n_articles']} articles), ")
    tiny_p = {**compare, "metrics": {"macro_f1": {**macro, "p_value": 0.0002}}}  # --n-boot 10000 can give one
    assert comparison_verdict(tiny_p, "old", "new").endswith("p < 0.001).")  # not "p = 0.000"
    same = compare_frames(first, first, n_boot=50)
    assert same["metrics"]["macro_f1"]["difference"] == 0 and same["metrics"]["macro_f1"]["p_value"] == 1.0
    assert same["note"] is None
    # a tie of the point figures with a wide interval said "the same.", read as "retraining changed nothing"
    tie = {**compare, "metrics": {"macro_f1": {**macro, "difference": 0.0, "ci": [-0.41, 0.556], "p_value": 1.0}}}
    assert comparison_verdict(tie, "old", "new").endswith(
        ": the same score on these items (95% interval of new minus old: [-0.410, +0.556]; paired bootstrap "
        "p = 1.000): these items cannot tell the two apart.")
    assert comparison_verdict(same, "old", "new").endswith(": the same score in every resample.")
    # figures 0.0004 apart (train's split of the seeds: macro-F1 0.4587 and 0.4591) read "0.459 and 0.459: old is
    # higher by 0.000": as many decimals as tell them apart
    close = {**compare, "metrics": {"macro_f1": {"first": 0.4591178, "second": 0.4586999, "difference": -0.0004179,
                                                 "ci": None, "p_value": None}}, "note": "too few"}
    assert comparison_verdict(close, "old", "new").endswith(
        "new scores macro-F1 0.4587 and old 0.4591: old is higher by 0.0004, with no interval (too few).")


def test_compare_of_few_articles_gives_no_interval_or_p_value(tmp_path):
    """Three articles make ten distinct resamples: a p-value of them would be quoted as evidence."""
    good, bad = prediction_rows(40, per_article=20), prediction_rows(40, per_article=20, accuracy_boost=0.0)
    assert len({row["article"] for row in good}) == 3
    result = runner.invoke(app, ["evaluate", str(write_jsonl(tmp_path / "g.jsonl", good)), "--compare",
                                 str(write_jsonl(tmp_path / "b.jsonl", bad)), "--n-boot", "200",
                                 "--out", str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "come from 3 articles, too few for a bootstrap by article" in said
    assert said.count("too few for a bootstrap") == 1, said  # in the verdict, not again as a warning under it
    metrics = json.loads((tmp_path / "m.json").read_text())
    compare = metrics["compare"]
    assert compare["metrics"]["macro_f1"]["p_value"] is None and compare["metrics"]["macro_f1"]["ci"] is None
    overall = metrics["overall"]  # nor does one model's figure get an interval from 3 articles
    assert overall["ci"]["macro_f1"] is None and "3 articles: too few for an interval by article" in overall["notes"][0]
    assert compare["metrics"]["macro_f1"]["difference"] != 0


def test_compare_refuses_disagreeing_gold(tmp_path, preds):
    rows = prediction_rows()
    rows[0]["label"] = next(label for label in LABELS if label != rows[0]["label"])
    other = write_jsonl(tmp_path / "other.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(preds), "--compare", str(other), "--n-boot", "10"])
    assert result.exit_code == 1 and "disagree on the gold label" in result.output


@pytest.mark.parametrize("field, value, what", [("text", "Another sentence entirely.", "text"),
                                                 ("actor", "Somebody Else", "actor")])
def test_compare_refuses_an_id_that_names_another_item(tmp_path, preds, field, value, what):
    rows = prediction_rows()
    rows[5][field] = value
    other = write_jsonl(tmp_path / "other.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(preds), "--compare", str(other), "--n-boot", "10"])
    assert result.exit_code == 1 and f"different items (the {what} differs), e.g. id 'i5'" in \
        " ".join(result.output.split()), result.output


def test_an_id_of_another_prepare_run_is_named_as_another_item_not_as_a_gold_label_disagreement(tmp_path, preds):
    """Labels of an older prepare run: an id names the next sentence, whose gold label differs too; the cause
    (another item under that id) is what the error says."""
    rows = prediction_rows()
    rows[5]["text"] = "Another sentence entirely."
    rows[5]["label"] = next(label for label in LABELS if label != rows[5]["label"])
    other = write_jsonl(tmp_path / "other.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(preds), "--compare", str(other), "--n-boot", "10"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "different items (the text differs), e.g. id 'i5'" in said, said
    assert "two prepare runs number sentences differently" in said and "disagree on the gold label" not in said


def test_cli_tables_and_json(tmp_path, preds):
    out = tmp_path / "metrics.json"
    result = runner.invoke(app, ["evaluate", str(preds), "--by", "source", "--by", "actor", "--n-boot", "50",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    for title in ("Overall", "Per class", "Confusion matrix", "Reliability", "By source", "By actor"):
        assert title in result.output
    metrics = json.loads(out.read_text())
    assert set(metrics["groups"]) == {"source", "actor"}
    assert metrics["overall"]["labels"] == list(LABELS) and metrics["resampled_by"] == "article"
    assert {"ece", "nll", "reliability"} <= set(metrics["overall"]["calibration"])


def test_labelled_rows_read_chunk_by_chunk_give_the_whole_file_evaluation(tmp_path, monkeypatch):
    import classifier.evaluate as evaluation

    rng = random.Random(3)
    rows = []
    for i in range(60):
        stance = rng.choice(LABELS)
        p = {label: 0.1 for label in LABELS}
        p[stance] = 0.8
        rows.append({"id": f"i{i}", "text": "t", "actor": "Russia", "spans": [], "source": rng.choice("ab"),
                     "article": f"art{i // 4}", "label": rng.choice(LABELS) if i % 3 else None, "stance": stance,
                     "stance_scores": p, "model": "m1" if i < 50 else "m2"})
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    monkeypatch.setattr(evaluation, "FRAME_CHUNK_ROWS", 7)
    kept = evaluation.read_labelled(path)
    whole = read_predictions(path)
    assert kept.n_predictions == 60 and kept.models == ["m1", "m2"] and len(kept.frame) == 40
    assert kept.frame.drop(columns="cluster").reset_index(drop=True).equals(
        labelled(whole).drop(columns="cluster").reset_index(drop=True))
    assert (cluster_codes(kept.frame) == cluster_codes(labelled(whole))).all()
    streamed = evaluate_predictions(path, by=["source"], n_boot=50)
    in_memory = evaluate_frame(whole, by=["source"], n_boot=50)
    assert streamed.pop("models_warning").startswith("the predictions mix 2 models (m1, m2)")
    assert streamed.pop("trained_on") is None  # no model folder that lists its training items: not checked
    assert "not known here" in streamed.pop("not_checked")  # and why, in the terminal's words
    assert streamed == {"predictions": shared_path(path), **in_memory}
    assert streamed["n_unlabelled"] == 20 and streamed["models"] == ["m1", "m2"]


def test_compare_reads_only_gold_rows_and_matches_the_whole_files(tmp_path, monkeypatch):
    import classifier.evaluate as evaluation

    rows = prediction_rows(60, seed=4)
    first_rows = [dict(r, label=None) if i % 5 == 0 else r for i, r in enumerate(rows)]  # gold only in the second
    first_rows += [dict(r, id=f"unlabelled{i}", label=None) for i, r in enumerate(rows[:7])]
    second_rows = [dict(r, stance=LABELS[(LABELS.index(r["stance"]) + i % 2) % 3]) for i, r in enumerate(rows[3:])]
    second_rows += [dict(r, id=f"extra{i}") for i, r in enumerate(rows[:4])]
    first, second = write_jsonl(tmp_path / "a.jsonl", first_rows), write_jsonl(tmp_path / "b.jsonl", second_rows)
    monkeypatch.setattr(evaluation, "FRAME_CHUNK_ROWS", 9)
    a, b = evaluation.read_pair(first, second)
    assert a.n_predictions == 67 and b.n_predictions == 61
    assert len(a.frame) == 60 - 1 and len(b.frame) == 61  # row 0 has its gold in neither file's common part
    streamed = evaluate_predictions(first, compare=second, n_boot=50)["compare"]
    in_memory = compare_frames(read_predictions(second), read_predictions(first), n_boot=50)  # --compare first
    assert streamed["n_common"] == 57 and streamed["n_only_first"] == 4 and streamed["n_only_second"] == 10
    assert streamed.pop("verdict").startswith("On the same 57 gold items")
    assert streamed.pop("trained_on") is None  # the compared file's model lists no training items: not checked
    assert streamed.pop("same_file_warning") is None  # two files
    assert streamed == {"first": shared_path(second), "second": shared_path(first), **in_memory}


def test_a_folder_of_prediction_parts_reads_as_one_file(tmp_path):
    """``stance classify --ray-data`` writes OUT/<part>/predictions.parquet: evaluate and report read the folder."""
    rows = prediction_rows(120)
    whole = evaluate_predictions(write_jsonl(tmp_path / "whole.jsonl", rows), n_boot=N_BOOT)
    parts = tmp_path / "out"
    for name, chunk in (("a", rows[:50]), ("b", rows[50:])):
        (parts / name).mkdir(parents=True)
        frame = pd.DataFrame(chunk).assign(spans=lambda f: f["spans"].map(json.dumps))
        frame.to_parquet(parts / name / "predictions.parquet")
    (parts / ".stage").mkdir()  # a run in flight: not read
    write_jsonl(parts / ".stage" / "x.jsonl", rows[:3])
    assert evaluate_predictions(parts, n_boot=N_BOOT)["overall"] == whole["overall"]
    result = runner.invoke(app, ["report", str(parts), "--out", str(tmp_path / "r"), "--n-boot", "50"])
    assert result.exit_code == 0, result.output
    inside = runner.invoke(app, ["report", str(parts), "--out", str(parts / "r")])
    assert inside.exit_code == 1 and "inside the predictions folder" in inside.output
    write_jsonl(parts / "c.jsonl", rows[:1])
    result = runner.invoke(app, ["evaluate", str(parts)])
    assert result.exit_code == 1 and "c.jsonl:1: duplicate id 'i0' (first on " in result.output
    assert "a/predictions.parquet:1)" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["evaluate", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "a folder without .parquet or .jsonl predictions" in result.output


def test_the_journal_of_an_unfinished_classify_run_is_not_taken_for_predictions(tmp_path, preds):
    folder = tmp_path / "parts"
    folder.mkdir()
    journal = folder / "run.jsonl.partial.jsonl"  # what a killed 'stance classify --out run.jsonl' leaves
    journal.write_text(Path(preds).read_text())
    for path in (folder, journal):
        result = runner.invoke(app, ["evaluate", str(path)])
        assert result.exit_code == 1 and "the journal of an unfinished 'stance classify' run" in \
            " ".join(result.output.split()), result.output


def test_items_without_an_article_are_warned_of_in_evaluate_and_report(tmp_path):
    rows = [dict(row, article=None) if i % 4 == 0 else row for i, row in enumerate(prediction_rows(120))]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    result = runner.invoke(app, ["evaluate", str(path), "--n-boot", "20"])
    assert result.exit_code == 0 and "30 of 120 gold items have no 'article'" in " ".join(result.output.split())
    from classifier.report import make_report

    with pytest.warns(InputWarning, match="30 of 120 predictions have no 'article'; each is resampled"):
        make_report(path, tmp_path / "report", n_boot=20, n_perm=20)
    assert "have no 'article'" in (tmp_path / "report" / "report.md").read_text()


def test_one_article_id_under_two_outlets_is_two_articles_in_the_groups_too(tmp_path):
    rows = prediction_rows(60)
    for i, row in enumerate(rows):
        row["article"] = "a1" if i < 30 else row["article"]
    result = evaluate_predictions(write_jsonl(tmp_path / "p.jsonl", rows), by=["article"], n_boot=0)
    sources = {row["source"] for row in rows[:30]}
    assert len(sources) > 1 and {f"{s} / a1" for s in sources} <= {g["group"] for g in result["groups"]["article"]}
    assert "a1" not in {g["group"] for g in result["groups"]["article"]}


def test_by_outlet_is_by_source_and_a_file_compared_with_itself_is_warned_of(tmp_path, preds):
    result = runner.invoke(app, ["evaluate", str(preds), "--by", "outlet", "--n-boot", "0", "--out",
                                 str(tmp_path / "m.json")])
    assert result.exit_code == 0, result.output
    assert list(json.loads((tmp_path / "m.json").read_text())["groups"]) == ["source"]
    same = runner.invoke(app, ["evaluate", str(preds), "--compare", str(preds), "--n-boot", "0"])
    assert same.exit_code == 0 and "the same file as the first" in " ".join(same.output.split())


def test_per_class_figures_and_group_accuracy_have_intervals_from_the_same_article_resamples(tmp_path):
    """Each class's precision, recall and F1 get the expanded percentile interval of scikit-learn's figure over
    the same article resamples as macro-F1 (a resample without gold items of a class is left out of its recall);
    the --by tables show accuracy and F1 favor+against with intervals too; a group of fewer than 5 articles none."""
    rows = prediction_rows(120)
    rows += [{**row, "id": f"solo{i}", "source": "Solo D", "article": f"solo-{i % 3}"}
             for i, row in enumerate(prediction_rows(12, seed=1))]  # 3 articles: no interval
    preds = write_jsonl(tmp_path / "preds.jsonl", rows)
    result = evaluate_predictions(preds, by=["source"], n_boot=N_BOOT, seed=2)
    frame = labelled(read_predictions(preds))
    codes = cluster_codes(frame)
    gold, pred = frame["label"].to_numpy(), frame["stance"].to_numpy()
    found = {name: [] for name in ("precision", "recall", "f1")}
    for draw in cluster_resamples(codes, N_BOOT, seed=2):
        weights = draw[codes].astype(float)
        for name, values in zip(found, precision_recall_fscore_support(gold, pred, labels=list(LABELS),
                                                                       sample_weight=weights, zero_division=0)):
            found[name].append(values)
    clusters = int(codes.max()) + 1
    for k, label in enumerate(LABELS):
        for name, values in found.items():
            assert result["overall"]["per_class_ci"][label][name] == pytest.approx(
                percentile_ci(np.array(values)[:, k], clusters=clusters)), (label, name)
    groups = {g["group"]: g for g in result["groups"]["source"]}
    assert groups["Solo D"]["n_articles"] == 3 and groups["Solo D"]["per_class_ci"]["favor"]["f1"] is None
    assert groups["Solo D"]["ci"]["accuracy"] is None
    assert groups["Daily A"]["per_class_ci"]["favor"]["f1"] is not None

    out = tmp_path / "metrics.json"
    shown = runner.invoke(app, ["evaluate", str(preds), "--by", "source", "--n-boot", str(N_BOOT), "--seed", "2",
                                "--out", str(out)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(out.read_text())["overall"]["per_class_ci"] == result["overall"]["per_class_ci"]
    lines = shown.output.splitlines()
    favor_f1 = result["overall"]["per_class_ci"]["favor"]["f1"]
    assert any(line.split("│")[1:2] and line.split("│")[1].strip() == "favor"
               and line.split("│")[4].strip().endswith(f"[{favor_f1[0]:.3f}, {favor_f1[1]:.3f}]")
               for line in lines), shown.output
    daily = next(line for line in lines if "Daily A" in line)
    accuracy_ci = groups["Daily A"]["ci"]["accuracy"]
    assert f"[{accuracy_ci[0]:.2f}, {accuracy_ci[1]:.2f}]" in daily  # the page's one form (before: "0.39–0.58")
    polar_ci = groups["Daily A"]["ci"]["f1_favor_against"]
    assert f"[{polar_ci[0]:.2f}, {polar_ci[1]:.2f}]" in daily


def test_group_tables_fit_an_80_column_terminal_with_names_and_flags_whole(tmp_path, monkeypatch):
    """At 80 columns the eleven columns of 'evaluate --by source' left "few gold ag" a letter or two to a line (or
    the names nothing) and ran past the terminal's edge: the terminal table holds each figure with its interval and
    each flag on a line of its own, and every cell may wrap at its spaces."""
    from classifier.cli.app import out

    rows = []
    for s, source in enumerate(["000_0d29080c6ce635fb", "004_7e73490c89167d09", "TDI"]):
        for i in range(24):  # one article each, two gold against
            label = "against" if i < 2 else LABELS[(i + s) % 3 if (i + s) % 3 != 1 else 0]
            stance = LABELS[(i + s) % 3]
            rows.append({"id": f"{source}:{i}", "text": f"Russia said {i}.", "actor": "Russia", "spans": [[0, 6]],
                         "label": label, "source": source, "article": source, "stance": stance,
                         "stance_scores": {x: 0.8 if x == stance else 0.1 for x in LABELS}, "model": "m"})
    preds = write_jsonl(tmp_path / "p.jsonl", rows)
    monkeypatch.setattr(out, "width", 80)
    result = runner.invoke(app, ["evaluate", str(preds), "--by", "source", "--n-boot", "10", "-q"])
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("By source"):]
    assert max(len(line) for line in table.splitlines()) <= 80, table
    assert "few gold ag" in table and "004_7e73490c89167d09" in table and "1 art." in table, table
    assert "95% interval by article" in table


def test_one_prediction_is_counted_as_one(tmp_path):
    """'evaluate' on one labelled prediction said "1 gold-labelled of 1 predictions"."""
    path = write_jsonl(tmp_path / "one.jsonl", prediction_rows(1))
    result = runner.invoke(app, ["evaluate", str(path), "--n-boot", "0"])
    assert result.exit_code == 0, result.output
    assert f"{path}: 1 gold-labelled of 1 prediction; model" in " ".join(result.output.split())
