"""Serve a :class:`FakeTelegram` over HTTP on localhost, for a real ``funnelbot run``.

Point PTB at it with ``base_url`` and ``base_file_url``; PTB's default HTTPXRequest then sends
exactly what it would send to Telegram (form fields, JSON-encoded objects, multipart uploads).
aiohttp is a test-only dependency, so only this module imports it.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bot.faketelegram.core import FakeTelegram, Upload
from bot.faketelegram.faults import FaultPlan, chat_of, respond

__all__ = ["serve"]

_FAKE_KEY: web.AppKey[FakeTelegram] = web.AppKey("fake", FakeTelegram)
_FAULTS_KEY: web.AppKey[FaultPlan] = web.AppKey("faults", FaultPlan)
_MAX_BODY = 64 * 1024 * 1024  # above the 50 MB upload limit, so the fake itself answers 413


async def _handle(request: web.Request) -> web.Response:
    fake = request.app[_FAKE_KEY]
    params: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.body_exists:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return _error(400, "Bad Request: can't parse JSON object")
            params.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = Upload(value.filename, value.file.read(), value.content_type)
                else:
                    params[key] = value
    faults = request.app.get(_FAULTS_KEY)
    fault = faults.pick(request.path.rsplit("/", 1)[-1], chat_of(params)) if faults is not None else None
    return await respond(request, fault, lambda: fake.handle_path(request.path, params, files))


def _error(status: int, description: str) -> web.Response:
    body = {"ok": False, "error_code": status, "description": description}
    return web.Response(status=status, body=json.dumps(body), content_type="application/json")


async def serve(
    fake: FakeTelegram, host: str = "127.0.0.1", port: int = 0, *, faults: FaultPlan | None = None
) -> tuple[web.AppRunner, str, str]:
    """Start serving ``fake``; returns (runner, base_url, base_file_url).

    ``base_url`` is like ``http://127.0.0.1:PORT/bot`` (PTB appends the token). Stop with
    ``await runner.cleanup()``, which first releases any long-polling ``getUpdates``. Calls go
    through ``faults`` (see ``bot.faketelegram.faults``) when given.
    """
    app = web.Application(client_max_size=_MAX_BODY)
    app[_FAKE_KEY] = fake
    if faults is not None:
        app[_FAULTS_KEY] = faults

    async def release(_: web.Application) -> None:
        fake.release_pollers()

    app.on_shutdown.append(release)
    app.router.add_route("*", "/{tail:.*}", _handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    root = f"http://{bound_host}:{bound_port}"
    return runner, f"{root}/bot", f"{root}/file/bot"
