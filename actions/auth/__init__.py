"""Sign-in protocols: OpenID Connect (browser logins and JWT bearer tokens), the blind index
of personal identity codes, and mandate services (Suomi.fi e-Authorizations).

The protocol clients the sign-in actions (actions/signin.py) call. Imports point one way:
models ← permissions ← actions.auth ← actions. Nothing here knows Strawberry
or Starlette; `app/signin.py` serves the browser endpoints.
"""
