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
