"""Poll pages (民调): the list, compose, a poll's targets preview and progress (who answered
in chat, who must be phoned), results with charts, the Excel export, and the grid worker's
phone list (phone first: one card per household, the call recorded in one form)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from admin.audit import audit_staff
from admin.deps import WorkerStaff, client_ip
from admin.polls.actions import call_and_audit, create_and_audit, pause_and_audit, start_and_audit
from admin.polls.charts import bars, line
from admin.polls.view import detail, grid_choices, list_polls, load_poll, phone_items
from admin.render import ConsoleRoute, render
from bot.deps import SessionDep, SettingsDep, commit
from storage.models import Building, utcnow
from storage.polls.excel import poll_workbook
from storage.polls.population import DEFAULT_CADENCE, KINDS
from storage.polls.queries import answers_by_target, results, target_rows
from storage.polls.questions import KINDS as QUESTION_KINDS
from storage.polls.questions import answer_label, load
from storage.polls.service import CALL_OUTCOMES, STATUS_LABELS
from storage.requests.rules import china_day
from storage.residents.households_excel import CARE_TAGS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUESTION_ROWS = 5
SPLIT = re.compile(r"[,，、;；/\s]+")
FLASH = {
    "created": "民调草稿已保存。请核对下面的发送对象，然后开始民调。",
    "started": "民调已开始，第一轮正在发送。能用微信联系的居民会收到第一题，其余住户已列入电话回访清单。",
    "called": "通话结果已记录。",
    "paused": "民调已暂停，不再发新的一轮；本轮已有的回答和电话回访清单保留。",
}
ELDERLY = ["独居老人", "空巢老人"]


def _form_body(form: Any, session: Any) -> dict[str, Any]:
    questions = []
    for n in range(QUESTION_ROWS):
        text = str(form.get(f"q{n}_text") or "").strip()
        if text:
            options = [o for o in SPLIT.split(str(form.get(f"q{n}_options") or "")) if o]
            questions.append(
                {"kind": str(form.get(f"q{n}_kind") or ""), "text": text, "options": options}
            )
    numbers = [n for n in SPLIT.split(str(form.get("buildings") or "")) if n]
    building_ids = []
    for number in numbers:
        found = session.scalar(
            select(Building.id).where(Building.number == number.replace("号楼", ""))
        )
        if found is None:
            raise HTTPException(status_code=400, detail=f"没有{number}号楼")
        building_ids.append(int(found))
    grid_ids = [int(g) for g in form.getlist("grid_id") if str(g).isdigit()]
    cadence = str(form.get("cadence_days") or "")
    return {
        "title": str(form.get("title") or ""),
        "intro": str(form.get("intro") or ""),
        "questions": questions,
        "population": {
            "kind": str(form.get("kind") or ""),
            "tags": [str(t) for t in form.getlist("tag")],
            "grid_ids": grid_ids,
            "building_ids": building_ids,
        },
        "cadence_days": int(cadence) if cadence.isdigit() else None,
    }


def _charts(result: dict[str, Any]) -> list[Any]:
    shown: list[Any] = []
    if result["kind"] == "score":
        for key, title in (("by_grid", "各网格平均分"), ("by_building", "各楼栋平均分")):
            items = [
                (i["label"], i["mean"], f"（{i['count']}户，1–2分{i['low']}户）")
                for i in result[key]
            ]
            shown.append((title, bars(items, top=5, title=f"{result['text']}：{title}")))
        rounds = result["by_round"]
        if rounds:
            chart = line(
                [r["label"] for r in rounds],
                [("平均分", [r["mean"] for r in rounds])],
                top=5,
                title=f"{result['text']}：各轮平均分",
            )
            shown.append(("各轮平均分", chart))
    elif result["kind"] == "choice":
        items = [(o["label"], float(o["count"]), "户") for o in result["options"]]
        top = max([o["count"] for o in result["options"]] + [1])
        shown.append(("各选项户数", bars(items, top=top, title=f"{result['text']}：各选项户数")))
    return shown


def build_polls_pages_router() -> APIRouter:
    router = APIRouter(prefix="/admin/polls", route_class=ConsoleRoute, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    def polls(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        return render(request, "polls.html", {"rows": list_polls(session, staff)}, staff)

    @router.get("/new", response_class=HTMLResponse)
    def new_poll(request: Request, staff: WorkerStaff, session: SessionDep) -> HTMLResponse:
        context = {
            "grids": grid_choices(session, staff),
            "kinds": KINDS,
            "care_tags": CARE_TAGS,
            "elderly": ELDERLY,
            "question_kinds": QUESTION_KINDS,
            "rows": range(QUESTION_ROWS),
            "cadence": DEFAULT_CADENCE,
        }
        return render(request, "polls_new.html", context, staff)

    @router.post("")
    async def create(request: Request, staff: WorkerStaff, session: SessionDep) -> Response:
        form = await request.form()
        body = _form_body(form, session)
        poll = create_and_audit(session, staff, client_ip(request), body=body)
        return RedirectResponse(f"/admin/polls/{poll.id}?flash=created", status_code=303)

    @router.get("/phone", response_class=HTMLResponse)
    def phone(
        request: Request, staff: WorkerStaff, session: SessionDep, flash: str = ""
    ) -> HTMLResponse:
        context = {
            "items": phone_items(session, staff),
            "outcomes": CALL_OUTCOMES,
            "flash": FLASH.get(flash),
        }
        return render(request, "polls_phone.html", context, staff)

    @router.post("/targets/{target_id}/call")
    async def call(
        request: Request, target_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        form = await request.form()
        answers = {}
        for key, value in form.items():
            match = re.fullmatch(r"a(\d+)", key)
            if match:
                answers[int(match.group(1))] = str(value)
        outcome = str(form.get("outcome") or "")
        call_and_audit(
            session,
            staff,
            client_ip(request),
            target_id,
            outcome=outcome,
            answers=answers,
            note=str(form.get("note") or "")[:500],
        )
        return RedirectResponse("/admin/polls/phone?flash=called", status_code=303)

    @router.get("/{poll_id}", response_class=HTMLResponse)
    def poll_page(
        request: Request,
        poll_id: int,
        staff: WorkerStaff,
        session: SessionDep,
        settings: SettingsDep,
        flash: str = "",
    ) -> HTMLResponse:
        poll = load_poll(session, staff, poll_id)
        info = detail(session, staff, poll, settings, utcnow())
        rows = target_rows(
            session, staff.visible_grid_ids(), poll_id=poll.id, open_rounds_only=True, limit=500
        )
        answers = answers_by_target(session, [r.target.id for r in rows])
        questions = load(poll.questions)
        households = [
            {
                "address": r.address,
                "name": r.name,
                "grid": r.grid,
                "status": r.target.status,
                "status_label": STATUS_LABELS.get(r.target.status, ""),
                "channel": r.target.channel,
                "reason": r.target.phone_reason,
                "answers": "；".join(
                    answer_label(questions[a.question], a.number, a.text)
                    for a in answers.get(r.target.id, [])
                ),
            }
            for r in rows
        ]
        context = {
            "p": info,
            "households": households,
            "flash": FLASH.get(flash),
            "labels": STATUS_LABELS,
        }
        return render(request, "polls_detail.html", context, staff)

    @router.post("/{poll_id}/start")
    def start(request: Request, poll_id: int, staff: WorkerStaff, session: SessionDep) -> Response:
        poll = load_poll(session, staff, poll_id)
        start_and_audit(session, staff, client_ip(request), poll)
        return RedirectResponse(f"/admin/polls/{poll_id}?flash=started", status_code=303)

    @router.post("/{poll_id}/pause")
    def pause_page(
        request: Request, poll_id: int, staff: WorkerStaff, session: SessionDep
    ) -> Response:
        poll = load_poll(session, staff, poll_id)
        pause_and_audit(session, staff, client_ip(request), poll)
        return RedirectResponse(f"/admin/polls/{poll_id}?flash=paused", status_code=303)

    @router.get("/{poll_id}/results", response_class=HTMLResponse)
    def results_page(
        request: Request, poll_id: int, staff: WorkerStaff, session: SessionDep
    ) -> HTMLResponse:
        poll = load_poll(session, staff, poll_id)
        found = results(session, poll, staff.visible_grid_ids())
        shown = [{**r, "charts": _charts(r)} for r in found]
        return render(request, "polls_results.html", {"poll": poll, "results": shown}, staff)

    @router.get("/{poll_id}/export.xlsx")
    def export(request: Request, poll_id: int, staff: WorkerStaff, session: SessionDep) -> Response:
        poll = load_poll(session, staff, poll_id)
        body = poll_workbook(session, poll, staff.visible_grid_ids())
        audit_staff(session, staff, "export", client_ip(request), "poll", poll.id, "xlsx")
        commit(session)
        name = f"poll-{poll.id}-{china_day(utcnow())}.xlsx"
        return Response(
            body,
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    return router
