import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def write_items(path: Path, n: int) -> Path:
    actors = ["Russia", "China", "NATO"]
    with open(path, "w") as fh:
        for i in range(n):
            text = f"Sentence {i}: {actors[i % 3]} said something " + "long " * (i % 40) + "today."
            start = text.index(actors[i % 3])
            fh.write(json.dumps({"id": f"it{i}", "text": text, "actor": actors[i % 3],
                                 "spans": [[start, start + len(actors[i % 3])]], "label": "neutral",
                                 "source": f"outlet{i % 2}", "article": f"a{i // 5}"}) + "\n")
    return path


def test_classify_items_scores_and_passthrough(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 30)
    out = tmp_path / "pred.jsonl"
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [f"it{i}" for i in range(30)]
    for row in rows:
        scores = row["stance_scores"]
        assert set(scores) == {"favor", "against", "neutral"}
        assert abs(sum(scores.values()) - 1) < 1e-4
        assert row["stance"] == max(scores, key=scores.get)
        assert row["label"] == "neutral" and row["model"].startswith("tiny@")
    assert "items/s" in result.output


def test_a_predictions_csv_reads_back_as_its_jsonl_whatever_the_text(tmp_path, tiny_model_dir):
    """A sentence or an outlet with a lone carriage return was written bare to --out P.csv, and the row read back as
    two broken ones (by the toolkit's readers and by pandas): every cell now reads back as the JSON lines hold it."""
    from classifier.evaluate import read_predictions
    from classifier.io.files import iter_table

    texts = ["Russia\rsaid no.", "Russia said\r", "\rRussia said \"so\", a;b\r\n  yes  ", "=Russia+1\u2028said"]
    with open(tmp_path / "items.jsonl", "w") as fh:
        for i, text in enumerate(texts):
            start = text.index("Russia")
            fh.write(json.dumps({"id": f"it{i}", "text": text, "actor": "Russia", "spans": [[start, start + 6]],
                                 "source": ["Daily\rNews", "+outlet"][i % 2], "article": f"a{i}"}) + "\n")
    for suffix in ("jsonl", "csv"):
        result = run("classify", tmp_path / "items.jsonl", "--out", tmp_path / f"p.{suffix}", "--model", tiny_model_dir)
        assert result.exit_code == 0, result.output
    rows = [row for _, row in iter_table(tmp_path / "p.jsonl")]  # (read_jsonl's splitlines splits at "\\r")
    assert [r["text"] for r in rows] == texts
    wanted = [(r["id"], r["text"], r["source"], r["stance"]) for r in rows]
    assert [(r["id"], r["text"], r["source"], r["stance"]) for _, r in iter_table(tmp_path / "p.csv")] == wanted
    frame = pd.read_csv(tmp_path / "p.csv", dtype=str, keep_default_na=False)
    assert list(zip(frame["id"], frame["text"], frame["source"], frame["stance"])) == wanted
    read = read_predictions(tmp_path / "p.csv")
    assert list(zip(read["id"], read["text"], read["source"], read["stance"])) == wanted


def test_classify_articles_runs_prepare_and_writes_parquet(tmp_path, tiny_model_dir):
    out = tmp_path / "pred.parquet"
    result = run("classify", ROOT / "seeds", "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert {"stance", "stance_scores", "actor", "source"} <= set(frame.columns) and len(frame) == 129
    assert "TDI" in result.output  # the per-outlet table
    result = run("classify", ROOT / "seeds", "--out", tmp_path / "p.jsonl", "--model", tmp_path / "no-model")
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".pred.parquet.fingerprint.json", "pred.parquet"]  # prepared
    # items removed after a run or an error


def test_classify_articles_stops_at_an_unreadable_file_unless_told_to_skip(tmp_path, tiny_model_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China signed a deal.\n")
    (corpus / "blob.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "pred.jsonl"
    result = run("classify", corpus, "--out", out, "--model", tiny_model_dir, "-q")
    assert result.exit_code == 1 and "blob.txt: binary file" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]  # nothing written, nothing left
    result = run("classify", corpus, "--out", out, "--model", tiny_model_dir, "-q", "--skip-unreadable")
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output and {r["actor"] for r in read_jsonl(out)} == {"Russia", "China"}


def test_classify_prepares_articles_in_the_prepare_workers_asked(tmp_path, tiny_model_dir, monkeypatch):
    """--prepare-workers reaches prepare's --workers (``iter_prepared``; run here in one process, as the items are the
    same either way: tests/cli/test_prepare.py spawns them)."""
    import classifier.cli.prepare as prepare_cli

    asked, real = [], prepare_cli.iter_prepared
    monkeypatch.setattr(prepare_cli, "iter_prepared", lambda *args: asked.append(args[3]) or real(*args[:3]))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China signed a deal.\n")
    result = run("classify", corpus, "--out", tmp_path / "pred.jsonl", "--model", tiny_model_dir, "-q",
                 "--prepare-workers", 3)
    assert result.exit_code == 0 and asked == [3], result.output
    assert {r["actor"] for r in read_jsonl(tmp_path / "pred.jsonl")} == {"Russia", "China"}


def test_classify_threads_default_to_the_containers_cpu_quota(tmp_path, tiny_model_dir, monkeypatch):
    """torch's threads without --threads were os.cpu_count(): every core of the host, in a container limited to 2
    CPUs on 64 cores 64 threads; now ``cpus.usable_cpus``, as prepare's --workers 0."""
    import torch

    import classifier.cpus

    threads = []
    monkeypatch.setattr(torch, "set_num_threads", threads.append)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(classifier.cpus, "CGROUP", tmp_path)
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    items = write_items(tmp_path / "items.jsonl", 2)
    result = run("classify", items, "--out", tmp_path / "pred.jsonl", "--model", tiny_model_dir, "-q")
    assert result.exit_code == 0 and threads[:1] == [2], result.output
    result = run("classify", items, "--out", tmp_path / "pred3.jsonl", "--model", tiny_model_dir, "-q",
                 "--threads", 3)
    assert result.exit_code == 0 and threads[1:2] == [3], result.output


def test_classify_passes_the_date_order_to_the_articles_it_prepares(tmp_path, tiny_model_dir):
    articles = tmp_path / "articles.csv"
    articles.write_text("id,text,source,date\na0,Russia condemned NATO.,Spiegel,\"03.04.2022 14:05\"\n")
    out = tmp_path / "pred.jsonl"
    refused = run("classify", articles, "--out", out, "--model", tmp_path / "no-model", "--date-order", "DM", "-q")
    assert refused.exit_code == 1 and "--date-order DM: expected DMY" in " ".join(refused.output.split())
    result = run("classify", articles, "--out", out, "--model", tiny_model_dir, "--date-order", "DMY", "-q")
    assert result.exit_code == 0 and "cannot read" not in result.output, result.output
    assert {row["date"] for row in read_jsonl(out)} == {"2022-04-03"}


def test_classify_passes_the_columns_to_the_article_table_it_prepares(tmp_path, tiny_model_dir):
    articles = tmp_path / "ccnews.jsonl"
    articles.write_text(json.dumps({"url": "u1", "maintext": "Russia condemned NATO.",
                                    "source_domain": "ex.com"}) + "\n")
    out = tmp_path / "pred.jsonl"
    refused = run("classify", articles, "--out", out, "--model", tmp_path / "no-model", "-q", "--columns", "txt=x")
    assert refused.exit_code == 1 and "ccnews.jsonl: --columns txt=x: unknown field 'txt'" in refused.output
    result = run("classify", articles, "--out", out, "--model", tiny_model_dir, "-q",
                 "--columns", "text=maintext,id=url,source=source_domain")
    assert result.exit_code == 0, result.output
    assert {(row["article"], row["source"]) for row in read_jsonl(out)} == {("u1", "ex.com")}
    refused = run("classify", articles, "--out", tmp_path / "p1.jsonl", "--model", tiny_model_dir, "-q",
                  "--text-column", "maintext")  # a dataset folder's option: refused for articles, once ignored
    assert refused.exit_code == 1 and "ccnews.jsonl: --text-column, --actor-column and --label-column name a Hugging " \
        "Face dataset folder's columns, and this input holds articles to prepare" in " ".join(refused.output.split())
    items = write_items(tmp_path / "items.jsonl", 3)  # items are read as they are: --columns is refused, not ignored
    refused = run("classify", items, "--out", tmp_path / "p2.jsonl", "--model", tiny_model_dir, "-q",
                  "--columns", "text=maintext")
    assert refused.exit_code == 1 and "items.jsonl: --columns names a table of articles' columns" \
        in " ".join(refused.output.split())


def test_classify_articles_skips_one_over_max_article_chars_as_prepare_does(tmp_path, tiny_model_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China signed a deal.\n")
    (corpus / "dump.txt").write_text("NATO met. " * 20 + "\n")  # 201 characters
    out = tmp_path / "pred.jsonl"
    result = run("classify", corpus, "--out", out, "--model", tiny_model_dir, "-q", "--max-article-chars", 100)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "skipped" in said and "dump.txt: 201 characters, more than --max-article-chars 100 allows" in said
    assert {r["article"] for r in read_jsonl(out)} == {"a"}
    result = run("classify", corpus, "--out", tmp_path / "all.jsonl", "--model", tiny_model_dir, "-q")
    assert result.exit_code == 0 and {r["article"] for r in read_jsonl(tmp_path / "all.jsonl")} == {"a", "dump"}


def test_classify_articles_skips_a_row_of_a_site_s_notice_alone_as_prepare_does(tmp_path, tiny_model_dir):
    """A scraped table's row "Access denied. This content is not available in Russia or Belarus." was scored for
    Russia and Belarus: skipped with a warning, as prepare skips it."""
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "a", "text": "Russia and China signed a deal."}) + "\n" + json.dumps(
        {"id": "denied", "text": "Access denied. This content is not available in Russia or Belarus."}) + "\n")
    out = tmp_path / "pred.jsonl"
    result = run("classify", table, "--out", out, "--model", tiny_model_dir, "-q")
    assert result.exit_code == 0, result.output
    assert f"skipped {table}:2: no article, only an access block" in " ".join(result.output.split())
    assert {r["article"] for r in read_jsonl(out)} == {"a"}


def test_classify_reads_legacy_encodings_of_article_and_items_tables(tmp_path, tiny_model_dir):
    articles = tmp_path / "articles.csv"
    articles.write_bytes("id,text,source\na0,Le président: Russia condemned NATO.,Le Monde\n".encode("cp1252"))
    items = tmp_path / "items.csv"
    items.write_bytes("id,text,actor\ni0,Le président: Russia condemned NATO.,Russia\n".encode("cp1252"))
    for source, n in ((articles, 2), (items, 1)):
        out = tmp_path / f"pred-{source.stem}.jsonl"
        result = run("classify", source, "--out", out, "--model", tiny_model_dir, "--encoding", "cp1252", "-q")
        assert result.exit_code == 0, result.output
        rows = read_jsonl(out)
        assert len(rows) == n and rows[0]["text"] == "Le président: Russia condemned NATO."


