"""`[quotas]` in datumc.toml: when the alerting rules built from `rpd_limit` fire."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

WarnShare = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
CriticalShare = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class QuotasSection(BaseModel):
    """Thresholds of the daily-quota alerting rules (docs/monitoring.md)."""

    model_config = ConfigDict(
        extra="allow", strict=True, allow_inf_nan=False, frozen=True,
        json_schema_extra={"additionalProperties": False},
    )

    warn_share: WarnShare = Field(
        default=0.8, description="A warning fires when a model's requests over the last "
        "24 h reach this share of its rpd_limit (0 < share < 1).",
    )
    critical_share: CriticalShare = Field(
        default=1.0, description="A critical alert fires at this share of rpd_limit "
        "(above warn_share, at most 1).",
    )

    @model_validator(mode="after")
    def _ordered(self) -> QuotasSection:
        critical = self.critical_share
        if critical <= self.warn_share:
            raise ValueError(f"critical_share ({critical}) must be above "
                             f"warn_share ({self.warn_share})")
        return self
