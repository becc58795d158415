"""The rule book folder. Installed as the package data `iupjong_xl.rulebook.data` (see pyproject.toml)."""
