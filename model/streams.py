"""Random streams of one run, all derived from the run's single generator.

A run has one ``numpy.random.Generator`` (Mesa's ``model.rng``, seeded from the run
seed). Separate processes draw from child generators spawned from it, so that a
change in one process does not reshuffle the others, and every process draws the
same *amount* of random numbers each month whatever the policy does (arrays sized by
the family table's capacity, not by how many families happen to qualify). Two
scenarios run with the same seed therefore share the synthetic population and its
shocks (common random numbers): their difference is the policy, not noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STREAM_NAMES: tuple[str, ...] = (
    "population",
    "need",
    "recognition",
    "counselling",
    "assessment",
    "choice",
    "cases",
    "demography",
    "projects",
    "reference",
    "groups",
)


@dataclass
class Streams:
    """Named child generators of one run's generator."""

    population: np.random.Generator
    need: np.random.Generator
    recognition: np.random.Generator
    counselling: np.random.Generator
    assessment: np.random.Generator
    choice: np.random.Generator
    cases: np.random.Generator
    demography: np.random.Generator
    projects: np.random.Generator
    reference: np.random.Generator
    groups: np.random.Generator
    """Whether a group place fits a grant (drawn only while a region has places; last,
    so the other streams do not depend on it)."""

    @classmethod
    def from_generator(cls, rng: np.random.Generator) -> Streams:
        """Spawn one child generator per process from the run's generator.

        Args:
            rng: The run's generator (Mesa's ``model.rng``).

        Returns:
            The named streams.
        """
        children = rng.spawn(len(STREAM_NAMES))
        return cls(**dict(zip(STREAM_NAMES, children, strict=True)))
