"""The layering of ADR 0013, checked on every import in the source, function-level ones included.

core (``werkwijzer``) <- ``models`` <- ``explain`` <- ``casework`` <- {``api``, ``flows``, ``cli``}:
a package imports its own modules and the packages to its left, never one to its right or a peer,
except ``cli``, the composition root, which runs the flows. The CLI stays quick to start (ADR 0002):
at module level its commands import only the core and each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"werkwijzer", "models", "explain", "casework", "api", "flows", "cli"}
MAY_IMPORT = {  # package -> first-party packages it may import, anywhere in a module
    "werkwijzer": {"werkwijzer"},
    "models": {"werkwijzer", "models"},
    "explain": {"werkwijzer", "models", "explain"},
    "casework": {"werkwijzer", "models", "explain", "casework"},
    "api": {"werkwijzer", "models", "explain", "casework", "api"},
    "flows": {"werkwijzer", "models", "explain", "casework", "flows"},
    "cli": {"werkwijzer", "models", "explain", "casework", "flows", "cli"},
}
THIRD_PARTY_BANNED = {  # frameworks that stay in the layer that owns them (design.md)
    "werkwijzer": {"prefect", "fastapi", "starlette"},
    "models": {"mlflow", "prefect", "fastapi", "starlette"},
    "explain": {"prefect", "fastapi", "starlette"},
    "casework": {"prefect", "fastapi", "starlette"},
    "api": {"prefect"},
}
ALLOWED = {  # (file, imported module): the only exceptions, each with its reason
    # `python -m werkwijzer` is the same command as the `werkwijzer` entry point.
    ("werkwijzer/__main__.py", "cli.main"),
    # `demo --usage-weeks` serves the HTTP app in process for the simulated use (`serve` names it as text).
    ("cli/monitoring.py", "api.main"),
}
CLI_MODULE_LEVEL = {"werkwijzer", "cli"}  # ADR 0002: outer packages only inside the commands


def imports(tree: ast.Module, package: str) -> Iterator[tuple[str, int, bool]]:
    """Every imported module (absolute name), its line, and whether it is imported at module level."""
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: inside its own package
                module = f"{package}.{module}" if module else package
            yield module, node.lineno, id(node) in top


def violations() -> list[str]:
    found = []
    for package in MAY_IMPORT:
        for path in sorted((ROOT / package).rglob("*.py")):
            where = path.relative_to(ROOT).as_posix()
            for module, line, module_level in imports(ast.parse(path.read_text(encoding="utf-8")), package):
                first = module.split(".")[0]
                if (where, module) in ALLOWED:
                    continue
                if first in FIRST_PARTY and first not in MAY_IMPORT[package]:
                    found.append(f"{where}:{line} imports {module}")
                elif first in THIRD_PARTY_BANNED.get(package, set()):
                    found.append(f"{where}:{line} imports {module} ({first} belongs elsewhere)")
                elif package == "cli" and module_level and first in FIRST_PARTY - CLI_MODULE_LEVEL:
                    found.append(f"{where}:{line} imports {module} at module level (ADR 0002: inside the command)")
    return found


def test_packages_respect_the_layering() -> None:
    found = violations()
    assert not found, "\n".join(found)


def test_the_check_sees_function_level_imports() -> None:
    """A lazy import inside a function is an import too: the walker must report it."""
    tree = ast.parse("import os\n\ndef f():\n    from api.main import create_app\n")
    assert list(imports(tree, "flows")) == [("os", 1, True), ("api.main", 4, False)]


def test_every_allowed_exception_is_still_needed() -> None:
    """An allow-list entry whose import is gone must go too, so the list stays short and true."""
    for where, module in ALLOWED:
        package = where.split("/")[0]
        seen = {m for m, _, _ in imports(ast.parse((ROOT / where).read_text(encoding="utf-8")), package)}
        assert module in seen, f"{where} no longer imports {module}: remove it from ALLOWED"
