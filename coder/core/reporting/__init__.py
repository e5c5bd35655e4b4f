"""Reports and exports: the report model, its renderers, frequencies, quotes and redaction."""
