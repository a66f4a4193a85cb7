"""Serve the widget's demo page (a page standing for the portal) and the built widget.

    python widget/serve.py [--host 0.0.0.0] [--port 8080] [--rasa-url http://127.0.0.1:5005]

/            the demo page (widget/demo/index.html)
/demo/...    its script and stylesheet
/widget/...  the built widget (widget/dist, made by `make widget`)
/config.js   where the demo page finds the Rasa server

Without --rasa-url (or RASA_PUBLIC_URL), the page talks to port RASA_PORT (5005) of the host
it was loaded from, so that the demo works from another machine too.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from aiohttp import web

WIDGET_DIR = Path(__file__).resolve().parent
DIST_DIR = WIDGET_DIR / "dist"
DEMO_DIR = WIDGET_DIR / "demo"


@web.middleware
async def no_sniffing(request: web.Request, handler):
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-cache")
    return response


def make_app(rasa_url: str | None, rasa_port: int) -> web.Application:
    if not (DIST_DIR / "claudia-widget.js").is_file():
        raise SystemExit(f"{DIST_DIR}/claudia-widget.js is missing: run `make widget` first.")
    config = json.dumps({"serverUrl": rasa_url, "rasaPort": rasa_port})

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(DEMO_DIR / "index.html")

    async def config_js(_: web.Request) -> web.Response:
        return web.Response(
            text=f"window.CLAUDIA_DEMO = {config};\n", content_type="application/javascript"
        )

    app = web.Application(middlewares=[no_sniffing])
    app.router.add_get("/", index)
    app.router.add_get("/config.js", config_js)
    app.router.add_get("/favicon.ico", lambda _: web.Response(status=204))
    app.router.add_static("/demo/", DEMO_DIR)
    app.router.add_static("/widget/", DIST_DIR)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Loopback, as every server `make run` starts; --host 0.0.0.0 (or WIDGET_HOST) opens it.
    parser.add_argument("--host", default=os.environ.get("WIDGET_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WIDGET_PORT", "8080")))
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_PUBLIC_URL") or None)
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    args = parser.parse_args(argv)
    app = make_app(args.rasa_url, args.rasa_port)
    print(f"Widget demo page on http://{args.host}:{args.port}/", file=sys.stderr, flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
