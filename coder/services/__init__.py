"""Use cases that join the pure core to the store; the CLI and the app both call these."""
