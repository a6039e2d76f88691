"""Generate a synthetic contracts repo at MSP scale for benchmarks (issue "Performance at MSP scale").

Usage::

    python benchmarks/generate.py OUT_DIR [--contracts 2000] [--customers 1000]
        [--time-entries 1000000] [--tickets 100000] [--charges 50000]
        [--devices 60000] [--users 40000] [--months 12] [--seed 1]

Writes ``OUT_DIR/contracts.d/`` (a default RateCard, a Catalog, 3 SLAs and one
file per customer holding that customer's contracts, all seven types),
``OUT_DIR/rules/bench.rules`` and ``OUT_DIR/activity/`` (one time_entries file
per month ending October 2026, plus tickets, ticket_status, devices, users and
charges).

Why it is written this way:

* Deterministic: one ``random.Random(seed)``, no wall clock, no set iteration,
  so the same flags give byte-identical files and benchmark numbers can be
  compared across commits.
* YAML is written as text, not through ``yaml.dump``, so money reads like a
  human wrote it (``1450.00``) and goes through tenor's decimal-from-source path.
* The repo must pass ``tenor validate``: one default contract per customer for
  the whole window, other contracts are named in the ``contract`` column.
  A small share of activity is deliberately awkward (unapproved entries,
  non-billable work, an inactive contract named, unknown products priced by
  the row) because a benchmark of only the happy path flatters the engine.
"""
from __future__ import annotations

import argparse
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Sequence

CONTRACT_TYPES = ("time_and_materials", "fixed_price", "recurring", "block_hours",
                  "retainer", "per_ticket", "per_device")
LAST_MONTH = (2026, 10)           # the window ends with October 2026
ROLES = ("technician", "technician", "technician", "engineer", "engineer",
         "senior_engineer", "project_manager", "security_analyst")
WORK_TYPES = ("remote",) * 12 + ("onsite",) * 3 + ("after_hours", "after_hours", "project",
                                                    "project", "travel")
RESOURCES = tuple(f"{first} {last}" for first, last in (
    ("Dana", "Whitfield"), ("Tom", "Becker"), ("Luis", "Ortega"), ("Priya", "Raman"),
    ("Aisha", "Bello"), ("Rachel", "Kim"), ("Marco", "Silva"), ("Jen", "Park"),
    ("Omar", "Haddad"), ("Grace", "Liu"), ("Sam", "Novak"), ("Ivy", "Chen"),
    ("Ben", "Okafor"), ("Nina", "Rossi"), ("Eli", "Brandt"), ("Zoe", "Martin"),
    ("Ken", "Sato"), ("Lena", "Berg"), ("Raj", "Mehta"), ("Ada", "Nwosu"),
    ("Hugo", "Lamb"), ("Mia", "Costa"), ("Leo", "Fischer"), ("Tara", "Quinn"),
    ("Yusuf", "Demir"), ("Olga", "Ivanova"), ("Paul", "Weber"), ("Sara", "Lind"),
    ("Chris", "Doyle"), ("Maya", "Patel"), ("Noah", "Reed"), ("Eva", "Horvat"),
    ("Ian", "Walsh"), ("Lucy", "Moreau"), ("Finn", "Hale"), ("Rosa", "Vega"),
    ("Jon", "Eriksen"), ("Amy", "Tran"), ("Vic", "Sousa"), ("Kim", "Alvarez")))
PROBLEMS = ("Outlook crashing on open", "MFA reset request", "Printer offline",
            "VPN will not connect", "New hire setup", "Ransomware alert on workstation",
            "Slow file server", "Backup job failed", "Firewall firmware update",
            "Password reset", "Teams audio issues", "Replace failed disk",
            "License assignment", "Wi-Fi dropouts in conference room", "Offboard leaver",
            "Phishing email reported", "Quarterly business review prep",
            "Patch Tuesday remediation", "Shared mailbox permissions", "Scanner to email broken")
ACTIONS = ("remote fix and verification", "checked logs, applied fix", "onsite troubleshooting",
           "patched and rebooted remotely", "called user, walked through fix",
           "escalated to vendor", "documented in runbook", "after-hours maintenance window")