def test_a_journal_that_is_a_link_is_refused_not_written_through(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 5)
    elsewhere = tmp_path / "elsewhere" / "created.jsonl"
    (tmp_path / "p.jsonl.partial.jsonl").symlink_to(elsewhere)  # dangling: exists() says no
    for extra in ([], ["--resume"]):
        result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "-q", *extra)
        assert result.exit_code == 1 and "a link, where this run keeps its journal" in " ".join(result.output.split())
    assert not elsewhere.exists() and not (tmp_path / "p.jsonl").exists()


def test_classify_articles_resume_removes_what_a_kill_left(tmp_path, tiny_model_dir):
    out = tmp_path / "pred.jsonl"
    stale = tmp_path / ".pred.jsonl.abc123.prepare"  # as a run killed with -9 leaves it
    stale.mkdir()
    (stale / "items.jsonl").write_text("{}\n")
    other = tmp_path / ".other.jsonl.abc123.prepare"  # another output's: not ours to remove
    other.mkdir()
    (tmp_path / "pred.jsonl.partial.jsonl").write_text("")
    result = run("classify", ROOT / "seeds", "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 1 and "--resume" in result.output and stale.exists()
    result = run("classify", ROOT / "seeds", "--out", out, "--model", tiny_model_dir, "--resume", "-q")
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out)) == 129
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.jsonl.abc123.prepare", ".pred.jsonl.fingerprint.json",
                                                          "pred.jsonl"]
    stale.mkdir()  # killed again, and its journal deleted to start over, as the error says
    out.unlink()
    assert run("classify", ROOT / "seeds", "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.jsonl.abc123.prepare", ".pred.jsonl.fingerprint.json",
                                                          "pred.jsonl"]


def test_implicit_target_and_long_text_are_not_errors(tmp_path, tiny_model_dir):
    items = tmp_path / "items.jsonl"
    long_text = "word " * 2000 + "Russia acted. " + "word " * 2000
    start = long_text.index("Russia")
    items.write_text(json.dumps({"id": "x", "text": "Abortion should stay legal.", "actor": "Legalization of Abortion",
                                 "spans": []}) + "\n" +
                     json.dumps({"id": "y", "text": long_text, "actor": "Russia", "spans": [[start, start + 6]]}) + "\n")
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir)
    assert result.exit_code == 0
    assert "1 truncated" in result.output
    assert len(read_jsonl(tmp_path / "p.jsonl")) == 2


def test_task_both_counts_the_sentiment_model_s_truncations_too(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    long_text = "word " * 300 + "Russia and China acted. " + "word " * 300  # one sentence, two actors: two items
    rows = [{"id": f"{actor}-long", "text": long_text, "actor": actor,
             "spans": [[long_text.index(actor), long_text.index(actor) + len(actor)]]} for actor in ("Russia", "China")]
    rows.append({"id": "short", "text": "Russia acted.", "actor": "Russia", "spans": [[0, 6]]})
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--task", "both",
                 "--sentiment-model", tiny_sentiment_dir)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "2 truncated to 64 tokens by the stance model, 1 sentence to 64 by the sentiment model" in said
    from classifier.predict.batch import classify
    from classifier.items import Item
    from classifier.models.stance_model import StanceModel

    summary = classify([Item.model_validate(r) for r in rows], StanceModel.load(tiny_model_dir), tmp_path / "q.jsonl",
                       sentiment_model=StanceModel.load(tiny_sentiment_dir))
    assert (summary.truncated, summary.sentiment_truncated) == (2, 1)


def test_items_without_spans_get_their_mentions_found_and_say_how(tmp_path, tiny_model_dir):
    items = tmp_path / "items.jsonl"
    rows = [{"id": "a", "text": "Talks with Moscow stalled.", "actor": "Russia"},  # the catalogue: Moscow
            {"id": "b", "text": "Gazprom raised prices.", "actor": "gazprom"},  # not catalogued: by name
            {"id": "c", "text": "The deal stalled.", "actor": "Russia"},  # not named: scored unmarked
            {"id": "d", "text": "Abortion should stay legal.", "actor": "Abortion", "spans": []}]  # kept as given
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--no-summary")
    assert result.exit_code == 0, result.output
    assert "3 of 4 items had no spans: the actor's mentions were found by the catalogue in 1, by name in 1, and " \
           "not at all in 1" in " ".join(result.output.split())
    got = {r["id"]: (r["spans"], r.get("spans_from")) for r in read_jsonl(tmp_path / "p.jsonl")}
    assert got == {"a": ([[11, 17]], "catalogue"), "b": ([[0, 7]], "name"), "c": ([], "none"), "d": ([], None)}


def test_only_actors_picks_an_items_files_rows_and_spans_come_from_the_whole_catalogue(tmp_path, tiny_model_dir):
    items = tmp_path / "items.jsonl"
    rows = [{"id": "a", "text": "Talks with Moscow stalled.", "actor": "Russia"},
            {"id": "b", "text": "Beijing said no.", "actor": "China"},
            {"id": "c", "text": "Gazprom raised prices.", "actor": "Gazprom"}]
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "p.jsonl"
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "-q", "--only-actors", "russia, Gazprom")
    assert result.exit_code == 0, result.output
    got = {r["id"]: (r["spans"], r["spans_from"]) for r in read_jsonl(out)}
    assert got == {"a": ([[11, 17]], "catalogue"), "c": ([[0, 7]], "name")}  # Gazprom needs no catalogue entry
    result = run("classify", items, "--out", tmp_path / "none.jsonl", "--model", tiny_model_dir, "-q",
                 "--only-actors", "Russia,Chna,Gazprom")  # a misspelt name: neither catalogued nor in the items
    assert result.exit_code == 1 and "--only-actors: Chna is neither in the catalogue nor an actor of the items" \
        in " ".join(result.output.split()) and not (tmp_path / "none.jsonl").exists()
    result = run("classify", items, "--out", tmp_path / "none.jsonl", "--model", tiny_model_dir, "-q",
                 "--only-actors", "Putin")  # a term: whose it is, as prepare and actors list say (it had said nothing)
    assert result.exit_code == 1 and ("Putin is neither in the catalogue nor an actor of the items; Putin is a term of "
                                      "Russia: an actor of its own is an --actors entry '- name: Vladimir Putin'") \
        in " ".join(result.output.split())
    result = run("classify", items, "--out", tmp_path / "nato.jsonl", "--model", tiny_model_dir, "-q",
                 "--only-actors", "NATO")  # catalogued, but not in this file
    assert "no item's actor is one of --only-actors NATO" in " ".join(result.output.split())
    result = run("classify", items, "--out", tmp_path / "r", "--model", tiny_model_dir, "--ray-data",
                 "--only-actors", "Russia")
    assert result.exit_code == 1 and "--only-actors: not passed to Ray Data workers" in result.output


def test_bad_items_are_clear_errors(tmp_path, tiny_model_dir):
    cases = {
        "missing.jsonl": ({"id": "1", "actor": "Russia", "spans": []}, "missing.jsonl:1: missing field 'text'"),
        "span.jsonl": ({"id": "1", "text": "short", "actor": "Russia", "spans": [[2, 50]]},
                       "span.jsonl:1: span [2, 50] is outside the text"),
        "label.jsonl": ({"id": "1", "text": "Russia", "actor": "Russia", "spans": [], "label": "pro"},
                        "label.jsonl:1: unknown label 'pro'; expected one of against, favor, neutral"),
        "tone.jsonl": ({"id": "1", "text": "Russia", "actor": "Russia", "spans": [], "label": "positive"},
                       "tone.jsonl:1: a sentiment label ('positive') where stance predictions keep the gold label as "
                       "stance gold; pass --task sentiment"),
        "surrogate.jsonl": ({"id": "1", "text": "Russia \ud800 said.", "actor": "Russia", "spans": [[0, 6]]},
                            "surrogate.jsonl:1: a lone surrogate escape"),
        "blank.jsonl": ({"id": "1", "text": " \n ", "actor": "Russia"},
                        "blank.jsonl:1: text: empty text: there is no sentence to score"),
    }
    for name, (record, message) in cases.items():
        path = tmp_path / name
        path.write_text(json.dumps(record) + "\n")
        out = tmp_path / f"{name}.out.jsonl"
        result = run("classify", path, "--out", out, "--model", tiny_model_dir)
        assert result.exit_code == 1 and message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output and not out.exists()


def test_one_file_holds_one_task_s_gold_labels(tmp_path, tiny_sentiment_dir):
    rows = [{"id": "1", "text": "Good news.", "label": "positive"}, {"id": "2", "text": "Calm.", "label": "neutral"},
            {"id": "3", "text": "Bad news.", "label": "favor"}]  # a stance label slipped into sentiment gold
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run("classify", path, "--out", tmp_path / "p.jsonl", "--task", "sentiment", "--model", tiny_sentiment_dir)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and f"mixed.jsonl:3: a stance label ('favor'), but {path}:1 holds a sentiment" in said
    assert not (tmp_path / "p.jsonl").exists()


def test_model_dir_without_safetensors_is_refused(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    (tmp_path / "m" / "pytorch_model.bin").write_bytes(b"pickle")
    items = write_items(tmp_path / "items.jsonl", 2)
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tmp_path / "m")
    assert result.exit_code == 1 and "only safetensors" in result.output


def test_an_item_with_a_field_of_the_journal_s_truncation_mark_is_refused(tmp_path, tiny_model_dir):
    """An item's own '_truncated' field had met the journal's mark of that name: 1 (not a list) ended the run in a
    TypeError traceback with a partial file left, and "yes" or a cut item's own value was lost without a word."""
    from classifier.items import TRUNCATED_FIELD, Item

    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "text": "Russia won.", "actor": "Russia", TRUNCATED_FIELD: 1}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["classify", str(items), "--out", str(out), "--model", str(tiny_model_dir)])
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert f"{items}:1: a field named '{TRUNCATED_FIELD}' is reserved" in " ".join(result.output.split())
    assert [p.name for p in tmp_path.iterdir()] == ["items.jsonl"]  # no output, no partial file
    with pytest.raises(ValueError, match="is reserved"):
        Item.model_validate({"id": "1", "text": "Russia won.", TRUNCATED_FIELD: "yes"})  # the API's items too


