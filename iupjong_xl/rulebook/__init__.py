"""The rule book: loaded once per year from data (validation/ in the repository, shipped inside the package) into
plain dataclasses. `from iupjong_xl import rulebook; rulebook.load(2009)` is the usual entry."""

from iupjong_xl.rulebook.codes import CHECK_MEANINGS, codes_markdown
from iupjong_xl.rulebook.loader import (
    ENV_VAR,
    available_years,
    check_root,
    default_root,
    load,
    packaged_root,
    use_root,
)
from iupjong_xl.rulebook.model import (
    COLUMN_CHECKS,
    CONSOLIDATED_META,
    LANGS,
    META_SHEET,
    SEVERITIES,
    TYPES,
    Column,
    Indicator,
    MessageDef,
    Reference,
    ReportKind,
    Rule,
    RuleBook,
    Sheet,
    check_template,
    col_severity,
    column_checks,
)

__all__ = [
    "CHECK_MEANINGS", "COLUMN_CHECKS", "CONSOLIDATED_META", "ENV_VAR", "LANGS", "META_SHEET", "SEVERITIES", "TYPES",
    "Column", "Indicator", "MessageDef", "Reference", "ReportKind", "Rule", "RuleBook", "Sheet", "available_years",
    "check_root", "check_template", "codes_markdown", "col_severity", "column_checks", "default_root", "load",
    "packaged_root", "use_root",
]
