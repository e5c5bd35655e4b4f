"""Coding rules: layers (final codes, disagreements), suggestions, filters, codings files."""
