"""How much of a news page's article text `stance prepare` keeps, per trafilatura mode.

Reads the hand-made pages in bench/html_pages/ (24 pages written to the layouts of wire stories, BBC- and
Guardian-style pages, a live blog, embeds, paywall and newsletter boxes, other charsets and languages) and their
hand-written article sentences (truth.json), runs each page through trafilatura's precision, balanced and recall
modes and through the project's own reader (``ingest.html_to_text``: precision, embeds pruned, plus the JSON-LD
body and a standfirst), then the cleaning rules and the segmenter, and prints per mode: recall (the article's
sentences found among those kept), precision (the kept sentences that are the article's) and the pages found whole.
JSON under bench/results/.

    python scripts/bench_html_extraction.py [--pages bench/html_pages] [-v] [--fallbacks]

bench/html_short/ holds 21 made-up short pages (one to three paragraphs, with and without navigation and footer, a
layout table) and pages with no article (a cookie banner, 404 messages, navigation alone; no sentence wanted);
``--fallbacks`` adds the reader with each fallback tried where its extractor kept nothing (none is used).
bench/html_tables/ holds 6 made-up pages laid out in tables (one cell, nav beside the article, nested tables, ``<br>``
text, a table of figures in the article) and a normal page with a table of teasers.
bench/html_boilerplate/ holds 22 made-up pages with no article (cookie walls, error pages, blocks, paywalls, browser
checks), which prepare skips (``ingest.no_article``), and 5 real short articles in their words.

The pages are one person's imitation of how such sites mark up articles, not saved pages: the figures rank the
modes on these layouts, they are not rates to expect on a real corpus (docs/html_extraction.md).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = {"precision": {"favor_precision": True}, "balanced": {}, "recall": {"favor_recall": True}}
# --fallbacks: the reader, with one of these in place of its text where its own extractor kept none (tried for short
# pages, docs/html_extraction.md; none is used)
FALLBACKS = ("tables", "recall", "baseline", "html2txt")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "\u00a0": " "})


def norm(sentence: str) -> str:
    """A sentence as compared: quotes, dashes, spacing, case and a list's bullet aside."""
    sentence = re.sub(r"^[-•]\s+", "", sentence.translate(_QUOTES).strip())
    return re.sub(r"\s+", " ", sentence).casefold().strip()


def sentences_kept(html: str, mode: str) -> list:
    """The sentences prepare keeps from a page when trafilatura runs in ``mode`` ("project": the reader itself)."""
    import trafilatura

    from classifier import ingest
    from classifier.clean import clean_text, load_rules
    from classifier.segment import segment

    meta = trafilatura.extract_metadata(html, extensive=False)
    title = meta.title if meta else None
    if mode == "project" or mode.startswith("project+"):
        text, info = ingest.html_to_text(html)
        title = info.get("title")  # as prepare reads it (a kicker before the headline left out)
        if mode != "project":
            text = with_fallback(html, text, title, mode.removeprefix("project+"))
    else:
        text = trafilatura.extract(html, include_comments=False, include_tables=False, **MODES[mode]) or ""
        text = ingest.with_title(text, title)
    cleaned = clean_text(text, load_rules())
    return segment(cleaned.paragraphs, title=title)


def with_fallback(html: str, text: str, title: str | None, fallback: str) -> str:
    """The reader's ``text``, or where its extractor (precision mode, embeds pruned) kept nothing of the page, what
    ``fallback`` keeps: precision mode with tables, recall mode, trafilatura's ``baseline`` or ``html2txt``."""
    import trafilatura

    from classifier import ingest

    if trafilatura.load_html(html) is None:
        html = ingest.as_document(html) or html
    options = {"include_comments": False, "prune_xpath": ingest.EMBEDS_XPATH}
    if trafilatura.extract(html, include_tables=False, favor_precision=True, **options):
        return text
    kept = {"tables": lambda: trafilatura.extract(html, include_tables=True, favor_precision=True, **options),
            "recall": lambda: trafilatura.extract(html, include_tables=False, favor_recall=True, **options),
            "baseline": lambda: trafilatura.baseline(html)[1],
            "html2txt": lambda: trafilatura.html2txt(html)}[fallback]()
    return ingest.with_title(kept or "", title)


def score_page(html: str, truth: dict, mode: str) -> dict:
    wanted = [s for s in [truth["headline"], *truth["subheadings"], *truth["body"]] if s]  # a 404 page: none
    kept = sentences_kept(html, mode)
    everything_kept = " || ".join(norm(s.text) for s in kept)
    everything_wanted = " || ".join(norm(s) for s in wanted)
    missing = [s for s in wanted if norm(s) not in everything_kept]
    extra = [s.text for s in kept if norm(s.text) not in everything_wanted]
    return {"wanted": len(wanted), "found": len(wanted) - len(missing), "kept": len(kept), "extra": extra,
            "missing": missing}


def main() -> None:
    from classifier import ingest

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, default=ROOT / "bench" / "html_pages")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "html_extraction.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="Per page: the sentences missed and added.")
    parser.add_argument("--fallbacks", action="store_true",
                        help="Also the reader with each fallback tried where its extractor kept nothing.")
    args = parser.parse_args()
    truth = json.loads((args.pages / "truth.json").read_text(encoding="utf-8"))
    results = {}
    for mode in [*MODES, "project", *([f"project+{name}" for name in FALLBACKS] if args.fallbacks else [])]:
        pages = {}
        for name, wanted in truth.items():
            html = ingest.decode((args.pages / f"{name}.html").read_bytes(), "cp1252", html=True)
            pages[name] = score_page(html, wanted, mode)
            if args.verbose:
                print(f"[{mode}] {name}: {pages[name]['found']}/{pages[name]['wanted']} found, "
                      f"{len(pages[name]['extra'])} added")
                for sentence in pages[name]["missing"]:
                    print("    missed", sentence[:110])
                for sentence in pages[name]["extra"]:
                    print("    added ", sentence[:110])
        found, wanted = sum(p["found"] for p in pages.values()), sum(p["wanted"] for p in pages.values())
        kept = sum(p["kept"] for p in pages.values())
        right = kept - sum(len(p["extra"]) for p in pages.values())
        results[mode] = {"recall": found / wanted if wanted else 1.0, "found": found, "wanted": wanted,
                         "precision": right / kept if kept else 1.0, "right": right, "kept": kept,
                         "pages_whole": sum(not p["missing"] for p in pages.values()),
                         "pages": pages}
    print(f"{'mode':16} {'recall':>17} {'precision':>17} {'pages whole':>12}")
    for mode, r in results.items():
        print(f"{mode:16} {r['found']:>4}/{r['wanted']:<4} {r['recall']:6.1%} {r['right']:>4}/{r['kept']:<4} "
              f"{r['precision']:6.1%} {r['pages_whole']:>7}/{len(truth)}")
    from classifier.io.files import write_json_atomic

    write_json_atomic(args.out, results)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
