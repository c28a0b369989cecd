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
(HTTP basic auth, :class:`BasicAuth`; put a TLS proxy in front when serving beyond
a trusted network).

Everything that can be wrong with the command line (port, number of processes,
the store file, an address that cannot be bound) is checked before the server
starts and ends as one German line.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hmac
import ipaddress
import math
import os
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scenarios import ScenarioError

USER_VAR = "SOZIALRAUM_DASHBOARD_USER"
PASSWORD_VAR = "SOZIALRAUM_DASHBOARD_PASSWORD"

PORT_MIN = 1
"""Smallest port the dashboard listens on. Port 0 would make the system pick any free
port, which is not the one printed for the user to open."""

PORT_MAX = 65535
"""Largest port: TCP port numbers have 16 bits. A larger number used to be cut to its
low 16 bits by the address lookup (``getaddrinfo``: 84396 became 18860) while 84396
was printed, and gunicorn failed with a traceback."""

WORKERS_MAX = 64
"""Most server processes. Each process holds the app and a connection to the store
(measured: about 250 MB resident, 60 MB of it its own, with a small store) and the
charts are built in Python, so processes beyond the number of cores add no speed; 64
covers the largest single server a Kreis would run, while a typing error such as
``--workers 100000`` can no longer start a hundred thousand processes."""

LOGIN_FAILURES_MAX = 10
"""Failed logins allowed per client address in :data:`LOGIN_WINDOW_S`. A person who
mistypes needs a few attempts; ten per five minutes limit guessing to under 3,000
passwords a day (it was 300 in 0.4 s), far too few for any password worth the name."""

LOGIN_WINDOW_S = 300
"""Length of the window in which failed logins are counted (seconds); after
:data:`LOGIN_FAILURES_MAX` failures the address gets 429 until the window ends."""

REALM = "Sozialraum-Simulation"
"""Name of the protected area shown in the browser's login dialogue."""


class ServeError(Exception):
    """The dashboard cannot start (German message for the command line)."""


def check_port(port: int) -> int:
    """The port, if it is one a server can listen on.

    Raises:
        ServeError: If it is outside :data:`PORT_MIN`–:data:`PORT_MAX`.
    """
    if not PORT_MIN <= port <= PORT_MAX:
        raise ServeError(
            f"Angabe --port: {port} liegt nicht zwischen {PORT_MIN} und {PORT_MAX} "
            "(Portnummern haben 16 Bit)"
        )
    return port


def check_workers(workers: int) -> int:
    """The number of server processes, if it is at most :data:`WORKERS_MAX`.

    Raises:
        ServeError: If it is below 1 or above :data:`WORKERS_MAX`.
    """
    if not 1 <= workers <= WORKERS_MAX:
        raise ServeError(
            f"Angabe --workers: {workers} liegt nicht zwischen 1 und {WORKERS_MAX} "
            "(mehr Prozesse als Kerne bringen keine Geschwindigkeit, jeder braucht "
            "etwa 250 MB Speicher)"
        )
    return workers


def check_store(path: str | os.PathLike[str]) -> Path:
    """The store file, if it is an existing regular file (before anything opens it).

    Raises:
        ScenarioError: If it is missing, not a regular file (a folder, a pipe, a
            device), a loop of symbolic links or cannot be read.
    """
    store = Path(path)
    hint = (
        "zuerst z. B. „sozialraum batch lueneburg-status-quo lueneburg-rb2-20-rueckbehalt“ rechnen"
    )
    try:
        mode = os.stat(store).st_mode
    except FileNotFoundError:
        raise ScenarioError(store, "--store", f"Ergebnisspeicher nicht gefunden; {hint}") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            message = "Schleife symbolischer Links, der Ergebnisspeicher ist nicht erreichbar"
        elif exc.errno == errno.EACCES:
            message = "keine Berechtigung, den Ergebnisspeicher zu lesen"
        elif exc.errno == errno.ENOTDIR:
            message = "ein Teil des Pfades ist kein Verzeichnis"
        else:
            message = f"Ergebnisspeicher nicht lesbar (Systemfehler {exc.errno})"
        raise ScenarioError(store, "--store", message) from None
    if not stat.S_ISREG(mode):
        kind = (
            "ein Verzeichnis"
            if stat.S_ISDIR(mode)
            else "keine gewöhnliche Datei (eine Pipe, ein Gerät oder ein Socket)"
        )
        raise ScenarioError(store, "--store", f"ist {kind}, kein Ergebnisspeicher")
    if not os.access(store, os.R_OK):
        raise ScenarioError(store, "--store", "keine Berechtigung, den Ergebnisspeicher zu lesen")
    return store