def test_a_resumed_run_counts_the_truncations_of_the_whole_output(tmp_path, tiny_model_dir, tiny_sentiment_dir):
    from classifier.items import Item
    from classifier.models.stance_model import StanceModel
    from classifier.predict import batch

    texts = [f"{i} " + "word " * 300 + "Russia and China acted. " + "word " * 300 if i % 2 else f"Russia and China {i}."
             for i in range(6)]  # three long sentences, three short ones, of two actors each
    rows = [{"id": f"{actor}-{i}", "text": text, "actor": actor,
             "spans": [[text.index(actor), text.index(actor) + len(actor)]]}
            for i, text in enumerate(texts) for actor in ("Russia", "China")]
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    stance, sentiment = StanceModel.load(tiny_model_dir), StanceModel.load(tiny_sentiment_dir)

    def stop_after(n):
        seen = []

        def on_progress(done):
            seen.append(done)
            if sum(seen) >= n:
                raise KeyboardInterrupt
        return on_progress

    for extra, out in (({}, tmp_path / "p.jsonl"), ({"sentiment_model": sentiment}, tmp_path / "both.jsonl")):
        with pytest.raises(KeyboardInterrupt):  # two batches of 2 scored, the longest first: then stopped
            batch.classify(lambda: iter(Item.model_validate(r) for r in rows), stance, out, batch_size=2,
                           on_progress=stop_after(4), **extra)
        assert len(batch.journal_path(out).read_text().splitlines()) == 4
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--resume",
                 "--engine", "torch")
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "8 predicted, 4 resumed; 6 truncated to 64 tokens" in said, said
    assert not any("_truncated" in r for r in read_jsonl(tmp_path / "p.jsonl"))  # the journal's marks stay there
    summary = batch.classify(lambda: iter(Item.model_validate(r) for r in rows), stance, tmp_path / "both.jsonl",
                             resume=True, sentiment_model=sentiment)
    assert (summary.resumed, summary.truncated, summary.sentiment_truncated) == (4, 6, 3)


def long_and_short_items(tmp_path):
    """(items file, rows): three long sentences and three short ones, of two actors each, as above."""
    texts = [f"{i} " + "word " * 300 + "Russia and China acted. " + "word " * 300 if i % 2 else f"Russia and China {i}."
             for i in range(6)]
    rows = [{"id": f"{actor}-{i}", "text": text, "actor": actor,
             "spans": [[text.index(actor), text.index(actor) + len(actor)]]}
            for i, text in enumerate(texts) for actor in ("Russia", "China")]
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return items, rows


def stopped_after(rows, model, out, n: int, **extra) -> None:
    """A run of ``rows`` into ``out``, one item a batch, killed after ``n`` items (the longest first)."""
    from classifier.items import Item
    from classifier.predict import batch

    def on_progress(done):
        seen.append(done)
        if sum(seen) >= n:
            raise KeyboardInterrupt

    seen = []
    with pytest.raises(KeyboardInterrupt):
        batch.classify(lambda: iter(Item.model_validate(r) for r in rows), model, out, batch_size=1,
                       on_progress=on_progress, **extra)
    assert len(batch.journal_path(out).read_text().splitlines()) == n


def test_a_sentence_whose_items_were_scored_on_both_sides_of_a_kill_counts_its_sentiment_cut_once(
        tmp_path, tiny_model_dir, tiny_sentiment_dir, monkeypatch):
    """--task both, killed after the first item of a long sentence: the resumed run scored the sentence's sentiment
    again for its other item and marked it cut again, so the summary said 4 sentences cut where the output has 3
    (a sentence cut is counted once per distinct sentence now). --task sentiment alike, for two items of one
    sentence (there a chunk's items are journaled together: chunks of one item here)."""
    from classifier.items import Item
    from classifier.models.stance_model import StanceModel
    from classifier.predict import batch

    _, rows = long_and_short_items(tmp_path)
    stance, sentiment = StanceModel.load(tiny_model_dir), StanceModel.load(tiny_sentiment_dir)
    items = lambda: iter(Item.model_validate(r) for r in rows)  # noqa: E731
    both = tmp_path / "both.jsonl"
    stopped_after(rows, stance, both, 1, sentiment_model=sentiment)
    summary = batch.classify(items, stance, both, resume=True, sentiment_model=sentiment)
    assert (summary.resumed, summary.truncated, summary.sentiment_truncated) == (1, 6, 3)
    alone = tmp_path / "sentiment.jsonl"
    monkeypatch.setattr(batch.chunked, "__defaults__", (1,))
    stopped_after(rows, sentiment, alone, 3)  # Russia-0, China-0, Russia-1 (long): China-1 after the kill
    summary = batch.classify(items, sentiment, alone, resume=True)
    assert (summary.resumed, summary.truncated) == (3, 3)


def test_a_journal_written_before_the_truncation_mark_is_said_to_leave_its_items_uncounted(tmp_path, tiny_model_dir):
    """A journal written before the _truncated mark (2026-12-07) has no mark on any line: its resumed items counted
    as not cut, and the summary's count was silently short. Every line carries the mark now (an empty list where
    nothing was cut), so a line without one is told apart and the summary says the count covers the items scored
    since."""
    from classifier.items import TRUNCATED_FIELD
    from classifier.models.stance_model import StanceModel
    from classifier.predict import batch

    items, rows = long_and_short_items(tmp_path)
    for out in (tmp_path / "p.jsonl", tmp_path / "old.jsonl"):
        stopped_after(rows, StanceModel.load(tiny_model_dir), out, 4)
    lines = [json.loads(line) for line in batch.journal_path(out).read_text().splitlines()]
    assert all(TRUNCATED_FIELD in line for line in lines)  # cut or not, every line says
    marked = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--resume", "--engine",
                 "torch")
    assert "8 predicted, 4 resumed; 6 truncated to 64 tokens; " in " ".join(marked.output.split()), marked.output
    command = ("classify", items, "--out", out, "--model", tiny_model_dir, "--resume", "--engine", "torch")
    batch.journal_path(out).write_text("".join(json.dumps({k: v for k, v in line.items() if k != TRUNCATED_FIELD}) + "\n"
                               for line in lines))  # as a run before the mark wrote it
    result = run(*command)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and ("8 predicted, 4 resumed; 2 truncated to 64 tokens (of the items scored since: "
                                      "the journal's lines of 4 resumed items, written before 2026-12-07, do not say "
                                      "which were cut); ") in said, said
    assert not any(TRUNCATED_FIELD in r for r in read_jsonl(out))


def test_resume_after_kill_gives_exactly_one_prediction_per_item(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 3000)
    reference = tmp_path / "reference.jsonl"
    assert run("classify", items, "--out", reference, "--model", tiny_model_dir, "--quiet").exit_code == 0

    out = tmp_path / "pred.jsonl"
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    command = [sys.executable, "-m", "classifier", "classify", str(items), "--out", str(out),
               "--model", str(tiny_model_dir), "--batch-size", "2", "--threads", "1", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT)
    deadline = time.monotonic() + 600  # generous: a starved CI machine imports torch slowly
    while time.monotonic() < deadline and (not journal.exists() or journal.stat().st_size < 20_000):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert journal.exists() and not out.exists()
    done_before = len(journal.read_text().splitlines())
    assert 0 < done_before < 3000
    with open(journal, "a") as fh:  # a torn last line, as a kill in mid-write leaves
        fh.write('{"id": "it1", "sta')

    refused = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert refused.exit_code == 1 and "--resume" in refused.output

    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume")
    assert result.exit_code == 0, result.output
    rows, expected = read_jsonl(out), read_jsonl(reference)
    assert [r["id"] for r in rows] == [r["id"] for r in expected]
    for row, ref in zip(rows, expected):
        assert row["stance"] == ref["stance"]
        for label, p in ref["stance_scores"].items():
            assert abs(row["stance_scores"][label] - p) < 1e-4
    assert not journal.exists()


