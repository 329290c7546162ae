"""The dev IdP's pages: a login page listing the demo file's test persons and staff, and single
logout. Like the federation's test IdPs: no password, pick who to be. No JavaScript, so the
answer to the SP is a form with a button ("Fortsätt") instead of a self-submitting one.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qsl

from flask import Flask, Response, request
from markupsafe import Markup, escape
from saml2 import BINDING_HTTP_REDIRECT
from saml2.xmldsig import SIG_RSA_SHA256

from forms.identity.demo_data import DemoData
from forms.identity.saml.devidp.idp import SAMBI_LOA3, DevIdp

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0 1rem;max-width:40rem}}ul{{list-style:none;padding:0}}
li{{margin:.5rem 0}}button{{font:inherit;min-height:44px;padding:.5rem 1rem;text-align:left}}</style></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""
CARE = "Vård och behandling"


def _page(title: str, body: Markup, status: int = 200) -> Response:
    html = PAGE.format(title=escape(title), body=body)
    return Response(html, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _hidden(fields: dict[str, str]) -> Markup:
    return Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(name, value) for name, value in fields.items()
    )


def attributes_of(demo: DemoData, who: str, staff_side: bool) -> dict[str, list[str]]:
    """The attributes Sweden Connect (citizens) or a SITHS IdP (staff) would send for `who`."""
    if staff_side:
        person = next(s for s in demo.staff if s.hsa_id == who)
        given, _, surname = person.name.partition(" ")
        return {
            "http://sambi.se/attributes/1/employeeHsaId": [person.hsa_id],
            "http://sambi.se/attributes/1/givenName": [given],
            "http://sambi.se/attributes/1/surname": [surname],
            "http://sambi.se/attributes/1/commissionHsaId": [person.hsa_id.replace("-P", "-U")],
            "http://sambi.se/attributes/1/commissionPurpose": [CARE],
        }
    citizen = next(p for p in demo.people if p.personnummer == who)
    given, _, surname = citizen.name.partition(" ")
    return {
        "urn:oid:1.2.752.29.4.13": [citizen.personnummer.replace("-", "")],
        "urn:oid:2.5.4.42": [given],
        "urn:oid:2.5.4.4": [surname],
        "urn:oid:2.16.840.1.113730.3.1.241": [citizen.name],
    }


def create_idp_app(idp: DevIdp, demo: DemoData) -> Flask:
    app = Flask("devidp")

    @app.get("/")
    def index() -> Response:
        """What a newcomer who opens the address the demo prints sees: where logins start."""
        body = Markup(
            "<p>Det här är en lokal test-IdP för utveckling. Inloggningen börjar i e-tjänsten, "
            'när du väljer Logga in. IdP:ns <a href="/metadata">metadata</a>.</p>'
        )
        return _page("Lokal test-IdP", body)

    @app.get("/metadata")
    def metadata() -> Response:
        return Response(idp.metadata_xml(), mimetype="application/samlmetadata+xml")

    @app.get("/sso")
    def sso() -> Response:
        query = dict(parse_qsl(request.query_string.decode("ascii", "replace")))
        try:
            authn = idp.parse_authn_request(query)
        except Exception:
            return _page("Felaktig inloggningsbegäran", Markup("<p>Begäran var inte korrekt signerad.</p>"), 400)
        staff_side = getattr(authn.requested_authn_context.authn_context_class_ref[0], "text", "") == SAMBI_LOA3  # type: ignore[attr-defined]
        choices = (
            [(s.hsa_id, f"{s.name}, {s.title} ({s.hsa_id})") for s in demo.staff] if staff_side
            else [(p.personnummer, f"{p.name} ({p.personnummer})") for p in demo.people]
        )
        items = Markup("").join(
            Markup('<li><button type="submit" name="who" value="{}">{}</button></li>').format(value, label)
            for value, label in choices
        )
        body = Markup(
            '<p>Det här är en lokal test-IdP. Välj vem du vill logga in som.</p>'
            '<form method="post" action="/sso">{}<ul>{}</ul></form>'
        ).format(_hidden(query), items)
        return _page("Logga in på test-IdP:n" + (" (personal)" if staff_side else ""), body)

    @app.post("/sso")
    def sso_answer() -> Response:
        query = {k: v for k, v in request.form.items() if k in {"SAMLRequest", "RelayState", "SigAlg", "Signature"}}
        try:
            authn = idp.parse_authn_request(query)
            staff_side = authn.requested_authn_context.authn_context_class_ref[0].text == SAMBI_LOA3  # type: ignore[attr-defined]
            acs, response = idp.answer(authn, attributes_of(demo, request.form.get("who", ""), staff_side))
        except Exception:
            return _page("Inloggningen gick inte", Markup("<p>Försök igen från e-tjänsten.</p>"), 400)
        fields = {"SAMLResponse": response}
        if query.get("RelayState"):
            fields["RelayState"] = query["RelayState"]
        body = Markup(
            '<p>Du är inloggad på test-IdP:n.</p><form method="post" action="{}">{}'
            '<button type="submit">Fortsätt till e-tjänsten</button></form>'
        ).format(acs, _hidden(fields))
        return _page("Fortsätt till e-tjänsten", body)

    @app.get("/slo")
    def slo() -> Response:
        query = dict(parse_qsl(request.query_string.decode("ascii", "replace")))
        server = idp.server
        try:
            logout = server.parse_logout_request(
                query["SAMLRequest"], BINDING_HTTP_REDIRECT, relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"), signature=query.get("Signature"),
            )
            sp = logout.message.issuer.text
            destination = server.metadata.single_logout_service(sp, BINDING_HTTP_REDIRECT, "spsso")[0]["location"]
            answer = server.create_logout_response(logout.message, [BINDING_HTTP_REDIRECT], sign=False)
            info = server.apply_binding(BINDING_HTTP_REDIRECT, str(answer), destination, query.get("RelayState", ""),
                                        response=True, sign=True, sigalg=SIG_RSA_SHA256)
        except Exception:
            return _page("Utloggningen gick inte", Markup("<p>Begäran om utloggning var inte korrekt.</p>"), 400)
        location = next(value for key, value in info["headers"] if key == "Location")
        return Response(status=303, headers={"Location": location})

    return app


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")
