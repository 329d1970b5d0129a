"""``StanceModel``: a sequence classifier that scores stance toward a target actor.

A model is a directory: a standard Hugging Face sequence-classification model (``config.json``
with ``id2label``, ``model.safetensors``, tokenizer) plus ``stance.json`` (input format, max length,
temperature) and a model card. Weights load from safetensors only; remote code only on request.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from classifier.errors import InputError, check_at_least
from classifier.items import Item, stance_items
from classifier.models.inputs import MENTION_HEAD_FILE, Encoded, InputEncoder
from classifier.tasks import Task, task_of_labels

STANCE_FILE = "stance.json"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "default"  # in a checkout of the project
MODEL_ENV = "STANCE_MODEL"


def model_folder(path: str | Path) -> Path:
    """A model folder as named: the path given, else, for a relative path that is not there, the checkout's
    folder of that name, so that ``models/default`` or ``models/sentiment`` work from any directory."""
    path = Path(path)
    if path.exists() or path.is_absolute():
        return path
    in_checkout = DEFAULT_MODEL_DIR.parents[1] / path
    return in_checkout if (in_checkout / "config.json").exists() else path


def model_name(name: str | Path) -> str:
    """A model named as typed, but for a relative name that is not here and is a folder of the checkout
    (``models/default`` from any directory): then that folder. Unlike ``model_folder`` it keeps "./m" as typed, so
    that a missing local folder is never taken for the Hugging Face name "m"."""
    found = model_folder(name)
    return str(found) if found != Path(name) else str(name)


def default_model_path() -> Path:
    """The model used when none is named: ``$STANCE_MODEL``, else the checkout's ``models/default``.
    An installed package has no models folder: then the error says how to name one."""
    import os

    named = os.environ.get(MODEL_ENV, "").strip()
    if named:
        return model_folder(named)  # as --model names it: models/NAME is the checkout's from any directory
    if (DEFAULT_MODEL_DIR / "config.json").exists():
        return DEFAULT_MODEL_DIR
    raise InputError(f"no stance model given and none found: pass --model DIR (or load_model(DIR)), set "
                     f"{MODEL_ENV}=DIR, or run from a checkout of the project, which ships models/default")


SENTIMENT_MODEL_DIR = DEFAULT_MODEL_DIR.parent / "sentiment"
SENTIMENT_ENV = "STANCE_SENTIMENT_MODEL"
SHIPPED_MODELS = ("default", "sentiment", "newsmtsc-v16")  # the checkout's models/: replaced only when asked


def shipped_model(path: str | Path) -> str | None:
    """The name of the model the project ships that ``path`` is (a link to it included), or None."""
    resolved = Path(path).resolve()
    return resolved.name if resolved.parent == DEFAULT_MODEL_DIR.parent.resolve() and \
        resolved.name in SHIPPED_MODELS else None


def default_sentiment_path() -> Path:
    """The sentence-sentiment model used when none is named: ``$STANCE_SENTIMENT_MODEL``, else the
    checkout's ``models/sentiment``."""
    import os

    named = os.environ.get(SENTIMENT_ENV, "").strip()
    if named:
        return Path(named)
    if (SENTIMENT_MODEL_DIR / "config.json").exists():
        return SENTIMENT_MODEL_DIR
    raise InputError(f"no sentiment model given and none found: pass --sentiment-model DIR, set "
                     f"{SENTIMENT_ENV}=DIR, or run from a checkout of the project, which ships models/sentiment")


def weights_hash(path: Path) -> str:
    """Short content hash of the weights files alone (the key of saved teacher folds, which must not change
    when a base model's tokenizer or settings files are rewritten)."""
    digest = hashlib.sha256()
    for file in [path / "model.safetensors"] + [head for head in [path / MENTION_HEAD_FILE] if head.exists()]:
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def model_hash(path: Path) -> str:
    """Short content hash of everything that changes the scores (weights, the mention head, config.json,
    stance.json with its temperature, the tokenizer files), so predictions name the exact model and a
    resumed run never mixes two versions of a model under one id. ``merges.txt`` (a BPE tokenizer's merge rules,
    beside ``vocab.json``) is hashed only in a folder without ``tokenizer.json``, which holds the merges itself and
    is what a fast tokenizer reads: so the id of a folder that has both (every shipped model's) is as it was."""
    digest = hashlib.sha256()
    merges = () if (path / "tokenizer.json").exists() else ("merges.txt",)
    names = ("model.safetensors", MENTION_HEAD_FILE, "config.json", STANCE_FILE, *TOKENIZER_FILES, *merges,
             "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")
    for name in names:
        file = path / name
        if not file.exists():
            continue
        digest.update(name.encode() + b"\0")
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "spm.model", "vocab.json",
                   "tokenizer.model")
