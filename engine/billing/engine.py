"""Evaluate stage: activity + contracts -> invoices for one month (SPEC 5).

Every time entry and charge row leaves here with exactly one disposition
(SPEC 5.11). Prepaid balances replay the whole history in the folder, so
rows from other months are read and used, but only the preview month's rows
reach an invoice.
"""
from __future__ import annotations

import gc
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..activity import Activity, Charge, Ticket, TimeEntry
from ..activity.scope import Scope
from ..diagnostics import ERROR, WARNING, Diagnostic
from ..model import Contract, RateCard
from ..number import ZERO, fmt_qty, money
from ..repo import Repo
from .charges import blocking_entry, charge_price
from .history import HISTORY_TYPES, History, earlier_fields
from .month import MonthRows, Priced, not_in_effect
from .period import Month, whole_months
from .prepaid import Draw, replay_block_hours, replay_per_ticket, replay_retainer
from .recurring import Counts, device_lines, fixed_lines, service_lines
from .result import DISPOSITIONS, Balance, ContractReport, Held, Invoice, Line, Preview, Warning
from .rules import apply_rules

PREPAID_TYPES = ("block_hours", "retainer")


class Assigner:
    """SPEC 5.1: the contract an activity row belongs to."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.defaults: dict[str, list[Contract]] = defaultdict(list)
        for c in sorted(repo.contracts.values(), key=lambda c: (c.start, c.id)):
            if c.default:
                self.defaults[c.customer].append(c)

        self._memo: dict[tuple, tuple[Contract | None, str | None]] = {}
        # rows from other months matter only to balances replayed from history:
        # those naming such a contract, or falling to a customer's default one
        history = [c for c in repo.contracts.values() if c.type in HISTORY_TYPES]
        self.history_contracts = {c.id for c in history}
        self.default_history_customers = {c.customer for c in history if c.default}
        bundles = [c for c in repo.contracts.values() if c.type == "per_ticket"]
        self.bundle_contracts = {c.id for c in bundles}
        self.default_bundle_customers = {c.customer for c in bundles if c.default}

    def needs_history(self, customer: str, named: str | None) -> bool:
        """Can a time entry of an earlier month still draw on a balance? (cheap; no dates)"""
        if named is not None:
            return named in self.history_contracts
        return customer in self.default_history_customers

    def needs_ticket_history(self, customer: str, named: str | None) -> bool:
        """Can a ticket of an earlier month still draw on a per-ticket bundle?"""
        if named is not None:
            return named in self.bundle_contracts
        return customer in self.default_bundle_customers

    def assign(self, customer: str, named: str | None, day: date) -> tuple[Contract | None, str | None]:
        key = (customer, named, day)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._assign(customer, named, day)
        return found

    def candidates(self, customer: str, named: str | None) -> tuple[bool, tuple[Contract, ...]]:
        """SPEC 5.1 for one (customer, contract column) pair, whatever the day:
        whether the row names its contract, and the contracts it may fall to,
        tried in order (the first in effect on the row's date takes it). Shared
        by ``assign`` and by the month's and history's per-pair shortcuts."""
        if named is not None:
            contract = self.repo.contracts.get(named)
            if contract is None or contract.customer != customer:
                return True, ()
            return True, (contract,)
        return False, tuple(self.defaults.get(customer, ()))

    def _assign(self, customer: str, named: str | None, day: date) -> tuple[Contract | None, str | None]:
        is_named, candidates = self.candidates(customer, named)
        if is_named:
            if not candidates:
                return None, "unknown_contract"
            contract = candidates[0]
            return contract, None if contract.in_effect(day) else "contract_not_in_effect"
        for contract in candidates:
            if contract.in_effect(day):
                return contract, None
        return None, None


def preview_scope(month: Month | None, *repos: Repo, part: tuple[int, int] | None = None
                  ) -> Scope:
    """What a preview of ``month`` (None: the latest present) has to read of the
    activity: an earlier row is parsed when the contracts of any of ``repos`` can
    still draw a balance from it (diff previews two revisions from one load)."""
    sides = [Assigner(repo) for repo in repos]
    if len(sides) == 1:
        history, tickets = sides[0].needs_history, sides[0].needs_ticket_history
    else:
        def history(customer: str, named: str | None) -> bool:
            return any(a.needs_history(customer, named) for a in sides)

        def tickets(customer: str, named: str | None) -> bool:
            return any(a.needs_ticket_history(customer, named) for a in sides)
    return Scope(None if month is None else (month.year, month.month), history, tickets, part)


@dataclass
class _State:
    month: Month
    repo: Repo
    lines: list[Line] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    # disposition counts by (kind, customer, contract, disposition): a counter,
    # not a record per row, so a year of history costs no memory here
    rows: Counter = field(default_factory=Counter)
    balances: list[Balance] = field(default_factory=list)
    reports: dict[str, ContractReport] = field(default_factory=dict)
    labor: dict[tuple, list[Priced]] = field(default_factory=lambda: defaultdict(list))
    hours: dict[str, dict[str, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    diags: list[Diagnostic] = field(default_factory=list)
    no_rate: dict[tuple, list[TimeEntry]] = field(default_factory=lambda: defaultdict(list))
    card_for: object = None

    def report(self, contract_id: str) -> ContractReport:
        found = self.reports.get(contract_id)
        if found is None:
            found = self.reports[contract_id] = ContractReport(contract_id)
        return found

    def hold(self, kind: str, row, reason: str, customer: str | None, contract: str | None,
             message: str = "") -> None:
        self.held.append(Held(row.file, row.row, row.id, reason, kind, message, customer, contract))
        self.rows[(kind, customer, contract, "held")] += 1

    def dispose(self, kind: str, customer: str | None, contract: str | None, disposition: str) -> None:
        self.rows[(kind, customer, contract, disposition)] += 1


def _rate_card_lookup(repo: Repo):
    """The rate card pricing a contract's labor (its own, else the default), with the
    default found once: it is asked for per entry."""
    default = repo.default_rate_card
    cards = repo.rate_cards

    def lookup(contract: Contract | None) -> RateCard | None:
        if contract is not None and contract.labor.rate_card:
            return cards.get(contract.labor.rate_card)
        return default
    return lookup


def preview(repo: Repo, activity: Activity, month: Month) -> tuple[Preview, list[Diagnostic]]:
    # The collector finds no garbage here (no reference cycles are made) but
    # would rescan the engine's many small objects a thousand times a run.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _preview(repo, activity, month)
    finally:
        if enabled:
            gc.freeze()     # see load_activity: skip one scan of everything made here
            gc.enable()


def _preview(repo: Repo, activity: Activity, month: Month) -> tuple[Preview, list[Diagnostic]]:
    state = _State(month=month, repo=repo)
    state.card_for = _rate_card_lookup(repo)
    assigner = Assigner(repo)
    counts = Counts(activity.devices, activity.users, month.end)
    for bad in activity.bad_rows:
        if bad.kind in ("time_entries", "charges"):
            state.held.append(Held(bad.file, bad.row, bad.id, bad.reason, bad.kind, bad.message,
                                   _customer_of_bad(bad)))
            state.rows[(bad.kind, _customer_of_bad(bad), None, "held")] += 1
    for dup in activity.duplicates:
        if dup.kind in ("time_entries", "charges"):
            state.held.append(Held(dup.file, dup.row, dup.id, dup.reason, dup.kind, dup.message))
            state.rows[(dup.kind, None, None, "held")] += 1

    # rows a scoped load only counted (another month, feeding no balance)
    for (kind, customer, named), n in activity.other_period.items():
        state.rows[(kind, customer, named, "other_period")] += n

    prepaid_draws: dict[str, list[tuple[Draw, Priced]]] = defaultdict(list)
    # most rows of a year's export belong to other months and feed no balance:
    # count them here without the per-row work of MonthRows; earlier rows that
    # can feed a balance go to History, which keeps only their daily sums
    other = state.rows
    first, last = month.start, month.end
    needs_history = assigner.needs_history
    history = History(repo, assigner.candidates, state.card_for, other)
    # earlier rows by (customer, contract column): those a scoped load read without
    # building rows, then those it did build (all of them, in a full load)
    built: dict[tuple[str, str | None], list[tuple]] = defaultdict(list)
    month_rows = MonthRows(state, assigner, prepaid_draws)
    month_row = month_rows.add
    for entry in activity.time_entries:
        day = entry.date
        if day < first:
            if needs_history(entry.customer, entry.contract):
                built[(entry.customer, entry.contract)].append(earlier_fields(entry))
            else:
                other[("time_entries", entry.customer, entry.contract, "other_period")] += 1
        elif day > last:
            other[("time_entries", entry.customer, entry.contract, "other_period")] += 1
        else:
            month_row(entry)
    month_rows.flush()
    # the scoped load's lists as they are (History does not change them): copying
    # hundreds of thousands of rows costs a pass over memory they are spread over
    earlier: dict[tuple[str, str | None], list[tuple]] = dict(activity.earlier)
    for pair, entries in built.items():
        earlier[pair] = earlier[pair] + entries if pair in earlier else entries
    for (customer, named), entries in earlier.items():
        history.add_group(customer, named, entries)
    earlier_draws = history.draws()     # each contract's, before its month's draws
    tickets_by_contract = _tickets(state, assigner, activity.tickets)

    for contract in sorted(repo.contracts.values(), key=lambda c: c.id):
        _contract_lines(state, contract, counts, earlier_draws.get(contract.id, []),
                        prepaid_draws.get(contract.id, []),
                        tickets_by_contract.get(contract.id, []))
    _labor_lines(state)
    for charge in activity.charges:
        _charge(state, assigner, charge)
    _no_rate_warnings(state)
    _expiring(state)
    fixed_report = _fixed_price_reports(state, earlier_draws, prepaid_draws)

    # rules, per contract, on the base lines
    sla_readers = _sla_readers(repo)
    sla_counts, sla_notes = _sla_metrics(repo, activity, month, sla_readers)
    lines_of: dict[str | None, list[Line]] = defaultdict(list)
    for line in state.lines:
        lines_of[line.contract].append(line)
    for contract in sorted(repo.contracts.values(), key=lambda c: c.id):
        if not (contract.rules or contract.pricing):
            continue
        if contract.status != "active" or not _in_effect_in(contract, month):
            continue
        base = lines_of.get(contract.id, [])
        metrics = _metrics(state, contract, counts, tickets_by_contract.get(contract.id, []))
        if contract.id in sla_readers:      # computed only where a rule reads them
            for key in ("sla.breaches", "sla.response_breaches", "sla.resolution_breaches"):
                metrics[key] = sla_counts.get(contract.id, {}).get(key, ZERO)
        if contract.id in sla_notes:
            state.report(contract.id).notes.extend(sla_notes[contract.id])
        rule_lines, report = apply_rules(repo, contract, base, metrics)
        state.lines.extend(rule_lines)
        state.warnings.extend(report.warnings)
        rep = state.report(contract.id)
        rep.metrics = metrics
        rep.amounts = report.amounts
        rep.trace = report.trace

    result = _assemble(state, activity)
    result.fixed_price = fixed_report
    return result, state.diags


def _customer_of_bad(bad) -> str | None:
    return getattr(bad, "customer", None)


def _sla_readers(repo: Repo) -> set[str]:
    """Contracts whose rules or pricing read an sla.* metric: the only ones SLA
    figures are computed for (judging tickets against business calendars is
    the dearest part of a preview, and nothing else uses it)."""
    from ..rules.ast import mentions
    from .rules import program
    return {c.id for c in repo.contracts.values()
            if (c.rules or c.pricing) and mentions(program(repo, c), "sla.")}


def _sla_metrics(repo: Repo, activity: Activity, month: Month, readers: set[str]):
    """sla.* metrics per contract (SPEC 6), and breach notes for explain, for the
    contracts whose rules read them."""
    if not readers:
        return {}, {}
    from ..sla.report import breach_counts, sla_report
    report = sla_report(repo, activity, month, contracts=readers)
    notes: dict[str, list[str]] = defaultdict(list)
    for t in report.tickets:
        if t.contract is not None and t.breaches:
            notes[t.contract].append(f"SLA: ticket {t.id} ({t.priority}, SLA {t.sla}) breached "
                                     f"{' and '.join(t.breaches)}")
    return breach_counts(report), notes


def _in_effect_in(contract: Contract, month: Month) -> bool:
    end = contract.end or date.max
    return contract.start <= month.end and end >= month.start


def _tickets(state: _State, assigner: Assigner, tickets) -> dict[str, list[Ticket]]:
    out: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        day = t.created.date()
        if day > state.month.end:
            continue
        contract, problem = assigner.assign(t.customer, t.contract, day)
        if contract is not None and problem is None:
            out[contract.id].append(t)
    return out


def _contract_lines(state: _State, contract: Contract, counts: Counts,
                    earlier: list[Draw], draws: list[tuple[Draw, Priced]],
                    tickets: list[Ticket]) -> None:
    """``earlier``: History's daily draws; ``draws``: the month's rows, priced."""
    month = state.month
    state.lines.extend(service_lines(contract, month, counts))
    state.lines.extend(fixed_lines(contract, month))
    state.lines.extend(device_lines(contract, month, counts))
    result = None
    card = state.card_for(contract)
    currency = card.currency if card else "USD"
    if contract.type == "block_hours" and contract.block_hours is not None and contract.status == "active":
        result = replay_block_hours(contract, earlier + [d for d, _ in draws], month)
    elif contract.type == "retainer" and contract.retainer is not None and contract.status == "active":
        result = replay_retainer(contract, earlier + [d for d, _ in draws], month, currency)
    elif contract.type == "per_ticket" and contract.per_ticket is not None and contract.status == "active":
        ticket_draws = [Draw(t.id, t.created.date(), Decimal(1), month.contains(t.created.date()))
                        for t in tickets]
        result = replay_per_ticket(contract, ticket_draws, month)
    if result is None:
        return
    state.lines.extend(result.lines)
    state.warnings.extend(result.warnings)
    if _in_effect_in(contract, month) or result.balance.opening or result.balance.closing:
        state.balances.append(result.balance)
    if contract.type in PREPAID_TYPES:
        rows, cid = state.rows, contract.id
        for draw, priced in draws:   # earlier months' rows: counted other_period by History
            rows[("time_entries", priced.entry.customer, cid,
                  "billed" if draw.over > 0 else "drawn")] += 1


def _labor_lines(state: _State) -> None:
    for (cid, customer, role, work_type, unit), group in sorted(
            state.labor.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2], kv[0][3], kv[0][4])):
        # only MonthRows fills state.labor, and only with rows of the month
        qty = sum((p.hours for p in group), ZERO)
        rate = group[0].rate
        mult = f" x {fmt_qty(rate.multiplier)}" if rate.multiplier != 1 else ""
        explain = [f"rate: {rate.source}; multiplier {fmt_qty(rate.multiplier)}"
                   f" -> unit price {rate.rate}{mult} = {unit}"]
        contract = group[0].contract
        if contract is not None and contract.type != "time_and_materials":
            why = (f"work_type '{work_type}'" if work_type in contract.labor.excluded_work_types
                   else f"role '{role}'")
            explain.append(f"billed on top of the {contract.type} contract: {why} is in "
                           "labor.exclusions")
        for p in sorted(group, key=lambda p: (p.entry.date, p.entry.id)):
            note = f" ({p.rounding})" if p.rounding else ""
            explain.append(f"{p.entry.id} {p.entry.date}: {fmt_qty(p.entry.hours)}h -> "
                           f"{fmt_qty(p.hours)}h{note}")
        description = f"Labor: {role}, {work_type}"
        if rate.rule is not None:
            description += f" at the contract rate for {_rule_words(rate.rule)}"
        if cid is None:
            description += " (no contract in place)"
        state.lines.append(Line(contract=cid, kind="labor", description=description,
                                quantity=qty, unit_price=unit, amount=money(qty * unit),
                                sources=tuple(sorted(p.entry.id for p in group)),
                                explain=tuple(explain),
                                loc=rate.rule.loc if rate.rule else None, customer=customer))


def _rule_words(rule) -> str:
    if rule.ticket is not None:
        return f"ticket {rule.ticket}"
    if rule.role is not None and rule.work_type is not None:
        return f"{rule.role} {rule.work_type} work"
    if rule.role is not None:
        return f"the {rule.role} role"
    return f"{rule.work_type} work"


def _charge(state: _State, assigner: Assigner, c: Charge) -> None:
    if not state.month.contains(c.date):
        state.dispose("charges", c.customer, c.contract, "other_period")
        return
    contract, problem = assigner.assign(c.customer, c.contract, c.date)
    cid = contract.id if contract else None
    if problem:
        state.hold("charges", c, problem, c.customer, cid,
                   not_in_effect(contract, c.date) if contract else
                   f"contract '{c.contract}' does not exist or is not {c.customer}'s")
        return
    product = state.repo.products.get(c.product)
    blocked = blocking_entry(state.repo.contracts_of(c.customer), c.product, product, c.date)
    if blocked is not None:
        owner, entry = blocked
        what = f"product {c.product}" if entry.product else f"category {entry.category}"
        message = (f"charge {c.id} ({c.file}:{c.row}) for {c.product} is blocked by contract "
                   f"'{owner.id}': {what} is blocklisted at {entry.loc}")
        state.hold("charges", c, "blocklisted", c.customer, cid, message)
        state.warnings.append(Warning("blocklisted", owner.id, ERROR, message))
        return
    price = charge_price(contract, c.product, product, c.unit_price, c.date)
    if price is None:
        state.hold("charges", c, "no_price", c.customer, cid,
                   f"product {c.product} has no catalog price and the row gives no unit_price")
        state.warnings.append(Warning("no_price", cid, ERROR,
                                      f"charge {c.id} ({c.file}:{c.row}): product {c.product} has "
                                      "no price; add it to the Catalog or give unit_price",
                                      customer=c.customer))
        return
    name = product.name if product else c.product
    state.lines.append(Line(
        contract=cid, kind="charge", description=f"{name} ({c.product})" + (
            f": {c.description}" if c.description else ""),
        quantity=c.quantity, unit_price=price.unit_price, amount=money(c.quantity * price.unit_price),
        sources=(c.id,), explain=(f"{c.id} {c.date}: {price.source}",), customer=c.customer))
    state.dispose("charges", c.customer, cid, "billed")


def _no_rate_warnings(state: _State) -> None:
    for (cid, customer, role), entries in sorted(state.no_rate.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2])):
        rows = ", ".join(f"{e.file}:{e.row}" for e in sorted(entries, key=lambda e: (e.file, e.row))[:5])
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        where = f"contract '{cid}'" if cid else "the default rate card (no contract in place)"
        state.warnings.append(Warning(
            "no_rate", cid, ERROR,
            f"{len(entries)} time entr{'y' if len(entries) == 1 else 'ies'} for role '{role}' have no "
            f"rate under {where} ({rows}{more}); add the role to the rate card or a labor.rates rule",
            customer=customer))


def _expiring(state: _State) -> None:
    from datetime import timedelta
    month = state.month
    for c in state.repo.contracts.values():
        if c.status != "active" or c.end is None or c.renewal_notice_days is None:
            continue
        notice = c.end - timedelta(days=c.renewal_notice_days)
        if notice <= month.end and c.end >= month.start and c.start <= month.end:
            auto = "renews automatically" if c.renewal_auto else "does not renew automatically"
            state.warnings.append(Warning(
                "contract_expiring", c.id, WARNING,
                f"ends {c.end} and {auto}; the renewal notice date was {notice} "
                f"({c.renewal_notice_days} days before the end)"))


def _fixed_price_reports(state: _State, earlier: dict[str, list[Draw]],
                         draws: dict[str, list[tuple[Draw, Priced]]]) -> list[dict]:
    out = []
    for c in sorted(state.repo.contracts.values(), key=lambda c: c.id):
        if c.type != "fixed_price" or c.fixed_price is None or c.status != "active" \
                or not _in_effect_in(c, state.month):
            continue
        end = state.month.end
        used = sum((d.need for d in earlier.get(c.id, []) if d.date <= end), ZERO)
        used = sum((d.need for d, _ in draws.get(c.id, []) if d.date <= end), used)
        rate = money(c.fixed_price.amount / used) if used > 0 else None
        note = f"hours used since {c.start}: {fmt_qty(used)}"
        if c.estimated_hours:
            pct = (used * 100 / c.estimated_hours).quantize(Decimal("0.1"))
            note += f" of {fmt_qty(c.estimated_hours)} estimated ({fmt_qty(pct)}%)"
        if rate is not None:
            note += f"; effective hourly rate {rate} ({c.fixed_price.amount} / {fmt_qty(used)}h)"
        state.report(c.id).notes.insert(0, note)
        out.append({"contract": c.id, "hours_used": fmt_qty(used),
                    "estimated_hours": fmt_qty(c.estimated_hours) if c.estimated_hours else None,
                    "effective_rate": str(rate) if rate is not None else None})
    return out


def _metrics(state: _State, contract: Contract, counts: Counts, tickets: list[Ticket]) -> dict[str, Decimal]:
    month = state.month
    metrics: dict[str, Decimal] = {}
    for key, value in state.hours.get(contract.id, {}).items():
        metrics[key] = value
    metrics.setdefault("hours", ZERO)
    per_type = counts.devices.get(contract.customer, {})
    metrics["devices"] = Decimal(sum(per_type.values()))
    for type_, n in per_type.items():
        metrics[f"devices.{type_}"] = Decimal(n)
    metrics["users"] = Decimal(counts.user_count(contract.customer))
    in_month = [t for t in tickets if month.contains(t.created.date())]
    metrics["tickets"] = Decimal(len(in_month))
    for t in in_month:
        key = f"tickets.{t.priority}"
        metrics[key] = metrics.get(key, ZERO) + 1
    metrics["months"] = Decimal(whole_months(contract.start, month.end))
    return metrics


def _assemble(state: _State, activity: Activity) -> Preview:
    repo = state.repo
    invoices: dict[str, Invoice] = {}
    default_card = repo.default_rate_card

    def invoice_for(customer: str) -> Invoice:
        if customer not in invoices:
            invoices[customer] = Invoice(customer, default_card.currency if default_card else "USD")
        return invoices[customer]

    for line in state.lines:
        customer = repo.contracts[line.contract].customer if line.contract else line.customer
        invoice_for(customer).lines.append(line)
    for w in state.warnings:
        customer = repo.contracts[w.contract].customer if w.contract else w.customer
        invoice_for(customer).warnings.append(w)
    for inv in invoices.values():
        inv.lines.sort(key=Line.sort_key)
        inv.warnings.sort(key=lambda w: (w.contract or "", w.code, w.message))
    counts: dict[str, dict[str, int]] = {}
    for kind in ("time_entries", "charges"):
        per = {"read": activity.rows_read.get(kind, 0)}
        for d in DISPOSITIONS:
            per[d] = 0
        counts[kind] = per
    for (kind, _customer, _contract, disposition), n in state.rows.items():
        counts[kind][disposition] += n
    return Preview(
        start=str(state.month.start), end=str(state.month.end),
        invoices=[invoices[c] for c in sorted(invoices)],
        balances=sorted(state.balances, key=lambda b: b.contract),
        held=sorted(state.held, key=lambda h: (h.kind, h.file, h.row)),
        dispositions=counts, reports=state.reports,
        rows=state.rows)
