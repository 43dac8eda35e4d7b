"""A poll's results as an Excel workbook: one row per household per round, Chinese column
labels, real dates (China time) and a frozen header; cells a spreadsheet would run as a
formula go through `storage.cells.formula_safe`. A second sheet holds the means by grid and
building of every score question."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from storage.cells import formula_safe
from storage.clock import in_china
from storage.polls.models import Poll
from storage.polls.queries import answers_by_target, results, target_rows
from storage.polls.questions import answer_label, load
from storage.polls.service import STATUS_LABELS

VIA = {"chat": "微信", "phone": "电话"}
HEADER = ["轮次", "网格", "楼栋", "住址", "居民", "作答方式", "状态", "电话回访原因", "完成时间"]


def poll_workbook(session: Session, poll: Poll, grid_ids: Sequence[int] | None) -> bytes:
    questions = load(poll.questions)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "回答明细"
    sheet.append(
        HEADER + [f"第{i}题 {q.text}"[:60] for i, q in enumerate(questions, 1)] + ["转为工单"]
    )
    rows = target_rows(session, grid_ids, poll_id=poll.id, limit=50_000)
    answers = answers_by_target(session, [r.target.id for r in rows])
    for row in rows:
        target = row.target
        given = {a.question: a for a in answers.get(target.id, [])}
        finished = in_china(target.finished_at).replace(tzinfo=None) if target.finished_at else None
        cells: list[object] = [
            row.round_number,
            row.grid,
            f"{row.building}号楼",
            row.address,
            formula_safe(row.name or ""),
            VIA.get(target.via or "", ""),
            STATUS_LABELS.get(target.status, target.status),
            target.phone_reason or "",
            finished,
        ]
        for index, question in enumerate(questions):
            answer = given.get(index)
            label = answer_label(question, answer.number, answer.text) if answer else ""
            cells.append(formula_safe(label))
        cells.append("是" if any(a.request_id for a in given.values()) else "")
        sheet.append(cells)
        if finished is not None:
            sheet.cell(row=sheet.max_row, column=9).number_format = "yyyy-mm-dd hh:mm"
    _finish(sheet, len(HEADER) + len(questions) + 1)
    means = book.create_sheet("评分汇总")
    means.append(["题目", "范围", "名称", "平均分", "回答数", "1–2分"])
    for result in results(session, poll, grid_ids):
        if result["kind"] != "score":
            continue
        for scope, key in (("网格", "by_grid"), ("楼栋", "by_building"), ("轮次", "by_round")):
            for item in result[key]:
                means.append(
                    [result["text"], scope, item["label"], item["mean"], item["count"], item["low"]]
                )
    _finish(means, 6)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _finish(sheet: object, width: int) -> None:
    sheet.freeze_panes = "A2"  # type: ignore[attr-defined]
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
    for column in range(1, width + 1):
        letter = sheet.cell(row=1, column=column).column_letter  # type: ignore[attr-defined]
        sheet.column_dimensions[letter].width = 14 if column != 4 else 18  # type: ignore[attr-defined]
