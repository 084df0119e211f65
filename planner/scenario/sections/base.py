"""The base of every scenario model: frozen, unknown keys forbidden."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A scenario section: immutable once validated; unknown keys are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")
