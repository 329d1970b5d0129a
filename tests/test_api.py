"""The public Python API: load_model, predict / predict_proba over the inputs users have, save_pretrained."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import classifier
from classifier.errors import DateWarning, InputError, InputWarning


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    return classifier.load_model(tiny_model_dir)


def test_pairs_give_a_label_and_scores_and_the_mentions_found(model):
    with pytest.warns(UserWarning, match="found by the catalogue in 1, by name in 1, and not at all in 1"):
        out = model.predict([("NATO warned Moscow.", "NATO"), ("Acme Corp sued.", "Acme Corp"), ("It rained.", "Chile")])
    assert [set(r) for r in out] == [{"stance", "stance_scores", "model", "spans", "spans_from"}] * 3
    assert [r["spans_from"] for r in out] == ["catalogue", "name", "none"]
    assert out[0]["spans"] == [[0, 4]] and out[1]["spans"] == [[0, 9]] and out[2]["spans"] == []
    assert all(r["stance"] in model.classes_ for r in out)
    assert all(abs(sum(r["stance_scores"].values()) - 1) < 1e-5 for r in out)  # rounded to 6 places


def test_found_mentions_score_as_the_same_item_with_its_spans(model):
    with pytest.warns(UserWarning):
        found = model.predict_proba([{"text": "The Kremlin condemned NATO.", "actor": "Russia"}])
    given = model.predict_proba([{"id": "x", "text": "The Kremlin condemned NATO.", "actor": "Russia",
                                  "spans": [[4, 11]]}])
    unmarked = model.predict_proba([{"text": "The Kremlin condemned NATO.", "actor": "Russia", "spans": []}])
    assert np.allclose(found, given) and not np.allclose(found, unmarked)


def test_explicit_spans_and_items_are_kept_without_a_warning(model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.predict([{"text": "Comments on guns.", "actor": "gun control", "spans": []},
                             classifier.Item(id="i", text="Russia won.", actor="Russia", spans=[(0, 6)])])
    assert all("spans_from" not in r for r in out)


def test_a_dataframe_and_a_dataset_come_back_with_the_columns_added(model):
    import datasets

    frame = pd.DataFrame({"text": ["Russia won.", "China lost."], "actor": ["Russia", "China"], "keep": [1, 2]})
    with pytest.warns(UserWarning):
        scored = model.predict(frame)
    assert isinstance(scored, pd.DataFrame) and list(scored["keep"]) == [1, 2]
    assert {"stance", "p_favor", "p_against", "p_neutral"} <= set(scored.columns)
    assert "stance" not in frame.columns  # the caller's frame is left alone
    dataset = datasets.Dataset.from_pandas(frame)
    with pytest.warns(UserWarning):
        out = model.predict(dataset)
    assert isinstance(out, datasets.Dataset) and out["stance"] == list(scored["stance"])
    with pytest.warns(UserWarning):
        assert np.allclose(model.predict_proba(dataset), scored[["p_favor", "p_against", "p_neutral"]].to_numpy())


def test_scored_rows_name_their_model_as_classify_writes_it(model, tmp_path):
    """evaluate_predictions checks the gold items against the model's trained_items.txt by the rows' model; a frame
    scored here, saved and evaluated, was counted as the predictions of an 'unknown' model and went unchecked."""
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Russia won.", "China lost."], "actor": ["Russia", "China"],
                          "spans": [[[0, 6]], [[0, 5]]], "label": ["favor", "against"], "article": ["x", "y"]})
    scored = model.predict(frame)
    assert list(scored["model"]) == [model.name] * 2
    assert [r["model"] for r in model.predict(frame.to_dict("records"))] == [model.name] * 2
    scored.to_parquet(tmp_path / "scored.parquet")
    assert classifier.evaluate_predictions(tmp_path / "scored.parquet", n_boot=0)["models"] == [model.name]


def test_progress_shows_a_bar_over_the_items_scored(model, monkeypatch):
    import contextlib

    import classifier.evaluate

    bars = []

    @contextlib.contextmanager
    def bar(description, total, enabled):
        bars.append([description, total, enabled, 0])
        yield lambda n=1: bars[-1].__setitem__(3, bars[-1][3] + n)

    monkeypatch.setattr(classifier.evaluate, "progress_bar", bar)
    pairs = [("Russia won.", "Russia", [[0, 6]])] * 5
    model.predict(pairs, batch_size=2, progress=True)
    model.predict_proba(pairs, batch_size=2)
    assert bars == [["scoring", 5, True, 5], ["scoring", 5, False, 5]]  # none unless asked, as in evaluate


def test_a_model_loaded_with_an_onnx_engine_says_it_cannot_be_saved(tiny_model_dir, onnx_cache, tmp_path):
    pytest.importorskip("onnxruntime")
    onnx = classifier.load_model(tiny_model_dir, engine="onnx")
    with pytest.raises(InputError, match="torch engine"):  # was a TypeError on save()'s trained_items
        onnx.save_pretrained(tmp_path / "copy")
    assert not (tmp_path / "copy").exists()


def test_the_warnings_of_bad_input_can_be_filtered_by_the_package_s_own_name(model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=classifier.InputWarning)  # "1 of 1 inputs had no spans ..."
        model.predict([("Russia won.", "Russia")])
    assert "InputWarning" in classifier.__all__


def test_bad_inputs_are_one_clear_error(model):
    with pytest.raises(InputError, match="wrap it in a list"):
        model.predict("Russia won.")
    with pytest.raises(InputError, match="item 2: expected an Item"):
        model.predict([("Russia won.", "Russia"), 42])
    with pytest.raises(InputError, match="item 1: no 'actor'"):
        model.predict([{"text": "Russia won."}])
    with pytest.raises(InputError, match="got None"):
        model.predict(None)


def test_items_are_checked_like_dicts_and_an_item_made_without_spans_has_them_found(model):
    with pytest.raises(InputError, match="item 1: no 'actor'"):
        model.predict([classifier.Item(id="a", text="NATO warned Moscow.")])
    with pytest.warns(UserWarning, match="found by the catalogue in 1"):
        made = model.predict_proba([classifier.Item(id="a", text="NATO warned Moscow.", actor="NATO")])
        pair = model.predict_proba([("NATO warned Moscow.", "NATO")])
    assert np.allclose(made, pair)
    with pytest.raises(InputError, match=r"item 1: a \(text, actor\) pair holds two strings; found \(str, NoneType\)"):
        model.predict([("NATO warned Moscow.", None)])
    with pytest.raises(InputError, match="batch_size 32.0: expected a whole number of at least 1"):
        model.predict_proba([("NATO warned Moscow.", "NATO")], batch_size=32.0)


def test_empty_cells_of_a_frame_are_missing_values_and_found_spans_are_columns(model):
    """NaN is what read_csv gives an empty cell: spans are then found, a label is absent, an actor is missing."""
    import io

    frame = pd.read_csv(io.StringIO('id,text,actor,label,spans\n1,NATO warned Moscow.,NATO,favor,"[[0,4]]"\n'
                                    '2,Gazprom sent aid.,Gazprom,,\n'), index_col=None).set_index(pd.Index([10, 20]))
    with pytest.warns(UserWarning, match="by name in 1"):
        scored = model.predict(frame)
    assert list(scored.index) == [10, 20] and scored["spans_from"].isna().tolist() == [True, False]
    assert scored.loc[20, "spans_from"] == "name"
    assert list(scored["spans"]) == [[[0, 4]], [[0, 7]]]
    with pytest.raises(InputError, match=r"item 2 \(index 'y'\): no 'actor'"):  # the frame's own row label
        model.predict(pd.DataFrame({"text": ["NATO met.", "Russia won."], "actor": ["NATO", np.nan]}, index=["x", "y"]))


def test_save_pretrained_round_trips(model, tmp_path):
    saved = model.save_pretrained(tmp_path / "copy")
    again = classifier.load_model(saved)
    pairs = [("Russia won.", "Russia")]
    with pytest.warns(UserWarning):
        assert np.allclose(again.predict_proba(pairs), model.predict_proba(pairs), atol=1e-6)
    assert json.loads((saved / "model_card.json").read_text())["name"] == "tiny"


def test_save_pretrained_keeps_the_items_train_held_out(tiny_model_dir, tmp_path):
    """A model stance train saved holds heldout.jsonl, which its card names: a copy keeps it, as trained_items.txt."""
    import shutil

    trained = shutil.copytree(tiny_model_dir, tmp_path / "ours")
    held = '{"id": "a", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]], "label": "favor"}\n'
    (trained / "heldout.jsonl").write_text(held)
    saved = classifier.load_model(trained).save_pretrained(tmp_path / "copy")
    assert (saved / "heldout.jsonl").read_text() == held


def test_save_pretrained_never_replaces_a_shipped_model_unasked(model, tmp_path, monkeypatch):
    from classifier.models import stance_model

    shipped = tmp_path / "models" / "default"
    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", shipped)
    for name in ("default", "newsmtsc-v16"):
        with pytest.raises(InputError, match=f"a model the project ships \\(models/{name}\\)"):
            model.save_pretrained(shipped.parent / name)
    assert not shipped.parent.exists()
    assert model.save_pretrained(shipped, replace_shipped=True) == shipped and (shipped / "stance.json").exists()


def test_the_model_is_found_by_argument_environment_or_checkout(tiny_model_dir, tmp_path, monkeypatch):
    from classifier.models import stance_model

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "nothing")
    monkeypatch.delenv("STANCE_MODEL", raising=False)
    with pytest.raises(InputError, match="pass --model DIR"):
        classifier.load_model()
    monkeypatch.setenv("STANCE_MODEL", str(tiny_model_dir))
    assert classifier.load_model().model.path == tiny_model_dir
    with pytest.raises(InputError, match="no such model folder"):
        classifier.load_model("someone/not-a-model-here")  # offline: the hub cannot provide it


def test_import_classifier_is_light():
    code = "import sys, classifier; assert 'torch' not in sys.modules and 'transformers' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_prepare_items_is_what_stance_prepare_writes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China signed a deal.\n\nNATO was not invited.\n")
    (corpus / "empty.txt").write_text("")
    with pytest.warns(UserWarning, match="skipped"):
        items = list(classifier.prepare_items(corpus, skip_unreadable=True))
    assert sorted(i["actor"] for i in items) == ["China", "NATO", "Russia"]
    with pytest.raises(InputError, match="empty.txt"):
        list(classifier.prepare_items(corpus))
    with pytest.raises(InputError, match="corpus: expected the path of a folder of articles .* got int"):
        classifier.prepare_items(5)  # at the call
    articles = ({"id": str(n), "text": "NATO warned Moscow."} for n in range(2))  # told to pass list(...) of it
    with pytest.raises(InputError, match=r"lists? of dicts of articles; got generator \(pass list\(corpus\)\)$"):
        classifier.prepare_items(articles)


def test_prepare_items_reads_a_dataframe_as_the_same_frame_saved_to_parquet(tmp_path):
    """A DataFrame of articles (and a list of dicts, a Dataset) is read row by row as a table file is: the same
    items as the frame written to Parquet, the same columns= and warnings, its rows named by their index label.
    Before, prepare_items refused it: "write a DataFrame of articles to a file first"."""
    import datasets

    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": ["NATO warned Russia.", "China met the EU.", "Russia won."],
                          "source": ["x", "y", None], "title": ["Talks stall", None, "Result"],
                          "date": pd.to_datetime(["2011-04-07", "2011-04-07 14:05", None], format="ISO8601"),
                          "lang": "en"}, index=["p", "q", "r"])
    frame.to_parquet(tmp_path / "articles.parquet")
    with pytest.warns(InputWarning, match=r"articles.parquet:1: column 'lang' .language. not read"):
        saved = list(classifier.prepare_items(str(tmp_path / "articles.parquet")))
    with pytest.warns(InputWarning, match="^DataFrame: column 'lang' .language. not read"):
        assert list(classifier.prepare_items(frame)) == saved
    assert len(saved) == 5 and {i["date"] for i in saved} == {"2011-04-07", "2011-04-07T14:05:00", None}
    with pytest.warns(InputWarning, match="^row 1: column 'lang'"):  # NaT and None as given in the dicts
        assert list(classifier.prepare_items(frame.to_dict("records"))) == saved
    with pytest.warns(InputWarning, match="^Dataset: column 'lang'"):
        assert list(classifier.prepare_items(datasets.Dataset.from_pandas(frame, preserve_index=False))) == saved
    renamed = frame.drop(columns="lang").rename(columns={"text": "maintext", "date": "date_publish"})
    assert list(classifier.prepare_items(renamed, columns={"text": "maintext", "date": "date_publish"})) == saved
    for corpus, kw, message in (  # each message as it begins
            (renamed, {}, "row 1 (index 'p'): missing field 'text' (the row has 'id', 'maintext', 'source', 'title', "
                          "'date_publish'; an article row needs id and text); name the columns with "
                          "columns='text=maintext,date=date_publish'"),
            (renamed, {"columns": "text=maintxt"}, "DataFrame: no column 'maintxt' (columns='text=maintxt'); the "
                                                   "table has 'id', 'maintext'"),
            (frame.assign(text=["NATO won.", " ", "x"]), {}, "row 2 (index 'q'): empty 'text' (skip_unreadable"),
            (frame.assign(id="a"), {}, "row 2 (index 'q'): duplicate article id 'a'"),
            (frame.iloc[:0], {}, "DataFrame: empty (no rows)"),
            (frame.rename(columns={"title": "text"}), {}, "DataFrame: column 'text' appears twice"),
            (["NATO won."], {}, "row 1: expected a dict of column to value; got str 'NATO won.'"),
            (frame, {"manifest": "m.csv"}, "manifest='m.csv': applies to files of articles, not to a DataFrame")):
        with pytest.raises(InputError) as caught:
            list(classifier.prepare_items(corpus, **kw))
        assert str(caught.value).startswith(message), str(caught.value)


def test_prepare_items_warnings_name_the_callers_line(tmp_path):
    """Each warning of prepare_items names the line that called it (or took its items), in one process or in
    workers: they had named prepare.py or ingest.py, the skipped one as a plain UserWarning."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Russia and China signed a deal.\n")
    (corpus / "empty.txt").write_text("")
    (tmp_path / "ru.yaml").write_text("actors:\n  - name: Russia\n    names: [Russia, RF]\n")
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Russia won.", "Россия победила в войне против всех врагов."],
                          "date": ["03.04.2022", None], "lang": "en"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(classifier.prepare_items(corpus, skip_unreadable=True, actors=tmp_path / "ru.yaml"))
        list(classifier.prepare_items(frame))
        list(classifier.prepare_items(frame, workers=2))
    said = {(Path(w.filename).name, w.category, str(w.message).split(":")[0]) for w in caught}
    dates = "1 article has a date the report cannot read (e.g. '03.04.2022' at row 1 (index 0)"
    assert said == {(Path(__file__).name, classifier.InputWarning, text) for text in (
        str(tmp_path / "ru.yaml"), f"skipped {corpus / 'empty.txt'}", "DataFrame",
        "1 article does not read as English (Cyrillic script 1; e.g. b)")} | {
        (Path(__file__).name, DateWarning, dates)}, said  # an InputWarning too (actors suggest leaves it out)


