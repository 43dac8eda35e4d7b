"""What residents read about their problem reports. Plain, short Simplified Chinese."""

CREATED = (
    "已受理，编号 {code}。\n"
    "问题：{category}｜{location}{urgent}\n"
    "由{who}负责，{respond_by}前会联系您。\n"
    "有现场照片的话，30分钟内直接发来即可。回复“查询 {code}”可查看进度。"
)
URGENT_LINE = "\n已按紧急情况处理，如有危险请先拨打119/110或物业值班电话。"
DUPLICATE = (
    "{location}的这个问题已有居民反映（编号 {code}，{status}，已有{count}户反映）。\n"
    "已为您关注，处理进展会同时通知您，不用重复登记。\n"
    "如果不是同一个问题，请回复“新问题”，我们另行登记。"
)
ALREADY_REPORTED = (
    "您已反映过这个问题（编号 {code}，{status}），我们正在跟进。\n"
    "如果是另一个问题，请回复“新问题”。"
)
NO_BUILDING = "本社区没有{building}号楼，请核对后再说一次，如：3号楼楼道灯坏了。"
STATUS_OR_NEW = "您是想：\n1. 查询 {code} 的进展\n2. 反映新问题\n请回复数字。"
WHICH_NEW_PROBLEM = "好的，请说一下是什么问题、在哪里，如“3号楼楼道灯坏了”。"
KEEP_FOLLOWING = "好的，我们会继续跟进 {code}，有进展会通知您。"
RATE_NOTHING = "目前没有需要您评价的事项。谢谢您的关心！要反映新问题，直接告诉我就行。"
LOCATION_ADDED = "已把位置补充到工单 {code}：{location}。已一并告诉负责的工作人员，请注意安全。"
PHOTO_ATTACHED = "照片已收到，已附到问题 {code}（共{count}张）。"

STATUS_NONE = "您目前没有处理中的问题。要反映问题，直接告诉我就行，如“3号楼楼道灯坏了”。"
STATUS_LIST_HEAD = "您有{count}个问题在处理："
STATUS_LINE = "{code} {category}｜{status}｜负责人：{owner}｜期限：{due}"
STATUS_DETAIL = "编号 {code}：{category}｜{location}\n状态：{status}\n负责人：{owner}\n期限：{due}"
STATUS_NOT_FOUND = "没有找到编号为 {code} 的问题，或该问题不是您反映的。请核对编号。"
STATUS_RATE = "这个问题已办结，等您评价：回复1-5打分，或回复“满意”；如果还没解决，请回复“不满意”，会重新处理。"
STATUS_RECENT = "最近进展："

CANCEL_DONE = "已撤销问题 {code}。有需要随时再找我。"
CANCEL_WHICH = "您有多个问题在处理：\n{lines}\n请回复“撤销 编号”，如“撤销 {code}”。"
CANCEL_NOT_YOURS = "问题 {code} 不是您提交的，不能撤销。"
CANCEL_NOT_OPEN = "问题 {code} 当前为“{status}”，不能撤销。"

RATE_THANKS = "感谢您的评价（{rating}分）！问题 {code} 已结束。"
RATE_REOPENED = (
    "很抱歉没有让您满意。问题 {code} 已重新受理，网格员会再联系您。\n方便的话，请说说哪里还没解决。"
)
RATE_REOPENED_WITH_REASON = "很抱歉没有让您满意。问题 {code} 已重新受理，网格员会再联系您。"
RATE_ASK_SCORE = "请为问题 {code} 的处理结果打分：回复1-5（5分最满意），或回复“满意”“不满意”。"
RATE_ALREADY = "问题 {code} 您已经评价过了，谢谢！"
REASON_NOTED = "已记下：“{text}”，会转给处理人。"
ASK_RATING = (
    "您反映的问题（{code}）已办结：{note}\n"
    "请为处理结果打分：回复1-5（5分最满意），或回复“满意”“不满意”。"
)
RATING_REMINDER = (
    "提醒：您反映的问题（{code}）已办结，还没收到您的评价。回复1-5打分，或回复“满意”“不满意”。"
)

FOLLOWUP_ASK = (
    "回访：您之前反映的问题（{code}，{category}｜{location}），现在解决了吗？\n"
    "请回复：1 解决了　2 没解决　3 不确定"
)
FOLLOWUP_YES = "太好了，感谢您的反馈！"
FOLLOWUP_NO = "抱歉问题还没解决。问题 {code} 已重新受理，网格员会尽快联系您。"
FOLLOWUP_UNSURE = "好的，已记下。如果问题还在，随时告诉我。"
