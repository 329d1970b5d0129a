"""Shared fixtures: a tiny random BERT stance model built once per session (offline, seconds)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"


def build_tiny_model(directory: Path, task: str = "stance") -> Path:
    """A 2-layer, 32-wide BERT with the real MiniLM vocabulary, saved as a stance model (with our marker
    tokens) or, with ``task="sentiment"``, as a sentence-sentiment model."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from classifier.models.base import bundled_minilm_dir
    from classifier.models.inputs import add_marker_tokens
    from classifier.models.stance_model import StanceModel
    from classifier.tasks import get_task

    LABELS = get_task(task).labels
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(bundled_minilm_dir())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=512,
                        num_labels=3, id2label=dict(enumerate(LABELS)),
                        label2id={label: i for i, label in enumerate(LABELS)})
    model = BertForSequenceClassification(config)
    if task == "stance":
        add_marker_tokens(tokenizer, model)
    model.eval()
    StanceModel(model, tokenizer, input_format=get_task(task).input_format, max_length=64).save(
        directory, {"name": "tiny", "summary": "random tiny model for tests", "labels": list(LABELS)}, half=False)
    return directory


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory) -> Path:
    """ONNX exports go to a folder of this test session, never to the user's ~/.cache."""
    folder = tmp_path_factory.mktemp("stance-cache")
    os.environ["STANCE_CACHE"] = str(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """Path of a saved tiny stance model (read-only: copy it before changing it)."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny")


@pytest.fixture(scope="session")
def tiny_sentiment_dir(tmp_path_factory) -> Path:
    """Path of a saved tiny sentence-sentiment model (positive / negative / neutral; read-only)."""
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-sentiment", task="sentiment")


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    from classifier.models.stance_model import StanceModel

    return StanceModel.load(tiny_model_dir)


@pytest.fixture
def load_script(monkeypatch):
    """Import ``scripts/<name>.py`` or ``research/<name>.py`` by its name, with both folders on the path, so
    that spawned worker processes can import it too (scripts are not a package)."""
    import importlib

    root = Path(__file__).parents[1]
    monkeypatch.syspath_prepend(str(root / "research"))
    monkeypatch.syspath_prepend(str(root / "scripts"))
    return importlib.import_module
