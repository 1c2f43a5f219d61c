"""The ``survey`` command: a Flask CLI group, so ``flask --app survey ...`` works as well.

Commands are thin: they call the same functions the web app uses and translate failures
into messages and exit codes at this edge.
"""

from __future__ import annotations

import json
import sys

import click
from flask.cli import FlaskGroup

from survey.questionnaire import load_file
from survey.questionnaire.outline import outline
from survey.questionnaire.schema import json_schema


@click.command("validate", help="Check questionnaire files and print every problem found.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate_command(paths: tuple[str, ...], strict: bool) -> None:
    errors = warnings = 0
    for path in paths:
        result = load_file(path)
        for problem in result.problems:
            click.echo(str(problem))
        errors += len(result.errors)
        warnings += len(result.warnings)
        if result.ok:
            q = result.questionnaire
            assert q is not None
            click.echo(
                f"{path}: ok ({q.id} version {q.version}: {len(q.questions)} questions, "
                f"{len(q.items)} likert items, {len(q.indexes)} indexes)",
                err=True,
            )
    click.echo(f"{len(paths)} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


@click.command("schema", help="Print the JSON Schema of the questionnaire format.")
def schema_command() -> None:
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@click.command("show", help="Print a questionnaire's outline: pages, questions, who sees what.")
@click.argument("path", type=click.Path(dir_okay=False))
def show_command(path: str) -> None:
    result = load_file(path)
    if result.questionnaire is None:
        for problem in result.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{path} has errors; run 'survey validate {path}'")
    click.echo(outline(result.questionnaire))


COMMANDS = (validate_command, schema_command, show_command)


def _create_app():
    from survey import create_app

    return create_app()


main = FlaskGroup(
    name="survey",
    create_app=_create_app,
    add_version_option=False,
    help="Questionnaire engine for municipal quality work.",
)
