"""Dash app comparing scenarios (see the dashboard issue)."""
