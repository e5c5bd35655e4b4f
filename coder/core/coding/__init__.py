"""Coding rules: layers (final codes, disagreements), filters, codings files."""
