"""`python -m skill ...`"""

from .cli import cli

cli(prog_name="python -m skill")
