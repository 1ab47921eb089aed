"""Standard errors (MSM sandwich) and identification diagnostics.

With weighting matrix ``W``, Jacobian ``G`` of the expected simulated moments with respect to
the parameters and covariance ``Ω`` of ``observed - simulated`` moments,

    V = (G'WG)^-1 G'W Ω W G (G'WG)^-1

is the covariance of the estimates. Each piece is estimated so as not to understate ``V``:

* ``G`` by central differences over a sizeable step with many replications, the simulation
  noise of the differences taken out of ``G'WG`` (:mod:`calibration.jacobian`);
* ``Ω`` = data covariance + run-to-run covariance / ``R`` (the fit compares the data with the
  mean of ``R`` replications). The data covariance is either the model's run-to-run
  covariance at the estimate scaled to the lab's size (a parametric bootstrap, see
  :func:`parametric_covariance`) or the data bootstrap;
* all runs here draw from their own seed stream, independent of the search's runs (which the
  estimate was chosen to fit) and of the weighting matrix's (which ``W`` inverts).

Identification comes from the same noise-corrected information as the standard errors,
``B = D (Ĝ'WĜ − noise) D`` with ``D`` the search ranges (:func:`information`). The noisy
Jacobian itself would overstate it: noise adds ``E[(Ĝ-G)'W(Ĝ-G)]`` to every direction, so
even a parameter the moments do not react to would look identified. What the estimates can
tell is the precision of the sandwich, ``V⁻¹ = B M⁻¹ B`` in range units (``M = D G'WΩWG D``;
it is ``B`` itself when ``W`` is the inverse of ``Ω``). Its eigenvectors are directions in
parameter space; one is pinned down when its 95% interval is narrower than the search range.
A parameter whose own interval is wider than its range therefore lowers the rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from calibration.evaluate import UNCERTAINTY, Evaluator
from calibration.jacobian import Jacobian, central_differences
from calibration.moments import MomentSpec
from calibration.msm import mean_moments

#: Relative singular-value threshold for the numerical rank.
RANK_TOLERANCE = 1e-3
#: Singular value (precision in search-range units, square-rooted) above which a direction is
#: pinned down: its 95% interval, 2 × 1.96 / singular value, is narrower than the range.
PINNED_SINGULAR_VALUE = 2 * 1.96
#: Weight of the diagonal when a simulated covariance is shrunk towards it.
SHRINKAGE = 0.5


@dataclass
class Uncertainty:
    """Uncertainty of the estimates at the optimum.

    Attributes
    ----------
    fitted
        Mean simulated moments of the search's replications at the estimate.
    reps_at_optimum
        Independent runs at the estimate (run-to-run covariance and bands).
    jacobian_noise
        Share of each diagonal entry of ``G'WG`` that is simulation noise (taken out); near 1
        means the moments' response to that parameter is lost in the noise.
    information
        Noise-corrected ``D G'WG D`` in search-range units (:func:`information`).
    """

    jacobian: np.ndarray
    steps: np.ndarray
    covariance: np.ndarray
    se: np.ndarray
    omega: np.ndarray
    fitted: np.ndarray
    reps_at_optimum: np.ndarray
    j_statistic: float
    j_df: int
    j_pvalue: float
    data_covariance: np.ndarray
    jacobian_noise: np.ndarray
    information: np.ndarray


def parametric_covariance(
    data_cov: np.ndarray,
    sim_cov: np.ndarray,
    published: np.ndarray,
    scale: float,
    shrinkage: float = 0.0,
) -> np.ndarray:
    """Covariance of the observed moments from the model's run-to-run covariance.

    A living lab is one realisation of a labour market with persistent swings; resampling its
    own months or participants cannot show how much its window and cell means would differ in
    another realisation. The model's run-to-run covariance, times ``scale`` (simulated over the
    lab's labour force), stands in for every moment. Public statistics describe the same
    market and share its swings; their published variance (survey error, the diagonal of
    ``data_cov`` for the ``published`` moments) comes on top.

    For a weighting matrix, which must be inverted, the correlations are shrunk by
    ``shrinkage`` towards zero (a few replications estimate a many-moment covariance poorly,
    and singular); the standard errors use it unshrunk, because shrinking the correlations of
    nearly redundant moments would count the same evidence twice.
    """
    block = sim_cov * scale
    out = shrinkage * np.diag(np.diag(block)) + (1.0 - shrinkage) * block
    out = out + np.diag(np.where(published, np.diag(data_cov), 0.0))
    floor = np.diag(data_cov) * 1e-6 + 1e-12
    out[np.diag_indices_from(out)] = np.maximum(np.diag(out), floor)
    return out


def model_covariance(reps: np.ndarray) -> np.ndarray:
    """Run-to-run covariance of simulated moments (replications with a missing moment dropped)."""
    ok = ~np.isnan(reps).any(axis=1)
    k = reps.shape[1]
    if ok.sum() < 2:
        return np.zeros((k, k))
    return np.atleast_2d(np.cov(reps[ok], rowvar=False))


def information(jac: Jacobian, weight: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Information of the weighted moments about the parameters, simulation noise taken out.

    Returns ``D (Ĝ'WĜ − noise) D`` (symmetric), with ``D`` the diagonal of the search ranges,
    so that it does not depend on the parameters' scales. It can have negative eigenvalues
    where a direction's response is all noise.
    """
    d = np.diag(width)
    gs = jac.matrix @ d
    info = gs.T @ weight @ gs - d @ jac.noise(weight) @ d
    return 0.5 * (info + info.T)


