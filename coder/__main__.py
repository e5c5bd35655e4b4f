"""`python -m coder` runs the command line."""

from coder.cli import main

main()
