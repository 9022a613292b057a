"""Resolvers: they only orchestrate (load through loaders, ask a policy, call an action)."""