def not_identified(info: np.ndarray) -> bool:
    """Whether the noise-corrected information leaves a direction without information."""
    eig = np.linalg.eigvalsh(info)
    return bool(eig.size == 0 or eig.max() <= 0 or eig.min() <= RANK_TOLERANCE**2 * eig.max())


def unidentified_directions(
    info: np.ndarray, names: list[str], noise_share: np.ndarray
) -> tuple[str, list[str]]:
    """Why standard errors cannot be computed, and which parameters are not identified.

    Parameters
    ----------
    info
        Noise-corrected information in search-range units (:func:`information`).
    names
        Parameter paths.
    noise_share
        Share of each diagonal of ``G'WG`` that is simulation noise.

    Returns
    -------
    reason : str
        Empty when the information is positive definite (the errors exist).
    parameters : list of str
        The parameters that load on the directions without information (by loading, largest
        first), or that no moment reacts to beyond the simulation noise.
    """
    if not not_identified(info):
        return "", []
    eig, vec = np.linalg.eigh(info)
    top = max(float(eig.max()), 0.0)
    weak = eig <= RANK_TOLERANCE**2 * top if top > 0 else np.ones_like(eig, dtype=bool)
    loading = np.abs(vec[:, weak]).max(axis=1) if weak.any() else np.zeros(len(names))
    alone = [n for n, d in zip(names, np.diag(info), strict=True) if d <= 0]
    involved = [names[i] for i in np.argsort(-loading) if loading[i] >= 0.3]
    parameters = list(dict.fromkeys([*alone, *involved]))
    parts = []
    if alone:
        shares = ", ".join(
            f"{n} ({noise_share[names.index(n)]:.0%} noise)"
            if np.isfinite(noise_share[names.index(n)])
            else n
            for n in alone
        )
        parts.append(f"no moment reacts to {shares} beyond the simulation noise")
    if involved and involved != alone:
        parts.append(
            f"{int(weak.sum())} direction(s) of parameter space move the weighted moments no "
            "more than the simulation noise does; it combines "
            + ", ".join(involved)
            + " (they trade off: the moments tell only a combination)"
        )
    reason = (
        "standard errors cannot be computed: the information matrix G'WG with the Jacobian's "
        "simulation noise taken out is not positive definite; "
        + "; ".join(parts)
        + ". Add moments that react to them, fix them at known values, or raise "
        "fit.se_replications / fit.jacobian_step"
    )
    return reason, parameters


