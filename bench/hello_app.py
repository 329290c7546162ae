"""A bare Flask app with one route: the ceiling the forms app is measured against.

Same Flask, same gunicorn, same machine and load client: what is left between this and the forms
app's figures is the forms app's own work (session lookup, content, templates, CSRF, SQLite).
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hej"
