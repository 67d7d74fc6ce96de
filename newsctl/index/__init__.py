"""The search index in ``.newsctl/index.sqlite``: ``schema`` (tables, opening it), ``refresh``
(bringing it up to date), ``freshness`` (the folder snapshot behind the cheap no-change check),
``order`` (ids in date order), ``query`` (the search language), ``search`` (queries in SQL) and
``watch_server`` (``index --watch``) with ``watch_client`` (the question every command asks it)."""
