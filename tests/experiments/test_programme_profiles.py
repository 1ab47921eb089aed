"""The participants' effect profile of every programme type keeps its published shape."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from experiments.comparison.programme_profiles import (
    BINS,
    against_published,
    follows_pattern,
    published_profiles,
    share_ratio,
    type_profile,
)
from scenarios.schema import PublishedProfile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("programme_profiles")]

#: Size of each type's run (persons, months, replications): the smallest at which the shape
#: held on three seeds (1-3). Types whose effect is nearly constant over the years (coaching,
#: guidance, subsidies) need larger runs than those with a clear rise or fall. A type given a
#: profile needs an entry here.
SIZES = {
    "vocational_training": (8000, 60, 3),
    "recruitment_event": (6000, 48, 3),
    "ips": (6000, 48, 3),
    "job_search_coaching": (12000, 60, 6),
    "hiring_subsidy": (12000, 60, 6),
    "individual_guidance": (16000, 72, 6),
}


def test_every_type_with_a_profile_states_its_evidence_and_has_a_shape_test():
    published = published_profiles()
    assert published["vocational_training"].pattern == "rising"
    assert set(published) == set(SIZES)
    for kind, p in published.items():
        assert p.source, kind
        assert p.published is not None, f"{kind}: no published figures, nor a closest one"
        figures = [v for v in p.published.by_bin().values() if v is not None]
        assert figures, kind
        assert p.published.definition and p.published.source and p.published.mapping, kind


@pytest.mark.parametrize("kind", sorted(SIZES))
def test_simulated_profile_has_the_published_shape(kind):
    pattern = published_profiles()[kind].pattern
    persons, months, replications = SIZES[kind]
    profile = type_profile(kind, persons=persons, months=months, replications=replications)
    assert follows_pattern(profile, pattern), profile
    before = profile.set_index("bin").loc["before_start"]
    assert abs(before["estimate"]) < 2.0, profile


def test_shape_test_fails_for_training_that_acts_at_once_and_fades():
    # Without lock-in and with its skill gain halving every two months, training no longer
    # rises (about +3.6, +4.5, +0.8 pp): the test above would catch such a change.
    persons, months, replications = SIZES["vocational_training"]
    settings = {"lock_in": 0.0, "gain_half_life_months": 2.0}
    profile = type_profile(
        "vocational_training",
        persons=persons,
        months=months,
        replications=replications,
        settings=settings,
    )
    assert not follows_pattern(profile, "rising"), profile


def _profile(y1, y2, later):
    return pd.DataFrame({"bin": list(BINS), "estimate": [y1, y2, later]})


def test_pattern_check_tells_the_shapes_apart():
    assert follows_pattern(_profile(-10, 3, 5), "rising")
    assert not follows_pattern(_profile(20, 10, 5), "rising")
    assert follows_pattern(_profile(20, 10, 5), "early")
    assert not follows_pattern(_profile(-10, 3, 5), "early")
    # Constant within CONSTANT_WITHIN is early, not rising; a larger rise is rising.
    assert follows_pattern(_profile(10, 11, 11.5), "early")
    assert not follows_pattern(_profile(10, 11, 11.5), "rising")
    assert follows_pattern(_profile(2, 6, 9), "rising")
    assert not follows_pattern(_profile(2, 6, 9), "early")
    # Rising to a negative effect is not rising; acting at once and then fading is early.
    assert not follows_pattern(_profile(-5, 3, -1), "rising")
    assert follows_pattern(_profile(3.6, 4.5, 0.8), "early")
    with pytest.raises(ValueError, match="allowed"):
        follows_pattern(_profile(1, 2, 3), "flat")


def test_simulated_bins_are_set_beside_the_published_figures():
    published = PublishedProfile(
        year_2=38.0,
        basis="related_measure",
        definition="d",
        source="s",
        mapping="m",
    )
    cmp = against_published(_profile(10.0, 19.0, 4.0), published).set_index("bin")
    assert cmp.loc["year_2", "difference"] == pytest.approx(-19.0)
    assert cmp.loc["year_2", "ratio"] == pytest.approx(0.5)
    assert math.isnan(cmp.loc["year_1", "published"]) and math.isnan(cmp.loc["year_1", "ratio"])
    assert cmp["simulated"].tolist() == [10.0, 19.0, 4.0]


def test_share_ratio_reads_the_bin_shares():
    profile = pd.DataFrame({"bin": ["year_1"], "policy": [40.0], "baseline": [20.0]})
    assert share_ratio(profile, "relative_risk") == pytest.approx(2.0)
    assert share_ratio(profile, "odds_ratio") == pytest.approx((0.4 / 0.6) / (0.2 / 0.8))
    with pytest.raises(ValueError, match="allowed"):
        share_ratio(profile, "hedges_g")
