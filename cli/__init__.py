"""Command line of the toolkit (``sozialraum``)."""
