"""Burn-in snapshots on disk: reused bit-identically, private, bounded."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from experiments.snapshots import SUFFIX, BurnInCache
from model.run import finish_run, run_once
from scenarios.loader import load_scenario

SIZE = {"years": 1, "scale": 0.1}


@pytest.fixture(scope="module")
def params():
    return load_scenario("lueneburg-status-quo", SIZE).params


def test_a_snapshot_continues_like_the_whole_run(tmp_path, params):
    cache = BurnInCache(tmp_path / "snap", 2**30)
    model, hit = cache.model(params, 4)
    assert not hit
    again, hit = cache.model(params, 4)
    assert hit and again is not model
    alone = run_once(params, 4)
    for m in (model, again):
        got = finish_run(m, params, 4)
        for table in ("results", "ledger", "closing", "providers"):
            pd.testing.assert_frame_equal(getattr(got, table), getattr(alone, table))


def test_the_folder_is_created_private(tmp_path, params):
    cache = BurnInCache(tmp_path / "a" / "snap", 2**30)
    assert cache.usable
    assert (tmp_path / "a" / "snap").stat().st_mode & 0o077 == 0


def test_a_folder_others_can_write_to_is_never_read(tmp_path, params):
    """Another user could put a pickle there: the cache refuses the folder and the run
    simulates its burn-in (same results, nothing read, nothing written)."""
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o777)
    cache = BurnInCache(folder, 2**30)
    assert not cache.usable
    name = cache.key(params, 4)
    (folder / f"{name}{SUFFIX}").write_bytes(b"not a snapshot")
    model, hit = cache.model(params, 4)
    assert not hit
    pd.testing.assert_frame_equal(finish_run(model, params, 4).results, run_once(params, 4).results)
    assert (folder / f"{name}{SUFFIX}").read_bytes() == b"not a snapshot"


def test_a_symbolic_link_is_no_cache_folder(tmp_path, params):
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert not BurnInCache(link, 2**30).usable


def test_the_folder_keeps_within_its_size_dropping_the_oldest(tmp_path, params):
    cache = BurnInCache(tmp_path / "snap", 2**30)
    cache.model(params, 1)
    size = next((tmp_path / "snap").glob(f"*{SUFFIX}")).stat().st_size
    small = BurnInCache(tmp_path / "snap", int(2.5 * size))
    for seed in (2, 3, 4):
        small.model(params, seed)
    kept = {p.name for p in (tmp_path / "snap").glob(f"*{SUFFIX}")}
    assert len(kept) == 2
    assert kept == {f"{small.key(params, s)}{SUFFIX}" for s in (3, 4)}


def test_keys_follow_the_burn_in_not_the_levers(tmp_path, params):
    cache = BurnInCache(tmp_path / "snap", 0)
    reform = load_scenario("lueneburg-rb2-20-bonus-malus", SIZE).params
    assert cache.key(params, 1) == cache.key(reform, 1)
    assert cache.key(params, 1) != cache.key(params, 2)
    ulm = load_scenario("ulm-status-quo", SIZE).params
    assert cache.key(ulm, 1) is None
    with pytest.raises(ValueError):
        cache.model(ulm, 1)


def test_a_damaged_snapshot_is_simulated_again_and_replaced(tmp_path, params):
    cache = BurnInCache(tmp_path / "snap", 2**30)
    path = cache.folder / f"{cache.key(params, 6)}{SUFFIX}"
    cache.model(params, 6)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])  # as after a full disk
    model, hit = cache.model(params, 6)
    assert not hit
    pd.testing.assert_frame_equal(finish_run(model, params, 6).results, run_once(params, 6).results)
    assert path.read_bytes() == whole
