"""What `copilot-gateway check` found, in words: each step's findings, what to do about a
refusal, and the report's text. The steps themselves are `check`'s."""

from __future__ import annotations

import datetime
import textwrap
from dataclasses import dataclass, field

import httpx

from ...errors import GatewayError, RateLimited, TokenExchangeRefused
from ...settings import Settings
from ..base import Catalogue, Json
from .catalogue import catalogue_of
from .quota import HEADER_PREFIX
from .snapshots import QuotaSnapshot, parse_snapshot
from .windows import WINDOW_HEADERS, spent_window

# How the advice names a window Copilot's 429 says is spent (`windows.spent_window`).
WINDOW_LABELS = {"session": "5-hour session", "weekly": "weekly"}
LOGIN = (
    "run `copilot-gateway login` (or set GITHUB_TOKEN to the OAuth token of an account "
    "with a Copilot seat)"
)
UNREACHABLE = "check the network, and GATEWAY_GITHUB_API_URL if it is set"


@dataclass
class Step:
    """One step's outcome: what it found, and what to do when it failed."""

    name: str
    ok: bool = True
    found: list[str] = field(default_factory=list)
    advice: str | None = None


@dataclass
class Report:
    account: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def when(seconds: float) -> str:
    """A wait in plain words, with the moment it ends (UTC)."""
    at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)
    hours, rest = divmod(int(seconds), 3600)
    span = f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min {rest % 60} s"
    return f"in {span} (at {at.strftime('%Y-%m-%d %H:%M')} UTC)"


def advice_for(error: GatewayError, headers: httpx.Headers, settings: Settings) -> str:
    """What the operator can do about Copilot's refusal."""
    status = error.status
    if status == 466:
        return (
            "Copilot no longer accepts this client version: set GATEWAY_COPILOT_EDITOR_VERSION, "
            "GATEWAY_COPILOT_EDITOR_PLUGIN_VERSION (and GATEWAY_COPILOT_USER_AGENT) to a current "
            "VS Code and Copilot Chat release, and GATEWAY_COPILOT_API_VERSION to a current API "
            f"version (now {settings.copilot_editor_version}, "
            f"{settings.copilot_editor_plugin_version}, {settings.copilot_api_version})."
        )
    if error.code == "upstream_authentication_failed":
        return f"Copilot did not accept the token: {LOGIN}."
    if status == 429:
        window = WINDOW_LABELS.get(spent_window(error) or "")
        reset = headers.get("retry-after", "")
        resets = f" It resets {when(float(reset))}." if reset.isdigit() else ""
        if window:
            return f"The account's {window} window is spent; wait, or use another account.{resets}"
        return f"Copilot is rate limiting this account; try again later.{resets}"
    if status == 402:
        return "The account's AI credits are spent: wait for the monthly reset, or allow overage."
    if status == 403:
        return f"The account has no Copilot seat, or it is blocked: {LOGIN}."
    return "Copilot refused the request; try again, and check https://www.githubstatus.com."


def exchange_advice(refusal: GatewayError) -> str:
    if isinstance(refusal, TokenExchangeRefused):
        return LOGIN
    if isinstance(refusal, RateLimited):
        return "GitHub is rate limiting token exchanges: try again in a few minutes."
    return UNREACHABLE


def catalogue_found(answer: Json) -> tuple[list[str], Catalogue]:
    """The catalogue's summary lines, and the models it serves."""
    listed = [model for model in answer.get("data", []) if isinstance(model, dict)]
    served = catalogue_of(answer)

    def ids(*, having: str, lacking: str | None = None) -> list[str]:
        return sorted(
            {
                str(model.get("id"))
                for model in listed
                if having in (model.get("supported_endpoints") or [])
                and (lacking is None or lacking not in model["supported_endpoints"])
            }
        )

    found = [f"{len(listed)} models listed, {len(served)} callable"]
    found.append(
        "served only on /responses: "
        + (", ".join(ids(having="/responses", lacking="/chat/completions")) or "none")
    )
    found.append("native on /v1/messages: " + (", ".join(ids(having="/v1/messages")) or "none"))
    return found, served


def window_lines(headers: httpx.Headers) -> list[str]:
    """Each quota and window the answer reported, and when it resets."""
    lines = []
    for name, value in sorted(headers.items()):
        if name.lower().startswith(HEADER_PREFIX):
            quota = parse_snapshot(value)
            label = name.lower().removeprefix(HEADER_PREFIX)
            left = "unlimited" if quota.entitlement < 0 else f"{quota.percent_remaining:g} % left"
            if quota.entitlement > 0 and quota.percent_remaining <= 0:
                left += " (spent: only free models answer until the reset)"
            lines.append(f"quota {label}: {left}, resets {quota.reset or '-'}")
    reported = windows_of(headers)
    for window in WINDOW_HEADERS:
        if (seen := reported.get(window)) is not None:
            lines.append(
                f"{window} window: {seen.percent_remaining:g} % left, resets {seen.reset or '-'}"
            )
        else:
            # Copilot may send them only once half a window is used.
            lines.append(f"{window} window: not reported")
    return lines


def windows_of(headers: httpx.Headers) -> dict[str, QuotaSnapshot]:
    """The session and weekly windows the answer reported."""
    return {
        window: parse_snapshot(headers[header])
        for window, header in WINDOW_HEADERS.items()
        if header in headers
    }


def spent_windows(headers: httpx.Headers) -> list[str]:
    """The windows the answer says are spent (`rem` 0: Copilot refuses the next call)."""
    return [
        f"{window} (resets {quota.reset or '-'})"
        for window, quota in windows_of(headers).items()
        if quota.percent_remaining <= 0
    ]


def user_lines(user: Json) -> list[str]:
    billing = user.get("token_based_billing")
    kind = (
        "billing kind not said"
        if not isinstance(billing, bool)
        else "billed in AI credits"
        if billing
        else "billed in premium requests"
    )
    return [
        f"plan {user.get('copilot_plan') or '-'}, {kind}, "
        f"quota resets {user.get('quota_reset_date') or '-'}"
    ]


def fingerprint(settings: Settings) -> Step:
    return Step(
        "fingerprint",
        found=[
            f"Editor-Version {settings.copilot_editor_version}, "
            f"Editor-Plugin-Version {settings.copilot_editor_plugin_version}",
            f"User-Agent {settings.copilot_user_agent}, "
            f"Copilot-Integration-Id {settings.copilot_integration_id}",
            f"X-GitHub-Api-Version {settings.copilot_api_version} (data plane), "
            f"{settings.copilot_token_api_version} (token and user)",
        ],
    )


WIDTH = 100  # a finding longer than this goes on over lines of its own
INDENT = " " * 20  # under the findings' column


def render(reports: list[Report]) -> str:
    """The check's text: a block per account, a line per finding."""
    lines = []
    for report in reports:
        lines.append(f"account {report.account}: {'ok' if report.ok else 'FAILED'}")
        for step in report.steps:
            findings = step.found or [""]
            if step.advice:
                findings = [*findings, f"what to do: {step.advice}"]
            for number, found in enumerate(findings):
                mark = ("ok  " if step.ok else "FAIL") if number == 0 else "    "
                first = f"  {mark}  {step.name if number == 0 else '':<11} "
                wrapped = textwrap.wrap(
                    found, WIDTH, initial_indent=first, subsequent_indent=INDENT
                )
                lines.extend(wrapped or [first.rstrip()])
    return "\n".join(lines) + "\n"
