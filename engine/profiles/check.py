"""``tenor profile check``: will this profile read this folder correctly?

Run before billing, by someone setting up a profile for the first time, so
the report says in one screen what to fix: required canonical columns the
profile leaves unmapped, picklist values with no mapping (how many rows, and
one row to look at), records that reference something missing from the
exports, and how many records each file gave. Everything the real load
would report (bad dates, negative hours...) is listed too, because the check
runs the very same load.
"""
from __future__ import annotations

from pathlib import Path

import click

from ..activity import load_activity
from ..activity.columns import SPECS
from ..activity.model import KINDS
from . import load_profile
from .mapping import Profile, Stats

__all__ = ["check_profile", "run_profile_check"]


def check_profile(profile: Profile, folder: Path, display_prefix: str | None = None
                  ) -> tuple[list[str], bool]:
    """(report lines, ok). ``ok`` is False when anything required is missing."""
    stats = Stats()
    activity, diags = load_activity(folder, display_prefix=display_prefix,
                                    profile=profile.with_stats(stats))
    data = profile.data
    lines: list[str] = [f"profile {data.id} ({data.name}); "
                        f"read from {', '.join(data.sources)}", ""]
    ok = True

    lines.append("canonical columns:")
    for kind in KINDS:
        km = data.kinds.get(kind)
        if km is None:
            lines.append(f"  {kind}: not mapped (the profile reads no {kind})")
            continue
        missing = [c.name for c in SPECS[kind].columns if c.required and c.name not in km.fields]
        optional = [c.name for c in SPECS[kind].columns
                    if not c.required and c.name not in km.fields]
        if missing:
            ok = False
            lines.append(f"  {kind}: MISSING required {', '.join(missing)} — add "
                         f"kinds.{kind}.fields.{missing[0]} to the profile")
        else:
            lines.append(f"  {kind}: all required columns mapped (from {km.entity})"
                         + (f"; not mapped, defaults apply: {', '.join(optional)}"
                            if optional else ""))

    lines += ["", "files:"]
    if not stats.files:
        lines.append("  (no files)")
    for (display, role), st in sorted(stats.files.items()):
        if role == "ignored":
            lines.append(f"  {display}: not read (matches no entity of the profile)")
            continue
        if role == "dump":
            lines.append(f"  {display}: picklist labels (entityInformation/fields)")
            continue
        what = f"{st.rows} record{'s' if st.rows != 1 else ''}"
        if role == "lookup":
            lines.append(f"  {display}: {what} indexed for lookups in {st.entity}")
            continue
        extra = "".join(f"; {n} skipped ({reason})" for reason, n in sorted(st.skipped.items()))
        if st.problems:
            extra += f"; {st.problems} with mapping problems"
        lines.append(f"  {display}: {what} -> {role}{extra}")

    if stats.unmapped:
        ok = False
        lines += ["", "picklist values with no mapping (rows are held until mapped):"]
        for (name, value), u in sorted(stats.unmapped.items()):
            label = name.split("#")[0]
            lines.append(f"  {label}: {value!r} in {u.count} row{'s' if u.count != 1 else ''} "
                         f"(column {u.column}; e.g. {u.sample}) — add \"{value}\": <tenor name> "
                         f"under picklists.{label}.values")
    if stats.missing:
        ok = False
        lines += ["", "references to records missing from the exports:"]
        for (entity, key), u in sorted(stats.missing.items()):
            lines.append(f"  {entity} {key!r}: {u.count} row{'s' if u.count != 1 else ''} "
                         f"(column {u.column}; e.g. {u.sample}) — add the {entity} export")

    errors = [d for d in diags if d.is_error]
    if errors:
        ok = False
    shown = [d for d in diags if d.code not in ("profile_unmapped_value",
                                                "profile_lookup_missing")]
    if shown:
        lines += ["", "problems the load reports:"]
        lines += [f"  {d}" for d in shown[:50]]
        if len(shown) > 50:
            lines.append(f"  ... and {len(shown) - 50} more")
    read = ", ".join(f"{k} {n}" for k, n in activity.rows_read.items() if n)
    lines += ["", f"rows read: {read or 'none'}",
              "result: " + ("OK — ready to preview" if ok else
                            "NOT READY — fix the items above, then run the check again")]
    return lines, ok


def run_profile_check(root: str | None, profile: str, activity: str | None) -> int:
    """Exit 0 when the profile reads the folder completely, 1 when not, 2 on usage errors."""
    prof, diags = load_profile(profile, cwd=Path.cwd())
    for d in diags:
        click.echo(str(d), err=True)
    if prof is None:
        click.echo(f"tenor: --profile {profile}: the profile cannot be used (see above)",
                   err=True)
        return 1
    if activity is None:
        from ..validate import resolve_root
        repo_root = resolve_root(root)
        if repo_root is None:
            click.echo("tenor: pass --activity DIR (the folder of exports to check)", err=True)
            return 2
        folder, shown = repo_root / "examples" / "activity", None
    else:
        folder, shown = Path(activity), activity
    lines, ok = check_profile(prof, folder, shown)
    click.echo("\n".join(lines))
    return 0 if ok else 1
