"""The rows Fairlearn 0.15's bootstrap draws, recomputed from MT19937 and checked against
what ``DataFrame.sample`` returned during the real run."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _fairness_config import BOOT_RANDOM_STATE, N_BOOT


class _MT19937:
    """Reference MT19937 with numpy's legacy integer seeding (init_genrand)."""

    def __init__(self, seed: int):
        mt = [0] * 624
        mt[0] = seed & 0xFFFFFFFF
        for i in range(1, 624):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        self.mt = mt
        self.pos = 624

    def _twist(self):
        mt = self.mt
        for i in range(624):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.pos = 0

    def next_uint32(self) -> int:
        if self.pos >= 624:
            self._twist()
        y = self.mt[self.pos]
        self.pos += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y


def reference_bootstrap_rows(seed: int, n: int) -> list[int]:
    """RandomState(seed).randint(0, n, size=n) re-implemented from scratch.

    Legacy RandomState draws bounded integers (range < 2**32) by masked
    rejection on 32-bit MT19937 outputs: mask = smallest 2**k - 1 >= n - 1,
    redraw while (u32 & mask) > n - 1.
    """
    mt = _MT19937(seed)
    rng = n - 1
    mask = (1 << rng.bit_length()) - 1
    out = []
    while len(out) < n:
        v = mt.next_uint32() & mask
        if v <= rng:
            out.append(v)
    return out


def bootstrap_seeds() -> list[int]:
    # fairlearn/metrics/_bootstrap.py, integer random_state branch.
    gen = np.random.default_rng(seed=BOOT_RANDOM_STATE)
    rs = gen.integers(low=0, high=np.iinfo(np.uint32).max, size=N_BOOT, dtype=np.uint32)
    return [int(x) for x in rs]


class _SampleSpy:
    """Record which source rows DataFrame.sample picks inside MetricFrame."""

    def __init__(self):
        self.calls: list[tuple[object, list[int]]] = []
        self._orig = None

    def __enter__(self):
        orig = pd.DataFrame.sample
        spy = self

        def sample(df, *args, **kwargs):
            result = orig(df, *args, **kwargs)
            kw = dict(kwargs)
            kw["ignore_index"] = False
            labelled = orig(df, *args, **kw)
            assert isinstance(df.index, pd.RangeIndex) and df.index.start == 0
            assert labelled.reset_index(drop=True).equals(result)
            spy.calls.append((kwargs.get("random_state"), [int(i) for i in labelled.index]))
            return result

        self._orig = orig
        pd.DataFrame.sample = sample
        return self

    def __exit__(self, *exc):
        pd.DataFrame.sample = self._orig
        return False


def verified_bootstrap_indices(spy: _SampleSpy, n: int) -> tuple[list[int], list[list[int]]]:
    seeds = bootstrap_seeds()
    assert len(spy.calls) == N_BOOT, len(spy.calls)
    indices = []
    for seed, (rs, rows) in zip(seeds, spy.calls, strict=True):
        # fairlearn passes the np.uint32 seed straight to DataFrame.sample.
        assert isinstance(rs, np.uint32) and int(rs) == seed, (rs, seed)
        # pandas: random_state -> np.random.RandomState(seed);
        # sample(frac=1, replace=True) -> rs.choice(n, size=round(1 * n), replace=True)
        # and RandomState.choice(replace=True, p=None) -> rs.randint(0, n, size=n).
        via_randint = np.random.RandomState(seed).randint(0, n, size=n).tolist()
        via_choice = np.random.RandomState(seed).choice(n, size=n, replace=True).tolist()
        assert rows == via_randint == via_choice
        assert rows == reference_bootstrap_rows(seed, n)
        indices.append(rows)
    return seeds, indices
