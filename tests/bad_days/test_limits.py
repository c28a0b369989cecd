"""Bad-input catalogue of the limits no real Kreis can exceed (:mod:`scenarios.limits`).

Before, ``--seed 9223372036854775807`` stored the first run of a batch and then
failed with a traceback (a partial batch); ``--years 10000``, ``--replicates 10**9``,
a sweep of 10⁶ points, a population of 10¹² and a 50 MB description gave
tracebacks, hangs or allocations of many gigabytes; funds of ``1e308`` and a
population of 0 gave exit 0 with nonsense (negative budgets, 727 cases per 10.000).

Every case runs ``sozialraum run``, ``batch`` or ``compare`` (and ``calibrate`` for
its seed) against the small results store and must give exit 2, exactly one German
``Fehler:`` line naming the file and field (or the option), no traceback, the store
byte for byte unchanged and no output folder. Cases whose point is a hang or an
allocation run in their own process with a time limit.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from scenarios import DATA_DIR, LIBRARY_DIR
from tests.bad_days.harness import (
    ROOT,
    Case,
    assert_clear_input_error,
    file_digest,
    run_case,
    tree_digest,
)

STATUS_QUO = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"
CALIBRATION = ROOT / "calibration" / "posterior" / "lueneburg-v1.yaml"
STORE = "ergebnisse.duckdb"
"""Name of the small store (fixture ``small_store``) in each case's folder."""
OUT = "ausgabe"
"""Output folder of ``run`` cases; it must never be created."""
BASE = "lueneburg-status-quo"
REFORM = "lueneburg-rb2-20-rueckbehalt"
SEED_MAX_TEXT = "2.147.483.647"


# =========================================================================== building inputs


def _variant(name: str, overrides: str, *, description: str = "Testvariante") -> Callable:
    """Setup writing ``NAME.yaml``: a variant of the status quo with YAML ``overrides``."""

    def write(workdir: Path) -> None:
        body = "".join(f"  {line}\n" for line in overrides.splitlines())
        (workdir / f"{name}.yaml").write_text(
            f"name: {name}\ndescription: {description}\nextends: {BASE}\noverrides:\n{body}",
            encoding="utf-8",
        )

    return write


def _copy(name: str, *, csv: Callable[[str], str] | None = None) -> Callable:
    """Setup writing ``NAME.yaml``: the status quo with absolute data paths, its own CSV.

    Args:
        name: Scenario name and file stem.
        csv: Changes the text of the municipality file (copied next to the scenario).
    """

    def write(workdir: Path) -> None:
        text = STATUS_QUO.read_text(encoding="utf-8")
        csv_text = (DATA_DIR / "lueneburg_municipalities.csv").read_text(encoding="utf-8")
        (workdir / "gemeinden.csv").write_text(csv(csv_text) if csv else csv_text, "utf-8")
        csv_ref = "municipalities_file: ../../data/lueneburg_municipalities.csv"
        for old, new in (
            (f"name: {BASE}\n", f"name: {name}\n"),
            (csv_ref, "municipalities_file: gemeinden.csv"),
            ("help_types_file: ../../data/", f"help_types_file: {DATA_DIR}/"),
            ("sozialraeume_file: ../../data/", f"sozialraeume_file: {DATA_DIR}/"),
            ("file: ../../../calibration/posterior/lueneburg-v1.yaml", f"file: {CALIBRATION}"),
        ):
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        (workdir / f"{name}.yaml").write_text(text, encoding="utf-8")

    return write


def _populations(value: Callable[[int], int]) -> Callable[[str], str]:
    """CSV edit: every municipality's population replaced by ``value(old)``."""

    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        out = [lines[0]]
        for line in lines[1:]:
            region, municipality, population, rest = line.split(",", 3)
            out.append(f"{region},{municipality},{value(int(population))},{rest}")
        return "".join(out)

    return edit


def _sweep(name: str, text: str) -> Callable:
    """Setup writing the sweep file ``NAME.yaml``."""

    def write(workdir: Path) -> None:
        (workdir / f"{name}.yaml").write_text(text, encoding="utf-8")

    return write


