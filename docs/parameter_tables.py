"""Regenerate the parameter tables of the ODD (``docs/ODD.md``) from the scenarios.

Run ``python docs/parameter_tables.py``. It loads the shipped status quo with
``scenarios.loader.load_scenario("lueneburg-status-quo")`` and rewrites, in place, the
part of ``docs/ODD.md`` between the markers :data:`START` and :data:`END`:

* 8.1 every quantity of the scenario file, 8.2 the help types, 8.3 the
  municipalities: one row per path of ``ModelParams.provenance`` with its meaning,
  value, unit and source or assumption text (``Quelle: …`` / ``Annahme: …``);
* 8.4 the settings without a source of their own (allocation key, incentive scheme,
  regions' municipalities, providers, help-type structure) and every registered
  incentive scheme with its parameters (:data:`model.incentives.SCHEMES`);
* 8.5 the levers of every other library scenario of the same system (same folder;
  every value that differs from the status quo).

Values come from ``Scenario.params``, units from ``Scenario.units`` (shown in German,
see :data:`UNITS`), provenance texts from ``ModelParams.provenance``. The German
meaning of each parameter lives here (:data:`DESCRIPTIONS`); a parameter without one
stops the generator, so a new parameter cannot enter the ODD undescribed. The
incentive schemes and their parameters describe themselves in the registry
(:mod:`model.incentives`: label, description, parameter metadata); their rows are
written from there.

``tests/docs/test_odd.py`` checks that the ODD is exactly what :func:`rewrite`
produces; ``python docs/parameter_tables.py --check`` does the same without writing.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from model.incentives import SCHEMES, parameters_by_name, scheme_names
from model.params import POTS, IncentiveParams, ModelParams
from scenarios import Scenario, list_scenarios, load_scenario

ODD_PATH = Path(__file__).resolve().parent / "ODD.md"
"""The model documentation whose tables this script writes."""

BASE_SCENARIO = "lueneburg-status-quo"
"""The scenario whose parameters the tables document."""

START = "<!-- parameter-tables:start -->"
"""Marker line before the generated tables."""

END = "<!-- parameter-tables:end -->"
"""Marker line after the generated tables."""

GROUPED = ("regions", "providers", "help_types", "municipalities", "offices", "sozialraeume")
"""Path heads whose second part names an instance (region, provider, help type, …)."""

OWN_TABLES = ("help_types", "municipalities")
"""Path heads with a table of their own (8.2, 8.3), not in table 8.1."""

DESCRIPTIONS: dict[str, str] = {
    # run
    "years": "Simulierte (berichtete) Jahre",
    "scale": "Anteil der realen Bevölkerung, der simuliert wird (1 = ganz)",
    "review_interval_months": "Abstand der Hilfeplanfortschreibungen (§36)",
    "burn_in_months": "Einschwingzeit vor dem ersten berichteten Monat (Regeln vor der Reform)",
    # regions
    "regions.*.municipalities": "Gemeinden der Region",
    "regions.*.sgb2_share": "Anteil der Familien mit SGB-II-Bezug",
    "regions.*.single_parent_share": "Anteil Alleinerziehender an den Familien",
    "regions.*.migration_share": (
        "Anteil junger Menschen mit Migrationsgeschichte (nur Sozialraumindex)"
    ),
    "regions.*.unemployment_share": "Arbeitslosenquote (nur Sozialraumindex)",
    "regions.*.direct_contact_share": "Anteil direkten Kontakts an einer abgerechneten FLS",
    "regions.*.indirect_hours_per_fls": (
        "Stunden für Fahrt und Dokumentation je abgerechneter FLS (Arbeitszeit je FLS = "
        "direkter Kontakt + dieser Wert)"
    ),
    # population
    "population.under21_share": "Anteil der Einwohner unter 21",
    "population.children_distribution": "P(1, 2, 3, 4 Kinder) je Familie",
    "population.child_spacing_months": "Altersabstand zwischen Geschwistern (min, max)",
    "population.sgb2_single_parent_ratio": "Wie viel häufiger Alleinerziehende SGB II beziehen",
    "population.disability_share": (
        "Anteil Familien mit einem Kind, dem eine seelische Behinderung droht (§35a-Merkmal)"
    ),
    "population.growth_per_year": "Jährliche Veränderung der Zahl der Familien",
    # need
    "need.base": "Grundniveau der Belastung ohne Risikofaktoren",
    "need.w_single_parent": "Zuschlag zum Belastungsniveau: alleinerziehend",
    "need.w_sgb2": "Zuschlag zum Belastungsniveau: SGB-II-Bezug",
    "need.w_per_child": "Zuschlag je Kind über das erste hinaus",
    "need.w_history": "Zuschlag je früherer Hilfe (klingt mit der Halbwertszeit ab)",
    "need.trait_sd": "Streuung des individuellen Belastungsniveaus (Ressourcen)",
    "need.reversion": "Monatlicher Zug der Belastung zum eigenen Niveau",
    "need.shock_sd": "Streuung des monatlichen Belastungsschocks",
    "need.trend_per_year": "Jährliche Drift aller Belastungsniveaus",
    "need.counselling_effect": "Bedarfsminderung je Monat während der Beratung im Sozialraumbüro",
    "need.threshold_counselling": "Belastung, ab der Familien Beratung suchen können",
    "need.threshold_help": "Anspruchsschwelle (Rechtsanspruch auf Hilfe)",
    "need.threshold_crisis": "Belastung, ab der eine Krise (§8a) eintreten kann",
    "need.threshold_success": (
        "Belastung, unter der eine Hilfe bei Fortschreibung erfolgreich endet"
    ),
    "need.history_half_life_months": (
        "Halbwertszeit, mit der der Zuschlag früherer Hilfen abklingt (0 = klingt nie ab)"
    ),
    "need.w_disability": "Zuschlag zum Belastungsniveau: §35a-Merkmal",
    "need.trait_df": ("Freiheitsgrade der Student-t-Verteilung der Belastungsniveaus (0 = normal)"),
    # recognition
    "recognition.p_self_request": (
        "Monatl. Wahrscheinlichkeit, dass eine anspruchsberechtigte Familie selbst um Hilfe bittet"
    ),
    "recognition.p_report": (
        "Monatl. Wahrscheinlichkeit einer Meldung (Schule, Kita, Arzt, Nachbarn)"
    ),
    "recognition.p_crisis": (
        "Monatl. Wahrscheinlichkeit einer Krise (§8a) oberhalb der Krisenschwelle"
    ),
    "recognition.counselling_referral_factor": (
        "Faktor auf die Selbstmeldung von Familien, die ein Sozialraumbüro kennen"
    ),
    "recognition.report_rate_factor": "Unsicherheitsfaktor auf die Meldewahrscheinlichkeit",
    "recognition.young_adult_factor": (
        "Faktor auf die Bekanntwerdens-Wahrscheinlichkeit, wenn das Indexkind 18–20 ist"
    ),
    # counselling
    "counselling.cost_per_fte_year": (
        "Kosten einer Beratungs-Vollzeitkraft je Jahr inkl. Gemeinkosten"
    ),
    "counselling.fixed_share": "Anteil des gebundenen Budgets für Miete und Sachkosten",
    "counselling.appointments_per_fte_month": "Beratungstermine je Vollzeitkraft und Monat",
    "counselling.appointments_per_family_month": (
        "Termine, die eine beratene Familie je Monat belegt"
    ),
    "counselling.p_seek": (
        "Monatl. Wahrscheinlichkeit, dass eine Familie über der Beratungsschwelle Beratung sucht"
    ),
    "counselling.months": "Dauer einer Beratung",
    # provider economics and behaviour
    "provider.fls_rate": "Entgelt je Fachleistungsstunde",
    "provider.fls_per_fte_month": "Abrechenbare FLS je Vollzeitkraft und Monat",
    "provider.cost_per_fte_month": "Kosten einer Vollzeitkraft je Monat inkl. Gemeinkosten",
    "provider.hiring_lag_months": "Verzögerung zwischen Personalentscheidung und Wirkung",
    "provider.max_staff_change": "Größte relative Personaländerung je Monat",
    "provider.target_utilisation": "Angestrebte Auslastung",
    "provider.exit_after_months": "Monate mit negativen Rücklagen bis zum Marktaustritt",
    "provider.stationary_places_per_1000_u21": (
        "Plätze des überregionalen Platzmarkts für §32–§34 (teilstationär, stationär) "
        "je 1.000 unter 21"
    ),
    "provider.responsiveness": "Reaktionsstärke der Träger auf Anreize (0–1)",
    "provider.savings_duration_cut": (
        "Verkürzung der geplanten Dauer bei voller Reaktion und Sparanreiz"
    ),
    "provider.savings_intensity_cut": "Senkung der FLS je Woche bei voller Reaktion und Sparanreiz",
    "provider.per_hour_extension": (
        "Verlängerung der geplanten Dauer bei voller Reaktion und Bezahlung je Stunde"
    ),
    "provider.intensity_spread": (
        "Streuung der FLS je Woche einer Hilfe um den Mittelwert der Hilfeart (± Anteil)"
    ),
    "provider.effect_reference_contact_share": (
        "Anteil direkten Kontakts je FLS, bei dem die Wirkung einer Hilfeart gilt"
    ),
    "provider.pressure_full_overrun": (
        "Voraussichtliche Überschreitung des regionalen Budgets 2, ab der das Controlling "
        "vollen Spardruck setzt"
    ),
    "provider.controlling_signal": (
        "Sparsignal, das voller Spardruck des Controllings auch ohne Anreizsystem an die "
        "Träger der Hilfen des regionalen Budgets 2 sendet (je Anteil der Rechnung)"
    ),
    "provider.lead_referral_share": (
        "Anteil der Familien mit ambulanter Hilfe, die das Sozialraumteam zuerst an den "
        "Sozialraumträger ihrer Region vermittelt"
    ),
    # providers
    "providers.*.region": "Einsatzregion",
    "providers.*.role": "Rolle",
    "providers.*.staff_fte": "Personal für fallspezifische Arbeit zu Beginn",
    "providers.*.reserves": "Rücklagen zu Beginn des ersten berichteten Jahres",
    "providers.*.attractiveness": "Gewicht bei der Wahl durch Familien",
    "providers.*.lead_regions": (
        "Regionen, die ein kreisweit tätiger Sozialraumträger leitet (leer: seine Einsatzregion)"
    ),
    # Sozialraumbüros and the quota of the sozialraum funds
    "offices.*.provider": "Sozialraumträger, der das Sozialraumbüro betreibt",
    "offices.*.budget_before": (
        "Budget des Büros vor der neuen Quote (2025); seine Anteile sind die alte Quote"
    ),
    "offices.*.rent": "Miete des Büros je Jahr (Preise des ersten Jahres)",
    "offices.*.travel": "Fahrtkosten des Büros je Jahr (Preise des ersten Jahres)",
    "offices.*.overhead": "Leitung, Verwaltung, Sach- und Gemeinkosten des Büros je Jahr",
    "sozialraeume.*.sgb2_share": "Anteil der Kinder in SGB-II-Bedarfsgemeinschaften (Quote)",
    "sozialraeume.*.single_parent_share": "Anteil Alleinerziehender an den Familien (Quote)",
    "sozialraeume.*.migration_share": "Anteil junger Menschen mit Migrationsgeschichte (Quote)",
    "sozialraeume.*.unemployment_share": "Arbeitslosenquote (Quote)",
    "sozialraum_quota.start_year": "Erstes Jahr der Verteilungsquote der Sozialraummittel",
    "sozialraum_quota.index_weights.*": "Gewicht des Belastungsindikators in der Quote",
    "sozialraum_quota.compensated": "Sozialräume, deren Defizit unter der Quote ausgeglichen wird",
    "sozialraum_quota.compensation_path": (
        "Ausgeglichener Anteil des Defizits im ersten Quotenjahr, im zweiten, … (der Rest geht "
        "in das regionale Budget 1 der Region)"
    ),
    # projects
    "projects.proposals_per_region": "Mittlere Zahl der Projektvorschläge je Region und Jahr",
    "projects.cost_mean": "Mittlere Jahreskosten eines Projekts",
    "projects.cost_sd": "Streuung der Projektkosten",
    "projects.families_per_10k_eur": "Erreichte Familien je 10.000 € Jahreskosten (Mittel)",
    "projects.duration_months": "Mögliche Projektlaufzeiten (gleich wahrscheinlich)",
    "projects.effect_mean": "Mittlere Bedarfsminderung je Monat für eine erreichte Familie",
    "projects.effect_sd": "Streuung der wahren Wirkung zwischen Projekten",
    "projects.vote_min_score": "Mindestreichweite je 10.000 € für ein positives Votum",
    "projects.review_min_effect": (
        "Kleinste beobachtete Wirkung, mit der ein Projekt nach der Q1-Prüfung weiterläuft"
    ),
    "projects.targeting": (
        "Wie stark Projekte Familien mit höherer Belastung erreichen (0 = zufällig)"
    ),
    "projects.cost_min_share": "Untergrenze der Projektkosten als Anteil der mittleren Kosten",
    "projects.reach_cv": "Variationskoeffizient der Reichweite je 10.000 € zwischen Vorschlägen",
    # budget
    "budget.start_year": "Erstes simuliertes Kalenderjahr",
    "budget.sozialraum_funds": (
        "Mittel der sozialräumlichen Arbeit je Jahr (gebundenes Budget + regionales Budget 1)"
    ),
    "budget.bound_share": "Anteil dieser Mittel im gebundenen Budget",
    "budget.ambulatory_funds": (
        "Planansatz der regionalisierbaren ambulanten Hilfen (§27.2, §30, §31) je Jahr"
    ),
    "budget.regional2_share": "Anteil der ambulanten Mittel als regionales Budget 2",
    "budget.central_funds": (
        "Planansatz aller übrigen Hilfen (zentrales Budget, ohne ambulante Mittel) je Jahr"
    ),
    "budget.yearly_increase": "Jährliche Steigerung aller Budgets",
    "budget.allocation_key": (
        "Verteilungsschlüssel der Töpfe auf die Regionen (`population`, `sozialraumindex`, "
        "`history`)"
    ),
    "budget.index_weights.*": "Gewicht des Indikators im Sozialraumindex",
    "budget.coordination_hours.*": (
        "Sozialraumkosten: Stunden je Region und Jahr zum FLS-Satz im gebundenen Budget (Ulm §6(2))"
    ),
    "budget.regional2_help_types": (
        "Hilfearten des regionalen Budgets 2 (– = die mit `regional2_eligible` der Hilfearten)"
    ),
    "budget.regional2_scope": (
        "Welche Hilfen das regionale Budget 2 trägt (alle laufenden mit Übergabe am "
        "Stichtag, nur neue Bewilligungen, nur die des Sozialraumträgers)"
    ),
    "budget.regional2_payment": (
        "Wie das regionale Budget 2 zahlt (seinen Anteil jeder Rechnung, oder ganze "
        "Rechnungen, bis das Geld aufgebraucht ist)"
    ),
    "budget.regional2_exhaustion": (
        "Wenn das regionale Budget 2 aufgebraucht ist: zentrales Budget zahlt, oder die "
        "Überschreitung mindert das Budget des Folgejahres"
    ),
    "budget.regional2_group_share": (
        "Anteil des regionalen Budgets 2 jeder Region für Plätze im fallübergreifenden "
        "Gruppenangebot ihres Sozialraumträgers (0 = keins)"
    ),
    "budget.incentive_recipients": (
        "Wer Bonus und Malus erhält (Träger nach Anteil an den Hilfen, nur der "
        "Sozialraumträger, oder die Region für Projekte)"
    ),
    "budget.burn_in_rules": (
        "Regeln der Einschwingzeit (`pre_reform`: vor der Reform, `scenario`: die des Szenarios)"
    ),
    # help types
    "help_types.*.label": "Bezeichnung",
    "help_types.*.setting": "Setting",
    "help_types.*.billing": "Abrechnung",
    "help_types.*.fls_per_week": "Mittlere Intensität (FLS je Woche)",
    "help_types.*.daily_rate": "Tagessatz",
    "help_types.*.mean_duration_months": "Mittlere geplante Dauer",
    "help_types.*.need_min": "Untere Grenze des Bedarfsbereichs",
    "help_types.*.need_max": "Obere Grenze des Bedarfsbereichs (ab hier intensivere Hilfe)",
    "help_types.*.age_min_years": "Mindestalter des Indexkindes",
    "help_types.*.age_max_years": "Alter des Indexkindes, unter dem die Hilfe gilt",
    "help_types.*.selection_weight": "Relatives Auswahlgewicht unter den passenden Hilfen",
    "help_types.*.help_effect": "Bedarfsminderung je Monat bei mittlerer Intensität",
    "help_types.*.escalates_to": "Eskalation nach",
    "help_types.*.regional2_eligible": "Teil der ambulanten Mittel (RB 2)",
    "help_types.*.group_size": "Familien je FLS (fallübergreifende Arbeit)",
    "help_types.*.trait": "Merkmal (Voraussetzung)",
    "help_types.*.group_offer_replaces": (
        "Gruppenangebot des regionalen Budgets 2: Einzelhilfen, die ein Platz ersetzen kann"
    ),
    "help_types.*.group_offer_fit": (
        "Gruppenangebot: Anteil der ersetzbaren Bewilligungen, für die der Hilfeplan "
        "die Gruppe passend findet"
    ),
    # municipalities
    "municipalities.*.population": "Einwohner",
    "municipalities.*.area_km2": "Fläche (nur Dokumentation)",
}
"""German meaning of every parameter path; ``*`` stands for the instance name."""

UNITS: dict[str, str] = {
    "EUR": "€",
    "EUR/FLS": "€/FLS",
    "EUR/day": "€/Tag",
    "EUR/month": "€/Monat",
    "EUR/year": "€/Jahr",
    "FLS/month": "FLS/Monat",
    "FLS/week": "FLS/Woche",
    "FTE": "VZÄ",
    "appointments/month": "Termine/Monat",
    "df": "Freiheitsgrade",
    "factor": "Faktor",
    "families/10000 EUR": "Familien je 10.000 €",
    "families/FLS": "Familien je FLS",
    "hours/year": "Std./Jahr",
    "km2": "km²",
    "name": "Name",
    "months": "Monate",
    "need": "Bedarf",
    "need/month": "Bedarf/Monat",
    "need/year": "Bedarf/Jahr",
    "persons": "Personen",
    "places/1000 u21": "Plätze je 1.000 u21",
    "probability/month": "Wahrsch./Monat",
    "proposals/year": "Vorschläge/Jahr",
    "share": "Anteil",
    "share/month": "Anteil/Monat",
    "share/year": "Anteil/Jahr",
    "year": "Jahr",
    "years": "Jahre",
}
"""German spelling of the units used in the scenario files (others are shown as is)."""

MAPPINGS = (
    ("budget", "index_weights"),
    ("budget", "coordination_hours"),
    ("sozialraum_quota", "index_weights"),
)
"""Fields that map names to values (``<section>.<field>.<name>``)."""

STRUCTURE_FIELDS = ("setting", "billing", "trait", "escalates_to", "regional2_eligible")
"""Help-type fields without a numeric value, shown in table 8.4."""


# ---------------------------------------------------------------------------- values
def parameter_value(params: ModelParams, path: str) -> object:
    """The value of a parameter path (as used in ``ModelParams.provenance``).

    Args:
        params: The parameters.
        path: Dotted path, e.g. ``need.base``, ``regions.Region 1.sgb2_share``,
            ``help_types.31.need_min``, ``municipalities.Stadt Bleckede.population``
            or ``budget.index_weights.sgb2_share``.

    Returns:
        The value.

    Raises:
        KeyError: If the path names no parameter.
    """
    head, *rest = path.split(".")
    if head in GROUPED:
        name, field = ".".join(rest[:-1]), rest[-1]
        if head == "sozialraeume":
            quota = params.sozialraum_quota
            if quota is None or field not in quota.indicators.get(name, {}):
                raise KeyError(path)
            return quota.indicators[name][field]
        if head == "municipalities":
            items: Iterable[object] = (m for r in params.regions for m in r.municipalities)
        else:
            items = getattr(params, head)
        key = "code" if head == "help_types" else "name"
        for item in items:
            if getattr(item, key) == name:
                return getattr(item, field)
        raise KeyError(path)
    for section, mapping in MAPPINGS:
        if path.startswith(f"{section}.{mapping}."):
            values = getattr(getattr(params, section), mapping)
            return values[path.removeprefix(f"{section}.{mapping}.")]
    obj: object = params
    for part in path.split("."):
        if not hasattr(obj, part):
            raise KeyError(path)
        obj = getattr(obj, part)
    return obj


def leaves(params: ModelParams) -> dict[str, object]:
    """Every parameter value by path, in the order of the parameter classes.

    Regions, providers and help types are keyed by name or code; a region's
    municipalities appear as the tuple of their names. Scenario name and provenance
    are not parameters and are left out.
    """
    out: dict[str, object] = {}
    for f in dataclasses.fields(params):
        if f.name in ("name", "provenance"):
            continue
        value = getattr(params, f.name)
        if f.name in ("regions", "providers", "help_types", "offices"):
            for item in value:
                key = item.code if f.name == "help_types" else item.name
                for g in dataclasses.fields(item):
                    if g.name in ("name", "code"):
                        continue
                    v = getattr(item, g.name)
                    if g.name == "municipalities":
                        v = tuple(m.name for m in v)
                    out[f"{f.name}.{key}.{g.name}"] = v
        elif isinstance(value, IncentiveParams):
            out[f"{f.name}.scheme"] = value.scheme
            for k, w in value.values.items():
                out[f"{f.name}.{k}"] = w
        elif dataclasses.is_dataclass(value):
            for g in dataclasses.fields(value):
                v = getattr(value, g.name)
                if (f.name, g.name) == ("sozialraum_quota", "indicators"):
                    continue  # the indicator file's values: ``sozialraeume.<Sozialraum>.*``
                if isinstance(v, Mapping):
                    for k, w in v.items():
                        out[f"{f.name}.{g.name}.{k}"] = w
                else:
                    out[f"{f.name}.{g.name}"] = v
        else:
            out[f.name] = value
    return out


def pattern(path: str) -> str:
    """The key of a path in :data:`DESCRIPTIONS` (instance names replaced by ``*``)."""
    head = path.split(".", 1)[0]
    if head in GROUPED:
        return f"{head}.*.{path.rsplit('.', 1)[1]}"
    for section, mapping in MAPPINGS:
        if path.startswith(f"{section}.{mapping}."):
            return f"{section}.{mapping}.*"
    return path


def incentive_description(path: str) -> str | None:
    """German meaning of an ``incentive.…`` path, from the registry of schemes (or None).

    >>> incentive_description("incentive.corridor")
    'Bonus/Malus: halbe Breite des Zielkorridors (relativ zum Budget)'
    """
    name = path.removeprefix("incentive.")
    if name == "scheme":
        return "Anreizsystem (" + ", ".join(f"`{n}`" for n in scheme_names()) + ")"
    parameter = parameters_by_name().get(name)
    if parameter is None:
        return None
    owners = [c.label for c in SCHEMES.values() if name in {p.name for p in c.parameters}]
    return f"{' / '.join(owners)}: {parameter.description}"


def describe(path: str) -> str:
    """German meaning of a parameter path.

    Raises:
        KeyError: If :data:`DESCRIPTIONS` has no entry for the path (add one).
    """
    if path.startswith("incentive."):
        text = incentive_description(path)
        if text is not None:
            return text
    try:
        return DESCRIPTIONS[pattern(path)]
    except KeyError:
        raise KeyError(
            f"no description for parameter {path!r}: add {pattern(path)!r} to "
            "DESCRIPTIONS in docs/parameter_tables.py"
        ) from None


# ---------------------------------------------------------------------------- formatting
def fmt_number(x: float) -> str:
    """A number the German way, as exact as Python's shortest representation.

    Whole numbers print without decimals; numbers from 10.000 on get thousands dots.

    >>> [fmt_number(v) for v in (5535, 10644, 2233000.0, 0.197, 14.1, 1.0, -0.5)]
    ['5535', '10.644', '2.233.000', '0,197', '14,1', '1', '-0,5']
    """
    value = float(x)
    if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
        whole = round(value)
        text = f"{whole:,}" if abs(whole) >= 10_000 else str(whole)
        return text.replace(",", ".")
    text = repr(value)
    if "e" in text or "inf" in text or "nan" in text:
        return text.replace(".", ",")
    whole, _, frac = text.partition(".")
    if abs(value) >= 10_000:
        whole = f"{int(whole):,}".replace(",", ".")
    return f"{whole},{frac}"


def fmt(value: object) -> str:
    """A parameter value for a table cell.

    Numbers as :func:`fmt_number`, lists as ``[a; b]``, texts as code, ``True`` and
    ``False`` as ``ja`` and ``nein``, ``None`` as ``–``.
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, (tuple, list)):
        if all(isinstance(v, str) for v in value):
            return ", ".join(f"`{v}`" for v in value) if value else "–"
        return "[" + "; ".join(fmt(v) for v in value) + "]"
    return str(value)


