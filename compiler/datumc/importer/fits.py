"""Does a YAML value fit a datumc field as it is? Checked against the schema itself."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError


@cache
def _adapter(model: type[BaseModel], field: str) -> TypeAdapter[Any]:
    info = model.model_fields[field]
    annotation: Any = (
        Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    )
    return TypeAdapter(annotation, config=ConfigDict(strict=True))


def misfit(model: type[BaseModel], field: str, value: Any) -> str | None:
    """Why `value` cannot be `model.field` unchanged, or None when it can."""
    try:
        _adapter(model, field).validate_python(value)
    except ValidationError as exc:
        message = str(exc.errors(include_url=False)[0]["msg"])
        return message.removeprefix("Value error, ")
    return None