def test_an_item_read_from_a_file_equals_the_same_item_made_here(tmp_path):
    from classifier.items import read_items

    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "1", "text": "Russia won.", "actor": "Russia", "spans": [[0, 6]]}\n')
    [read] = read_items(path)
    assert read._where == f"{path}:1"
    assert read == classifier.Item(id="1", text="Russia won.", actor="Russia", spans=[(0, 6)])


def test_the_lazy_names_are_listed_for_completion():
    assert {"load_model", "prepare_items", "train_model", "make_report", "Item"} <= set(dir(classifier))


def test_train_model_is_stance_train_as_a_function(tmp_path, tiny_model_dir, monkeypatch):
    """`stance train`'s steps (labels read, held-out split, training, old and new model compared, card, save) were
    the CLI's own: Python had `models.train.retrain`, which saves nothing. Now one function does them."""
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")  # never the real one
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=25, per_article=2))  # 5 held-out articles
    with pytest.raises(InputError, match=r"^lr=0: must be a number above 0 and at most 1"):
        classifier.train_model(labels, tmp_path / "bad", base=tiny_model_dir, lr=0)
    with pytest.raises(InputError, match=r"^labels: expected the path of a label file"):
        classifier.train_model(pd.DataFrame(), tmp_path / "bad", base=tiny_model_dir)
    assert not (tmp_path / "bad").exists()
    said = []
    result = classifier.train_model(str(labels), tmp_path / "ours", base=str(tiny_model_dir), epochs=1, n_boot=50,
                                    log=said.append, say=said.append)
    assert result.model_dir == tmp_path / "ours" and result.card_file == tmp_path / "ours" / "model_card.json"
    card = json.loads(result.card_file.read_text())
    assert result.comparison["models"] == ["new", "reference"] and result.comparison["n"] == 10
    assert card["comparison"]["metrics"]["new"]["macro_f1"] == result.comparison["metrics"]["new"]["macro_f1"]
    assert card["verdict"] == result.comparison["verdict"] and result.task == "stance"
    assert card["training"]["command"].startswith(f"classifier.train_model([{str(labels)!r}], ")
    assert said[0].startswith("50 labels: ") and said[-1].startswith(f"saved {tmp_path / 'ours'} (the last of 1 ")
    assert result.promoted is None and not result.promote_refused
    assert list(classifier.load_model(result.model_dir).classes_) == ["favor", "against", "neutral"]


