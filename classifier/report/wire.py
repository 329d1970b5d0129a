"""Shared wire copy: sentences that several outlets print word for word (agency text: AP, Reuters, AFP, TASS).

Two outlets that run the same agency sentences look alike, or differ, because of those sentences and not of their
own framing. The report hashes each prediction's sentence once (lower case, runs of whitespace as one space) and
keeps, per outlet x actor x sentence x article, how many mentions there are: from these come the share of each
outlet's mentions whose sentence another outlet also holds, the pairs of outlets sharing the most sentences, and
in how many articles of a cell a driver sentence appears.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from classifier.visible import numeral

# An outlet whose mentions are more than this share another outlet's sentences is named in the report: copy of a
# tenth of its mentions can on its own move its net stance (favor - against, -1 to +1) by up to 0.2, the
# difference the outlet tests' 'articles for 0.2' are sized for. Below it, a few stock sentences that outlets
# write alike by chance ("Russia denied the claim.") would raise it for every corpus.
SHARED_SHARE = 0.10
TOP_PAIRS = 10  # the pairs of outlets report.json lists
SHOWN_OUTLETS = 15  # the outlets the page's table lists (report.json has every one)
KEYS = ["outlet", "actor_name", "text_key", "article_key"]


def text_keys(texts) -> np.ndarray:
    """A 64-bit hash of each text, lower-cased with its runs of whitespace as one space and none at either end
    (pyarrow does the string work in C; pandas hashes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = texts if isinstance(texts, (pa.Array, pa.ChunkedArray)) else pa.array(texts, pa.string())
    texts = pc.fill_null(pc.cast(texts, pa.string()), "")
    normal = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(texts), r"\s+", " "))
    return pd.util.hash_array(np.asarray(normal.to_numpy(zero_copy_only=False), dtype=object))


def chunk_texts(outlets: pd.Series, actors: pd.Series, articles: pd.Series, rows: np.ndarray,
                keys: np.ndarray) -> pd.DataFrame:
    """Mentions per outlet x actor x sentence x article of some rows; an item without an article is its own
    (keyed by its row number in the file, ``rows``)."""
    missing = articles.isna().to_numpy()
    article_keys = pd.util.hash_array(np.asarray(articles.where(~missing, "").astype(str), dtype=object))
    article_keys = np.where(missing, pd.util.hash_array(np.asarray(rows, dtype=np.int64)) ^ np.uint64(1), article_keys)
    frame = pd.DataFrame({"outlet": outlets.to_numpy(), "actor_name": actors.to_numpy(), "text_key": keys,
                          "article_key": article_keys})
    return frame.groupby(KEYS, sort=False, observed=True).size().rename("n").reset_index().astype(
        {"outlet": "category", "actor_name": "category"})


