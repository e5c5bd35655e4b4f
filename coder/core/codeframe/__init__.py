"""Codeframes: the model (`model`), planned edits (`ops`), files (`files`, `refi`), code lookup."""
