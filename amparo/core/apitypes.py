"""Input types shared by the API's schemas."""

from datetime import date, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, field_validator
from pydantic_core import PydanticCustomError

# Dates the API accepts: wide enough for any real record, narrow enough that no day range or
# time-zone conversion overflows.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def _aware(value: datetime) -> datetime:
    """A date-time without an offset is read in the server's time zone (America/Guatemala).

    Compared with an aware "now", a naive one would raise a TypeError (a 500); a year near 1 or
    9999 would overflow when converted to UTC.
    """
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise PydanticCustomError("datetime_parsing", "date-time out of range")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


Moment = Annotated[datetime, AfterValidator(_aware)]
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]


class CleanInput(Schema):
    """An input schema whose text fields refuse NUL characters: PostgreSQL cannot store them,
    so they would otherwise fail at the database as a 500 (Django's forms refuse them too)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("nul_character", "text with a NUL character")
        return value
