"""Actions: every change to Luukku's data is one function here.

An action checks the rule (permissions/), writes the change with its history, audit and
outbox rows in one transaction, and publishes live events only after the commit. Resolvers,
the CLI and the outbox worker call the same actions (Zulip's do_* functions are the model).
"""
