"""Composition root: the application factory, the CLI, start-up and demo data."""
