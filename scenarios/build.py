"""Building a scenario: engine parameters, provenance and the content hash, once.

:func:`build` turns a resolved scenario document (after ``extends``, overrides and
calibration; see :mod:`scenarios.loader`) into the frozen :class:`Scenario`: it
reads the data files the document names, applies the scenario's help-type values,
checks the names the schema cannot check alone (regions, help-type codes, leaders of
regions) and the declarations (metrics, ranges), builds
:class:`model.params.ModelParams` with the provenance of every quantity, checks the
scenario's size and hashes its content (the resolved document without the data-file
paths, plus the sha256 of each data file), so equal hashes mean equal inputs,
wherever the files lie.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from model.params import (
    BudgetParams,
    CounsellingParams,
    HelpType,
    IncentiveParams,
    ModelParams,
    Municipality,
    NeedParams,
    OfficeSpec,
    PopulationParams,
    ProjectParams,
    ProviderParams,
    ProviderSpec,
    QuotaParams,
    RecognitionParams,
    Region,
    carried_by_regional2,
)
from scenarios.calibration_file import CalibrationSource
from scenarios.datafiles import MAX_CSV_BYTES, load_help_types, load_municipalities
from scenarios.declarations import (
    LeverSection,
    OutcomeSection,
    UncertaintySection,
    check_declared_values,
)
from scenarios.documents import FILE_FIELDS, ScenarioDoc
from scenarios.errors import Loc, ScenarioError, display_path
from scenarios.formatting import fmt_value
from scenarios.limits import check_scenario_size
from scenarios.paths import copy_tree, value_with_help_types
from scenarios.quantities import Quantity, walk_quantities
from scenarios.safe_yaml import MAX_YAML_BYTES, path_problem, read_limited
from scenarios.sozialraeume import load_indicators


@dataclass(frozen=True)
class MunicipalityRecord:
    """One row of a municipality data file."""

    region: str
    name: str
    population: int
    area_km2: float
    year: int
    source: str


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario.

    Attributes:
        name: Scenario name (the file name without ``.yaml``).
        description: German description for users.
        path: The scenario file.
        sha256: Hash of the resolved content (merged document plus the contents of
            the data files); equal hashes mean equal inputs.
        params: The engine parameters, built once.
        extends: Name or path of the base scenario, for variants.
        content: The canonical JSON that :attr:`sha256` hashes.
        units: Unit of every quantity by dotted path.
        title: Short German title for lists (None: not given).
        levers: What the Kreis decides, as declared in the file.
        uncertainties: Uncertain assumptions with their ranges.
        outcomes: Outcomes compared between scenarios, with the better direction.
        doc: The resolved document (raw YAML data, after ``extends`` and overrides).
        calibration_draws: Posterior draws batches use (empty: none or point only).
        calibrated_paths: Parameters the calibration file sets (empty: uncalibrated).
        calibration_source: The calibration file applied and the scenario file naming
            it (None: loaded without a calibration file).
        resolved: The resolved document it was built from, so that further overrides
            can be applied in memory (:func:`scenarios.loader.derive_scenario`); not
            compared, not pickled.
    """

    name: str
    description: str
    path: Path
    sha256: str
    params: ModelParams
    extends: str | None = None
    content: str = field(default="", repr=False)
    units: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    title: str | None = None
    levers: tuple[LeverSection, ...] = ()
    uncertainties: tuple[UncertaintySection, ...] = ()
    outcomes: tuple[OutcomeSection, ...] = ()
    doc: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    calibration_draws: tuple[Mapping[str, float], ...] = field(default=(), repr=False)
    calibrated_paths: tuple[str, ...] = ()
    calibration_source: CalibrationSource | None = field(default=None, repr=False)
    resolved: Resolved | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without :attr:`resolved` (it holds line lookups, which do not pickle)."""
        return {k: v for k, v in self.__dict__.items() if k != "resolved"}

    def value_at(self, path: str) -> Any:
        """The value of the parameter at a concrete dotted path (quantities unwrapped).

        A help-type path the scenario does not set is the help-type file's value.

        >>> from scenarios import load_scenario
        >>> s = load_scenario("lueneburg-status-quo")
        >>> s.value_at("budget.regional2_share")
        0.0
        """
        return value_with_help_types(self.doc, self.params.help_types, path)

    @property
    def provenance(self) -> tuple[tuple[str, str], ...]:
        """(dotted path, ``Quelle: …`` or ``Annahme: …``) for every quantity."""
        return self.params.provenance


@dataclass
class Resolved:
    """A scenario document after ``extends``, overrides and calibration, before building.

    Attributes:
        path: The scenario file.
        name: Scenario name.
        description: German description.
        doc: The resolved document (raw YAML data).
        model: The validated document.
        dirs: Folder each data-file field is relative to (the file that set it).
        extends: Name or path of the base scenario, for variants.
        line_lookup: Line of a location, for errors.
        calibration_draws: Posterior draws batches use (empty: none).
        calibrated_paths: Parameters the calibration file sets.
        calibration_source: The calibration file applied and the file naming it.
    """

    path: Path
    name: str
    description: str
    doc: dict[str, Any]
    model: ScenarioDoc
    dirs: dict[str, Path]
    extends: str | None
    line_lookup: Callable[[Loc], int | None]
    calibration_draws: tuple[Mapping[str, float], ...] = ()
    calibrated_paths: tuple[str, ...] = ()
    calibration_source: CalibrationSource | None = None


def _data_path(res: Resolved, field_name: str) -> Path:
    rel = Path(str(res.doc[field_name]))
    path = rel if rel.is_absolute() else res.dirs[field_name] / rel
    path = Path(os.path.normpath(path))
    problem = path_problem(path)
    if problem is not None:
        raise ScenarioError(
            res.path,
            field_name,
            f"Datei „{display_path(path)}“ {problem}",
            res.line_lookup((field_name,)),
        )
    return path


def _plain(x: Any) -> Any:
    if isinstance(x, Quantity):
        return _plain(x.value)
    if isinstance(x, list):
        return tuple(_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _section(model: BaseModel, cls: type[Any], **extra: Any) -> Any:
    """Build a params dataclass from a section; absent optional fields keep their default."""
    required = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    kwargs = {
        name: _plain(getattr(model, name))
        for name in type(model).model_fields
        if getattr(model, name) is not None or name in required
    }
    kwargs.update(extra)
    return cls(**kwargs)


BILLING_FIELDS = {"daily_rate": "daily", "fls_per_week": "fls"}
"""Help-type fields an override may set only for one kind of billing."""

BILLING_WORDS = {"daily": "mit einem Tagessatz", "fls": "nach Fachleistungsstunden"}
"""The kinds of billing in the German error messages."""


def _adjust_help_types(
    res: Resolved,
    m: ScenarioDoc,
    help_types: tuple[HelpType, ...],
    help_prov: tuple[tuple[str, str], ...],
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...]]:
    """Apply the scenario's ``help_types`` values to the help types from the file.

    The scenario's provenance of a replaced value (collected with the scenario's
    own quantities) supersedes the file's.

    Raises:
        ScenarioError: For a code the help-type file does not have.
    """
    codes = [h.code for h in help_types]
    replaced: set[str] = set()
    by_code = {h.code: h for h in help_types}
    for code, adj in m.help_types.items():
        if code not in by_code:
            raise ScenarioError(
                res.path,
                f"help_types.{code}",
                f"unbekannte Hilfeart „{code}“ (vorhanden: {', '.join(codes)}; Codes mit "
                'Unterstrich in Anführungszeichen schreiben, z. B. "27_2")',
                res.line_lookup(("help_types", code)),
            )
        changes = {
            f: getattr(adj, f).value for f in type(adj).model_fields if getattr(adj, f) is not None
        }
        for field_name, billing in BILLING_FIELDS.items():
            if field_name in changes and by_code[code].billing != billing:
                raise ScenarioError(
                    res.path,
                    f"help_types.{code}.{field_name}",
                    f"die Hilfeart „{code}“ wird {BILLING_WORDS[by_code[code].billing]} "
                    f"abgerechnet, nicht {BILLING_WORDS[billing]}",
                    res.line_lookup(("help_types", code, field_name)),
                )
        adjusted_type = dataclasses.replace(by_code[code], **changes)
        if adjusted_type.need_min >= adjusted_type.need_max:
            field_name = "need_min" if "need_min" in changes else "need_max"
            raise ScenarioError(
                res.path,
                f"help_types.{code}.{field_name}",
                f"need_min ({fmt_value(adjusted_type.need_min)}) muss kleiner als need_max "
                f"({fmt_value(adjusted_type.need_max)}) der Hilfeart sein",
                res.line_lookup(("help_types", code, field_name)),
            )
        by_code[code] = adjusted_type
        replaced.update(f"help_types.{code}.{f}" for f in changes)
    adjusted = tuple(by_code[c] for c in codes)
    return adjusted, tuple((k, v) for k, v in help_prov if k not in replaced)


def _check_group_offer(
    res: Resolved, m: ScenarioDoc, help_types: tuple[HelpType, ...]
) -> list[ScenarioError]:
    """A share of regional budget 2 for group offers needs a group offer it carries."""
    share = m.budget.regional2_group_share
    if share is None or share.value <= 0:
        return []
    offer = next((h for h in help_types if h.group_offer_replaces), None)
    if offer is None:
        text = "die Hilfearten-Datei hat kein Gruppenangebot (group_offer_replaces)"
    elif not carried_by_regional2(offer, m.budget.regional2_help_types):
        text = f"das Gruppenangebot „{offer.code}“ gehört nicht zum regionalen Budget 2"
    else:
        return []
    loc = ("budget", "regional2_group_share")
    return [ScenarioError(res.path, "budget.regional2_group_share", text, res.line_lookup(loc))]


def _check_references(res: Resolved, m: ScenarioDoc, help_types: tuple[HelpType, ...]) -> None:
    """Check names the schema cannot check alone, reporting every problem at once.

    The help-type codes of regional budget 2 must exist; the regions a
    Sozialraumträger leads must exist, each led by at most one.

    Raises:
        ScenarioError: Naming the field and, where known, its line, one line per problem.
    """
    problems: list[ScenarioError] = []
    codes = [h.code for h in help_types]
    for j, code in enumerate(m.budget.regional2_help_types or ()):
        if code not in codes:
            problems.append(
                ScenarioError(
                    res.path,
                    "budget.regional2_help_types",
                    f"unbekannte Hilfeart „{code}“ (vorhanden: {', '.join(codes)})",
                    res.line_lookup(("budget", "regional2_help_types", j)),
                )
            )
    problems.extend(_check_group_offer(res, m, help_types))
    region_names = [r.name for r in m.regions]
    leader: dict[str, tuple[str, bool]] = {}
    for i, spec in enumerate(m.providers):
        if spec.role != "sozialraumtraeger":
            continue
        explicit = spec.lead_regions is not None
        if explicit:
            led, field_name = list(spec.lead_regions or ()), "lead_regions"
        elif spec.region is not None:
            led, field_name = [spec.region], "region"
        else:
            led, field_name = list(spec.regions or ()), "regions"
        for j, name in enumerate(led):
            loc: Loc = (
                ("providers", i, field_name, j)
                if field_name != "region"
                else (
                    "providers",
                    i,
                    "region",
                )
            )
            if name not in region_names:
                problems.append(
                    ScenarioError(
                        res.path,
                        f"providers.{spec.name}.lead_regions",
                        f"unbekannte Region „{name}“ (vorhanden: {', '.join(region_names)})",
                        res.line_lookup(loc),
                    )
                )
                continue
            # two Sozialraumträger with the same region: the first leads (engine rule);
            # a region named in lead_regions must have no other leader
            if name in leader and (explicit or leader[name][1]):
                problems.append(
                    ScenarioError(
                        res.path,
                        f"providers.{spec.name}.{field_name}",
                        f"Region „{name}“ wird schon von „{leader[name][0]}“ geleitet",
                        res.line_lookup(loc),
                    )
                )
            leader.setdefault(name, (spec.name, explicit))
    if problems:
        raise ScenarioError.several(problems)


def _offices(
    res: Resolved, m: ScenarioDoc
) -> tuple[tuple[OfficeSpec, ...], QuotaParams | None, list[tuple[str, str]], dict[str, str]]:
    """The Sozialraumbüros and the quota, with the indicator file's provenance.

    Checks what the schema cannot check alone, every problem at once: an office's
    Sozialraum is a municipality of a region with no other office, its Träger a
    provider with role ``sozialraumtraeger``; a quota needs offices and the indicator
    file, whose values cover every weighted indicator of every office's Sozialraum;
    the compensated Sozialräume have offices.

    Returns:
        ``(offices, quota, provenance, units)`` (the provenance and units of the
        indicator values, ``sozialraeume.<Sozialraum>.<indicator>``).

    Raises:
        ScenarioError: Naming the field and, where known, its line, one line per problem.
    """
    problems: list[ScenarioError] = []
    municipalities = {n for r in m.regions for n in r.municipalities}
    roles = {p.name: p.role for p in m.providers}
    seen: dict[str, str] = {}
    for i, o in enumerate(m.offices):
        if o.sozialraum not in municipalities:
            problems.append(
                ScenarioError(
                    res.path,
                    f"offices.{o.name}.sozialraum",
                    f"„{o.sozialraum}“ ist keine Gemeinde einer Region",
                    res.line_lookup(("offices", i, "sozialraum")),
                )
            )
        elif o.sozialraum in seen:
            problems.append(
                ScenarioError(
                    res.path,
                    f"offices.{o.name}.sozialraum",
                    f"„{o.sozialraum}“ hat schon ein Büro („{seen[o.sozialraum]}“)",
                    res.line_lookup(("offices", i, "sozialraum")),
                )
            )
        seen.setdefault(o.sozialraum, o.name)
        if roles.get(o.provider) != "sozialraumtraeger":
            what = (
                "ist kein Träger unter providers"
                if o.provider not in roles
                else ("hat nicht die Rolle sozialraumtraeger")
            )
            problems.append(
                ScenarioError(
                    res.path,
                    f"offices.{o.name}.provider",
                    f"„{o.provider}“ {what}",
                    res.line_lookup(("offices", i, "provider")),
                )
            )
    if len({o.name for o in m.offices}) != len(m.offices):
        problems.append(ScenarioError(res.path, "offices", "ein Büroname ist doppelt"))
    if m.offices:
        for i, r in enumerate(m.regions):
            if not any(n in seen for n in r.municipalities):
                problems.append(
                    ScenarioError(
                        res.path,
                        "offices",
                        f"Region „{r.name}“ hat kein Sozialraumbüro (ihre Familien hätten "
                        "keine Beratung und die Quote gäbe ihr kein Geld)",
                        res.line_lookup(("regions", i, "name")),
                    )
                )
    quota_section = m.sozialraum_quota
    prov: list[tuple[str, str]] = []
    units: dict[str, str] = {}
    quota: QuotaParams | None = None
    if quota_section is not None:
        line = res.line_lookup(("sozialraum_quota",))
        if not m.offices:
            problems.append(
                ScenarioError(
                    res.path, "sozialraum_quota", "eine Quote braucht Büros (offices)", line
                )
            )
        if m.sozialraeume_file is None:
            problems.append(
                ScenarioError(
                    res.path,
                    "sozialraum_quota",
                    "eine Quote braucht die Indikatordatei (sozialraeume_file)",
                    line,
                )
            )
        for j, name in enumerate(quota_section.compensated):
            if name not in seen:
                problems.append(
                    ScenarioError(
                        res.path,
                        "sozialraum_quota.compensated",
                        f"„{name}“ ist kein Sozialraum mit Büro",
                        res.line_lookup(("sozialraum_quota", "compensated", j)),
                    )
                )
    if problems:
        raise ScenarioError.several(problems)
    if quota_section is not None and m.sozialraeume_file is not None:
        ind_path = _data_path(res, "sozialraeume_file")
        records = load_indicators(ind_path)
        weights = {k: w.value for k, w in quota_section.index_weights.items()}
        missing = [
            ScenarioError(
                ind_path,
                "indicator",
                f"Wert „{k}“ für „{o.sozialraum}“ fehlt (gewichtet in "
                "sozialraum_quota.index_weights)",
            )
            for o in m.offices
            for k in weights
            if k not in records.get(o.sozialraum, {})
        ]
        if missing:
            raise ScenarioError.several(missing)
        for o in m.offices:
            for k, rec in records[o.sozialraum].items():
                prov.append((f"sozialraeume.{o.sozialraum}.{k}", rec.provenance))
                units[f"sozialraeume.{o.sozialraum}.{k}"] = "share"
        path = quota_section.compensation_path
        quota = QuotaParams(
            start_year=quota_section.start_year.value,
            indicators={
                o.sozialraum: {k: r.value for k, r in records[o.sozialraum].items()}
                for o in m.offices
            },
            index_weights=weights,
            compensated=tuple(quota_section.compensated),
            compensation_path=tuple(path.value) if path is not None else (),
        )
    offices = tuple(
        OfficeSpec(
            name=o.name,
            sozialraum=o.sozialraum,
            provider=o.provider,
            budget_before=o.budget_before.value,
            rent=o.rent.value,
            travel=o.travel.value,
            overhead=o.overhead.value,
        )
        for o in m.offices
    )
    prov.extend((f"offices.{o.name}.provider", o.provenance) for o in m.offices)
    units.update({f"offices.{o.name}.provider": "name" for o in m.offices})
    return offices, quota, prov, units


def build(res: Resolved) -> Scenario:
    """Build the frozen scenario from a resolved document.

    Args:
        res: The resolved document.

    Returns:
        The scenario with its parameters, provenance, units and content hash.

    Raises:
        ScenarioError: For a missing or bad data file, an unknown name or help-type
            code, a declaration the built scenario contradicts or a scenario over a
            size limit.
    """
    m = res.model
    mun_path = _data_path(res, "municipalities_file")
    help_path = _data_path(res, "help_types_file")
    records = _municipalities(mun_path)
    missing = [
        ScenarioError(
            res.path,
            f"regions.{region.name}.municipalities",
            f"Gemeinde „{mun}“ fehlt in der Gemeindedatei {display_path(mun_path)}",
            res.line_lookup(("regions", i, "municipalities", j)),
        )
        for i, region in enumerate(m.regions)
        for j, mun in enumerate(region.municipalities)
        if mun not in records
    ]
    if missing:
        raise ScenarioError.several(missing)
    help_types, help_prov, help_units = _help_types(help_path)
    help_types, help_prov = _adjust_help_types(res, m, help_types, help_prov)
    _check_references(res, m, help_types)

    regions = tuple(
        Region(
            name=r.name,
            municipalities=tuple(
                Municipality(name=n, population=records[n].population, area_km2=records[n].area_km2)
                for n in r.municipalities
            ),
            sgb2_share=r.sgb2_share.value,
            single_parent_share=r.single_parent_share.value,
            migration_share=r.migration_share.value,
            unemployment_share=r.unemployment_share.value,
            direct_contact_share=r.direct_contact_share.value,
            indirect_hours_per_fls=r.indirect_hours_per_fls.value,
        )
        for r in m.regions
    )
    prov, units = walk_quantities(m, "")
    mun_prov: list[tuple[str, str]] = []
    for r in m.regions:
        for n in r.municipalities:
            rec = records[n]
            stand = "" if str(rec.year) in rec.source else f" (Stand 31.12.{rec.year})"
            # a row may give an assumption instead of a source ("Annahme: …")
            assumed = rec.source.startswith("Annahme")
            text = f"{rec.source}{stand}" if assumed else f"Quelle: {rec.source}{stand}"
            mun_prov.append((f"municipalities.{n}.population", text))
            units[f"municipalities.{n}.population"] = "persons"
            if rec.area_km2:
                mun_prov.append((f"municipalities.{n}.area_km2", text))
                units[f"municipalities.{n}.area_km2"] = "km2"
    units.update(help_units)
    offices, quota, office_prov, office_units = _offices(res, m)
    units.update(office_units)
    provenance = (*prov, *help_prov, *mun_prov, *office_prov)

    budget = m.budget
    params = ModelParams(
        name=res.name,
        regions=regions,
        help_types=help_types,
        population=_section(m.population, PopulationParams),
        need=_section(m.need, NeedParams),
        recognition=_section(m.recognition, RecognitionParams),
        counselling=_section(m.counselling, CounsellingParams),
        providers=tuple(_section(p, ProviderSpec) for p in m.providers),
        provider=_section(m.provider, ProviderParams),
        projects=_section(m.projects, ProjectParams),
        budget=_section(budget, BudgetParams, index_weights=_plain(budget.index_weights)),
        incentive=_section(m.incentive, IncentiveParams),
        years=m.years.value,
        scale=m.scale.value,
        review_interval_months=m.review_interval_months.value,
        provenance=provenance,
        offices=offices,
        sozialraum_quota=quota,
        **({"burn_in_months": m.burn_in_months.value} if m.burn_in_months is not None else {}),
    )

    check_declared_values(
        res.doc, m.outcomes, m.uncertainties, params.help_types, res.path, res.line_lookup
    )
    check_scenario_size(params, res.path, data_file=mun_path, line_of=res.line_lookup)

    content_doc = {k: v for k, v in res.doc.items() if k not in FILE_FIELDS}
    content = json.dumps(
        {
            "scenario": content_doc,
            "municipalities_sha256": _file_sha(mun_path, MAX_CSV_BYTES),
            "help_types_sha256": _file_sha(help_path, MAX_YAML_BYTES),
            **(
                {
                    "sozialraeume_sha256": _file_sha(
                        _data_path(res, "sozialraeume_file"), MAX_CSV_BYTES
                    )
                }
                if m.sozialraeume_file is not None
                else {}
            ),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return Scenario(
        name=res.name,
        description=" ".join(res.description.split()),
        path=res.path,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        params=params,
        extends=res.extends,
        content=content,
        units=MappingProxyType(units),
        title=m.title,
        levers=tuple(m.levers),
        uncertainties=tuple(m.uncertainties),
        outcomes=tuple(m.outcomes),
        doc=MappingProxyType(copy_tree(res.doc)),
        calibration_draws=res.calibration_draws,
        calibrated_paths=res.calibrated_paths,
        calibration_source=res.calibration_source,
        resolved=res,
    )


DATA_FILE_CACHE_SIZE = 16
"""Parsed data files kept per process (by path and content hash).

