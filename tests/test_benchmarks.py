"""The benchmark suite's parts, scores and outlet-level check, on tiny data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifier.benchmarks import (SETS, BenchSet, find_set, fold_of, group_key, load_part, outlet_validity,
                                   paired_differences, part_of, score_predictions, suite_mean)
from classifier.items import Item


def event_items(n_events=40, per_event=6):
    return [Item(id=f"e{e}-{i}", text=f"About Obama: sentence {i}.", actor="Barack Obama", spans=[(6, 11)],
                 label=("favor", "against", "neutral")[i % 3], source=("fox", "nyt", "hpo")[i % 3],
                 article=f"e{e}_{i % 3}", event=f"e{e}")
            for e in range(n_events) for i in range(per_event)]


def test_folds_keep_each_group_whole_and_the_parts_cover_the_set_once():
    bench = find_set("basil")
    items = event_items()
    parts = {name: part_of(items, bench, name) for name in ("test", "dev", "train")}
    assert sum(len(p) for p in parts.values()) == len(items)
    groups = {name: {it.article for it in p} for name, p in parts.items()}  # article now holds the event
    assert not (groups["test"] & groups["dev"]) and not (groups["test"] & groups["train"])
    assert all(fold_of(g) == 0 for g in groups["test"]) and all(fold_of(g) == 1 for g in groups["dev"])
    assert 0 < len(groups["test"]) < len(groups["train"])


def test_group_keys_use_the_polusa_document_and_a_comment_hash():
    news = find_set("newsmtsc_rw")
    polusa = Item(id="polusa_v1_123_4_Trump_0_5", text="Trump spoke.", actor="Trump", article="polusa_v1")
    assert group_key(polusa, news) == "polusa_v1_123"
    vast = find_set("vast")
    a = Item(id="1", text="Same comment.", actor="guns")
    b = Item(id="2", text="Same comment.", actor="schools")
    assert group_key(a, vast) == group_key(b, vast) and group_key(a, vast).startswith("text:")


def test_own_test_splits_are_scored_whole_and_the_seed_labels_come_from_the_project(tmp_path):
    data = tmp_path / "data"
    (data / "tweeteval-stance").mkdir(parents=True)
    rows = [{"id": f"t{i}", "text": "Tweet.", "actor": "Atheism", "spans": [], "label": "against"} for i in range(7)]
    (data / "tweeteval-stance" / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert len(load_part(find_set("semeval"), data, tmp_path)) == 7
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "seed_labels.jsonl").write_text(json.dumps({**rows[0], "article": "s1"}) + "\n")
    seeds = load_part(find_set("seeds"), data, project)
    assert [it.article for it in seeds] == ["s1"]


def test_scores_with_intervals_by_group_and_the_mean_leaves_newsmtsc_out():
    items = event_items(10, 6)
    items = [it for part in ("test", "dev", "train") for it in part_of(items, find_set("basil"), part)]
    perfect = score_predictions(items, [it.label for it in items], n_boot=50)
    assert perfect["macro_f1"] == 1.0 and perfect["ci"]["macro_f1"] == [1.0, 1.0]
    assert perfect["n_groups"] == 10
    flipped = [{"favor": "against", "against": "favor", "neutral": "neutral"}[it.label] for it in items]
    scored = score_predictions(items, flipped, n_boot=50)
    assert scored["f1"]["favor"] == 0.0 and scored["f1"]["neutral"] == 1.0
    assert scored["macro_f1"] == pytest.approx(1 / 3) and scored["f1_favor_against"] == 0.0
    assert suite_mean({"newsmtsc_rw": {"macro_f1": 0.9}, "basil": {"macro_f1": 0.5},
                       "seeds": {"macro_f1": 0.7}}) == pytest.approx(0.6)
    assert [s.name for s in SETS if not s.in_mean] == ["newsmtsc_rw", "newsmtsc_mt", "seeds_b"]


def test_paired_differences_are_zero_for_one_model_and_narrower_than_two_separate_intervals():
    rng = np.random.default_rng(1)
    items = [it.model_copy(update={"article": it.event}) for it in event_items(40, 6)]
    gold = [it.label for it in items]
    noisy = [label if rng.random() < 0.6 else str(rng.choice(["favor", "against", "neutral"])) for label in gold]
    # the second model repairs a tenth of the first one's errors and leaves the rest as they are
    better = [g if p != g and rng.random() < 0.1 else p for g, p in zip(gold, noisy)]
    sets = {"basil": items, "newsmtsc_rw": items}
    same = paired_differences(sets, {"basil": noisy, "newsmtsc_rw": noisy}, {"basil": noisy, "newsmtsc_rw": noisy},
                              n_boot=100)
    assert same["sets"]["basil"]["difference"] == 0.0 and same["sets"]["basil"]["ci"] == [0.0, 0.0]
    assert same["mean_out_of_domain"]["sets"] == ["basil"]  # NewsMTSC is not in the mean
    paired = paired_differences(sets, {"basil": noisy}, {"basil": better}, n_boot=300)
    row = paired["sets"]["basil"]
    observed = (score_predictions(items, better, n_boot=0)["macro_f1"]
                - score_predictions(items, noisy, n_boot=0)["macro_f1"])
    assert row["difference"] == pytest.approx(observed) and observed > 0
    assert "newsmtsc_rw" not in paired["sets"]  # a set scored for one model only is not compared
    separate = [score_predictions(items, labels, n_boot=300)["ci"]["macro_f1"] for labels in (noisy, better)]
    assert row["ci"][1] - row["ci"][0] < min(hi - lo for lo, hi in separate)
    assert row["ci"][0] >= 0.0 and row["p_value"] < 0.05  # repairs only: no resample can make it worse
    assert paired["mean_out_of_domain"]["difference"] == pytest.approx(observed)


def test_outlet_validity_is_exact_for_perfect_predictions_and_acc_undoes_a_known_confusion():
    rng = np.random.default_rng(0)
    items, predicted = [], []
    for event in range(30):
        for outlet, favor_share in (("fox", 0.1), ("nyt", 0.4), ("hpo", 0.7)):
            for i in range(10):
                label = "favor" if rng.random() < favor_share else ("against" if rng.random() < 0.5 else "neutral")
                items.append(Item(id=f"{event}-{outlet}-{i}", text="x", actor="Obama", label=label, source=outlet,
                                  article=f"ev{event}"))
                # a biased classifier: a third of the favor items called neutral, every time the same way
                predicted.append("neutral" if label == "favor" and i % 3 == 0 else label)
    exact = outlet_validity(items, [it.label for it in items])
    assert exact["n_cells"] == 3 and exact["methods"]["raw"]["mae"] == 0.0
    assert exact["methods"]["raw"]["spearman"] == pytest.approx(1.0)
    biased = outlet_validity(items, predicted)
    assert biased["methods"]["raw"]["mae"] > 0.05
    assert biased["methods"]["acc"]["mae"] < biased["methods"]["raw"]["mae"] / 2
    few = outlet_validity(items[:20], predicted[:20], min_items=15)
    assert few["n_cells"] == 0 and few["methods"] == {}


def test_the_suite_script_prints_one_table_for_two_models(tmp_path, tiny_model_dir, load_script, monkeypatch, capsys):
    data = tmp_path / "data"
    (data / "basil").mkdir(parents=True)
    rows = [{**it.model_dump(), "spans": [list(s) for s in it.spans]} for it in event_items(20, 6)]
    (data / "basil" / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    suite = load_script("bench_suite")
    out = tmp_path / "suite.json"
    monkeypatch.setattr("sys.argv", ["bench_suite.py", str(tiny_model_dir), str(tiny_model_dir), "--data", str(data),
                                     "--sets", "basil", "--n-boot", "20", "--out", str(out)])
    suite.main()
    printed = capsys.readouterr().out
    assert "basil" in printed and "mean (not" in printed and "Outlet level" in printed
    result = json.loads(out.read_text())
    assert len(result["models"]) == 2 and result["models"][0]["sets"]["basil"]["n"] == len(
        part_of([Item.model_validate(r) for r in rows], find_set("basil"), "test"))
    assert result["models"][0]["mean_out_of_domain"] == result["models"][0]["sets"]["basil"]["macro_f1"]
    assert "Paired differences" in printed and "paired_vs_first" not in result["models"][0]
    paired = result["models"][1]["paired_vs_first"]  # the same model twice: no gap, no width
    assert paired["sets"]["basil"]["difference"] == 0.0 and paired["mean_out_of_domain"]["ci"] == [0.0, 0.0]


def test_bench_set_names_are_unique():
    assert len({s.name for s in SETS}) == len(SETS)
    assert isinstance(find_set("vast"), BenchSet)
    with pytest.raises(KeyError):
        find_set("nope")


def test_suite_intervals_from_few_groups_are_expanded_as_evaluates_are():
    from classifier.evaluate import bootstrap_metrics, cluster_codes, label_codes, percentile_ci, prediction_frame

    rng = np.random.default_rng(3)
    items = [it.model_copy(update={"article": it.event, "source": "seeds"})  # the seeds' 5 articles
             for it in event_items(5, 12)]
    noisy = [it.label if rng.random() < 0.6 else str(rng.choice(["favor", "against", "neutral"])) for it in items]
    frame = prediction_frame(items, noisy, "m")
    groups = cluster_codes(frame)
    assert groups.max() + 1 == 5
    samples = bootstrap_metrics(label_codes(frame["label"]), label_codes(frame["stance"]), groups, n_boot=200, seed=0)
    plain, expanded = percentile_ci(samples["macro_f1"]), percentile_ci(samples["macro_f1"], clusters=5)
    assert expanded[0] < plain[0] and expanded[1] > plain[1]  # the test can tell the two apart
    assert score_predictions(items, noisy, n_boot=200)["ci"]["macro_f1"] == pytest.approx(expanded)
    paired = paired_differences({"seeds": items}, {"seeds": [it.label for it in items]}, {"seeds": noisy},
                                n_boot=200)["sets"]["seeds"]
    assert paired["p_value"] > 0 and paired["ci"][0] < paired["difference"] < paired["ci"][1]


def test_the_report_statistics_script_runs_its_change_and_trend_checks_at_a_tiny_size(tmp_path, load_script,
                                                                                         monkeypatch):
    """scripts/check_report_statistics.py's --only compare, compare-candidates, split-change, split-candidates,
    trend-power and trend-cost (their figures in docs/statistics.md), each on a handful of cells: rates between 0 and
    1, and the simulated truths are what their docstrings say (a fall of the change in net stance; --compare's second
    file of the same articles)."""
    check = load_script("check_report_statistics")
    mean = np.array(check.GRID_TRUTHS["moderate"])
    shares = check.changed_shares(mean, 0.2)
    assert shares.sum() == pytest.approx(1) and shares[0] - shares[1] == pytest.approx(mean[0] - mean[1] - 0.2)
    rng = np.random.default_rng(0)
    cell = check.cell_sums(rng, mean, 5, check.heavy_sizes(rng, 8))
    second = check.relabelled(rng, cell, mean, 0.2)
    assert second["n"].tolist() == cell["n"].tolist()
    assert (second[["n_favor", "n_against", "n_neutral"]].sum(axis=1) == second["n"]).all()
    out = tmp_path / "figures.json"
    monkeypatch.setattr("sys.argv", ["check_report_statistics.py", "--only",
                                     "compare,compare-candidates,split-change,split-candidates,trend-power,"
                                     "trend-cost", "--reps", "2", "--n-boot", "50",
                                     "--n-perm", "19", "--change-truths", "rare", "--change-articles", "5",
                                     "--changes", "0,0.4", "--change-icc", "0.5", "--trend-articles", "10",
                                     "--trend-months", "3", "--trend-changes", "0.4", "--trend-cells", "2",
                                     "--out", str(out)])
    check.main()
    figures = json.loads(out.read_text())
    assert [len(figures[name]) for name in ("compare", "split-change", "trend-power", "trend-cost")] == [2, 2, 1, 1]
    for row in figures["compare"] + figures["split-change"]:
        assert row["change"] in (0, -0.4) and 0 <= row["coverage"] <= 1 and 0 <= row["interval_excludes_0"] <= 1
    assert 0 <= figures["split-change"][0]["changed"] <= 1 and figures["trend-power"][0]["tested"] == 1
    for name, candidates in (("compare-candidates", ("P1", "P2")), ("split-candidates", ("SB",))):
        assert len(figures[name]) == 2 and all(0 <= row[c]["coverage"] <= 1 and row[c]["mean_width"] > 0
                                               for row in figures[name] for c in candidates)
    assert figures["trend-cost"][0]["cells"] == 2 and figures["trend-cost"][0]["tested"] == 2


def test_the_report_statistics_scripts_hybrid_is_p1_below_its_k_articles_and_todays_interval_from_k(load_script):
    """--only compare-hybrid's H (bench/results/compare_hybrid_rule.txt): on the same cells, compare-candidates' P1
    where the cell has fewer than K articles, --compare's own interval from K on; since H passed the rule,
    --compare's own interval is H (compare.FEW_ARTICLES, compare.PAIRED_PSEUDO), to the last bit."""
    from classifier.report import compare
    check = load_script("check_report_statistics")
    assert check.COMPARE_HYBRID == {"H": ("P1", compare.FEW_ARTICLES)}
    assert compare.PAIRED_PSEUDO.tolist() == check.PAIRED_PSEUDO["P1"]
    setting = {"truths": ["near 1"], "articles": [5, 10], "changes": [0.4], "concentrations": [1], "seed": 2061}
    pseudo = check.change_check("compare", 3, 50, 19, candidates=True, **setting)
    hybrid = check.change_check("compare", 3, 50, 19, hybrid=True, **setting)
    assert [row["articles"] for row in hybrid] == [5, 10]
    assert hybrid[0]["H"] == pseudo[0]["P1"]
    for row in hybrid:
        assert row["H"]["mean_width"] == row["mean_width"] and row["H"]["coverage"] == row["coverage"]
    assert hybrid[1]["mean_width"] != pseudo[1]["P1"]["mean_width"]


