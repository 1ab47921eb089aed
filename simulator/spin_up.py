"""The spin-up: a run starts from its lab's own steady state, not from the drawn market.

The market drawn at set-up has plausible stocks but invented spell lengths, tenures, mechanism
states and status histories. Before month 0 the model therefore runs the lab's own baseline
dynamics for ``spin_up_months`` and starts from where they lead. The spin-up runs the
parameters with the package taken out (:func:`baseline_dynamics`), so a package arm and its
baseline, which differ only in the package, start from the same world; its random numbers come
from the run's set-up seed, so it is the same on every engine.

After the spin-up, month stamps are shifted so that its last month is month 0
(:func:`shift_months`), and the run's own month-0 settings (coalition partners, hiring
standard, job carving) are applied (:func:`simulator.setup.start_run`).
"""

from __future__ import annotations

from simulator import state
from simulator.params import CoalitionParams, ModelParams


def baseline_dynamics(params: ModelParams) -> ModelParams:
    """The parameters the spin-up runs: ``params`` without its package.

    No interventions, no demand shock, every mechanism on, and no spin-up of its own. Its
    ``months`` are those of the spin-up and of the run after it, so the world's tables are
    drawn with room for the entrants of both (growing them mid-run copies every person); the
    spin-up steps the first ``params.spin_up_months`` of them. Without interventions the
    coalition acts on nobody (its integration only shapes referrals to interventions, and
    :func:`simulator.setup.start_run` sets it afresh at month 0), so the coalition and the
    providers' partnership are put at their defaults with no members: a package that only
    dates its partners' commitment, or a design that varies the coalition's growth, then
    shares its baseline's spin-up (and :class:`simulator.world_cache.WorldCache` keeps one).
    """
    return params.model_copy(
        update={
            "months": params.spin_up_months + params.months,
            "spin_up_months": 0,
            "interventions": [],
            "disabled_mechanisms": [],
            "coalition": CoalitionParams(employer_share=0.0),
            "providers": [
                pr.model_copy(update={"in_coalition": False, "joins_month": 0})
                for pr in params.providers
            ],
            "demand": params.demand.model_copy(update={"demand_shock": 0.0, "shock_length": 0}),
        }
    )


def shift_months(world: state.WorldState, months: int) -> None:
    """Re-date a world ``months`` months earlier, so that its month ``months`` becomes month 0.

    Month stamps of events before it become negative (a hire in the spin-up's last month is
    month -1 of the run); "never" stays never.
    """
    n = world.persons.n
    pi, qi = world.persons.i, world.positions.i
    hired = pi[:n, state.P_HIRE_MONTH]
    hired[hired != state.NEVER] -= months
    moved = pi[:n, state.P_MOVED_MONTH]
    moved[moved >= 0] -= months
    pi[:n, state.P_ENTRY_MONTH] -= months
    qi[:, state.Q_VACANT_SINCE] -= months
    world.month -= months
