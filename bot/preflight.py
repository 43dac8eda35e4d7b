"""`shequ check`: is this configuration ready to serve a real community?

Reports, in Chinese, every problem and how to fix it: the production rules of
`Settings.production_problems` (which also stop a production start), plus what can only
be found out by looking: the WeChat token's format, the database (reachable, migrated to
the newest schema), Redis (reachable). Exit status 0 only when nothing is wrong.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings, unchecked
from storage.db import make_engine
from storage.migrate import alembic_config

# What the 公众号 console accepts as Token: 3–32 letters or digits.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9]{3,32}")


@dataclass(frozen=True)
class Finding:
    problem: str
    fix: str


@dataclass
class Report:
    problems: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not failures
    passed: list[str] = field(default_factory=list)

    def fail(self, problem: str, fix: str) -> None:
        self.problems.append(Finding(problem, fix))


def check_settings(settings: Settings, report: Report) -> None:
    if settings.is_local:
        report.fail(
            "SHEQU_ENV 是 local（本地演示模式：演示密钥、微信沙箱、接口文档都会打开）",
            "在 .env 里写 SHEQU_ENV=production",
        )
    for p in settings.production_problems():
        report.fail(p.problem, p.fix)
    if settings.sandbox_enabled and not settings.sandbox:
        report.fail("微信沙箱开着（本地模式默认开启）", "设置 SHEQU_ENV=production，沙箱随之关闭")
    if not TOKEN_FORMAT.fullmatch(settings.wechat_token):
        report.fail(
            "WECHAT_TOKEN 必须是 3–32 位英文字母或数字，公众号后台不接受其他字符",
            "在公众号后台「服务器配置」重新设置 Token，并把同样的值写进 WECHAT_TOKEN",
        )
    mode = settings.encrypt_mode
    if mode == "safe":
        report.passed.append("消息加解密：安全模式（只接受加密消息）")
    else:
        label = "明文模式" if mode == "plain" else "兼容模式"
        report.notes.append(
            f"消息加解密是{label}：明文消息的签名不覆盖消息内容，拿到一次回调地址的人"
            "可以在 5 分钟内冒充任何居民。建议公众号后台选「安全模式」，"
            "并设置 WECHAT_ENCRYPT_MODE=safe"
        )
    if settings.uses_sqlite:
        report.notes.append(
            "数据库是 SQLite：只适合一台服务器的社区；多台服务器或多个社区请用 PostgreSQL"
            "（DATABASE_URL=postgresql://…）"
        )
    if not settings.open311_api_keys:
        report.notes.append(
            "没有设置 SHEQU_OPEN311_KEYS：生产环境下外部系统不能通过 Open311 提交问题"
        )


def check_database(settings: Settings, report: Report) -> None:
    url = settings.sqlalchemy_url
    shown = make_url(url).render_as_string(hide_password=True)
    if settings.uses_sqlite:
        path = make_url(url).database or ""
        if not Path(path).is_file():
            report.fail(f"数据库文件 {path} 不存在", "运行 shequ db upgrade 建立数据库")
            return
    options = {} if settings.uses_sqlite else {"connect_args": {"connect_timeout": 5}}
    engine = make_engine(url, poolclass=pool.NullPool, **options)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except SQLAlchemyError as exc:
        report.fail(
            f"连不上数据库 {shown}：{type(exc.__cause__ or exc).__name__}",
            "检查 DATABASE_URL 里的地址、用户名和密码，以及 PostgreSQL 是否在运行"
            "（systemctl status postgresql）",
        )
        return
    finally:
        engine.dispose()
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    if current != heads:
        have = "、".join(sorted(current)) or "空库"
        report.fail(
            f"数据库结构不是最新（现在 {have}，最新 {'、'.join(sorted(heads))}）",
            "先备份（见 docs/deploy.md），再运行 shequ db upgrade",
        )
        return
    report.passed.append(f"数据库可以连接，结构已是最新（{shown}）")


def check_redis(settings: Settings, report: Report) -> None:
    if not settings.redis_url:
        report.fail(
            "没有设置 REDIS_URL（生产环境需要独立运行的 Redis）",
            "安装 Redis 并在 .env 里写 REDIS_URL=redis://127.0.0.1:6379/0",
        )
        return
    client = Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        report.fail(
            f"连不上 Redis：{type(exc).__name__}",
            "检查 REDIS_URL 和 Redis 是否在运行（systemctl status redis-server）",
        )
        return
    finally:
        client.close()
    report.passed.append("Redis 可以连接")


def run_checks(settings: Settings) -> Report:
    report = Report()
    check_settings(settings, report)
    check_database(settings, report)
    check_redis(settings, report)
    return report


def format_report(report: Report) -> str:
    lines = ["社区助手配置检查", ""]
    for number, finding in enumerate(report.problems, 1):
        lines += [f"✗ 问题 {number}：{finding.problem}", f"    怎么改：{finding.fix}"]
    lines += [f"! 提醒：{note}" for note in report.notes]
    lines += [f"✓ {item}" for item in report.passed]
    lines.append("")
    if report.problems:
        lines.append(f"发现 {len(report.problems)} 个问题，改好后请再运行 shequ check。")
    else:
        lines.append("检查通过：配置、数据库和 Redis 都可以用于生产环境。")
    return "\n".join(lines)


def main(settings: Settings | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if settings is None:
        try:
            with unchecked():  # report unsafe values instead of refusing them
                settings = Settings()  # type: ignore[call-arg]
        except ValidationError as exc:
            print("社区助手配置检查\n\n配置无法读取：", file=out)
            for error in exc.errors():
                name = ".".join(str(part) for part in error["loc"])
                print(f"✗ {name}：{error['msg']}", file=out)
            print("\n请按上面的提示修改环境变量或 .env 后再运行 shequ check。", file=out)
            return 1
    report = run_checks(settings)
    print(format_report(report), file=out)
    return 1 if report.problems else 0
