"""The reading model: a post exactly as Jekyll 4 reads it.

``names`` (Jekyll's rules for file names, slugs, categories, URLs), ``dates`` (Ruby's
``Time.parse`` and Jekyll's zones), ``frontmatter`` (splitting and parsing front matter),
``site`` (``_config.yml``), ``discovery`` (which files are posts) and ``post`` (the Post model
and the one reader of posts). No SQLite and no click here.
"""
