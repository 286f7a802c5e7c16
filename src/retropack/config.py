"""The client's configuration: one typed model, read from one YAML file.

Unknown keys and wrong types are refused with the key's dotted path, so a typo in
``targets.grwoth`` is an error that names it instead of a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ConfigDict, Field, ValidationError, field_validator

from retropack._strict import StrictModel as _Strict
from retropack._strict import did_you_mean
from retropack._yaml import load_yaml
from retropack.errors import ConfigError
from retropack.gather.settings import SourceSettings
from retropack.kpis.catalog import KPI_IDS, SEED_COMMITMENTS, SEED_TARGETS
from retropack.kpis.phases import PHASES
from retropack.load.mapping import DataSettings
from retropack.load.validation import DEFAULT_MAX_AMOUNT
from retropack.months import REPORTABLE, Month
from retropack.rules import Rules, bundled_rules_file, load_rules

__all__ = ["Config", "Settings", "label_of", "load_config", "load_settings", "slug"]

# A target is a number a KPI can reach: never negative, infinite or NaN (.inf/.nan are YAML floats), and no larger
# than the largest amount a table may hold (1e308 overflowed the sums and charts that compare with it).
Target = Annotated[float, Field(ge=0, le=DEFAULT_MAX_AMOUNT, allow_inf_nan=False)]
KpiTargets = dict[str, Target | None]
RULES_FILE = "rules.yaml"  # a rules file of this name beside the config replaces the bundled one
# A client id names folders and files (reports/<client>/, retrospective-<client>-<month>.pptx): it must fit a file
# name (255 bytes on Linux and macOS) with the pack's prefix and month around it.
CLIENT_MAX_CHARS, CLIENT_MAX_BYTES = 100, 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # what str.splitlines (and so a mail header) breaks at


def slug(text: str) -> str:
    """``text`` as Prefect takes it in artifact keys and deployment names: lower-case ASCII letters, digits and
    dashes. Where that loses anything (case, ``_``, Japanese text), a short hash of ``text`` follows, so two
    client ids never share a key: ``demo`` stays ``demo``, ``株式会社ABC`` becomes ``abc-`` and 8 hex digits."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if plain == text:
        return plain
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{plain}-{digest}" if plain else digest


def _client_problem(client: str) -> str | None:
    """Why ``client`` cannot name the client's folder and files, or None. Checked when the config is read, so a
    bad id stops the run before anything is written."""
    size = len(client.encode("utf-8"))
    if not client.strip():
        return "is empty: give the client a name such as acme"
    if len(client) > CLIENT_MAX_CHARS or size > CLIENT_MAX_BYTES:
        return (f"is {len(client)} characters ({size} bytes in UTF-8) long, too long for a folder and file name: "
                f"shorten it to at most {CLIENT_MAX_CHARS} characters and {CLIENT_MAX_BYTES} bytes "
                "(a Japanese character takes 3)")
    if control := _CONTROL.search(client):
        return (f"holds the control character U+{ord(control.group()):04X} (a line break, tab or NUL), which a folder "
                "name cannot hold: write the id on one line with visible characters")
    if "/" in client or "\\" in client:
        return "holds '/' or '\\', which would make it a path, not a folder name: use '-' instead"
    if client.startswith("."):
        return ("starts with '.', which makes a hidden folder (or '..', the folder above): start it with a letter "
                "or digit")
    return None


class Program(_Strict):
    name: str
    start_month: str
    timezone: str = "Asia/Tokyo"
    currency: str = "JPY"
    locale: Literal["ja", "en"] = "ja"

    @field_validator("start_month", mode="before")
    @classmethod
    def _month(cls, value: Any) -> str:
        month = Month.parse(str(value))
        first, last = REPORTABLE
        if not first <= month <= last:
            raise ValueError(f"'{month}' is not a month a program can start in: give one from {first} to {last}")
        return str(month)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA timezone such as 'Asia/Tokyo'") from None
        return value

    @property
    def start(self) -> Month:
        return Month.parse(self.start_month)


class Sla(_Strict):
    followup_days: float = Field(3, gt=0, le=365, allow_inf_nan=False)  # a day count a date can be shifted by


