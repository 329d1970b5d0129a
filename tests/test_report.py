"""stance report: framing table, corrected shares, outlet tests, plots and a safe self-contained HTML page."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from sklearn.metrics import confusion_matrix
from typer.testing import CliRunner

from classifier.cli import calibrate, evaluate, report  # noqa: F401  (register the commands)
from classifier.cli.app import app
from classifier.errors import InputWarning
from classifier.evaluate import read_predictions
from classifier.items import LABELS
from classifier.report import build_report, cell_examples, make_report
from classifier.report.framing import (article_sums, correction_model, framing_analysis, holm, outlet_tests,
                                       solve_prevalence)
from classifier.report.html import highlight, md, md_inline, render_html

sys.path.insert(0, str(Path(__file__).parent))
from test_evaluate import prediction_rows, write_jsonl  # noqa: E402

runner = CliRunner()
N_BOOT = 200
EVIL = "Russia <script>document.title='pwned'</script><img src=x onerror=\"alert(1)\"> & \"co\" | *bold*"


@pytest.fixture()
def preds(tmp_path) -> Path:
    return write_jsonl(tmp_path / "preds.jsonl", prediction_rows(180))


# -- the framing table against an independent pandas computation ----------------------------------------

def test_framing_table_matches_pandas(preds):
    frame = read_predictions(preds)
    table = framing_analysis(article_sums(frame), None, gold_name="none", n_boot=N_BOOT)["table"]
    raw = pd.read_json(preds, lines=True)
    scores = pd.DataFrame(list(raw["stance_scores"]))
    raw = pd.concat([raw, scores.add_prefix("p_")], axis=1)
    for (outlet, actor), cell in raw.groupby(["source", "actor"]):
        row = table[(table["outlet"] == outlet) & (table["actor"] == actor)].iloc[0]
        shares = cell["stance"].value_counts(normalize=True)
        assert row["n"] == len(cell) and row["n_articles"] == cell["article"].nunique()
        for label in LABELS:
            assert row[f"share_{label}"] == pytest.approx(shares.get(label, 0.0))
            assert row[f"mean_p_{label}"] == pytest.approx(cell[f"p_{label}"].mean(), abs=1e-6)
        assert row["net"] == pytest.approx(shares.get("favor", 0.0) - shares.get("against", 0.0))
        assert row["net_lo"] <= row["net"] <= row["net_hi"]
    assert len(table) == raw.groupby(["source", "actor"]).ngroups


def test_gather_lets_go_of_each_chunk_list_as_it_is_combined(tmp_path, monkeypatch):
    """The report holds the chunks' article sums (all rows, headlines, the rest) until they are combined: each list
    is emptied as soon as its table is made, not held beside all three tables, and the memory freed by reading is
    given back (Arrow's pool, the C heap) before the statistics, which allocate through numpy."""
    import importlib

    import classifier.evaluate as evaluate_module

    gather_module = importlib.import_module("classifier.report.gather")  # the package's name is the function
    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(150, labelled=False))
    monkeypatch.setattr(evaluate_module, "FRAME_CHUNK_ROWS", 7)
    held, released, combine = [], [], gather_module.combine_sums
    lists = []

    def combining(parts):
        lists.append(parts)
        held.append(sum(len(p) for p in lists if p is not parts))  # chunks of the lists combined before, still held
        return combine(parts)

    monkeypatch.setattr(gather_module, "combine_sums", combining)
    monkeypatch.setattr(gather_module, "release_memory", lambda rows: released.append((len(lists), rows)),
                        raising=False)
    got = gather_module.gather(path, examples=2)
    assert len(lists) == 3 and all(len(parts) == 0 for parts in lists) and held == [0, 0, 0]
    assert released == [(3, 150)]  # once, after the tables were made, with the rows read
    assert int(got.sums["n"].sum()) == 150
    gather_module.release_memory(gather_module.RELEASE_ROWS)  # and it runs here (glibc or not)


def test_memory_is_given_back_without_ctypes(monkeypatch):
    """A Python built without ctypes ("No module named '_ctypes'": no libffi when it was compiled) ended the report
    in that error after all the reading, at gather's release of memory; it gives back Arrow's pool alone there."""
    import importlib
    import sys

    gather_module = importlib.import_module("classifier.report.gather")  # the package's name is the function
    for name in ("ctypes", "ctypes.util"):
        monkeypatch.setitem(sys.modules, name, None)  # import ctypes: ImportError, as without _ctypes
    gather_module.release_memory(gather_module.RELEASE_ROWS)


def test_a_small_report_gives_no_memory_back(monkeypatch):
    """Below ``RELEASE_ROWS`` predictions there is little to give back, and each garbage collection cost 0.09 s (four
    a report, hundreds of reports in the test suite): none is made there; from ``RELEASE_ROWS`` on, one."""
    import gc
    import importlib

    gather_module = importlib.import_module("classifier.report.gather")  # the package's name is the function
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(1) or 0)
    gather_module.release_memory(gather_module.RELEASE_ROWS - 1)
    assert collected == []
    gather_module.release_memory(gather_module.RELEASE_ROWS)
    assert collected == [1]


def test_chunk_by_chunk_sums_are_those_of_the_whole_file(tmp_path, monkeypatch):
    """The report reduces each chunk to article sums; articles cut by a chunk boundary and items without an
    article must come out as from the whole file at once, and so must the figures."""
    import classifier.evaluate as evaluate_module
    from classifier.report.gather import gather

    rows = prediction_rows(150, labelled=False) + [dict(r, id=f"lone{i}", article=None, label="favor")
                                                   for i, r in enumerate(prediction_rows(12, seed=5))]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    whole = read_predictions(path)
    expected = article_sums(whole)
    monkeypatch.setattr(evaluate_module, "FRAME_CHUNK_ROWS", 7)  # every article of 4 items cut somewhere
    got = gather(path, examples=2)
    pd.testing.assert_frame_equal(got.sums, expected, check_exact=False, rtol=1e-12)
    assert got.n == len(rows) and got.models == ["tiny@abc"] and (got.sums["lone"] >= 0).sum() == 12
    assert int(got.sums["n"].sum()) == len(rows) and len(got.labelled) == 12
    assert list(got.labelled["cluster"]) == list(range(12))  # each item without an article is its own cluster
    assert got.sums.groupby(["outlet", "article", "lone"]).ngroups == len(got.sums.drop_duplicates(
        ["outlet", "article", "lone"]))
    options = dict(gold_name="none", n_boot=N_BOOT, n_perm=200)
    a, b = framing_analysis(got.sums, None, **options), framing_analysis(expected, None, **options)
    pd.testing.assert_frame_equal(a["table"], b["table"], check_exact=False, rtol=1e-12)
    assert a["tests"] == b["tests"] and a["findings"] == b["findings"]


def test_single_article_cell_has_no_interval(tmp_path):
    rows = prediction_rows(90) + [dict(r, id=f"t{i}", source="Tiny Post", article="only-one")
                                  for i, r in enumerate(prediction_rows(4, seed=3))]
    table = framing_analysis(article_sums(read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))), None, gold_name="none",
                             n_boot=50)["table"]
    tiny = table[table["outlet"] == "Tiny Post"]
    assert tiny["small"].all() and tiny["net_lo"].isna().all()


# -- quantification ------------------------------------------------------------------------------------

def test_solve_prevalence_is_least_squares_on_the_simplex():
    rng = np.random.default_rng(0)
    for _ in range(50):
        matrix, observed = rng.dirichlet([1, 1, 1], size=3).T, rng.dirichlet([1, 1, 1])
        found = solve_prevalence(matrix, observed)
        loss = lambda p: np.sum((matrix @ p - observed) ** 2)  # noqa: E731
        best = minimize(loss, np.full(3, 1 / 3), method="SLSQP", bounds=[(0, 1)] * 3,
                        constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1}], options={"ftol": 1e-14})
        assert found.min() >= 0 and found.sum() == pytest.approx(1)
        assert loss(found) <= best.fun + 1e-9
    matrix = np.array([[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.1, 0.2, 0.7]])
    assert solve_prevalence(matrix, matrix @ [0.5, 0.2, 0.3]) == pytest.approx([0.5, 0.2, 0.3])
    assert solve_prevalence(np.eye(3), [0.2, 0.3, 0.5]) == pytest.approx([0.2, 0.3, 0.5])


def test_acc_and_pacc_correct_a_biased_classifier(tmp_path):
    """A classifier that calls a third of 'against' items 'neutral': ACC recovers the true shares."""
    rng = np.random.default_rng(1)

    def rows(n, prevalence, prefix):
        out = []
        for i in range(n):
            gold = LABELS[rng.choice(3, p=prevalence)]
            pred = "neutral" if gold == "against" and rng.random() < 1 / 3 else gold
            probs = {label: 0.8 if label == pred else 0.1 for label in LABELS}
            out.append({"id": f"{prefix}{i}", "text": "NATO acts.", "actor": "NATO", "spans": [[0, 4]],
                        "label": gold, "source": "Daily A", "article": f"{prefix}{i // 5}", "stance": pred,
                        "stance_scores": probs, "model": "m@1"})
        return out

    gold_rows = rows(1500, [0.3, 0.4, 0.3], "g")
    target_rows = [dict(r, label=None) for r in rows(1500, [0.2, 0.6, 0.2], "t")]
    gold_path = write_jsonl(tmp_path / "gold.jsonl", gold_rows)
    target_path = write_jsonl(tmp_path / "target.jsonl", target_rows)
    result = make_report(target_path, tmp_path / "out", gold=gold_path, n_boot=100, n_perm=100)
    row = result["table"].iloc[0]
    assert row["share_against"] == pytest.approx(0.4, abs=0.05)  # raw share is biased
    assert row["acc_against"] == pytest.approx(0.6, abs=0.05)  # corrected share is not
    assert row["acc_against_lo"] <= 0.6 <= row["acc_against_hi"]
    # independent check of the point estimate: sklearn confusion matrix, then an exact linear solve
    gold = pd.DataFrame(gold_rows)
    matrix = confusion_matrix(gold["label"], gold["stance"], labels=list(LABELS), normalize="true").T
    observed = pd.DataFrame(target_rows)["stance"].value_counts(normalize=True).reindex(LABELS).to_numpy()
    exact = np.linalg.solve(matrix, observed)
    if exact.min() >= 0:
        assert [row[f"acc_{label}"] for label in LABELS] == pytest.approx(list(exact), abs=1e-6)
    probs = np.array([[r["stance_scores"][label] for label in LABELS] for r in gold_rows])
    pacc = np.array([probs[gold["label"] == label].mean(axis=0) for label in LABELS]).T
    mean_p = np.array([[r["stance_scores"][label] for label in LABELS] for r in target_rows]).mean(axis=0)
    exact_pacc = np.linalg.solve(pacc, mean_p)
    if exact_pacc.min() >= 0:
        assert [row[f"pacc_{label}"] for label in LABELS] == pytest.approx(list(exact_pacc), abs=1e-6)
    # the report's files name --gold from the report folder (../gold.jsonl); the caller's note as it was given
    assert f"matrix of {gold_path} (" in result["correction_note"]
    assert "matrix of ../gold.jsonl (" in (tmp_path / "out" / "report.md").read_text()
    assert result["correction"]["possible"] and not result["correction"]["unstable"]
    # the evaluation section reads --gold when the predictions hold no labels
    assert result["evaluation"]["n_labelled"] == 1500 and result["evaluation"]["gold"] == "../gold.jsonl"
    html = (tmp_path / "out" / "report.html").read_text()
    assert "No gold labels in the predictions" not in html and "evaluated on --gold" in html