_BIND_PROBLEMS = {
    errno.EADDRINUSE: "Angabe --port: Port {port} auf {host} ist schon belegt (läuft das "
    "Dashboard schon?)",
    errno.EACCES: "Angabe --port: Port {port} auf {host} darf nicht genutzt werden (Ports "
    "unter 1024 brauchen Administratorrechte)",
    errno.EADDRNOTAVAIL: "Angabe --host: Adresse {host} gehört nicht zu diesem Rechner",
}


def check_bind(host: str, port: int) -> None:
    """Whether the server can listen on ``host``:``port`` (tried before it starts).

    Raises:
        ServeError: If the address is unknown or the port cannot be used.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise ServeError(f"Angabe --host: Adresse {host} ist unbekannt") from None
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
            sock.bind(address)
    except OSError as exc:
        template = _BIND_PROBLEMS.get(
            exc.errno or 0,
            "Angabe --port: Port {port} auf {host} ist nicht nutzbar "
            f"(Systemfehler {exc.errno})",
        )
        raise ServeError(template.format(port=port, host=host)) from None


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


class BasicAuth:
    """HTTP basic auth for every request, with a limit on failed logins per address.

    * Missing header → 401 with ``WWW-Authenticate`` (the browser asks for the login).
    * Any malformed header (not ``Basic``, bad base64, not UTF-8, no colon) → 401,
      counted as a failed login; never an error page.
    * User and password are compared in constant time (:func:`hmac.compare_digest`
      on their UTF-8 bytes; both are always compared).
    * After :data:`LOGIN_FAILURES_MAX` failures from one client address within a
      window of :data:`LOGIN_WINDOW_S` seconds, every request from it gets 429 with
      ``Retry-After`` until the window ends. The count lives in a diskcache folder
      shared by all worker processes (gunicorn) and threads (waitress). The address
      is the connecting one (``REMOTE_ADDR``): behind a proxy, all users share it.

    Args:
        login: User → password (one entry).
        state_dir: Folder for the failure counts (shared by the worker processes).
    """

    def __init__(self, login: Mapping[str, str], state_dir: str | Path) -> None:
        import diskcache

        ((user, password),) = login.items()
        self._user = user.encode("utf-8")
        self._password = password.encode("utf-8")
        self._failures = diskcache.Cache(str(Path(state_dir) / "anmeldungen"))

    def install(self, server: Any) -> None:
        """Check every request of a Flask server, before any other hook."""
        server.before_request_funcs.setdefault(None, []).insert(0, self._check)

    # ------------------------------------------------------------------ checks

    @staticmethod
    def parse(header: str | None) -> tuple[bytes, bytes] | None:
        """User and password from an ``Authorization`` header.

        Returns:
            (user, password) as UTF-8 bytes; None if the header is malformed.

        >>> BasicAuth.parse("Basic YTpi")
        (b'a', b'b')
        >>> BasicAuth.parse("Basic ###"), BasicAuth.parse("Bearer YTpi")
        (None, None)
        """
        if not header:
            return None
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "basic" or not token.strip():
            return None
        try:
            text = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):  # bad base64, non-ASCII, not UTF-8
            return None
        user, colon, password = text.partition(":")
        if not colon:
            return None
        return user.encode("utf-8"), password.encode("utf-8")

    def matches(self, user: bytes, password: bytes) -> bool:
        """Whether the login is right (constant time, both parts always compared)."""
        user_ok = hmac.compare_digest(user, self._user)
        password_ok = hmac.compare_digest(password, self._password)
        return user_ok & password_ok

    def _window(self, now: float) -> tuple[int, float]:
        start = math.floor(now / LOGIN_WINDOW_S) * LOGIN_WINDOW_S
        return int(start), start + LOGIN_WINDOW_S - now

    def failures(self, address: str, now: float | None = None) -> int:
        """Failed logins of ``address`` in the current window."""
        start, _ = self._window(time.time() if now is None else now)
        return int(self._failures.get(f"{address}|{start}", 0))

    def _count_failure(self, address: str, now: float) -> None:
        start, _ = self._window(now)
        key = f"{address}|{start}"
        self._failures.add(key, 0, expire=2 * LOGIN_WINDOW_S)
        self._failures.incr(key)  # atomic across processes (one SQLite transaction)

    def _check(self) -> Any:
        import flask

        request = flask.request
        address = request.remote_addr or "unbekannt"
        now = time.time()
        if self.failures(address, now) >= LOGIN_FAILURES_MAX:
            _, left = self._window(now)
            wait = max(1, math.ceil(left))
            return flask.Response(
                f"Zu viele fehlgeschlagene Anmeldungen von dieser Adresse (mehr als "
                f"{LOGIN_FAILURES_MAX} in {LOGIN_WINDOW_S // 60} Minuten); bitte in "
                f"{wait} Sekunden erneut versuchen.",
                status=429,
                mimetype="text/plain",
                headers={"Retry-After": str(wait)},
            )
        header = request.headers.get("Authorization")
        if header is not None:
            given = self.parse(header)
            if given is not None and self.matches(*given):
                return None
            self._count_failure(address, now)
        return flask.Response(
            "Anmeldung erforderlich: Benutzername und Passwort des Dashboards eingeben.",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'},
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
        cache_dir: Folder of the background jobs and the failed-login counts (shared
            by worker processes; default: a new temporary folder).

    Raises:
        ServeError: Missing credentials for a non-loopback host.
        ScenarioError: If the store cannot be opened.
    """
    login = credentials(host, env)
    from dashboard.app import create_app

    cache_dir = cache_dir or tempfile.mkdtemp(prefix="sozialraum-dash-")
    app = create_app(store, cache_dir=cache_dir)
    # Dash sets itself up on the first request; with several threads a second request
    # can overtake that set-up and find no registered scripts. Do it before serving.
    with app.server.app_context():
        app._setup_server()
    if login is not None:
        BasicAuth(login, cache_dir).install(app.server)
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
        ServeError: Missing credentials for a non-loopback host, a port outside
            1–65535, too many processes, or an address that cannot be bound.
        ScenarioError: If the store cannot be opened.
    """
    workers = check_workers(workers or min(os.cpu_count() or 1, WORKERS_MAX))
    check_port(port)
    credentials(host)
    check_store(store)
    check_bind(host, port)
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
        f"Dashboard läuft auf http://{host}:{port}/ mit {workers} Prozessen (Beenden mit Strg-C)",
        flush=True,
    )
    _App().run()


__all__ = [
    "LOGIN_FAILURES_MAX",
    "LOGIN_WINDOW_S",
    "PASSWORD_VAR",
    "PORT_MAX",
    "PORT_MIN",
    "USER_VAR",
    "WORKERS_MAX",
    "BasicAuth",
    "ServeError",
    "build",
    "check_bind",
    "check_port",
    "check_store",
    "check_workers",
    "credentials",
    "is_loopback",
    "serve",
]
