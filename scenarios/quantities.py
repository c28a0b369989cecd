"""Quantities: numbers with a unit and a provenance, and the unit each field expects.

Every number in a scenario file is a *quantity*: a value with a unit and either a
``source`` (where the figure comes from) or an ``assumption`` (why it was chosen
where no figure exists), never both, never neither::

    bound_share: {value: 0.7, unit: share, assumption: "Hebel der Reformvariante"}
    fls_rate: {value: 75.0, unit: EUR/FLS, assumption: "kein Lüneburger Wert; Fürth 69,80 € (2024)"}

This module holds the quantity kinds (which values are allowed, with German
messages), :class:`Unit` and :func:`q` (the unit a field requires, checked before the
value, so a share given in percent is reported as a wrong unit), the field types the
sections use (``Share``, ``EurYear``, …), what an annotation says about a quantity
(:func:`is_quantity_type`, :func:`declared_unit`), the one rule for whether a raw
document node is a quantity (:func:`is_quantity_node`) and the walk that collects the
provenance and unit of every quantity of a validated model (:func:`walk_quantities`).

References:
    PolicyEngine parameter YAML (value, unit, reference metadata), as described in
    the project's STYLE notes.
"""

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from scenarios import limits
from scenarios.formatting import fmt_pct, fmt_value
from scenarios.limits import MAX_NAME_CHARS, MAX_PROVENANCE_CHARS, too_large

SHARE_SUM_TOLERANCE = 1e-9
"""How far a distribution may deviate from a sum of 1 (rounding in the file)."""

STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
"""Model configuration of every quantity and section: strict, frozen, no unknown keys."""

# =========================================================================== quantities


class Quantity(BaseModel):
    """A number with unit and provenance (exactly one of ``source``/``assumption``)."""

    model_config = STRICT

    value: Any
    unit: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    source: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Where the figure comes from: publication, table, year, URL."""
    assumption: str | None = Field(default=None, max_length=MAX_PROVENANCE_CHARS)
    """Why the value was chosen where no figure exists, ideally with a range."""

    @model_validator(mode="after")
    def _exactly_one_provenance(self) -> "Quantity":
        has_source = bool(self.source and self.source.strip())
        has_assumption = bool(self.assumption and self.assumption.strip())
        if has_source and has_assumption:
            raise ValueError(
                "entweder source (Quelle) oder assumption (Annahme) angeben, nicht beides"
            )
        if not has_source and not has_assumption:
            raise ValueError("Herkunft fehlt: source (Quelle) oder assumption (Annahme) angeben")
        return self

    @property
    def provenance(self) -> str:
        """``Quelle: …`` or ``Annahme: …`` for :attr:`ModelParams.provenance`."""
        if self.source and self.source.strip():
            return f"Quelle: {' '.join(self.source.split())}"
        return f"Annahme: {' '.join(str(self.assumption).split())}"


def sum_text(total: float) -> str:
    """A sum as a percentage with enough digits to show that it is not 100 %."""
    decimals = 1
    while decimals < 12 and round(total * 100.0, decimals) == 100.0:
        decimals += 1
    return fmt_pct(total, decimals)


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise ValueError("Wert muss eine endliche Zahl sein")
    return x


class NumberQuantity(Quantity):
    """Any finite number; subclasses narrow the allowed values with :meth:`problem`."""

    value: float

    @classmethod
    def problem(cls, v: float) -> str | None:
        """Why ``v`` is not allowed (German), or None if it is."""
        return None

    @field_validator("value")
    @classmethod
    def _check(cls, v: float) -> float:
        message = cls.problem(_finite(v))
        if message:
            raise ValueError(message)
        return v


class NonNegativeQuantity(NumberQuantity):
    """A number >= 0."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {fmt_value(v)} ist negativ; erlaubt sind Werte ab 0" if v < 0 else None


