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


# --------------------------------------------------------------------------- hardening


@pytest.mark.parametrize("port", [0, -1, 65536, 84396])
def test_port_outside_16_bits_is_refused(port):
    from dashboard.server import PORT_MAX, check_port

    with pytest.raises(ServeError) as info:
        check_port(port)
    assert str(port) in str(info.value) and str(PORT_MAX) in str(info.value)


def test_ports_at_the_ends_are_allowed():
    from dashboard.server import PORT_MAX, PORT_MIN, check_port

    assert check_port(PORT_MIN) == 1 and check_port(PORT_MAX) == 65535


def test_regression_port_84396_listens_elsewhere(tmp_path, capsys):
    """``--port 84396`` was cut to 18860 by the socket layer while 84396 was printed."""
    code = main(["dashboard", "--store", str(tmp_path / "x.duckdb"), "--port", "84396"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("Fehler: Aufruf ungültig, Angabe --port: 84396 liegt nicht zwischen")


def test_workers_are_limited():
    from dashboard.server import WORKERS_MAX, check_workers

    assert check_workers(WORKERS_MAX) == WORKERS_MAX
    with pytest.raises(ServeError):
        check_workers(WORKERS_MAX + 1)


def test_bind_check_names_a_busy_port():
    import socket

    from dashboard.server import check_bind

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServeError) as info:
            check_bind("127.0.0.1", port)
    assert "schon belegt" in str(info.value)
    check_bind("127.0.0.1", port)  # free again


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Basic YTpi", (b"a", b"b")),
        ("basic YTpi", (b"a", b"b")),
        ("Basic YTo=", (b"a", b"")),
        ("Basic OmI=", (b"", b"b")),
        ("Basic YTpiOmM=", (b"a", b"b:c")),  # the password may hold a colon
        (None, None),
        ("", None),
        ("Basic", None),
        ("Basic ###", None),
        ("Basic YWI=", None),  # no colon
        ("Basic //4=", None),  # not UTF-8
        ("Digest YTpi", None),
        ("Basic ä", None),
    ],
)
def test_authorization_header_parsing(header, expected):
    from dashboard.server import BasicAuth

    assert BasicAuth.parse(header) == expected


def test_login_compares_user_and_password_exactly(tmp_path):
    from dashboard.server import BasicAuth

    auth = BasicAuth({"ausschuss": "geheim-ß"}, tmp_path)
    assert auth.matches(b"ausschuss", "geheim-ß".encode())
    for user, password in [
        (b"ausschuss", b"geheim"),
        (b"ausschuss", "geheim-ß!".encode()),
        (b"Ausschuss", "geheim-ß".encode()),
        (b"", b""),
    ]:
        assert not auth.matches(user, password)


def test_login_comparison_is_constant_time():
    """Both parts go through ``hmac.compare_digest`` (no ``==``, no early exit)."""
    import inspect

    from dashboard.server import BasicAuth

    source = inspect.getsource(BasicAuth.matches)
    assert source.count("hmac.compare_digest(") == 2
    assert " and " not in source and "==" not in source


def test_dash_auth_is_no_longer_needed():
    import tomllib

    from tests.bad_days.harness import ROOT

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not any(d.startswith("dash-auth") for d in deps)
    assert "dash_auth" not in (ROOT / "constraints.txt").read_text()