def test_the_report_statistics_scripts_split_hybrid_is_sb_below_its_k_articles_and_todays_interval_from_k(
        load_script):
    """--only split-hybrid's SH (bench/results/split_hybrid_rule.txt): on the same cells, split-candidates' SB where
    a side has fewer than K = 10 articles, --split-date's own interval from K on."""
    check = load_script("check_report_statistics")
    assert check.SPLIT_HYBRID == {"SH": 10}
    setting = {"truths": ["near 1"], "articles": [5, 10], "changes": [0.4], "concentrations": [1], "seed": 61}
    sb = check.change_check("split", 3, 50, 19, candidates=True, **setting)
    hybrid = check.change_check("split", 3, 50, 19, hybrid=True, **setting)
    assert [row["articles"] for row in hybrid] == [5, 10]
    assert hybrid[0]["SH"] == sb[0]["SB"] and hybrid[0]["SH"]["mean_width"] != hybrid[0]["mean_width"]
    assert hybrid[1]["SH"]["mean_width"] == hybrid[1]["mean_width"] != sb[1]["SB"]["mean_width"]
    assert hybrid[1]["SH"]["coverage"] == hybrid[1]["coverage"]
def test_the_report_statistics_scripts_trend_slope_check_scores_a_known_straight_line(tmp_path, load_script,
                                                                                       monkeypatch):
    """--only trend-slope (bench/results/trend_slope_rule.txt): trend_report's by_day cells have net stance a straight
    line in each article's day, whose slope per 30 days is 30 x change / the span's days; the interval's resamples
    hold the cell's own slope (framing.trend_slope); a tiny run scores the intervals against that truth."""
    from classifier.report.framing import trend_slope
    from classifier.report.timeline import article_dates

    check = load_script("check_report_statistics")
    assert check.trend_span_days(3) == 86  # 2022-01-01 to 2022-03-28
    rng = np.random.default_rng(0)
    sums = check.trend_report(rng, 1, 400, 3, 0.8, concentration=1e6, by_day=True)  # shares at their mean
    days = ((article_dates(sums) - article_dates(sums).min()).dt.days).to_numpy(float)
    net_sum, size = (sums["n_favor"] - sums["n_against"]).to_numpy(float), sums["n"].to_numpy(float)
    assert 30 * trend_slope(days, net_sum, size)[0] == pytest.approx(30 * 0.8 / 86, abs=0.05)
    lo, hi = check.trend_interval(days, net_sum, size, 200, 0)
    assert lo < trend_slope(days, net_sum, size)[0] < hi
    assert check.trend_interval(np.full(10, 3.0), net_sum[:10], size[:10], 50, 0) is None  # one day: no slope
    out = tmp_path / "figures.json"
    monkeypatch.setattr("sys.argv", ["check_report_statistics.py", "--only", "trend-slope", "--reps", "3",
                                     "--n-boot", "50", "--change-icc", "0.5", "--trend-articles", "10",
                                     "--trend-months", "3", "--trend-changes", "0,0.4", "--out", str(out)])
    check.main()
    rows = json.loads(out.read_text())["trend-slope"]
    assert [(row["articles"], row["months"], row["change_over_span"], row["correlation"]) for row in rows] == \
        [(10, 3, 0.0, 0.5), (10, 3, 0.4, 0.5)]
    assert rows[1]["true_slope_30d"] == pytest.approx(30 * 0.4 / 86)
    for row in rows:
        assert row["no_interval"] == 0 and 0 <= row["coverage"] <= 1 and row["mean_width"] > 0
        assert row["coverage"] + row["interval_below_truth"] + row["interval_above_truth"] == pytest.approx(1)


