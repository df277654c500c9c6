"""One settings object for the whole assistant: environment (QA_*), CLI flags and Python arguments."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "all-MiniLM-L6-v2"
# Bump when the cleaning, splitting or on-disk layout changes: old indexes are rebuilt.
INDEX_FORMAT_VERSION = 6
# Nodes an HNSW search visits, by default (`Settings.hnsw_ef_search`). 128 gave recall@10 0.992 on the
# first 100,000-passage haystack, but 0.945 on the one without copies of the evidence, whose passages
# recombine fewer sentences and sit closer together; 256 gives 0.965 there for ~0.1 ms more per
# search. With the haystack's 111,765 passages embedded for real, 256 found 0.92 of the exact top 10,
# 512 0.947, 640 0.954 at 1.5 ms a search (exact: 6.5 ms), and 640 put retrieve p95 over 50 ms. Set
# on load too: it is not the graph's shape, and a graph saved with another value is searched with
# this one.
HNSW_EF_SEARCH = 256


class Settings(BaseSettings):
    """Every knob of the assistant. Read from `QA_<NAME>` environment variables,
    overridden by CLI flags and by keyword arguments (`Settings(k=8)`)."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="forbid", validate_assignment=True)

    corpus_dir: Path = Field(Path("seeds"), description="Folder of articles (.txt, .md, .html).")
    index_dir: Path = Field(Path("index"), description="Folder where the built index is kept.")
    embedding_model: str = Field(
        BUNDLED_MODEL,
        description=(
            f"Sentence-transformers model: '{BUNDLED_MODEL}' (bundled, offline) "
            "or the path of a local model folder. Nothing is downloaded."
        ),
    )
    embedding_batch_size: int = Field(64, ge=1, description="Passages embedded per batch.")
    passage_sentences: int = Field(4, ge=1, le=50, description="Sentences per passage.")
    passage_overlap: int = Field(2, ge=0, description="Sentences shared by consecutive passages.")
    passage_max_chars: int = Field(
        900, ge=100, description="A passage stops growing once it reaches this many characters."
    )
    vector_store: Literal["faiss", "qdrant"] = Field(
        "faiss",
        description=(
            "Where passage vectors are kept and searched: 'faiss' (files in the index folder) or 'qdrant' "
            "(Qdrant's local mode in the index folder, or the server at qdrant_url). Changing it rebuilds "
            "the index, reusing its embeddings."
        ),
    )
    qdrant_url: str | None = Field(
        None,
        description=(
            "With vector_store 'qdrant': URL of a Qdrant server or cluster (e.g. http://qdrant:6333). None: "
            "qdrant-client's local mode, on disk inside the index folder, no server. Changing it rebuilds."
        ),
    )
    qdrant_api_key: SecretStr | None = Field(
        None, description="API key of the Qdrant server, if it wants one. Never written to the index."
    )
    qdrant_shards: int | None = Field(
        None,
        ge=1,
        description="Shards of each new collection on a Qdrant server. None: the server's default (one per "
        "node in a cluster).",
    )
    qdrant_replicas: int | None = Field(
        None,
        ge=1,
        description="Copies of each shard on a Qdrant server (replication factor). None: the server's "
        "default (1: no second copy).",
    )
    qdrant_collection: str = Field(
        "news_qa",
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="Prefix of Qdrant collection names; each build writes its own (news_qa-build-2025…).",
    )
    vector_index: Literal["auto", "flat", "ivf", "hnsw"] = Field(
        "auto",
        description="FAISS index type: exact search ('flat'), inverted lists ('ivf'), HNSW graph ('hnsw'), "
        "or 'auto': exact below approximate_min_passages passages, IVF from there on. With IVF or HNSW, "
        "sentences are searched approximately too (an IVF index of the distinct sentences). On the "
        "111,765-passage haystack embedded for real, IVF found 0.97 of the exact top 10 passages where "
        "HNSW at the same time per search found 0.93. (Qdrant: local mode is exact, a server indexes "
        "with its own HNSW settings.)",
    )
    approximate_min_passages: int = Field(
        50_000, ge=1, description="Passage count from which 'auto' searches approximately (IVF)."
    )
    ivf_nprobe: int = Field(
        0,
        ge=0,
        description="IVF lists scanned per search (passages and sentences): more finds more of the exact "
        "top, slower. 0: an eighth of the lists, at least 32.",
    )
    hnsw_ef_search: int = Field(
        HNSW_EF_SEARCH,
        ge=16,
        le=4096,
        description="Nodes an HNSW search visits: more finds more of the exact top passages, slower "
        "(111,765 real passages: 256 finds 0.92 of the exact top 10 in 0.7 ms, 640 0.954 in 1.5 ms).",
    )
    k: int = Field(5, ge=1, le=100, description="Passages returned by retrieval and shown with an answer.")
    fetch_k: int = Field(20, ge=1, le=1000, description="Candidates taken from each retriever before fusion.")
    compare_fetch_k: int = Field(
        100,
        ge=1,
        le=1000,
        description=(
            'Candidates taken from each retriever for a question that compares the articles ("How do '
            'the articles differ?"): deeper than fetch_k, so that an article ranking low overall still '
            "gets its best passage, found by searching each article alone, among the first results."
        ),
    )
    rrf_k: int = Field(
        5,
        ge=1,
        description=(
            "Reciprocal rank fusion constant. Cormack et al. use 60; 5 trusts the top of each ranking "
            "more, which scores better on the question set (`qa eval --compare` shows both)."
        ),
    )
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of the dense (embedding) ranking in fusion.")
    bm25_weight: float = Field(2.0, ge=0.0, description="Weight of the BM25 (keyword) ranking in fusion.")
    sentence_weight: float = Field(
        1.0, ge=0.0, description="Weight of the ranking by each passage's best-matching sentence in fusion."
    )
    max_answer_sentences: int = Field(
        2,
        ge=1,
        le=10,
        description=(
            "Most sentences in an extractive answer to a one-part question (a question that asks "
            "several things gets one per part). A second sentence is quoted only when it scores "
            "within 0.15 of the best and adds words of the question (often the quote's speaker): "
            "on the question set, 2 against 1 raises key facts .670 -> .693 and attribution "
            ".75 -> 1.0, citation precision stays 1.0, strict evidence precision drops .685 -> .629."
        ),
    )
    abstain_threshold: float = Field(
        0.30,
        ge=0.0,
        le=1.0,
        description=(
            "Answer confidence below which the assistant says the articles don't answer. "
            "Calibrated on the question set with `qa eval --calibrate`: the middle of the plateau "
            "where abstention recall is highest with over-refusal under 5%."
        ),
    )
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted.")
    llm: str | None = Field(
        None,
        description=(
            "Generative answerer: 'ollama:MODEL', 'openai:MODEL' (any OpenAI-compatible server with "
            "llm_base_url), 'hf:/path/to/model-or-file.gguf' (local transformers), or 'smollm2' "
            "(the small bundled GGUF model). None: the extractive answerer only."
        ),
    )
    llm_base_url: str | None = Field(None, description="Server URL for ollama: or openai: models.")
    llm_api_key: SecretStr | None = Field(
        None, description="API key for openai: models, if the server wants one."
    )
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM call is given up on.")
    llm_max_tokens: int = Field(300, ge=16, le=4096, description="Longest generated answer, in tokens.")
    prompts_dir: Path | None = Field(
        None, description="Folder of your own prompt files (system.md, answer.md); default: the bundled ones."
    )
    unverified: Literal["remove", "mark"] = Field(
        "remove",
        description="What to do with a generated sentence its citations don't support: remove it, or keep it "
        "marked as unverified.",
    )
    on_nothing_verified: Literal["extractive", "abstain"] = Field(
        "extractive",
        description="When no generated sentence survives verification: fall back to the extractive answer, "
        "or abstain.",
    )
    nli_model: str | None = Field(
        None,
        description=(
            "Local folder of a sentence-transformers CrossEncoder NLI model (e.g. a downloaded "
            "cross-encoder/nli-deberta-v3-small; its labels must include entailment and contradiction). "
            "Set: a cited sentence must also be entailed by the cited text, in answer verification and in "
            "the evaluation's citation scores. None: numbers, names, containment and embedding cosine only."
        ),
    )
    nli_min_entailment: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="With nli_model: the entailment probability a cited sentence needs from the NLI model.",
    )
    host: str = Field("127.0.0.1", description="Address the chat UI and HTTP API listen on.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the chat UI and HTTP API.")

    @field_validator("qdrant_url")
    @classmethod
    def _check_qdrant_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"qdrant_url {value!r} must start with http:// or https://")
        return value

    @field_validator("llm")
    @classmethod
    def _check_llm(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        kind, _, name = value.partition(":")
        if value == "smollm2" or (kind in ("ollama", "openai", "hf") and name.strip()):
            return value
        raise ValueError(
            f"unknown LLM {value!r}: use ollama:MODEL, openai:MODEL, hf:/path/to/model (or .gguf) or smollm2"
        )

    @field_validator("nli_model")
    @classmethod
    def _check_nli_model(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        from qa.errors import QAError  # noqa: PLC0415
        from qa.nli import nli_labels  # noqa: PLC0415  (light: the model loads on first use)

        try:
            nli_labels(value.strip())
        except QAError as exc:
            raise ValueError(str(exc)) from None
        return value.strip()

    @model_validator(mode="after")
    def _check_overlap(self) -> Settings:
        if self.passage_overlap >= self.passage_sentences:
            raise ValueError(
                f"passage_overlap ({self.passage_overlap}) must be smaller than "
                f"passage_sentences ({self.passage_sentences})"
            )
        if self.dense_weight == 0 and self.bm25_weight == 0 and self.sentence_weight == 0:
            raise ValueError("dense_weight, bm25_weight and sentence_weight cannot all be 0")
        return self

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields changed (None values are ignored), validated."""
        changes = {key: value for key, value in overrides.items() if value is not None}
        return Settings(**{**self.model_dump(), **changes})

    def index_shape(self) -> dict[str, Any]:
        """What shapes the built index: a change to any of it means a rebuild."""
        return {
            "format_version": INDEX_FORMAT_VERSION,
            "embedding_model": self.embedding_model,
            "passage_sentences": self.passage_sentences,
            "passage_overlap": self.passage_overlap,
            "passage_max_chars": self.passage_max_chars,
            "vector_store": self.vector_store,
            # where the vectors live: the index folder (None) or a server
            "qdrant_url": self.qdrant_url if self.vector_store == "qdrant" else None,
            "vector_index": self.vector_index,
            "approximate_min_passages": self.approximate_min_passages,
        }

    def fingerprint(self) -> str:
        """A short hash of all settings; every Answer records it."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]
