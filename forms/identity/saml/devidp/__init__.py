"""A local SAML IdP for development and tests (never for production): pysaml2's IdP side, its own
process and port, a login page listing the demo file's test persons and staff."""
