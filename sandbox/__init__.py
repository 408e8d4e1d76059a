"""Faithful local simulators of the four review platforms' REST APIs.

One module (or sub-package) per provider speaks that platform's wire format: its
paths, auth, paging, limits, envelopes and error statuses, as documented in
shared/seeds and shared/vendors.md. Simulators import only aiohttp, the standard
library and their sibling modules here (catalog, corpus, control), never
``gateway.providers`` or ``gateway.records``: a mapping bug in a client must not be
mirrored by its fake.
"""
