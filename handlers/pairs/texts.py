"""What the bot says about 结对帮扶 (plain Simplified Chinese)."""

NOT_VOLUNTEER = "您还不是志愿者，没有结对帮扶可以记录。想加入请回复“我想当志愿者”。"
NO_PAIRS = "您现在没有进行中的结对帮扶，这次没有记录。如有疑问请回复“转人工”。"
WHICH_PAIR = "您有几个结对：{codes}。请带上编号再发一次，例如：探访 {first} 一切都好"
NO_SUCH_PAIR = "没有找到结对 {code}，这次没有记录。{yours}"
NOT_YOURS = "结对 {code} 不是您负责的，这次没有记录。{yours}"
YOURS = "您的结对：{codes}。"
NOT_ACTIVE = "结对 {code} {state}，这次没有记录。"
ASK_HOW = "请说说{code}的情况，例如：探访 {code} 一切都好，或：探访 {code} 需要帮忙：水管漏水"
ASK_NEED = "请说说需要帮什么忙，例如：探访 {code} 需要帮忙：水管漏水。这次还没有记录。"
RECORDED = "已记录{who}的{mode}（{code}，{day}）{note}。谢谢您！下次请在{due}前{next_mode}。"
RECORDED_NEED = (
    "已记录{who}的{mode}（{code}，{day}）。您说的“{need}”已转给网格员办理，"
    "工单号 {ticket}，有进展会告诉您。谢谢您！"
)

NOT_FAMILY = (
    "您还没有登记为哪位居民的家属，所以查不到探访记录。"
    "请联系网格员在工作台为您登记家属关系，或回复“转人工”。"
)
NO_PAIR_FOR = "{name}目前还没有结对志愿者。"
NO_VISITS = "{name}最近{days}天还没有探访记录。需要帮忙可以回复“转人工”。"
VISITS_HEAD = "{name}最近{days}天有{count}次探访或电话："
VISIT_LINE = "· {day} {mode}{by}{what}"
NEXT_DUE = "下次探访约在{due}前。"

WELCOME = "欢迎您成为{community}的新邻居！"
OFFER_ASK = (
    "社区可以为您安排一位邻居志愿者，帮您熟悉周边（买菜、看病、办事）。"
    "需要吗？回复1需要，回复2不用。"
)
OFFER_KEEP = "好的，不安排了。以后需要时可以回复“转人工”找网格员。"
OFFER_ACCEPTED = "好的，已为您登记（{code}）。网格员会为您安排一位邻居志愿者，安排好后会告诉您。"
OFFER_GONE = "这次邀请已经处理过了，没有重复登记。"