def test_train_model_checks_its_numbers_by_trains_one_check(tmp_path, tiny_model_dir, monkeypatch):
    """train_model had checks of its own beside models.train.check_config_numbers (train's and the CLI's): lr=True
    passed its (a bool is an int) and was refused by retrain after the labels were read, as learning_rate=True; a
    numpy float32 test_fraction was refused as no number. One check now, naming train_model's own arguments."""
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")  # never the real one
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    with pytest.raises(InputError, match=r"^lr=True: must be a number above 0 and at most 1"):
        classifier.train_model(labels, tmp_path / "bad", base=tiny_model_dir, lr=True)
    with pytest.raises(InputError, match=r"^dev_fraction=0.95: expected a number from 0 to 0.9$"):
        classifier.train_model(labels, tmp_path / "bad", base=tiny_model_dir, dev_fraction=0.95)
    with pytest.raises(InputError, match=r"^pooling 'bogus': use cls or mention"):  # past test_fraction's check
        classifier.train_model(labels, tmp_path / "bad", base=tiny_model_dir, test_fraction=np.float32(0.25),
                               pooling="bogus")
    assert not (tmp_path / "bad").exists()


def test_train_model_names_its_own_arguments_not_the_clis_flags(tmp_path, tiny_model_dir, monkeypatch):
    """train_model's refusals told a Python caller to "add --overwrite", "add --promote", "pass --base minilm", and
    named --out, --file-weight, --teacher: flags it has no way to give. They name its arguments now (errors.option);
    the CLI's words, which tests/test_train_cli.py pins, are the same."""
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    default = tmp_path / "models" / "default"
    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", default)  # never the real one
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    shutil.copytree(tiny_model_dir, default)
    finished = tmp_path / "finished"
    shutil.copytree(tiny_model_dir, finished)
    for kwargs, said in [
        ({"out": default}, f"^out {re.escape(str(default))}: that is the shipped stance model; write elsewhere and "
                           "add promote=True "),
        ({"out": finished}, f"^out {re.escape(str(finished))}: holds a finished model; add overwrite=True to "),
        ({"file_weights": ["x"]}, r"^file_weights 'x': write PATH=WEIGHT"),
        ({"file_weights": {"other.jsonl": 2}}, r"^file_weights 'other.jsonl=2': other.jsonl is not one of the label"),
        ({"teacher": str(tmp_path)}, f"^teacher {re.escape(str(tmp_path))}: not a stance model directory"),
        ({"test_fraction": 0}, r"^test_fraction 0 holds out no article, .*: pass a fraction above 0, or test LABELS$"),
    ]:
        kwargs = {"out": tmp_path / "bad", "base": str(tiny_model_dir), **kwargs}
        with pytest.raises(InputError, match=said):
            classifier.train_model(labels, log=None, **kwargs)
    shutil.rmtree(default)  # no default model to start from
    with pytest.raises(InputError, match=r"no default model to start from \(for stance labels\); pass base='minilm'"):
        classifier.train_model(labels, tmp_path / "bad", log=None)
    assert not (tmp_path / "bad").exists()


def test_train_model_says_promote_true_refused_not_the_flag(tmp_path, tiny_model_dir, monkeypatch):
    """A promote=True run that keeps the default warned "--promote refused: ..." to a Python caller."""
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    default = tmp_path / "models" / "default"
    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", default)  # never the real one
    shutil.copytree(tiny_model_dir, default)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=10, per_article=2))
    with pytest.warns(InputWarning) as caught:
        result = classifier.train_model(labels, tmp_path / "ours", epochs=1, n_boot=20, promote=True, log=None,
                                        say=lambda line: None)
    refused = [str(w.message) for w in caught if "refused" in str(w.message)]
    assert result.promote_refused and refused and all(m.startswith("promote=True refused: ") for m in refused), refused


def test_train_model_with_log_none_writes_nothing_to_stderr(tmp_path, tiny_model_dir, monkeypatch, capfd):
    """log=None is a quiet call, but saving the model drew transformers' "Writing model shards" bar on stderr (the
    CLI hid it for the whole run: cli.app.quiet_libraries): the model is saved as it is loaded, bars off
    (models.base.quiet_loading), and the caller's setting is back after."""
    from transformers.utils import logging as hf_logging

    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")  # never the real one
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=10, per_article=2))
    hf_logging.enable_progress_bar()  # a notebook's setting (the default)
    capfd.readouterr()
    classifier.train_model(labels, tmp_path / "ours", base=str(tiny_model_dir), epochs=1, n_boot=0, log=None,
                           say=lambda line: None)
    err = capfd.readouterr().err
    assert "Writing model shards" not in err and "it/s" not in err, err
    assert hf_logging.is_progress_bar_enabled()  # put back as it was


def test_train_model_says_why_there_is_no_interval_where_no_table_says_it(tmp_path, tiny_model_dir, monkeypatch):
    """promote=True from Python warned "... too few held-out articles, as the note under the table says": Python
    shows no table. Without on_compared (the table's hook) the warning gives the reason itself."""
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    default = tmp_path / "models" / "default"
    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", default)  # never the real one
    shutil.copytree(tiny_model_dir, default)
    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=10, per_article=2))  # 2 held-out articles
    with pytest.warns(InputWarning) as caught:
        result = classifier.train_model(labels, tmp_path / "ours", epochs=1, n_boot=20, promote=True, log=None,
                                        say=lambda line: None)
    refused = " ".join(str(w.message) for w in caught if "refused" in str(w.message))
    assert result.promote_refused and "too few held-out articles, 2 where a bootstrap by article needs 5" in refused
    assert "table" not in refused, refused


def test_train_model_refuses_one_label_file_given_twice(tmp_path, tiny_model_dir):
    """train_model([f, f]) trained on f once, without a word: refused, naming file_weights for a heavier file."""
    from tests.test_train_cli import label_rows, write

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    (tmp_path / "link.jsonl").symlink_to(labels)
    with pytest.raises(InputError, match=r"link.jsonl: given twice \(as .*labels.jsonl too\) among the label "
                                         r"files; give each file once \(to weigh one more: file_weights\)$"):
        classifier.train_model([labels, tmp_path / "link.jsonl"], tmp_path / "m", base=str(tiny_model_dir))
    with pytest.raises(InputError, match=r"labels.jsonl: given twice among the label files"):
        classifier.train_model([str(labels), labels], tmp_path / "m", base=str(tiny_model_dir))
    assert not (tmp_path / "m").exists()


