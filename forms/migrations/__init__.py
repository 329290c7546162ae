"""Alembic migrations of the case store; `python -m forms.db upgrade` applies them."""
