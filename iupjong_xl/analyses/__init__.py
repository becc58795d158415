"""Analyses of consolidated data: company directory, partner matching, year-over-year trends."""
