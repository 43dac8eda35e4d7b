"""The XML on the wire: hostile-input-safe parsing, safe-mode crypto, passive replies."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import PrpCrypto
from wechatpy.replies import TextReply

from bot.security import RequestRejected, sign
from handlers.message import Incoming

MAX_FIELD_CHARS = 20_000
MAX_ID_CHARS = 64  # openids are 28 characters, account ids about 15


def parse_xml(body: bytes) -> dict[str, str]:
    """Flat dict of the children of <xml>. DTDs, entities and external references are refused."""
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise RequestRejected(400, f"forbidden XML construct: {type(exc).__name__}") from exc
    except (ParseError, ValueError) as exc:
        raise RequestRejected(400, "malformed XML") from exc
    if root.tag != "xml":
        raise RequestRejected(400, "root element is not <xml>")
    fields: dict[str, str] = {}
    for child in root:
        if len(child):
            # Nested blocks (ScanCodeInfo, SendPicsInfo …) are kept flattened by child tag.
            for grandchild in child.iter():
                if grandchild is not child and grandchild.text and not len(grandchild):
                    fields.setdefault(f"{child.tag}.{grandchild.tag}", grandchild.text.strip())
            continue
        fields[child.tag] = (child.text or "").strip()[:MAX_FIELD_CHARS]
    return fields


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def to_incoming(fields: dict[str, str]) -> Incoming:
    openid = fields.get("FromUserName", "")
    account = fields.get("ToUserName", "")
    msg_type = fields.get("MsgType", "").lower()
    if not openid or not msg_type:
        raise RequestRejected(400, "message lacks FromUserName or MsgType")
    if len(openid) > MAX_ID_CHARS or len(account) > MAX_ID_CHARS:
        raise RequestRejected(400, "FromUserName or ToUserName too long")
    try:
        created = datetime.fromtimestamp(int(fields.get("CreateTime", "0")), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise RequestRejected(400, "bad CreateTime") from exc
    event = fields.get("Event") or None
    is_location_event = msg_type == "event" and (event or "").upper() == "LOCATION"
    return Incoming(
        openid=openid,
        account=account,
        msg_type=msg_type,
        created_at=created,
        msg_id=fields.get("MsgId") or fields.get("MsgID") or None,
        content=fields.get("Content") or None,
        event=event,
        event_key=fields.get("EventKey") or None,
        media_id=fields.get("MediaId") or fields.get("ThumbMediaId") or None,
        pic_url=fields.get("PicUrl") or None,
        recognition=fields.get("Recognition") or None,
        latitude=_float(fields.get("Latitude") if is_location_event else fields.get("Location_X")),
        longitude=_float(
            fields.get("Longitude") if is_location_event else fields.get("Location_Y")
        ),
        label=fields.get("Label") or None,
        title=fields.get("Title") or None,
        description=fields.get("Description") or None,
        url=fields.get("Url") or None,
        raw=fields,
    )


class SafeMode:
    """AES (EncodingAESKey) bodies, via wechatpy's cipher; signatures checked by us."""

    def __init__(self, token: str, aes_key: str, appid: str) -> None:
        try:
            key = base64.b64decode(aes_key + "=")
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self._key = key
        self._token = token
        self._appid = appid

    def decrypt(self, encrypted: str) -> bytes:
        try:
            text = PrpCrypto(self._key).decrypt(encrypted, self._appid)
        except Exception as exc:  # wechatpy raises several kinds on bad input
            raise RequestRejected(400, "cannot decrypt message") from exc
        return text.encode() if isinstance(text, str) else text

    def encrypt_reply(self, xml: str, timestamp: str | None = None) -> str:
        nonce = secrets.token_hex(8)
        stamp = timestamp or str(int(time.time()))
        encrypted = PrpCrypto(self._key).encrypt(xml, self._appid)
        encrypt = encrypted.decode() if isinstance(encrypted, bytes) else encrypted
        signature = sign(self._token, stamp, nonce, encrypt)
        return (
            f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{stamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


def render_text_reply(openid: str, account: str, text: str, created: int) -> str:
    # CDATA cannot contain "]]>"; split it so the text survives unchanged.
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    return str(TextReply(source=account, target=openid, content=safe, time=created).render())