def test_a_kill_of_a_ray_run_keeps_the_journal_and_exits_143(tmp_path, tiny_model_dir):
    """Ray puts its own handlers on SIGTERM (exit 15, or 134 with a stack dump): once Ray is up, ours are back."""
    pytest.importorskip("ray")
    items = write_items(tmp_path / "items.jsonl", 3000)
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    command = [sys.executable, "-m", "classifier", "classify", str(items), "--out", str(tmp_path / "pred.jsonl"),
               "--model", str(tiny_model_dir), "--batch-size", "2", "--workers", "1", "--quiet"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None and (not journal.exists() or not journal.stat().st_size):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 143, output
    assert "terminated" in output and "--resume" in output and journal.exists()


def test_onnx_engines_match_torch(tmp_path, tiny_model_dir, onnx_cache):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    items = write_items(tmp_path / "items.jsonl", 40)
    outputs = {}
    for engine in ("torch", "onnx", "onnx-int8"):
        out = tmp_path / f"{engine}.jsonl"
        result = run("classify", items, "--out", out, "--model", model, "--engine", engine, "--quiet", "--overwrite")
        assert result.exit_code == 0, result.output
        outputs[engine] = read_jsonl(out)
    from classifier.models.stance_model import model_hash
    from classifier.predict.onnx import cache_root

    exported = cache_root() / "onnx" / model_hash(model)  # in the cache, keyed by the model's content
    assert (exported / "model.onnx").exists() and (exported / "model.int8-per-token.onnx").exists()
    assert not (model / "onnx").exists() and str(cache_root()).startswith(str(onnx_cache))
    for a, b in zip(outputs["torch"], outputs["onnx"]):
        assert all(abs(a["stance_scores"][k] - b["stance_scores"][k]) < 1e-4 for k in a["stance_scores"])
        assert a["stance"] == b["stance"]
    assert outputs["onnx-int8"][0]["model"].endswith(":onnx-int8")
    for a, b in zip(outputs["torch"], outputs["onnx-int8"]):  # int8 within 0.05 of fp32, the same decisions
        assert all(abs(a["stance_scores"][k] - b["stance_scores"][k]) < 0.05 for k in a["stance_scores"])
        assert a["stance"] == b["stance"]
    # int8 scores of an item do not depend on its batch: batches of 3 give what batches of 64 gave
    out = tmp_path / "int8-small-batches.jsonl"
    result = run("classify", items, "--out", out, "--model", model, "--engine", "onnx-int8", "--batch-size", "3", "-q")
    assert result.exit_code == 0, result.output
    assert [r["stance_scores"] for r in read_jsonl(out)] == [r["stance_scores"] for r in outputs["onnx-int8"]]


def test_onnx_engine_from_the_cache_needs_neither_onnx_nor_the_torch_weights(tmp_path, tiny_model_dir, onnx_cache,
                                                                            monkeypatch):
    """Once exported, a run loads tokenizer, settings and graph only: same scores, and the model cannot be saved."""
    import sys

    import transformers

    from classifier.errors import InputError
    from classifier.predict.engines import load_engine

    items = write_items(tmp_path / "items.jsonl", 12)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    assert run("classify", items, "--out", first, "--model", tiny_model_dir, "--engine", "onnx-int8", "-q").exit_code == 0

    def no_weights(*args, **kwargs):
        raise AssertionError("the torch model was built")

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", no_weights)
    for name in [m for m in sys.modules if m == "onnx" or m.startswith("onnx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "onnx", None)  # importing it raises ImportError
    result = run("classify", items, "--out", again, "--model", tiny_model_dir, "--engine", "onnx-int8", "-q")
    assert result.exit_code == 0, result.output
    assert [r["stance_scores"] for r in read_jsonl(again)] == [r["stance_scores"] for r in read_jsonl(first)]
    model = load_engine(tiny_model_dir, "onnx")
    assert model.pooling == "cls" and model.model_id.endswith(":onnx") and model.to("cpu") is model
    try:
        model.save(tmp_path / "copy")
    except InputError as error:
        assert "torch engine" in str(error) and not (tmp_path / "copy").exists()
    else:
        raise AssertionError("an ONNX model was saved")


def test_ray_workers_give_the_same_predictions(tmp_path, tiny_model_dir, tiny_sentiment_dir, monkeypatch,
                                              ray_stops_after_the_module):
    ray = __import__("pytest").importorskip("ray")
    import classifier.predict.ray as ray_path
    from classifier.predict.engines import resolve_engine

    engines, real = [], ray_path.predict_on_ray  # the workers load the engine the driver resolved, not "auto" again
    monkeypatch.setattr(ray_path, "predict_on_ray", lambda *a, **k: engines.append(k["engine"]) or real(*a, **k))
    items = write_items(tmp_path / "items.jsonl", 60)
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    tone_local, tone_ray = tmp_path / "tone_local.jsonl", tmp_path / "tone_ray.jsonl"
    sentiment = ("--task", "sentiment", "--sentiment-model", tiny_sentiment_dir)
    assert run("classify", items, "--out", local, "--model", tiny_model_dir, "--quiet").exit_code == 0
    assert run("classify", items, "--out", tone_local, *sentiment, "--quiet").exit_code == 0
    try:
        result = run("classify", items, "--out", distributed, "--model", tiny_model_dir, "--workers", "2", "--quiet")
        tone = run("classify", items, "--out", tone_ray, *sentiment, "--workers", "2", "--quiet")
    except BaseException:
        ray.shutdown()
        raise  # else left up for the test below
    assert result.exit_code == 0, result.output
    assert tone.exit_code == 0, tone.output
    for (a, b), field in (((read_jsonl(local), read_jsonl(distributed)), "stance_scores"),
                          ((read_jsonl(tone_local), read_jsonl(tone_ray)), "sentiment_scores")):
        assert [r["id"] for r in a] == [r["id"] for r in b]
        assert all(abs(x[field][k] - y[field][k]) < 1e-5 for x, y in zip(a, b) for k in x[field])
    assert read_jsonl(tone_ray)[0]["model"].startswith("tiny-sentiment@")
    assert engines == [resolve_engine("auto")] * 2


def test_a_ray_worker_that_dies_is_one_line_saying_to_resume(tmp_path, tiny_model_dir, monkeypatch):
    """A worker killed mid-shard (kill -9, the kernel's OOM killer): one line, the journal kept, --resume named.
    Run on the Ray the test above left up, if any (a start costs seconds); stopped here."""
    ray = pytest.importorskip("ray")
    import classifier.predict.ray as ray_path

    def dying(ray):
        @ray.remote
        class Predictor:
            def __init__(self, *args):
                pass

            def predict(self, records):
                os._exit(1)

        return Predictor

    monkeypatch.setattr(ray_path, "_predictor_class", dying)
    items = write_items(tmp_path / "items.jsonl", 8)
    try:
        result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--workers", "1",
                     "-q")
    finally:
        ray.shutdown()
    assert result.exit_code == 1, result.output
    line = next((line for line in result.output.splitlines() if line.startswith("error: ")), "")  # Ray adds its own
    assert line.startswith("error: a Ray worker stopped (") and "--resume" in line, result.output
    assert not (tmp_path / "p.jsonl").exists()


def test_shards_keep_articles_whole():
    from classifier.items import Item
    from classifier.predict.ray import shard_by_article

    items = [Item(id=str(i), text="x", article=f"a{i // 7}") for i in range(50)]
    shards = list(shard_by_article(iter(items), size=10))  # a stream
    assert sum(len(s) for s in shards) == 50
    for shard in shards:
        articles = {i.article for i in shard}
        for other in shards:
            if other is not shard:
                assert articles.isdisjoint({i.article for i in other})


def test_onnx_carries_the_mention_head_and_follows_new_weights(tmp_path, tiny_model_dir):
    import torch

    from classifier.models.pooling import MentionPooledClassifier
    from classifier.models.stance_model import StanceModel

    stance = StanceModel.load(tiny_model_dir)
    stance.model = MentionPooledClassifier.for_tokenizer(stance.model, stance.tokenizer)
    torch.manual_seed(3)
    with torch.no_grad():
        stance.model.mention_head.weight.normal_(0, 2.0)
    model = stance.save(tmp_path / "pooled", half=False)
    items = write_items(tmp_path / "items.jsonl", 30)

    def scores(engine):
        out = tmp_path / f"{engine}.jsonl"
        result = run("classify", items, "--out", out, "--model", model, "--engine", engine, "--quiet", "--overwrite")
        assert result.exit_code == 0, result.output
        return [row["stance_scores"] for row in read_jsonl(out)]

    def same(a, b):
        return all(abs(x[k] - y[k]) < 1e-4 for x, y in zip(a, b) for k in x)

    first = scores("onnx")
    assert same(scores("torch"), first)
    with torch.no_grad():  # new weights in the same directory: the exported graph must not be reused
        stance.model.mention_head.weight.normal_(0, 2.0)
    stance.save(model, half=False)
    assert same(scores("torch"), scores("onnx")) and not same(first, scores("onnx"))


def test_device_is_checked_and_cpu_matches_the_default(tmp_path, tiny_model_dir):
    import torch

    items = write_items(tmp_path / "items.jsonl", 4)
    run("classify", items, "--out", tmp_path / "a.jsonl", "--model", tiny_model_dir, "-q")
    result = run("classify", items, "--out", tmp_path / "b.jsonl", "--model", tiny_model_dir, "-q", "--device", "auto")
    assert result.exit_code == 0, result.output
    if not torch.cuda.is_available():
        assert [r["stance_scores"] for r in read_jsonl(tmp_path / "a.jsonl")] == \
            [r["stance_scores"] for r in read_jsonl(tmp_path / "b.jsonl")]
    for args, message in ((["--device", "tpu"], "unknown device 'tpu'"),
                          (["--device", "cuda", "--engine", "onnx"], "only the torch engine runs on a GPU")):
        out = tmp_path / "c.jsonl"
        result = run("classify", items, "--out", out, "--model", tiny_model_dir, *args)
        assert result.exit_code == 1 and message in result.output and not out.exists(), result.output


def test_resume_refuses_a_journal_it_cannot_trust(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "pred.jsonl"
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "--quiet").exit_code == 0
    finished = out.read_text().splitlines()
    foreign = json.loads(finished[0]) | {"model": "other@0123456789ab"}
    changed = json.loads(finished[1]) | {"text": finished[1]}
    from classifier.models.stance_model import engine_of

    bare, engine = engine_of(json.loads(finished[0])["model"])  # "auto" picks onnx where it is installed
    other = "onnx-int8" if engine != "onnx-int8" else "torch"
    other_engine = json.loads(finished[0]) | {"model": bare + ("" if other == "torch" else f":{other}")}
    with_sentiment = json.loads(finished[0]) | {"sentiment": "neutral", "sentiment_model": "s@1",
                                                "sentiment_scores": {"positive": 0.1, "negative": 0.1, "neutral": 0.8}}
    cases = {
        json.dumps(other_engine): f"cannot resume, written with --engine {other}, not {engine}; rerun with --engine {other}",
        json.dumps(with_sentiment): "cannot resume, written by a run of --task both, not --task stance; rerun with "
                                    "--task both",
        json.dumps(foreign): "pred.jsonl.partial.jsonl:2: cannot resume, written by model 'other@0123456789ab'",
        json.dumps({"id": "it0", "stance": "bogus"}): "pred.jsonl.partial.jsonl:2: cannot resume, not a prediction",
        json.dumps(changed): "pred.jsonl.partial.jsonl:2: cannot resume, item 'it1' differs from the input",
    }
    for line, message in cases.items():  # a run with --overwrite that stopped, resumed with it
        journal.write_text(finished[2] + "\n" + line + "\n" + finished[3] + "\n")
        result = run("classify", items, "--out", tmp_path / "pred.jsonl", "--model", tiny_model_dir, "--resume",
                     "--overwrite")
        assert result.exit_code == 1 and message in result.output.replace("\n", ""), result.output
        assert "Traceback" not in result.output
    journal.write_bytes(b"\xff\xfe\x00garbage\n")
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume",
                     "--overwrite")
    assert result.exit_code == 1 and "not a prediction journal (not UTF-8 text)" in result.output
    # its own lines, with a write cut off by an earlier kill between them: resumed, the rest predicted
    journal.write_text(finished[2] + "\n" + finished[4][:25] + "\n" + finished[3] + "\n")
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume",
                     "--overwrite")
    assert result.exit_code == 0 and "2 resumed" in result.output
    assert out.read_text().splitlines() == finished and not journal.exists()
    # a narrower input would drop the journal's other predictions with the journal: refused, the journal kept
    journal.write_text(finished[2] + "\n" + finished[5] + "\n")
    fewer = write_items(tmp_path / "fewer.jsonl", 3)
    result = run("classify", fewer, "--out", out, "--model", tiny_model_dir, "--resume",
                     "--overwrite")
    assert result.exit_code == 1 and "cannot resume, it holds 1 predictions of items this input does not have" \
        in result.output.replace("\n", "") and journal.exists()


def test_items_without_actor_and_broken_models_are_clear_errors(tmp_path, tiny_model_dir):
    import shutil

    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "1", "text": "Russia spoke.", "actor": "Russia", "spans": [[0, 6]]}) + "\n" +
                     json.dumps({"id": "2", "text": "It rained.", "spans": []}) + "\n")
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir)
    assert result.exit_code == 1 and "items.jsonl:2: no 'actor'" in result.output

    write_items(items, 3)
    corrupt, broken = tmp_path / "corrupt", tmp_path / "broken"
    shutil.copytree(tiny_model_dir, corrupt)
    (corrupt / "model.safetensors").write_bytes(os.urandom(1000))
    shutil.copytree(tiny_model_dir, broken)
    (broken / "config.json").write_text("{broken")
    heads = []  # a mention head that is no safetensors file, or of another shape: tracebacks (SafetensorError,
    for name in ("head", "misfit"):  # RuntimeError) from outside the load's error handling
        heads.append(shutil.copytree(tiny_model_dir, tmp_path / name))
        settings = json.loads((heads[-1] / "stance.json").read_text())
        (heads[-1] / "stance.json").write_text(json.dumps({**settings, "pooling": "mention"}))
    (heads[0] / "mention_head.safetensors").write_bytes(os.urandom(1000))
    import torch
    from safetensors.torch import save_file

    save_file({"weight": torch.zeros(2, 2)}, str(heads[1] / "mention_head.safetensors"))
    for model in (corrupt, broken, *heads):
        result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", model)
        named = model / "mention_head.safetensors" if model in heads else model  # the head: its file
        assert result.exit_code == 1 and f"{named}: cannot load the model (" in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2
    # what did not fit, where the line said only "Error(s) in loading state_dict for Linear:"
    said = " ".join(run("classify", items, "--out", tmp_path / "p.jsonl", "--model", heads[1]).output.split())
    assert (f"{heads[1] / 'mention_head.safetensors'}: cannot load the model (Error(s) in loading state_dict for "
            'Linear: Missing key(s) in state_dict: "bias"; size mismatch for weight: copying a param with shape '
            "torch.Size([2, 2]) from checkpoint, the shape in current model is torch.Size([3, 32]))") in said, said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "corrupt", "head", "items.jsonl", "misfit"]


