"""`GET /` and `GET /ask`: the large-print page and its answers, as plain HTML that works without JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from ..answers import spoken_date
from ..audio.pronounce import Pronunciations
from ..service import Service
from .page import answer, clean_question, phone_number_spans, question_problem, tel_href, topic_sections
from .shelf import Shelf, ShelfCache

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")
SHELF = "web_audio_shelf"
#: Only our own files; no inline script or style, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # a question in the address must not travel to another site
    "X-Content-Type-Options": "nosniff",
}
_CHANNELS = ("/alexa", "/phone", "/audio", "/healthz")


def init_app(app: Flask, service: Service) -> None:
    app.extensions[SHELF] = ShelfCache(app.config["AUDIO_DIR"], service.answers,
                                       Pronunciations.load(app.config["PRONUNCIATIONS_PATH"]))
    app.register_blueprint(bp)
    app.jinja_env.filters["dial"] = dial
    app.jinja_env.filters["tel"] = tel_href
    app.jinja_env.filters["long_date"] = spoken_date


def dial(text: str) -> Markup:
    """Escape text and make each telephone number in it a tel: link."""
    out = Markup("")
    for piece, href in phone_number_spans(text):
        out += Markup('<a href="{}">{}</a>').format(href, piece) if href else escape(piece)
    return out


def _render(template: str, status: int = 200, shelf: Shelf | None = None, **values: Any) -> Response:
    service: Service = current_app.extensions["voice_service"]
    shelf = shelf if shelf is not None else current_app.extensions[SHELF].current()
    page = service.content.page
    html = render_template(template, content=service.content, page=page, shelf=shelf,
                           review_note=service.answers.review_note(),
                           urgent=service.answers.message("urgent_numbers"), **values)
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    return response


@bp.get("/")
def index() -> Response:
    service: Service = current_app.extensions["voice_service"]
    shelf = current_app.extensions[SHELF].current()
    response = _render("index.html", shelf=shelf, sections=topic_sections(service, shelf))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/ask")
def ask() -> Response:
    service: Service = current_app.extensions["voice_service"]
    question = clean_question(request.args.get("q", ""))
    problem = question_problem(question)
    if problem:
        response = _render("ask.html", status=400, question=question, problem=problem, reply=None)
    else:
        shelf = current_app.extensions[SHELF].current()
        response = _render("ask.html", shelf=shelf, question=question, problem=None,
                           reply=answer(service, shelf, question))
    response.headers["Cache-Control"] = "no-store"  # a shared computer's history need not keep it
    return response


def wants_html() -> bool:
    """A person's browser asking for a page (not Alexa, Twilio or a script expecting JSON)."""
    if request.path.startswith(_CHANNELS):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def error_page(error: HTTPException) -> Response:
    return _render("error.html", status=error.code or 500, code=error.code, name=error.name)
