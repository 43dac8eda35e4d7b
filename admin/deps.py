"""Who is asking and what they may do: every permission check of the console lives here.

Endpoints declare `staff: CurrentStaff` (any signed-in staff) or `staff: WorkerStaff`
(roles that work queues); data about a grid goes through `ensure_grid`. Every
dependency that yields a staff member also checks CSRF on POST. An account holding a
temporary password reaches only the change-password page (`PasswordStaff`) until it has
chosen its own.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from redis.exceptions import RedisError

from admin.auth import SESSION_COOKIE, SessionStore, password_stamp
from admin.csrf import check_csrf
from bot.deps import RedisDep, SessionDep
from storage.models import StaffAccount
from storage.staff.accounts import ADMIN as ADMIN
from storage.staff.accounts import CANTEEN as CANTEEN
from storage.staff.accounts import EMPLOYMENT as EMPLOYMENT
from storage.staff.accounts import GRID_WORKER as GRID_WORKER
from storage.staff.accounts import ROLE_LABELS as ROLE_LABELS

# Roles that work the hand-over queue, messages and deliveries.
QUEUE_ROLES = (ADMIN, GRID_WORKER)

LOGIN_REQUIRED = "请先登录"
ROLE_FORBIDDEN = "您的账号无权使用此功能"
GRID_FORBIDDEN = "无权操作其他网格的事项"
UNAVAILABLE = "系统暂时不可用，请稍后再试"
CHANGE_PASSWORD_FIRST = "请先修改临时密码"
CHANGE_PASSWORD_PATH = "/admin/password"


class LoginRequired(HTTPException):
    """401; console pages turn it into a redirect to the login page."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail=LOGIN_REQUIRED)


class PasswordChangeRequired(HTTPException):
    """403; console pages turn it into a redirect to the change-password page."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail=CHANGE_PASSWORD_FIRST)


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    display_name: str
    role: str
    grid_ids: tuple[int, ...]
    session_id: str
    csrf_token: str
    must_change_password: bool = False

    @property
    def actor(self) -> str:
        """The `actor` of event rows, like `resident:<openid>` for residents."""
        return f"staff:{self.username}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def sees_all_grids(self) -> bool:
        return self.role == ADMIN

    def visible_grid_ids(self) -> tuple[int, ...] | None:
        """The grids whose records this staff member sees; None means all."""
        return None if self.sees_all_grids else self.grid_ids

    def may_act_on(self, grid_id: int | None) -> bool:
        # Items without a grid (resident has no address) belong to the community office.
        if self.sees_all_grids:
            return True
        return self.role == GRID_WORKER and grid_id is not None and grid_id in self.grid_ids

    def may_use(self, *roles: str) -> bool:
        return self.role in roles


def ensure_grid(staff: Staff, grid_id: int | None) -> None:
    if not staff.may_act_on(grid_id):
        raise HTTPException(status_code=403, detail=GRID_FORBIDDEN)


def client_ip(request: Request) -> str:
    # Behind a reverse proxy, run uvicorn with --proxy-headers so this is the real client.
    return request.client.host if request.client else "unknown"


def _signed_in(request: Request, session: SessionDep, redis: RedisDep) -> Staff:
    session_id = request.cookies.get(SESSION_COOKIE, "")
    try:
        data = SessionStore(redis).load(session_id) if session_id else None
    except RedisError as exc:
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from exc
    if data is None:
        raise LoginRequired()
    account = session.get(StaffAccount, data.staff_id)
    if (
        account is None
        or not account.active
        or data.password_stamp != password_stamp(account.password_hash)
    ):
        # Disabled, or the password changed since this session began (a reset).
        SessionStore(redis).destroy(session_id)
        raise LoginRequired()
    return Staff(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        grid_ids=tuple(int(g) for g in account.grid_ids or ()),
        session_id=session_id,
        csrf_token=data.csrf_token,
        must_change_password=account.must_change_password,
    )


async def _password_staff(request: Request, staff: Annotated[Staff, Depends(_signed_in)]) -> Staff:
    await check_csrf(request, staff.csrf_token)
    return staff


# Signed in, perhaps still with a temporary password: the change-password page, logout.
PasswordStaff = Annotated[Staff, Depends(_password_staff)]


async def _current_staff(staff: PasswordStaff) -> Staff:
    if staff.must_change_password:
        raise PasswordChangeRequired()
    return staff


CurrentStaff = Annotated[Staff, Depends(_current_staff)]


def require_role(*roles: str) -> Callable[[Staff], Coroutine[Any, Any, Staff]]:
    """A dependency admitting only the given roles (403 otherwise)."""

    async def dependency(staff: CurrentStaff) -> Staff:
        if not staff.may_use(*roles):
            raise HTTPException(status_code=403, detail=ROLE_FORBIDDEN)
        return staff

    return dependency


WorkerStaff = Annotated[Staff, Depends(require_role(*QUEUE_ROLES))]
