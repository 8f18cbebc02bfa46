"""Benchmarks of the portal against the bare tools it is built on: ``make bench``.

Not tests: nothing here is collected by pytest (no ``test_*.py``), and no figure fails a build.
"""
