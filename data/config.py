"""floorwatch.toml: the typed configuration, its defaults, and errors that name file, key and problem.

Every threshold in ../shared/METRICS.md named `cfg.*` lives here. Unknown keys are errors: a typo in a
threshold must not silently fall back to a default.
"""

from __future__ import annotations

import os
import tomllib
from functools import cached_property
from pathlib import Path
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Channel = Literal["voice", "chat", "email", "social", "sms", "other"]
CHANNELS: tuple[str, ...] = ("voice", "chat", "email", "social", "sms", "other")
FormatName = Literal["queue_log", "asterisk_cdr", "freeswitch_cdr", "chat_jsonl", "mapped_csv"]
SlFormula = Literal["floorwatch", "asterisk", "asterisk_sl2", "connect"]

CONFIG_FILE_NAME = "floorwatch.toml"


class ConfigError(Exception):
    """The configuration cannot be used. `str()` names the file, the key and the problem."""


def machine_timezone() -> str:
    """The machine's IANA zone name: TZ, /etc/timezone, the /etc/localtime link, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and _valid_zone(tz):
        return tz
    try:
        name = Path("/etc/timezone").read_text().strip()
        if _valid_zone(name):
            return name
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            if _valid_zone(name):
                return name
    except OSError:
        pass
    return "UTC"


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_zone(value: str | None) -> str | None:
    if value is not None and not _valid_zone(value):
        raise ValueError(f"unknown time zone {value!r} (use an IANA name such as 'Europe/Paris')")
    return value


class SourceRule(_Strict):
    """Per path pattern: force a format and/or give the zone of naive timestamps."""

    pattern: str = Field(description="glob matched against the path relative to the watched folder")
    format: FormatName | None = None
    timezone: str | None = None
    channel: Channel | None = None

    _zone = field_validator("timezone")(classmethod(lambda cls, v: _check_zone(v)))


class CsvMapping(_Strict):
    """Any CSV with a header row, mapped column by column onto contact fields."""

    name: str
    pattern: str = Field(description="glob matched against the file name or relative path")
    channel: Channel = "other"
    timezone: str | None = None
    delimiter: str = ","
    columns: dict[str, str] = Field(
        description="contact field -> CSV column name (see README: Mapped CSV fields)"
    )
    timestamp_formats: dict[str, str] = Field(
        default_factory=dict, description="field -> strptime format; ISO 8601 when absent"
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="field -> {raw value: normalized value}"
    )
    rating_scale: float = 5
    duration_unit: Literal["s", "min", "h"] = "s"
    key_prefix: str = ""
    kind: Literal["contacts", "messages"] = Field(
        default="contacts", description="one contact per row, or one message per row"
    )

    # The fields `columns` may map, per kind (data/formats/mapped_csv.py says what each means).
    # `<ts>_date` + `<ts>_time` pairs stand for a timestamp split over two columns.
    CONTACT_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "id", "offered_at", "offered_date", "offered_time", "answered_at", "ended_at",
            "due_at", "first_customer_at", "first_agent_at", "answered", "outcome", "resolved",
            "transferred", "fcr", "wait_s", "talk_s", "hold_s", "wrap_s", "frt_s",
            "resolution_s", "agent", "queue", "channel", "customer", "topic", "tags", "status",
            "priority", "rating", "rating_comment", "messages", "agent_messages",
        }
    )  # fmt: skip
    MESSAGE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {
            "id", "conversation_id", "in_response_to", "ts", "ts_date", "ts_time", "role",
            "author", "text", "channel", "queue",
        }
    )  # fmt: skip

    _zone = field_validator("timezone")(classmethod(lambda cls, v: _check_zone(v)))

    @model_validator(mode="after")
    def _known_fields(self) -> CsvMapping:
        allowed = self.CONTACT_FIELDS if self.kind == "contacts" else self.MESSAGE_FIELDS
        unknown = sorted(set(self.columns) - allowed)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)} for kind {self.kind!r} "
                f"(supported: {', '.join(sorted(allowed))})"
            )
        return self


class Level(_Strict):
    warning: float | None = None
    critical: float | None = None


class Threshold(_Strict):
    """Warning and critical levels for one KPI, optionally for one queue or channel.

    `kpi` is a key of the report's totals (METRICS.md). Rates are fractions 0–1 (80 % is 0.8),
    times are seconds. Without `queue`/`channel` the levels apply to the whole floor.
    """

    RATES: ClassVar[frozenset[str]] = frozenset(
        {"abandon_rate", "service_level", "response_rate", "resolution_rate", "csat", "fcr",
         "transfer_rate"}
    )  # fmt: skip
    KPIS: ClassVar[frozenset[str]] = RATES | frozenset(
        {"offered", "answered", "abandoned", "short_abandoned", "timeout", "open", "asa_s",
         "aht_s", "frt_s", "frt_median_s", "avg_reply_wait_s", "csat_mean", "overdue", "at_risk",
         "talk_s", "frt_max_s", "resolution_s", "resolution_median_s", "waiting_now",
         "longest_wait_s", "transfers"}
    )  # fmt: skip

    kpi: str
    direction: Literal["above", "below"] = "above"
    warning: float | None = None
    critical: float | None = None
    queue: str | None = None
    channel: Channel | None = None

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, value: str) -> str:
        if value not in cls.KPIS:
            raise ValueError(f"unknown KPI {value!r} (one of: {', '.join(sorted(cls.KPIS))})")
        return value

    @model_validator(mode="after")
    def _levels(self) -> Threshold:
        if self.warning is None and self.critical is None:
            raise ValueError("give a warning level, a critical level, or both")
        if self.queue is not None and self.channel is not None:
            raise ValueError("a threshold is for one queue or one channel, not both")
        if self.kpi in self.RATES:
            for name, value in (("warning", self.warning), ("critical", self.critical)):
                if value is not None and not 0 <= value <= 1:
                    raise ValueError(
                        f"{name}: {self.kpi} is a rate: give a fraction 0–1 (80 % is 0.8)"
                    )
        if self.warning is not None and self.critical is not None:
            worse = (
                self.critical >= self.warning
                if self.direction == "above"
                else (self.critical <= self.warning)
            )
            if not worse:
                raise ValueError(
                    f"critical ({self.critical:g}) must be past warning ({self.warning:g}) "
                    f"in the direction {self.direction!r}"
                )
        return self


class WallConfig(_Strict):
    PANELS: ClassVar[tuple[str, ...]] = ("queues", "agents", "overdue", "channels")
    AGENT_KPIS: ClassVar[frozenset[str]] = frozenset(
        {"handled", "aht_s", "talk_s", "frt_s", "messages_sent", "csat", "fcr", "transfers",
         "missed_rings", "occupancy"}
    )  # fmt: skip

    cycle_s: float = Field(default=15, gt=0, description="seconds each wall panel stays up")
    panes: list[str] = Field(default_factory=lambda: list(WallConfig.PANELS), min_length=1)
    agent_kpi: str = Field(default="handled", description="agents ranked by this, top and bottom")
    bell: bool = Field(default=False, description="ring the terminal bell on a critical crossing")

    @field_validator("panes")
    @classmethod
    def _known_panels(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in cls.PANELS]
        if unknown:
            raise ValueError(f"unknown panel(s) {', '.join(unknown)} (use {', '.join(cls.PANELS)})")
        return value

    @field_validator("agent_kpi")
    @classmethod
    def _known_agent_kpi(cls, value: str) -> str:
        if value not in cls.AGENT_KPIS:
            raise ValueError(
                f"unknown agent KPI {value!r} (use {', '.join(sorted(cls.AGENT_KPIS))})"
            )
        return value


def _default_sl() -> dict[str, float]:
    return {"voice": 20, "chat": 60, "email": 3600, "social": 3600, "sms": 300, "other": 60}


def _default_frt() -> dict[str, float]:
    return {"voice": 60, "chat": 120, "email": 43200, "social": 43200, "sms": 3600, "other": 43200}


def _default_resolution() -> dict[str, float]:
    return {"chat": 3600, "email": 86400, "social": 86400, "sms": 86400, "other": 86400}


class Config(_Strict):
    """The whole floorwatch.toml. Defaults follow ../shared/METRICS.md."""

    site_name: str = "floorwatch"
    folder: Path | None = Field(default=None, description="folder to watch when none is given")
    timezone: str = Field(default_factory=machine_timezone)
    short_abandon_s: float = Field(default=5, ge=0)
    sl_threshold_s: dict[Channel, float] = Field(default_factory=_default_sl)
    sl_formula: SlFormula = "floorwatch"
    stale_after_s: float = Field(default=14400, gt=0)
    csat_satisfied: float = Field(default=4, ge=1, le=5)
    # at most data.derive.FCR_HORIZON_H: how far ahead next_contact_at is kept
    fcr_window_h: float = Field(default=168, gt=0, le=720)
    at_risk_s: float = Field(default=1800, ge=0)
    frt_target_s: dict[Channel, float] = Field(default_factory=_default_frt)
    resolution_target_s: dict[Channel, float] = Field(default_factory=_default_resolution)
    top_n: int = Field(default=10, ge=1, le=100)
    comparison_days: int = Field(
        default=7, ge=1, description="comparison = same span N days earlier"
    )
    stale_data_s: float = Field(default=300, gt=0, description="freshness turns warning after this")
    teams: dict[str, str] = Field(default_factory=dict, description="agent -> team")
    queue_channels: dict[str, Channel] = Field(default_factory=dict, description="queue -> channel")
    agent_names: dict[str, str] = Field(
        default_factory=dict, description="agent id -> display name"
    )
    queue_names: dict[str, str] = Field(
        default_factory=dict, description="queue id -> display name"
    )
    sources: list[SourceRule] = Field(default_factory=list)
    mappings: list[CsvMapping] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)
    wall: WallConfig = Field(default_factory=WallConfig)
    alert_cooldown_s: float = Field(
        default=300, ge=0, description="a KPI's repeated alert at the same level waits this long"
    )

    _zone = field_validator("timezone")(classmethod(lambda cls, v: _check_zone(v)))

    # A per-channel table in floorwatch.toml overrides the channels it names; the others keep their
    # defaults (setting voice's SL threshold must not leave email with no target).
    _sl = field_validator("sl_threshold_s")(classmethod(lambda cls, v: _default_sl() | v))
    _frt = field_validator("frt_target_s")(classmethod(lambda cls, v: _default_frt() | v))
    _res = field_validator("resolution_target_s")(
        classmethod(lambda cls, v: _default_resolution() | v)
    )

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def sl_threshold(self, channel: str) -> float:
        return self.sl_threshold_s.get(channel, _default_sl().get(channel, 60))  # type: ignore[arg-type]


def load_config(path: Path | None) -> Config:
    """Read and validate `path` (None: all defaults). Raises ConfigError naming file, key, problem."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from exc


def _describe(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        lines.append(f"{path}: {key}: {msg}")
    return "\n".join(lines)


def find_config(folders: list[Path], explicit: Path | None) -> Path | None:
    """`--config` wins; else floorwatch.toml in the first given folder that has one."""
    if explicit is not None:
        return explicit
    for folder in folders:
        candidate = folder / CONFIG_FILE_NAME
        try:
            if folder.is_dir() and candidate.is_file():
                return candidate
        except OSError:
            continue  # a folder that cannot be read: loading it reports that, file by file
    return None
