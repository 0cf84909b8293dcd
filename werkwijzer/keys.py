"""Secrets the service makes for itself and keeps in its home, so no usable secret is in the source.

A key that is not given in the environment is made on first use: random, written to its own
file (mode 0600) and read back on every later start. Two worker processes that start together
must end up with the same key, so the file is never written in place: the key goes to a private
temporary file first, which is then hard-linked to the final name. The link either creates the
whole file or fails because another process was first, and then that process's key is used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

MIN_LENGTH = 32  # characters; production refuses shorter keys


class KeyFileError(RuntimeError):
    """A kept key that cannot be used as it is; the message says what to do."""


def read_kept_key(path: Path) -> str:
    """The key in ``path``; refused when others than the owner may read it, or when it is too short."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        raise KeyFileError(f"no key file at {path}") from None
    if mode & 0o077:
        raise KeyFileError(f"{path} can be read by others (mode {mode:o}): run `chmod 600 {path}` or make a new key")
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_LENGTH:
        raise KeyFileError(f"{path} holds a key of {len(key)} characters; at least {MIN_LENGTH} are needed")
    return key


def kept_key(path: Path) -> str:
    """The key kept in ``path``, made there (0600, atomically) when there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: use that one
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return read_kept_key(path)
