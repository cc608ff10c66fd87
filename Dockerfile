# copilot-gateway: the OpenAI API in front of GitHub Copilot, as a container.
#   docker build -t copilot-gateway .
#   docker run -p 8080:8080 -e GATEWAY_API_KEYS=sk-... -e GITHUB_TOKEN=gho_... copilot-gateway
# The install steps are those of docs/operating.md, "Install" (a test keeps the two the same).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 gateway
WORKDIR /opt/copilot-gateway
COPY pyproject.toml README.md ./
COPY openapi openapi
COPY src src
RUN pip install --no-cache-dir .

USER gateway
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
# Listening beyond loopback needs GATEWAY_API_KEYS (or a config file with keys): without
# them the gateway refuses to start rather than serve anyone who can reach it.
CMD ["copilot-gateway", "serve", "--host", "0.0.0.0", "--port", "8080"]
