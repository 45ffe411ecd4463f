"""Webhook mode: Telegram POSTs each update to ``WEBHOOK_URL``; a reverse proxy forwards it here.

PTB's ``run_webhook`` serves exactly one route (the webhook) on a tornado server it builds itself,
with no public way to add another, and the issue asks the same server to answer ``/healthz``. So
this follows PTB's "custom webhook" example instead: our own small tornado application (tornado is
what PTB's ``webhooks`` extra installs for ``run_webhook``) with two routes, feeding
``application.update_queue``, while the Application runs as usual (initialize, post_init, start;
stop, shutdown, post_shutdown). What ``run_webhook`` checks, this checks too: the
``X-Telegram-Bot-Api-Secret-Token`` header (compared in constant time; anything else gets 403) and a
JSON body.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import secrets
import signal
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.error import NetworkError
from tornado.httpserver import HTTPServer

from bot.config import WebhookSettings
from bot.context import BotApp

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# About two minutes of retries for a Bot API that is starting or briefly unreachable, like polling.
_BOOTSTRAP_DELAYS = (1, 2, 4, 8, 15, 30, 30, 30)


def new_secret() -> str:
    """A secret in Telegram's allowed alphabet (A-Z, a-z, 0-9, _ and -), 43 characters."""
    return secrets.token_urlsafe(32)


class _UpdateHandler(tornado.web.RequestHandler):
    """POST from Telegram (through the proxy): one Update as JSON, with our secret in a header."""

    def initialize(self, app: BotApp, secret: str) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            logger.warning("webhook.refused reason=secret remote=%s", self.request.remote_ip)
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except (ValueError, TypeError, KeyError) as error:
            logger.warning("webhook.unreadable_update error=%s", type(error).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from error
        await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Refusals are logged above as one line; tornado's own warning would repeat them."""
        if not isinstance(value, tornado.web.HTTPError):
            super().log_exception(typ, value, tb)


class _HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 while the application processes updates, 503 otherwise."""

    def initialize(self, app: BotApp) -> None:
        self.app = app

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if self.app.running:
            self.finish("ok\n")
        else:
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish("stopping\n")


class _Quiet(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: request lines carry nothing an operator needs, and refusals log themselves."""


def web_application(app: BotApp, webhook: WebhookSettings, secret: str) -> tornado.web.Application:
    """The two routes: the webhook path from WEBHOOK_URL, and /healthz."""
    path = webhook.path.rstrip("/")
    return _Quiet(
        [
            (r"/healthz", _HealthHandler, {"app": app}),
            (rf"{re.escape(path)}/?", _UpdateHandler, {"app": app, "secret": secret}),
        ]
    )


async def serve(app: BotApp, webhook: WebhookSettings, secret: str) -> None:
    """Run the bot in webhook mode until SIGTERM or SIGINT; errors from Telegram propagate."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if not await _initialize(app, stop):
        return
    server: HTTPServer | None = None
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        server = HTTPServer(web_application(app, webhook, secret), xheaders=True)
        server.listen(webhook.port, address=webhook.listen)
        await app.bot.set_webhook(
            url=webhook.url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        logger.info("webhook.listening on=%s:%s path=%s", webhook.listen, webhook.port, webhook.path)
        await stop.wait()
        logger.info("webhook.stopping")
    finally:
        if server is not None:
            server.stop()
            await server.close_all_connections()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _initialize(app: BotApp, stop: asyncio.Event) -> bool:
    """``app.initialize()`` (which calls getMe), retried while the Bot API can't be reached;
    False when a stop signal came first."""
    for delay in (*_BOOTSTRAP_DELAYS, None):
        try:
            await app.initialize()
            return True
        except NetworkError as error:
            if delay is None:
                raise
            logger.warning("bot.api_unreachable retry_in=%ss error=%s", delay, error)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
            return False
        except TimeoutError:
            continue
    return False  # not reached: the last attempt returns or raises
