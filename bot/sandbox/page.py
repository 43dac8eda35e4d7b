"""`/sandbox`: chat as any demo resident and watch what groups and residents receive."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy import select

from bot.deps import SessionDep, SettingsDep
from bot.sandbox.simulator import WeChatSimulator
from storage.models import GroupChannel, Household, Resident, SandboxRecord

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class ChatIn(BaseModel):
    openid: str = Field(min_length=1, max_length=64)
    kind: Literal["text", "voice", "image", "location", "subscribe", "unsubscribe", "click"] = (
        "text"
    )
    text: str = Field("", max_length=2000)
    mode: Literal["plain", "compatible", "safe"] = "safe"


class ChatOut(BaseModel):
    status: int
    reply: str | None
    elapsed_ms: float


def build_sandbox_page_router() -> APIRouter:
    router = APIRouter(prefix="/sandbox", include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "sandbox.html", {})

    @router.get("/residents")
    def residents(session: SessionDep) -> list[dict[str, str | None]]:
        rows = session.scalars(
            select(Resident).where(Resident.openid.like("demo-%")).order_by(Resident.id).limit(200)
        )
        out = []
        for resident in rows:
            household = (
                session.get(Household, resident.household_id) if resident.household_id else None
            )
            out.append(
                {
                    "openid": resident.openid,
                    "name": resident.name,
                    "address": household.address if household else None,
                    "roles": ",".join(resident.roles or []),
                }
            )
        return out

    @router.get("/groups")
    def groups(session: SessionDep, after_id: int = 0) -> list[dict[str, object]]:
        channels = {
            c.target: c.name
            for c in session.scalars(
                select(GroupChannel).where(GroupChannel.channel == "wecom_robot")
            )
        }
        records = session.scalars(
            select(SandboxRecord)
            .where(SandboxRecord.id > after_id)
            .order_by(SandboxRecord.id.desc())
            .limit(200)
        )
        return [
            {
                "id": r.id,
                "kind": r.kind,
                "target": r.target,
                "group": channels.get(r.target),
                "text": r.text,
                "at": r.created_at.isoformat(),
            }
            for r in reversed(list(records))
        ]

    @router.post("/chat")
    async def chat(body: ChatIn, settings: SettingsDep) -> ChatOut:
        # Signed with this (local) run's own credentials and posted to its own configured
        # address: nothing taken from the request, whose Host header anyone can set.
        sim = WeChatSimulator(
            settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid, mode=body.mode
        )
        fields = _fields_for(sim, body)
        signed = sim.sign_request(fields)
        url = settings.public_url.rstrip("/") + "/wechat"
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(url, params=signed.params, content=signed.body)
        reply = sim.read_reply(response.status_code, response.content)
        return ChatOut(
            status=response.status_code,
            reply=reply.text,
            elapsed_ms=round(response.elapsed.total_seconds() * 1000, 1),
        )

    return router


def _fields_for(sim: WeChatSimulator, body: ChatIn) -> dict[str, str | int | float]:
    if body.kind == "text":
        return sim.text_fields(body.openid, body.text)
    if body.kind in ("subscribe", "unsubscribe"):
        return sim.event_fields(body.openid, body.kind)
    if body.kind == "click":
        return sim.event_fields(body.openid, "CLICK", key=body.text or "MENU_HELP")
    base = sim.text_fields(body.openid, "")
    del base["Content"]
    if body.kind == "voice":
        base.update(MsgType="voice", MediaId=f"media-{base['MsgId']}", Format="amr")
        if body.text:
            base["Recognition"] = body.text
    elif body.kind == "image":
        base.update(
            MsgType="image", PicUrl="http://sandbox.local/p.png", MediaId=f"media-{base['MsgId']}"
        )
    elif body.kind == "location":
        base.update(
            MsgType="location",
            Location_X=30.27,
            Location_Y=120.15,
            Scale=15,
            Label=body.text or "城南社区",
        )
    return base
