import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from classifier.cli.app import app

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.fixture(scope="module")
def seed_items(tmp_path_factory):
    out = tmp_path_factory.mktemp("prep") / "items.jsonl"
    result = run("prepare", SEEDS, "--out", out)
    assert result.exit_code == 0, result.output
    return read_jsonl(out)


def test_seed_items_cover_the_actors_a_reader_would_tag(seed_items):
    by_sentence = {}
    for item in seed_items:
        by_sentence.setdefault(item["text"], set()).add(item["actor"])
    expect = {
        "This time Russia and China collectively are challenging Biden’s moves.": {"Russia", "China", "United States"},
        "That 21st century is experiencing a perfect example of mutual Cooperation in the shape of sino-russian ties.": {"Russia", "China"},
        "Putin and Xi Jinping have unending supportive visions.": {"Russia", "China"},
        "During his visit, Lavrov is set to engage in discussions with Wang.": {"Russia", "China"},
        "These agreements serve as tangible evidence of the deepening ties between Moscow and Beijing.": {"Russia", "China"},
        "The USA is trying hard to sustain the status of sole supreme power on earth.": {"United States"},
    }
    for sentence, actors in expect.items():
        assert by_sentence[sentence] == actors, sentence
    nato = [i for i in seed_items if i["actor"] == "NATO"]
    assert any("US-led NATO" in i["text"] for i in nato)
    assert {"Ukraine", "NATO", "United States"} <= {i["actor"] for i in seed_items}


def test_no_item_from_teasers_or_comment_forms(seed_items):
    texts = " ".join(i["text"] for i in seed_items)
    for furniture in ("Pandora Papers", "Crimea water crisis", "Baltic", "Taliban in Kabul", "Please enter",
                      "Read more", "Also Read", "comments on", "Tajikistan", "Khartoum"):
        assert furniture not in texts


def test_item_schema_and_spans(seed_items):
    item = seed_items[0]
    for field in ("id", "article", "source", "sentence_index", "text", "actor", "spans", "kind", "title", "date"):
        assert field in item
    for item in seed_items:
        for start, end in item["spans"]:
            assert 0 <= start < end <= len(item["text"])
    assert len({i["id"] for i in seed_items}) == len(seed_items)
    sources = {i["source"] for i in seed_items}
    assert {"TDI", "RT"} <= sources  # from seeds/manifest.csv
    assert any(i["kind"] == "headline" for i in seed_items)


def test_parquet_and_csv_outputs(tmp_path):
    assert run("prepare", SEEDS, "--out", tmp_path / "items.parquet").exit_code == 0
    frame = pd.read_parquet(tmp_path / "items.parquet")
    assert {"id", "text", "actor", "spans"} <= set(frame.columns)
    assert run("prepare", SEEDS, "--out", tmp_path / "items.txt", "--format", "csv").exit_code == 0
    assert pd.read_csv(tmp_path / "items.txt")["actor"].notna().all()


def test_explain_reports_dropped_lines(tmp_path):
    result = run("prepare", SEEDS, "--out", tmp_path / "i.jsonl", "--explain")
    assert "related-block" in result.output and "comment-form" in result.output


def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("Russia and China met in Beijing.\n", encoding="utf-8")
    return folder


def test_skip_unreadable_skips_bad_files_with_a_warning_and_counts_them(tmp_path, monkeypatch):
    from classifier import ingest

    monkeypatch.setattr(ingest, "NAMED_NO_ARTICLES", 10)  # each named (a run names the first 3, the test below)
    folder = corpus(tmp_path)
    (folder / "latin.txt").write_bytes("Caf\xe9 in Moscow.".encode("latin-1"))
    (folder / "empty.txt").write_text("  \n")
    (folder / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "private.txt").write_text("Russia condemned China.")
    (folder / "link.txt").symlink_to(tmp_path / "private.txt")  # a link out of the corpus is not followed
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.txt").write_text("China praised NATO.")
    (folder / "sub").symlink_to(tmp_path / "elsewhere")  # nor is a link to a folder, but both are named
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--skip-unreadable")
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "latin.txt: not UTF-8" in said
    assert "empty.txt: empty file" in said
    assert "blob.txt: binary file" in said
    assert "link.txt: a link to a file outside the corpus folder" in said
    assert "sub: a link to a folder, not followed" in said and "gone.txt: a link to a file that does not exist" in said
    assert "5 files skipped" in said
    assert {i["article"] for i in read_jsonl(out)} == {"good"}


def test_a_folder_of_many_unreadable_files_names_the_first_three_and_counts_the_rest_in_one_line(tmp_path):
    """With --skip-unreadable each unreadable file of a folder was one warning line: a folder of 5,000 broken files
    flooded the terminal. They follow the rule of a table's rows without text: three named, the rest in one line
    from the first of them on; the summary counts all, in the CLI and in prepare_items."""
    folder = corpus(tmp_path)
    for i in range(5):
        (folder / f"bad{i}.txt").write_bytes(b"\x00\x01\x02binary")
    said, warned, articles = prepared_skipping(folder, tmp_path)
    assert [f"skipped {folder / f'bad{i}.txt'}: binary file" in said for i in range(5)] == [True] * 3 + [False] * 2
    assert (f"skipped 2 more unreadable files (2 binary), as the 3 above (from {folder / 'bad3.txt'} on; not named "
            "one by one)") in said
    assert "5 files skipped" in said and said.count("warning:") == 4
    assert articles == {"good"}
    assert len(warned) == 4 and "skipped 2 more unreadable files" in warned[-1]


def prepared_skipping(source, tmp_path) -> tuple[str, list[str], set[str]]:
    """What `stance prepare SOURCE --skip-unreadable` said (on one line; it must end with 0), and the warnings and the
    articles of ``prepare_items(SOURCE, skip_unreadable=True)``."""
    import classifier

    result = run("prepare", source, "--out", tmp_path / "items.jsonl", "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    with pytest.warns(UserWarning) as caught:
        articles = {item["article"] for item in classifier.prepare_items(source, skip_unreadable=True)}
    return said, [str(warning.message) for warning in caught], articles


def test_the_line_of_the_unreadable_files_not_named_counts_their_reasons(tmp_path):
    """The files past the first 3 were told as 'skipped 7 more unreadable files', whatever each was: binary, empty,
    UTF-16 without a byte-order mark told apart, with counts, the most first, still in one line (the CLI's and
    prepare_items')."""
    import classifier

    folder = corpus(tmp_path)
    for i in range(7):
        (folder / f"bad{i}.txt").write_bytes(b"\x00\x01\x02binary")
    for i in range(2):
        (folder / f"empty{i}.txt").write_bytes(b"")
    (folder / "wide.txt").write_bytes("Russia warned NATO on Monday about the talks.\n".encode("utf-16-le"))
    result = run("prepare", folder, "--out", tmp_path / "items.jsonl", "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    line = (f"skipped 7 more unreadable files (4 binary, 2 empty, 1 UTF-16 without a byte-order mark), as the 3 "
            f"above (from {folder / 'bad3.txt'} on; not named one by one)")
    assert line in said and said.count("warning:") == 4 and "10 files skipped" in said
    with pytest.warns(UserWarning) as caught:
        assert {item["article"] for item in classifier.prepare_items(folder, skip_unreadable=True)} == {"good"}
    assert str(caught[-1].message) == line


def test_a_file_that_cannot_be_opened_is_named_once_with_the_systems_words(tmp_path, monkeypatch):
    """A file without read permission said '[Errno 13] Permission denied: '/path/x.txt'', its path a second time;
    now 'x.txt: cannot read (Permission denied)', as other unreadable files are told (root reads any file, so the
    refusal is made here)."""
    folder = corpus(tmp_path)
    (folder / "locked.txt").write_text("Russia spoke.\n")
    read_bytes = Path.read_bytes

    def refuse(path):
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    out = tmp_path / "items.jsonl"
    refused = run("prepare", folder, "--out", out)
    said = " ".join(refused.output.split())
    assert refused.exit_code == 1 and not out.exists(), said
    assert said == f"error: {folder / 'locked.txt'}: cannot read (Permission denied) (--skip-unreadable skips such " \
        "files)"
    result = run("prepare", folder, "--out", out, "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"skipped {folder / 'locked.txt'}: cannot read (Permission denied)" in said
    assert "Errno" not in said and "1 file skipped" in said


def test_a_markdown_article_loses_its_heading_marks_and_keeps_its_headings(tmp_path):
    # "# Ukraine seeks shells" was scored as the headline with its "# " (and "## ... ##" as a sub-heading's text)
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = ("# Russia and China meet in Moscow\n\nPutin hosted Xi on Monday, and **Russia** praised China.\n\n"
            "  ## What NATO said ##\n\nNATO warned of the talks.\n\n#NATO trended online.\n")
    (folder / "a.md").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text, encoding="utf-8")  # a .txt file is read as written
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out).exit_code == 0
    kinds = {(i["article"], i["text"]): i["kind"] for i in read_jsonl(out)}
    assert kinds[("a", "Russia and China meet in Moscow")] == "headline"
    assert kinds[("a", "What NATO said")] == "subheading"
    assert kinds[("a", "Putin hosted Xi on Monday, and **Russia** praised China.")] == "body"  # emphasis is kept
    assert ("a", "#NATO trended online.") in kinds  # a hashtag is no heading
    assert ("b", "# Russia and China meet in Moscow") in kinds


def test_a_table_inside_the_corpus_folder_is_named_as_not_read(tmp_path):
    # a researcher's folder of .txt articles with a spreadsheet of more articles beside them: the table is not
    # read (it would be one input of its own), and that was said nowhere: 4 articles went missing without a word
    folder = corpus(tmp_path)
    (folder / "manifest.csv").write_text("file,source\ngood.txt,RT\n", encoding="utf-8")
    (folder / "more.csv").write_text("id,text\na1,NATO warned Moscow.\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "rows.jsonl").write_text('{"id": "a2", "text": "China met Russia."}\n', encoding="utf-8")
    (folder / ".hidden.csv").write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"{folder / 'more.csv'}, {folder / 'sub' / 'rows.jsonl'}: 2 tables in the corpus folder, not read" in said
    assert "stance prepare TABLE" in said and "manifest.csv" not in said and "hidden" not in said
    assert {i["article"] for i in read_jsonl(out)} == {"good"}
    (folder / "more.csv").unlink(), (folder / "sub" / "rows.jsonl").unlink()
    assert "not read" not in run("prepare", folder, "--out", out).output  # a manifest alone is no such table


def test_the_toolkit_s_own_tables_in_the_corpus_folder_are_not_named_as_unread(tmp_path):
    """'stance prepare corpus/ --out corpus/items.jsonl' is allowed, and the next run named that items file as "a
    table in the corpus folder, not read". Items, labels and predictions (an actor, spans, a stance) are known by
    their first record, header or Parquet schema; a table of articles beside them is still named."""
    folder = corpus(tmp_path)
    assert run("prepare", folder, "--out", folder / "items.jsonl", "-q").exit_code == 0
    pd.DataFrame([{"id": "p1", "text": "Russia won.", "actor": "Russia", "stance": "favor"}]).to_parquet(
        folder / "predictions.parquet")
    (folder / "gold.csv").write_text("id;text;actor;label\ng1;Russia won.;Russia;favor\n", encoding="utf-8")
    (folder / "scores.jsonl").write_text('\n{"id": "s1", "text": "It rained.", "sentiment": "neutral"}\n')
    out = tmp_path / "again.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0 and "not read" not in result.output, result.output
    assert read_jsonl(out) == read_jsonl(folder / "items.jsonl")
    pd.DataFrame([{"id": "a1", "text": "NATO warned Moscow.", "source": "RT"}]).to_parquet(folder / "more.parquet")
    (folder / "bad.jsonl").write_text('{"id": "b1", "text": "Russia won.", "actor": ')  # no record at all
    said = " ".join(run("prepare", folder, "--out", out).output.split())
    assert f"{folder / 'bad.jsonl'}, {folder / 'more.parquet'}: 2 tables in the corpus folder, not read" in said


def test_a_hidden_folder_is_not_walked_into(tmp_path, monkeypatch):
    """Two walks of the folder each went through every file of its .git (204,800 files took seconds) before
    dropping them as hidden; one walk now serves the articles and the tables, and leaves hidden folders out."""
    import os

    folder = corpus(tmp_path)
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "objects" / "x.txt").write_text("Russia and China met.\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_text("NATO met in Brussels.\n")
    scanned, scandir = [], os.scandir
    monkeypatch.setattr(os, "scandir", lambda path=".": scanned.append(Path(path)) or scandir(path))
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "-q").exit_code == 0
    assert {i["article"] for i in read_jsonl(out)} == {"good", "sub/b"}
    assert folder / "sub" in scanned and not [path for path in scanned if ".git" in path.parts], scanned
    scanned.clear()  # a manifest row naming a missing file: the names compared by case are walked the same way
    (folder / "manifest.csv").write_text("file,outlet\ngood.txt,RT\nsub/gone.txt,RT\n")
    said = " ".join(run("prepare", folder, "--out", out, "--skip-unreadable").output.split())
    assert "sub/gone.txt" in said and folder / "sub" in scanned, said
    assert not [path for path in scanned if ".git" in path.parts], scanned


@pytest.mark.parametrize("flags", [[], ["--strict"]])  # --strict: the old name of the default, still accepted
def test_a_bad_file_is_an_error_naming_it_and_nothing_is_written(tmp_path, flags):
    folder = corpus(tmp_path)
    (folder / "latin.txt").write_bytes("Caf\xe9 in Moscow.".encode("latin-1"))
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, *flags)
    assert result.exit_code == 1
    assert "latin.txt: not UTF-8" in result.output and "--skip-unreadable" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and list(tmp_path.glob(".items.jsonl*")) == []


def test_a_word_document_under_a_text_name_is_told_to_be_saved_as_text(tmp_path):
    """A Word (.docx) or LibreOffice (.odt) document renamed .txt, as a folder of saved articles holds, said "a ZIP
    archive, not text or a table; unzip it and give the file it holds (JSON lines, CSV or Parquet)": the wrong fix
    for an article. Told by its bytes, it says to save the document as plain text."""
    import zipfile

    folder = corpus(tmp_path)
    for name, entries in {"word.txt": {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"},
                          "writer.txt": {"mimetype": "application/vnd.oasis.opendocument.text",
                                         "content.xml": "<office:document-content/>"}}.items():
        with zipfile.ZipFile(folder / name, "w") as archive:
            for entry, text in entries.items():
                archive.writestr(entry, text)
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", folder, "--out", out, "--skip-unreadable").output.split())
    for name, kind in (("word.txt", ".docx"), ("writer.txt", ".odt")):
        assert f"{name}: a word-processor document ({kind}, by its bytes) is not read; save it as plain text" in said
    assert "unzip" not in said and "2 files skipped" in said
    refused = run("prepare", folder, "--out", tmp_path / "again.jsonl")
    assert refused.exit_code == 1 and "a word-processor document" in refused.output and "Traceback" not in refused.output



def test_a_pdf_under_an_article_name_is_told_to_be_saved_as_text(tmp_path):
    """A PDF saved as page.html said "binary file (NUL bytes ...; if it is UTF-16 text ..., pass --encoding
    utf-16-le)"; one with no NUL byte near its start said "not UTF-8 ... pass --encoding cp1252", and with that option
    (which a cp1252 page in the same folder needs) its markup became an article's sentences. Told by its header, it
    is refused as a PDF whatever the encoding."""
    folder = corpus(tmp_path)
    (folder / "report.html").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 9 >>\nstream\nx\x9c\x00\x01"
                                         b"\nendstream\nendobj\n%%EOF\n")
    (folder / "notes.txt").write_bytes(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                                       b"(Russia said NATO was wrong.) Tj\n%%EOF\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--skip-unreadable", "--encoding", "cp1252")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    for name in ("report.html", "notes.txt"):
        assert f"{name}: a PDF document (by its bytes) is not read; save its text as plain text" in said
    assert "utf-16" not in said and "2 files skipped" in said
    assert not any(row["article"] == "notes" for row in read_jsonl(out))
    refused = run("prepare", folder, "--out", tmp_path / "again.jsonl")
    assert refused.exit_code == 1 and "a PDF document" in refused.output and "Traceback" not in refused.output


def test_encoding_option_reads_legacy_files(tmp_path):
    folder = corpus(tmp_path)
    (folder / "latin.txt").write_bytes("Caf\xe9 talk with Moscow.".encode("latin-1"))
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "--encoding", "latin-1").exit_code == 0
    assert any(i["text"].startswith("Café") for i in read_jsonl(out))


def test_a_manifest_row_for_a_file_that_is_not_read_says_why(tmp_path):
    folder = corpus(tmp_path)
    (folder / "c.pdf").write_bytes(b"%PDF")
    (folder / ".b.txt").write_text("Russia spoke.")
    (folder / "manifest.csv").write_text("file,source\ngood.txt,A\nc.pdf,B\n.b.txt,C\nmissing.txt,D\n")
    result = run("prepare", folder, "--out", tmp_path / "items.jsonl", "--skip-unreadable", "-q")
    said = " ".join(result.output.split())
    assert "manifest.csv:3: lists 'c.pdf', which is not an article file (.txt, .md, .html, .htm)" in said
    assert "manifest.csv:4: lists '.b.txt', a hidden file, which is not read" in said
    assert f"manifest.csv:5: lists 'missing.txt', which is not in {folder}" in said


def test_a_manifest_row_naming_no_article_is_ignored_in_the_same_words_by_the_cli_and_prepare_items(tmp_path):
    """The CLI said 'ignored manifest.csv:3: ...' where prepare_items said 'skipped manifest.csv:3: ...' for the one
    row, and its refusal '(--skip-unreadable skips such files)' of a file that is not there: the lines now come from
    ``Skipped.warning`` and ``Skipped.refusal``, one wording: the row is ignored."""
    import classifier
    from classifier.errors import InputError

    folder = corpus(tmp_path)
    (folder / "manifest.csv").write_text("file,source\ngood.txt,A\nmissing.txt,D\n")
    row = f"{folder / 'manifest.csv'}:3: lists 'missing.txt', which is not in {folder}"
    refused = run("prepare", folder, "--out", tmp_path / "items.jsonl")
    assert refused.exit_code == 1 and f"error: {row} (--skip-unreadable ignores such rows)" in \
        " ".join(refused.output.split())
    with pytest.raises(InputError, match=r"which is not in .* \(skip_unreadable=True ignores such rows\)$"):
        list(classifier.prepare_items(folder))
    said = " ".join(run("prepare", folder, "--out", tmp_path / "items.jsonl", "-q", "--skip-unreadable").output.split())
    assert f"warning: ignored {row}" in said and "skipped " + row not in said
    with pytest.warns(UserWarning) as caught:
        assert {item["article"] for item in classifier.prepare_items(folder, skip_unreadable=True)} == {"good"}
    assert [str(w.message) for w in caught if "manifest.csv:3" in str(w.message)] == [f"ignored {row}"]


def test_manifest_outside_the_corpus_is_refused(tmp_path):
    folder = corpus(tmp_path)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,source\ngood.txt,Outlet A\n../secret.txt,Evil\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--manifest", manifest)
    assert result.exit_code == 1
    assert "manifest.csv:3" in result.output and "outside the corpus" in result.output
    assert not out.exists()


def test_manifest_names_the_outlet(tmp_path):
    folder = corpus(tmp_path)
    (folder / "manifest.csv").write_text("file,source,title,date,url\ngood.txt,Outlet A,T,2024-01-02,\n")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out).exit_code == 0
    rows = read_jsonl(out)
    assert {r["source"] for r in rows} == {"Outlet A"} and rows[0]["date"] == "2024-01-02"


