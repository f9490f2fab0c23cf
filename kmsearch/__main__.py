"""`python -m kmsearch` runs the CLI."""

from kmsearch.cli import main

main()