# what a saved model folder may hold (save_pretrained's files, the tokenizer's, the settings, the card, the keys of
# the items it trained on and the items train held out): a folder that holds anything else is not replaced
MODEL_FILES = frozenset({*TOKENIZER_FILES, "config.json", "model.safetensors", STANCE_FILE, "tokenizer_config.json",
                         "special_tokens_map.json", "added_tokens.json", "merges.txt", "generation_config.json",
                         "chat_template.jinja", "README.md", "model_card.json", MENTION_HEAD_FILE,
                         "trained_items.txt", "heldout.jsonl"})


def read_settings(path: Path) -> dict:
    """``stance.json`` checked: a bad value is one line naming the folder and the field, never NaN scores."""
    import math

    from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

    from classifier.models.inputs import INPUT_FORMATS

    class Settings(BaseModel):
        model_config = ConfigDict(extra="allow")
        name: str | None = None
        input_format: str = "pair"
        max_length: int = Field(160, ge=8, le=8192)
        pooling: str = "cls"
        temperature: float = 1.0

        @field_validator("input_format")
        @classmethod
        def _format(cls, value):
            if value not in INPUT_FORMATS:
                raise ValueError(f"must be one of {', '.join(INPUT_FORMATS)}")
            return value

        @field_validator("pooling")
        @classmethod
        def _pooling(cls, value):
            if value not in ("cls", "mention"):
                raise ValueError("must be cls or mention")
            return value

        @field_validator("temperature")
        @classmethod
        def _temperature(cls, value):
            if not (math.isfinite(value) and 0.01 <= value <= 100):  # far outside, every score is NaN or 1/3
                raise ValueError("must be a number from 0.01 to 100 (stance calibrate fits it)")
            return value

    file = path / STANCE_FILE
    if not file.exists():
        return {}
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"{file}: not readable JSON ({type(exc).__name__})") from None
    if not isinstance(raw, dict):
        raise InputError(f"{file}: expected a JSON object")
    try:
        return Settings.model_validate(raw).model_dump()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{file}: {field}: {first['msg'].removeprefix('Value error, ')}") from None


def saved_task(path: Path) -> str | None:
    """The task a saved model folder scores, read from its stance.json without loading the weights (stance where
    the file predates the field); None where the folder holds no stance.json (an encoder, a Hub name)."""
    if not (Path(path) / STANCE_FILE).exists():
        return None
    return read_settings(Path(path)).get("task", "stance")


def saved_name(settings: dict, path: Path) -> str:
    """A saved model's name: stance.json's ``name``, else its folder's."""
    return settings.get("name") or path.name


def saved_model_id(path: str | Path) -> str:
    """The id ``StanceModel.load(path).model_id`` gives (``name@digest``), read without loading the weights: what
    scores kept from a model are checked against."""
    path = model_folder(path)
    return f"{saved_name(read_settings(path), path)}@{model_hash(path)}"


def engine_of(model_id) -> tuple[str, str]:
    """(the model, the engine) a prediction's ``model`` field names: ``name@digest`` for torch,
    ``name@digest:onnx`` (``:onnx-int8``) for ONNX Runtime."""
    model, _, suffix = str(model_id).rpartition(":")
    return (model, suffix) if suffix in ("onnx", "onnx-int8") else (str(model_id), "torch")


def check_max_length(path: Path, max_length: int) -> None:
    """stance.json's max_length within the positions the network has (config.json's max_position_embeddings):
    beyond them a long item would stop the run half way."""
    try:
        positions = json.loads((path / "config.json").read_text(encoding="utf-8")).get("max_position_embeddings")
    except (OSError, ValueError, RecursionError, AttributeError):
        return  # model_load_errors names the broken config when it is loaded
    if isinstance(positions, int) and max_length > positions:
        raise InputError(f"{path / STANCE_FILE}: max_length {max_length} is more than the {positions} positions the "
                         "model has (config.json max_position_embeddings)")


def check_tokenizer_files(path: Path) -> None:
    if not any((path / name).exists() for name in TOKENIZER_FILES):
        raise InputError(f"{path}: no tokenizer files ({', '.join(TOKENIZER_FILES[:2])}, ...); a model folder "
                         "needs the tokenizer it was trained with (save_pretrained writes it)")


