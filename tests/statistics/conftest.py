from tests.outbox.conftest import configure

__all__ = ["configure"]
