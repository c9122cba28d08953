"""Browser tests (a package, so that this folder's conftest does not replace ``tests/conftest.py``
as the ``conftest`` module that other test modules import from)."""