def test_the_report_statistics_scripts_trend_slope_expands_for_the_slopes_effective_articles(tmp_path, load_script,
                                                                                              monkeypatch):
    """bench/results/trend_slope_eff_rule.txt: --trend-clusters effective expands the interval for Kish's number of
    the weights mentions x (day - mean day)^2 that the slope gives its articles (at least 2), not for the articles;
    --trend-seed draws other cells and resamples."""
    from classifier.report.framing import slope_effective_articles

    check = load_script("check_report_statistics")
    days = np.linspace(0, 90, 1001)
    assert slope_effective_articles(days, np.ones(1001)) == pytest.approx(1001 * 5 / 9, rel=0.01)
    size = np.ones(1001)
    size[[0, -1]] = 1e6  # two articles at the ends hold the slope: they count as two
    assert slope_effective_articles(days, size) == pytest.approx(2, abs=0.01)
    assert slope_effective_articles(np.full(5, 3.0), np.ones(5)) == 2  # one day: no slope, the floor
    rng = np.random.default_rng(0)
    net_sum, size = rng.normal(0, 1, 20) + days[::50][:20] / 90, rng.integers(1, 30, 20).astype(float)
    plain = check.trend_interval(days[::50][:20], net_sum, size, 200, 0)
    wide = check.trend_interval(days[::50][:20], net_sum, size, 200, 0, clusters="effective")
    assert wide[0] < plain[0] < plain[1] < wide[1]  # the same resamples, expanded for fewer than 20
    out = tmp_path / "figures.json"
    argv = ["check_report_statistics.py", "--only", "trend-slope", "--reps", "2", "--n-boot", "50", "--change-icc",
            "0.5", "--trend-articles", "10", "--trend-months", "3", "--trend-changes", "0.4", "--out", str(out)]
    rows = []
    for extra in ([], ["--trend-clusters", "effective"], ["--trend-clusters", "effective", "--trend-seed", "7089"]):
        monkeypatch.setattr("sys.argv", argv + extra)
        check.main()
        rows.append(json.loads(out.read_text())["trend-slope"][0])
    assert [(row["clusters"], row["seed"]) for row in rows] == [("articles", 89), ("effective", 89),
                                                                ("effective", 7089)]
    assert rows[0]["mean_clusters"] == 10 > rows[1]["mean_clusters"] >= 2
    assert rows[1]["mean_slope_30d"] == rows[0]["mean_slope_30d"] != rows[2]["mean_slope_30d"]  # same cells, other
    assert rows[1]["mean_width"] > rows[0]["mean_width"]


