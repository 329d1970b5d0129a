"""The two things a model scores: stance toward an actor, and a sentence's sentiment.

One table, so that training, prediction, evaluation and the report agree on a task's labels and on the
output fields it writes (``stance`` / ``stance_scores``, ``sentiment`` / ``sentiment_scores``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from classifier.errors import InputError


@dataclass(frozen=True)
class Task:
    name: str
    labels: tuple[str, ...]
    needs_actor: bool          # stance is toward a named target; sentiment is the sentence's own tone
    input_format: str          # how a new model of this task builds its input (classifier/models/inputs.py)

    @property
    def field(self) -> str:
        """The output field of the predicted label (its scores go to ``{field}_scores``)."""
        return self.name

    @property
    def scores_field(self) -> str:
        return f"{self.name}_scores"


STANCE = Task("stance", ("favor", "against", "neutral"), needs_actor=True, input_format="pair")
SENTIMENT = Task("sentiment", ("positive", "negative", "neutral"), needs_actor=False, input_format="sentence")
TASKS = {task.name: task for task in (STANCE, SENTIMENT)}


def get_task(name: str, option: str | None = None) -> Task:
    """The task of that name; an unknown name is a one-line InputError (naming ``option``, as ``--task``, where a
    user typed it)."""
    try:
        return TASKS[name]
    except KeyError:
        where = f"{option} {name}: expected" if option else f"unknown task {name!r}; expected"
        raise InputError(f"{where} one of {', '.join(TASKS)}") from None


def task_of_labels(labels: Iterable[str], where: str = "") -> Task:
    """The task whose label set holds every one of ``labels`` (stance first: 'neutral' alone is stance)."""
    names = {str(label) for label in labels if label is not None}
    for task in TASKS.values():
        if names <= set(task.labels):
            return task
    prefix = f"{where}: " if where else ""
    raise InputError(f"{prefix}labels {sorted(names)} belong to no task: stance uses "
                     f"{'/'.join(STANCE.labels)}, sentiment {'/'.join(SENTIMENT.labels)}")


def other_task(labels: Iterable[str], task: Task, where: str = "") -> Task | None:
    """The task ``labels`` belong to where they do not fit ``task`` (``neutral`` alone fits either), else None;
    labels of no task are an InputError naming ``where``."""
    names = {str(label) for label in labels if label is not None}
    found = task_of_labels(names, where)
    return found if found is not task and not names <= set(task.labels) else None
