"""Named random streams (DESIGN §6).

No global random state: every stochastic process draws from its own numpy Generator keyed
by the run seed, the replication, a stable name and optional extra keys (such as a TPS
index). Adding a new stream never shifts the others, results do not depend on the number of
workers, and two plans simulated with the same seed see the same draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable integer for a stream name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def named_rng(seed: int, replication: int, name: str, *keys: int) -> np.random.Generator:
    """The Generator for stream `name` in `replication` of a run with `seed`.

    ``SeedSequence(seed, spawn_key=(replication, crc32(name), *keys))``.
    """
    seq = np.random.SeedSequence(seed, spawn_key=(replication, stream_key(name), *keys))
    return np.random.Generator(np.random.PCG64(seq))
