"""Limits that no real Landkreis can ever exceed, checked before anything runs.

Every number a user can give (command-line arguments, scenario and sweep files,
municipality data) is bounded here, generously but finitely, so that a typo or a
hostile file ends with a clear German ``Fehler:`` line instead of an hour-long hang,
a memory allocation of many gigabytes or an integer overflow that silently turns a
budget negative. Each limit is a named constant whose docstring says what it bounds
and why the value is safe; the messages name the limit and its value.

The schema (:mod:`scenarios.quantities`, :mod:`scenarios.sections`) applies the
limits of single values (money, months, growth, texts); :func:`check_scenario_size`
the limits of a whole scenario (total and simulated population);
:func:`check_batch_size` those of a batch (seeds and number of runs, before a single
point of a sweep is loaded); the command line (:mod:`cli.main`) those of its
arguments.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Collection

from model.params import ModelParams
from scenarios.errors import Loc, ScenarioError, display_path
from scenarios.formatting import fmt_num, fmt_pct, fmt_value

# =========================================================================== runs and batches

MAX_SEED = 2**31 - 1
"""Largest seed of a run (2.147.483.647, the largest signed 32-bit integer).

Seeds number the replicates of a batch (1 … N). A seed is stored in the results
store (DuckDB ``BIGINT``), passed to numpy and exported to CSV and XLSX, where Excel
keeps only 15 significant digits; 2³¹ − 1 is exact in every one of them, and the last
seed of a batch (``--seed`` + ``--replicates`` − 1) must stay within it too. Before
this limit, ``--seed 9223372036854775807`` stored the first run and then failed with
an overflow (a partial batch)."""

MAX_YEARS = 30
"""Most simulated (reported) years of a run, in the scenario (``years``) or ``--years``.

A Kreis plans its budget for one or two years, its medium-term finances for five,
and Lüneburg reviews the distribution of the Sozialraum budgets every five years; 30
years are six such reviews and more than a childhood (0–21 years). The engine's
projections (population growth, need trend) mean nothing beyond that, and 10.000
years took hours and ended in an overflow."""

MAX_MONTHS = 21 * 12
"""Longest duration in months anywhere in a scenario (252 months = 21 years).

Burn-in, help durations, hiring lags, review intervals, sibling spacing and project
durations: nothing in youth welfare lasts longer than a childhood (a foster-care
placement from birth ends at 21 at the latest), and a burn-in longer than that builds
no further stock of running helps. The engine counts months of a case in 16-bit
integers, which a longer duration would overflow."""

MAX_REPLICATES = 10_000
"""Most replicates (seeds) per scenario and sweep point (``--replicates``).

