"""What the widget shows and what open pages are told: the HTML of the widget with its live
grant, and the stream actions each change publishes. No HTTP here (handler.py answers)."""
from __future__ import annotations

from .app import App, Context, own_session
from .manifest import CHANNEL
from .signing import sign_channel_token
from .store import Poll
from .views import WidgetState, esc, poll_card, results, widget


def render_widget(
    app: App,
    context: Context,
    *,
    form_error: tuple[str, str] | None = None,
    typed: dict[str, str] | None = None,
    poll_notice: tuple[int, str] | None = None,
    notice: str = "",
) -> str:
    """The widget for this person, with a form error and what was typed, or a notice, when given."""
    # The grant and position first, the data second: nothing can fall between them.
    live = live_attributes(app, context)
    polls = app.store.newest()
    choices = app.store.choices_of(context.voter, [poll.id for poll in polls])
    state = WidgetState(polls=polls, choices=choices, live=live, form_error=form_error, typed=typed or {}, poll_notice=poll_notice, notice=notice)
    return widget(state)


def live_attributes(app: App, context: Context) -> str:
    # Through the gateway, the gateway's session; on the own URL, the browser's voter id (see full_page's page session).
    session = context.identity.sid if context.identity else own_session(context)
    if session is None:
        return ""
    token = sign_channel_token(app.settings.secret, CHANNEL, session)
    # Unknown (gateway unreachable): follow from the start; the hub replays or asks for a re-render.
    after = app.gateway.channel_after(CHANNEL) or ":0"
    return f' data-dx-live="{CHANNEL}" data-dx-token="{esc(token)}" data-dx-after="{esc(after)}"'


def created_update(created: Poll) -> dict[str, object]:
    """A new poll on every open page: first in the list, and the "no polls yet" note gone."""
    return {"channel": CHANNEL, "actions": [{"action": "prepend", "target": "poll-list", "html": poll_card(created)}, {"action": "remove", "target": "poll-empty"}]}


def vote_update(counted: Poll) -> dict[str, object]:
    """A poll's new counts on every open page."""
    return {"channel": CHANNEL, "actions": [{"action": "morph", "target": f"poll-{counted.id}-results", "html": results(counted)}]}
