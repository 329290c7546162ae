"""Content to HTML: resolve each e-service, order them by the guideline, build the page view,
render Markdown and the Jinja2 theme.

May use sitegen.content only. The build engine and the forms app both render through it.
"""
