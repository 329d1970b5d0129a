"""Mention pooling: a second head that reads the tokens of the actor's marked mentions, not only [CLS].

``MentionPooledClassifier`` wraps a standard Hugging Face sequence classifier. Its logits are the
classifier's own [CLS] logits plus a linear read-out of the mean last-layer state over the marked
mentions (the ``<t>`` and ``</t>`` markers and every token between them). An item with no marked
mention (``spans: []``) gets the [CLS] logits alone.

The wrapped classifier is saved as the ordinary directory, so ``AutoModelForSequenceClassification``
still loads it and predicts from [CLS] (training adds a loss on the [CLS] logits alone so that this
stays a working classifier); the mention head is one small extra safetensors file beside it.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers.modeling_outputs import SequenceClassifierOutput

from classifier.models.inputs import MARK_CLOSE, MARK_OPEN, MENTION_HEAD_FILE
POOLINGS = ("cls", "mention")


def mention_mask(input_ids: torch.Tensor, open_id: int, close_id: int) -> torch.Tensor:
    """1.0 on the markers and the tokens between them, 0.0 elsewhere (batch x length)."""
    opens = (input_ids == open_id).long().cumsum(dim=1)
    closes = (input_ids == close_id).long()
    inside = opens - closes.cumsum(dim=1) + closes
    return (inside > 0).float()


class MentionPooledClassifier(torch.nn.Module):
    """[CLS] logits + linear(mean of the mention tokens' last hidden states)."""

    def __init__(self, classifier, open_id: int, close_id: int, dropout: float = 0.1):
        super().__init__()
        self.sequence_classifier = classifier
        self.open_id, self.close_id = int(open_id), int(close_id)
        hidden = classifier.config.hidden_size
        self.dropout = torch.nn.Dropout(dropout)
        self.mention_head = torch.nn.Linear(hidden, classifier.config.num_labels)
        torch.nn.init.zeros_(self.mention_head.weight)  # starts as the plain [CLS] classifier
        torch.nn.init.zeros_(self.mention_head.bias)

    @property
    def config(self):
        return self.sequence_classifier.config

    @classmethod
    def for_tokenizer(cls, classifier, tokenizer) -> "MentionPooledClassifier":
        return cls(classifier, tokenizer.convert_tokens_to_ids(MARK_OPEN), tokenizer.convert_tokens_to_ids(MARK_CLOSE))

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, **kwargs) -> SequenceClassifierOutput:
        out = self.sequence_classifier(input_ids=input_ids, attention_mask=attention_mask,
                                       token_type_ids=token_type_ids, output_hidden_states=True, **kwargs)
        last = out.hidden_states[-1]
        mask = mention_mask(input_ids, self.open_id, self.close_id)
        if attention_mask is not None:
            mask = mask * attention_mask.to(mask.dtype)
        count = mask.sum(dim=1, keepdim=True)
        pooled = (last * mask.unsqueeze(-1).to(last.dtype)).sum(dim=1) / count.clamp(min=1.0).to(last.dtype)
        extra = self.mention_head(self.dropout(pooled)) * (count > 0).to(last.dtype)
        result = SequenceClassifierOutput(logits=out.logits + extra)
        result["cls_logits"] = out.logits
        return result

    # -- files ---------------------------------------------------------------------------------
    def save_head(self, directory: Path) -> None:
        from safetensors.torch import save_file

        state = {k: v.detach().contiguous() for k, v in self.mention_head.state_dict().items()}
        save_file(state, str(Path(directory) / MENTION_HEAD_FILE))

    def load_head(self, directory: Path) -> None:
        from safetensors.torch import load_file

        self.mention_head.load_state_dict(load_file(str(Path(directory) / MENTION_HEAD_FILE)))
