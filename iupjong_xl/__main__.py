"""`python -m iupjong_xl` runs the command-line interface."""

from iupjong_xl.cli import main

main()
