"""A local NLI cross-encoder (QA_NLI_MODEL): does a premise entail a hypothesis?

    nli = nli_scorer("/models/nli-deberta-v3-small")   # checked now, loaded on first use
    nli.entailment("The attack killed 30 people.", "At least 30 people died.")   # 0.97
    nli.probabilities([(premise, hypothesis), ...])   # [{"entailment": .., "contradiction": .., ...}]

Any sentence-transformers `CrossEncoder` folder with a 3-way NLI head works (e.g. a downloaded
cross-encoder/nli-deberta-v3-small): its labels must include entailment and contradiction, and are
read from the folder's config.json (id2label), so the label order is the model's own. Nothing is
downloaded. sentence-transformers is imported on first use only (the import is slow).
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa.errors import QAError

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ENTAILMENT = "entailment"
CONTRADICTION = "contradiction"
_CACHE_SIZE = 8192


class EntailmentScorer(Protocol):
    """What the SupportJudge needs of an NLI model (tests pass a stub)."""

    name: str

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Per (premise, hypothesis): each label, lower-cased, with its probability."""
        ...


def nli_labels(path: str | Path) -> list[str]:
    """The model's labels in its output order, lower-cased; a QAError when the folder is not a
    local NLI model (missing, no config.json, or labels without entailment and contradiction)."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise QAError(
            f"NLI model not found: {path}. Give the path of a local sentence-transformers CrossEncoder "
            "NLI model folder (e.g. a downloaded cross-encoder/nli-deberta-v3-small); nothing is downloaded."
        )
    config = folder / "config.json"
    if not config.is_file():
        raise QAError(f"{folder} is not an NLI model: it has no config.json (not a transformers model).")
    try:
        id2label = json.loads(config.read_text()).get("id2label") or {}
        labels = [str(id2label[key]).strip().lower() for key in sorted(id2label, key=int)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise QAError(
            f"{folder} is not an NLI model: cannot read the labels (id2label) of {config}: {exc}"
        ) from None
    if ENTAILMENT not in labels or CONTRADICTION not in labels:
        shown = f"its labels are {', '.join(labels)}" if labels else "its config.json names no labels"
        raise QAError(
            f"{folder} is not an NLI model: {shown}; an NLI cross-encoder's (id2label) include "
            "entailment and contradiction."
        )
    return labels


class CrossEncoderNLI:
    """An NLI cross-encoder from a local folder, loaded on first use; recent pairs are cached."""

    def __init__(self, path: str | Path, batch_size: int = 16) -> None:
        self.path = Path(path).expanduser()
        self.labels = nli_labels(self.path)
        self.name = self.path.resolve().name
        self.batch_size = batch_size
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        from sentence_transformers import CrossEncoder  # noqa: PLC0415  (slow import)

        from qa.embeddings import quiet_transformers  # noqa: PLC0415

        quiet_transformers()
        try:
            model = CrossEncoder(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # any loader failure is a bad model folder for the user
            raise QAError(f"Cannot load the NLI model at {self.path}: {exc}") from exc
        id2label = getattr(getattr(model, "config", None), "id2label", None) or {}
        loaded = [str(id2label[i]).strip().lower() for i in sorted(id2label)] if id2label else self.labels
        if loaded != self.labels or model.num_labels != len(self.labels):
            raise QAError(
                f"Cannot use the NLI model at {self.path}: it outputs {model.num_labels} scores, "
                f"its config.json names {len(self.labels)} labels ({', '.join(self.labels)})."
            )
        return model

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """Softmax over the model's labels for each (premise, hypothesis), in one batched call."""
        pairs = [(str(p), str(h)) for p, h in pairs]
        found: dict[tuple[str, str], dict[str, float]] = {}
        with self._cache_lock:
            for pair in dict.fromkeys(pairs):
                if pair in self._cache:
                    self._cache.move_to_end(pair)
                    found[pair] = self._cache[pair]
        missing = [pair for pair in dict.fromkeys(pairs) if pair not in found]
        if missing:
            import torch  # noqa: PLC0415  (loaded with the model anyway)

            logits = self.model.predict(
                missing,
                batch_size=self.batch_size,
                activation_fn=torch.nn.Identity(),  # raw logits: the softmax is ours, over all labels
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            logits = np.asarray(logits, dtype=np.float64).reshape(len(missing), len(self.labels))
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs = shifted / shifted.sum(axis=1, keepdims=True)
            for pair, row in zip(missing, probs, strict=True):
                found[pair] = {label: float(p) for label, p in zip(self.labels, row, strict=True)}
            with self._cache_lock:
                self._cache.update((pair, found[pair]) for pair in missing)
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        return [found[pair] for pair in pairs]

    def entailment(self, premise: str, hypothesis: str) -> float:
        """P(the premise entails the hypothesis)."""
        return self.probabilities([(premise, hypothesis)])[0][ENTAILMENT]

    def entailments(self, premises: Sequence[str], hypothesis: str) -> list[float]:
        """P(entailment) of the hypothesis by each premise, in one batch."""
        return [p[ENTAILMENT] for p in self.probabilities([(premise, hypothesis) for premise in premises])]


@lru_cache(maxsize=4)
def _scorer(resolved: str) -> CrossEncoderNLI:
    return CrossEncoderNLI(resolved)


def nli_scorer(path: str | Path) -> CrossEncoderNLI:
    """The scorer of the model folder, one per folder per process (`qa eval --compare` builds several
    assistants: they share one loaded model)."""
    nli_labels(path)  # a clear error first, and never a cached one
    return _scorer(str(Path(path).expanduser().resolve()))
