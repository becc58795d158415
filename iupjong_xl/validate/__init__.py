"""Locating sheets and headers, tolerant coercion, pandera schemas, cross-field rules, findings."""
