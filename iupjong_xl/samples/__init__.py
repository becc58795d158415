"""The deterministic sample corpus and the problem workbooks."""
