"""The verdict's rule, Fieller's interval, the one number format and the short effects table.

Built on small hand-made comparisons, so every expected verdict is known in advance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.comparison.layout import Section, fmt, interval, page
from experiments.comparison.names import mechanism, plain
from experiments.comparison.report import short_effects
from experiments.comparison.statistics import fieller_ci, mean_ci
from experiments.comparison.study import RESULT_COLUMNS, Comparison
from experiments.comparison.verdict import HARMS, UNCLEAR, WORKS, verdict_html, verdicts


# ------------------------------------------------------------------ Fieller
def brute_force_fieller(num, den, confidence):
    """The ratios r whose t-test of mean(num - r den) = 0 is not rejected, on a fine grid."""
    n = len(num)
    t = stats.t.ppf(0.5 + confidence / 2, n - 1)
    grid = np.linspace(-2e4, 2e4, 400_001)
    d = num[None, :] - grid[:, None] * den[None, :]
    accept = np.abs(d.mean(axis=1)) <= t * d.std(axis=1, ddof=1) / np.sqrt(n)
    inside = grid[accept]
    return inside.min(), inside.max(), accept[0] or accept[-1]


def test_fieller_matches_the_test_inversion():
    rng = np.random.default_rng(1)
    den = 10 + rng.normal(0, 3, 8)
    num = 1000 * den + rng.normal(0, 2000, 8)
    ratio, low, high = fieller_ci(num, den, 0.95)
    lo, hi, open_ended = brute_force_fieller(num, den, 0.95)
    assert not open_ended
    assert ratio == pytest.approx(num.mean() / den.mean())
    assert low == pytest.approx(lo, abs=0.2) and high == pytest.approx(hi, abs=0.2)


@pytest.mark.parametrize("shift", [0.0, 0.5, 1.0, 2.0, 5.0])
def test_fieller_is_bounded_exactly_when_the_effect_is_distinguishable(shift):
    rng = np.random.default_rng(int(10 * shift))
    den = shift + rng.normal(0, 2, 6)
    num = 5000 + rng.normal(0, 100, 6)
    _, low, high = fieller_ci(num, den, 0.95)
    _, _, elo, ehi = mean_ci(den, 0.95)
    assert np.isfinite(low) == (elo > 0 or ehi < 0)
    assert np.isfinite(high) == np.isfinite(low)


# ------------------------------------------------------------------ verdicts
def comparison(effects: dict[str, tuple[float, float, float]]) -> Comparison:
    """A one-package comparison; ``effects[group]``: people in work (estimate, low, high)."""
    rows = []
    for group, (est, lo, hi) in effects.items():
        for metric, sign in (("employed", 1), ("unemployed", -0.75), ("inactive", -0.25)):
            rows.append(
                {
                    **dict.fromkeys(RESULT_COLUMNS),
                    "package": "pkg",
                    "analysis": "effect",
                    "metric": metric,
                    "group": group,
                    "unit": "persons",
                    "estimate": sign * est,
                    "ci_low": min(sign * lo, sign * hi),
                    "ci_high": max(sign * lo, sign * hi),
                    "context": "",
                }
            )
    # Replications whose differences give the effects' centres, for the cost's Fieller interval.
    reps = []
    t = stats.t.ppf(0.975, 2)
    spread = {g: (hi - lo) / 2 * np.sqrt(3) / t for g, (_, lo, hi) in effects.items()}
    for r, z in enumerate((-1.0, 0.0, 1.0)):
        reps.append(
            {"arm": "pkg", "metric": "cost", "group": "all", "replication": r, "value": 1e6}
        )
        for group, (est, _, _) in effects.items():
            for arm, value in (("baseline", 100.0), ("pkg", 100.0 + est + z * spread[group])):
                reps.append(
                    {
                        "arm": arm,
                        "metric": "employed",
                        "group": group,
                        "replication": r,
                        "value": value,
                    }
                )
    meta = {
        "scenario": {
            "packages": [{"package": {"name": "pkg", "title": "The package"}}],
            "run": {"confidence": 0.95, "replications": 3, "months": 24, "evaluation_months": 6},
        },
        "target_groups": list(effects),
    }
    return Comparison(
        meta=meta,
        results=pd.DataFrame(rows, columns=RESULT_COLUMNS),
        over_time=pd.DataFrame(),
        replications=pd.DataFrame(reps),
    )


def test_verdict_follows_the_stated_rule():
    c = comparison(
        {"all": (10, 4, 16), "young": (-6, -9, -3), "migrant": (2, -5, 9)},
    )
    (pv,) = verdicts(c)
    by_group = {r.group: r for r in pv.rows}
    assert [by_group[g].verdict for g in ("all", "young", "migrant")] == [WORKS, HARMS, UNCLEAR]
    assert by_group["migrant"].cost_text == "unbounded"
    assert by_group["young"].cost_text.startswith("none")
    assert by_group["all"].cost_text.startswith("EUR 100,000 (")
    # Extra in work = fewer unemployed + fewer inactive (+ population change, here none).
    assert by_group["all"].sources_text == "7.5 fewer unemployed, 2.5 fewer inactive"
    html = verdict_html(c)
    assert "The package" in html and "works for everyone taken together" in html
    assert "harms for young (&lt;30)" in html and "unclear for migrants" in html
    assert html.count('class="verdict-row"') == 3
    assert "few: the intervals are wide" in html  # three replications


def test_numbers_plain_names_and_layout():
    assert fmt(12.345, "persons", True) == "+12.3" and fmt(-0.004, "pp", True) == "0.00"
    assert fmt(146528.4, "EUR/person") == "146,528" and fmt(float("nan")) == "–"
    assert interval(1.0, float("nan"), "EUR") == "unbounded"
    assert plain("long_term_unemployed") == "Long-term unemployed"
    assert plain("employment_to_population").startswith("Employment rate (employed / working-age")
    assert plain("employment_rate") == "Employed share of the labour force"
    assert mechanism("self_efficacy") == "Self-efficacy"
    html = page("T <1>", [Section("A & B", "<p>x</p>", "a")], intro="i < j", top="<div>v</div>")
    assert "<h1>T &lt;1&gt;</h1>" in html and '<section id="a">' in html
    assert "<h2>A &amp; B</h2>" in html and "<p>x</p>" in html and "i &lt; j" in html


def test_short_effects_table_keeps_rows_that_moved():
    c = comparison({"all": (10, 4, 16), "young": (0.0, 0.0, 0.0)})
    short = short_effects(c)
    assert set(short["group"]) == {"all"}
    assert list(short["metric"]) == ["employed", "unemployed", "inactive"]
