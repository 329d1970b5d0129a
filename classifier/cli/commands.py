"""Import every command module so each registers itself on the typer app."""

from classifier.cli import prepare  # noqa: F401
