"""What job seekers read: short, plain Simplified Chinese."""

ASK_HEADER = "好的，帮您登记找工作。请再告诉我："
ASK_SKILLS = "会什么手艺？如开车、缝纫、麻编、保洁、做饭（没有就回“没有”）"
ASK_HOURS = "能干全天还是半天？"
ASK_KIND_HINT = "想去扶贫车间、县里、外出还是打零工、参加培训，也可以一起说。"
ASK_FOOTER = "一句话说完就行，如“会缝纫，半天”。回复“取消”可退出。"
ASK_AGAIN = "没太听明白。请说一下：{what}\n如“会缝纫，半天”。回复“取消”可退出。"

REGISTERED = "已登记：{profile}。"
MATCHES_HEADER = "适合您的岗位和培训："
MATCH_ITEM = "{n}. {line}\n{why}"
MATCHES_FOOTER = "回复“报名 {code}”即可报名。有新岗位会通知您，回复“退订”不再接收。"
NO_MATCHES = "暂时没有合适的岗位或培训，有新的会第一时间通知您。回复“退订”不再接收。"
KNOWN_PROFILE = "按您登记的信息（{profile}）为您查找。信息有变化直接告诉我，如“会开车，全天”。"
UNABLE = "等方便工作了，回复“找工作”告诉我，有合适的岗位和培训会通知您。"
EMPLOYED = "祝工作顺利！想换工作或参加培训，随时回复“找工作”。"

APPLY_NEED_CODE = (
    "请回复“报名”加岗位编号，如“报名 J12”。不知道编号可以回复“找工作”，看看适合您的岗位。"
)
APPLY_OK = "已报名 {code} {title}（{employer}）。就业专干会尽快联系您，录用结果也会在这里通知您。回复“取消报名”可撤回。"
APPLY_UNKNOWN = (
    "没有找到编号为 {code} 的岗位，请核对后再发，如“报名 J12”。回复“找工作”可查看适合您的岗位。"
)
APPLY_CLOSED = "{code} {title}{reason}，不能再报名了。回复“找工作”看看其他岗位。"
APPLY_DUPLICATE = "您已经报名过 {code} {title}，当前状态：{status}。不用重复报名，有结果会通知您。"
WITHDRAWN = "已撤回 {code} {title} 的报名。想看其他岗位请回复“找工作”。"

OPTED_OUT = "已退订，以后不再给您发新岗位通知。想恢复请回复“恢复岗位通知”。"
ALREADY_OUT = "您已经退订过岗位通知了。想恢复请回复“恢复岗位通知”。"
OPTED_IN = "已恢复岗位通知，有适合您的新岗位会通知您。回复“退订”可随时停止。"
NOT_REGISTERED = "您还没有登记找工作。回复“找工作”即可登记，有合适的岗位会通知您。"
