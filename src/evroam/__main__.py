"""`python -m evroam` runs the CLI."""

from evroam.cli import main

main()
