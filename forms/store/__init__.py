"""The database: tables and engine (SQLAlchemy), the Alembic migrations (`python -m forms.store
upgrade`) and the case store.

The bottom of forms: imports no other part of it.
"""
