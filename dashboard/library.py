"""Scenarios the dashboard may load: library scenarios by exact name, never a path.

:func:`scenarios.loader.load_scenario` takes a library name or a path (anything with
a ``/`` or ending in ``.yaml``). The dashboard must never open a file because of a
text that reached it from a browser or from a results store, so everything it
loads goes through :func:`library_scenario`: a name that is not exactly one of the
library's scenario names is refused before the file system is touched, and a
library name is resolved to its file in ``scenarios/library`` by the library
itself. A store made from a scenario file of its own (``sozialraum batch
my/own.yaml``) is shown from what the store holds; its file is not read.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from scenarios import (
    LIBRARY_DIR,
    Scenario,
    ScenarioError,
    find_scenario,
    list_scenarios,
    load_scenario,
)


@functools.cache
def library_names() -> frozenset[str]:
    """Names of the scenarios in the library (read once per process)."""
    return frozenset(list_scenarios())


def library_scenario(name: object, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A library scenario by exact name, with optional overrides.

    Args:
        name: The scenario's name; anything else (a path, a non-text) is refused.
        overrides: Dotted overrides, validated like a variant's.

    Returns:
        The scenario.

    Raises:
        ScenarioError: If ``name`` is not a library scenario (nothing is opened), or the
            scenario or an override is invalid.
    """
    if not isinstance(name, str) or name not in library_names():
        raise ScenarioError(LIBRARY_DIR, None, "kein Szenario der Szenariobibliothek")
    return load_scenario(find_scenario(name), overrides)


def cached_scenario(name: object) -> Scenario:
    """A library scenario by exact name, parsed once per server process (never a path).

    Raises:
        ScenarioError: If ``name`` is not a library scenario (anything else, a path or
            a non-text, is refused before the cache sees it) or does not load.
    """
    if not isinstance(name, str) or name not in library_names():
        raise ScenarioError(LIBRARY_DIR, None, "kein Szenario der Szenariobibliothek")
    return _parsed(name)


@functools.lru_cache(maxsize=64)
def _parsed(name: str) -> Scenario:
    return library_scenario(name)


__all__ = ["cached_scenario", "library_names", "library_scenario"]