def test_a_folder_without_a_manifest_warns_that_each_article_is_an_outlet_of_its_own(tmp_path):
    """Pages saved as nyt/a.html, fox/b.html, ... without a manifest: each was its own outlet (its path), which the
    report compared as 25 outlets of one article, without a word; the warning names it, and the folders. One article,
    or a manifest, warns of nothing."""
    folder = tmp_path / "web"
    for name in ("nyt/a.txt", "nyt/b.txt", "fox/c.txt"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("NATO warned Moscow on Tuesday.\n")
    result = run("prepare", folder, "--out", tmp_path / "items.jsonl", "-q")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"{folder}: no manifest.csv, so each of the 3 articles is an outlet of its own, " \
        "named by its path (e.g. fox/c)" in said and "if the folders fox, nyt are outlets" in said, said
    assert {r["source"] for r in read_jsonl(tmp_path / "items.jsonl")} == {"nyt/a", "nyt/b", "fox/c"}  # as before
    (folder / "manifest.csv").write_text("file,source\nnyt/a.txt,NYT\nnyt/b.txt,NYT\nfox/c.txt,Fox\n")
    result = run("prepare", folder, "--out", tmp_path / "named.jsonl", "-q")
    assert result.exit_code == 0 and "outlet of its own" not in result.output, result.output
    single = tmp_path / "one"
    single.mkdir()
    (single / "a.txt").write_text("NATO warned Moscow on Tuesday.\n")
    result = run("prepare", single, "--out", tmp_path / "one.jsonl", "-q")
    assert result.exit_code == 0 and "outlet of its own" not in result.output, result.output


def test_table_inputs_and_their_errors(tmp_path):
    good = tmp_path / "articles.jsonl"
    good.write_text(json.dumps({"id": "a1", "text": "NATO warned Moscow.", "source": "X"}) + "\n")
    out = tmp_path / "items.jsonl"
    assert run("prepare", good, "--out", out).exit_code == 0
    assert {r["actor"] for r in read_jsonl(out)} == {"NATO", "Russia"}

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a1", "text": "ok"}) + "\n{not json\n")
    result = run("prepare", bad, "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 1 and "bad.jsonl:2: malformed JSON" in result.output

    missing = tmp_path / "missing.csv"
    missing.write_text("id,body\n1,Russia spoke\n")
    result = run("prepare", missing, "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 1 and "missing.csv:2: missing field 'text'" in result.output

    unclosed = tmp_path / "unclosed.csv"  # an unclosed quote would swallow the rest of the file
    unclosed.write_text('id,text\na1,"Russia met China."\na2,"no closing quote\na3,NATO spoke.\n')
    result = run("prepare", unclosed, "--out", tmp_path / "x.jsonl")
    assert result.exit_code == 1 and "unclosed.csv:3: malformed CSV (unexpected end of data)" in result.output

    frame = pd.DataFrame({"id": ["p1"], "text": ["Kyiv thanked the EU."], "source": ["Y"]})
    frame.to_parquet(tmp_path / "articles.parquet")
    assert run("prepare", tmp_path / "articles.parquet", "--out", out).exit_code == 0
    assert {r["actor"] for r in read_jsonl(out)} == {"Ukraine", "European Union"}
    assert not (tmp_path / "x.jsonl").exists()


def test_output_paths_are_checked_before_any_work(tmp_path):
    good = tmp_path / "articles.jsonl"
    good.write_text(json.dumps({"id": "a1", "text": "NATO warned Moscow."}) + "\n")
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "folder.jsonl").mkdir()
    cases = {
        tmp_path / "items.xlsx": "items.xlsx: unknown output extension '.xlsx'; use .jsonl, .csv, .parquet",
        tmp_path / "afile" / "items.jsonl": "cannot write here, " + str(tmp_path / "afile") + " is a file",
        tmp_path / "folder.jsonl": "folder.jsonl: is a folder; give a file name",
    }
    for out, message in cases.items():
        result = run("prepare", good, "--out", out)
        assert result.exit_code == 1 and message in result.output.replace("\n", ""), result.output
        assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "articles.jsonl", "folder.jsonl"]
    assert list((tmp_path / "folder.jsonl").iterdir()) == []
    assert run("prepare", good, "--out", tmp_path / "items.txt", "--format", "csv").exit_code == 0


def test_html_goes_through_the_extractor(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    body = " ".join(["Russia and China signed a trade pact in Beijing on Monday."] * 3)
    (folder / "page.html").write_text(
        "<html><head><title>Pact</title></head><body><nav>Home | World | Subscribe</nav>"
        f"<article><h1>Russia and China sign pact</h1><p>{body}</p><p>{body}</p></article>"
        "<footer>Copyright Example News</footer></body></html>")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out).exit_code == 0
    texts = " ".join(r["text"] for r in read_jsonl(out))
    assert "trade pact" in texts and "Subscribe" not in texts and "Copyright" not in texts
    explained = " ".join(run("prepare", folder, "--out", out, "--explain").output.split())
    assert "page words kept" in explained and "of 76 (" in explained  # every visible word, the extractor's drops aside


def test_a_short_page_that_trafilatura_s_loader_takes_for_not_html_is_read(tmp_path):
    """A page of one paragraph where "html" is not in its first 50 characters (a <body> or <p> alone, a browser's
    "saved from" comment or an XML declaration before <html>, no <head>) was refused "no article text found in the
    HTML": trafilatura's loader took it for not HTML, in every mode. It is read as lxml reads it; a page of a comment
    alone is still refused, and a page with a <head> keeps its text as before."""
    folder = tmp_path / "html"
    folder.mkdir()
    sentence = "<p>One sentence about Russia and NATO.</p>"
    pages = {"body": f"<body>{sentence}</body>", "p": sentence,
             "saved": f"<!-- saved from url=(0048)https://news.example.com/world/russia-nato-story -->\n"
                      f"<html><body>{sentence}</body></html>",
             "xhtml": '<?xml version="1.0" encoding="UTF-8"?>\n'
                      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
                      f'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html><body>{sentence}</body></html>',
             "whole": f"<html><head><title>Russia and NATO</title></head><body>{sentence}</body></html>"}
    for name, page in pages.items():
        (folder / f"{name}.html").write_text(page, encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    texts = {(r["article"], r["text"]) for r in read_jsonl(out)}
    assert {(name, "One sentence about Russia and NATO.") for name in pages} <= texts
    assert ("whole", "Russia and NATO") in texts  # its title, its headline as before
    (folder / "comment.html").write_text("<!-- nothing but a comment -->", encoding="utf-8")
    result = run("prepare", folder, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "comment.html: no article text found in the HTML" in said


def test_an_article_laid_out_in_a_table_is_read_without_its_nav_cell(tmp_path):
    """A page laid out in a table (an old or archived site: nav in one cell, the article in the next, or a one-cell
    table) gave only its <title>: the reader keeps tables out. Its layout tables are read as blocks, so the
    article's paragraphs are kept and the nav cell's links are not; a table of figures in the article stays out,
    and a page whose article stands outside a table of teasers keeps its text alone."""
    folder = tmp_path / "html"
    folder.mkdir()
    paragraphs = "".join(f"<p>Russia and China signed a trade pact in Beijing on {day}, officials said.</p>"
                         for day in ("Monday", "Tuesday", "Wednesday"))
    figures = "<table><tr><th>Year</th><th>Trade</th></tr><tr><td>2022</td><td>190.3</td></tr></table>"
    (folder / "columns.html").write_text(
        "<html><head><title>Russia and China sign pact - Old News</title></head><body><table><tr>"
        "<td><a href='/'>Home</a><br><a href='/world'>World</a><br><a href='/sport'>Sport</a></td>"
        f"<td><h1>Russia and China sign pact</h1>{paragraphs}{figures}</td></tr></table></body></html>")
    (folder / "one_cell.html").write_text(
        "<html><head><title>Pact</title></head><body><table><tr><td>"
        f"{paragraphs}</td></tr></table></body></html>")
    teasers = "".join(f"<td><p>NATO opens a new base near the border as the alliance grows, officials say.</p>"
                      f"<a href='/{n}'>Read more</a></td>" for n in range(2))
    (folder / "teasers.html").write_text(
        f"<html><head><title>Pact</title></head><body><article><h1>Russia and China sign pact</h1>{paragraphs * 2}"
        f"</article><table class='related'><tr>{teasers}</tr></table></body></html>")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    kept = {}
    for item in read_jsonl(out):
        kept.setdefault(item["article"], []).append(item["text"])
    assert "Russia and China signed a trade pact in Beijing on Wednesday, officials said." in kept["columns"]
    assert "Russia and China signed a trade pact in Beijing on Monday, officials said." in kept["one_cell"]
    from classifier.ingest import html_to_text

    text, _ = html_to_text((folder / "columns.html").read_text())
    assert "Sport" not in text and "190.3" not in text and "Home" not in text
    text, _ = html_to_text((folder / "teasers.html").read_text())
    assert "Read more" not in text and "NATO" not in text


def test_a_site_s_name_as_every_page_s_title_is_no_headline(tmp_path):
    """A site without <h1> whose every page is titled with its name gave each article the headline "Russia
    Herald" (kind "headline", an item about Russia), and every item that title. A <title> most (3 or more, and more
    than half) of an outlet's pages share, and a title that is the page's og:site_name, are now no headline, said
    in one line; an outlet's two pages of one title, and a page's own title, stay headlines."""
    folder = tmp_path / "html"
    folder.mkdir()
    rows = ["file,source"]
    for n, day in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday")):
        (folder / f"mt{n}.html").write_text(
            f"<html><head><title>Russia Herald</title></head><body><p>China and India met in Delhi on {day}, "
            f"officials said.</p></body></html>")
        rows.append(f"mt{n}.html,mt")
    for n in range(2):
        (folder / f"two{n}.html").write_text(
            "<html><head><title>Russia warns NATO</title></head><body><p>China and India met in Delhi, "
            "officials said.</p></body></html>")
        rows.append(f"two{n}.html,two")
    (folder / "og.html").write_text(
        "<html><head><title>Russia Today</title><meta property='og:site_name' content='Russia Today'></head><body>"
        "<p>China and India met in Delhi, officials said.</p></body></html>")
    rows.append("og.html,og")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    items = read_jsonl(out)
    headlines = {(r["article"], r["text"]) for r in items if r["kind"] == "headline"}
    assert headlines == {("two0", "Russia warns NATO"), ("two1", "Russia warns NATO")}
    assert {r["title"] for r in items if r["source"] in ("mt", "og")} == {None}
    said = " ".join(result.output.split())
    assert said.count("without a headline of their own") == 1 and "5 HTML pages" in said and "Russia Herald" in said


def test_shared_titles_of_pages_not_in_utf8_are_read_in_the_page_s_charset(tmp_path):
    """The <title>s compared to find a site's name were read as UTF-8 whatever the page's charset: three windows-1251
    pages of one outlet, titled "Москва молчит", "Лондон кричит", "Мадрид ворчит" (as many letters each), were one
    title of U+FFFD, taken for the site's name, and each page lost its headline. They are read as the page is."""
    from classifier.ingest import shared_titles

    folder = tmp_path / "html"
    folder.mkdir()
    rows, titles = ["file,source"], ("Москва молчит", "Лондон кричит", "Мадрид ворчит")
    for n, title in enumerate(titles):
        (folder / f"p{n}.html").write_bytes(
            f"<html><head><meta charset='windows-1251'><title>{title}</title></head><body><p>China and India met "
            f"in Delhi on day {n}, officials said.</p></body></html>".encode("cp1251"))
        rows.append(f"p{n}.html,outlet")
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n")
    pages = sorted(folder.glob("*.html"))
    meta = {p.name: {"source": "outlet"} for p in pages}
    assert shared_titles(folder, pages, meta) == {}
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0 and "without a headline" not in result.output, result.output
    assert {r["title"] for r in read_jsonl(out)} == set(titles)


def test_a_page_whose_text_is_only_its_furniture_is_warned_of_by_file(tmp_path):
    """A page of navigation and a cookie line gave an article of its headline and "Home Menu" without a word; the
    warning names the first such file, in the CLI and the library alike, and a page with an article's text says
    nothing."""
    import classifier

    folder = tmp_path / "html"
    folder.mkdir()
    (folder / "a_nav.html").write_text(
        "<html><head><title>Russia warns NATO - Example News</title></head><body><nav><a href='/'>Home</a> "
        "<a href='/m'>Menu</a></nav><div class='cookie'>We use cookies to improve your experience. Accept all</div>"
        "<footer>Copyright Example News</footer></body></html>")
    body = "".join(f"<p>Russia and China signed a trade pact in Beijing on {day}, officials said.</p>"
                   for day in ("Monday", "Tuesday", "Wednesday", "Thursday"))  # 310 characters with the headline
    (folder / "b_article.html").write_text(
        f"<html><head><title>Pact</title></head><body><article><h1>Pact</h1>{body}</article></body></html>")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--explain")
    said = " ".join(result.output.split())
    assert result.exit_code == 0
    assert f"1 page gave fewer than 250 characters of article text (first: {folder / 'a_nav.html'})" in said
    assert "a_nav [thin page] 5 words of article text" in said and "b_article [thin page]" not in said
    assert {r["article"] for r in read_jsonl(out)} == {"a_nav", "b_article"}  # written all the same
    with pytest.warns(UserWarning, match="1 page gave fewer than 250 characters"):
        assert list(classifier.prepare_items(folder)) == read_jsonl(out)
    (folder / "a_nav.html").unlink()
    assert "characters of article text" not in run("prepare", folder, "--out", out).output


def test_a_page_of_a_site_s_notice_alone_is_skipped_with_a_warning_and_an_article_in_its_words_is_kept(tmp_path):
    """"Access denied. This content is not available in Russia or Belarus." gave items for Russia and Belarus, a
    cookie wall one for the United States: such a page is skipped, named with why, counted in the summary, never an
    error (no --skip-unreadable); an article that uses such words, or a teaser before a paywall, is read."""
    import classifier

    folder = tmp_path / "html"
    folder.mkdir()
    page = "<html><head><title>{}</title></head><body><main>{}</main></body></html>"
    (folder / "denied.html").write_text(page.format(
        "Access denied", "<h1>Access denied</h1><p>This content is not available in Russia or Belarus.</p>"))
    (folder / "cookies.html").write_text(page.format(
        "Daily News", "<p>We use cookies to personalise content for readers in the United States.</p>"
                      "<p>Accept all</p>"))
    (folder / "inspectors.html").write_text(page.format(
        "Access denied: Russia bars UN inspectors", "<h1>Access denied: Russia bars UN inspectors</h1><p>Russia "
        "denied UN inspectors access to the plant on Monday, officials said.</p>"))
    (folder / "teaser.html").write_text(page.format(
        "China cuts rates", "<h1>China cuts rates</h1><p>China's central bank cut a key rate on Monday.</p>"
        "<p>Subscribe to continue reading</p><p>Already a subscriber? Sign in.</p>"))
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert (f"skipped {folder / 'denied.html'}: no article, only an access block ('This content is not available "
            "in Russia or Belarus.')") in said
    assert f"skipped {folder / 'cookies.html'}: no article, only a cookie or consent notice" in said
    assert "; 2 pages without an article skipped;" in said
    items = read_jsonl(out)
    assert {r["article"] for r in items} == {"inspectors", "teaser"}
    assert {r["actor"] for r in items} == {"Russia", "United Nations", "China"}
    with pytest.warns(UserWarning, match="denied.html: no article, only an access block"):
        assert list(classifier.prepare_items(folder)) == items


def test_a_table_row_or_text_file_of_a_site_s_notice_alone_is_skipped_as_a_page_is(tmp_path):
    """A scraped dump's row "Access denied. This content is not available in Russia or Belarus." gave items for
    Russia and Belarus, as the page did before it was skipped: the same judgement is made of a table's row (its
    title column read as its headline: a real headline over a cookie wall is no article) and of a text file, named by
    file:line, counted in the summary, never an error; an article in such words or a teaser before a paywall, with
    its headline in the text or in its own column, is read."""
    import classifier

    rows = [
        {"id": "denied", "text": "Access denied. This content is not available in Russia or Belarus."},
        {"id": "wall", "title": "Putin meets Xi in Moscow",
         "text": "We use cookies to personalise content.\nAccept all"},
        {"id": "geo", "title": "Access denied", "text": "This content is not available in Russia or Belarus."},
        {"id": "inspectors", "title": "Access denied: Russia bars UN inspectors",
         "text": "Russia denied UN inspectors access to the plant on Monday, officials said."},
        {"id": "teaser", "text": "China cuts rates\nChina's central bank cut a key rate on Monday.\n"
                                 "Subscribe to continue reading\nAlready a subscriber? Sign in."},
        {"id": "one", "text": "NATO said the content is not available in Russia."},
    ]
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert (f"skipped {table}:1: no article, only an access block ('This content is not available in Russia or "
            "Belarus.')") in said
    assert f"skipped {table}:2: no article, only a cookie or consent notice" in said
    assert f"skipped {table}:3: no article, only an access block" in said
    assert "; 3 rows without an article skipped;" in said
    items = read_jsonl(out)
    assert {r["article"] for r in items} == {"inspectors", "teaser", "one"}
    assert {r["actor"] for r in items} == {"Russia", "United Nations", "China", "NATO"}
    with pytest.warns(UserWarning, match="no article, only an access block"):  # a list of dicts likewise
        assert {item["article"] for item in classifier.prepare_items(rows)} == {"inspectors", "teaser", "one"}
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "denied.txt").write_text("Access denied\n\nThis content is not available in Russia or Belarus.\n")
    (folder / "inspectors.txt").write_text(rows[3]["title"] + "\n\n" + rows[3]["text"] + "\n")
    result = run("prepare", folder, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"skipped {folder / 'denied.txt'}: no article, only an access block" in said
    assert "; 1 file without an article skipped" in said  # a text file is no page (it said "1 page")
    (folder / "cookies.html").write_text("<html><body><p>We use cookies to personalise content.</p></body></html>")
    said = " ".join(run("prepare", folder, "--out", out).output.split())
    assert "; 2 files without an article skipped" in said  # a page and a text file: files
    (folder / "denied.txt").unlink()
    said = " ".join(run("prepare", folder, "--out", out).output.split())
    assert "; 1 page without an article skipped" in said  # HTML pages alone: pages
    assert {r["article"] for r in read_jsonl(out)} == {"inspectors"}


def test_a_table_row_whose_text_is_an_html_page_is_read_as_an_html_file_is(tmp_path):
    """A scraped export's text column holding the raw page gave sentences of markup and menus ("<html><body><nav>Home
    | World</nav>..." as one item's text, kind subheading): a row whose text opens with a page's or block element's
    tag goes through the extractor as an .html file does, its own title column still the headline; a text that
    merely mentions a tag further in is text, as before."""
    page = ("<!DOCTYPE html><html><head><title>Site</title></head><body><nav>Home | Russia | China | Sport</nav>"
            "<article><p>NATO warned Russia over the missile tests on Monday, officials said.</p>"
            "<p>China urged restraint after the talks in Geneva ended without a deal.</p></article>"
            "<footer>Russia Today and China Daily are partners</footer></body></html>")
    rows = [{"id": "page", "title": "NATO warns Moscow", "text": page},
            {"id": "body", "text": "<p>Ukraine thanked the EU for the aid package.</p>"},
            {"id": "plain", "text": "Russia said <p> tags in the draft were a typo, an official in Moscow said."}]
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    assert result.exit_code == 0, result.output
    items = read_jsonl(out)
    texts = {item["text"] for item in items if item["article"] != "plain"}
    assert not any("<" in text or "Home |" in text or "partners" in text for text in texts), texts
    assert {(item["article"], item["kind"], item["text"]) for item in items if item["actor"] == "NATO"} == {
        ("page", "headline", "NATO warns Moscow"),
        ("page", "body", "NATO warned Russia over the missile tests on Monday, officials said.")}
    assert ("body", "Ukraine thanked the EU for the aid package.") in {(i["article"], i["text"]) for i in items}
    assert any(item["article"] == "plain" and "<p> tags" in item["text"] for item in items)


def test_a_fragment_rows_blank_lines_stay_paragraph_breaks_after_the_extractor(tmp_path):
    """A CMS export mixing tags with blank-line paragraphs ("<p>Intro</p>\\n\\n# Heading\\n\\nNext paragraph") went
    through the extractor as a browser reads it, its blank lines one space: the heading and the next paragraph became
    one sentence. A fragment's blank lines are paragraph breaks; a whole page's are not, as its .html file's are
    not."""
    mixed = ("<p>Russia thanked China for the talks on Monday.</p>\n\n# NATO answers\n\n"
             "NATO said the missile tests in the Baltic were a threat to the alliance.")
    table = tmp_path / "articles.jsonl"
    page = f"<html><body><article>{mixed}</article></body></html>"
    table.write_text("".join(json.dumps({"id": name, "text": text}) + "\n" for name, text in (("mixed", mixed),
                                                                                           ("page", page))))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    assert result.exit_code == 0, result.output
    texts = {article: {item["text"] for item in read_jsonl(out) if item["article"] == article}
             for article in ("mixed", "page")}
    assert "NATO said the missile tests in the Baltic were a threat to the alliance." in texts["mixed"], texts
    assert not any("answers" in text and "missile" in text for text in texts["mixed"]), texts
    assert any("answers NATO said the missile tests" in text for text in texts["page"]), texts  # as a browser shows


def test_loose_text_after_a_paragraph_keeps_every_blank_line_paragraph(tmp_path):
    """Text loose after a </p> holding blank lines ("<p>A</p>B\\n\\nC\\n\\nD"): with the blank lines written as
    <br><br> there, the extractor dropped everything after the first (B kept, C and D lost; before the blank lines
    were breaks it kept them all, run into one sentence). Each paragraph is kept, on its own."""
    said = ["Russia thanked China for the talks held in Beijing on Monday, officials said.",
            "NATO said the missile tests in the Baltic were a threat to the alliance and its members.",
            "Ukraine asked its partners for more air defence systems before the winter.",
            "The European Union will discuss new sanctions against Russia at its summit next week."]
    rows = {"loose": f"<p>{said[0]}</p>{said[1]}\n\n{said[2]}\n\n{said[3]}",
            "bold": f"<p>{said[0]}</p><b>{said[1]}\n\n{said[2]}</b>"}
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps({"id": name, "text": text}) + "\n" for name, text in rows.items()))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    assert result.exit_code == 0, result.output
    for article, text in rows.items():
        texts = {item["text"] for item in read_jsonl(out) if item["article"] == article}
        assert {sentence for sentence in said if sentence in text} <= texts, (article, texts)


def test_a_row_nested_past_the_parsers_limits_is_skipped_with_skip_unreadable(tmp_path):
    """A row whose HTML is nested more than 255 deep stopped prepare even with --skip-unreadable, where the same page
    as an .html file in a folder is skipped with a warning: it is a row unreadable, refused with the hint at
    --skip-unreadable, skipped with it and counted apart from the rows without text."""
    deep = "<div>" * 300 + "<p>Russia and China signed a deal on Monday.</p>"
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "deep", "text": deep}) + "\n"
                     + json.dumps({"id": "ok", "text": "NATO met in Brussels on Monday."}) + "\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and not out.exists() and "Traceback" not in said
    assert (f"{table}:1: 'text' elements nested more than 255 deep (unclosed tags pile up so): the HTML parser stops "
            "there, so the text after it would be lost (--skip-unreadable skips such rows)") in said, said
    result = run("prepare", table, "--out", out, "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert f"skipped {table}:1: 'text' elements nested more than 255 deep" in said
    assert "1 unreadable row skipped" in said and "without text" not in said
    assert {item["article"] for item in read_jsonl(out)} == {"ok"}


def test_a_rows_page_is_capped_by_its_bytes_as_an_html_files_page_is(tmp_path, monkeypatch):
    """A row's page was capped by its characters at ten a character of the cap and named that cap as
    --max-article-chars: 'more than --max-article-chars 20,000,000'. It is capped as an .html file's page is
    (ingest.page_too_large), by its bytes in UTF-8, with the file's words; the cap of 2,000,000 characters here
    1,000, so that the page is small."""
    from classifier import ingest

    monkeypatch.setattr(ingest, "MAX_ARTICLE_CHARS", 1000)
    body = "<p>" + "Россия " * 20 + "</p>"  # two bytes a letter: under the cap in characters, over it in bytes
    page = "<html><body>" + body * (ingest.HTML_BYTES_PER_CHAR * 1000 // (len(body) * 3 // 2))
    assert len(page) < ingest.HTML_BYTES_PER_CHAR * 1000 < len(page.encode())
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "big", "text": page}, ensure_ascii=False) + "\n"
                     + json.dumps({"id": "ok", "text": "NATO met in Brussels on Monday."}) + "\n")
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "big.html").write_text(page)
    (folder / "ok.txt").write_text("NATO met in Brussels on Monday.")
    said = {}
    for name, source in (("row", table), ("file", folder)):
        result = run("prepare", source, "--out", tmp_path / f"{name}.jsonl", "--max-article-chars", "100")
        assert result.exit_code == 0, result.output
        said[name] = " ".join(result.output.split())
    why = (f"{len(page.encode()):,} bytes of HTML, more than the 10,000 a page is parsed from (ten for each "
           "character of --max-article-chars 1000;")
    assert f"skipped {table}:1: 'text' of {why}" in said["row"], said["row"]
    assert f"skipped {folder / 'big.html'}: {why}" in said["file"], said["file"]


def test_a_table_of_many_notices_names_the_first_three_and_counts_the_rest_in_one_line(tmp_path):
    """A scraped table of a million rows may hold thousands of cookie walls: each was to be one warning line. The
    first three are named with their lines, the others told in one line from the first of them on; the summary
    counts all."""
    import classifier

    table = tmp_path / "articles.csv"
    table.write_text("id,text\n" + "".join(f"n{i},Access denied. This content is not available in Russia.\n"
                                           for i in range(5)) + "a,Russia and China signed a deal on Monday.\n")
    result = run("prepare", table, "--out", tmp_path / "items.jsonl")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert [f"skipped {table}:{line}:" in said for line in range(2, 7)] == [True, True, True, False, False]
    assert (f"skipped 2 more articles that are only a site's notice, as the 3 above (from {table}:5 on; not named "
            "one by one)") in said
    assert "; 5 rows without an article skipped;" in said and said.count("warning:") == 4
    with pytest.warns(UserWarning) as caught:
        assert {item["article"] for item in classifier.prepare_items(table)} == {"a"}
    assert len(caught) == 4 and "skipped 2 more articles" in str(caught[-1].message)


def test_a_table_of_many_rows_without_text_names_the_first_three_and_counts_the_rest_in_one_line(tmp_path):
    """With --skip-unreadable each row without text was one warning line: a scraped table of a million rows with
    50,000 empty ones flooded the terminal. They follow the rule of the rows of a site's notice, each kind counted
    on its own: three named, the rest in one line from the first of them on; the summary counts all."""
    table = tmp_path / "articles.csv"
    table.write_text("id,text\n" + "".join(f"e{i},\n" for i in range(5))
                     + "".join(f"n{i},Access denied. This content is not available in Russia.\n" for i in range(4))
                     + "a,Russia and China signed a deal on Monday.\n")
    said, warned, articles = prepared_skipping(table, tmp_path)
    assert [f"skipped {table}:{line}:" in said for line in range(2, 11)] == [True] * 3 + [False] * 2 + [True] * 3 \
        + [False]
    assert f"skipped 2 more rows without text, as the 3 above (from {table}:5 on; not named one by one)" in said
    assert (f"skipped 1 more article that is only a site's notice, as the 3 above (from {table}:10 on; not named one "
            "by one)") in said
    assert "5 rows without text skipped; 4 rows without an article skipped;" in said and said.count("warning:") == 8
    assert articles == {"a"}
    assert len(warned) == 8 and "skipped 2 more rows without text" in warned[-2]


def test_a_notice_is_judged_a_sentence_at_a_time_and_a_long_article_is_not_read_past_its_first():
    """The judgement reads up to the first sentence of the article's own: what follows it is never looked at (a
    text of 50,000 characters on one line was split whole, into lines and words, before its first was judged)."""
    from classifier import ingest

    class Unread(str):
        def split(self, *args, **kwargs):  # the whole text split: what a long article must not cost
            raise AssertionError("the whole text was split")

        def splitlines(self, *args, **kwargs):
            raise AssertionError("the whole text was split into lines")

    long = Unread("Russia and China signed a deal on Monday. " + "NATO met. " * 5000)
    assert ingest.no_article(long, "Russia and China sign a deal") is None
    assert ingest.no_article("Access denied\nThis content is not available in Russia or Belarus.") is not None
    assert ingest.no_article("Daily News\n\nThis content is not available in Russia.", "Daily News") is not None
    # a headline set aside, in another spelling than the title column's ("… - Reuters"), but a notice of its own kept
    assert ingest.no_article("Putin meets Xi - Reuters\nWe use cookies.", "Putin meets Xi") is not None
    assert ingest.no_article("Access denied\nDaily News", "Access denied") is not None
    assert ingest.no_article("Putin meets Xi in Moscow.\nSubscribe to continue reading") is None


