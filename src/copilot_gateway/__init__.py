"""copilot-gateway: the OpenAI HTTP API in front of GitHub Copilot's chat API."""

__version__ = "0.1.0"
