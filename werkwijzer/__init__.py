"""Werkwijzer core: settings, teams, data contracts and the simulated municipality.

This package imports third-party libraries only; the learned models live in ``models``,
accountability tooling in ``explain``, the case store and its rules in ``casework``,
orchestration in ``flows``, the HTTP service in ``api`` and the command line in ``cli`` (ADR 0013).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("werkwijzer")
except PackageNotFoundError:  # running from a source checkout that is not installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
