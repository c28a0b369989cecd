"""Incentive schemes: one class per scheme, each registered once, read by every floor.

A scheme answers two questions:

* :meth:`IncentiveScheme.savings_signal`: how strongly the providers delivering a
  help paid from a pot are rewarded for saving (0 = paid per hour, 1 = they keep
  every euro saved). Providers' behaviour (``ProviderParams.responsiveness``) turns
  the signal into shorter or cheaper helps; with signal 0 they lengthen helps paid
  per hour.
* :meth:`IncentiveScheme.incentive_payments` and :meth:`IncentiveScheme.settle`:
  what happens at the year-end closing with the balance (budget minus spending) of
  every region and pot: carried over, paid out as bonus, charged as malus, evened
  out between regions, or returned to the Kreis as the year's result.

Each scheme class also describes itself: its ``name`` (the code in scenario files
and the store), its German ``label`` (the one wording of the dashboard, the briefing,
the exports and the documentation), a German ``description`` (what it does and where
it comes from) and its ``parameters`` (:class:`SchemeParameter`: kind, unit, range,
the engine's default, whether a scenario file must state it, and the value the
what-if page uses with the reason for it). :func:`register` adds a class to
:data:`SCHEMES`; the scenario schema (names and parameters a file may use), the
what-if page, the labels, the briefing and ``docs/parameter_tables.py`` read the
registry, so a new scheme is one class here (and its test).

The schemes: ``none`` (pay per case; balances go to the Kreis), ``retention`` (a
share of unspent regional budget 2 becomes next year's regional budget 1 of the same
region), ``bonus_malus`` (a share of the saving below a target corridor is paid to
the Sozialraumträger, a share of the overrun above it charged), ``flat`` (the
Sozialraumträger receives regional budget 2 as a flat budget in quarterly instalments
and carries the risk, Celle/Ulm style) and ``balancing`` (regional balances of the
chosen pots are evened out between regions before the rest goes to the Kreis, Ulm
§7.2).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

from model.params import POTS, IncentiveParams

R1, R2 = POTS.index("regional_1"), POTS.index("regional_2")

ParameterValue = float | tuple[str, ...]
"""The value of a scheme parameter: a number, or a tuple of pot names."""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
"""How a scheme or parameter name is written (a code in scenario files and the store)."""

_RESERVED = frozenset({"scheme", "values"})
"""Names a parameter cannot have (the fields of :class:`IncentiveParams`)."""


# =========================================================================== parameters


@dataclass(frozen=True)
class SchemeParameter:
    """One parameter of an incentive scheme, described once for every reader.

    Attributes:
        name: The key in scenario files (``incentive.<name>``) and in
            :attr:`IncentiveParams.values`.
        description: German meaning (documentation, dashboard).
        kind: ``number`` (a quantity with ``unit`` between ``low`` and ``high``) or
            ``pots`` (a non-empty list of pot names of :data:`model.params.POTS`).
        default: The engine's value when the parameter is not given.
        whatif: The value the what-if page uses when the user picks the scheme.
        whatif_assumption: Why (German; shown as the assumption of that value).
        unit: Unit a scenario file writes the number in (``number`` only).
        low: Smallest allowed value (``number`` only).
        high: Largest allowed value (``number`` only).
        required: Whether a scenario file choosing the scheme must state it.
    """

    name: str
    description: str
    kind: Literal["number", "pots"]
    default: ParameterValue
    whatif: ParameterValue
    whatif_assumption: str
    unit: str = "share"
    low: float = 0.0
    high: float = 1.0
    required: bool = True

    def __post_init__(self) -> None:
        if not _NAME.match(self.name) or self.name in _RESERVED:
            raise ValueError(f"scheme parameter name {self.name!r} is not allowed")
        if self.kind not in ("number", "pots"):
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if not self.description.strip() or not self.whatif_assumption.strip():
            raise ValueError(f"{self.name}: description and what-if assumption must not be empty")
        if self.kind == "number" and not (self.low < self.high and self.unit.strip()):
            raise ValueError(f"{self.name}: a number needs a unit and low < high")
        object.__setattr__(self, "default", self.check(self.default))
        object.__setattr__(self, "whatif", self.check(self.whatif))

    def check(self, value: Any) -> ParameterValue:
        """The value in its engine form (a float, or a tuple of pot names).

        Raises:
            ValueError: If the value does not fit the parameter (English: the engine
                shows nothing to users; the scenario schema checks files first).
        """
        if self.kind == "pots":
            if isinstance(value, str) or not isinstance(value, Sequence) or not value:
                raise ValueError(f"{self.name}: expected a non-empty list of pots, got {value!r}")
            unknown = [p for p in value if p not in POTS]
            if unknown:
                raise ValueError(f"{self.name}: unknown pot {unknown[0]!r} (pots: {POTS})")
            return tuple(str(p) for p in value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{self.name}: expected a number, got {value!r}")
        number = float(value)
        if not (math.isfinite(number) and self.low <= number <= self.high):
            raise ValueError(f"{self.name}: {number!r} is not between {self.low} and {self.high}")
        return number

    def same_meaning(self, other: SchemeParameter) -> bool:
        """Whether two schemes' parameters of one name can share it in scenario files."""
        return (self.kind, self.unit, self.low, self.high) == (
            other.kind,
            other.unit,
            other.low,
            other.high,
        )


