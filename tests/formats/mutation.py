"""Random lines for the fast-path property tests: ordinary lines, most with a few characters
swapped for ones that trip parsers."""

from __future__ import annotations

import random
from collections.abc import Sequence

from data.vector import MIN_LINES


def mutated(seed: int, bases: Sequence[str], pieces: Sequence[str], most: int = 200) -> list[str]:
    """MIN_LINES to `most` lines, each one of `bases`; 60 % of them with 1 to 3 characters
    replaced by one of `pieces`."""
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(MIN_LINES, most)):
        line = rng.choice(bases)
        if rng.random() < 0.6:
            chars = list(line)
            for _ in range(rng.randint(1, 3)):
                chars[rng.randrange(len(chars))] = rng.choice(pieces)
            line = "".join(chars)
        lines.append(line)
    return lines
