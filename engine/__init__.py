"""tenor's engine: load -> validate -> evaluate -> report.

Importing the package installs tenor's Decimal context (see ``engine.number``):
enough precision, half-up rounding, and float operations trapped.
"""
from . import number as _number  # noqa: F401  (sets the decimal context)
