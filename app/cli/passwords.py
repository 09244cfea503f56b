"""Reading a password for a CLI command: never an argument (arguments end up in shell history and `ps` output)."""

import sys

import click


def read_password() -> str:
    """Prompt twice, hidden, on a terminal (the prompt on stderr); else read one line from standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return sys.stdin.readline().rstrip("\r\n")
