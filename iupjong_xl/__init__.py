"""iupjong-xl: validate, consolidate and report the annual Excel reports of Korea's SME cross-industry exchange clubs."""

__version__ = "0.1.0"