PRODUCTS = (  # sku, name, price, category
    ("M365-BP", "Microsoft 365 Business Premium", "22.00", "licensing"),
    ("M365-BS", "Microsoft 365 Business Standard", "12.50", "licensing"),
    ("EXO-P1", "Exchange Online Plan 1", "4.00", "licensing"),
    ("EDR-S1", "SentinelOne Control EDR", "6.50", "security"),
    ("DNS-FILTER", "DNS filtering", "3.00", "security"),
    ("SAT-USER", "Security awareness training", "2.75", "security"),
    ("BKP-M365", "Microsoft 365 backup", "3.50", "backup"),
    ("BKP-SRV", "Server image backup", "85.00", "backup"),
    ("BKP-TB", "Cloud backup storage (per TB)", "45.00", "backup"),
    ("HW-LAT5450", "Dell Latitude 5450 laptop", "1389.00", "hardware"),
    ("HW-OPT7020", "Dell OptiPlex 7020 desktop", "949.00", "hardware"),
    ("HW-P2425H", "Dell P2425H 24in monitor", "219.00", "hardware"),
    ("HW-FG60F", "Fortinet FortiGate 60F firewall", "695.00", "hardware"),
    ("HW-UPS1500", "APC Smart-UPS 1500VA", "899.00", "hardware"),
    ("HW-DL380", "HPE ProLiant DL380 Gen11 server", "7400.00", "hardware"),
    ("LAB-TRIP", "Onsite trip charge", "75.00", "labor_addons"),
    ("LAB-RUSH", "Same-day rush fee", "150.00", "labor_addons"),
    ("LAB-IMAGE", "Workstation imaging and setup", "125.00", "labor_addons"),
)
PRIORITIES = ("critical",) + ("high",) * 3 + ("medium",) * 8 + ("low",) * 6
DEVICE_TYPES = ("workstation",) * 14 + ("server", "network", "network") + ("mobile",) * 3
OFFSETS = ("-04:00", "-05:00", "-06:00", "Z")

RATE_CARDS = """\
# Generated by benchmarks/generate.py: published hourly rates.
apiVersion: tenor/v1
kind: RateCard
id: standard
name: Standard rates 2026
default: true
currency: USD
roles:
  technician: 110.00
  engineer: 150.00
  senior_engineer: 185.00
  project_manager: 135.00
default_rate: 150.00
work_types:
  remote: 1.0
  onsite: 1.25
  after_hours: 1.5
  project: 1.0
  travel: 0.5
"""

SLAS = """\
# Generated by benchmarks/generate.py: the three service levels we sell.
apiVersion: tenor/v1
kind: SLA
id: gold
name: Gold
calendar:
  timezone: America/New_York
  hours: {mon-fri: "08:00-18:00", sat: "09:00-13:00"}
  holidays: [2025-11-27, 2025-12-25, 2026-01-01, 2026-05-25, 2026-07-03, 2026-09-07]
targets:
  critical: {response: 30m, resolution: 8h}
  high:     {response: 1h,  resolution: 24h}
  medium:   {response: 4h,  resolution: 48h}
  low:      {response: 8h,  resolution: 120h}
pause_statuses: [waiting_customer, on_hold]
warn_at: 75%
---
apiVersion: tenor/v1
kind: SLA
id: silver
name: Silver
calendar:
  timezone: America/Chicago
  hours:
    mon-fri: ["08:00-12:00", "13:00-17:00"]
  holidays: [2025-11-27, 2025-12-25, 2026-01-01, 2026-05-25, 2026-07-03, 2026-09-07]
targets:
  critical: {response: 1h, resolution: 8h}
  high:     {response: 2h, resolution: 16h}
  medium:   {response: 4h, resolution: 40h}
  low:      {response: 8h, resolution: 80h}
pause_statuses: [waiting_customer, on_hold]
warn_at: 80%
---
apiVersion: tenor/v1
kind: SLA
id: platinum
name: Platinum 24x7
calendar:
  timezone: America/New_York
  hours: "24x7"
targets:
  critical: {response: 15m, resolution: 4h}
  high:     {response: 30m, resolution: 8h}
  medium:   {response: 2h,  resolution: 24h}
  low:      {response: 4h,  resolution: 72h}
pause_statuses: [waiting_customer, on_hold]
warn_at: 75%
"""

