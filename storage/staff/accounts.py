"""Staff accounts: roles and grids, the password policy, temporary passwords, disabling.

Used by `shequ staff` and by the console's staff page; the callers write the audit row
and commit. A temporary password (a new account from the console, a one-time reset)
must be changed at the next sign-in.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Grid, StaffAccount

ADMIN = "community_admin"
GRID_WORKER = "grid_worker"
CANTEEN = "canteen_staff"
EMPLOYMENT = "employment_officer"
ROLE_LABELS = {
    ADMIN: "社区管理员",
    GRID_WORKER: "网格员",
    CANTEEN: "食堂工作人员",
    EMPLOYMENT: "就业专干",
}
# Short names for the command line.
ROLE_ALIASES = {"admin": ADMIN, "grid": GRID_WORKER, "canteen": CANTEEN, "employment": EMPLOYMENT}

MIN_PASSWORD = 10
MAX_PASSWORD = 128
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
DEMO_PASSWORD = "shequ-demo-2026"  # storage.seed uses it; refused here and in production
COMMON_FILE = Path(__file__).parents[1] / "data" / "common_passwords.txt"
# No 0/o, 1/l/i: a temporary password is read out over the phone.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()


def password_hasher() -> PasswordHasher:
    return _hasher


def use_cheap_hashing() -> None:
    """Throwaway databases only (tests, stories): argon2 at its cheapest, ~1 ms a check
    instead of ~100 ms. Hashes carry their parameters, so a real database's hashes are
    still verified (and rehashed on sign-in) correctly; never called in a service."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class StaffError(Exception):
    """A request about staff accounts that cannot be done; the message is for staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(username: str, password: str) -> str | None:
    """What is wrong with `password` for `username`, in Chinese; None if it is acceptable."""
    if not password:
        return "请填写密码"
    if len(password) < MIN_PASSWORD:
        return f"密码太短：至少需要{MIN_PASSWORD}个字符，现在只有{len(password)}个"
    if len(password) > MAX_PASSWORD:
        return f"密码太长：最多{MAX_PASSWORD}个字符"
    lowered, name = password.lower(), username.strip().lower()
    if name and (lowered == name or (len(name) >= 3 and name in lowered)):
        return "密码不能包含用户名"
    if lowered == DEMO_PASSWORD:
        return "不能使用演示密码，请另设一个"
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return "这个密码太常见，很容易被猜中，请换一个（例如几个不相关的词再加几个数字）"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_temporary_password() -> str:
    """Like k7pm-x3qd-9wna: easy to read out, passes the policy."""
    while True:
        groups = ["".join(secrets.choice(TEMP_ALPHABET) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)
        if password_problem("", candidate) is None:
            return candidate


def find_staff(session: Session, username: str) -> StaffAccount | None:
    return session.scalar(
        select(StaffAccount).where(StaffAccount.username == username.strip().lower())
    )


def get_staff(session: Session, username: str) -> StaffAccount:
    account = find_staff(session, username)
    if account is None:
        raise StaffError(f"没有用户名为「{username}」的工作人员账号")
    return account


def list_staff(session: Session) -> list[StaffAccount]:
    return list(session.scalars(select(StaffAccount).order_by(StaffAccount.id)))


def grid_choices(session: Session) -> list[Grid]:
    return list(session.scalars(select(Grid).order_by(Grid.id)))


def resolve_grids(session: Session, values: Iterable[str | int]) -> list[int]:
    """Grid ids from ids or codes (1, G1); unknown ones are an error."""
    grids = grid_choices(session)
    by_key = {str(g.id): g.id for g in grids} | {g.code.lower(): g.id for g in grids}
    found: list[int] = []
    for value in values:
        key = str(value).strip().lower()
        if not key:
            continue
        if key not in by_key:
            raise StaffError(f"没有这个网格：{value}")
        if by_key[key] not in found:
            found.append(by_key[key])
    return sorted(found)


def _check_role(role: str, grid_ids: list[int]) -> tuple[str, list[int]]:
    role = ROLE_ALIASES.get(role, role)
    if role not in ROLE_LABELS:
        raise StaffError("未知的角色，可选：" + "、".join(ROLE_LABELS.values()))
    if role == GRID_WORKER and not grid_ids:
        raise StaffError("网格员至少要负责一个网格")
    return role, grid_ids if role == GRID_WORKER else []


def _active_admins(session: Session) -> int:
    query = select(func.count()).where(StaffAccount.role == ADMIN, StaffAccount.active)
    return int(session.scalar(query) or 0)


def create_staff(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    grid_ids: list[int],
    password: str,
    temporary: bool,
    now: datetime,
) -> StaffAccount:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise StaffError("用户名须为3到32位小写字母、数字或 . _ -，以字母或数字开头")
    if find_staff(session, username) is not None:
        raise StaffError(f"用户名「{username}」已被使用")
    name = display_name.strip()
    if not name or len(name) > 64:
        raise StaffError("请填写姓名（最多64个字）")
    role, grid_ids = _check_role(role, grid_ids)
    problem = password_problem(username, password)
    if problem:
        raise StaffError(problem)
    account = StaffAccount(
        username=username,
        display_name=name,
        role=role,
        grid_ids=grid_ids,
        password_hash=hash_password(password),
        must_change_password=temporary,
        password_changed_at=now,
        active=True,
    )
    session.add(account)
    session.flush()
    return account


def set_password(account: StaffAccount, password: str, *, temporary: bool, now: datetime) -> None:
    """A new password (policy checked). Every session of the account ends with it."""
    problem = password_problem(account.username, password)
    if problem:
        raise StaffError(problem)
    if not temporary and password_matches(account.password_hash, password):
        raise StaffError("新密码不能与原密码相同")
    account.password_hash = hash_password(password)
    account.must_change_password = temporary
    account.password_changed_at = now


def issue_reset(account: StaffAccount, now: datetime) -> str:
    """A one-time temporary password, to be changed at the next sign-in."""
    temporary = new_temporary_password()
    set_password(account, temporary, temporary=True, now=now)
    return temporary


def update_role(session: Session, account: StaffAccount, role: str, grid_ids: list[int]) -> None:
    role, grid_ids = _check_role(role, grid_ids)
    if account.role == ADMIN and role != ADMIN and account.active and _active_admins(session) <= 1:
        raise StaffError("这是最后一个社区管理员账号，不能改为其他角色")
    account.role = role
    account.grid_ids = grid_ids


def disable(session: Session, account: StaffAccount, now: datetime) -> bool:
    """False when it was already disabled."""
    if not account.active:
        return False
    if account.role == ADMIN and _active_admins(session) <= 1:
        raise StaffError("这是最后一个社区管理员账号，不能停用")
    account.active = False
    account.disabled_at = now
    return True


def enable(account: StaffAccount) -> bool:
    """False when it was already enabled."""
    if account.active:
        return False
    account.active = True
    account.disabled_at = None
    return True


def account_state(account: StaffAccount) -> str:
    if not account.active:
        return "已停用"
    if account.must_change_password:
        return "待修改临时密码"
    return "正常"


@lru_cache(maxsize=2)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def authenticate(session: Session, username: str, password: str) -> StaffAccount | None:
    """The active account whose password matches, else None. Rehashes outdated hashes
    (the caller commits)."""
    hasher = password_hasher()
    query = select(StaffAccount).where(StaffAccount.username == username.lower())
    staff = session.scalar(query)
    if staff is None or not staff.active:
        # Spend the same time as a real check so response times do not reveal usernames.
        with suppress(VerificationError):
            hasher.verify(_dummy_hash(hasher), password)
        return None
    try:
        hasher.verify(staff.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = hasher.hash(password)
    return staff
