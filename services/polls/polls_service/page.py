"""The full page a browser gets on the service's own URL: the gateway's shared
look (its stylesheet and scripts), a way back to the main app, the widget."""
from __future__ import annotations

import json
from urllib.parse import quote

from .settings import MOUNT, TITLE
from .views import esc

# Same htmx settings as the shared shell: swap 422 answers (forms with their errors), never 5xx;
# nothing evaluated and no inline style, as the Content-Security-Policy allows neither.
HTMX_CONFIG = json.dumps(
    {
        "allowEval": False,
        "includeIndicatorStyles": False,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[23]..", "swap": True},
            {"code": "422", "swap": True},
            {"code": "[45]..", "swap": False, "error": True},
        ],
        "defaultSwapStyle": "outerHTML",
        "scrollIntoViewOnBoost": False,
    }
)

FAVICON = "data:image/svg+xml," + quote(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4f46e5"/>'
    '<text x="16" y="21" font-family="sans-serif" font-size="14" font-weight="700" fill="#fff" text-anchor="middle">dx</text></svg>'
)


def full_page(body: str, gateway_url: str, title: str = TITLE, via_gateway: bool = False, page_session: str | None = None) -> str:
    ui = f"{gateway_url}/_dx/ui"
    # Opened through the gateway, the page is on the gateway's origin: it follows its channels
    # like the composed page does. On the service's own URL it follows them on the gateway's hub
    # across origins (the gateway lets this origin in, DX_LIVE_ORIGINS), as the session `page_session` names.
    if via_gateway:
        live = '<meta name="dx-live" content="/_dx/live">\n<script type="module" src="/_dx/ui/dx.js"></script>\n'
    elif page_session:
        live = f'<meta name="dx-live" content="{esc(gateway_url)}/_dx/live?page={esc(page_session)}">\n<script type="module" src="{esc(ui)}/dx.js"></script>\n'
    else:
        live = ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · distributex</title>
<link rel="icon" href="{esc(FAVICON)}">
<meta name="htmx-config" content="{esc(HTMX_CONFIG)}">
<link rel="stylesheet" href="{esc(ui)}/app.css">
<script src="{esc(ui)}/htmx.min.js" defer></script>
<script src="{esc(ui)}/idiomorph-ext.min.js" defer></script>
{live}</head>
<body class="min-h-screen bg-slate-50 text-slate-900 antialiased" hx-ext="morph">
<div class="flex min-h-screen flex-col">
  <header class="border-b border-slate-200 bg-white/80 backdrop-blur">
    <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
      <a href="{esc(gateway_url)}" class="flex items-center gap-2 font-semibold tracking-tight text-slate-900"><span aria-hidden="true" class="grid h-7 w-7 place-items-center rounded-lg bg-indigo-600 text-sm text-white">dx</span>distributex</a>
      <nav aria-label="Main" class="flex flex-wrap gap-1 text-sm">
        <a href="{esc(gateway_url)}" class="rounded-md px-3 py-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900">Home</a>
        <a href="{MOUNT}" class="rounded-md bg-slate-900 px-3 py-1.5 text-white" aria-current="page">{esc(TITLE)}</a>
      </nav>
    </div>
  </header>
  <main class="mx-auto grid w-full max-w-6xl flex-1 items-start gap-6 px-4 py-6">
    <section slot="polls.poll" id="dx-w-polls-poll" data-dx-widget="polls.poll" aria-label="{esc(title)}">{body}</section>
  </main>
  <footer class="mx-auto w-full max-w-6xl px-4 py-6 text-xs text-slate-400">Served by the Polls service on its own URL; the same widget is composed into the main app.</footer>
</div>
</body>
</html>
"""


def error_body(title: str, detail: str, request_id: str) -> str:
    return (
        f'<div class="dx-card border-l-4 border-rose-400" role="alert"><h2 class="text-base font-semibold">{esc(title)}</h2>'
        f'<p class="mt-1 text-sm text-slate-600">{esc(detail)}</p>'
        f'<p class="mt-2 text-xs text-slate-400">Request id: <code>{esc(request_id)}</code></p></div>'
    )
