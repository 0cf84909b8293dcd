"""Werkwijzer core: settings, teams, data contracts, the simulated municipality and the CLI.

This package imports third-party libraries only; the learned models live in ``models``,
accountability tooling in ``explain``, orchestration in ``flows`` and the service in ``api``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("werkwijzer")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
