"""``python -m formgen.cli``: the same as the ``formgen`` command."""

from formgen.cli import main

main()
