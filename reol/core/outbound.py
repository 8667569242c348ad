"""Where Reol may send a request that a school's staff addressed (server-side request forgery).

A librarian types a partner library's ISO 18626 address; Reol's server then POSTs to it, with
our token, and shows the librarian what came back ("HTTP 404", "connection refused"). Pointed
at ``127.0.0.1:5432``, ``169.254.169.254`` (a cloud's metadata service) or ``[::1]``, that made
Reol a scanner of the machine it runs on. ``check`` refuses an address whose host resolves to
such a place: loopback, link-local, unspecified, multicast and reserved addresses, unless
``REOL_OUTBOUND_ALLOW`` (networks, or an address and port as ``127.0.0.1:8000``,
comma-separated) names it. Private networks (10/8 …) stay
allowed: a municipality's partners may be on its own network. Callers also follow no
redirects, so a public address cannot send the request on to a refused one.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The address is not one Reol sends requests to."""


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _entry(text: str) -> tuple[Network, int | None]:
    """A network, or one address and port (``127.0.0.1:8000``, ``[::1]:8000``)."""
    if text.startswith("["):  # [IPv6]:port
        address, _, port = text[1:].partition("]:")
        return ipaddress.ip_network(address), int(port)
    if text.count(":") == 1:  # IPv4:port
        address, _, port = text.partition(":")
        return ipaddress.ip_network(address), int(port)
    return ipaddress.ip_network(text, strict=False), None


def _allowed() -> list[tuple[Network, int | None]]:
    return [
        _entry(str(entry).strip())
        for entry in getattr(settings, "REOL_OUTBOUND_ALLOW", [])
        if str(entry).strip()
    ]


def _refused(address: Address, port: int) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in net and allowed in (None, port) for net, allowed in _allowed()):
        return False
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )


def check(url: str) -> None:
    """Raise ``Refused`` unless ``url`` is http(s) to a host whose every address may be asked."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) address: {url[:100]}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError) as error:
        raise Refused(f"{parts.hostname}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if _refused(address, port):
            raise Refused(f"{parts.hostname} is {address}, an address Reol does not send to")


def _check_redirect(response: Any, *args: Any, **kwargs: Any) -> Any:
    if response.is_redirect:
        check(urljoin(response.url, response.headers.get("Location", "")))
    return response


# ``requests.get(url, hooks=REDIRECTS_CHECKED)``: each redirect's address is checked before it
# is followed (``Refused`` is raised out of the call).
REDIRECTS_CHECKED = {"response": [_check_redirect]}
