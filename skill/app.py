"""The Flask app factory: settings, the shared service, and each channel's endpoints."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from . import audio_files
from .alexa import endpoint as alexa_endpoint
from .phone import webhooks as phone_webhooks
from .service import Service
from .settings import DEFAULTS, from_environment
from .web import feed as web_feed
from .web import offline as web_offline
from .web import views as web_views


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)  # the page has its own
    app.json.sort_keys = False  # type: ignore[attr-defined]  # Alexa does not care; sorting costs time
    app.config.from_mapping(DEFAULTS)
    app.config.update(from_environment(os.environ))
    if test_config:
        app.config.update(test_config)

    fixed_today = app.config["TODAY"]
    today = (lambda: date.fromisoformat(fixed_today)) if fixed_today else date.today
    service = Service.load(app.config["CONTENT_PATH"], app.config["ROUTER_PATH"], today)
    app.extensions["voice_service"] = service

    alexa_endpoint.init_app(app, service)
    phone_webhooks.init_app(app, service)
    app.register_blueprint(audio_files.bp)
    web_views.init_app(app, service)
    app.register_blueprint(web_feed.bp)  # /feed.xml, for podcast apps
    app.register_blueprint(web_offline.bp)  # the manifest, the service worker, the offline page

    @app.get("/healthz")
    def healthz() -> Any:
        return jsonify(status="ok", topics=len(service.content.topics))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        # A page for people's browsers; short JSON reasons for Alexa, Twilio and scripts.
        if web_views.wants_html():
            return web_views.error_page(error)
        if error.code == 413:
            limit = app.config["MAX_CONTENT_LENGTH"] // 1024
            return jsonify(error=f"request body is larger than {limit} KiB"), 413
        return jsonify(error=error.description or error.name), error.code

    return app