def test_the_console_names_the_gold_set_as_the_user_typed_it(tmp_path, monkeypatch):
    """The console's "Corrected with the confusion matrix of ../gold.jsonl" named --gold from the report folder
    (as report.md names it, for a shared report), not as typed (/abs/gold.jsonl, or ../data/gold.jsonl from
    another folder); the predictions' own gold rows are named as typed too."""
    (tmp_path / "work").mkdir()
    gold = write_jsonl(tmp_path / "gold.jsonl", [{**row, "id": f"g{row['id']}"}  # items apart from the predictions'
                                                 for row in prediction_rows(120, seed=3)])
    preds = write_jsonl(tmp_path / "p.jsonl", prediction_rows(120, labelled=False))
    monkeypatch.chdir(tmp_path / "work")
    for typed in (str(gold), "../gold.jsonl"):
        result = runner.invoke(app, ["report", str(preds), "--out", str(tmp_path / "out"), "--gold", typed,
                                     "--n-boot", "20", "--n-perm", "10", "--period", "none"])
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and f"Corrected with the confusion matrix of {typed} (" in said, said
    result = runner.invoke(app, ["report", str(gold), "--out", str(tmp_path / "own"), "--n-boot", "20",
                                 "--n-perm", "10", "--period", "none"])
    assert f"the gold-labelled rows of {gold} itself" in " ".join(result.output.split())


def test_a_correction_fitted_on_the_predictions_own_gold_rows_says_it_corrects_those_same_items(tmp_path):
    """Without --gold the confusion matrix came from the predictions' own labelled rows and the note read as if from
    a gold set ("the gold-labelled rows of p.jsonl itself"), not that those rows are among the items corrected."""
    rows = prediction_rows(90) + prediction_rows(60, labelled=False, seed=5)
    for row in rows[90:]:
        row["id"] = f"u-{row['id']}"
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    result = make_report(path, tmp_path / "out", n_boot=20, n_perm=20)
    note = result["correction_note"]
    assert result["correction"]["possible"], note
    assert ("It is fitted on the same items it corrects (its 90 gold rows are among the 150 items in the table), "
            "not on a labelled sample kept apart: pass --gold for that.") in note
    assert "fitted on the same items it corrects" in (tmp_path / "out" / "report.md").read_text()
    gold = write_jsonl(tmp_path / "gold.jsonl", prediction_rows(90, seed=7))
    apart = make_report(write_jsonl(tmp_path / "u.jsonl", rows[90:]), tmp_path / "out2", gold=gold, n_boot=20,
                        n_perm=20)
    assert apart["correction"]["possible"] and "fitted on the same items" not in apart["correction_note"]


def test_correction_not_possible_without_gold(tmp_path):
    path = write_jsonl(tmp_path / "u.jsonl", prediction_rows(60, labelled=False))
    result = make_report(path, tmp_path / "out", n_boot=50, n_perm=50)
    assert not result["correction"]["possible"] and "not possible" in result["correction_note"]
    assert "acc_favor" not in result["table"].columns
    html = (tmp_path / "out" / "report.html").read_text()
    assert "not possible" in html and "No gold labels in the predictions" in html
    refused = correction_model(pd.DataFrame({"label": ["favor"], "stance": ["favor"]}).iloc[:0], n_boot=5, seed=0,
                               name="x")
    assert not refused["possible"]


def test_correction_refused_when_the_classifier_does_not_separate_classes(tmp_path):
    rows = prediction_rows(60)
    for row in rows:
        row.update(stance="favor", stance_scores={"favor": 0.5, "against": 0.25, "neutral": 0.25})
    frame = read_predictions(write_jsonl(tmp_path / "p.jsonl", rows))
    correction = framing_analysis(article_sums(frame), frame, gold_name="itself", n_boot=20, n_perm=20)["correction"]
    assert not correction["possible"] and "does not separate the classes" in correction["reason"]


def test_gold_without_labels_is_refused(tmp_path, preds):
    unlabelled = write_jsonl(tmp_path / "u.jsonl", prediction_rows(20, labelled=False))
    result = runner.invoke(app, ["report", str(preds), "--out", str(tmp_path / "r"), "--gold", str(unlabelled)])
    assert result.exit_code == 1 and "no row has a gold 'label'" in result.output


# -- outlet differences -----------------------------------------------------------------------------------

def test_holm_matches_hand_computation():
    assert holm([0.01, 0.04, 0.03, 0.5]) == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert holm([0.2, 0.2]) == pytest.approx([0.4, 0.4])


def test_outlet_tests_find_a_real_difference_and_not_a_null_one(tmp_path):
    strong = read_predictions(write_jsonl(tmp_path / "s.jsonl", prediction_rows(600, accuracy_boost=4)))
    tests = outlet_tests(article_sums(strong), n_perm=500, seed=0)
    daily_russia = next(t for t in tests if t["actor"] == "Russia" and t["outlet"] == "Daily A")
    assert daily_russia["significant"] and daily_russia["difference"] > 0
    null = read_predictions(write_jsonl(tmp_path / "n.jsonl", prediction_rows(
        300, outlets={"A": 0.0, "B": 0.0, "C": 0.0}, seed=4)))
    assert not any(t["significant"] for t in outlet_tests(article_sums(null), n_perm=500, seed=0))
    assert all(t["p_holm"] >= t["p_value"] for t in tests)



def test_an_actor_of_two_outlets_is_one_comparison_that_holm_counts_once():
    """Two outlets of one actor make one comparison shown from each side (the same groups swapped): Holm counted it
    twice, doubling its p, so two outlets alike were called different in 2.0% of simulated reports, not 5%
    (scripts/check_report_statistics.py --only power). An actor of three outlets stays three comparisons."""
    rng = np.random.default_rng(3)
    rows = []
    for actor, outlets in (("Pair", ("A", "B")), ("Trio", ("A", "B", "C"))):
        for o, outlet in enumerate(outlets):
            for a in range(12):
                n = int(rng.integers(5, 15))
                favor = int(rng.binomial(n, 0.2 + 0.2 * (o == 0)))
                against = int(rng.binomial(n - favor, 0.3))
                rows.append({"outlet": outlet, "actor_name": actor, "article": f"{outlet}{a}", "lone": -1, "n": n,
                             "n_favor": favor, "n_against": against, "n_neutral": n - favor - against})
    tests = outlet_tests(pd.DataFrame(rows), n_perm=999, seed=0)
    pair = [t for t in tests if t["actor"] == "Pair"]
    assert pair[0]["p_value"] == pair[1]["p_value"] and pair[0]["p_holm"] == pair[1]["p_holm"]
    family = [pair[0]["p_value"]] + [t["p_value"] for t in tests if t["actor"] == "Trio"]
    assert [t["p_holm"] for t in tests] == pytest.approx([holm(family)[0]] * 2 + holm(family)[1:])
    from classifier.report.framing import holm_family, holm_over

    assert holm_family(tests) == 4 and holm_over(tests).startswith("4 comparisons (an actor of two outlets is one")
    trio = [t for t in tests if t["actor"] == "Trio"]
    assert holm_family(trio) == 3 and holm_over(trio) == "3 tests"


def test_the_summary_never_words_a_test_that_cannot_succeed_as_no_difference():
    from classifier.report.framing import difference_sentences

    sums = pd.DataFrame({"actor_name": ["Russia", "Russia", "China", "China", "NATO"],
                         "outlet": ["A", "B", "A", "B", "A"], "n": [40, 40, 5, 5, 3]})
    test = dict(significant=False, difference=0.1, net=0.1, net_others=0.0, n=40)
    tests = [dict(test, actor="Russia", outlet=o, p_holm=0.4, reachable=True) for o in "AB"] + \
        [dict(test, actor="China", outlet=o, p_holm=1.0, reachable=False) for o in "AB"]
    lines = difference_sentences(sums, tests)
    assert lines[0] == ("Russia: no difference between outlets detected (smallest Holm-adjusted p = 0.40); this is "
                        "not evidence that the outlets frame it alike.")
    # 'too few' is the word for a cell not tested: a test that ran and cannot succeed is 'cannot' alone
    assert lines[1] == ("China: no test can reach significance with these articles ('cannot' in the outlet tests), "
                        "so nothing can be said either way.")
    assert "NATO" in lines[2] and not any("China" in line and "detected" in line for line in lines)



def test_an_outlet_that_differs_is_worded_with_its_mentions_and_the_articles_they_come_from():
    """The finding said "(net stance -0.52 vs +0.01, n = 46; ...)": 46 mentions from 12 articles, the unit the test
    shuffles and the README says to quote, read as 46 observations."""
    from classifier.report.framing import difference_sentences

    sums = pd.DataFrame({"actor_name": ["Russia", "Russia"], "outlet": ["A", "B"], "n": [46, 40]})
    tests = [dict(actor="Russia", outlet="A", significant=True, difference=-0.53, net=-0.52, net_others=0.01, n=46,
                  n_articles=12, p_holm=0.014, reachable=True),
             dict(actor="Russia", outlet="B", significant=False, difference=0.53, net=0.01, net_others=-0.52, n=40,
                  n_articles=1, p_holm=0.2, reachable=True)]
    assert difference_sentences(sums, tests)[0] == (
        "Russia: A is more critical of Russia than the other outlets (net stance -0.52 vs +0.01, 46 mentions in 12 "
        "articles; Holm-adjusted p = 0.014).")


def test_resamples_and_permutations_made_in_blocks_give_the_same_figures(preds, monkeypatch):
    """Bootstrap draws and permutations are made a block at a time to bound memory; the figures must not move."""
    import classifier.evaluate as evaluate_module

    frame = read_predictions(preds)
    gold = frame[frame["label"].notna()]
    whole = framing_analysis(article_sums(frame), gold, gold_name="own", n_boot=N_BOOT, n_perm=300)
    monkeypatch.setattr(evaluate_module, "BLOCK_CELLS", 7)  # a few rows per block, and one row when rows are longer
    assert evaluate_module.block_sizes(10, 3) == [2, 2, 2, 2, 2] and evaluate_module.block_sizes(3, 50) == [1, 1, 1]
    blocked = framing_analysis(article_sums(frame), gold, gold_name="own", n_boot=N_BOOT, n_perm=300)
    pd.testing.assert_frame_equal(blocked["table"], whole["table"], check_exact=False, rtol=1e-12)
    assert blocked["tests"] == whole["tests"] and whole["table"]["acc_net_lo"].notna().all()


