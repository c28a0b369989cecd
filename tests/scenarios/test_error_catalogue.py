"""Catalogue of broken scenario files: each kind of fault gives its own clear error.

Every case copies the shipped Lüneburg status quo (and its data files) into a
temporary folder, makes one targeted change and checks that

* :func:`load_scenario` raises :class:`ScenarioError` (never another exception),
* the error names the faulty file, the line (where the fault has one) and the
  field (dotted path or CSV column),
* the message is plain German and contains the expected fragment,
* ``sozialraum run <file> --out DIR`` exits with code 2, prints one ``Fehler:`` line
  per problem on stderr (one for most cases; a typo in a key is also a missing
  key: two) and no traceback, and leaves ``DIR`` untouched.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli.main import main
from scenarios import DATA_DIR, LIBRARY_DIR, load_scenario
from scenarios.errors import ScenarioError

STATUS_QUO = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"
CSV_NAME = "lueneburg_municipalities.csv"
HELP_NAME = "help_types.yaml"
INDICATOR_NAME = "lueneburg_sozialraeume.csv"
CALIBRATION_REF = "file: ../../../calibration/posterior/lueneburg-v1.yaml"
CALIBRATION_NAME = "kalibrierung.yaml"
BROKEN = "kaputt"
"""Stem of the broken scenario file in every case."""
SCENARIO = f"{BROKEN}.yaml"

ENGLISH_FRAGMENTS = (
    "Input should",
    "Field required",
    "Value error",
    "Extra inputs",
    "expected",
    "found",
    "while ",
    "could not",
    "not allowed",
    "mapping",
    "scalar",
    "Traceback",
    "Error",
    "line ",
    "column",
    "No such file",
)
"""Pieces of English parser or validator output that must never reach a user."""


# =========================================================================== building files


def replace_once(text: str, old: str, new: str) -> str:
    """Replace ``old`` by ``new``; ``old`` must occur exactly once.

    Args:
        text: The text to change.
        old: The unique piece to replace.
        new: Its replacement.

    Returns:
        The changed text.
    """
    count = text.count(old)
    assert count == 1, f"Vorlage enthält {old!r} {count}-mal statt einmal"
    return text.replace(old, new)


class Workspace:
    """A temporary folder with a copy of the status quo and its data files."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name in (CSV_NAME, HELP_NAME, INDICATOR_NAME):
            shutil.copy(DATA_DIR / name, root / name)
        shutil.copy(
            (STATUS_QUO.parent / CALIBRATION_REF.removeprefix("file: ")).resolve(),
            root / CALIBRATION_NAME,
        )

    def status_quo_text(self, name: str) -> str:
        """The shipped status quo, renamed to ``name``, with data files next to it."""
        text = STATUS_QUO.read_text(encoding="utf-8")
        text = replace_once(text, "name: lueneburg-status-quo\n", f"name: {name}\n")
        text = replace_once(text, "municipalities_file: ../../data/", "municipalities_file: ")
        text = replace_once(text, CALIBRATION_REF, f"file: {CALIBRATION_NAME}")
        text = replace_once(text, "sozialraeume_file: ../../data/", "sozialraeume_file: ")
        return replace_once(text, "help_types_file: ../../data/", "help_types_file: ")

    def scenario(self, *edits: tuple[str, str], name: str = BROKEN, file: str = "") -> Path:
        """Write the status quo with targeted text edits.

        Args:
            edits: ``(old, new)`` pairs, each ``old`` unique in the file.
            name: Value of the ``name`` field.
            file: File name (default ``<name>.yaml``).

        Returns:
            The written scenario file.
        """
        text = self.status_quo_text(name)
        for old, new in edits:
            text = replace_once(text, old, new)
        return self.write(file or f"{name}.yaml", text)

    def data(self, name: str, old: str, new: str) -> Path:
        """Edit the copy of a data file in place; return it."""
        path = self.root / name
        path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), "utf-8")
        return path

    def variant(self, name: str, extends: str, overrides: str = "") -> Path:
        """Write a variant file; ``overrides`` is YAML text indented by two spaces."""
        body = f"overrides:\n{overrides}" if overrides else "overrides: {}\n"
        text = f"name: {name}\ndescription: Testvariante\nextends: {extends}\n{body}"
        return self.write(f"{name}.yaml", text)

    def with_data(self, file: str, old: str, new: str) -> Path:
        """The unchanged status quo next to a data file with one edit; return the scenario."""
        self.data(file, old, new)
        return self.scenario()

    def cycle(self) -> Path:
        """``kaputt`` extends ``zwischen``, which extends ``kaputt`` again."""
        self.variant("zwischen", SCENARIO)
        return self.variant(BROKEN, "zwischen.yaml")

    def base_and_variant(self, overrides: str) -> Path:
        """The status quo as ``basis.yaml`` and a variant of it named ``kaputt``."""
        self.scenario(name="basis")
        return self.variant(BROKEN, "basis.yaml", overrides)

    def write(self, file: str, text: str) -> Path:
        """Write a text file into the workspace."""
        path = self.root / file
        path.write_text(text, encoding="utf-8")
        return path


