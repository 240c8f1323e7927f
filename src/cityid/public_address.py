"""The public address cards and status lists name, against the address `serve` listens on.

Every card carries the URI of its status list, and each status list names itself
(`sub`), both made from `public_base_url`. A server whose real address differs signs
cards that send verifiers elsewhere, so `cityid serve` checks the two before it starts.
Pure rules: no network, no files.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from cityid.errors import BadInput

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class PublicBaseUrl:
    url: str
    host: str
    port: int


@dataclass(frozen=True)
class ListenCheck:
    """`refusal`: why serving must not start; `warning`: what to say loudly if it does."""

    refusal: str | None = None
    warning: str | None = None


def parse_public_base_url(text: str) -> PublicBaseUrl:
    """An http(s) URL with a host, no query or fragment; the trailing slash is dropped."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        raise BadInput("public base URL: not a URL") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise BadInput("public base URL: give http:// or https:// and a host name")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise BadInput("public base URL: no query, fragment or user name")
    url = f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")
    return PublicBaseUrl(url=url, host=parts.hostname, port=port or DEFAULT_PORTS[parts.scheme])


def is_loopback(host: str) -> bool:
    """Only this machine can reach it (`0.0.0.0` and `::` are every interface: not)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_listen_address(
    public: PublicBaseUrl, host: str, port: int, *, set_by_operator: bool
) -> ListenCheck:
    """May a server listening on host:port sign cards naming `public`?

    Listening beyond this machine while cards name a loopback address is refused unless
    the operator set the address for this run (flag or environment): every card issued
    would point verifiers at their own computer. On loopback, a port other than the
    URL's is only warned about: a reverse proxy may forward to it.
    """
    if not is_loopback(host) and is_loopback(public.host):
        message = (
            f"listening on {host}:{port}, but cards and status lists would name "
            f"{public.url}, which only this machine can reach"
        )
        if not set_by_operator:
            return ListenCheck(
                refusal=f"{message}. Give --public-base-url URL (or CITYID_PUBLIC_BASE_URL, "
                "or public_base_url in policy.toml) with the address the public uses"
            )
        return ListenCheck(warning=f"{message} (as --public-base-url asks)")
    if is_loopback(host) and is_loopback(public.host) and public.port != port:
        return ListenCheck(
            warning=f"listening on port {port}, but cards and status lists name {public.url}"
            f" (port {public.port}); verifiers will fetch status lists from there. Give"
            " --public-base-url with this server's address unless a proxy forwards it"
        )
    return ListenCheck()