def test_the_report_statistics_script_refuses_an_unknown_check_before_running_any(tmp_path, load_script, monkeypatch,
                                                                                    capsys):
    """--only trend-cost,split-candidate (a misspelt name after a check) ran trend-cost and then stopped with a
    KeyError traceback, its figures and --out lost; now a usage error names it before any check runs."""
    check = load_script("check_report_statistics")
    out = tmp_path / "figures.json"
    monkeypatch.setattr("sys.argv", ["check_report_statistics.py", "--only", "trend-cost,split-candidate",
                                     "--trend-cells", "2", "--out", str(out)])
    with pytest.raises(SystemExit) as stopped:
        check.main()
    said = capsys.readouterr()
    assert stopped.value.code == 2 and "--only: no check named split-candidate; one of " in said.err, said.err
    assert "-- trend-cost" not in said.out and not out.exists()


def test_the_report_benchmark_makes_articles_of_several_outlets_and_dates_keeping_its_old_rows_by_default(
        tmp_path, load_script):
    """scripts/bench_report.py's predictions: --outlets and --dates give each new article (every row of it) one
    outlet and one day in the range; without them each row keeps its item's source and date, and the scores are
    the same either way."""
    from datetime import date

    bench = load_script("bench_report")
    items = tmp_path / "items.jsonl"
    with items.open("w", encoding="utf-8") as sink:
        for a in range(3):
            for i in range(4):
                sink.write(json.dumps({"id": f"a{a}:{i}", "text": "Russia spoke.", "actor": "Russia",
                                       "spans": [[0, 6]], "source": "src", "article": f"a{a}", "date": None,
                                       "kind": "headline" if i == 0 else "body"}) + "\n")
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    assert bench.write_predictions(items, 60, old) == 60
    assert bench.write_predictions(items, 60, new, outlets=5, dates=(date(2023, 1, 1), date(2023, 12, 31))) == 60
    old_rows = [json.loads(line) for line in old.open(encoding="utf-8")]
    new_rows = [json.loads(line) for line in new.open(encoding="utf-8")]
    assert {r["source"] for r in old_rows} == {"src"} and {r["date"] for r in old_rows} == {None}
    assert [r["stance_scores"] for r in old_rows] == [r["stance_scores"] for r in new_rows]
    articles = {}
    for r in new_rows:
        articles.setdefault(r["article"], set()).add((r["source"], r["date"]))
    assert len(articles) == 15 and all(len(places) == 1 for places in articles.values())
    assert len({r["source"] for r in new_rows}) > 1 and len({r["date"] for r in new_rows}) > 1
    assert all(r["source"].startswith("Outlet 0") and "2023-01-01" <= r["date"] <= "2023-12-31" for r in new_rows)
