"""The peer: the same form page as a competent team would write it with the usual Flask extensions.

Issue 22 measures the forms app against this, not against a bare route: a bare route measures the
server more than the app. What it does per request is what such a team's app does:

- Flask-Session with its SQLAlchemy backend (Flask-SQLAlchemy): the session row is read on every
  request and, in the default configuration, written on every request too;
- Flask-WTF: `CSRFProtect` on the app and a `FlaskForm` for the page's fields;
- a login check (a decorator that sends the anonymous to the login page);
- the draft read through the ORM (`db.session.get` by its key);
- the same security headers as the forms app (forms.platform.security's values);
- a page of the same byte size as the forms app's form page: the benchmark passes the size in
  `PEER_PAGE_BYTES` and each page is padded with a comment to it.

Two configurations, chosen by `PEER_SESSION_WRITE`:

- `every` (Flask-Session's default, `SESSION_REFRESH_EACH_REQUEST = True` with permanent
  sessions): every request writes the session row;
- `modified` (`SESSION_REFRESH_EACH_REQUEST = False`): the row is written only when the session
  changed, the fair comparison, since the forms app writes its session only when it changes.

Besides the form page the peer has the two other pages issue 22 compares: an empty logged-in page
(the login check, the session and the layout, no data) and a booking day page (free times of one
day read through the ORM, a form to choose one).
"""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from flask import Flask, Response, redirect, render_template, session, url_for
from flask_session import Session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forms.platform.security import CSP, HSTS

db = SQLAlchemy()
csrf = CSRFProtect()
DAY = datetime.date(2026, 12, 3)
CLINIC = "storgardens-vardcentral"


class Draft(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_drafts"
    owner: Mapped[str] = mapped_column(String(20), primary_key=True)
    eservice: Mapped[str] = mapped_column(String(80), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class Slot(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "peer_slots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinic: Mapped[str] = mapped_column(String(80), index=True)
    start: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
    booked_by: Mapped[str | None] = mapped_column(String(20), nullable=True)


class MessageForm(FlaskForm):  # type: ignore[misc]
    subject = StringField("Rubrik", validators=[DataRequired(), Length(max=200)])
    message = TextAreaField("Ditt meddelande", validators=[DataRequired(), Length(max=4000)])


class LoginForm(FlaskForm):  # type: ignore[misc]
    personnummer = StringField("Personnummer", validators=[DataRequired(), Length(max=13)])


class SlotForm(FlaskForm):  # type: ignore[misc]
    slot = RadioField("Välj en tid", choices=[], validators=[DataRequired()])


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "user" not in session:
            return redirect(url_for("login"))
        return view(*args, **kwargs)

    return wrapper


def _padding(size: int, page: str) -> str:
    return "" if size <= 0 else "x" * max(0, size - len(page.encode("utf-8")))


def create_app() -> Flask:
    app = Flask(__name__)
    database = os.environ.get("PEER_DATABASE_URL", "sqlite:///peer.sqlite3")
    app.config.update(
        SECRET_KEY=os.environ.get("PEER_SECRET_KEY", os.urandom(32).hex()),
        SQLALCHEMY_DATABASE_URI=database,
        SESSION_TYPE="sqlalchemy",
        SESSION_SQLALCHEMY=db,
        SESSION_SQLALCHEMY_TABLE=f"peer_sessions_{os.environ.get('PEER_SESSION_WRITE', 'every')}",
        SESSION_PERMANENT=True,
        SESSION_REFRESH_EACH_REQUEST=os.environ.get("PEER_SESSION_WRITE", "every") == "every",
        SESSION_COOKIE_SECURE=False,  # plain HTTP on 127.0.0.1 in the benchmark, as the forms app's test login
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=datetime.timedelta(minutes=20),
        WTF_CSRF_SSL_STRICT=False,
    )
    db.init_app(app)
    csrf.init_app(app)
    Session(app)
    # "message.html=9120,empty.html=5300": each page's size in bytes, the forms app's equivalent's.
    spec = os.environ.get("PEER_PAGE_BYTES", "")
    page_bytes = {name: int(size) for name, _, size in (item.partition("=") for item in spec.split(",") if item)}
    pads: dict[str, str] = {}

    def page(template: str, **context: Any) -> str:
        """Renders, padded once per template to the forms app's page size (the same bytes on the wire)."""
        if template not in pads:
            pads[template] = _padding(page_bytes.get(template, 0), render_template(template, padding="", **context))
        return render_template(template, padding=pads[template], **context)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Strict-Transport-Security"] = HSTS
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.route("/logga-in/", methods=["GET", "POST"])
    def login() -> Any:
        form = LoginForm()
        if form.validate_on_submit():
            session["user"] = form.personnummer.data
            return redirect(url_for("message"), code=303)
        return page("login.html", form=form)

    @app.route("/skicka-meddelande/sida/1/", methods=["GET", "POST"])
    @login_required
    def message() -> Any:
        draft = db.session.get(Draft, (session["user"], "skicka-meddelande"))
        if draft is None:
            draft = Draft(owner=session["user"], eservice="skicka-meddelande", subject="", message="")
        form = MessageForm(obj=draft)
        if form.validate_on_submit():
            form.populate_obj(draft)
            db.session.merge(draft)
            db.session.commit()
            return redirect(url_for("message"), code=303)
        return page("message.html", form=form)

    @app.get("/mina-sidor/")
    @login_required
    def empty() -> Any:
        return page("empty.html")

    @app.get("/boka/tid/")
    @login_required
    def day() -> Any:
        start = datetime.datetime.combine(DAY, datetime.time())
        slots = db.session.scalars(
            db.select(Slot)
            .where(Slot.clinic == CLINIC, Slot.start >= start, Slot.start < start + datetime.timedelta(days=1))
            .where(Slot.booked_by.is_(None))
            .order_by(Slot.start)
        ).all()
        form = SlotForm()
        form.slot.choices = [(str(s.id), s.start.strftime("%H.%M")) for s in slots]
        return page("day.html", form=form, day=DAY)

    # gunicorn's workers each run this at once: one at a time, or two make the same table (the
    # server stops: "table already exists") or seed the slots twice (a longer day page than the app's).
    lock_path = Path(tempfile.gettempdir()) / f"peer-{hashlib.sha256(database.encode()).hexdigest()[:16]}.lock"
    with app.app_context(), lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        db.create_all()
        if db.session.scalar(db.select(db.func.count(Slot.id))) == 0:
            base = datetime.datetime.combine(DAY, datetime.time(8))
            for index in range(32):  # 08.00–15.45 every quarter, one in three taken
                taken = "190101019999" if index % 3 == 0 else None
                db.session.add(
                    Slot(clinic=CLINIC, start=base + datetime.timedelta(minutes=15 * index), booked_by=taken)
                )
            db.session.commit()
    return app
