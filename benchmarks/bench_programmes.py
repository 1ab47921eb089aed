"""The participants' effect profile of each programme type beside the published figures.

For every intervention type whose catalogue entry has a published ``profile``, runs a package of
that type alone on the Kokkola lab against the baseline (common random numbers, placebo arm)
and prints the effect on participants' share in work within a year of the start, one to two
years and beyond two years after it (with 95% intervals over replications), the cohort's share
in work in the baseline, whether the simulated profile has the published shape, and under it
the published figures with the difference (simulated minus published, pp) and the ratio
(simulated over published), the figures' basis (the type's own, all programme types together,
or a related measure) and source. See docs/evaluation.md for the estimand and
scenarios/catalogue.toml for the sources and how the monthly parameters map onto the figures.

Usage::

    NUMBA_CACHE_DIR=.numba_cache .venv/bin/python benchmarks/bench_programmes.py \\
        [--persons 12000] [--months 60] [--replications 4] [--workers 2] [--types ips ...]
"""

from __future__ import annotations

import argparse
import math
import time

from experiments.comparison.programme_profiles import (
    BINS,
    against_published,
    follows_pattern,
    published_profiles,
    share_ratio,
    type_profile,
)
from scenarios.catalogue import load_catalogue


def _cell(value: float, width: int = 20) -> str:
    """A number right-aligned in a column, or a dash where there is none."""
    return f"{'-':>{width}}" if math.isnan(value) else f"{value:+{width}.1f}"


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=12_000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--capacity", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--types", nargs="*", help="intervention types (default: all with a profile)")
    args = ap.parse_args()
    published = published_profiles()
    catalogue = load_catalogue()
    kinds = args.types or list(published)
    print(
        f"Participants' effect on the share in work (pp) by time since the start; Kokkola, "
        f"{args.persons:,} persons, {args.months} months, {args.replications} replications, "
        f"{args.capacity} places a month\n"
    )
    head = f"{'type':<22} {'pattern':<8} " + " ".join(f"{b:>20}" for b in BINS)
    print(head + f" {'base y1 %':>9} {'shape':>6} {'s':>5}")
    for kind in kinds:
        t0 = time.perf_counter()
        profile = type_profile(
            kind,
            persons=args.persons,
            months=args.months,
            replications=args.replications,
            capacity=args.capacity,
            workers=args.workers,
        )
        by_bin = profile.set_index("bin")
        cells = " ".join(
            f"{by_bin.loc[b, 'estimate']:+6.1f} [{by_bin.loc[b, 'ci_low']:+5.1f},"
            f"{by_bin.loc[b, 'ci_high']:+5.1f}]"
            for b in BINS
        )
        pub = published[kind]
        ok = "yes" if follows_pattern(profile, pub.pattern) else "NO"
        base = by_bin.loc["year_1", "baseline"]
        print(
            f"{kind:<22} {pub.pattern:<8} {cells} {base:9.1f} {ok:>6} "
            f"{time.perf_counter() - t0:5.0f}"
        )
        before = by_bin.loc["before_start"]
        print(
            f"{'  before the start':<31} {before['estimate']:+6.1f} [{before['ci_low']:+5.1f},"
            f"{before['ci_high']:+5.1f}]"
        )
        if pub.published is not None:
            cmp = against_published(profile, pub.published).set_index("bin")
            for label, col in (
                ("published", "published"),
                ("simulated - published", "difference"),
            ):
                print(f"{'  ' + label:<31} " + " ".join(_cell(cmp.loc[b, col]) for b in BINS))
            ratios = " ".join(f"{'-':>20}" if math.isnan(r) else f"{r:20.2f}" for r in cmp["ratio"])
            print(f"{'  simulated / published':<31} {ratios}")
            print(f"    basis: {pub.published.basis}; {pub.published.definition}")
            print(f"    figures: {pub.published.source}")
        else:
            print("    published: no figures found for this type")
        bench = catalogue[kind].benchmark
        if bench is not None and bench.measure in ("relative_risk", "odds_ratio"):
            print(
                f"    {bench.measure.replace('_', ' ')} of being in work within a year of the "
                f"start: simulated {share_ratio(profile, bench.measure):.2f}, benchmark "
                f"{bench.low:.2f}-{bench.high:.2f} ({bench.source})"
            )
        print(f"    pattern: {pub.source}")


if __name__ == "__main__":
    main()
