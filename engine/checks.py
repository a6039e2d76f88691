"""Semantic checks of SPEC 2.4: small functions in a registry, like yamllint rules.

Each check takes the loaded Repo and yields diagnostics. They only see
documents that passed their schema, so every field has the right type.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Callable, Iterator

from .diagnostics import ERROR, WARNING, Diagnostic, Loc, did_you_mean
from .model import TYPE_BLOCKS, Contract
from .repo import Repo
from .yamlload import Document

Check = Callable[[Repo], Iterator[Diagnostic]]
REGISTRY: dict[str, Check] = {}


def check(code: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        REGISTRY[code] = fn
        return fn
    return register


def run_checks(repo: Repo) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for fn in REGISTRY.values():
        out.extend(fn(repo))
    return out


def _at(doc: Document, path: tuple, code: str, message: str, severity: str = ERROR,
        key: bool = False) -> Diagnostic:
    line, col = doc.key_mark(path) if key else doc.mark(path)
    return Diagnostic(doc.file, line, col, code, severity, message)


@check("duplicate-id")
def unique_ids(repo: Repo) -> Iterator[Diagnostic]:
    for (kind, ident), docs in repo.ids.items():
        if len(docs) < 2:
            continue
        first = docs[0]
        for doc in docs[1:]:
            yield _at(doc, ("id",), "duplicate-id",
                      f"{kind} id '{ident}' is already used at {first.file}:{first.mark(('id',))[0]}; "
                      "ids must be unique per kind, rename this one")


@check("default-rate-card")
def one_default_rate_card(repo: Repo) -> Iterator[Diagnostic]:
    defaults = [r for r in repo.rate_cards.values() if r.default]
    if len(defaults) > 1:
        for card in defaults[1:]:
            yield _at(card.doc, ("default",), "default-rate-card",
                      f"RateCard '{card.id}' is marked default, but so is '{defaults[0].id}' "
                      f"({defaults[0].loc}); exactly one RateCard may be the default: remove "
                      "default: true from all but one")
    elif not defaults and repo.rate_cards:
        card = sorted(repo.rate_cards.values(), key=lambda r: r.loc)[0]
        yield _at(card.doc, (), "default-rate-card",
                  "no RateCard is marked default: true; mark exactly one (it prices work "
                  "with no contract in place)")
    elif not repo.rate_cards and repo.contracts:
        contract = sorted(repo.contracts.values(), key=lambda c: c.loc)[0]
        yield _at(contract.doc, (), "default-rate-card",
                  "the repo has no RateCard; add one with default: true to price labor "
                  "with no contract in place", severity=WARNING)


@check("contract-dates")
def end_after_start(repo: Repo) -> Iterator[Diagnostic]:
    for c in repo.contracts.values():
        if c.end is not None and c.end < c.start:
            yield _at(c.doc, ("end",), "contract-dates",
                      f"end {c.end} is before start {c.start}; a contract must end on or after its start")


@check("type-blocks")
def blocks_match_type(repo: Repo) -> Iterator[Diagnostic]:
    for c in repo.contracts.values():
        data = c.doc.data
        needed = TYPE_BLOCKS.get(c.type)
        if needed and data.get(needed) is None:
            yield _at(c.doc, ("type",), "type-blocks",
                      f"a {c.type} contract needs a '{needed}:' block; add it or change the type")
        for block in TYPE_BLOCKS.values():
            if block != needed and block in data:
                yield _at(c.doc, (block,), "type-blocks",
                          f"'{block}:' belongs to {block} contracts, but this contract's type is "
                          f"{c.type}; remove the block or change the type", key=True)
        if c.type == "per_device" and not c.devices and not any(
                s.per and s.per.startswith("device") for s in c.services):
            yield _at(c.doc, ("type",), "type-blocks",
                      "a per_device contract needs a 'devices:' list (or services priced per: "
                      "device); add one or change the type")


@check("unknown-reference")
def references_resolve(repo: Repo) -> Iterator[Diagnostic]:
    categories = repo.categories
    for c in repo.contracts.values():
        doc = c.doc
        if c.sla is not None and c.sla not in repo.slas:
            yield _at(doc, ("sla",), "unknown-reference",
                      f"SLA '{c.sla}' is not defined; fix the id or define an SLA with this id "
                      f"in contracts.d/{did_you_mean(c.sla, repo.slas)}")
        if c.labor.rate_card is not None and c.labor.rate_card not in repo.rate_cards:
            yield _at(doc, ("labor", "rate_card"), "unknown-reference",
                      f"RateCard '{c.labor.rate_card}' is not defined; fix the id, define a RateCard "
                      "with this id in contracts.d/, or remove rate_card: to use the default "
                      f"rate card{did_you_mean(c.labor.rate_card, repo.rate_cards)}")
        for ref in c.rules:
            if ref.name not in repo.rules:
                yield ref.loc.error("unknown-rule", _unknown_rule_message(repo, ref.name))
        for i, o in enumerate(c.price_overrides):
            yield from _product_ref(repo, doc, ("price_overrides", i), o.product, o.category, categories)
        for i, b in enumerate(c.blocklist):
            yield from _product_ref(repo, doc, ("blocklist", i), b.product, b.category, categories)


def _product_ref(repo: Repo, doc: Document, path: tuple, product: str | None,
                 category: str | None, categories: set[str]) -> Iterator[Diagnostic]:
    if product is not None and product not in repo.products:
        yield _at(doc, path + ("product",), "unknown-reference",
                  f"product '{product}' is not in any Catalog; fix the SKU or add the product "
                  f"to a Catalog{did_you_mean(product, repo.products)}")
    if category is not None and category not in categories:
        yield _at(doc, path + ("category",), "unknown-reference",
                  f"category '{category}' is used by no product in the Catalog; fix the name or "
                  f"give a Catalog product this category{did_you_mean(category, categories)}")
    if product is None and category is None:
        yield _at(doc, path, "bad-value", "give either product: SKU or category: NAME")
    if product is not None and category is not None:
        yield _at(doc, path, "bad-value", "give product or category, not both")


def _unknown_rule_message(repo: Repo, name: str) -> str:
    """Why a rule name does not resolve, and the fix.

    A rule whose file has a syntax error is not loaded; saying only "not
    defined" would send the reader looking for a missing rule that is right
    there, so point at the file with the error instead.
    """
    import re

    pattern = re.compile(r"^\s*rule\s+" + re.escape(name) + r"\s*\{", re.M)
    for source in repo.rule_sources:
        if pattern.search(source.text):
            return (f"rule '{name}' in {source.file} could not be read because of the error "
                    f"reported there; fix that error")
    return (f"rule '{name}' is not defined in rules/*.rules; fix the name or define it with "
            f"`rule {name} {{ ... }}` in a file under rules/{did_you_mean(name, repo.rules)}")


@check("alternatives")
def exclusive_alternatives(repo: Repo) -> Iterator[Diagnostic]:
    for c in repo.contracts.values():
        doc = c.doc
        for i, o in enumerate(c.price_overrides):
            if (o.price is None) == (o.discount is None):
                yield _at(doc, ("price_overrides", i), "bad-value",
                          "a price override needs exactly one of price: AMOUNT or discount: PCT")
            if o.discount is not None and o.product is None and o.category is None:
                continue
        r = c.retainer
        if r is not None:
            if (r.hours is None) == (r.amount is None):
                yield _at(doc, ("retainer",), "bad-value",
                          "a retainer allocates either hours: N or amount: MONEY each month; give exactly one")
            if r.unused == "rollover_capped" and r.rollover_limit is None:
                yield _at(doc, ("retainer", "unused"), "bad-value",
                          "unused: rollover_capped needs a limit; add rollover_limit: N (the most "
                          "that may carry over), or use unused: rollover to carry everything")
        for i, s in enumerate(c.services):
            raw = doc.data["services"][i]
            if "quantity" in raw and "per" in raw:
                yield _at(doc, ("services", i), "bad-value",
                          "a service has either quantity: N or per: device|device:TYPE|user, not both")
        for i, rule in enumerate(c.labor.rates):
            if rule.role is None and rule.work_type is None and rule.ticket is None:
                yield rule.loc.error("bad-value",
                                     "a rate rule must name a role, a work_type or a ticket it applies to")
        seen: dict[tuple, Loc] = {}
        for rule in c.labor.rates:
            key = (rule.role, rule.work_type, rule.ticket)
            if key in seen:
                yield rule.loc.error("duplicate-rate",
                                     f"this rate rule matches exactly the same work as the one at "
                                     f"line {seen[key].line}; remove one of them")
            else:
                seen[key] = rule.loc


@check("default-contract")
def one_default_contract(repo: Repo) -> Iterator[Diagnostic]:
    by_customer: dict[str, list[Contract]] = defaultdict(list)
    for c in repo.contracts.values():
        if c.default and c.status == "active":
            by_customer[c.customer].append(c)
    for customer, contracts in by_customer.items():
        contracts.sort(key=lambda c: (c.start, c.id))
        for i, a in enumerate(contracts):
            for b in contracts[i + 1:]:
                a_end = a.end or date.max
                b_end = b.end or date.max
                if b.start <= a_end and a.start <= b_end:
                    overlap = max(a.start, b.start)
                    yield _at(b.doc, ("default",), "default-contract",
                              f"customer '{customer}' has two default contracts in effect on {overlap}: "
                              f"'{a.id}' ({a.loc.file}) and '{b.id}'; at most one may be the default "
                              "on any date: remove default: true from one, or change the dates "
                              "so they do not overlap")


@check("schedule-sum")
def schedule_sums(repo: Repo) -> Iterator[Diagnostic]:
    for c in repo.contracts.values():
        fp = c.fixed_price
        if fp is None or "schedule" not in (c.doc.data.get("fixed_price") or {}):
            continue
        total = sum((s.amount for s in fp.schedule), Decimal(0))
        if total != fp.amount:
            yield _at(c.doc, ("fixed_price", "schedule"), "schedule-sum",
                      f"the schedule adds up to {total}, but fixed_price.amount is {fp.amount}; "
                      f"make them equal (difference {fp.amount - total})", key=True)


@check("block-dates")
def block_dates(repo: Repo) -> Iterator[Diagnostic]:
    for c in repo.contracts.values():
        dated: list[tuple[tuple, date, str]] = []
        if c.block_hours is not None:
            dated += [(("block_hours", "blocks", i, "date"), b.date, "a block")
                      for i, b in enumerate(c.block_hours.blocks)]
        if c.per_ticket is not None:
            dated += [(("per_ticket", "purchases", i, "date"), p.date, "a ticket bundle")
                      for i, p in enumerate(c.per_ticket.purchases)]
        if c.fixed_price is not None and "schedule" in (c.doc.data.get("fixed_price") or {}):
            dated += [(("fixed_price", "schedule", i, "date"), s.date, "a scheduled amount")
                      for i, s in enumerate(c.fixed_price.schedule)]
        for path, day, what in dated:
            if day < c.start or (c.end is not None and day > c.end):
                yield _at(c.doc, path, "block-dates",
                          f"{what} dated {day} falls outside the contract ({c.start} to "
                          f"{c.end or 'open-ended'}); date it within the contract or change the "
                          "contract dates")
        if c.block_hours is None:
            continue
        for i, b in enumerate(c.block_hours.blocks):
            if b.expires is not None and b.expires < b.date:
                yield _at(c.doc, ("block_hours", "blocks", i, "expires"), "block-dates",
                          f"block expires {b.expires}, before it was bought on {b.date}; "
                          "set expires on or after the purchase date, or remove it to use "
                          "the contract end")


@check("sla-calendar")
def sla_calendars(repo: Repo) -> Iterator[Diagnostic]:
    try:
        from .sla import CalendarError, Calendar
    except ImportError:  # pragma: no cover - the SLA package is optional at load time
        return
    for sla in repo.slas.values():
        try:
            calendar = Calendar.from_spec(sla.calendar)
        except CalendarError as exc:
            for problem in exc.problems:
                yield _at(sla.doc, ("calendar",) + tuple(problem.path), "sla-calendar",
                          problem.message)
            continue
        if not calendar.is_24x7:
            for priority, target in sla.targets.items():
                for which, text in (("response", target.response_text),
                                    ("resolution", target.resolution_text)):
                    if text.strip().endswith("d"):
                        yield _at(sla.doc, ("targets", priority, which), "sla-days", (
                            f"{text} counts 24-hour days, but this calendar is not 24x7, so the clock "
                            f"only runs in business hours; write the target in hours (e.g. "
                            f"{int(target.response if which == 'response' else target.resolution) // 60}h)"),
                            severity=WARNING)


@check("rules")
def rule_programs(repo: Repo) -> Iterator[Diagnostic]:
    """Parse each contract's pricing: block and type-check its whole program."""
    from .rules import check_program
    for c in repo.contracts.values():
        statements, diags = contract_program(repo, c)
        yield from diags
        if statements:
            yield from check_program(statements,
                                     work_types=_work_types(repo, c),
                                     device_types=())


