"""What every page of the forms app stands on: settings, the clock and shared services,
server-side sessions, the logged-in citizen, security headers and CSRF, rate limits, the audit
log, error pages, template helpers and the retention purge (`python -m forms.platform.retention`).

May use forms.identity and forms.store (and sitegen.content/site for rendering); never a feature.
"""