def combine_texts(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The chunks' counts as one table (an article split between chunks summed once)."""
    texts = pd.concat([p.astype({"outlet": object, "actor_name": object}) for p in parts], ignore_index=True)
    texts = texts.astype({"outlet": "category", "actor_name": "category"})
    return texts.groupby(KEYS, sort=False, observed=True)["n"].sum().reset_index()


def cell_articles(texts: pd.DataFrame, examples: pd.DataFrame) -> dict[tuple, int]:
    """(outlet, actor, text key) -> in how many of the cell's articles that sentence is, for the example rows."""
    wanted = examples[["outlet", "actor_name", "text_key"]].drop_duplicates()
    if wanted.empty:
        return {}
    keyed = texts[texts["text_key"].isin(wanted["text_key"])].astype({"outlet": object, "actor_name": object})
    counts = keyed.groupby(["outlet", "actor_name", "text_key"])["article_key"].nunique()
    return {key: int(n) for key, n in counts.items()}


def shared_copy(texts: pd.DataFrame) -> dict:
    """Per outlet: mentions, those whose sentence another outlet also holds, and the share; the pairs of outlets
    sharing the most distinct sentences; and the outlets above ``SHARED_SHARE``."""
    per = texts.groupby(["outlet", "text_key"], observed=True)["n"].sum().reset_index()
    per["outlet"] = per["outlet"].astype(object)
    holders = per.groupby("text_key")["outlet"].transform("size")  # one row per outlet holding the sentence
    per["shared"] = holders.to_numpy() > 1
    outlets = per.assign(shared_n=per["n"].where(per["shared"], 0), sentence=1,
                         shared_sentence=per["shared"].astype(int))
    outlets = outlets.groupby("outlet")[["n", "shared_n", "sentence", "shared_sentence"]].sum()
    outlets.columns = ["n", "n_shared", "sentences", "sentences_shared"]
    outlets["share"] = outlets["n_shared"] / outlets["n"]
    pairs = outlet_pairs(per.loc[per["shared"], ["outlet", "text_key"]])
    pairs = pairs.sort_values(["sentences", "outlet_a", "outlet_b"], ascending=[False, True, True], kind="stable")
    sentences = outlets["sentences"]
    pair_rows = [{"outlets": [a, b], "sentences": int(n), "share_of_first": float(n / sentences[a]),
                  "share_of_second": float(n / sentences[b])}
                 for a, b, n in pairs.head(TOP_PAIRS).itertuples(index=False)]
    most = {}
    for a, b, n in pairs.itertuples(index=False):  # sorted by sentences: the first pair met is an outlet's top
        most.setdefault(a, (b, int(n)))
        most.setdefault(b, (a, int(n)))
    rows = [{"outlet": outlet, "n": int(r.n), "n_shared": int(r.n_shared), "share": float(r.share),
             "sentences": int(r.sentences), "sentences_shared": int(r.sentences_shared),
             "most_with": most.get(outlet, (None, 0))[0], "most_with_sentences": most.get(outlet, (None, 0))[1]}
            for outlet, r in outlets.sort_values("share", ascending=False, kind="stable").iterrows()]
    return {"threshold": SHARED_SHARE, "outlets": rows, "pairs": pair_rows,
            "flagged": [r["outlet"] for r in rows if r["share"] > SHARED_SHARE]}


def outlet_pairs(shared: pd.DataFrame) -> pd.DataFrame:
    """Each pair of outlets (``outlet_a`` < ``outlet_b``) with the number of distinct sentences both hold, from one
    row per (outlet, sentence): the outlets x sentences incidence matrix times its transpose (scipy.sparse), so
    memory follows the rows and the outlets squared, not the sum over sentences of their holders squared (a join
    of the rows with themselves: 50 outlets that all run 50,000 agency sentences would be 125 million rows)."""
    from scipy.sparse import csr_matrix

    outlet_codes, names = pd.factorize(shared["outlet"], sort=True)
    text_codes = pd.factorize(shared["text_key"])[0]
    incidence = csr_matrix((np.ones(len(shared), dtype=np.int64), (outlet_codes, text_codes)),
                           shape=(len(names), int(text_codes.max()) + 1 if len(shared) else 0))
    both = (incidence @ incidence.T).tocoo()
    upper = both.row < both.col  # names sorted, so code order is name order
    return pd.DataFrame({"outlet_a": np.asarray(names)[both.row[upper]], "outlet_b": np.asarray(names)[both.col[upper]],
                         "sentences": both.data[upper].astype(np.int64)})


def wire_note(summary: dict | None) -> str | None:
    """What the report says of shared copy: None unless an outlet is above ``SHARED_SHARE``."""
    if not summary or not summary["flagged"]:
        return None
    flagged = [r for r in summary["outlets"] if r["outlet"] in summary["flagged"]]
    named = ", ".join(f"{r['outlet']} {100 * r['share']:.0f}%" for r in flagged[:5])
    more = f" and {len(flagged) - 5} more" if len(flagged) > 5 else ""
    return (f"{numeral(len(flagged))} outlet{'s' if len(flagged) != 1 else ''} share more than "
            f"{100 * SHARED_SHARE:.0f}% of their mentions word for word (up to case and spacing) with another "
            f"outlet's predictions ({named}{more}), as agency copy (AP, Reuters, AFP, TASS) run by several outlets "
            "does: a difference or a likeness between those outlets may come from the same sentences, not from "
            f"framing of their own. Copy of {100 * SHARED_SHARE:.0f}% of an outlet's mentions can on its own move its "
            f"net stance by up to {2 * SHARED_SHARE:.1f}. The report's table lists each outlet's share and the outlet "
            "it shares most sentences with (report.json: wire_copy).")
