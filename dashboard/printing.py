"""Printing the briefing to PDF with headless Chromium.

:func:`briefing_pdf` prints the briefing's HTML (:func:`dashboard.briefing.build_briefing`)
with Chromium in a fresh profile in a temporary directory, without network services,
in its own process group, which is killed if it does not finish in time. Errors users
can meet (no Chromium, a hanging or failing Chromium) raise :class:`BriefingError`
with a German message and no technical detail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from scenarios import fmt_num

CHROMIUM_ENV = "SOZIALRAUM_CHROMIUM"
"""Environment variable with the path of the Chromium executable for the PDF."""

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

PDF_TIMEOUT_S = 60.0
"""Seconds to wait for Chromium to print the PDF (it takes about two on this machine)."""


class BriefingError(Exception):
    """The briefing could not be produced; the message is German and meant for users."""


def find_chromium() -> str:
    """The Chromium executable: ``$SOZIALRAUM_CHROMIUM``, ``/usr/bin/chromium`` or on PATH.

    Raises:
        BriefingError: If none is found (German message).
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise BriefingError(
            f"Chromium wurde unter dem in {CHROMIUM_ENV} angegebenen Pfad nicht gefunden "
            f"({configured}). Bitte den Pfad prüfen."
        )
    if Path(DEFAULT_CHROMIUM).is_file():
        return DEFAULT_CHROMIUM
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BriefingError(
        "Für das PDF wird der Browser Chromium benötigt, er wurde aber nicht gefunden. "
        f"Bitte Chromium installieren oder seinen Pfad in der Umgebungsvariablen {CHROMIUM_ENV} "
        "angeben. Die Vorlage kann weiterhin als HTML gespeichert und gedruckt werden."
    )


def briefing_pdf(html_text: str, *, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """Print the briefing HTML to PDF with headless Chromium (A4, no browser header).

    Chromium runs in a fresh profile in a temporary directory, without network
    services, in its own process group, which is killed if it does not finish
    within ``timeout`` seconds.

    Args:
        html_text: The document from :func:`build_briefing`.
        timeout: Seconds to wait for Chromium.

    Returns:
        The PDF bytes.

    Raises:
        BriefingError: If Chromium is missing, fails or times out (German message).
    """
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="sozialraum-vorlage-") as tmp:
        src = Path(tmp) / "vorlage.html"
        out = Path(tmp) / "vorlage.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profil'}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise BriefingError(
                f"Chromium konnte nicht gestartet werden ({chromium}): {exc.strerror or exc}."
            ) from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise BriefingError(
                f"Chromium hat das PDF nicht innerhalb von {fmt_num(timeout)} Sekunden erzeugt."
            ) from None
        finally:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        pdf = out.read_bytes() if out.is_file() else b""
        if proc.returncode != 0 or not pdf.startswith(b"%PDF"):
            detail = _last_error_line(err.decode("utf-8", "replace"))
            raise BriefingError(
                f"Chromium konnte das PDF nicht erzeugen (Exit-Code {proc.returncode})"
                + (f": {detail}" if detail else ".")
            )
        return pdf


def _last_error_line(stderr: str) -> str:
    """The last line of Chromium's stderr that is not routine noise (D-Bus, GPU)."""
    noise = ("dbus", "Fontconfig", "gpu", "GPU", "bytes written to file")
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if not any(n in ln for n in noise)]
    return useful[-1][:200] if useful else ""


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF written by Chromium (counts ``/Type /Page`` objects, not ``/Pages``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


__all__ = [
    "CHROMIUM_ENV",
    "DEFAULT_CHROMIUM",
    "PDF_TIMEOUT_S",
    "BriefingError",
    "briefing_pdf",
    "find_chromium",
    "pdf_page_count",
]
