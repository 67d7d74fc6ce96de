"""``newsctl validate``: ``rules`` (the registry), ``config`` (newsctl.toml), ``checks`` (the
checks of one post and across the archive), ``cache``, ``fixes``, ``diagnostics`` and
``report`` (its output formats)."""
