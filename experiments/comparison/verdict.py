"""The one-screen verdict of a comparison: does each package work, for whom, at what cost.

One rule decides everything shown: an effect *works* when its confidence interval over
replications lies above zero, *harms* when it lies below, and is *unclear* when it includes
zero. The cost per extra person in work uses Fieller's interval, which is bounded exactly
when the effect's interval excludes zero, so an unclear effect always has an "unbounded" cost.
Where the extra people in work came from follows from the labour-force identity
(employed = population − unemployed − inactive): extra in work = fewer unemployed + fewer
inactive + population change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.comparison.layout import fmt, interval, render
from experiments.comparison.names import plain
from experiments.comparison.statistics import fieller_ci
from experiments.comparison.study import Comparison

#: The rule, as the report states it.
RULE = (
    "works: the {conf}% interval of the effect on the group's people in work lies above zero; "
    "harms: it lies below zero; unclear: it includes zero (the effect cannot be told apart "
    "from chance). The cost per extra person in work has an interval only when the effect "
    "is not unclear (Fieller's interval; otherwise it is unbounded)."
)
WORKS, UNCLEAR, HARMS = "works", "unclear", "harms"
#: Fewer replications than this are flagged under the verdict: t-intervals are then wide.
FEW_REPLICATIONS = 5


@dataclass(frozen=True)
class Estimate:
    """An estimate with its confidence interval (NaN bounds: no interval)."""

    value: float
    low: float = float("nan")
    high: float = float("nan")

    @property
    def known(self) -> bool:
        """Whether there is an estimate at all."""
        return bool(np.isfinite(self.value))

    @property
    def bounded(self) -> bool:
        """Whether the interval is finite."""
        return bool(np.isfinite(self.low) and np.isfinite(self.high))

    @property
    def verdict(self) -> str:
        """``works``, ``harms`` or ``unclear`` by the stated rule."""
        if self.bounded and self.low > 0:
            return WORKS
        if self.bounded and self.high < 0:
            return HARMS
        return UNCLEAR

    @classmethod
    def of(cls, row: pd.Series | None) -> Estimate:
        """From a results-table row (or an unknown estimate when there is none)."""
        if row is None:
            return cls(float("nan"))
        return cls(float(row["estimate"]), float(row["ci_low"]), float(row["ci_high"]))

    def negated(self) -> Estimate:
        """The estimate of minus the quantity (e.g. fewer unemployed from the change)."""
        return Estimate(-self.value, -self.high, -self.low)


@dataclass
class VerdictRow:
    """The verdict for one package and one target group."""

    package: str
    package_title: str
    group: str
    group_name: str
    verdict: str
    extra_in_work: Estimate
    employment_rate_pp: Estimate
    cost_per_extra: Estimate
    fewer_unemployed: Estimate
    fewer_inactive: Estimate
    population_change: Estimate

    @property
    def cost_text(self) -> str:
        """Cost per extra person in work with its interval, by the verdict's rule."""
        c = self.cost_per_extra
        if not c.known:
            return "–"
        if self.verdict == HARMS:
            return "none: fewer people in work"
        if self.verdict == UNCLEAR or not c.bounded:
            return "unbounded"
        return f"EUR {fmt(c.value, 'EUR')} ({interval(c.low, c.high, 'EUR')})"

    @property
    def sources_text(self) -> str:
        """Where the extra people in work came from (the labour-force identity)."""
        parts = []
        for est, fewer, more in (
            (self.fewer_unemployed, "fewer unemployed", "more unemployed"),
            (self.fewer_inactive, "fewer inactive", "more inactive"),
            (self.population_change, "more people in the group", "fewer people in the group"),
        ):
            if est.known and round(est.value, 1) != 0:
                parts.append(f"{fmt(abs(est.value), 'persons')} {fewer if est.value > 0 else more}")
        return ", ".join(parts) if parts else "no change in any status"


@dataclass
class PackageVerdict:
    """A package's verdicts by group, its displacement and its cost in total."""

    package: str
    title: str
    rows: list[VerdictRow] = field(default_factory=list)
    participants: Estimate = field(default_factory=lambda: Estimate(float("nan")))
    everyone_else: Estimate = field(default_factory=lambda: Estimate(float("nan")))
    total_cost: Estimate = field(default_factory=lambda: Estimate(float("nan")))

    def summary(self) -> str:
        """The package's verdict in one or two plain sentences."""
        parts = []
        for word in (WORKS, HARMS, UNCLEAR):
            who = [_who(r.group) for r in self.rows if r.verdict == word]
            if who:
                parts.append(f"{word} for {_join(who)}")
        text = "; ".join(parts) + "." if parts else "no estimate."
        head = self.headline
        if head is not None:
            cost = head.cost_text
            why = " (the effect cannot be told from zero)" if cost == "unbounded" else ""
            text += f" Cost per extra person of {_who(head.group)} in work: {cost}{why}."
        if self.everyone_else.known:
            e = self.everyone_else
            text += (
                f" Participants gain {fmt(self.participants.value, 'persons', True)} people in "
                f"work; everyone else {fmt(e.value, 'persons', True)} "
                f"({interval(e.low, e.high, 'persons', True)}): "
                + {
                    HARMS: "displacement (others lose jobs the participants take).",
                    WORKS: "no displacement; others gain too.",
                    UNCLEAR: "no displacement that can be told apart from chance.",
                }[e.verdict]
            )
        return text

    @property
    def headline(self) -> VerdictRow | None:
        """The row of the package's target groups together (else everyone)."""
        by_group = {r.group: r for r in self.rows}
        return by_group.get("any_target_group") or by_group.get("all")