# =========================================================================== the catalogue


@dataclass(frozen=True)
class Case:
    """One kind of broken scenario.

    Attributes:
        kind: Readable test id.
        build: Writes the files into a workspace and returns the file to load.
        fault_file: Name of the file the error must name.
        field: Expected field (dotted path or CSV column), None if there is none.
        fragment: Piece of the German message that must appear.
        line: Text that marks the faulty line in ``fault_file`` (the first line
            containing it), a line number, or None if the fault has no line.
        lines: ``Fehler:`` lines the command prints (one per problem; the first is
            the one checked).
    """

    kind: str
    build: Callable[[Workspace], Path]
    fault_file: str
    field: str | None
    fragment: str
    line: str | int | None
    lines: int = 1


REVERSION = "  reversion: {value: 0.12, unit: share/month, assumption: *calib}"
BOUND_SHARE = "  bound_share: {value: 1.0, unit: share,"
REGION2_MUNICIPALITIES = "    municipalities: [Samtgemeinde Scharnebeck,"
NORDSTERN = "  - name: Nordstern\n    role: ambulant\n"
SCHEME = "incentive:\n  scheme: none"

CASES = [
    # ------------------------------------------------------------ YAML syntax
    Case(
        "yaml-klammer-nicht-geschlossen",
        lambda ws: ws.scenario(
            (
                "child_spacing_months: {value: [18, 60], unit",
                "child_spacing_months: {value: [18, 60 unit",
            )
        ),
        SCENARIO,
        None,
        "ungültige YAML-Syntax",
        "child_spacing_months",
    ),
    Case(
        "yaml-tabulator",
        lambda ws: ws.scenario(("\n  base: {value: 0.79", "\n\tbase: {value: 0.79")),
        SCENARIO,
        None,
        "Tabulator",
        "\tbase:",
    ),
    Case(
        "yaml-einrueckung",
        lambda ws: ws.scenario(("\nscale: {value: 1.0", "\n   scale: {value: 1.0")),
        SCENARIO,
        None,
        "Einrückung",
        "   scale:",
    ),
    Case(
        "yaml-doppelter-schluessel",
        lambda ws: ws.scenario((REVERSION, f"{REVERSION}\n{REVERSION}  # doppelt")),
        SCENARIO,
        None,
        "doppelter Schlüssel „reversion“",
        "# doppelt",
    ),
    Case(
        "yaml-anker-doppelt",
        lambda ws: ws.scenario(
            ("  threshold_help: {value: 4.0,", "  threshold_help: &calib {value: 4.0,")
        ),
        SCENARIO,
        None,
        "ungültige YAML-Syntax: Anker doppelt definiert",
        "threshold_help: &calib",
    ),
    Case(
        "yaml-escape-in-anfuehrungszeichen",
        lambda ws: ws.scenario(
            ('assumption: "Anspruchsschwelle', 'assumption: "C:\\daten\\Anspruchsschwelle')
        ),
        SCENARIO,
        None,
        "unbekanntes Zeichen nach \\ in doppelten Anführungszeichen",
        "C:\\daten",
    ),
    Case(
        "yaml-zweites-dokument",
        lambda ws: ws.scenario(("\nscale: {value: 1.0", "\n---\nscale: {value: 1.0")),
        SCENARIO,
        None,
        "mehr als ein YAML-Dokument in der Datei (Trennlinie ---)",
        "---",
    ),
    Case(
        "steuerzeichen",
        lambda ws: ws.scenario(("\nscale: {value: 1.0", "\nscale: {value: 1.0\x07")),
        SCENARIO,
        None,
        "Steuerzeichen in der Datei nicht erlaubt",
        "\x07",
    ),
    Case(
        "leere-datei",
        lambda ws: ws.write(SCENARIO, "# nur ein Kommentar\n"),
        SCENARIO,
        None,
        "Datei ist leer",
        None,
    ),
    Case(
        "oberste-ebene-keine-zuordnung",
        lambda ws: ws.write(SCENARIO, "- name: kaputt\n- description: Liste statt Zuordnung\n"),
        SCENARIO,
        None,
        "erwartet Schlüssel mit Werten",
        1,
    ),
    # ------------------------------------------------------------ schema
    Case(
        "unbekannter-schluessel-oben",
        lambda ws: ws.scenario(("\nscale: {value: 1.0", "\njahre: 5\nscale: {value: 1.0")),
        SCENARIO,
        "jahre",
        "unbekanntes Feld (Tippfehler?); erlaubt: name, description, title, years",
        "jahre: 5",
    ),
    Case(
        "unbekannter-schluessel-verschachtelt",
        lambda ws: ws.scenario((BOUND_SHARE, BOUND_SHARE.replace("bound_share", "bound_sharee"))),
        SCENARIO,
        "budget.bound_sharee",
        "unbekanntes Feld (Tippfehler?); erlaubt: start_year, sozialraum_funds, bound_share",
        "bound_sharee",
        lines=2,  # the typo first, then the field it lacks: budget.bound_share
    ),
    Case(
        "zahl-als-schluessel",
        lambda ws: ws.scenario(("\nscale: {value: 1.0", "\n2026: {}\nscale: {value: 1.0")),
        SCENARIO,
        "2026",
        "Schlüssel 2026 ist kein Feldname (Schlüssel müssen Text sein)",
        "2026: {}",
    ),
    Case(
        "unbekannter-indikator-in-index_weights",
        lambda ws: ws.scenario(
            ("    migration_share: {value: 0.15,", "    migrant_share: {value: 0.15,")
        ),
        SCENARIO,
        "budget.index_weights.migrant_share",
        "Wert „migrant_share“ ist nicht erlaubt; erlaubt: „sgb2_share“",
        "    migrant_share:",
    ),
    Case(
        "text-statt-zahl",
        lambda ws: ws.scenario(("years:\n  value: 5\n", "years:\n  value: fünf\n")),
        SCENARIO,
        "years",
        "Wert „fünf“ ist keine ganze Zahl",
        "value: fünf",
    ),
    Case(
        "liste-statt-abschnitt",
        lambda ws: ws.scenario((SCHEME, "incentive:\n  - scheme: none")),
        SCENARIO,
        "incentive",
        "erwartet einen Abschnitt mit Schlüsseln",
        "incentive:",
    ),
    Case(
        "zahl-statt-groesse",
        lambda ws: ws.scenario((REVERSION, "  reversion: 0.12")),
        SCENARIO,
        "need.reversion",
        "erwartet eine Größe {value: …, unit: …, source: … oder assumption: …}, erhalten 0,12",
        "  reversion: 0.12",
    ),
    Case(
        "groesse-ohne-einheit",
        lambda ws: ws.scenario((REVERSION, "  reversion: {value: 0.12, assumption: *calib}")),
        SCENARIO,
        "need.reversion.unit",
        "Pflichtfeld fehlt",
        "  reversion:",
    ),
    Case(
        "groesse-mit-quelle-und-annahme",
        lambda ws: ws.scenario(
            (REVERSION, REVERSION.replace("assumption:", 'source: "Jahresbericht", assumption:'))
        ),
        SCENARIO,
        "need.reversion",
        "entweder source (Quelle) oder assumption (Annahme) angeben, nicht beides",
        "  reversion:",
    ),
    Case(
        "groesse-ohne-herkunft",
        lambda ws: ws.scenario((REVERSION, "  reversion: {value: 0.12, unit: share/month}")),
        SCENARIO,
        "need.reversion",
        "Herkunft fehlt: source (Quelle) oder assumption (Annahme) angeben",
        "  reversion:",
    ),
    Case(
        "falsche-einheit",
        lambda ws: ws.scenario((BOUND_SHARE, "  bound_share: {value: 100, unit: percent,")),
        SCENARIO,
        "budget.bound_share",
        "Einheit „percent“ passt nicht; erwartet „share“",
        "  bound_share:",
    ),
    Case(
        "kinderverteilung-nicht-100-prozent",
        lambda ws: ws.scenario(("value: [0.53, 0.36, 0.09, 0.02]", "value: [0.53, 0.36, 0.09]")),
        SCENARIO,
        "population.children_distribution",
        "Anteile ergeben nicht 100 % (Summe 98,0 %)",
        "value: [0.53, 0.36, 0.09]",
    ),
    Case(
        "indexgewichte-nicht-100-prozent",
        lambda ws: ws.scenario(
            ("    migration_share: {value: 0.15,", "    migration_share: {value: 0.25,")
        ),
        SCENARIO,
        "budget.index_weights",
        "Anteile ergeben nicht 100 % (Summe 110,0 %)",
        "  index_weights:",
    ),
    Case(
        "anteil-ueber-1",
        lambda ws: ws.scenario((BOUND_SHARE, "  bound_share: {value: 1.3, unit: share,")),
        SCENARIO,
        "budget.bound_share",
        "Wert 1,3 liegt nicht zwischen 0 und 1",
        "  bound_share:",
    ),
    Case(
        "schwellen-in-falscher-reihenfolge",
        lambda ws: ws.scenario(
            ("  threshold_counselling: {value: 3.0,", "  threshold_counselling: {value: 4.5,")
        ),
        SCENARIO,
        "need.threshold_counselling",
        "Beratungsschwelle 4,5 liegt über der Hilfeschwelle 4,0",
        "  threshold_counselling:",
    ),
    Case(
        "name-mit-grossbuchstaben",
        lambda ws: ws.scenario(name="Kaputt", file=SCENARIO),
        SCENARIO,
        "name",
        "Wert „Kaputt“ ungültig: erlaubt sind Kleinbuchstaben ohne Umlaute",
        "name: Kaputt",
    ),
    Case(
        "name-passt-nicht-zum-dateinamen",
        lambda ws: ws.scenario(name="anders", file=SCENARIO),
        SCENARIO,
        "name",
        "Name „anders“ passt nicht zum Dateinamen „kaputt.yaml“",
        "name: anders",
    ),
    # ------------------------------------------------------------ regions and providers
    Case(
        "unbekannte-region-eines-traegers",
        lambda ws: ws.scenario(
            (NORDSTERN, "  - name: Nordstern\n    region: Region 7\n    role: ambulant\n")
        ),
        SCENARIO,
        "providers.Nordstern.region",
        "unbekannte Region „Region 7“ (vorhanden: Region 1, Region 2, Region 3)",
        "    region: Region 7",
    ),
    Case(
        "unbekannte-gemeinde",
        lambda ws: ws.scenario(
            (
                REGION2_MUNICIPALITIES,
                "    municipalities: [Hansestadt Atlantis, Samtgemeinde Scharnebeck,",
            )
        ),
        SCENARIO,
        "regions.Region 2.municipalities",
        "Gemeinde „Hansestadt Atlantis“ fehlt in der Gemeindedatei",
        "Hansestadt Atlantis",
    ),
    Case(
        "gemeinde-in-zwei-regionen",
        lambda ws: ws.scenario(
            (
                REGION2_MUNICIPALITIES,
                "    municipalities: [Stadt Bleckede, Samtgemeinde Scharnebeck,",
            )
        ),
        SCENARIO,
        "regions.Region 2.municipalities",
        "Gemeinde „Stadt Bleckede“ gehört schon zu Region „Region 1“",
        "[Stadt Bleckede,",
    ),
    # ------------------------------------------------------------ incentive scheme
    Case(
        "unbekanntes-anreizsystem",
        lambda ws: ws.scenario((SCHEME, "incentive:\n  scheme: lotterie")),
        SCENARIO,
        "incentive.scheme",
        "Wert „lotterie“ ist nicht erlaubt; erlaubt: „none“, „retention“, „bonus_malus“",
        "  scheme: lotterie",
    ),
    Case(
        "parameter-gehoert-nicht-zum-anreizsystem",
        lambda ws: ws.scenario(
            (
                SCHEME,
                SCHEME + "\n  retention_share: {value: 0.5, unit: share, assumption: Test}\n",
            )
        ),
        SCENARIO,
        "incentive.retention_share",
        "Parameter gehört nicht zum Anreizsystem „none“ (erlaubt: keine Parameter)",
        "  retention_share:",
    ),
    Case(
        "pflichtparameter-des-anreizsystems-fehlt",
        lambda ws: ws.scenario((SCHEME, "incentive:\n  scheme: bonus_malus")),
        SCENARIO,
        "incentive.corridor",
        "Anreizsystem „bonus_malus“ braucht diesen Parameter",
        "incentive:",
    ),
    # ------------------------------------------------------------ municipality data
    Case(
        "negative-einwohnerzahl",
        lambda ws: ws.with_data(CSV_NAME, "Stadt Bleckede,9692,", "Stadt Bleckede,-9692,"),
        CSV_NAME,
        "population",
        "Einwohnerzahl von „Stadt Bleckede“ -9692 ist kleiner als 0",
        "Stadt Bleckede",
    ),
    Case(
        "fehlende-einwohnerzahl",
        lambda ws: ws.with_data(CSV_NAME, "Stadt Bleckede,9692,", "Stadt Bleckede,,"),
        CSV_NAME,
        "population",
        "Einwohnerzahl von „Stadt Bleckede“ fehlt",
        "Stadt Bleckede",
    ),
    Case(
        "fehlende-spalte",
        lambda ws: ws.with_data(CSV_NAME, "population,area_km2,", "area_km2,"),
        CSV_NAME,
        "population",
        "Spalte fehlt in der Kopfzeile",
        1,
    ),
    Case(
        "fehlende-gemeindedatei",
        lambda ws: ws.scenario(
            (f"municipalities_file: {CSV_NAME}", "municipalities_file: gemeinden-fehlt.csv")
        ),
        SCENARIO,
        "municipalities_file",
        "gemeinden-fehlt.csv“ nicht gefunden",
        "municipalities_file:",
    ),
    Case(
        "gemeindedatei-ist-ein-verzeichnis",
        lambda ws: ws.scenario((f"municipalities_file: {CSV_NAME}", "municipalities_file: .")),
        SCENARIO,
        "municipalities_file",
        "“ ist ein Verzeichnis, keine Datei",
        "municipalities_file:",
    ),
    Case(
        "fehlende-hilfeartendatei",
        lambda ws: ws.scenario((f"help_types_file: {HELP_NAME}", "help_types_file: hilfen.yaml")),
        SCENARIO,
        "help_types_file",
        "hilfen.yaml“ nicht gefunden",
        "help_types_file:",
    ),
    Case(
        "fehler-in-der-hilfeartendatei",
        lambda ws: ws.with_data(
            HELP_NAME,
            "      value: 4.0\n      unit: FLS/week\n",
            "      value: 4.0\n      unit: FLS/Woche\n",
        ),
        HELP_NAME,
        "help_types.27_2.fls_per_week",
        "Einheit „FLS/Woche“ passt nicht; erwartet „FLS/week“",
        "    fls_per_week:",
    ),
    # ------------------------------------------------------------ extends and overrides
    Case(
        "extends-zyklus-a-b-a",
        Workspace.cycle,
        "zwischen.yaml",  # its extends closes the loop
        "extends",
        "Zyklus in extends: kaputt.yaml → zwischen.yaml → kaputt.yaml",
        "extends:",
    ),
    Case(
        "extends-auf-sich-selbst",
        lambda ws: ws.variant(BROKEN, SCENARIO),
        SCENARIO,
        "extends",
        "Zyklus in extends: kaputt.yaml → kaputt.yaml",
        "extends:",
    ),
    Case(
        "extends-datei-fehlt",
        lambda ws: ws.variant(BROKEN, "gibt-es-nicht.yaml"),
        SCENARIO,
        "extends",
        "gibt-es-nicht.yaml“ nicht gefunden",
        "extends:",
    ),
    Case(
        "extends-szenarioname-fehlt",
        lambda ws: ws.variant(BROKEN, "gibt-es-nicht"),
        SCENARIO,
        "extends",
        "Szenario „gibt-es-nicht“ nicht gefunden. extends nennt ein Szenario der Bibliothek",
        "extends:",
    ),
    Case(
        "override-pfad-unbekannt",
        lambda ws: ws.base_and_variant("  budget.bound_sharee: 0.5\n"),
        SCENARIO,
        "budget.bound_sharee",
        "unbekanntes Feld „bound_sharee“ (erlaubt: start_year,",
        "bound_sharee",
    ),
    Case(
        "override-region-unbekannt",
        lambda ws: ws.base_and_variant("  regions.Region 9.sgb2_share: 0.1\n"),
        SCENARIO,
        "regions.Region 9",
        "kein Eintrag „Region 9“ (vorhanden: Region 1, Region 2, Region 3)",
        "Region 9",
    ),
    Case(
        "override-falscher-typ",
        lambda ws: ws.base_and_variant("  budget.bound_share: viel\n"),
        SCENARIO,
        "budget.bound_share",
        "Wert „viel“ ist keine Zahl",
        "budget.bound_share",
    ),
    Case(
        "override-falsche-einheit",
        lambda ws: ws.base_and_variant(
            "  budget.bound_share: {value: 70, unit: percent, assumption: Test}\n"
        ),
        SCENARIO,
        "budget.bound_share",
        "Einheit „percent“ passt nicht; erwartet „share“",
        "budget.bound_share",
    ),
    Case(
        "override-fehler-erst-nach-dem-zusammenfuehren",
        lambda ws: ws.base_and_variant("  incentive.scheme: retention\n"),
        SCENARIO,
        "incentive.retention_share",
        "Anreizsystem „retention“ braucht diesen Parameter",
        "incentive.scheme",
    ),
]