def test_train_model_names_its_arguments_in_retrains_refusals_too(tmp_path, tiny_model_dir, monkeypatch):
    """models.train.retrain's refusals told a Python caller to "pass --test LABELS", "change --seed", "lower
    --dev-fraction", and named "--base": they name train_model's arguments now (errors.option), the CLI's flags in
    the CLI (cli_flags), word for word as before."""
    from classifier.errors import cli_flags
    from classifier.models import stance_model
    from tests.test_train_cli import label_rows, write

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")  # never the real one
    (tmp_path / "afile").write_text("x")
    rows = [r | {"label": "favor"} for r in label_rows(n_articles=4, per_article=2)]
    rows += [r | {"label": "against"} for r in label_rows(n_articles=1, per_article=2, prefix="z")]
    mixed = write(tmp_path / "mixed.jsonl", rows)
    cases = [
        ({"labels": write(tmp_path / "one.jsonl", label_rows(n_articles=1, per_article=4))},
         "no held-out test items: label items from two or more articles, or pass {test} LABELS"),
        ({"labels": mixed, "test": write(tmp_path / "test.jsonl", [r | {"id": f"t{i}"} for i, r in
                                                                   enumerate(rows[-2:])])},
         "every training item is labelled 'favor'; label more articles of the other classes, or pass another {test}"),
        ({"labels": mixed, "base": str(tmp_path / "afile")}, "{base} " + str(tmp_path / "afile") + ": a file; pass"),
        ({"labels": write(tmp_path / "few.jsonl", label_rows(n_articles=3, per_article=1)), "dev_fraction": 0.5},
         "label more articles or lower {dev}$"),
    ]
    for kwargs, said in cases:
        kwargs = {"out": tmp_path / "m", "base": str(tiny_model_dir), "epochs": 1, "n_boot": 0, "log": None, **kwargs}
        with pytest.raises(InputError, match=re.escape(said.format(test="test", base="base", dev="dev_fraction")
                                                       ).replace(r"\$", "$")):
            classifier.train_model(**kwargs)
        with cli_flags(), pytest.raises(InputError, match=re.escape(said.format(
                test="--test", base="--base", dev="--dev-fraction")).replace(r"\$", "$")):
            classifier.train_model(**kwargs)
    assert not (tmp_path / "m").exists()


def test_train_model_refuses_a_label_file_given_as_test_too(tmp_path, tiny_model_dir):
    """train_model([f], test=f) held out every item of f and said 'only 0 training items ...; label more
    articles': refused before training, naming the file and the parameters."""
    from tests.test_train_cli import label_rows, write

    labels = write(tmp_path / "labels.jsonl", label_rows(n_articles=4, per_article=2))
    with pytest.raises(InputError, match=r"labels.jsonl: given among the files of test and among the label files "
                                         r"too; a file cannot both train the model and test it: give it to one of "
                                         r"them \(without test, test_fraction holds out articles of the label "
                                         r"files\)$"):
        classifier.train_model([labels], tmp_path / "m", test=str(labels), base=str(tiny_model_dir))
    assert not (tmp_path / "m").exists()


def test_a_saved_dataset_with_other_column_names_classifies_and_trains(tmp_path, tiny_model_dir, monkeypatch):
    import datasets
    from typer.testing import CliRunner

    from classifier.cli.app import app
    from classifier.models import stance_model

    monkeypatch.setattr(stance_model, "DEFAULT_MODEL_DIR", tmp_path / "models" / "default")
    words = {"favor": "praised", "against": "condemned", "neutral": "visited"}
    rows = [{"sentence": f"Russia {words[lab]} the plan.", "target": "Russia", "spans": [[0, 6]], "stance_gold": lab,
             "article": f"a{i % 6}"} for i, lab in enumerate(list(words) * 8)]
    folder = tmp_path / "ds"
    datasets.Dataset.from_list(rows).save_to_disk(str(folder))
    mapping = ["--text-column", "sentence", "--actor-column", "target", "--label-column", "stance_gold"]
    runner = CliRunner()
    out = tmp_path / "p.jsonl"
    result = runner.invoke(app, ["classify", str(folder), "--out", str(out), "--model", str(tiny_model_dir), "-q",
                                 *mapping])
    assert result.exit_code == 0, result.output
    predictions = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(predictions) == 24 and predictions[0]["text"] == rows[0]["sentence"]
    assert predictions[0]["label"] == "favor" and predictions[0]["id"] == "1"
    trained = runner.invoke(app, ["train", str(folder), "--out", str(tmp_path / "m"), "--base", str(tiny_model_dir),
                                  "--epochs", "1", "--n-boot", "0", "-q", *mapping])
    assert trained.exit_code == 0, trained.output
    bad = runner.invoke(app, ["classify", str(folder), "--out", str(tmp_path / "q.jsonl"), "--model",
                              str(tiny_model_dir), "--text-column", "body"])
    assert bad.exit_code == 1 and "no column 'body'" in bad.output and "Traceback" not in bad.output
    outside = tmp_path / "outside"  # a state.json that points at data elsewhere is refused, not read
    datasets.Dataset.from_list(rows).save_to_disk(str(outside))
    state = json.loads((folder / "state.json").read_text())
    arrow = next(outside.glob("*.arrow")).name
    state["_data_files"] = [{"filename": f"../outside/{arrow}"}]
    (folder / "state.json").write_text(json.dumps(state))
    bad = runner.invoke(app, ["classify", str(folder), "--out", str(tmp_path / "r.jsonl"), "--model",
                              str(tiny_model_dir), *mapping])
    assert bad.exit_code == 1 and "is outside the dataset folder" in " ".join(bad.output.split())


def test_evaluate_reads_predictions_saved_as_a_dataset(tmp_path):
    """stance evaluate on a save_to_disk folder of predictions gives the figures of the same rows as JSONL."""
    import datasets
    from typer.testing import CliRunner

    from classifier.cli.app import app

    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate import prediction_rows, write_jsonl

    rows = prediction_rows(90)
    folder = tmp_path / "preds"
    datasets.Dataset.from_list(rows).save_to_disk(str(folder))  # stance_scores as a struct column
    runner = CliRunner()
    metrics = {}
    for name, source in (("dataset", folder), ("jsonl", write_jsonl(tmp_path / "p.jsonl", rows))):
        out = tmp_path / f"{name}.json"
        result = runner.invoke(app, ["evaluate", str(source), "--out", str(out), "--n-boot", "100", "-q"])
        assert result.exit_code == 0, result.output
        metrics[name] = json.loads(out.read_text())
    assert metrics["dataset"]["n_labelled"] == 90
    assert metrics["dataset"]["overall"]["macro_f1"] == metrics["jsonl"]["overall"]["macro_f1"]
    assert metrics["dataset"]["overall"]["ci"] == metrics["jsonl"]["overall"]["ci"]


def test_the_python_functions_check_their_numbers_as_the_cli_does(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate import prediction_rows, write_jsonl

    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(30))
    with pytest.raises(InputError, match="n_bins 0: expected a whole number of at least 2"):
        classifier.evaluate_predictions(path, n_boot=0, n_bins=0)
    for bad, name in (({"n_perm": 0}, "n_perm 0"), ({"n_boot": -1}, "n_boot -1"), ({"min_n": 0.5}, "min_n 0.5")):
        with pytest.raises(InputError, match=name):
            classifier.make_report(path, tmp_path / "report", **bad)
    assert not (tmp_path / "report").exists()


