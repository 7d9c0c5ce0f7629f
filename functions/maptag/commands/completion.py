"""`maptag completion bash|zsh`: a shell completion script, generated from the parser itself.

    eval "$(maptag completion bash)"      # in ~/.bashrc
    eval "$(maptag completion zsh)"       # in ~/.zshrc (through zsh's bashcompinit)

Commands, subcommands and every flag complete; flags that take a file complete file names.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from maptag.commands import EXIT_OK

SHELLS = ("bash", "zsh")
FILE_METAVARS = ("FILE", "PATH", "DIR", "JOURNAL")


def register(commands: Any) -> None:
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script (bash or zsh)",
        description='Print a completion script: eval "$(maptag completion bash)" in ~/.bashrc, '
        'or eval "$(maptag completion zsh)" in ~/.zshrc.',
    )
    completion.add_argument("shell", choices=SHELLS, help="bash or zsh")
    completion.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.cli_parser, args.shell))
    return EXIT_OK


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion function for `parser`'s commands and flags, in bash (zsh loads it through
    bashcompinit)."""
    paths: dict[str, list[str]] = {}
    file_flags: set[str] = set()
    _walk(parser, "", paths, file_flags)
    steps = " | ".join(
        f'"{path.rsplit(" ", 1)[0] if " " in path else ""}:{path.rsplit(" ", 1)[-1]}"'
        for path in paths
        if path
    )
    cases = "\n".join(f'        "{path}") words="{" ".join(words)}" ;;' for path, words in paths.items())
    body = f"""_maptag() {{
    local cur prev word words path i
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "$prev" in
        {" | ".join(sorted(file_flags)) or "''"}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac
    path=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$path:$word" in
            {steps}) path="${{path:+$path }}$word" ;;
        esac
    done
    case "$path" in
{cases}
        *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -F _maptag maptag
"""
    if shell == "zsh":
        return "#compdef maptag\nautoload -U +X bashcompinit && bashcompinit\n" + body
    return body


def _walk(
    parser: argparse.ArgumentParser, path: str, paths: dict[str, list[str]], file_flags: set[str]
) -> None:
    words: list[str] = []
    for action in parser._actions:  # argparse offers no public way to walk its parsers
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                words.append(name)
                _walk(child, f"{path} {name}".strip(), paths, file_flags)
        elif action.option_strings:
            words += action.option_strings
            if action.metavar in FILE_METAVARS:
                file_flags.update(action.option_strings)
    paths[path] = words