# =========================================================================== closing


@dataclass
class Closing:
    """Year-end closing of every (region, pot), in cents.

    Identity per region and pot: ``allocation + carry_in + transfer_in - transfer_out
    = spent + carry_out + result``, where ``spent`` includes bonus (positive) and
    malus (negative) bookings made at the closing.
    """

    allocation: np.ndarray
    carry_in: np.ndarray
    spent: np.ndarray
    transfer_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    transfer_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    carry_out: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    result: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bonus: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per region, cents paid as bonus (already part of ``spent``)."""
    malus: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per region, cents charged as malus (already part of ``spent``, as a negative)."""
    next_carry_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Carry-in of next year per (region, pot)."""
    regional2_overflow: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per region, cents of regional budget 2's part of its helps' bills that the
    central budget paid because the region's money was used up (not in ``spent``):
    the region's overrun."""

    def __post_init__(self) -> None:
        shape = self.allocation.shape
        for name in ("transfer_in", "transfer_out", "carry_out", "result", "next_carry_in"):
            if getattr(self, name).size == 0:
                setattr(self, name, np.zeros(shape, dtype=np.int64))
        for name in ("bonus", "malus", "regional2_overflow"):
            if getattr(self, name).size == 0:
                setattr(self, name, np.zeros(shape[0], dtype=np.int64))

    @property
    def available(self) -> np.ndarray:
        """Money available per (region, pot) after transfers."""
        return self.allocation + self.carry_in + self.transfer_in - self.transfer_out

    @property
    def cost(self) -> np.ndarray:
        """What the year's helps cost each (region, pot), in cents.

        ``spent``, and for regional budget 2 also its part that the central budget
        paid once the region's money was used up (``regional2_overflow``): the
        region's overrun, not a saving.
        """
        cost = self.spent.copy()
        cost[:, R2] += self.regional2_overflow
        return cost


class IncentiveScheme:
    """Base of every scheme: pay per case, every balance goes to the Kreis.

    A scheme class sets the class attributes below and overrides what differs; it
    reads its parameters from :attr:`params` (``self.params.retention_share``).
    """

    name: ClassVar[str] = ""
    """Code in scenario files and the store (lower case, digits, ``_``)."""
    label: ClassVar[str] = ""
    """German name: the one wording of dashboard, briefing, exports and documentation."""
    description: ClassVar[str] = ""
    """German description: what the scheme does at the closing and where it is used."""
    legal_note: ClassVar[str] = ""
    """German note on a legal risk (empty if none is known): shown with the scheme in
    the dashboard, the briefing and the documentation."""
    parameters: ClassVar[tuple[SchemeParameter, ...]] = ()
    """The scheme's own parameters, in the order files and tables show them."""

    def __init__(self, params: IncentiveParams) -> None:
        self.params = params

    def savings_signal(self, pot: int) -> float:
        """Reward for saving on helps paid from ``pot`` (0..1)."""
        return 0.0

    def flat_pots(self) -> tuple[int, ...]:
        """Pots paid to the Sozialraumträger as a flat budget."""
        return ()

    def incentive_payments(self, closing: Closing) -> tuple[np.ndarray, np.ndarray]:
        """Bonus and malus per region in cents, before the balances are settled."""
        n = closing.allocation.shape[0]
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)

    def settle(self, closing: Closing) -> None:
        """Set transfers, carry-overs and results from the balances (in place)."""
        closing.result = closing.available - closing.spent


