"""The content model and its validation: YAML with line numbers, pydantic models, the loader,
form rules and cross-file references, and the located errors they report.

This is the one definition of what editors may write; the forms app reads it too. It imports
nothing else of sitegen and nothing of forms.
"""
