"""The CLI reference (docs/cli.md), made from the commands' own ``--help``: one place for the words."""

from __future__ import annotations

from typing import Any

# typer builds on its own copy of click: commands are handled by what they do, not by click's classes


def is_group(command) -> bool:
    return hasattr(command, "list_commands")


def walk(command, path: tuple[str, ...] = ()):
    """(name path, command) for the command and every sub-command, in the order ``--help`` lists them."""
    yield path, command
    if is_group(command):
        ctx = command.context_class(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), path + (name,))


def root_command() -> Any:
    import typer

    from classifier.cli.app import app  # each command's module is imported as ``walk`` reaches it

    return typer.main.get_command(app)


def missing_help(root=None) -> list[str]:
    """Every command and parameter that says nothing in ``--help``."""
    root = root or root_command()
    missing = []
    for path, command in walk(root):
        name = " ".join(("stance",) + path)
        if path and not (command.help or command.short_help):
            missing.append(f"{name}: no help text")
        for param in command.params:
            if param.name == "help":
                continue
            if not getattr(param, "help", None):
                label = param.opts[0] if param.param_type_name == "option" else param.name.upper()
                missing.append(f"{name} {label}: no help text")
    return missing


def reference_markdown(root=None) -> str:
    import typer.core

    root = root or root_command()
    rich, typer.core.HAS_RICH = typer.core.HAS_RICH, False  # plain text, as a terminal without colours shows it
    try:
        return _markdown(root)
    finally:
        typer.core.HAS_RICH = rich


def _markdown(root) -> str:
    lines = ["# CLI reference", "",
             "Made from each command's `--help` by `python -m classifier.cli.reference > docs/cli.md`; "
             "a test fails when it is stale or when a command or option has no help text.", ""]
    for path, command in walk(root):
        if is_group(command) and path:
            continue
        name = " ".join(("stance",) + path)
        with command.context_class(command, info_name=name, terminal_width=100, max_content_width=100) as ctx:
            text = command.get_help(ctx).replace("\\[", "[")  # an escaped bracket (rich markup) reads as one here
        lines += [f"## {name}" if path else "## stance", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(reference_markdown(), end="")