class StanceModel:
    """Encoder + head + how inputs are built; ``predict_proba`` returns rows in ``labels`` order."""

    engine = "torch"  # the stance classify engine that runs it (OnnxStanceModel: onnx or onnx-int8)

    def __init__(self, model, tokenizer, *, input_format: str = "pair", max_length: int = 160,
                 temperature: float = 1.0, name: str = "unsaved", digest: str = "", path: Path | None = None):
        self.model = model
        self.tokenizer = tokenizer
        self.labels: list[str] = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self.encoder = InputEncoder(tokenizer, input_format, max_length)
        self.temperature = float(temperature)
        self.name = name
        self.digest = digest
        self.path = path

    @property
    def input_format(self) -> str:
        """How a sentence and its actor become the encoder's input: ``pair``, ``marked`` or ``sentence``."""
        return self.encoder.input_format

    @property
    def task(self) -> Task:
        """Stance (favor / against / neutral toward an actor) or sentiment (of the sentence), by the labels."""
        return task_of_labels(self.labels)

    @property
    def max_length(self) -> int:
        """The longest input in tokens; a longer sentence is cut to a window centred on the first mention."""
        return self.encoder.max_length

    @property
    def pooling(self) -> str:
        """``mention`` (the head reads the actor's mention tokens) or ``cls`` (the first token)."""
        from classifier.models.pooling import MentionPooledClassifier

        return "mention" if isinstance(self.model, MentionPooledClassifier) else "cls"

    @property
    def model_id(self) -> str:
        """The model's id as predictions record it: the name and a hash of the weights (``default@8968bafe3233``)."""
        return f"{self.name}@{self.digest}" if self.digest else self.name

    # -- loading -------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, *, trust_remote_code: bool = False,
             **model_options) -> "StanceModel":
        """The model in folder ``path`` (``None``: ``$STANCE_MODEL``, else the checkout's ``models/default``;
        ``models/NAME`` is the checkout's from any directory), on the CPU, from safetensors only. A folder that is
        missing or broken is a one-line ``InputError``; transformers' loading bar and notes are silenced while it
        loads (``quiet_loading``). ``trust_remote_code``: let the folder run its own code; ``model_options`` go to
        ``from_pretrained``. ``classifier.load_model`` wraps it with the ONNX engines and the catalogue options."""
        import torch
        from transformers import AutoModelForSequenceClassification

        from classifier.models.base import model_load_errors, quiet_loading
        from classifier.models.pooling import MentionPooledClassifier

        path, settings, tokenizer = cls.load_front(path, trust_remote_code=trust_remote_code)
        with model_load_errors(path), quiet_loading():
            model = AutoModelForSequenceClassification.from_pretrained(
                path, use_safetensors=True, trust_remote_code=trust_remote_code, dtype=torch.float32, **model_options)
        check_labels(model.config.id2label, path)
        if settings.get("pooling", "cls") == "mention":
            if not (path / MENTION_HEAD_FILE).exists():
                raise InputError(f"{path}: stance.json asks for mention pooling but {MENTION_HEAD_FILE} is missing")
            # a head that is no safetensors file, or of another shape: one line too, naming the file and what did
            # not fit (torch's size mismatch), where it named the folder and "Error(s) in loading state_dict ..."
            with model_load_errors(path / MENTION_HEAD_FILE):
                model = MentionPooledClassifier.for_tokenizer(model, tokenizer)
                model.load_head(path)
        model.eval()
        return cls.from_settings(model, tokenizer, settings, path, model_hash(path))

    @classmethod
    def from_settings(cls, model, tokenizer, settings: dict, path: Path, digest: str) -> "StanceModel":
        """A model from its network (anything with a ``config``), its tokenizer and its folder's settings."""
        return cls(model, tokenizer, input_format=settings.get("input_format", "pair"),
                   max_length=settings.get("max_length", 160), temperature=settings.get("temperature", 1.0),
                   name=saved_name(settings, path), digest=digest, path=path)

    @staticmethod
    def load_front(path: str | Path | None, *, trust_remote_code: bool = False) -> tuple[Path, dict, object]:
        """The model folder checked, its settings and its tokenizer: everything but the weights."""
        from transformers import AutoTokenizer

        from classifier.models.base import check_own_code, model_load_errors, quiet_loading

        path = model_folder(path) if path else default_model_path()
        if not (path / "config.json").exists():
            named = path.absolute()  # '.' or '/' has no name, and so no staged backup beside it
            backup = named.with_name(f".{named.name}.old.stage") if named.name else None
            # a swap killed between its two renames left the earlier model beside the folder
            if backup is not None and not path.exists() and (backup / "config.json").exists():
                raise InputError(f"{path}: not there; a write of it (--promote, --out) was killed half way and left the "
                                 f"earlier model in {backup}: rename that back to {path.name}")
            if not path.exists():
                raise InputError(f"{path}: no such model folder (models/default is the bundled one)")
            raise InputError(f"{path}: not a model directory (no config.json); train one with 'stance train'")
        if not (path / "model.safetensors").exists():
            raise InputError(f"{path}: no model.safetensors; only safetensors weights are loaded (never pickles)")
        settings = read_settings(path)
        check_max_length(path, settings.get("max_length", 160))
        check_tokenizer_files(path)
        check_own_code(path, trust_remote_code)
        with model_load_errors(path), quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
        return path, settings, tokenizer

    def save(self, path: str | Path, card: dict | None = None, *, half: bool = True,
             trained_items: str | None = None, held_out: str | None = None) -> Path:
        """Write the directory atomically (built beside it, swapped into place); it replaces only a stance model.
        ``trained_items``: the text of its ``trained_items.txt`` (``card.trained_items_text``), saved with the rest;
        ``held_out``: that of its ``heldout.jsonl`` (``card.held_out_text``), too."""
        from classifier.io.files import staged_folder
        from classifier.models.base import quiet_loading

        path = check_model_target(path)
        # quiet as loading is: transformers drew "Writing model shards" on stderr, a quiet Python call's too
        with staged_folder(path) as tmp, quiet_loading():
            model = self.model
            if half:
                import copy

                model = copy.deepcopy(self.model).half()
            classifier = model.sequence_classifier if self.pooling == "mention" else model
            classifier.save_pretrained(tmp, safe_serialization=True)
            if self.pooling == "mention":
                model.save_head(tmp)
            self.tokenizer.save_pretrained(tmp)
            settings = {"name": path.name, "task": self.task.name, "input_format": self.input_format,
                        "max_length": self.max_length, "pooling": self.pooling, "temperature": self.temperature,
                        "labels": self.labels}
            (tmp / STANCE_FILE).write_text(json.dumps(settings, indent=2) + "\n")
            if card is not None:
                from classifier.models.card import write_card

                write_card(tmp, card, self.task.name)
            if trained_items is not None:
                from classifier.models.card import TRAINED_ITEMS_FILE

                (tmp / TRAINED_ITEMS_FILE).write_text(trained_items, encoding="utf-8")
            if held_out is not None:
                from classifier.models.card import HELD_OUT_FILE

                (tmp / HELD_OUT_FILE).write_text(held_out, encoding="utf-8")
        self.name, self.digest, self.path = path.name, model_hash(path), path
        return path

    # -- inference -----------------------------------------------------------------------------
    def encode(self, items: Sequence[Item]) -> tuple[list[Encoded], int]:
        """The items as the encoder's inputs, and how many of them were cut to ``max_length``."""
        if not items:
            return [], 0
        encoded = self.encoder.encode_many([i.text for i in items], [i.actor for i in items],
                                           [i.spans for i in items])
        return encoded, sum(e.truncated for e in encoded)

    @property
    def device(self):
        """The torch device the weights are on."""
        return next(self.model.parameters()).device

    def to(self, device) -> "StanceModel":
        """Move the weights (``"cpu"``, ``"cuda"``); inputs follow the model's device."""
        self.model.to(device)
        return self

    def logits(self, batch: Sequence[Encoded]):
        """Float32 logits on the CPU, whichever device the model is on."""
        import torch

        device = self.device
        inputs = {k: v.to(device) for k, v in pad_batch(batch, self.tokenizer.pad_token_id).items()}
        with torch.inference_mode():
            return self.model(**inputs).logits.float().cpu()

    def probabilities(self, batch: Sequence[Encoded]) -> np.ndarray:
        """Softmax of temperature-scaled logits for one batch of encoded inputs."""
        import torch

        return torch.softmax(self.logits(batch) / self.temperature, dim=-1).double().numpy()

    def predict_proba(self, items: Sequence[Item], *, batch_size: int = 64,
                      on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Probabilities, one row per item in input order, columns in ``self.labels`` order."""
        check_at_least(batch_size=(batch_size, 1))  # 2.5 or None: one line too, not range()'s TypeError
        ids, _ = self.encode(items)
        order = np.argsort([-len(x.input_ids) for x in ids], kind="stable")
        out = np.zeros((len(items), len(self.labels)), dtype=np.float64)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            out[chosen] = self.probabilities([ids[i] for i in chosen])
            if on_batch:
                on_batch(len(chosen))
        return out

    def predict(self, items: Iterable[Item | dict], *, batch_size: int = 64) -> list[dict]:
        """``[{"stance": label, "stance_scores": {label: p}}]`` for each item: ``Item``s or dicts in the
        item schema (``{"id", "text", "actor", "spans"}``), checked first (an ``InputError`` names the item).
        An item given without ``spans`` has its actor's mentions found as ``stance classify`` finds them
        (``spans: []`` stays: a target the text does not name). A sentiment model writes ``sentiment`` /
        ``sentiment_scores`` and needs no actor. (``classifier.load_model(...).predict`` also takes DataFrames,
        Datasets and ``(text, actor)`` pairs.)"""
        check_at_least(batch_size=(batch_size, 1))  # before the mentions are looked for
        if isinstance(items, (str, bytes, dict)) or hasattr(items, "columns") or hasattr(items, "column_names"):
            raise InputError(f"expected a list of Items or dicts; got one {type(items).__name__} "
                             "(classifier.load_model(...).predict takes a DataFrame, a Dataset or (text, actor) pairs)")
        if self.task.needs_actor:
            from classifier.actors import complete_spans

            items = complete_spans(items)
        found = [{"spans": r["spans"], "spans_from": r["spans_from"]} if isinstance(r, dict) and "spans_from" in r
                 else {} for r in items]  # where the mentions were found, as the warning says
        items = stance_items(items, need_actor=self.task.needs_actor)
        probs = self.predict_proba(items, batch_size=batch_size)
        return [{**scores_record(row, self.labels, self.task.field), **where}
                for row, where in zip(probs, found or [{}] * len(probs))]


def check_model_target(path: str | Path, option: str | None = None) -> Path:
    """A folder a model may be written to: new, empty, or a stance model (config.json and stance.json) that it
    replaces; never a file, a folder of other things (``.``, ``models/``, a thesis), or under a file. ``option``:
    the flag that named it (``--out``), put before the path in an error as the command's other errors put it."""
    from classifier.io.files import check_parents

    shown = f"{option} {path}" if option else str(Path(path).absolute())
    path = Path(path).absolute()
    if path.is_dir() and not path.is_symlink() and not any(path.iterdir()) and path != Path.cwd():
        check_parents(path)  # made with mkdir first: nothing in it to lose (not the folder the command runs in)
        return path
    if path.exists() and not (path.is_dir() and (path / "config.json").exists() and (path / STANCE_FILE).exists()):
        kind = "a folder that is not a stance model" if path.is_dir() else "a file"
        raise InputError(f"{shown}: exists and is {kind}; write the model to a new folder (nothing was changed)")
    if path.exists():
        other = sorted(p.name for p in path.iterdir() if p.is_dir() or p.name not in MODEL_FILES)
        if other:
            raise InputError(f"{shown}: an earlier model that also holds {', '.join(other[:3])}"
                             f"{' and more' if len(other) > 3 else ''}, which replacing it would delete; move them "
                             "out or write the model to a new folder (nothing was changed)")
    check_parents(path)
    return path


def scores_record(row: np.ndarray, labels: Sequence[str], field: str = "stance") -> dict:
    row = np.asarray(row, dtype=np.float64)
    row = row / row.sum()
    return {field: labels[int(row.argmax())],
            f"{field}_scores": {label: round(float(p), 6) for label, p in zip(labels, row)}}


def pad_batch(batch: Sequence[Encoded], pad_id: int) -> dict:
    """Pad to the longest in the batch (never to a fixed maximum)."""
    import torch

    width = max(len(e.input_ids) for e in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    types = torch.zeros((len(batch), width), dtype=torch.long)
    for row, encoded in enumerate(batch):
        n = len(encoded.input_ids)
        input_ids[row, :n] = torch.tensor(encoded.input_ids, dtype=torch.long)
        attention[row, :n] = 1
        if encoded.token_type_ids is not None:
            types[row, :n] = torch.tensor(encoded.token_type_ids, dtype=torch.long)
    inputs = {"input_ids": input_ids, "attention_mask": attention}
    if batch[0].token_type_ids is not None:
        inputs["token_type_ids"] = types
    return inputs


def check_labels(id2label: dict, path) -> None:
    """The model's labels are those of one task (stance or sentiment), else one line naming the folder."""
    try:
        task_of_labels(id2label.values())
    except InputError as exc:
        raise InputError(f"{path}: model {exc}") from None
