"""`python -m forms.identity.saml.devidp`: the local SAML IdP on its own port (development and tests only).

It makes its own key pair when none is given, writes its metadata where the app reads it
(--write-metadata), and reads the app's SP metadata from its URLs when the first login comes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from werkzeug.serving import run_simple

from forms.identity.demo_data import DEFAULT_DEMO_DATA, load_demo_data
from forms.identity.saml.devidp.idp import DevIdp
from forms.identity.saml.devidp.keys import make_key_pair
from forms.identity.saml.devidp.web import create_idp_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m forms.identity.saml.devidp", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--keys", type=Path, default=Path("instance/devidp"), help="folder of idp.key and idp.crt")
    parser.add_argument("--sp-metadata", action="append", default=[], help="an SP's metadata URL or file")
    parser.add_argument("--write-metadata", type=Path, help="write the IdP's metadata to this file")
    parser.add_argument("--demo-data", type=Path, default=Path(DEFAULT_DEMO_DATA))
    args = parser.parse_args(argv)
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the dev IdP logs anyone in: it listens on 127.0.0.1 only")
    key, cert = args.keys / "idp.key", args.keys / "idp.crt"
    make_key_pair(key, cert, "hittavard-devidp")
    idp = DevIdp(f"http://{args.host}:{args.port}/", key, cert, args.sp_metadata)
    if args.write_metadata:
        args.write_metadata.parent.mkdir(parents=True, exist_ok=True)
        args.write_metadata.write_text(idp.metadata_xml(), encoding="utf-8")
    run_simple(args.host, args.port, create_idp_app(idp, load_demo_data(args.demo_data)), threaded=True)


if __name__ == "__main__":
    main()
