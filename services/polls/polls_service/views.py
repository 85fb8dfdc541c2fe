"""The Polls widget's HTML. Plain forms that post and are redirected back work
without JavaScript; with htmx the answer is morphed in place. Every piece of
user text goes through `esc` (html.escape, quotes included)."""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from .poll_input import OPTION_MAX, OPTIONS_MAX, QUESTION_MAX
from .settings import MOUNT
from .store import Poll


def esc(value: object) -> str:
    return escape(str(value), quote=True)


@dataclass
class WidgetState:
    polls: list[Poll]
    # The option this person chose, per poll.
    choices: dict[int, int] = field(default_factory=dict)
    # Attributes granting the live channel (empty when not composed by a gateway).
    live: str = ""
    # A problem with the create form: field, message, what was typed.
    form_error: tuple[str, str] | None = None
    typed: dict[str, str] = field(default_factory=dict)
    # A note on one poll (e.g. "you already voted"), by poll id.
    poll_notice: tuple[int, str] | None = None
    # A note on the whole widget.
    notice: str = ""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def results(poll: Poll) -> str:
    """Counts and bars; the same for everyone, so it is what live updates morph."""
    total = poll.total
    rows = []
    for option in poll.options:
        percent = round(100 * option.votes / total) if total else 0
        rows.append(
            f'<li class="poll-option"><div class="flex items-baseline justify-between gap-3 text-sm">'
            f'<span class="min-w-0 break-words text-slate-700">{esc(option.label)}</span>'
            f'<span class="shrink-0 tabular-nums text-slate-500" data-votes="{option.votes}">{_plural(option.votes, "vote", "votes")} · {percent}%</span></div>'
            # A progress element, not a width in a style attribute: the Content-Security-Policy allows no inline style.
            f'<progress class="poll-bar mt-1 block h-2 w-full appearance-none overflow-hidden rounded-full bg-slate-100 '
            f'[&::-webkit-progress-bar]:bg-slate-100 [&::-webkit-progress-value]:rounded-full [&::-webkit-progress-value]:bg-indigo-500 '
            f'[&::-moz-progress-bar]:rounded-full [&::-moz-progress-bar]:bg-indigo-500" max="100" value="{percent}" aria-hidden="true"></progress></li>'
        )
    return (
        f'<div id="poll-{poll.id}-results" class="mt-3" aria-live="polite">'
        f'<ul class="space-y-2" aria-label="Results of {esc(poll.question)}">{"".join(rows)}</ul>'
        f'<p class="poll-total mt-2 text-xs text-slate-500">{_plural(total, "vote", "votes")} in total</p></div>'
    )


def _ballot(poll: Poll, state: WidgetState) -> str:
    chosen = state.choices.get(poll.id)
    notice = state.poll_notice[1] if state.poll_notice and state.poll_notice[0] == poll.id else ""
    notice_html = f'<p role="alert" class="mt-2 text-sm text-amber-700">{esc(notice)}</p>' if notice else ""
    if chosen is not None:
        label = next((o.label for o in poll.options if o.id == chosen), "")
        return f'<div id="poll-{poll.id}-ballot" class="mt-3"><p class="text-sm text-slate-600">You voted for <strong class="font-medium text-slate-900">{esc(label)}</strong>.</p>{notice_html}</div>'
    action = f"{MOUNT}/polls/{poll.id}/vote"
    buttons = "".join(
        f'<button type="submit" name="option" value="{option.id}" class="dx-btn-quiet ring-1 ring-slate-300" aria-label="Vote for {esc(option.label)}">{esc(option.label)}</button>'
        for option in poll.options
    )
    return (
        f'<div id="poll-{poll.id}-ballot" class="mt-3"><form method="post" action="{action}" hx-post="{action}" hx-disabled-elt="find button" class="flex flex-wrap gap-2">'
        f'<span class="self-center text-sm text-slate-500" aria-hidden="true">Your vote:</span><span class="sr-only">Vote in: {esc(poll.question)}</span>{buttons}</form>{notice_html}</div>'
    )


def poll_card(poll: Poll, state: WidgetState | None = None) -> str:
    state = state or WidgetState(polls=[])
    return (
        f'<li id="poll-{poll.id}" class="poll rounded-xl p-4 ring-1 ring-slate-200">'
        f'<h3 class="break-words font-medium text-slate-900">{esc(poll.question)}</h3>'
        f"{results(poll)}{_ballot(poll, state)}</li>"
    )


def empty_note() -> str:
    return '<p id="poll-empty" class="mt-6 rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-500">No polls yet. Ask the first question above.</p>'


def _create_form(state: WidgetState) -> str:
    error = state.form_error
    question = esc(state.typed.get("question", ""))
    options = esc(state.typed.get("options", ""))

    def invalid(name: str) -> str:
        return ' aria-invalid="true" aria-describedby="poll-form-error"' if error and error[0] == name else ""

    error_html = f'<p id="poll-form-error" role="alert" class="text-sm text-rose-600">{esc(error[1])}</p>' if error else ""
    action = f"{MOUNT}/polls"
    return (
        f'<details id="poll-create" class="mt-4"{" open" if error else ""}>'
        f'<summary class="cursor-pointer text-sm font-medium text-indigo-600 hover:text-indigo-500">Ask a question</summary>'
        f'<form method="post" action="{action}" hx-post="{action}" hx-disabled-elt="find button" class="mt-3 space-y-3">'
        f'<div><label for="poll-question" class="text-sm font-medium text-slate-700">Question</label>'
        f'<input id="poll-question" name="question" value="{question}" class="dx-input mt-1" autocomplete="off" placeholder="Where shall we eat on Friday?"{invalid("question")}>'
        f'<p class="mt-1 text-xs text-slate-500">Up to {QUESTION_MAX} characters.</p></div>'
        f'<div><label for="poll-options" class="text-sm font-medium text-slate-700">Options, one per line</label>'
        f'<textarea id="poll-options" name="options" rows="4" class="dx-input mt-1" placeholder="Pizza&#10;Sushi&#10;Tacos"{invalid("options")}>{options}</textarea>'
        f'<p class="mt-1 text-xs text-slate-500">2 to {OPTIONS_MAX} options, each up to {OPTION_MAX} characters.</p></div>'
        f'{error_html}<button type="submit" class="dx-btn-primary">Create poll</button></form></details>'
    )


def widget(state: WidgetState) -> str:
    cards = "".join(poll_card(poll, state) for poll in state.polls)
    return (
        f'<div id="polls-app" class="dx-card polls-app" hx-target="#polls-app" hx-swap="morph"{state.live}>'
        f'<div class="flex items-baseline justify-between gap-4"><h2 class="text-lg font-semibold tracking-tight">Polls</h2>'
        f'<p class="text-sm text-slate-500">One vote per person</p></div>'
        f'{f"""<p role="alert" class="mt-2 text-sm text-amber-700">{esc(state.notice)}</p>""" if state.notice else ""}'
        f"{_create_form(state)}"
        f'<ul id="poll-list" class="mt-4 space-y-4" aria-label="Polls">{cards}</ul>'
        f'{"" if state.polls else empty_note()}</div>'
    )