# =========================================================================== checks


def expected_line(path: Path, marker: str | int | None) -> int | None:
    """The line a case expects: a number, or the first line containing ``marker``."""
    if marker is None or isinstance(marker, int):
        return marker
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in text:
            return number
    raise AssertionError(f"{marker!r} kommt in {path.name} nicht vor")


def assert_plain_german(message: str) -> None:
    """One line, no leftovers of English parser or validator output."""
    assert "\n" not in message
    assert message and message == message.strip()
    shown = re.sub(r"„[^“]*“", "„…“", message)  # user text inside quotes may be anything
    for english in ENGLISH_FRAGMENTS:
        assert english not in shown, f"englischer Text {english!r} in: {message}"


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh folder with copies of the shipped data files."""
    root = tmp_path / "szenarien"
    root.mkdir()
    return Workspace(root)


def test_catalogue_has_at_least_twenty_kinds() -> None:
    assert len({c.kind for c in CASES}) == len(CASES) >= 20


def test_unchanged_copy_of_the_status_quo_loads(workspace: Workspace) -> None:
    """The catalogue's starting point is valid: each fault comes from the one edit."""
    assert load_scenario(workspace.scenario(name="basis")).name == "basis"
    assert load_scenario(workspace.base_and_variant("  budget.bound_share: 0.5\n")).name == BROKEN


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_broken_scenario_gives_clear_error(case: Case, workspace: Workspace) -> None:
    path = case.build(workspace)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    fault = workspace.root / case.fault_file
    assert Path(err.file).resolve() == fault.resolve()
    assert err.field == case.field
    assert err.line == expected_line(fault, case.line)
    assert case.fragment in err.message
    assert_plain_german(err.message)
    assert str(err).splitlines()[0] == f"Fehler in {err.location()}: {err.message}"
    assert len(str(err).splitlines()) == case.lines
    if err.line is not None:
        assert f"Zeile {err.line}" in str(err)
    if err.field is not None:
        assert f"Feld {err.field}" in str(err)


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_cli_reports_one_line_and_keeps_output_folder(
    case: Case, workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.build(workspace)
    out_dir = tmp_path / "ergebnisse"
    out_dir.mkdir()
    stored = {
        "results.parquet": b"fruehere Ergebnisse\x00\x01",
        "notiz.txt": b"Lauf vom Montag\n",
    }
    for name, content in stored.items():
        (out_dir / name).write_bytes(content)

    code = main(["run", str(path), "--out", str(out_dir)])
    captured = capsys.readouterr()

    assert code == 2
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == case.lines, captured.err
    assert all(line.startswith("Fehler: Datei ") for line in lines)
    assert case.fault_file in lines[0]
    assert case.fragment in lines[0]
    if case.field is not None:
        assert f"Feld {case.field}" in lines[0]
    assert captured.out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(stored)
    for name, content in stored.items():
        assert (out_dir / name).read_bytes() == content
