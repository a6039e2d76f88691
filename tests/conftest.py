"""Shared test setup: hypothesis profiles and paths."""
from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# CI runs derandomized so a failure is reproducible from the log; a longer
# exploratory run: HYPOTHESIS_PROFILE=nightly python -m pytest
settings.register_profile("ci", derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

REPO = Path(__file__).resolve().parent.parent