BENCH_RULES = """\
# Generated by benchmarks/generate.py: shared pricing rules contracts opt into.

rule device-tiers {
  charge "Workstation management" on devices.workstation graduated {
    up to 10 at 45.00
    up to 50 at 40.00
    above at 35.00
  }
}

rule labor-volume {
  when hours >= 40 {
    discount labor by 10%
  } else {
    surcharge labor by 25.00 when tickets.critical > 3
  }
}

rule user-tiers {
  charge "User support" on users volume {
    up to 25 at 18.00 plus 150.00 flat
    up to 100 at 15.00 plus 250.00 flat
    above at 12.00 plus 400.00 flat
  }
}

rule critical-incidents {
  when tickets.critical > 0 {
    charge "Critical incident handling" = tickets.critical * 95.00
  }
}

rule sla-credit {
  credit "SLA credit" 5% of services per sla.breaches max 20%
}
"""

PRICING_SNIPPETS = (
    "discount labor by 5% when hours > 20\n",
    "minimum total 500.00\n",
    "cap labor 4000.00\n",
    "charge \"Monitoring platform\" = max(devices * 2.50, 50.00)\n",
    "surcharge labor by 15.00 when tickets.critical > 2\n",
    "# quarterly review commitment\nminimum labor 300.00\ncap labor 2500.00\n",
)


def months_window(count: int) -> list[tuple[int, int]]:
    """``count`` calendar months ending with LAST_MONTH, oldest first."""
    y, m = LAST_MONTH
    out = []
    for _ in range(count):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def month_days(y: int, m: int) -> int:
    nxt = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
    return (nxt - date(y, m, 1)).days


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


class Customer:
    """A customer and its contracts, decided once so activity can refer to them."""

    def __init__(self, cid: str, name: str) -> None:
        self.id = cid
        self.name = name
        self.contracts: list[dict] = []     # {"id", "type", "start", "end", "status", "default"}
        self.named: list[str] = []          # non-default contract ids activity may name


# ---------------------------------------------------------------- contracts

