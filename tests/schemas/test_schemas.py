"""The four document schemas and tenor's custom formats.

Documents are written the way the YAML loader hands them over: numbers as
Decimals, dates and percentages as strings.
"""
from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import given, strategies as st
from jsonschema import Draft202012Validator, ValidationError

from engine.formats import FORMAT_CHECKER, FormatProblem, format_problem, friendly_message, make_validator

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
KINDS = {"RateCard": "ratecard", "Catalog": "catalog", "SLA": "sla", "Contract": "contract"}
D = Decimal


def load(name: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as fh:
        return json.load(fh)


VALIDATORS = {kind: Draft202012Validator(load(name), format_checker=FORMAT_CHECKER)
              for kind, name in KINDS.items()}


def errors(doc: dict[str, Any]) -> list[ValidationError]:
    return sorted(VALIDATORS[doc["kind"]].iter_errors(doc), key=lambda e: list(e.path))


def only_error(doc: dict[str, Any]) -> ValidationError:
    errs = errors(doc)
    assert len(errs) == 1, [e.message for e in errs]
    return errs[0]


# ----------------------------------------------------------------- SPEC examples
RATECARD = {
    "apiVersion": "tenor/v1", "kind": "RateCard", "id": "standard", "default": True,
    "currency": "USD",
    "roles": {"technician": D("110"), "engineer": D("150"), "senior_engineer": D("185")},
    "default_rate": D("150"),
    "work_types": {"remote": D("1.0"), "onsite": D("1.25"), "after_hours": D("1.5"),
                   "project": D("1.0")},
}

CATALOG = {
    "apiVersion": "tenor/v1", "kind": "Catalog", "id": "products",
    "products": [
        {"sku": "M365-BP", "name": "Microsoft 365 Business Premium", "price": D("22.00"),
         "category": "licensing"},
        {"sku": "SRV-DL380", "name": "HPE DL380 server", "price": D("7400.00"),
         "category": "hardware"},
    ],
}

SLA = {
    "apiVersion": "tenor/v1", "kind": "SLA", "id": "gold", "name": "Gold",
    "calendar": {"timezone": "America/New_York",
                 "hours": {"mon-fri": "08:00-18:00", "sat": "09:00-13:00"},
                 "holidays": ["2026-11-26", "2026-12-25"]},
    "targets": {"critical": {"response": "30m", "resolution": "8h"},
                "high": {"response": "1h", "resolution": "24h"},
                "medium": {"response": "4h", "resolution": "48h"},
                "low": {"response": "8h", "resolution": "120h"}},
    "pause_statuses": ["waiting_customer", "on_hold"],
    "warn_at": "75%",
}

CONTRACT = {
    "apiVersion": "tenor/v1", "kind": "Contract", "id": "acme-managed", "customer": "acme",
    "name": "Acme Managed Services", "type": "recurring", "status": "active",
    "start": "2026-01-01", "end": "2026-12-31", "default": True, "number": "C-1042",
    "purchase_order": "PO-7", "description": "Managed services for Acme",
    "estimated_revenue": D("24000.00"), "estimated_hours": D("120"),
    "renewal": {"auto": True, "notice_days": D("90")},
    "sla": "gold",
    "billing": {"frequency": "monthly", "terms": "net30", "tax_exempt": False},
    "labor": {
        "rate_card": "standard",
        "rates": [{"role": "engineer", "rate": D("140")},
                  {"role": "engineer", "work_type": "onsite", "rate": D("160")},
                  {"ticket": "T-1042", "rate": D("100")},
                  {"role": "technician", "rate": "90%"}],
        "multipliers": {"after_hours": D("1.75")},
        "rounding": {"increment": D("0.25"), "mode": "up"},
        "minimum": D("0.5"),
        "approval": "required",
        "exclusions": {"work_types": ["project"], "roles": []},
    },
    "services": [{"id": "helpdesk", "name": "Help Desk", "price": D("1200.00"), "quantity": D("1")},
                 {"id": "rmm", "name": "RMM agent", "price": D("5.00"), "per": "device"},
                 {"id": "edr", "name": "EDR", "price": D("7.50"), "per": "device:workstation"},
                 {"id": "m365-support", "name": "User support", "price": D("12"), "per": "user"}],
    "fixed_price": {"amount": D("18000.00"),
                    "schedule": [{"date": "2026-01-01", "amount": D("6000.00"), "label": "Deposit"},
                                 {"date": "2026-06-01", "amount": D("12000.00")}]},
    "block_hours": {"blocks": [{"date": "2026-01-01", "hours": D("20"), "price": D("2800.00"),
                                "expires": "2026-06-30"},
                               {"date": "2026-07-01", "hours": D("10.5"), "price": D("1470.00")}],
                    "overage_rate": D("165.00"), "alert_at": "75%",
                    "opening_balance": {"as_of": "2025-12-31", "hours": D("3.25")}},
    "retainer": {"hours": D("10"), "fee": D("1500.00"), "unused": "rollover_capped",
                 "rollover_limit": D("5"), "overage_rate": D("150.00")},
    "per_ticket": {"fee": D("95.00"),
                   "purchases": [{"date": "2026-01-01", "tickets": D("10"), "price": D("850.00")}]},
    "devices": [{"type": "workstation", "rate": D("45.00"), "minimum": D("10")},
                {"type": "server", "rate": D("150.00")}],
    "price_overrides": [{"product": "M365-BP", "price": D("20.00"), "effective": "2026-10-15"},
                        {"category": "hardware", "discount": "10%"},
                        {"product": "SRV-DL380", "discount": "5.5%", "effective": "2026-01-01"}],
    "blocklist": [{"product": "SRV-DL380"}, {"category": "gaming"}],
    "rules": ["device-tiers", "labor-volume"],
    "pricing": "discount labor by 10% when hours > 40\n",
}

EXAMPLES = [RATECARD, CATALOG, SLA, CONTRACT]


def with_(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``doc`` with the node at ``path`` replaced (or added)."""
    new = copy.deepcopy(doc)
    node = new
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return new


def without(doc: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    node = new
    for step in path[:-1]:
        node = node[step]
    del node[path[-1]]
    return new


# ----------------------------------------------------------------- the schemas themselves
@pytest.mark.parametrize("name", sorted(KINDS.values()))
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://tenor.dev/schemas/{name}.schema.json"


def walk(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema (dict) in a schema, with a JSON-pointer-like location."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            if key in ("examples", "default", "const", "enum"):
                continue  # data, not schemas
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


@pytest.mark.parametrize("name", sorted(KINDS.values()))
def test_every_property_has_a_description(name: str) -> None:
    missing = [f"{where}/properties/{prop}"
               for where, sub in walk(load(name))
               for prop, prop_schema in sub.get("properties", {}).items()
               if isinstance(sub.get("properties"), dict)
               and not (isinstance(prop_schema, dict) and prop_schema.get("description"))]
    assert missing == []


@pytest.mark.parametrize("name", sorted(KINDS.values()))
def test_every_object_closes_its_keys_and_no_multiple_of(name: str) -> None:
    records_open, bad = [], []
    for where, sub in walk(load(name)):
        if sub.get("type") == "object" and "additionalProperties" not in sub:
            records_open.append(where)
        if "properties" in sub and sub.get("additionalProperties") is not False:
            records_open.append(where)
        if "multipleOf" in sub or sub.get("type") == "integer":
            bad.append(where)  # Decimal money breaks both
    assert records_open == [] and bad == []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_kind_and_api_version_are_fixed(kind: str) -> None:
    schema = load(KINDS[kind])
    assert schema["properties"]["kind"]["const"] == kind
    assert schema["properties"]["apiVersion"]["const"] == "tenor/v1"
    assert {"apiVersion", "kind", "id"} <= set(schema["required"])


# ----------------------------------------------------------------- good documents
@pytest.mark.parametrize("doc", EXAMPLES, ids=lambda d: d["kind"])
def test_spec_examples_pass(doc: dict[str, Any]) -> None:
    assert errors(doc) == []


def test_make_validator_checks_formats() -> None:
    v = make_validator(load("catalog"))
    bad = with_(CATALOG, ("products", 0, "price"), D("-1"))
    assert [e.validator for e in v.iter_errors(bad)] == ["format"]


@pytest.mark.parametrize("hours", [
    "24x7",
    {"mon-fri": ["08:00-12:00", "13:00-17:00"]},
    {"mon": "00:00-24:00", "sun": "10:00-14:00"},
    {"fri-mon": "20:00-24:00"},
])
def test_sla_hours_forms(hours: Any) -> None:
    assert errors(with_(SLA, ("calendar", "hours"), hours)) == []


def test_minimal_documents_pass() -> None:
    assert errors({"apiVersion": "tenor/v1", "kind": "RateCard", "id": "r"}) == []
    assert errors({"apiVersion": "tenor/v1", "kind": "Catalog", "id": "c", "products": []}) == []
    minimal = {"apiVersion": "tenor/v1", "kind": "Contract", "id": "x", "customer": "acme",
               "type": "time_and_materials", "status": "active",
               "start": "2026-01-01", "end": "2026-12-31"}
    assert errors(minimal) == []
    money_retainer = {"amount": D("2000.00"), "fee": D("1800"), "unused": "forfeit"}
    assert errors({**minimal, "type": "retainer", "retainer": money_retainer}) == []


def test_money_keeps_four_places_and_trailing_zeros() -> None:
    assert errors(with_(CATALOG, ("products", 0, "price"), D("0.0125"))) == []
    assert errors(with_(CATALOG, ("products", 0, "price"), D("22.000000"))) == []
    assert errors(with_(CATALOG, ("products", 0, "price"), D("0"))) == []


# ----------------------------------------------------------------- bad documents
def test_unknown_key_is_reported_with_its_name() -> None:
    err = only_error(with_(CONTRACT, ("custmer",), "acme"))
    assert err.validator == "additionalProperties" and "'custmer'" in err.message


def test_unknown_key_in_nested_object() -> None:
    err = only_error(with_(CONTRACT, ("labor", "rounding", "step"), D("0.25")))
    assert err.validator == "additionalProperties"
    assert list(err.path) == ["labor", "rounding"]


@pytest.mark.parametrize("path,value", [
    (("type",), "monthly"),
    (("status",), "paused"),
    (("billing", "frequency"), "weekly"),
    (("labor", "rounding", "mode"), "ceiling"),
    (("labor", "approval"), "yes"),
    (("retainer", "unused"), "keep"),
])
def test_bad_enum(path: tuple[str, ...], value: str) -> None:
    err = only_error(with_(CONTRACT, path, value))
    assert err.validator == "enum" and tuple(err.path) == path


@pytest.mark.parametrize("value", ["2026-02-30", "20260101", "2026-1-5", "01/05/2026"])
def test_bad_date(value: str) -> None:
    err = only_error(with_(CONTRACT, ("start",), value))
    assert err.validator == "format" and err.validator_value == "date"
    assert "YYYY-MM-DD" in friendly_message(err) or "real calendar date" in friendly_message(err)


def test_bad_holiday_date() -> None:
    err = only_error(with_(SLA, ("calendar", "holidays"), ["2026-13-01"]))
    assert list(err.path) == ["calendar", "holidays", 0] and err.validator == "format"


@pytest.mark.parametrize("path", [
    ("services", 0, "price"), ("fixed_price", "amount"), ("devices", 0, "rate"),
    ("block_hours", "overage_rate"), ("estimated_revenue",),
])
def test_negative_money(path: tuple[Any, ...]) -> None:
    err = only_error(with_(CONTRACT, path, D("-5.00")))
    assert err.validator == "format" and err.validator_value == "money"
    assert tuple(err.path) == path
    assert friendly_message(err).startswith("-5.00 is negative")


def test_money_with_five_places() -> None:
    err = only_error(with_(RATECARD, ("roles", "engineer"), D("150.12345")))
    assert err.validator_value == "money"
    assert friendly_message(err) == ("150.12345 has 5 decimal places; a money amount allows "
                                     "at most 4 (e.g. 125.50)")


def test_money_must_be_a_number_not_text() -> None:
    err = only_error(with_(CATALOG, ("products", 0, "price"), "22.00"))
    assert err.validator == "type"


@pytest.mark.parametrize("value", ["10", "-5%", "ten%", "1e1%", "10 %", "150%"])
def test_bad_percent(value: str) -> None:
    err = only_error(with_(CONTRACT, ("price_overrides", 1, "discount"), value))
    assert err.validator == "format" and err.validator_value == "percent-100"


def test_percent_as_number_is_a_type_error() -> None:
    err = only_error(with_(SLA, ("warn_at",), D("0.75")))
    assert err.validator == "type"


def test_rate_accepts_over_100_percent_but_not_words() -> None:
    assert errors(with_(CONTRACT, ("labor", "rates", 3, "rate"), "125%")) == []
    err = only_error(with_(CONTRACT, ("labor", "rates", 3, "rate"), "ninety"))
    assert err.validator_value == "money-or-percent"


@pytest.mark.parametrize("value", ["30", "30 min", "1w", "0m", "-1h", "h"])
def test_bad_duration(value: str) -> None:
    err = only_error(with_(SLA, ("targets", "high", "response"), value))
    assert err.validator == "format" and err.validator_value == "duration"
    assert list(err.path) == ["targets", "high", "response"]


def test_bad_timezone_suggests_the_right_one() -> None:
    err = only_error(with_(SLA, ("calendar", "timezone"), "America/NewYork"))
    assert err.validator_value == "timezone"
    assert "did you mean 'America/New_York'?" in friendly_message(err)
    assert only_error(with_(SLA, ("calendar", "timezone"), "EST5EDT ")).validator == "format"
    assert only_error(with_(SLA, ("calendar", "timezone"), "../etc/passwd")).validator == "format"


@pytest.mark.parametrize("value", ["18:00-08:00", "08:00-08:00", "8:00-17:00", "08:00-24:30",
                                   "24:00-24:00", "08:60-09:00", "08:00 - 17:00"])
def test_bad_time_range(value: str) -> None:
    err = only_error(with_(SLA, ("calendar", "hours", "mon-fri"), value))
    assert err.validator == "format" and err.validator_value == "time-range"


def test_bad_time_range_inside_a_list() -> None:
    err = only_error(with_(SLA, ("calendar", "hours", "mon-fri"), ["08:00-12:00", "13:00-12:00"]))
    assert list(err.path) == ["calendar", "hours", "mon-fri", 1]
    assert "ends before it starts" in friendly_message(err)


@pytest.mark.parametrize("hours,validator", [
    ("9to5", "pattern"), ({"monday": "08:00-17:00"}, "pattern"), ({}, "minProperties"),
    ({"mon": []}, "minItems"), (D("24"), "type"),
])
def test_bad_business_hours(hours: Any, validator: str) -> None:
    err = only_error(with_(SLA, ("calendar", "hours"), hours))
    assert err.validator == validator


def test_unknown_priority_is_an_unknown_key() -> None:
    err = only_error(with_(SLA, ("targets", "urgent"), {"response": "1h"}))
    assert err.validator == "additionalProperties"


def test_bad_ids_and_kind() -> None:
    err = only_error(with_(CONTRACT, ("id",), "Acme Managed"))
    assert err.validator == "pattern" and "lower-case" in friendly_message(err)
    wrong_kind = VALIDATORS["Contract"].iter_errors(with_(CONTRACT, ("kind",), "SLA"))
    assert [e.validator for e in wrong_kind] == ["const"]
    err = only_error(with_(RATECARD, ("apiVersion",), "tenor/v2"))
    assert err.validator == "const" and friendly_message(err) == "apiVersion must be tenor/v1"


def test_name_longer_than_100_characters() -> None:
    assert errors(with_(CONTRACT, ("name",), "x" * 100)) == []
    assert only_error(with_(CONTRACT, ("name",), "x" * 101)).validator == "maxLength"


def test_required_contract_fields() -> None:
    err = only_error(without(CONTRACT, ("customer",)))
    assert err.validator == "required" and "'customer'" in err.message


def test_counts_must_be_whole() -> None:
    err = only_error(with_(CONTRACT, ("per_ticket", "purchases", 0, "tickets"), D("2.5")))
    assert err.validator_value == "count"
    assert only_error(with_(CONTRACT, ("renewal", "notice_days"), True)).validator == "type"


def test_string_fields_refuse_numbers_and_booleans() -> None:
    assert only_error(with_(CONTRACT, ("number",), D("1042"))).validator == "type"
    assert only_error(with_(CONTRACT, ("customer",), False)).validator == "type"


def test_bad_service_per() -> None:
    err = only_error(with_(CONTRACT, ("services", 1, "per"), "devices"))
    assert err.validator == "pattern" and "device:TYPE" in friendly_message(err)


def test_rounding_increment_must_be_positive() -> None:
    assert only_error(with_(CONTRACT, ("labor", "rounding", "increment"), D("0"))).validator \
        == "exclusiveMinimum"


# ----------------------------------------------------------------- exclusive alternatives
def test_service_with_quantity_and_per() -> None:
    err = only_error(with_(CONTRACT, ("services", 1, "quantity"), D("2")))
    assert err.validator == "not" and list(err.path) == ["services", 1]
    assert "not both" in friendly_message(err)


def test_retainer_needs_exactly_one_of_hours_and_amount() -> None:
    both = with_(CONTRACT, ("retainer", "amount"), D("1000"))
    neither = without(CONTRACT, ("retainer", "hours"))
    for doc in (both, neither):
        err = only_error(doc)
        assert err.validator == "oneOf" and list(err.path) == ["retainer"]
        assert "exactly one of `hours` and `amount`" in friendly_message(err)


def test_price_override_alternatives() -> None:
    # product + category + price: two products/categories AND a category with a price
    errs = errors(with_(CONTRACT, ("price_overrides", 0, "category"), "licensing"))
    assert sorted(e.validator for e in errs) == ["not", "oneOf"]
    assert "a price override names exactly one of `product` (a SKU) or `category`" in {
        friendly_message(e) for e in errs}
    # category + discount + price: price and discount both given, and a category with a price
    errs = errors(with_(CONTRACT, ("price_overrides", 1, "price"), D("9")))
    assert sorted(e.validator for e in errs) == ["not", "oneOf"]
    err = only_error(without(CONTRACT, ("price_overrides", 0, "price")))
    assert "exactly one of a fixed `price` or a `discount`" in friendly_message(err)
    err = only_error(with_(CONTRACT, ("price_overrides", 1), {"category": "hardware",
                                                               "price": D("5")}))
    assert err.validator == "not" and "needs a product SKU" in friendly_message(err)


def test_blocklist_entry_names_one_thing() -> None:
    err = only_error(with_(CONTRACT, ("blocklist", 0), {"product": "A", "category": "b"}))
    assert err.validator == "oneOf" and list(err.path) == ["blocklist", 0]
    assert only_error(with_(CONTRACT, ("blocklist", 0), {})).validator == "oneOf"


def test_rate_needs_a_selector() -> None:
    err = only_error(with_(CONTRACT, ("labor", "rates", 0), {"rate": D("140")}))
    assert err.validator == "anyOf" and "at least one of" in friendly_message(err)


# ----------------------------------------------------------------- formats directly
def test_format_checker_raises_with_message() -> None:
    with pytest.raises(Exception) as info:
        FORMAT_CHECKER.check(D("-1"), "money")
    assert isinstance(info.value.cause, FormatProblem)


@pytest.mark.parametrize("name,value", [
    ("money", "text"), ("money", True), ("percent", D("10")), ("duration", D("30")),
    ("timezone", None), ("time-range", ["x"]), ("date", D("2026")), ("count", "3"),
])
def test_formats_ignore_types_they_do_not_concern(name: str, value: Any) -> None:
    assert format_problem(name, value) is None
    assert FORMAT_CHECKER.conforms(value, name)


def test_formats_refuse_floats_and_nan() -> None:
    assert "floating-point" in format_problem("money", 1.5)
    assert format_problem("quantity", D("NaN")) is not None
    assert format_problem("money", D("Infinity")) is not None


def test_standard_formats_still_work() -> None:
    assert not FORMAT_CHECKER.conforms("not an email", "email")
    assert FORMAT_CHECKER.conforms("a@b.example", "email")


@given(cents=st.integers(min_value=0, max_value=10**12 - 1), places=st.integers(0, 4))
def test_money_accepts_any_non_negative_amount_up_to_four_places(cents: int, places: int) -> None:
    value = Decimal(cents).scaleb(-places)
    assert format_problem("money", value) is None
    assert format_problem("money", -value if value else D("-0.0001")) is not None


@pytest.mark.parametrize("text", ["1000000000000", "1000000000000.00", "99999999999999999999"])
def test_money_refuses_a_trillion_or_more(text: str) -> None:
    problem = format_problem("money", D(text))
    assert problem is not None and "too large" in problem
    assert format_problem("money", D("999999999999.9999")) is None


@given(units=st.integers(min_value=1, max_value=10**6), extra=st.integers(1, 9))
def test_money_refuses_a_fifth_decimal_place(units: int, extra: int) -> None:
    value = Decimal(units).scaleb(-4) + Decimal(extra).scaleb(-5)
    assert "decimal places" in format_problem("money", value)


@given(start=st.integers(0, 24 * 60 - 1), end=st.integers(1, 24 * 60))
def test_time_range_valid_iff_start_before_end(start: int, end: int) -> None:
    text = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    assert (format_problem("time-range", text) is None) == (start < end)
