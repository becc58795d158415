"""Live checks inside the template, generated from the rule book: `plan` compiles the checks into formulas,
`write` puts them into a template, `readme` generates the README table of what is checked live and what by the
validator only (see plan's docstring for the layout of the formulas)."""

from iupjong_xl.outputs.livecheck.plan import (
    ERROR_CODE,
    NAME_ERRORS,
    NAME_WARNINGS,
    PARAM_SHEET,
    SHEET_LEVEL_KINDS,
    Check,
    Plan,
    SheetPlan,
    folded_formula,
    live_status,
    plan,
    render,
    typed_formula,
)
from iupjong_xl.outputs.livecheck.readme import readme_table
from iupjong_xl.outputs.livecheck.write import (
    Formats,
    formats,
    write_check_sheet,
    write_form,
    write_params,
    write_table,
)
from iupjong_xl.validate.layout import CHECK_HEADER, CHECK_SHEET

__all__ = ["CHECK_HEADER", "CHECK_SHEET", "ERROR_CODE", "NAME_ERRORS", "NAME_WARNINGS", "PARAM_SHEET",
           "SHEET_LEVEL_KINDS", "Check", "Formats", "Plan", "SheetPlan", "folded_formula", "formats", "live_status",
           "plan", "readme_table", "render", "typed_formula", "write_check_sheet", "write_form", "write_params",
           "write_table"]
