"""GitHub Copilot as an upstream: one module per job.

- `upstream`: one account's `Upstream` (it composes the rest);
- `pool`: several accounts behind one `Upstream`, and the rule that picks one;
- `session`: the GitHub token exchanged for a Copilot token, and where it may be sent;
- `headers`: the headers Copilot wants (its client fingerprint, intent, initiator, vision);
- `catalogue`: Copilot's model list, as the models we serve;
- `premium`, `billing`: the premium requests a call costs, for accounts billed in them;
- `quota`: the quota Copilot reports, per account;
- `windows`: the session and weekly windows and the month's credits, and the rests they
  put an account in; `limits_spent`: the refusals for a spent one, and the all-out 429;
- `errors`: Copilot's refusals, with their meaning;
- `accounts`, `login`: where the GitHub tokens come from.
"""

from .pool import CopilotPool
from .upstream import CopilotUpstream

__all__ = ["CopilotPool", "CopilotUpstream"]
