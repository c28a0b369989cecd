"""Serve the dashboard: loopback by default, credentials for anything else.

``sozialraum dashboard [--store FILE] [--host 127.0.0.1] [--port 8050] [--workers N]``
serves the app with a production WSGI server (Dash's debug server is never used):
gunicorn with ``N`` worker processes of several threads each (default: one per core;
the charts are built in Python, so processes, not threads, use the cores), or
waitress with threads in one process for ``--workers 1`` and where gunicorn is not
available (Windows). Worker processes share one folder for the background jobs of
the what-if page. On a loopback address no login is needed; on any other
address the server refuses to start unless ``SOZIALRAUM_DASHBOARD_USER`` and
``SOZIALRAUM_DASHBOARD_PASSWORD`` are set, and then asks every request for them
(HTTP basic auth; put a TLS proxy in front when serving beyond a trusted network).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import tempfile
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


def build(
    store: str | Path,
    host: str,
    env: Mapping[str, str] | None = None,
    cache_dir: str | Path | None = None,
) -> Any:
    """The app with basic auth where needed (not yet serving).

    Args:
        store: The results store.
        host: Address the server binds to (decides whether a login is required).
        env: Environment with the credentials (default: ``os.environ``).
        cache_dir: Folder of the background jobs (shared by worker processes).

    Raises:
        ServeError: Missing credentials for a non-loopback host.
        ScenarioError: If the store cannot be opened.
    """
    login = credentials(host, env)
    from dashboard.app import create_app

    app = create_app(store, cache_dir=cache_dir)
    # Dash sets itself up on the first request; with several threads a second request
    # can overtake that set-up and find no registered scripts. Do it before serving.
    with app.server.app_context():
        app._setup_server()
    if login is not None:
        import dash_auth

        dash_auth.BasicAuth(app, login)
    return app


def serve(
    store: str | Path,
    host: str = "127.0.0.1",
    port: int = 8050,
    workers: int | None = None,
    threads: int = 8,
) -> None:
    """Serve until interrupted (gunicorn with ``workers`` processes, or waitress).

    Raises:
        ServeError: Missing credentials for a non-loopback host.
        ScenarioError: If the store cannot be opened.
    """
    workers = workers or os.cpu_count() or 1
    credentials(host)
    cache_dir = tempfile.mkdtemp(prefix="sozialraum-dash-")
    try:
        if workers > 1 and _gunicorn_available():
            _serve_gunicorn(store, host, port, workers, threads, cache_dir)
            return
        app = build(store, host, cache_dir=cache_dir)
        import waitress

        print(f"Dashboard läuft auf http://{host}:{port}/ (Beenden mit Strg-C)", flush=True)
        waitress.serve(app.server, host=host, port=port, threads=threads, ident="sozialraum")
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)


def _gunicorn_available() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401 - only whether it imports
    except ImportError:  # not on Windows
        return False
    return True


def _serve_gunicorn(
    store: str | Path, host: str, port: int, workers: int, threads: int, cache_dir: str
) -> None:
    from gunicorn.app.base import BaseApplication

    build(store, host, cache_dir=cache_dir).data.close()  # fail early, before forking

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": max(2, threads // workers),
                "worker_class": "gthread",
                "timeout": 120,
                "loglevel": "warning",
                "proc_name": "sozialraum-dashboard",
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return build(store, host, cache_dir=cache_dir).server

    print(
        f"Dashboard läuft auf http://{host}:{port}/ mit {workers} Prozessen "
        "(Beenden mit Strg-C)",
        flush=True,
    )
    _App().run()


__all__ = ["PASSWORD_VAR", "USER_VAR", "ServeError", "build", "credentials", "is_loopback", "serve"]
