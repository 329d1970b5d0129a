"""The ``stance`` command: each sub-command lives in its own module and calls one API function."""
