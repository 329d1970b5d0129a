"""Fine-tune a stance model: the project's one training loop (default model and retraining).

Length-bucketed batches (little padding), AdamW with linear warm-up and decay, optional class
weighting, optional layer-wise learning-rate decay, an optional moving average of the weights,
the best epoch on the dev split kept.
Deterministic for a given seed and thread count.
"""

from __future__ import annotations

import contextlib
import copy
import random
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from classifier.errors import model_calls
from classifier.items import Item, article_order
from classifier.models.checkpoint import checkpoint_key, load_checkpoint, save_checkpoint
from classifier.models.inputs import add_marker_tokens
from classifier.models.sampling import EpochSampler
from classifier.models.stance_model import StanceModel, pad_batch
from classifier.tasks import get_task
from classifier.visible import counted, numeral


@dataclass
class TrainConfig:
    base: str | None = None            # None: the bundled all-MiniLM-L6-v2; or a path, HF name, model dir
    task: str = "stance"               # stance | sentiment: the labels of a fresh head (classifier/tasks.py)
    input_format: str = "pair"
    pooling: str = "cls"               # cls | mention ([CLS] head plus a head on the marked mention tokens)
    cls_loss_weight: float = 0.5       # mention pooling: extra loss on the [CLS] logits alone
    max_length: int = 160
    learning_rate: float = 5e-5
    epochs: int = 3
    batch_size: int = 32
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    class_weighting: str = "none"      # none | balanced | sqrt
    label_smoothing: float = 0.0
    seed: int = 13                     # data order and dropout; the new head's weights too unless init_seed
    init_seed: int | None = None       # the new head's (and marker embeddings') start: same for a soup's seeds
    trust_remote_code: bool = False
    patience: int = 0                  # stop after this many epochs without a better dev macro-F1 (0: never)
    stop_after: int = 0                # end after this many epochs of the ``epochs``-long schedule (0: all)
    teacher: str | None = None         # a fine-tuned stance model to distil from (classifier/models/distill.py)
    distill_weight: float = 0.5        # share of the distillation loss beside the gold-label loss
    distill_temperature: float = 2.0   # softening of both distributions in the distillation loss
    device: str = "cpu"                # cpu | cuda | auto (cuda when there is one); cuda trains in bf16 autocast
    ema_decay: float = 0.0             # keep an exponential moving average of the weights (e.g. 0.999; 0: off)
    cpu_bf16: bool = False             # cpu too trains in bf16 autocast (fast where the CPU has AVX512-BF16/AMX)
    layer_lr_decay: float = 1.0        # layer-wise learning-rate decay: encoder layer i of L at lr*d**(L-i) (1: off)
    sampling_alpha: float = 1.0        # several files: file f drawn in proportion to weight_f * n_f**alpha (sampling.py)
    file_weights: list[float] | None = None  # several files: a sampling weight per file, in file order (None: all 1)
    unmarked_share: float = 0.0        # share of items with marked mentions shown as target text only (spans: [])

    def as_dict(self) -> dict:
        return asdict(self)


def check_file_weight(weight, name: str) -> None:
    """One file's sampling weight a finite number of at least 0 (else an ``InputError`` naming it as ``name``)."""
    from numbers import Real

    from classifier.errors import InputError

    if isinstance(weight, bool) or not isinstance(weight, Real) or not weight >= 0 or weight == float("inf"):
        raise InputError(f"{name}: the weight must be a finite number >= 0")


def check_file_weights(weights: Sequence | None) -> None:
    """Each file's sampling weight (``check_file_weight``, named ``file_weights[i]=W``), not every one 0."""
    from classifier.errors import InputError, option

    if weights is None:
        return
    for i, weight in enumerate(weights):
        check_file_weight(weight, f"{option('file_weights', flag='--file-weight')}[{i}]={weight!r}")
    if weights and not any(weights):
        raise InputError(f"{option('file_weights', flag='--file-weight')}: every file has weight 0; nothing would "
                         "be trained on")


def check_config_numbers(*, learning_rate=None, epochs=None, batch_size=None, patience=None, distill_weight=None,
                         sampling_alpha=None, unmarked_share=None, file_weights=None, test_fraction=None,
                         dev_fraction=None, names: dict[str, str] | None = None) -> None:
    """The numbers of a training run as ``stance train``'s options take them (None: not given), each refused in
    one line naming it (the CLI's flag inside ``cli_flags``, the parameter from Python): the one check of both, so
    that ``train`` and ``retrain`` refuse a learning rate of 0 or below as the CLI does, not with torch's ValueError
    after the model loaded (or, at 0, a model trained to stay as it was); ``classifier.train_model`` checks its
    arguments with it too. ``names``: the caller's parameter where it is not this one's (train_model's ``lr``)."""
    from numbers import Integral, Real

    from classifier.errors import InputError, option

    def number(value) -> bool:
        return isinstance(value, Real) and not isinstance(value, bool)

    def named(name: str, value, flag: str | None = None) -> str:  # the caller's name; the CLI's flag stays
        return option((names or {}).get(name, name), value, flag=flag or "--" + name.replace("_", "-"))

    # also NaN; inf makes every weight NaN
    if learning_rate is not None and not (number(learning_rate) and 0 < learning_rate <= 1):
        raise InputError(f"{named('learning_rate', learning_rate, flag='--lr')}: must be a number above 0 and at "
                         "most 1 (default 1e-4)")
    for name, value, least in (("epochs", epochs, 1), ("batch_size", batch_size, 1), ("patience", patience, 0)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, Integral) or value < least):
            raise InputError(f"{named(name, value)}: expected a whole number of at least {least}")
    for name, value, most in (("distill_weight", distill_weight, 1), ("sampling_alpha", sampling_alpha, 1),
                              ("unmarked_share", unmarked_share, 1), ("test_fraction", test_fraction, 0.9),
                              ("dev_fraction", dev_fraction, 0.9)):
        if value is not None and not (number(value) and 0 <= value <= most):
            raise InputError(f"{named(name, value)}: expected a number from 0 to {most:g}")
    check_file_weights(file_weights)


