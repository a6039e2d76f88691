#!/usr/bin/env python3
"""Write the sample MSP's PSA exports to ``examples/activity/`` (Aug-Oct 2026).

Why a generator rather than hand-written CSVs: the sample has to be large
enough to look like a real month (hundreds of time entries) yet hit exact
scenarios (a block that runs out mid-October, a ticket bundle that is used up
on a known ticket, SLA breaches on a known contract). Random filler is drawn
from ``random.Random(2026)``; scenario rows are written out explicitly below.
The output is deterministic: no wall clock, sorted rows, fixed ids.

Run from the repository root::

    python examples/make_activity.py

The contract facts this script needs (rates, rounding, SLA calendars) are
hard-coded here and mirror ``contracts.d/``; change both together.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

RNG = random.Random(2026)
OUT = Path(__file__).resolve().parent / "activity"

UTC = dt.timezone.utc
ET = ZoneInfo("America/New_York")
CT = ZoneInfo("America/Chicago")
MONTHS = [(2026, 8), (2026, 9), (2026, 10)]
WINDOW_END = dt.date(2026, 10, 31)
AS_OF = dt.datetime(2026, 11, 1, 0, 0, tzinfo=ET)    # end of the October preview

# --------------------------------------------------------------------------
# Contract facts (mirror contracts.d/)
# --------------------------------------------------------------------------
CARD = {"technician": Decimal("110.00"), "engineer": Decimal("150.00"),
        "senior_engineer": Decimal("185.00"), "project_manager": Decimal("135.00")}
DEFAULT_RATE = Decimal("150.00")
CARD_MULT = {"remote": Decimal("1.0"), "onsite": Decimal("1.25"),
             "after_hours": Decimal("1.5"), "project": Decimal("1.0"),
             "travel": Decimal("0.5")}


@dataclass(frozen=True)
class Labor:
    """Just enough of a contract's labor block to size prepaid usage."""
    increment: Decimal = Decimal("0")
    mode: str = "up"
    minimum: Decimal = Decimal("0")
    role_rates: tuple[tuple[str, Decimal], ...] = ()
    multipliers: tuple[tuple[str, Decimal], ...] = ()

    def billable_hours(self, hours: Decimal) -> Decimal:
        h = max(hours, self.minimum)
        if self.increment:
            rounding = {"up": ROUND_CEILING, "down": ROUND_FLOOR,
                        "nearest": ROUND_HALF_UP}[self.mode]
            h = (h / self.increment).quantize(Decimal(1), rounding=rounding) * self.increment
        return h

    def multiplier(self, work_type: str) -> Decimal:
        return dict(self.multipliers).get(work_type, CARD_MULT.get(work_type, Decimal(1)))

    def unit_price(self, role: str, work_type: str) -> Decimal:
        rate = dict(self.role_rates).get(role, CARD.get(role, DEFAULT_RATE))
        return (rate * self.multiplier(work_type)).quantize(Decimal("0.01"), ROUND_HALF_UP)


SUMMIT = Labor(Decimal("0.25"), "up", Decimal("0.25"))
PINECREST = Labor(Decimal("0.5"), "up", Decimal("1.0"))
MAPLE = Labor(Decimal("0.25"), "nearest")
CEDAR = Labor(Decimal("0.5"), "up", role_rates=(("technician", Decimal("95.00")),),
              multipliers=(("onsite", Decimal("1.0")),))

# SLA calendars: weekday -> [(start_minute, end_minute)] in local time.
HOLIDAYS = {dt.date(2026, 9, 7)}   # the only 2026 holiday inside the window
SLAS = {
    "gold": (ET, {0: [(480, 1080)], 1: [(480, 1080)], 2: [(480, 1080)], 3: [(480, 1080)],
                  4: [(480, 1080)], 5: [(540, 780)]}),
    "silver": (CT, {d: [(480, 720), (780, 1020)] for d in range(5)}),
    "platinum": (ET, None),   # 24x7
}
TARGETS = {  # minutes: (response, resolution)
    "gold": {"critical": (30, 480), "high": (60, 1440), "medium": (240, 2880), "low": (480, 7200)},
    "silver": {"critical": (60, 480), "high": (120, 960), "medium": (240, 2400), "low": (480, 4800)},
    "platinum": {"critical": (15, 240), "high": (30, 480), "medium": (120, 1440), "low": (240, 4320)},
}
PRIORITY_NUMBER = {"critical": "1", "high": "2", "medium": "3", "low": "4"}

# --------------------------------------------------------------------------
# Staff and customers
# --------------------------------------------------------------------------
STAFF = {
    "technician": ["Dana Whitfield", "Luis Ortega", "Priya Raman", "Tom Becker"],
    "engineer": ["Marcus Chen", "Aisha Bello", "Kevin O'Hara"],
    "senior_engineer": ["Rachel Kim", "Sam Novak"],
    "project_manager": ["Jenna Fox"],
    "security_analyst": ["Omar Haddad"],
}


@dataclass(frozen=True)
class Customer:
    id: str
    contract: str | None          # default contract id written in the contract column
    sla: str | None
    offset: str                   # how this customer's PSA board exports datetimes
    tickets: tuple[int, int, int]  # tickets created in Aug, Sep, Oct
    fill_contract: float = 0.6    # share of rows where the PSA filled the contract column
    domain: str = ""


CUSTOMERS = [
    Customer("harbor-dental", "harbor-dental-managed", "gold", "-04:00", (10, 9, 10), 0.7, "harbordental.com"),
    Customer("northwind-mfg", "northwind-devices", "platinum", "Z", (11, 11, 12), 0.8, "northwindprecision.com"),
    Customer("oakridge-realty", "oakridge-managed", "gold", "-04:00", (6, 6, 6), 0.5, "oakridgerealty.com"),
    Customer("riverside-clinic", "riverside-tm", "silver", "-05:00", (8, 9, 10), 0.9, "riversidefamilyclinic.org"),
    Customer("summit-law", "summit-law-blocks", "silver", "Z", (4, 4, 5), 0.6, "summitlawllp.com"),
    Customer("pinecrest-logistics", "pinecrest-blocks", "platinum", "Z", (3, 3, 4), 0.6, "pinecrestlogistics.com"),
    Customer("maple-birch-cpa", "maple-retainer", "silver", "-05:00", (3, 3, 5), 0.5, "maplebirchcpa.com"),
    Customer("cedar-grove-academy", "cedar-grove-retainer", "silver", "-05:00", (6, 4, 5), 0.5, "cedargrove.org"),
    Customer("bluebird-vet", "bluebird-tickets", "silver", "Z", (11, 12, 13), 0.5, "bluebirdvet.com"),
    Customer("lakeshore-architects", None, None, "-04:00", (3, 3, 4), 0.0, "lakeshorearch.com"),
    Customer("keystone-insurance", "keystone-tm", None, "-04:00", (3, 3, 3), 0.5, "keystoneins.com"),
    Customer("granite-peak-fitness", None, None, "Z", (1, 1, 1), 0.0, "granitepeakfit.com"),
    Customer("fairview-church", None, None, "-04:00", (1, 1, 2), 0.0, "fairviewchurch.org"),
]
BY_ID = {c.id: c for c in CUSTOMERS}