def contract_program(repo: Repo, c: Contract) -> tuple[tuple, list[Diagnostic]]:
    """A contract's statements, as billing applies them: its named rules in the
    listed order, then its pricing: block; plus the pricing block's parse problems."""
    statements: list = []
    for ref in c.rules:
        rule = repo.rules.get(ref.name)
        if rule is not None:
            statements.extend(rule.statements)
    pricing, diags = parse_contract_pricing(c)
    return tuple(statements) + tuple(pricing), diags


_PRICING_CACHE: dict[tuple, tuple[tuple, tuple[Diagnostic, ...]]] = {}


def parse_contract_pricing(c: Contract) -> tuple[tuple, list[Diagnostic]]:
    """Parsed once per distinct text and position (revenue previews many months)."""
    from .rules import parse_pricing
    if not c.pricing:
        return (), []
    first_line, indent = c.doc.text_origin(("pricing",))
    key = (c.doc.file, first_line, indent, c.pricing)
    if key not in _PRICING_CACHE:
        statements, diags = parse_pricing(c.pricing, c.doc.file, first_line, indent)
        _PRICING_CACHE[key] = (statements, tuple(diags))
    statements, diags = _PRICING_CACHE[key]
    return statements, list(diags)


def _work_types(repo: Repo, c: Contract) -> tuple[str, ...]:
    names: set[str] = set(c.labor.multipliers)
    for card in repo.rate_cards.values():
        names.update(card.work_types)
    return tuple(sorted(names))