def test_an_output_path_that_cannot_be_written_is_refused_before_classifying(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 3)
    (tmp_path / "taken.jsonl").mkdir()
    for out, message in ((tmp_path / "taken.jsonl", "taken.jsonl: is a folder"),
                         (tmp_path / "pred.xlsx", "unknown output extension '.xlsx'")):
        result = run("classify", items, "--out", out, "--model", tiny_model_dir)
        assert result.exit_code == 1 and message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl", "taken.jsonl"]  # no journal left


def test_a_run_that_fails_before_its_first_batch_leaves_no_journal(tmp_path, tiny_model, monkeypatch):
    import pytest

    from classifier.items import read_items
    from classifier.predict import batch

    items = list(read_items(write_items(tmp_path / "items.jsonl", 3)))

    def broken(*args, **kwargs):
        raise RuntimeError("the tokenizer failed")

    monkeypatch.setattr(batch, "predict_records", broken)
    with pytest.raises(RuntimeError):
        batch.classify(items, tiny_model, tmp_path / "p.jsonl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]  # a rerun needs no --resume


def test_parquet_dates_and_nulls_pass_through_and_resume(tmp_path, tiny_model_dir):
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Russia spoke.", "China spoke."], "actor": ["Russia", "China"],
                          "spans": ["[[0, 6]]", "[[0, 5]]"], "score": [1.5, None],
                          "published": pd.to_datetime(["2024-01-01 00:00", "2024-01-02 10:30"])})
    frame.to_parquet(tmp_path / "items.parquet")
    out, journal = tmp_path / "p.jsonl", tmp_path / "p.jsonl.partial.jsonl"
    assert run("classify", tmp_path / "items.parquet", "--out", out, "--model", tiny_model_dir).exit_code == 0
    rows = read_jsonl(out)
    assert [r["published"] for r in rows] == ["2024-01-01T00:00:00", "2024-01-02T10:30:00"]
    assert [r["score"] for r in rows] == [1.5, None]
    journal.write_text(out.read_text().splitlines()[0] + "\n")
    finished = out.read_text()
    out.unlink()
    result = run("classify", tmp_path / "items.parquet", "--out", out, "--model", tiny_model_dir, "--resume")
    assert result.exit_code == 0 and "1 resumed" in result.output and out.read_text() == finished


def test_a_corpus_streams_through_in_chunks_and_resumes_across_them(tmp_path, tiny_model_dir, monkeypatch):
    from classifier.predict import batch

    monkeypatch.setattr(batch, "CHUNK_ITEMS", 7)  # 40 items: six chunks, a column only the later ones have
    items = write_items(tmp_path / "items.jsonl", 40)
    lines = items.read_text().splitlines()
    lines[30] = json.dumps(json.loads(lines[30]) | {"text": "Russia sagte: Größe zählt.", "spans": [[0, 6]],
                                                    "section": "Außenpolitik"}, ensure_ascii=False)
    items.write_text("\n".join(lines) + "\n")
    for fmt in ("jsonl", "csv", "parquet"):
        assert run("classify", items, "--out", tmp_path / f"ref.{fmt}", "--model", tiny_model_dir, "-q").exit_code == 0
    reference = read_jsonl(tmp_path / "ref.jsonl")
    assert [r["id"] for r in reference] == [f"it{i}" for i in range(40)] and reference[30]["section"] == "Außenpolitik"
    assert list(pd.read_csv(tmp_path / "ref.csv")["id"]) == list(pd.read_parquet(tmp_path / "ref.parquet")["id"])
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "ref.parquet").column("section").to_pylist()[29:31] == [None, "Außenpolitik"]

    # an earlier run's lines out of order, and a write cut off inside the two bytes of 'ö'
    finished = (tmp_path / "ref.jsonl").read_bytes().splitlines(keepends=True)
    torn = finished[30][:finished[30].index("ö".encode()) + 1]
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    journal.write_bytes(b"".join([finished[25], finished[3], torn + b"\n", finished[12], finished[39]]))
    result = run("classify", items, "--out", tmp_path / "pred.jsonl", "--model", tiny_model_dir, "--resume")
    assert result.exit_code == 0 and "4 resumed" in result.output, result.output
    assert (tmp_path / "pred.jsonl").read_bytes() == b"".join(finished) and not journal.exists()


def test_items_are_read_in_passes_never_held(tmp_path, tiny_model):
    from classifier.items import read_items
    from classifier.predict.batch import classify

    items = write_items(tmp_path / "items.jsonl", 12)
    passes = []

    def source():
        passes.append(1)
        return read_items(items, need_actor=True)

    totals = []
    result = classify(source, tiny_model, tmp_path / "p.csv", on_total=totals.append)
    assert len(passes) == 3 and totals == [12] and result.items == 12 and result.predicted == 12
    assert sum(result.counts.values()) == 12 and len(pd.read_csv(tmp_path / "p.csv")) == 12


def test_an_id_repeated_chunks_apart_is_refused_before_any_work(tmp_path, tiny_model_dir, monkeypatch):
    from classifier.predict import batch

    monkeypatch.setattr(batch, "CHUNK_ITEMS", 4)
    items = write_items(tmp_path / "items.jsonl", 20)
    lines = items.read_text().splitlines()
    lines[17] = lines[17].replace('"it17"', '"it2"')
    items.write_text("\n\n".join(lines) + "\n")  # blank lines between: the error names the lines, not the count
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and f"duplicate item id 'it2' ({items}:5 and {items}:35;" in said
    assert "run 'stance label gold' first" in said  # a label file with two annotators is the usual cause
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]


def test_an_input_that_grows_during_the_run_is_a_clear_error_and_resumable(tmp_path, tiny_model):
    import pytest

    from classifier.errors import InputError
    from classifier.items import read_items
    from classifier.predict.batch import classify

    items = write_items(tmp_path / "items.jsonl", 6)
    passes = []

    def source():  # a seventh item arrives before the last pass
        passes.append(1)
        if len(passes) == 3:
            write_items(items, 7)
        return read_items(items, need_actor=True)

    with pytest.raises(InputError, match="item 'it6' has no prediction: the input changed during the run"):
        classify(source, tiny_model, tmp_path / "p.jsonl")
    assert not (tmp_path / "p.jsonl").exists() and (tmp_path / "p.jsonl.partial.jsonl").exists()
    assert classify(lambda: read_items(items), tiny_model, tmp_path / "p.jsonl", resume=True).resumed == 6


def test_resume_removes_what_a_kill_during_the_final_write_left(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 5)
    out = tmp_path / "p.parquet"
    (tmp_path / "p.parquet.partial.jsonl").write_text("")
    (tmp_path / ".p.parquet.abc123.tmp").write_bytes(b"half a table")
    (tmp_path / ".p.parquet.def456.parts").mkdir()
    (tmp_path / ".p.parquet.def456.parts" / "00000000.parquet").write_bytes(b"part")
    (tmp_path / ".p.parquet.notes").write_text("not ours")
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [".p.parquet.fingerprint.json", ".p.parquet.notes",
                                                          "items.jsonl", "p.parquet"]


def test_the_default_engine_is_onnx_on_the_cpu_when_the_extra_is_installed(tmp_path, tiny_model_dir, monkeypatch):
    """--engine auto: onnx (torch's scores to 1e-4) on the CPU with onnxruntime and onnx; torch without them."""
    import sys

    from classifier.predict.engines import resolve_engine

    assert resolve_engine("auto", "cpu") == "onnx" and resolve_engine("auto", "cuda") == "torch"
    assert resolve_engine("onnx-int8", "cpu") == "onnx-int8"
    items = write_items(tmp_path / "items.jsonl", 12)
    default, torch_run = tmp_path / "default.jsonl", tmp_path / "torch.jsonl"
    assert run("classify", items, "--out", default, "--model", tiny_model_dir, "-q").exit_code == 0
    assert run("classify", items, "--out", torch_run, "--model", tiny_model_dir, "--engine", "torch", "-q").exit_code == 0
    for a, b in zip(read_jsonl(default), read_jsonl(torch_run)):
        assert a["model"].endswith(":onnx") and not b["model"].endswith(":onnx") and a["stance"] == b["stance"]
        assert all(abs(a["stance_scores"][k] - b["stance_scores"][k]) < 1e-4 for k in a["stance_scores"])
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # the extra missing: auto falls back to torch
    assert resolve_engine("auto", "cpu") == "torch"
    fallback = tmp_path / "fallback.jsonl"
    assert run("classify", items, "--out", fallback, "--model", tiny_model_dir, "-q").exit_code == 0
    assert [r["model"] for r in read_jsonl(fallback)] == [r["model"] for r in read_jsonl(torch_run)]


