"""``newsctl completion``: the shell's completion script, as click's variable prints it."""

from __future__ import annotations

import click

from newsctl.cli.options import quiet_option

SHELLS = ("bash", "zsh", "fish")
COMPLETE_VAR = "_NEWSCTL_COMPLETE"


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
@quiet_option  # nothing to silence: accepted as on every command
@click.pass_context
def completion_command(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    The same script as `_NEWSCTL_COMPLETE=bash_source newsctl` (zsh_source, fish_source) gives;
    README, "Shell completion", has the line to put in your shell's start-up file.
    """
    from click.shell_completion import get_completion_class

    complete_class = get_completion_class(shell)
    assert complete_class is not None  # click knows every shell of SHELLS
    root = ctx.find_root()
    prog_name = root.info_name or "newsctl"
    # As click writes it (bytes, no newline added), so the two are the same to the byte.
    click.echo(complete_class(root.command, {}, prog_name, COMPLETE_VAR).source().encode(), nl=False)