ISSUES = {
    "critical": ["Server down - practice management offline", "Internet outage at main office",
                 "Ransomware alert on workstation", "Firewall failure", "Email not flowing"],
    "high": ["VPN not connecting for remote staff", "Printer fleet offline", "Shared drive unavailable",
             "Phishing email clicked - investigate", "Wi-Fi dropping in back office"],
    "medium": ["New hire onboarding", "Outlook crashing on open", "Scanner to email broken",
               "Laptop running slow", "Teams audio problems", "MFA reset request"],
    "low": ["Add user to distribution list", "Install Adobe Acrobat", "Move mailbox permissions",
            "Update desk phone display name", "Offboard departed employee", "Replace keyboard"],
}
WORK_NOTES = {
    "remote": ["Remote session, troubleshooting", "Remote fix and verification", "Checked logs, applied fix",
               "Called user, walked through fix", "Patched and rebooted remotely"],
    "onsite": ["Onsite visit, hardware swap", "Onsite troubleshooting", "Onsite cabling and testing",
               "Onsite setup of new equipment"],
    "after_hours": ["After-hours maintenance window", "Evening emergency response",
                    "Weekend restore and testing"],
    "travel": ["Travel to site", "Travel to and from site"],
    "project": ["Project work per SOW", "Build and configuration", "Migration tasks"],
}
HOURS = ["0.25", "0.5", "0.5", "0.75", "1", "1", "1", "1.25", "1.5", "1.5", "2", "2.5", "3",
         "0.2", "0.4", "0.7", "1.1", "1.3"]


