"""Benchmark: one stratified random-inspection draw with inspector assignment, province scale.

    .venv/bin/python bench/random_draw.py --entities 15000000

Builds (untimed) the arrays the app extracts from the registry, the credit classes and the
inspector database — N entities over 136 counties with a class mix (A 20 %, B 60 %, C 15 %,
D 5 %), 4 % deregistered, a share already checked (excluded); an inspector pool; one
previous-inspector conflict pair per already-checked entity and a few declared relations — and
times

  ours  ``draw.run_draw``: the same function the app runs on a committed batch (stratified
        allocation by class weights, exclusions, per-class sampling from the seeded PCG64 stream,
        two inspectors per entity with balanced workload and conflict repair);
  raw   ``numpy.random.Generator.choice(..., replace=False)`` of the same per-class counts over
        the same per-class index arrays (no exclusions, no allocation, no inspectors).

Prints seconds and peak memory; the last line is ``ratio=<ours/raw>`` in speed (draws per second),
i.e. raw seconds ÷ our seconds: 1.0 would be as fast as the bare sampling.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import _common  # sets the environment before marketreg is imported
from marketreg.domains.inspections import draw

SEED = "9f" * 32


def build(n: int, inspectors: int, checked_share: float, *, seed: int = 7) -> tuple[draw.Directory, draw.Pool]:
    rng = np.random.default_rng(seed)
    counties = 370101 + np.arange(136, dtype=np.int32) * 7  # 136 distinct county-like codes
    directory = draw.Directory(
        entity_ids=np.arange(1, n + 1, dtype=np.int64),
        classes=rng.choice(4, n, p=[0.20, 0.60, 0.15, 0.05]).astype(np.uint8),
        excluded=rng.random(n) < 0.04 + checked_share,
        regions=counties[rng.integers(0, len(counties), n)],
    )
    checked = np.flatnonzero(rng.random(n) < checked_share * 2) + 1  # checked before, some outside the window
    pool_ids = np.arange(1, inspectors + 1, dtype=np.int64)
    conflict_entities = np.concatenate([checked, rng.integers(1, n + 1, inspectors)])
    conflict_inspectors = rng.integers(1, inspectors + 1, len(conflict_entities))
    pool = draw.Pool(pool_ids, counties[rng.integers(0, len(counties), inspectors)],
                     conflict_entities.astype(np.int64), conflict_inspectors.astype(np.int64))
    return directory, pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=15_000_000)
    parser.add_argument("--share", type=float, default=0.03, help="batch size as a share of the directory")
    parser.add_argument("--inspectors", type=int, default=20_000)
    parser.add_argument("--avoid-same-region", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    directory, pool = build(args.entities, args.inspectors, checked_share=0.02)
    size = int(args.entities * args.share)
    params = draw.Params(size=size, weights={"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}, per_entity=2,
                         avoid_same_region=args.avoid_same_region)
    print(f"setup: {args.entities:,} entities, {args.inspectors:,} inspectors, "
          f"{len(pool.conflict_entities):,} conflict pairs, batch {size:,} ({time.perf_counter() - started:.1f}s, "
          f"untimed)")

    t0 = time.perf_counter()
    result = draw.run_draw(SEED, directory, pool, params)
    ours = time.perf_counter() - t0
    positions = np.searchsorted(pool.inspector_ids, result.inspectors.ravel())
    loads = np.bincount(positions, minlength=len(pool.inspector_ids))
    print(f"ours: {ours:.3f}s  drawn={len(result.rows):,} per_class={result.per_class} "
          f"inspector load {loads.min()}–{loads.max()}  peak_rss={_common.peak_rss_mb():.0f} MB")

    per_class = [np.flatnonzero(directory.classes == c) for c in range(4)]  # same index arrays, untimed
    generator = np.random.Generator(np.random.PCG64(7))
    t0 = time.perf_counter()
    for code, index in enumerate(per_class):
        generator.choice(index, size=result.per_class["ABCD"[code]], replace=False)
    raw = time.perf_counter() - t0
    print(f"raw:  {raw:.3f}s  Generator.choice of the same per-class counts  peak_rss={_common.peak_rss_mb():.0f} MB")
    print(f"ratio={raw / ours:.3f}")


if __name__ == "__main__":
    main()
