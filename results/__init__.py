"""Results: the DuckDB results store, exports for Excel and machines, paired comparisons.

Builds on the scenario language (:mod:`scenarios`); knows nothing of how runs are made.
"""