# =========================================================================== registry

SCHEMES: dict[str, type[IncentiveScheme]] = {}
"""The registered schemes by name, in registration order (see :func:`register`)."""


def register(cls: type[IncentiveScheme]) -> type[IncentiveScheme]:
    """Add a scheme class to :data:`SCHEMES` (usable as a class decorator).

    The class must set its own ``name``, ``label`` and ``description``; a parameter
    name another registered scheme uses must mean the same there (kind, unit, range),
    since scenario files address it as ``incentive.<name>`` either way.

    Raises:
        ValueError: For a name already registered, a missing label or description,
            a parameter named twice or a parameter name used with another meaning.
    """
    own = vars(cls)
    for attr in ("name", "label", "description"):
        text = own.get(attr)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{cls.__name__} must set its own {attr}")
    name = cls.name
    if not _NAME.match(name):
        raise ValueError(f"scheme name {name!r}: lower case letters, digits and _ only")
    if name in SCHEMES:
        raise ValueError(f"incentive scheme {name!r} is already registered")
    names = [p.name for p in cls.parameters]
    if len(set(names)) != len(names):
        raise ValueError(f"{name}: a parameter is named twice")
    known = parameters_by_name()
    for p in cls.parameters:
        if p.name in known and not known[p.name].same_meaning(p):
            raise ValueError(f"{name}: parameter {p.name!r} has another meaning in another scheme")
    SCHEMES[name] = cls
    return cls


def unregister(name: str) -> type[IncentiveScheme]:
    """Remove a scheme from :data:`SCHEMES` (a test that registered one cleans up).

    Raises:
        ValueError: For an unknown scheme name.
    """
    cls = scheme_class(name)
    del SCHEMES[name]
    return cls


def scheme_class(name: str) -> type[IncentiveScheme]:
    """The registered class of a scheme name.

    Raises:
        ValueError: For an unknown scheme name.
    """
    try:
        return SCHEMES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown incentive scheme {name!r}") from None


def scheme_names() -> tuple[str, ...]:
    """Names of the registered schemes, in registration order."""
    return tuple(SCHEMES)


def parameters_by_name() -> dict[str, SchemeParameter]:
    """Every registered scheme's parameters by name (first declaration of a shared name)."""
    out: dict[str, SchemeParameter] = {}
    for cls in SCHEMES.values():
        for p in cls.parameters:
            out.setdefault(p.name, p)
    return out


def scheme_values(name: str, given: Mapping[str, Any]) -> dict[str, ParameterValue]:
    """A scheme's complete parameter values: the given ones checked, defaults for the rest.

    Args:
        name: A registered scheme name.
        given: Parameter name → value; only the scheme's own parameters.

    Returns:
        Every parameter of the scheme in declaration order, in engine form.

    Raises:
        ValueError: For an unknown scheme, a parameter of another scheme or a value
            that does not fit.
    """
    cls = scheme_class(name)
    own = {p.name: p for p in cls.parameters}
    foreign = [k for k in given if k not in own]
    if foreign:
        allowed = ", ".join(own) or "none"
        raise ValueError(
            f"incentive scheme {name!r} has no parameter {foreign[0]!r} (parameters: {allowed})"
        )
    return {k: p.check(given[k]) if k in given else p.default for k, p in own.items()}


def make_scheme(params: IncentiveParams) -> IncentiveScheme:
    """The scheme object for the parameters.

    Raises:
        ValueError: For an unknown scheme name.
    """
    return scheme_class(params.scheme)(params)


# =========================================================================== the schemes


@register
class NoIncentive(IncentiveScheme):
    """Pay per case; every balance is the Kreis's year result."""

    name = "none"
    label = "kein Anreizsystem (Bezahlung je Fall)"
    description = (
        "Die Träger werden je Fall bezahlt (Fachleistungsstunden, Tagessätze); was eine "
        "Region nicht verbraucht oder überzieht, ist Jahresergebnis des Kreises. So rechnen "
        "Lüneburg vor der Reform und Potsdam-Mittelmark."
    )


