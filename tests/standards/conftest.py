"""The official definitions, read from ``../shared/standards/`` at test time (never a copy of their rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor.live import live_models, live_settings  # noqa: F401  (the toy champions, once per session)

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"
REGISTER_FILE = STANDARDS / "algoritmeregister-aanleverapi-v1_0.openapi.json"
ZAKEN_FILE = STANDARDS / "zgw-zaken-api-1.5.1.openapi.yaml"


def _official(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"the official definition {path.name} is not at {path.parent} (see ../shared/standards/README.md)")
    return path


@pytest.fixture(scope="session")
def register_definition() -> Path:
    return _official(REGISTER_FILE)


@pytest.fixture(scope="session")
def zaken_definition() -> Path:
    return _official(ZAKEN_FILE)


# -- Prism: a mock server that answers as the official definition says ----------------------------------
ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
START_SECONDS = 90.0


class PrismServer:
    """``prism mock DEFINITION --errors`` on a free port of 127.0.0.1; ``url`` is where it answers."""

    def __init__(self, definition: Path, *extra: str):
        import socket
        import subprocess
        import threading

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.log: list[str] = []
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [str(PRISM), "mock", str(definition), "-p", str(port), "-h", "127.0.0.1", "--errors", *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(START_SECONDS):
            self.stop()
            tail = "".join(self.log[-10:])
            raise RuntimeError(f"prism did not start within {START_SECONDS:.0f} s:\n{tail}")

    def _drain(self) -> None:
        """Read prism's log to the end (a full pipe would stall it); mark when it listens."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)
            if "Prism is listening" in line:
                self._ready.set()
        self._ready.set()  # ended: the wait returns and the caller sees it did not start

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _prism(definition: Path, *extra: str):
    """Skipped, saying why, without Prism or Node.js; failed instead with WERKWIJZER_REQUIRE_PRISM=1 (CI)."""
    import os
    import shutil

    missing = (
        "Prism is not installed: run `npm ci` (node_modules/.bin/prism, @stoplight/prism-cli)"
        if not PRISM.is_file()
        else "Prism needs Node.js (`node` on PATH)"
        if shutil.which("node") is None
        else None
    )
    if missing and os.environ.get("WERKWIJZER_REQUIRE_PRISM") == "1":
        pytest.fail(f"the mock servers are required here (WERKWIJZER_REQUIRE_PRISM=1): {missing}")
    if missing:
        pytest.skip(missing)
    server = PrismServer(definition, *extra)
    if server.process.poll() is not None:
        pytest.fail("prism stopped at start-up:\n" + "".join(server.log[-10:]))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def register_mock(register_definition: Path):
    """The Algoritmeregister submission API, as its definition says (static examples)."""
    yield from _prism(register_definition)


@pytest.fixture(scope="session")
def zaken_mock(zaken_definition: Path):
    """The Zaken API 1.5, as its definition says (static examples; ``Prefer: dynamic=true`` per request)."""
    yield from _prism(zaken_definition)


@pytest.fixture(scope="session")
def zaken_mock_random(zaken_definition: Path):
    """The Zaken API 1.5 answering random data the definition allows, the same on every run (a fixed seed)."""
    yield from _prism(zaken_definition, "--dynamic", "--seed", "16")
