"""The citizen's e-service cases: the flow (villkor, pages, check, send, receipt), its views,
the inbox and the question engine (forms.cases.engine) that builds forms from content.

May use forms.platform, forms.identity, forms.store and sitegen.content/site.
"""