class PositiveQuantity(NumberQuantity):
    """A number > 0."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {fmt_value(v)} muss größer als 0 sein" if v <= 0 else None


class GroupSizeQuantity(NumberQuantity):
    """Families sharing one FLS: at least 1."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return "Gruppengröße muss mindestens 1 sein" if v < 1 else None


class ShareQuantity(NumberQuantity):
    """A share or probability in [0, 1]."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        return None if 0.0 <= v <= 1.0 else f"Wert {fmt_value(v)} liegt nicht zwischen 0 und 1"


class PositiveShareQuantity(NumberQuantity):
    """A share in (0, 1]."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        if 0.0 < v <= 1.0:
            return None
        return f"Wert {fmt_value(v)} liegt nicht zwischen 0 (ausgeschlossen) und 1"


class GrowthQuantity(NumberQuantity):
    """A relative change per year, > -1 and at most :data:`limits.MAX_GROWTH_PER_YEAR`."""

    @classmethod
    def problem(cls, v: float) -> str | None:
        if v <= -1.0:
            return f"Wert {fmt_value(v)} muss größer als -1 sein"
        if v > limits.MAX_GROWTH_PER_YEAR:
            return too_large(
                v,
                limits.MAX_GROWTH_PER_YEAR,
                "",
                "+25 % je Jahr; so schnell wachsen weder Kreise noch ihre Haushalte",
            )
        return None


class CountQuantity(NumberQuantity):
    """A whole number >= 0."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {v} ist negativ; erlaubt sind ganze Zahlen ab 0" if v < 0 else None


class PositiveIntQuantity(NumberQuantity):
    """A whole number >= 1."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return f"Wert {v} muss eine ganze Zahl ab 1 sein" if v < 1 else None


class YearQuantity(NumberQuantity):
    """A calendar year."""

    value: int

    @classmethod
    def problem(cls, v: float) -> str | None:
        return None if 1900 <= v <= 2200 else f"Jahr {v} liegt nicht zwischen 1900 und 2200"


def capped(
    kind: type[NumberQuantity], maximum: float, unit: str, why: str, name: str
) -> type[NumberQuantity]:
    """A subclass of ``kind`` whose values may not exceed ``maximum`` in magnitude.

    The limit applies wherever ``kind``'s :meth:`~NumberQuantity.problem` does: to the
    quantity in a file and to the range of an uncertainty declared on it.

    Args:
        kind: The quantity class to narrow.
        maximum: Largest allowed value (and, for signed values, smallest ``-maximum``).
        unit: German unit shown after the limit (``€ je Jahr``).
        why: Short German reason of the limit, shown in the message.
        name: Class name (ends in ``Quantity``).

    Returns:
        The new quantity class.
    """

    def problem(cls: type[NumberQuantity], v: float) -> str | None:
        first = kind.problem(v)
        if first:
            return first
        if v < -maximum:
            limit = f"{limits.shown_number(-maximum)} {unit}"
            return f"Wert {limits.shown_number(v)} ist zu klein; mindestens {limit} ({why})"
        return too_large(v, maximum, unit, why) if v > maximum else None

    return type(
        name,
        (kind,),
        {
            "__module__": __name__,
            "__doc__": f"{kind.__doc__.rstrip('.')}, at most {maximum:g} ({unit}).",
            "__annotations__": {"maximum": ClassVar[float]},
            "maximum": maximum,
            "problem": classmethod(problem),
        },
    )


_MONTHS_WHY = "länger als eine Kindheit dauert nichts in der Jugendhilfe"
_EUR_WHY = "mehr gibt kein Kreis aus"

