"""Zero-shot stance (or sentiment) through any natural-language-inference model.

The sentence is the premise; each label has a hypothesis about the actor ("This sentence portrays
{actor} favourably."), from an editable YAML (``classifier/resources/zero_shot.yaml``). The model scores
every (sentence, hypothesis) pair in one batch; the entailment logits of an item's hypotheses, softmaxed
over the labels, are its scores: the single-label rule of the Hugging Face zero-shot pipeline.

``ZeroShotModel`` offers what batch prediction uses of a ``StanceModel`` (``task``, ``labels``,
``model_id``, ``max_length``, ``encode``, ``probabilities``, ``predict_proba``, ``predict``), so the
journal, ``--resume`` and the output schema are those of the fine-tuned engine. Written by hand because
the transformers pipeline neither batches items x labels in one pass under our length-sorted batching
nor reports truncation.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from classifier.errors import InputError
from classifier.io.files import check_not_packed, check_regular_input
from classifier.items import Item
from classifier.models.inputs import Encoded
from classifier.models.stance_model import StanceModel, model_hash, pad_batch
from classifier.tasks import STANCE, Task, get_task

TEMPLATES_FILE = "zero_shot.yaml"
DEFAULT_MAX_LENGTH = 320


def default_templates_path() -> Path:
    from classifier.resources import resource_path

    return resource_path(TEMPLATES_FILE)


def read_templates(path: str | Path | None, task: Task) -> dict[str, str]:
    """The hypotheses of ``task`` by label, checked: one per label, stance ones name ``{actor}``, no other
    placeholder; a problem is one line naming the file."""
    import yaml

    path = Path(path) if path else default_templates_path()
    check_regular_input(path)  # a pipe: read again for --task both's second task
    check_not_packed(path, "a file of templates")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the templates ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: not a YAML file of templates ({type(exc).__name__})") from None
    section = raw.get(task.name) if isinstance(raw, dict) else None
    if not isinstance(section, dict):
        raise InputError(f"{path}: no '{task.name}:' section mapping each of {', '.join(task.labels)} to a hypothesis")
    missing = [label for label in task.labels if label not in section]
    extra = [str(label) for label in section if label not in task.labels]
    if missing or extra:
        problem = f"no hypothesis for {', '.join(missing)}" if missing else f"unknown label {', '.join(extra)}"
        raise InputError(f"{path}: {task.name}: {problem}; expected one per label: {', '.join(task.labels)}")
    templates = {}
    for label in task.labels:
        text = section[label]
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{path}: {task.name}.{label}: expected a sentence")
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                      if name is not None]
        except ValueError as exc:
            raise InputError(f"{path}: {task.name}.{label}: {exc} (write a literal brace as {{{{ or }}}})") from None
        names = {name for name, _, _ in fields}
        if any(spec or conversion for _, spec, conversion in fields):  # {actor:>999999999} would fill memory
            raise InputError(f"{path}: {task.name}.{label}: write a placeholder as {{actor}} alone, without a format "
                             "or conversion after it")
        allowed = {"actor"} if task.needs_actor else set()
        if names - allowed:
            raise InputError(f"{path}: {task.name}.{label}: unknown placeholder "
                             f"{{{sorted(names - allowed)[0]}}}" + ("; only {actor} is filled in" if allowed else
                                                                   "; sentiment hypotheses take no placeholder"))
        if task.needs_actor and "actor" not in names:
            raise InputError(f"{path}: {task.name}.{label}: a stance hypothesis must name {{actor}}")
        templates[label] = text.strip()
    return templates


def entailment_index(id2label: dict, where) -> int:
    """The output of the NLI model that means entailment; a model whose labels say nothing of it is refused."""
    for index, label in sorted(id2label.items()):
        name = str(label).strip().lower().replace("-", "_")
        if name.startswith("entail"):
            return int(index)
    labels = ", ".join(str(label) for _, label in sorted(id2label.items()))
    raise InputError(f"{where}: not an NLI model: its labels ({labels}) say nothing of entailment; --zero-shot "
                     "needs a model trained on natural-language inference (e.g. "
                     "MoritzLaurer/deberta-v3-base-zeroshot-v2.0 or facebook/bart-large-mnli)")


@dataclass
class PairsEncoded:
    """One item's (premise, hypothesis) pairs, one per label; ``input_ids`` is the longest (length sorting)."""

    pairs: list[Encoded]
    truncated: bool

    @property
    def input_ids(self) -> list[int]:
        return max((pair.input_ids for pair in self.pairs), key=len)


