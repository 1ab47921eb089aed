"""Engine step 5: the coalition adapts the package from monitored indicators.

:class:`Adaptation` is a month hook (``model.month_hooks``). At each review it reads what a
coalition can monitor — each intervention's starts against its capacity, and the share of its
past participants now in work — and moves budget (capacity × unit cost) from interventions
with unused places or weak outcomes to interventions with a full intake and strong outcomes.
The package's monthly budget stays the same; every change is logged. No intervention grows
beyond the places its provider has left: interventions enrol in order, so one that outgrew its
shared provider would take the places of the provider's other interventions (which the
review would then read as unused places and cut further).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from scenarios.schema import AdaptationRule
from simulator import state


def unit_cost(spec) -> float:
    """Expected cost of one participant: fee plus any subsidy over the supported months."""
    return max(
        spec.cost_per_participant + spec.subsidy_per_month * spec.in_work_support_months, 1.0
    )


def provider_room(model, specs, capacity: np.ndarray) -> dict[str, float]:
    """Places each provider has left after the capacities of all the interventions it delivers."""
    room = {p.name: float(p.capacity) for p in model.params.providers}
    for k, spec in enumerate(specs):
        if spec.provider:
            room[spec.provider] -= capacity[k]
    return room


def fit_providers(
    target: np.ndarray,
    capacity: np.ndarray,
    providers: list[str | None],
    room: dict[str, float],
    freed: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    """New capacities with the increases of each provider's interventions kept within the
    places it has left.

    Increases beyond the provider's room are scaled down (together, for interventions sharing
    it); the budget that could not be placed goes back to the interventions it was taken
    from, in proportion to what each gave, never above their capacity before the review.
    """
    target = target.astype(float).copy()
    up = np.maximum(target - capacity, 0.0)
    unplaced = 0.0
    for name, left in room.items():
        share = np.array([k for k, p in enumerate(providers) if p == name and up[k] > 0], int)
        if share.size == 0 or up[share].sum() <= left:
            continue
        keep = np.floor(up[share] * max(left, 0.0) / up[share].sum())
        unplaced += float(((up[share] - keep) * cost[share]).sum())
        target[share] = capacity[share] + keep
    if unplaced > 0 and freed.sum() > 0:
        back = np.round(unplaced * freed / freed.sum() / cost)
        target = np.where(freed > 0, np.minimum(target + back, capacity), target)
    return target.astype(int)


@dataclass
class Adaptation:
    """A month hook applying an :class:`~scenarios.schema.AdaptationRule`.

    Attributes
    ----------
    log : list of dict
        One record per capacity change: month, intervention, old and new capacity, the
        indicators read (uptake, participants in work) and ``reason``, the indicator that
        drove the change in words.
    """

    rule: AdaptationRule
    log: list[dict] = field(default_factory=list)

    def __call__(self, model, month: int) -> None:
        """Review the package if this month is a review month."""
        r = self.rule
        if not r.enabled or month < r.start_month or (month - r.start_month) % r.every_months:
            return
        specs = list(model.params.interventions)
        if len(specs) < 2:
            return
        recorded = model.recorder.starts[-r.every_months :]
        if not recorded:
            return
        starts = np.sum(recorded, axis=0)
        capacity = np.array([model.capacity(s.name) for s in specs], dtype=float)
        uptake = np.where(capacity > 0, starts / np.maximum(capacity * len(recorded), 1), 0.0)
        outcome = self._outcomes(model, specs)
        cost = np.array([unit_cost(s) for s in specs])
        budget = capacity * cost
        use_uptake = r.rule in ("uptake", "uptake_and_outcomes")
        use_outcomes = r.rule in ("outcomes", "uptake_and_outcomes")

        freed = np.zeros(len(specs))
        receives = np.zeros(len(specs), dtype=bool)
        reasons = [""] * len(specs)
        for k in range(len(specs)):
            full = uptake[k] >= r.full_uptake
            if use_uptake and not full and capacity[k] > r.min_capacity:
                freed[k] = r.max_shift * budget[k] * (1.0 - uptake[k])
                reasons[k] = f"unused places (uptake {uptake[k]:.0%})"
            if full:
                receives[k] = True
                reasons[k] = f"full intake (uptake {uptake[k]:.0%})"
        if use_outcomes:
            # A switched-off intervention (capacity 0) is left out of the review.
            scored = [k for k in range(len(specs)) if capacity[k] > 0 and not np.isnan(outcome[k])]
            if len(scored) >= 2:
                worst = min(scored, key=lambda k: outcome[k])
                best = max(scored, key=lambda k: outcome[k])
                if outcome[best] > outcome[worst] and capacity[worst] > r.min_capacity:
                    freed[worst] = max(freed[worst], r.max_shift * budget[worst])
                    receives[worst] = False
                    receives[best] = True
                    reasons[worst] = (
                        f"weakest outcomes ({outcome[worst]:.0%} of past participants in work)"
                    )
                    best_text = f"best outcomes ({outcome[best]:.0%} of past participants in work)"
                    reasons[best] = "; ".join(x for x in (reasons[best], best_text) if x)
        room = provider_room(model, specs, capacity)
        providers = [spec.provider for spec in specs]
        for k in range(len(specs)):
            if receives[k] and providers[k] and room[providers[k]] <= 0:
                # Places its provider cannot staff would stay empty (and, as the first to
                # enrol, would take the places of the provider's other interventions).
                receives[k] = False
                reasons[k] = "; ".join(x for x in (reasons[k], "provider at capacity") if x)
        pool = freed.sum()
        if pool <= 0 or not receives.any():
            return
        # Receivers share the freed budget in proportion to their outcome (or equally).
        weights = np.where(receives, np.nan_to_num(outcome, nan=0.0) + 0.05, 0.0)
        weights /= weights.sum()
        new_budget = budget - freed + pool * weights
        target = np.array(
            [
                max(round(new_budget[k] / cost[k]), r.min_capacity) if capacity[k] > 0 else 0
                for k in range(len(specs))
            ]
        )
        target = fit_providers(target, capacity, providers, room, freed, cost)
        for k, spec in enumerate(specs):
            if capacity[k] == 0:
                continue
            new = int(target[k])
            if new != int(capacity[k]):
                model.set_capacity(spec.name, new)
                self.log.append(
                    {
                        "month": month,
                        "intervention": spec.name,
                        "old_capacity": int(capacity[k]),
                        "new_capacity": new,
                        "uptake": float(uptake[k]),
                        "participants_in_work": float(outcome[k]),
                        "reason": reasons[k] or "rounding of the shared budget",
                    }
                )

    @staticmethod
    def _outcomes(model, specs) -> np.ndarray:
        """Share of each person intervention's past participants now in work (NaN: none)."""
        persons = model.world.persons
        pi = persons.i[: persons.n]
        last = pi[:, state.P_LAST_INTERVENTION]
        employed = pi[:, state.P_STATUS] == state.EMPLOYED
        out = np.full(len(specs), np.nan)
        for k, spec in enumerate(specs):
            if spec.target != "jobseekers":
                continue
            # Current participants are still in the programme; judge those who finished.
            done = (last == k) & (pi[:, state.P_ENROLLED] != k)
            if done.sum() >= 5:
                out[k] = employed[done].mean()
        return out