def check_config(config: TrainConfig) -> None:
    """``check_config_numbers`` of a config's numbers."""
    check_config_numbers(**{name: getattr(config, name) for name in (
        "learning_rate", "epochs", "batch_size", "patience", "distill_weight", "sampling_alpha", "unmarked_share",
        "file_weights")})


@dataclass
class TrainResult:
    model: StanceModel
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    resumed: list[str] = field(default_factory=list)  # where a killed run was resumed, for the model card


CHECKPOINT_SECONDS = 900.0  # how often ``train`` saves its checkpoint, besides at the end and on a kill


def set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def check_device_name(name) -> None:
    """A ValueError for a device that is none of ``cpu``, ``cuda`` (``cuda:N``) or ``auto``; torch is not imported
    (whether CUDA is there is ``resolve_device``'s to say)."""
    if not isinstance(name, str) or name not in ("cpu", "auto") and not name.startswith("cuda"):
        raise ValueError(f"unknown device {name!r}; expected cpu, cuda or auto")


def resolve_device(name: str):
    """``torch.device`` for ``cpu``, ``cuda`` (``cuda:N``) or ``auto`` (cuda when available); an unknown name is
    refused before torch is imported (``check_device_name``)."""
    check_device_name(name)
    import torch

    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for, but torch sees no CUDA device")
    return torch.device(name)


def check_device(name: str, *, resolve: bool = True):
    """``resolve_device`` (with ``resolve=False`` only ``check_device_name``: torch not imported, None returned), its
    refusal a one-line InputError naming the option (``--device`` in the CLI): the one check of a device that
    stance train and classify, ``train_model`` and ``load_engine`` make."""
    from classifier.errors import InputError, option

    try:
        return resolve_device(name) if resolve else check_device_name(name)
    except ValueError as error:
        raise InputError(f"{option('device')}: {error}") from None


