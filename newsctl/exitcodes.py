"""Exit codes, as grep, ripgrep and ruff use them."""

OK = 0  # success: posts read, something matched
FINDINGS = 1  # no post matched, or some posts could not be read
ERROR = 2  # usage, configuration or internal error
