"""The plain-Python reference of the monthly step, one module per phase of the month.

The month runs in this order (:meth:`simulator.model.LabourMarketModel.step`):

1. :mod:`~simulator.reference.demand`: jobs destroyed and created, retirement, separations,
   flows in and out of the labour force, entrants;
2. :mod:`~simulator.reference.mobility`: training at work, vacancy chains (promotions,
   job-to-job moves, carved jobs);
3. :mod:`~simulator.reference.services`: enrolment in interventions, effects of participation;
4. :mod:`~simulator.reference.matching`: applications, screening, hires;
5. :mod:`~simulator.reference.consequences`: ageing, spells, states drifting back;
6. :mod:`~simulator.reference.monitoring`: the month-end census.

Each phase is written from the model's rules, one person, vacancy or employer at a time, and
reads the parameters by the names users see (``par.stigma_per_month``). It shares with the
numba kernels (:mod:`simulator.kernels`) only the model's scalar formulas
(:mod:`simulator.rules`), its counter-based random numbers (:mod:`simulator.streams`), the table
layout (:mod:`simulator.state`, :mod:`simulator.tallies`, :mod:`simulator.interventions`), and
never imports the kernels; on the same seed both engines give bit-identical results
(``tests/simulator/test_reference_equivalence.py``). Floating-point sums are accumulated left
to right in the kernels' order on purpose.
"""
