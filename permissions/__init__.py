"""Who may see or do what: pure functions (policies.py) and their Strawberry adapters (fields.py)."""