def _who(group: str) -> str:
    return "everyone taken together" if group == "all" else plain(group).lower()


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _one(d: pd.DataFrame) -> pd.Series | None:
    return d.iloc[0] if len(d) else None


def package_titles(c: Comparison) -> dict[str, str]:
    """Package name → its title (the name when it has none)."""
    return {
        p["package"]["name"]: p["package"].get("title") or p["package"]["name"]
        for p in c.meta["scenario"]["packages"]
    }


def _per_replication(c: Comparison, arm: str, metric: str, group: str) -> pd.Series:
    r = c.replications
    d = r[(r["arm"] == arm) & (r["metric"] == metric) & (r["group"] == group)]
    return d.set_index("replication")["value"]


def cost_per_extra(c: Comparison, package: str, group: str) -> Estimate:
    """Cost of the package per extra person of ``group`` in work, with Fieller's interval."""
    cost = _per_replication(c, package, "cost", "all")
    extra = _per_replication(c, package, "employed", group) - _per_replication(
        c, "baseline", "employed", group
    )
    both = pd.concat([cost.rename("cost"), extra.rename("extra")], axis=1).dropna()
    if both.empty or not (both["cost"] > 0).any():
        return Estimate(float("nan"))
    ratio, low, high = fieller_ci(
        both["cost"].to_numpy(), both["extra"].to_numpy(), c.meta["scenario"]["run"]["confidence"]
    )
    return Estimate(ratio, low, high)


def verdicts(c: Comparison) -> list[PackageVerdict]:
    """The verdict of every package for every target group (and everyone), by the rule."""
    titles = package_titles(c)
    effects = c.effects("effect")
    out = []
    for package in dict.fromkeys(effects["package"]):
        e = effects[effects["package"] == package]

        def get(metric: str, group: str, e: pd.DataFrame = e) -> Estimate:
            return Estimate.of(_one(e[(e["metric"] == metric) & (e["group"] == group)]))

        pv = PackageVerdict(package, titles.get(package, package))
        for group in c.meta["target_groups"]:
            extra = get("employed", group)
            if not extra.known:
                continue
            pv.rows.append(
                VerdictRow(
                    package=package,
                    package_title=pv.title,
                    group=group,
                    group_name=plain(group),
                    verdict=extra.verdict,
                    extra_in_work=extra,
                    employment_rate_pp=get("employment_to_population", group),
                    cost_per_extra=cost_per_extra(c, package, group),
                    fewer_unemployed=get("unemployed", group).negated(),
                    fewer_inactive=get("inactive", group).negated(),
                    population_change=get("population", group),
                )
            )
        part = c.effects("participation", package=package, metric="extra_employed", group="all")
        pv.participants = Estimate.of(_one(part[part["context"] == "participants"]))
        pv.everyone_else = Estimate.of(_one(part[part["context"] == "non_participants"]))
        pv.total_cost = Estimate.of(
            _one(c.effects("cost", package=package, metric="cost_total", group="all"))
        )
        out.append(pv)
    return out


def rule_text(c: Comparison) -> str:
    """The verdict rule with the comparison's confidence level."""
    return RULE.format(conf=round(100 * c.meta["scenario"]["run"]["confidence"]))


def how_sure(c: Comparison) -> dict[str, Any]:
    """What the certainty rests on: replications used and planned, months, the window."""
    run = c.meta["scenario"]["run"]
    used = c.meta.get("replications_used")
    return {
        "replications": len(used) if used else run["replications"],
        "planned": run["replications"],
        "months": run["months"],
        "window": run["evaluation_months"],
        "confidence": round(100 * run["confidence"]),
        "few": (len(used) if used else run["replications"]) < FEW_REPLICATIONS,
    }


def verdict_html(c: Comparison, extra: list[Any] | None = None) -> str:
    """The verdict block (HTML) shown first in the report and on the dashboard.

    ``extra`` are :class:`~experiments.comparison.layout.Section` objects shown inside the
    block under the table (e.g. the packages' interaction term).
    """
    return render(
        "verdict.html.j2",
        packages=verdicts(c),
        rule=rule_text(c),
        sure=how_sure(c),
        extra=extra or [],
    )
