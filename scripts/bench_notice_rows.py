"""Tables of articles where a row is a site's notice alone, as a scraped dump holds them (news-please, CC-News).

``rows``: writes a table (.jsonl or .csv, by OUT's suffix) of the text that ``ingest.html_to_text`` extracts from the
bench pages (bench/html_boilerplate, html_short, html_tables, html_pages), one row a page: ids ``real-NAME`` for a
page whose truth.json wants a sentence, ``notice-NAME`` for one that wants none. ``--layout`` says where the headline
goes: ``in-text`` (the text's first line, no title column), ``title-column`` (a title column, the text holding it
too, as a page's extracted text does), ``title-apart`` (a title column, the text without it), ``body`` (no headline
at all). Then reads it as prepare does (``ingest.stream_corpus``) and prints how many rows of each kind were skipped
as no article: a real row lost is the figure that must stay 0.

``synthetic``: writes N rows of generated news articles (id, title, source, date, text; a few hundred words each) to
time prepare on a large table; ``--long`` makes each text a single line of about 50,000 characters.

    python scripts/bench_notice_rows.py rows /tmp/notices.jsonl [--layout title-column]
    python scripts/bench_notice_rows.py synthetic /tmp/articles.csv --n 200000

The pages are one person's imitation of sites, not saved pages; nothing from /work/shared is read.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOLDERS = ("html_boilerplate", "html_short", "html_tables", "html_pages")
LAYOUTS = ("in-text", "title-column", "title-apart", "body")


def write_table(path: Path, rows: list[dict]) -> None:
    fields = list(dict.fromkeys(name for row in rows for name in row))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if path.suffix == ".csv":
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        else:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def page_rows(layout: str) -> list[dict]:
    """One row a bench page, its text as prepare extracts it, laid out as ``layout`` says."""
    from classifier import ingest

    rows = []
    for folder in FOLDERS:
        truth = json.loads((ROOT / "bench" / folder / "truth.json").read_text(encoding="utf-8"))
        for name, wanted in truth.items():
            html = ingest.decode((ROOT / "bench" / folder / f"{name}.html").read_bytes(), "cp1252", html=True)
            text, info = ingest.html_to_text(html)
            title = info.get("title")
            lines = text.strip().split("\n")
            if title and " ".join(lines[0].split()) == " ".join(title.split()) and layout in ("title-apart", "body"):
                text = "\n".join(lines[1:]).strip()
            if not text.strip():
                continue  # a page of its headline alone: a table row without text, skipped as such
            kind = "real" if wanted["headline"] or wanted["body"] else "notice"
            row = {"id": f"{kind}-{folder}-{name}", "text": text}
            if title and layout in ("title-column", "title-apart"):
                row["title"] = title
            rows.append(row)
    return rows


def judged(path: Path) -> dict:
    """How many rows of each kind prepare skipped as no article, and the real ones it lost."""
    from classifier import ingest

    stream = ingest.stream_corpus(path)
    read = [article.id for article in stream.articles]
    skipped = [problem.path for problem in stream.skipped if problem.kind == "no article"]
    ids = {}
    with open(path, encoding="utf-8") as fh:  # line -> id, to name the skipped rows
        if path.suffix == ".csv":  # a row is named by the line it starts on; a text's line breaks are inside it
            reader = csv.DictReader(fh)
            start = 2
            for row in reader:
                ids[start] = row["id"]
                start = reader.line_num + 1
        else:
            for number, line in enumerate(fh, start=1):
                ids[number] = json.loads(line)["id"]
    gone = [ids[int(where.rsplit(":", 1)[1])] for where in skipped]
    every = read + gone
    return {"rows": len(every), "notices": sum(i.startswith("notice-") for i in every),
            "notices skipped": sum(i.startswith("notice-") for i in gone),
            "real": sum(i.startswith("real-") for i in every),
            "real lost": sum(i.startswith("real-") for i in gone),
            "lost": sorted(i for i in gone if i.startswith("real-")),
            "notices kept": sorted(i for i in read if i.startswith("notice-"))}


WORDS = ("Officials in {a} said on {d} that talks with {b} would resume next week, after a pause of several months. "
         "The ministry added that {a} expected {b} to respond to the proposal before the summit. "
         "Analysts said the move showed how far {a} had come since the last round of negotiations. "
         "{b} has not commented publicly, though a spokesperson said the government was studying the text. "
         "Trade between the two countries fell by a fifth last year, according to figures from the statistics office. "
         "Several lawmakers in {a} criticised the plan, saying it gave too much away. ")
ACTORS = ("Russia", "China", "Ukraine", "Germany", "France", "Iran", "Israel", "Turkey", "India", "Japan",
          "the United States", "Poland", "Brazil", "NATO", "the European Union")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def synthetic(path: Path, n: int, long: bool, seed: int = 0) -> None:
    """``n`` generated articles, written a row at a time."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh) if path.suffix == ".csv" else None
        if writer:
            writer.writerow(["id", "source", "date", "title", "text"])
        for i in range(n):
            a, b = rng.sample(ACTORS, 2)
            paragraphs = [WORDS.format(a=a, b=b, d=rng.choice(DAYS)) for _ in range(rng.randint(2, 4))]
            text = (" ".join(paragraphs) * 60)[:50_000] if long else "\n\n".join(paragraphs)
            row = [f"a{i}", f"outlet{i % 20}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
                   f"{a} and {b} to resume talks", text]
            if writer:
                writer.writerow(row)
            else:
                fh.write(json.dumps(dict(zip(["id", "source", "date", "title", "text"], row))) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rows = sub.add_parser("rows")
    rows.add_argument("out", type=Path)
    rows.add_argument("--layout", choices=LAYOUTS + ("all",), default="all")
    made = sub.add_parser("synthetic")
    made.add_argument("out", type=Path)
    made.add_argument("--n", type=int, default=200_000)
    made.add_argument("--long", action="store_true")
    args = parser.parse_args()
    if args.command == "synthetic":
        synthetic(args.out, args.n, args.long)
        return
    for layout in LAYOUTS if args.layout == "all" else (args.layout,):
        out = args.out if args.layout != "all" else args.out.with_name(f"{args.out.stem}-{layout}{args.out.suffix}")
        write_table(out, page_rows(layout))
        print(layout, out, json.dumps(judged(out)))


if __name__ == "__main__":
    main()
