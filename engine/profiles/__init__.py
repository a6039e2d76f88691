"""Import profiles: read a PSA's own exports (SPEC 4, ``--profile``).

A profile is a declarative YAML file (``schemas/profile.schema.json``) that
says which files hold which PSA entity, and how each canonical activity
column is filled from their fields: renames and nested paths, picklist value
maps, inverted booleans, timezones of naive datetimes, constants, defaults
and lookups across files. The built-ins ``autotask`` and ``connectwise``
ship in this package; ``docs/profiles.md`` is the reference.

Entry points::

    profile, diags = load_profile("autotask")            # or a path
    activity, diags = load_activity(folder, profile=profile)
    report = check_profile(profile, folder)               # tenor profile check
"""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic
from .load import BUILTINS, builtin_path
from .mapping import Profile, Stats, transform
from .load import load_profile_data

__all__ = ["BUILTINS", "Profile", "Stats", "load_profile", "builtin_path", "transform"]


def load_profile(spec: str, *, cwd: Path | None = None
                 ) -> tuple[Profile | None, list[Diagnostic]]:
    """``--profile`` value (``autotask``, ``connectwise`` or a file path) -> Profile.

    Returns None and diagnostics (``file:line:col``) when the profile cannot
    be used; never raises on bad input.
    """
    data, diags = load_profile_data(spec, cwd=cwd)
    return (Profile(data) if data is not None else None), diags
