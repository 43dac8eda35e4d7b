"""Play WeChat's side of the webhook: build, sign (and encrypt) messages, read replies.

The transport is the caller's (sync or async httpx, a test client), so the sandbox
page, the `shequ send` command, the tests and the benchmark all sign the same way.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Literal
from xml.sax.saxutils import escape

from bot.security import sign
from bot.wire import SafeMode, parse_xml

Mode = Literal["plain", "compatible", "safe"]


@dataclass(frozen=True)
class SignedRequest:
    params: dict[str, str]
    body: bytes


@dataclass
class ParsedReply:
    status: int
    text: str | None  # the reply's Content, None for `success`/empty
    fields: dict[str, str] = field(default_factory=dict)
    raw: str = ""


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: dict[str, str | int | float]) -> str:
    parts = []
    for key, value in fields.items():
        text = _cdata(value) if isinstance(value, str) else escape(str(value))
        parts.append(f"<{key}>{text}</{key}>")
    return "<xml>" + "".join(parts) + "</xml>"


class WeChatSimulator:
    def __init__(
        self,
        token: str,
        aes_key: str,
        appid: str,
        account: str = "gh_shequ_demo",
        mode: Mode = "plain",
    ) -> None:
        self.token = token
        self.appid = appid
        self.account = account
        self.mode = mode
        self._safe = SafeMode(token, aes_key, appid)
        self._msg_ids = secrets.randbits(40) << 20

    def next_msg_id(self) -> str:
        self._msg_ids += 1
        return str(self._msg_ids)

    def text_fields(
        self, openid: str, text: str, msg_id: str | None = None, created: int | None = None
    ) -> dict[str, str | int | float]:
        return {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": created or int(time.time()),
            "MsgType": "text",
            "Content": text,
            "MsgId": msg_id or self.next_msg_id(),
        }

    def message_fields(
        self, openid: str, msg_type: str, created: int | None = None, **extra: str
    ) -> dict[str, str | int | float]:
        """A voice, image, location … message; `extra` carries its own fields."""
        fields: dict[str, str | int | float] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": created or int(time.time()),
            "MsgType": msg_type,
            "MsgId": self.next_msg_id(),
        }
        fields.update(extra)
        return fields

    def event_fields(
        self,
        openid: str,
        event: str,
        key: str = "",
        created: int | None = None,
        **extra: str | float,
    ) -> dict[str, str | int | float]:
        fields: dict[str, str | int | float] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": created or int(time.time()),
            "MsgType": "event",
            "Event": event,
        }
        if key:
            fields["EventKey"] = key
        fields.update(extra)
        return fields

    def sign_request(
        self,
        fields: dict[str, str | int | float],
        timestamp: int | None = None,
        mode: Mode | None = None,
    ) -> SignedRequest:
        mode = mode or self.mode
        stamp = str(timestamp or int(time.time()))
        nonce = secrets.token_hex(5)
        params = {
            "signature": sign(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            "openid": str(fields.get("FromUserName", "")),
        }
        xml = build_xml(fields)
        if mode == "plain":
            return SignedRequest(params, xml.encode())
        encrypted = self._safe.encrypt_reply(xml, stamp)
        encrypt = parse_xml(encrypted.encode())["Encrypt"]
        params["encrypt_type"] = "aes"
        params["msg_signature"] = sign(self.token, stamp, nonce, encrypt)
        if mode == "safe":
            body = build_xml({"ToUserName": self.account, "Encrypt": encrypt})
        else:  # compatible mode carries both the plaintext and the ciphertext
            body = xml[: -len("</xml>")] + f"<Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
        return SignedRequest(params, body.encode())

    def read_reply(self, status: int, body: bytes, mode: Mode | None = None) -> ParsedReply:
        raw = body.decode("utf-8", "replace")
        if status != 200 or raw.strip() in ("", "success"):
            return ParsedReply(status, None, raw=raw)
        fields = parse_xml(body)
        if (mode or self.mode) != "plain" and "Encrypt" in fields:
            expected = sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
            if expected != fields.get("MsgSignature"):
                raise ValueError("reply signature does not verify")
            fields = parse_xml(self._safe.decrypt(fields["Encrypt"]))
        return ParsedReply(status, fields.get("Content"), fields=fields, raw=raw)
