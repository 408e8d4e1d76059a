"""The sync: keeps the review index fresh from each platform within its budget.

``service.SyncService`` (the ``ReviewIndex`` the resolvers read through, and what
the app starts and stops), ``budget`` (the share of each documented limit, as
client middleware for the sync's sessions), ``walks`` (how each platform is
walked), ``runs`` (backfill, incremental, reconcile, write-through),
``webhooks`` (Trustoo's, received and registered) and ``status``.
"""
