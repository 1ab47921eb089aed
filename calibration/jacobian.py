"""Jacobian of the expected simulated moments, and how much of it is simulation noise.

The standard errors need the derivative of the *expected* moments. Common random numbers do
not make an agent-based simulation smooth: a changed parameter changes which agent draws
which random number, and a run drifts away from its twin. A central difference over a small
step is then mostly noise, and noise in the Jacobian makes the moments look more sensitive
than they are: ``E[Ĝ'MĜ] = G'MG + E[(Ĝ-G)'M(Ĝ-G)]``, so the sandwich's bread grows and the
standard errors shrink. Hence a step that is a sizeable share of each range, many
replications, and the noise term estimated from the spread of the per-replication differences
so that it can be taken out (:meth:`Jacobian.noise`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calibration.evaluate import Evaluator


@dataclass
class Jacobian:
    """Central-difference Jacobian of the mean simulated moments.

    Attributes
    ----------
    matrix
        Mean over replications, shape (moments, parameters).
    steps
        Full width of each difference, shape (parameters,).
    draws
        Per-replication differences, shape (replications, moments, parameters); a moment
        missing from a replication is set to the mean of the others.
    """

    matrix: np.ndarray
    steps: np.ndarray
    draws: np.ndarray

    def noise(self, metric: np.ndarray) -> np.ndarray:
        """Estimate of ``E[(Ĝ-G)' M (Ĝ-G)]``, the simulation noise in ``Ĝ'MĜ``.

        Parameters
        ----------
        metric
            Symmetric matrix ``M``, shape (moments, moments).

        Returns
        -------
        ndarray, shape (parameters, parameters)
            Zero when fewer than two replications.
        """
        n = self.draws.shape[0]
        p = self.matrix.shape[1]
        if n < 2:
            return np.zeros((p, p))
        dev = self.draws - self.matrix[None, :, :]
        return np.einsum("rik,ij,rjl->kl", dev, metric, dev) / ((n - 1) * n)


def central_differences(
    evaluator: Evaluator, theta: np.ndarray, replications: int, step: float
) -> Jacobian:
    """Central-difference Jacobian at ``theta`` (one-sided where a bound is nearer than the step).

    Parameters
    ----------
    evaluator
        Simulates the points (its seeds are shared by all points: common random numbers).
    replications
        Runs per point.
    step
        Half-width of each difference as a share of the parameter's search range.
    """
    lo, hi = evaluator.space.lower, evaluator.space.upper
    h = step * (hi - lo)
    points = []
    for k in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[k] = min(theta[k] + h[k], hi[k])
        down[k] = max(theta[k] - h[k], lo[k])
        points += [up, down]
    reps = evaluator.moments(points, replications)
    widths = np.array([points[2 * k][k] - points[2 * k + 1][k] for k in range(theta.size)])
    draws = np.stack(
        [(reps[2 * k] - reps[2 * k + 1]) / widths[k] for k in range(theta.size)], axis=2
    )
    ok = np.isfinite(draws)
    mean = np.where(ok, draws, 0.0).sum(axis=0) / np.maximum(ok.sum(axis=0), 1)
    # A missing moment carries no information about the noise: fill it with the mean.
    draws = np.where(ok, draws, mean[None, :, :])
    return Jacobian(mean, widths, draws)
