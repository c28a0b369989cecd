"""Every value the browser sends is checked before any callback runs.

A Dash page talks to the server through one route, ``/_dash-update-component``:
the browser names the callback (by its outputs) and sends the current values of
its inputs and states. A request can be forged with any client, so nothing in it
is trusted. :class:`InputGate` is a Flask ``before_request`` hook on that route
that, before Dash dispatches anything (and so before a background callback starts
its worker process):

* rejects bodies larger than :data:`MAX_REQUEST_BYTES` and anything that is not the
  JSON of one of the app's callbacks with exactly its inputs, states and outputs
  (answer 400 with a German text),
* checks every input and state value against its :class:`Rule` (a choice from a
  set computed once at start, a list of such choices, a number in a range, a click
  count). A value that breaks its rule gets a German refusal in the callback's
  message output where it has one, otherwise 204 (the browser's "no update").

The gate is fail-closed: a callback input without a rule is refused, and
:meth:`InputGate.install` raises at start when any callback of the app has an input
or state without a rule, so a future input cannot be added unchecked. Refusals never
repeat the value sent and never depend on the file system.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import flask
from dash import Dash
from dash._utils import split_callback_id

from scenarios import fmt_value

MAX_REQUEST_BYTES = 256 * 1024
"""Largest request body the dashboard accepts (bytes). A callback request carries a
few component values (scenario names, slider positions, a click count) and is a few
kilobytes even when every scenario of a large store is selected (a thousand names of
80 characters are 80 KB); 256 KiB keeps that room while a forged body of gigabytes is
refused before it is read into memory."""

UPDATE_ROUTE = "_dash-update-component"
"""Dash's route for callbacks (below the app's ``routes_pathname_prefix``)."""


class Rule(Protocol):
    """A check of one component property's value."""

    label: str

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        ...


def _plain(value: Any, kind: type) -> bool:
    """Whether ``value`` is exactly of ``kind`` (no bool posing as an int)."""
    return type(value) is kind


@dataclass(frozen=True)
class Choice:
    """One value out of a fixed set (a dropdown).

    Attributes:
        label: German name of the field (shown in refusals).
        allowed: The values the page offers (computed once at start).
        kind: Type of the values (``str`` or ``int``).
        optional: Whether ``None`` (nothing chosen) is allowed.
    """

    label: str
    allowed: frozenset[Any]
    kind: type = str
    optional: bool = False

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        if value is None and self.optional:
            return None
        if not _plain(value, self.kind) or value not in self.allowed:
            return f"{self.label}: nur ein Wert aus der Auswahl dieser Seite ist möglich"
        return None


@dataclass(frozen=True)
class Choices:
    """A list of values out of a fixed set (a multi-select dropdown, selected rows).

    Attributes:
        label: German name of the field.
        allowed: The values the page offers.
        max_items: Longest list accepted.
        kind: Type of the values.
    """

    label: str
    allowed: frozenset[Any]
    max_items: int
    kind: type = str

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        if value is None:
            return None
        if (
            not isinstance(value, list)
            or len(value) > self.max_items
            or not all(_plain(v, self.kind) and v in self.allowed for v in value)
        ):
            return (
                f"{self.label}: nur bis zu {self.max_items} Einträge aus der Auswahl dieser "
                "Seite sind möglich"
            )
        return None


@dataclass(frozen=True)
class Number:
    """A finite number in a closed range (a slider).

    Attributes:
        label: German name of the field.
        low: Smallest value accepted.
        high: Largest value accepted.
    """

    label: str
    low: float
    high: float

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        ok = (
            type(value) in (int, float)
            and math.isfinite(value)
            and self.low - 1e-9 <= value <= self.high + 1e-9
        )
        if not ok:
            return (
                f"{self.label}: nur eine Zahl von {fmt_value(self.low)} bis "
                f"{fmt_value(self.high)} ist möglich"
            )
        return None


