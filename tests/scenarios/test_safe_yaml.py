"""The bounded YAML reader: limits, non-regular files, aliases, nesting, duplicate keys."""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scenarios import find_scenario, load_scenario, read_yaml
from scenarios.errors import ScenarioError, display_path, os_message
from scenarios.safe_yaml import (
    MAX_ALIASES,
    MAX_CALIBRATION_BYTES,
    MAX_EXPANDED_SIZE,
    MAX_NESTING_DEPTH,
    MAX_YAML_BYTES,
    MAX_YAML_ENTRIES,
    file_problem,
    load_yaml,
    parse_yaml,
    read_limited,
)

SHIPPED_CALIBRATION = (
    Path(__file__).resolve().parents[2] / "calibration" / "posterior" / "lueneburg-v1.yaml"
)


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" YAML text: ``width ** levels`` strings from about 1 KB."""
    lines = [f"lol0: &lol0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _refused(text: str, **options: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "x.yaml", **options)
    return info.value


# =========================================================================== aliases


@pytest.mark.parametrize("fast", [False, True])
def test_regression_alias_bomb_exhausts_memory(fast: bool) -> None:
    """A 1 KB "billion laughs" file grew to gigabytes (``_copy_tree``, JSON hashing).

    The size after alias expansion is counted while composing: the file is refused
    at the first alias that makes it too large, before anything is expanded.
    """
    text = billion_laughs(levels=10, width=10)
    assert len(text) < 1100
    t0 = time.perf_counter()
    err = _refused(text, fast=fast)
    assert time.perf_counter() - t0 < 1.0
    assert "Aliase (*name) vervielfachen den Inhalt" in err.message
    assert "4 MiB" in err.message
    assert err.line == 6  # lol5 repeats 10 ** 6 strings: the first line over 4 MiB
    assert err.file == "x.yaml"


def test_ulm_uses_its_aliases_and_still_loads() -> None:
    """The Ulm status quo shares regional values by alias; that stays allowed."""
    path = find_scenario("ulm-status-quo")
    text = path.read_text(encoding="utf-8")
    assert 20 <= text.count("*") <= MAX_ALIASES
    data, lines = read_yaml(path)
    assert data == yaml.safe_load(text)
    regions = data["overrides"]["regions"]
    assert regions[0]["sgb2_share"] == regions[1]["sgb2_share"]
    # a path through an alias keeps the alias's own line
    first, second = (("overrides", "regions", i, "sgb2_share") for i in (0, 1))
    assert lines[second] > lines[first]
    assert (*second, "value") not in lines and (*first, "value") in lines
    scenario = load_scenario("ulm-status-quo")
    assert len({r.sgb2_share for r in scenario.params.regions}) == 1


def test_alias_limits_at_the_boundary() -> None:
    ok = "x: &x 1\nl: [" + ", ".join(["*x"] * MAX_ALIASES) + "]\n"
    assert len(parse_yaml(ok, "x.yaml").data["l"]) == MAX_ALIASES
    err = _refused("x: &x 1\nl: [" + ", ".join(["*x"] * (MAX_ALIASES + 1)) + "]\n")
    assert "mehr als 1.000 Aliase" in err.message and err.line == 2


def test_expanded_size_just_below_and_above_the_limit() -> None:
    """A text of about a quarter of the limit repeated 3 times passes, 5 times not."""
    chunk = "y" * (MAX_EXPANDED_SIZE // 4 - 100)
    below = f"a: &a {chunk}\nl: [*a, *a, *a]\n"
    assert parse_yaml(below, "x.yaml").data["l"][2] == chunk
    err = _refused(f"a: &a {chunk}\nl: [*a, *a, *a, *a, *a]\n")
    assert "vervielfachen" in err.message and err.line == 2


@pytest.mark.parametrize(
    "text",
    ["a: &a [1, *a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"],
    ids=["liste", "abschnitt", "merge"],
)
def test_regression_recursive_alias(text: str) -> None:
    """An alias inside the section it names built a cyclic object (RecursionError later)."""
    err = _refused(text)
    assert "Zyklus" in err.message and err.line == 1


def test_aliases_refused_where_they_serve_no_purpose() -> None:
    err = _refused("a: &a 1\nb: *a\n", allow_aliases=False, fast=True)
    assert "Aliase (*a) sind in dieser Datei nicht erlaubt" in err.message
    assert err.line == 2
    # anchors alone are harmless
    assert parse_yaml("a: &a 1\n", "x.yaml", allow_aliases=False).data == {"a": 1}


def test_undefined_alias_is_still_german() -> None:
    assert "unbekannter Alias" in _refused("a: *nirgends\n").message


# =========================================================================== nesting and entries


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "x: " + "[" * 1000 + "]" * 1000 + "\n",
        "x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v: 1\n",
        "".join("  " * i + "-\n" for i in range(1000)) + "  " * 1000 + "- 1\n",
    ],
    ids=["klammern", "geschweift", "einrueckung", "listen"],
)
def test_regression_deep_nesting_gives_recursion_error(text: str, fast: bool) -> None:
    """1,000 levels of nesting gave a RecursionError with 3,000 lines of traceback."""
    err = _refused(text, fast=fast)
    assert "zu tief verschachtelt" in err.message
    assert f"höchstens {MAX_NESTING_DEPTH} erlaubt" in err.message
    assert err.line is not None and err.line <= MAX_NESTING_DEPTH + 1


