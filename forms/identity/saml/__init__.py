"""SAML 2.0 logins (CONTRACT section 8): the citizens' and the staff's service providers.

pysaml2 does the XML, signatures and encryption; this package adds what it does not check (the
browser binding of a request, SHA-1, plaintext assertions, the exact loa, replay across nodes,
DTDs, the personnummer) and holds no Flask views: those are forms.account.saml_views and
forms.staff.saml_views. The local IdP for development and tests is `forms.identity.saml.devidp`.
"""
