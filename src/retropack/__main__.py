"""``python -m retropack``: the same command line as ``retropack``."""

from retropack.cli import main

main(prog_name="retropack")
