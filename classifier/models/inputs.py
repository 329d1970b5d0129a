"""How an (item, actor) pair becomes model input: mentions marked, target beside the sentence.

Three formats, chosen per model and stored in its directory:

- ``pair``:     ``[CLS] actor [SEP] sentence with <t>mention</t> marked [SEP]``
- ``marked``:   ``[CLS] sentence with <t>mention</t> marked [SEP]``
- ``sentence``: ``[CLS] sentence [SEP]`` (sentence sentiment: no actor, no markers)

An item whose actor is named only implicitly (``spans == []``) keeps the actor as the first segment
and the sentence unmarked. Texts longer than the model's window keep a window of tokens centred on
the first mention, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

MARK_OPEN = "<t>"
MARK_CLOSE = "</t>"
MARKERS = (MARK_OPEN, MARK_CLOSE)
INPUT_FORMATS = ("pair", "marked", "sentence")
# the file a mention-pooled model (models.pooling) keeps its head in: named here, where no torch is imported, so that
# hashing a model folder (a labelling restart checking its kept scores) does not import torch to read a name
MENTION_HEAD_FILE = "mention_head.safetensors"
CHARS_PER_TOKEN = 50  # far more than a word piece ever spans: the crop in InputEncoder._crop never reaches the window


def merge_spans(spans) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans."""
    merged: list[list[int]] = []
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def mark_mentions(text: str, spans) -> str:
    """Wrap every mention in the text with the target markers."""
    pieces, cursor = [], 0
    for start, end in merge_spans(spans):
        pieces += [text[cursor:start], f"{MARK_OPEN} ", text[start:end], f" {MARK_CLOSE}"]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


@dataclass
class Encoded:
    input_ids: list[int]
    token_type_ids: list[int] | None
    truncated: bool


class InputEncoder:
    """Turns (text, actor, spans) into token ids for one tokenizer and input format."""

    def __init__(self, tokenizer, input_format: str = "pair", max_length: int = 160):
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"unknown input format {input_format!r}; expected one of {INPUT_FORMATS}")
        self.tokenizer = tokenizer
        self.input_format = input_format
        self.max_length = max_length

    def _tokenize(self, first: str | None, sentence: str, offsets: bool = False) -> dict:
        args = (first, sentence) if first is not None else (sentence,)
        return self.tokenizer(*args, truncation=False, return_offsets_mapping=offsets, verbose=False)

    def _crop(self, marked: str) -> str:
        """A text far longer than the window is cut to ``CHARS_PER_TOKEN`` characters a token either side
        of the first marker before tokenising (a 5 MB sentence would otherwise take gigabytes): the
        token window cut from it afterwards is the same."""
        reach = self.max_length * CHARS_PER_TOKEN
        if len(marked) <= 2 * reach:
            return marked
        anchor = max(marked.find(MARK_OPEN), 0)
        start = max(0, min(anchor - reach, len(marked) - 2 * reach))
        return marked[start:start + 2 * reach]

    def _marked(self, text: str, spans) -> str:
        return self._crop(text if self.input_format == "sentence" else mark_mentions(text, spans))

    def encode(self, text: str, actor: str | None, spans) -> Encoded:
        marked = self._marked(text, spans)
        first = (actor or "")[:200] if self.input_format == "pair" else None
        encoding = self._tokenize(first, marked)
        truncated = len(encoding["input_ids"]) > self.max_length
        if truncated:
            marked = self._window(first, marked, len(encoding["input_ids"]) - self.max_length)
            encoding = self.tokenizer(*((first, marked) if first is not None else (marked,)),
                                      truncation=True, max_length=self.max_length)
        return Encoded(list(encoding["input_ids"]), encoding.get("token_type_ids"), truncated)

    def encode_many(self, texts, actors, spans_list) -> list[Encoded]:
        """Batch version of ``encode``: one call into the fast tokenizer for the whole batch."""
        if not texts:  # the tokenizer refuses an empty batch
            return []
        marked = [self._marked(text, spans) for text, spans in zip(texts, spans_list)]
        firsts = [(actor or "")[:200] for actor in actors] if self.input_format == "pair" else None
        # verbose=False: the whole text is tokenised before a window is cut, so the tokenizer's warning that a
        # text longer than the model's positions would fail does not apply
        batch = self.tokenizer(firsts, marked, truncation=False, verbose=False) if firsts is not None \
            else self.tokenizer(marked, truncation=False, verbose=False)
        types = batch.get("token_type_ids")
        out = []
        for i, ids in enumerate(batch["input_ids"]):
            if len(ids) > self.max_length:
                out.append(self.encode(texts[i], actors[i], spans_list[i]))
            else:
                out.append(Encoded(list(ids), None if types is None else list(types[i]), False))
        return out

    def _window(self, first: str | None, marked: str, excess: int) -> str:
        """The part of ``marked`` that fits, centred on the first marker (character-exact cut)."""
        sentence = self.tokenizer(marked, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        offsets = sentence["offset_mapping"]
        size = max(1, len(offsets) - excess)
        anchor_char = max(marked.find(MARK_OPEN), 0)
        anchor = next((i for i, (s, _) in enumerate(offsets) if s >= anchor_char), 0)
        start = max(0, min(anchor - size // 2, len(offsets) - size))
        end = start + size - 1
        return marked[offsets[start][0]:offsets[end][1]]


def add_marker_tokens(tokenizer, model) -> None:
    """Register the markers as special tokens; start their embeddings from '[' and ']'."""
    added = tokenizer.add_special_tokens({"additional_special_tokens": list(MARKERS)})
    if not added:
        return
    import torch

    model.resize_token_embeddings(len(tokenizer))
    embeddings = model.get_input_embeddings().weight
    with torch.no_grad():
        for marker, like in zip(MARKERS, ("[", "]")):
            like_id = tokenizer.convert_tokens_to_ids(like)
            if like_id is not None and like_id != tokenizer.unk_token_id:
                embeddings[tokenizer.convert_tokens_to_ids(marker)] = embeddings[like_id]
