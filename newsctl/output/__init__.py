"""Output shared by every command: ``formats`` (table, json, jsonl, csv, paths)."""
