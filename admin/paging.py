"""Pages of a long list: 「共N条」 and links to the other pages, never a silent cut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select
from sqlalchemy.orm import Session

from storage.requests.queries import count_of


@dataclass(frozen=True)
class Pager:
    total: int
    page: int
    per_page: int
    params: tuple[tuple[str, str], ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def url(self, page: int) -> str:
        query = [(k, v) for k, v in self.params if v and k != "page"] + [("page", str(page))]
        return "?" + urlencode(query)

    @property
    def prev_url(self) -> str | None:
        return self.url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page + 1) if self.page < self.pages else None


def paginate(
    session: Session, query: Select[Any], page: int, per_page: int, params: dict[str, str]
) -> tuple[Pager, Select[Any]]:
    """The pager for `query` and the query limited to `page` (clamped to the last page)."""
    total = count_of(session, query)
    pages = max(1, -(-total // per_page))
    pager = Pager(total, min(max(1, page), pages), per_page, tuple(params.items()))
    return pager, query.limit(per_page).offset(pager.offset)
