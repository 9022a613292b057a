"""The GraphQL schema: Strawberry types per area, assembled in schema/root.py."""
