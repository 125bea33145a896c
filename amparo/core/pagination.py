"""API pagination: limit/offset with a bounded count.

An exact count over half a million visible people costs a full scan on every page; people
paging through results need "more than 1,000", not the exact figure (statistics give exact
figures). So `count` is exact up to COUNT_CAP and COUNT_CAP + 1 means "more than COUNT_CAP".
"""

from typing import Any

from django.db.models import QuerySet
from ninja.pagination import LimitOffsetPagination

COUNT_CAP = 1_000


class CappedLimitOffsetPagination(LimitOffsetPagination):
    def _items_count(self, queryset: QuerySet[Any] | list[Any]) -> int:
        if isinstance(queryset, QuerySet):
            return queryset.order_by()[: COUNT_CAP + 1].count()
        return len(queryset)