# --------------------------------------------------------------------------
# Business-time arithmetic (used to place SLA outcomes deliberately)
# --------------------------------------------------------------------------
def open_intervals(sla: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Business-hour intervals of an SLA calendar inside [start, end), in UTC."""
    tz, hours = SLAS[sla]
    if hours is None:
        return [(start, end)] if start < end else []
    out = []
    day = start.astimezone(tz).date() - dt.timedelta(days=1)
    last = end.astimezone(tz).date() + dt.timedelta(days=1)
    while day <= last:
        if day not in HOLIDAYS:
            for a, b in hours.get(day.weekday(), []):
                lo = dt.datetime.combine(day, dt.time(a // 60, a % 60), tz).astimezone(UTC)
                hi = dt.datetime.combine(day, dt.time(b // 60, b % 60), tz).astimezone(UTC)
                lo, hi = max(lo, start), min(hi, end)
                if lo < hi:
                    out.append((lo, hi))
        day += dt.timedelta(days=1)
    return out


Interval = tuple[dt.datetime, dt.datetime]


def subtract(intervals: list[Interval], pauses: list[Interval]) -> list[Interval]:
    """Remove paused time from business-hour intervals."""
    out = []
    for a, b in intervals:
        pieces = [(a, b)]
        for p, q in pauses:
            nxt = []
            for x, y in pieces:
                if q <= x or p >= y:
                    nxt.append((x, y))
                    continue
                if x < p:
                    nxt.append((x, p))
                if q < y:
                    nxt.append((q, y))
            pieces = nxt
        out.extend(pieces)
    return out


def add_business(sla: str, start: dt.datetime, minutes: int, pauses: tuple | list = ()) -> dt.datetime:
    """The instant at which ``minutes`` of running SLA clock have elapsed."""
    horizon = start + dt.timedelta(days=3)
    while True:
        left = dt.timedelta(minutes=minutes)
        for a, b in subtract(open_intervals(sla, start, horizon), list(pauses)):
            if b - a >= left:
                return a + left
            left -= b - a
        horizon += dt.timedelta(days=7)


def elapsed_minutes(sla: str, start: dt.datetime, end: dt.datetime, pauses: tuple | list = ()) -> Decimal:
    total = sum(((b - a) for a, b in subtract(open_intervals(sla, start, end), list(pauses))),
                dt.timedelta())
    return Decimal(int(total.total_seconds())) / 60


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def month_days(year: int, month: int, weekdays_only: bool = True) -> list[dt.date]:
    d = dt.date(year, month, 1)
    out = []
    while d.month == month:
        if not weekdays_only or (d.weekday() < 5 and d not in HOLIDAYS):
            out.append(d)
        d += dt.timedelta(days=1)
    return out


def local(day: dt.date, hh: int, mm: int, tz: dt.tzinfo = ET) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tz).astimezone(UTC)


def stamp(t: dt.datetime | None, offset: str) -> str:
    """Write a datetime the way this customer's export does (Z, -04:00 or -05:00)."""
    if t is None:
        return ""
    if offset == "Z":
        return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return t.astimezone(ET if offset == "-04:00" else CT).isoformat(timespec="seconds")


def qty(d: Decimal) -> str:
    """Hours as a PSA writes them: ``1.5``, ``0.25``, ``2`` (no trailing zeros)."""
    return format(d.normalize(), "f")


def pick_role(weights: tuple[tuple[str, int], ...] = (("technician", 55), ("engineer", 30), ("senior_engineer", 12),
                       ("project_manager", 3))) -> str:
    roles, w = zip(*weights)
    return RNG.choices(roles, w)[0]


def pick_work_type(weights: tuple[tuple[str, int], ...] = (("remote", 74), ("onsite", 16), ("after_hours", 10))) -> str:
    kinds, w = zip(*weights)
    return RNG.choices(kinds, w)[0]


def ticket_sla(cust: Customer, created: dt.datetime) -> str | None:
    if cust.id == "lakeshore-architects":   # managed (silver) from 2026-10-15, T&M before
        return "silver" if created.astimezone(ET).date() >= dt.date(2026, 10, 15) else None
    return cust.sla


# --------------------------------------------------------------------------
# Tickets
# --------------------------------------------------------------------------
@dataclass
class Ticket:
    id: str
    customer: str
    contract: str
    priority: str
    created: dt.datetime
    first_response: dt.datetime | None
    resolved: dt.datetime | None
    sla_column: str
    title: str
    pauses: list[tuple[dt.datetime, dt.datetime | None, str]] = field(default_factory=list)
    numeric_priority: bool = False


def build_ticket(cust: Customer, created: dt.datetime, priority: str, outcome: str = "met",
                 *, contract: str = "", sla_column: str = "", title: str = "",
                 pause: str | None = None, unresolved: bool = False,
                 no_response: bool = False) -> Ticket:
    """Place response/resolution times so the ticket has the intended SLA outcome.

    outcome: met | response_breach | resolution_breach | both_breach.
    """
    sla = sla_column or ticket_sla(cust, created)
    resp_t, res_t = TARGETS[sla][priority] if sla else (120, 1440)

    def later(minutes: float, pauses: list | tuple = ()) -> dt.datetime:
        minutes = max(1, int(minutes))
        if sla:
            return add_business(sla, created, minutes, pauses)
        return created + dt.timedelta(minutes=minutes)

    resp_frac = RNG.uniform(1.3, 2.2) if outcome in ("response_breach", "both_breach") else RNG.uniform(0.1, 0.6)
    res_frac = RNG.uniform(1.15, 1.8) if outcome in ("resolution_breach", "both_breach") else RNG.uniform(0.15, 0.65)
    first = None if no_response else later(resp_t * resp_frac)
    pauses: list[tuple[dt.datetime, dt.datetime | None, str]] = []
    resolved = later(res_t * res_frac)
    if pause and first is not None:
        p0 = first + dt.timedelta(minutes=RNG.randint(20, 180))
        p1 = p0 + dt.timedelta(hours=RNG.randint(3, 30))
        resolved = later(res_t * res_frac, [(p0, p1)])
        if p1 < resolved:
            pauses = [(p0, p1, pause)]
        else:
            resolved = later(res_t * res_frac)
    if unresolved:
        resolved = None
    return Ticket("", cust.id, contract, priority, created, first, resolved, sla_column,
                  title or RNG.choice(ISSUES[priority]), pauses)


def random_created(cust: Customer, day: dt.date) -> dt.datetime:
    if cust.sla == "platinum" and RNG.random() < 0.25:      # night-shift calls
        return local(day, RNG.choice([0, 1, 2, 3, 4, 5, 19, 20, 21, 22, 23]), RNG.randrange(0, 60, 5))
    tz = CT if cust.offset == "-05:00" or cust.sla == "silver" else ET
    return local(day, RNG.randint(8, 15), RNG.randrange(0, 60, 5), tz)


def random_priority() -> str:
    return RNG.choices(["critical", "high", "medium", "low"], [6, 20, 46, 28])[0]


def make_tickets() -> list[Ticket]:
    tickets: list[Ticket] = []
    for cust in CUSTOMERS:
        for (year, month), count in zip(MONTHS, cust.tickets):
            days = month_days(year, month)
            if (cust.id, month) == ("bluebird-vet", 10):
                # spread evenly so the bundle visibly runs out in mid-October
                days_used = [days[int(i * len(days) / count)] for i in range(count)]
            elif (cust.id, month) == ("maple-birch-cpa", 10):
                days_used = sorted(RNG.choice(days[:-2]) for _ in range(count - 1))
            else:
                days_used = sorted(RNG.choice(days[:-1] if month == 10 else days) for _ in range(count))
            for day in days_used:
                prio = random_priority()
                if cust.id == "riverside-clinic":
                    # September is the bad month: 4 critical tickets (labor-volume surcharge)
                    prio = "critical" if month == 9 and len([t for t in tickets if t.customer == cust.id
                                                              and t.created.month == 9]) < 4 else \
                        RNG.choice(["high", "medium", "medium", "low"])
                if cust.id in ("harbor-dental", "northwind-mfg") or (cust.id, month) == ("riverside-clinic", 9):
                    outcome = "met"               # breaches on these are placed explicitly below
                else:
                    outcome = RNG.choices(["met", "response_breach", "resolution_breach"], [92, 4, 4])[0]
                pause = RNG.choices([None, "waiting_customer", "on_hold"], [68, 24, 8])[0]
                contract = cust.contract if cust.contract and RNG.random() < cust.fill_contract else ""
                if cust.id == "riverside-clinic" and month == 9 and prio == "critical":
                    created = local(day, RNG.randint(9, 11), RNG.randrange(0, 60, 5), CT)
                else:
                    created = random_created(cust, day)
                tickets.append(build_ticket(cust, created, prio, outcome,
                                            contract=contract, pause=pause))
    tickets += scenario_tickets()
    # tickets still open when the October export was taken
    for t in tickets:
        if t.resolved is not None and t.resolved > AS_OF:
            t.resolved = None
        t.pauses = [(a, b if b is None or b <= AS_OF else None, s) for a, b, s in t.pauses if a <= AS_OF]
        if t.first_response is not None and t.first_response > AS_OF:
            t.first_response = None
            t.pauses = []
    return number_tickets(tickets)


RESERVED = {"T-24817"}


def scenario_tickets() -> list[Ticket]:
    """Tickets that exist to show a feature; see examples/README.md."""
    c = BY_ID
    s: list[Ticket] = []
    # Riverside EHR upgrade: priced by the ticket-specific rate in riverside-tm
    ehr = build_ticket(c["riverside-clinic"], local(dt.date(2026, 10, 5), 9, 0, CT), "low",
                       contract="riverside-tm", title="EHR upgrade to v22 (quoted project)")
    ehr.id = "T-24817"
    ehr.pauses = []
    ehr.resolved = local(dt.date(2026, 10, 16), 15, 30, CT)   # 77.5 of 80 business hours: met
    s.append(ehr)
    # Harbor: exactly two breached targets in October -> SLA credit 10% of services
    h = c["harbor-dental"]
    s.append(build_ticket(h, local(dt.date(2026, 10, 7), 10, 10), "critical", "response_breach",
                          contract="harbor-dental-managed", title="Imaging server unreachable"))
    s.append(build_ticket(h, local(dt.date(2026, 10, 20), 9, 40), "high", "resolution_breach",
                          title="Front desk scanners not saving to chart"))
    # Harbor: one breach in August
    s.append(build_ticket(h, local(dt.date(2026, 8, 18), 14, 0), "high", "resolution_breach",
                          title="Phones dropping calls at Bayview office"))
    # Harbor relocation project tickets (no SLA: fixed-price project)
    for day, title in [(dt.date(2026, 8, 3), "Main St relocation - planning and site survey"),
                       (dt.date(2026, 9, 8), "Main St relocation - network and server cutover"),
                       (dt.date(2026, 10, 5), "Main St relocation - punch list and close-out")]:
        s.append(build_ticket(h, local(day, 9, 0), "low", contract="harbor-dental-relocation",
                              title=title))
    # Northwind (platinum): one missed resolution in October (uptime credit), one late response in Sept
    n = c["northwind-mfg"]
    s.append(build_ticket(n, local(dt.date(2026, 10, 13), 2, 15), "critical", "resolution_breach",
                          title="CNC line 3 controller PC offline (night shift)"))
    s.append(build_ticket(n, local(dt.date(2026, 9, 19), 22, 40), "high", "response_breach",
                          title="Shipping label printers offline"))
    # Oakridge (gold): critical opened Friday Oct 30, still open at month end -> resolution breached
    s.append(build_ticket(c["oakridge-realty"], local(dt.date(2026, 10, 30), 10, 0), "critical",
                          title="Listing system database corrupted", unresolved=True))
    # Summit (silver): medium opened Mon Oct 26 12:00 CT, open -> at risk (36 of 40 business hours)
    summit = build_ticket(c["summit-law"], local(dt.date(2026, 10, 26), 12, 0, CT), "medium",
                          title="Document management search index stale", unresolved=True)
    summit.first_response = local(dt.date(2026, 10, 26), 13, 20, CT)
    s.append(summit)
    # Maple: low ticket with no response yet (opened late Friday) -> open
    s.append(build_ticket(c["maple-birch-cpa"], local(dt.date(2026, 10, 30), 16, 30, CT), "low",
                          title="Request: second monitor for new associate",
                          unresolved=True, no_response=True))
    # Maple: waiting on the customer over month end (paused, open)
    wait = build_ticket(c["maple-birch-cpa"], local(dt.date(2026, 10, 29), 9, 0, CT), "medium",
                        title="Tax software license renewal", unresolved=True)
    wait.pauses = [(local(dt.date(2026, 10, 29), 11, 0, CT), None, "waiting_customer")]
    s.append(wait)
    # Keystone: a ticket with an explicit SLA column (one-off gold handling agreed by email)
    s.append(build_ticket(c["keystone-insurance"], local(dt.date(2026, 10, 14), 8, 30), "high",
                          sla_column="gold", title="Suspicious login on agency management system"))
    # Granite: ticket logged against the cancelled contract
    s.append(build_ticket(c["granite-peak-fitness"], local(dt.date(2026, 10, 19), 11, 0), "medium",
                          title="Front desk check-in kiosk frozen"))
    return s


def number_tickets(tickets: list[Ticket]) -> list[Ticket]:
    tickets.sort(key=lambda t: (t.created, t.customer, t.title))
    n = 24001
    for t in tickets:
        if t.id:
            continue
        while f"T-{n}" in RESERVED:
            n += 1
        t.id = f"T-{n}"
        n += 1
    # a few boards export priority as 1-4 instead of names
    for t in tickets:
        if t.customer in ("pinecrest-logistics", "fairview-church"):
            t.numeric_priority = True
    return sorted(tickets, key=lambda t: t.id)


# --------------------------------------------------------------------------
# Time entries
# --------------------------------------------------------------------------
@dataclass
class Entry:
    date: dt.date
    customer: str
    contract: str
    ticket: str
    resource: str
    role: str
    work_type: str
    hours: Decimal
    billable: bool = True
    approved: bool = True
    description: str = ""


def entry(day: dt.date, cust: str, role: str, work_type: str, hours: str, *, contract: str = "",
          ticket: str = "", billable: bool = True, approved: bool = True, description: str = "") -> Entry:
    return Entry(day, cust, contract, ticket, RNG.choice(STAFF[role]), role, work_type,
                 Decimal(hours), billable, approved,
                 description or RNG.choice(WORK_NOTES[work_type]))


def ticket_entries(tickets: list[Ticket], prepaid: set[str]) -> list[Entry]:
    """Work logged on tickets, for customers whose labor is not budget-driven."""
    out: list[Entry] = []
    for t in tickets:
        cust = BY_ID[t.customer]
        if t.customer in prepaid or t.id == "T-24817" or "relocation" in t.title:
            continue
        start = t.created.astimezone(ET).date()
        end = min((t.resolved or AS_OF).astimezone(ET).date(), WINDOW_END, start + dt.timedelta(days=6))
        n = RNG.choices([1, 2, 3, 4], [30, 35, 22, 13])[0]
        if t.priority == "critical":
            n += 1
        for _ in range(n):
            day = start + dt.timedelta(days=RNG.randint(0, (end - start).days))
            role = pick_role()
            wt = pick_work_type()
            if t.customer == "keystone-insurance" and RNG.random() < 0.25:
                role = "security_analyst"
            contract = t.contract or (cust.contract if cust.contract and RNG.random() < cust.fill_contract else "")
            out.append(entry(day, t.customer, role, wt, RNG.choice(HOURS), contract=contract,
                             ticket=t.id, description=f"{t.title}: {RNG.choice(WORK_NOTES[wt]).lower()}"))
            if wt == "onsite" and RNG.random() < 0.6:
                out.append(entry(day, t.customer, role, "travel", RNG.choice(["0.5", "0.75", "1"]),
                                 contract=contract, ticket=t.id))
    return out


def budget_entries(cust_id: str, labor: Labor, windows: list[tuple[dt.date, dt.date, Decimal]],
                   tickets: list[Ticket], money: bool = False) -> list[Entry]:
    """Random entries whose drawn hours (or T&M value) add up to about each budget.

    Prepaid scenarios (alert, exhaustion, rollover, overage) depend on these totals.
    """
    cust = BY_ID[cust_id]
    out: list[Entry] = []
    for lo, hi, budget in windows:
        days = [d for d in month_days(lo.year, lo.month) if lo <= d <= hi]
        used = Decimal(0)
        misses = 0
        while misses < 40:
            role = pick_role((("technician", 60), ("engineer", 30), ("senior_engineer", 10)))
            wt = pick_work_type()
            hours = Decimal(RNG.choice(HOURS))
            draw = labor.billable_hours(hours)
            draw = draw * labor.unit_price(role, wt) if money else draw * labor.multiplier(wt)
            if used + draw > budget:
                misses += 1
                continue
            used += draw
            day = RNG.choice(days)
            open_t = [t for t in tickets if t.customer == cust_id
                      and t.created.astimezone(ET).date() <= day
                      and (t.resolved is None or t.resolved.astimezone(ET).date() >= day)]
            t = RNG.choice(open_t) if open_t and RNG.random() < 0.8 else None
            contract = cust.contract if RNG.random() < cust.fill_contract else ""
            desc = f"{t.title}: {RNG.choice(WORK_NOTES[wt]).lower()}" if t else \
                RNG.choice(["Monthly patch review", "Backup job check and fixes", "User account maintenance",
                            "Firewall firmware update", "Quarterly business review prep"])
            out.append(entry(day, cust_id, role, wt, qty(hours), contract=contract,
                             ticket=t.id if t else "", description=desc))
    return out


def scenario_entries(tickets: list[Ticket]) -> list[Entry]:
    """Time entries that each demonstrate one billing rule (see examples/README.md)."""
    e: list[Entry] = []
    D = dt.date
    by_title = {t.title: t.id for t in tickets}
    # Harbor relocation: fixed-price project hours (covered), after-hours cutover (excluded -> billed)
    reloc = [by_title["Main St relocation - planning and site survey"],
             by_title["Main St relocation - network and server cutover"],
             by_title["Main St relocation - punch list and close-out"]]
    plan = [(8, reloc[0], 36), (9, reloc[1], 38), (10, reloc[2], 24)]
    for month, tid, total in plan:
        days = month_days(2026, month)
        left = Decimal(total)
        while left > 0:
            h = min(left, Decimal(RNG.choice(["2", "3", "4", "4", "6", "8"])))
            role = RNG.choice(["engineer", "engineer", "senior_engineer", "project_manager"])
            e.append(entry(RNG.choice(days), "harbor-dental", role, "project", qty(h),
                           contract="harbor-dental-relocation", ticket=tid,
                           description="Main St relocation: " + RNG.choice(
                               ["rack and cable new server room", "configure switches and VLANs",
                                "project status meeting", "migrate file server", "label and test drops"])))
            left -= h
    for day, role, h in [(D(2026, 9, 12), "senior_engineer", "6"), (D(2026, 9, 12), "engineer", "6"),
                         (D(2026, 9, 13), "engineer", "3.5"), (D(2026, 10, 17), "senior_engineer", "2")]:
        e.append(entry(day, "harbor-dental", role, "after_hours", h, contract="harbor-dental-relocation",
                       ticket=reloc[1] if day.month == 9 else reloc[2],
                       description="Main St relocation: weekend cutover (billed outside the fixed price)"))
    # Harbor managed: project work is excluded from the recurring fee -> billed as labor
    for day, role, h in [(D(2026, 8, 20), "engineer", "3"), (D(2026, 10, 8), "senior_engineer", "2.5"),
                         (D(2026, 10, 9), "engineer", "4"), (D(2026, 10, 21), "engineer", "1.3")]:
        e.append(entry(day, "harbor-dental", role, "project", h,
                       description="New intraoral X-ray sensor workstation build (project, billable)"))
    # Riverside: EHR upgrade ticket at its quoted rate
    for day, role, wt, h in [(D(2026, 10, 5), "engineer", "remote", "3"), (D(2026, 10, 6), "engineer", "onsite", "5"),
                             (D(2026, 10, 7), "senior_engineer", "remote", "2.5"),
                             (D(2026, 10, 10), "engineer", "after_hours", "4"),
                             (D(2026, 10, 15), "technician", "onsite", "3.5")]:
        e.append(entry(day, "riverside-clinic", role, wt, h, contract="riverside-tm", ticket="T-24817",
                       description="EHR upgrade to v22 (quoted project)"))
    # Riverside: travel by a role without its own rate -> the flat work_type rate (55.00, no multiplier)
    e.append(entry(D(2026, 10, 14), "riverside-clinic", "project_manager", "travel", "1", contract="riverside-tm",
                   description="Travel to clinic for EHR go-live planning"))
    # Riverside: entries the practice manager has not approved yet -> held pending_approval
    rv = [t for t in tickets if t.customer == "riverside-clinic"]
    for day, role, wt, h in [(D(2026, 9, 29), "technician", "remote", "1"),
                             (D(2026, 10, 28), "engineer", "onsite", "2"),
                             (D(2026, 10, 29), "technician", "remote", "0.75"),
                             (D(2026, 10, 30), "technician", "after_hours", "1.5")]:
        t = [x for x in rv if x.created.astimezone(ET).date() <= day][-1]
        e.append(entry(day, "riverside-clinic", role, wt, h, contract="riverside-tm", ticket=t.id,
                       approved=False, description=f"{t.title}: awaiting practice manager approval"))
    # Summit: time logged against a contract id that does not exist (old ConnectWise agreement)
    e.append(entry(D(2026, 10, 7), "summit-law", "engineer", "remote", "1.5", contract="summit-law-retainer",
                   description="Outlook profile rebuild (logged against the retired ConnectWise agreement)"))
    # Summit: travel is excluded from the block -> billed at card rate
    for day in (D(2026, 8, 24), D(2026, 10, 22)):
        e.append(entry(day, "summit-law", "technician", "travel", "1", contract="summit-law-blocks",
                       description="Travel to Summit Law downtown office"))
    # Granite: time logged against the cancelled contract -> held contract_not_in_effect
    gr = [t for t in tickets if t.title == "Front desk check-in kiosk frozen"][0]
    for day, role, h in [(D(2026, 10, 19), "technician", "1"), (D(2026, 10, 20), "technician", "0.5"),
                         (D(2026, 10, 20), "engineer", "1.25")]:
        e.append(entry(day, "granite-peak-fitness", role, "remote", h, contract="granite-fitness-managed",
                       ticket=gr.id, description=f"{gr.title}: remote troubleshooting"))
    # Lakeshore: onboarding time logged against the managed contract before it starts -> held
    e.append(entry(D(2026, 10, 9), "lakeshore-architects", "project_manager", "remote", "2",
                   contract="lakeshore-managed", description="Onboarding kickoff call (before contract start)"))
    # Lakeshore: onboarding project after the start is excluded from the managed fee -> billed
    for day, role, wt, h in [(D(2026, 10, 15), "engineer", "onsite", "3"),
                             (D(2026, 10, 15), "engineer", "travel", "0.75"),
                             (D(2026, 10, 16), "engineer", "project", "4"),
                             (D(2026, 10, 22), "senior_engineer", "project", "4")]:
        e.append(entry(day, "lakeshore-architects", role, wt, h,
                       description="Onboarding: RMM agent rollout and documentation"))
    # Keystone: work under the annual security package (covered)
    e.append(entry(D(2026, 10, 2), "keystone-insurance", "security_analyst", "remote", "2",
                   contract="keystone-security", description="Quarterly vulnerability scan review"))
    # Fairview (no contract at all): T&M at the standard rate card
    for day, role, wt, h in [(D(2026, 10, 10), "technician", "onsite", "2"),
                             (D(2026, 10, 11), "technician", "after_hours", "1.5")]:
        e.append(entry(day, "fairview-church", role, wt, h,
                       description="Livestream PC and sound booth setup for Sunday service"))
    return e


def non_billable(tickets: list[Ticket]) -> list[Entry]:
    """Rework and goodwill time: recorded for utilisation, never invoiced."""
    out = []
    pool = [t for t in tickets if t.created.astimezone(ET).date() <= WINDOW_END]
    for t in RNG.sample(pool, 26):
        day = min(t.created.astimezone(ET).date() + dt.timedelta(days=RNG.randint(0, 2)), WINDOW_END)
        out.append(entry(day, t.customer, pick_role(), "remote", RNG.choice(["0.25", "0.5", "1"]),
                         contract=t.contract, ticket=t.id, billable=False,
                         description=RNG.choice(["Rework - our mistake, no charge", "Goodwill: follow-up call",
                                                 "Internal documentation update"])))
    return out


def make_entries(tickets: list[Ticket]) -> list[Entry]:
    D = dt.date
    prepaid = {"summit-law", "pinecrest-logistics", "maple-birch-cpa", "cedar-grove-academy"}
    entries = ticket_entries(tickets, prepaid)
    H = Decimal
    # Summit: 8 h opening + 20 h (Aug 3) + 20 h (Oct 1); ~38 h used -> alert, never exhausted
    entries += budget_entries("summit-law", SUMMIT, [(D(2026, 8, 3), D(2026, 8, 31), H("12")),
                                                     (D(2026, 9, 1), D(2026, 9, 30), H("11")),
                                                     (D(2026, 10, 1), D(2026, 10, 31), H("15"))], tickets)
    # Pinecrest: promo block (20 h, expires Oct 15) nearly used, 15 h block exhausted late October
    entries += budget_entries("pinecrest-logistics", PINECREST,
                              [(D(2026, 8, 1), D(2026, 8, 31), H("7")), (D(2026, 9, 1), D(2026, 9, 30), H("8")),
                               (D(2026, 10, 1), D(2026, 10, 14), H("4")),
                               (D(2026, 10, 16), D(2026, 10, 31), H("18.5"))], tickets)
    # Maple: 10 h a month, rollover capped at 5
    entries += budget_entries("maple-birch-cpa", MAPLE, [(D(2026, 8, 1), D(2026, 8, 31), H("8")),
                                                         (D(2026, 9, 1), D(2026, 9, 30), H("11")),
                                                         (D(2026, 10, 1), D(2026, 10, 31), H("17"))], tickets)
    # Cedar Grove: $2,500 a month at T&M value
    entries += budget_entries("cedar-grove-academy", CEDAR, [(D(2026, 8, 1), D(2026, 8, 31), H("2750")),
                                                             (D(2026, 9, 1), D(2026, 9, 30), H("1900")),
                                                             (D(2026, 10, 1), D(2026, 10, 31), H("2700"))],
                              tickets, money=True)
    # Prepaid customers' tickets still get a first touch logged against them
    entries += scenario_entries(tickets)
    entries += non_billable(tickets)
    return entries


# --------------------------------------------------------------------------
# Devices, users, charges
# --------------------------------------------------------------------------
DEVICE_PLAN = {   # customer: prefix, {type: count active on 2026-10-31}
    "harbor-dental": ("HDP", {"workstation": 28, "server": 2, "network": 3}),
    "northwind-mfg": ("NWP", {"workstation": 34, "server": 3, "network": 5, "mobile": 8}),
    "oakridge-realty": ("ORG", {"workstation": 18, "server": 1, "network": 2, "mobile": 3}),
    "lakeshore-architects": ("LSA", {"workstation": 12, "server": 1, "network": 2}),
    "cedar-grove-academy": ("CGA", {"workstation": 8, "server": 1, "network": 2, "mobile": 30}),
}
TYPE_CODE = {"workstation": "WS", "server": "SRV", "network": "NET", "mobile": "MOB"}


def make_devices() -> list[dict]:
    rows = []
    for cust, (prefix, plan) in DEVICE_PLAN.items():
        for kind, count in plan.items():
            for i in range(1, count + 1):
                added = f"{RNG.randint(2023, 2025)}-{RNG.randint(1, 12):02d}-{RNG.randint(1, 28):02d}" \
                    if RNG.random() < 0.7 else ""
                rows.append({"id": f"{prefix}-{TYPE_CODE[kind]}-{i:03d}", "customer": cust, "type": kind,
                             "active": "true", "added": added, "removed": ""})
    extra = [
        # added inside October (counted on 2026-10-31)
        ("HDP-WS-029", "harbor-dental", "workstation", "true", "2026-10-22", ""),
        ("NWP-WS-035", "northwind-mfg", "workstation", "true", "2026-10-06", ""),
        ("NWP-WS-036", "northwind-mfg", "workstation", "true", "2026-10-20", ""),
        ("LSA-WS-013", "lakeshore-architects", "workstation", "true", "2026-10-19", ""),
        # added after the window (not counted in October)
        ("NWP-WS-037", "northwind-mfg", "workstation", "true", "2026-11-02", ""),
        # removed inside the window (not counted after removal)
        ("NWP-WS-090", "northwind-mfg", "workstation", "true", "2024-03-11", "2026-10-12"),
        ("HDP-WS-090", "harbor-dental", "workstation", "true", "2023-06-01", "2026-09-04"),
        ("ORG-MOB-090", "oakridge-realty", "mobile", "true", "2025-02-14", "2026-08-21"),
        # removed exactly on the last day of October: not active on 2026-10-31
        ("NWP-SRV-090", "northwind-mfg", "server", "true", "2022-09-01", "2026-10-31"),
        # retired in the RMM but never given a removal date
        ("CGA-WS-090", "cedar-grove-academy", "workstation", "false", "2021-08-15", ""),
    ]
    for r in extra:
        rows.append(dict(zip(["id", "customer", "type", "active", "added", "removed"], r)))
    return sorted(rows, key=lambda r: r["id"])


# regular users per customer (northwind: 43 + 2 October hires = 45 on 2026-10-31)
USER_PLAN = {"harbor-dental": 32, "northwind-mfg": 43, "oakridge-realty": 24, "lakeshore-architects": 20,
             "keystone-insurance": 12, "riverside-clinic": 28, "summit-law": 18, "cedar-grove-academy": 24}
FIRST = ["james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth",
         "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "carlos", "karen",
         "daniel", "nancy", "matthew", "lisa", "anthony", "betty", "mark", "sandra", "wei", "ashley",
         "andrew", "kimberly", "joshua", "emily", "kevin", "donna", "brian", "michelle", "george", "carol",
         "omar", "amanda", "edward", "melissa", "ronald", "deborah", "jamal", "stephanie", "ryan", "rebecca"]
LAST = ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson",
        "walker", "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores"]


