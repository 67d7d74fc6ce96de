"""``newsctl rules``: the rules of validate, listed or explained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from newsctl.cli.options import FormatChoice

if TYPE_CHECKING:
    from newsctl.validate.rules import Rule

FIXABLE = {"safe": "yes (--fix)", "unsafe": "yes (--fix --unsafe-fixes)", None: "no"}
FIX_COLUMN = {"safe": "fix", "unsafe": "unsafe-fix", None: ""}


@click.command("rules")
@click.argument("code", required=False)
@click.option("--format", "fmt", type=FormatChoice(["text", "json"]), default="text", show_default=True)
def rules_command(code: str | None, fmt: str) -> None:
    """List the rules of `newsctl validate`, or explain one (`newsctl rules NC206`)."""
    import json

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
    for rule in RULES.values():
        click.echo(f"{rule.code}\t{rule.severity}\t{FIX_COLUMN[rule.fix]}\t{rule.name}\t{rule.summary}")


def _rule_record(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code, "name": rule.name, "severity": rule.severity, "fix": rule.fix,
        "summary": rule.summary, "explanation": rule.explanation, "bad": rule.bad, "good": rule.good,
    }  # fmt: skip


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())