def _batch(*scenarios: str, extra: Sequence[str] = ()) -> Callable[[Path], list[str]]:
    """``batch`` of files in the case's folder (or library names) into the small store."""

    def argv(workdir: Path) -> list[str]:
        refs = [str(workdir / s) if s.endswith(".yaml") else s for s in (*scenarios, *extra)]
        n = len(scenarios)
        return ["batch", *refs[:n], "--store", str(workdir / STORE), "--workers", "1", *refs[n:]]

    return argv


def _compare(a: str, b: str, extra: Sequence[str] = ()) -> Callable[[Path], list[str]]:
    def argv(workdir: Path) -> list[str]:
        return ["compare", a, b, "--store", str(workdir / STORE), "--workers", "1", *extra]

    return argv


def _run(scenario: str, extra: Sequence[str] = ()) -> Callable[[Path], list[str]]:
    def argv(workdir: Path) -> list[str]:
        ref = str(workdir / scenario) if scenario.endswith(".yaml") else scenario
        return ["run", ref, "--out", str(workdir / OUT), *extra]

    return argv


MILLION_POINTS = """description: eine Million Punkte
grid:
  budget.regional2_share: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
  provider.fls_rate: [60, 61, 62, 63, 64, 65, 66, 67, 68, 69]
lhs:
  samples: 10000
"""

MILLION_GRID = "description: Raster von einer Million Punkten\ngrid:\n" + "".join(
    f"  {path}: [{', '.join(str(v) for v in values)}]\n"
    for path, values in (
        ("budget.regional2_share", [round(i / 100, 2) for i in range(100)]),
        ("budget.bound_share", [round(i / 100, 2) for i in range(100)]),
        ("provider.fls_rate", list(range(50, 150))),
    )
)

TEN_THOUSAND_POINTS = """description: zehntausend Punkte
grid:
  budget.regional2_share: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
lhs:
  samples: 1000
"""


# =========================================================================== the catalogue