def make_users() -> list[dict]:
    rows = []
    for cust, count in USER_PLAN.items():
        domain = BY_ID[cust].domain
        seen: set[str] = set()
        while len(seen) < count + 2:
            seen.add(f"{RNG.choice(FIRST)[0]}{RNG.choice(LAST)}")
        names = sorted(seen)
        RNG.shuffle(names)
        for i, name in enumerate(names):
            added = f"{RNG.randint(2022, 2026 if i > 3 else 2025)}-{RNG.randint(1, 7):02d}-{RNG.randint(1, 28):02d}"
            row = {"id": f"{name}@{domain}", "customer": cust, "active": "true", "added": added, "removed": ""}
            if i == count:          # left the company inside the window
                row["removed"] = "2026-09-18" if cust != "northwind-mfg" else "2026-10-31"
            elif i == count + 1:    # shared mailbox flagged inactive
                row["id"] = f"frontdesk@{domain}"
                row["active"] = "false"
            rows.append(row)
    for cust, name, added in [("northwind-mfg", "tpham", "2026-10-05"), ("northwind-mfg", "lnovak", "2026-10-26"),
                              ("lakeshore-architects", "rbaptiste", "2026-10-19"),
                              ("lakeshore-architects", "kimura", "2026-10-19")]:
        rows.append({"id": f"{name}@{BY_ID[cust].domain}", "customer": cust, "active": "true",
                     "added": added, "removed": ""})
    return sorted(rows, key=lambda r: (r["customer"], r["id"]))


