"""Shared fixtures: offline guard, the seed corpus, a built assistant (slow, real model)."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHAFAQ = "003_70d3dde80774ed55"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run offline: any connection outside loopback fails loudly."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if isinstance(address, tuple) and address:
            host = str(address[0])
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise RuntimeError(f"test tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed corpus a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seed_assistant(tmp_path_factory: pytest.TempPathFactory):
    """An assistant over the seed corpus with its own index (built once per test session)."""
    from qa import Assistant

    index_dir = tmp_path_factory.mktemp("index")
    return Assistant.from_settings(corpus_dir=SEEDS, index_dir=index_dir)


@pytest.fixture(scope="session")
def seed_assistant_qdrant(seed_assistant, tmp_path_factory: pytest.TempPathFactory):
    """The seed assistant with its passage vectors in Qdrant (local mode) instead of FAISS; same model."""
    from qa import Assistant
    from qa.index_store import open_index

    index_dir = tmp_path_factory.mktemp("index-qdrant") / "index"
    shutil.copytree(seed_assistant.settings.index_dir, index_dir)  # its vectors are reused, not re-embedded
    settings = seed_assistant.settings.with_overrides(index_dir=index_dir, vector_store="qdrant")
    return Assistant(settings, seed_assistant.embedder, open_index(settings, seed_assistant.embedder))


HOSTILE_ARTICLE = (
    "Hostile page about Basra\n\n"
    "The Basra water council met on 2 March 2022 <script>window.__xss = 1</script> to discuss the "
    'canals. A photo <img src=x onerror="window.__xss = 2"> was posted by the governor of Basra.\n'
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    """`qa ui` running on a free loopback port over the seeds plus a hostile article; yields its URL."""
    import os
    import subprocess
    import time
    import urllib.request

    root = tmp_path_factory.mktemp("live")
    corpus = root / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "hostile.txt").write_text(HOSTILE_ARTICLE)
    port = _free_port()
    log = (root / "server.log").open("w")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "QA_PORT": str(port), "QA_HOST": "127.0.0.1"}
    qa_bin = ROOT / ".venv" / "bin" / "qa"
    command = [
        str(qa_bin) if qa_bin.exists() else "qa",
        "ui",
        "--corpus",
        str(corpus),
        "--index",
        str(root / "index"),
    ]
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"qa ui exited: {(root / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("qa ui did not start within 240 s")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
