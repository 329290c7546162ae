"""The content model and its validation: YAML with line numbers, pydantic models, the loader,
form rules and cross-file references, and the located errors they report; and the contact card's
values read as what they are: opening hours (hours: parse_days, parse_hours, open_at), phone
numbers and postal codes (cardvalues), and what a given date shows (dated).

This is the one definition of what editors may write; the forms app reads it too. It imports
nothing else of sitegen and nothing of forms.
"""