class Economics(_Strict):
    gross_margin: float = Field(1.0, gt=0, le=1)
    lifetime_multiplier: float = Field(1.0, gt=0, le=1000, allow_inf_nan=False)


class InsightSettings(_Strict):
    """How the explanations tell noise from causes."""

    min_sample: int = Field(5, ge=1)  # a part of a change on fewer rows is named as a small sample, never a cause
    min_events: int = Field(10, ge=1)  # a ratio on fewer events in M is told with its trailing 3 months, no headline


class DataQuality(_Strict):
    max_reject_share: float = Field(0.05, ge=0, le=1)
    max_amount: float = Field(DEFAULT_MAX_AMOUNT, gt=0, allow_inf_nan=False)  # a larger amount is a rejected row


def _check_kpi_keys(targets: dict[str, Any] | None) -> dict[str, Any] | None:
    for key in targets or {}:
        if key not in KPI_IDS:
            raise ValueError(f"unknown KPI '{key}'{did_you_mean(key, KPI_IDS)}")
    return targets


LAUNCH_SEEDED = frozenset(PHASES[0].focus)  # the launch phase's focus KPIs keep the seed's examples


class Targets(_Strict):
    """Targets per phase. The seed's examples are the base; ``default`` then the phase override them.

    A KPI set to ``null`` has no target in that scope.
    """

    tolerance: float = Field(0.10, ge=0, lt=1)
    default: KpiTargets = Field(default_factory=dict)
    launch: KpiTargets = Field(default_factory=dict)
    growth: KpiTargets = Field(default_factory=dict)
    optimization: KpiTargets = Field(default_factory=dict)
    maturity: KpiTargets = Field(default_factory=dict)

    _keys = field_validator("default", "launch", "growth", "optimization", "maturity")(_check_kpi_keys)

    def for_phase(self, phase: str) -> dict[str, float]:
        """In the launch phase the seed's examples apply to its focus KPIs and the SLA only (contract §3): a
        program in its second month with no deals yet has no pipeline target unless the config sets one."""
        seed = SEED_TARGETS if phase != "launch" else {
            kpi: value for kpi, value in SEED_TARGETS.items() if kpi in LAUNCH_SEEDED or kpi in SEED_COMMITMENTS}
        merged: dict[str, float | None] = {**seed, **self.default, **getattr(self, phase)}
        return {kpi: value for kpi, value in merged.items() if value is not None}


ContentType = Literal["blog", "whitepaper", "webinar", "newsletter", "case_study", "other"]


class Content(_Strict):
    """Monthly content cadence (seed: blog 4, whitepaper 1, webinar 1, newsletter 4)."""

    cadence: dict[ContentType, int] = Field(
        default_factory=lambda: {"blog": 4, "whitepaper": 1, "webinar": 1, "newsletter": 4}
    )


class Advice(_Strict):
    """Where the editable improvement-action and health-check rules live (relative to the config):
    unset, a ``rules.yaml`` beside the config if there is one, else the bundled rules."""

    rules_file: Path | None = None
    scoring_review_every_months: int = Field(3, ge=1)


# The dimensions whose codes the pack shows (why a KPI moved, the story line, tables), per ``labels:`` key.
LabelDimension = Literal["source", "segment", "channel", "campaign", "scenario"]
_LABELLED_AS = {"lead_source": "source", "lead_segment": "segment"}  # a deal's lead's source is a source


def label_of(labels: Mapping[str, Mapping[str, str]], dimension: str, code: str | None) -> str | None:
    """The display name of ``code`` in ``dimension`` (``labels:`` in the config); None when none is set."""
    if code is None:
        return None
    return labels.get(_LABELLED_AS.get(dimension, dimension), {}).get(code)

RoleId = Literal["ma_admin", "content", "analyst", "sales_liaison"]
SizeBand = Literal["~50", "50-200", "200-500", "500+"]


class Role(_Strict):
    people: float = Field(ge=0, le=100_000, allow_inf_nan=False)
    weekly_hours: float = Field(ge=0, le=168, allow_inf_nan=False)  # a person's hours in a week
    dedicated: bool = False
    members: list[str] = Field(default_factory=list)  # names; the first is the assignee of the role's actions