def test_a_text_of_one_line_without_a_title_is_read_whole_and_not_set_aside_as_a_headline():
    """A row's text of one line with no title column, short and with no stop at its end, was taken for a headline
    over a wall, its sentences set aside: "Putin met Xi on March 3, 2022. Access denied" (a stop after a number or in
    Cyrillic is no sentence end to ``segment.looks_like_heading``) was skipped as a site's notice. A headline is set
    aside only where lines follow it; a notice alone on its line is still one."""
    from classifier import ingest

    for text in ("Putin met Xi in Beijing on March 3, 2022. Access denied",
                 "Путин встретился с Си в Пекине во вторник. Доступ запрещён"):
        assert ingest.no_article(text) is None, text
    for notice in ("Access denied", "Sanctions bite. Access denied", "Daily News\nAccess denied"):
        assert ingest.no_article(notice) is not None, notice


def test_a_brief_whose_sentence_ends_in_an_attribution_is_no_access_block():
    """"This service is not available in Russia, Netflix said." matched the access block's pattern (", Netflix said"
    read as a second place), so a one-sentence brief of that form was skipped as a site's notice; an attribution tail
    is no place, and a notice's list of places is still one."""
    from classifier import ingest

    for brief in ("This service is not available in Russia, Netflix said.",
                  "This service is not available in Russia, according to Reuters.",
                  "This content is not available in Russia and Belarus, the company told Reuters.",
                  "This service is not available in Russia, a spokesman said."):
        assert ingest.no_article(brief) is None, brief
    for notice in ("This content is not available in Russia or Belarus.",
                   "This content is not available in the United States, Canada and Mexico.",
                   "This video is not available in your country."):
        assert ingest.no_article(notice) is not None, notice


def test_an_attribution_tail_in_any_past_tense_verb_is_no_place():
    """The tail's verb was one of a list: ", Netflix disclosed", ", the company acknowledged", ", YouTube replied"
    read as a second place (two words of a place), and such a one-sentence brief was skipped as a site's notice. No
    place ends in a word of "-ed"; "the United States" and "the United Kingdom" are places still."""
    from classifier import ingest

    for verb in ("disclosed", "acknowledged", "replied", "tweeted", "emphasised", "revealed"):
        assert ingest.no_article(f"This service is not available in Russia, Netflix {verb}.") is None, verb
    for notice in ("This content is not available in the United States, Canada and Mexico.",
                   "This content is not available in the United Kingdom or Ireland."):
        assert ingest.no_article(notice) is not None, notice


def test_a_second_prepare_of_a_folder_sees_the_names_it_holds_now(tmp_path):
    """The case-folded listing behind "names differ in case" was kept per process (``ingest.folded_names``): in a
    notebook, a second prepare of the same folder after a file was added or renamed showed the first run's hint."""
    folder, out = tmp_path / "corpus", tmp_path / "items.jsonl"
    (folder / "RT").mkdir(parents=True)
    (folder / "RT" / "a1.txt").write_text("Russia warned NATO.\n")
    (folder / "manifest.csv").write_text("file,outlet\nRT/a1.txt,RT\nRT/a2.txt,RT\n")
    said = " ".join(run("prepare", folder, "--out", out, "--skip-unreadable").output.split())
    assert "lists 'RT/a2.txt', which is not in" in said and "names differ in case" not in said
    (folder / "RT" / "A2.txt").write_text("Russia warned NATO again.\n")
    said = " ".join(run("prepare", folder, "--out", out, "--skip-unreadable").output.split())
    assert "names differ in case: RT/A2.txt" in said
    (folder / "RT" / "A2.txt").rename(folder / "RT" / "b2.txt")
    said = " ".join(run("prepare", folder, "--out", out, "--skip-unreadable").output.split())
    assert "lists 'RT/a2.txt', which is not in" in said and "names differ in case" not in said


def test_a_place_of_four_or_five_words_is_a_geo_block_s_place():
    """A notice's place was three words at most: "This content is not available in the United Arab Emirates." was
    read as an article's sentence. A place is up to five words; a clause ("where the government blocked it") or a
    longer attribution tail ("Netflix spokeswoman Jane Doe explains") is none, so such a brief is read."""
    from classifier import ingest

    for notice in ("This content is not available in the United Arab Emirates.",
                   "This video is not available in the Democratic Republic of Congo or Rwanda.",
                   "This content is not available in Saudi Arabia and the United Arab Emirates."):
        assert ingest.no_article(notice) is not None, notice
    for brief in ("This service is not available in Russia, where the government blocked it.",
                  "This service is not available in Russia, Netflix spokeswoman Jane Doe explains.",
                  "This service is not available in Russia, a spokeswoman for Netflix confirmed.",
                  "This service is not available in Russia, the streaming company told Reuters on Monday.",
                  "This service is not available in Russia since the company left the country."):
        assert ingest.no_article(brief) is None, brief


def test_a_place_of_five_words_holds_no_preposition_of_time_or_cause():
    """With five words to a place, "the United States until Friday" and "Iran under US sanctions" were a notice's
    places, and such one-sentence briefs were skipped as a site's notice; a place of five words is a notice's still."""
    from classifier import ingest

    for brief in ("This content is not available in the United States until Friday.",
                  "This content is not available in the United States or Canada during the blackout.",
                  "This service is not available in Iran under US sanctions.",
                  "This service is not available in Russia until further notice."):
        assert ingest.no_article(brief) is None, brief
    assert ingest.no_article("This video is not available in the Democratic Republic of Congo.") is not None


def test_no_real_bench_page_is_taken_for_a_site_s_notice():
    """The 24 + 21 + 6 + 27 bench pages: each of the 47 with an article's sentences is read (losing one is worse
    than a stray item), and 28 of the 31 without one are skipped; the 3 left hold their site's name alone."""
    from classifier import ingest

    bench = Path(__file__).resolve().parents[2] / "bench"
    kept, skipped = [], []
    for folder in ("html_pages", "html_short", "html_tables", "html_boilerplate"):
        truth = json.loads((bench / folder / "truth.json").read_text(encoding="utf-8"))
        for name, wanted in truth.items():
            html = ingest.decode((bench / folder / f"{name}.html").read_bytes(), "cp1252", html=True)
            text, info = ingest.html_to_text(html)
            real = bool(wanted["headline"] or wanted["body"])
            (skipped if ingest.no_article(text, info.get("title")) else kept).append((real, name))
    assert not [name for real, name in skipped if real] and len([n for real, n in kept if real]) == 47
    assert sorted(name for real, name in kept if not real) == ["cookie_nav_footer", "cookie_only",
                                                                "javascript_required"]
    assert len(skipped) == 28


def test_an_article_in_a_script_without_spaces_is_no_site_s_notice():
    """A Chinese, Japanese or Thai sentence is one word to str.split: each read as furniture of two words or fewer,
    such an article whose page also says "Sign in" or "Loading..." was skipped as a site's notice."""
    from classifier import ingest

    bodies = ["俄罗斯总统普京周一在莫斯科表示，俄方愿意与中国加强合作。两国领导人将于下月举行会晤。",
              "ロシアのプーチン大統領は月曜日、モスクワで中国との協力を強化する用意があると述べた。",
              "ประธานาธิบดีรัสเซียกล่าวว่ารัสเซียพร้อมที่จะร่วมมือกับจีนมากขึ้นในด้านพลังงานและการค้า"]
    for body in bodies:
        for notice in ("Sign in", "Loading...", "404 Not Found"):
            assert ingest.no_article(f"普京表示\n{body}\n{notice}", "普京表示") is None, (body, notice)
    assert ingest.no_article("新闻\n登录\nAccess denied.", "新闻") is not None  # two characters: furniture still
    assert ingest.words("登录") == 1 and ingest.words("Daily News") == 2


def test_a_kicker_before_the_headline_in_its_h1_is_left_out_where_the_page_title_shows_it(tmp_path):
    """"<h1><span>Ukraine-Krieg</span> <span>Scholz sagt …</span></h1>" (bench page german) made the headline
    "Ukraine-Krieg Scholz sagt …": trafilatura takes the <h1> as the title. Where the <title>, less the site's name, is
    the headline's end less one to three words, those words are a kicker; a <title> that differs otherwise is not."""
    folder = tmp_path / "html"
    folder.mkdir()
    body = "<p>Bundeskanzler Olaf Scholz hat der Ukraine weitere Unterstützung zugesagt, sagte er am Montag.</p>" * 3
    pages = {"kicker": ("Scholz sagt Ukraine weitere Hilfe zu - DER SPIEGEL", "<span>Ukraine-Krieg</span> <span>Scholz "
                        "sagt Ukraine weitere Hilfe zu</span>"),
             "long": ("Hilfe zu | Example", "Scholz sagt Ukraine weitere Hilfe zu"),  # four words before it: no kicker
             "same": ("Russia and China sign pact - Example", "Russia and China sign pact"),
             "stop": ("China sign pact", "Talks end. China sign pact")}  # a sentence's end: no kicker
    for name, (title, h1) in pages.items():
        (folder / f"{name}.html").write_text(f"<html><head><title>{title}</title></head><body><article><h1>{h1}</h1>"
                                             f"{body}</article></body></html>", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "--actors-only", _own_catalogue(tmp_path)).exit_code == 0
    headlines = {r["article"]: r["title"] for r in read_jsonl(out)}
    assert headlines == {"kicker": "Scholz sagt Ukraine weitere Hilfe zu",
                         "long": "Scholz sagt Ukraine weitere Hilfe zu", "same": "Russia and China sign pact", "stop": "Talks end. China sign pact"}
    headline_items = {r["article"]: r["text"] for r in read_jsonl(out) if r["kind"] == "headline"}
    assert headline_items["kicker"] == "Scholz sagt Ukraine weitere Hilfe zu"


def _own_catalogue(tmp_path):
    catalogue = tmp_path / "own.yaml"
    catalogue.write_text("actors:\n  - name: Ukraine\n    names: [Ukraine]\n  - name: China\n    names: [China]\n"
                         "  - name: Talks\n    names: [Talks]\n", encoding="utf-8")
    return catalogue


def test_an_html_page_whose_text_only_its_structured_data_holds_is_read_from_there(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    body = ["Israel and Hamas agreed to extend their truce in Gaza by two days, Qatar said on Monday.",
            "US Secretary of State Antony Blinken welcomed the announcement &amp; urged more aid."]
    data = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Gaza truce extended",
                       "datePublished": "2023-11-27T19:00:00Z", "articleBody": "\n\n".join(body)})
    (folder / "app.html").write_text(f'<html><head><title>Gaza truce extended</title><script type="application/ld+json">'
                                     f'{data}</script></head><body><div id="__next"><nav>Home World</nav><div>Loading…'
                                     '</div></div><script src="/main.js"></script></body></html>')
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--explain")
    assert result.exit_code == 0, result.output
    texts = [r["text"] for r in read_jsonl(out)]
    assert "US Secretary of State Antony Blinken welcomed the announcement & urged more aid." in texts
    shares = [int(n) for n in re.findall(r"\((\d+)%\)", " ".join(result.output.split()))]
    assert "Loading…" not in texts and shares and max(shares) <= 100  # the page's words count those of its data


def test_embedded_social_posts_are_not_the_outlets_sentences_but_a_quoted_blockquote_is(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    embeds = [
        '<blockquote class="twitter-tweet" data-dnt="true"><p lang="en">We have no information that Ukraine was '
        'involved.</p>&mdash; John Kirby (@WHNSC) <a href="https://twitter.com/WHNSC/status/1">March 24, 2024</a>'
        '</blockquote><script async src="https://platform.twitter.com/widgets.js"></script>',
        '<blockquote class="tiktok-embed" cite="https://www.tiktok.com/@k/video/1" data-video-id="1"><section><a '
        'href="https://www.tiktok.com/@k">@k</a> Russia has lost the battle for the Black Sea. <a>#ukraine</a>'
        '</section></blockquote>',
        '<div class="fb-post" data-href="https://www.facebook.com/o/posts/1"><blockquote class="fb-xfbml-parse-ignore">'
        '<p>Hungary will not lift the ban, whatever Brussels decides!</p>Posted by <a>Orban Viktor</a> on <a>Saturday'
        '</a></blockquote></div>',
        '<blockquote class="telegram-post" data-telegram-post="mid/1"><p>Washington is trying to shield the Kyiv '
        'regime.</p><a href="https://t.me/mid/1">t.me/mid/1</a></blockquote>',
        '<blockquote class="bluesky-embed" data-bluesky-uri="at://x/app.bsky.feed.post/1"><p>NATO will never accept '
        'the annexation.</p>&mdash; NATO (@nato.bsky.social)</blockquote>']
    quote = ('<blockquote><p>"We will not open our border to Ukrainian grain as long as it threatens our farmers," the '
             'minister told reporters.</p></blockquote>')
    (folder / "page.html").write_text(
        "<html><head><title>Grain ban</title></head><body><article><h1>Grain ban</h1><p>Poland and Hungary said they "
        "would keep their bans on Ukrainian grain imports after the European Commission let its own expire.</p>"
        f"{''.join(embeds)}{quote}<p>Ukraine said it would file a complaint against both countries at the World Trade "
        "Organization.</p></article></body></html>")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    texts = {r["text"] for r in read_jsonl(out)}
    assert '"We will not open our border to Ukrainian grain as long as it threatens our farmers," the minister ' \
           "told reporters." in texts  # an ordinary quote is the article's
    assert "Ukraine said it would file a complaint against both countries at the World Trade Organization." in texts
    kept = " ".join(texts)
    for said in ("no information", "Black Sea", "Brussels decides", "shield the Kyiv", "never accept", "Posted by"):
        assert said not in kept


def test_a_standfirst_and_key_points_outside_the_article_are_kept_but_teasers_are_not(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    cards = "".join(f'<li class="card"><h3><a href="/{n}">Story {n}</a></h3><p class="card__dek">{dek}</p></li>'
                    for n, dek in enumerate(["Russia's president is expected to sign a pact with Kim Jong Un.",
                                             "Ukraine and Moldova begin formal talks to join the European Union."]))
    (folder / "page.html").write_text(
        '<html><head><title>NATO boosts Ukraine air defences</title></head><body><nav><a>Home</a><a>World</a></nav>'
        f'<section class="trending"><ul>{cards}</ul></section><div class="headline-block"><h1>NATO boosts Ukraine air '
        'defences</h1><p class="article-dek">Stoltenberg says Kyiv will receive more Patriot systems before the '
        'summit.</p><div class="author-description">Anna Petrova is our Moscow correspondent and covers Russia and '
        'Ukraine.</div><div class="key-points"><h2>Key points</h2><ul><li>Germany and Romania promised new batteries.'
        '</li><li>Russia called the plan reckless.</li></ul></div></div><article><p>NATO defence ministers agreed '
        "on Thursday to send more air defence systems to Ukraine, Secretary-General Jens Stoltenberg said.</p><p>"
        "Moscow warned that Western weapons deliveries would only prolong the war in Ukraine.</p></article><aside "
        'class="most-read"><div class="summary"><a href="/x">G7 summit</a><p>Leaders agreed to lend Ukraine fifty '
        "billion dollars backed by Russian assets.</p></div></aside></body></html>")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    texts = {r["text"] for r in read_jsonl(out)}
    assert {"Stoltenberg says Kyiv will receive more Patriot systems before the summit.",  # the points as a list's
            "- Germany and Romania promised new batteries.", "- Russia called the plan reckless."} <= texts
    assert "Moscow warned that Western weapons deliveries would only prolong the war in Ukraine." in texts
    kept = " ".join(texts)
    for teaser in ("Kim Jong Un", "Moldova", "fifty billion", "Key points", "correspondent"):  # nor an author's bio
        assert teaser not in kept


def test_a_photo_caption_named_as_a_description_is_no_standfirst():
    """A hero picture's caption classed "image-desc" (or one in a <figure>) sat above the text and was put back
    after the headline as the article's first sentence ("... toward Russian positions": a mention of Russia)."""
    from classifier.ingest import html_to_text

    paragraphs = "".join(f"<p>{s}</p>" for s in [
        "Russian and Ukrainian negotiators met in Istanbul on Monday for the first direct talks in months.",
        "The meeting lasted two hours and ended without an agreement on a ceasefire, both delegations said.",
        "Turkey's foreign minister said the sides had agreed to meet again next week to discuss prisoners."])
    caption = "Ukrainian soldiers fire a howitzer toward Russian positions near Bakhmut, March 3, 2023."
    for markup in (f'<figure class="hero"><img src="x.jpg"><figcaption class="image-desc">{caption}</figcaption>'
                   "</figure>", f'<div class="lead-media"><img src="x.jpg"><p class="image-desc">{caption}</p></div>'):
        page = (f"<html><head><title>Russia and Ukraine hold talks</title></head><body><main><h1>Russia and Ukraine "
                f"hold talks</h1>{markup}<article>{paragraphs}</article></main></body></html>")
        text, _ = html_to_text(page)
        assert "howitzer" not in text
        assert text.split("\n")[-3:] == [s.removeprefix("<p>") for s in paragraphs.split("</p>")[:3]]


def test_an_html_page_is_dated_by_its_markup_never_by_a_year_in_its_text(tmp_path):
    folder = tmp_path / "html"
    folder.mkdir()
    body = "<p>Russia condemned NATO expansion in a long statement on Tuesday.</p><p>The ministry recalled the 2014 " \
           "crisis in Crimea and said little had changed since.</p>"
    (folder / "undated.html").write_text(f"<html><head><title>Kremlin</title></head><body><article>{body}</article>"
                                         "</body></html>")
    (folder / "dated.html").write_text('<html><head><title>Kremlin</title><meta property="article:published_time" '
                                       f'content="2024-03-05T10:00:00Z"></head><body><article>{body}</article>'
                                       "</body></html>")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "-q").exit_code == 0
    dates = {r["article"]: r.get("date") for r in read_jsonl(out)}
    assert dates == {"dated": "2024-03-05", "undated": None}


@pytest.mark.parametrize("head, lead, date", [
    ('<meta property="article:published_time" content="3 марта 2022 г.">', "", "2022-03-03"),
    ('<meta itemprop="datePublished" content="3 березня 2022">', "", "2022-03-03"),
    ('<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "datePublished": "3 de marzo de 2022"}]}'
     "</script>", "", "2022-03-03"),
    ("", '<p class="byline">Di A. Rossi, <time>3 marzo 2022</time></p>', "2022-03-03"),
    ("", '<p><span itemprop="datePublished">3 marca 2022</span></p>', "2022-03-03"),
    ("", "<p>Opublikowano 3 marca 2022.</p>", None),  # free text: never read
    # a time after the date, and a date class (undated before 2026-12-06)
    ("", '<p class="byline"><time>3 марта 2022, 14:05</time></p>', "2022-03-03"),
    ("", '<p class="byline"><time>3 de marzo de 2022 23:30 CET</time></p>', "2022-03-03"),
    ("", '<p><span class="date">3 марта 2022 14:05</span></p>', "2022-03-03"),
    ("", '<div class="article__date">3 березня 2022 р., 14:05</div>', "2022-03-03"),
    ("", '<p><span class="date">3 March 2022 14:05</span></p>', "2022-03-03"),  # htmldate's already
    ("", '<p><span class="date-modified">3 марта 2022 14:05</span></p>', None),  # not the publication's
    ("", '<ul><li><a href="/x"><span class="date">3 марта 2022</span> Другая статья</a></li></ul>', None),  # a teaser
    ('<meta name="date" content="3 марта 2099 г.">', "", None),  # after today: none to htmldate, none here
    ('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>", "", None),  # deeper than json goes
    ('<script type="application/ld+json">' + '{"a": ' * 900 + '{"datePublished": "3 marca 2022"}' + "}" * 900
     + "</script>", "", "2022-03-03"),
    ("", "", None),
])
def test_an_html_page_dated_with_another_language_s_month_name_in_its_markup_is_dated(tmp_path, head, lead, date):
    folder = tmp_path / "html"
    folder.mkdir()
    body = "".join(f"<p>Russia condemned NATO expansion in a long statement on Tuesday, part {n}, and the ministry said "
                   "little had changed since the talks began.</p>" for n in range(3))
    (folder / "page.html").write_text(f"<html><head><title>Kremlin</title>{head}</head><body><article><h1>Kremlin</h1>"
                                      f"{lead}{body}</article></body></html>", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert {r["date"] for r in read_jsonl(out)} == {date}
    assert ("; 1 HTML page without a date;" in result.output) == (date is None)


def test_missing_input_is_one_line(tmp_path):
    result = run("prepare", tmp_path / "nope", "--out", tmp_path / "o.jsonl")
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_actors_suggest_and_list():
    result = run("actors", "suggest", SEEDS, "--top", "5")
    assert result.exit_code == 0 and "APEC" in result.output
    assert "Sino-" in run("actors", "list").output


def test_spreadsheet_exports_and_odd_cells_are_read(tmp_path):
    out = tmp_path / "items.jsonl"
    semicolon = tmp_path / "semicolon.csv"  # a European spreadsheet export, with spaces in the header
    semicolon.write_text("id ; text ; source\n1;Russia warned NATO, China said.;A\n", encoding="utf-8")
    assert run("prepare", semicolon, "--out", out).exit_code == 0
    assert {(r["actor"], r["source"], r["article"]) for r in read_jsonl(out)} == {
        ("Russia", "A", "1"), ("NATO", "A", "1"), ("China", "A", "1")}
    long_text = "Russia warned NATO. " * 10_000  # 200 KB: over the csv module's default field limit
    (tmp_path / "long.csv").write_text(f'id,text\n1,"{long_text}"\n', encoding="utf-8")
    assert run("prepare", tmp_path / "long.csv", "--out", out).exit_code == 0
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": 2.0, "text": "Kyiv thanked the EU.", "title": 7}).encode())
    assert run("prepare", bom, "--out", out).exit_code == 0
    assert {(r["article"], r["title"]) for r in read_jsonl(out)} == {("2", "7")}
    (tmp_path / "twice.csv").write_text("id,text,source,source\n1,Russia spoke.,A,Z\n")
    result = run("prepare", tmp_path / "twice.csv", "--out", out)
    assert result.exit_code == 1 and "twice.csv:1: column 'source' appears twice in the header" in result.output
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_arrays([pa.array(["a0"]), pa.array(["Russia spoke."]), pa.array(["China spoke."])],
                                        names=["id", "text", "text"]), tmp_path / "twice.parquet")
    result = run("prepare", tmp_path / "twice.parquet", "--out", out)
    assert result.exit_code == 1 and "twice.parquet: column 'text' appears twice" in result.output


def test_parquet_output_keeps_fields_arrow_cannot_type_as_json_text(tmp_path):
    from classifier.io.files import write_records

    out = tmp_path / "mixed.parquet"
    write_records(out, [{"id": "a", "x": 1, "meta": {}, "tags": ["p"]}, {"id": "b", "x": "two", "meta": {}, "tags": []}])
    frame = pd.read_parquet(out)
    assert list(frame["x"]) == ["1", '"two"'] and list(frame["meta"]) == ["{}", "{}"]
    assert [list(t) for t in frame["tags"]] == [["p"], []]  # typed columns stay typed


def test_items_stream_to_the_output_and_a_late_bad_row_leaves_nothing(tmp_path, seed_items):
    from classifier.prepare import ITEM_FIELDS

    assert all(tuple(item) == ITEM_FIELDS for item in seed_items)  # the CSV columns, known before the first article
    rows = [{"id": f"a{i}", "text": f"NATO warned Moscow on day {i}.", "source": "X"} for i in range(30)]
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows) + json.dumps({"id": "late"}) + "\n")
    for out in (tmp_path / "items.jsonl", tmp_path / "items.csv", tmp_path / "items.parquet"):
        result = run("prepare", table, "--out", out)
        assert result.exit_code == 1 and "articles.jsonl:31: missing field 'text'" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles.jsonl"]  # no output, no temporary part
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    for out in (tmp_path / "items.csv", tmp_path / "items.parquet"):
        assert run("prepare", table, "--out", out, "-q").exit_code == 0
    frames = pd.read_csv(tmp_path / "items.csv"), pd.read_parquet(tmp_path / "items.parquet")
    assert all(list(f.columns) == list(ITEM_FIELDS) and len(f) == 60 for f in frames)