The Monte-Carlo error of a mean falls with the square root of the replicates: with
10.000 it is 1 % of the spread between runs, far below any difference a Kreis would
act on (the project's studies use 10 to 100)."""

MAX_SWEEP_POINTS = 10_000
"""Most points of a sweep (grid combinations × Latin-hypercube samples).

A Latin hypercube over the dozen uncertainties a scenario declares is dense with a
few hundred points, a grid over three levers with ten values each has 1.000; 10.000
leaves a factor of ten. Planning a sweep of 10⁶ points loaded and validated the
scenario a million times before anything ran (a hang)."""

MAX_BATCH_RUNS = 50_000
"""Most runs one batch plans (scenarios × sweep points × replicates).

The largest study the toolkit is made for (every one of the 14 library scenarios ×
32 sweep points × 100 replicates, about 45.000 runs) fits. Planning holds about 25 KB
per run in memory and loads the scenario about 12 times a second (measured: 2.000
runs of a calibrated scenario took 48 MB and 168 s to plan), so 50.000 runs need
about 1,2 GB and over an hour before the first run starts, and at 2 to 3 s per
full-scale Lüneburg run (five years, measured) some 30 to 40 CPU hours. More belongs
in several batches."""

MAX_WORKERS = 256
"""Most local worker processes of a batch or a comparison (``--workers``).

One worker per core is the useful maximum; each worker of a batch holds about 270 MB,
so 256 workers need some 70 GB, more than most servers have. Larger clusters run
through a Dask scheduler (``--scheduler``)."""

# =========================================================================== population

MAX_TOTAL_POPULATION = 4_000_000
"""Most inhabitants of all regions of a scenario together.

(One row of the municipality file is bounded by
:data:`scenarios.datafiles.MAX_MUNICIPALITY_POPULATION`, the same value.)

A scenario is the area of one youth-welfare office. The largest Kreis, the Region
Hannover, has about 1,2 million inhabitants, the largest city with one
youth-welfare office, München, about 1,5 million, and Berlin as a whole 3,8 million;
4 million covers every one of them."""

MAX_SIMULATED_POPULATION = 16_000_000
"""Most inhabitants a run simulates, at its end (population × scale × growth).

Population growth over the horizon (burn-in plus simulated years) enlarges the
engine's family table, which is allocated for the end of the run. Measured on one
core: a run growing from 4,0 to 14,7 million simulated inhabitants over ten years
(burn-in included) took 605 MB and 33 s; 16 million (four times Berlin) keep a
worker well under 1 GB. A scenario beyond it is refused as written (its own years
and growth), before ``--years``/``--scale`` are applied."""

# =========================================================================== money and rates

MAX_EUR_AMOUNT = 10_000_000_000
"""Most euros of one amount: a pot's funds per year, a project's cost per year, a
counselling post's cost per year, a provider's reserves (10 billion €).

All of Germany spends in the order of 15 billion € a year on Hilfen zur Erziehung;
a single Kreis a few hundred million at most. The engine books money in 64-bit
integer cents (at most 9,2 × 10¹⁸); 10 billion € are 10¹² cents, so even with the
largest yearly increase over the longest horizon every sum stays far from overflow.
Before this limit, funds of 1e308 € gave exit 0 and negative budgets."""

MAX_EUR_PER_FLS = 1_000
"""Highest rate per Fachleistungsstunde (FLS) in €.

Real FLS rates lie between about 50 and 100 € (Fürth 69,80 €, 2024); ten times the
highest keeps the cost of every case far from an overflow of the ledger."""

MAX_EUR_PER_DAY = 10_000
"""Highest daily rate of a help (€ per day).

Residential care costs roughly 150 to 600 € a day, the most intensive individual
placements rarely more than 1.500 €; 10.000 € is well beyond any real rate."""

MAX_EUR_PER_FTE_MONTH = 100_000
"""Highest cost of one full-time post per month (€).

A full-time social worker costs a provider about 6.000 to 8.000 € a month including
overheads; 100.000 € is more than ten times that."""

MAX_GROWTH_PER_YEAR = 0.25
"""Largest relative increase per year (+25 %) of the population or of the funds.

Real Kreise grow by at most a few percent a year and youth-welfare budgets rarely
rise by more than 10 to 15 % in one year, never year after year. The funds grow in
every simulated year, so the limit bounds what the ledger's int64 cents must hold:
10 billion € rising by 25 % a year for 30 years are at most 6,5 × 10¹⁴ cents per
pot and year and 1,3 × 10¹⁶ cents for all pots and years together, some 700 times
below the overflow at 9,2 × 10¹⁸ (with +50 % a year it would be only 6 times)."""

MAX_FTE = 10_000
"""Most full-time posts of one provider at the start of a run.

The largest providers in a Kreis employ a few hundred people in youth welfare;
10.000 posts are more than every youth-welfare provider of Berlin together would
need for one Kreis, and staff costs stay far from overflow."""

MAX_FLS_PER_WEEK = 168
"""Most Fachleistungsstunden per week of one help: a week has 168 hours."""

MAX_HOURS_PER_YEAR = 1_000_000
"""Most hours per year of one purpose of Sozialraum coordination in one region.

One full-time post works about 1.600 hours a year; a million hours are 600 posts,
far more than any region's coordination, and valued at the highest FLS rate still a
finite, small amount of cents."""

MAX_PROPOSALS_PER_YEAR = 1_000
"""Most project proposals per region and year.

A Sozialraum sees a handful to a few dozen proposals a year; the engine prepares
arrays for the largest plausible draw, so 10³⁰⁰ proposals exhausted the memory."""

# =========================================================================== texts

MAX_DESCRIPTION_CHARS = 10_000
"""Longest description of a scenario, variant, sweep or help-type file (characters).

About four printed pages; the longest description in the library has under 800
characters. A 50 MB description was copied into every run record and export."""

MAX_PROVENANCE_CHARS = 5_000
"""Longest source or assumption text of one quantity (characters).

A citation with its URL and a paragraph of reasoning; the longest in the library
has about 600 characters."""

MAX_LABEL_CHARS = 200
"""Longest label of a lever, uncertainty, outcome or help type (characters).

Labels appear in tables and charts; the longest in the library has 91 characters."""

MAX_NAME_CHARS = 200
"""Longest name of a scenario, region, municipality, provider or help-type code.

Names appear in tables, file names and error messages; the longest in the library
has 56 characters."""


# =========================================================================== errors


class ArgumentError(ScenarioError):
    """A command-line argument beyond a limit (its field is the option, e.g. ``--years``).

    Printed like the parser's own errors: ``Fehler: Aufruf ungültig, Angabe --years: …``.
    """

    def __init__(self, option: str, message: str) -> None:
        super().__init__("Kommandozeile", option, message)

    def cli_line(self) -> str:
        """``Fehler: Aufruf ungültig, Angabe --option: …``."""
        return f"Fehler: Aufruf ungültig, Angabe {self.field}: {self.message}"


def shown_number(x: float) -> str:
    """A number as shown in messages: ``10.000.000.000``, ``0,5``, ``1e+308``.

    Examples:
        >>> shown_number(-1e11), shown_number(0.5), shown_number(1e308)
        ('-100.000.000.000', '0,5', '1e+308')
    """
    if float(x).is_integer() and abs(x) < 1e15:
        return fmt_num(x, 0)
    return fmt_value(x)


def too_large(value: float, maximum: float, unit: str = "", why: str = "") -> str:
    """German message for a value above its limit.

    Args:
        value: The value given.
        maximum: The limit.
        unit: Unit shown after the limit (e.g. ``€ je Jahr``).
        why: Short German reason, shown in parentheses.

    Returns:
        For example ``Wert 1e+308 ist zu groß; höchstens 10.000.000.000 € je Jahr (…)``.

    Examples:
        >>> too_large(31, MAX_YEARS, "Jahre")
        'Wert 31 ist zu groß; höchstens 30 Jahre'
    """
    limit = f"{shown_number(maximum)} {unit}".rstrip()
    text = f"Wert {shown_number(value)} ist zu groß; höchstens {limit}"
    return f"{text} ({why})" if why else text


# =========================================================================== command line


def check_arguments(
    *,
    seed: int | None = None,
    replicates: int | None = None,
    workers: int | None = None,
) -> None:
    """Check command-line values that depend on each other (or on no parser type).

    Args:
        seed: ``--seed`` (the first seed).
        replicates: ``--replicates``.
        workers: ``--workers``.

    Raises:
        ArgumentError: If the seed, the last seed or the workers exceed their limits.
    """
    if seed is not None and seed > MAX_SEED:
        raise ArgumentError("--seed", too_large(seed, MAX_SEED, "", SEED_WHY))
    if seed is not None and replicates is not None and seed + replicates - 1 > MAX_SEED:
        last = seed + replicates - 1
        raise ArgumentError(
            "--seed",
            f"letzter Seed {fmt_num(last)} (--seed + --replicates − 1) ist zu groß; "
            f"höchstens {fmt_num(MAX_SEED)} ({SEED_WHY})",
        )
    if workers is not None and workers > MAX_WORKERS:
        raise ArgumentError("--workers", too_large(workers, MAX_WORKERS, "Prozesse", WORKERS_WHY))


SEED_WHY = "größte ganze 32-Bit-Zahl, exakt in Speicher, numpy und Excel"
"""German reason of :data:`MAX_SEED` for messages."""

YEARS_WHY = "mehr als sechs Überprüfungszeiträume von fünf Jahren"
"""German reason of :data:`MAX_YEARS` for messages."""

REPLICATES_WHY = "der Zufallsfehler ist dann 1 % der Streuung"
"""German reason of :data:`MAX_REPLICATES` for messages."""

WORKERS_WHY = "je Prozess rund 270 MB; größere Rechner über --scheduler"
"""German reason of :data:`MAX_WORKERS` for messages."""


# =========================================================================== batches


def check_batch_size(
    n_scenarios: int,
    n_points: int,
    replicates: int,
    seed_base: int,
    sweep_file: str | os.PathLike[str] | None = None,
) -> None:
    """Check seeds and the number of runs of a batch before anything is loaded per point.

    Args:
        n_scenarios: Scenarios of the batch.
        n_points: Sweep points per scenario (1 without a sweep).
        replicates: Replicates per scenario and point.
        seed_base: First seed.
        sweep_file: The sweep file, named in the message.

    Raises:
        ArgumentError: If a seed or the number of runs exceeds its limit.
    """
    if replicates > MAX_REPLICATES:
        raise ArgumentError(
            "--replicates", too_large(replicates, MAX_REPLICATES, "Wiederholungen", REPLICATES_WHY)
        )
    check_arguments(seed=seed_base, replicates=replicates)
    runs = n_scenarios * n_points * replicates
    if runs > MAX_BATCH_RUNS:
        where = f" (Sweep-Datei {display_path(sweep_file)})" if sweep_file is not None else ""
        raise ArgumentError(
            "--replicates",
            f"{fmt_num(n_scenarios)} {'Szenario' if n_scenarios == 1 else 'Szenarien'} × "
            f"{fmt_num(n_points)} {'Punkt' if n_points == 1 else 'Punkte'}{where} × "
            f"{fmt_num(replicates)} Wiederholungen = {fmt_num(runs)} Läufe; höchstens "
            f"{fmt_num(MAX_BATCH_RUNS)} Läufe je Batch (schon das Planen bräuchte über eine "
            "Stunde); auf mehrere Batches aufteilen",
        )


def check_sweep_size(
    grid_sizes: Collection[int],
    lhs_samples: int,
    file: str | os.PathLike[str],
    line_of: Callable[[Loc], int | None] | None = None,
) -> None:
    """Check the number of points of a sweep (grid combinations × hypercube samples).

    Args:
        grid_sizes: Number of values of each grid parameter.
        lhs_samples: Latin-hypercube samples (0 = none).
        file: The sweep file.
        line_of: Line of a location in the file, if known.

    Raises:
        ScenarioError: Naming ``grid`` or ``lhs.samples``.
    """
    n_grid = math.prod(grid_sizes)
    n_points = n_grid * max(lhs_samples, 1)
    if n_points <= MAX_SWEEP_POINTS:
        return
    field, loc = ("grid", ("grid",)) if n_grid > MAX_SWEEP_POINTS else ("lhs.samples", ("lhs",))
    detail = " × ".join(fmt_num(n) for n in grid_sizes) or "1"
    if lhs_samples:
        detail = f"{detail} Rasterwerte × {fmt_num(lhs_samples)} Stichproben"
    else:
        detail = f"{detail} Rasterwerte"
    raise ScenarioError(
        file,
        field,
        f"{detail} = {fmt_num(n_points)} Punkte; höchstens {fmt_num(MAX_SWEEP_POINTS)} "
        "Punkte je Sweep (mehr ändert keine Entscheidung, schon das Planen dauerte Stunden)",
        line_of(loc) if line_of is not None else None,
    )


# =========================================================================== scenarios


def check_scenario_size(
    params: ModelParams,
    file: str | os.PathLike[str],
    *,
    data_file: str | os.PathLike[str] | None = None,
    line_of: Callable[[Loc], int | None] | None = None,
    cli: Collection[str] = (),
) -> None:
    """Check the population a scenario simulates: not empty, not beyond any Kreis.

    Args:
        params: The scenario's parameters (after ``--years``/``--scale``).
        file: The scenario file, named in the message.
        data_file: The municipality file, named when the population is empty.
        line_of: Line of a location in the scenario file, if known.
        cli: Fields set on the command line (``years``, ``scale``): a problem they
            cause names the option (``--scale``) instead of the file.

    Raises:
        ScenarioError: For an empty population, too many inhabitants, too few
            simulated young people or a simulated population beyond
            :data:`MAX_SIMULATED_POPULATION`; :class:`ArgumentError` where the
            cause is an option in ``cli``.
    """

    def fail(field: str, loc: Loc, message: str) -> ScenarioError:
        if field in cli:
            return ArgumentError(f"--{field}", message)
        return ScenarioError(file, field, message, line_of(loc) if line_of else None)

    total = sum(m.population for r in params.regions for m in r.municipalities)
    if total <= 0:
        where = f" (Gemeindedatei {display_path(data_file)})" if data_file is not None else ""
        raise fail(
            "regions",
            ("regions",),
            f"die Gemeinden der Regionen haben zusammen 0 Einwohner{where}; ohne Einwohner "
            "gibt es keine Familien und keine Hilfen zu simulieren",
        )
    if total > MAX_TOTAL_POPULATION:
        raise fail(
            "regions",
            ("regions",),
            f"die Regionen haben zusammen {fmt_num(total)} Einwohner; höchstens "
            f"{fmt_num(MAX_TOTAL_POPULATION)} (größter Kreis rund 1,2 Millionen, Berlin rund "
            "3,8 Millionen)",
        )
    u21 = params.population.under21_share
    if u21 <= 0:
        raise fail(
            "population.under21_share",
            ("population", "under21_share"),
            "Anteil unter 21 ist 0: ohne junge Menschen gibt es keine Hilfen zu simulieren",
        )
    young = total * u21 * params.scale
    if young < 1:
        raise fail(
            "scale",
            ("scale",),
            f"bei Maßstab {fmt_num(params.scale, 6).rstrip('0').rstrip(',')} würden nur "
            f"{fmt_num(young, 2)} junge Menschen unter 21 simuliert; mindestens einer "
            "(größeren Maßstab wählen)",
        )
    horizon_years = float(params.years)  # the population grows in the reported years only
    growth = params.population.growth_per_year
    factor = (1.0 + growth) ** horizon_years if growth > 0 else 1.0
    simulated = total * params.scale * factor
    if simulated > MAX_SIMULATED_POPULATION:
        raise fail(
            "years" if "years" in cli else "population.growth_per_year",
            ("population", "growth_per_year"),
            f"mit {fmt_pct(growth)} Bevölkerungswachstum je Jahr über "
            f"{fmt_num(horizon_years, 1)} simulierte Jahre würden "
            f"am Ende rund {fmt_num(simulated)} Einwohner simuliert; höchstens "
            f"{fmt_num(MAX_SIMULATED_POPULATION)} (Speicher je Lauf)",
        )


__all__ = [
    "MAX_BATCH_RUNS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_EUR_AMOUNT",
    "MAX_EUR_PER_DAY",
    "MAX_EUR_PER_FLS",
    "MAX_EUR_PER_FTE_MONTH",
    "MAX_FLS_PER_WEEK",
    "MAX_FTE",
    "MAX_GROWTH_PER_YEAR",
    "MAX_HOURS_PER_YEAR",
    "MAX_LABEL_CHARS",
    "MAX_MONTHS",
    "MAX_NAME_CHARS",
    "MAX_PROPOSALS_PER_YEAR",
    "MAX_PROVENANCE_CHARS",
    "MAX_REPLICATES",
    "MAX_SEED",
    "MAX_SIMULATED_POPULATION",
    "MAX_SWEEP_POINTS",
    "MAX_TOTAL_POPULATION",
    "MAX_WORKERS",
    "MAX_YEARS",
    "ArgumentError",
    "check_arguments",
    "check_batch_size",
    "check_scenario_size",
    "check_sweep_size",
    "shown_number",
    "too_large",
]