def test_regression_libyaml_composer_crashes_on_deep_nesting() -> None:
    """libyaml's own composer recurses in C: 100,000 levels crashed the process."""
    err = _refused("[" * 100_000 + "]" * 100_000, fast=True)
    assert "zu tief verschachtelt" in err.message


def test_nesting_at_the_limit_is_fine() -> None:
    depth = MAX_NESTING_DEPTH - 1  # the scalar inside counts as a level too
    data = parse_yaml("[" * depth + "1" + "]" * depth, "x.yaml").data
    for _ in range(depth):
        data = data[0]
    assert data == 1


def test_entries_limit() -> None:
    ok = "[" + ",".join(["1"] * (MAX_YAML_ENTRIES - 1)) + "]"
    assert len(parse_yaml(ok, "x.yaml").data) == MAX_YAML_ENTRIES - 1
    err = _refused("[" + ",".join(["1"] * MAX_YAML_ENTRIES) + "]")
    assert "mehr als 50.000 Einträge" in err.message


# =========================================================================== duplicate keys


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _whatif(path: Path) -> Any:
    from dashboard.whatif import load_config

    return load_config(path)


def _setup(path: Path) -> Any:
    from calibration.fit import load_setup

    return load_setup(path)


def _targets(path: Path) -> Any:
    from calibration.targets import load_targets

    return load_targets(path)


def _calibration(path: Path) -> Any:
    from scenarios import read_calibration

    return read_calibration(path)


def _help_types(path: Path) -> Any:
    from scenarios import load_help_types

    return load_help_types(path)


def _sweep(path: Path) -> Any:
    from experiments.sweep import load_sweep

    return load_sweep(path)


READERS: list[tuple[str, Callable[[Path], Any]]] = [
    ("szenario", lambda p: load_scenario(p)),
    ("sweep", _sweep),
    ("hilfearten", _help_types),
    ("kalibrierung", _calibration),
    ("kalibrierungseinstellungen", _setup),
    ("zielgroessen", _targets),
    ("whatif", _whatif),
]
"""Every reader of a YAML file the toolkit has, by a short name."""


@pytest.mark.parametrize("reader", [r for _, r in READERS], ids=[n for n, _ in READERS])
def test_every_reader_refuses_duplicate_keys(reader: Callable[[Path], Any], tmp_path: Path) -> None:
    """A duplicate key was silently accepted in the calibration file and most others."""
    path = _write(tmp_path, "doppelt.yaml", "format: a\nname: x\nformat: b\n")
    with pytest.raises(ScenarioError) as info:
        reader(path)
    assert info.value.line == 3
    assert "doppelter Schlüssel „format“" in info.value.message
    assert Path(info.value.file).name == "doppelt.yaml"


@pytest.mark.parametrize("reader", [r for _, r in READERS], ids=[n for n, _ in READERS])
def test_every_reader_refuses_an_alias_bomb(reader: Callable[[Path], Any], tmp_path: Path) -> None:
    path = _write(tmp_path, "bombe.yaml", billion_laughs())
    with pytest.raises(ScenarioError) as info:
        reader(path)
    assert "Aliase" in info.value.message and info.value.line in (2, 6)


@pytest.mark.parametrize("reader", [r for _, r in READERS], ids=[n for n, _ in READERS])
def test_every_reader_refuses_a_fifo(reader: Callable[[Path], Any], tmp_path: Path) -> None:
    """A FIFO was "Datei nicht gefunden" or blocked the process (no writer ever comes)."""
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    with pytest.raises(ScenarioError) as info:
        reader(path)
    assert "ist keine normale Datei, sondern eine benannte Pipe (FIFO)" in info.value.message


# =========================================================================== files