def test_two_files_that_differ_only_in_suffix_are_two_articles(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "x.md").write_text("NATO met in Brussels.\n")
    (folder / "x.txt").write_text("Russia answered NATO.\n")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "-q").exit_code == 0
    rows = read_jsonl(out)
    assert sorted({r["article"] for r in rows}) == ["x", "x.txt"] and len({r["id"] for r in rows}) == len(rows)


def test_an_empty_result_keeps_its_columns(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("Nothing about any actor here.\n")
    for name in ("items.csv", "items.parquet"):
        assert run("prepare", folder, "--out", tmp_path / name, "-q").exit_code == 0
    from classifier.prepare import ITEM_FIELDS

    assert (tmp_path / "items.csv").read_text().splitlines() == [",".join(ITEM_FIELDS)]
    assert pd.read_parquet(tmp_path / "items.parquet").columns.tolist() == list(ITEM_FIELDS)


def test_an_output_the_run_reads_is_refused_and_nothing_changes(tmp_path):
    folder = corpus(tmp_path)
    (folder / "manifest.csv").write_text("file,source\ngood.txt,Outlet A\n")
    catalogue = tmp_path / "actors.yaml"
    catalogue.write_text("actors: [{name: Foo, names: [Bar]}]\n")
    before = {p: p.read_bytes() for p in (folder / "manifest.csv", folder / "good.txt", catalogue)}
    cases = [
        (["--out", folder / "manifest.csv"], "that is the input file"),
        (["--out", folder / "good.txt", "--format", "jsonl"], "an article's name inside the corpus folder"),
        (["--out", folder / "new.txt", "--format", "jsonl"], "an article's name inside the corpus folder"),
        (["--out", catalogue, "--format", "jsonl", "--actors", catalogue], "that is the input file"),
    ]
    for args, message in cases:
        result = run("prepare", folder, *args)
        assert result.exit_code == 1 and message in result.output.replace("\n", ""), result.output
    assert {p: p.read_bytes() for p in before} == before and not (folder / "new.txt").exists()


@pytest.mark.parametrize("name, content, message", [
    ("deep.jsonl", '{"id": 1, "text": "Russia", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
     "deep.jsonl:1: JSON nested too deeply to read"),
    ("late.jsonl", "".join(json.dumps({"id": i, "text": "Russia spoke."}) + "\n" for i in range(49))
     + '{"id": 49, "text": "Caf\xe9"}\n', "late.jsonl:50: not UTF-8 text"),
    ("latin.csv", "id,text\n1,Russia spoke.\n2,Caf\xe9 in Moscow.\n", "latin.csv:3: not UTF-8 text"),
    ("nul.csv", "id,text\n1,\x00\x00Russia\n", "nul.csv:2: 'text' holds NUL bytes"),
    ("list.jsonl", '{"id": [1], "text": "Russia spoke."}\n', "list.jsonl:1: 'id' must be text or a number, not a list"),
    ("bool.jsonl", '{"id": true, "text": "Russia spoke."}\n', "'id' must be text or a number, not true/false"),
    ("nan.jsonl", '{"id": NaN, "text": "Russia spoke."}\n', "nan.jsonl:1: missing field 'id'"),
    ("date.jsonl", '{"id": 1, "text": "Russia spoke.", "date": [2024]}\n', "'date' must be text or a number"),
    ("source.jsonl", '{"id": 1, "text": "Russia spoke.", "source": {"a": 1}}\n', "not an object"),
    ("twice.jsonl", '{"id": "a0", "text": "Russia spoke.", "text": "China spoke."}\n',
     "twice.jsonl:1: field 'text' appears twice"),
])
def test_a_table_cell_of_the_wrong_kind_or_encoding_names_its_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if "\xe9" in content else content.encode())
    out = tmp_path / "items.jsonl"
    result = run("prepare", path, "--out", out)
    assert result.exit_code == 1 and message in result.output.replace("\n", ""), result.output
    assert "Traceback" not in result.output and not out.exists()


def test_parquet_bytes_that_are_not_utf8_are_refused_not_replaced(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "bytes.parquet"
    pq.write_table(pa.table({"id": [1, 2], "text": pa.array([b"Russia spoke.", b"Caf\xe9 Moscow."], pa.binary())}),
                   path)
    result = run("prepare", path, "--out", tmp_path / "items.jsonl")
    assert result.exit_code == 1 and "row 2: column 'text' holds bytes that are not UTF-8 text" in result.output
    pq.write_table(pa.table({"id": [1], "text": pa.array([b"Russia spoke."], pa.binary())}), path)
    assert run("prepare", path, "--out", tmp_path / "items.jsonl").exit_code == 0  # UTF-8 bytes are text


def test_a_manifest_that_lists_a_file_twice_is_refused(tmp_path):
    folder = corpus(tmp_path)
    (folder / "manifest.csv").write_text("file,source\ngood.txt,A\n./good.txt,B\n")
    result = run("prepare", folder, "--out", tmp_path / "items.jsonl")
    assert result.exit_code == 1 and "manifest.csv:3: file './good.txt' is listed twice (first on line 2)" in \
        result.output.replace("\n", "")


def test_prepare_removes_what_a_killed_run_left_beside_its_output(tmp_path):
    folder = corpus(tmp_path)
    (tmp_path / ".items.parquet.abc123.tmp").write_bytes(b"partial")
    (tmp_path / ".items.parquet.xyz.parts").mkdir()
    (tmp_path / ".items.parquet.xyz.parts" / "00000000.parquet").write_bytes(b"partial")
    assert run("prepare", folder, "--out", tmp_path / "items.parquet", "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "items.parquet"]


def recorded_bar(monkeypatch) -> list:
    """What prepare's and suggest's progress bar is asked to show, as it is asked, where a terminal is taken to be
    there unless -q: ("task", description, total), ("total", total), ("advance", step)."""
    import contextlib

    import classifier.cli.prepare as prepare_cli

    seen = []

    class Bar:
        def add_task(self, description, total=None):
            seen.append(("task", description, total))
            return 0

        def update(self, task, **fields):
            seen.append(("total", fields["total"]))

        def advance(self, task, step=1):
            seen.append(("advance", step))

    monkeypatch.setattr(prepare_cli, "show_progress", lambda quiet: not quiet)
    monkeypatch.setattr(prepare_cli, "progress_bar", lambda enabled: contextlib.nullcontext(Bar() if enabled else None))
    return seen


def test_actors_suggest_shows_a_bar_over_the_articles_unless_quiet(tmp_path, monkeypatch):
    seen = recorded_bar(monkeypatch)
    table = tmp_path / "articles.jsonl"
    table.write_text("".join(json.dumps({"id": f"a{i}", "text": f"Gazprom met Rosneft on day {i}."}) + "\n"
                             for i in range(7)))
    result = run("actors", "suggest", table)
    assert result.exit_code == 0, result.output
    assert seen[:2] == [("task", "reading", None), ("total", 7)], seen
    assert sum(step for kind, step, *_ in seen if kind == "advance") == 7, seen
    assert "Gazprom" in result.output
    seen.clear()
    assert run("actors", "suggest", table, "-q").exit_code == 0 and seen == []


def test_suggest_refuses_a_count_below_one():
    result = runner.invoke(app, ["actors", "suggest", str(SEEDS), "--top", "-5"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_title_given_in_its_own_column_is_scored_as_the_headline(tmp_path):
    table = tmp_path / "articles.jsonl"
    rows = [{"id": "t1", "text": "The talks went on for hours. Russia walked out.", "title": "Russia slams NATO expansion",
             "source": "X"},
            {"id": "t2", "text": "China hails pact\n\nBeijing said the pact with Russia was a success.",
             "title": "China hails pact", "source": "X"},  # the text starts with its title: kept as it is
            {"id": "t3", "text": "Talks resumed.", "title": "Will Russia invade Ukraine?", "source": "X"}]  # any form
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "items.jsonl"
    assert run("prepare", table, "--out", out, "-q").exit_code == 0
    items = read_jsonl(out)
    heads = sorted((r["article"], r["actor"], r["text"]) for r in items if r["kind"] == "headline")
    assert heads == [("t1", "NATO", "Russia slams NATO expansion"), ("t1", "Russia", "Russia slams NATO expansion"),
                     ("t2", "China", "China hails pact"), ("t3", "Russia", "Will Russia invade Ukraine?"),
                     ("t3", "Ukraine", "Will Russia invade Ukraine?")]
    assert sum(r["text"] == "China hails pact" for r in items) == 1 and len({r["article"] for r in items}) == 3


def test_encoding_reads_legacy_tables_and_manifests_and_a_utf16_table_reads_by_its_mark(tmp_path):
    """A cp1252 spreadsheet export (table or manifest) reads with --encoding, in prepare and in classify; a table
    saved as UTF-16 (with its byte-order mark) reads as it is."""
    table = tmp_path / "latin.csv"
    table.write_bytes("id,text,source\na0,Le président: Russia condemned NATO.,Le Monde\n".encode("cp1252"))
    out = tmp_path / "items.jsonl"
    refused = run("prepare", table, "--out", out)
    assert refused.exit_code == 1 and "latin.csv:2: not UTF-8 text" in " ".join(refused.output.split())
    assert run("prepare", table, "--out", out, "--encoding", "cp1252", "-q").exit_code == 0
    assert {r["text"] for r in read_jsonl(out)} == {"Le président: Russia condemned NATO."}
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_bytes("Le président: Russia condemned NATO.\n".encode("cp1252"))
    (folder / "manifest.csv").write_bytes("file,source\na.txt,Le Monde édition\n".encode("cp1252"))
    assert run("prepare", folder, "--out", out, "--encoding", "cp1252", "-q").exit_code == 0
    assert {r["source"] for r in read_jsonl(out)} == {"Le Monde édition"}
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("id,text,source\na0,Russia condemned NATO.,RT\n".encode("utf-16"))
    assert run("prepare", utf16, "--out", out, "-q").exit_code == 0 and len(read_jsonl(out)) == 2
    bad = run("prepare", table, "--out", out, "--encoding", "klingon")
    assert bad.exit_code == 1 and "--encoding klingon: not an encoding Python knows" in bad.output
    bad = run("prepare", folder, "--out", out, "--encoding", "rot13")  # a codec, not a text encoding
    assert bad.exit_code == 1 and "--encoding rot13: not a text encoding" in bad.output and "Traceback" not in bad.output
    bom = tmp_path / "bom.csv"
    bom.write_bytes("id,text\na0,Russia condemned NATO.\n".encode("utf-8-sig"))
    assert run("prepare", bom, "--out", out, "--encoding", "utf-8", "-q").exit_code == 0  # naming UTF-8 drops the mark


def test_a_file_that_is_not_utf8_names_the_encoding_to_pass_where_its_bytes_are_cp1252(tmp_path):
    """A Latin-1/cp1252 article, table or manifest said "re-save as UTF-8 or pass --encoding" (a table: "e.g.
    cp1252") and left the value to guess. Where its bytes all decode as cp1252 the one line names it, and the
    command it names reads the file; bytes cp1252 has no character for (0x81) are named no encoding."""
    out = tmp_path / "items.jsonl"
    legacy = "Le président: Russia condemned NATO’s “plan”.\n".encode("cp1252")
    folder, table, manifested = tmp_path / "corpus", tmp_path / "latin.csv", tmp_path / "manifested"
    folder.mkdir()
    (folder / "a.txt").write_bytes(legacy)
    table.write_bytes(b"id,text\na0," + legacy)
    manifested.mkdir()
    (manifested / "a.txt").write_text("Russia condemned NATO.\n")
    (manifested / "manifest.csv").write_bytes("file,source\na.txt,Le Monde édition\n".encode("cp1252"))
    for given, where in ((folder, "a.txt: not UTF-8 text (byte 5); re-save as UTF-8 or pass --encoding cp1252"),
                         (table, "latin.csv:2: not UTF-8 text (re-save it as UTF-8, or pass --encoding cp1252 "),
                         (manifested, "manifest.csv:2: not UTF-8 text (re-save it as UTF-8, or pass --encoding cp1252 ")):
        refused = run("prepare", given, "--out", out)
        said = " ".join(refused.output.split())
        assert refused.exit_code == 1 and where in said and "Traceback" not in said, said
        assert run("prepare", given, "--out", out, "--encoding", "cp1252", "-q").exit_code == 0
    (folder / "a.txt").write_bytes(b"Russia \x81\xe9 won.\n")
    table.write_bytes(b"id,text\na0,Russia \x81\xe9 won.\n")
    for given, where in ((folder, "a.txt: not UTF-8 text (byte 7), nor cp1252; re-save as UTF-8 or pass --encoding "
                                  "with its encoding"),
                         (table, "latin.csv:2: not UTF-8 text, nor cp1252 (re-save it as UTF-8, or pass --encoding "
                                 "with its encoding")):
        said = " ".join(run("prepare", given, "--out", out).output.split())
        assert where in said, said


def test_encoding_names_the_files_that_are_not_utf8_so_one_folder_may_mix_them(tmp_path):
    """--encoding cp1252 on a folder of cp1252 and UTF-8 articles (and an Excel manifest) reads each as it is;
    a byte-order mark always decides; an HTML page's declared charset is read; UTF-16 without a mark with
    --encoding utf-16-le."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "legacy.txt").write_bytes("Putin’s café talks in Moscow.\n".encode("cp1252"))
    (folder / "modern.txt").write_text("Putin’s envoy met NATO’s chief.\n", encoding="utf-8")
    (folder / "marked.txt").write_bytes("Putin’s envoy met NATO’s chief again.\n".encode("utf-16"))
    (folder / "page.html").write_bytes('<html><head><meta charset="windows-1252"><title>T</title></head><body>'
                                       '<article><p>Russia’s envoy met NATO’s chief in Brussels on a long day.</p>'
                                       '</article></body></html>'.encode("cp1252"))
    (folder / "manifest.csv").write_bytes("file,source\nlegacy.txt,Süddeutsche\nmodern.txt,Süddeutsche\n"
                                          "marked.txt,Süddeutsche\npage.html,Le Monde\n".encode("cp1252"))
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--encoding", "cp1252", "-q")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    texts = {r["text"] for r in rows}
    assert {"Putin’s café talks in Moscow.", "Putin’s envoy met NATO’s chief.",
            "Putin’s envoy met NATO’s chief again."} <= texts
    assert {r["source"] for r in rows} == {"Süddeutsche", "Le Monde"}
    assert any("Russia’s envoy" in t for t in texts)
    pages = tmp_path / "pages"
    pages.mkdir()
    (folder / "page.html").rename(pages / "page.html")
    assert run("prepare", pages, "--out", out, "-q").exit_code == 0  # the page's own charset: no --encoding needed
    assert any("Russia’s envoy" in r["text"] for r in read_jsonl(out))
    (pages / "ru.html").write_bytes('<html><head><meta charset="windows-1251"><title>T</title></head><body><article>'
                                    '<p>Russia (Россия) warned NATO on a long day of talks.</p>'
                                    '</article></body></html>'.encode("cp1251"))
    assert run("prepare", pages, "--out", out, "-q", "--encoding", "cp1252").exit_code == 0  # its charset wins
    assert any(r["text"] == "Russia (Россия) warned NATO on a long day of talks." for r in read_jsonl(out))
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    for name, declared in (("says_utf8", "utf-8"), ("says_latin1", "iso-8859-1")):  # cp1252 bytes both
        (wrong / f"{name}.html").write_bytes(f'<html><head><meta charset="{declared}"><title>T</title></head><body>'
                                             f'<article><p>Russia’s envoy “warned” NATO in {name} on a long day.</p>'
                                             '</article></body></html>'.encode("cp1252"))
    assert run("prepare", wrong, "--out", out, "-q", "--encoding", "cp1252").exit_code == 0
    assert {r["text"] for r in read_jsonl(out)} == {f"Russia’s envoy “warned” NATO in {name} on a long day."
                                                    for name in ("says_utf8", "says_latin1")}
    wide = tmp_path / "wide"
    wide.mkdir()
    (wide / "a.txt").write_bytes("Russia condemned NATO.\n".encode("utf-16-le"))
    refused = run("prepare", wide, "--out", out)
    assert refused.exit_code == 1 and "pass --encoding utf-16-le" in " ".join(refused.output.split())
    assert run("prepare", wide, "--out", out, "--encoding", "utf-16-le", "-q").exit_code == 0
    assert {r["actor"] for r in read_jsonl(out)} == {"Russia", "NATO"}


def test_a_manifest_title_that_is_not_the_first_line_is_the_headline(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("NATO warns Moscow over troop build-up\n\nRussia moved troops on Monday.\n")
    (folder / "b.txt").write_text("China hails pact\n\nChina signed it.\n")
    (folder / "manifest.csv").write_text("file,source,title\na.txt,A,Russia threatens NATO allies\n"
                                         "b.txt,B,China hails pact\n")
    out = tmp_path / "items.jsonl"
    assert run("prepare", folder, "--out", out, "-q").exit_code == 0
    kinds = {(r["article"], r["text"]): r["kind"] for r in read_jsonl(out)}
    assert kinds[("a", "Russia threatens NATO allies")] == "headline"
    assert kinds[("a", "NATO warns Moscow over troop build-up")] == "subheading"
    assert kinds[("b", "China hails pact")] == "headline" and len([k for k in kinds if k[0] == "b"]) == 2
    (folder / "c.txt").write_text("Russia’s threat to NATO allies\n\nRussia moved troops.\n")
    (folder / "manifest.csv").write_text("file,source,title\nc.txt,C,\"Russia's threat to NATO allies - Reuters\"\n")
    assert run("prepare", folder, "--out", out, "-q").exit_code == 0
    headlines = [r for r in read_jsonl(out) if r["article"] == "c" and r["kind"] == "headline"]
    assert [r["text"] for r in headlines] == ["Russia’s threat to NATO allies"] * 2  # one headline, two actors


def test_a_european_excel_csv_opening_with_its_delimiter_hint_is_read(tmp_path):
    """Excel where a comma is no list separator writes 'sep=;' above the header: prepare refused such a table
    ("more fields than the header has (2: sep=, )"); it reads it as the same table without the hint, and names its
    rows by the file's lines."""
    body = "id;text;source\r\na1;Russia warned NATO on Monday, officials said.;RT\r\na2;;RT\r\n"
    (tmp_path / "hint.csv").write_text("sep=;\r\n" + body, newline="")
    (tmp_path / "plain.csv").write_text(body, newline="")
    out = {name: tmp_path / f"{name}.jsonl" for name in ("hint", "plain")}
    refused = run("prepare", tmp_path / "hint.csv", "--out", out["hint"])
    assert refused.exit_code == 1 and "hint.csv:4: empty 'text'" in " ".join(refused.output.split())
    for name in out:
        result = run("prepare", tmp_path / f"{name}.csv", "--out", out[name], "-q", "--skip-unreadable")
        assert result.exit_code == 0, result.output
    assert out["hint"].read_bytes() == out["plain"].read_bytes() and {r["actor"] for r in read_jsonl(out["hint"])} \
        == {"Russia", "NATO"}


def test_dates_headers_empty_rows_and_manifest_slips_are_read_or_named(tmp_path):
    table = tmp_path / "articles.csv"
    table.write_text("ID,Text,Source,Date\n1,Russia warned NATO.,RT,\"March 3, 2022\"\n2,,RT,2022-03-04\n"
                     "3,China replied.,TASS,\"Thu, 03 Mar 2022 10:00:00 GMT\"\n4,NATO met.,TASS,03.03.2022\n")
    out = tmp_path / "items.jsonl"
    refused = run("prepare", table, "--out", out)
    assert refused.exit_code == 1 and "articles.csv:3: empty 'text' (--skip-unreadable skips such rows)" \
        in " ".join(refused.output.split())
    result = run("prepare", table, "--out", out, "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "; 1 row without text skipped;" in said
    assert "1 article has a date the report cannot read (e.g. '03.03.2022' at" in said
    dates = {r["article"]: r["date"] for r in read_jsonl(out)}
    assert dates == {"1": "2022-03-03", "3": "2022-03-03T10:00:00+00:00", "4": "03.03.2022"}
    from classifier.ingest import normal_date
    from classifier.report.timeline import article_dates

    readable = ["20240305", "2024-03-05T10:00:00 +01:00", "2024-03-05 10:00", "2024", "2024-06"]
    assert all(normal_date(d)[1] for d in readable)  # kept as written, and the report reads each
    assert article_dates(pd.DataFrame({"date": readable[:3]})).notna().all()
    assert not any(normal_date(d)[1] for d in ("2022-13-45", "20241345", "2022-W09-4", "03.03.2022 14:05"))
    assert {r["source"] for r in read_jsonl(out)} == {"RT", "TASS"}  # "Source" read as source
    blank = tmp_path / "blank.csv"
    blank.write_text("id,text\n1,\n2,  \n")
    for flags in ((), ("--skip-unreadable",)):
        refused = run("prepare", blank, "--out", out, *flags)
        assert refused.exit_code == 1 and "blank.csv:2: empty 'text', as in every row of blank.csv (2)" \
            in " ".join(refused.output.split())
    nothing = tmp_path / "body.csv"
    nothing.write_text("id,body\n1,Russia spoke.\n")
    refused = run("prepare", nothing, "--out", out)
    assert "body.csv:2: missing field 'text' (the row has 'id', 'body'" in " ".join(refused.output.split())
    folder = tmp_path / "corpus"
    (folder / "RT").mkdir(parents=True)
    (folder / "RT" / "a1.txt").write_text("Russia warned NATO.\n")
    (folder / "RT" / "A2.txt").write_text("Russia warned NATO again.\n")
    (folder / "loose.txt").write_text("China replied.\n")
    (folder / "manifest.csv").write_text("file,outlet,notes\nRT\\a1.txt,RT,x\nRT/a2.txt,RT,y\n")
    result = run("prepare", folder, "--out", out, "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert "column 'notes' not read" in said and "2 article files are not in it (e.g. RT/A2.txt)" in said
    assert "ignored " in said and "names differ in case: RT/A2.txt" in said
    assert "; 1 manifest row matched no article;" in said and "files skipped" not in said
    assert {r["article"]: r["source"] for r in read_jsonl(out)} == {"RT/a1": "RT", "RT/A2": "RT/A2", "loose": "loose"}


@pytest.mark.parametrize("written", ["3. März 2022", "Donnerstag, 3. März 2022", "3 mars 2022", "jeudi 3 mars 2022",
                                     "3 de marzo de 2022", "3 марта 2022 г.", "3 мар. 2022", "3 березня 2022",
                                     "3 березня 2022 р.", "3 marzo 2022", "3 de março de 2022", "3 marca 2022",
                                     "3rd March 2022"])
def test_a_date_with_a_month_named_in_another_language_is_read(written):
    from classifier.ingest import normal_date

    assert normal_date(written) == ("2022-03-03", True)


def test_month_names_of_other_languages_are_read_and_numbers_still_not_guessed(tmp_path):
    from classifier.ingest import normal_date

    assert normal_date("3 листопада 2022")[0] == normal_date("3 ноября 2022")[0] == "2022-11-03"  # genitive
    assert normal_date("3 listopada 2022")[0] == normal_date("3 novembre 2022")[0] == "2022-11-03"
    for kept in ("03/03/2022", "3.3.2022", "03.03.2022", "Thu 03/03/2022", "03.03.2022 14:05", "3 mars",
                 "31 février 2022", "3 " + "mars " * 20 + "2022"):
        assert normal_date(kept) == (kept, False)  # which number is the month is not guessed, a time after it or not
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "manifest.csv").write_text("file,source,date\na.txt,RIA,3 марта 2022 г.\nb.txt,EFE,3 de marzo de 2022\n"
                                         "c.txt,Spiegel,31. Februar 2022\n", encoding="utf-8")
    for name in "abc":
        (folder / f"{name}.txt").write_text("Russia warned NATO.\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert "1 article has a date the report cannot read (e.g. '31. Februar 2022' at" in said  # as before
    assert {r["article"]: r["date"] for r in read_jsonl(out)} == {"a": "2022-03-03", "b": "2022-03-03",
                                                                   "c": "31. Februar 2022"}


@pytest.mark.parametrize("written", ["March 3, 2022 14:05", "Mar 3, 2022, 2:05 PM EST", "3 March 2022 14:05",
                                     "Thursday, March 3, 2022 11:30 p.m. ET", "March 3, 2022 at 11:45 pm GMT+3",
                                     "3 mars 2022 à 10h", "3. März 2022, 14:05 Uhr", "3 марта 2022 г., 23:05 (МСК)",
                                     "3 de marzo de 2022 14:05 CET", "3 березня 2022 р., 14:05"])
def test_a_written_date_with_a_time_after_it_reads_to_the_day_as_written(written):
    from classifier.ingest import normal_date

    assert normal_date(written) == ("2022-03-03", True)  # the day printed, its zone aside (11:45 pm GMT+3 too)


def test_dates_with_times_in_a_table_are_read_to_the_day_the_outlet_printed(tmp_path):
    table = tmp_path / "articles.csv"
    dates = ["March 3, 2022 14:05", "03.03.2022 14:05", "2022-03-03 23:05:00+03:00", "Mar 3, 2022, 2:05 PM EST"]
    table.write_text("id,text,date\n" + "".join(f'{n},Russia warned NATO.,"{d}"\n' for n, d in enumerate(dates)))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "1 article has a date the report cannot read (e.g. '03.03.2022 14:05' at" in said
    written = {r["article"]: r["date"] for r in read_jsonl(out)}
    assert written == {"0": "2022-03-03", "1": "03.03.2022 14:05", "2": "2022-03-03 23:05:00+03:00", "3": "2022-03-03"}
    from classifier.dates import read_dates

    days = read_dates(pd.Series(list(written.values()), dtype=object))
    assert [d.date().isoformat() if pd.notna(d) else None for d in days] == ["2022-03-03", None] + ["2022-03-03"] * 2


NUMERIC_DATES = ["03.04.2022", "3.4.2022", "03/04/2022", "3/4/2022", "03-04-2022", "03.04.2022 14:05",
                 "3/4/2022, 2:05 PM EST", "3.4.2022 14.05 Uhr", "03-04-2022 23:30 (MSK)"]


@pytest.mark.parametrize("written", NUMERIC_DATES)
def test_a_date_in_numbers_is_read_in_the_order_given_and_kept_unread_without_one(written):
    from classifier.ingest import normal_date

    assert normal_date(written) == (written, False)  # as before: which number is the month is not guessed
    assert normal_date(written, "DMY") == ("2022-04-03", True)  # the day printed, a time and zone after it aside
    assert normal_date(written, "MDY") == ("2022-03-04", True)
    assert normal_date(written, "YMD") == (written, False)


def test_a_year_first_date_in_numbers_is_read_year_month_day_without_an_order_and_others_are_unchanged_by_it():
    from classifier.ingest import normal_date

    for order in (None, "DMY", "MDY", "YMD"):  # a four-digit year first: year, month, day is no guess
        for written in ("2022/04/03, 14:05", "2022.4.3 14.05 Uhr", "2022-4-3 2:05 PM", "2022/4/3", "2022.04.03"):
            assert normal_date(written, order) == ("2022-04-03", True), (written, order)
        for impossible in ("2022/13/04", "2022.2.30 14:05", "2022/4/31"):  # no day: kept, not read day first
            assert normal_date(impossible, order) == (impossible, False)
        assert normal_date("2022-04-03T10:00:00+03:00", order) == ("2022-04-03T10:00:00+03:00", True)
        assert normal_date("3 марта 2022 г., 14:05", order) == ("2022-03-03", True)
        assert normal_date("2022.3.4", order) == ("2022-03-04", True)
    for impossible, order in (("31.02.2022", "DMY"), ("13/25/2022", "MDY"), ("25/13/2022", "DMY"),
                              ("13/04/2022 14:05", "MDY"), ("29.02.2023", "DMY"), ("03.04.2022", "YMD")):
        assert normal_date(impossible, order) == (impossible, False)
    assert normal_date("01.01.1970", "DMY") == ("01.01.1970", False)  # read, it is the placeholder day
    assert normal_date("03.03.1500", "DMY") == ("03.03.1500", False)  # out of 1600-2200


@pytest.mark.parametrize("written", ["03.04.22", "3.4.22", "03/04/22", "3/4/22", "03-04-22", "3/4/22 14:05",
                                     "3.4.22 14.05 Uhr", "03/04/22, 2:05 PM EST"])
def test_a_date_in_numbers_with_a_two_digit_year_is_read_in_the_order_given_and_never_year_first(written):
    from classifier.ingest import normal_date

    assert normal_date(written) == (written, False)  # no order: not guessed, as a four-digit year's
    assert normal_date(written, "DMY") == ("2022-04-03", True)
    assert normal_date(written, "MDY") == ("2022-03-04", True)
    assert normal_date(written, "YMD") == (written, False)  # which two digits are the year would be a guess


def test_a_two_digit_year_is_this_century_up_to_next_year_and_the_last_one_after_it():
    import datetime

    from classifier.ingest import full_year, normal_date

    assert [full_year(yy, 2026) for yy in ("00", "22", "27", "28", "99")] == [2000, 2022, 2027, 1928, 1999]
    assert [full_year(yy, 2099) for yy in ("00", "01", "99")] == [2100, 2001, 2099]  # next year, 2100, the latest
    latest = datetime.date.today().year + 1  # the pivot moves with the calendar: the year after this one is the last
    assert normal_date(f"03.04.{latest % 100:02d}", "DMY") == (f"{latest}-04-03", True)
    assert normal_date(f"03.04.{(latest + 1) % 100:02d}", "DMY") == (f"{latest + 1 - 100}-04-03", True)
    assert normal_date("31.02.22", "DMY") == ("31.02.22", False) and normal_date("01.01.70", "DMY")[1] is False


def test_two_digit_years_are_warned_of_naming_the_option_without_one_and_read_with_it(tmp_path):
    table = tmp_path / "articles.csv"
    table.write_text("id,text,date\n1,Russia warned NATO.,03.04.22\n2,China replied.,\"3/4/22 14:05\"\n")
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", table, "--out", out).output.split())
    assert "2 articles have a date the report cannot read (e.g. '03.04.22' at" in said
    assert "they are written in numbers, whose order is not guessed: --date-order DMY reads them day first" in said
    for order, day in (("DMY", "2022-04-03"), ("MDY", "2022-03-04")):
        result = run("prepare", table, "--out", out, "--date-order", order)
        assert result.exit_code == 0 and "cannot read" not in result.output, result.output
        assert {r["date"] for r in read_jsonl(out)} == {day}
    said = " ".join(run("prepare", table, "--out", out, "--date-order", "YMD").output.split())
    assert "they are written in numbers with the year last, which --date-order YMD does not read (nor a two-digit " \
        "year, which read year first would be a guess): DMY reads them day first" in said
    assert {r["date"] for r in read_jsonl(out)} == {"03.04.22", "3/4/22 14:05"}


def test_date_order_reads_a_manifest_s_and_a_table_s_numeric_dates_and_warns_of_impossible_ones(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in "abc":
        (folder / f"{name}.txt").write_text("Russia warned NATO.\n")
    (folder / "manifest.csv").write_text("file,source,date\na.txt,RT,03.04.2022\nb.txt,Spiegel,\"3.4.2022 14:05\"\n"
                                         "c.txt,RT,2022-04-05\n")
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", folder, "--out", out).output.split())
    assert "2 articles have a date the report cannot read (e.g. '03.04.2022' at" in said  # as before, unread
    assert "they are written in numbers, whose order is not guessed: --date-order DMY reads them day first " \
        "(03.04.2022 is 3 April), MDY month first" in said and "; 2 articles undated; " in said
    assert {r["article"]: r["date"] for r in read_jsonl(out)} == {"a": "03.04.2022", "b": "3.4.2022 14:05",
                                                                   "c": "2022-04-05"}
    for order, day in (("DMY", "2022-04-03"), ("dmy", "2022-04-03"), ("MDY", "2022-03-04")):
        result = run("prepare", folder, "--out", out, "--date-order", order)
        said = " ".join(result.output.split())
        assert result.exit_code == 0 and "cannot read" not in said and "undated" not in said, said
        assert {r["article"]: r["date"] for r in read_jsonl(out)} == {"a": day, "b": day, "c": "2022-04-05"}
    table = tmp_path / "articles.csv"
    table.write_text("id,text,date\n1,Russia warned NATO.,31.02.2022\n2,China replied.,\"March 3, 2022\"\n"
                     "3,NATO met.,yesterday\n4,EU met.,13/25/2022\n")
    result = run("prepare", table, "--out", out, "--date-order", "DMY")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "3 articles have a date the report cannot read (e.g. '31.02.2022' at " \
        f"{table}:2:" in said and "undated" in said
    assert "2 of them are written in numbers with no day when read as --date-order DMY (a 31 February, a month " \
        "over 12, or another order)" in said
    assert {r["article"]: r["date"] for r in read_jsonl(out)}["1"] == "31.02.2022"  # kept as written, undated
    said = " ".join(run("prepare", table, "--out", out).output.split())  # unread as before; the option is named
    assert "2 of them are written in numbers, whose order is not guessed: --date-order DMY reads them" in said
    before = out.read_bytes()
    for bad in ("DM", "day-first", ""):
        refused = run("prepare", table, "--out", out, "--date-order", bad)
        shown = bad or "''"  # an empty value is seen, quoted as a shell takes it
        assert refused.exit_code == 1 and f"--date-order {shown}: expected DMY (day first: 03.04.2022 is 3 April), " \
            "MDY (month first: 4 March) or YMD" in " ".join(refused.output.split())
        assert "Traceback" not in refused.output and out.read_bytes() == before  # nothing written


def test_a_table_s_year_first_dates_with_times_are_read_without_date_order(tmp_path):
    table = tmp_path / "articles.csv"
    dates = ["2022/03/04, 14:05", "2022.3.4 14.05 Uhr", "2022-3-4 2:05 PM", "2022/3/4", "04.03.2022", "2022/13/04"]
    table.write_text("id,text,date\n" + "".join(f'{n},Russia warned NATO.,"{d}"\n' for n, d in enumerate(dates)))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert {r["article"]: r["date"] for r in read_jsonl(out)} == {
        **{str(n): "2022-03-04" for n in range(4)}, "4": "04.03.2022", "5": "2022/13/04"}
    # the day-first one still needs --date-order; the year-first one with no 13th month is no date, not an order
    assert "2 articles have a date the report cannot read (e.g. '04.03.2022' at" in said
    assert "1 of them is written in numbers (e.g. '04.03.2022' at" not in said  # named once, as the first
    assert "1 of them is written in numbers, whose order is not guessed: --date-order DMY" in said


def test_prepare_items_takes_the_date_order(tmp_path):
    import classifier
    from classifier.errors import InputError

    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "a", "text": "Russia warned NATO.", "date": "04/03/2022 10:00"}) + "\n")
    assert {i["date"] for i in classifier.prepare_items(table, date_order="MDY")} == {"2022-04-03"}
    with pytest.warns(UserWarning, match="date_order='DMY' reads them day first"):
        assert {i["date"] for i in classifier.prepare_items(table)} == {"04/03/2022 10:00"}
    with pytest.raises(InputError, match="date_order='MD': expected DMY"):
        classifier.prepare_items(table, date_order="MD")


def test_a_parquet_timestamp_gives_the_date_its_text_gives(tmp_path):
    """A Parquet timestamp column (pandas' datetime column saved) at midnight is the day, as "2011-04-07" in a CSV
    file is kept: prepare had written "2011-04-07T00:00:00"; a time, or a zone, is kept in ISO 8601."""
    import classifier

    days = pd.to_datetime(["2011-04-07", "2011-04-07 14:05", None], format="ISO8601")
    frame = pd.DataFrame({"id": ["a", "b", "c"], "text": ["Russia warned NATO."] * 3, "date": days})
    frame.to_parquet(tmp_path / "naive.parquet")
    frame.assign(date=days.tz_localize("Europe/Berlin")).to_parquet(tmp_path / "zoned.parquet")
    (tmp_path / "text.csv").write_text("id,text,date\na,Russia warned NATO.,2011-04-07\n")
    dates = lambda path: [i["date"] for i in classifier.prepare_items(tmp_path / path) if i["actor"] == "Russia"]  # noqa: E731
    assert dates("naive.parquet") == ["2011-04-07", "2011-04-07T14:05:00", None]
    assert dates("zoned.parquet") == ["2011-04-07T00:00:00+02:00", "2011-04-07T14:05:00+02:00", None]
    assert dates("text.csv") == ["2011-04-07"]
    from classifier.dates import date_text

    assert date_text(pd.Timestamp("2011-04-07 00:00:00.000000001")) == "2011-04-07T00:00:00.000000001"


def test_a_rewritten_date_the_report_leaves_out_is_warned_of(tmp_path):
    from classifier.ingest import normal_date

    for left_out in ("March 3, 1500", "January 1, 1970", "1 января 1970", "Thu, 01 Jan 1970 00:00:00 GMT"):
        assert normal_date(left_out) == (left_out, False)  # a year outside 1600-2200, or a placeholder day
    table = tmp_path / "articles.csv"
    table.write_text("id,text,date\n1,Russia warned NATO.,\"March 3, 1500\"\n2,China replied.,\"March 3, 2022\"\n")
    result = run("prepare", table, "--out", tmp_path / "items.jsonl")
    assert "1 article has a date the report cannot read (e.g. 'March 3, 1500' at" in " ".join(result.output.split())


def test_a_corpus_without_actors_says_so_and_a_read_only_folder_is_named_first(tmp_path, monkeypatch):
    import os

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The weather was fine on Monday. Nobody came.\n")
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(tmp_path / "items.jsonl")])
    assert result.exit_code == 0 and "no actor of the catalogue is mentioned in its 1 article," in \
        result.output.replace("\n", "")
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == locked else real(path, mode))
    result = runner.invoke(app, ["prepare", str(corpus), "--out", str(locked / "sub" / "items.jsonl")])
    assert result.exit_code == 1 and f"cannot write here, {locked} is read-only" in result.output.replace("\n", "")


def test_a_wire_dateline_is_not_a_mention_of_its_city_s_country(tmp_path):
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Talks stall\n\nBy Jane Doe\n\nMOSCOW (Reuters) — China and Ukraine met on Monday. "
                                  "Moscow was not invited.\n\nWASHINGTON — this later line is no dateline.\n")
    (corpus / "b.txt").write_text("Talks stall\n\nKYIV, Ukraine, March 3 (AP) -- Officials met.\n")
    (corpus / "c.txt").write_text("Talks stall\n\nNEW YORK (CNN)Officials met.\n")
    (corpus / "d.txt").write_text("Talks stall\n\nWASHINGTON―Officials met.\n")
    (corpus / "e.txt").write_text("Talks stall\n\nUS - China talks resumed.\n")  # no dateline: a hyphen between
    (corpus / "f.txt").write_text("Talks stall\n\nNATO, which Russia sees as a threat — met on Monday.\n")
    (corpus / "g.txt").write_text("Talks stall\n\nNATO — the alliance warned Russia.\n")
    (corpus / "h.txt").write_text("Talks stall\n\nRussia warned NATO on Monday.\n\nWASHINGTON — the US agreed.\n")
    items = list(classifier.prepare_items(corpus))
    by_sentence = {(i["article"], i["text"][:12], i["actor"]): i["spans"] for i in items}
    assert ("a", "MOSCOW (Reut", "Russia") not in by_sentence  # the dateline's city is where it was filed
    assert by_sentence[("a", "MOSCOW (Reut", "China")] == [[19, 24]]
    assert ("a", "Moscow was n", "Russia") in by_sentence and ("a", "WASHINGTON —", "United States") in by_sentence
    assert not any(i["article"] in ("b", "c", "d") for i in items)
    assert sorted(i["actor"] for i in items if i["article"] == "e") == ["China", "United States"]
    # not datelines, or no capital in them: every mention kept
    assert sorted(i["actor"] for i in items if i["article"] == "f") == ["NATO", "Russia"]
    assert sorted(i["actor"] for i in items if i["article"] == "g") == ["NATO", "Russia"]
    assert [i["spans"] for i in items if i["article"] == "h" and i["text"].startswith("WASHINGTON")] == [[[0, 10], [17, 19]]]


def test_a_capital_after_a_preposition_of_place_is_where_not_who(tmp_path):
    """"NATO defence ministers will meet in Brussels" gave 26 EU mentions in a corpus without an EU sentence; a
    capital or seat after in, at, into, near or outside is a location, one that speaks or owns is the actor."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Talks\n\nNATO defence ministers will meet in Brussels in June. Brussels wants a deal. "
        "Officials spoke at the White House on Monday. The White House said no. "
        "The envoy flew into Moscow and met near Beijing, outside the Kremlin. "
        "In Moscow's view the talks failed. Kyiv sent a team to Washington. Rain fell in Kyiv.\n")
    items = list(classifier.prepare_items(corpus))
    actors = {(i["text"][:14], i["actor"]) for i in items}
    assert ("NATO defence m", "NATO") in actors and ("NATO defence m", "European Union") not in actors
    assert ("Brussels wants", "European Union") in actors and ("The White Hous", "United States") in actors
    assert not any(i["text"].startswith(("Officials spoke", "The envoy", "Rain fell")) for i in items)
    assert ("In Moscow's vi", "Russia") in actors  # a possessive is the actor's: "in Moscow's eyes"
    assert {("Kyiv sent a te", "Ukraine"), ("Kyiv sent a te", "United States")} <= actors  # "to": not read so


def test_a_capital_opening_a_compound_after_a_preposition_is_the_actor(tmp_path):
    """"Fighting flared in Moscow-backed regions" lost its Russia mention, read as a place ("in Moscow"), where the
    preposition governs the compound's noun and the place names the actor that backs, controls or talks; a compound
    that says where ("at the Washington-based institute") stays a place."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Talks\n\nFighting flared in Moscow-backed regions. Critics see propaganda in Kremlin-controlled media. "
        "There is a thaw in Washington-Beijing ties. She spoke at the Washington-based institute on Monday.\n")
    items = list(classifier.prepare_items(corpus))
    found = {(i["text"][:12], i["actor"], tuple(map(tuple, i["spans"]))) for i in items}
    assert ("Fighting fla", "Russia", ((19, 25),)) in found and ("Critics see ", "Russia", ((26, 33),)) in found
    assert {("There is a t", "United States", ((19, 29),)), ("There is a t", "China", ((30, 37),))} <= found
    assert not any(i["text"].startswith("She spoke") for i in items)


