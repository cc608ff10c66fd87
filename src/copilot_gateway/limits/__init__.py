"""Per-key rate limits and token budgets: the policy from the config file, the counters
(in-process, or in Redis shared by every worker and replica), and the edge that admits,
refuses and settles each request."""
