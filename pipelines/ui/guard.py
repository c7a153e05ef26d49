"""A guard in front of the Dagster UI of ``make dev``: only this machine's browser may drive it.

The UI listens on the loopback interface, but any web page open in a browser on the same machine
can send requests to ``http://127.0.0.1:3000``: with DNS rebinding (a name of the attacker's that
first resolves to its server, then to 127.0.0.1) even its scripts can read the answers, and a
GraphQL mutation sent as a plain GET (an image tag) or a form POST launches or deletes runs. The
pinned Dagster webserver checks none of that, so this ASGI middleware wraps it:

- the ``Host`` header must name an allowed host (``localhost``, ``127.0.0.1``, ``[::1]``, the
  host the UI was started on, and the names in ``BND_UI_ALLOWED_HOSTS``): a rebound name is not
  one of them (DNS-rebinding defence); otherwise 421;
- a request carrying an ``Origin`` header (browsers send one on every cross-site POST and on
  websockets) must come from such a host too: another site's form or script gets 403;
- a GraphQL request sent as GET may only read: a ``mutation`` (or a query that cannot be parsed)
  gets 405.

Plain ASGI, no Dagster import: it guards whatever app it wraps.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError

ALLOWED_HOSTS_ENV = "BND_UI_ALLOWED_HOSTS"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def allowed_hosts(bound_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names the UI answers to: loopback names, its own host, ``extra`` and the
    comma-separated names of ``BND_UI_ALLOWED_HOSTS``."""
    configured = os.environ.get(ALLOWED_HOSTS_ENV, "").split(",")
    names = {*LOCAL_HOSTS, bound_host, *extra, *configured}
    return frozenset(name.strip().strip("[]").lower() for name in names if name.strip())


def host_name(value: str) -> str:
    """The host of a ``Host`` header value (``name``, ``name:port``, ``[::1]:port``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def is_mutation(query: str) -> bool:
    """Whether a GraphQL document holds a mutation; a document that does not parse counts as one
    (it is refused rather than guessed at)."""
    try:
        document = parse(query)
    except GraphQLError:
        return True
    return any(
        isinstance(node, OperationDefinitionNode) and node.operation == OperationType.MUTATION
        for node in document.definitions
    )


class LocalOnlyGuard:
    """ASGI middleware: refuses foreign hosts and origins, and mutations sent as GET."""

    def __init__(self, app: App, hosts: frozenset[str], graphql_path: str = "/graphql") -> None:
        self.app = app
        self.hosts = hosts
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": refusal[1]})
        else:
            await _plain(send, *refusal)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, reason) when the request is refused, else None."""
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        host = host_name(headers.get("host", ""))
        if host not in self.hosts:
            return (
                421,
                f"host {host!r} is not served here (allowed: {', '.join(sorted(self.hosts))})",
            )
        origin = headers.get("origin")
        if origin is not None and (urlsplit(origin).hostname or "").lower() not in self.hosts:
            return 403, "requests from another site are refused"
        if (
            scope["type"] == "http"
            and scope.get("method") == "GET"
            and scope.get("path", "").rstrip("/") == self.graphql_path
        ):
            query_string = scope.get("query_string", b"").decode("latin-1")
            queries = parse_qs(query_string).get("query", [])
            if any(is_mutation(query) for query in queries):
                return 405, "GraphQL mutations must be sent as POST"
        return None


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
