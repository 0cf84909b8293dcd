"""The design card's import rules, checked on the source so a violation fails the build."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = {  # package -> first-party packages it must not import at module level
    "werkwijzer": {"models", "explain", "flows", "api", "prefect", "fastapi"},
    "models": {"explain", "flows", "api", "mlflow", "prefect", "fastapi"},
    "explain": {"flows", "api", "prefect", "fastapi"},
    "api": {"flows", "prefect"},
}


def top_level_imports(path: Path) -> set[str]:
    """Modules imported at module level (imports inside functions are lazy and allowed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_packages_respect_the_layering() -> None:
    violations = []
    for package, forbidden in RULES.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = top_level_imports(path) & forbidden
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not violations, "\n".join(violations)