def start_model(config: TrainConfig) -> StanceModel:
    """A fresh classification head on the base encoder, or a stance model to continue from."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from classifier.errors import InputError, option
    from classifier.models.base import check_own_code, model_load_errors, resolve_base
    from classifier.models.pooling import POOLINGS, MentionPooledClassifier
    from classifier.models.stance_model import STANCE_FILE

    if config.pooling not in POOLINGS:
        raise ValueError(f"unknown pooling {config.pooling!r}; expected one of {POOLINGS}")
    base = resolve_base(config.base)
    if Path(base, STANCE_FILE).exists():  # continue from one of our stance models
        stance = StanceModel.load(base, trust_remote_code=config.trust_remote_code)  # keeps its input format
        if stance.task.name != config.task:
            raise InputError(f"{option('base')} {base}: a {stance.task.name} model; a {config.task} model starts "
                             f"from a {config.task} model or from an encoder (for example {option('base', 'minilm')})")
        stance.temperature = 1.0
        if config.pooling == "mention" and stance.pooling == "cls":  # add a (zero-started) mention head
            stance.model = MentionPooledClassifier.for_tokenizer(stance.model, stance.tokenizer)
        return stance
    if Path(base).is_file():
        raise InputError(f"{option('base')} {base}: a file; pass a model folder (config.json, model.safetensors, "
                         "tokenizer) "
                         "or a Hugging Face name")
    labels = get_task(config.task).labels
    check_own_code(base, config.trust_remote_code)
    with model_load_errors(base):
        tokenizer = AutoTokenizer.from_pretrained(base, trust_remote_code=config.trust_remote_code)
        model = AutoModelForSequenceClassification.from_pretrained(  # safetensors only: never a pickle
            base, num_labels=len(labels), id2label=dict(enumerate(labels)), use_safetensors=True,
            label2id={label: i for i, label in enumerate(labels)}, dtype=torch.float32,
            trust_remote_code=config.trust_remote_code, ignore_mismatched_sizes=True)
    if config.input_format != "sentence":  # a sentence model marks nothing
        add_marker_tokens(tokenizer, model)
    if config.pooling == "mention":
        model = MentionPooledClassifier.for_tokenizer(model, tokenizer)
    return StanceModel(model, tokenizer, input_format=config.input_format, max_length=config.max_length,
                       name=Path(base).name)


def seeded_start(config: TrainConfig) -> StanceModel:
    """``start_model`` under ``init_seed`` (when given), then every random number after it under ``seed``:
    runs that differ only in ``seed`` then start from the same weights, so their weights can be averaged."""
    set_seed(config.seed if config.init_seed is None else config.init_seed)
    stance = start_model(config)
    if config.init_seed is not None:
        set_seed(config.seed)
    return stance


def class_weights(labels: Sequence[int], n_classes: int, scheme: str) -> np.ndarray | None:
    if scheme == "none":
        return None
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    counts[counts == 0] = 1.0
    weights = len(labels) / (n_classes * counts)
    if scheme == "sqrt":
        weights = np.sqrt(weights)
    elif scheme != "balanced":
        raise ValueError(f"unknown class weighting {scheme!r}; expected none, balanced or sqrt")
    return weights / weights.mean()


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random,
                            indices: Sequence[int] | None = None) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within pools of 50 batches, shuffle batches.
    ``indices``: the examples this epoch shows (default every one once)."""
    order = list(range(len(lengths)) if indices is None else indices)
    rng.shuffle(order)
    pool = batch_size * 50
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def evaluate_f1(stance: StanceModel, items: Sequence[Item]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score

    predicted = predicted_labels(stance, items)
    gold = [item.label for item in items]
    return {"macro_f1": float(f1_score(gold, predicted, labels=stance.labels, average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(gold, predicted))}


@contextlib.contextmanager
def signals_held():
    """SIGINT and the stop signals (SIGTERM, SIGHUP: ``classifier.signals``) wait while a training step changes the
    weights, the optimizer and the loop's state, and arrive once it is done: a checkpoint saved on a kill is then as
    whole as one saved between steps. The Python handlers are swapped for one that notes the signal (blocking the
    signal in this thread would not do: the kernel hands it to one of torch's threads, and Python still raises it
    here at once)."""
    import signal
    import threading

    from classifier.signals import STOP_SIGNALS

    held = (signal.SIGINT, *STOP_SIGNALS)
    if threading.current_thread() is not threading.main_thread() or any(signal.getsignal(s) is None for s in held):
        yield  # handlers Python did not set cannot be put back
        return
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: caught.append(signum)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            signal.raise_signal(caught[0])  # now, to the handler it was meant for


def epoch_line(record: dict) -> str:
    """An epoch's log line: ``epoch=2  train_loss=0.8123  seconds=19.2  dev_macro_f1=0.6012``; the seconds to a
    tenth, as they are kept, the scores and losses to four places."""
    return "  ".join(f"{k}={v:.1f}" if k == "seconds" else f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in record.items())


def train(train_items: Sequence[Item], dev_items: Sequence[Item] | None, config: TrainConfig,
          log: Callable[[str], None] = print, on_step: Callable[[int, int], None] | None = None,
          teacher_cache: str | None = None, transfer_items: Sequence[Item] = (),
          soft_targets: np.ndarray | None = None, keep_last: bool = False,
          checkpoint: str | Path | None = None, checkpoint_every: float = CHECKPOINT_SECONDS,
          sources: Sequence[int] | None = None) -> TrainResult:
    """Fine-tune and return the model of the best dev epoch (the last epoch when there is no dev, or
    with ``keep_last``: soup ingredients must all come from the same point of the schedule).

    With ``config.teacher`` the loss mixes the gold label with the teacher's softened scores;
    ``transfer_items`` (unlabelled) join the training items with the teacher's scores and argmax
    label; ``teacher_cache`` is a folder that keeps the teacher's logits between runs on the same items.
    ``soft_targets`` gives those teacher logits directly (rows: training items, then transfer items;
    columns in label order), e.g. from cross-fitted teachers (research/crossfit.py); a row of NaN marks a
    training item without a teacher, which learns from its gold label alone (distill.mixed_loss).
    With ``checkpoint`` (a file) the loop's state is saved there on Ctrl-C or a kill (SIGTERM or SIGHUP, where the CLI
    turns it into an interrupt) and every ``checkpoint_every`` seconds (between
    batches or at an epoch's end) and when training ends, and a rerun resumes from it to the same weights
    (classifier/models/checkpoint.py); removing it once the model is saved is the caller's part.
    ``sources`` gives each training item's file (0, 1, ...): with ``config.sampling_alpha`` and
    ``config.file_weights`` an epoch draws a mixture of the files, and ``config.unmarked_share`` shows
    items with marked mentions as target text only that often (classifier/models/sampling.py).
    """
    check_config(config)  # before torch loads: a learning rate of 0 is refused as the CLI refuses it
    import torch
    from transformers import get_linear_schedule_with_warmup

    from classifier.models.distill import distillation_loss, distillation_set, mixed_loss, teacher_labelled

    started = time.time()
    device = resolve_device(config.device)
    stance = seeded_start(config)
    soft = None
    if transfer_items and not (config.teacher or soft_targets is not None):
        raise ValueError("transfer items need a teacher to label them")
    if soft_targets is not None:
        if len(soft_targets) != len(train_items) + len(transfer_items):
            raise ValueError(f"{len(soft_targets)} rows of soft targets for "
                             f"{numeral(len(train_items) + len(transfer_items))} training and transfer items")
        if np.isnan(np.asarray(soft_targets[len(train_items):], dtype=np.float32)).any():
            raise ValueError("every transfer item needs teacher logits (a NaN row is only for a labelled item)")
        train_items = [*train_items, *teacher_labelled(transfer_items, soft_targets[len(train_items):], stance.labels)]
        soft = torch.tensor(np.asarray(soft_targets), dtype=torch.float32)
    elif config.teacher:  # scored in eval mode: no random numbers drawn
        with model_calls(config.teacher, "score the training items as the teacher"):
            train_items, logits = distillation_set(config.teacher, train_items, transfer_items, labels=stance.labels,
                                                   cache_dir=teacher_cache, trust_remote_code=config.trust_remote_code)
        soft = torch.tensor(logits, dtype=torch.float32)
        unlabelled = f" ({numeral(len(transfer_items))} of them unlabelled)" if transfer_items else ""
        log(f"teacher {config.teacher} scored {counted(len(train_items), 'training item')}{unlabelled} "
            f"in {time.time() - started:.0f} s")
    sources = list(sources) if sources is not None else [0] * len(train_items)
    if len(sources) > len(train_items):
        raise ValueError(f"{len(sources)} file indices for {len(train_items)} training items")
    sources += [max(sources, default=-1) + 1] * (len(train_items) - len(sources))  # teacher-labelled transfer items
    n_examples = len(train_items)
    marked = [i for i, item in enumerate(train_items) if item.spans] if config.unmarked_share > 0 else []
    views = {i: n_examples + k for k, i in enumerate(marked)}
    train_items = [*train_items, *(train_items[i].model_copy(update={"spans": []}) for i in marked)]
    if soft is not None and marked:
        soft = torch.cat([soft, soft[marked]])
    sampler = EpochSampler(sources, alpha=config.sampling_alpha, weights=config.file_weights, views=views,
                           unmarked_share=config.unmarked_share)
    if not sampler.plain:
        shares = ", ".join(f"file {f + 1}: {numeral(c)} of {numeral(len(m))}"
                           for f, (c, m) in enumerate(zip(sampler.counts, sampler.members)))
        log(f"each epoch draws {counted(n_examples, 'example')} ({shares})")
    label_ids = [stance.labels.index(item.label) for item in train_items]
    ids, truncated = stance.encode(train_items)
    if truncated:
        log(f"{counted(truncated, 'training text')} {'was' if truncated == 1 else 'were'} longer than "
            f"{config.max_length} tokens: kept a window on the mention")
    weights = class_weights(label_ids, len(stance.labels), config.class_weighting)
    loss_fn = torch.nn.CrossEntropyLoss(
        weight=None if weights is None else torch.tensor(weights, dtype=torch.float32, device=device),
        label_smoothing=config.label_smoothing)
    partly_taught = soft is not None and bool(torch.isnan(soft).any())
    if partly_taught and weights is not None:
        raise ValueError("class weighting with teachers for only some files is not supported: "
                         "use --class-weighting none")
    row_loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=config.label_smoothing, reduction="none")
    model = stance.model.to(device)
    if soft is not None:
        soft = soft.to(device)
    optimizer = torch.optim.AdamW(parameter_groups(model, config), lr=config.learning_rate)
    steps_per_epoch = -(-n_examples // config.batch_size)
    total = steps_per_epoch * config.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total), total)
    ema = weight_average(model, config.ema_decay)
    rng = random.Random(config.seed)
    lengths = [len(x.input_ids) for x in ids]
    result = TrainResult(model=stance)
    bf16 = device.type == "cuda" or (config.cpu_bf16 and native_cpu_bf16(log))
    last_epoch = min(config.epochs, config.stop_after or config.epochs)
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler, "ema": ema}
    key = checkpoint_key(config, ids, [*label_ids, -1, *sources], soft) if checkpoint else None
    loop = {"epoch": 1, "batches": None, "next_batch": 0, "running": 0.0, "step": 0, "history": [],
            "best_state": None, "best_score": -1.0, "best_epoch": 0, "seconds": 0.0, "done": False}
    if checkpoint:
        saved = load_checkpoint(checkpoint, key, parts)
        if saved is not None:
            loop = saved
            rng.setstate(loop.pop("python_rng"))
            log(f"resumed from {checkpoint}: epoch {loop['epoch']}, batch {loop['next_batch']} "
                f"({loop['seconds']:.0f} s trained before)")
            loop.setdefault("resumed", []).append(f"epoch {loop['epoch']}, batch {loop['next_batch']}")
    result.history, result.resumed = loop["history"], loop.setdefault("resumed", [])
    started -= loop["seconds"]
    saved_at = time.time()

    def save(**changes) -> None:
        nonlocal saved_at
        loop.update(changes, seconds=time.time() - started)
        save_checkpoint(checkpoint, key, parts, {**loop, "python_rng": rng.getstate()})
        saved_at = time.time()

    try:
        while not loop["done"] and loop["epoch"] <= last_epoch:
            epoch = loop["epoch"]
            model.train()
            if loop["batches"] is None:
                loop.update(batches=length_bucketed_batches(lengths, config.batch_size, rng, sampler.draw(rng)),
                            next_batch=0, running=0.0)
            batches = loop["batches"]
            for b in range(loop["next_batch"], len(batches)):
                batch = batches[b]
                # a kill lands between steps, where the loop's state is whole; what the model raises (a CUDA error,
                # out of memory) goes on, marked as the model's, with no checkpoint saved of a step cut half way
                with signals_held(), model_calls(config.base, "train"):
                    padded = pad_batch([ids[i] for i in batch], stance.tokenizer.pad_token_id)
                    inputs = {k: v.to(device) for k, v in padded.items()}
                    targets = torch.tensor([label_ids[i] for i in batch], dtype=torch.long, device=device)
                    with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=bf16):
                        output = model(**inputs)
                    logits = output.logits.float()
                    if partly_taught:  # items of files without a teacher learn from their gold label alone
                        loss = mixed_loss(row_loss_fn(logits, targets), logits, soft[batch], config.distill_weight,
                                          config.distill_temperature)
                    else:
                        loss = loss_fn(logits, targets)
                        if soft is not None:
                            loss = (1 - config.distill_weight) * loss + config.distill_weight * distillation_loss(
                                logits, soft[batch], config.distill_temperature)
                    if "cls_logits" in output:  # keep the plain [CLS] head a working classifier on its own
                        loss = loss + config.cls_loss_weight * loss_fn(output["cls_logits"].float(), targets)
                    if not torch.isfinite(loss):  # diverged: every later step, and the saved weights, would be NaN
                        from classifier.errors import InputError, option

                        raise InputError(f"training diverged: the loss is {float(loss.detach())} at step "
                                         f"{loop['step'] + 1} (epoch {epoch}); lower {option('lr', flag='--lr')} "
                                         f"(it is {config.learning_rate:g}); nothing was saved")
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                    if ema is not None:
                        ema.update_parameters(model)
                    loop["running"] += float(loss.detach())
                    loop["step"] += 1
                    loop["next_batch"] = b + 1
                if on_step:
                    on_step(loop["step"], total)
                if checkpoint and b + 1 < len(batches) and time.time() - saved_at >= checkpoint_every:
                    save()  # the step above moved loop["next_batch"] on
            record = {"epoch": epoch, "train_loss": loop["running"] / len(batches),
                      "seconds": round(time.time() - started, 1)}
            kept = model if ema is None else ema.module  # the weights this epoch would hand back
            if dev_items:
                with model_calls(config.base, "score the dev items while it trained"):
                    if ema is not None:  # the raw weights' figure too, to see what the average bought
                        record["dev_macro_f1_raw_weights"] = evaluate_f1(stance, dev_items)["macro_f1"]
                    stance.model = kept
                    record.update({f"dev_{k}": v for k, v in evaluate_f1(stance, dev_items).items()})
                    stance.model = model
                if record["dev_macro_f1"] > loop["best_score"] and not keep_last:
                    loop["best_score"], loop["best_epoch"] = record["dev_macro_f1"], epoch
                    loop["best_state"] = copy.deepcopy(kept.state_dict())
            loop["history"].append(record)
            log(epoch_line(record))
            stop = epoch >= last_epoch
            if dev_items and config.patience and not keep_last and epoch - loop["best_epoch"] >= config.patience:
                log(f"early stop: no better dev macro-F1 for {counted(config.patience, 'epoch')} "
                    f"(best epoch {loop['best_epoch']})")
                stop = True
            loop.update(epoch=epoch + 1, batches=None, next_batch=0, done=stop)
            if checkpoint and (stop or time.time() - saved_at >= checkpoint_every):  # the end is always kept
                save()
    except KeyboardInterrupt:  # Ctrl-C or a kill (a scheduler's time limit): keep what was trained so far
        if checkpoint:
            save()
            log(f"checkpoint saved to {checkpoint}: the same command resumes at epoch {loop['epoch']}, batch "
                f"{loop['next_batch']}")
        raise
    best_state, result.best_epoch = loop["best_state"], loop["best_epoch"]
    if best_state is not None:
        model.load_state_dict(best_state)
    else:
        result.best_epoch = len(result.history)
        if ema is not None:
            model.load_state_dict(ema.module.state_dict())
    model.eval()
    result.seconds = time.time() - started
    return result


