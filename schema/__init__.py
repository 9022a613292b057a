"""The GraphQL schema: Strawberry types per area; schema/root.py composes the root types from
the areas' fields (resolvers/<area>/)."""