def test_a_scored_frame_saved_as_a_file_is_evaluated_and_reported(model, tmp_path):
    """predict(frame) gives p_favor / p_against / p_neutral columns; evaluate and report read them as scores."""
    labels = ["favor", "against", "neutral"]
    frame = pd.DataFrame({"id": [f"i{i}" for i in range(30)], "text": ["Russia won."] * 30, "actor": ["Russia"] * 30,
                          "spans": [[[0, 6]]] * 30, "label": labels * 10, "source": ["A", "B"] * 15,
                          "article": [f"a{i % 6}" for i in range(30)]})
    scored = model.predict(frame)
    for suffix in ("jsonl", "parquet"):
        path = tmp_path / f"scored.{suffix}"
        scored.to_json(path, orient="records", lines=True) if suffix == "jsonl" else scored.to_parquet(path)
        metrics = classifier.evaluate_predictions(path, n_boot=0)
        expected = (scored["stance"] == scored["label"]).mean()
        assert metrics["n_labelled"] == 30 and metrics["overall"]["accuracy"] == pytest.approx(expected)
    classifier.make_report(tmp_path / "scored.jsonl", tmp_path / "report", n_boot=10, n_perm=10)
    assert (tmp_path / "report" / "report.html").exists()
    scored.assign(p_favor=2.0).to_json(tmp_path / "bad.jsonl", orient="records", lines=True)
    with pytest.raises(InputError, match="bad.jsonl:1: p_favor/p_against/p_neutral must be probabilities"):
        classifier.evaluate_predictions(tmp_path / "bad.jsonl", n_boot=0)


def test_odd_model_names_and_arguments_are_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").mkdir()
    for name in (".", "", "/"):  # no folder name: no staged backup beside it to look for
        with pytest.raises(InputError, match="not a model directory"):
            classifier.load_model(name)
    with pytest.raises(InputError, match="models/defualt: no such model folder"):
        classifier.load_model("models/defualt")  # a typo of a local folder, not a Hugging Face name
    with pytest.raises(InputError, match="unknown device None"):
        classifier.load_model(device=None)
    with pytest.raises(InputError, match="threads 0"):
        classifier.load_model(threads=0)
    for odd in (5, ["models/default"]):  # a TypeError from pathlib before
        with pytest.raises(InputError, match="path_or_name: expected a model folder or a Hugging Face name"):
            classifier.load_model(odd)


def test_stance_model_env_names_a_checkout_model_from_any_directory(tmp_path, monkeypatch):
    from classifier.models.stance_model import DEFAULT_MODEL_DIR, default_model_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STANCE_MODEL", "models/default")
    assert default_model_path() == DEFAULT_MODEL_DIR


def test_one_pair_a_dataset_dict_and_a_frame_for_a_path_say_what_to_pass(model, tmp_path):
    import datasets

    with pytest.raises(InputError, match=r"got one \(text, actor\) pair; pass a list of them"):
        model.predict(("NATO warned Moscow.", "NATO"))
    splits = datasets.DatasetDict({"test": datasets.Dataset.from_dict({"text": ["NATO won."], "actor": ["NATO"]})})
    with pytest.raises(InputError, match=r"a DatasetDict of splits \['test'\]: pass one split"):
        model.predict(splits)
    frame = pd.DataFrame({"id": ["1"], "stance": ["favor"]})
    with pytest.raises(InputError, match="path: expected the path of a predictions file .* got DataFrame"):
        classifier.evaluate_predictions(frame)
    with pytest.raises(InputError, match="predictions: expected the path .* got DataFrame"):
        classifier.make_report(frame, tmp_path / "r")


def test_the_catalogue_options_add_to_or_replace_the_bundled_one_as_the_cli_s_do(tmp_path, tiny_model_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Gazprom and Russia signed a deal with China.\n")
    extra = tmp_path / "gazprom.yaml"
    extra.write_text("actors:\n  - name: Gazprom\n    kind: company\n    names: [Gazprom]\n")
    actors = lambda **kw: sorted(i["actor"] for i in classifier.prepare_items(corpus, **kw))  # noqa: E731
    assert actors(actors=extra) == ["China", "Gazprom", "Russia"]
    assert actors(actors_only=extra) == ["Gazprom"]
    assert actors(only_actors="Russia") == ["Russia"]
    with pytest.raises(InputError, match="^only_actors: Atlantis not in the catalogue"):  # the Python name
        classifier.prepare_items(corpus, only_actors="Atlantis")
    with pytest.raises(InputError, match="^actors adds to the bundled catalogue and actors_only replaces it"):
        classifier.load_model(tiny_model_dir, actors=extra, actors_only=extra)
    added = classifier.load_model(tiny_model_dir, actors=extra)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [kremlin, gazprom] = added.predict([("The Kremlin said so.", "Russia"), ("Gazprom said so.", "Gazprom")])
    assert kremlin["spans_from"] == "catalogue" and gazprom["spans_from"] == "catalogue"
    import torch

    before = torch.get_num_threads()
    try:
        with pytest.warns(DeprecationWarning, match="now actors_only"):  # the earlier name still replaces it
            replaced = classifier.load_model(tiny_model_dir, catalogue=extra, threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)  # the rest of the tests run with all cores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert replaced.predict([("The Kremlin said so.", "Russia")])[0]["spans_from"] == "none"


def test_a_catalogue_is_a_list_of_dicts_checked_as_the_yaml_s_entries(tmp_path, tiny_model_dir):
    """actors= and actors_only= take the catalogue's actors as a list of dicts, as its YAML's actors: list holds
    them, with the YAML's checks and warnings, a problem named by its entry; they took a YAML path alone."""
    corpus = [{"id": "a", "text": "Gazprom and Russia signed a deal with China."}]
    gazprom = [{"name": "Gazprom", "kind": "company", "names": ["Gazprom"]}]
    actors = lambda **kw: sorted(i["actor"] for i in classifier.prepare_items(corpus, **kw))  # noqa: E731
    assert actors(actors=gazprom) == ["China", "Gazprom", "Russia"]
    assert actors(actors_only=gazprom) == ["Gazprom"] and actors(actors_only=[]) == []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [found] = classifier.load_model(tiny_model_dir, actors_only=gazprom).predict([("Gazprom said so.", "Gazprom")])
    assert found["spans_from"] == "catalogue"
    with pytest.warns(InputWarning, match=r"^Putin: taken from Russia by actors\[0\]"):
        assert actors(actors=[{"name": "Vladimir Putin", "kind": "person", "people": ["Vladimir Putin"]}]) == [
            "China", "Russia"]
    for given, message in (
            ([{"name": "Gazprom", "names": "Gazprom"}], "actors[0]: names: Input should be a valid list"),
            ([{"name": "Gazprom", "nmaes": ["Gaz"]}], "actors[0]: nmaes: Extra inputs are not permitted"),
            ([{"name": "Gazprom"}, "Rosneft"], "actors[1]: expected fields (name:, names:, …), got str 'Rosneft'"),
            ([{"name": "Gazprom"}, {"name": "gazprom"}], "actors[1]: actor 'gazprom' listed twice (also actors[0];"),
            ([{"name": "A", "names": ["Gaz"]}, {"name": "B", "names": ["gaz"]}],
             "actors[1]: the term 'gaz' belongs to both A and B"),
            ([{"name": "Gazprom", "names": ["Russia"]}], "actors[0]: Gazprom: 'Russia' is the bundled actor Russia's "
                                                          "own name")):
        with pytest.raises(InputError) as caught:
            actors(actors=given)
        assert str(caught.value).startswith(message), str(caught.value)
    with pytest.raises(InputError, match=r"^actors_only\[0\]: names: Input should be a valid list"):
        classifier.load_model(tiny_model_dir, actors_only=[{"name": "Gazprom", "names": "Gazprom"}])


def test_the_lower_level_predict_finds_the_mentions_of_an_item_given_without_spans(tiny_model_dir):
    from classifier.errors import InputWarning
    from classifier.models.stance_model import StanceModel

    model = StanceModel.load(tiny_model_dir)
    given = {"id": "1", "text": "The Kremlin rejected the offer.", "actor": "Russia", "spans": [[4, 11]]}
    missing = {key: value for key, value in given.items() if key != "spans"}
    with pytest.warns(InputWarning, match="found by the catalogue in 1"):
        [found] = model.predict([missing])
    assert found == {**model.predict([given])[0], "spans": [[4, 11]], "spans_from": "catalogue"}
    assert model.predict([{**given, "spans": []}])[0]["stance_scores"] != found["stance_scores"]  # [] stays


def test_errors_name_the_python_arguments_and_the_cli_its_flags(tmp_path):
    """A Python caller passed keyword arguments, not flags: the same error names ``engine='bad'`` here and
    ``--engine bad`` in the CLI (one message, ``classifier.errors.option``)."""
    from typer.testing import CliRunner

    from classifier.cli.main import app

    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate import prediction_rows, write_jsonl

    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(30))
    (tmp_path / "a-file").write_text("")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Russia won.\n")
    for call, message in (
            (lambda: classifier.load_model(engine="bad"), "engine='bad': expected one of"),
            (lambda: classifier.load_model(engine="onnx", device="cuda"),
             "device='cuda': only the torch engine runs on a GPU; use engine='torch'"),
            (lambda: classifier.make_report(path, tmp_path / "r", period="hour"), "period='hour': expected"),
            (lambda: classifier.make_report(path, tmp_path / "r", model_dir=tmp_path / "nope"),
             f"model_dir='{tmp_path / 'nope'}': no such model folder"),
            (lambda: classifier.make_report(path, tmp_path / "a-file"), f"out_dir='{tmp_path / 'a-file'}': a file"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus", encoding="klingon")),
             "encoding='klingon': not an encoding")):
        with pytest.raises(InputError) as caught:
            call()
        assert message in str(caught.value) and "--" not in str(caught.value)
    runner = CliRunner()
    for args, message in ((["classify", str(path), "--out", str(tmp_path / "o.jsonl"), "--engine", "bad"],
                           "--engine bad: expected one of"),
                          (["report", str(path), "--out", str(tmp_path / "r"), "--period", "hour"], "--period hour:"),
                          (["report", str(path), "--out", str(tmp_path / "a-file")], "--out "),
                          (["prepare", str(tmp_path / "corpus"), "--out", str(tmp_path / "i.jsonl"), "--encoding",
                            "klingon"], "--encoding klingon: not an encoding")):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and message in result.output, result.output
    assert not (tmp_path / "r").exists() and not (tmp_path / "o.jsonl").exists()