_NO_WEIGHT_DECAY = ("bias", "LayerNorm.weight", "layer_norm.weight")
_LAYER_INDEX = re.compile(r"\.layers?\.(\d+)\.")


def parameter_groups(model, config: TrainConfig) -> list[dict]:
    """AdamW groups: no weight decay on biases and norms; with ``layer_lr_decay`` d < 1, encoder layer i
    of L learns at lr * d**(L - i), the embeddings at lr * d**(L + 1), the head and pooler at lr."""
    decay = config.layer_lr_decay
    if not 0 < decay <= 1:
        raise ValueError(f"layer_lr_decay must be in (0, 1]; got {decay}")
    n_layers = getattr(model.config, "num_hidden_layers", 0)
    groups: dict[tuple[float, float], list] = {}
    for name, param in model.named_parameters():
        depth = _LAYER_INDEX.search(name)
        if decay == 1 or (depth is None and "embeddings" not in name):
            scale = 1.0
        else:
            scale = decay ** (n_layers - int(depth.group(1)) if depth else n_layers + 1)
        weight_decay = 0.0 if any(k in name for k in _NO_WEIGHT_DECAY) else config.weight_decay
        groups.setdefault((scale, weight_decay), []).append(param)
    return [{"params": params, "lr": config.learning_rate * scale, "weight_decay": weight_decay}
            for (scale, weight_decay), params in groups.items()]


