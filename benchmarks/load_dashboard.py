"""Load check: simulated users browsing the comparison pages of the dashboard.

Starts ``sozialraum dashboard`` (waitress, in its own process) on a free loopback
port and lets ``--users`` threads browse at the same time, each like a
person in a meeting: load the page (index, layout, callback list), then for
``--rounds`` rounds choose a baseline and one to three scenarios and ask for
everything the *Vergleich* and *Regionen* pages show (the same requests the
browser sends, built from the app's own callback list). Prints the number of
requests, errors and the 50th/95th percentile and maximum response times.

Usage::

    python benchmarks/load_dashboard.py [--store out/ergebnisse.duckdb] [--users 20]
        [--rounds 5]

Each simulated user picks a random selection every round, so most requests miss the
server's view cache: a harder load than a meeting where everyone looks at the same
comparison.

Without ``--store`` a small demo store (three Lüneburg scenarios × 10 seeds,
5 years) is computed into a temporary folder first.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SCENARIOS = ["lueneburg-status-quo", "lueneburg-rb2-20-rueckbehalt", "lueneburg-rb2-20-keine"]
COMPARISON_INPUTS = {"basis", "vergleich", "differenz-kennzahl", "region-kennzahl"}


def demo_store(folder: Path) -> Path:
    """A store with three Lüneburg scenarios × 10 seeds, 5 years."""
    from experiments import plan_batch, run_batch
    from results import ResultsStore

    path = folder / "ergebnisse.duckdb"
    plan = plan_batch(SCENARIOS, 10, years=5)
    with ResultsStore(path) as store:
        run_batch(plan, store, workers=2)
    return path


class User(threading.Thread):
    """One simulated user; records (seconds, ok) per request."""

    def __init__(
        self, url: str, names: list[str], rounds: int, seed: int, think: float = 0.0
    ) -> None:
        super().__init__(daemon=True)
        self.think = think
        self.url = url
        self.names = names
        self.rounds = rounds
        self.rng = random.Random(seed)
        self.timings: list[tuple[float, bool, str]] = []

    def _request(self, path: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        req = urllib.request.Request(self.url + path, data=data, headers=headers)
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=120) as response:
                payload = response.read()
                ok = response.status == 200
        except urllib.error.URLError as exc:
            self.timings.append((time.perf_counter() - t0, False, f"{path}: {exc}"))
            return None
        self.timings.append((time.perf_counter() - t0, ok, path))
        return json.loads(payload) if path.startswith("/_dash") else payload

    def run(self) -> None:
        """Load the page, then browse ``rounds`` selections."""
        self._request("/")
        layout = self._request("/_dash-layout")
        deps = self._request("/_dash-dependencies")
        if layout is None or deps is None:
            return
        callbacks = [
            d
            for d in deps
            if d["inputs"]
            and {i["id"] for i in d["inputs"]} <= COMPARISON_INPUTS
            and not d.get("background")
        ]
        for _ in range(self.rounds):
            baseline = self.rng.choice(self.names)
            others = [n for n in self.names if n != baseline]
            chosen = self.rng.sample(others, k=self.rng.randint(1, min(3, len(others))))
            values = {
                "basis": baseline,
                "vergleich": chosen,
                "differenz-kennzahl": self.rng.choice(
                    ["total_spent", "unmet_need_families", "escalations"]
                ),
                "region-kennzahl": self.rng.choice(["cost_per_jew", "cases_per_10k_total"]),
            }
            for cb in callbacks:
                self._request("/_dash-update-component", _body(cb, values))
            if self.think:  # looking at the charts before choosing again
                time.sleep(self.rng.uniform(0.5, 1.5) * self.think)


def _body(cb: dict, values: dict[str, Any]) -> dict:
    """The JSON a browser posts for one callback with these input values."""
    outputs = [_split(o) for o in cb["output"].strip(".").split("...")]
    inputs = [
        {"id": i["id"], "property": i["property"], "value": values[i["id"]]} for i in cb["inputs"]
    ]
    return {
        "output": cb["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": [],
    }


def _split(spec: str) -> dict[str, str]:
    ident, prop = spec.rsplit(".", 1)
    return {"id": ident, "property": prop}


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    """``sozialraum dashboard`` in its own process, as users would run it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "dashboard", "--store", str(store), "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("Dashboard startet nicht")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default=None)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user looks at the charts before the next choice (0: none)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else demo_store(Path(tmp))
        from results import ResultsStore

        with ResultsStore(store, read_only=True) as s:
            names = sorted(set(s.runs()["scenario"]))
        port = free_port()
        server = start_server(store, port)
        url = f"http://127.0.0.1:{port}"
        try:
            users = [User(url, names, args.rounds, seed, args.think) for seed in range(args.users)]
            t0 = time.perf_counter()
            for u in users:
                u.start()
            for u in users:
                u.join()
            wall = time.perf_counter() - t0
        finally:
            server.terminate()
            server.wait(timeout=30)
    timings = [t for u in users for t in u.timings]
    seconds = sorted(t for t, _, _ in timings)
    errors = [what for _, ok, what in timings if not ok]
    p95 = seconds[int(0.95 * (len(seconds) - 1))]
    print(
        f"{args.users} gleichzeitige Nutzer, {len(timings)} Anfragen in {wall:.1f} s, "
        f"{len(errors)} Fehler; Antwortzeit Median {statistics.median(seconds):.3f} s, "
        f"95. Perzentil {p95:.3f} s, Maximum {seconds[-1]:.3f} s "
        f"(Server in eigenem Prozess, {len(names)} Szenarien im Speicher, "
        f"Bedenkzeit {args.think:g} s)"
    )
    for what in errors[:5]:
        print("  Fehler:", what)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