def test_draws_asked_again_within_shared_draws_are_the_same_and_drawn_once(monkeypatch):
    """shared_draws keeps the last draws: a second call for as many clusters, resamples and the same seed gets
    the same sums, to the last bit, without a second multinomial; another seed or size is drawn; what does not fit
    SHARED_DRAW_BYTES is drawn again, as outside it."""
    import classifier.evaluate as evaluate_module
    from classifier.evaluate import resampled_sums, shared_draws

    made = []
    drawing = evaluate_module.resample_blocks
    monkeypatch.setattr(evaluate_module, "resample_blocks", lambda *a: made.append(a[1:]) or drawing(*a))
    monkeypatch.setattr(evaluate_module, "BLOCK_CELLS", 64)  # several blocks of resamples
    values = np.random.default_rng(1).uniform(size=(9, 3))
    alone, reversed_alone = (resampled_sums(np.arange(9), v, 50, 4) for v in (values, values[:, ::-1]))
    with shared_draws():
        first = resampled_sums(np.arange(9), values, 50, 4)
        again = resampled_sums(np.arange(9), values[:, ::-1], 50, 4)
        other = resampled_sums(np.arange(9), values, 50, 5)
        assert len(made) == 4 and made[2:] == [(50, 4), (50, 5)]
        with shared_draws():  # nested: the outer one's draws
            assert np.array_equal(resampled_sums(np.arange(9), values, 50, 5), other) and len(made) == 4
        monkeypatch.setattr(evaluate_module, "SHARED_DRAW_BYTES", 50 * 9 - 1)
        resampled_sums(np.arange(9), values, 50, 6)
        resampled_sums(np.arange(9), values, 50, 6)
        assert len(made) == 6
    assert np.array_equal(first, alone) and np.array_equal(again, reversed_alone)
    resampled_sums(np.arange(9), values, 50, 4)
    assert len(made) == 7  # outside, nothing kept


def test_headline_and_body_tables_share_the_framing_table_s_draws(tmp_path, monkeypatch):
    """The headline and body tables (kind_table) are made in step with the framing table: a cell of each with the
    seed and the articles of the framing table's cell takes its draws, as does each cell's tone, and each table is
    the one made on its own without keeping any draw, to the last bit. Each was drawn anew: six times here (the
    tone and framing.net_interval's articles with two pseudo-articles, in each of three tables; the articles' own
    resamples are drawn for the stance only where --split-date or a correction takes them)."""
    import classifier.evaluate as evaluate_module
    from classifier.report.framing import framing_table, kind_table
    from classifier.report.gather import gather

    rows = []
    for row in prediction_rows(120, labelled=False):  # each sentence as the headline and in the body
        for kind in ("headline", "body"):
            rows.append({**row, "id": f"{row['id']}-{kind}", "kind": kind,
                         "sentiment_scores": {"positive": 0.5, "negative": len(rows) % 7 / 20,
                                                      "neutral": 0.5 - len(rows) % 7 / 20}})
    inputs = gather(write_jsonl(tmp_path / "p.jsonl", rows), 0)
    options = dict(n_boot=40, seed=3, min_n=10)
    made = []
    drawing = evaluate_module.resample_blocks
    monkeypatch.setattr(evaluate_module, "resample_blocks",  # clusters, resamples, seed
                        lambda *a: made.append((int(a[0].max()) + 1, *a[1:])) or drawing(*a))
    analysis = framing_analysis(inputs.sums, None, gold_name="none", n_perm=20, progress=False,
                                kinds=(inputs.headline_sums, inputs.body_sums), **options)
    n_cells = len(analysis["table"])  # each cell: its articles, and them with net_interval's two pseudo-articles
    assert len(made) == len(set(made)) == 2 * n_cells and analysis["table"]["tone_lo"].notna().all()
    monkeypatch.setattr(evaluate_module, "SHARED_DRAW_BYTES", 0)  # nothing kept: every cell draws its own
    table = framing_table(inputs.sums, analysis["correction"], **options)
    kinds = kind_table(inputs.headline_sums, inputs.body_sums, **options)
    assert len(made) == 2 * n_cells + 6 * n_cells
    pd.testing.assert_frame_equal(analysis["table"], table, check_exact=True)
    pd.testing.assert_frame_equal(analysis["kinds"], kinds, check_exact=True)
    assert (kinds["headline_n_articles"] == kinds["body_n_articles"]).all() and len(kinds) == n_cells


def test_compare_cells_share_the_framing_table_s_draws(tmp_path, monkeypatch):
    """--compare: the cells of two files of the same items are made in step with the framing table (framing_analysis
    beside=...), each taking the draws of the framing cell of its seed and articles; the cells are those
    compare_cells makes on its own, to the last bit, which draws each of them anew."""
    import classifier.evaluate as evaluate_module
    from classifier.report.compare import compare_cell_rows, compare_cells, in_compare_order

    new_rows = prediction_rows(150, labelled=False)
    old_rows = prediction_rows(150, labelled=False, seed=1)  # other scores of the same items
    new, old = (article_sums(read_predictions(write_jsonl(tmp_path / f"{name}.jsonl", rows)))
                for name, rows in (("new", new_rows), ("old", old_rows)))
    options = dict(n_boot=40, seed=3, min_n=10)
    made = []
    drawing = evaluate_module.resample_blocks
    monkeypatch.setattr(evaluate_module, "resample_blocks",  # clusters, resamples, seed
                        lambda *a: made.append((int(a[0].max()) + 1, *a[1:])) or drawing(*a))
    analysis = framing_analysis(new, None, gold_name="none", n_perm=20, beside=[compare_cell_rows(new, old, **options)],
                                **options)
    assert len(made) == len(set(made)) == 2 * len(analysis["table"])  # the articles, and with pseudo-articles
    monkeypatch.setattr(evaluate_module, "SHARED_DRAW_BYTES", 0)
    alone = compare_cells(new, old, **options)  # the change: the articles' own resamples
    assert len(made) == 3 * len(analysis["table"]) and alone["change_lo"].notna().all()
    pd.testing.assert_frame_equal(in_compare_order(pd.DataFrame.from_records(analysis["beside"][0])), alone,
                                  check_exact=True)


def test_examples_are_each_cells_most_confident_sentences(preds):
    frame = read_predictions(preds)
    table = framing_analysis(article_sums(frame), None, gold_name="none", n_boot=0, n_perm=0)["table"]
    examples = cell_examples(frame, table, 2, set(table["actor"]))
    raw = pd.read_json(preds, lines=True)
    raw = pd.concat([raw, pd.DataFrame(list(raw["stance_scores"])).add_prefix("p_")], axis=1)
    assert [(e["outlet"], e["actor"]) for e in examples] == list(zip(table["outlet"], table["actor"]))
    for entry in examples:
        cell = raw[(raw["source"] == entry["outlet"]) & (raw["actor"] == entry["actor"])]
        for side in ("favor", "against"):
            expected = cell[cell["stance"] == side].sort_values(f"p_{side}", ascending=False, kind="stable").head(2)
            assert [x["id"] for x in entry[side]] == list(expected["id"])
            assert all(x["spans"] == [[0, len(entry["actor"])]] and x["text"].startswith(entry["actor"])
                       for x in entry[side])


def test_examples_kept_chunk_by_chunk_are_those_of_the_whole_file(tmp_path, monkeypatch):
    """The report reads the text only to keep each cell's best sentences as chunks go by; ties across chunk
    boundaries must go to the earlier row, as one stable sort of the whole file would."""
    import classifier.evaluate as evaluate_module
    from classifier.report.gather import gather

    rows = prediction_rows(180)
    for row in rows[::4]:  # many exact ties in every cell, spread over the chunks
        row.update(stance="favor", stance_scores={"favor": 0.995, "against": 0.0025, "neutral": 0.0025})
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    whole = read_predictions(path)
    table = framing_analysis(article_sums(whole), None, gold_name="none", n_boot=0, n_perm=0)["table"]
    expected = cell_examples(whole, table, 2, set(table["actor"]))
    monkeypatch.setattr(evaluate_module, "FRAME_CHUNK_ROWS", 7)
    kept = gather(path, examples=2)
    assert "text" not in kept.labelled and "spans" not in kept.labelled
    assert len(kept.examples) <= 2 * 2 * len(table)  # a few rows per cell, not the file
    assert cell_examples(kept.examples, table, 2, set(table["actor"])) == expected
    first = expected[0]
    tied = [r["id"] for r in rows if r["stance_scores"]["favor"] == 0.995
            and (r["source"], r["actor"]) == (first["outlet"], first["actor"])]
    assert len(tied) > 2 and [x["id"] for x in first["favor"]] == tied[:2]


def test_report_is_the_same_file_for_file_on_a_rerun(tmp_path, preds):
    make_report(preds, tmp_path / "a", n_boot=50, n_perm=50)
    make_report(preds, tmp_path / "b", n_boot=50, n_perm=50)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert any(f.suffix == ".svg" for f in files)
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# -- HTML safety ---------------------------------------------------------------------------------------

def test_highlight_escapes_every_segment():
    text = "<b>Putin</b> & co"
    spans = [[3, 8]]
    assert highlight(text, spans) == "&lt;b&gt;<mark>Putin</mark>&lt;/b&gt; &amp; co"
    assert highlight("a<i>b", [[0, 5], [1, 2]]) == "<mark>a&lt;i&gt;b</mark>"
    assert "\\*bold\\*" in md("*bold*") and "&lt;script&gt;" in md("<script>") and "\\|" in md("a|b")
    assert md("$\\frac{a}{b}$ rose $5bn-$6bn") == "\\$\\\\frac{a}{b}\\$ rose \\$5bn-\\$6bn"  # no math in a renderer
    text = "Talks with Russia,  expressing\nhope over Russia"  # Markdown keeps the spaces round each mention
    assert highlight(text, [[11, 17], [41, 47]], md_inline, "**", "**") == \
        "Talks with **Russia**, expressing hope over **Russia**"


def test_untrusted_article_text_is_inert(tmp_path):
    rows = prediction_rows(60)
    rows[0].update(text=EVIL, spans=[[0, 6]], stance="favor",
                   stance_scores={"favor": 0.98, "against": 0.01, "neutral": 0.01})
    rows[1].update(actor="<img src=x onerror=alert(2)>", source="<script>alert(3)</script>")
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    html = build_report(path, tmp_path / "out", n_boot=50, n_perm=50).read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]*\sonerror\s*=", html, re.IGNORECASE)
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in html
    assert "<mark>Russia</mark> &lt;script&gt;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html, re.IGNORECASE)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "<script" not in markdown.lower() and "&lt;script&gt;" in markdown


def test_each_example_sentence_names_its_article_s_headline_and_date_escaped(tmp_path):
    """The report quoted a cell's sentences with no word of the article they came from: a researcher's web pages
    and CSV exports had headlines and dates in every item, and report.html named none of them, so a quoted sentence
    could not be traced back. Each is followed by its headline ("the headline" where it is one; else "article ID")
    and date, escaped as any text is; an item of no article and no headline gets nothing."""
    rows = prediction_rows(60)
    strong = {"stance": "favor", "stance_scores": {"favor": 0.99, "against": 0.005, "neutral": 0.005}}
    rows[0].update(title=EVIL, date="2026-12-07", **strong)
    rows[1].update(text="Russia rises", spans=[[0, 6]], actor="Russia", source=rows[0]["source"], title="Russia rises",
                   date="2026-12-08", **strong)
    rows[2].update(source=rows[0]["source"], actor=rows[0]["actor"], **strong)  # no headline: its article's id
    rows[3].update(source=rows[0]["source"], actor=rows[0]["actor"], article=None, **strong)  # no article: nothing
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    html = build_report(path, tmp_path / "out", n_boot=50, n_perm=50, examples=4).read_text()
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "<script" not in html.lower() and "<script" not in markdown.lower()
    assert '<span class="note">— Russia &lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;' in html
    assert "(2026-12-07)</span></blockquote>" in html and "— the headline (2026-12-08)</span>" in html
    assert f"— article {rows[2]['article']}</span>" in html
    quoted = {line.split("** ", 1)[1].split(" — ")[0]: line for line in markdown.splitlines() if line.startswith("> ")}
    assert " — Russia &lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img" in quoted[
        highlight(rows[0]["text"], rows[0]["spans"], md_inline, "**", "**")]
    assert " — " not in quoted[highlight(rows[3]["text"], rows[3]["spans"], md_inline, "**", "**")]


