"""What residents read. Plain, short Simplified Chinese; phones show ~10 lines at once."""

MENU = (
    "您可以直接打字或说话告诉我：\n"
    "1. 反映问题：如“3号楼楼道灯坏了”\n"
    "2. 绑定住址：如“我住3号楼2单元501”\n"
    "3. 订餐送餐：如“明天中午送一份饭到8号楼402”\n"
    "4. 志愿服务：如“我想当志愿者”\n"
    "5. 找工作：如“想找工作，会开车”\n"
    "6. 查进度：如“我反映的问题怎么样了”\n"
    "7. 转人工：回复“转人工”"
)

WELCOME = (
    "欢迎关注{community}社区助手！\n"
    + MENU
    + "\n\n第一次使用请先告诉我您的住址，方便网格员联系您。"
)

ASK_ADDRESS = "请告诉我您的住址，格式如：3号楼2单元501（楼号-单元-房号，如 3-2-501 也可以）。回复“取消”可退出。"
ADDRESS_BOUND = "已绑定住址：{address}（{grid}）。\n以后反映问题、订餐都会默认这个地址。如需更改，直接发新地址即可。"
ADDRESS_UNKNOWN = (
    "没有找到“{given}”这个住址，{why}\n请再发一次，格式如：3号楼2单元501。回复“取消”可退出。"
)
ADDRESS_INCOMPLETE = "住址还不完整，还缺{missing}。请发完整住址，如：3号楼2单元501。"
ADDRESS_GAVE_UP = "住址暂时没能绑定。您可以稍后再发，或回复“转人工”请网格员帮您登记。"

HUMAN_QUEUED = "已为您转接{who}，工作时间（{hours}）内会尽快联系您。\n您可以先把要说的事直接发过来，我们会一并转给他们。"
HUMAN_NO_ADDRESS = "已为您转接社区工作人员，工作时间（{hours}）内会尽快联系您。\n为了更快找到负责您的网格员，也请告诉我您的住址，如：3号楼2单元501。"
HUMAN_STAFF_NOTICE = (
    "【{kind}】{address}居民需要人工服务。\n居民留言：{text}\n编号 H{handover_id}，请尽快联系。"
)

CANCELLED = "好的，已取消。有需要随时再找我。"
NOTHING_TO_CANCEL = "当前没有进行中的事项。需要帮助请回复“帮助”。"
TIMED_OUT = "（上一步操作太久没有回复，已自动取消。）"

NOT_UNDERSTOOD = "抱歉，我没太明白您的意思。\n" + MENU
CLARIFY = "您是想：\n{options}\n请回复数字，或直接说得具体些。"
OFFER_HUMAN = "抱歉，我还是没明白。回复“转人工”，社区工作人员会联系您；或回复“帮助”查看我能做什么。"

VOICE_UNRECOGNIZED = "收到您的语音，但暂时无法识别内容。已保存语音留给工作人员。\n方便的话请打字告诉我，或回复“帮助”看看菜单。"
IMAGE_RECEIVED = "收到您的图片。请再用文字说一下是什么问题、在哪里，如“3号楼2单元楼道灯坏了”。"
MEDIA_RECEIVED = "收到。请用文字告诉我您需要什么帮助，或回复“帮助”查看菜单。"
LOCATION_RECEIVED = "收到您的位置（{label}）。如需反映问题，请再说一下具体情况。"
LINK_RECEIVED = "收到您分享的链接《{title}》。如需帮助请用文字告诉我。"
COMING_SOON = "这项服务正在准备中，已转给社区工作人员处理，工作时间内会联系您。"

INTENT_LABELS = {
    "report_problem": "反映问题",
    "meal_request": "订餐送餐",
    "volunteer_signup": "报名志愿者",
    "task_accept": "接志愿任务",
    "task_done": "任务已完成",
    "job_seek": "找工作/培训",
    "job_apply": "报名岗位",
    "status_query": "查询进度",
    "rate": "评价",
    "register_address": "绑定住址",
    "consult": "办事咨询",
    "greeting_help": "查看帮助",
    "cancel": "取消",
    "human": "转人工",
}