def test_a_dateline_with_an_agency_date_or_region_holds_no_mention_and_a_headline_may_end_in_an_acronym(tmp_path):
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {"a": "KHARKIV, Ukraine (AP) — Shelling hit the city.", "b": "UNITED NATIONS (AP) — Diplomats met.",
             "c": "BRUSSELS/MOSCOW, March 3 (Reuters) - Officials met.", "d": "Moscow, March 3 (Reuters) - Oil rose.",
             "e": "Kharkiv, Ukraine (AP) — Shelling hit the city. Ukraine said so.",
             "f": "Russia, China — and now India — met.", "g": "BRUSSELS (AP) — NATO ministers met."}
    for name, body in texts.items():
        (corpus / f"{name}.txt").write_text(f"Talks stall\n\n{body}\n")
    (corpus / "h.txt").write_text("Oil prices jump after sanctions on U.S.\n\nMOSCOW (Reuters) - Oil prices rose.\n\n"
                                  "The E.U. agreed. Ukraine thanked the U.S.A. for its support. (Reuters)\n\n"
                                  "— Jens Stoltenberg (@jensstoltenberg) March 3, 2022\n")
    items = list(classifier.prepare_items(corpus))
    actors = {name: sorted(i["actor"] for i in items if i["article"] == name) for name in [*texts, "h"]}
    assert actors["a"] == actors["b"] == actors["c"] == actors["d"] == []  # where the report was filed
    assert actors["e"] == ["Ukraine"] and [i["text"] for i in items if i["article"] == "e"] == ["Ukraine said so."]
    assert actors["f"] == ["China", "India", "Russia"]  # a list of actors, not a place and its region
    assert actors["g"] == ["NATO"]
    openers = {"i": "The United Nations (UN) General Assembly condemned Russia.", "j": "Beijing — not Washington — holds "
               "the key.", "k": "Moscow — Oil prices rose.", "l": "The European Commission (EC) President said so."}
    for name, body in openers.items():
        (corpus / f"{name}.txt").write_text(f"Talks stall\n\n{body}\n")
    (corpus / "m.txt").write_text("Gen. Milley warns Russia\n\nKYIV, Ukraine (AP) — Officials met.\n")
    items = list(classifier.prepare_items(corpus))
    actors = {name: sorted(i["actor"] for i in items if i["article"] == name) for name in [*openers, "m"]}
    assert actors["i"] == ["Russia", "United Nations"] and actors["j"] == ["China", "United States"]
    assert actors["k"] == ["Russia"] and actors["l"] == ["European Union"]  # a lower-case place needs an agency
    assert [(i["kind"], i["actor"]) for i in items if i["article"] == "m"] == [("headline", "Russia")]  # "Gen." ends
    filed = {"n": "Washington (CNN)President Joe Biden met NATO allies.", "o": "Kyiv (UNIAN) — Ukraine said so.",
             "p": "Moscow (Reuters/Ukrinform) — Oil rose.", "q": "KYIV (Reuters/Ukrinform) — Officials met.",
             "r": "NATO (the alliance) — met Russia.", "s": "Moscow (Associated Press) — Oil rose."}
    for name, body in filed.items():
        (corpus / f"{name}.txt").write_text(f"Talks stall\n\n{body}\n")
    items = list(classifier.prepare_items(corpus))
    actors = {name: sorted(i["actor"] for i in items if i["article"] == name) for name in filed}
    assert actors == {"n": ["NATO", "United States"], "o": ["Ukraine"], "p": [], "q": [], "r": ["NATO", "Russia"],
                      "s": []}  # AP spelt out
    assert [i["spans"] for i in items if i["article"] == "n" and i["actor"] == "United States"] == [[[26, 35]]]
    h = [(i["kind"], i["actor"], i["text"]) for i in items if i["article"] == "h"]
    assert ("headline", "United States", "Oil prices jump after sanctions on U.S.") in h  # and the next is its body
    assert "Russia" not in {actor for _, actor, _ in h}  # so "MOSCOW (Reuters) -" opens the body: a dateline
    assert ("body", "Ukraine", "Ukraine thanked the U.S.A. for its support.") in h  # a paragraph of sentences, split
    assert "NATO" not in {actor for _, actor, _ in h}  # an embedded post's attribution line is page furniture


def test_a_link_to_an_article_of_the_corpus_is_not_read_twice(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Russia warned NATO.\n")
    (folder / "b.txt").symlink_to("a.txt")
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out)
    assert result.exit_code == 0 and "b.txt: a link to a.txt, which is read under its own name" in \
        " ".join(result.output.split())
    assert {r["article"] for r in read_jsonl(out)} == {"a"}


GERMAN = ("Die Bundesregierung hat am Montag neue Sanktionen gegen Russland angekündigt. Der Kanzler sagte in Berlin, "
          "man werde die Ukraine weiter unterstützen, solange es nötig sei. Die Opposition kritisierte, dass die "
          "Maßnahmen zu spät kämen und nicht weit genug gingen. Auch sollen die Konten einiger reicher Geschäftsleute "
          "eingefroren werden.")
RUSSIAN = "МОСКВА, 3 марта. /ТАСС/. Министр иностранных дел заявил, что Москва готова к переговорам с Киевом. NATO."
ENGLISH = ("Russia's foreign minister said on Thursday that Moscow was ready for talks. \"Мы готовы к переговорам,\" "
           "he told reporters, a day after the United States announced new sanctions against Russian banks and "
           "several businessmen close to the Kremlin, which the European Union is said to be weighing as well.")