def native_cpu_bf16(log: Callable[[str], None]) -> bool:
    """Whether bf16 autocast pays on this CPU (oneDNN's bf16 kernels need AVX512 or AMX). Elsewhere it
    is emulated: on an AVX2-only EPYC a bf16 linear layer ran 15 times slower than in fp32, so training
    stays in fp32 and says so."""
    import torch

    native = native_bf16_kernels()
    if not native:
        log(f"cpu_bf16 asked for, but this CPU ({torch.backends.cpu.get_cpu_capability()}) has no native bf16 "
            "kernels (AVX512 or AMX): training in fp32")
    return native


def native_bf16_kernels() -> bool:
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def weight_average(model, decay: float):
    """An exponential moving average of ``model``'s weights (torch's AveragedModel), or None for decay 0."""
    if not decay:
        return None
    if not 0.0 < decay < 1.0:
        raise ValueError(f"ema_decay must be in (0, 1) or 0 for none; got {decay}")
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    return AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(decay))


def split_by_article(items: Sequence[Item], dev_fraction: float, seed: int) -> tuple[list[Item], list[Item]]:
    """Hold out whole articles (items without an article count as their own), never mixing them."""
    import hashlib

    def bucket(item: Item) -> float:
        key = f"{seed}:{item.article or item.id}".encode()
        return int(hashlib.sha256(key).hexdigest()[:8], 16) / 0xFFFFFFFF

    train_part = [it for it in items if bucket(it) >= dev_fraction]
    dev_part = [it for it in items if bucket(it) < dev_fraction]
    return train_part, dev_part


