"""`python -m kg` runs the same command line as `kg`."""
from .cli import main

main()