def test_an_unwritable_cache_sends_auto_to_torch_and_stops_an_explicit_onnx(tmp_path, tiny_model_dir, monkeypatch):
    """The cache root is a file: auto runs on torch; --engine onnx stops with a line naming the folder."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache would go\n")
    monkeypatch.setenv("STANCE_CACHE", str(blocker))
    items = write_items(tmp_path / "items.jsonl", 6)
    auto, onnx = tmp_path / "auto.jsonl", tmp_path / "onnx.jsonl"
    fell_back = run("classify", items, "--out", auto, "--model", tiny_model_dir, "-q")
    assert fell_back.exit_code == 0 and "--engine auto scores with torch instead" in fell_back.output.replace("\n", "")
    assert not any(r["model"].endswith(":onnx") for r in read_jsonl(auto))
    result = run("classify", items, "--out", onnx, "--model", tiny_model_dir, "--engine", "onnx", "-q")
    assert result.exit_code == 1 and "cannot write the ONNX export" in result.output and "STANCE_CACHE" in result.output
    assert "Traceback" not in result.output and not onnx.exists()


def test_a_ray_address_with_no_cluster_is_one_line_naming_the_option():
    from types import SimpleNamespace

    from classifier.errors import InputError
    from classifier.predict.ray import start_ray

    def no_cluster(**kwargs):
        raise ConnectionError("Could not find any running Ray instance. Please specify ... `--address` flag")

    with pytest.raises(InputError, match=r"--ray-address auto: no Ray cluster there \(Could not find any running Ray "
                                         r"instance\); start one with 'ray start --head'"):
        start_ray(SimpleNamespace(init=no_cluster), "auto", 2)


def test_a_kill_while_ray_starts_reaches_our_handler_not_rays_exit_15():
    import signal
    from types import SimpleNamespace

    from classifier.signals import Terminated, on_stop, was_terminated
    from classifier.predict.ray import start_ray

    def init_killed(**kwargs):  # what ray.init does when SIGTERM comes while it starts: its handler exits with 15
        raise SystemExit(signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, on_stop)
    try:
        with pytest.raises(Terminated) as killed:
            start_ray(SimpleNamespace(init=init_killed), None, 2)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert was_terminated(killed.value)  # exit 143 (and the mark cleared for the tests after this one)



def test_start_ray_gives_back_every_stop_handler_a_ray_changes():
    """start_ray put ours back on SIGTERM only: a Ray that took SIGHUP or SIGINT too (as it takes SIGTERM) left a
    hangup or Ctrl-C to it, not to our unwinding. Each handler ours was is ours again; one it kept is not reset."""
    import signal
    from types import SimpleNamespace

    from classifier.signals import on_stop
    from classifier.predict.ray import start_ray

    def rays(signum, frame):
        raise SystemExit(signum)

    def init(**kwargs):
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, rays)

    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in numbers}
    try:
        for number in numbers:
            signal.signal(number, on_stop)
        start_ray(SimpleNamespace(init=init), None, 2)
        assert {number: signal.getsignal(number) for number in numbers} == dict.fromkeys(numbers, on_stop)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@pytest.mark.parametrize("hup", ["ours", "ignored"])
def test_a_real_ray_start_leaves_our_stop_handlers_in_place(hup):
    """Ray 2.60's ray.init takes SIGTERM (sys.exit(15)) and leaves SIGINT and SIGHUP alone, an ignored SIGHUP
    (nohup) included: after start_ray each is as it was before."""
    ray = pytest.importorskip("ray")
    import signal

    from classifier.signals import on_stop
    from classifier.predict.ray import start_ray

    ray.shutdown()  # one that another test left up: the start here is the one under test
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {number: signal.getsignal(number) for number in numbers}
    try:
        for number in numbers:
            signal.signal(number, on_stop)
        if hup == "ignored":
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
        before = {number: signal.getsignal(number) for number in numbers}
        start_ray(ray, None, 1)
        assert {number: signal.getsignal(number) for number in numbers} == before
    finally:
        ray.shutdown()
        for number, handler in previous.items():
            signal.signal(number, handler)

def test_an_interrupted_run_says_how_to_finish_it(tmp_path, tiny_model_dir, monkeypatch):
    from classifier.cli import classify as command
    from classifier.signals import Terminated

    from classifier.predict.batch import journal_path

    items = write_items(tmp_path / "items.jsonl", 4)
    out = tmp_path / "p.jsonl"
    for stop, code, started in ((KeyboardInterrupt(), 130, True), (Terminated(), 143, True),
                                (Terminated(signal.SIGHUP), 129, True),
                                (KeyboardInterrupt(), 130, False)):
        def stopped(*args, stop=stop, started=started, **kwargs):
            if started:  # a batch was journaled before the stop
                journal_path(out).write_text("")
            raise stop

        journal_path(out).unlink(missing_ok=True)
        monkeypatch.setattr(command, "classify_with_progress", stopped)
        result = run("classify", items, "--out", out, "--model", tiny_model_dir)
        assert result.exit_code == code
        said = "rerun the same command with --resume to finish" in " ".join(result.output.split())
        assert said == started  # nothing scored yet (a model still loading): no --resume advice


def test_one_article_file_is_pointed_to_its_folder(tmp_path, tiny_model_dir):
    for name in ("a.txt", "b.html"):
        (tmp_path / name).write_text("Russia and China met on Monday.\n")
        result = run("classify", tmp_path / name, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir)
        assert result.exit_code == 1 and f"{name}: pass the folder that holds the article" in result.output


def test_ctrl_c_while_the_command_line_loads_is_one_line_and_exit_130(monkeypatch, capsys):
    import builtins
    import sys

    from classifier.cli import entry

    real_import = builtins.__import__

    def interrupted_import(name, *args, **kwargs):
        if name == "classifier.cli.main":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "classifier.cli.main", raising=False)
    monkeypatch.setattr(builtins, "__import__", interrupted_import)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with pytest.raises(SystemExit) as stopped:
            entry.main()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert stopped.value.code == 130 and capsys.readouterr().err == "interrupted\n"


def test_a_kill_while_the_command_line_loads_is_one_line_and_exit_143(monkeypatch, capsys):
    """A kill before the commands are imported (a scheduler's limit at a run's start) was a silent exit 143."""
    import builtins

    from classifier.cli import entry

    real_import = builtins.__import__

    def killed_import(name, *args, **kwargs):
        if name == "classifier.cli.main":
            os.kill(os.getpid(), signal.SIGTERM)
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "classifier.cli.main", raising=False)
    monkeypatch.setattr(builtins, "__import__", killed_import)
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        signal.signal(signal.SIGTERM, lambda signum, frame: pytest.fail("the command line had no handler yet"))
        with pytest.raises(SystemExit) as stopped:
            entry.main()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    assert stopped.value.code == 143 and capsys.readouterr().err == "terminated\n"


def test_the_end_of_run_summary_shows_the_busiest_cells_of_a_large_corpus():
    from collections import Counter

    from classifier.cli.classify import SUMMARY_CELLS, stance_table

    counts = Counter({(f"Outlet{o:02d}", f"Actor{a:02d}", "favor"): 1 + o + a for o in range(10) for a in range(10)})
    table = stance_table(counts)
    assert table.row_count == SUMMARY_CELLS
    assert f"the {SUMMARY_CELLS} of 100 outlet x actor cells with the most mentions" in table.caption
    assert stance_table(Counter({("A", "Russia", "favor"): 3})).caption is None


def test_a_ray_address_without_workers_is_refused_not_run_here(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 4)
    result = run("classify", items, "--out", tmp_path / "p.jsonl", "--model", tiny_model_dir, "--ray-address", "auto")
    assert result.exit_code == 1 and "--ray-address auto: pass --workers N" in result.output, result.output
    assert not (tmp_path / "p.jsonl").exists()


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_a_rerun_into_finished_predictions_of_the_same_model_and_items_does_nothing(tmp_path, tiny_model_dir, suffix):
    dated = tmp_path / "dated.parquet"  # fields that each format writes its own way: read back, they compare alike
    pd.DataFrame({"id": ["a", "b"], "text": ["Russia spoke.", "China spoke."], "actor": ["Russia", "China"],
                  "score": [1.5, None], "n": [3, None], "published": pd.to_datetime(["2024-01-01 00:00", "2024-01-02 10:30"])}
                 ).to_parquet(dated)
    out = tmp_path / f"dated-pred.{suffix}"
    assert run("classify", dated, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    result = run("classify", dated, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored, nothing to do (2 items" in result.output, result.output
    items = write_items(tmp_path / "items.jsonl", 12)
    out = tmp_path / f"pred.{suffix}"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    before = (out.read_bytes(), out.stat().st_mtime_ns)
    for extra in ([], ["--resume"]):  # a finished run has nothing to resume: the same
        result = run("classify", items, "--out", out, "--model", tiny_model_dir, *extra)
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and f"--out {out}: already scored, nothing to do (12 items with tiny@" in said, said
        assert "--overwrite scores them again" in said and "no journal" not in said
        assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--overwrite")
    assert result.exit_code == 0 and "12 predicted" in " ".join(result.output.split())
    assert out.stat().st_mtime_ns != before[1]


def test_a_rerun_into_parquet_of_a_column_of_ints_and_floats_does_nothing(tmp_path, tiny_model_dir):
    """A field of 2 and 1.5 comes back from Parquet as 2.0 and 1.5: the rerun was refused as other items."""
    items = tmp_path / "items.jsonl"
    items.write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "a", "text": "Russia spoke.", "actor": "Russia", "weight": 2},
        {"id": "b", "text": "China spoke.", "actor": "China", "weight": 1.5})))
    out = tmp_path / "pred.parquet"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored, nothing to do (2 items" in " ".join(result.output.split()), \
        result.output


def test_finished_predictions_of_another_model_or_other_items_are_refused_without_overwrite(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "pred.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    rows = read_jsonl(out)
    ours = rows[0]["model"]
    foreign = "".join(json.dumps(r | {"model": "other@0123456789ab"}) + "\n" for r in rows)
    relabelled = items.read_text().replace('"label": "neutral"', '"label": "favor"', 1)
    cases = [  # (what OUT holds, the input, the message)
        (foreign, items.read_text(),
         f"--out {out}: holds predictions by model 'other@0123456789ab', not model '{ours}'; add --overwrite to "
         "replace them, or name another file (nothing was changed)"),
        (out.read_text(), items.read_text() + items.read_text().splitlines(keepends=True)[0].replace("it0", "it9"),
         f"--out {out}: holds predictions by model '{ours}' of other items (6 there, 7 in {items}, 6 of them alike); "
         "add --overwrite"),
        (out.read_text(), relabelled,  # a gold label corrected since: evaluate would read the old one
         f"holds predictions by model '{ours}' of other items (6 there, 6 in {items}, 5 of them alike)"),
        ("".join(json.dumps(r | {"sentiment": "neutral", "sentiment_model": "s@1", "sentiment_scores": {}}) + "\n"
                 for r in rows), items.read_text(),
         f"holds predictions of --task both by model '{ours}' with sentiment model 's@1', not of --task stance"),
    ]
    for held, given, message in cases:
        out.write_text(held)
        items.write_text(given)
        before = out.stat().st_mtime_ns
        result = run("classify", items, "--out", out, "--model", tiny_model_dir)
        said = " ".join(result.output.split())
        assert result.exit_code == 1 and message in said and "Traceback" not in said, said
        assert out.read_text() == held and out.stat().st_mtime_ns == before
        assert sorted(p.name for p in tmp_path.iterdir()) == [".pred.jsonl.fingerprint.json", "items.jsonl",
                                                              "pred.jsonl"]
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "-q", "--overwrite")
    assert result.exit_code == 0 and {r["model"] for r in read_jsonl(out)} == {ours}


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_a_rerun_tells_finished_predictions_by_their_fingerprint_without_reading_them(tmp_path, tiny_model,
                                                                                     monkeypatch, suffix):
    """A rerun read the whole output back to digest it (a million rows: 185.9 s, against 57.2 s told by the
    fingerprint, on a loaded 2-core host: docs/reference.md); the items' digest beside the output answers alike."""
    import classifier.predict.batch as batch
    from classifier.errors import InputError
    from classifier.items import read_items

    items = write_items(tmp_path / "items.jsonl", 7)
    out = tmp_path / f"p.{suffix}"
    source = lambda: read_items(items)  # noqa: E731
    assert batch.classify(source, tiny_model, out).predicted == 7
    assert (tmp_path / f".p.{suffix}.fingerprint.json").is_file()
    read = []
    rows = batch.output_rows
    monkeypatch.setattr(batch, "output_rows", lambda *a: (read.append(row) or row for row in rows(*a)))
    lines = items.read_text().splitlines(keepends=True)
    items.write_text("".join(reversed(lines)))  # the same items in another order
    again = batch.classify(source, tiny_model, out)
    assert again.already and again.items == 7 and sum(again.counts.values()) == 7
    assert len(read) == 1  # the first row only (predictions_model), not the file
    items.write_text("".join(lines).replace("Sentence 3:", "Sentence three:"))  # one item changed: read, refused
    with pytest.raises(InputError, match=r"of other items \(7 there, 7 in input, 6 of them alike\)"):
        batch.classify(source, tiny_model, out)
    items.write_text("".join(lines))
    (tmp_path / f".p.{suffix}.fingerprint.json").unlink()  # an output written before fingerprints: read in full
    read.clear()
    assert batch.classify(source, tiny_model, out).already and len(read) == 8


