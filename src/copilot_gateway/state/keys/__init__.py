"""Runtime keys in the state's database: made, changed and revoked by the `keys` command and
the admin API, read by every gateway process (see `access.runtime_keys`).

`table` is the schema, `store` the statements: each change bumps the one revision number in
its own transaction, which is all a process reads to learn that something changed.
"""
