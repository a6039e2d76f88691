"""Billing: the evaluate stage of ``tenor preview`` (SPEC 5)."""
from .engine import preview
from .period import Month
from .result import Balance, Held, Invoice, Line, Preview, Warning

__all__ = ["preview", "Month", "Balance", "Held", "Invoice", "Line", "Preview", "Warning"]
