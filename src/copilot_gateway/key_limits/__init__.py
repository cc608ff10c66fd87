"""Per-key rate limits and token budgets: the policy from the config file, and the counters
(in-process, or in Redis shared by every worker and replica). The edge admits, refuses and
settles each request with them (see `edge.key_limits`).

Named apart from the `limits` library, whose strategies and storages `store` uses.
"""
