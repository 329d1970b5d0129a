"""The one error type users see: a one-line message, no traceback."""


class InputError(Exception):
    """Bad input or arguments. The CLI prints the message and exits with status 1."""


class InputWarning(UserWarning):
    """A problem in the input that does not stop the work (a line that is skipped, say). The CLI prints it as
    one warning line; in Python it is an ordinary warning."""
