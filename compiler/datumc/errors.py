"""Exceptions that cross stage boundaries. Each maps to an exit code in the CLI."""

from __future__ import annotations


class DatumcError(Exception):
    """A problem the user can fix; printed as one line, exit 1."""


class UsageError(DatumcError):
    """Bad command-line usage; exit 2."""
