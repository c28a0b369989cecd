import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from calibration import freshness
from calibration.freshness import calibration_warnings
from cli.main import format_summary, main, with_cli_overrides, write_results
from model.params import POTS
from scenarios import DATA_DIR, LIBRARY_DIR, fmt_eur, fmt_num, load_scenario, read_yaml
from tests.fixtures.calibrations import fitted_kreis
from tests.fixtures.scenario_files import repoint_calibration

BASE = LIBRARY_DIR / "lueneburg" / "lueneburg-status-quo.yaml"


def base_doc() -> dict:
    data, _ = read_yaml(BASE)
    return json.loads(json.dumps(data))


def write_scenario(
    directory: Path, name: str, doc: dict, municipalities: str | None = None
) -> Path:
    """Write a full scenario into ``directory``, pointing at the shipped data files."""
    directory.mkdir(parents=True, exist_ok=True)
    doc = dict(doc, name=name)
    doc["municipalities_file"] = municipalities or os.path.relpath(
        DATA_DIR / "lueneburg_municipalities.csv", directory
    )
    doc["help_types_file"] = os.path.relpath(DATA_DIR / "help_types.yaml", directory)
    if doc.get("sozialraeume_file"):
        indicators = DATA_DIR / "lueneburg_sozialraeume.csv"
        doc["sozialraeume_file"] = os.path.relpath(indicators, directory)
    repoint_calibration(doc, directory)
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def assert_input_error(code: int, err: str, *needles: str, lines: int = 1) -> None:
    """Exit 2 and ``lines`` ``Fehler:`` lines (one per problem); the first holds ``needles``."""
    assert code == 2
    found = err.strip().splitlines()
    assert len(found) == lines, err
    assert all(line.startswith("Fehler:") for line in found)
    assert "Traceback" not in err
    for needle in needles:
        assert needle in found[0]


# ------------------------------------------------------------------ bad input (no engine needed)


def test_unknown_scenario_name(capsys):
    code = main(["run", "gibt-es-nicht"])
    assert_input_error(code, capsys.readouterr().err, "gibt-es-nicht", "nicht gefunden")


def test_missing_scenario_file(tmp_path, capsys):
    code = main(["run", str(tmp_path / "fehlt.yaml")])
    assert_input_error(code, capsys.readouterr().err, "fehlt.yaml", "nicht gefunden")


def test_share_out_of_range_names_file_and_field(tmp_path, capsys):
    doc = base_doc()
    doc["budget"]["bound_share"]["value"] = 1.3
    path = write_scenario(tmp_path, "x", doc)
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    assert_input_error(
        code,
        capsys.readouterr().err,
        "x.yaml",
        "Feld budget.bound_share",
        "Wert 1,3 liegt nicht zwischen 0 und 1",
    )
    assert not (tmp_path / "out").exists()


def test_bad_yaml_names_line(tmp_path, capsys):
    path = tmp_path / "kaputt.yaml"
    path.write_text("description: x\n  years: 3\n")
    code = main(["run", str(path)])
    assert_input_error(code, capsys.readouterr().err, "kaputt.yaml", "Zeile 2", "YAML")


def test_unknown_municipality(tmp_path, capsys):
    doc = base_doc()
    doc["regions"][2]["municipalities"] = ["Samtgemeinde Nirgendwo"]
    code = main(["run", str(write_scenario(tmp_path, "x", doc))])
    assert_input_error(
        code, capsys.readouterr().err, "x.yaml", "Feld regions.Region 3.municipalities", "Nirgendwo"
    )


def test_negative_population_in_data_file(tmp_path, capsys):
    csv_text = (DATA_DIR / "lueneburg_municipalities.csv").read_text(encoding="utf-8")
    (tmp_path / "gemeinden.csv").write_text(
        csv_text.replace("Gemeinde Adendorf,10903,", "Gemeinde Adendorf,-3,"), encoding="utf-8"
    )
    path = write_scenario(tmp_path, "x", base_doc(), municipalities="gemeinden.csv")
    code = main(["run", str(path)])
    assert_input_error(
        code, capsys.readouterr().err, "gemeinden.csv", "Zeile 8", "Feld population", "-3"
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "lueneburg-status-quo", "--seed", "x"], "--seed"),
        (["run", "lueneburg-status-quo", "--seed", "-1"], "--seed"),
        (["run", "lueneburg-status-quo", "--years", "0"], "--years"),
        (["run", "lueneburg-status-quo", "--scale", "1,5"], "--scale"),
        (["run", "lueneburg-status-quo", "--scale", "abc"], "--scale"),
        (["run", "lueneburg-status-quo", "--gibts-nicht"], "--gibts-nicht"),
        (["run"], "SZENARIO"),
        (["rechne", "lueneburg-status-quo"], "rechne"),
        ([], "BEFEHL"),
    ],
)
def test_bad_arguments(args, needle, capsys):
    code = main(args)
    assert_input_error(code, capsys.readouterr().err, "Aufruf ungültig", needle)