def test_a_text_whose_other_script_follows_two_thousand_english_words_is_named_by_that_script():
    """The script was counted over the first 2,000 words only: an English summary of that length before a longer
    Chinese text left nothing counted, and an IndexError escaped."""
    from classifier.prepare import not_english

    assert not_english(" ".join(["war"] * 2000) + " " + "中" * 7000) == "CJK script"


def test_without_the_bundled_vocabulary_no_latin_text_is_judged_not_english(monkeypatch):
    """With no common words to count (the encoder's vocabulary missing), every Latin-script article scored 0%."""
    import classifier.prepare as prepare

    monkeypatch.setattr(prepare, "common_words", frozenset)
    assert prepare.not_english(ENGLISH) is None and prepare.not_english(GERMAN) is None
    assert prepare.not_english(RUSSIAN) == "Cyrillic script"  # the script needs no vocabulary


def test_articles_that_do_not_read_as_english_are_written_and_named_in_a_warning(tmp_path):
    import classifier
    from classifier.prepare import not_english

    assert not_english(RUSSIAN) == "Cyrillic script" and not_english("新华社北京3月3日电 外交部发言人表示，中方愿同俄方一道") \
        == "CJK script"
    assert not_english(GERMAN).startswith("few common English words")
    assert not_english(ENGLISH) is None and not_english("Die Welt.") is None  # too short to say
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in {"de": GERMAN, "ru": RUSSIAN, "en": ENGLISH}.items():
        (corpus / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", corpus, "--out", out, "--explain")
    said = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "2 articles do not read as English (few common English words 1, Cyrillic script 1; e.g. de, ru)" in said
    assert "ru [not English] Cyrillic script" in said and "de [not English] few common English words" in said
    assert "en [not English]" not in said
    assert {r["article"] for r in read_jsonl(out)} == {"de", "en", "ru"}  # written all the same
    with pytest.warns(UserWarning, match="2 articles do not read as English"):
        assert list(classifier.prepare_items(corpus)) == read_jsonl(out)


def test_english_only_leaves_out_the_items_of_articles_that_do_not_read_as_english(tmp_path):
    """The warning said "leave them out" and named no way to: the items of a German or Russian article were mixed
    into an outlet's figures unless the user filtered them by hand."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in {"de": GERMAN, "ru": RUSSIAN, "en": ENGLISH}.items():
        (corpus / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "fr", "text": "La Russie et la Chine. NATO.", "language": "fr"}) + "\n"
                     + json.dumps({"id": "us", "text": "Russia and China met. NATO agreed.", "language": "en"}) + "\n")
    kept = run("prepare", corpus, "--out", tmp_path / "all.jsonl")
    assert kept.exit_code == 0 and "leave them out with prepare --english-only" in " ".join(kept.output.split())
    assert {r["article"] for r in read_jsonl(tmp_path / "all.jsonl")} == {"de", "en", "ru"}
    out = tmp_path / "items.jsonl"
    result = run("prepare", corpus, "--out", out, "--english-only", "--explain")
    said = " ".join(result.output.split())
    assert result.exit_code == 0
    assert "2 articles do not read as English (few common English words 1, Cyrillic script 1; e.g. de, ru)" in said
    assert "their items are left out (--english-only; --explain names each)" in said
    assert "de [not English]" in said and "no actor of the catalogue" not in said
    english = read_jsonl(out)
    assert english and {r["article"] for r in english} == {"en"}
    with pytest.warns(UserWarning, match="their items are left out"):
        assert list(classifier.prepare_items(corpus, english_only=True)) == english
    assert run("prepare", table, "--out", out, "--english-only").exit_code == 0  # a language column's fr
    assert {r["article"] for r in read_jsonl(out)} == {"us"}


def test_a_dateline_after_an_html_page_s_standfirst_holds_no_mention(tmp_path):
    """A standfirst above the body (kept by the extractor inside the <article>, or put back from outside it) came
    before "KYIV, Ukraine (AP) —", so the dateline was the second body paragraph and its place counted as Ukraine."""
    import classifier

    folder = tmp_path / "html"
    folder.mkdir()
    body = ("<p>KYIV, Ukraine (AP) — EU leaders hailed the deal as a sign of unity, though Hungary abstained.</p>"
            "<p>The European Union approved a new package of sanctions against Russian oil exports on Monday.</p>")
    dek = '<p class="standfirst">Diplomats say the gap between Washington and Moscow remains wide as winter sets in.</p>'
    head = "<html><head><title>Talks stall in Brussels</title></head><body>"
    (folder / "inside.html").write_text(f"{head}<article><h1>Talks stall in Brussels</h1>{dek}{body}</article></body>"
                                        "</html>")
    (folder / "outside.html").write_text(f"{head}<header><h1>Talks stall in Brussels</h1>{dek}</header><article>"
                                         f"{body}</article></body></html>")
    (folder / "plain.html").write_text(f"{head}<article><h1>Talks stall in Brussels</h1><p>Diplomats say the gap "
                                       "between Washington and Moscow remains wide as winter sets in.</p>"
                                       f"{body}</article></body></html>")
    items = list(classifier.prepare_items(folder))
    for page in ("inside", "outside"):
        said = {(i["text"][:20], i["actor"]) for i in items if i["article"] == page}
        assert ("Diplomats say the ga", "Russia") in said  # the standfirst is scored
        assert ("KYIV, Ukraine (AP) —", "European Union") in said and ("KYIV, Ukraine (AP) —", "Ukraine") not in said
    # a paragraph no standfirst holds is the body's first: the line after it opens no dateline (a page's dek is
    # read from its markup, a text file's from its lines)
    assert ("KYIV, Ukraine (AP) —", "Ukraine") in {(i["text"][:20], i["actor"]) for i in items if i["article"] == "plain"}


def test_a_dateline_after_a_text_s_dek_line_holds_no_mention_and_body_lines_are_no_deks(tmp_path):
    """A text file's headline, dek line and "KYIV, Ukraine (AP) — ...": the dateline was the second body paragraph,
    and its place counted as Ukraine; an HTML page's standfirst was read, a text's dek line was not."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    dek = "Diplomats say the gap between Washington and Moscow remains wide as winter sets in."
    dateline = "KYIV, Ukraine (AP) — EU leaders hailed the deal as a sign of unity."
    lede = "Hungary abstained on Monday. Poland did not. Officials in Brussels said the vote was close."
    texts = {"dek": f"Talks stall\n\n{dek}\n\n{dateline}", "lines": f"Talks stall\n{dek}\n{dateline}",
             "byline": f"Talks stall\n\n{dek}\n\nBy Jane Doe\n\n{dateline}",
             "tass": f"Talks stall\n\n{dek}\n\nKYIV, March 3. /TASS/. Ukraine said so.",
             # ordinary body lines: no deks, so the line after them opens no dateline
             "lede": f"Talks stall\n\n{lede}\n\n{dateline}", "second": f"Talks stall\n\n{dek}\n\nOfficials met.\n\n{dateline}",
             "untitled": f"{dek}\n\n{dateline}", "bare": f"Talks stall\n\n{dek}\n\nKYIV — Ukraine said so."}
    for name, text in texts.items():
        (corpus / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "row", "title": "Talks stall", "text": f"{dek}\n\n{dateline}"}) + "\n")
    items = list(classifier.prepare_items(corpus)) + list(classifier.prepare_items(table))
    said = {(i["article"], i["text"][:13], i["actor"]) for i in items}
    for name in ("dek", "lines", "byline", "row"):
        assert (name, "KYIV, Ukraine", "European Union") in said and (name, "KYIV, Ukraine", "Ukraine") not in said
        assert (name, dek[:13], "Russia") in said  # the dek is scored
    assert [(i["text"], i["start"]) for i in items if i["article"] == "tass" and i["actor"] == "Ukraine"] == \
        [("Ukraine said so.", len(f"Talks stall\n\n{dek}\n\nKYIV, March 3. /TASS/. "))]
    for name in ("lede", "second", "untitled"):
        assert (name, "KYIV, Ukraine", "Ukraine") in said, name
    assert ("bare", "KYIV — Ukrain", "Ukraine") in said  # a bare dateline after a line: a sentence's words


def test_an_actor_s_acronym_opens_no_dateline_after_a_dek_or_at_the_start(tmp_path):
    """"NATO, EU —" after a short first paragraph read as a place and a region, a dateline holding no mention, so
    the sentence lost both; a real dek and dateline still hold theirs."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {"false": "Talks stall\n\nDiplomats met again on Monday.\n\nNATO, EU — the two sides agreed to talk.",
             "first": "NATO, EU — the two sides agreed to talk.", "dotted": "U.S., EU — the two sides agreed to talk.",
             "title": "Talks stall\n\nDiplomats met again on Monday.\n\nNato, EU, March 3 — the sides agreed.",
             "real": "Talks stall\n\nDiplomats met again on Monday.\n\nKYIV, Ukraine (AP) — EU leaders agreed."}
    for name, text in texts.items():
        (corpus / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    said = {(i["article"], i["actor"]) for i in classifier.prepare_items(corpus)}
    for name in ("false", "first", "title"):
        assert {(name, "NATO"), (name, "European Union")} <= said, name
    assert {("dotted", "United States"), ("dotted", "European Union")} <= said
    assert ("real", "European Union") in said and ("real", "Ukraine") not in said


def test_a_tass_dateline_cut_into_sentences_and_one_in_cyrillic_hold_no_mention(tmp_path):
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "en.txt").write_text("Talks\n\nMOSCOW, March 3. /TASS/. Russia is ready for talks with Ukraine, the "
                                   "ministry said. Moscow agreed.\n")
    (corpus / "ru.txt").write_text("Переговоры\n\nМОСКВА, 3 марта. /ТАСС/. Россия готова к переговорам, заявил "
                                   "министр. Москва согласна.\n", encoding="utf-8")
    (corpus / "lower.txt").write_text("Talks\n\nMoscow said. /TASS/. Russia agreed.\n")  # a place in lower case: a date
    catalogue = tmp_path / "ru.yaml"
    catalogue.write_text("actors:\n  - name: Россия\n    names: [Россия]\n    places: [Москва]\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="1 article does not read as English"):
        items = list(classifier.prepare_items(corpus, actors=catalogue))
    said = [(i["article"], i["text"], i["actor"]) for i in items]
    assert ("en", "MOSCOW, March 3.", "Russia") not in said and ("ru", "МОСКВА, 3 марта.", "Россия") not in said
    assert ("en", "Moscow agreed.", "Russia") in said and ("ru", "Москва согласна.", "Россия") in said
    assert [i["actor"] for i in items if i["article"] == "en" and i["text"].startswith("Russia is")] == \
        ["Russia", "Ukraine"]
    assert ("lower", "Moscow said.", "Russia") in said  # no date: a sentence, not a dateline


def test_a_dateline_the_splitter_cut_is_no_sentence_and_the_first_starts_after_it(tmp_path):
    """pysbd cuts "MOSCOW, March 3. /TASS/. Russia ..." after "March 3." and "/TASS/.": the dateline made two
    sentences of its own (or, without the last stop, "/TASS/ Russia ..." was the first one), in a text file and on
    an HTML page alike."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "Russia is ready for talks with Ukraine, the ministry said. Moscow agreed."
    datelines = {"en": "MOSCOW, March 3. /TASS/. ", "ru": "МОСКВА, 3 марта. /ТАСС/. ", "nostop": "MOSCOW, March 3. /TASS/ ",
                 "nodate": "MOSCOW, March 3 /TASS/. "}
    for name, dateline in datelines.items():
        (corpus / f"{name}.txt").write_text(f"Talks\n\n{dateline}{body}\n", encoding="utf-8")
    (corpus / "page.html").write_text("<html><head><title>Talks resume with Moscow</title></head><body><article><h1>"
                                      f"Talks resume with Moscow</h1><p>{datelines['en']}{body}</p><p>Diplomats said "
                                      "little about the next round of talks.</p></article></body></html>")
    items = list(classifier.prepare_items(corpus))
    for name, dateline in datelines.items():
        first = [i for i in items if i["article"] == name and i["actor"] == "Ukraine"]
        assert [(i["text"], i["sentence_index"], i["start"]) for i in first] == \
            [(body.split(" Moscow")[0], 1, len(f"Talks\n\n{dateline}"))], name  # offsets into the cleaned text
    page = [(i["sentence_index"], i["text"]) for i in items if i["article"] == "page"]
    assert page[0] == (0, "Talks resume with Moscow") and (1, body.split(" Moscow")[0]) in page
    assert (2, "Moscow agreed.") in page


def test_efe_ria_and_interfax_datelines_hold_no_mention_and_look_alikes_keep_theirs(tmp_path):
    """EFE's "Madrid, 3 mar (EFE).-", RIA's "МОСКВА, 3 мар — РИА Новости." and Interfax's "Москва. 3 марта.
    INTERFAX.RU -" were not read as datelines: their city counted as a mention of its country."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {"efe": "Moscú, 3 mar (EFE).- Rusia está lista para negociar.",
             "efe_en": "Beijing, Mar 3 (EFE).- Officials met.",
             "ria": "МОСКВА, 3 мар — РИА Новости. Россия готова к переговорам.",
             "interfax": "Москва. 3 марта. INTERFAX.RU - Россия готова к переговорам.",
             "interfax_en": "MOSCOW. March 3 (Interfax) - Officials met.",
             "xinhua": "BEIJING, March 3 (Xinhua) -- Officials met.",
             # look-alikes: not datelines, every mention kept
             "marines": "Beijing, 3 marines and a diplomat — all Americans — were freed.",
             "mayors": "Moscow, 3 mayors — and a governor — met.", "stop": "Moscow. March 3 was the day talks began.",
             "bracket": "NATO (the alliance).- met Russia."}
    for name, body in texts.items():
        (corpus / f"{name}.txt").write_text(f"Talks\n\n{body}\n", encoding="utf-8")
    catalogue = tmp_path / "own.yaml"
    catalogue.write_text("actors:\n  - name: Россия\n    names: [Россия]\n    places: [Москва, МОСКВА]\n"
                         "  - name: Rusia\n    names: [Rusia]\n    places: [Moscú]\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="not read as English"):
        items = list(classifier.prepare_items(corpus, actors=catalogue))
    actors = {name: sorted(i["actor"] for i in items if i["article"] == name) for name in texts}
    assert actors["efe"] == ["Rusia"] and actors["ria"] == actors["interfax"] == ["Россия"]
    assert [i["text"] for i in items if i["article"] == "efe"] == ["Rusia está lista para negociar."]  # not "- Rusia"
    assert [i["text"] for i in items if i["article"] == "ria"] == ["Россия готова к переговорам."]
    assert actors["efe_en"] == actors["interfax_en"] == actors["xinhua"] == []
    assert actors["marines"] == ["China", "United States"] and actors["mayors"] == ["Russia"]
    assert actors["stop"] == ["Russia"] and actors["bracket"] == ["NATO", "Russia"]


def test_datelines_with_a_german_french_or_ukrainian_month_hold_no_mention(tmp_path):
    """The day's month was read in Spanish or Russian only: "PARIS, 3 mars (AFP) -", "BERLIN, 3. März (Reuters) -"
    and "КИЇВ, 3 березня (Укрінформ) —" were no datelines, and their city counted as its country."""
    import classifier

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = {"fr": "PARIS, 3 mars (AFP) - Officials met.", "fr_short": "Paris, 15 févr. (AFP) - Officials met.",
             "de": "BERLIN, 3. März (Reuters) - Officials met.", "de_lower": "Berlin, 3. Mai (dpa) - Officials met.",
             "uk": "КИЇВ, 3 березня (Укрінформ) — Уряд привітав угоду.",
             "uk_slashed": "Київ, 3 березня. /Укрінформ/. Уряд привітав угоду.",
             # look-alikes: not datelines, every mention kept
             "marshals": "Paris, 3 marshals — and a judge — met.", "maids": "Berlin, 3 maids and a cook — all of them — left."}
    for name, body in texts.items():
        (corpus / f"{name}.txt").write_text(f"Talks\n\n{body}\n", encoding="utf-8")
    catalogue = tmp_path / "own.yaml"
    catalogue.write_text("actors:\n  - name: Україна\n    names: [Україна]\n    places: [Київ, КИЇВ]\n",
                         encoding="utf-8")
    with pytest.warns(UserWarning, match="not read as English"):
        items = list(classifier.prepare_items(corpus, actors=catalogue))
    actors = {name: sorted(i["actor"] for i in items if i["article"] == name) for name in texts}
    assert actors["fr"] == actors["fr_short"] == actors["de"] == actors["de_lower"] == [], actors
    assert actors["uk"] == actors["uk_slashed"] == []
    assert actors["marshals"] == ["France"] and actors["maids"] == ["Germany"]


def test_a_language_column_picks_the_sentence_rules_and_names_the_article_in_the_warning(tmp_path):
    table = tmp_path / "articles.jsonl"
    german = "Die Regierung hat am 3. März neue Sanktionen mit der NATO beschlossen. Der Kanzler sagte nichts."
    rows = [{"id": "de", "text": german, "language": "de"}, {"id": "de2", "text": german},
            {"id": "sv", "text": "Ryssland svarade.", "language": "sv"},
            {"id": "en", "text": "Russia warned NATO on Monday. China agreed.", "language": "en-GB"},
            {"id": "uk", "text": "Russia warned NATO on Monday. China agreed.", "language": "English (UK)"}]
    table.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out, "--explain")
    said = " ".join(result.output.split())
    assert result.exit_code == 0
    texts = {(r["article"], r["text"]) for r in read_jsonl(out)}
    assert ("de", german.split(" Der")[0]) in texts  # "3." ends no sentence by German rules
    assert ("de2", "Die Regierung hat am 3.") not in texts and ("de2", "März neue Sanktionen mit der NATO "
                                                                "beschlossen.") in texts  # English rules, as before
    assert "de [not English] language de" in said and "sv [not English] language sv (split by English rules)" in said
    assert "en [not English]" not in said and "uk [not English]" not in said
    assert "2 articles do not read as English (language de 1, language sv 1" in said
    # the German article was split by German rules: the warning says so (it said "English rules" of every article)
    assert "they were split by English sentence rules (1 by its language's, as the language column names it)" in said
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(german + "\n", encoding="utf-8")
    (corpus / "manifest.csv").write_text("file,source,language\na.txt,FAZ,de\n")
    result = run("prepare", corpus, "--out", tmp_path / "folder.jsonl")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "'language' not read" not in said
    assert "it was split by its language's sentence rules but matched by the English catalogue" in said
    assert {r["text"] for r in read_jsonl(tmp_path / "folder.jsonl")} == {german.split(" Der")[0]}


def test_actors_suggest_does_not_warn_of_dates_and_prepare_still_does(tmp_path):
    """A date the report cannot read matters to prepare's items, not to a list of names: suggest warned of it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Talks\n\nGazprom met Russia.\n", encoding="utf-8")
    (corpus / "manifest.csv").write_text("file,source,date\na.txt,TDI,14/01/2024\n")
    result = run("actors", "suggest", corpus)
    assert result.exit_code == 0 and "Gazprom" in result.output and "date" not in result.output
    result = run("prepare", corpus, "--out", tmp_path / "items.jsonl")
    assert result.exit_code == 0 and "1 article has a date the report cannot read" in " ".join(result.output.split())