def sandwich(
    jac: Jacobian, weight: np.ndarray, omega: np.ndarray, width: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and standard errors of the estimates (NaN when not identified).

    The Jacobian's simulation noise is taken out of ``G'WG``. When what is left is not clearly
    positive definite, the moments' response to some direction in parameter space cannot be
    told from noise, and the errors are NaN. The noise is left in ``G'WΩWG``: there it errs
    towards larger errors, and taking it out through a covariance estimated from a few runs
    can leave nothing (a zero standard error).

    Parameters
    ----------
    width
        Search range of each parameter (the rank check works in range units, so it does not
        depend on the parameters' scales).
    """
    d = np.diag(width)
    gs = jac.matrix @ d
    bread = information(jac, weight, width)
    meat = gs.T @ weight @ omega @ weight @ gs
    p = width.size
    if not_identified(bread):
        return np.full((p, p), np.nan), np.full(p, np.nan)
    inv = np.linalg.inv(bread)
    cov = d @ inv @ meat @ inv @ d
    return cov, np.sqrt(np.clip(np.diag(cov), 0.0, None))


def estimate_uncertainty(
    evaluator: Evaluator,
    theta: np.ndarray,
    observed: np.ndarray,
    data_cov: np.ndarray,
    weight: np.ndarray,
    replications: int,
    se_replications: int,
    step: float,
    published: np.ndarray | None = None,
    scale: float = 1.0,
) -> Uncertainty:
    """Sandwich standard errors and the over-identification test at ``theta``.

    Parameters
    ----------
    evaluator
        The search's evaluator; the runs here use its :data:`~calibration.evaluate.UNCERTAINTY`
        seed stream.
    replications
        Replications per candidate in the fit (the simulation noise of the fitted mean).
    se_replications
        Runs at the estimate (run-to-run covariance) and at each Jacobian point.
    step
        Half-width of the Jacobian's differences as a share of each search range.
    published
        Set for the parametric data covariance (:func:`parametric_covariance`): the moments
        with a published standard error. ``None`` keeps ``data_cov`` (the data bootstrap).
    scale
        Simulated labour force / the lab's labour force.
    """
    runs = evaluator.on_stream(UNCERTAINTY)
    jac = central_differences(runs, theta, se_replications, step)
    at_opt = runs.moments([theta], se_replications)[0]
    fitted = mean_moments(evaluator.moments([theta], replications)[0])
    sim_cov = model_covariance(at_opt)
    if published is not None:
        data_cov = parametric_covariance(data_cov, sim_cov, published, scale)
    omega = data_cov + sim_cov / replications
    width = evaluator.space.upper - evaluator.space.lower
    cov, se = sandwich(jac, weight, omega, width)
    total = np.diag(jac.matrix.T @ weight @ jac.matrix)
    with np.errstate(invalid="ignore", divide="ignore"):
        noise_share = np.diag(jac.noise(weight)) / total
    g = observed - fitted
    g = np.where(np.isnan(g), 0.0, g)
    j_stat = float(g @ np.linalg.pinv(omega, hermitian=True) @ g)
    df = len(observed) - theta.size
    pvalue = float(stats.chi2.sf(j_stat, df)) if df > 0 else float("nan")
    return Uncertainty(
        jac.matrix,
        jac.steps,
        cov,
        se,
        omega,
        fitted,
        at_opt,
        j_stat,
        df,
        pvalue,
        data_cov,
        noise_share,
        information(jac, weight, width),
    )


@dataclass
class Identification:
    """Which parameters the moments pin down.

    Attributes
    ----------
    singular_values
        Square roots of the eigenvalues of the estimates' precision in search-range units,
        largest first: the noise-corrected singular values of the standardised Jacobian
        (exactly so under efficient weighting). A direction's 95% interval is 2 × 1.96 over
        its singular value, in shares of the search range.
    rank
        Directions in parameter space the data pin down: singular value above
        :data:`PINNED_SINGULAR_VALUE` and numerically non-zero.
    condition
        Largest over smallest singular value (infinite when one is zero).
    reason
        Why the standard errors could not be computed (empty when they were).
    unidentified
        Parameters not identified (no information left after the noise) or not pinned down
        (95% interval wider than the search range).
    """

    table: pd.DataFrame
    singular_values: np.ndarray
    rank: int
    condition: float
    reason: str = ""
    unidentified: tuple[str, ...] = ()

    def statement(self) -> str:
        """What the terminal and the report say about identification, in one paragraph."""
        n = len(self.table)
        text = f"The data pin down {self.rank} of {n} directions in parameter space."
        if self.reason:
            text += " " + self.reason[0].upper() + self.reason[1:] + "."
        if self.unidentified:
            text += " Not pinned down: " + ", ".join(self.unidentified) + "."
        return text


def bounded_interval(
    estimate: np.ndarray, se: np.ndarray, lower: np.ndarray, upper: np.ndarray, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    """Intervals on the logit scale of each search range, mapped back: always inside it.

    The linearised interval ``estimate ± z·se`` can run past a bound the parameter cannot
    cross. On ``φ = logit((θ − lower) / (upper − lower))`` the same delta-method interval is
    unbounded, so its image lies inside the range and is asymmetric near a bound. An estimate
    on a bound gives the whole range on that side.
    """
    width = upper - lower
    share = np.clip((estimate - lower) / width, 1e-9, 1 - 1e-9)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        phi = np.log(share / (1 - share))
        se_phi = se / (width * share * (1 - share))
        lo = lower + width / (1 + np.exp(-(phi - z * se_phi)))
        hi = lower + width / (1 + np.exp(-(phi + z * se_phi)))
    bad = ~np.isfinite(se)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def precision(info: np.ndarray, covariance: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Eigen-decomposable precision of the estimates in search-range units.

    The inverse of the sandwich covariance when it exists; otherwise (the noise-corrected
    information is not positive definite, and the standard errors are NaN) the information
    with its negative eigenvalues, directions that are all noise, set to zero.
    """
    if np.all(np.isfinite(covariance)) and covariance.size:
        scaled = covariance / np.outer(width, width)
        eig, vec = np.linalg.eigh(0.5 * (scaled + scaled.T))
        if eig.min() > 0:
            return (vec / eig) @ vec.T
    eig, vec = np.linalg.eigh(info)
    return (vec * np.clip(eig, 0.0, None)) @ vec.T


def identification(
    specs: list[MomentSpec],
    names: list[str],
    lower: np.ndarray,
    upper: np.ndarray,
    G: np.ndarray,
    data_cov: np.ndarray,
    se: np.ndarray,
    info: np.ndarray,
    covariance: np.ndarray,
    noise_share: np.ndarray | None = None,
) -> Identification:
    """Identification diagnostics from the noise-corrected information.

    The table has, per parameter: ``sensitivity`` (change of the weighted moments, in
    standard deviations, across the parameter's search range, the simulation noise taken
    out), ``ci_share`` (width of the 95% interval as a share of the search range), the moment
    that reacts most, the loading on the least precise direction, and a verdict: *pinned
    down* (interval under half the range), *weakly* (under the whole range), *not pinned
    down* otherwise.

    Parameters
    ----------
    G
        Jacobian (moments × parameters), for the moment that reacts most.
    info
        Noise-corrected information in search-range units (:func:`information`).
    covariance
        Sandwich covariance of the estimates (NaN when not identified).
    noise_share
        Share of each diagonal of ``G'WG`` that is simulation noise (for the reason given
        when the errors cannot be computed).
    """
    width = upper - lower
    eig, vec = np.linalg.eigh(precision(info, covariance, width))
    order = np.argsort(eig)[::-1]
    s = np.sqrt(np.clip(eig[order], 0.0, None))
    vt = vec[:, order].T
    top = s.max() if s.size else 0.0
    rank = int(((s > RANK_TOLERANCE * top) & (s > PINNED_SINGULAR_VALUE)).sum()) if top > 0 else 0
    condition = float(top / s.min()) if s.size and s.min() > 0 else float("inf")
    sd = np.sqrt(np.diag(data_cov))
    standardised = np.abs(G) * width[None, :] / sd[:, None]
    ci_share = 2 * 1.96 * se / width
    verdict = np.where(
        ci_share < 0.5, "pinned down", np.where(ci_share < 1.0, "weakly", "not pinned down")
    )
    verdict = np.where(np.isnan(ci_share), "not pinned down", verdict)
    table = pd.DataFrame(
        {
            "parameter": names,
            "sensitivity": np.sqrt(np.clip(np.diag(info), 0.0, None)),
            "ci_share_of_range": ci_share,
            "most_responsive_moment": [specs[int(j)].name for j in standardised.argmax(axis=0)],
            "weakest_direction_loading": vt[-1] if vt.size else np.nan,
            "verdict": verdict,
        }
    )
    noise = np.full(len(names), np.nan) if noise_share is None else noise_share
    reason, lost = unidentified_directions(info, names, noise)
    loose = [n for n, v in zip(names, verdict, strict=True) if v == "not pinned down"]
    unidentified = tuple(dict.fromkeys([*lost, *loose]))
    return Identification(table, s, rank, condition, reason, unidentified)
