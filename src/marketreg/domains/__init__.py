"""Bounded contexts, one package each, all with the same file shape (DESIGN §4)."""
