"""Code tied to private parts of the pinned Dagster, dagster-dbt, dbt and Python.

Each module here leans on something its library does not promise to keep: a private module, a
private attribute, an internal option. Nothing outside this package may do so
(``tests/unit/test_platform_private_apis.py``), and ``tests/unit/test_platform_contracts.py``
fails by the shim's name when an upgrade changes what it relies on. Every shim says in its
docstring what it saves, measured with and without it, or why it is needed at all.

Importing the package imports none of its modules, and each module imports only its own library,
so ``make run`` with nothing to do still ends before Dagster or dbt is imported.
"""
