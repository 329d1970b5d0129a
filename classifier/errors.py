"""The one error type users see: a one-line message, no traceback."""


class InputError(Exception):
    """Bad input or arguments. The CLI prints the message and exits with status 1."""
