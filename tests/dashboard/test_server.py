"""Serving safely: loopback by default, credentials for any other address."""

from __future__ import annotations

import pytest

from cli.main import main
from dashboard.server import PASSWORD_VAR, USER_VAR, ServeError, credentials, is_loopback


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("rechner.example", False),
    ],
)
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_loopback_needs_no_login():
    assert credentials("127.0.0.1", env={}) is None


def test_other_address_without_credentials_is_refused():
    with pytest.raises(ServeError) as info:
        credentials("0.0.0.0", env={USER_VAR: "nur-name"})
    assert USER_VAR in str(info.value) and PASSWORD_VAR in str(info.value)


def test_credentials_are_used_when_set():
    env = {USER_VAR: "ausschuss", PASSWORD_VAR: "geheim"}
    assert credentials("0.0.0.0", env=env) == {"ausschuss": "geheim"}
    assert credentials("127.0.0.1", env=env) == {"ausschuss": "geheim"}


def test_cli_refuses_open_address_without_credentials(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(USER_VAR, raising=False)
    monkeypatch.delenv(PASSWORD_VAR, raising=False)
    code = main(["dashboard", "--host", "0.0.0.0", "--store", str(tmp_path / "x.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Fehler: Das Dashboard an Adresse 0.0.0.0")
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_cli_names_a_missing_store(tmp_path, capsys):
    code = main(["dashboard", "--store", str(tmp_path / "fehlt.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert "fehlt.duckdb" in err and "sozialraum batch" in err
