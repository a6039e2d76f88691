"""The vocabulary of the rule language: metric and amount names (SPEC 3).

Kept apart from the checker so that billing code, docs and tests read the same
lists instead of retyping them.
"""
from __future__ import annotations

from typing import Iterable

# Quantity metrics, per contract and billing period.
QUANTITY_METRICS: tuple[str, ...] = (
    "hours", "devices", "users", "tickets", "months",
    "sla.breaches", "sla.response_breaches", "sla.resolution_breaches",
)

# Families written `FAMILY.X`: hours.WORK_TYPE, devices.TYPE, tickets.PRIORITY.
FAMILIES: tuple[str, ...] = ("hours", "devices", "tickets")

# Amounts: the base amounts of the invoice for the contract.  Also the only
# unquoted TARGETs.
AMOUNTS: tuple[str, ...] = ("labor", "overage", "services", "device_fees", "charges", "total")

PRIORITIES: tuple[str, ...] = ("critical", "high", "medium", "low")


class Vocabulary:
    """Which names a contract's rules may read.

    A family with an empty list of members (no work types / device types
    given) accepts any member: the checker cannot know the catalogue then,
    and a metric that never occurs simply reads 0.
    """

    def __init__(self, work_types: Iterable[str] = (), device_types: Iterable[str] = (),
                 priorities: Iterable[str] = PRIORITIES) -> None:
        self.members: dict[str, frozenset[str]] = {
            "hours": frozenset(work_types),
            "devices": frozenset(device_types),
            "tickets": frozenset(priorities),
        }

    def is_known(self, name: str) -> bool:
        if name in QUANTITY_METRICS or name in AMOUNTS:
            return True
        family, dot, member = name.partition(".")
        if not dot or family not in self.members or "." in member:
            return False
        allowed = self.members[family]
        return not allowed or member in allowed

    def suggestions(self) -> list[str]:
        """Every spelled-out name, for did-you-mean hints."""
        names = list(QUANTITY_METRICS) + list(AMOUNTS)
        for family, members in self.members.items():
            names += [f"{family}.{m}" for m in sorted(members)]
        return names