A scenario reads two data files; sixteen hold every shipped Kreis's pair several
times over, and an entry is small (a few hundred municipalities, a dozen help types).
"""


def _municipalities(path: Path) -> dict[str, MunicipalityRecord]:
    """:func:`load_municipalities`, parsed once per content (a copy of the cached rows).

    A file that cannot even be hashed is left to :func:`load_municipalities`, so its
    problem is reported exactly as without the cache.
    """
    try:
        sha = _file_sha(path, MAX_CSV_BYTES)
    except ScenarioError:
        return load_municipalities(path)
    return dict(_parsed_municipalities(str(path), sha))


def _help_types(
    path: Path,
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...], dict[str, str]]:
    """:func:`load_help_types`, parsed once per content (the units dict is a copy).

    A file that cannot even be hashed is left to :func:`load_help_types` (its message).
    """
    try:
        sha = _file_sha(path, MAX_YAML_BYTES)
    except ScenarioError:
        return load_help_types(path)
    types, prov, units = _parsed_help_types(str(path), sha)
    return types, prov, dict(units)


@functools.lru_cache(maxsize=DATA_FILE_CACHE_SIZE)
def _parsed_municipalities(path: str, sha256: str) -> dict[str, MunicipalityRecord]:
    del sha256  # cache key only: changed content is parsed again
    return load_municipalities(path)


@functools.lru_cache(maxsize=DATA_FILE_CACHE_SIZE)
def _parsed_help_types(
    path: str, sha256: str
) -> tuple[tuple[HelpType, ...], tuple[tuple[str, str], ...], dict[str, str]]:
    del sha256  # cache key only: changed content is parsed again
    return load_help_types(path)


def _file_sha(path: Path, limit: int) -> str:
    """sha256 of a data file already read and checked (read again within its limit)."""
    return hashlib.sha256(read_limited(path, limit)).hexdigest()


__all__ = ["Resolved", "Scenario", "build"]
