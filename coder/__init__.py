"""Coding the free-text answers of surveys."""
__version__ = "0.1.0"
