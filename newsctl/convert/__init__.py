"""Post bodies as Markdown or plain text: ``body`` converts one body, ``bulk`` runs ``convert``
over an archive (where outputs go, atomic writes) and ``show`` displays one post."""
