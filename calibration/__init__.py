"""Calibration of the simulator against living-lab data.

Data (aggregate monitoring indicators, a pseudonymised participant panel, public statistics)
become moments; the model is fitted by the method of simulated moments with a bootstrap
weighting matrix, common random numbers and differential evolution whose evaluations run on
any ``concurrent.futures.Executor``; standard errors come from the MSM sandwich, with
identification diagnostics from the Jacobian. See ``docs/calibration.md``.
"""

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports

if TYPE_CHECKING:  # the names, for readers and type checkers; imported on first use
    from calibration.config import CalibrationConfig, config_from_dict, load_config
    from calibration.errors import CalibrationError, DataError
    from calibration.fit import CalibrationResult, calibrate, prepare
    from calibration.formats import load_aggregate, load_panel, load_public

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CalibrationConfig": "calibration.config",
        "config_from_dict": "calibration.config",
        "load_config": "calibration.config",
        "CalibrationError": "calibration.errors",
        "DataError": "calibration.errors",
        "CalibrationResult": "calibration.fit",
        "calibrate": "calibration.fit",
        "prepare": "calibration.fit",
        "load_aggregate": "calibration.formats",
        "load_panel": "calibration.formats",
        "load_public": "calibration.formats",
    },
)

__all__ = [
    "CalibrationConfig",
    "CalibrationError",
    "CalibrationResult",
    "DataError",
    "calibrate",
    "config_from_dict",
    "load_aggregate",
    "load_config",
    "load_panel",
    "load_public",
    "prepare",
]