def make_charges(tickets: list[Ticket]) -> list[dict]:
    rows: list[tuple] = []
    monthly = [  # (customer, contract, sku, quantity, unit_price, description)
        ("harbor-dental", "", "M365-BP", "32", "", "Microsoft 365 Business Premium - monthly"),
        ("northwind-mfg", "northwind-devices", "M365-BP", "45", "", "Microsoft 365 Business Premium - monthly"),
        ("oakridge-realty", "", "M365-BS", "24", "", "Microsoft 365 Business Standard - monthly"),
        ("riverside-clinic", "riverside-tm", "M365-BP", "28", "21.00", "Microsoft 365 Business Premium (distributor promo)"),
        ("summit-law", "", "M365-BS", "18", "", "Microsoft 365 Business Standard - monthly"),
        ("keystone-insurance", "", "M365-BP", "12", "", "Microsoft 365 Business Premium - monthly"),
        ("lakeshore-architects", "", "M365-BS", "20", "", "Microsoft 365 Business Standard - monthly"),
        ("fairview-church", "", "EXO-P1", "6", "", "Exchange Online Plan 1 - monthly"),
        ("pinecrest-logistics", "", "BKP-TB", "2", "", "Cloud backup storage - monthly"),
    ]
    for _, month in MONTHS:
        day = dt.date(2026, month, 1)
        for cust, contract, sku, q, price, desc in monthly:
            rows.append((day, cust, contract, "", sku, q, price, desc))
        rows.append((day, "harbor-dental", "", "", "EDR-S1", "31", "", "SentinelOne EDR - monthly"))
        rows.append((day, "northwind-mfg", "", "", "BKP-SRV", "3", "", "Server image backup - monthly"))
    D = dt.date
    by_title = {t.title: t.id for t in tickets}
    reloc = by_title["Main St relocation - network and server cutover"]
    one_off = [
        # Harbor: EDR price override changes on 2026-10-15 (6.00 before, 5.75 from then)
        (D(2026, 10, 22), "harbor-dental", "", "", "EDR-S1", "2", "", "SentinelOne EDR - 2 new workstations"),
        # Harbor: hardware gets the 8% category discount (override beats the quoted unit price)
        (D(2026, 10, 22), "harbor-dental", "", "", "HW-LAT5450", "2", "1349.00", "Laptops for new hygienists"),
        (D(2026, 10, 22), "harbor-dental", "", "", "LAB-IMAGE", "2", "", "Image and set up new laptops"),
        # Harbor relocation: project hardware on the fixed-price contract (no overrides there)
        (D(2026, 8, 17), "harbor-dental", "harbor-dental-relocation", reloc, "HW-FG60F", "1", "", "Firewall for Main St"),
        (D(2026, 8, 17), "harbor-dental", "harbor-dental-relocation", reloc, "HW-UPS1500", "2", "869.00", "UPS for new server room (quoted)"),
        (D(2026, 9, 10), "harbor-dental", "harbor-dental-relocation", reloc, "HW-P2425H", "6", "", "Monitors for operatories"),
        # Northwind buys hardware direct: blocklisted category -> held, reported as an error
        (D(2026, 10, 8), "northwind-mfg", "", "", "HW-P2425H", "4", "", "Monitors for shipping stations"),
        (D(2026, 9, 14), "northwind-mfg", "", "", "LAB-TRIP", "1", "", "Weekend trip charge - line 3 outage"),
        # Cedar Grove: rush fees are blocklisted for the school -> held
        (D(2026, 10, 14), "cedar-grove-academy", "", "", "LAB-RUSH", "1", "", "Same-day rush: testing lab laptops"),
        (D(2026, 8, 18), "cedar-grove-academy", "", "", "LAB-IMAGE", "12", "110.00", "Summer Chromebook cart re-image (school rate)"),
        # Oakridge: hardware at catalog price (no unit price, no override)
        (D(2026, 9, 22), "oakridge-realty", "", "", "HW-OPT7020", "3", "", "Desktops for new agents"),
        (D(2026, 9, 22), "oakridge-realty", "", "", "LAB-IMAGE", "3", "", "Image and deploy desktops"),
        (D(2026, 10, 26), "oakridge-realty", "", "", "HW-P2425H", "2", "", "Monitors for conference room"),
        # Pinecrest: special-quote firewall
        (D(2026, 10, 19), "pinecrest-logistics", "", "", "HW-FG60F", "1", "649.00", "Firewall for warehouse B (special quote)"),
        (D(2026, 10, 20), "pinecrest-logistics", "", "", "LAB-TRIP", "1", "", "Trip charge - warehouse B install"),
        # Riverside, Keystone, Lakeshore, Granite, Fairview one-offs
        (D(2026, 8, 26), "riverside-clinic", "riverside-tm", "", "HW-UPS1500", "1", "", "UPS for exam room server"),
        (D(2026, 10, 6), "riverside-clinic", "riverside-tm", "T-24817", "LAB-RUSH", "1", "", "Rush: EHR upgrade weekend"),
        (D(2026, 8, 5), "keystone-insurance", "", "", "HW-LAT5450", "1", "1299.00", "Laptop for new producer"),
        (D(2026, 10, 16), "lakeshore-architects", "", "", "HW-OPT7020", "2", "", "CAD desktops (onboarding)"),
        (D(2026, 10, 16), "lakeshore-architects", "", "", "LAB-IMAGE", "2", "", "Image CAD desktops"),
        (D(2026, 9, 3), "granite-peak-fitness", "", "", "LAB-TRIP", "1", "", "Trip charge - kiosk replacement"),
        (D(2026, 10, 10), "fairview-church", "", "", "HW-UPS1500", "1", "849.00", "UPS for sound booth"),
        (D(2026, 10, 10), "fairview-church", "", "", "LAB-TRIP", "1", "", "Saturday trip charge"),
    ]
    rows += one_off
    rows.sort(key=lambda r: (r[0], r[1], r[4]))
    out = []
    for i, (day, cust, contract, ticket, sku, q, price, desc) in enumerate(rows, start=1):
        out.append({"id": f"CH-{5000 + i}", "date": day.isoformat(), "customer": cust, "contract": contract,
                    "ticket": ticket, "product": sku, "quantity": q, "unit_price": price, "description": desc})
    return out


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def write(name: str, columns: list[str], rows: list[dict]) -> None:
    with open(OUT / name, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tickets = make_tickets()
    entries = make_entries(tickets)
    entries.sort(key=lambda x: (x.date, x.customer, x.ticket, x.role, x.work_type, x.hours, x.description))
    te_cols = ["id", "date", "customer", "contract", "ticket", "resource", "role", "work_type", "hours",
               "billable", "approved", "description"]
    for year, month in MONTHS:
        rows = []
        for i, x in enumerate(entries, start=100001):
            if (x.date.year, x.date.month) != (year, month):
                continue
            rows.append({"id": f"TE-{i}", "date": x.date.isoformat(), "customer": x.customer,
                         "contract": x.contract, "ticket": x.ticket, "resource": x.resource, "role": x.role,
                         "work_type": x.work_type, "hours": qty(x.hours),
                         "billable": "true" if x.billable else "false",
                         "approved": "true" if x.approved else "false", "description": x.description})
        write(f"time_entries_{year}-{month:02d}.csv", te_cols, rows)

    t_rows, s_rows = [], []
    for t in tickets:
        off = BY_ID[t.customer].offset
        status = "resolved" if t.resolved else ("new" if t.first_response is None else "in_progress")
        if t.resolved and t.resolved < AS_OF - dt.timedelta(days=5):
            status = "closed"
        if t.pauses and t.pauses[-1][1] is None:
            status = t.pauses[-1][2]
        t_rows.append({"id": t.id, "customer": t.customer, "contract": t.contract,
                       "priority": PRIORITY_NUMBER[t.priority] if t.numeric_priority else t.priority,
                       "created": stamp(t.created, off), "first_response": stamp(t.first_response, off),
                       "resolved": stamp(t.resolved, off), "status": status, "sla": t.sla_column,
                       "title": t.title})
        history = [(t.created, "new")]
        if t.first_response:
            history.append((t.first_response, "in_progress"))
        for a, b, s in t.pauses:
            history.append((a, s))
            if b is not None:
                history.append((b, "in_progress"))
        if t.resolved:
            history.append((t.resolved, "resolved"))
        for at, s in sorted(history):
            s_rows.append({"ticket": t.id, "at": stamp(at, off), "status": s})
    write("tickets.csv", ["id", "customer", "contract", "priority", "created", "first_response", "resolved",
                          "status", "sla", "title"], t_rows)
    write("ticket_status.csv", ["ticket", "at", "status"], s_rows)
    write("devices.csv", ["id", "customer", "type", "active", "added", "removed"], make_devices())
    write("users.csv", ["id", "customer", "active", "added", "removed"], make_users())
    write("charges.csv", ["id", "date", "customer", "contract", "ticket", "product", "quantity", "unit_price",
                          "description"], make_charges(tickets))


if __name__ == "__main__":
    main()
