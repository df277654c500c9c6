"""Query embeddings without sentence-transformers: the model's own BERT weights, run with NumPy.

A query is one short text, yet `import sentence_transformers` (transformers, torch) takes seconds,
more than everything else a cold `qa ask` does. For a model whose whole sentence-transformers
pipeline this module reproduces — a BERT encoder, mean pooling, then normalisation, as in the
bundled all-MiniLM-L6-v2 — it reads the same weights (memory-mapped from `model.safetensors`) and
the same WordPiece vocabulary (`tokenizer.json`, through the `tokenizers` library that transformers
itself wraps) and computes the same unit vector (max abs difference ~2e-7,
tests/test_query_encoder.py). Nothing is exported or cached: it reads the model folder as it is,
so it cannot go stale.

Usage:
    encoder = NumpyBertEncoder.load(model_dir)     # UnsupportedModel for anything else
    vector = encoder.encode("When was Qasem Soleimani killed?")

`load` checks every file that shapes the vector (modules.json, sentence_bert_config.json,
config.json, the pooling config, tokenizer_config.json, tokenizer.json, the weights) and raises
UnsupportedModel for anything it does not reproduce exactly; the caller
(`SentenceTransformerEmbeddings`) then uses sentence-transformers, as it does to build the index.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.machine import usable_cores

# What a forward pass costs, in tokens' worth of work (measured on the bundled model, one core):
# ~6 ms of its own (the weights read, the layers' small operations), then ~0.3 ms a token.
_PASS_TOKENS = 20


class UnsupportedModel(Exception):
    """This model folder is not one whose vectors this module reproduces exactly."""


# The sentence-transformers modules of a supported model, in order (Normalize is optional:
# query vectors are always normalised, as `SentenceTransformerEmbeddings.encode` asks for).
_MODULES = ("Transformer", "Pooling", "Normalize")
_WEIGHTS = "model.safetensors"


@dataclass(frozen=True)
class _Layer:
    """One BERT layer's weights, each (weight, bias) with the weight transposed to (in, out) and laid
    out in order: `x @ weight` then runs ~25% faster than on the stored (out, in) matrix's `.T`. The
    query, key and value projections are one matrix (in, 3 * hidden): one product instead of three."""

    query_key_value: tuple[np.ndarray, np.ndarray]
    attention_out: tuple[np.ndarray, np.ndarray]
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    output_norm: tuple[np.ndarray, np.ndarray]


class NumpyBertEncoder:
    """BERT -> mean pooling -> L2 normalisation of one text, as sentence-transformers computes it."""

    def __init__(self, tokenizer: Any, weights: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        from scipy.special import erf  # noqa: PLC0415  (what torch's exact GELU computes)
        from threadpoolctl import ThreadpoolController  # noqa: PLC0415

        self._erf = erf
        # One text's matrices are small: BLAS threads cost more than they save, and on a busy
        # machine waiting for them to wake took a query from 22 ms to 2 s. The limit is process-wide
        # while it lasts, so encodings take turns (the lock) and each restores it.
        self._blas = ThreadpoolController()
        self._lock = threading.Lock()
        self._workers = min(4, usable_cores())  # encode_many's passes side by side, at most
        self._pool: ThreadPoolExecutor | None = None  # encode_many's threads, started when first needed
        self._tokenizer = tokenizer
        self._heads = int(config["num_attention_heads"])
        self._eps = np.float32(config.get("layer_norm_eps", 1e-12))
        self.dimension = int(config["hidden_size"])
        self._head_dim = self.dimension // self._heads
        p = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""

        def get(name: str) -> np.ndarray:
            try:
                return weights[p + name]
            except KeyError:
                raise UnsupportedModel(f"no float32 tensor {p + name} in {_WEIGHTS}") from None

        def pair(name: str) -> tuple[np.ndarray, np.ndarray]:
            return get(name + ".weight"), get(name + ".bias")

        def linear(*names: str) -> tuple[np.ndarray, np.ndarray]:
            """The (in, out) weight and the bias of the linear maps `names`, side by side."""
            weights, biases = zip(*(pair(n) for n in names), strict=True)
            return np.ascontiguousarray(np.concatenate(weights).T), np.concatenate(biases)

        self._words = get("embeddings.word_embeddings.weight")
        self._positions = get("embeddings.position_embeddings.weight")
        self._token_types = get("embeddings.token_type_embeddings.weight")
        self._embedding_norm = pair("embeddings.LayerNorm")
        self._layers = [
            _Layer(
                query_key_value=linear(
                    *(f"encoder.layer.{i}.attention.self.{m}" for m in ("query", "key", "value"))
                ),
                attention_out=linear(f"encoder.layer.{i}.attention.output.dense"),
                attention_norm=pair(f"encoder.layer.{i}.attention.output.LayerNorm"),
                intermediate=linear(f"encoder.layer.{i}.intermediate.dense"),
                output=linear(f"encoder.layer.{i}.output.dense"),
                output_norm=pair(f"encoder.layer.{i}.output.LayerNorm"),
            )
            for i in range(int(config["num_hidden_layers"]))
        ]
        if self._words.shape[1] != self.dimension or self._layers[0].query_key_value[0].shape != (
            self.dimension,
            3 * self.dimension,
        ):
            raise UnsupportedModel("the weights do not have the shapes config.json gives")

    @classmethod
    def load(cls, model_dir: Path) -> NumpyBertEncoder:
        """The encoder of a local sentence-transformers folder; UnsupportedModel if it is not one
        this module reproduces exactly (then use sentence-transformers)."""
        from tokenizers import Tokenizer  # noqa: PLC0415

        model_dir = Path(model_dir)
        try:
            config = _json(model_dir / "config.json")
            max_length = _check_pipeline(model_dir, config)
            tokenizer_json = _json(model_dir / "tokenizer.json")
            _check_tokenizer(tokenizer_json, _json(model_dir / "tokenizer_config.json"))
            tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length)  # special tokens included, as transformers counts
            return cls(tokenizer, _safetensors(model_dir / _WEIGHTS), config)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            raise UnsupportedModel(f"{type(exc).__name__}: {exc}") from exc

    def encode(self, text: str) -> np.ndarray:
        """The (dimension,) float32 unit vector of `text`."""
        return self.encode_many([text])[0]

    def encode_many(self, texts: list[str]) -> list[np.ndarray]:
        """The unit vectors of `texts`, each as `encode` gives it (to float rounding, ~1e-7), computed
        side by side on the machine's cores (a question that asks two things is searched as a whole
        and part by part; a count checks the words it counts).

        The texts are packed into at most one job per core (`_jobs`), each one padded forward pass on
        its own thread with single-threaded BLAS; NumPy lets go of the GIL inside BLAS, so the jobs
        run truly side by side. A pass has a cost of its own, so 20 short words take 24 ms in one
        padded pass against 133 ms one by one; a two-part question's three texts, packed as the whole
        on one core and both parts on the other, take ~24 ms against ~29 ms as three jobs.
        """
        encodings = self._tokenizer.encode_batch(list(texts))
        jobs = _jobs([len(e.ids) for e in encodings], self._workers)

        def run(job: list[int]) -> list[np.ndarray]:
            if len(job) == 1:
                return [self._encoded(encodings[job[0]])]
            return self._forward_padded([encodings[i] for i in job])

        with self._lock, self._blas.limit(limits=1, user_api="blas"):
            if len(jobs) < 2:
                done = [run(job) for job in jobs]
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="query-encoder")
                done = list(self._pool.map(run, jobs))
        by_text = {
            i: vector
            for job, vectors in zip(jobs, done, strict=True)
            for i, vector in zip(job, vectors, strict=True)
        }
        return [by_text[i] for i in range(len(encodings))]

    def _encoded(self, encoding: Any) -> np.ndarray:
        return self._forward(
            np.asarray(encoding.ids, dtype=np.intp), np.asarray(encoding.type_ids, dtype=np.intp)
        )

    def _forward(self, ids: np.ndarray, types: np.ndarray) -> np.ndarray:
        x = self._words[ids] + self._positions[: len(ids)] + self._token_types[types]
        x = self._norm(x, self._embedding_norm)
        for layer in self._layers:
            x = self._norm(x + _linear(self._attention(x, layer), layer.attention_out), layer.attention_norm)
            hidden = _linear(x, layer.intermediate)
            hidden = hidden * np.float32(0.5) * (np.float32(1.0) + self._erf(hidden / np.float32(np.sqrt(2))))
            x = self._norm(x + _linear(hidden, layer.output), layer.output_norm)
        pooled = x.mean(axis=0)  # one text, no padding: every token counts
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)

    def _forward_padded(self, encodings: list[Any]) -> list[np.ndarray]:
        """`_forward` over several texts at once, padded to the longest: padding is masked out of
        attention and pooling, so each vector is its text's alone (to float rounding, ~1e-7)."""
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.intp)
        types = np.zeros_like(ids)
        mask = np.zeros((len(encodings), length), dtype=bool)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n], types[row, :n], mask[row, :n] = encoding.ids, encoding.type_ids, True
        padding = np.where(mask, np.float32(0), np.float32(-1e9))[:, None, None, :]  # (texts, 1, 1, keys)
        x = self._words[ids] + self._positions[:length] + self._token_types[types]
        x = self._norm(x, self._embedding_norm)
        for layer in self._layers:
            attended = self._attention(x, layer, padding)
            x = self._norm(x + _linear(attended, layer.attention_out), layer.attention_norm)
            hidden = _linear(x, layer.intermediate)
            hidden = hidden * np.float32(0.5) * (np.float32(1.0) + self._erf(hidden / np.float32(np.sqrt(2))))
            x = self._norm(x + _linear(hidden, layer.output), layer.output_norm)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return [(p / max(float(np.linalg.norm(p)), 1e-12)).astype(np.float32) for p in pooled]

    def _attention(self, x: np.ndarray, layer: _Layer, padding: np.ndarray | None = None) -> np.ndarray:
        """Self-attention over the last two axes of `x` ((tokens, dim), or (texts, tokens, dim) with
        `padding` added to the scores of padded keys)."""
        *texts, n, _ = x.shape
        heads, size = self._heads, self._head_dim
        qkv = _linear(x, layer.query_key_value).reshape(*texts, n, 3, heads, size)
        q, k, v = np.moveaxis(qkv, (-3, -2), (0, -3))  # each (*texts, heads, tokens, size)
        scores = (q @ np.swapaxes(k, -1, -2)) / np.float32(np.sqrt(size))
        if padding is not None:
            scores = scores + padding
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        return np.swapaxes(scores @ v, -3, -2).reshape(*texts, n, heads * size)

    def _norm(self, x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        centred = x - x.mean(axis=-1, keepdims=True)
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(variance + self._eps) * params[0] + params[1]


def _jobs(lengths: list[int], workers: int) -> list[list[int]]:
    """The texts (by their token counts) packed into at most `workers` padded passes, so that the
    costliest pass costs as little as the greedy way finds: longest first, each into the pass it
    makes cheapest (a pass costs `_PASS_TOKENS` plus its rows times its longest text)."""
    jobs: list[list[int]] = [[] for _ in range(max(1, min(workers, len(lengths))))]

    def cost(job: list[int]) -> int:
        return _PASS_TOKENS + len(job) * max(lengths[i] for i in job) if job else 0

    for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        min(jobs, key=lambda job: cost([*job, i])).append(i)
    return [job for job in jobs if job]


def _linear(x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    if x.ndim > 2:  # one (rows, dim) product: NumPy runs a stack of small ones without BLAS
        return (x.reshape(-1, x.shape[-1]) @ params[0] + params[1]).reshape(*x.shape[:-1], -1)
    return x @ params[0] + params[1]


def _json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def _check_pipeline(model_dir: Path, config: dict[str, Any]) -> int:
    """The tokens a text is truncated to, once the folder is known to be BERT + mean pooling."""
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    kinds = tuple(str(m["type"]).rsplit(".", 1)[-1] for m in modules)
    if kinds not in (_MODULES, _MODULES[:2]) or modules[0].get("path", "") != "":
        raise UnsupportedModel(f"modules {kinds}: only Transformer, Pooling[, Normalize] are reproduced")
    if config.get("model_type") != "bert" or config.get("architectures", ["BertModel"]) != ["BertModel"]:
        raise UnsupportedModel(f"model_type {config.get('model_type')!r}: only BERT is reproduced")
    if config.get("hidden_act") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
        raise UnsupportedModel("only BERT with exact GELU and absolute positions is reproduced")
    pooling = _json(model_dir / modules[1]["path"] / "config.json")
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode")}
    if modes.get("pooling_mode_mean_tokens") is not True or any(
        v for k, v in modes.items() if k != "pooling_mode_mean_tokens"
    ):
        raise UnsupportedModel(f"pooling {modes}: only mean pooling is reproduced")
    if pooling.get("word_embedding_dimension", config["hidden_size"]) != config["hidden_size"]:
        raise UnsupportedModel("the pooling and the model disagree on the dimension")
    st_config_path = model_dir / "config_sentence_transformers.json"
    st_config = _json(st_config_path) if st_config_path.is_file() else {}
    if st_config.get("default_prompt_name") or st_config.get("prompts"):
        raise UnsupportedModel("the model prepends prompts")
    bert_config = _json(model_dir / "sentence_bert_config.json")
    if bert_config.get("do_lower_case"):
        raise UnsupportedModel("sentence_bert_config.json asks for lower-casing")
    # sentence-transformers' Transformer: max_seq_length, capped at the model's position embeddings.
    max_length = bert_config.get("max_seq_length")
    if not isinstance(max_length, int):
        raise UnsupportedModel("sentence_bert_config.json gives no max_seq_length")
    return min(max_length, int(config["max_position_embeddings"]))


def _check_tokenizer(tokenizer_json: dict[str, Any], tokenizer_config: dict[str, Any]) -> None:
    """tokenizer.json must say what transformers' BertTokenizer rebuilds from tokenizer_config.json
    (transformers 5 rebuilds the normaliser, pre-tokeniser and template; 4 reads tokenizer.json)."""
    if tokenizer_config.get("tokenizer_class") not in ("BertTokenizer", "BertTokenizerFast"):
        raise UnsupportedModel(f"tokenizer {tokenizer_config.get('tokenizer_class')!r}: only BERT's")
    cls = tokenizer_config.get("cls_token", "[CLS]")
    sep = tokenizer_config.get("sep_token", "[SEP]")
    expected = {
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": tokenizer_config.get("tokenize_chinese_chars", True),
            "strip_accents": tokenizer_config.get("strip_accents"),
            "lowercase": tokenizer_config.get("do_lower_case", True),
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "single": [
            {"SpecialToken": {"id": cls, "type_id": 0}},
            {"Sequence": {"id": "A", "type_id": 0}},
            {"SpecialToken": {"id": sep, "type_id": 0}},
        ],
        "model": ("WordPiece", tokenizer_config.get("unk_token", "[UNK]"), "##"),
    }
    model = tokenizer_json["model"]
    found = {
        "normalizer": tokenizer_json["normalizer"],
        "pre_tokenizer": tokenizer_json["pre_tokenizer"],
        "single": tokenizer_json["post_processor"]["single"],
        "model": (model.get("type"), model.get("unk_token"), model.get("continuing_subword_prefix")),
    }
    for part, want in expected.items():
        if found[part] != want:
            raise UnsupportedModel(f"tokenizer.json {part} {found[part]} is not {want}")


_DTYPES = {"F32": np.float32}


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a .safetensors file, memory-mapped (read-only, nothing copied)."""
    try:
        with path.open("rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            header = json.loads(handle.read(size))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
        tensors = {}
        for name, info in header.items():
            if name == "__metadata__" or info["dtype"] not in _DTYPES:
                continue  # e.g. BERT's int64 position_ids buffer; a missing weight is caught later
            start, end = info["data_offsets"]
            # A plain ndarray view of the mapped bytes (np.memmap's subclass would follow every result).
            tensors[name] = np.asarray(data[start:end]).view(_DTYPES[info["dtype"]]).reshape(info["shape"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UnsupportedModel(f"cannot read {path.name}: {exc}") from exc
    return tensors