EurAmountQuantity = capped(
    NonNegativeQuantity, limits.MAX_EUR_AMOUNT, "€ je Jahr", _EUR_WHY, "EurAmountQuantity"
)
PosEurAmountQuantity = capped(
    PositiveQuantity, limits.MAX_EUR_AMOUNT, "€ je Jahr", _EUR_WHY, "PosEurAmountQuantity"
)
SignedEurQuantity = capped(
    NumberQuantity,
    limits.MAX_EUR_AMOUNT,
    "€",
    "so hohe Rücklagen hat kein Träger",
    "SignedEurQuantity",
)
EurPerFlsQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_FLS,
    "€ je FLS",
    "reale Sätze liegen bei 50 bis 100 €",
    "EurPerFlsQuantity",
)
EurPerDayQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_DAY,
    "€ je Tag",
    "auch die teuerste Unterbringung kostet weit weniger",
    "EurPerDayQuantity",
)
EurPerFteMonthQuantity = capped(
    PositiveQuantity,
    limits.MAX_EUR_PER_FTE_MONTH,
    "€ je Monat",
    "eine Vollzeitstelle kostet rund 6.000 bis 8.000 €",
    "EurPerFteMonthQuantity",
)
MonthCountQuantity = capped(
    CountQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "MonthCountQuantity"
)
PosMonthCountQuantity = capped(
    PositiveIntQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "PosMonthCountQuantity"
)
PosMonthsQuantity = capped(
    PositiveQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "PosMonthsQuantity"
)
HalfLifeMonthsQuantity = capped(
    NonNegativeQuantity, limits.MAX_MONTHS, "Monate", _MONTHS_WHY, "HalfLifeMonthsQuantity"
)
YearsQuantity = capped(
    PositiveIntQuantity, limits.MAX_YEARS, "Jahre", limits.YEARS_WHY, "YearsQuantity"
)
FteQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_FTE,
    "Vollzeitstellen",
    "so viele Stellen hat kein Träger in einem Kreis",
    "FteQuantity",
)
FlsPerWeekQuantity = capped(
    PositiveQuantity,
    limits.MAX_FLS_PER_WEEK,
    "FLS je Woche",
    "eine Woche hat 168 Stunden",
    "FlsPerWeekQuantity",
)
HoursPerYearQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_HOURS_PER_YEAR,
    "Stunden je Jahr",
    "das wären 600 Vollzeitstellen",
    "HoursPerYearQuantity",
)
ProposalsPerYearQuantity = capped(
    NonNegativeQuantity,
    limits.MAX_PROPOSALS_PER_YEAR,
    "Anträge je Jahr",
    "ein Sozialraum sieht einige Dutzend",
    "ProposalsPerYearQuantity",
)


def _months_problem(v: list[int]) -> str | None:
    """Why a list of months is not allowed (a month beyond :data:`limits.MAX_MONTHS`)."""
    for x in v:
        if x > limits.MAX_MONTHS:
            return too_large(x, limits.MAX_MONTHS, "Monate", _MONTHS_WHY)
    return None


class DistributionQuantity(Quantity):
    """Shares that sum to 1 (e.g. P(1 child), P(2 children), ...)."""

    value: list[float] = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[float]) -> list[float]:
        for i, x in enumerate(v):
            if not 0.0 <= _finite(x) <= 1.0:
                raise ValueError(
                    f"Eintrag {i + 1}: Wert {fmt_value(x)} liegt nicht zwischen 0 und 1"
                )
        total = math.fsum(v)
        if abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise ValueError(f"Anteile ergeben nicht 100 % (Summe {sum_text(total)})")
        return v


class IntRangeQuantity(Quantity):
    """A range ``[min, max]`` of whole numbers >= 0."""

    value: list[int] = Field(min_length=2, max_length=2)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[int]) -> list[int]:
        lo, hi = v
        if lo < 0 or hi < lo:
            raise ValueError(
                f"Bereich {fmt_value(v)} ungültig: erwartet [min, max] mit 0 ≤ min ≤ max"
            )
        return v


class IntChoicesQuantity(Quantity):
    """A non-empty list of whole numbers >= 1."""

    value: list[int] = Field(min_length=1)

    @field_validator("value")
    @classmethod
    def _check(cls, v: list[int]) -> list[int]:
        bad = [x for x in v if x < 1]
        if bad:
            raise ValueError(f"Wert {fmt_value(bad[0])} muss eine ganze Zahl ab 1 sein")
        return v