def _contract_yaml(rng: random.Random, cust: Customer, c: dict, window_start: date,
                   tickets_hint: Sequence[str]) -> str:
    """One Contract document as YAML text (realistic blocks for its type)."""
    ctype = c["type"]
    start: date = c["start"]
    end: date = c["end"]
    lines = [
        "apiVersion: tenor/v1",
        "kind: Contract",
        f"id: {c['id']}",
        f"customer: {cust.id}",
        f"name: {cust.name} - {ctype.replace('_', ' ').title()}",
        f"number: C-{c['number']}",
        f"type: {ctype}",
        f"status: {c['status']}",
        f"start: {start.isoformat()}",
        f"end: {end.isoformat()}",
    ]
    if c["default"]:
        lines.append("default: true")
    if rng.random() < 0.6:
        lines.append(f"renewal: {{auto: {'true' if rng.random() < 0.7 else 'false'}, "
                     f"notice_days: {rng.choice((30, 60, 90))}}}")
    if ctype != "time_and_materials" or rng.random() < 0.3:
        lines.append(f"sla: {rng.choice(('gold', 'gold', 'silver', 'platinum'))}")
    freq = "monthly"
    if ctype == "recurring":
        freq = rng.choice(("monthly",) * 6 + ("quarterly", "annually"))
    lines.append(f"billing: {{frequency: {freq}, terms: {rng.choice(('net30', 'net15', 'net45'))}}}")

    labor: list[str] = []
    rates: list[str] = []
    if rng.random() < 0.5:
        rates.append(f"    - {{role: engineer, rate: {rng.choice((135, 140, 145))}.00}}")
    if rng.random() < 0.3:
        rates.append("    - {role: engineer, work_type: onsite, rate: 165.00}")
    if rng.random() < 0.3:
        rates.append(f"    - {{role: technician, rate: {rng.choice((85, 90, 95))}%}}")
    if rng.random() < 0.2:
        rates.append("    - {work_type: travel, rate: 55.00}")
    if tickets_hint and rng.random() < 0.1:
        rates.append(f"    - {{ticket: {rng.choice(tickets_hint)}, rate: 95.00}}")
    if rates:
        labor.append("  rates:")
        labor.extend(rates)
    if rng.random() < 0.3:
        labor.append(f"  multipliers: {{after_hours: {rng.choice(('1.75', '2.0', '1.5'))}}}")
    inc = rng.choice(("0.25", "0.25", "0.5", "0.1"))
    labor.append(f"  rounding: {{increment: {inc}, mode: {rng.choice(('up', 'up', 'nearest', 'down'))}}}")
    if rng.random() < 0.5:
        labor.append(f"  minimum: {rng.choice(('0.25', '0.5', '1.0'))}")
    if ctype == "time_and_materials" and rng.random() < 0.15:
        labor.append("  approval: required")
    if ctype != "time_and_materials" and rng.random() < 0.6:
        labor.append("  exclusions: {work_types: [project, travel], roles: []}")
    lines.append("labor:")
    lines.extend(labor)

    days = (end - start).days
    if ctype == "recurring" or (ctype in ("per_device", "block_hours") and rng.random() < 0.3):
        lines.append("services:")
        lines.append(f"  - {{id: helpdesk, name: Managed help desk, "
                     f"price: {money(rng.randrange(500, 3000) * 100)}, quantity: 1}}")
        if rng.random() < 0.6:
            lines.append(f"  - {{id: servers, name: Server management, "
                         f"price: {money(rng.choice((150, 175, 200)) * 100)}, per: \"device:server\"}}")
        if rng.random() < 0.6:
            lines.append(f"  - {{id: m365-admin, name: Microsoft 365 administration, "
                         f"price: {money(rng.choice((500, 600, 750)))}, per: user}}")
        if rng.random() < 0.3:
            lines.append(f"  - {{id: endpoint, name: Endpoint security, "
                         f"price: {money(rng.choice((900, 1200)))}, per: device}}")
    if ctype == "fixed_price":
        total = rng.randrange(50, 400) * 10000
        first = total * 4 // 10
        second = (total - first) // 2
        third = total - first - second
        d1 = start
        d2 = start + timedelta(days=max(1, days // 3))
        d3 = start + timedelta(days=max(2, 2 * days // 3))
        lines.append(f"estimated_hours: {total // 15000}")
        lines.append("fixed_price:")
        lines.append(f"  amount: {money(total)}")
        lines.append("  schedule:")
        lines.append(f"    - {{date: {d1.isoformat()}, amount: {money(first)}, label: Deposit (40%)}}")
        lines.append(f"    - {{date: {d2.isoformat()}, amount: {money(second)}, label: Milestone 1}}")
        lines.append(f"    - {{date: {d3.isoformat()}, amount: {money(third)}, label: Completion}}")
    elif ctype == "block_hours":
        lines.append("block_hours:")
        if rng.random() < 0.3:
            lines.append(f"  opening_balance: {{as_of: {(window_start - timedelta(days=1)).isoformat()}, "
                         f"hours: {rng.randrange(0, 20)}}}")
        lines.append("  blocks:")
        d = max(start, window_start - timedelta(days=60))
        while d <= min(end, date(LAST_MONTH[0], LAST_MONTH[1], 1)):
            hours = rng.choice((10, 20, 20, 40))
            price = hours * rng.choice((140, 145, 150)) * 100
            expires = ""
            if rng.random() < 0.2:
                expires = f", expires: {(d + timedelta(days=120)).isoformat()}"
            lines.append(f"    - {{date: {d.isoformat()}, hours: {hours}, price: {money(price)}{expires}}}")
            d += timedelta(days=rng.randrange(60, 150))
        lines.append(f"  overage_rate: {rng.choice((165, 175, 185))}.00")
        lines.append(f"  alert_at: {rng.choice((75, 80, 90))}%")
    elif ctype == "retainer":
        lines.append("retainer:")
        if rng.random() < 0.3:
            amount = rng.randrange(10, 50) * 10000
            lines.append(f"  amount: {money(amount)}")
            lines.append(f"  fee: {money(amount)}")
            lines.append("  unused: forfeit")
        else:
            hours = rng.choice((5, 10, 15, 20, 40))
            lines.append(f"  hours: {hours}")
            lines.append(f"  fee: {money(hours * 135 * 100)}")
            unused = rng.choice(("forfeit", "rollover", "rollover_capped"))
            lines.append(f"  unused: {unused}")
            if unused == "rollover_capped":
                lines.append(f"  rollover_limit: {max(1, hours // 2)}")
            lines.append(f"  overage_rate: {rng.choice((150, 160))}.00")
    elif ctype == "per_ticket":
        lines.append("per_ticket:")
        lines.append(f"  fee: {rng.choice((95, 110, 125))}.00")
        purchases = []
        d = max(start, window_start - timedelta(days=30))
        while d <= min(end, date(LAST_MONTH[0], LAST_MONTH[1], 1)):
            n = rng.choice((10, 20, 30))
            purchases.append(f"    - {{date: {d.isoformat()}, tickets: {n}, price: {money(n * 8000)}}}")
            d += timedelta(days=rng.randrange(90, 200))
        if purchases:   # a contract that starts after the window buys nothing yet
            lines.append("  purchases:")
            lines.extend(purchases)
    elif ctype == "per_device":
        lines.append("devices:")
        lines.append(f"  - {{type: workstation, rate: {rng.choice((45, 50, 55))}.00, "
                     f"minimum: {rng.choice((0, 5, 10, 20))}}}")
        lines.append(f"  - {{type: server, rate: {rng.choice((200, 250))}.00, minimum: 1}}")
        lines.append("  - {type: network, rate: 35.00, minimum: 0}")
        if rng.random() < 0.5:
            lines.append("  - {type: mobile, rate: 12.00, minimum: 0}")

    if rng.random() < 0.25:
        lines.append("price_overrides:")
        lines.append(f"  - {{product: M365-BP, price: {rng.choice(('20.50', '21.00', '19.75'))}}}")
        if rng.random() < 0.5:
            lines.append(f"  - {{category: hardware, discount: {rng.choice((5, 8, 10))}%}}")
        if rng.random() < 0.5:
            eff = window_start + timedelta(days=rng.randrange(30, 300))
            lines.append(f"  - {{product: EDR-S1, price: 5.75, effective: {eff.isoformat()}}}")
    if rng.random() < 0.1:
        lines.append("blocklist:")
        lines.append(rng.choice(("  - {product: LAB-RUSH}", "  - {category: hardware}")))
    rule_names: list[str] = []
    if rng.random() < 0.3:
        rule_names = rng.sample(("device-tiers", "labor-volume", "user-tiers",
                                 "critical-incidents", "sla-credit"), rng.randrange(1, 3))
    if rule_names:
        lines.append(f"rules: [{', '.join(rule_names)}]")
    if rng.random() < 0.2:
        lines.append("pricing: |")
        for text in rng.choice(PRICING_SNIPPETS).splitlines():
            lines.append(f"  {text}")
    return "\n".join(lines) + "\n"


def plan_customers(rng: random.Random, n_customers: int, n_contracts: int,
                   window_start: date) -> list[Customer]:
    """Decide every customer's contracts (ids, types, dates) before writing anything."""
    customers = [Customer(f"cust-{i:04d}", f"Customer {i:04d}") for i in range(1, n_customers + 1)]
    window_end = date(LAST_MONTH[0], LAST_MONTH[1], month_days(*LAST_MONTH))
    for j in range(n_contracts):
        cust = customers[j % n_customers]
        k = len(cust.contracts)
        ctype = CONTRACT_TYPES[(j * 3 + j // n_customers) % len(CONTRACT_TYPES)]
        if k == 0:
            # the customer's default contract covers the whole window
            start = window_start - timedelta(days=rng.randrange(0, 700))
            end = window_end + timedelta(days=rng.randrange(30, 500))
            status, default = "active", True
        else:
            start = window_start - timedelta(days=rng.randrange(-200, 400))
            end = max(start + timedelta(days=180), window_end - timedelta(days=rng.randrange(-400, 60)))
            roll = rng.random()
            status = "inactive" if roll < 0.02 else "cancelled" if roll < 0.04 else "active"
            default = False
        cid = f"{cust.id}-{ctype.replace('_', '-')}-{k + 1}"
        cust.contracts.append({"id": cid, "type": ctype, "start": start, "end": end,
                               "status": status, "default": default, "number": 1000 + j})
        if not default:
            cust.named.append(cid)
    return customers


def write_contracts(rng: random.Random, out: Path, customers: list[Customer],
                    window_start: date, tickets_hint: Sequence[str]) -> None:
    cdir = out / "contracts.d"
    (cdir / "customers").mkdir(parents=True, exist_ok=True)
    (cdir / "ratecards.yaml").write_text(RATE_CARDS, encoding="utf-8")
    (cdir / "slas.yaml").write_text(SLAS, encoding="utf-8")
    catalog = ["# Generated by benchmarks/generate.py: everything we resell.",
               "apiVersion: tenor/v1", "kind: Catalog", "id: products", "name: Product catalog",
               "products:"]
    for sku, name, price, category in PRODUCTS:
        catalog.append(f"  - {{sku: {sku}, name: {name}, price: {price}, category: {category}}}")
    (cdir / "catalog.yaml").write_text("\n".join(catalog) + "\n", encoding="utf-8")
    (out / "rules").mkdir(parents=True, exist_ok=True)
    (out / "rules" / "bench.rules").write_text(BENCH_RULES, encoding="utf-8")
    for cust in customers:
        docs = [_contract_yaml(rng, cust, c, window_start, tickets_hint) for c in cust.contracts]
        header = (f"# yaml-language-server: $schema=../../schemas/contract.schema.json\n"
                  f"# {cust.name}: generated by benchmarks/generate.py\n")
        (cdir / "customers" / f"{cust.id}.yaml").write_text(
            header + "---\n".join(docs), encoding="utf-8")


# ----------------------------------------------------------------- activity

def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _pick_contract(rng: random.Random, cust: Customer) -> str:
    """Mostly the default contract (empty column); sometimes a named one."""
    if cust.named and rng.random() < 0.3:
        return rng.choice(cust.named)
    return ""


def _hours_text(q: int) -> str:
    """Quarter hours as an export would write them: 1, 1.5, 1.25, 0.75."""
    whole, frac = divmod(q, 4)
    return (str(whole), f"{whole}.25", f"{whole}.5", f"{whole}.75")[frac]


def write_time_entries(rng: random.Random, act: Path, customers: list[Customer],
                       months: list[tuple[int, int]], total: int, n_tickets: int) -> None:
    header = ("id,date,customer,contract,ticket,resource,role,work_type,hours,billable,approved,"
              "description\n")
    counter = 0
    choice, rand, randrange = rng.choice, rng.random, rng.randrange
    descriptions = [f"{p}: {a}" for p in PROBLEMS for a in ACTIONS]
    for (y, m), rows in zip(months, _spread(total, len(months))):
        ndays = month_days(y, m)
        dates = [f"{y}-{m:02d}-{d:02d}" for d in range(1, ndays + 1)]
        buf: list[str] = []
        with open(act / f"time_entries_{y}-{m:02d}.csv", "w", encoding="utf-8", newline="") as fh:
            fh.write(header)
            for _ in range(rows):
                counter += 1
                cust = choice(customers)
                contract = _pick_contract(rng, cust)
                ticket = f"T-{randrange(1, n_tickets + 1):07d}" if n_tickets and rand() < 0.8 else ""
                hours = _hours_text(randrange(1, 17) if rand() < 0.9 else randrange(17, 41))
                if rand() < 0.03:
                    hours = f"{randrange(0, 4)}.{randrange(1, 10)}"   # 0.1h granularity exports
                billable = "false" if rand() < 0.05 else "true"
                approved = "false" if rand() < 0.03 else "true"
                desc = choice(descriptions)
                if "," in desc:
                    desc = f'"{desc}"'
                buf.append(f"TE-{counter:08d},{choice(dates)},{cust.id},{contract},{ticket},"
                           f"{choice(RESOURCES)},{choice(ROLES)},{choice(WORK_TYPES)},{hours},"
                           f"{billable},{approved},{desc}\n")
                if len(buf) >= 20000:
                    fh.write("".join(buf))
                    buf.clear()
            fh.write("".join(buf))


def _instant(dt: datetime, offset: str) -> str:
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    return text + offset


def write_tickets(rng: random.Random, act: Path, customers: list[Customer],
                  months: list[tuple[int, int]], total: int) -> None:
    t_lines = ["id,customer,contract,priority,created,first_response,resolved,status,sla,title\n"]
    s_lines = ["ticket,at,status\n"]
    tid = 0
    window_end = datetime(LAST_MONTH[0], LAST_MONTH[1], month_days(*LAST_MONTH), 23, 0)
    for (y, m), rows in zip(months, _spread(total, len(months))):
        ndays = month_days(y, m)
        for _ in range(rows):
            tid += 1
            cust = rng.choice(customers)
            contract = _pick_contract(rng, cust)
            created = datetime(y, m, rng.randrange(1, ndays + 1), rng.randrange(6, 20),
                               rng.randrange(0, 60))
            offset = rng.choice(OFFSETS)
            responded = created + timedelta(minutes=rng.randrange(2, 600))
            resolved = responded + timedelta(minutes=rng.randrange(10, 60 * 24 * 6))
            open_ticket = resolved > window_end or rng.random() < 0.02
            status = "open" if open_ticket else "closed"
            sla = rng.choice(("gold", "silver", "platinum")) if rng.random() < 0.05 else ""
            name = f"T-{tid:07d}"
            t_lines.append(
                f"{name},{cust.id},{contract},{rng.choice(PRIORITIES)},{_instant(created, offset)},"
                f"{_instant(responded, offset)},{'' if open_ticket else _instant(resolved, offset)},"
                f"{status},{sla},{rng.choice(PROBLEMS)}\n")
            s_lines.append(f"{name},{_instant(created, offset)},new\n")
            s_lines.append(f"{name},{_instant(responded, offset)},in_progress\n")
            if rng.random() < 0.2:
                wait = responded + (resolved - responded) / 3
                back = responded + (resolved - responded) / 2
                s_lines.append(f"{name},{_instant(wait.replace(microsecond=0), offset)},"
                               f"waiting_customer\n")
                s_lines.append(f"{name},{_instant(back.replace(microsecond=0), offset)},"
                               f"in_progress\n")
            if not open_ticket:
                s_lines.append(f"{name},{_instant(resolved, offset)},resolved\n")
    (act / "tickets.csv").write_text("".join(t_lines), encoding="utf-8")
    (act / "ticket_status.csv").write_text("".join(s_lines), encoding="utf-8")


def _span(rng: random.Random, window_start: date, window_days: int) -> tuple[str, str, str]:
    """(active, added, removed) of an inventory row."""
    added = ""
    if rng.random() < 0.7:
        added = (window_start + timedelta(days=rng.randrange(-900, window_days))).isoformat()
    removed = ""
    if rng.random() < 0.08:
        base = date.fromisoformat(added) if added else window_start
        removed = (base + timedelta(days=rng.randrange(1, 400))).isoformat()
    active = "false" if rng.random() < 0.03 else "true"
    return active, added, removed


def write_inventory(rng: random.Random, act: Path, customers: list[Customer],
                    window_start: date, window_days: int, n_devices: int, n_users: int) -> None:
    lines = ["id,customer,type,active,added,removed\n"]
    for i in range(1, n_devices + 1):
        active, added, removed = _span(rng, window_start, window_days)
        lines.append(f"DEV-{i:07d},{rng.choice(customers).id},{rng.choice(DEVICE_TYPES)},"
                     f"{active},{added},{removed}\n")
    (act / "devices.csv").write_text("".join(lines), encoding="utf-8")
    lines = ["id,customer,active,added,removed\n"]
    for i in range(1, n_users + 1):
        active, added, removed = _span(rng, window_start, window_days)
        cust = rng.choice(customers).id
        lines.append(f"user{i:06d}@{cust}.example,{cust},{active},{added},{removed}\n")
    (act / "users.csv").write_text("".join(lines), encoding="utf-8")


def write_charges(rng: random.Random, act: Path, customers: list[Customer],
                  months: list[tuple[int, int]], total: int) -> None:
    lines = ["id,date,customer,contract,ticket,product,quantity,unit_price,description\n"]
    cid = 0
    for (y, m), rows in zip(months, _spread(total, len(months))):
        ndays = month_days(y, m)
        for _ in range(rows):
            cid += 1
            cust = rng.choice(customers)
            sku, name, price, category = rng.choice(PRODUCTS)
            if category in ("licensing", "security", "backup"):
                qty = str(rng.randrange(1, 80))
            else:
                qty = str(rng.choice((1, 1, 1, 2, 3, -1)))
            unit = f"{price[:-3]}.{rng.randrange(0, 100):02d}" if rng.random() < 0.1 else ""
            if rng.random() < 0.005:
                sku, unit = "MISC-PART", "42.00"     # not in the catalog: priced by the row
            lines.append(f"CH-{cid:07d},{y}-{m:02d}-{rng.randrange(1, ndays + 1):02d},{cust.id},"
                         f"{_pick_contract(rng, cust)},,{sku},{qty},{unit},{name} - monthly\n")
    (act / "charges.csv").write_text("".join(lines), encoding="utf-8")


# --------------------------------------------------------------------- main

def generate(out: Path, *, contracts: int = 2000, customers: int = 1000,
             time_entries: int = 1_000_000, tickets: int = 100_000, charges: int = 50_000,
             devices: int = 60_000, users: int = 40_000, months: int = 12, seed: int = 1,
             log: Callable[[str], None] = lambda _msg: None) -> None:
    """Write the whole repo into ``out`` (created if needed; files are overwritten)."""
    if customers < 1 or contracts < customers:
        raise ValueError("need at least one customer and at least one contract per customer")
    if months < 1:
        raise ValueError("--months must be at least 1")
    rng = random.Random(seed)
    window = months_window(months)
    window_start = date(window[0][0], window[0][1], 1)
    window_end = date(LAST_MONTH[0], LAST_MONTH[1], month_days(*LAST_MONTH))
    window_days = (window_end - window_start).days + 1
    out.mkdir(parents=True, exist_ok=True)
    custs = plan_customers(rng, customers, contracts, window_start)
    hint = [f"T-{rng.randrange(1, tickets + 1):07d}" for _ in range(50)] if tickets else []
    write_contracts(rng, out, custs, window_start, hint)
    log(f"contracts: {contracts} in {customers} customer files")
    act = out / "activity"
    act.mkdir(parents=True, exist_ok=True)
    for old in act.glob("time_entries_*.csv"):
        old.unlink()                      # a smaller --months must not leave stale months
    write_time_entries(rng, act, custs, window, time_entries, tickets)
    log(f"time entries: {time_entries} in {months} monthly files")
    write_tickets(rng, act, custs, window, tickets)
    write_inventory(rng, act, custs, window_start, window_days, devices, users)
    write_charges(rng, act, custs, window, charges)
    log("tickets, ticket_status, devices, users, charges written")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--contracts", type=int, default=2000)
    p.add_argument("--customers", type=int, default=1000)
    p.add_argument("--time-entries", type=int, default=1_000_000)
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--charges", type=int, default=50_000)
    p.add_argument("--devices", type=int, default=60_000)
    p.add_argument("--users", type=int, default=40_000)
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    try:
        generate(a.out_dir, contracts=a.contracts, customers=a.customers,
                 time_entries=a.time_entries, tickets=a.tickets, charges=a.charges,
                 devices=a.devices, users=a.users, months=a.months, seed=a.seed,
                 log=lambda msg: print(msg, file=sys.stderr))
    except ValueError as exc:
        print(f"generate.py: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