def test_the_engine_fallback_warning_names_the_argument(tmp_path, tiny_model_dir, monkeypatch):
    pytest.importorskip("onnxruntime")
    blocker = tmp_path / "not-a-folder"  # no ONNX cache can be written: auto falls back to torch
    blocker.write_text("a file where the cache would go\n")
    monkeypatch.setenv("STANCE_CACHE", str(blocker))
    with pytest.warns(UserWarning, match="engine='auto' scores with torch instead") as caught:
        model = classifier.load_model(tiny_model_dir, engine="auto")
    assert model.model.engine == "torch" and not any("--engine" in str(w.message) for w in caught)


def test_option_names_a_parameter_outside_the_cli_and_a_flag_inside():
    from classifier.errors import cli_flags, option

    assert [option("period", "day"), option("model_dir", Path("m"), flag="--model"), option("period")] == \
        ["period='day'", "model_dir='m'", "period"]
    with cli_flags():
        assert [option("period", "day"), option("model_dir", Path("m"), flag="--model"),
                option("trust_remote_code", True), option("n_boot")] == \
            ["--period day", "--model m", "--trust-remote-code", "--n-boot"]
        # a value a shell would split or drop is quoted as one takes it back, as repr quotes it outside the CLI
        assert [option("date_order", ""), option("out", Path("my items.jsonl")), option("max_article_chars", 5)] == \
            ["--date-order ''", "--out 'my items.jsonl'", "--max-article-chars 5"]
    assert option("period") == "period"  # the CLI's setting ends with its command


def test_loading_a_model_shows_no_bar_and_leaves_the_callers_transformers_settings(tiny_model_dir, capfd):
    """``StanceModel.load`` (and so ``load_model``) silences transformers' "Loading weights" bar and notes only
    while it loads: a notebook's own settings hold before and after."""
    from transformers.utils import logging as hf_logging

    from classifier.models.stance_model import StanceModel

    shown, verbosity = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.enable_progress_bar()
    hf_logging.set_verbosity_info()
    try:
        capfd.readouterr()
        StanceModel.load(tiny_model_dir)
        classifier.load_model(tiny_model_dir)
        err = capfd.readouterr().err
        assert "Loading weights" not in err and "loading" not in err.lower(), err
        assert hf_logging.is_progress_bar_enabled() and hf_logging.get_verbosity() == hf_logging.INFO
    finally:
        hf_logging.set_verbosity(verbosity)
        (hf_logging.enable_progress_bar if shown else hf_logging.disable_progress_bar)()


def test_the_public_names_and_their_methods_have_docstrings():
    """What a notebook's help() and tab completion show: every public function, class, method and property."""
    import inspect

    from classifier.models.stance_model import StanceModel

    missing = []
    for owner in [classifier.__getattr__(name) for name in classifier.__all__] + [StanceModel]:
        if not (owner.__doc__ or "").strip():
            missing.append(owner.__name__)
        if inspect.isclass(owner) and owner is not classifier.InputError:
            for name, member in vars(owner).items():
                function = getattr(member, "__func__", None) or getattr(member, "fget", None) or member
                if not name.startswith("_") and callable(function) and not (function.__doc__ or "").strip():
                    missing.append(f"{owner.__name__}.{name}")
    assert not missing, missing


def test_arguments_of_the_wrong_type_are_one_error_naming_the_argument(tmp_path):
    """A number, None or a frame where a path or names go: an InputError naming the argument, not a TypeError
    from pathlib or pyarrow. by=None is no grouping."""
    from typer.testing import CliRunner

    from classifier.cli.main import app

    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate import prediction_rows, write_jsonl

    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(30))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Russia won.\n")
    assert classifier.evaluate_predictions(path, by=None, n_boot=0)["groups"] == {}
    for call, message in (
            (lambda: classifier.evaluate_predictions(path, by=5), "by=5: expected a column name"),
            (lambda: classifier.evaluate_predictions(path, by=["source", 5]), "by=['source', 5]: expected a column"),
            (lambda: classifier.make_report(path, 5), "out_dir: expected the path of a folder for the report; got int"),
            (lambda: classifier.make_report(path, tmp_path / "r", model_dir=5),
             "model_dir: expected the path of a model folder; got int"),
            (lambda: classifier.make_report(path, tmp_path / "r", kind=5), "kind=5: expected a kind of sentence"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus", manifest=5)), "manifest: expected the path"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus", only_actors=5)),
             "only_actors: expected names, as 'Russia,China' or a list of them; got 5"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus", only_actors=" , ")),
             "only_actors: no actor names given (e.g. only_actors='Russia,China')"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus", actors=5)),
             "actors: expected the path of an actor catalogue (YAML), or a list of its actors as dicts; got int"),
            (lambda: classifier.load_model(actors_only=pd.DataFrame()), "actors_only: expected the path of an actor")):
        with pytest.raises(InputError) as caught:
            call()
        assert message in str(caught.value)
    assert not (tmp_path / "r").exists()
    result = CliRunner().invoke(app, ["prepare", str(tmp_path / "corpus"), "--out", str(tmp_path / "i.jsonl"),
                                      "--only-actors", " , "])
    assert result.exit_code == 1 and "--only-actors: no actor names given (e.g. --only-actors Russia,China)" in \
        result.output.replace("\n", ""), result.output