def test_out_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    code = main(["run", "lueneburg-status-quo", "--out", str(blocker / "unter")])
    assert_input_error(code, capsys.readouterr().err, "Feld --out", "datei")


def test_help_exits_zero(capsys):
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Aufruf:" in out and "--seed" in out


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_subprocess_missing_file(tmp_path):
    proc = _cli("run", "fehlt.yaml", cwd=tmp_path)
    assert_input_error(proc.returncode, proc.stderr, "Fehler: Datei fehlt.yaml", "nicht gefunden")
    assert proc.stdout == ""


def test_subprocess_invalid_share(tmp_path):
    doc = base_doc()
    doc["population"]["children_distribution"]["value"] = [0.6, 0.3]
    write_scenario(tmp_path, "anteile", doc)
    proc = _cli("run", "anteile.yaml", cwd=tmp_path)
    assert_input_error(
        proc.returncode,
        proc.stderr,
        "anteile.yaml",
        "Feld population.children_distribution",
        "Anteile ergeben nicht 100 %",
    )


def test_subprocess_unknown_key(tmp_path):
    doc = base_doc()
    doc["need"]["schwelle"] = doc["need"].pop("threshold_help")
    write_scenario(tmp_path, "tippfehler", doc)
    proc = _cli("run", "tippfehler.yaml", cwd=tmp_path)
    # the typo, then the field it lacks, each on its own line
    assert_input_error(
        proc.returncode, proc.stderr, "tippfehler.yaml", "Feld need.schwelle", lines=2
    )
    assert "Feld need.threshold_help: Pflichtfeld fehlt" in proc.stderr.splitlines()[1]


# ------------------------------------------------------------------ with a stand-in engine


def fake_results(params, run_id: str) -> pd.DataFrame:
    rows = []
    for year in range(params.budget.start_year, params.budget.start_year + params.years):
        for region in (*params.region_names, "Gesamt"):
            factor = 3 if region == "Gesamt" else 1
            for pot in POTS:
                rows.append((run_id, year, 0, region, f"budget_{pot}", 1000.0 * factor, "EUR"))
                rows.append((run_id, year, 0, region, f"spent_{pot}", 1100.0 * factor, "EUR"))
            for h in params.help_types:
                rows.append((run_id, year, 0, region, f"cases_per_10k_{h.code}", 12.5, "1/10000"))
            rows.append((run_id, year, 0, region, "unmet_need_families", 7.0 * factor, "families"))
            rows.append((run_id, year, 0, region, "total_budget", 4000.0 * factor, "EUR"))
            rows.append((run_id, year, 0, region, "total_spent", 4400.0 * factor, "EUR"))
            rows.append((run_id, year, 3, region, "active_cases", 1.0, "cases"))
    return pd.DataFrame(
        rows, columns=["run_id", "year", "month", "region", "metric", "value", "unit"]
    )


def test_summary_formats_budget_spending_and_rates_in_german():
    """``format_summary`` on a hand-made results table (a pure function)."""
    sc = load_scenario("lueneburg-rb2-20-rueckbehalt")
    params = with_cli_overrides(sc.params, 2, 0.5)
    text = format_summary(
        sc,
        params,
        fake_results(params, "r1"),
        [Path("out/x/results.parquet")],
        seed=7,
        run_id="r1",
    )
    assert "Gebundenes Budget" in text and "Regionales Budget 2" in text
    assert "2.000 €" in text  # budget of one pot and region over two years
    assert "-200 €" in text  # overspent
    assert "110,0 %" in text
    assert "§31 SPFH" in text and "12,5" in text
    assert "Ungedeckter Bedarf: im Mittel 21,0 Familien" in text
    assert "Maßstab 50 %" in text and "Seed 7" in text