class ZeroShotModel:
    """An NLI model with one hypothesis per label; scores rows in ``labels`` order."""

    def __init__(self, model, tokenizer, templates: dict[str, str], *, task: Task = STANCE,
                 max_length: int = DEFAULT_MAX_LENGTH, name: str = "nli", digest: str = "", path: Path | None = None):
        self.model, self.tokenizer = model, tokenizer
        self.templates = templates
        self._task = task
        self.labels: list[str] = list(task.labels)
        self.entailment = entailment_index(model.config.id2label, name)
        self.max_length = max_length
        self.name, self.path = name, path
        self.weights_digest = digest
        self.digest = hashlib.sha256((digest + "\0" + repr(sorted(templates.items()))).encode()).hexdigest()[:12]
        self.temperature = 1.0
        self.input_format = "nli"

    @property
    def task(self) -> Task:
        return self._task

    @property
    def model_id(self) -> str:
        """Names the NLI model, its weights and the hypotheses: other templates are another model to --resume."""
        return f"zero-shot:{self.name}@{self.digest}"

    @classmethod
    def load(cls, name_or_path: str | Path, *, task: str | Task = "stance", templates: str | Path | None = None,
             max_length: int = DEFAULT_MAX_LENGTH, trust_remote_code: bool = False) -> "ZeroShotModel":
        """A local NLI model folder (``models/NAME``: the checkout's from any directory) or a Hugging Face name
        (downloaded once into the Hub cache; offline, only a cached one loads). Weights from safetensors only."""
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from classifier.models.base import (check_hub_reachable, check_own_code, looks_like_path, model_load_errors,
                                            quiet_loading)

        from classifier.models.stance_model import model_name

        task = get_task(task) if isinstance(task, str) else task
        chosen = read_templates(templates, task)
        name = model_name(name_or_path)  # models/NAME: the checkout's from any directory, as --model
        local = Path(name).expanduser()
        if looks_like_path(name) or local.exists():
            if not (local / "config.json").exists():
                raise InputError(f"{name}: not a model directory (no config.json)")
            if not (local / "model.safetensors").exists():
                raise InputError(f"{name}: no model.safetensors; only safetensors weights are loaded (never pickles)")
            check_own_code(local, trust_remote_code)
        else:
            check_hub_reachable(name)
        with model_load_errors(name), quiet_loading():
            tokenizer = AutoTokenizer.from_pretrained(name, trust_remote_code=trust_remote_code)
            model = AutoModelForSequenceClassification.from_pretrained(
                name, use_safetensors=True, trust_remote_code=trust_remote_code, dtype=torch.float32)
        model.eval()
        if local.exists():
            digest, path = model_hash(local), local
        else:
            digest, path = str(getattr(model.config, "_commit_hash", None) or "hub"), None
        short = local.name if local.exists() else name
        return cls(model, tokenizer, chosen, task=task, max_length=max_length, name=short, digest=digest, path=path)

    def for_task(self, task: str | Task, templates: str | Path | None = None) -> "ZeroShotModel":
        """The same NLI model (weights shared, not loaded again) with the hypotheses of another task."""
        task = get_task(task) if isinstance(task, str) else task
        twin = ZeroShotModel.__new__(ZeroShotModel)
        twin.__dict__.update(self.__dict__)
        twin._task, twin.labels, twin.templates = task, list(task.labels), read_templates(templates, task)
        twin.digest = hashlib.sha256((self.weights_digest + "\0" + repr(sorted(twin.templates.items()))).encode()
                                     ).hexdigest()[:12]
        return twin

    # -- inference -----------------------------------------------------------------------------
    def hypotheses(self, item: Item) -> list[str]:
        return [self.templates[label].format(actor=(item.actor or "").strip()) for label in self.labels]

    def encode(self, items: Sequence[Item]) -> tuple[list[PairsEncoded], int]:
        if not items:
            return [], 0
        if self.task.needs_actor:
            for item in items:
                if not item.has_actor:
                    raise InputError(f"item {item.id!r}: no actor to put in the stance hypotheses")
        premises = [item.text for item in items for _ in self.labels]
        hypotheses = [h for item in items for h in self.hypotheses(item)]
        encoded = self.tokenizer(premises, hypotheses, truncation=False, verbose=False)
        ids, types = encoded["input_ids"], encoded.get("token_type_ids")
        long = [i for i, row in enumerate(ids) if len(row) > self.max_length]
        if long:  # the premise is cut, never the hypothesis
            cut = self.tokenizer([premises[i] for i in long], [hypotheses[i] for i in long],
                                 truncation="only_first", max_length=self.max_length)
            for j, i in enumerate(long):
                ids[i] = cut["input_ids"][j]
                if types is not None:
                    types[i] = cut["token_type_ids"][j]
        long_set = set(long)
        pairs = [Encoded(row, types[i] if types is not None else None, i in long_set) for i, row in enumerate(ids)]
        k = len(self.labels)
        encoded = [PairsEncoded(pairs[i * k:(i + 1) * k], any(p.truncated for p in pairs[i * k:(i + 1) * k]))
                   for i in range(len(items))]
        return encoded, sum(e.truncated for e in encoded)

    def probabilities(self, batch: Sequence[PairsEncoded]) -> np.ndarray:
        """Every item's hypotheses in one forward pass; entailment logits softmaxed over the labels."""
        import torch

        flat = [pair for encoded in batch for pair in encoded.pairs]
        device = next(self.model.parameters()).device
        inputs = {key: value.to(device) for key, value in pad_batch(flat, self.tokenizer.pad_token_id).items()}
        with torch.inference_mode():
            logits = self.model(**inputs).logits.float().cpu()
        entail = logits[:, self.entailment].reshape(len(batch), len(self.labels))
        return torch.softmax(entail, dim=-1).double().numpy()

    def to(self, device) -> "ZeroShotModel":
        self.model.to(device)
        return self

    # length-sorted batches and the item checks are StanceModel's, over this class's encode / probabilities
    predict_proba = StanceModel.predict_proba
    predict = StanceModel.predict
