"""`shequ staff add|list|passwd|disable|enable`: staff accounts from the command line.

Passwords are typed at a hidden prompt (twice) or read from standard input with
`--password-stdin` (one line, for scripts and password managers); never from the
command line, where `ps` and the shell history would show them. Every change is
written to the audit log as `cli:<operating-system user>`.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from bot.settings import get_settings
from storage.db import make_engine, make_session_factory
from storage.models import utcnow
from storage.staff.accounts import (
    ROLE_ALIASES,
    ROLE_LABELS,
    StaffError,
    account_state,
    create_staff,
    disable,
    enable,
    get_staff,
    list_staff,
    password_problem,
    resolve_grids,
    set_password,
)
from storage.staff.audit import audit

NOT_MIGRATED = "数据库还没有建好或版本太旧，请先运行 shequ db upgrade"


class CliError(Exception):
    pass


def _operator() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{name}"[:64]


@contextmanager
def _session() -> Iterator[Session]:
    engine = make_engine(get_settings().sqlalchemy_url)
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _audit(session: Session, action: str, username: str, detail: str | None = None) -> None:
    audit(
        session,
        action=action,
        username=_operator(),
        staff_id=None,
        ip=None,
        target_type="staff",
        target_id=username,
        detail=detail,
    )


def read_password(username: str, from_stdin: bool) -> str:
    """One line of stdin, or a hidden prompt asked twice; checked against the policy."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("新密码：")
        if getpass.getpass("再输一次：") != password:
            raise CliError("两次输入的密码不一致")
    problem = password_problem(username, password)
    if problem:
        raise CliError(problem)
    return password


def _add(args: argparse.Namespace, session: Session) -> str:
    grids = resolve_grids(session, args.grids.split(",")) if args.grids else []
    password = read_password(args.username.strip().lower(), args.password_stdin)
    account = create_staff(
        session,
        username=args.username,
        display_name=args.name,
        role=args.role,
        grid_ids=grids,
        password=password,
        temporary=args.temporary,
        now=utcnow(),
    )
    label = ROLE_LABELS[account.role]
    _audit(session, "staff_create", account.username, f"{label} 网格{account.grid_ids or '—'}")
    note = "，首次登录须修改密码" if args.temporary else ""
    return f"已创建账号 {account.username}（{account.display_name}，{label}）{note}"


def _passwd(args: argparse.Namespace, session: Session) -> str:
    account = get_staff(session, args.username)
    password = read_password(account.username, args.password_stdin)
    set_password(account, password, temporary=args.temporary, now=utcnow())
    _audit(session, "staff_password", account.username, "临时密码" if args.temporary else None)
    note = "，下次登录须修改" if args.temporary else ""
    return f"已为 {account.username} 设置新密码{note}；该账号已登录的页面需要重新登录"


def _disable(args: argparse.Namespace, session: Session) -> str:
    account = get_staff(session, args.username)
    if disable(session, account, utcnow()):
        _audit(session, "staff_disable", account.username)
        return f"已停用 {account.username}，该账号的登录已全部失效"
    return f"{account.username} 本来就是停用状态"


def _enable(args: argparse.Namespace, session: Session) -> str:
    account = get_staff(session, args.username)
    if enable(account):
        _audit(session, "staff_enable", account.username)
        return f"已启用 {account.username}"
    return f"{account.username} 本来就是启用状态"


def _list(args: argparse.Namespace, session: Session) -> str:
    lines = ["用户名\t姓名\t角色\t网格\t状态"]
    for a in list_staff(session):
        grids = ",".join(str(g) for g in a.grid_ids or []) or "-"
        state = account_state(a) + ("（演示账号）" if a.is_demo else "")
        lines.append(
            f"{a.username}\t{a.display_name}\t{ROLE_LABELS.get(a.role, a.role)}\t{grids}\t{state}"
        )
    return "\n".join(lines)


def _run(
    action: Callable[[argparse.Namespace, Session], str],
) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        try:
            with _session() as session:
                message = action(args, session)
                session.commit()
        except (StaffError, CliError) as exc:
            print(str(exc), file=sys.stderr)
            return 1
        except (OperationalError, ProgrammingError):
            print(NOT_MIGRATED, file=sys.stderr)
            return 1
        print(message)
        return 0

    return command


def add_staff_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("staff", help="staff accounts: add, list, passwd, disable, enable")
    staff = parser.add_subparsers(dest="staff_command", required=True)
    roles = sorted({*ROLE_ALIASES, *ROLE_LABELS})

    def with_password(p: argparse.ArgumentParser, temporary_help: str) -> None:
        p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
        p.add_argument("--temporary", action="store_true", help=temporary_help)

    p = staff.add_parser("add", help="create an account (password prompted or from stdin)")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="display name, e.g. 张敏")
    p.add_argument("--role", required=True, choices=roles)
    p.add_argument("--grids", default="", help="grid ids or codes, e.g. 1,2 or G1 (grid workers)")
    with_password(p, "the password must be changed at first sign-in")
    p.set_defaults(func=_run(_add))

    p = staff.add_parser("list", help="all accounts with role, grids and state")
    p.set_defaults(func=_run(_list))

    p = staff.add_parser("passwd", help="set a new password (ends the account's sessions)")
    p.add_argument("username")
    with_password(p, "must be changed at the next sign-in (a reset)")
    p.set_defaults(func=_run(_passwd))

    for name, action, text in (
        ("disable", _disable, "disable an account (ends its sessions)"),
        ("enable", _enable, "enable a disabled account"),
    ):
        p = staff.add_parser(name, help=text)
        p.add_argument("username")
        p.set_defaults(func=_run(action))
