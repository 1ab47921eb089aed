"""The participants' effect profile of each programme type beside the published pattern.

For every intervention type whose catalogue entry has a published ``profile``, runs a package of
that type alone on the Kokkola lab against the baseline (common random numbers, placebo arm)
and prints the effect on participants' share in work within a year of the start, one to two
years and beyond two years after it (with 95% intervals over replications), the published
pattern and figures, and whether the simulated profile has the published shape. See
docs/evaluation.md for the estimand and scenarios/catalogue.toml for the sources.

Usage::

    NUMBA_CACHE_DIR=.numba_cache .venv/bin/python benchmarks/bench_programmes.py \\
        [--persons 12000] [--months 60] [--replications 4] [--workers 2] [--types ips ...]
"""

from __future__ import annotations

import argparse
import time

from experiments.comparison.programme_profiles import (
    BINS,
    follows_pattern,
    published_profiles,
    type_profile,
)


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
    kinds = args.types or list(published)
    print(
        f"Participants' effect on the share in work (pp) by time since the start; Kokkola, "
        f"{args.persons:,} persons, {args.months} months, {args.replications} replications\n"
    )
    head = f"{'type':<22} {'pattern':<8} " + " ".join(f"{b:>20}" for b in BINS)
    print(head + f" {'shape':>6} {'s':>5}")
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
        ok = "yes" if follows_pattern(profile, pub["pattern"]) else "NO"
        print(f"{kind:<22} {pub['pattern']:<8} {cells} {ok:>6} {time.perf_counter() - t0:5.0f}")
        if pub["published"]:
            figures = " ".join(f"{v:+20.1f}" for v in pub["published"])
            print(f"{'  published':<31} {figures}")
        print(f"    source: {pub['source']}")
        if pub["note"]:
            print(f"    note: {pub['note']}")


if __name__ == "__main__":
    main()
