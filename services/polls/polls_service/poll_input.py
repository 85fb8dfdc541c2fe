"""The rules for a new poll, with messages a person can act on."""
from __future__ import annotations

from dataclasses import dataclass

QUESTION_MAX = 200
OPTION_MAX = 100
OPTIONS_MIN = 2
OPTIONS_MAX = 10


class InvalidInput(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NewPoll:
    question: str
    options: list[str]


def parse_new_poll(question: str | None, options_text: str | None) -> NewPoll:
    """Trims the question and each option (one per line, blank lines ignored) and checks their lengths.

    Lengths count characters as a person does (code points), like the TypeScript services.
    """
    text = (question or "").strip()
    if not text:
        raise InvalidInput("question", "Write a question first: a poll needs a question of at least 1 character.")
    if len(text) > QUESTION_MAX:
        raise InvalidInput("question", f"That question is {len(text)} characters long; the limit is {QUESTION_MAX}. Shorten it by {len(text) - QUESTION_MAX}.")
    options = [line.strip() for line in (options_text or "").splitlines() if line.strip()]
    if len(options) < OPTIONS_MIN:
        raise InvalidInput("options", f"Give at least {OPTIONS_MIN} options, one per line (you gave {len(options)}).")
    if len(options) > OPTIONS_MAX:
        raise InvalidInput("options", f"A poll has at most {OPTIONS_MAX} options; you gave {len(options)}. Remove {len(options) - OPTIONS_MAX}.")
    for number, option in enumerate(options, start=1):
        if len(option) > OPTION_MAX:
            raise InvalidInput("options", f"Option {number} is {len(option)} characters long; the limit is {OPTION_MAX}. Shorten it by {len(option) - OPTION_MAX}.")
    if len({option.casefold() for option in options}) < len(options):
        raise InvalidInput("options", "Two options are the same; give each option once.")
    return NewPoll(question=text, options=options)
