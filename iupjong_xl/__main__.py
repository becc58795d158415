"""`python -m iupjong_xl` runs the command-line interface."""

from .cli import main

main()