@register
class Retention(IncentiveScheme):
    """Share of unspent regional budget 2 kept by the region for next year's projects."""

    name = "retention"
    label = "Rückbehalt"
    description = (
        "Ein Anteil des nicht verbrauchten regionalen Budgets 2 bleibt der Region: er wird "
        "im Folgejahr regionales Budget 1 für Präventionsprojekte derselben Region; der Rest "
        "und jede Überschreitung sind Jahresergebnis des Kreises. Eine Lüneburger "
        "Reformvariante (das Anreizsystem ist dort noch zu entwickeln, Vorlage 2024/012)."
    )
    parameters = (
        SchemeParameter(
            "retention_share",
            "Anteil des nicht verbrauchten regionalen Budgets 2, der ins regionale Budget 1 "
            "des Folgejahres geht",
            "number",
            default=0.0,
            whatif=0.5,
            whatif_assumption=(
                "wie lueneburg-rb2-20-rueckbehalt: die Hälfte der nicht verbrauchten Mittel "
                "bleibt der Region"
            ),
        ),
    )

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        return self.params.retention_share if pot == R2 else 0.0

    def settle(self, closing: Closing) -> None:  # noqa: D102
        balance = closing.available - closing.spent
        kept = np.zeros_like(balance)
        surplus = np.maximum(balance[:, R2], 0)
        kept[:, R2] = np.floor(surplus * self.params.retention_share).astype(np.int64)
        closing.carry_out = kept
        closing.next_carry_in[:, R1] += kept[:, R2]
        closing.result = balance - kept


@register
class BonusMalus(IncentiveScheme):
    """Bonus below and malus above a target corridor around regional budget 2."""

    name = "bonus_malus"
    label = "Bonus/Malus"
    description = (
        "Um das regionale Budget 2 jeder Region liegt ein Zielkorridor: von der Einsparung "
        "unter dem Korridor erhält der Sozialraumträger einen Anteil als Bonus, von der "
        "Überschreitung über dem Korridor trägt er einen Anteil als Malus. Eine Lüneburger "
        "Reformvariante (Vorlage 2024/012)."
    )
    legal_note = (
        "Rechtliches Risiko: Ein Malus belastet Träger mit Kosten bewilligter Hilfen, auf die "
        "ein Rechtsanspruch besteht (§27 SGB VIII). Nach VG Hamburg 13 K 1532/12 darf eine "
        "Finanzierung den Rechtsanspruch nicht begrenzen; ein Malus darf nicht dazu führen, "
        "dass nötige Hilfen unterbleiben. Vor einer Einführung rechtlich prüfen."
    )
    parameters = (
        SchemeParameter(
            "corridor",
            "halbe Breite des Zielkorridors (relativ zum Budget)",
            "number",
            default=0.05,
            whatif=0.05,
            whatif_assumption=(
                "Zielkorridor ±5 % um das Budget, wie in der Bonus/Malus-Variante der Bibliothek"
            ),
        ),
        SchemeParameter(
            "bonus_share",
            "Anteil der Einsparung unter dem Korridor, der ausgezahlt wird",
            "number",
            default=0.0,
            whatif=0.5,
            whatif_assumption=(
                "die Hälfte der Einsparung unter dem Korridor als Bonus, wie in der Bibliothek"
            ),
        ),
        SchemeParameter(
            "malus_share",
            "Anteil der Überschreitung über dem Korridor, der belastet wird",
            "number",
            default=0.0,
            whatif=0.25,
            whatif_assumption=(
                "ein Viertel der Überschreitung über dem Korridor als Malus, wie in "
                "lueneburg-rb2-30-bonus-malus"
            ),
        ),
    )

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        p = self.params
        return min(1.0, p.bonus_share + p.malus_share) if pot == R2 else 0.0

    def incentive_payments(self, closing: Closing) -> tuple[np.ndarray, np.ndarray]:  # noqa: D102
        p = self.params
        budget = closing.available[:, R2].astype(float)
        spent = closing.cost[:, R2].astype(float)
        lower, upper = budget * (1 - p.corridor), budget * (1 + p.corridor)
        bonus = np.floor(np.maximum(lower - spent, 0) * p.bonus_share).astype(np.int64)
        malus = np.floor(np.maximum(spent - upper, 0) * p.malus_share).astype(np.int64)
        bonus[budget <= 0] = 0
        malus[budget <= 0] = 0
        return bonus, malus


