"""Chinese labels of the codes stored in records, for everything staff read: console pages
(through admin/labels.py), exported ledgers and figures. One place per code family."""

from __future__ import annotations

from storage.employment.profile import KIND_LABELS as JOB_KIND_LABELS
from storage.employment.profile import STATUS_LABELS as LABOUR_LABELS
from storage.employment.service import APPLICATION_LABELS
from storage.notices.planning import CHANNEL_LABELS as NOTICE_CHANNEL_LABELS
from storage.outbound.deliveries import STATUS_LABELS as DELIVERY_LABELS
from storage.requests.rules import STATUS_LABELS as REQUEST_LABELS
from storage.volunteers.profiles import SLOT_LABELS
from storage.volunteers.profiles import STATUS_LABELS as VOLUNTEER_LABELS

HANDOVER_LABELS = {"open": "待认领", "claimed": "处理中", "closed": "已办结"}
MEAL_ORDER_LABELS = {
    "pending": "待确认",
    "confirmed": "已确认",
    "delivered": "已送达",
    "rejected": "已拒绝",
    "cancelled": "已取消",
}
TASK_LABELS = {"open": "待接单", "assigned": "配送中", "done": "已送达", "cancelled": "已取消"}
TASK_KIND_LABELS = {"meal": "送餐"}
SEEKER_SOURCE_LABELS = {"chat": "公众号登记", "survey": "入户调查"}
REQUEST_SOURCE_LABELS = {"wechat": "公众号", "open311": "政务平台"}
CHANNEL_LABELS = {
    **NOTICE_CHANNEL_LABELS,
    "passive": "公众号回复",
    "subscribe": "订阅消息",
    "wecom_customer_group": "企业微信客户群",
}
PURPOSE_LABELS = {
    "request_update": "工单进展告知居民",
    "request_staff": "工单通知网格员",
    "request_reply": "工作人员回复居民",
    "rating": "邀请评价",
    "handover": "转人工通知",
    "handover_reply": "转人工回复居民",
    "late_reply": "延迟答复",
    "council_result": "议事会结果",
    "meal_accepted": "订餐已受理",
    "meal_confirmed": "订餐已确认",
    "meal_delivered": "送餐已送达",
    "task_offer": "送餐任务邀请",
    "task_alert": "送餐任务提醒食堂",
    "task_reminder": "送餐任务提醒志愿者",
    "task_cancelled": "送餐任务取消",
    "job_notice": "岗位推送",
    "job_decision": "报名结果",
    "poll": "民调问题",
    "project_started": "项目启动告知",
    "project_progress": "项目进展告知",
    "project_overdue": "项目超期提醒",
    "pair_assigned": "结对告知",
    "pair_newcomer": "新邻居结对告知",
    "pair_reminder": "探访提醒志愿者",
    "pair_missed": "探访逾期提醒网格员",
}
PURPOSE_PREFIXES = {"notice": "通知", "council": "议事会", "meeting": "议事会"}

__all__ = [
    "APPLICATION_LABELS",
    "CHANNEL_LABELS",
    "DELIVERY_LABELS",
    "HANDOVER_LABELS",
    "JOB_KIND_LABELS",
    "LABOUR_LABELS",
    "MEAL_ORDER_LABELS",
    "PURPOSE_LABELS",
    "REQUEST_LABELS",
    "REQUEST_SOURCE_LABELS",
    "SEEKER_SOURCE_LABELS",
    "SLOT_LABELS",
    "TASK_KIND_LABELS",
    "TASK_LABELS",
    "VOLUNTEER_LABELS",
    "label",
    "purpose_label",
]


def label(labels: dict[str, str], code: str | None, unknown: str = "其他") -> str:
    """The label of `code`; a code nobody has named yet is said as `unknown`, never raw."""
    if not code:
        return ""
    return labels.get(code, unknown)


def purpose_label(purpose: str | None) -> str:
    """ "notice:2" → "通知（第2号）", "request_staff" → "工单通知网格员"."""
    if not purpose:
        return ""
    if purpose in PURPOSE_LABELS:
        return PURPOSE_LABELS[purpose]
    prefix, _, rest = purpose.partition(":")
    if prefix in PURPOSE_PREFIXES:
        return (
            f"{PURPOSE_PREFIXES[prefix]}（第{rest}号）"
            if rest.isdigit()
            else PURPOSE_PREFIXES[prefix]
        )
    return "其他消息"
