"""The page frame, in the visitor's language from the catalogs; play.js fills it."""

from __future__ import annotations

import html
import json

from aiohttp import web

from handlers.i18n import DEFAULT_LANGUAGE, LANGUAGES, t, translations

# The texts play.js needs, by the name it uses.
SCRIPT_TEXTS = (
    "play.chat.private",
    "play.chat.empty",
    "play.message.edited",
    "play.message.download",
    "play.message.no_answer",
    "play.message.failed",
    "play.service.joined",
    "play.service.left",
    "play.service.created",
    "play.events.lost",
)


def language_of(request: web.Request) -> str:
    """The page's language: ?lang=, else the browser's first of nl/en, else Dutch."""
    asked = request.query.get("lang", "")
    if asked in LANGUAGES:
        return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def _script_texts(language: str) -> str:
    catalog = translations(language)
    texts = {key.removeprefix("play."): catalog.gettext(key) for key in SCRIPT_TEXTS}
    return json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")


async def page(request: web.Request) -> web.Response:
    """GET /: the page frame; play.js fills it."""
    language = language_of(request)
    other = "en" if language == "nl" else "nl"
    body = f"""<!doctype html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t("play.title", language)}</title>
<link rel="stylesheet" href="/static/play.css">
</head>
<body>
<aside id="people-panel">
  <h1>{t("play.title", language)}</h1>
  <p class="intro">{t("play.intro", language)}</p>
  <h2>{t("play.people", language)}</h2>
  <ul id="people"></ul>
  <p class="language"><a href="/?lang={other}">{t("play.other_language", language)}</a></p>
</aside>
<main id="phone" aria-live="polite">
  <header id="who"><span id="who-name">{t("play.choose", language)}</span></header>
  <nav id="chats"></nav>
  <section id="messages"></section>
  <div id="toast" hidden></div>
  <form id="composer" autocomplete="off">
    <input id="text" name="text" disabled
      placeholder="{html.escape(translations(language).gettext("play.composer.placeholder"))}">
    <button id="send" type="submit" disabled>{t("play.composer.send", language)}</button>
  </form>
</main>
<script id="texts" type="application/json">{_script_texts(language)}</script>
<script src="/static/play.js"></script>
</body>
</html>
"""
    return web.Response(text=body, content_type="text/html")
