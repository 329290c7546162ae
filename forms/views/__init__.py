"""The forms app's blueprints: login, the e-service flow, and the inbox."""
