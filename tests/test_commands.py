"""The README's command table and `casebook … --help` come from one table (doors/commands.py) and agree."""
import argparse
import re

from conftest import ROOT

from casebook.doors import cli, commands


def leaves(parser: argparse.ArgumentParser, words=()) -> dict[tuple, argparse.ArgumentParser]:
    """Every runnable command (`export site`, not `export`) with its parser."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return {words: parser}
    return {k: v for name, sub in groups[0].choices.items() for k, v in leaves(sub, (*words, name)).items()}


def row_command(usage: str, known: dict) -> tuple:
    words = tuple(usage.split()[1:])
    return max((k for k in known if words[:len(k)] == k), key=len, default=None)


def test_the_readme_table_is_the_command_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `casebook ")]
    assert "\n".join(rows) == commands.markdown(), "regenerate: python -m casebook.doors.commands"


def test_every_command_has_a_row_and_every_row_names_a_real_command_and_options():
    known = leaves(cli.parser())
    described = {row_command(usage, known) for usage, _ in commands.ROWS}
    assert None not in described, "a README row names a command that does not exist"
    assert described == set(known), f"commands without a README row: {set(known) - described}"
    for usage, _ in commands.ROWS:
        options = {o for a in known[row_command(usage, known)]._actions for o in a.option_strings}
        named = set(re.findall(r"--[a-z][a-z-]*", usage))
        assert named <= options, f"{usage}: {named - options} not options of the command"


def test_help_says_what_the_readme_says(capsys):
    for words in leaves(cli.parser()):
        try:
            cli.main([*words, "--help"])
        except SystemExit:
            pass
        shown = " ".join(capsys.readouterr().out.split())
        for usage, text in commands.ROWS:
            if usage.split()[1:1 + len(words)] == list(words):
                assert " ".join(text.split()) in shown, (words, text[:40])


def test_the_check_sees_a_row_for_a_command_that_does_not_exist(monkeypatch):
    monkeypatch.setattr(commands, "ROWS", [*commands.ROWS, ("casebook publish", "…")])
    known = leaves(cli.parser())
    assert row_command("casebook publish", known) is None
