"""API pagination: limit/offset with a bounded count.

An exact count over half a million visible people costs a full scan on every page; people
paging through results need "more than 1,000", not the exact figure (statistics give exact
figures). So `count` is exact up to COUNT_CAP and COUNT_CAP + 1 means "more than COUNT_CAP".
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

COUNT_CAP = 1_000
# An offset beyond a database's integer range made SQLite and PostgreSQL fail (a 500); no one
# pages a billion rows deep.
MAX_OFFSET = 1_000_000_000


class CappedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def _items_count(self, queryset: QuerySet[Any] | list[Any]) -> int:
        if isinstance(queryset, QuerySet):
            return queryset.order_by()[: COUNT_CAP + 1].count()
        return len(queryset)
