"""Reading the calibration file: the bounded reader against plain PyYAML.

Prints the best of five reads of the shipped calibration file (163 KB) with the
bounded reader on libyaml's parser (what the toolkit uses), with PyYAML's
pure-Python safe loader and with libyaml's CSafeLoader (unbounded, for reference).
"""

from __future__ import annotations

import time

import yaml

from calibration.fit import POSTERIOR_DIR
from scenarios import parse_yaml

FILE = POSTERIOR_DIR / "lueneburg-v1.yaml"


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    text = FILE.read_text(encoding="utf-8")
    bounded = best(lambda: parse_yaml(text, FILE, allow_aliases=False, fast=True))
    python = best(lambda: yaml.load(text, Loader=yaml.SafeLoader))
    c_loader = best(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    print(f"calibration file {len(text) / 1024:.0f} KB, best of 5")
    print(f"  bounded reader (libyaml parser, limits): {bounded * 1000:7.1f} ms")
    print(f"  PyYAML SafeLoader (pure Python):         {python * 1000:7.1f} ms")
    print(f"  PyYAML CSafeLoader (no limits):          {c_loader * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