def test_an_output_edited_since_its_fingerprint_is_read_in_full(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 5)
    out = tmp_path / "p.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    before = out.stat()
    edited = out.read_text().replace("Sentence 2:", "Sentence 9:")  # same size; its time set back as it was
    out.write_text(edited)
    os.utime(out, ns=(before.st_atime_ns, before.st_mtime_ns))
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 1 and "of other items (5 there, 5 in" in " ".join(result.output.split()), result.output
    assert out.read_text() == edited


def test_an_overwrite_that_stopped_resumes_only_with_overwrite(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "pred.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    finished = out.read_text()
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    journal.write_text(finished.splitlines(keepends=True)[0])  # a run with --overwrite, killed after a batch
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "pass --resume to continue it (with --overwrite: it replaces the finished " \
        "pred.jsonl)" in said, said
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "is an unfinished run that replaces them; rerun with --resume --overwrite" in said
    assert out.read_text() == finished and journal.exists()
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--resume", "--overwrite")
    assert result.exit_code == 0 and "1 resumed" in result.output and not journal.exists()


def test_an_items_file_at_out_is_replaced_and_ray_data_refuses_overwrite(tmp_path, tiny_model_dir):
    items = write_items(tmp_path / "items.jsonl", 3)
    out = write_items(tmp_path / "old.jsonl", 2)  # items without labels, no predictions: replaced as before
    out.write_text("".join(json.dumps({k: v for k, v in row.items() if k != "label"}) + "\n" for row in read_jsonl(out)))
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    assert len(read_jsonl(out)) == 3
    result = run("classify", items, "--out", tmp_path / "parts", "--ray-data", "--overwrite")
    assert result.exit_code == 1 and "--overwrite: --ray-data never replaces a finished part" in result.output


def test_the_python_classify_keeps_finished_predictions_unless_told(tmp_path, tiny_model):
    from classifier.errors import InputError
    from classifier.items import read_items
    from classifier.predict.batch import classify

    items = write_items(tmp_path / "items.jsonl", 5)
    out = tmp_path / "p.jsonl"
    assert classify(list(read_items(items)), tiny_model, out).predicted == 5
    again = classify(list(read_items(items)), tiny_model, out)
    assert again.already and again.predicted == 0 and again.items == 5 and sum(again.counts.values()) == 5
    assert classify(list(read_items(items)), tiny_model, out, overwrite=True).predicted == 5
    with pytest.raises(InputError, match="of other items"):
        classify(list(read_items(items))[:4], tiny_model, out)


def test_article_options_given_with_an_items_file_are_named_once_as_ignored(tmp_path, tiny_model_dir):
    """--date-order, --max-article-chars, --manifest and --skip-unreadable change only how articles are prepared:
    with an items file they were dropped without a word, so a user believed the dates read day first."""
    items = write_items(tmp_path / "items.jsonl", 3)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,source\na.txt,x\n")
    out = tmp_path / "p.jsonl"
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--engine", "torch", "--no-summary",
                 "--date-order", "DMY", "--max-article-chars", 50, "--manifest", manifest, "--skip-unreadable",
                 "--prepare-workers", 2)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and len(read_jsonl(out)) == 3, said
    assert said.count("ignored") == 1 and (f"warning: --manifest, --skip-unreadable, --date-order, "
                                           f"--max-article-chars, --prepare-workers: ignored, as {items} holds items "
                                           "(read as they are); "
                                           "they are for articles, which are prepared first") in said, said
    result = run("classify", items, "--out", tmp_path / "q.jsonl", "--model", tiny_model_dir, "--engine", "torch",
                 "--no-summary", "--date-order", "DMY")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "--date-order: ignored, as" in said and "it is for articles" in said, said
    result = run("classify", items, "--out", tmp_path / "r.jsonl", "--model", tiny_model_dir, "--engine", "torch",
                 "--no-summary")
    assert result.exit_code == 0 and "ignored" not in result.output


