"""An MCP client (the official MCP Python SDK's OAuthClientProvider) against the example provider.

Run by examples/provider/tests/it/mcp.rs with the provider's base URL:

    python mcp_client.py http://127.0.0.1:PORT

The SDK does what an MCP client does with an MCP server's authorization: it meets a 401 at the
protected resource, reads the RFC 9728 metadata named in the challenge, discovers the
authorization server (RFC 8414), registers dynamically (RFC 7591), runs the authorization code
flow with PKCE S256 and `resource` (RFC 8707), and repeats the request with the token. The
user's part (sign in, consent) is done here with the standard library, as a browser would.
Prints one JSON object: what the protected resource answered and what the flow sent.
"""

import asyncio
import html
import http.cookiejar
import json
import re
import sys
import urllib.parse
import urllib.request

import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

REDIRECT_URI = "http://127.0.0.1:33418/callback"


class MemoryStorage:
    """The SDK's TokenStorage protocol, in memory."""

    def __init__(self):
        self.tokens = None
        self.client_info = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def hidden_fields(page: str) -> dict:
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page):
        attrs = dict(
            (name, html.unescape(a or b or c))
            for name, a, b, c in re.findall(r'(\w+)=(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+))', tag)
        )
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


class Browser:
    """The user's browser: signs in as the demo user and allows."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects()
        )
        self.callback = None
        self.authorization_url = None

    def request(self, url: str, form: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            response = self.opener.open(urllib.request.Request(url, data=data))
            return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def approve(self, authorization_url: str) -> None:
        self.authorization_url = authorization_url
        status, headers, _ = self.request(authorization_url)
        assert status == 303, f"a visitor is sent to sign in: {status}"
        login = urllib.parse.urljoin(self.base, headers["Location"])
        nxt = urllib.parse.parse_qs(urllib.parse.urlsplit(login).query)["next"][0]
        status, _, page = self.request(login)
        form = hidden_fields(page)
        form.update({"username": "demo", "password": "demo-password", "next": nxt})
        status, headers, _ = self.request(self.base + "/login", form)
        assert status == 303, f"signed in: {status}"
        status, _, consent = self.request(urllib.parse.urljoin(self.base, headers["Location"]))
        assert status == 200, f"the consent page: {status}"
        assert "MCP test client" in consent, "the consent page names the client"
        form = hidden_fields(consent)
        form["decision"] = "allow"
        status, headers, _ = self.request(self.base + "/oauth/authorize", form)
        assert status == 302, f"redirected to the client: {status}"
        self.callback = headers["Location"]

    def result(self) -> AuthorizationCodeResult:
        assert self.callback.startswith(REDIRECT_URI), self.callback
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.callback).query)
        return AuthorizationCodeResult(
            code=query["code"][0], state=query.get("state", [None])[0], iss=query.get("iss", [None])[0]
        )


async def main(base: str) -> None:
    browser = Browser(base)
    storage = MemoryStorage()

    async def redirect_handler(url: str) -> None:
        await asyncio.to_thread(browser.approve, url)

    async def callback_handler() -> AuthorizationCodeResult:
        return browser.result()

    provider = OAuthClientProvider(
        server_url=f"{base}/api/me",
        client_metadata=OAuthClientMetadata(
            client_name="MCP test client",
            redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=30) as client:
        response = await client.get(f"{base}/api/me")
    authorization = urllib.parse.parse_qs(urllib.parse.urlsplit(browser.authorization_url).query)
    print(
        json.dumps(
            {
                "status": response.status_code,
                "me": response.json() if response.status_code == 200 else response.text,
                "client_id": storage.client_info.client_id,
                "authorization": {k: v for k, v in authorization.items()},
                "scope": storage.tokens.scope,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