@register
class Flat(IncentiveScheme):
    """Flat Sozialraum budget: the Sozialraumträger carries the risk of regional budget 2."""

    name = "flat"
    label = "Pauschalbudget"
    description = (
        "Der Sozialraumträger erhält das regionale Budget 2 als Pauschale in Quartalsraten "
        "und trägt das Risiko der Fallkosten: was er einspart, behält er, Mehrkosten trägt "
        "er selbst (Celle, Ulm). Das verlagert das Fallkostenrisiko auf die Träger; "
        "ambulante Hilfen über einen Träger je Sozialraum hat das VG Lüneburg 2005 gestoppt."
    )
    legal_note = (
        "Rechtliches Risiko: Ein Pauschalbudget legt die Kosten von Hilfen, auf die ein "
        "Rechtsanspruch besteht (§27 SGB VIII), auf einen Träger je Sozialraum. Das VG "
        "Lüneburg hat am 20.12.2005 Lüneburgs Plan gestoppt, ambulante Hilfen zur Erziehung "
        "über einen Träger je Sozialraum zu erbringen; nach VG Hamburg 13 K 1532/12 darf eine "
        "Pauschalfinanzierung den Rechtsanspruch nicht begrenzen. Im Modell wird keine Hilfe "
        "verweigert; das Risiko trägt der Träger mit seinen Rücklagen."
    )

    def savings_signal(self, pot: int) -> float:  # noqa: D102
        return 1.0 if pot == R2 else 0.0

    def flat_pots(self) -> tuple[int, ...]:  # noqa: D102
        return (R2,)


@register
class Balancing(IncentiveScheme):
    """Regional balances of some pots are evened out between regions (Ulm §7.2)."""

    name = "balancing"
    label = "Ausgleich zwischen Regionen"
    description = (
        "Überschüsse und Fehlbeträge der Regionen werden in den gewählten Töpfen zum "
        "Jahresende gegeneinander ausgeglichen, anteilig und auf den Cent genau; was danach "
        "bleibt, ist Jahresergebnis des Kreises (Ulm §7.2: Ausgleich zwischen den "
        "Sozialräumen)."
    )
    parameters = (
        SchemeParameter(
            "balancing_pots",
            "Töpfe, deren regionale Salden zum Jahresende ausgeglichen werden",
            "pots",
            default=("regional_2",),
            whatif=("regional_2",),
            whatif_assumption=(
                "regionales Budget 2, wie in lueneburg-rb2-20-ausgleich (Ulm gleicht auch "
                "das regionale Budget 1 aus)"
            ),
            unit="",
            required=False,
        ),
    )

    def settle(self, closing: Closing) -> None:  # noqa: D102
        for pot_name in self.params.balancing_pots:
            k = POTS.index(pot_name)
            # an overrun of regional budget 2 the central budget paid is a deficit too
            balance = closing.available[:, k] - closing.cost[:, k]
            surplus = np.maximum(balance, 0)
            deficit = np.maximum(-balance, 0)
            moved = int(min(surplus.sum(), deficit.sum()))
            if moved == 0:
                continue
            closing.transfer_out[:, k] = _share_out(moved, surplus)
            closing.transfer_in[:, k] = _share_out(moved, deficit)
        closing.result = closing.available - closing.spent


def _share_out(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` cents in proportion to ``weights`` exactly (largest remainder)."""
    w = weights.astype(float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    if rest:
        order = np.argsort(-(raw - base), kind="stable")
        base[order[:rest]] += 1
    return base


__all__ = [
    "R1",
    "R2",
    "SCHEMES",
    "Balancing",
    "BonusMalus",
    "Closing",
    "Flat",
    "IncentiveScheme",
    "NoIncentive",
    "ParameterValue",
    "Retention",
    "SchemeParameter",
    "make_scheme",
    "parameters_by_name",
    "register",
    "scheme_class",
    "scheme_names",
    "scheme_values",
    "unregister",
]
