"""Embedding work that survives an interrupted build: vectors checkpointed by a hash of their text.

Usage (from index_store):
    checkpoint = EmbeddingCheckpoint(index_dir, model_signature, dimension)
    todo = checkpoint.restore(texts, rows, matrix)   # fills the rows it holds; returns those still to embed
    checkpoint.save(some_texts, their_vectors)       # one chunk file, written atomically
    checkpoint.clear()                               # once the build is live

While a build embeds, its new vectors are written every few thousand texts as chunk files in
`<index_dir>/.embedding-checkpoint/<model signature>/`, keyed by a hash of the text. Each chunk is
written to a temporary file, flushed to disk and renamed into place, so a chunk is there whole or
not at all. A build that is interrupted (Ctrl-C, a crash, a killed process) leaves them behind; the
next build with the same model reads them back and embeds only what is missing. The live build in
`CURRENT` is never touched. A finished build removes the checkpoint: its vectors are then in the
build itself, which the next build reuses.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

CHECKPOINT_DIR = ".embedding-checkpoint"
KEY_BYTES = 16


def text_key(text: str) -> bytes:
    """The checkpoint key of a text: a 16-byte BLAKE2b hash of its UTF-8 bytes."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_BYTES).digest()


class EmbeddingCheckpoint:
    """The checkpointed vectors of one index folder and one embedding model."""

    def __init__(self, index_dir: Path, model_signature: str, dimension: int) -> None:
        self.root = Path(index_dir).expanduser() / CHECKPOINT_DIR
        self.model_signature = model_signature
        self.directory = self.root / model_signature
        self.dimension = dimension

    def chunks(self) -> list[Path]:
        return sorted(self.directory.glob("chunk-*.npz")) if self.directory.is_dir() else []

    def restore(self, texts: list[str], rows: list[int], matrix: np.ndarray) -> list[int]:
        """Fill `matrix[row]` for every row in `rows` whose text `texts[row]` was checkpointed;
        return the rows still to embed, in order. A chunk that cannot be read is skipped."""
        wanted: dict[bytes, list[int]] = {}
        for row in rows:
            wanted.setdefault(text_key(texts[row]), []).append(row)
        found: set[int] = set()
        for path in self.chunks():
            if not wanted:
                break
            try:
                with np.load(path) as chunk:
                    keys, vectors = chunk["keys"], chunk["vectors"]
            except (OSError, ValueError, KeyError) as exc:
                log.warning("Skipping an unreadable embedding checkpoint %s (%s).", path.name, exc)
                continue
            if (
                vectors.ndim != 2
                or vectors.shape[1] != self.dimension
                or keys.shape != (len(vectors), KEY_BYTES)
            ):
                continue
            for key, vector in zip(map(bytes, keys), vectors, strict=True):
                for row in wanted.pop(key, ()):
                    matrix[row] = vector
                    found.add(row)
        return [row for row in rows if row not in found]

    def save(self, texts: list[str], vectors: np.ndarray) -> None:
        """Write one chunk: the vectors of `texts`, keyed by their hashes (all or nothing)."""
        if not texts:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # uint8 rows, not a bytes dtype: NumPy would strip a hash's trailing zero bytes
        keys = np.frombuffer(b"".join(map(text_key, texts)), dtype=np.uint8).reshape(-1, KEY_BYTES)
        name = f"chunk-{uuid.uuid4().hex}.npz"
        tmp = self.directory / f".{name}.tmp"
        try:
            with tmp.open("wb") as handle:
                np.savez(handle, keys=keys, vectors=np.asarray(vectors, dtype=np.float32))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.directory / name)
        finally:
            tmp.unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove every checkpoint of this index folder (any model): the build they served is done."""
        shutil.rmtree(self.root, ignore_errors=True)
