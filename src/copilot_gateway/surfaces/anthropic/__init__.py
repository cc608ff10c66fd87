"""Anthropic's Messages API (`openapi/anthropic.yaml`), for Claude Code and Anthropic's SDKs."""
