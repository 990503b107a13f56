"""`bondgenoten play`: the real bot against the sandbox, in a local web page, without Telegram.

`world` builds a small network through the bot itself, `render` turns Telegram messages into
safe HTML, `server` is the page and its JSON/event API, `main` starts and stops it all.
"""