def test_actors_suggest_reads_past_the_dateline_and_lists_agencies_apart(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for day in range(1, 4):
        (corpus / f"a{day}.txt").write_text(
            f"Talks in Vienna\n\nMOSCOW, March {day} (Reuters) - Diplomats met Gazprom.\n\n"
            "Officials said little, TASS reported.\n", encoding="utf-8")
    result = run("actors", "suggest", corpus)
    assert result.exit_code == 0, result.output
    table, agencies = result.output.split("News agencies")
    assert "Gazprom" in table and "Vienna" in table
    for name in ("Diplomats", "Officials", "Reuters", "TASS", "MOSCOW"):  # a common word after the dateline: its start
        assert name not in table
    assert "left out above: TASS (3 articles)" in " ".join(agencies.split())


def test_an_article_over_max_article_chars_is_skipped_with_a_warning_and_the_others_are_prepared(tmp_path):
    """A 50 MB .txt article (a site dump, a base64 blob) was prepared whole, peaking at gigabytes of memory."""
    import warnings

    import classifier

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("Russia warned NATO.\n")
    (folder / "dump.txt").write_text("Site dump\n\n" + "Russia said so. " * 10 + "\n")  # 172 characters
    (folder / "blob.txt").write_text("A" * 500)  # more bytes than 4 a character allows: not read at all
    out = tmp_path / "items.jsonl"
    result = run("prepare", folder, "--out", out, "--max-article-chars", 100)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert "dump.txt: 172 characters, more than --max-article-chars 100 allows" in said
    assert "blob.txt: 500 bytes, more than --max-article-chars 100 allows" in said
    assert "1 article," in said and "; 2 articles over --max-article-chars skipped;" in said
    assert {r["article"] for r in read_jsonl(out)} == {"good"}
    said = " ".join(run("prepare", folder, "--out", out, "--max-article-chars", 200).output.split())
    assert "blob.txt: 500 characters" in said and "dump.txt" not in said and "; 1 article over" in said
    table = tmp_path / "articles.jsonl"
    table.write_text(json.dumps({"id": "a", "text": "China replied."}) + "\n"
                     + json.dumps({"id": "b", "text": "NATO met. " * 20}) + "\n")
    result = run("prepare", table, "--out", out, "--max-article-chars", 100)
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "articles.jsonl:2: 'text' of 200 characters, more than" in said
    assert "; 1 article over --max-article-chars skipped;" in said and [r["article"] for r in read_jsonl(out)] == ["a"]
    refused = run("prepare", tmp_path / "articles.jsonl", "--out", out, "--max-article-chars", 5)
    assert refused.exit_code == 1 and "no readable articles (2 skipped)" in " ".join(refused.output.split())
    assert not out.exists() or [r["article"] for r in read_jsonl(out)] == ["a"]  # the last good output stays
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        items = list(classifier.prepare_items(table, max_article_chars=100))
    assert {i["article"] for i in items} == {"a"}
    assert any("max_article_chars=100 allows" in str(w.message) for w in caught)


def test_an_html_page_of_more_bytes_than_its_cap_allows_is_skipped_before_it_is_parsed(tmp_path, monkeypatch):
    """A 100 MB page went through lxml and trafilatura (over 300 s, 1.6 GB) before its text was found too long. The
    bound is ten bytes a character of the cap, never below ten of the default's: a lowered cap had skipped an
    ordinary page heavy with scripts unparsed, saying it was over the cap its 1,153 characters were under."""
    from classifier import ingest

    parsed = []
    real = ingest.html_to_text
    monkeypatch.setattr(ingest, "html_to_text", lambda html, **kw: parsed.append(html) or real(html, **kw))
    folder = tmp_path / "corpus"
    folder.mkdir()
    body = "".join(f"<p>Russia condemned NATO expansion on Tuesday, part {n}, and the ministry said little had "
                   "changed.</p>" for n in range(3))
    page = f"<html><head><title>Kremlin</title></head><body><article>{body}</article></body></html>"
    (folder / "page.html").write_text(page)
    script = "<script>" + "var tracking = 1;" * 300 + "</script>"  # markup: 5,100 bytes of no text
    (folder / "heavy.html").write_text(page.replace("</head>", script + "</head>"))
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", folder, "--out", out, "--max-article-chars", 400).output.split())
    assert "bytes of HTML" not in said and {r["article"] for r in read_jsonl(out)} == {"page", "heavy"}  # both read
    parsed.clear()
    monkeypatch.setattr(ingest, "MAX_ARTICLE_CHARS", 400)  # a default of 400 characters: pages of 4,000 bytes
    result = run("prepare", folder, "--out", out, "--max-article-chars", 400)
    said = " ".join(result.output.split())
    assert result.exit_code == 0, said
    assert (f"heavy.html: {len(page) + len(script):,} bytes of HTML, more than the 4,000 a page is parsed from (ten "
            "for each character of --max-article-chars 400;") in said
    assert "; 1 article over --max-article-chars skipped;" in said
    assert {r["article"] for r in read_jsonl(out)} == {"page"}
    assert len(parsed) == 1 and "tracking" not in parsed[0]  # the heavy page was never parsed


def test_the_summary_counts_the_articles_skipped_and_undated_and_is_unchanged_without_them(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    body = "".join(f"<p>Russia condemned NATO expansion in a long statement on Tuesday, part {n}, and the ministry said "
                   "little had changed since the talks began.</p>" for n in range(3))
    (folder / "page.html").write_text(f"<html><head><title>Kremlin</title></head><body><article>{body}</article>"
                                      "</body></html>")
    for name in ("dated", "nodate", "numeric"):
        (folder / f"{name}.txt").write_text("Russia warned NATO.\n")
    (folder / "dump.txt").write_text("Russia said so. " * 50)
    (folder / "manifest.csv").write_text("file,source,date\ndated.txt,RT,2022-03-03\nnumeric.txt,RT,03.03.2022\n"
                                         "nodate.txt,RT,\npage.html,RT,\ndump.txt,RT,2022-03-03\n")
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", folder, "--out", out, "--max-article-chars", 600).output.split())
    assert "4 articles," in said and "; 1 article over --max-article-chars skipped; 1 HTML page without a date; " \
        "2 other articles undated; " in said
    (folder / "page.html").unlink()
    (folder / "dump.txt").unlink()
    (folder / "manifest.csv").write_text("file,source,date\ndated.txt,RT,2022-03-03\nnumeric.txt,RT,\"March 3, 2022 "
                                         "14:05\"\nnodate.txt,RT,2022-03-04T23:00:00-05:00\n")
    said = " ".join(run("prepare", folder, "--out", out).output.split())
    assert re.search(r"3 articles, 3 sentences, 6 items \(2 actors\) -> .*items.jsonl; 0 files skipped; [0-9.]+ s \(",
                     said), said


def test_an_output_over_predictions_is_refused_and_they_stay(tmp_path):
    """'prepare corpus/ --out predictions.jsonl' (classify's output named by mistake) replaced the predictions with
    items, and 'label gold --out' (or --ties) did too: hours of scoring gone. Such a file, in any table format, is
    refused before any work; items and gold files are still replaced."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("NATO warned Moscow.\n\nRussia said it would respond.\n")
    row = {"id": "a:0001:russia", "text": "Russia said it would respond.", "actor": "Russia", "article": "a",
           "stance": "neutral", "stance_scores": {"favor": 0.1, "against": 0.2, "neutral": 0.7}, "model": "m@1"}
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({**{k: row[k] for k in ("id", "text", "actor", "article")}, "label": "neutral",
                                  "annotator": "ana"}) + "\n")
    for name in ("p.jsonl", "p.csv", "p.parquet"):
        predictions = tmp_path / name
        if name.endswith(".parquet"):
            pd.DataFrame([row]).to_parquet(predictions)
        elif name.endswith(".csv"):
            pd.DataFrame([{**row, "stance_scores": json.dumps(row["stance_scores"])}]).to_csv(predictions, index=False)
        else:
            predictions.write_text(json.dumps(row) + "\n")
        before = predictions.read_bytes()
        for command in (["prepare", corpus, "--out", predictions],
                        ["label", "gold", labels, "--out", predictions],
                        ["label", "gold", labels, "--out", tmp_path / "g.jsonl", "--ties", predictions]):
            if name != "p.jsonl" and "--ties" in command:
                continue  # ties are JSON lines only
            result = run(*command)
            said = " ".join(result.output.split())
            assert result.exit_code == 1 and "a file of predictions by m@1" in said, said
            assert predictions.read_bytes() == before
    for name, fmt in (("p.jsonl", "jsonl"), ("p.csv", "csv"), ("p.parquet", "parquet")):  # under another name
        renamed = tmp_path / f"{name}.out"  # the guard read the name's extension, so --format went past it
        renamed.write_bytes((tmp_path / name).read_bytes())
        result = run("prepare", corpus, "--out", renamed, "--format", fmt, "-q")
        assert result.exit_code == 1 and "a file of predictions by m@1" in " ".join(result.output.split())
        assert renamed.read_bytes() == (tmp_path / name).read_bytes()
    unscored = tmp_path / "unscored_first.jsonl"  # a first row with null scores passed the guard, told by values
    unscored.write_text(json.dumps({**row, "stance": None, "stance_scores": None}) + "\n" + json.dumps(row) + "\n")
    result = run("prepare", corpus, "--out", unscored, "-q")
    assert result.exit_code == 1 and "a file of predictions by m@1" in " ".join(result.output.split())
    assert unscored.read_text().startswith('{"id"') and len(unscored.read_text().splitlines()) == 2
    items = tmp_path / "items.jsonl"
    for _ in range(2):  # items, and a gold file, are made again by their command
        assert run("prepare", corpus, "--out", items, "-q").exit_code == 0
        assert run("label", "gold", labels, "--out", tmp_path / "g.jsonl").exit_code == 0



def test_an_output_over_labels_without_annotators_is_refused_and_they_stay(tmp_path):
    """A gold set, labelled items or someone's labelled spreadsheet (a label column, no annotator column, no model's
    output) was replaced by 'prepare --out' or 'classify --out' named by mistake: people's labels gone. Refused before
    any work, in JSON lines, CSV and Parquet; 'label gold' still replaces its gold set with --overwrite, and items
    whose label is null everywhere are replaced as any output."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("NATO warned Moscow.\n\nRussia said it would respond.\n")
    rows = [{"id": "a:0001:russia", "text": "Russia said it would respond.", "actor": "Russia", "label": None},
            {"id": "a:0000:nato", "text": "NATO warned Moscow.", "actor": "NATO", "label": "against"}]
    for name in ("gold.jsonl", "sheet.csv", "sheet.parquet"):
        labelled = tmp_path / name
        if name.endswith(".parquet"):
            pd.DataFrame(rows).to_parquet(labelled)
        elif name.endswith(".csv"):
            pd.DataFrame(rows).to_csv(labelled, index=False)
        else:
            labelled.write_text("".join(json.dumps(row) + "\n" for row in rows))
        before = labelled.read_bytes()
        for command in (["prepare", corpus, "--out", labelled, "-q"],
                        ["classify", corpus, "--out", labelled, "--overwrite", "-q"]):
            result = run(*command)
            said = " ".join(result.output.split())
            assert result.exit_code == 1 and f"--out {labelled}: a file of people's labels (rows with a label" in said, said
            assert labelled.read_bytes() == before
    unlabelled = tmp_path / "unlabelled.jsonl"
    unlabelled.write_text(json.dumps(rows[0]) + "\n")  # a label field, null: no one's label
    assert run("prepare", corpus, "--out", unlabelled, "-q").exit_code == 0
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({**row, "label": label, "annotator": "ana"}) + "\n"
                               for row, label in zip(rows, ("neutral", "against"))))
    gold = tmp_path / "gold.jsonl"
    result = run("label", "gold", answers, "--out", gold, "--overwrite")
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["label"] for line in gold.read_text().splitlines()} == {"neutral", "against"}

def write_exports(folder):
    """One article as CC-News/news-please (JSONL), Media Cloud (CSV) and newspaper3k (Parquet) name its fields."""
    text = "Russia warned NATO on Monday. China said nothing."
    news_please = folder / "ccnews.jsonl"
    news_please.write_text(json.dumps({"url": "https://ex.com/a", "maintext": text, "title": "Russia warns NATO",
                                       "date_publish": "2022-03-03 10:00:00", "source_domain": "ex.com"}) + "\n")
    media_cloud = folder / "mediacloud.csv"
    pd.DataFrame({"stories_id": [7], "media_name": ["RT"], "publish_date": ["2022-03-03"], "url": ["https://x/7"],
                  "content": [text]}).to_csv(media_cloud, index=False)
    newspaper = folder / "newspaper.parquet"
    pd.DataFrame({"link": ["https://np/1"], "content": [text], "publish_date": ["2022-03-03"]}).to_parquet(newspaper)
    return news_please, media_cloud, newspaper


def test_columns_names_an_export_s_columns_for_the_article_fields(tmp_path):
    news_please, media_cloud, newspaper = write_exports(tmp_path)
    out = tmp_path / "items.jsonl"
    result = run("prepare", news_please, "--out", out, "-q",
                 "--columns", "text=maintext,date=date_publish,source=source_domain,id=url")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert {(r["article"], r["source"], r["date"], r["url"]) for r in rows} == {
        ("https://ex.com/a", "ex.com", "2022-03-03 10:00:00", "https://ex.com/a")}  # the url is the id and the url
    assert {r["kind"] for r in rows} == {"headline", "body"}
    assert {r["actor"] for r in rows} == {"Russia", "NATO", "China"}
    result = run("prepare", media_cloud, "--out", out, "-q",  # spaces around the pairs, the column in another case
                 "--columns", "id=STORIES_ID, source=media_name, date=publish_date, text=content")
    assert result.exit_code == 0, result.output
    assert {(r["article"], r["source"], r["date"], r["url"]) for r in read_jsonl(out)} == {
        ("7", "RT", "2022-03-03", "https://x/7")}
    result = run("prepare", newspaper, "--out", out, "-q", "--columns", "text=content,id=link,date=publish_date")
    assert result.exit_code == 0, result.output
    assert {(r["article"], r["source"], r["date"]) for r in read_jsonl(out)} == {
        ("https://np/1", "https://np/1", "2022-03-03")}  # no source: the id, as before
    both = tmp_path / "both.jsonl"  # a mapped field wins over a column of the field's own name
    both.write_text(json.dumps({"id": "b", "text": "NATO met.", "body": "China met Russia."}) + "\n")
    assert run("prepare", both, "--out", out, "-q", "--columns", "text=body").exit_code == 0
    assert {r["actor"] for r in read_jsonl(out)} == {"China", "Russia"}


def test_columns_of_json_lines_read_an_optional_field_a_first_record_leaves_out(tmp_path):
    """The mapped columns were checked against the first JSONL record alone: one that left out its empty date
    stopped the run ("no column 'date_publish'") though later records hold it. The id's and text's must be there."""
    table = tmp_path / "np.jsonl"
    table.write_text(json.dumps({"url": "u1", "maintext": "Russia warned NATO."}) + "\n"
                     + json.dumps({"url": "u2", "maintext": "China replied.", "date_publish": "2022-03-03"}) + "\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out, "-q", "--columns", "id=url,text=maintext,date=date_publish")
    assert result.exit_code == 0, result.output
    assert {r["article"]: r.get("date") for r in read_jsonl(out)} == {"u1": None, "u2": "2022-03-03"}
    refused = run("prepare", table, "--out", out, "-q", "--columns", "id=link,text=maintext")
    assert refused.exit_code == 1 and "np.jsonl:1: no column 'link'" in " ".join(refused.output.split())


def test_a_missing_text_names_the_columns_option_it_would_take(tmp_path):
    news_please, media_cloud, newspaper = write_exports(tmp_path)
    out = tmp_path / "items.jsonl"
    expected = {
        news_please: "ccnews.jsonl:1: missing fields 'id' and 'text' (the row has 'url', 'maintext', 'title', "
                     "'date_publish', 'source_domain'; an article row needs id and text); name the columns with "
                     "--columns text=maintext,id=url,source=source_domain,date=date_publish",
        media_cloud: "mediacloud.csv:2: missing fields 'id' and 'text' (the row has 'stories_id', 'media_name', "
                     "'publish_date', 'url', 'content'; an article row needs id and text); name the columns with "
                     "--columns text=content,id=stories_id,source=media_name,date=publish_date",
        newspaper: "newspaper.parquet:1: missing fields 'id' and 'text' (the row has 'link', 'content', "
                   "'publish_date'; an article row needs id and text); name the columns with --columns "
                   "text=content,id=link,date=publish_date",
    }
    for table, message in expected.items():
        result = run("prepare", table, "--out", out)
        assert result.exit_code == 1 and message in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output and not out.exists()
    close = tmp_path / "close.csv"  # no known name: the closest column; none close: COLUMN
    close.write_text("id,texts,when\n1,Russia spoke.,2022-03-03\n")
    result = run("prepare", close, "--out", out)
    assert "close.csv:2: missing field 'text' (the row has 'id', 'texts', 'when'; an article row needs id and text); " \
           "name the columns with --columns text=texts" in " ".join(result.output.split())
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("id,zzz\n1,Russia spoke.\n")
    result = run("prepare", nothing, "--out", out)
    assert "name the columns with --columns text=COLUMN" in " ".join(result.output.split())
    given = run("prepare", media_cloud, "--out", out, "--columns", "text=content")  # the pairs given come first
    assert "mediacloud.csv:2: missing field 'id'" in " ".join(given.output.split())
    assert "--columns text=content,id=stories_id,source=media_name,date=publish_date" in " ".join(given.output.split())


def test_a_news_database_export_s_columns_are_named_and_a_known_column_left_unread_is_warned_of(tmp_path):
    """A news database's CSV export (a byte-order mark, semicolons, "Publication Date", "Document ID"): the error's
    --columns left out the date and named the id COLUMN (its known names are written with underscores), and a run
    with the text and id mapped lost every headline and date without a word, as a Parquet table whose outlet,
    headline and date columns were left unread made each article an outlet of its own."""
    export = tmp_path / "export.csv"
    export.write_bytes("\ufeffHeadline;Body;Source;Publication Date;Document ID\n"
                       "Moscow replies;Russia warned NATO.;Daily;07 Dec 2026;LN-1\n"
                       "Beijing speaks;China replied.;Daily;2026-12-07T10:00:00Z;LN-2\n".encode())
    out = tmp_path / "items.jsonl"
    result = run("prepare", export, "--out", out)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and "name the columns with --columns 'text=Body,id=Document ID,title=Headline,date=" \
        "Publication Date'" in said, said
    result = run("prepare", export, "--out", out, "-q", "--columns", "text=Body,id=Document ID")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"{export}:1: columns 'Headline' (title), 'Publication Date' (date) not read, " \
        "so the articles go without them; --columns 'text=Body,id=Document ID,title=Headline,date=Publication " \
        "Date' reads them" in said, said
    result = run("prepare", export, "--out", tmp_path / "all.jsonl", "-q", "--columns",
                 "text=Body,id=Document ID,title=Headline,date=Publication Date")
    assert result.exit_code == 0 and "not read" not in result.output, result.output
    assert {(r["article"], r["title"], r["date"]) for r in read_jsonl(tmp_path / "all.jsonl")} == {
        ("LN-1", "Moscow replies", "2026-12-07"), ("LN-2", "Beijing speaks", "2026-12-07T10:00:00Z")}
    wire = tmp_path / "wire.parquet"
    pd.DataFrame([{"id": "w1", "headline": "H", "maintext": "Russia warned NATO.", "outlet": "Wire",
                   "published": "2026-11-10"}]).to_parquet(wire)
    result = run("prepare", wire, "--out", tmp_path / "wire.jsonl", "-q", "--columns", "text=maintext")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "columns 'outlet' (source), 'headline' (title), 'published' (date) not read, " \
        "so the articles go without them (each article its own outlet, named by its id); --columns text=maintext," \
        "source=outlet,title=headline,date=published reads them" in said, said


def test_the_columns_a_message_offers_read_back_where_a_column_s_name_holds_a_comma_or_equals_sign(tmp_path):
    """A --columns offered by the error for a missing text or by the warning of an unread column joined the pairs
    with commas as written: a column named "Text,full" made it 'text=Text,full,...', which the option read as a
    pair "text=Text" and a pair "full" without its '='. A column in double quotes keeps its commas."""
    import shlex

    from classifier.article_columns import check_columns, columns_text

    for columns in ({"text": "text, main", "id": "Doc=ID", "title": 'the "head"', "date": " day "},
                    {"text": "maintext", "id": "url"}):
        assert check_columns(columns_text(columns)) == columns
    assert columns_text({"text": "maintext", "id": "url"}) == "text=maintext,id=url"  # as before
    table = tmp_path / "export.csv"
    table.write_text('"Text,full",Doc=ID,Headline\nRussia warned NATO.,7,Moscow replies\n')
    out = tmp_path / "items.jsonl"
    said = " ".join(run("prepare", table, "--out", out).output.split())
    offered = re.search(r"name the columns with --columns ('[^']*'|\S+)", said)
    assert offered and shlex.split(offered.group(1)) == ['text="Text,full",id=COLUMN,title=Headline'], said
    assert check_columns(shlex.split(offered.group(1))[0])["text"] == "Text,full"
    result = run("prepare", table, "--out", out, "-q", "--columns", 'text="Text,full",id=Doc=ID')
    said = " ".join(result.output.split())
    offered = re.search(r"column 'Headline' \(title\) not read, .*; --columns ('[^']*') reads it", said)
    assert result.exit_code == 0 and offered, said
    result = run("prepare", table, "--out", out, "-q", "--columns", shlex.split(offered.group(1))[0])
    assert result.exit_code == 0 and "not read" not in result.output, result.output
    assert {(r["article"], r["title"]) for r in read_jsonl(out)} == {("7", "Moscow replies")}


def test_a_double_quote_left_open_or_an_empty_quoted_column_is_said_as_such(tmp_path):
    """--columns 'title="head,line' said "expected FIELD=COLUMN pairs ... (got 'line')", 'text="maintext' looked for a
    column '"maintext', and 'date=""' named no empty column: each is now one line saying what is wrong, nothing
    written."""
    table = tmp_path / "a.csv"
    table.write_text("url,maintext,head\nu1,Russia warned NATO.,H\n")
    out = tmp_path / "items.jsonl"
    for columns, said in [('text=maintext,title="head,line', "the double quote that opens the column of 'title' is "
                           "not closed where the pair ends (got 'title=\"head')"),
                          ('id=url,text="maintext', "the double quote that opens the column of 'text' is not closed"),
                          ('id=url,text="main,text"x', "the double quote that opens the column of 'text' is not"),
                          ('id=url,text=maintext,date=""', "the column of 'date' is empty (got 'date=\"\"')")]:
        result = run("prepare", table, "--out", out, "-q", "--columns", columns)
        shown = " ".join(result.output.split())
        assert result.exit_code == 1 and said in shown and len(result.output.strip().splitlines()) == 1, shown
        assert not out.exists()
    result = run("prepare", table, "--out", out, "-q", "--columns", 'id=url,text="maintext",title=head')
    assert result.exit_code == 0, result.output


def test_a_known_column_that_the_first_json_record_leaves_out_is_warned_of_at_the_record_that_holds_it(tmp_path):
    """Only the first JSON lines record was looked at for columns of a known name left unread: a headline that the
    first record leaves out (it has none) was lost from every article without a word."""
    table = tmp_path / "np.jsonl"
    records = [{"url": "u1", "maintext": "Russia warned NATO."},
               {"url": "u2", "maintext": "China replied.", "headline": "Beijing replies"},
               {"url": "u3", "maintext": "NATO met.", "headline": "NATO meets", "published": "2022-03-03"},
               {"url": "u4", "maintext": "China met.", "published": "2022-03-04"}]
    table.write_text("".join(json.dumps(record) + "\n" for record in records))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out, "-q", "--columns", "id=url,text=maintext")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"{table}:2: column 'headline' (title) not read, so the articles go without " \
        "it; --columns id=url,text=maintext,title=headline reads it" in said, said
    assert f"{table}:3: columns 'headline' (title), 'published' (date) not read" in said, said
    assert said.count("not read") == 2  # the fourth record holds no column the ones before lacked
    result = run("prepare", table, "--out", out, "-q", "--columns",
                 "id=url,text=maintext,title=headline,date=published")
    assert result.exit_code == 0 and "not read" not in result.output, result.output


def test_a_table_without_its_id_is_one_error_not_a_warning_with_another_columns_before_it(tmp_path):
    """A table with its text but its id under a known name ("Document ID", "link") was warned of, the id among
    the optional columns "the articles go without", with a --columns of its own, and then refused by the error with
    the --columns that reads the id: two suggestions for one table. The error alone names them."""
    out = tmp_path / "items.jsonl"
    for header, id_column in (("Text,Document ID,Headline", "Document ID"), ("text,link,Headline", "link")):
        table = tmp_path / "export.csv"
        table.write_text(f"{header}\nRussia warned NATO.,7,Moscow replies\n")
        result = run("prepare", table, "--out", out)
        said = " ".join(result.output.split())
        assert result.exit_code == 1 and "not read" not in said and said.count("--columns") == 1, said
        assert "missing field 'id'" in said and f"id={id_column}" in said, said


@pytest.mark.parametrize("columns, message", [
    ("txt=body", "ccnews.jsonl: --columns txt=body: unknown field 'txt'; an article's fields are id, text, source, "
                 "title, date, url, language"),
    ("text", "ccnews.jsonl: --columns text: expected FIELD=COLUMN pairs joined by commas"),
    ("text=,id=url", "ccnews.jsonl: --columns text=,id=url: expected FIELD=COLUMN pairs"),
    ("text=maintext,text=title", "--columns text=maintext,text=title: field 'text' is mapped twice"),
    ("text=maintext,title=maintext", "ccnews.jsonl: --columns text=maintext,title=maintext: 'text' and 'title' both "
                                     "read column 'maintext'; map each field to a column of its own"),
    ("text=maintext,date=url,source=url", "'date' and 'source' both read column 'url'"),
    ("text=body", "ccnews.jsonl:1: no column 'body' (--columns text=body); the table has 'url', 'maintext', "
                  "'title', 'date_publish', 'source_domain'"),
    ("text=maintxt,id=url", "ccnews.jsonl:1: no column 'maintxt' (--columns text=maintxt); the table has 'url', "
                            "'maintext', 'title', 'date_publish', 'source_domain' (did you mean 'maintext'?)"),
    ("text=title,id=url", "ccnews.jsonl:1: column 'title' would be read as both 'title' and 'text'"),
])
def test_columns_errors_are_one_line_naming_the_file(tmp_path, columns, message):
    news_please, _, _ = write_exports(tmp_path)
    out = tmp_path / "items.jsonl"
    result = run("prepare", news_please, "--out", out, "--columns", columns)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and message in said, said
    assert "Traceback" not in result.output and not out.exists()


def test_columns_checks_a_csv_header_and_refuses_a_folder(tmp_path):
    _, media_cloud, newspaper = write_exports(tmp_path)
    out = tmp_path / "items.jsonl"
    result = run("prepare", media_cloud, "--out", out, "--columns", "text=body")
    assert "mediacloud.csv:1: no column 'body' (--columns text=body); the table has 'stories_id'" \
        in " ".join(result.output.split())  # the header's line
    result = run("prepare", newspaper, "--out", out, "--columns", "text=body,id=link")
    assert "newspaper.parquet:1: no column 'body'" in " ".join(result.output.split())
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Russia spoke.\n")
    result = run("prepare", folder, "--out", out, "--columns", "text=body")
    assert result.exit_code == 1 and "corpus: --columns names the columns of a table of articles; a folder's " \
        "articles take theirs from its manifest" in " ".join(result.output.split())