@dataclass(frozen=True)
class Clicks:
    """The click count of a button (``None`` before the first click).

    Attributes:
        label: German name of the button.
    """

    label: str

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        if value is None or (_plain(value, int) and value >= 0):
            return None
        return f"{self.label}: keine gültige Zahl von Klicks"


@dataclass(frozen=True)
class PointClick:
    """A click on a chart (``clickData``): only the first point's ``customdata`` is used.

    Attributes:
        label: German name of the field.
        allowed: The numbers the chart's points carry (a point without a number, such
            as a marked variant, selects nothing).
        max_points: Most points a click may report.
    """

    label: str
    allowed: frozenset[int]
    max_points: int = 5

    def problem(self, value: Any) -> str | None:
        """German reason why ``value`` is refused, or None if it is allowed."""
        if value is None:
            return None
        refused = f"{self.label}: nur ein Punkt dieses Diagramms ist möglich"
        points = value.get("points") if isinstance(value, dict) else None
        if not isinstance(points, list) or not 1 <= len(points) <= self.max_points:
            return refused
        if not all(isinstance(p, dict) for p in points):
            return refused
        number = points[0].get("customdata")
        if number is None:
            return None
        if not _plain(number, int) or number not in self.allowed:
            return refused
        return None


class Refused(Exception):
    """A value broke its rule; ``reason`` is German, ``callback`` the callback's key."""

    def __init__(self, callback: str, reason: str) -> None:
        self.callback = callback
        self.reason = reason
        super().__init__(reason)


class Malformed(Exception):
    """The request is not one the page's own renderer sends."""


@dataclass(frozen=True)
class _Spec:
    """What a callback's requests must contain."""

    inputs: tuple[tuple[str, str], ...]
    state: tuple[tuple[str, str], ...]
    outputs: Any  # {"id", "property"} or a list of them, as the renderer sends them
    background: bool


def _pairs(items: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(i["id"]), str(i["property"])) for i in items)


def refusal_text(reason: str) -> str:
    """The German text a refused value shows (``Anfrage abgelehnt: …``)."""
    return f"Anfrage abgelehnt: {reason}."