# -- retraining on a few hundred labels ----------------------------------------------------------
def is_stance_model(base: str | None) -> bool:
    """True when ``base`` is one of our saved stance models (continue it) rather than an encoder."""
    from classifier.models.stance_model import STANCE_FILE

    return bool(base) and Path(base, STANCE_FILE).exists()


def small_data_config(base: str | None, **overrides) -> TrainConfig:
    """Defaults for 50-500 labels: continue a stance model (keeping its input format) at 1e-4.

    Measured by scripts/seed_cv.py (leave-one-article-out on the 130 seed labels, 5 epochs, seeds
    13-15, pooled macro-F1; bench/results/seed_cv.json) with the previous default (the soup): as it
    is 0.611; continued at 2e-5 0.604, 5e-5 0.654, 1e-4 0.690. Earlier single-seed runs
    (seed_cv_strategies.json): a fresh head on MiniLM 0.26, SetFit-style MiniLM + logistic
    regression 0.55. Five articles, one annotator, no difference significant by paired bootstrap:
    the ranking is a hint, not proof.
    Early stopping on the dev split picks the epoch, so ``epochs`` is a ceiling.
    """
    from classifier.models.stance_model import read_settings

    continuing = is_stance_model(base)
    config = TrainConfig(base=base, learning_rate=1e-4, epochs=8, batch_size=16, warmup_ratio=0.1, patience=3)
    if continuing:  # the model keeps its own input format and window
        settings = read_settings(Path(base))
        config.input_format = settings.get("input_format", config.input_format)
        config.max_length = int(settings.get("max_length", config.max_length))
        config.pooling = settings.get("pooling", config.pooling)
    for name, value in overrides.items():
        if value is not None:
            setattr(config, name, value)
    return config


SMALL_LABEL_SET = 500  # below this many labels, train on all of them: no dev split


def small_data_schedule(n_labels: int, dev_fraction: float | None = None,
                        epochs: int | None = None) -> tuple[float, int]:
    """(dev fraction, most epochs) for ``n_labels`` labelled items, where the caller left them open.

    Measured by scripts/bench_learning_curve.py from models/default (bench/results/learning_curve_*.json,
    3 seeds): with 25 to 200 labels, training on all of them for 5 epochs beat holding 20% of the articles out
    for early stopping in 6 of 7 cells (BASIL's new events +0.6 to +2.1 points; the seed articles +3.8 and
    +4.0 with 50 and all labels, -1.3 with 25): a dev split of a few articles costs labels and picks the
    epoch by noise. From ``SMALL_LABEL_SET`` labels a 20% dev split and early stopping (up to 8 epochs).
    """
    if dev_fraction is None:
        dev_fraction = 0.0 if n_labels < SMALL_LABEL_SET else 0.2
    if epochs is None:
        epochs = 5 if dev_fraction == 0 else 8
    return dev_fraction, epochs


