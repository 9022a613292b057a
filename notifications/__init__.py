"""Live events (bus.py, events.py, live.py) and notices (outbox, e-mail, API deliveries)."""