def test_a_jsonl_record_without_a_mapped_column_misses_that_field(tmp_path):
    table = tmp_path / "ragged.jsonl"
    table.write_text(json.dumps({"url": "u1", "maintext": "Russia spoke.", "published": "2022-03-03"}) + "\n"
                     + json.dumps({"url": "u2", "maintext": "China spoke."}) + "\n"
                     + json.dumps({"url": "u3", "body": "NATO spoke."}) + "\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out, "--columns", "text=maintext,id=url,date=published")
    assert result.exit_code == 1 and "ragged.jsonl:3: missing field 'text' (no column 'maintext' in this row" \
        in " ".join(result.output.split())
    table.write_text("\n".join(table.read_text().splitlines()[:2]) + "\n")
    assert run("prepare", table, "--out", out, "-q", "--columns", "text=maintext,id=url,date=published").exit_code == 0
    assert {(r["article"], r["date"]) for r in read_jsonl(out)} == {("u1", "2022-03-03"), ("u2", None)}


def test_prepare_items_and_actors_suggest_take_the_columns(tmp_path):
    import classifier
    from classifier.errors import InputError

    news_please, _, _ = write_exports(tmp_path)
    mapping = {"text": "maintext", "id": "url", "source": "source_domain"}
    for columns in (mapping, "text=maintext,id=url,source=source_domain"):
        assert {i["source"] for i in classifier.prepare_items(news_please, columns=columns)} == {"ex.com"}
    with pytest.raises(InputError, match=r"columns=\{'txt': 'maintext'\}: unknown field 'txt'"):
        classifier.prepare_items(news_please, columns={"txt": "maintext"})
    with pytest.raises(InputError, match=r"columns=5: expected FIELD=COLUMN pairs .* or a dict"):
        classifier.prepare_items(news_please, columns=5)
    with pytest.raises(InputError, match="name the columns with columns='text=maintext,id=url"):
        list(classifier.prepare_items(news_please))
    result = run("actors", "suggest", news_please, "--columns", "text=maintext,id=url")
    assert result.exit_code == 0, result.output


def test_a_corpus_of_one_article_is_counted_in_the_singular(tmp_path):
    """The summary said "1 articles, 1 sentences, 1 items (1 actors)" for a folder of one one-sentence article."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Russia won the vote on Monday.\n")
    result = run("prepare", folder, "--out", tmp_path / "items.jsonl")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "1 article, 1 sentence, 1 item (1 actor) -> " in said, said
    assert "; 0 files skipped; 1 article undated; " in said
    table = tmp_path / "articles.jsonl"  # a table's unit is its rows: it said "0 files skipped" too
    table.write_text(json.dumps({"id": "a", "text": "Russia won the vote on Monday."}) + "\n")
    said = " ".join(run("prepare", table, "--out", tmp_path / "items.jsonl").output.split())
    assert "; 0 rows skipped; 1 article undated; " in said and "files" not in said, said


def test_a_compressed_article_table_prepares_as_the_plain_one(tmp_path):
    """articles.jsonl.gz, .csv.bz2, .jsonl.xz: the plain table's items byte for byte; a gzip'd table in a corpus
    folder is named as the plain one is; a cut-off gzip is one line naming the file and line, with nothing
    written."""
    import bz2
    import gzip
    import lzma

    rows = [{"id": f"a{i}", "text": f"Russia and China met.\n\nNATO said {i} things.", "source": "RT"}
            for i in range(40)]
    plain = tmp_path / "articles.jsonl"
    plain.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert run("prepare", plain, "--out", tmp_path / "plain.jsonl", "-q").exit_code == 0
    expected = (tmp_path / "plain.jsonl").read_bytes()
    csv_text = pd.DataFrame(rows).to_csv(index=False).encode()
    for name, data in (("a.jsonl.gz", gzip.compress(plain.read_bytes())), ("a.csv.bz2", bz2.compress(csv_text)),
                       ("a.jsonl.xz", lzma.compress(plain.read_bytes()))):
        (tmp_path / name).write_bytes(data)
        result = run("prepare", tmp_path / name, "--out", tmp_path / f"{name}.out.jsonl", "-q")
        assert result.exit_code == 0, result.output
        assert (tmp_path / f"{name}.out.jsonl").read_bytes() == expected
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes((tmp_path / "a.jsonl.gz").read_bytes()[:-20])
    result = run("prepare", cut, "--out", tmp_path / "cut.out.jsonl")
    assert result.exit_code == 1 and not (tmp_path / "cut.out.jsonl").exists()
    said = " ".join(result.output.split())
    assert re.search(rf"{cut}:\d+: gzip data cut off or damaged", said) and "Traceback" not in said, said
    result = run("prepare", plain, "--out", tmp_path / "items.jsonl.gz")
    assert result.exit_code == 1 and "outputs are not written compressed" in " ".join(result.output.split())
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text("Russia and China met.\n")
    (corpus / "more.jsonl.gz").write_bytes((tmp_path / "a.jsonl.gz").read_bytes())
    result = run("prepare", corpus, "--out", tmp_path / "corpus.jsonl")
    assert result.exit_code == 0 and "more.jsonl.gz: a table in the corpus folder, not read" in result.output


def test_workers_give_the_items_report_and_summary_of_one_process(tmp_path):
    """--workers 2 prepares in two processes what one prepares, byte for byte and in order: the items, --explain's
    lines (an out-of-office mention among them), the skipped row's warning and the summary, less its timing."""
    rows = [{"id": "a1", "text": "Putin met Xi in Beijing.\n\nRussia and China signed deals, while NATO watched.",
             "source": "s1", "date": "2023-03-21"},
            {"id": "a2", "text": "President Trump spoke to Putin about Ukraine.", "source": "s2", "date": "2010-05-01"},
            {"id": "a3", "text": "", "source": "s1"},  # a row without text: skipped, with a warning
            {"id": "a4", "text": "MOSCOW (Reuters) - Russia said the United States was wrong. Biden disagreed.",
             "source": "s3"}]
    rows += [dict(row, id=f"{row['id']}-{n}") for n in range(20) for row in rows if row["text"]]  # chunks enough
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows))
    outputs = {}
    for workers in (1, 2):
        out = tmp_path / f"items{workers}.jsonl"
        result = run("prepare", corpus, "--out", out, "--explain", "--skip-unreadable", "--workers", workers)
        assert result.exit_code == 0, result.output
        outputs[workers] = out.read_bytes(), re.sub(r"items\d\.jsonl|\d+\.\d s \([\d.]+ articles/s\)", "",
                                                    result.output)
    assert outputs[1] == outputs[2]
    assert "[out of office]  Trump" in outputs[2][1] and "skipped" in outputs[2][1]
    assert len(read_jsonl(tmp_path / "items2.jsonl")) == 21 * 10


def test_prepare_items_takes_workers_as_prepare_does(tmp_path):
    """The Python API had no ``workers``: ``prepare_items(workers=2)`` gives what one process gives, the same
    items in the same order and the same warnings (a row skipped, with skip_unreadable)."""
    import warnings

    import classifier
    from classifier.errors import InputError

    rows = [{"id": "a1", "text": "Putin met Xi in Beijing. Russia and China signed deals.", "source": "s1"},
            {"id": "a2", "text": "", "source": "s1"},  # a row without text: skipped, with a warning
            {"id": "a3", "text": "NATO warned Moscow. Biden disagreed.", "source": "s2"}]
    rows += [dict(row, id=f"{row['id']}-{n}") for n in range(40) for row in rows if row["text"]]  # chunks enough
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows))
    said = {}
    for workers in (1, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            said[workers] = list(classifier.prepare_items(corpus, skip_unreadable=True, workers=workers)), \
                [str(w.message) for w in caught]
    assert said[1] == said[2] and len(said[2][0]) == 287 and "skipped" in said[2][1][0]
    with pytest.warns(UserWarning, match=r"skipped row 2 \(index 1\): empty 'text'"):  # a DataFrame's rows too
        assert list(classifier.prepare_items(pd.DataFrame(rows), skip_unreadable=True, workers=2)) == said[1][0]
    with pytest.raises(InputError, match=r"workers -1: expected a whole number of at least 0"):
        classifier.prepare_items(corpus, workers=-1)


def test_a_script_calling_prepare_items_with_workers_unguarded_is_told_the_guard(tmp_path):
    """Each spawned worker imports the caller's script: without ``if __name__ == "__main__":`` it calls
    prepare_items again. Python refused that with a long traceback in each worker, and the call said a worker had
    died "killed for lack of memory?"; each worker now leaves in one line and the call names the guard."""
    import os
    import subprocess
    import sys

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Russia and China met.\n")
    script = tmp_path / "script.py"
    script.write_text(f"import classifier\nprint(len(list(classifier.prepare_items({str(tmp_path / 'corpus')!r}, "
                      "workers=2))))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(SEEDS.parent)})
    assert done.returncode == 1 and "lack of memory" not in done.stderr and "RuntimeError" not in done.stderr
    assert ("prepare_items(workers=2) was called again by a worker process as it imported the script: call it under "
            'if __name__ == "__main__":') in done.stderr, done.stderr
    assert "InputError: the prepare worker processes ended as they started" in done.stderr


def test_a_script_read_from_standard_input_is_told_to_run_from_a_file_not_the_guard(tmp_path):
    """``python - <<EOF``: the workers cannot import a main script named "<stdin>" (a FileNotFoundError traceback in
    each), and the call named the ``__main__`` guard, which does not help there; it is refused before a worker
    starts, saying to run it from a .py file or with workers=1."""
    import os
    import subprocess
    import sys

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Russia and China met.\n")
    script = f"import classifier\nprint(len(list(classifier.prepare_items({str(tmp_path / 'corpus')!r}, workers=2))))\n"
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(SEEDS.parent)})
    assert done.returncode == 1 and "FileNotFoundError" not in done.stderr and "__main__" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "classifier.errors.InputError: prepare_items(workers=2): each worker process imports the main script from "
        "its file, and this one has none (<stdin>, as a script read from standard input); run it from a .py file, "
        "or pass workers=1")


def test_a_compressed_line_over_its_bound_stops_prepare_or_is_skipped(tmp_path, monkeypatch):
    """A gzip'd table's line that unpacks past io.files.COMPRESSED_LINE_CHARS (a decompression bomb: 200 KB held
    a 200 MB line, read whole) is one line naming the file and line, nothing written; --skip-unreadable skips it
    with a warning and counts it in the summary, the other articles prepared as the plain table's."""
    import gzip

    import classifier
    from classifier.errors import InputError
    from classifier.io import files

    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 1000)
    rows = [json.dumps({"id": f"a{i}", "text": "Russia and China met."}) + "\n" for i in range(3)]
    big = json.dumps({"id": "big", "text": "Russia won. " * 200}) + "\n"
    table = tmp_path / "articles.jsonl.gz"
    table.write_bytes(gzip.compress((rows[0] + big + rows[1] + rows[2]).encode()))
    out = tmp_path / "items.jsonl"
    result = run("prepare", table, "--out", out, "-q")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and not out.exists() and "Traceback" not in said, said
    assert f"{table}:2: line of more than 1,000 characters unpacked from gzip data, not read" in said, said
    assert "(--skip-unreadable skips such rows)" in said, said
    with pytest.raises(InputError, match=r":2: line of more .* \(skip_unreadable=True skips such rows\)"):
        list(classifier.prepare_items(table))  # the Python call said "such files"
    result = run("prepare", table, "--out", out, "--skip-unreadable")
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and f"skipped {table}:2: line of more than 1,000 characters" in said, said
    assert "1 compressed line too long to read skipped" in said, said
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(rows))
    assert run("prepare", plain, "--out", tmp_path / "plain.out.jsonl", "-q").exit_code == 0
    with pytest.raises(InputError, match=r"articles\.jsonl\.gz:2: line of more than 1,000 .*\(skip_unreadable=True "
                       r"skips such rows\)$"):  # prepare_items' words are the CLI's (they said "files")
        list(classifier.prepare_items(table))
    assert out.read_bytes() == (tmp_path / "plain.out.jsonl").read_bytes()


def test_a_tsv_table_is_one_line_saying_to_name_it_csv(tmp_path):
    """x.tsv and x.tsv.gz were "unsupported input" to prepare and classify, while the table readers said a
    tab-separated file reads as .csv: every reader says to rename it .csv (kept compressed), and it then reads."""
    import gzip

    data = b"id\ttext\na1\tRussia and China met.\n"
    for name, body in (("x.tsv", data), ("x.tsv.gz", gzip.compress(data))):
        table = tmp_path / name
        table.write_bytes(body)
        renamed = name.replace(".tsv", ".csv")
        for command in ("prepare", "classify"):
            result = run(command, table, "--out", tmp_path / "out.jsonl")
            said = " ".join(result.output.split())
            assert result.exit_code == 1 and "Traceback" not in said and "unsupported input" not in said, said
            assert f"{table}: a tab-separated table is read as CSV" in said and f"rename it {renamed}" in said, said
        assert not (tmp_path / "out.jsonl").exists()
        table.rename(tmp_path / renamed)
        assert run("prepare", tmp_path / renamed, "--out", tmp_path / f"{renamed}.jsonl", "-q").exit_code == 0


@pytest.mark.parametrize("files, quota", [
    ({"cpu.max": "200000 100000\n"}, 2),
    ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: two workers, each throttled to its share
    ({"cpu.max": "5000 100000\n"}, 1),
    ({"cpu.max": "max 100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),  # cgroup v1
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({"cpu/cpu.cfs_quota_us": "300000\n"}, None),  # no period
    ({"cpu.max": "garbage\n"}, None),
    ({"cpu.max": "0 100000\n"}, None),
    ({}, None),
])
def test_workers_0_reads_the_containers_cpu_quota(tmp_path, files, quota):
    from classifier.cpus import cpu_quota

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cpu_quota(tmp_path) == quota


@pytest.mark.parametrize("membership, files, quota", [
    # Kubernetes, cgroup v2: the container's own cgroup holds no limit, its pod's does
    ("0::/kubepods/pod1/ctr\n", {"kubepods/pod1/ctr/cpu.max": "max 100000\n",
                                 "kubepods/pod1/cpu.max": "300000 100000\n", "kubepods/cpu.max": "800000 100000\n"}, 3),
    ("0::/kubepods/pod1/ctr\n", {"kubepods/pod1/ctr/cpu.max": "100000 100000\n",
                                 "kubepods/pod1/cpu.max": "300000 100000\n"}, 1),  # the smallest binds
    ("0::/system.slice/job.service\n", {"system.slice/job.service/cpu.max": "200000 100000\n"}, 2),
    # cgroup v1: the line of the cpu controller's hierarchy, under the cpu mount
    ("12:memory:/other\n4:cpu,cpuacct:/docker/abc\n0::/\n",
     {"cpu/docker/abc/cpu.cfs_quota_us": "200000\n", "cpu/docker/abc/cpu.cfs_period_us": "100000\n",
      "cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2),
    # a container that sees its own cgroup at the mount's root while the file names the host's path: read there
    ("0::/docker/abc\n", {"cpu.max": "200000 100000\n"}, 2),
    ("garbage\n", {"cpu.max": "200000 100000\n"}, 2),
    ("0::/a/b\n", {"a/b/cpu.max": "max 100000\n"}, None),
    # a cgroup namespace whose process was moved out of its root: the path leaves the mount, nothing under it binds
    # (user.slice/x here is another cgroup, which dropping the '..' read)
    ("0::/../../user.slice/x\n", {"user.slice/x/cpu.max": "100000 100000\n", "cpu.max": "200000 100000\n"}, None),
    ("0::/a/../b\n", {"b/cpu.max": "200000 100000\n", "a/cpu.max": "100000 100000\n"}, 2),  # '..' goes up
])
def test_cpu_quota_is_read_in_the_cgroup_proc_self_cgroup_names_and_above_it(tmp_path, monkeypatch, membership, files,
                                                                            quota):
    """Only the mount's root was read (/sys/fs/cgroup/cpu.max): in a container whose cgroup lies elsewhere under the
    mount (/proc/self/cgroup names it), or whose limit is its parent's (a Kubernetes pod's), no quota was found and
    --workers 0 started one worker per host core."""
    import classifier.cpus

    monkeypatch.setattr(classifier.cpus, "MEMBERSHIP", tmp_path / "proc")
    (tmp_path / "proc").write_text(membership)
    for name, text in files.items():
        (tmp_path / "fs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fs" / name).write_text(text)
    assert classifier.cpus.cpu_quota(tmp_path / "fs") == quota


def test_workers_0_starts_no_more_workers_than_the_containers_cpu_quota(tmp_path, monkeypatch):
    """--workers 0 counted the cores this process may run on, not a container's quota: limited to 2 CPUs on a
    64-core host it started 64 workers."""
    import os

    import classifier.cpus
    from classifier.prepare import prepare_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.setattr(os, "process_cpu_count", lambda: 64, raising=False)
    monkeypatch.setattr(classifier.cpus, "CGROUP", tmp_path)
    assert prepare_workers(0) == 64 and prepare_workers(3) == 3  # no quota
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    assert prepare_workers(0) == 2 and prepare_workers(3) == 3


def test_an_actors_file_tracks_a_leader_apart_from_their_country(tmp_path):
    corpus = tmp_path / "corpus.jsonl"  # dated outside Trump's bundled days in office: his own actor counts them
    corpus.write_text(json.dumps({"id": "a", "date": "2016-06-01",
                                  "text": "Donald Trump met Putin. Trump said the United States would act."}) + "\n")
    leader = tmp_path / "leader.yaml"
    leader.write_text("actors:\n  - name: Donald Trump\n    kind: person\n    people: [Donald Trump]\n")
    out = tmp_path / "items.jsonl"
    result = run("prepare", corpus, "--out", out, "--actors", leader, "-q")
    assert result.exit_code == 0, result.output
    assert f"Donald Trump: taken from United States by {leader}:4" in " ".join(result.output.split())
    assert [(r["actor"], [r["text"][a:b] for a, b in r["spans"]]) for r in read_jsonl(out)] == [
        ("Donald Trump", ["Donald Trump"]), ("Russia", ["Putin"]), ("Donald Trump", ["Trump"]),
        ("United States", ["United States"])]
    leader.write_text("actors:\n  - name: Donald Trump\n    people: [Donald Trump]\n  - name: MAGA\n"
                      "    names: [MAGA, donald trump]\n")
    for flag in ("--actors", "--actors-only"):
        result = run("prepare", corpus, "--out", tmp_path / "no.jsonl", flag, leader)
        assert result.exit_code == 1 and f"{leader}:5: the term 'donald trump' belongs to both Donald Trump and " \
            "MAGA" in " ".join(result.output.split()) and not (tmp_path / "no.jsonl").exists()


def test_actors_list_shows_a_term_listed_under_two_fields_once(tmp_path):
    catalogue = tmp_path / "leader.yaml"
    catalogue.write_text("actors:\n  - name: Obama watch\n    names: [Barack Obama]\n    people: [Barack Obama]\n")
    result = run("actors", "list", "--actors-only", catalogue)
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).count("Barack Obama") == 1, result.output


def test_onnx_runtime_threads_follow_a_containers_cpu_quota_and_only_then(tmp_path, monkeypatch):
    """ONNX Runtime's own default counts the host's cores: in a 2-CPU container on a 64-core host classify's ONNX
    engine ran 64 threads on 2 CPUs. Without a quota its default is left as it was."""
    import os

    import classifier.cpus
    from classifier.predict.onnx import session_threads

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.setattr(os, "process_cpu_count", lambda: 64, raising=False)
    monkeypatch.setattr(classifier.cpus, "CGROUP", tmp_path)
    assert session_threads(None) is None and session_threads(3) == 3  # no quota: ONNX Runtime's own default
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    assert session_threads(None) == 2 and session_threads(3) == 3


def test_a_table_s_progress_bar_counts_its_rows_to_their_total(tmp_path, monkeypatch):
    """A table of articles (JSONL, gzip'd, CSV with a text over several lines, Parquet) gives the bar its rows as the
    total, and each row read or passed over (an empty text, skipped) advances it once: the bar had no total, so it
    showed neither a count nor the time left, however many thousand articles were prepared."""
    import gzip

    seen = recorded_bar(monkeypatch)
    rows = [{"id": f"a{i}", "text": f"Russia and China met.\nNATO said {i} things.", "source": "RT"} for i in range(7)]
    rows[3]["text"] = " "  # a paywalled page: skipped with --skip-unreadable, and a row done all the same
    plain = tmp_path / "articles.jsonl"
    plain.write_text("".join(json.dumps(row) + "\n" for row in rows))
    tables = {"articles.jsonl": None, "articles.jsonl.gz": gzip.compress(plain.read_bytes()),
              "articles.csv": pd.DataFrame(rows).to_csv(index=False).encode(), "articles.parquet": "parquet"}
    for name, data in tables.items():
        if data == "parquet":
            pd.DataFrame(rows).to_parquet(tmp_path / name)
        elif data is not None:
            (tmp_path / name).write_bytes(data)
        seen.clear()
        result = run("prepare", tmp_path / name, "--out", tmp_path / f"{name}.items.jsonl", "--skip-unreadable")
        assert result.exit_code == 0, result.output
        assert seen[:2] == [("task", "preparing", None), ("total", 7)], (name, seen)
        assert sum(step for kind, step, *_ in seen if kind == "advance") == 7, (name, seen)
    seen.clear()  # -q: no bar, and no pass to count the rows
    assert run("prepare", plain, "--out", tmp_path / "quiet.jsonl", "--skip-unreadable", "-q").exit_code == 0
    assert seen == []
    from classifier.io import files  # a compressed line over its bound, skipped, is a row of the count and of the bar

    monkeypatch.setattr(files, "COMPRESSED_LINE_CHARS", 1000)
    big = tmp_path / "big.jsonl.gz"
    big.write_bytes(gzip.compress(plain.read_bytes() + (json.dumps({"id": "big", "text": "Russia won. " * 200})
                                                         + "\n").encode()))
    seen.clear()
    assert run("prepare", big, "--out", tmp_path / "big.items.jsonl", "--skip-unreadable").exit_code == 0
    assert seen[1] == ("total", 8) and sum(step for kind, step, *_ in seen if kind == "advance") == 8, seen
    assert files.table_rows(tmp_path / "no.parquet") is None  # what cannot be counted: the run's reader says why
    broken = tmp_path / "broken.jsonl"
    broken.write_text(plain.read_text() + "{not json\n")
    assert files.table_rows(broken) is None
    result = run("prepare", broken, "--out", tmp_path / "broken.items.jsonl", "--skip-unreadable")
    assert result.exit_code == 1 and f"{broken}:8:" in " ".join(result.output.split()), result.output
    assert not (tmp_path / "broken.items.jsonl").exists() and "Traceback" not in result.output


def test_an_input_warning_made_an_error_is_one_line(tmp_path):
    """Under python -W error (or PYTHONWARNINGS=error) an input warning is raised: the CLI prints it as its one
    error line and writes nothing, where it printed a traceback."""
    import warnings

    from classifier.errors import InputWarning

    folder = tmp_path / "web"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("NATO warned Moscow on Tuesday.\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        result = run("prepare", folder, "--out", tmp_path / "items.jsonl", "-q")
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and said.startswith(f"error: {folder}: no manifest.csv, so each of the 2 articles"), \
        said
    assert "Traceback" not in said and not (tmp_path / "items.jsonl").exists()


def test_an_articles_csv_whose_header_holds_a_quoted_line_break_is_read(tmp_path):
    """A spreadsheet's column name may hold a line break (quoted): the header was read to its first line only, and
    prepare said 'more fields than the header has (2: id, headline)'."""
    articles = tmp_path / "articles.csv"
    articles.write_text('id,"headline\n(print)",text\na1,Moscow,"Russia warned NATO on Monday."\n', encoding="utf-8")
    out = tmp_path / "items.jsonl"
    result = run("prepare", articles, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert [(item["article"], item["actor"]) for item in read_jsonl(out)] == [("a1", "Russia"), ("a1", "NATO")]


def test_a_table_of_long_cells_in_an_article_stays_out_of_its_text():
    """A table in an article whose cells hold sentences (a region's figures, each with a line of comment) counted
    as a layout table wherever it held more words than the article, and was read as blocks: its cells joined the
    article's text (154 words became 382 here). An article found outside the table keeps it out, as before; a page
    laid out in a table is still read."""
    from classifier.ingest import html_to_text

    article = "".join(f"<p>The minister said on Tuesday that the talks with Chile would resume, in paragraph {i} of "
                      "the article.</p>" for i in range(8))
    rows = "".join(f"<tr><td>{i}</td><td><p>Region {i} reported that the harvest had fallen sharply after the long "
                   f"drought across the southern provinces, officials said.</p></td><td>{i * 3.5}</td></tr>"
                   for i in range(12))
    for body in (article + f"<table>{rows}</table>", f"<table>{rows}</table>" + article):
        text, _ = html_to_text(f"<html><head><title>Talks resume</title></head><body><article><h1>Talks resume</h1>"
                               f"{body}</article></body></html>")
        assert "paragraph 7 of the article" in text and "Region" not in text, text
    layout = "".join(f"Sentence {i}: the minister said on Tuesday the talks with Chile would resume soon.<br>"
                     for i in range(10))
    text, _ = html_to_text("<html><head><title>T</title></head><body><table><tr><td><a href='/'>Home</a></td>"
                           f"<td>{layout}</td></tr></table></body></html>")
    assert "Sentence 9" in text and "Home" not in text, text
