"""`python -m iupjong_xl` runs the command-line interface."""

from iupjong_xl.cli import main

if __name__ == "__main__":  # a spawned worker process (Windows, macOS) imports this module again: no second run
    main()
