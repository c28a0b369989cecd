"""Serve the dashboard: loopback by default, credentials for anything else.

``sozialraum dashboard [--store FILE] [--host 127.0.0.1] [--port 8050]`` serves the
app with waitress, a production WSGI server with several threads (Dash's debug
server is never used). On a loopback address no login is needed; on any other
address the server refuses to start unless ``SOZIALRAUM_DASHBOARD_USER`` and
``SOZIALRAUM_DASHBOARD_PASSWORD`` are set, and then asks every request for them
(HTTP basic auth; put a TLS proxy in front when serving beyond a trusted network).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

USER_VAR = "SOZIALRAUM_DASHBOARD_USER"
PASSWORD_VAR = "SOZIALRAUM_DASHBOARD_PASSWORD"


class ServeError(Exception):
    """The dashboard cannot start (German message for the command line)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def credentials(host: str, env: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The login (user → password) the server must ask for, or None on loopback.

    Raises:
        ServeError: If ``host`` is not loopback and the credentials are not set.
    """
    env = os.environ if env is None else env
    user, password = env.get(USER_VAR, ""), env.get(PASSWORD_VAR, "")
    if user and password:
        return {user: password}
    if is_loopback(host):
        return None
    raise ServeError(
        f"Das Dashboard an Adresse {host} ist von anderen Rechnern erreichbar und startet nur "
        f"mit Zugangsdaten: {USER_VAR} und {PASSWORD_VAR} setzen (oder --host 127.0.0.1)"
    )


def build(store: str | Path, host: str, env: Mapping[str, str] | None = None) -> Any:
    """The app with basic auth where needed (not yet serving).

    Raises:
        ServeError: Missing credentials for a non-loopback host.
        ScenarioError: If the store cannot be opened.
    """
    login = credentials(host, env)
    from dashboard.app import create_app

    app = create_app(store)
    if login is not None:
        import dash_auth

        dash_auth.BasicAuth(app, login)
    return app


def serve(store: str | Path, host: str = "127.0.0.1", port: int = 8050, threads: int = 8) -> None:
    """Build the app and serve it with waitress until interrupted."""
    app = build(store, host)
    import waitress

    print(f"Dashboard läuft auf http://{host}:{port}/ (Beenden mit Strg-C)", flush=True)
    waitress.serve(app.server, host=host, port=port, threads=threads, ident="sozialraum")


__all__ = ["PASSWORD_VAR", "USER_VAR", "ServeError", "build", "credentials", "is_loopback", "serve"]