class Team(_Strict):
    """Who runs the MA program (seed: 必要な役割と人員, 企業規模別の推奨体制)."""

    company_size: SizeBand
    roles: dict[RoleId, Role] = Field(default_factory=dict)
    external_support: bool = False


class Render(_Strict):
    """How the documents are drawn. The PDF embeds IPAexGothic (shipped with retropack); the deck names a face the
    reader's Office has, for Latin and East Asian text alike, so PowerPoint does not substitute one."""

    deck_font: str = Field("Meiryo", min_length=1, max_length=64)

    @field_validator("deck_font")
    @classmethod
    def _typeface(cls, value: str) -> str:
        """The name goes into every run of the deck's XML: a control character or a lone surrogate there stopped
        the render with an error about its staging file instead of this key."""
        if not value.strip() or _LINE_BREAKS.search(value) or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise ValueError(f"{value!r} is not a typeface name: give the name of a font the readers' Office has, "
                             "e.g. Meiryo or Yu Gothic")
        return value


class Schedule(_Strict):
    business_day: int = Field(1, ge=1, le=15)
    time: str = "09:00"

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        hours, _, minutes = str(value).partition(":")
        if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
            raise ValueError(f"'{value}' is not a time of day in the form HH:MM")
        return f"{int(hours):02d}:{int(minutes):02d}"


class Meeting(_Strict):
    """When the joint meeting reviews the pack: its ``date``, or ``days_after_run`` calendar days after the run
    (the schedule's run date, else the day the pack is made). The actions' due dates count from it."""

    date: dt.date | None = None
    days_after_run: int = Field(7, ge=0, le=60)


class Smtp(_Strict):
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    timeout_seconds: float = Field(30, gt=0, allow_inf_nan=False)  # the longest wait for one reply
    deadline_seconds: float = Field(300, gt=0, allow_inf_nan=False)  # the longest a whole exchange (one try) takes
    retries: int = Field(3, ge=0, le=10)
    retry_delay_seconds: list[Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False)]] = Field(
        default_factory=lambda: [2.0, 5.0, 15.0])


class Delivery(_Strict):
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    cc: list[str] = Field(default_factory=list)
    failure_notice_to: list[str] = Field(default_factory=list)
    max_attachment_mb: float = Field(10, gt=0, allow_inf_nan=False)
    locale: Literal["ja", "en"] | None = None
    greeting: str | None = None  # the mail's first line, e.g. "営業部・マーケティング部 各位"
    signature: str | None = None  # below the mail's "-- " line: who sends it
    links_base: str | None = None  # where readers reach the reports root (a file share or web server)
    smtp: Smtp

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("from_", "to", "cc", "failure_notice_to")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        """An address becomes a mail header: a line break in it would end the header (or add one)."""
        for address in [value] if isinstance(value, str) else value:
            if _LINE_BREAKS.search(address):
                raise ValueError(f"{address!r} holds a line break or another control character: write the address "
                                 "on one line, e.g. manager@example.com")
            if not address.strip():
                raise ValueError("an address is empty: remove it or write one, e.g. manager@example.com")
            if "@" not in parseaddr(address)[1]:
                raise ValueError(f"{address!r} is not an e-mail address: write it as manager@example.com or "
                                 "'Name <manager@example.com>'")
        return value

    @field_validator("links_base")
    @classmethod
    def _links_base(cls, value: str | None) -> str | None:
        if value is not None and not value.strip(" /\\"):
            raise ValueError("give the address of the shared reports folder, e.g. https://files.example.com/retropack")
        return value.rstrip("/\\") if value else value


class Alerts(_Strict):
    """A second channel for failures, independent of the mail server: an incoming webhook (Slack/Teams style)."""

    webhook_url_env: str  # names the variable holding the URL (or prefect-secret:<block>); the URL is a secret
    timeout_seconds: float = Field(10, gt=0, allow_inf_nan=False)


