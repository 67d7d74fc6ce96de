"""newsctl: parse, validate, convert and search archives of Jekyll news posts."""

__version__ = "0.1.0"
