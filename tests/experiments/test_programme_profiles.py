"""The participants' effect profile of contrasting programme types keeps its published shape."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.comparison.programme_profiles import (
    follows_pattern,
    published_profiles,
    type_profile,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("programme_profiles")]


def test_every_jobseeker_type_with_evidence_states_its_profile():
    published = published_profiles()
    assert published["vocational_training"]["pattern"] == "rising"
    assert {"job_search_coaching", "hiring_subsidy", "recruitment_event", "ips"} <= set(published)
    for kind, p in published.items():
        assert p["source"], kind


@pytest.mark.parametrize(
    ("kind", "persons"),
    [("vocational_training", 8000), ("recruitment_event", 6000)],
)
def test_simulated_profile_has_the_published_shape(kind, persons):
    pattern = published_profiles()[kind]["pattern"]
    profile = type_profile(kind, persons=persons, months=60 if pattern == "rising" else 48)
    assert follows_pattern(profile, pattern), profile
    before = profile.set_index("bin").loc["before_start"]
    assert abs(before["estimate"]) < 2.0, profile


def test_pattern_check_tells_the_shapes_apart():
    def profile(y1, y2, later):
        return pd.DataFrame(
            {"bin": ["year_1", "year_2", "after_2_years"], "estimate": [y1, y2, later]}
        )

    assert follows_pattern(profile(-10, 3, 5), "rising")
    assert not follows_pattern(profile(20, 10, 5), "rising")
    assert follows_pattern(profile(20, 10, 5), "early")
    assert not follows_pattern(profile(-10, 3, 5), "early")
    with pytest.raises(ValueError, match="allowed"):
        follows_pattern(profile(1, 2, 3), "flat")