CASES: list[Case] = [
    # ------------------------------------------------------------ seeds
    Case(
        "seed-2hoch63-run",
        "sozialraum run mit --seed 9223372036854775807",
        _run(BASE, ["--seed", "9223372036854775807"]),
        ("Aufruf ungültig", "Angabe --seed", "zu groß", SEED_MAX_TEXT),
    ),
    Case(
        "seed-2hoch63-batch",
        "sozialraum batch mit --seed 9223372036854775807 (früher: erster Lauf gespeichert, "
        "dann Traceback)",
        _batch(BASE, extra=["--seed", "9223372036854775807", "--replicates", "2"]),
        ("Angabe --seed", SEED_MAX_TEXT),
    ),
    Case(
        "letzter-seed-batch",
        "sozialraum batch mit --seed 2147483647 --replicates 2 (letzter Seed zu groß)",
        _batch(BASE, extra=["--seed", "2147483647", "--replicates", "2"]),
        ("Angabe --seed", "letzter Seed 2.147.483.648", SEED_MAX_TEXT),
    ),
    Case(
        "letzter-seed-compare",
        "sozialraum compare mit --seed 2147483640 --replicates 10",
        _compare(BASE, REFORM, ["--seed", "2147483640", "--replicates", "10"]),
        ("Angabe --seed", "letzter Seed 2.147.483.649"),
    ),
    Case(
        "seed-2hoch63-calibrate",
        "sozialraum calibrate mit --seed 9223372036854775807",
        lambda w: ["calibrate", "--seed", "9223372036854775807", "--out", str(w / "k.yaml")],
        ("Angabe --seed", SEED_MAX_TEXT),
    ),
    Case(
        "seed-5000-ziffern",
        "sozialraum run mit einem Seed aus 5.000 Ziffern (Python: mehr als 4.300 Ziffern)",
        _run(BASE, ["--seed", "9" * 5000]),
        ("Angabe --seed", "zu lang für eine Zahl"),
    ),
    # ------------------------------------------------------------ years, replicates, workers
    Case(
        "jahre-10000-run",
        "sozialraum run mit --years 10000",
        _run(BASE, ["--years", "10000"]),
        ("Angabe --years", "höchstens 30 Jahre"),
    ),
    Case(
        "jahre-10000-batch",
        "sozialraum batch mit --years 10000",
        _batch(BASE, extra=["--years", "10000"]),
        ("Angabe --years", "höchstens 30 Jahre"),
    ),
    Case(
        "wiederholungen-1e9-batch",
        "sozialraum batch mit --replicates 1000000000",
        _batch(BASE, extra=["--replicates", "1000000000"]),
        ("Angabe --replicates", "höchstens 10.000 Wiederholungen"),
    ),
    Case(
        "wiederholungen-1e9-compare",
        "sozialraum compare mit --replicates 1000000000",
        _compare(BASE, REFORM, ["--replicates", "1000000000"]),
        ("Angabe --replicates", "höchstens 10.000 Wiederholungen"),
    ),
    Case(
        "prozesse-100000-batch",
        "sozialraum batch mit --workers 100000",
        lambda w: ["batch", BASE, "--store", str(w / STORE), "--workers", "100000"],
        ("Angabe --workers", "höchstens 256 Prozesse"),
    ),
    Case(
        "laeufe-200000-batch",
        "sozialraum batch: 2 Szenarien × 10.000 Sweep-Punkte × 10 Wiederholungen",
        _batch(BASE, REFORM, extra=["--sweep", "zehntausend.yaml", "--replicates", "10"]),
        ("Angabe --replicates", "200.000 Läufe", "höchstens 50.000 Läufe", "zehntausend.yaml"),
        setup=_sweep("zehntausend", TEN_THOUSAND_POINTS),
    ),
    # ------------------------------------------------------------ sweep files
    Case(
        "sweep-1e6-punkte",
        "Sweep mit 10 × 10 Rasterwerten × 10.000 Stichproben = 10⁶ Punkten (früher: Hänger "
        "beim Planen)",
        _batch(BASE, extra=["--sweep", "million.yaml"]),
        ("million.yaml", "Feld lhs.samples", "1.000.000 Punkte", "höchstens 10.000 Punkte"),
        setup=_sweep("million", MILLION_POINTS),
        subprocess=True,
        timeout=60.0,
    ),
    Case(
        "sweep-raster-1e6",
        "Sweep-Raster 100 × 100 × 100 = 10⁶ Punkte",
        _batch(BASE, extra=["--sweep", "raster.yaml"]),
        ("raster.yaml", "Feld grid", "1.000.000 Punkte"),
        setup=_sweep("raster", MILLION_GRID),
        subprocess=True,
        timeout=60.0,
    ),
    Case(
        "sweep-stichproben-1e6",
        "Sweep mit lhs.samples: 1000000",
        _batch(BASE, extra=["--sweep", "lhs.yaml"]),
        ("lhs.yaml", "Feld lhs.samples", "höchstens 10000"),
        setup=_sweep("lhs", "description: x\nlhs:\n  samples: 1000000\n"),
    ),
    Case(
        "sweep-seed-2hoch63",
        "Sweep mit seed: 9223372036854775808",
        _batch(BASE, extra=["--sweep", "seed.yaml"]),
        ("seed.yaml", "Feld seed", "höchstens 2147483647"),
        setup=_sweep("seed", "seed: 9223372036854775808\ngrid:\n  budget.regional2_share: [0.1]\n"),
    ),
    # ------------------------------------------------------------ years and months in files
    Case(
        "jahre-10000-datei",
        "Szenario mit years: 10000",
        _batch("jahre.yaml"),
        ("jahre.yaml", "Feld years", "höchstens 30 Jahre"),
        setup=_variant("jahre", "years: 10000"),
    ),
    Case(
        "einschwingzeit-100000-monate",
        "Szenario mit burn_in_months: 100000",
        _batch("einschwing.yaml"),
        ("einschwing.yaml", "Feld burn_in_months", "höchstens 252 Monate"),
        setup=_variant("einschwing", "burn_in_months: 100000"),
    ),
    Case(
        "projektdauer-100000-monate",
        "Szenario mit projects.duration_months: [100000]",
        _batch("dauer.yaml"),
        ("dauer.yaml", "Feld projects.duration_months", "252 Monate"),
        setup=_variant("dauer", "projects.duration_months: [100000]"),
    ),
    # ------------------------------------------------------------ money
    Case(
        "mittel-1e308",
        "Szenario mit budget.central_funds: 1e308 (früher: Exit 0, negative Budgets)",
        _batch("geld.yaml"),
        ("geld.yaml", "Feld budget.central_funds", "1e+308", "10.000.000.000 € je Jahr"),
        setup=_variant("geld", "budget.central_funds: 1.0e+308"),
    ),
    Case(
        "sozialraummittel-2e10",
        "Szenario mit budget.sozialraum_funds: 20 Milliarden €",
        _batch("sozialraum.yaml"),
        ("sozialraum.yaml", "Feld budget.sozialraum_funds", "20.000.000.000"),
        setup=_variant("sozialraum", "budget.sozialraum_funds: 2.0e+10"),
    ),
    Case(
        "projektkosten-1e308",
        "Szenario mit projects.cost_mean: 1e308",
        _batch("projekt.yaml"),
        ("projekt.yaml", "Feld projects.cost_mean", "10.000.000.000 € je Jahr"),
        setup=_variant("projekt", "projects.cost_mean: 1.0e+308"),
    ),
    Case(
        "fls-satz-1e6",
        "Szenario mit provider.fls_rate: 1.000.000 €",
        _batch("fls.yaml"),
        ("fls.yaml", "Feld provider.fls_rate", "höchstens 1.000 € je FLS"),
        setup=_variant("fls", "provider.fls_rate: 1.0e+6"),
    ),
    Case(
        "ruecklagen-minus-1e12",
        "Szenario mit Rücklagen eines Trägers von -10¹² €",
        _batch("ruecklage.yaml"),
        ("ruecklage.yaml", "reserves", "zu klein", "-10.000.000.000 €"),
        setup=_variant("ruecklage", "providers.0.reserves: -1.0e+12"),
    ),
    Case(
        "personalkosten-1e9",
        "Szenario mit provider.cost_per_fte_month: 10⁹ €",
        _batch("personal.yaml"),
        ("personal.yaml", "Feld provider.cost_per_fte_month", "100.000 € je Monat"),
        setup=_variant("personal", "provider.cost_per_fte_month: 1.0e+9"),
    ),
    Case(
        "mittelsteigerung-200-prozent",
        "Szenario mit budget.yearly_increase: 2 (+200 % je Jahr)",
        _batch("steigerung.yaml"),
        ("steigerung.yaml", "Feld budget.yearly_increase", "höchstens 0,25"),
        setup=_variant("steigerung", "budget.yearly_increase: 2.0"),
    ),
    Case(
        "stellen-1e9",
        "Szenario mit 10⁹ Vollzeitstellen eines Trägers",
        _batch("stellen.yaml"),
        ("stellen.yaml", "staff_fte", "höchstens 10.000 Vollzeitstellen"),
        setup=_variant("stellen", "providers.0.staff_fte: 1.0e+9"),
    ),
    Case(
        "antraege-1e300",
        "Szenario mit 10³⁰⁰ Projektanträgen je Region und Jahr",
        _batch("antraege.yaml"),
        ("antraege.yaml", "Feld projects.proposals_per_region", "1.000 Anträge je Jahr"),
        setup=_variant("antraege", "projects.proposals_per_region: 1.0e+300"),
    ),
    # ------------------------------------------------------------ population
    Case(
        "bevoelkerung-0",
        "alle Gemeinden mit 0 Einwohnern (früher: Exit 0, 727 Fälle je 10.000)",
        _batch("leer.yaml"),
        ("leer.yaml", "Feld regions", "0 Einwohner", "gemeinden.csv"),
        setup=_copy("leer", csv=_populations(lambda _p: 0)),
    ),
    Case(
        "unter-21-anteil-0",
        "Szenario mit population.under21_share: 0 (keine jungen Menschen)",
        _batch("ohnejugend.yaml"),
        ("ohnejugend.yaml", "Feld population.under21_share", "Anteil unter 21 ist 0"),
        setup=_variant("ohnejugend", "population.under21_share: 0.0"),
    ),
    Case(
        "bevoelkerung-4-millionen-ueberschritten",
        "Regionen mit zusammen 4.000.010 Einwohnern",
        _batch("riesig.yaml"),
        ("riesig.yaml", "Feld regions", "4.000.010 Einwohner", "höchstens 4.000.000"),
        setup=_copy("riesig", csv=_populations(lambda _p: 400_001)),
    ),
    Case(
        "bevoelkerung-1e12",
        "eine Gemeinde mit 10¹² Einwohnern (früher: Speicher erschöpft)",
        _batch("billion.yaml"),
        ("gemeinden.csv", "Feld population"),
        setup=_copy("billion", csv=_populations(lambda _p: 10**12)),
        subprocess=True,
        timeout=60.0,
    ),
    Case(
        "wachstum-simuliert-zu-viele-datei",
        "Bevölkerungswachstum 20 % je Jahr über 30 Jahre (im Szenario)",
        _batch("wachstum.yaml"),
        ("wachstum.yaml", "Feld population.growth_per_year", "höchstens 16.000.000"),
        setup=_variant("wachstum", "years: 30\npopulation.growth_per_year: 0.2"),
    ),
    Case(
        "wachstum-simuliert-zu-viele-run",
        "sozialraum run --years 30 bei 20 % Bevölkerungswachstum je Jahr",
        _run("wachstum20.yaml", ["--years", "30"]),
        ("Angabe --years", "höchstens 16.000.000"),
        setup=_variant("wachstum20", "population.growth_per_year: 0.2"),
    ),
    Case(
        "massstab-winzig-run",
        "sozialraum run --scale 0.00001 (0,2 simulierte junge Menschen)",
        _run(BASE, ["--scale", "0.00001"]),
        ("Angabe --scale", "mindestens einer"),
    ),
    Case(
        "massstab-winzig-batch",
        "sozialraum batch --scale 0.00001",
        _batch(BASE, extra=["--scale", "0.00001"]),
        ("Feld scale", "mindestens einer"),
    ),
    # ------------------------------------------------------------ texts
    Case(
        "beschreibung-20000-zeichen",
        "Variante mit einer Beschreibung von 20.000 Zeichen",
        _batch("lang.yaml"),
        ("lang.yaml", "Feld description", "höchstens 10.000 Zeichen"),
        setup=_variant("lang", "need.base: 0.79", description="x" * 20_000),
    ),
    Case(
        "annahme-6000-zeichen",
        "Größe mit einer Annahme von 6.000 Zeichen",
        _batch("annahme.yaml"),
        ("annahme.yaml", "Feld budget.central_funds.assumption", "höchstens 5.000 Zeichen"),
        setup=_variant(
            "annahme",
            "budget.central_funds: {value: 1.0e+6, unit: EUR/year, assumption: " + "y" * 6000 + "}",
        ),
    ),
    Case(
        "beschreibung-50mb",
        "Variante mit einer Beschreibung von 50 MB (früher: Hänger)",
        _batch("riesentext.yaml"),
        ("riesentext.yaml",),
        setup=_variant("riesentext", "need.base: 0.79", description="z" * (50 * 1024 * 1024)),
        subprocess=True,
        timeout=60.0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.ident)
def test_limit_refused_before_anything_runs(
    case: Case, small_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, one ``Fehler:`` line naming file and field, store and folder unchanged."""
    workdir = small_store.parent
    if case.setup is not None:
        case.setup(workdir)
    store_before = file_digest(small_store)
    folder_before = tree_digest(workdir)
    started = time.perf_counter()
    outcome = run_case(dataclasses.replace(case, setup=None), workdir, capsys)
    seconds = time.perf_counter() - started
    assert_clear_input_error(outcome, *case.expect, lines=case.lines)
    assert file_digest(small_store) == store_before
    assert tree_digest(workdir) == folder_before
    assert not (workdir / OUT).exists()
    assert seconds < 30, f"{seconds:.1f} s bis zur Fehlermeldung"


def test_catalogue_ids_are_unique() -> None:
    assert len({c.ident for c in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "setup, argv",
    [
        (_variant("ok", "years: 30\nburn_in_months: 252\nbudget.central_funds: 1.0e+10"), "ok"),
        (_copy("kopie"), "kopie"),
    ],
    ids=["grenzwerte", "kopie"],
)
def test_starting_points_load(setup: Callable, argv: str, tmp_path: Path) -> None:
    """Each case's fault comes from its one change: the unchanged inputs (and values
    exactly at the limits) load."""
    from scenarios.loader import load_scenario

    setup(tmp_path)
    scenario = load_scenario(tmp_path / f"{argv}.yaml")
    assert scenario.params.years in (5, 30)
