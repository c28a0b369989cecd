"""Experiments: sweeps, batch plans, replicates and their execution (in process, pool, Dask).

Builds on the scenario language (:mod:`scenarios`) and writes into the results store
(:mod:`results`).
"""
