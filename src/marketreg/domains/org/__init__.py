"""Org units (jurisdiction tree), users, roles and sign-in."""
