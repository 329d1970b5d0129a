"""Build data/guideline_examples.jsonl (items in the one schema) from data/guideline_examples.txt.

    python scripts/build_guideline_examples.py            # rewrite the JSONL from the text
    python scripts/build_guideline_examples.py --check    # exit 1 if the JSONL is not what the text gives

The text file holds one sentence a line, written for this project to data/GUIDELINES.md:

    China=favor, United States=against | Beijing's mediation ..., while Washington's sanctions ...

Every actor of the bundled catalogue (classifier/resources/actors.yaml) that the sentence mentions must be
labelled, and every labelled actor must be found by the catalogue's matcher: the items are then exactly the
ones `stance prepare` would make of the sentence, with the spans it would mark. Lines starting with `#` and
blank lines are skipped. Written by hand because it is a data file's build step, not a library's job.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.actors import Matcher, id_part, load_catalogue, spans_by_actor  # noqa: E402
from classifier.errors import InputError  # noqa: E402
from classifier.io.files import write_records  # noqa: E402
from classifier.items import LABELS  # noqa: E402

SOURCE = ROOT / "data" / "guideline_examples.txt"
TARGET = ROOT / "data" / "guideline_examples.jsonl"


def parse_line(line: str, where: str) -> tuple[dict[str, str], str]:
    labels_part, sep, text = line.partition(" | ")
    if not sep or not text.strip():
        raise InputError(f"{where}: expected 'Actor=label, ... | sentence'")
    labels = {}
    for pair in labels_part.split(","):
        actor, eq, label = pair.strip().rpartition("=")
        if not eq or label not in LABELS:
            raise InputError(f"{where}: '{pair.strip()}' is not Actor=label with a label in {', '.join(LABELS)}")
        labels[actor.strip()] = label
    return labels, text.strip()


def build(source: Path = SOURCE) -> list[dict]:
    actors = load_catalogue()
    kinds = {a.name: a.kind for a in actors}
    matcher = Matcher(actors)
    records, seen = [], set()
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        labels, text = parse_line(line, where)
        found = spans_by_actor(matcher.for_article(text).find(text))
        if set(found) != set(labels):
            missing = sorted(set(found) - set(labels))
            absent = sorted(set(labels) - set(found))
            raise InputError(f"{where}: mentioned but not labelled: {missing}; labelled but not found: {absent}")
        sentence = hashlib.sha256(text.encode()).hexdigest()[:12]
        if sentence in seen:
            raise InputError(f"{where}: the same sentence twice")
        seen.add(sentence)
        for actor, spans in found.items():
            records.append({"id": f"guide:{sentence}:{id_part(actor)}", "text": text, "actor": actor, "spans": spans,
                            "label": labels[actor], "source": "guideline_examples", "article": f"guide:{sentence}",
                            "actor_kind": kinds[actor], "annotator": "written-to-guideline"})
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the JSONL instead of writing it")
    args = parser.parse_args()
    try:
        records = build()
    except InputError as exc:
        sys.exit(f"error: {exc}")
    if args.check:
        import json

        current = [json.loads(line) for line in TARGET.read_text(encoding="utf-8").splitlines()]
        if current != records:
            sys.exit(f"{TARGET} is not what {SOURCE.name} gives: run python scripts/build_guideline_examples.py")
        return
    write_records(TARGET, records)
    counts = {label: sum(r["label"] == label for r in records) for label in LABELS}
    print(f"{TARGET.relative_to(ROOT)}: {len(records)} items from {len({r['article'] for r in records})} "
          f"sentences ({', '.join(f'{k} {v}' for k, v in counts.items())})")


if __name__ == "__main__":
    main()
