"""Errors every stage may raise and the CLI knows how to print.

Kept at the bottom of the package (beside the model) so that evaluation code such as the
mutes loader can report a bad input without importing the collection layer.
"""

from __future__ import annotations


class ScanSetupError(Exception):
    """Bad input or credentials: the CLI prints it on one line and exits 2."""
