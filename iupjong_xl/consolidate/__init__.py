"""The consolidation model, merge by natural key, derived tables (indicators, funding), sheet definitions, readback."""
