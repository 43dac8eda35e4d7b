"""What volunteers and residents read about volunteering and meal delivery."""

# -- sign-up -------------------------------------------------------------------------------
SIGNUP_ASK_ADDRESS = "欢迎加入志愿服务！先告诉我您的住址，方便就近安排，如：5号楼1单元302。"
SIGNUP_WELCOME = "欢迎加入志愿服务！只需两步。"
ASK_SKILLS = (
    "第1步：您能做哪些服务？可多选，回复数字或名称：\n"
    "1.送餐 2.陪伴 3.辅导 4.维修 5.驾车 6.宣传\n例如：1 2"
)
SKILLS_AGAIN = "没看出您选了哪项服务。"
ASK_AVAILABILITY = (
    "已记下：{skills}。\n第2步：您一般什么时候有空？例如：工作日中午、周末全天、每天晚上。"
)
AVAILABILITY_AGAIN = "没看出您哪天有空，请这样回复：工作日中午、周末全天、每天都可以。"
SIGNUP_GAVE_UP = "报名暂时没完成。您可以稍后回复“我想当志愿者”重新开始，或回复“转人工”。"
SIGNED_UP = "报名成功，谢谢您！\n服务：{skills}\n时间：{when}\n所在：{home}"
NOW_ACTIVE = "有合适的任务会发给您，回复“接 T编号”即可接单。回复“暂停志愿服务”可暂停。"
AWAIT_APPROVAL = "社区工作人员审核后会通知您，之后就能收到任务了。"
ALREADY_VOLUNTEER = (
    "您已经是志愿者了（{status}）。\n服务：{skills}\n时间：{when}\n"
    "可以回复：我的服务时长 / 暂停志愿服务 / 恢复志愿服务 / 退出志愿者"
)
NOT_A_VOLUNTEER = "您还不是志愿者。想加入请回复“我想当志愿者”。"
PAUSED = "已暂停志愿服务，期间不会给您发任务。回复“恢复志愿服务”即可恢复。"
ALREADY_PAUSED = "您的志愿服务已经是暂停状态。回复“恢复志愿服务”即可恢复。"
NOT_PAUSED = "您现在的状态是：{status}，不需要恢复。"
RESUMED = "欢迎回来！已恢复志愿服务，有任务会发给您。"
LEAVE_HAS_TASKS = "您还有未完成的任务 {codes}，请先送达，或回复“退回 T编号”交还后再退出。"

# -- tasks ---------------------------------------------------------------------------------
ACCEPT_WHICH = "请告诉我要接哪一单，如：接 T15。"
NO_SUCH_TASK = "没有找到任务 {code}，请核对编号。"
NOT_VOLUNTEER_ACCEPT = "接单需要先报名志愿者，回复“我想当志愿者”即可报名。"
INACTIVE = "您的志愿服务现在是“{status}”状态，暂时不能接单。"
WON = (
    "接单成功！任务 {code}\n取餐：{pickup}，{time}\n送到：{address}\n"
    "联系人：{contact}\n份数：{count}份{note}\n送达后回复“送达 {code}”。"
    "如临时有事，{window}分钟内可回复“退回 {code}”。"
)
TAKEN = "谢谢您！任务 {code} 已经有其他志愿者接了。下次有任务再请您帮忙。"
ALREADY_YOURS = "任务 {code} 已经是您的了，送达后回复“送达 {code}”。"
CLOSED = "任务 {code} 已结束，不用再送了，谢谢您！"
FULL = "您手上已有{count}个未完成的任务，先送完再接新的吧，谢谢！"
DONE_WHICH = "您有多个未完成的任务（{codes}），请说明送达的是哪一单，如：送达 T15。"
NOTHING_ACTIVE = "您现在没有未完成的送餐任务。"
NOT_YOUR_TASK = "任务 {code} 不在您名下，请核对编号。"
DONE_TOO_EARLY = (
    "任务 {code} 的取餐时间是{time}，现在还没到取餐时间，这单还没有记为送达。"
    "请在送到老人手上后再回复“送达 {code}”。如有特殊情况请回复“转人工”。"
)
DONE = "辛苦了！任务 {code} 已完成，记服务时长{hours}。回复“我的服务时长”可查看累计。"
HANDED_BACK = "已退回任务 {code}，我们会另找志愿者。谢谢告知！"
HANDBACK_TOO_LATE = "任务 {code} 已超过可退回的时间，请尽量送达；确实去不了请回复“转人工”联系食堂。"

# -- hours ---------------------------------------------------------------------------------
HOURS = "您的志愿服务时长：\n累计 {total}，完成送餐 {tasks} 单\n本月 {month}{rank}\n感谢您的付出！"
HOURS_RANK = "，本网格第{rank}名"

# -- meals ---------------------------------------------------------------------------------
MEAL_ASK_ADDRESS = "好的。请先告诉我送餐地址，如：8号楼1单元402。"
NO_CANTEEN = "本社区暂未开通食堂送餐，已为您记下。回复“转人工”可联系工作人员。"
ASK_WHEN = "请问要哪天哪一顿？例如：明天中午、今天晚饭。"
ASK_SLOT = "{day}要哪一顿？请回复：早饭、中午或晚上。"
PAST_CUTOFF = "{when}的订餐已截止（截止时间 {cutoff}）。请换一顿，例如：明天中午。"
CONFIRM_ORDER = (
    "请确认订餐：\n{when} {count}份\n送到：{address}{note}\n"
    "回复“确认”下单；要改份数、有忌口或送到别处请直接说（如：两份、少盐、8号楼1单元402）；"
    "回复“取消”不订了。"
)
MEAL_ADDRESS_HINT = "请回复缺的部分，如：{example}。"
MEAL_ADDRESS_HOME = "送到自己家请回复“送我家”。"
MEAL_ADDRESS_GAVE_UP = (
    "送餐地址没能对上，这次订餐没有提交。请发完整地址再订，如：8号楼1单元402；"
    "或回复“转人工”请工作人员帮您。"
)
ORDER_PLACED = (
    "已下单，订单号 {code}：{when} {count}份，送到{address}。\n"
    "食堂确认后会安排志愿者送上门。{cutoff}前可回复“取消订餐”。"
)
RECEIPT_THANKS = "好的，已确认收到（{code}）。祝您用餐愉快！"
RECEIPT_MISSING = (
    "抱歉！记下了：您还没收到饭（{code}），没有记为收到。已告诉食堂，工作人员会尽快核实并联系您。"
    "着急请回复“转人工”。"
)
