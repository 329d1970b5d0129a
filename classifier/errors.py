"""The one error type users see: a one-line message, no traceback."""


class InputError(Exception):
    """Bad input or arguments. The CLI prints the message and exits with status 1."""


class InputWarning(UserWarning):
    """A problem in the input that does not stop the work (a line that is skipped, say). The CLI prints it as
    one warning line; in Python it is an ordinary warning."""


def check_at_least(**limits: tuple) -> None:
    """``name=(value, least)``: each a whole number of at least ``least``, as the CLI's options are (the Python
    functions take the same arguments without the CLI's checks)."""
    from numbers import Integral

    for name, (value, least) in limits.items():
        if isinstance(value, bool) or not isinstance(value, Integral) or value < least:
            raise InputError(f"{name} {value!r}: expected a whole number of at least {least}")


def check_paths(**paths) -> None:
    """``name=value``: each a file path (str or ``os.PathLike``) or None, as the Python functions that read files
    take them; a DataFrame or a list is an ``InputError`` that says to write it to a file first."""
    import os

    for name, value in paths.items():
        if value is not None and not isinstance(value, (str, os.PathLike)):
            raise InputError(f"{name}: expected the path of a predictions file (.jsonl, .csv or .parquet); got "
                             f"{type(value).__name__} (write it to a file first, e.g. frame.to_parquet(path))")