def cell(text: str) -> str:
    """Text fit for one Markdown table cell (one line, ``|`` escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def row(*cells: str) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(cells) + " |"


def unit_of(scenario: Scenario, path: str) -> str:
    """The German unit of a quantity (``–`` for values without a unit)."""
    unit = scenario.units.get(path)
    return UNITS.get(unit, unit) if unit else "–"


def help_label(code: str) -> str:
    """``§31``-style label of a help-type code (``27_2`` -> ``§27.2``)."""
    return "§" + code.replace("_", ".")


# ---------------------------------------------------------------------------- tables
def _quantity_table(scenario: Scenario, paths: list[tuple[str, str]]) -> list[str]:
    params = scenario.params
    labels = {h.code: h.label for h in params.help_types}
    region_of = {m.name: r.name for r in params.regions for m in r.municipalities}
    lines = [
        row("Pfad", "Bedeutung", "Wert", "Einheit", "Quelle oder Annahme"),
        row("---", "---", "---", "---", "---"),
    ]
    for path, text in paths:
        meaning = describe(path)
        head, _, rest = path.partition(".")
        name = rest.rsplit(".", 1)[0]
        if head == "help_types":
            meaning = f"{labels[name]}: {meaning}"
        elif head == "municipalities":
            meaning = f"{meaning} ({region_of[name]})"
        lines.append(
            row(
                f"`{path}`",
                cell(meaning),
                fmt(parameter_value(params, path)),
                cell(unit_of(scenario, path)),
                cell(text),
            )
        )
    return lines


def _settings_table(scenario: Scenario) -> list[str]:
    """Table 8.4: values without a provenance of their own."""
    params = scenario.params
    documented = {path for path, _ in params.provenance}
    lines = [row("Pfad", "Bedeutung", "Wert im Status quo"), row("---", "---", "---")]
    for path, value in leaves(params).items():
        if path in documented or path.split(".", 1)[0] in GROUPED:
            continue
        lines.append(row(f"`{path}`", cell(describe(path)), fmt(value)))
    for region in params.regions:
        path = f"regions.{region.name}.municipalities"
        names = ", ".join(m.name for m in region.municipalities)
        lines.append(row(f"`{path}`", cell(describe(path)), cell(names)))
    for spec in params.providers:
        parts = [
            fmt(spec.role),
            spec.region if spec.region is not None else "alle Regionen",
            fmt(spec.attractiveness),
        ]
        meaning = ", ".join(
            describe(f"providers.{spec.name}.{f}") for f in ("role", "region", "attractiveness")
        )
        lines.append(row(f"`providers.{spec.name}`", cell(meaning), cell(", ".join(parts))))
    for h in params.help_types:
        meaning = ", ".join(describe(f"help_types.{h.code}.{f}") for f in STRUCTURE_FIELDS)
        parts = [
            fmt(h.setting),
            fmt(h.billing),
            fmt(h.trait),
            help_label(h.escalates_to) if h.escalates_to else "–",
            fmt(h.regional2_eligible),
        ]
        lines.append(
            row(f"`help_types.{h.code}`", cell(f"{h.label}: {meaning}"), cell(", ".join(parts)))
        )
    return lines


def scheme_tables() -> list[str]:
    """Every registered incentive scheme and its parameters (part of table 8.4)."""
    lines = [
        row("Anreizsystem", "Bezeichnung", "Wirkung und Herkunft", "Parameter"),
        row("---", "---", "---", "---"),
    ]
    for name, cls in SCHEMES.items():
        params = ", ".join(f"`{p.name}`" for p in cls.parameters) or "–"
        text = f"{cls.description} {cls.legal_note}".strip()
        lines.append(row(f"`{name}`", cell(cls.label), cell(text), params))
    lines += [
        "",
        row(
            "Pfad",
            "Bedeutung",
            "Einheit",
            "Bereich",
            "Ohne Angabe",
            "Was-wäre-wenn",
            "Annahme (Was-wäre-wenn)",
        ),
        row("---", "---", "---", "---", "---", "---", "---"),
    ]
    for path, p in ((f"incentive.{n}", p) for n, p in parameters_by_name().items()):
        if p.kind == "pots":
            unit, span = "Töpfe", ", ".join(f"`{pot}`" for pot in POTS)
        else:
            unit, span = UNITS.get(p.unit, p.unit), f"{fmt(p.low)} bis {fmt(p.high)}"
        lines.append(
            row(
                f"`{path}`",
                cell(describe(path)),
                cell(unit),
                span,
                "Pflichtangabe" if p.required else fmt(p.default),
                fmt(p.whatif),
                cell(p.whatif_assumption),
            )
        )
    return lines


def _variant_table(base: Scenario, variants: list[Scenario]) -> list[str]:
    """Table 8.5: every value in which a variant differs from the base scenario."""
    base_values = leaves(base.params)
    base_prov = dict(base.params.provenance)
    lines = [
        row("Szenario", "Pfad", "Bedeutung", "Wert", "Einheit", "Quelle oder Annahme"),
        row("---", "---", "---", "---", "---", "---"),
    ]
    for variant in variants:
        prov = dict(variant.params.provenance)
        for path, value in leaves(variant.params).items():
            text = prov.get(path)
            if value == base_values.get(path) and text == base_prov.get(path):
                continue
            lines.append(
                row(
                    f"`{variant.name}`",
                    f"`{path}`",
                    cell(describe(path)),
                    fmt(value),
                    cell(unit_of(variant, path)),
                    cell(text or "Festlegung der Variante (ohne Zahlenwert)"),
                )
            )
    return lines


def render_tables(base: Scenario | None = None, variants: list[Scenario] | None = None) -> str:
    """The generated part of the ODD (tables 8.1–8.5), without the markers.

    Args:
        base: The documented scenario (default: :data:`BASE_SCENARIO`, loaded).
        variants: Scenarios shown in table 8.5 (default: every other library scenario in
            the base scenario's folder, i.e. the variants of the same system, also those
            that extend another variant).

    Returns:
        Markdown text, ending with a newline.
    """
    base = base or load_scenario(BASE_SCENARIO)
    if variants is None:
        variants = [
            s
            for s in (load_scenario(n) for n in list_scenarios() if n != base.name)
            if s.path.parent == base.path.parent
        ]
    prov = list(base.params.provenance)
    scenario_rows = [(p, t) for p, t in prov if p.split(".", 1)[0] not in OWN_TABLES]
    help_rows = [(p, t) for p, t in prov if p.startswith("help_types.")]
    mun_rows = [(p, t) for p, t in prov if p.startswith("municipalities.")]
    parts = [
        f"### 8.1 Parameter des Szenarios `{base.name}`",
        "",
        *_quantity_table(base, scenario_rows),
        "",
        "### 8.2 Hilfearten (`help_types.yaml`)",
        "",
        *_quantity_table(base, help_rows),
        "",
        "### 8.3 Gemeinden (`lueneburg_municipalities.csv`)",
        "",
        *_quantity_table(base, mun_rows),
        "",
        "### 8.4 Festlegungen ohne eigene Herkunftsangabe",
        "",
        "Strukturangaben der Szenario- und Datendateien und Vorgaben des Codes, die im "
        f"Szenario `{base.name}` nicht als Größe mit Quelle oder Annahme stehen.",
        "",
        *_settings_table(base),
        "",
        "Die Anreizsysteme: je System eine Klasse in `model/incentives.py`; Szenariodateien, "
        "Dashboard, Vorlage und diese Tabellen lesen Namen, Bezeichnung, Beschreibung und "
        "Parameter von dort.",
        "",
        *scheme_tables(),
        "",
        "### 8.5 Hebel der Reformvarianten",
        "",
        f"Jeder Wert, in dem eine Variante vom Szenario `{base.name}` abweicht.",
        "",
        *_variant_table(base, variants),
    ]
    return "\n".join(parts) + "\n"


def rewrite(text: str, tables: str | None = None) -> str:
    """The ODD text with the part between :data:`START` and :data:`END` regenerated.

    Args:
        text: The whole ODD.
        tables: The generated part (default: :func:`render_tables`).

    Returns:
        The new ODD text; everything outside the markers is unchanged.

    Raises:
        ValueError: If the markers are missing, repeated or out of order.
    """
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"docs/ODD.md needs exactly one {START} and one {END} line")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    if END in head:
        raise ValueError(f"{END} comes before {START} in docs/ODD.md")
    body = render_tables() if tables is None else tables
    return f"{head}{START}\n\n{body}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tables of docs/ODD.md (``--check``: only report whether they are current).

    Returns:
        0 if the file is (now) current; 1 with ``--check`` if it is out of date.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the tables are stale"
    )
    args = parser.parse_args(argv)
    old = ODD_PATH.read_text(encoding="utf-8")
    new = rewrite(old)
    if new == old:
        print("docs/ODD.md: Parametertabellen sind aktuell")
        return 0
    if args.check:
        print("docs/ODD.md: Parametertabellen sind veraltet (python docs/parameter_tables.py)")
        return 1
    ODD_PATH.write_text(new, encoding="utf-8")
    print("docs/ODD.md: Parametertabellen neu geschrieben")
    return 0


if __name__ == "__main__":
    sys.exit(main())
