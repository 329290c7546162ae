"""Alembic migrations of the case store; `python -m forms.store upgrade` applies them."""
