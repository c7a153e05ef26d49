"""A small mutation tester of the project's pure modules: ``python -m tests.mutation.run``.

It changes one thing at a time in a module's code (an operator, a constant, a ``raise``) and runs
the module's unit tests against each change in a pytest process of its own; a change no test
notices is a defence no test holds in place. The working tree is never written: each mutant is
compiled from a snapshot of the source and loaded in the test process by an import hook
(``plugin.py``). ``mutants.py`` makes the mutants, ``run.py`` runs them and reports.
"""
