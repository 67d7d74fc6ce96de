"""``newsctl rules``: the rules of validate, listed or explained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from newsctl.cli.options import FormatChoice, quiet_option

if TYPE_CHECKING:
    from newsctl.validate.rules import Rule

FIXABLE = {"safe": "yes (--fix)", "unsafe": "yes (--fix --unsafe-fixes)", None: "no"}
FIX_COLUMN = {"safe": "fix", "unsafe": "unsafe-fix", None: ""}


@click.command("rules")
@click.argument("code", required=False)
@click.option(
    "--format", "fmt", type=FormatChoice(["text", "tsv", "json"]), default="text", show_default=True,
    help="text: a table on a terminal, tab-separated on a pipe; tsv: tab-separated anyway; json.",
)  # fmt: skip
@quiet_option  # nothing to silence: accepted as on every command
def rules_command(code: str | None, fmt: str) -> None:
    """List the rules of `newsctl validate`, or explain one (`newsctl rules NC206`)."""
    import json

    from newsctl.output.formats import stdout_is_tty
    from newsctl.validate.rules import RULES

    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise click.BadParameter(f"no rule {code!r}; `newsctl rules` lists them", param_hint="CODE")
        if fmt == "json":
            click.echo(json.dumps(_rule_record(rule), ensure_ascii=False, indent=2))
            return
        click.echo(f"{rule.code} ({rule.name}): {rule.summary}\n")
        click.echo(f"Severity: {rule.severity}. Fixable: {FIXABLE[rule.fix]}.\n")
        click.echo(rule.explanation + "\n")
        click.echo("Bad:\n" + _indent(rule.bad) + "\nGood:\n" + _indent(rule.good))
        return
    if fmt == "json":
        click.echo(json.dumps([_rule_record(r) for r in RULES.values()], ensure_ascii=False, indent=2))
        return
    if fmt == "text" and stdout_is_tty():
        _print_table(list(RULES.values()))
        return
    for rule in RULES.values():
        click.echo(f"{rule.code}\t{rule.severity}\t{FIX_COLUMN[rule.fix]}\t{rule.name}\t{rule.summary}")


def _print_table(rules: list[Rule]) -> None:
    """The rules for a person at a terminal: aligned columns, the severity in its colour."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    styles = {"error": "red", "warning": "yellow", "info": "blue"}
    table = Table(box=None, header_style="bold", pad_edge=False)
    # A narrow terminal wraps the name and the summary, never cuts a code, severity or fix.
    table.add_column("code", style="bold", no_wrap=True, min_width=5)
    table.add_column("severity", no_wrap=True, min_width=7)
    table.add_column("fix", no_wrap=True, min_width=10)
    table.add_column("name", overflow="fold")
    table.add_column("summary", min_width=16)
    for rule in rules:
        table.add_row(
            Text(rule.code), Text(rule.severity, style=styles[rule.severity]), Text(FIX_COLUMN[rule.fix]),
            Text(rule.name), Text(rule.summary),
        )  # fmt: skip
    Console(highlight=False, emoji=False).print(table)


def _rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity, "fix": rule.fix,
        "summary": rule.summary, "explanation": rule.explanation, "bad": rule.bad, "good": rule.good,
    }  # fmt: skip


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())