class InputGate:
    """The check of every callback request of one Dash app.

    Args:
        app: The app, with all its callbacks registered.
        rules: ``"id.property"`` → rule, for every callback input and state.
        notices: Outputs (``"id.property"``) that show a refusal as German text; a
            callback with none of them answers a refused value with 204.
    """

    def __init__(self, app: Dash, rules: Mapping[str, Rule], notices: Collection[str]) -> None:
        self.app = app
        self.rules = dict(rules)
        self.notice_outputs = frozenset(notices)
        self.specs: dict[str, _Spec] = {}
        self.notices: dict[str, str] = {}

    # ------------------------------------------------------------------ checks

    def problem(self, values: Mapping[str, Any]) -> str | None:
        """The first German reason among ``"id.property"`` → value, or None.

        Used inside callbacks as a second check (a background callback's function
        runs in another process; the values it gets are checked there again).
        """
        for key, value in values.items():
            rule = self.rules.get(key)
            reason = "unbekanntes Feld" if rule is None else rule.problem(value)
            if reason:
                return reason
        return None

    def check(self, body: Any, poll: bool = False) -> None:
        """Check one request body.

        Args:
            body: The parsed JSON.
            poll: Whether the request asks for the result of a running background job
                (it carries the job's signed handle). The renderer then sends empty
                values, and Dash uses none of them: it only reads the job's result.
                The shape is still checked; the values are not.

        Raises:
            Malformed: If the body is not a request of one of the app's callbacks.
            Refused: If a value breaks its rule.
        """
        if not isinstance(body, dict):
            raise Malformed
        key = body.get("output")
        if not isinstance(key, str) or key not in self.specs:
            raise Malformed
        spec = self.specs[key]
        if "outputs" in body and body["outputs"] != spec.outputs:
            raise Malformed
        values: list[tuple[str, Any]] = []
        for part, expected in (("inputs", spec.inputs), ("state", spec.state)):
            items = body.get(part, [])
            if not isinstance(items, list) or len(items) != len(expected):
                raise Malformed
            for item, (cid, prop) in zip(items, expected, strict=True):
                if not isinstance(item, dict) or (item.get("id"), item.get("property")) != (
                    cid,
                    prop,
                ):
                    raise Malformed
                values.append((f"{cid}.{prop}", item.get("value")))
        changed = body.get("changedPropIds", [])
        inputs = {f"{cid}.{prop}" for cid, prop in spec.inputs}
        if not isinstance(changed, list) or not all(
            isinstance(c, str) and c in inputs for c in changed
        ):
            raise Malformed
        if poll and spec.background:
            return
        for name, value in values:
            reason = self.rules[name].problem(value)
            if reason:
                raise Refused(key, reason)

    # ------------------------------------------------------------------ flask

    def install(self) -> None:
        """Check every callback request of the app's Flask server before Dash sees it.

        Call after every callback is registered.

        Raises:
            RuntimeError: If a callback input or state has no rule (a programming
                error: every input must be checked).
        """
        self.specs = {
            key: _Spec(
                _pairs(cb["inputs"]),
                _pairs(cb.get("state", [])),
                split_callback_id(key),
                cb.get("background") is not None,
            )
            for key, cb in self.app.callback_map.items()
        }
        for key, spec in self.specs.items():
            outputs = spec.outputs if isinstance(spec.outputs, list) else [spec.outputs]
            shown = [f"{o['id']}.{o['property']}" for o in outputs]
            target = next((t for t in shown if t in self.notice_outputs), None)
            if target is not None:
                self.notices[key] = target
        unchecked = sorted(
            f"{cid}.{prop}"
            for spec in self.specs.values()
            for cid, prop in (*spec.inputs, *spec.state)
            if f"{cid}.{prop}" not in self.rules
        )
        if unchecked:
            raise RuntimeError(f"callback inputs without a rule: {', '.join(unchecked)}")
        server = self.app.server
        server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
        route = self.app.config.routes_pathname_prefix + UPDATE_ROUTE
        server.register_error_handler(413, _too_large)
        server.before_request(lambda: self._gate(route))

    def _gate(self, route: str) -> flask.Response | None:
        if flask.request.path != route:
            return None
        try:
            body = json.loads(flask.request.get_data(cache=True))
        except (ValueError, RecursionError):  # also text that is not UTF-8
            return _text(400, "Anfrage ungültig: kein lesbares JSON.")
        try:
            self.check(body, poll=bool(flask.request.args.get("cacheKey")))
        except Malformed:
            return _text(400, "Anfrage ungültig: passt zu keinem Element dieser Seite.")
        except Refused as refused:
            return self.refusal(refused)
        return None

    def refusal(self, refused: Refused) -> flask.Response:
        """The answer to a refused value: a German notice, or 204 (no update)."""
        target = self.notices.get(refused.callback)
        if target is None:
            return flask.Response(status=204)
        cid, prop = target.rsplit(".", 1)
        payload = {"multi": True, "response": {cid: {prop: refusal_text(refused.reason)}}}
        return flask.Response(
            json.dumps(payload, ensure_ascii=False), status=200, mimetype="application/json"
        )


def _text(status: int, text: str) -> flask.Response:
    return flask.Response(text, status=status, mimetype="text/plain")


def _too_large(_exc: Exception) -> flask.Response:
    kib = MAX_REQUEST_BYTES // 1024
    return _text(413, f"Anfrage zu groß: höchstens {kib} KiB sind möglich.")


def choice_values(options: Collection[Mapping[str, Any]]) -> frozenset[Any]:
    """The values of dropdown options (``{"label", "value"}``)."""
    return frozenset(o["value"] for o in options)


__all__ = [
    "MAX_REQUEST_BYTES",
    "Choice",
    "Choices",
    "Clicks",
    "InputGate",
    "Malformed",
    "Number",
    "Refused",
    "Rule",
    "choice_values",
    "refusal_text",
]