def test_an_example_of_an_article_without_a_title_is_named_by_its_headline_sentence(tmp_path):
    """A researcher's walk: the sentences that drive each cell read "article a18" though ``prepare`` had tagged the
    article's first line its headline (kind "headline"); a folder of articles has no manifest title. The headline
    sentence names its article's examples; an article without one keeps its id."""
    rows = prediction_rows(60)
    outlets = len({r["source"] for r in rows})
    strong = {"stance": "favor", "stance_scores": {"favor": 0.99, "against": 0.005, "neutral": 0.005}}
    head, body = rows[0], rows[outlets]  # the same outlet's same article
    assert (head["source"], head["article"]) == (body["source"], body["article"])
    head.update(kind="headline", text="Talks stall in the Gulf", spans=[[0, 5]])
    body.update(kind="body", **strong)
    rows[1].update(**strong)  # an article without a headline sentence: its id
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    html = build_report(path, tmp_path / "out", n_boot=50, n_perm=50, examples=4).read_text()
    assert "— Talks stall in the Gulf</span>" in html and f"— article {body['article']}</span>" not in html
    assert f"— article {rows[1]['article']}</span>" in html


def test_an_example_s_headline_is_cut_to_a_bounded_length_and_a_midnight_timestamp_is_its_day(tmp_path):
    """A column mapped as the title that held the article's body put the whole body after each quoted sentence
    (1,500 characters in report.html and report.md); a Parquet date column's timestamps showed as
    "2026-12-07T00:00:00". The headline is cut in the middle to EXAMPLE_FROM_CHARS, the date shown as its day."""
    from classifier.report import EXAMPLE_FROM_CHARS

    rows = prediction_rows(60)
    strong = {"stance": "favor", "stance_scores": {"favor": 0.99, "against": 0.005, "neutral": 0.005}}
    body = "Start of the body " + "word " * 300 + "end of the body"
    rows[0].update(title=body, date="2026-12-07T00:00:00", **strong)
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    html = build_report(path, tmp_path / "out", n_boot=50, n_perm=50, examples=2).read_text()
    markdown = (tmp_path / "out" / "report.md").read_text()
    for page in (html, markdown):
        shown = page.split("— Start of the body ", 1)[1].split(" (2026-12-07)", 1)[0]
        assert len("Start of the body " + shown) == EXAMPLE_FROM_CHARS and "…" in shown and "end of the body" in shown
        assert "T00:00:00" not in page and body not in page


def test_a_cell_with_no_favor_or_against_sentence_says_so_in_the_markdown_as_in_the_page(tmp_path):
    """report.md left such a cell's heading empty (and the section without its note), where report.html says it."""
    rows = prediction_rows(60)
    for row in rows:
        if row["source"] == rows[0]["source"] and row["actor"] == rows[0]["actor"]:
            row.update(stance="neutral", stance_scores={"favor": 0.1, "against": 0.1, "neutral": 0.8})
    html = build_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=50, n_perm=50).read_text()
    markdown = (tmp_path / "out" / "report.md").read_text()
    heading = f"### {rows[0]['source']} · {rows[0]['actor']}"
    assert f"{heading}\n\nNo sentence predicted favor or against.\n" in markdown
    assert "No sentence predicted favor or against." in html
    assert "The most confident favor and against predictions per outlet and actor" in markdown
    # a sentence's probability read 'favor p=0.78' beside the outlet tests' p-values: now 'favor 0.78'
    assert re.search(r"^> \*\*(favor|against) 0\.\d\d\*\* ", markdown, re.MULTILINE) and " p=0." not in markdown
    assert re.search(r"<strong>(favor|against) 0\.\d\d</strong>", html) and " p=0." not in html
    assert "the model's probability of that class (not a p-value)" in markdown


def test_control_characters_in_names_and_text_reach_no_page_plot_table_or_terminal(tmp_path):
    from xml.dom import minidom

    escape = "\x1b[31mRED\x1b]0;title\x07"
    rows = prediction_rows(120)
    for row in rows:
        if row["source"] == rows[0]["source"]:
            row["source"] = f"Outlet{escape}"
    rows[0].update(text=f"Russia {escape} said.", spans=[[0, 6]], stance="favor",
                   stance_scores={"favor": 0.98, "against": 0.01, "neutral": 0.01})
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(write_jsonl(tmp_path / "p.jsonl", rows)), "--out", str(out),
                                 "--n-boot", "50", "--n-perm", "50"])
    assert result.exit_code == 0, result.output
    assert "Outlet\\x1b[31mRED" in result.output and "\x1b" not in result.output and "\x07" not in result.output
    for path in out.rglob("*"):
        if path.suffix in (".html", ".md", ".csv", ".json", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert "\x1b" not in text and "\x07" not in text, path.name
    for svg in (out / "plots").glob("*.svg"):
        minidom.parse(str(svg))  # well-formed XML: a browser shows it
    assert "Outlet\\x1b[31mRED" in (out / "framing.csv").read_text()
    assert "</mark> \\x1b[31mRED" in (out / "report.html").read_text()  # the example sentence, visibly


# -- the whole report ----------------------------------------------------------------------------------

def test_report_quiet_prints_no_table_notes_or_findings_only_warnings_and_where_it_was_written(tmp_path):
    """report -q printed the whole framing table, its notes and findings: -q, as classify's, prints none of them;
    the warnings and the closing 'report written to' line stay."""
    rows = prediction_rows(120, labelled=False, model="tiny@abc")
    mixed = write_jsonl(tmp_path / "m.jsonl", [{**row, "model": "other@def"} if row["source"] == "Daily A" else row
                                               for row in rows])  # a warning: two models
    args = ["report", str(mixed), "--n-boot", "20", "--n-perm", "20"]
    loud = runner.invoke(app, [*args, "--out", str(tmp_path / "loud")])
    assert loud.exit_code == 0 and "Framing table" in loud.output and "Differences between outlets" in loud.output
    quiet = runner.invoke(app, [*args, "--out", str(tmp_path / "quiet"), "-q"])
    said = " ".join(quiet.output.split())
    assert quiet.exit_code == 0, quiet.output
    assert "Framing table" not in said and "Differences between outlets" not in said and "│" not in said, said
    assert "warning: the predictions mix 2 models" in said and "report written to" in said
    assert said.index("warning:") < said.index("report written to")


def test_report_cli_shows_the_busiest_cells_and_how_many_are_left_out(tmp_path, monkeypatch):
    from classifier.cli import report as report_cli

    template = prediction_rows(1)[0]
    rows = [{**template, "id": f"r{i}", "actor": "Russia", "source": f"Outlet{i // 2}", "article": f"r{i}"}
            for i in range(10)]  # Russia, the most mentioned actor: five outlets of two mentions each, listed first
    rows += [{**template, "id": f"c{i}", "actor": "China", "source": "Busy", "article": f"c{i // 2}"} for i in range(8)]
    preds = write_jsonl(tmp_path / "preds.jsonl", rows)
    monkeypatch.setattr(report_cli, "SHOWN_ROWS", 2)
    result = runner.invoke(app, ["report", str(preds), "--out", str(tmp_path / "report"), "--n-boot", "20",
                                 "--n-perm", "20"])
    assert result.exit_code == 0, result.output
    framing = pd.read_csv(tmp_path / "report" / "framing.csv")
    assert list(framing["actor"])[-1] == "China" and len(framing) == 6  # framing order: China's one cell last
    assert "the 2 with the most mentions, 4 left out" in " ".join(result.output.split())
    table = result.output.split("Framing table")[1].split("Differences between outlets")[0]
    assert "Busy" in table and "China" in table and "Outlet0" in table  # China's 8, and the first of Russia's 2s
    assert not any(f"Outlet{i}" in table for i in range(1, 5))


def test_predictions_csv_whose_first_column_name_holds_a_line_break_is_read(tmp_path):
    """A CSV header was read to its first line: a first column named "note<line break>by desk" (quoted) was the
    whole header, and report said 'more fields than the header has (1: note)'."""
    import csv

    rows = prediction_rows(60)
    path = tmp_path / "preds.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["note\nby desk", *rows[0]])
        writer.writerows(["x", *(json.dumps(v) if isinstance(v, (list, dict)) else v for v in row.values())]
                         for row in rows)
    result = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "report"), "--n-boot", "20",
                                 "--n-perm", "20", "-q"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "report" / "framing.csv")["n"].sum() == 60