class MonthRangeQuantity(IntRangeQuantity):
    """A range of months, each at most :data:`limits.MAX_MONTHS`."""

    @field_validator("value")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        problem = _months_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class MonthChoicesQuantity(IntChoicesQuantity):
    """Choices of months, each at most :data:`limits.MAX_MONTHS`."""

    @field_validator("value")
    @classmethod
    def _months(cls, v: list[int]) -> list[int]:
        problem = _months_problem(v)
        if problem:
            raise ValueError(problem)
        return v


def _shown(text: str, width: int = 60) -> str:
    """A text from a file as echoed in a message: at most ``width`` characters."""
    return text if len(text) <= width else f"{text[: width - 1]}…"


@dataclass(frozen=True)
class Unit:
    """The unit a field expects; used as a validator and as metadata for overrides."""

    name: str

    def __call__(self, q: Quantity) -> Quantity:
        """Check the quantity's unit."""
        if q.unit != self.name:
            raise ValueError(f"Einheit „{_shown(q.unit)}“ passt nicht; erwartet „{self.name}“")
        return q

    def before(self, raw: Any) -> Any:
        """Check the unit of a raw quantity before its value.

        A share written as ``{value: 70, unit: percent}`` is reported as a wrong
        unit, not as a value outside 0 to 1.
        """
        unit = raw.get("unit") if isinstance(raw, dict) else None
        if isinstance(unit, str) and unit and unit != self.name:
            raise ValueError(f"Einheit „{_shown(unit)}“ passt nicht; erwartet „{self.name}“")
        return raw


def q(kind: type[Quantity], unit: str) -> Any:
    """Annotated quantity type of ``kind`` that requires ``unit``."""
    checker = Unit(unit)
    return Annotated[kind, BeforeValidator(checker.before), AfterValidator(checker), checker]


Share = q(ShareQuantity, "share")
ShareMonth = q(ShareQuantity, "share/month")
ProbMonth = q(ShareQuantity, "probability/month")
GrowthYear = q(GrowthQuantity, "share/year")
EurYear = q(EurAmountQuantity, "EUR/year")
PosEurYear = q(PosEurAmountQuantity, "EUR/year")
Eur = q(SignedEurQuantity, "EUR")
PosEurMonth = q(EurPerFteMonthQuantity, "EUR/month")
PosEurFls = q(EurPerFlsQuantity, "EUR/FLS")
PosEurDay = q(EurPerDayQuantity, "EUR/day")
NeedLevel = q(NonNegativeQuantity, "need")
NeedWeight = q(NumberQuantity, "need")
NeedPerMonth = q(NonNegativeQuantity, "need/month")
SignedNeedPerMonth = q(NumberQuantity, "need/month")
NeedPerYear = q(NumberQuantity, "need/year")
Factor = q(NonNegativeQuantity, "factor")
RelChange = q(NonNegativeQuantity, "share")
PosFactor = q(PositiveQuantity, "factor")
Months = q(MonthCountQuantity, "months")
PosMonths = q(PosMonthCountQuantity, "months")
PosMonthsFloat = q(PosMonthsQuantity, "months")
MonthRange = q(MonthRangeQuantity, "months")
MonthChoices = q(MonthChoicesQuantity, "months")
Ages = q(NonNegativeQuantity, "years")
PosYears = q(YearsQuantity, "years")
CalendarYear = q(YearQuantity, "year")
Fte = q(FteQuantity, "FTE")
HoursYear = q(HoursPerYearQuantity, "hours/year")
AppointmentsMonth = q(PositiveQuantity, "appointments/month")
FlsMonth = q(PositiveQuantity, "FLS/month")
FlsWeek = q(FlsPerWeekQuantity, "FLS/week")
PlacesPer1000 = q(NonNegativeQuantity, "places/1000 u21")
FamiliesPer10k = q(NonNegativeQuantity, "families/10000 EUR")
ProposalsYear = q(ProposalsPerYearQuantity, "proposals/year")
GroupSize = q(GroupSizeQuantity, "families/FLS")
DegreesOfFreedom = q(NonNegativeQuantity, "df")
Distribution = q(DistributionQuantity, "share")
ScaleShare = q(PositiveShareQuantity, "share")

