"""Import every command module so each registers itself on the typer app."""

from classifier.cli import prepare  # noqa: F401
from classifier.cli import classify  # noqa: F401
from classifier.cli import label, train  # noqa: F401
from classifier.cli import evaluate, report, calibrate  # noqa: F401
