"""Scenario files: schema, loader, library of YAML scenarios and data."""