def _real_run(out: Path, *extra: str) -> int:
    return main(
        [
            "run",
            "lueneburg-rb2-20-rueckbehalt",
            "--seed",
            "7",
            "--years",
            "2",
            "--scale",
            "0,05",
            "--out",
            str(out),
            *extra,
        ]
    )


def test_run_writes_files_and_prints_german_summary(tmp_path, capsys):
    out = tmp_path / "ergebnis"
    code = _real_run(out)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    # standard error holds nothing but the warnings about the Lüneburg calibration
    # (the shipped file records no hashes yet: its freshness is unknown)
    scenario = load_scenario("lueneburg-rb2-20-rueckbehalt")
    assert captured.err.splitlines() == [f"Warnung: {w}" for w in calibration_warnings([scenario])]
    results = pd.read_parquet(out / "results.parquet")
    ledger = pd.read_parquet(out / "ledger.parquet")
    assert sorted(p.name for p in out.iterdir()) == [
        "ledger.parquet",
        "providers.parquet",
        "results.parquet",
    ]
    assert ledger["cents"].dtype == "int64"
    providers = pd.read_parquet(out / "providers.parquet")
    assert {"provider", "year", "staff_fte", "reserves_eur", "active"} <= set(providers.columns)
    assert providers["provider"].nunique() == len(
        load_scenario("lueneburg-status-quo").params.providers
    )
    run_id = results["run_id"].iloc[0]
    assert run_id.startswith("lueneburg-rb2-20-rueckbehalt-") and run_id.endswith("-s7")
    assert sorted(results["year"].unique()) == [2026, 2027]
    yearly = results[results["month"] == 0]

    def total(metric: str, region: str) -> float:
        sel = yearly[(yearly.metric == metric) & (yearly.region == region)]
        return float(sel.value.sum())

    text = captured.out
    # every figure in the summary is the one stored in the results
    for pot in POTS:
        assert fmt_eur(total(f"budget_{pot}", "Gesamt")) in text
        assert fmt_eur(total(f"spent_{pot}", "Gesamt")) in text
    assert fmt_eur(total("spent_regional_2", "Region 1")) in text
    spfh = yearly[(yearly.metric == "cases_per_10k_31") & (yearly.region == "Gesamt")]
    assert fmt_num(float(spfh.value.mean()), 1) in text
    unmet = yearly[(yearly.metric == "unmet_need_families") & (yearly.region == "Gesamt")]
    assert f"im Mittel {fmt_num(float(unmet.value.mean()), 1)} Familien" in text
    assert f"Eskalationen {fmt_num(total('escalations', 'Gesamt'), 0)}" in text
    assert f"Bedarfs {fmt_num(total('ended_with_need', 'Gesamt'), 0)}" in text
    reserves = yearly[(yearly.metric == "provider_reserves") & (yearly.year == 2027)]
    assert f"Ende 2027: {fmt_eur(float(reserves.value.iloc[0]))}" in text
    # money shown equals the ledger
    assert abs(ledger["cents"].sum() / 100 - total("total_spent", "Gesamt")) < 0.01
    assert "Maßstab 5 %" in text and "Seed 7" in text


def test_default_output_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["run", "lueneburg-status-quo", "--years", "1", "--scale", "0,05"])
    assert code == 0
    assert (tmp_path / "out" / "lueneburg-status-quo" / "results.parquet").is_file()
    assert "out/lueneburg-status-quo/results.parquet" in capsys.readouterr().out


