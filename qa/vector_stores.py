"""The passage vector store behind LangChain's VectorStore interface: FAISS (default) or Qdrant.

Usage (from index_store):
    record = store_record(settings, build_name)                               # in the manifest
    write_store(settings, embedder, build_dir, record, texts, vectors, passage_ids)  # while building
    store, count = open_store(settings, embedder, build_dir, record)          # loading; count = vectors held
    drop_store(settings, record)                                              # when the build is removed

Retrieval calls `similarity_search_with_score_by_vector` and reads `metadata["row"]`, which both
backends answer alike; scores are cosine similarities (vectors are unit length), higher is better.
With FAISS it searches the store's FAISS index itself (same results, without LangChain's docstore
lookup per hit, and with a filter's mask), mapping FAISS ids to rows by the store's docstore ids.

- faiss: `<build>/faiss/`, exact or HNSW (`vector_index`).
- qdrant, local mode (no `qdrant_url`): qdrant-client's own on-disk storage in `<build>/qdrant/`,
  searched exactly in this process. qdrant-client locks that folder for one client at a time:
  every index opened in this process shares one client per folder, and a process that finds the
  folder locked by another opens a private copy of it (a finished build is never written again).
- qdrant, server (`qdrant_url`): one collection per build, `<qdrant_collection>-<build id>`,
  written before CURRENT is swapped and deleted with its build folder, so a server keeps the same
  all-or-nothing swap as the folders. Nothing of it is in the build folder except its record.
"""

from __future__ import annotations

import atexit
import logging
import pickle
import shutil
import tempfile
import threading
import uuid
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from qa.embeddings import SentenceTransformerEmbeddings
from qa.errors import QAError
from qa.settings import Settings

log = logging.getLogger(__name__)

FAISS_DIR = "faiss"
QDRANT_DIR = "qdrant"
# Written first into every build folder: what to remove with the build, even one that never finished.
RECORD_FILE = "vector_store.json"
# Not index content: qdrant-client's lock file, left out of the manifest's file hashes.
UNHASHED = {f"{QDRANT_DIR}/.lock"}
_POINT_NAMESPACE = uuid.UUID("8d7f3c1e-5b0a-4f43-9a51-2f6c1d0e9b77")
_UPSERT_BATCH = 256


def passage_point_id(passage_id: str) -> str:
    """The Qdrant point id of a passage: a UUID derived from its (stable) passage id."""
    return str(uuid.uuid5(_POINT_NAMESPACE, passage_id))


def store_record(settings: Settings, build_name: str) -> dict[str, Any]:
    """What the manifest records about a build's vector store (never the API key)."""
    if settings.vector_store == "faiss":
        return {"kind": "faiss"}
    return {
        "kind": "qdrant",
        "url": settings.qdrant_url,
        "collection": f"{settings.qdrant_collection}-{build_name}",
    }


def write_store(
    settings: Settings,
    embedder: SentenceTransformerEmbeddings,
    build_dir: Path,
    record: dict[str, Any],
    texts: list[str],
    vectors: np.ndarray,
    passage_ids: list[str],
    faiss_index: Any = None,
    faiss_rows: np.ndarray | None = None,
) -> None:
    """Write the passage vectors of a build into the store `record` names.

    `faiss_index` replaces FAISS's default exact index; `faiss_rows` is the row of each of its ids
    when they are not the rows in order (a graph grown from the live build's)."""
    if record["kind"] == "faiss":
        _write_faiss(embedder, build_dir, texts, vectors, passage_ids, faiss_index, faiss_rows)
        return
    if record["url"]:
        client = _server_client(settings)
        layout = {"shard_number": settings.qdrant_shards, "replication_factor": settings.qdrant_replicas}
    else:
        client, layout = _new_local_client(build_dir / QDRANT_DIR), {}
    try:  # on failure, build_index removes the build and, with it, the collection (drop_store)
        _fill_collection(client, record["collection"], texts, vectors, passage_ids, layout)
    finally:
        client.close()