def test_report_and_prepare_errors_met_further_in_name_the_arguments_too(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_evaluate import prediction_rows, write_jsonl

    path = write_jsonl(tmp_path / "p.jsonl", prediction_rows(30))
    unlabelled = write_jsonl(tmp_path / "u.jsonl", prediction_rows(30, labelled=False))
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_bytes("Russia won. Caf\xe9.\n".encode("latin-1"))
    for call, message in (
            (lambda: classifier.make_report(path, tmp_path / "r", gold=unlabelled), "; gold needs predictions made"),
            (lambda: classifier.make_report(path, tmp_path), f"out_dir {tmp_path}: it holds the input"),
            (lambda: list(classifier.prepare_items(tmp_path / "corpus")), "re-save as UTF-8 or pass encoding")):
        with pytest.raises(InputError) as caught:
            call()
        assert message in str(caught.value) and "--" not in str(caught.value), str(caught.value)


def test_a_missing_models_folder_is_no_hub_name_outside_the_checkout(tmp_path, monkeypatch):
    from classifier.models import base

    looked_up = []

    def hub(name):  # no network in tests: say which names would have been looked up on the hub
        looked_up.append(name)
        raise InputError(f"{name}: looked up")

    monkeypatch.setattr(base, "check_hub_reachable", hub)
    monkeypatch.chdir(tmp_path)  # no models/ folder here
    for name in ("models/nosuch", "./m", "models/sub/m"):
        with pytest.raises(InputError, match=f"^{re.escape(name)}: no such model folder"):
            classifier.load_model(name)
    assert base.looks_like_path("models/nosuch") and not base.looks_like_path("org/name")
    with pytest.raises(InputError, match="org/name: looked up"):
        classifier.load_model("org/name")  # a Hub name, named so, is still looked up
    assert looked_up == ["org/name"]


def test_a_dataset_s_class_label_columns_are_read_by_their_names(model, tmp_path):
    """A Dataset given in Python reads a ClassLabel column (an outlet, a gold label) by its class names, as the
    same dataset saved to a folder is read (``hf_datasets.dataset_records``): prepare_items gave the outlets "0" and
    "1", and predict refused the gold label 1 ("expected one of favor, against, neutral")."""
    import datasets

    features = datasets.Features({"id": datasets.Value("string"), "text": datasets.Value("string"),
                                  "source": datasets.ClassLabel(names=["bbc", "rt"])})
    articles = datasets.Dataset.from_dict({"id": ["a", "b"], "text": ["Russia won.", "China lost."],
                                           "source": [0, 1]}, features=features)
    articles.save_to_disk(str(tmp_path / "articles"))
    items = list(classifier.prepare_items(articles))
    assert [i["source"] for i in items] == ["bbc", "rt"]
    from classifier.io.hf_datasets import iter_dataset

    assert [row["source"] for _, row in iter_dataset(tmp_path / "articles")] == ["bbc", "rt"]  # the folder's
    labels = datasets.ClassLabel(names=["favor", "against", "neutral"])
    scored = model.predict(datasets.Dataset.from_dict(
        {"text": ["Russia won.", "China lost."], "actor": ["Russia", "China"], "spans": [[[0, 6]], [[0, 5]]],
         "label": [1, -1]}, features=datasets.Features({"text": datasets.Value("string"),
                                                         "actor": datasets.Value("string"),
                                                         "spans": datasets.Sequence(datasets.Sequence(
                                                             datasets.Value("int64"))), "label": labels})))
    assert len(scored) == 2 and set(scored["stance"]) <= set(model.classes_)


def test_predict_refuses_a_frame_of_another_task_s_predictions_it_would_garble(model, tiny_sentiment_dir):
    """A frame scored by a stance model, scored again by a sentiment model (or the other way round), kept the
    stance column beside the sentiment model's p_neutral and model: a stance row with scores not summing to 1 and
    the wrong model named (evaluate_predictions' trained items, make_report's model). It is an error before any
    scoring; the same task again replaces its columns, and a user's own model or sentiment column is no such
    frame."""
    import datasets

    sentiment = classifier.load_model(tiny_sentiment_dir)
    frame = pd.DataFrame({"text": ["Russia won.", "China lost."], "actor": ["Russia", "China"],
                          "spans": [[[0, 6]], [[0, 5]]], "sentiment": ["positive", None], "model": ["x1", "x2"]})
    stance = model.predict(frame)  # a column of the user's named sentiment: no predictions
    assert set(stance["model"]) == {model.name} and stance["sentiment"].iloc[0] == "positive"
    assert list(model.predict(stance)["p_neutral"]) == list(stance["p_neutral"])  # the same task: replaced
    for scored, by in ((stance, sentiment), (sentiment.predict(frame.drop(columns="sentiment")), model),
                       (datasets.Dataset.from_pandas(stance.drop(columns="sentiment")), sentiment)):
        other = "stance" if by is sentiment else "sentiment"
        with pytest.raises(InputError, match=rf"^the (DataFrame|Dataset) holds {other} predictions \({other}, p_.*\); "
                                             rf"the {by.model.task.name} model's columns model, p_neutral would "
                                             "replace theirs"):
            by.predict(scored)


def test_prepare_items_reads_numpy_values_in_a_list_of_dicts():
    """A list of dicts made from numpy arrays holds np.int64 ids and np.datetime64 dates: read as the Python values
    they are (the same items as int and datetime), where they were refused ("'id' must be text or a number, not
    int64"); an array in a cell is refused as a list is, where it was a ValueError (or "not ndarray")."""
    text = "Russia and China signed a deal."
    plain = [{"id": 5, "text": text, "date": datetime.datetime(2022, 3, 4)},
             {"id": 6, "text": text, "date": datetime.datetime(1500, 3, 4, 5, 6, 7)}, {"id": 7, "text": text}]
    arrays = [{"id": np.int64(5), "text": text, "date": np.datetime64("2022-03-04")},
              {"id": np.float32(6.0), "text": text, "date": np.datetime64("1500-03-04T05:06:07")},
              {"id": np.uint8(7), "text": text, "date": np.datetime64("NaT")}]
    items = list(classifier.prepare_items(arrays))
    assert items == list(classifier.prepare_items(plain)) and {i["date"] for i in items} == {
        "2022-03-04", "1500-03-04T05:06:07", None}
    for rows in ([{"id": "a", "text": text, "source": np.array(["x", "y"])}],
                 pd.DataFrame({"id": ["a"], "text": [text], "source": [np.array(["x", "y"])]})):
        with pytest.raises(InputError, match=r"^row 1( \(index 0\))?: 'source' must be text or a number, not a list"):
            list(classifier.prepare_items(rows))


def test_prepare_items_names_a_frame_s_number_columns_by_their_text():
    """A DataFrame made from lists has columns 0, 1: they are '0', '1' (as to_csv names them), which columns= can
    name and messages list; columns= could not name them ("no column '0' ...; the table has " and nothing)."""
    text = "Russia and China signed a deal."
    named = pd.DataFrame({"id": ["a", "b"], "text": [text, text]})
    numbered = pd.DataFrame([["a", text], ["b", text]])
    assert list(classifier.prepare_items(numbered, columns={"id": "0", "text": "1"})) == list(
        classifier.prepare_items(named))
    with pytest.raises(InputError, match=r"^row 1 \(index 0\): missing fields 'id' and 'text' \(the row has '0', '1';"):
        list(classifier.prepare_items(numbered))
    with pytest.raises(InputError, match="^DataFrame: column '0' appears twice"):
        list(classifier.prepare_items(numbered.set_axis(["0", 0], axis=1)))


def test_a_warning_names_code_without_a_file_even_run_from_the_package_folder(monkeypatch):
    """python -c (code named "<string>") run in the package's own folder: errors.warn_caller took "<string>" for a
    file of the package (its path made absolute there), passed it, and named no line ("sys:1")."""
    from classifier.errors import warn_caller

    monkeypatch.chdir(Path(classifier.__file__).parent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile("warn_caller('a note')", "<string>", "exec"), {"warn_caller": warn_caller})
    assert [(w.filename, w.lineno, str(w.message)) for w in caught] == [("<string>", 1, "a note")]


def test_each_public_function_s_warnings_name_the_callers_line(tiny_model_dir, tmp_path, monkeypatch):
    """Every warning a notebook meets through load_model, predict, predict_proba, evaluate_predictions and make_report
    names the line that called it (as prepare_items' do, errors.warn_caller): load_model(engine='auto')'s fall back to
    torch had named api.py (a fixed stacklevel counted from load_engine)."""
    from classifier.predict.onnx import ExportUnwritable, OnnxStanceModel

    def unwritable(*args, **kwargs):
        raise ExportUnwritable("the cache cannot take the export")

    monkeypatch.setattr(OnnxStanceModel, "load", unwritable)
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Russia won.", "China lost.", "Russia lost."],
                          "actor": ["Russia", "China", "Russia"], "label": ["favor", "against", "against"]})
    path = tmp_path / "scored.parquet"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = classifier.load_model(tiny_model_dir, engine="auto")
        model.predict(frame).to_parquet(path)
        model.predict_proba([("NATO warned Moscow.", "NATO")])
        classifier.evaluate_predictions(path, compare=path, n_boot=0, model_dir=tiny_model_dir)
        classifier.make_report(path, tmp_path / "report", gold=path, n_boot=10, n_perm=10)
    said = [(Path(w.filename).name, w.category, str(w.message)[:40]) for w in caught]
    assert len(said) >= 7 and {(name, category) for name, category, _ in said} == {
        (Path(__file__).name, InputWarning)}, said


