"""The citizen's login, logout and the choice of person (self or a child).

May use forms.platform, forms.identity and forms.store.
"""
