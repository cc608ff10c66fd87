"""`/dashboard`: the operator's pages (Jinja2 templates and their own script and style, in
this package), behind a login with GATEWAY_ADMIN_TOKEN; see `routes`."""

PREFIX = "/dashboard"


def is_dashboard(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")