def test_actors_may_be_actor_objects_beside_dicts(tiny_model_dir):
    """actors=[Actor(...), {...}]: an Actor made in Python is taken as its dict is, checked again the same way; it
    had been refused ("expected fields (name:, names:, …), got Actor")."""
    from classifier.actors import Actor

    articles = [{"id": "a", "text": "Acme Corp sued Globex over the deal."}]
    entries = [Actor(name="Acme", kind="company", names=["Acme Corp"]), {"name": "Globex", "names": ["Globex"]}]
    as_dicts = [entries[0].model_dump(exclude_unset=True), entries[1]]
    items = list(classifier.prepare_items(articles, actors_only=entries))
    assert items == list(classifier.prepare_items(articles, actors_only=as_dicts))
    assert sorted(item["actor"] for item in items) == ["Acme", "Globex"]
    model = classifier.load_model(tiny_model_dir, actors_only=entries)
    with pytest.warns(InputWarning, match="found by the catalogue in 1"):
        assert model.predict([("Acme Corp sued.", "Acme")])[0]["spans"] == [[0, 9]]
    changed = Actor(name="Acme", names=["Acme Corp"])
    changed.names = [" "]  # pydantic does not check an assignment: checked again as a dict's field would be
    with pytest.raises(InputError, match=r"^actors\[1\]: names: Value error, an empty term would match everywhere"):
        list(classifier.prepare_items(articles, actors=[entries[1], changed]))


def test_a_model_that_fails_mid_run_raises_its_own_error_and_leaves_no_partial_output(tiny_model_dir, tmp_path,
                                                                                      monkeypatch):
    """In Python a model's error (a CUDA error, out of memory) stays the exception torch raised, for the caller to
    catch: load_model(...).predict writes nothing, and the library's classify keeps the batches scored before it in
    its journal (which resume=True continues), with no output written. Where the library knows the model, a note
    under the traceback names it, and what it was doing."""
    from transformers import BertForSequenceClassification

    from classifier.items import Item
    from classifier.predict import batch

    model = classifier.load_model(tiny_model_dir, engine="torch")
    real, calls = BertForSequenceClassification.forward, []

    def failing(self, *args, **kwargs):  # the third forward pass on
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real(self, *args, **kwargs)

    monkeypatch.chdir(tmp_path)
    items = [Item(id=f"i{i}", text=f"NATO met Russia on day {i}.", actor="NATO", spans=[(0, 4)]) for i in range(10)]
    monkeypatch.setattr(BertForSequenceClassification, "forward", failing)
    with pytest.raises(RuntimeError, match="CUDA out of memory"):
        model.predict([(f"NATO met {i}.", "NATO") for i in range(200)], batch_size=2)
    calls.clear()
    out = tmp_path / "p.jsonl"
    with pytest.raises(RuntimeError, match="CUDA out of memory") as raised:
        batch.classify(items, model.model, out, batch_size=2)
    assert f"(raised by the model {tiny_model_dir} as it tried to score the items)" in raised.value.__notes__
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl.partial.jsonl"]
    assert len(batch.journal_path(out).read_text().splitlines()) == 4
    monkeypatch.setattr(BertForSequenceClassification, "forward", real)
    summary = batch.classify(items, model.model, out, batch_size=2, resume=True)
    assert (summary.resumed, summary.predicted) == (4, 6) and sorted(p.name for p in tmp_path.iterdir()) == \
        [".p.jsonl.fingerprint.json", "p.jsonl"]


def test_classify_items_writes_the_predictions_file_from_a_notebooks_objects(model, tmp_path):
    """classifier.classify_items (stance classify's journaled run) takes what load_model returns, a str out, the
    dicts prepare_items gives and a one-pass iterator: read_items(path) once gave the first pass alone its items,
    and an empty file."""
    from classifier.items import read_items

    rows = [{"id": f"i{n}", "text": f"Russia won {n}.", "actor": "Russia", "spans": [[0, 6]]} for n in range(3)]
    items_path = tmp_path / "items.jsonl"
    items_path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "from_iterator.jsonl"
    summary = classifier.classify_items(read_items(items_path, need_actor=True), model, str(out))
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert summary.items == 3 and [r["id"] for r in written] == ["i0", "i1", "i2"]
    assert all(r["stance"] in model.classes_ and r["model"] == model.name for r in written)
    classifier.classify_items(rows, model, tmp_path / "from_dicts.jsonl")  # prepare_items' records
    assert (tmp_path / "from_dicts.jsonl").read_text() == out.read_text()
    with pytest.raises(InputError, match="not the path .*read_items"):
        classifier.classify_items(str(items_path), model, tmp_path / "p.jsonl")


def test_classify_items_finds_the_mentions_of_items_without_spans_as_stance_classify_does(model, tmp_path):
    """Dicts and Items without spans have their actor's mentions found (catalogue, else name) and a warning counts
    them, as stance classify does for an items file's rows; they were scored with spans [] (the actor unmarked)."""
    rows = [{"id": "a", "text": "NATO warned Moscow.", "actor": "NATO"},
            {"id": "b", "text": "Acme Corp sued.", "actor": "Acme Corp", "spans": None},
            {"id": "c", "text": "It rained.", "actor": "Chile", "source": "x"}]
    with pytest.warns(InputWarning, match="3 of 3 items had no spans: .* catalogue in 1, by name in 1, .* in 1"):
        classifier.classify_items(rows, model, tmp_path / "dicts.jsonl")
    written = [json.loads(line) for line in (tmp_path / "dicts.jsonl").read_text().splitlines()]
    assert [(r["spans"], r["spans_from"]) for r in written] == [([[0, 4]], "catalogue"), ([[0, 9]], "name"),
                                                                  ([], "none")]
    items = [classifier.Item(**{k: v for k, v in row.items() if v is not None}) for row in rows]
    with pytest.warns(InputWarning, match="3 of 3 items had no spans"):
        classifier.classify_items(items, model, tmp_path / "items.jsonl")
    assert (tmp_path / "items.jsonl").read_text() == (tmp_path / "dicts.jsonl").read_text()
    with warnings.catch_warnings():  # spans given (or []): as they are, no warning
        warnings.simplefilter("error")
        classifier.classify_items([{**rows[0], "spans": []}], model, tmp_path / "given.jsonl")
    assert json.loads((tmp_path / "given.jsonl").read_text())["spans"] == []


def test_predict_refuses_an_unknown_gold_label_as_classify_and_evaluate_do(model):
    """A frame or list whose label is no task's ("pro") passed silently, and evaluate refused the file it made."""
    with pytest.raises(InputError, match=r"^item 2: unknown label 'pro'; expected one of against, favor, neutral$"):
        model.predict([{"text": "NATO warned.", "actor": "NATO", "spans": [[0, 4]], "label": "favor"},
                       {"text": "NATO warned.", "actor": "NATO", "spans": [[0, 4]], "label": "pro"}])
    frame = pd.DataFrame({"text": ["NATO warned."], "actor": ["NATO"], "label": ["pro"]}, index=["r1"])
    with pytest.raises(InputError, match=r"^item 1 \(index 'r1'\): unknown label 'pro'"):
        model.predict(frame)
    with pytest.raises(InputError, match="a sentiment label .'positive'."):
        model.predict([{"text": "NATO warned.", "actor": "NATO", "spans": [[0, 4]], "label": "positive"}])


def test_an_empty_text_is_refused_before_the_mentions_are_looked_for(model):
    """The mentions warning came first, counting an input that was then refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match="^item 2: text: empty text"):
            model.predict([("NATO warned.", "NATO"), ("", "NATO")])