def open_store(
    settings: Settings, embedder: SentenceTransformerEmbeddings, build_dir: Path, record: dict[str, Any]
) -> tuple[Any, int]:
    """The LangChain vector store of a build, and how many vectors it holds.

    Raises QAError when a Qdrant server cannot be reached (rebuilding would not help),
    ValueError when the store is not what the build wrote."""
    if record["kind"] == "faiss":
        from langchain_community.vectorstores import FAISS  # noqa: PLC0415

        store = FAISS.load_local(
            str(build_dir / FAISS_DIR),
            embedder,
            # Safe: we wrote this file ourselves and checked its hash against the manifest.
            allow_dangerous_deserialization=True,
        )
        return store, store.index.ntotal
    from langchain_qdrant import QdrantVectorStore  # noqa: PLC0415
    from qdrant_client import models  # noqa: PLC0415

    name = record["collection"]
    if record["url"]:
        client = _server_client(settings)
        try:
            exists = client.collection_exists(name)
        except Exception as exc:
            raise QAError(f"Cannot use the Qdrant server at {record['url']}: {exc}") from exc
    else:
        client = _local_client(build_dir / QDRANT_DIR)
        exists = client.collection_exists(name)
    if not exists:
        raise ValueError(f"the Qdrant collection {name} is missing")
    params = client.get_collection(name).config.params.vectors
    if params.size != embedder.dimension or params.distance != models.Distance.COSINE:
        raise ValueError(
            f"the Qdrant collection {name} holds other vectors ({params.size}, {params.distance})"
        )
    store = QdrantVectorStore(
        client=client,
        collection_name=name,
        embedding=embedder,
        distance=models.Distance.COSINE,
        validate_collection_config=False,  # checked just above, without embedding a test text
    )
    return store, client.count(name, exact=True).count


def drop_store(settings: Settings, record: dict[str, Any]) -> None:
    """Delete what a removed build kept outside its folder: its collection on a Qdrant server."""
    if record.get("kind") != "qdrant" or not record.get("url"):
        return  # FAISS and Qdrant local mode live in the build folder, removed with it
    if record["url"] != settings.qdrant_url:
        log.warning("Not deleting Qdrant collection %s: it is on another server.", record["collection"])
        return
    try:
        client = _server_client(settings, check_version=False)
        _drop_collection(client, record["collection"])
        client.close()
    except Exception as exc:  # best effort: an orphaned collection does not break the index
        log.warning("Could not delete Qdrant collection %s: %s", record["collection"], exc)


def check_reachable(settings: Settings) -> None:
    """Before a long build: a QAError now if the Qdrant server cannot be reached."""
    if settings.vector_store != "qdrant" or not settings.qdrant_url:
        return
    client = _server_client(settings, check_version=False)  # the build's own client checks it
    try:
        client.get_collections()
    except Exception as exc:
        raise QAError(f"Cannot use the Qdrant server at {settings.qdrant_url}: {exc}") from exc
    finally:
        client.close()


def _write_faiss(
    embedder: SentenceTransformerEmbeddings,
    build_dir: Path,
    texts: list[str],
    vectors: np.ndarray,
    passage_ids: list[str],
    faiss_index: Any,
    faiss_rows: np.ndarray | None,
) -> None:
    from langchain_community.vectorstores import FAISS  # noqa: PLC0415
    from langchain_community.vectorstores.utils import DistanceStrategy  # noqa: PLC0415

    rows = range(len(texts)) if faiss_rows is None else faiss_rows.tolist()
    store = FAISS.from_embeddings(
        text_embeddings=[(texts[i], vectors[i].tolist()) for i in rows],
        embedding=embedder,
        metadatas=[{"row": i} for i in rows],
        ids=[passage_ids[i] for i in rows],
        distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT,
    )
    if faiss_index is not None:
        store.index = faiss_index  # the same vectors in the same order, with the same docstore ids
    store.save_local(str(build_dir / FAISS_DIR))