class Settings(_Strict):
    """Everything one client's run needs, with paths already resolved against the config file."""

    client: str = "default"
    program: Program
    data: DataSettings
    source: SourceSettings = Field(default_factory=SourceSettings)
    sla: Sla = Field(default_factory=Sla)
    economics: Economics = Field(default_factory=Economics)
    data_quality: DataQuality = Field(default_factory=DataQuality)
    insights: InsightSettings = Field(default_factory=InsightSettings)
    targets: Targets = Field(default_factory=Targets)
    content: Content = Field(default_factory=Content)
    advice: Advice = Field(default_factory=Advice)
    team: Team | None = None
    labels: dict[LabelDimension, dict[str, str]] = Field(default_factory=dict)  # display names of codes
    render: Render = Field(default_factory=Render)
    schedule: Schedule | None = None
    meeting: Meeting = Field(default_factory=Meeting)
    delivery: Delivery | None = None
    alerts: Alerts | None = None
    config_file: Path | None = Field(default=None, exclude=True)  # set by load_settings, not a key of the file

    @field_validator("client")
    @classmethod
    def _client(cls, value: str) -> str:
        if problem := _client_problem(value):
            raise ValueError(f"the client id {problem}")
        return value

    @property
    def client_slug(self) -> str:
        """The client id in Prefect's names (artifact keys, deployments, the concurrency limit); see ``slug``."""
        return slug(self.client)


def _describe(error: dict[str, Any], raw: dict[str, Any]) -> str:
    path = [str(part) for part in error["loc"]]
    key = ".".join(path)
    if error["type"] == "extra_forbidden":
        parent: Any = raw
        for part in path[:-1]:
            parent = parent.get(part, {}) if isinstance(parent, dict) else {}
        model: Any = Settings
        for part in path[:-1]:
            field = getattr(model, "model_fields", {}).get(part)
            model = getattr(field, "annotation", None) if field else None
        known = []
        if model is not None and hasattr(model, "model_fields"):
            known = [f.alias or name for name, f in model.model_fields.items()]
        return f"unknown key '{key}'{did_you_mean(path[-1], known)}"
    if error["type"] == "missing":
        return f"missing key '{key}'"
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    shown = f" (got {value!r})" if not isinstance(value, (dict, list)) else ""
    return f"key '{key}': {message}{shown}"


def load_settings(path: Path | str, *, data: Path | None = None) -> Settings:
    """Read and check the YAML config; ``data`` overrides ``data.path``."""
    path = Path(path)
    where = f"Config file '{path}'"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist: pass --config with the path of a client's YAML file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} cannot be read ({exc}): save it as UTF-8 text.") from None
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{where} is not valid YAML{line}: {getattr(exc, 'problem', exc)}.") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must hold a mapping of keys (client, program, data, …), not {type(raw).__name__}.")
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(err, raw) for err in exc.errors())
        raise ConfigError(f"{where}: {problems}. Fix the key in the file (see README, 'Configuration').") from None
    base = path.resolve().parent
    updates: dict[str, Any] = {"config_file": path.resolve()}
    data_path = data if data is not None else base / settings.data.path
    updates["data"] = settings.data.model_copy(update={"path": Path(data_path).resolve()})
    if settings.source.since is None:  # the first sync reaches back to the program's start
        updates["source"] = settings.source.model_copy(update={"since": settings.program.start.start("UTC").date()})
    updates["advice"] = settings.advice.model_copy(update={"rules_file": _rules_file(settings.advice, base)})
    return settings.model_copy(update=updates)


def _rules_file(advice: Advice, base: Path) -> Path:
    if advice.rules_file is not None:
        return (base / advice.rules_file).resolve()
    beside = base / RULES_FILE
    return beside.resolve() if beside.is_file() else bundled_rules_file()


@dataclass(frozen=True)
class Config:
    """One client's configuration as a run uses it: the settings, and the rules they point at."""

    settings: Settings
    rules: Rules


def load_config(path: Path | str, *, data: Path | None = None) -> Config:
    """Read the client's YAML and its rules file; ``data`` overrides ``data.path``."""
    settings = load_settings(path, data=data)
    assert settings.advice.rules_file is not None  # resolved by load_settings
    return Config(settings, load_rules(settings.advice.rules_file))