def test_read_limited_counts_bytes_not_stat(tmp_path: Path) -> None:
    """``/proc`` files report size 0: the limit holds while reading."""
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    with pytest.raises(ScenarioError, match="größer als 10 Byte"):
        read_limited(status, 10)
    path = tmp_path / "genau.yaml"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100) == b"x" * 100
    with pytest.raises(ScenarioError, match="größer als 99 Byte"):
        read_limited(path, 99)


def test_oversize_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "gross.yaml"
    path.write_bytes(b"a: " + b"x" * MAX_YAML_BYTES)
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_yaml(path)
    assert time.perf_counter() - t0 < 1.0
    assert info.value.message.startswith("Datei ist größer als 1 MiB (höchstens 1 MiB erlaubt")
    with pytest.raises(ScenarioError, match="Kalibrierungsdatei ist größer als 4 MiB"):
        path.write_bytes(b"a: " + b"x" * MAX_CALIBRATION_BYTES)
        load_yaml(path, limit=MAX_CALIBRATION_BYTES, what="Kalibrierungsdatei")


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (os.mkfifo, "ist keine normale Datei, sondern eine benannte Pipe (FIFO)"),
        (lambda p: p.symlink_to("/dev/zero"), "ist keine normale Datei, sondern eine Gerätedatei"),
        (Path.mkdir, "ist ein Verzeichnis, keine Datei"),
        (_socket, "ist keine normale Datei, sondern ein Socket"),
        (_loop, "symbolische Verweise (Links) bilden eine Schleife"),
        (lambda p: p.symlink_to("fehlt.yaml"), "Datei oder Verzeichnis nicht gefunden"),
    ],
    ids=["fifo", "dev-zero", "verzeichnis", "socket", "schleife", "verweis-ins-leere"],
)
def test_regression_fifo_and_devices_said_not_found(
    make: Callable[[Path], None], message: str, tmp_path: Path
) -> None:
    """A FIFO or /dev/zero was "Datei nicht gefunden"; a symlink loop a traceback."""
    path = tmp_path / "x.yaml"
    make(path)
    assert file_problem(path) == message
    with pytest.raises(ScenarioError) as info:
        load_yaml(path)
    assert info.value.message == message
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert message in info.value.message or info.value.message == "Datei nicht gefunden"
    assert info.value.file.endswith("x.yaml")


def test_regression_display_path_of_symlink_loop(tmp_path: Path) -> None:
    """``Path.resolve`` raises RuntimeError for a symlink loop: the message itself crashed."""
    path = tmp_path / "schleife.yaml"
    path.symlink_to(path.name)
    assert display_path(path).endswith("schleife.yaml")


def test_path_too_long_and_nul() -> None:
    with pytest.raises(ScenarioError, match="Pfad oder Dateiname ist zu lang"):
        load_yaml("/tmp/" + "x" * 5000 + ".yaml")
    assert file_problem("a\x00b.yaml") == "Pfad enthält ein Nullzeichen"


def test_unreadable_file_is_german(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may read any file")
    path = tmp_path / "gesperrt.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(ScenarioError, match="keine Berechtigung"):
        load_yaml(path)


@pytest.mark.parametrize(
    ("code", "german"),
    [
        (errno.ELOOP, "Schleife"),
        (errno.ENAMETOOLONG, "zu lang"),
        (errno.EACCES, "keine Berechtigung"),
        (errno.ENOSPC, "kein Speicherplatz mehr frei"),
        (errno.EROFS, "schreibgeschützt"),
        (errno.EDQUOT, "Quota"),
        (errno.ENXIO, "keine normale Datei"),
        (errno.ESTALE, "Ein-/Ausgabefehler des Systems (ESTALE)"),
    ],
)
def test_os_message_is_german(code: int, german: str) -> None:
    message = os_message(OSError(code, os.strerror(code)))
    assert german in message
    assert os.strerror(code) not in message


def test_non_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("a: 1\nb: Größe\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        load_yaml(path)
    assert info.value.line == 2 and "nicht UTF-8-kodiert" in info.value.message


# =========================================================================== the calibration file


def test_fast_and_python_parsers_agree_on_the_calibration_file() -> None:
    text = SHIPPED_CALIBRATION.read_text(encoding="utf-8")
    fast = parse_yaml(text, SHIPPED_CALIBRATION, allow_aliases=False, fast=True)
    slow = parse_yaml(text, SHIPPED_CALIBRATION, allow_aliases=False, max_entries=10**6)
    assert fast.data == slow.data == yaml.load(text, Loader=yaml.CSafeLoader)
    assert fast.lines == slow.lines