def take_test_split(items: Sequence[Item], test_items: Sequence[Item] | None, test_fraction: float,
                 seed: int) -> tuple[list[Item], list[Item], int]:
    """(left, test, dropped): the test split (``test_items``, or ``test_fraction`` of the articles) and the training
    items left beside it; those from test articles, with a test item's id, or with its sentence and actor are
    dropped and counted (from a held-out article only its sentences found elsewhere count: its own are the test)."""
    if test_items:
        test = list(test_items)
        test_articles = {it.article for it in test if it.article}
        test_ids = {it.id for it in test}
        rest = [it for it in items if it.id not in test_ids and (it.article is None or it.article not in test_articles)]
    else:
        rest, test = split_articles(items, test_fraction, seed)
    test_sentences = {sentence_key(it) for it in test}  # the same sentence and actor under another id or article
    left = [it for it in rest if sentence_key(it) not in test_sentences]
    return left, test, (len(items) - len(left) if test_items else len(rest) - len(left))


def labels_left_to_train(items: Sequence[Item], test_items: Sequence[Item] | None, test_fraction: float,
                         seed: int) -> int:
    """How many labels train (with a dev split carved from them, or not) once the test split has taken its items:
    what ``small_data_schedule`` compares with ``SMALL_LABEL_SET``. It was handed the labels read, so 600 labels of
    which --test took 300 got a dev split that 300 labels would not."""
    return len(take_test_split(items, test_items, test_fraction, seed)[0])


def check_held_out_share(tested: bool, test_fraction: float) -> None:
    """Without test items (``tested``), a ``test_fraction`` of 0 holds out nothing to compare the models on: refused
    in one line naming the option (the parameter from Python), by ``classifier.train_model`` before torch loads and by
    ``holdout_split`` for ``retrain``'s callers."""
    from classifier.errors import InputError, option

    if not tested and test_fraction <= 0:
        raise InputError(f"{option('test_fraction')} 0 holds out no article, so there is nothing to compare the "
                         f"models on: pass a fraction above 0, or {option('test')} LABELS")


def holdout_split(items: Sequence[Item], test_items: Sequence[Item] | None, test_fraction: float,
                  dev_fraction: float, seed: int) -> tuple[list[Item], list[Item], list[Item], int, int]:
    """(train, dev, test, dropped for test, dropped for dev): whole articles per split; training items from test
    articles, with a test item's id, or with its sentence and actor are dropped (``take_test_split``). The same sentence
    and actor in two articles (a wire story two outlets ran) would sit on both sides of a split by article: a
    training item whose sentence and actor are in a dev article is dropped too. The two counts are kept apart, as
    their reasons differ (``left_out_reason``, ``LEFT_OUT_FOR_DEV``); no item is in both."""
    left, test, dropped = take_test_split(items, test_items, test_fraction, seed)
    train_part, dev_part = split_articles(left, dev_fraction, seed + 1)
    dev_sentences = {sentence_key(it) for it in dev_part}
    trained = [it for it in train_part if sentence_key(it) not in dev_sentences]
    return trained, dev_part, test, dropped, len(train_part) - len(trained)


def left_out_reason(tested: bool) -> str:
    """Why ``holdout_split`` left out the training items it counts as dropped for the test split: with a --test
    file, their article, id or sentence and actor is in it; without one, their sentence and actor is also in a test
    article. One wording for the line before training, the warning and the model card."""
    return ("their articles, ids or sentences (with the same actor) are in --test" if tested else
            "their sentence, with the same actor, is also in a test article (a story two articles share)")


# why the training items ``holdout_split`` counts as dropped for the dev split were left out (with --test or without)
LEFT_OUT_FOR_DEV = "their sentence, with the same actor, is also in a dev article (a story two articles share)"


def set_aside(split: dict, tested: bool) -> list[tuple[int, str]]:
    """Each group of training items ``retrain``'s split set aside, with its reason: (count, reason), none empty."""
    groups = [(split.get("left_out_for_test", 0), left_out_reason(tested)),
              (split.get("left_out_for_dev", 0), LEFT_OUT_FOR_DEV)]
    return [(n, reason) for n, reason in groups if n]


def sentence_key(item: Item) -> tuple[str, str]:
    """An item's sentence and actor, compared with case and spacing ignored."""
    return " ".join(item.text.split()).casefold(), (item.actor or "").strip().casefold()


def split_articles(items: Sequence[Item], fraction: float, seed: int) -> tuple[list[Item], list[Item]]:
    """Like ``split_by_article`` but holds out exactly round(fraction x articles) articles (at least one
    when there are two or more), so a few articles still split as asked."""
    articles = article_order(items, seed)
    count = min(len(articles) - 1, max(1, round(fraction * len(articles)))) if fraction > 0 else 0
    held = set(articles[:max(count, 0)])
    return ([it for it in items if (it.article or it.id) not in held],
            [it for it in items if (it.article or it.id) in held])


def predicted_labels(stance: StanceModel, items: Sequence[Item]) -> list[str]:
    stance.model.eval()
    probs = stance.predict_proba(items, batch_size=128)
    return [stance.labels[i] for i in probs.argmax(axis=1)]


@dataclass
class RetrainResult:
    result: TrainResult
    config: TrainConfig
    split: dict
    predictions: dict                  # model name -> predicted labels on ``test``
    test: list[Item] = field(default_factory=list)
    trained: list[Item] = field(default_factory=list)  # the train and dev splits: what the model saw (not ``test``)


