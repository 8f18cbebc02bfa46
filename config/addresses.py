"""The portal's own address in development, when PORTAL_BASE_URL is not set."""

import sys

LOCAL = "127.0.0.1"


def development_base_url(env, argv: list[str] | None = None) -> str:
    """Links point where ``runserver`` serves (``make run PORT=8301`` → ``http://127.0.0.1:8301``),
    else to the port in ``PORT``, else to 8000."""
    arguments = (sys.argv if argv is None else argv)[1:]
    if "runserver" in arguments:
        rest = [a for a in arguments[arguments.index("runserver") + 1 :] if not a.startswith("-")]
        if rest:
            host, _sep, port = rest[0].rpartition(":")
            if host in ("", "0", "0.0.0.0", "[::]"):  # noqa: S104 - only to name the local host
                host = LOCAL
            return f"http://{host}:{port}"
    return f"http://{LOCAL}:{env.int('PORT', default=8000)}"
