"""Hardening of the dashboard: a crafted lab value is refused before anything is written, and
messages shown in the page name no server paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hardening_helpers import files

from dashboard.app import _plain, validate
from dashboard.settings import default_settings, load_settings
from scenarios.errors import ScenarioError
from scenarios.files import LAB_DIR

# -- the dashboard's lab value --------------------------------------------------------------


def test_dashboard_refuses_a_crafted_lab_value_before_writing_anything(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    shutil.copy(LAB_DIR / "kokkola.toml", victim / "lab.toml")
    crafted = default_settings().replace(lab=str(victim / "lab.toml"))
    with pytest.raises(ScenarioError) as err:
        load_settings(crafted)
    assert files(victim) == {Path("lab.toml")}
    assert str(tmp_path) not in str(err.value)
    assert "kokkola" in str(err.value)  # the allowed names are listed


def test_dashboard_messages_show_no_server_paths():
    assert _plain("/srv/team/lab files/x.toml:3: bad").endswith("x.toml:3: bad")
    assert _plain("read /srv/team/data/x.toml: bad") == "read x.toml: bad"
    scenario, message = validate(default_settings().replace(package="/etc/passwd"))
    assert scenario is None and "/etc" not in message and "kokkola_engine" in message
