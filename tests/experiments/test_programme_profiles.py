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
    type_profile,
)
from scenarios.schema import PublishedProfile

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("programme_profiles")]

#: Size of each type's run (persons, months): the smallest at which the shape is clear of the
#: replication noise on these seeds. A type given a profile needs an entry here.
SIZES = {
    "vocational_training": (8000, 60),
    "job_search_coaching": (6000, 48),
    "individual_guidance": (6000, 48),
    "recruitment_event": (6000, 48),
    "hiring_subsidy": (6000, 48),
    "ips": (6000, 48),
}
OTHER = {"rising": "early", "early": "rising"}


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
    persons, months = SIZES[kind]
    profile = type_profile(kind, persons=persons, months=months, replications=3)
    assert follows_pattern(profile, pattern), profile
    # The check tells the shapes apart on the profile itself: it fails the other pattern.
    assert not follows_pattern(profile, OTHER[pattern]), profile
    before = profile.set_index("bin").loc["before_start"]
    assert abs(before["estimate"]) < 2.0, profile


def _profile(y1, y2, later):
    return pd.DataFrame({"bin": list(BINS), "estimate": [y1, y2, later]})


def test_pattern_check_tells_the_shapes_apart():
    assert follows_pattern(_profile(-10, 3, 5), "rising")
    assert not follows_pattern(_profile(20, 10, 5), "rising")
    assert follows_pattern(_profile(20, 10, 5), "early")
    assert follows_pattern(_profile(20, 20, 20), "early")
    assert not follows_pattern(_profile(-10, 3, 5), "early")
    # Peaking in the second year is neither early nor (ending negative) rising.
    assert not follows_pattern(_profile(5, 10, 3), "early")
    assert not follows_pattern(_profile(-5, 3, -1), "rising")
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
