"""Research code behind the shipped models: experiment scripts, variant and soup builders, cross-fitting.

Not part of the installed package (``classifier/`` is what a user runs). Run from the checkout root, e.g.
``python research/crossfit_distill.py --help``; research/README.md says what each file is for.
"""