# =========================================================================== annotations


def strip_annotation(tp: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """(bare type, Annotated metadata, optional?) of an annotation."""
    meta: tuple[Any, ...] = ()
    optional = False
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            args = get_args(tp)
            tp, meta = args[0], meta + tuple(args[1:])
            continue
        if origin is Union or origin is types.UnionType:
            args = [a for a in get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(get_args(tp))
            if len(args) == 1:
                tp = args[0]
                continue
        return tp, meta, optional


def is_quantity_type(tp: Any) -> bool:
    """Whether an annotation (possibly Annotated/Optional) is a quantity type."""
    bare, _, _ = strip_annotation(tp)
    return isinstance(bare, type) and issubclass(bare, Quantity)


def declared_unit(tp: Any) -> str | None:
    """The unit a quantity annotation requires, if any."""
    _, meta, _ = strip_annotation(tp)
    for m in meta:
        if isinstance(m, Unit):
            return m.name
    return None


def is_quantity_node(node: Any) -> bool:
    """Whether a raw document node (YAML data, not a model) is a quantity.

    A quantity is a mapping with a ``value`` and a textual ``unit`` (the schema
    requires both). A mapping of names to quantities never counts, even if its keys
    happen to be ``value`` and ``unit``: its ``unit`` entry is itself a mapping.

    >>> is_quantity_node({"value": 0.7, "unit": "share", "source": "Haushalt 2024"})
    True
    >>> is_quantity_node({"Region 1": {"value": 10.0, "unit": "hours/year"}})
    False
    >>> is_quantity_node({"value": {"value": 1, "unit": "x"}, "unit": {"value": 2, "unit": "x"}})
    False
    """
    return isinstance(node, Mapping) and "value" in node and isinstance(node.get("unit"), str)


def document_items(model: BaseModel) -> list[tuple[str, Any]]:
    """A validated section's keys and values as its file writes them.

    Its fields, unless the model says otherwise with a ``document_items`` method
    (the incentive section writes its scheme's parameters beside ``scheme``).
    """
    own = getattr(model, "document_items", None)
    if callable(own):
        return list(own())
    return [(name, getattr(model, name)) for name in type(model).model_fields]


def walk_quantities(
    model: BaseModel, prefix: str = ""
) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(path, provenance) and units of every quantity below a model, in field order.

    List items are named by their ``name`` or ``code`` (else their position), dict
    entries by their key, so the paths are the dotted paths of the document.

    Args:
        model: A validated section or document.
        prefix: Dotted path of ``model`` itself (empty for a whole file).

    Returns:
        ``(provenance, units)``: ``[(path, "Quelle: …" or "Annahme: …"), …]`` and
        ``{path: unit}``.
    """
    prov: list[tuple[str, str]] = []
    units: dict[str, str] = {}

    def visit(obj: Any, path: str) -> None:
        if isinstance(obj, Quantity):
            prov.append((path, obj.provenance))
            units[path] = obj.unit
        elif isinstance(obj, BaseModel):
            for key, value in document_items(obj):
                visit(value, f"{path}.{key}" if path else key)
        elif isinstance(obj, list):
            for i, item in enumerate(obj):
                label = getattr(item, "name", None) or getattr(item, "code", None) or str(i)
                visit(item, f"{path}.{label}")
        elif isinstance(obj, dict):
            for k, v in obj.items():
                visit(v, f"{path}.{k}")

    visit(model, prefix)
    return prov, units


__all__ = [
    "SHARE_SUM_TOLERANCE",
    "STRICT",
    "NumberQuantity",
    "Quantity",
    "Unit",
    "capped",
    "declared_unit",
    "document_items",
    "is_quantity_node",
    "is_quantity_type",
    "q",
    "strip_annotation",
    "sum_text",
    "walk_quantities",
]
