"""The dashboard's tabs: one module per tab, each with its layout and its own callbacks.

Every page module has

* ``LABEL``: the tab's German label; ``TAB``: the tab's value,
* ``layout(ctx)``: the tab's content for the app's :class:`~dashboard.context.AppContext`,
* ``rules(ctx)``: the request rule (:mod:`dashboard.guard`) of every input and state
  of its callbacks, computed once at start,
* ``NOTICES``: its outputs that show a German refusal of a request,
* ``register(app, ctx, gate)``: its callbacks, thin: data from :mod:`dashboard.data`,
  figures from :mod:`dashboard.figures`.

The shell (:mod:`dashboard.app`) puts them into tabs in the order of :data:`PAGES`
and owns the shared selection (baseline and compared scenarios).
"""

from __future__ import annotations

from types import ModuleType

from dashboard.pages import comparison, decision, flows, regions, runs, whatif

PAGES: tuple[ModuleType, ...] = (comparison, regions, flows, whatif, decision, runs)
"""The tabs, in order."""

__all__ = ["PAGES"]