def faiss_passage_ids(build_dir: Path) -> list[str]:
    """The passage id of each FAISS id of a build's FAISS store (LangChain's index_to_docstore_id)."""
    with (build_dir / FAISS_DIR / "index.pkl").open("rb") as handle:
        # Safe: a file this project wrote, in the live build (its hash is in that build's manifest).
        _, ids = pickle.load(handle)
    return [ids[i] for i in range(len(ids))]


def _fill_collection(
    client: Any,
    name: str,
    texts: list[str],
    vectors: np.ndarray,
    passage_ids: list[str],
    layout: dict[str, int | None],
) -> None:
    """A new collection holding every passage vector, with the payload LangChain reads back.

    `layout`: shard_number and replication_factor on a server (None: the server's defaults)."""
    from langchain_qdrant import QdrantVectorStore  # noqa: PLC0415
    from qdrant_client import models  # noqa: PLC0415

    client.create_collection(
        name,
        vectors_config=models.VectorParams(size=vectors.shape[1], distance=models.Distance.COSINE),
        **layout,
    )
    for at in range(0, len(texts), _UPSERT_BATCH):
        rows = range(at, min(at + _UPSERT_BATCH, len(texts)))
        client.upsert(
            name,
            points=models.Batch(
                ids=[passage_point_id(passage_ids[i]) for i in rows],
                vectors=vectors[at : rows.stop].tolist(),
                payloads=[
                    {
                        QdrantVectorStore.CONTENT_KEY: texts[i],
                        QdrantVectorStore.METADATA_KEY: {"row": i, "passage_id": passage_ids[i]},
                    }
                    for i in rows
                ],
            ),
            wait=True,
        )


def _drop_collection(client: Any, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception as exc:
        log.warning("Could not delete Qdrant collection %s: %s", name, exc)


def _server_client(settings: Settings, check_version: bool = True) -> Any:
    """A client of the server; `check_version`: qdrant-client compares its version with the server's
    (in a background thread, warning on a mismatch or when the server does not answer)."""
    from qdrant_client import QdrantClient  # noqa: PLC0415

    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    return QdrantClient(url=settings.qdrant_url, api_key=key, check_compatibility=check_version)


def _new_local_client(path: Path) -> Any:
    from qdrant_client import QdrantClient  # noqa: PLC0415

    return QdrantClient(path=str(path))


# Qdrant local mode: one client per folder in this process, shared by every index opened on it,
# closed (and its lock released) once no index uses it.
_local_clients: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_local_clients_lock = threading.Lock()


@atexit.register
def _close_local_clients() -> None:
    """Close them while the interpreter can still run their close() (it imports portalocker)."""
    for client in list(_local_clients.values()):
        client.close()


def _local_client(path: Path) -> Any:
    if not path.is_dir():
        raise ValueError(f"the Qdrant folder {path} is missing")
    key = str(path.resolve())
    with _local_clients_lock:
        client = _local_clients.get(key)
        if client is None:
            client = _open_local(path)
            _local_clients[key] = client
        return client


def _open_local(path: Path) -> Any:
    """A local-mode client on `path`, or on a private copy of it when another process holds its lock."""
    try:
        return _new_local_client(path)
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise
    # A finished build is only ever read, so a copy of its folder is the same collection.
    snapshot = Path(tempfile.mkdtemp(prefix="qa-qdrant-"))
    try:
        shutil.copytree(path, snapshot / QDRANT_DIR, ignore=shutil.ignore_patterns(".lock"))
        client = _new_local_client(snapshot / QDRANT_DIR)
    except BaseException:
        shutil.rmtree(snapshot, ignore_errors=True)
        raise
    weakref.finalize(client, shutil.rmtree, snapshot, True)
    log.info("%s is open in another process; searching a private copy of it in %s.", path, snapshot)
    return client
