"""``python -m dostyk``: the command line, as the ``dostyk`` script runs it."""

from dostyk.cli import app

app(prog_name="dostyk")
