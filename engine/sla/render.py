"""Renderers for ``tenor sla`` (SPEC 6 and 7): JSON, a terminal table, markdown.

Why the text forms show ``elapsed / target`` in one cell: a reader judges a
status by how close the two numbers are, so they belong side by side.
Problems (warnings about ticket rows) are not rendered here: the command
prints them to stderr as ``file:row: ...`` like every other diagnostic.
"""
from __future__ import annotations

import io
import json
from typing import Callable

from tabulate import tabulate

from engine.sla.evaluate import TargetResult
from engine.sla.report import ContractSla, SlaReport, TicketSla, to_json

TICKET_HEADERS = ["ticket", "customer", "contract", "sla", "priority", "response",
                  "resolution"]
CONTRACT_HEADERS = ["contract", "tickets", "response breaches", "resolution breaches",
                    "met %"]


def render_json(report: SlaReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


def _target_cell(result: TargetResult | None) -> str:
    """``50 / 30 min breached``; ``-`` when the ticket has no target."""
    if result is None:
        return "-"
    j = result.as_json()
    return f"{j['elapsed_minutes']} / {j['target_minutes']} min {j['status']}"


def _ticket_row(t: TicketSla) -> list[str]:
    return [t.id, t.customer, t.contract or "-", t.sla or "-", t.priority,
            _target_cell(t.response), _target_cell(t.resolution)]


def _contract_row(c: ContractSla) -> list[str]:
    return [c.contract, str(c.tickets), str(c.response_breaches), str(c.resolution_breaches),
            c.met_pct if c.met_pct is not None else "-"]


def render_table(report: SlaReport) -> str:
    out = io.StringIO()
    out.write(f"SLA report {report.month} (as of {report.as_of})\n\n")
    if report.tickets:
        out.write(tabulate([_ticket_row(t) for t in report.tickets], headers=TICKET_HEADERS,
                           disable_numparse=True))
        out.write("\n")
    else:
        out.write("No tickets created in this month.\n")
    if report.contracts:
        out.write("\nContracts\n")
        out.write(tabulate([_contract_row(c) for c in report.contracts],
                           headers=CONTRACT_HEADERS,
                           colalign=("left", "right", "right", "right", "right"),
                           disable_numparse=True))
        out.write("\n")
    return out.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: SlaReport) -> str:
    out = io.StringIO()
    out.write(f"# SLA report {report.month}\n\nAs of {_md(report.as_of)}.\n")
    if report.contracts:
        out.write("\n## Contracts\n\n")
        out.write(tabulate([[_md(cell) for cell in _contract_row(c)] for c in report.contracts],
                           headers=CONTRACT_HEADERS, tablefmt="github",
                           colalign=("left", "right", "right", "right", "right"),
                           disable_numparse=True))
        out.write("\n")
    out.write("\n## Tickets\n\n")
    if report.tickets:
        out.write(tabulate([[_md(cell) for cell in _ticket_row(t)] for t in report.tickets],
                           headers=TICKET_HEADERS, tablefmt="github", disable_numparse=True))
        out.write("\n")
    else:
        out.write("No tickets created in this month.\n")
    return out.getvalue()


RENDERERS: dict[str, Callable[[SlaReport], str]] = {
    "json": render_json, "table": render_table, "markdown": render_markdown}
