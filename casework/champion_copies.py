"""The last champion each model loaded, kept on local disk (``<home>/champions``, ADR 0034).

A worker that starts while MLflow cannot be reached (a restarted worker, a restarted server, an
MLflow outage during a deploy) would otherwise serve no advice at all until MLflow is back. With a
copy it serves the version a model owner approved and this host loaded last, exactly as a running
worker keeps serving what it loaded before. The copy is only a stand-in for the registry:

- it is written only after a champion loaded from MLflow passed every check of the model store;
- it is removed when MLflow says a model has no champion any more (a withdrawn model never comes
  back through a restart);
- a newer champion from MLflow always replaces it.

Several workers share the folder: a version is written to a temporary folder and renamed into
place, and the pointer to the current version is replaced atomically, so a reader sees a whole
copy or none.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CURRENT = "current.json"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class CopiedVersion:
    """What the model store needs of a registry version, read back from a copy."""

    version: str
    run_id: str
    tags: dict[str, str] = field(default_factory=dict)


class ChampionCopies:
    """Local copies of loaded champions under ``folder``, one folder per model name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _model(self, name: str) -> Path:
        if not SAFE_NAME.match(name):
            raise ValueError(f"model name {name!r} cannot name a folder")
        return self.folder / name

    def keep(self, name: str, version: Any, tags: dict[str, str], artifacts: Path) -> None:
        """Copy ``artifacts`` of ``version`` (loaded and checked) and make it the current copy."""
        model = self._model(name)
        model.mkdir(parents=True, exist_ok=True)
        target = model / f"v{version.version}"
        if not (target / "version.json").is_file():
            incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=model))
            try:
                shutil.copytree(artifacts, incoming / "artifacts")
                about = {"version": str(version.version), "run_id": str(version.run_id), "tags": dict(tags)}
                (incoming / "version.json").write_text(json.dumps(about, sort_keys=True), encoding="utf-8")
                try:
                    os.rename(incoming, target)
                except OSError:  # another worker put the same version in place first
                    if not (target / "version.json").is_file():
                        raise
            finally:
                shutil.rmtree(incoming, ignore_errors=True)
        _replace(model / CURRENT, json.dumps({"version": str(version.version)}))
        for old in model.glob("v*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)

    def latest(self, name: str) -> tuple[CopiedVersion, Path] | None:
        """The current copy of ``name`` and its artifacts folder, or None when there is none. A copy
        that is there but cannot be used is logged with the file, so an operator can find it."""
        pointer = self._model(name) / CURRENT
        try:
            current = str(json.loads(pointer.read_text(encoding="utf-8"))["version"])
        except FileNotFoundError:
            return None  # never loaded here, or withdrawn
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("no usable local copy of %s: %s cannot be read (%s)", name, pointer, exc)
            return None
        if not current.isdigit():  # MLflow's versions are numbers; anything else names no copy
            log.warning("no usable local copy of %s: %s names version %r", name, pointer, current)
            return None
        folder = pointer.parent / f"v{current}"
        try:
            about = json.loads((folder / "version.json").read_text(encoding="utf-8"))
            copied = CopiedVersion(str(about["version"]), str(about["run_id"]), dict(about.get("tags") or {}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("no usable local copy of %s: %s cannot be read (%s)", name, folder / "version.json", exc)
            return None
        return copied, folder / "artifacts"

    def forget(self, name: str) -> None:
        """Remove every copy of ``name`` (MLflow says it has no champion)."""
        model = self._model(name)
        (model / CURRENT).unlink(missing_ok=True)
        if model.is_dir():
            for old in model.glob("v*"):
                shutil.rmtree(old, ignore_errors=True)


def _replace(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".current-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