def test_a_rerun_of_an_unchanged_input_answers_without_reading_it(tmp_path, tiny_model_dir, monkeypatch):
    """A rerun read and validated the whole input to digest its items (a million rows: about 30 of the rerun's
    57 s); the input files' stamps kept in the fingerprint answer without it, and where they differ (a file
    rewritten, touched, or a fingerprint written before stamps were kept) the input is read and compared."""
    import classifier.cli.classify as command

    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "p.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    kept = tmp_path / ".p.jsonl.fingerprint.json"
    assert json.loads(kept.read_text())["input"]["files"][0][0] == "items.jsonl"
    real = command.read_items
    passes = []

    def counted(*args, **kwargs):
        passes.append(args[0])
        return real(*args, **kwargs)

    def unread(*args, **kwargs):
        raise AssertionError("the input was read")

    monkeypatch.setattr(command, "read_items", unread)
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored, nothing to do (6 items" in " ".join(result.output.split())
    monkeypatch.setattr(command, "read_items", counted)
    lines = items.read_text()
    items.write_text(lines)  # rewritten, the same items: read, answered by the digest, its stamp kept
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored" in result.output and passes
    monkeypatch.setattr(command, "read_items", unread)
    assert "already scored" in run("classify", items, "--out", out, "--model", tiny_model_dir).output
    monkeypatch.setattr(command, "read_items", counted)
    passes.clear()
    items.write_text(lines.replace("Sentence 2:", "Sentence 9:"))  # same size, one text changed: read, refused
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 1 and "of other items (6 there, 6 in" in " ".join(result.output.split()) and passes
    items.write_text(lines)
    state = json.loads(kept.read_text())
    del state["input"]  # a fingerprint written before input stamps were kept: the digest answers, as before
    kept.write_text(json.dumps(state))
    passes.clear()
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored" in result.output and passes
    assert "input" in json.loads(kept.read_text())


def test_a_rerun_reading_the_same_file_otherwise_is_not_told_by_its_stamp(tmp_path, tiny_model_dir):
    """The stamp covers how the file is read: another --only-actors (or catalogue, encoding, task) makes other
    items of the same file, which are read and compared."""
    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "p.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    result = run("classify", items, "--out", out, "--model", tiny_model_dir, "--only-actors", "Russia")
    assert result.exit_code == 1 and "of other items (6 there, 2 in" in " ".join(result.output.split()), result.output


def test_a_rerun_after_the_code_changed_reads_the_input_again(tmp_path, tiny_model_dir, monkeypatch):
    """The package's version stays the same in a checkout while the code that reads items and finds their spans
    changes (an exclude added to the catalogue's rules): the stamp holds a digest of the code, and a rerun under
    other code reads the input and compares its items."""
    import classifier.cli.classify as command

    items = write_items(tmp_path / "items.jsonl", 6)
    out = tmp_path / "p.jsonl"
    assert run("classify", items, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    real, passes = command.read_items, []
    monkeypatch.setattr(command, "read_items", lambda *args, **kwargs: passes.append(1) or real(*args, **kwargs))
    monkeypatch.setattr(command, "code_digest", lambda: "other code")
    result = run("classify", items, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored" in result.output and passes

def test_a_rerun_of_an_unchanged_dataset_folder_answers_without_reading_it(tmp_path, tiny_model_dir, monkeypatch):
    """A dataset folder is stamped file by file: unchanged, it is not read; a file of it saved again, it is."""
    datasets = pytest.importorskip("datasets")
    import classifier.cli.classify as command

    rows = read_jsonl(write_items(tmp_path / "items.jsonl", 4))
    folder, out = tmp_path / "ds", tmp_path / "p.jsonl"
    datasets.Dataset.from_list(rows).save_to_disk(str(folder))
    assert run("classify", folder, "--out", out, "--model", tiny_model_dir, "-q").exit_code == 0
    files = json.loads((tmp_path / ".p.jsonl.fingerprint.json").read_text())["input"]["files"]
    assert {name for name, _ in files} == {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    real, passes = command.read_items, []
    monkeypatch.setattr(command, "read_items", lambda *a, **k: passes.append(a) or real(*a, **k))
    assert "already scored" in run("classify", folder, "--out", out, "--model", tiny_model_dir).output
    assert not passes
    (folder / "state.json").write_text((folder / "state.json").read_text())  # saved again, the same items
    assert "already scored" in run("classify", folder, "--out", out, "--model", tiny_model_dir).output
    assert passes


def test_classifying_a_label_file_the_model_was_trained_on_is_warned_of(tmp_path, tiny_model_dir):
    """Predictions on the model's own training file, given to evaluate, scored it on items it learnt, without a
    word (a walk trained on gold.jsonl, classified gold.jsonl and read the "gain" off evaluate --compare)."""
    import shutil

    from classifier.io.files import file_sha256

    labels = write_items(tmp_path / "labels.jsonl", 10)
    other = write_items(tmp_path / "other.jsonl", 12)
    model = tmp_path / "ours"
    shutil.copytree(tiny_model_dir, model)
    card = json.loads((model / "model_card.json").read_text()) if (model / "model_card.json").exists() else {}
    card["data"] = {"label files": f"labels.jsonl (sha256 {file_sha256(labels)[:12]})",
                    "test files": f"other.jsonl (sha256 {file_sha256(other)[:12]})"}
    (model / "model_card.json").write_text(json.dumps(card))
    on_training = run("classify", labels, "--out", tmp_path / "p1.jsonl", "--model", model, "-q")
    assert on_training.exit_code == 0, on_training.output
    text = " ".join(on_training.output.split())
    assert f"warning: {labels} is a label file tiny@" in text and "was trained on (its card says so)" in text
    assert "in-sample" in text and (tmp_path / "p1.jsonl").exists()
    on_test = run("classify", other, "--out", tmp_path / "p2.jsonl", "--model", model, "-q")
    assert on_test.exit_code == 0 and "warning" not in on_test.output  # its test file: held out, as meant
    for broken in ('{"data": ', "[1, 2]", '{"data": ["labels.jsonl"]}'):  # cut off, or not the card's shape
        (model / "model_card.json").write_text(broken)  # the check passes it over, as loading the model does
        result = run("classify", labels, "--out", tmp_path / "p3.jsonl", "--model", model, "-q", "--overwrite")
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_classify_reads_compressed_items_and_articles_and_reruns_as_the_plain_file(tmp_path, tiny_model_dir):
    """items.jsonl.gz and articles.csv.xz were "unknown input extension '.gz'": scored as the plain files are; a
    rerun is told by the compressed file's stamp (nothing to do), and --resume finishes its journal."""
    import gzip
    import lzma

    items = write_items(tmp_path / "items.jsonl", 12)
    packed = tmp_path / "items.jsonl.gz"
    packed.write_bytes(gzip.compress(items.read_bytes()))
    assert run("classify", items, "--out", tmp_path / "plain.jsonl", "--model", tiny_model_dir, "-q").exit_code == 0
    out = tmp_path / "pred.jsonl"
    result = run("classify", packed, "--out", out, "--model", tiny_model_dir, "-q")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
    result = run("classify", packed, "--out", out, "--model", tiny_model_dir)
    assert result.exit_code == 0 and "already scored, nothing to do" in " ".join(result.output.split())
    journal = tmp_path / "resumed.jsonl.partial.jsonl"  # a run killed after its first five items
    journal.write_text("".join(line + "\n" for line in out.read_text().splitlines()[:5]))
    result = run("classify", packed, "--out", tmp_path / "resumed.jsonl", "--model", tiny_model_dir, "--resume")
    assert result.exit_code == 0 and "5 resumed" in " ".join(result.output.split()), result.output
    assert (tmp_path / "resumed.jsonl").read_bytes() == out.read_bytes()
    articles = tmp_path / "articles.csv.xz"
    articles.write_bytes(lzma.compress(b"id,text,source\na0,Russia condemned NATO.,RT\n"))
    result = run("classify", articles, "--out", tmp_path / "articles.jsonl", "--model", tiny_model_dir, "-q")
    assert result.exit_code == 0, result.output
    assert [r["actor"] for r in read_jsonl(tmp_path / "articles.jsonl")] == ["Russia", "NATO"]


def test_a_resumed_run_reports_the_resumed_items_before_the_total(tmp_path, tiny_model):
    """classify's callbacks on --resume: the journal's items (on_progress) come before the total (on_total), so a bar
    that starts its clock with the total leaves them out of its pace; they came after it."""
    from classifier.predict.batch import classify, journal_path

    items = write_items(tmp_path / "items.jsonl", 12)
    classify(items_source(items), tiny_model, tmp_path / "p.jsonl")
    lines = (tmp_path / "p.jsonl").read_text().splitlines(keepends=True)
    journal_path(tmp_path / "q.jsonl").write_text("".join(lines[:5]))  # a run killed after 5 items
    events = []
    result = classify(items_source(items), tiny_model, tmp_path / "q.jsonl", resume=True,
                      on_progress=lambda n: events.append(("done", n)), on_total=lambda n: events.append(("total", n)))
    assert result.resumed == 5 and events[:2] == [("done", 5), ("total", 12)], events
    assert sum(n for kind, n in events if kind == "done") == 12
    assert (tmp_path / "q.jsonl").read_bytes() == (tmp_path / "p.jsonl").read_bytes()


def items_source(path):
    from classifier.items import read_items

    return lambda: read_items(path, need_actor=True)


@pytest.mark.parametrize("workers", [0, 2])
def test_the_bar_s_pace_and_time_left_run_over_the_whole_run(monkeypatch, tiny_model, workers):
    """The bar's items/s and time left are the items scored since the clock started, over that time. rich's own
    estimate (the moves of the last 30 s, the first left out) read two Ray workers' shards landing half a second
    apart as "2096 items/s 0:00:02" where 29 s were left (seen: "1077 items/s 0:00:03", 35 s left). Ray's clock
    starts with the total; a local run's at its first batch (the warm-up's); items resumed are never counted."""
    import classifier.cli.app as app_module
    import classifier.cli.classify as classify_cli
    import classifier.predict.ray as ray_module

    clock, bars = [0.0], []

    def bar(enabled, with_rate=False):
        progress = app_module.progress_bar(True, with_rate)
        progress.get_time = lambda: clock[0]
        bars.append(progress)
        return progress

    def shown():
        progress = bars[0]
        return " ".join(str(column.render(progress.tasks[0])) for column in progress.columns[3:])

    def run(items, *args, on_progress, on_total, **kwargs):
        if workers:  # Ray: two shards out at once, landing together 20 s after the start
            clock[0] = 10.0
            on_total(5064)
            for at, n in ((30.0, 1031), (30.5, 1048)):
                clock[0] = at
                on_progress(n)
        else:  # a local run resumed from 2,048 items: its first batch took 3 s (warm-up), then 64 a second
            on_progress(2048)
            clock[0] = 10.0
            on_total(5064)
            clock[0] = 13.0
            on_progress(64)
            for _ in range(10):
                clock[0] += 1.0
                on_progress(64)
        return "summary"

    monkeypatch.setattr(classify_cli, "progress_bar", bar)
    monkeypatch.setattr(classify_cli, "show_progress", lambda quiet: True)
    monkeypatch.setattr(classify_cli, "classify", run)
    monkeypatch.setattr(ray_module, "classify_with_ray", run)
    summary = classify_cli.classify_with_progress([], tiny_model, Path("p.jsonl"), quiet=False, workers=workers)
    assert summary == "summary"
    if workers:  # 2,079 items in 20.5 s: 101 a second, 2,985 left
        assert shown() == "101 items/s 0:00:29", shown()
    else:  # 640 items in 10 s after the first batch: 64 a second; 5064 - 2048 - 704 = 2,312 left
        assert shown() == "64 items/s 0:00:36", shown()
    clock[0] += 6  # between moves the time left counts down at the same pace
    assert shown() == ("101 items/s 0:00:23" if workers else "64 items/s 0:00:30"), shown()


def failing_after(n: int, real, message: str = "CUDA out of memory. Tried to allocate 2.00 GiB\n(GPU 0)"):
    """``real`` (a model's forward, or an engine's logits) that raises torch's RuntimeError from its call n + 1 on."""
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > n:
            raise RuntimeError(message)
        return real(*args, **kwargs)
    return failing


@pytest.mark.parametrize("engine", ["torch", "onnx"])
def test_a_model_that_fails_mid_run_is_one_line_and_resume_continues_from_its_journal(tmp_path, tiny_model_dir,
                                                                                      monkeypatch, engine):
    """A model that raised while it scored (a CUDA error, out of memory) ended 'stance classify' on a traceback. It is
    one line naming the model and its error, exit 1, no output written; the batches scored before it stay in the
    journal, the line says so, and --resume scores only the others, to the predictions of a run that never failed."""
    from transformers import BertForSequenceClassification

    from classifier.predict.onnx import OnnxStanceModel

    items = write_items(tmp_path / "items.jsonl", 10)
    out, whole = tmp_path / "pred.jsonl", tmp_path / "whole.jsonl"
    args = ["classify", str(items), "--out", str(out), "--model", str(tiny_model_dir), "--batch-size", "2",
            "--engine", engine, "--no-summary"]
    assert run(*[whole if a == str(out) else a for a in args]).exit_code == 0
    with monkeypatch.context() as patched:
        owner, name = (BertForSequenceClassification, "forward") if engine == "torch" else (OnnxStanceModel, "logits")
        patched.setattr(owner, name, failing_after(3, getattr(owner, name)))
        result = runner.invoke(app, args)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), said
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    assert said == (f"error: {tiny_model_dir}: the model failed to score the items (RuntimeError: CUDA out of memory. "
                    "Tried to allocate 2.00 GiB\\n(GPU 0)); what was scored is kept in "
                    f"{journal}: rerun the same command with --resume to continue from there"), said
    assert len(journal.read_text().splitlines()) == 6 and not out.exists()
    resumed = runner.invoke(app, [*args, "--resume"])
    assert resumed.exit_code == 0 and "4 predicted, 6 resumed" in " ".join(resumed.output.split()), resumed.output
    assert read_jsonl(out) == read_jsonl(whole) and not journal.exists()


def test_a_model_that_fails_mid_run_with_out_dash_says_nothing_reached_standard_output(tmp_path, tiny_model_dir,
                                                                                     monkeypatch):
    """--out -: the journal lies in the temporary folder that goes with the run, so the line offers no --resume (which
    --out - refuses): it says that nothing was written to standard output, and nothing was."""
    from transformers import BertForSequenceClassification

    items = write_items(tmp_path / "items.jsonl", 10)
    real = BertForSequenceClassification.forward
    monkeypatch.setattr(BertForSequenceClassification, "forward", failing_after(3, real))
    result = runner.invoke(app, ["classify", str(items), "--out", "-", "--model", str(tiny_model_dir),
                                 "--batch-size", "2", "--engine", "torch", "--no-summary"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert said.startswith(f"error: {tiny_model_dir}: the model failed to score the items (RuntimeError: CUDA"), said
    assert said.endswith("; nothing was written to standard output"), said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]


@pytest.mark.parametrize("error, where", [
    (OSError(errno.EIO, "Input/output error"), "a file this command writes or reads: Input/output error"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/gone/vocab.txt"),
     "/gone/vocab.txt: No such file or directory"),
])
def test_an_os_error_mid_run_says_the_journal_is_kept_for_resume(tmp_path, tiny_model_dir, monkeypatch, error, where):
    """A model that raised an OSError mid-run (a file it reads lazily gone, a disk that failed) was said as a file's
    error "(outputs are atomic: nothing half-written was kept)", though the batches scored before it stay in the
    journal for --resume: the line says so, as a model's failure says it."""
    from transformers import BertForSequenceClassification

    real = BertForSequenceClassification.forward
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) > 3:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(BertForSequenceClassification, "forward", failing)
    items, out = write_items(tmp_path / "items.jsonl", 10), tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["classify", str(items), "--out", str(out), "--model", str(tiny_model_dir),
                                 "--batch-size", "2", "--engine", "torch", "--no-summary"])
    said = " ".join(result.output.split())
    journal = tmp_path / "pred.jsonl.partial.jsonl"
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert said == (f"error: {where}; what was scored is kept in {journal}: rerun the same command with --resume to "
                    "continue from there"), said
    assert len(journal.read_text().splitlines()) == 6 and not out.exists()


def test_a_sentiment_model_that_fails_before_the_first_batch_is_written_says_nothing_was(tmp_path, tiny_model_dir,
                                                                                        tiny_sentiment_dir,
                                                                                        monkeypatch):
    """--task both: the sentiment model, which scores a chunk's sentences before its stance batches are written,
    raising is the line naming that model (not the stance model), and nothing written: no journal, no output."""
    from classifier.models.stance_model import StanceModel

    items = write_items(tmp_path / "items.jsonl", 10)
    real = StanceModel.probabilities
    calls = []

    def failing(self, batch):
        if self.task.name == "sentiment":
            calls.append(1)
            if len(calls) > 2:
                raise MemoryError()
        return real(self, batch)

    monkeypatch.setattr(StanceModel, "probabilities", failing)
    out = tmp_path / "pred.jsonl"
    result = runner.invoke(app, ["classify", str(items), "--out", str(out), "--model", str(tiny_model_dir), "--task",
                                 "both", "--sentiment-model", str(tiny_sentiment_dir), "--batch-size", "2",
                                 "--engine", "torch"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert said == (f"error: {tiny_sentiment_dir}: the model failed to score the items (MemoryError); nothing was "
                    f"written to {out}"), said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.jsonl"]


def test_an_error_of_the_code_around_the_model_is_no_model_failure(tmp_path, tiny_model_dir, monkeypatch):
    """Only what the model raised is said to be the model's: an error of the journal's code stays itself."""
    from classifier.predict import batch

    def broken(self, records):
        raise KeyError("a bug")

    monkeypatch.setattr(batch.Journal, "append", broken)
    items = write_items(tmp_path / "items.jsonl", 4)
    result = runner.invoke(app, ["classify", str(items), "--out", str(tmp_path / "p.jsonl"), "--model",
                                 str(tiny_model_dir), "--engine", "torch"])
    assert isinstance(result.exception, KeyError) and "failed to score" not in result.output