def retrain(items: Sequence[Item], config: TrainConfig, *, test_items: Sequence[Item] | None = None,
            test_fraction: float = 0.2, dev_fraction: float = 0.2, reference: str | None = None,
            log: Callable[[str], None] = print, checkpoint: str | Path | None = None,
            source_of: dict[str, int] | None = None, warn: Callable[[str], None] | None = None,
            on_step: Callable[[int, int], None] | None = None,
            announce: Callable[[dict], None] | None = None,
            on_scoring: Callable[[], None] | None = None) -> RetrainResult:
    """Split by article, fine-tune with early stopping, predict the test split with the new model and
    with ``reference`` (the starting stance model), so both are scored on the same held-out items.
    ``checkpoint``: where the training loop keeps its state, so a rerun after a kill resumes (``train``).
    ``source_of``: item id -> index of the file it came from, for a mixture of files (``train``'s ``sources``).
    ``warn``: told, before training, how many training items the test items left out. ``on_step(step, total)``:
    told after each training step (a progress bar). ``announce(split)``: told the split (the counts of the model
    card's split) before training, in place of the log line and the warning of the items left out, for a caller
    that says both in its own words. ``on_scoring()``: told when training has ended and the held-out items are
    about to be scored (early stopping ends it before the last step ``on_step`` counts to). The new model is scored
    with its weights rounded to half precision, as ``save`` writes them: the figures are those of the saved model."""
    from classifier.errors import InputError, option

    check_config(config)  # before the split's warnings (train checks it too, for its other callers)
    train_part, dev_part, test, for_test, for_dev = holdout_split(items, test_items, test_fraction, dev_fraction,
                                                                  config.seed)
    if for_test and warn is not None and announce is None:
        warn(f"{counted(for_test, 'training item')} left out: {left_out_reason(bool(test_items))}" + (
            "" if test_items else "; the held-out figures would otherwise score sentences the model was trained on"))
    if for_dev and warn is not None and announce is None:
        warn(f"{counted(for_dev, 'training item')} left out: {LEFT_OUT_FOR_DEV}")
    articleless = sum(it.article is None for it in items)
    if articleless and warn is not None:
        have = "has" if articleless == 1 else "have"
        warn(f"{numeral(articleless)} of {numeral(len(items))} labelled items {have} no 'article': each is held out on "
             "its own, so sentences of one article can sit in training and in the held-out items (give each item its "
             "article)")
    if not test:
        check_held_out_share(test_items is not None, test_fraction)
        raise InputError(f"no held-out test items: label items from two or more articles, or pass {option('test')} "
                         "LABELS")
    if len(train_part) < 2:
        raise InputError(f"only {counted(len(train_part), 'training item')} after holding out the "
                         f"{'test and dev' if dev_part else 'test'} articles"
                         + "".join(f" ({numeral(n)} more left out, as {reason})"
                                   for n, reason in set_aside({"left_out_for_test": for_test,
                                                               "left_out_for_dev": for_dev}, bool(test_items)))
                         + "; label more articles"
                         + (f" or lower {option('dev_fraction')}" if dev_part else ""))
    classes = {item.label for item in train_part}
    if len(classes) < 2:  # the held-out articles took every other class: the model would learn one answer
        held = "test and dev articles" if dev_part else "test articles"
        advice = ("label more articles of the other classes" +
                  (f", or pass another {option('test')}" if test_items is not None else
                   f", change {option('seed')}, or pass {option('test')} LABELS"))
        raise InputError(f"after holding out the {held}, every training item is labelled {next(iter(classes))!r}; "
                         f"{advice}")
    split = {"train": len(train_part), "dev": len(dev_part), "test": len(test), "left_out_for_test": for_test,
             "left_out_for_dev": for_dev,
             "train_articles": len({it.article or it.id for it in train_part}),
             "dev_articles": len({it.article or it.id for it in dev_part}),
             "test_articles": len({it.article or it.id for it in test}),
             "train_labels": dict(Counter(it.label for it in train_part))}
    if announce is not None:
        announce(split)
    else:
        log(f"train {counted(split['train'], 'item')} ({counted(split['train_articles'], 'article')}), dev "
            f"{numeral(split['dev'])} ({numeral(split['dev_articles'])}), test {numeral(split['test'])} "
            f"({numeral(split['test_articles'])}); no article in two splits")
    sources = [source_of.get(it.id, 0) for it in train_part] if source_of else None
    result = train(train_part, dev_part or None, config, log=log, checkpoint=checkpoint, sources=sources,
                   on_step=on_step)
    if on_scoring is not None:
        on_scoring()
    result.model.model.half().float()  # the weights as saved (half precision): one rounding can flip a verdict
    with model_calls(config.base, "score the held-out items once trained"):  # marked: the CLI's one line
        predictions = {"new": predicted_labels(result.model, test)}
    if reference:
        with model_calls(reference, "score the held-out items"):
            predictions["reference"] = predicted_labels(StanceModel.load(reference), test)
    return RetrainResult(result, config, split, predictions, list(test), [*train_part, *dev_part])