def test_failed_write_keeps_earlier_files(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert _real_run(out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()

    original = pd.DataFrame.to_parquet
    calls = {"n": 0}

    def disk_full_on_second_file(self, path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device", str(path))
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full_on_second_file)
    code = _real_run(out, "--seed", "8")
    assert_input_error(code, capsys.readouterr().err, "Feld --out", "Speicherplatz")
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # nothing half-written, nothing lost, no temporary files left


def test_write_results_replaces_atomically(tmp_path):
    frame = pd.DataFrame({"a": [1, 2]})
    (tmp_path / "results.parquet").write_bytes(b"alt")
    paths = write_results(tmp_path, {"results.parquet": frame})
    assert paths == [tmp_path / "results.parquet"]
    assert pd.read_parquet(paths[0])["a"].tolist() == [1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["results.parquet"]


def test_with_cli_overrides_keeps_params_when_nothing_given():
    params = load_scenario("lueneburg-status-quo").params
    assert with_cli_overrides(params, None, None) is params
    changed = with_cli_overrides(params, 3, None)
    assert changed.years == 3 and changed.scale == params.scale
    assert params.years == 5


def test_summary_shows_missing_figures_as_dash():
    sc = load_scenario("lueneburg-status-quo")
    empty = pd.DataFrame(columns=["run_id", "year", "month", "region", "metric", "value", "unit"])
    text = format_summary(sc, sc.params, empty, [], seed=1, run_id="r")
    assert "–" in text
    assert "Fälle je 10.000 unter 21" in text


# ------------------------------------------------------------------ with the real engine


def test_end_to_end_with_engine(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(
        [
            "run",
            "lueneburg-rb2-20-keine",
            "--seed",
            "3",
            "--years",
            "1",
            "--scale",
            "0.1",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = pd.read_parquet(out / "results.parquet")
    assert {"run_id", "year", "month", "region", "metric", "value", "unit"} <= set(results.columns)
    assert {"total_spent", "total_budget", "unmet_need_families"} <= set(results["metric"])
    ledger = pd.read_parquet(out / "ledger.parquet")
    assert "cents" in ledger.columns
    assert "Fälle je 10.000 unter 21" in captured.out
    assert " €" in captured.out


def test_end_to_end_subprocess_with_engine(tmp_path):
    proc = _cli("run", "lueneburg-status-quo", "--years", "1", "--scale", "0.05", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "lueneburg-status-quo" / "results.parquet").is_file()
    assert "Ergebnisse gespeichert" in proc.stdout


def test_another_kreis_runs_from_its_own_data_without_code(tmp_path, capsys):
    """Journey 4: a Kreis with five Sozialräume describes its municipalities in a data
    file, writes a scenario (here: the Lüneburg base with its own regions, providers
    and data) and runs it with the command line alone."""
    rows = ["region,municipality,population,area_km2,year,source"]
    for r in range(1, 6):
        for m in range(1, 3):
            rows.append(
                f"Sozialraum {r},Gemeinde {r}-{m},{4000 + 500 * r + 100 * m},50,2023,Annahme"
            )
    csv = tmp_path / "kreis.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = base_doc()
    template = doc["regions"][1]
    doc["regions"] = [
        {
            **template,
            "name": f"Sozialraum {r}",
            "municipalities": [f"Gemeinde {r}-1", f"Gemeinde {r}-2"],
        }
        for r in range(1, 6)
    ]
    lead = next(p for p in doc["providers"] if p["role"] == "sozialraumtraeger")
    others = [p for p in doc["providers"] if p["role"] != "sozialraumtraeger"]
    doc["providers"] = [
        {**lead, "name": f"Träger Sozialraum {r}", "region": f"Sozialraum {r}"} for r in range(1, 6)
    ] + others
    doc["description"] = "Ein anderer Kreis mit fünf Sozialräumen"
    for lueneburg_only in ("offices", "sozialraum_quota", "sozialraeume_file"):
        doc.pop(lueneburg_only, None)  # Lüneburg's Sozialraumbüros and quota name its places
    path = write_scenario(tmp_path, "anderer-kreis", doc, municipalities="kreis.csv")
    out = tmp_path / "out"
    code = main(["run", str(path), "--years", "1", "--scale", "0,2", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = pd.read_parquet(out / "results.parquet")
    regions = set(results.region) - {"Gesamt"}
    assert regions == {f"Sozialraum {r}" for r in range(1, 6)}
    assert "Sozialraum 5" in captured.out


def test_run_results_get_normal_permissions(tmp_path):
    """Regression: files came out as 0600 (mkstemp's mode) instead of following the umask."""
    import os

    from cli.main import main as cli_main

    old = os.umask(0o022)
    try:
        code = cli_main(
            [
                "run",
                "lueneburg-status-quo",
                "--years",
                "1",
                "--scale",
                "0.1",
                "--out",
                str(tmp_path),
            ]
        )
    finally:
        os.umask(old)
    assert code == 0
    assert (tmp_path / "results.parquet").stat().st_mode & 0o777 == 0o644


# ------------------------------------------------------------------ one recipe: run = batch run


def test_run_with_a_seed_is_the_batch_run_with_that_seed(tmp_path, capsys):
    """``run --seed s`` uses the batch's posterior draw (s − 1) mod n: same results."""
    from experiments import plan_batch, results_frame, run_batch
    from results import ResultsStore

    name, seed = "lueneburg-status-quo", 3
    out = tmp_path / "lauf"
    argv = ["run", name, "--seed", str(seed), "--years", "1", "--scale", "0,05"]
    code = main([*argv, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    draws = len(load_scenario(name).calibration_draws)
    assert f"Kalibrierung: Posteriori-Ziehung {seed} von {draws} (Seed {seed}" in captured.out
    plan = plan_batch([name], 1, seed_base=seed, years=1, scale=0.05)
    with ResultsStore(tmp_path / "s.duckdb") as store:
        assert run_batch(plan, store).complete
        stored = results_frame(store, plan).drop(columns="run_id")
    assert plan.run_ids[0] in captured.out  # the summary names the batch's run id
    ran = pd.read_parquet(out / "results.parquet").drop(columns="run_id")
    key = ["year", "month", "region", "metric"]
    pd.testing.assert_frame_equal(
        ran.sort_values(key).reset_index(drop=True),
        stored.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


def test_run_punktschaetzung_uses_the_calibration_point_estimate(tmp_path, capsys):
    from model.run import run_once

    name = "lueneburg-status-quo"
    out = tmp_path / "lauf"
    argv = ["run", name, "--seed", "2", "--years", "1", "--scale", "0,05", "--punktschaetzung"]
    assert main([*argv, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Kalibrierung: Punktschätzung der Kalibrierungsdatei (--punktschaetzung)" in text
    params = load_scenario(name, {"years": 1, "scale": 0.05}).params
    expected = run_once(params, 2).results.drop(columns="run_id")
    ran = pd.read_parquet(out / "results.parquet").drop(columns="run_id")
    key = ["year", "month", "region", "metric"]
    pd.testing.assert_frame_equal(
        ran.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )


def test_run_of_an_uncalibrated_scenario_says_so(tmp_path, capsys):
    doc = base_doc()
    doc.pop("calibration", None)
    path = write_scenario(tmp_path / "s", "ohne-kalibrierung", doc)
    argv = ["run", str(path), "--years", "1", "--scale", "0,05", "--out", str(tmp_path / "o")]
    assert main(argv) == 0
    assert "Kalibrierung: keine (Werte der Szenariodatei)" in capsys.readouterr().out


# ------------------------------------------------------------------ issue 16


def test_regression_run_printed_relative_paths_for_an_absolute_out(tmp_path, monkeypatch, capsys):
    """``run --out /abs/path`` printed ``abs/path/results.parquet`` (relative to the
    working folder) although the user gave an absolute path."""
    monkeypatch.chdir(tmp_path)
    out = (tmp_path / "absolut").resolve()
    code = main(
        ["run", "lueneburg-status-quo", "--years", "1", "--scale", "0,05", "--out", str(out)]
    )
    text = capsys.readouterr().out
    assert code == 0
    for name in ("results.parquet", "ledger.parquet", "providers.parquet"):
        assert f"  {(out / name).as_posix()}\n" in text + "\n"
    assert "\n  absolut/results.parquet" not in text
    code = main(["run", "lueneburg-status-quo", "--years", "1", "--scale", "0,05", "--out", "rel"])
    assert "\n  rel/results.parquet" in capsys.readouterr().out  # relative stays relative


def test_new_kreis_runs_from_the_command_line_with_figures_per_sozialraum(tmp_path, capsys):
    """Issue 16: a Kreis with five Sozialräume and three Träger, two of them in two
    Sozialräume each, written as files only (municipality file and a scenario that
    extends the Lüneburg status quo by path), run from the command line."""
    from tests.fixtures import new_kreis

    out = tmp_path / "musterheide"
    code = main(
        ["run", str(new_kreis.STATUS_QUO), "--years", "1", "--scale", "0,2", "--out", str(out)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    results = pd.read_parquet(out / "results.parquet")
    yearly = results[results["month"] == 0]
    assert set(yearly["region"]) == {*new_kreis.REGIONS, "Gesamt"}
    # the cases table: one column per Sozialraum, figures as stored
    lines = text.splitlines()
    start = lines.index("Fälle je Sozialraum und Hilfeart, Mittel 2026:")
    header = lines[start + 2].split()
    assert header[-6:] == [*new_kreis.REGIONS, "Gesamt"]
    spfh = next(line for line in lines[start:] if line.startswith("§31 SPFH"))
    expected = [
        fmt_num(float(yearly[(yearly.metric == "cases_31") & (yearly.region == r)].value.iloc[0]))
        for r in (*new_kreis.REGIONS, "Gesamt")
    ]
    assert spfh.split()[-6:] == expected
    # spending per pot and Sozialraum
    for region in new_kreis.REGIONS:
        spent = yearly[(yearly.metric == "spent_central") & (yearly.region == region)].value
        assert fmt_eur(float(spent.iloc[0])) in text
    # every booking of a Träger lies in a Sozialraum it serves
    ledger = pd.read_parquet(out / "ledger.parquet")
    for provider, served in new_kreis.SERVED.items():
        booked = set(ledger[ledger["provider"] == provider]["region"])
        assert booked and booked <= set(served), (provider, booked)


# ------------------------------------------------------------------ calibration freshness


def _run_kreis(scenario: Path, out: Path) -> int:
    return main(["run", str(scenario), "--years", "1", "--scale", "0,05", "--out", str(out)])


def test_run_with_a_fresh_calibration_warns_of_nothing(tmp_path, capsys):
    kreis = fitted_kreis(tmp_path / "kreis")
    assert _run_kreis(kreis.scenario, tmp_path / "aus") == 0
    assert capsys.readouterr().err == ""


def test_run_with_a_stale_calibration_warns_on_stderr_and_still_succeeds(tmp_path, capsys):
    kreis = fitted_kreis(tmp_path / "kreis")
    kreis.change_scenario()
    assert _run_kreis(kreis.scenario, tmp_path / "aus") == 0
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("Warnung: Kalibrierung veraltet: Das Szenario „kal-kreis“ wurde")
    assert "sozialraum calibrate" in line
    assert "Kalibrierung veraltet" not in captured.out  # the summary itself is unchanged
    assert (tmp_path / "aus" / "results.parquet").is_file()


def test_run_with_a_changed_engine_warns(tmp_path, capsys, monkeypatch):
    kreis = fitted_kreis(tmp_path / "kreis")
    monkeypatch.setattr(freshness, "model_code_hash", lambda: "0123456789ab")
    assert _run_kreis(kreis.scenario, tmp_path / "aus") == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("Warnung: Kalibrierung veraltet: Der Modellcode (model/)")


def test_run_with_an_old_calibration_file_warns_of_unknown_freshness(tmp_path, capsys):
    kreis = fitted_kreis(tmp_path / "kreis")
    kreis.write_calibration()
    assert _run_kreis(kreis.scenario, tmp_path / "aus") == 0
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("Warnung: Aktualität der Kalibrierung unbekannt:")


def test_an_input_error_prints_no_calibration_warning(tmp_path, capsys):
    """An input error stays one ``Fehler:`` line: warnings come after results only."""
    kreis = fitted_kreis(tmp_path / "kreis")
    kreis.change_scenario()
    blocker = tmp_path / "datei"
    blocker.write_text("", encoding="utf-8")
    code = main(["run", str(kreis.scenario), "--years", "1", "--out", str(blocker / "aus")])
    assert_input_error(code, capsys.readouterr().err, "Feld --out")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("scenario_sha256", "nicht-hex" * 7 + "z", "SHA-256-Hash aus genau 64"),
        ("scenario_sha256", "f" * 10_000, "Text ist zu lang (10.000 Zeichen; höchstens 64"),
        ("model_code", 42, "Wert 42 ist kein Text"),
    ],
)
def test_hostile_recorded_hash_is_one_german_error(tmp_path, capsys, field, value, fragment):
    kreis = fitted_kreis(tmp_path / "kreis")
    kreis.write_calibration(**{field: value})
    code = _run_kreis(kreis.scenario, tmp_path / "aus")
    err = capsys.readouterr().err
    assert_input_error(code, err, "kal.yaml", f"Feld {field}", fragment)