def test_report_cli_writes_every_file(tmp_path, preds):
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(preds), "--out", str(out), "--n-boot", str(N_BOOT),
                                 "--n-perm", "300"])
    assert result.exit_code == 0, result.output
    assert "Framing table" in result.output and "Differences between outlets" in result.output
    for name in ("framing.csv", "framing.parquet", "outlet_tests.csv", "report.json", "report.html", "report.md",
                 "plots/net_stance_heatmap.png", "plots/net_stance_heatmap.svg", "plots/reliability.png"):
        assert (out / name).exists(), name
    assert (out / "plots/net_stance_heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "plots/net_stance_heatmap.svg").read_bytes()[:2000]
    assert len(list((out / "plots").glob("actor_*.png"))) == 3
    csv, parquet = pd.read_csv(out / "framing.csv"), pd.read_parquet(out / "framing.parquet")
    pd.testing.assert_frame_equal(csv[["outlet", "actor", "n"]], parquet[["outlet", "actor", "n"]],
                                  check_dtype=False)
    assert {"share_favor", "net", "net_lo", "net_hi", "mean_p_favor", "acc_favor", "pacc_favor_lo"} <= set(csv)
    summary = json.loads((out / "report.json").read_text())
    assert summary["evaluation"]["groups"]["source"] and summary["findings"]
    html = (out / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == 5  # heatmap, 3 actors, reliability
    assert "Evaluation on gold labels" in html and "per source" in html
    markdown = (out / "report.md").read_text()
    assert "| outlet | actor |" in markdown and "](plots/net_stance_heatmap.png)" in markdown


def test_model_card_from_model_dir_and_tolerance(tmp_path, preds):
    from classifier.report import model_card

    model = tmp_path / "model"
    model.mkdir()
    (model / "model_card.json").write_text(json.dumps({"name": "tiny", "summary": "a <b>card</b>",
                                                       "limitations": "English only"}))
    (model / "model_card.json").write_text(json.dumps({"name": "tiny", "summary": "a <b>card</b>",
                                                       "limitations": "English only", "created": "2026-12-01",
                                                       "data": {"train": "NewsMTSC train"}}))
    html = build_report(preds, tmp_path / "a", model_dir=model, n_boot=20, n_perm=20).read_text()
    assert "a &lt;b&gt;card&lt;/b&gt;" in html and "English only" in html
    markdown = (tmp_path / "a" / "report.md").read_text()  # for a paper: the card's data too, and how it was made
    from classifier import __version__
    from classifier.io.files import file_sha256

    assert "- data: train: NewsMTSC train" in markdown and "- created: 2026-12-01" in markdown
    assert "## How this report was made" in markdown
    assert f"- stance version: {__version__}" in markdown and file_sha256(preds)[:16] in markdown
    assert "--n-perm 20" in markdown and "How this report was made" in html
    assert json.loads((tmp_path / "a" / "report.json").read_text())["card"]["data"] == {"train": "NewsMTSC train"}
    # train's verdict on its held-out figures (a new model worse than the one it started from) is shown in words: the
    # report listed the figures and left the sentence that reads them out
    verdict = "On the same 323 gold items (14 articles), new (ours) scores ...: start (default) is higher by 0.185"
    (model / "model_card.json").write_text(json.dumps({"name": "tiny", "verdict": verdict}))
    build_report(preds, tmp_path / "b", model_dir=model, n_boot=20, n_perm=20)
    assert f"- evaluation: verdict: {verdict}" in (tmp_path / "b" / "report.md").read_text()
    assert "is higher by 0.185" in (tmp_path / "b" / "report.html").read_text()
    models = ["tiny@abc"]
    (model / "model_card.json").write_text("{not json")
    assert model_card(models, model)[0] is None and "could not be read" in model_card(models, model)[1]
    (model / "model_card.json").unlink()
    assert model_card(models, model)[0] is None and "does not exist" in model_card(models, model)[1]
    assert "No model card: pass --model DIR" in model_card(models, None)[1]



def test_a_model_card_of_another_shape_is_shown_not_a_crash(tmp_path, preds):
    model = tmp_path / "model"
    model.mkdir()  # the card is the model folder's: whoever shared the model wrote it
    (model / "model_card.json").write_text(json.dumps({"name": ["\x1b[31mred"], "labels": [1, {"x": "y"}],
                                                       "data": ["not", "fields"], "training": "text",
                                                       "evaluation": [1], "summary": "</script>"}))
    result = runner.invoke(app, ["report", str(preds), "--out", str(tmp_path / "a"), "--model", str(model),
                                 "--n-boot", "20", "--n-perm", "20"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "a" / "report.html").read_text()
    assert "<td>labels</td><td>1, {&#39;x&#39;: &#39;y&#39;}</td>" in html and "<td>name</td><td>\\x1b[31mred" in html
    assert "&lt;/script&gt;" in html and "\x1b" not in html


def test_the_card_check_matches_the_weights_whichever_engine_scored(tmp_path, tiny_model_dir):
    from classifier.models.stance_model import model_hash
    from classifier.report import model_card

    digest = model_hash(tiny_model_dir)
    for engine in ("", ":onnx", ":onnx-int8"):
        assert "do not match" not in model_card([f"tiny@{digest}{engine}"], tiny_model_dir)[1]
    assert "do not match the hash" in model_card(["tiny@0123456789ab:onnx"], tiny_model_dir)[1]



def test_a_model_dir_that_did_not_make_the_predictions_is_a_warning_at_the_terminal(tmp_path, tiny_model_dir):
    """The README's line 'stance report predictions.jsonl --out report/ --model models/default', run on a retrained
    model's predictions, showed default's card and checked the gold items against default's training data, with a
    warning on the page alone; the terminal said nothing. It says so now, naming the predictions' model."""
    import warnings

    from classifier.models.stance_model import model_hash

    def said(model):
        path = write_jsonl(tmp_path / f"{model.replace('@', '_')}.jsonl",
                           [dict(row, model=model) for row in prediction_rows(60)])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            make_report(path, tmp_path / model.replace("@", "_"), model_dir=tiny_model_dir, n_boot=20, n_perm=20)
        return " ".join(str(w.message) for w in caught)

    other = said("ours-v1@0123456789ab:onnx")
    assert (f"--model {tiny_model_dir}: its weights are not those of the model that made the predictions "
            "(ours-v1@0123456789ab:onnx)") in other and "checked against its training data" in other
    assert "are not those of the model" not in said(f"tiny@{model_hash(tiny_model_dir)}:onnx")


def test_the_card_is_read_only_from_model_dir_never_from_the_predictions(tmp_path, monkeypatch):
    secret = tmp_path / "models" / "secret"
    secret.mkdir(parents=True)
    (secret / "model_card.json").write_text(json.dumps({"name": "secret", "summary": "PRIVATE TEXT"}))
    rows = prediction_rows(30)
    for row in rows:
        row["model"] = "secret@abc"
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    monkeypatch.chdir(tmp_path)  # models/secret is right here
    html = build_report(path, tmp_path / "out", n_boot=20, n_perm=20).read_text()
    assert "PRIVATE TEXT" not in html and "pass --model DIR" in html


def test_render_html_without_optional_parts():
    ctx = {"title": "t", "predictions": "p", "models": ["m"], "n": 0, "n_actors": 0, "n_outlets": 0, "n_boot": 0,
           "seed": 0, "min_n": 10, "findings": [], "tests_note": "", "figures": [], "framing": (["a"], []),
           "framing_note": "", "correction_note": "", "corrected": None, "tests": (["a"], []), "examples": [],
           "evaluation": None, "evaluation_note": "none", "card": None, "card_note": "no card"}
    assert render_html(ctx).startswith("<!DOCTYPE html>")


def test_plots_do_not_touch_pyplot():
    from classifier.report import plots

    source = Path(plots.__file__).read_text()
    assert "pyplot" not in source.replace("no pyplot", "") and "matplotlib.use(" not in source
    before = "matplotlib.pyplot" in sys.modules
    table = pd.DataFrame({"outlet": ["A", "B"], "actor": ["X$y", "X$y"], "n": [3, 30], "net": [0.5, -0.2],
                          "net_lo": [float("nan"), -0.4], "net_hi": [float("nan"), 0.1]})
    figure = plots.actor_intervals(table, "X$y")  # a '$' in a name must not start mathtext
    assert plots.figure_bytes(figure, "png")[:4] == b"\x89PNG"
    assert ("matplotlib.pyplot" in sys.modules) == before


def drawn_looks(figure) -> dict[str, tuple]:
    """Each labelled line of a figure's first axes: (colour, line style, marker)."""
    from matplotlib.colors import to_hex

    return {line.get_label(): (to_hex(line.get_color()), line.get_linestyle(), line.get_marker())
            for line in figure.axes[0].get_lines() if not line.get_label().startswith("_")}


def test_a_report_of_many_outlets_gives_each_one_look_and_never_one_colour_twice_in_a_chart(tmp_path, monkeypatch):
    from classifier.report import plots

    outlets = {f"Outlet {i:02d}": (i % 5 - 2) / 10 for i in range(30)}
    actors = ["Russia", "China", "NATO"]
    rows = [row for row in prediction_rows(30 * 3 * 8, outlets=outlets, actors=actors)  # each actor without a third
            if int(row["source"].split()[1]) // 10 != actors.index(row["actor"])]  # of them: charts draw others
    for row in rows:  # six articles per outlet, a month apart
        row["date"] = f"2022-{int(row['article'].rsplit('-', 1)[1]) + 1:02d}-15"
    drawn = []  # every figure the report draws, as it is saved

    def keep(figure, fmt, dpi=110):
        if fmt == "png":
            drawn.append(figure)
        return b""

    monkeypatch.setattr(plots, "figure_bytes", keep)
    make_report(write_jsonl(tmp_path / "preds.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, period="month")
    charts = [f for f in drawn if "net stance per month" in f.axes[0].get_title()]
    reliability = [f for f in drawn if f.axes[0].get_title() == "Reliability on gold-labelled items"]
    assert len(charts) == 3 and len(reliability) == 1
    assert all("(8 of 20 outlets: the most mentioned, one per colour" in f.axes[0].get_title() for f in charts)
    looks = {}
    for figure in charts + reliability:
        lines = {name: look for name, look in drawn_looks(figure).items()
                 if name not in ("all items", "perfectly calibrated")}
        assert len({colour for colour, _, _ in lines.values()}) == len(lines)  # no colour twice in one chart
        for name, look in lines.items():
            assert looks.setdefault(name, look) == look, name  # one look in every chart
    assert len(drawn_looks(reliability[0])) == 1 + 1 + 6  # the diagonal, all items and six outlets (its own cap)
    assert len(looks) == 16 and len(set(looks.values())) == 16  # sixteen outlets drawn, no two alike
    styles = plots.report_styles(outlets)
    # each outlet its own look: eight colours by four lines give 32
    assert len({(s.colour, s.line, s.marker) for s in styles.values()}) == len(outlets) == 30


def test_an_outlet_keeps_its_colour_across_time_charts_and_the_reliability_diagram():
    from classifier.report import plots
    from classifier.report.timeline import timeline_chart

    styles = plots.report_styles(["Big", "Mid", "Small"])
    rows = []
    for actor, outlets in (("Russia", ("Big", "Small", "Other")), ("China", ("Mid", "Small"))):
        for outlet in outlets:
            for period in ("2022-01", "2022-02"):
                rows.append({"actor": actor, "outlet": outlet, "period": period, "n": 20, "net": 0.1,
                             "net_lo": 0.0, "net_hi": 0.2})
    table = pd.DataFrame(rows)

    def look(outlet):
        return styles[outlet].colour, styles[outlet].line, styles[outlet].marker

    russia = drawn_looks(timeline_chart(table, "Russia", "month", styles=styles))
    china = drawn_looks(timeline_chart(table, "China", "month", styles=styles))
    assert russia["Small"] == china["Small"] == look("Small")
    assert russia["Big"] == look("Big") and china["Mid"] == look("Mid")
    assert russia["Other"][0] not in {s.colour for s in styles.values()}  # without a report look: one no outlet has
    bins = [{"lower": i / 10, "upper": (i + 1) / 10, "n": 4 if i in (5, 8) else 0,
             "confidence": i / 10 + 0.05 if i in (5, 8) else None, "accuracy": 0.5 if i in (5, 8) else None}
            for i in range(10)]
    figure = plots.reliability_diagram({"all items": bins, "Small": bins}, styles)
    assert drawn_looks(figure)["Small"] == look("Small")
    counts = figure.axes[1]
    assert [text.get_text() for text in counts.texts if text.get_text()] == ["4", "4"]  # items per bin, shown


# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency",
# severity 1.0, applied to linear sRGB: how a deuteranope and a protanope (about 1 man in 16 together) see a colour
CVD_MATRICES = {
    "deutan": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                        [-0.011820, 0.042940, 0.968881]]),
    "protan": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                        [-0.003882, -0.048116, 1.051998]]),
}


def cielab(colour, vision: str = "normal") -> np.ndarray:
    """sRGB (D65) to CIELAB: the space where a distance of about 2 is the least a reader sees; ``vision`` "deutan"
    or "protan": the colour as a dichromat sees it (``CVD_MATRICES``)."""
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    if vision != "normal":
        linear = np.clip(CVD_MATRICES[vision] @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    f = np.cbrt(np.maximum(xyz / np.array([0.95047, 1.0, 1.08883]), (6 / 29) ** 3))
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_no_outlet_is_drawn_in_a_stance_colour():
    # red means against and blue favor in the heatmap and the actor charts: an outlet's line in dark red or blue
    # (petroff10's #bd1f01 and #3f90da, 23 and 11 CIELAB units from RdBu's) would be read as a stance
    from matplotlib import colormaps

    from classifier.report import plots

    stance = [colormaps[plots.PALETTE](v) for v in np.r_[np.linspace(0, 0.4, 9), np.linspace(0.6, 1, 9)]]  # |net|>=.2
    colours = {look.colour for look in plots.report_styles([f"Outlet {i}" for i in range(40)]).values()}
    assert len(colours) == len(plots.OUTLET_COLOURS) >= 8  # a chart draws as many outlets as colours
    for colour in colours:
        assert min(np.linalg.norm(cielab(colour) - cielab(s)) for s in stance) >= 30, colour
        assert colour not in (plots.ALL_ITEMS, plots.MISSING)
    assert min(np.linalg.norm(cielab(a) - cielab(b)) for a in colours for b in colours if a != b) >= 30


@pytest.mark.parametrize("vision", ["deutan", "protan"])
def test_no_outlet_is_drawn_in_a_stance_colour_under_red_green_colour_blindness(vision):
    """Under deuteranopia and protanopia RdBu runs blue to olive: the palette of 2026-12-07 (6) had purple 7.8 and
    bluish green 5.8 CIELAB units from a stance colour there, and two outlets 12.0 from each other."""
    from matplotlib import colormaps

    from classifier.report import plots

    stance = [colormaps[plots.PALETTE](v) for v in np.r_[np.linspace(0, 0.4, 9), np.linspace(0.6, 1, 9)]]
    seen = {colour: cielab(colour, vision) for colour in plots.OUTLET_COLOURS}
    for colour, lab in seen.items():
        assert min(np.linalg.norm(lab - cielab(s, vision)) for s in stance) >= 18, colour
    assert min(np.linalg.norm(seen[a] - seen[b]) for a in seen for b in seen if a != b) >= 20


def test_the_time_charts_caption_promises_no_band_its_chart_lacks(tmp_path):
    rows = prediction_rows(96, outlets={"Left": 0.3, "Right": -0.3}, actors=["Russia"])
    for row in rows:  # one article a month: no period has the 5 articles an interval needs, so no band is drawn
        row["date"] = f"2022-{int(row['article'].rsplit('-', 1)[1]) + 1:02d}-15"
    make_report(write_jsonl(tmp_path / "preds.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20, period="month")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    caption = re.search(r"Russia: net stance per month, one line per outlet[^<(]*", page).group(0)
    assert "band" not in caption and "the footer under the chart says which periods have a 95% CI" in caption


def test_a_time_chart_draws_the_interval_of_a_period_that_stands_alone():
    """fill_between draws a band only between two neighbouring periods: an interval whose neighbours have none (a
    gap, or periods of fewer than 5 articles) was not drawn, so BASIL's yearly chart of Trump showed no interval."""
    import numpy as np

    from classifier.report.timeline import timeline_chart

    nan = float("nan")
    rows = [("2016", 30, -0.5, nan, nan), ("2017", 30, -0.1, -0.3, 0.1), ("2018", 30, -0.2, nan, nan),
            ("2019", 60, -0.3, -0.4, -0.1), ("2020", 40, -0.2, -0.35, -0.05)]
    table = pd.DataFrame([{"actor": "X", "outlet": "A", "period": period, "n": n, "net": net, "net_lo": lo,
                           "net_hi": hi} for period, n, net, lo, hi in rows])
    axes = timeline_chart(table, "X", "year").axes[0]

    def drawn_at(x: float, lo: float, hi: float) -> bool:  # a visible mark from lo to hi at x: a bar, or a band
        for artist in axes.collections:
            for path in artist.get_paths():
                xs, ys = path.vertices[:, 0], path.vertices[:, 1]
                wide = xs.max() - xs.min() > 0 or artist.get_linewidth().max() > 0
                if wide and xs.min() <= x <= xs.max() and np.isclose(ys.min(), lo) and np.isclose(ys.max(), hi):
                    return True
        return False

    assert drawn_at(1, -0.3, 0.1)  # 2017 alone between two periods without an interval
    assert drawn_at(3.5, -0.4, -0.05)  # 2019 and 2020: the band, as before


SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("items", [SHARED / "data/newsmtsc/devtest_rw.jsonl", REPO / "data/seed_labels.jsonl"],
                         ids=["newsmtsc-devtest_rw", "seed-labels"])
def test_end_to_end_on_real_items(tmp_path, tiny_model, items):
    """The tiny model's predictions on real labelled items: evaluate and report run, figures match sklearn."""
    from classifier.evaluate import evaluate_predictions
    from classifier.items import item_record, read_items
    from sklearn.metrics import f1_score

    if not items.exists():
        pytest.skip(f"{items} is not here")
    chosen = list(read_items(items))[:300]
    records = [{**item_record(item), **scored, "model": tiny_model.model_id}
               for item, scored in zip(chosen, tiny_model.predict(chosen))]
    path = write_jsonl(tmp_path / "preds.jsonl", records)
    metrics = evaluate_predictions(path, by=["source"], n_boot=50)
    gold, predicted = [r["label"] for r in records], [r["stance"] for r in records]
    assert metrics["overall"]["macro_f1"] == pytest.approx(f1_score(gold, predicted, labels=list(LABELS),
                                                                    average="macro", zero_division=0))
    result = make_report(path, tmp_path / "report", n_boot=50, n_perm=50, max_actors=3)
    assert (tmp_path / "report" / "report.html").stat().st_size > 10_000
    assert result["table"]["n"].sum() == len(records)


def test_spreadsheet_formulas_in_names_are_neutralised_in_csv_only(tmp_path):
    rows = prediction_rows(60)
    for row in rows[:30]:
        row["source"] = '=HYPERLINK("http://x","y")'
    for row in rows[30:]:
        row["actor"] = "@SUM(A1)"
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    make_report(path, tmp_path / "out", n_boot=20, n_perm=20)
    text = (tmp_path / "out" / "framing.csv").read_text()
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    assert not re.search(r'(^|,)"?[=@]', text, re.MULTILINE)
    parquet = pd.read_parquet(tmp_path / "out" / "framing.parquet")
    assert '=HYPERLINK("http://x","y")' in set(parquet["outlet"])  # the data itself is unchanged


def test_the_report_folder_is_swapped_in_whole(tmp_path, monkeypatch):
    import classifier.report as report_module

    out = tmp_path / "report"
    first = write_jsonl(tmp_path / "a.jsonl", prediction_rows(90))
    make_report(first, out, n_boot=20, n_perm=20)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fewer = [dict(r, actor="Russia") for r in prediction_rows(60)]  # one actor: fewer plots
    second = write_jsonl(tmp_path / "b.jsonl", fewer)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("classifier.report.html.render_markdown", full_disk)
    with pytest.raises(OSError):
        make_report(second, out, n_boot=20, n_perm=20)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # untouched
    assert not list(tmp_path.glob(".report.*"))  # the stage is gone
    monkeypatch.undo()
    make_report(second, out, n_boot=20, n_perm=20)
    plots = {p.name for p in (out / "plots").iterdir()}
    assert len([p for p in plots if p.startswith("actor_") and p.endswith(".png")]) == 1  # no stale plots
    assert report_module.REPORT_FILES["html"] in {p.name for p in out.iterdir()}


def test_a_full_disk_names_the_report_file_it_was_writing_not_the_hidden_stage(tmp_path, preds, monkeypatch):
    """A report's files are written in a hidden ``.report.*.stage`` folder swapped in at the end: a full disk names
    the file under --out the user asked for (report/framing.csv), not the stage, which is gone by then."""
    import errno
    import os

    from classifier.io.files import TableWriter

    def full(self, records):  # a write that fills the disk: TableWriter names the file it was writing
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(TableWriter, "_write", full)
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(preds), "--out", str(out), "--n-boot", "20", "--n-perm", "20", "-q"])
    monkeypatch.undo()
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"error: {out / 'framing.csv'}: No space left on device (outputs are atomic" in result.output, \
        result.output
    assert ".stage" not in result.output and not out.exists() and not list(tmp_path.glob(".report.*"))


def test_a_file_size_limit_on_report_html_names_it_and_says_nothing_was_kept(tmp_path, preds):
    """``ulimit -f`` of 100,000 bytes stops the report at report.html (about 300 KB here), written whole by
    write_text_atomic: the line names it under --out, where it named no file ("a file this command writes or
    reads: File too large"), and says that nothing half-written was kept, as a full disk's line does."""
    from test_hostile_inputs import limited_stance

    out = tmp_path / "report"
    result = limited_stance(100_000, "report", preds, "--out", out, "--n-boot", "20", "--n-perm", "20", "-q")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"error: {out / 'report.html'}: File too large (outputs are atomic: nothing half-written was kept)" in \
        result.stderr, result.stderr
    assert not out.exists() and not list(tmp_path.glob(".report.*"))


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path, preds):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.tex").write_text("precious")
    result = runner.invoke(app, ["report", str(preds), "--out", str(thesis), "--n-boot", "10", "--n-perm", "10"])
    assert result.exit_code == 1 and "not an earlier report" in result.output
    assert (thesis / "chapter1.tex").read_text() == "precious" and len(list(thesis.iterdir())) == 1


def test_an_earlier_report_holding_an_input_or_other_files_is_never_replaced(tmp_path, preds):
    out = tmp_path / "report"
    args = ["--n-boot", "10", "--n-perm", "10", "--period", "none"]
    assert runner.invoke(app, ["report", str(preds), "--out", str(out), *args]).exit_code == 0
    inside = out / "mine.jsonl"
    inside.write_bytes(Path(preds).read_bytes())
    result = runner.invoke(app, ["report", str(inside), "--out", str(out), *args])
    assert result.exit_code == 1 and "it holds the input" in " ".join(result.output.split()) and inside.exists()
    inside.rename(tmp_path / "mine.jsonl")
    for notes in (out / "NOTES.txt", out / "plots" / "notes.txt", out / "plots" / "my_annotated_heatmap.png"):
        notes.write_text("my notes")
        result = runner.invoke(app, ["report", str(preds), "--out", str(out), *args])
        assert result.exit_code == 1 and "also holds" in result.output and notes.name in result.output
        assert notes.read_text() == "my notes"
        notes.unlink()
    nested = runner.invoke(app, ["report", str(preds), "--out", str(out / "plots" / "again"), *args])
    assert nested.exit_code == 1 and f"inside the earlier report {out.absolute()}" in " ".join(nested.output.split())
    assert not (out / "plots" / "again").exists()  # the earlier report can still be replaced
    workspace = tmp_path / "ci"  # another tool's report.json in a parent folder is no report of ours
    workspace.mkdir()
    (workspace / "report.json").write_text('{"coverage": 0.9}')
    assert runner.invoke(app, ["report", str(preds), "--out", str(workspace / "r"), *args]).exit_code == 0


def test_tone_beside_stance_from_a_both_file(tmp_path):
    """--task both predictions: mean sentence sentiment per cell with its interval, and the note's example is
    the sentence whose tone most contradicts its stance."""
    rows = prediction_rows(120, labelled=False)
    rng = np.random.default_rng(3)
    for i, row in enumerate(rows):
        positive = float(rng.uniform(0, 0.9))
        row["sentiment_scores"] = {"positive": positive, "negative": (1 - positive) / 2, "neutral": (1 - positive) / 2}
        row["sentiment"] = "positive"
    clash = next(i for i, r in enumerate(rows) if r["stance"] == "favor")
    rows[clash]["text"] = "Under heavy shelling, Russia kept its promise to the besieged town."
    rows[clash]["stance_scores"] = {"favor": 0.97, "against": 0.01, "neutral": 0.02}
    rows[clash]["sentiment_scores"] = {"positive": 0.0, "negative": 1.0, "neutral": 0.0}
    path = write_jsonl(tmp_path / "both.jsonl", rows)
    result = make_report(path, tmp_path / "out", n_boot=100, n_perm=50, examples=3)
    table = result["table"]
    frame = pd.DataFrame(rows)
    tone = frame["sentiment_scores"].map(lambda s: s["positive"] - s["negative"])
    for row in table.to_dict("records"):
        cell = (frame["source"] == row["outlet"]) & (frame["actor"] == row["actor"])
        assert row["tone"] == pytest.approx(tone[cell].mean())
        assert row["n_tone"] == cell.sum()
        if row["n_articles"] >= 2:
            assert row["tone_lo"] <= row["tone"] <= row["tone_hi"]
    assert "tone" in result["framing_rows"][0]
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Tone is the sentence's own sentiment" in md
    assert "Under heavy shelling" in md and "tone -1.00" in md
    assert "carry a sentiment" not in md  # every mention has one


def test_tone_note_says_when_only_some_mentions_carry_a_sentiment(tmp_path):
    """Predictions of two runs, one with --task both and one without: the tone is the mean over the mentions
    that carry a sentiment, and the note says how many those are."""
    rows = prediction_rows(120, labelled=False)
    for row in rows[:70]:
        row["sentiment_scores"] = {"positive": 0.6, "negative": 0.2, "neutral": 0.2}
        row["sentiment"], row["sentiment_model"] = "positive", "sent-a@1"
    path = write_jsonl(tmp_path / "mixed.jsonl", rows)
    result = make_report(path, tmp_path / "out", n_boot=20, n_perm=20)
    assert int(result["table"]["n_tone"].sum()) == 70
    md = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert "Only 70 of 120 mentions carry a sentiment" in md
    assert "Sentiment model: sent-a@1." in md


def test_tone_from_two_sentiment_models_is_said_to_be_mixed(tmp_path):
    rows = prediction_rows(120, labelled=False)
    for i, row in enumerate(rows):
        row["sentiment_scores"] = {"positive": 0.6, "negative": 0.2, "neutral": 0.2}
        row["sentiment"], row["sentiment_model"] = "positive", ("sent-a@1" if i % 2 else "sent-b@2")
    path = write_jsonl(tmp_path / "two.jsonl", rows)
    make_report(path, tmp_path / "out", n_boot=20, n_perm=20)
    md = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert "The tone mixes 2 sentiment models (sent-a@1, sent-b@2)" in md
    summary = json.loads((tmp_path / "out" / "report.json").read_text())
    assert summary["sentiment_models"] == ["sent-a@1", "sent-b@2"]


def test_stance_only_predictions_have_no_tone_column(tmp_path, preds):
    result = make_report(preds, tmp_path / "out", n_boot=20, n_perm=20)
    assert "tone" not in result["framing_rows"][0]
    assert "Tone is" not in (tmp_path / "out" / "report.md").read_text()


def test_sentiment_alone_is_refused_by_the_report(tmp_path):
    rows = [{"id": f"s{i}", "text": "Shares fell.", "sentiment": "negative",
             "sentiment_scores": {"positive": 0.1, "negative": 0.8, "neutral": 0.1}} for i in range(3)]
    path = write_jsonl(tmp_path / "tone.jsonl", rows)
    result = runner.invoke(app, ["report", str(path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and "sentence sentiment alone" in result.output
    assert not (tmp_path / "r").exists()


def test_tone_from_one_article_of_a_cell_has_no_interval(tmp_path):
    """Resampling one article gives an interval of no width: a cell whose tone comes from one article shows none."""
    rows = prediction_rows(120, labelled=False)
    for row in rows:
        if row["article"].endswith("-0"):
            row["sentiment_scores"] = {"positive": 0.7, "negative": 0.1, "neutral": 0.2}
            row["sentiment"] = "positive"
    path = write_jsonl(tmp_path / "one.jsonl", rows)
    table = make_report(path, tmp_path / "out", n_boot=50, n_perm=20)["table"]
    toned = table[table["n_tone"] > 0]
    assert len(toned) and (toned["n_articles"] >= 2).any()  # cells of several articles, tone from one of them
    assert toned["tone"].notna().all() and toned["tone_lo"].isna().all() and toned["tone_hi"].isna().all()


def test_the_tone_example_is_a_confident_stance():
    """The biggest clash between tone and stance over all sentences is most often a wrong stance: the example
    is taken among sentences whose favor or against the model gives 0.6 or more."""
    from classifier.report import tone_example

    examples = pd.DataFrame([
        {"text": "unsure", "source": "A", "actor": "X", "stance": "against", "p_favor": 0.30, "p_against": 0.45,
         "tone": 0.95},
        {"text": "sure", "source": "A", "actor": "X", "stance": "favor", "p_favor": 0.80, "p_against": 0.05,
         "tone": -0.50},
    ])
    assert tone_example(examples)["text"] == "sure"
    assert tone_example(examples.iloc[:1]) is None


def test_one_sentiment_model_on_two_engines_is_one_model():
    from classifier.report import tone_note

    table = pd.DataFrame({"n": [4], "n_tone": [4]})
    note = tone_note(table, None, ["sent@abc", "sent@abc:onnx"])
    assert "Sentiment model: sent@abc." in note and "mixes" not in note
    assert "mixes 2 sentiment models" in tone_note(table, None, ["sent@abc", "other@def:onnx"])


def test_model_named_as_in_the_readme_from_any_directory_and_a_missing_one_refused(tmp_path, preds, monkeypatch):
    from classifier.models.stance_model import DEFAULT_MODEL_DIR, model_folder

    monkeypatch.chdir(tmp_path)
    assert model_folder("models/default") == DEFAULT_MODEL_DIR  # the checkout's, run from a corpus folder
    (tmp_path / "models" / "default").mkdir(parents=True)
    assert model_folder("models/default") == Path("models/default")  # a folder of that name here comes first
    result = runner.invoke(app, ["report", str(preds), "--out", str(tmp_path / "r"), "--model", "/nowhere/model"])
    assert result.exit_code == 1 and "--model /nowhere/model: no such model folder" in result.output
    assert not (tmp_path / "r").exists()


def test_the_evaluation_says_when_the_correction_uses_another_gold_set(tmp_path, preds):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(Path(preds).read_text())
    result = make_report(preds, tmp_path / "out", gold=gold, n_boot=20, n_perm=20)
    assert "The correction uses --gold" in (tmp_path / "out" / "report.md").read_text()
    assert result["correction"]["gold"] == "../gold.jsonl"


def test_a_shared_report_names_its_inputs_without_the_author_s_folders(tmp_path, preds, monkeypatch):
    from classifier.io.files import file_sha256
    from classifier.report import shared_path

    home = tmp_path / "home" / "alice"
    for folder in ("thesis/data", "thesis/reports", "elsewhere"):
        (home / folder).mkdir(parents=True)
    inputs = {"predictions": home / "thesis" / "data" / "preds.jsonl", "gold": home / "elsewhere" / "gold.jsonl",
              "compare": home / "thesis" / "reports" / "old.jsonl"}
    for path in inputs.values():
        path.write_text(Path(preds).read_text())
    model = home / "elsewhere" / "model"
    model.mkdir()
    (model / "model_card.json").write_text(json.dumps({"name": "tiny"}))
    monkeypatch.chdir(home / "thesis" / "data")  # holds the predictions only
    out = home / "thesis" / "reports" / "r"
    result = make_report(inputs["predictions"], out, gold=inputs["gold"], compare=inputs["compare"], model_dir=model,
                         n_boot=20, n_perm=20, period="none")
    assert isinstance(result["compare"]["cells"], pd.DataFrame) and result["compare"]["other"]  # as in report.json
    assert result["files"]["compare_csv"] == str(out / "compare.csv") and (out / "compare.csv").is_file()
    written = {name: (out / name).read_text() for name in ("report.html", "report.md", "report.json")}
    for name, text in written.items():
        assert str(tmp_path) not in text and "alice" not in text, name
    provenance = json.loads(written["report.json"])["provenance"]
    sha = {name: file_sha256(path)[:16] for name, path in inputs.items()}
    assert provenance["predictions"] == f"preds.jsonl (sha256 {sha['predictions']})"  # in the working directory
    assert provenance["compare"] == f"../old.jsonl (sha256 {sha['compare']})"  # beside the report folder
    assert provenance["gold"] == f"…/gold.jsonl (sha256 {sha['gold']})"  # neither: its name and hash alone
    assert provenance["model folder"] == "…/model"
    assert "- predictions: preds.jsonl (sha256" in written["report.md"]
    assert shared_path("sub/x.jsonl", out) == "sub/x.jsonl" and shared_path("../data/x", out) == "x"
    monkeypatch.chdir("/")  # everything is inside the root: its paths would name alice's folders
    assert shared_path(inputs["gold"], out) == "…/gold.jsonl"


def test_outlet_names_that_differ_only_in_case_or_spacing_are_warned_of(tmp_path):
    rows = prediction_rows(90)
    daily = [row for row in rows if row["source"] == "Daily A"]
    for i, row in enumerate(daily):
        row["source"] = ("RT", "RT ", "rt")[i % 3]
    with pytest.warns(InputWarning, match=r"the outlets 'RT', 'RT ', 'rt' differ only in case or spacing"):
        make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=10, n_perm=10)


def test_look_alike_names_are_warned_of_on_the_page_too_escaped(tmp_path):
    """"Democratic Lawmakers" and "Democratic lawmakers" counted apart were said at the terminal only: report.html
    and report.md, the pages that are shared, said nothing. Now the framing note says it in the terminal's words,
    the names escaped as every other user text."""
    rows = prediction_rows(90)
    for i, row in enumerate(rows):
        if i % 2:
            row["actor"] = ("<b>Dem</b> Lawmakers", "<b>Dem</b> lawmakers")[i % 4 == 1]
    with pytest.warns(InputWarning, match="differ only in case or spacing"):
        make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=10, n_perm=10)
    page, markdown = ((tmp_path / "out" / name).read_text() for name in ("report.html", "report.md"))
    said = ("the actors '&lt;b&gt;Dem&lt;/b&gt; Lawmakers', '&lt;b&gt;Dem&lt;/b&gt; lawmakers' differ only in case or "
            "spacing and are counted apart; give them one spelling if they are one.")
    assert "Warning: " + said.replace("'", "&#39;") in page and "<b>Dem" not in page
    assert "Warning: " + said in markdown and "<b>Dem" not in markdown


def test_names_the_chart_font_cannot_draw_are_named_in_the_note(tmp_path):
    from classifier.report.plots import undrawn_names

    assert undrawn_names(["Reuters", "Новая газета", "Le Monde", "人民日报", "人民日报"]) == ["人民日报"]
    rows = prediction_rows(120, labelled=False, outlets={"Daily A": 0.5, "人民日报": -0.4})
    result = make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=20)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "no letters for 1 outlet or actor name (人民日报), drawn there as boxes" in " ".join(page.split())
    assert result is not None


def test_a_missing_gold_or_compare_file_names_its_option(tmp_path, preds):
    missing = tmp_path / "nosuch.jsonl"
    for command, flag in (("report", "--gold"), ("report", "--compare"), ("evaluate", "--compare")):
        target = ["--out", str(tmp_path / "r")] if command == "report" else []
        result = runner.invoke(app, [command, str(preds), *target, flag, str(missing)])
        assert result.exit_code == 1 and f"{flag} {missing}: no such file" in result.output, (command, flag)
    assert not (tmp_path / "r").exists()
    with pytest.raises(Exception, match=r"^gold='.*nosuch.jsonl': no such file"):
        make_report(preds, tmp_path / "r", gold=missing)


def test_a_file_compared_with_itself_is_warned_of_in_one_line(tmp_path, preds, monkeypatch):
    """'report P --compare P' compared a file with itself and reported no change without a word ('evaluate' warned,
    but not of a hard link). Both now warn in one line, the file given as itself, as ./P, a symbolic or a hard link,
    and write the report as before; a copy of the file is another file, not warned of."""
    import os
    import shutil

    monkeypatch.chdir(tmp_path)
    os.symlink(preds.name, "link.jsonl")
    os.link(preds.name, "hard.jsonl")
    shutil.copy(preds.name, "copy.jsonl")
    small = ["--n-perm", "20", "--period", "none", "--examples", "0", "--max-actors", "1"]  # the warning, not the page
    for given in (preds.name, f"./{preds.name}", "link.jsonl", "hard.jsonl", "copy.jsonl"):
        for command, target in (("report", ["--out", f"r-{given.strip('./')}", *small]), ("evaluate", [])):
            result = runner.invoke(app, [command, preds.name, "--compare", given, "--n-boot", "0", "-q", *target])
            assert result.exit_code == 0, (command, given, result.output)
            warned = [line for line in result.output.splitlines() if "the same file as the first" in line]
            shown = given.removeprefix("./")  # pathlib reads ./P as P
            expected = [] if given == "copy.jsonl" else [f"warning: --compare {shown}: the same file as the first; "
                                                          "every difference is 0"]
            assert warned == expected, (command, given, result.output)
    with pytest.warns(InputWarning, match=r"^compare='hard.jsonl': the same file as the first"):
        make_report(preds.name, "r-python", compare="hard.jsonl", n_boot=0, n_perm=20, period="none", examples=0,
                    max_actors=1)


def test_the_time_chart_footer_explains_only_what_is_drawn():
    from classifier.report.timeline import timeline_chart

    nan = float("nan")

    def footer(rows, min_n=10):
        table = pd.DataFrame([{"actor": "X", "outlet": "A", "period": period, "n": n, "net": net, "net_lo": lo,
                               "net_hi": hi} for period, n, net, lo, hi in rows])
        return timeline_chart(table, "X", "year", min_n=min_n).axes[0].get_xlabel()

    no_interval = [("2019", 30, -0.3, nan, nan), ("2020", 30, -0.2, nan, nan)]
    # no interval: hollow markers, which the footer says why of (they were solid, like points with one)
    assert footer(no_interval) == footer(no_interval, min_n=40) == "year\nhollow: fewer than 5 articles, no interval"
    banded = [("2019", 30, -0.3, -0.4, -0.1), ("2020", 30, -0.2, -0.35, -0.05)]
    assert footer(banded) == "year\nbands: 95% CI by article"
    assert footer(banded + [("2021", 3, 0.1, nan, nan), ("2022", 30, 0.0, -0.2, 0.2)]) == (
        "year\nhollow: fewer than 5 articles, no interval; bands or bars: 95% CI by article")
    assert footer(banded + [("2021", 3, 0.1, -0.1, 0.3)]) == "year\nbands: 95% CI by article"  # a diamond: the key


def test_the_time_chart_key_says_which_marker_means_what():
    """The footer said "open diamonds: fewer than 10 mentions; hollow: fewer than 5 articles, no interval": both
    marks were hollow, a diamond hollow whether or not its period had an interval, and the legend showed only
    the outlets' filled markers. Now fill says interval or none and a diamond says few mentions, and the legend
    keys each mark the chart draws, as drawn."""
    from matplotlib.colors import to_hex

    from classifier.report.timeline import timeline_chart

    nan = float("nan")

    def chart(rows, n_boot=1000):
        table = pd.DataFrame([{"actor": "X", "outlet": "A", "period": period, "n": n, "net": net, "net_lo": lo,
                               "net_hi": hi} for period, n, net, lo, hi in rows])
        axes = timeline_chart(table, "X", "year", n_boot=n_boot).axes[0]
        legend = axes.get_legend()
        key = {" ".join(text.get_text().split()): (handle.get_marker(), to_hex(handle.get_markerfacecolor()))
               for text, handle in zip(legend.get_texts(), legend.legend_handles)}
        faces = {(int(x), marker, to_hex(line.get_markerfacecolor()) == "#ffffff")
                 for line in axes.lines if line.get_marker() not in (None, "None", "")
                 for marker in [line.get_marker()]
                 for i, x in enumerate(line.get_xdata())
                 if np.isfinite(line.get_ydata()[i]) and (line.get_markevery() is None or i in line.get_markevery())}
        return key, faces

    rows = [("2019", 30, -0.3, -0.4, -0.1), ("2020", 30, -0.2, nan, nan), ("2021", 3, 0.1, -0.2, 0.3),
            ("2022", 4, 0.0, nan, nan)]
    key, faces = chart(rows)
    assert key == {"A": ("o", key["A"][1]), "filled: 95% interval": ("o", "#555555"),
                   "hollow: no interval": ("o", "#ffffff"), "diamond: fewer than 10 mentions": ("D", "#ffffff"),
                   # since 2026-12-07 (9) the periods of few mentions are joined by faint dots, keyed too
                   "faint dots: to a period of fewer than 5 articles or 10 mentions": ("None", "#555555")}, key
    # interval or none by fill, few mentions by shape: the small period with an interval is a filled diamond
    assert faces == {(0, "o", False), (1, "o", True), (2, "D", False), (3, "D", True)}, faces
    assert list(chart([("2019", 30, -0.3, nan, nan)])[0]) == ["A", "hollow: no interval"]


def test_the_framing_note_says_the_interval_resamples_two_pseudo_articles(tmp_path):
    """The interval resamples the articles with a favor and an against pseudo-article (framing.net_interval); the
    note said it was too narrow near 0 or ±1, which it was before (docs/statistics.md, section 1)."""
    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(60, labelled=False))
    make_report(path, tmp_path / "out", n_boot=50, n_perm=10)
    said = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert "The articles are resampled with two pseudo-articles, one of a favor mention and one of an" in said
    assert "too narrow where favor" not in said
    make_report(path, tmp_path / "none", n_boot=0, n_perm=10)
    assert "pseudo-articles" not in (tmp_path / "none" / "report.md").read_text()


def test_a_report_of_one_prediction_puts_every_count_in_its_number(tmp_path):
    """The tests note read "Holm correction over all 0 tests" (and "all 1 tests" where one): a count of one, or
    none, is worded as such, as the page's first line is ("1 mention ... of 1 actor in 1 outlet")."""
    path = write_jsonl(tmp_path / "one.jsonl", prediction_rows(1, labelled=False))
    make_report(path, tmp_path / "out", n_boot=50, n_perm=1)
    said = " ".join((tmp_path / "out" / "report.md").read_text().split())
    assert "(1 permutation), Holm correction over 0 tests;" in said, said
    assert "1 mention (a mention" in said and "of 1 actor in 1 outlet, from 1 article (" in said


def test_the_first_line_counts_the_articles_every_interval_resamples(tmp_path):
    """The page's first line counted mentions, actors and outlets but not the articles, the unit of every interval
    and test: 530 mentions read as much evidence where they came from 47 articles."""
    from html import unescape

    rows = prediction_rows(60, labelled=False, per_article=4)  # 3 outlets, 5 articles each
    rows.append({**rows[0], "id": "lone", "article": None})  # an item without an article is its own
    make_report(write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out", n_boot=20, n_perm=10)
    for name in ("report.md", "report.html"):
        said = unescape(" ".join((tmp_path / "out" / name).read_text().split()))
        assert "in 3 outlets, from 16 articles (an outlet's article; an item without one is its own)." in said, name


def test_the_per_source_table_says_what_its_short_headers_and_flags_mean(tmp_path, preds):
    """The page's per-source evaluation table had "F1m", "F1 f+a" and flags such as "few gold fav" with no word on
    them, and the flags' sentences nowhere; a note under it now says both, on report.html and report.md."""
    from classifier.report.tables import group_note

    groups = [{"group": "RT <x>", "labels": ("favor", "against", "neutral"), "flags": ["few gold fav"],
               "notes": ["2 gold favor: one item more or less moves that class's F1"]},
              {"group": "BBC", "labels": ("favor", "against", "neutral"), "flags": [], "notes": []}]
    note = group_note("source", groups)
    assert "F1m macro-F1" in note and "F1 f+a the mean F1 of favor and against" in note and "95% interval" in note
    assert note.endswith("Flags: RT <x>: 2 gold favor: one item more or less moves that class's F1.")
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(preds), "--out", str(out), "--n-boot", "50", "--n-perm", "100"])
    assert result.exit_code == 0, result.output
    assert "F1m macro-F1, acc. accuracy" in (out / "report.html").read_text()
    markdown = (out / "report.md").read_text()
    assert "F1m macro-F1, acc. accuracy" in markdown
    assert ")\n\n## Model card" in markdown  # the reliability image, then a blank line before the heading


def test_a_shared_path_reached_through_a_link_to_the_working_directory_is_named_inside_it(tmp_path, monkeypatch):
    """The working directory is known by its real path (os.getcwd follows links), a path typed through a link to it
    ("$PWD/preds.jsonl" in a shell whose $PWD is a link, as macOS's /tmp is) was not inside it, and the report named
    its own input '…/preds.jsonl'; so was a file beside a report folder given through a link."""
    from classifier.io.files import shared_path

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (tmp_path / "else").mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    monkeypatch.chdir(link)
    assert shared_path(link / "preds.jsonl") == "preds.jsonl" and shared_path(real / "preds.jsonl") == "preds.jsonl"
    monkeypatch.chdir(tmp_path / "else")
    assert shared_path(real / "sub" / "old.jsonl", link / "sub" / "r") == "../old.jsonl"
    assert shared_path(link / "sub" / "old.jsonl", real / "sub" / "r") == "../old.jsonl"
    (real / "preds.jsonl").symlink_to(tmp_path / "else" / "data.jsonl")  # a linked file keeps the name it was given
    monkeypatch.chdir(real)
    assert shared_path(link / "preds.jsonl") == "preds.jsonl"
