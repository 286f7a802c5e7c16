"""Deterministic demo MA program: the dataset the demo pack, the tests and the benchmark read.

It follows the seed article's program (立ち上げ期 → 成熟期) for a Japanese B2B SaaS company and
writes the tables of the data format (docs/data-format.md) as CSV. The story is built in on purpose so the pack has
something to say: launch months miss the lead target, a paid-search push makes a lead spike, a
cancelled webinar drops the webinar source, one sales rep follows MQLs up late, enterprise
converts best, a short-staffed content team makes a scenario stall and another go stale, and
every required table carries a few rows of each kind of bad row the contract rejects.

All randomness comes from one ``numpy.random.Generator(seed)``, so a run is byte-identical to
the previous one with the same arguments. Rows are generated as arrays (no per-row Python loops
over the large tables) so ``scale=10`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["Program", "generate"]

SECOND = np.timedelta64(1, "s")
HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86400, "s")
JST_OFFSET = 9 * HOUR
EXPORT_DAY = 20  # the last month is in progress: the export was taken on its 20th

# Timestamp styles seen in real exports: naive JST (0, most), explicit +09:00, UTC with Z.
STYLE_OFFSET, STYLE_UTC = 1, 2
STYLE_SHARE = (0.85, 0.12, 0.03)

SOURCES = ("organic", "paid_search", "webinar", "whitepaper", "event", "referral", "partner")
SOURCE_SHARE = np.array([0.28, 0.20, 0.15, 0.16, 0.05, 0.09, 0.07])
SOURCE_QUALITY = np.array([0.0, -0.3, 0.35, 0.2, 0.25, 0.6, 0.15])
PAID, WEBINAR, EVENT = 1, 2, 4
DIRECT_TO_SALES = np.array([False, False, False, False, True, True, True])

SEGMENTS = ("enterprise", "mid_market", "smb")
SEGMENT_SHARE = np.array([0.2, 0.35, 0.45])
SEGMENT_QUALITY = np.array([0.3, 0.0, -0.15])
SEGMENT_SQL = np.array([0.44, 0.28, 0.2])  # enterprise MQLs convert best
SEGMENT_OPPORTUNITY = np.array([0.6, 0.5, 0.42])
SEGMENT_WIN = np.array([0.45, 0.38, 0.33])
SEGMENT_AMOUNT = np.array([900_000, 480_000, 300_000])  # median deal, yen
SEGMENT_CYCLE = np.array([70.0, 45.0, 28.0])  # median days from deal to won

SALES_REPS = ("佐藤 健太", "鈴木 一郎", "高橋 美咲", "田中 大輔", "伊藤 さくら")
LATE_REP = 1  # 鈴木 follows MQLs up late: the SLA driver the pack should find
MARKETERS = ("山本 彩", "中村 翔", "小林 直子")

# The program's story, by program month (1 = start month). Unlisted months are 1.0.
PAID_SPIKE_MONTH = 6  # a paid-search campaign: many, weaker leads
WEBINAR_DROP_MONTH = 9  # the month's webinar was cancelled
EVENT_MONTHS = (5, 8, 12, 16)  # trade shows: event leads and event spend
TOOLS_RENEWAL_MONTH = 13  # the MA contract renews with a paid CRM integration: CPL jumps
MQL_FACTOR = {1: 0.5, 2: 0.8, 4: 0.9}  # scoring only goes live in month 2
SQL_FACTOR = {3: 0.8, 4: 0.75, 5: 1.15, 6: 0.9, 7: 0.85, 10: 1.15, 13: 1.1, 15: 0.8}
LATE_FOLLOWUP_FACTOR = {7: 2.5, 8: 1.8, 14: 1.6}  # year-end and summer holidays
OPEN_FACTOR = {1: 1.12, 3: 0.88, 7: 0.84, 11: 0.9, 12: 1.1, 15: 0.88, 16: 1.08}
CTR_FACTOR = {1: 1.1, 3: 0.82, 7: 0.78, 10: 0.92, 11: 0.88, 12: 1.15, 15: 0.85, 16: 1.1}
UNSUB_FACTOR = {1: 1.45, 7: 1.7, 11: 1.2, 15: 1.35}  # first blast to an old list; a mis-sent segment
SEASON = {1: 0.9, 3: 1.1, 5: 0.93, 8: 0.86, 12: 0.92}  # calendar month: New Year, fiscal year end, GW, お盆


class Scenario(NamedTuple):
    """A nurturing scenario of the demo program and how its sends behave."""

    sid: str
    name: str
    launch: tuple[int, int]  # program month (1-based), day of month
    stop: int | None  # last program month it sends in; None: still running
    stopped_as: str  # its status once stopped: paused or retired
    steps: int
    entrants: float  # people entering a day at 200 leads a month
    hour: int  # local send hour
    open_rate: float
    ctr: float
    description: str


# Launched one at a time (seed 成功パターン1).
SCENARIOS = (
    Scenario("SC01", "資料DL後フォロー", (1, 16), None, "", 4, 6.0, 8, 0.32, 0.042, "ホワイトペーパーDL直後から2週間の4ステップフォロー"),
    Scenario("SC02", "ウェビナー参加者育成", (3, 22), None, "", 3, 4.0, 12, 0.38, 0.05, "ウェビナー参加・欠席者へのアーカイブ案内と個別相談の誘導"),
    Scenario("SC03", "休眠掘り起こし", (4, 8), None, "", 3, 22.0, 7, 0.19, 0.022, "90日以上接触のないリードへのブログダイジェスト配信"),
    Scenario("SC04", "無料トライアル オンボーディング", (5, 12), None, "", 5, 3.0, 9, 0.45, 0.065, "トライアル申込者の初期設定支援と活用Tips"),
    Scenario("SC05", "ホワイトペーパー読者ナーチャリング", (6, 18), None, "", 4, 5.0, 10, 0.31, 0.04, "WP読者をスコア閾値まで育成する長期シナリオ"),
    Scenario("SC06", "展示会リードフォロー", (8, 20), 13, "paused", 3, 9.0, 11, 0.28, 0.035, "展示会で名刺交換したリードへのお礼と資料送付"),
    Scenario("SC07", "価格ページ訪問者フォロー", (5, 1), 9, "retired", 2, 3.0, 18, 0.24, 0.03, "価格ページ訪問者への導入相談の案内"),
)
STALLED_SCENARIO, STALLED_MONTHS = "SC03", (10, 11, 12)  # no blog digests to send (失敗パターン4)
STALE_SCENARIO, STALE_AFTER = "SC05", 9  # its last new whitepaper; opens fall after it
PLANNED_SCENARIO = ("SC08", "既存顧客アップセル", "導入済み顧客への上位プラン・追加ライセンスの提案")

BLOG_TOPICS = (
    "MAツール導入前に決めるべき3つのこと", "リードスコアリングの始め方", "BtoBメールの開封率を上げる件名の工夫",
    "MQLとSQLの違いと定義の決め方", "ナーチャリングシナリオ設計の基本", "営業とマーケの連携を強化するSLAとは",
    "ホワイトペーパーの企画から配布まで", "ウェビナー集客を成功させるチェックリスト", "休眠リードを掘り起こすメール施策",
    "フォーム最適化でCVRを改善する方法", "コンテンツカレンダーの作り方", "KPIダッシュボードで見るべき指標",
    "ABテストの設計と読み方", "展示会リードのフォロー術", "CRMデータクレンジングの手順", "パイプライン管理の基本",
    "インサイドセールス立ち上げの勘所", "導入事例記事の書き方", "配信停止率を下げるには", "LTVとCACで見るマーケ投資判断",
)
SERIES = ("", "（実践編）", "（事例編）", "（Q&A編）", "（2026年版）")
WHITEPAPERS = (
    "BtoBマーケティングKPI設計ガイド", "MA運用チェックリスト50", "リードナーチャリング実践ガイド",
    "営業×マーケ連携 SLAテンプレート集", "製造業のデジタルマーケティング入門", "メールマーケティング ベンチマーク",
    "スコアリング設計ワークシート", "コンテンツマーケティング内製化の手引き",
)
WEBINARS = (
    "成果が出るMA運用の型", "営業が追いたくなるMQLの作り方", "メール施策の改善サイクル", "展示会リードを商談に変える",
    "ROIを説明できるマーケティング", "データ品質を保つ運用ルール",
)
CASE_RESULTS = ("商談数が1.8倍に", "MQL→SQL転換率が12pt改善", "リード獲得コストを30%削減", "受注までの期間を3週間短縮")
EXPOS = ("マーケティングDX EXPO", "SaaS営業EXPO", "BtoBデジタル展", "中小企業IT化フェア")

COMPANY_HEADS = (
    ("山田", "yamada"), ("東邦", "toho"), ("さくら", "sakura"), ("大和", "yamato"), ("日本", "nihon"),
    ("中央", "chuo"), ("みらい", "mirai"), ("青葉", "aoba"), ("富士", "fuji"), ("北斗", "hokuto"),
    ("朝日", "asahi"), ("新星", "shinsei"), ("双葉", "futaba"), ("第一", "daiichi"), ("東京", "tokyo"),
    ("関西", "kansai"), ("九州", "kyushu"), ("北海", "hokkai"), ("光陽", "koyo"), ("瀬戸内", "setouchi"),
)
COMPANY_TAILS = (
    ("テクノロジー", "tech"), ("システムズ", "systems"), ("工業", "kogyo"), ("商事", "shoji"),
    ("ソリューションズ", "solutions"), ("製作所", "ss"), ("物流", "logi"), ("ホールディングス", "hd"),
    ("電機", "denki"), ("データ", "data"), ("ネットワークス", "networks"), ("コンサルティング", "consulting"),
    ("不動産", "estate"), ("食品", "foods"), ("化学", "chemical"), ("精機", "seiki"), ("メディカル", "medical"),
    ("エンジニアリング", "eng"),
)
GIVEN_ROMAJI = ("hiroshi", "yuki", "takuya", "aiko", "kenji", "mai", "shota", "naoko", "daisuke", "emi", "ryo", "kana")
FAMILY_ROMAJI = (
    "sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato",
)


@dataclass(frozen=True)
class Program:
    """Calendar facts every table shares: months are local (JST) wall-clock time."""

    start: np.datetime64  # first month, datetime64[M]
    months: int
    scale: float
    export_at: np.datetime64  # nothing in the data happens after it

    @classmethod
    def create(cls, start: str, months: int, scale: float) -> Program:
        first = np.datetime64(start, "M")
        last_start = (first + months - 1).astype("datetime64[s]")
        return cls(first, months, scale, last_start + (EXPORT_DAY - 1) * DAY)

    def month_start(self, index: np.ndarray | int) -> np.ndarray:
        """Local start of program month ``index`` (0-based; may run past the program)."""
        return (self.start + index).astype("datetime64[s]")

    def month_of(self, moments: np.ndarray) -> np.ndarray:
        """0-based program month of each local moment (garbage for NaT: mask it first)."""
        return (moments.astype("datetime64[M]") - self.start).astype(np.int64)

    def label(self, index: int) -> str:
        """``YYYY-MM`` of program month ``index`` (0-based)."""
        return str(self.start + index)

    def by_month(self, factors: dict[int, float]) -> np.ndarray:
        """A story table (1-based program months) as one factor per month, 1.0 where unlisted."""
        return np.array([factors.get(i + 1, 1.0) for i in range(self.months)])


def _fmt_ts(moments: np.ndarray, style: np.ndarray) -> np.ndarray:
    """ISO-8601 text in each row's style; the UTC style shifts the wall clock by −9 h."""
    naive = np.datetime_as_string(moments, unit="s")
    utc = np.char.add(np.datetime_as_string(moments - JST_OFFSET, unit="s"), "Z")
    text = np.where(style == STYLE_OFFSET, np.char.add(naive, "+09:00"), np.where(style == STYLE_UTC, utc, naive))
    return np.where(np.isnat(moments), "", text).astype(object)


def _fmt_date(moments: np.ndarray) -> np.ndarray:
    """ISO dates, empty where NaT."""
    text = np.datetime_as_string(moments, unit="D")
    return np.where(np.isnat(moments), "", text).astype(object)


def _fmt_int(values: np.ndarray) -> np.ndarray:
    """Whole numbers as text, empty where NaN."""
    text = np.char.mod("%d", np.nan_to_num(values).astype(np.int64))
    return np.where(np.isnan(values), "", text).astype(object)


def _fmt_ids(prefix: str, count: int, width: int) -> np.ndarray:
    """Sequential keys like ``L000001``."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, count + 1).astype(str), width)).astype(object)


def _styles(rng: np.random.Generator, count: int) -> np.ndarray:
    """Which timestamp style each row's exporting system used."""
    return rng.choice(3, size=count, p=STYLE_SHARE)


def _office_hours(rng: np.random.Generator, moments: np.ndarray) -> np.ndarray:
    """Moves people's actions outside 9:00–19:00 to the next morning (sales touches, deal updates)."""
    day = moments.astype("datetime64[D]").astype("datetime64[s]")
    hour = (moments - day) / HOUR
    morning = day + 9 * HOUR + rng.integers(0, 7200, moments.size) * SECOND
    moved = np.where(hour < 9, morning, np.where(hour >= 19, morning + DAY, moments))
    return np.where(np.isnat(moments), moments, moved)


def _days(rng: np.random.Generator, count: int, mean_days: float) -> np.ndarray:
    """An exponential delay, as a timedelta."""
    return (rng.exponential(mean_days * 86400, count)).astype(np.int64) * SECOND


def _lognormal(rng: np.random.Generator, median: np.ndarray, sigma: float) -> np.ndarray:
    """Skewed positive amounts or durations around a median."""
    return median * np.exp(rng.normal(0.0, sigma, median.shape))


def _moments_in(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, hour_weights: np.ndarray) -> np.ndarray:
    """A weekday-heavy moment in [lo, hi) per row, at an hour drawn from ``hour_weights``."""
    span = np.maximum(((hi - lo) // DAY).astype(np.int64), 1)
    day = rng.integers(0, span)
    weekday = (lo.astype("datetime64[D]") + day).astype(np.int64) % 7  # 0 = Thursday
    redraw = np.isin(weekday, (2, 3)) & (rng.random(lo.size) < 0.65)
    day = np.where(redraw, rng.integers(0, span), day)
    hour = rng.choice(24, size=lo.size, p=hour_weights / hour_weights.sum())
    return lo + day * DAY + hour * HOUR + rng.integers(0, 3600, lo.size) * SECOND


FORM_HOURS = np.array([1, .5, .3, .2, .2, .3, .6, 1.5, 3, 5, 6, 6, 5, 6, 6, 6, 5, 5, 4, 3.5, 3, 2.5, 2, 1.5])
OFFICE_HOURS = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 6, 6, 3, 6, 6, 6, 5, 4, 2, 0, 0, 0, 0, 0], dtype=float)


# ----------------------------------------------------------------------------- leads


@dataclass
class Leads:
    """Lead facts as arrays (sorted by creation); the deals and sends are derived from them."""

    created: np.ndarray
    source: np.ndarray
    segment: np.ndarray
    score: np.ndarray
    mql: np.ndarray
    sql: np.ndarray
    touch: np.ndarray
    last_activity: np.ndarray
    rep: np.ndarray  # -1: not routed to sales
    style: np.ndarray
    per_month: np.ndarray


def _lead_counts(p: Program, rng: np.random.Generator) -> np.ndarray:
    """New leads per (month, source): growing, seasonal, with the story's spikes and drops."""
    index = np.arange(p.months)
    trend = 158 + 7.6 * index
    season = np.array([SEASON.get(int(str(p.start + i)[5:]), 1.0) for i in index])
    expected = (trend * season)[:, None] * SOURCE_SHARE[None, :] * p.scale
    if p.months >= PAID_SPIKE_MONTH:
        expected[PAID_SPIKE_MONTH - 1, PAID] *= 3.4
    if p.months >= WEBINAR_DROP_MONTH:
        expected[WEBINAR_DROP_MONTH - 1, WEBINAR] *= 0.08
    for month in EVENT_MONTHS:
        if month <= p.months:
            expected[month - 1, EVENT] *= 5.0
    expected[-1] *= (EXPORT_DAY - 1) / 30  # the export month is only partly over
    noise = rng.lognormal(0.0, 0.05, (p.months, 1))
    return rng.poisson(expected * noise)


def _created_leads(p: Program, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Creation moment, source, program month and timestamp style of each lead, in creation order."""
    counts = _lead_counts(p, rng)
    month = np.repeat(np.repeat(np.arange(p.months), len(SOURCES)), counts.ravel())
    source = np.repeat(np.tile(np.arange(len(SOURCES)), p.months), counts.ravel())
    lo = p.month_start(month)
    hi = np.minimum(p.month_start(month + 1), p.export_at)
    created = _moments_in(rng, lo, hi, FORM_HOURS)
    # A few form fills right after midnight on the 1st, exported in UTC: still the previous
    # month on the UTC calendar, so a reader that ignores the offset misplaces them.
    style = _styles(rng, created.size)
    early = rng.random(created.size) < 0.006
    created = np.where(early, lo + rng.integers(600, 9 * 3600, created.size) * SECOND, created)
    style[early] = STYLE_UTC
    order = np.lexsort((source, created))
    return created[order], source[order], month[order], style[order]


def _first_touch(
    p: Program, rng: np.random.Generator, anchor: np.ndarray, created: np.ndarray, rep: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """When sales first reached out after the lead's MQL (``anchor``): mostly within the 3-day SLA,
    late more often for one rep and in holiday months, a few before the MQL, some never (NaT)."""
    n = anchor.size
    late_share = np.where(rep == LATE_REP, 0.5, 0.08) * p.by_month(LATE_FOLLOWUP_FACTOR)[month]
    u = rng.random(n)
    on_time = np.minimum(_days(rng, n, 0.7), int(2.8 * 86400) * SECOND)
    late = 3 * DAY + 3 * HOUR + _days(rng, n, 4)
    ahead = -(rng.integers(12, 120, n) * HOUR)
    delay = np.where(u < 0.03, ahead, np.where(u < 0.03 + late_share, late, on_time))
    never = rng.random(n) < 0.06
    touch = _office_hours(rng, np.maximum(anchor + delay, created + HOUR))
    return np.where(never, np.datetime64("NaT"), touch)


def _leads(p: Program, rng: np.random.Generator) -> Leads:
    """Leads, their score, and the MQL → sales touch → SQL funnel, cut off at the export."""
    created, source, month, style = _created_leads(p, rng)
    n = created.size

    segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    quality = rng.normal(size=n) + SOURCE_QUALITY[source] + SEGMENT_QUALITY[segment]
    quality -= 0.45 * ((month == PAID_SPIKE_MONTH - 1) & (source == PAID))
    score = np.clip(np.rint(44 + 16 * quality), 0, 100)

    p_mql = p.by_month(MQL_FACTOR)[month] / (1 + np.exp(-(score - 59) / 6))
    is_mql = rng.random(n) < p_mql
    mql = np.where(is_mql, created + HOUR + _days(rng, n, 9), np.datetime64("NaT"))
    mql = np.where(mql <= p.export_at, mql, np.datetime64("NaT"))
    is_mql = ~np.isnat(mql)

    direct = ~is_mql & DIRECT_TO_SALES[source] & (rng.random(n) < 0.01)
    routed = is_mql | direct
    rep = np.where(routed, rng.integers(0, len(SALES_REPS), n), -1)
    mql_month = np.where(is_mql, p.month_of(mql), 0)
    touch = _first_touch(p, rng, np.where(is_mql, mql, created), created, rep, mql_month)
    touch = np.where(direct, _office_hours(rng, created + HOUR + _days(rng, n, 1)), touch)
    touch = np.where(routed & (touch <= p.export_at), touch, np.datetime64("NaT"))

    was_late = (touch - mql) > 3 * DAY
    p_sql = (
        SEGMENT_SQL[segment] * (0.55 + 0.9 * score / 100) * p.by_month(SQL_FACTOR)[mql_month]
        * np.where(was_late, 0.6, 1.0)
    )
    is_sql = (is_mql & ~np.isnat(touch) & (rng.random(n) < p_sql)) | direct
    base = np.where(is_mql, np.maximum(mql, touch), np.where(direct, touch, created))
    sql = np.where(is_sql, base + 12 * HOUR + _days(rng, n, 6), np.datetime64("NaT"))
    sql = _office_hours(rng, sql)
    sql = np.where(sql <= p.export_at, sql, np.datetime64("NaT"))

    latest = np.fmax(np.fmax(created, mql), np.fmax(touch, sql))
    last_activity = np.minimum(latest + _days(rng, n, 25), p.export_at)
    # High-score leads nobody has heard from in 90+ days (seed 成功パターン4: 減点ルール).
    gone_quiet = (score >= 70) & np.isnat(sql) & (p.export_at - latest > 110 * DAY) & (rng.random(n) < 0.35)
    last_activity = np.where(gone_quiet, latest + rng.integers(0, 5 * 86400, n) * SECOND, last_activity)

    per_month = np.bincount(month, minlength=p.months)
    return Leads(created, source, segment, score, mql, sql, touch, last_activity, rep, style, per_month)


def _lead_frame(leads: Leads, rng: np.random.Generator) -> pd.DataFrame:
    """The leads as exported: text columns, some fields left blank by sloppy forms (失敗パターン5)."""
    n = leads.created.size
    heads, tails = len(COMPANY_HEADS), len(COMPANY_TAILS)
    company = rng.integers(0, heads * tails, n)
    head, tail = company // tails, company % tails
    jp_head = np.array([h for h, _ in COMPANY_HEADS], dtype=object)[head]
    jp_tail = np.array([t for t, _ in COMPANY_TAILS], dtype=object)[tail]
    prefixed = company % 10 < 7
    name = np.where(prefixed, "株式会社" + jp_head + jp_tail, jp_head + jp_tail + "株式会社")
    domain = np.array([h for _, h in COMPANY_HEADS], dtype=object)[head] + "-"
    domain = domain + np.array([t for _, t in COMPANY_TAILS], dtype=object)[tail] + ".co.jp"
    given = np.array(GIVEN_ROMAJI, dtype=object)[rng.integers(0, len(GIVEN_ROMAJI), n)]
    family = np.array(FAMILY_ROMAJI, dtype=object)[rng.integers(0, len(FAMILY_ROMAJI), n)]
    suffix = np.where(rng.random(n) < 0.3, np.char.mod("%d", rng.integers(1, 99, n)).astype(object), "")
    email = given + "." + family + suffix + "@" + domain

    source = np.array(SOURCES, dtype=object)[leads.source]
    segment = np.array(SEGMENTS, dtype=object)[leads.segment]
    source[rng.random(n) < 0.02] = ""
    segment[rng.random(n) < 0.03] = ""
    email[rng.random(n) < 0.015] = ""
    owner = np.where(leads.rep >= 0, np.array(SALES_REPS, dtype=object)[np.maximum(leads.rep, 0)], "")
    score = leads.score.copy()
    score[rng.random(n) < 0.01] = np.nan
    return pd.DataFrame({
        "lead_id": _fmt_ids("L", n, 6),
        "created_at": _fmt_ts(leads.created, leads.style),
        "source": source,
        "segment": segment,
        "email": email,
        "company": name,
        "score": _fmt_int(score),
        "mql_at": _fmt_ts(leads.mql, leads.style),
        "sql_at": _fmt_ts(leads.sql, leads.style),
        "first_sales_touch_at": _fmt_ts(leads.touch, leads.style),
        "last_activity_at": _fmt_ts(leads.last_activity, leads.style),
        "owner": owner,
    })


# ----------------------------------------------------------------------------- content and scenarios


@dataclass
class ContentItem:
    """One planned content piece; ``published`` is NaT when it never came out."""

    content_id: str
    title: str
    kind: str
    planned: np.datetime64
    published: np.datetime64
    scenario: str
    owner: str


# Shortfalls of an overloaded content team (失敗パターン2/4): (program month, type, nth item of that type).
UNPUBLISHED = {
    (3, "blog", 3), (3, "newsletter", 2),
    (9, "blog", 1), (9, "blog", 3), (9, "webinar", 0),
    (10, "whitepaper", 0), (10, "blog", 2),
    (11, "blog", 2), (11, "newsletter", 3),
    (15, "blog", 3),
}
LATE_DAYS = {(6, "case_study", 0): 9, (10, "blog", 0): 18, (14, "webinar", 0): 8, (15, "whitepaper", 0): 12}


def _planned_items(p: Program) -> list[tuple[int, str, int, int, str]]:
    """The seed cadence (blog 4, whitepaper 1, webinar 1, newsletter 4 a month) through next month's plan.

    Each item is (program month 1-based, type, nth of its type that month, day of month, scenario).
    """
    items = []
    for month in range(1, p.months + 2):
        for nth, day in enumerate((4, 11, 18, 25)):
            items.append((month, "blog", nth, day, STALLED_SCENARIO if nth == 0 else ""))
        for nth, day in enumerate((7, 14, 21, 28)):
            items.append((month, "newsletter", nth, day, ""))
        if month % 3 != 2:
            stale = month % 3 == 0 and month <= STALE_AFTER
            items.append((month, "whitepaper", 0, 15, STALE_SCENARIO if stale else "SC01"))
        items.append((month, "webinar", 0, 20, "SC02"))
        if month % 2 == 0:
            items.append((month, "case_study", 0, 24, "SC04"))
        if month in EVENT_MONTHS:
            items.append((month, "other", 0, 26, "SC06"))
    return items


def _title(kind: str, month_label: str, counter: int, nth: int) -> str:
    """A Japanese title that does not repeat within the program."""
    year, month = month_label.split("-")
    if kind == "blog":
        return BLOG_TOPICS[counter % len(BLOG_TOPICS)] + SERIES[counter // len(BLOG_TOPICS) % len(SERIES)]
    if kind == "newsletter":
        return f"メルマガ {year}年{int(month)}月 第{nth + 1}号"
    if kind == "whitepaper":
        return f"【ホワイトペーパー】{WHITEPAPERS[counter % len(WHITEPAPERS)]}"
    if kind == "webinar":
        return f"ウェビナー「{WEBINARS[counter % len(WEBINARS)]}」{int(month)}月開催"
    if kind == "case_study":
        head, _ = COMPANY_HEADS[(counter * 7) % len(COMPANY_HEADS)]
        tail, _ = COMPANY_TAILS[(counter * 5) % len(COMPANY_TAILS)]
        return f"導入事例: 株式会社{head}{tail}様 {CASE_RESULTS[counter % len(CASE_RESULTS)]}"
    return f"{EXPOS[counter % len(EXPOS)]} 出展レポート"


CONTENT_OWNER = {"blog": 0, "newsletter": 0, "whitepaper": 1, "case_study": 1, "other": 1, "webinar": 2}


def _content(p: Program, rng: np.random.Generator) -> list[ContentItem]:
    """The content calendar with on-time, late and never-published items; the future is unpublished."""
    counters: dict[str, int] = {}
    items: list[ContentItem] = []
    for month, kind, nth, day, scenario in _planned_items(p):
        counter = counters.get(kind, 0)
        counters[kind] = counter + 1
        label = p.label(month - 1)
        planned = np.datetime64(f"{label}-{day:02d}")
        delay = int(rng.choice((0, 1, 2, 4, 6), p=(0.55, 0.18, 0.12, 0.1, 0.05)))
        if kind == "newsletter":
            delay = min(delay, 1)
        delay = LATE_DAYS.get((month, kind, nth), delay)
        clock = 10 * 3600 if kind == "newsletter" else int(rng.integers(10 * 3600, 18 * 3600))
        published = planned.astype("datetime64[s]") + delay * DAY + clock * SECOND
        if (month, kind, nth) in UNPUBLISHED or published > p.export_at:
            published = np.datetime64("NaT", "s")
        items.append(ContentItem(
            f"CT{len(items) + 1:04d}", _title(kind, label, counter, nth), kind, planned, published,
            scenario, MARKETERS[CONTENT_OWNER[kind]],
        ))
    return items


def _content_frame(items: list[ContentItem], rng: np.random.Generator) -> pd.DataFrame:
    """The calendar as the content team keeps it (exported from Excel, hence CP932)."""
    published = np.array([item.published for item in items], dtype="datetime64[s]")
    return pd.DataFrame({
        "content_id": [item.content_id for item in items],
        "title": [item.title for item in items],
        "type": [item.kind for item in items],
        "planned_date": _fmt_date(np.array([item.planned for item in items], dtype="datetime64[D]")),
        "published_at": _fmt_ts(published, _styles(rng, len(items))),
        "scenario": [item.scenario for item in items],
        "owner": [item.owner for item in items],
    })


def _scenario_frame(p: Program) -> pd.DataFrame:
    """Scenarios launched one by one; one paused, one retired, one planned for next month."""
    rows: list[tuple[str, ...]] = []
    for scenario in SCENARIOS:
        month, day = scenario.launch
        description = scenario.description
        if month > p.months:
            status = "planned"
        elif scenario.stop is not None and scenario.stop < p.months:
            status = scenario.stopped_as
            description += f"（{p.label(scenario.stop)}から{'終了' if status == 'retired' else '一時停止'}）"
        else:
            status = "live"
        launch = f"{p.label(month - 1)}-{day:02d}"
        rows.append((scenario.sid, scenario.name, status, launch, MARKETERS[len(rows) % 2], description))
    sid, name, description = PLANNED_SCENARIO
    rows.append((sid, name, "planned", f"{p.label(p.months)}-01", MARKETERS[0], description))
    return pd.DataFrame(rows, columns=["scenario_id", "name", "status", "launch_date", "owner", "description"])


# ----------------------------------------------------------------------------- email sends


def _scenario_sends(p: Program, rng: np.random.Generator, leads: Leads, items: list[ContentItem]) -> pd.DataFrame:
    """One row per scenario step per day (per branch at larger scales), as the MA tool logs them."""
    branches = max(1, round(p.scale))
    volume = leads.per_month / 200.0
    volume[-1] = volume[-2]  # the export month is partial
    frames = []
    for scenario in SCENARIOS:
        month, day = scenario.launch
        if month > p.months:
            continue
        steps = scenario.steps
        first = np.datetime64(f"{p.label(month - 1)}-{day:02d}")
        end_month = p.months if scenario.stop is None else min(scenario.stop, p.months)
        last = min(p.month_start(end_month).astype("datetime64[D]"), p.export_at.astype("datetime64[D]"))
        days = np.arange(first, last, dtype="datetime64[D]")
        days_month = p.month_of(days)
        if scenario.sid == STALLED_SCENARIO:
            days = days[~np.isin(days_month + 1, STALLED_MONTHS)]
            days_month = p.month_of(days)
        step = np.tile(np.repeat(np.arange(steps), branches), days.size)
        branch = np.tile(np.arange(branches), days.size * steps)
        day_rows = np.repeat(days, steps * branches)
        month_rows = np.repeat(days_month, steps * branches)
        sent_at = day_rows.astype("datetime64[s]") + scenario.hour * HOUR + step * 15 * 60 * SECOND
        expected = scenario.entrants * volume[month_rows] * 0.85 ** step * p.scale / branches
        content, published = _scenario_content(scenario.sid, items, sent_at, first)
        age_days = (sent_at - published) / DAY
        freshness = np.clip(1 - 0.5 * (age_days - 75) / 240, 0.45, 1.0)
        campaign = np.char.add(f"{scenario.name} step", (step + 1).astype(str)).astype(object)
        if branches > 1:
            campaign = campaign + np.char.add(" branch", (branch + 1).astype(str)).astype(object)
        frames.append(pd.DataFrame({
            "sent_at": sent_at, "campaign": campaign, "scenario": scenario.sid, "content_id": content,
            "expected": expected, "open": scenario.open_rate * freshness, "ctr": scenario.ctr * freshness ** 1.3,
            "unsub": 0.0028, "month": month_rows,
        }))
    table = pd.concat(frames, ignore_index=True)
    table["sent"] = rng.poisson(table["expected"].to_numpy())
    return table[table["sent"] > 0].drop(columns="expected")


def _scenario_content(
    sid: str, items: list[ContentItem], sent_at: np.ndarray, launched: np.datetime64
) -> tuple[np.ndarray, np.ndarray]:
    """The newest published piece a scenario uses at each send, and when it came out.

    A scenario no one feeds keeps mailing the same piece, which is what makes it go stale.
    """
    own = sorted((i.published, i.content_id) for i in items if i.scenario == sid and not np.isnat(i.published))
    if not own:
        return np.full(sent_at.size, "", dtype=object), np.full(sent_at.size, launched.astype("datetime64[s]"))
    published = np.array([moment for moment, _ in own], dtype="datetime64[s]")
    ids = np.array([content_id for _, content_id in own], dtype=object)
    index = np.maximum(np.searchsorted(published, sent_at, side="right") - 1, 0)
    return ids[index], np.minimum(published[index], sent_at)


def _newsletter_sends(p: Program, leads: Leads, items: list[ContentItem]) -> pd.DataFrame:
    """One blast per published newsletter to the whole list (imported contacts plus new leads)."""
    letters = [item for item in items if item.kind == "newsletter" and not np.isnat(item.published)]
    sent_at = np.array([item.published for item in letters], dtype="datetime64[s]")
    list_size = 2500 * p.scale + 0.88 * np.searchsorted(leads.created, sent_at)
    return pd.DataFrame({
        "sent_at": sent_at, "campaign": [item.title for item in letters], "scenario": "",
        "content_id": [item.content_id for item in letters], "open": 0.245, "ctr": 0.028, "unsub": 0.0045,
        "month": p.month_of(sent_at), "sent": np.rint(list_size).astype(np.int64),
    })


def _email_sends(p: Program, rng: np.random.Generator, leads: Leads, items: list[ContentItem]) -> pd.DataFrame:
    """Send counts per row, with month-to-month engagement swings and a stale scenario's falling opens."""
    table = pd.concat([_newsletter_sends(p, leads, items), _scenario_sends(p, rng, leads, items)], ignore_index=True)
    table = table.sort_values(["sent_at", "campaign"], kind="stable").reset_index(drop=True)
    n = len(table)
    month = table["month"].to_numpy()
    sent = table["sent"].to_numpy()
    noise = rng.lognormal(0.0, 0.08, n)
    bounce_rate = np.where(month == 0, 0.035, 0.012) * rng.lognormal(0.0, 0.3, n)
    bounces = rng.binomial(sent, np.clip(bounce_rate, 0, 0.2))
    delivered = sent - bounces
    p_open = np.clip(table["open"].to_numpy() * p.by_month(OPEN_FACTOR)[month] * noise, 0.02, 0.9)
    opens = rng.binomial(delivered, p_open)
    p_click = np.clip(table["ctr"].to_numpy() * p.by_month(CTR_FACTOR)[month] * noise / p_open, 0.0, 1.0)
    clicks = rng.binomial(opens, p_click)
    p_unsub = np.clip(table["unsub"].to_numpy() * p.by_month(UNSUB_FACTOR)[month] * rng.lognormal(0, 0.2, n), 0, 0.1)
    unsubscribes = rng.binomial(delivered, p_unsub)
    style = _styles(rng, n)
    return pd.DataFrame({
        "send_id": _fmt_ids("E", n, 7),
        "sent_at": _fmt_ts(table["sent_at"].to_numpy(), style),
        "campaign": table["campaign"].to_numpy(),
        "scenario": table["scenario"].to_numpy(),
        "sent": sent, "delivered": delivered, "unique_opens": opens, "unique_clicks": clicks,
        "unsubscribes": unsubscribes, "bounces": bounces,
        "content_id": table["content_id"].to_numpy(),
    }).astype({c: object for c in ("sent", "delivered", "unique_opens", "unique_clicks", "unsubscribes", "bounces")})


# ----------------------------------------------------------------------------- deals


def _deal_origins(p: Program, rng: np.random.Generator, leads: Leads) -> tuple[np.ndarray, np.ndarray]:
    """Lead index (-1: none) and creation moment of each deal, in creation order.

    Deals come from SQLs (MA-sourced), a few follow-on deals of the same leads, and sales' own
    prospecting: no lead, or a lead that never became an MQL (not MA-sourced).
    """
    opportunity = ~np.isnat(leads.sql) & (rng.random(leads.created.size) < SEGMENT_OPPORTUNITY[leads.segment])
    ma_lead = np.flatnonzero(opportunity)
    ma_created = _office_hours(rng, leads.sql[ma_lead] + 6 * HOUR + _days(rng, ma_lead.size, 5))

    follow_on = ma_lead[rng.random(ma_lead.size) < 0.05]
    follow_created = _office_hours(rng, leads.sql[follow_on] + rng.integers(60, 150, follow_on.size) * DAY)

    per_month = rng.poisson(3.5 * p.scale, p.months)
    month = np.repeat(np.arange(p.months), per_month)
    other_created = _moments_in(
        rng, p.month_start(month), np.minimum(p.month_start(month + 1), p.export_at), OFFICE_HOURS
    )
    never_mql = np.flatnonzero(np.isnat(leads.mql))
    known = np.searchsorted(leads.created[never_mql], other_created - 7 * DAY)
    pick = never_mql[np.minimum((rng.random(month.size) * known).astype(np.int64), max(never_mql.size - 1, 0))]
    other_lead = np.where((known > 0) & (rng.random(month.size) < 0.5), pick, -1)

    lead = np.concatenate([ma_lead, follow_on, other_lead])
    created = np.concatenate([ma_created, follow_created, other_created])
    keep = created <= p.export_at
    lead, created = lead[keep], created[keep]
    order = np.lexsort((lead, created))
    return lead[order], created[order]


def _deals(p: Program, rng: np.random.Generator, leads: Leads) -> pd.DataFrame:
    """Deals with their outcome, sales cycle and amount; open early-stage deals often lack an amount."""
    lead, created = _deal_origins(p, rng, leads)
    n = lead.size
    has_lead = lead >= 0
    at = np.maximum(lead, 0)
    segment = np.where(has_lead, leads.segment[at], rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE))
    score = np.where(has_lead, leads.score[at], 50.0)
    rep = np.where(has_lead & (leads.rep[at] >= 0), leads.rep[at], rng.integers(0, len(SALES_REPS), n))
    ma_truth = has_lead & (leads.mql[at] <= created)

    win_p = SEGMENT_WIN[segment] * (0.8 + 0.4 * score / 100)
    won = rng.random(n) < win_p
    cycle_days = _lognormal(rng, SEGMENT_CYCLE[segment] * np.where(won, 1.0, 0.8), 0.5)
    closed = _office_hours(rng, created + (cycle_days * 86400).astype(np.int64) * SECOND)
    amount = np.rint(_lognormal(rng, SEGMENT_AMOUNT[segment].astype(float), 0.45) / 10_000) * 10_000
    amount = np.clip(amount, 200_000, 5_000_000)
    is_closed = closed <= p.export_at
    stage = np.where(~is_closed, "open", np.where(won, "won", "lost")).astype(object)
    closed = np.where(is_closed, closed, np.datetime64("NaT"))
    early_stage = ~is_closed & (p.export_at - created < 45 * DAY)
    no_amount = ~is_closed & (rng.random(n) < np.where(early_stage, 0.45, 0.08))
    amount = np.where(no_amount, np.nan, amount)

    style = _styles(rng, n)
    lead_ids = np.where(has_lead, np.char.add("L", np.char.zfill((at + 1).astype(str), 6)), "").astype(object)
    return pd.DataFrame({
        "deal_id": _fmt_ids("D", n, 5),
        "created_at": _fmt_ts(created, style),
        "amount": _fmt_amount(rng, amount),
        "stage": stage,
        "closed_at": _fmt_ts(closed, style),
        "lead_id": lead_ids,
        "ma_sourced": _fmt_ma_sourced(rng, ma_truth),
        "owner": np.array(SALES_REPS, dtype=object)[rep],
    })


def _fmt_amount(rng: np.random.Generator, amount: np.ndarray) -> np.ndarray:
    """Yen as CRMs export it: mostly plain, some with thousands separators, ``¥`` or ``円``."""
    plain = _fmt_int(amount)
    grouped = pd.Series(np.nan_to_num(amount).astype(np.int64)).map("{:,}".format).to_numpy(dtype=object)
    style = rng.choice(4, size=amount.size, p=(0.78, 0.1, 0.08, 0.04))
    text = np.select([style == 1, style == 2, style == 3], [grouped, "¥" + grouped, plain + "円"], plain)
    return np.where(np.isnan(amount), "", text).astype(object)


def _fmt_ma_sourced(rng: np.random.Generator, truth: np.ndarray) -> np.ndarray:
    """Mostly empty (the contract's inference applies); where filled, spelt every way, a few overridden by sales."""
    n = truth.size
    value = truth ^ (rng.random(n) < 0.08)
    yes = np.array(["true", "TRUE", "yes", "1", "Yes"], dtype=object)[rng.integers(0, 5, n)]
    no = np.array(["false", "FALSE", "no", "0"], dtype=object)[rng.integers(0, 4, n)]
    return np.where(rng.random(n) < 0.22, np.where(value, yes, no), "").astype(object)


# ----------------------------------------------------------------------------- spend


def _spend(p: Program, rng: np.random.Generator, items: list[ContentItem]) -> pd.DataFrame:
    """Monthly spend by channel: tools are fixed, paid search grows and spikes, events come and go."""
    published = np.array([item.published for item in items], dtype="datetime64[s]")
    made = np.bincount(p.month_of(published[~np.isnat(published)]), minlength=p.months + 1)[: p.months]
    index = np.arange(p.months)
    paid = 230_000 * (1 + 0.05 * index) * np.where(index == PAID_SPIKE_MONTH - 1, 2.6, 1.0)
    rows = {
        "tools": 300_000 + np.where(index == 0, 250_000, 0) + np.where(index == TOOLS_RENEWAL_MONTH - 1, 350_000, 0),
        "paid_search": paid,
        "content": 80_000 + 18_000 * made,
        "events": np.where(np.isin(index + 1, EVENT_MONTHS), 420_000, 0),
        "paid_social": np.where(index >= 6, 110_000, 0),
    }
    frames = []
    for channel, amounts in rows.items():
        jitter = 1.0 if channel == "tools" else rng.lognormal(0.0, 0.06, p.months)
        amount = np.rint(amounts * jitter * p.scale / 1000) * 1000
        frames.append(pd.DataFrame({"month": [p.label(int(i)) for i in index], "channel": channel, "amount": amount}))
    spend = pd.concat(frames, ignore_index=True)
    spend = spend[spend["amount"] > 0].sort_values(["month", "channel"], kind="stable")
    return spend.astype({"amount": np.int64}).reset_index(drop=True)


# ----------------------------------------------------------------------------- sales' feedback on MQLs

FEEDBACK_LEADS = 8  # verdicts sales gave on the last complete month's MQLs
FEEDBACK_REASONS = {
    "good": ("導入時期が明確", "課題と予算が具体的", "決裁者と面談できた"),
    "bad": ("情報収集段階で検討時期が未定", "予算が確保されていない", "競合製品を契約中", "担当者に決裁権がない"),
}


def _mql_feedback(p: Program, leads: Leads, frame: pd.DataFrame) -> pd.DataFrame:
    """Sales' verdicts on a few MQLs of the last complete month (the seed's 月次フィードバック): the ones that
    became SQL judged good, the others bad, each with a reason. Chosen among MQLs sales contacted whose lead row
    is kept (not spoilt), evenly over the month and without the random generator, so no other table changes."""
    month = p.months - 2
    is_mql = ~np.isnat(leads.mql)
    in_month = np.zeros(leads.mql.size, dtype=bool)
    in_month[is_mql] = p.month_of(leads.mql[is_mql]) == month
    kept = ((frame["lead_id"].to_numpy() == _fmt_ids("L", leads.created.size, 6))
            & (frame["created_at"].to_numpy() == _fmt_ts(leads.created, leads.style))
            & (frame["mql_at"].to_numpy() == _fmt_ts(leads.mql, leads.style))
            & frame["score"].str.fullmatch(r"[0-9]*").to_numpy())
    candidates = np.flatnonzero(in_month & kept & ~np.isnat(leads.touch))
    chosen = candidates[((np.arange(FEEDBACK_LEADS) + 0.5) * candidates.size / FEEDBACK_LEADS).astype(np.int64)] \
        if candidates.size > FEEDBACK_LEADS else candidates
    verdict = np.where(np.isnat(leads.sql[chosen]), "bad", "good")
    reasons = [FEEDBACK_REASONS[v][(verdict[:i] == v).sum() % len(FEEDBACK_REASONS[v])] for i, v in enumerate(verdict)]
    return pd.DataFrame({"month": p.label(month), "lead_id": frame["lead_id"].to_numpy()[chosen], "verdict": verdict,
                         "reason": reasons}, columns=["month", "lead_id", "verdict", "reason"])


# ----------------------------------------------------------------------------- the meeting's action log

# What the team recorded about the actions the pack before the last one proposed (contract §9, action_log): ids
# of the bundled rules, so the last month's pack shows them coming back done, in progress or dropped.
ACTION_LOG = (
    ("focus-off-pace", "in_progress", "経営会議で目標の根拠を説明し、12月に再度議論"),
    ("stalled-deals", "done", ""),
    ("mql-criteria", "done", "スコア閾値を60点から65点に変更"),
    ("win-revenue", "in_progress", ""),
    ("content-cadence", "dropped", "外注先が決まらず来月に持ち越し"),
)


def _action_log(p: Program) -> pd.DataFrame:
    month = p.label(p.months - 3)
    return pd.DataFrame([{"month": month, "action_id": action, "status": status, "note": note}
                         for action, status, note in ACTION_LOG], columns=["month", "action_id", "status", "note"])


# ----------------------------------------------------------------------------- bad rows


def _bad_positions(candidates: np.ndarray, count: int, taken: set[int]) -> list[int]:
    """``count`` rows spread evenly over ``candidates`` (fixed positions), skipping rows already spoilt."""
    free = np.setdiff1d(candidates, np.fromiter(taken, dtype=np.int64, count=len(taken)))
    if count <= 0 or free.size == 0:
        return []
    chosen = free[((np.arange(count) + 0.5) * free.size / count).astype(np.int64) % free.size]
    picked = sorted(set(int(c) for c in chosen))
    taken.update(picked)
    return picked


def _bad_counts(rows: int, kinds: int) -> list[int]:
    """A few bad rows of each kind (about 0.1 % of the table each), all together under 3 % of it.

    A table too small for one of every kind gets the first kinds only.
    """
    each = max(1, round(rows * 0.001))
    budget = (rows * 3 - 1) // 100
    counts = []
    for _ in range(kinds):
        counts.append(max(0, min(each, budget)))
        budget -= counts[-1]
    return counts


def _reuse_keys(frame: pd.DataFrame, column: str, count: int, gap: int, taken: set[int]) -> None:
    """Gives ``count`` rows the key of a valid row ``gap`` rows earlier: the later one is the duplicate."""
    rows = np.arange(gap, len(frame))
    rows = rows[~np.isin(rows - gap, np.fromiter(taken, dtype=np.int64, count=len(taken)))]
    for pos in _bad_positions(rows, count, taken):
        frame.at[pos, column] = frame.at[pos - gap, column]


def _spoil_leads(frame: pd.DataFrame) -> pd.DataFrame:
    """Unparseable dates, a non-numeric score and re-used lead ids."""
    n = len(frame)
    dates, mqls, scores, keys = _bad_counts(n, 4)
    taken: set[int] = set()
    rows = np.arange(1, n)
    for nth, pos in enumerate(_bad_positions(rows, dates, taken)):
        frame.at[pos, "created_at"] = ("2025-13-05T10:00:00", "2026/02/30 9:00", "先週")[nth % 3]
    for pos in _bad_positions(np.flatnonzero(frame["mql_at"].to_numpy() != ""), mqls, taken):
        frame.at[pos, "mql_at"] = "2026-02-30T09:15:00"
    for nth, pos in enumerate(_bad_positions(rows, scores, taken)):
        frame.at[pos, "score"] = ("high", "高", "#VALUE!")[nth % 3]
    _reuse_keys(frame, "lead_id", keys, 37, taken)
    return frame


def _spoil_sends(frame: pd.DataFrame) -> pd.DataFrame:
    """Unparseable send times, negative and non-numeric counts, opens above deliveries, re-used send ids."""
    n = len(frame)
    dates, negatives, opens, texts, keys = _bad_counts(n, 5)
    taken: set[int] = set()
    rows = np.arange(1, n)
    big = np.flatnonzero(frame["delivered"].to_numpy(dtype=np.int64) >= 5)
    for nth, pos in enumerate(_bad_positions(rows, dates, taken)):
        frame.at[pos, "sent_at"] = ("2026-04-31T08:00:00", "2026-13-01T08:00:00", "未送信")[nth % 3]
    for nth, pos in enumerate(_bad_positions(rows, negatives, taken)):
        column = ("unsubscribes", "unique_clicks", "delivered")[nth % 3]
        frame.at[pos, column] = -int(frame.at[pos, column]) - 1
    for pos in _bad_positions(big, opens, taken):
        frame.at[pos, "unique_opens"] = int(frame.at[pos, "delivered"]) + 3
    for pos in _bad_positions(rows, texts, taken):
        frame.at[pos, "unique_clicks"] = "#VALUE!"
    _reuse_keys(frame, "send_id", keys, 41, taken)
    return frame


def _spoil_deals(frame: pd.DataFrame) -> pd.DataFrame:
    """An unparseable date, a negative amount, an unknown stage, a re-used id, won deals missing close or amount."""
    n = len(frame)
    dates, negatives, stages, unclosed, unpriced, keys = _bad_counts(n, 6)
    taken: set[int] = set()
    rows = np.arange(1, n)
    stage = frame["stage"].to_numpy()
    won = np.flatnonzero(stage == "won")
    priced = np.flatnonzero(frame["amount"].to_numpy() != "")
    for pos in _bad_positions(rows, dates, taken):
        frame.at[pos, "created_at"] = "2026-04-31T14:00:00"
    for pos in _bad_positions(priced, negatives, taken):
        frame.at[pos, "amount"] = "-" + str(frame.at[pos, "amount"]).replace("¥", "")
    for pos in _bad_positions(np.flatnonzero(stage == "open"), stages, taken):
        frame.at[pos, "stage"] = "pending"
    for pos in _bad_positions(won, unclosed, taken):
        frame.at[pos, "closed_at"] = ""
    for pos in _bad_positions(won, unpriced, taken):
        frame.at[pos, "amount"] = ""
    _reuse_keys(frame, "deal_id", keys, 11, taken)
    return frame


# ----------------------------------------------------------------------------- entry points


def _write(frame: pd.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """CSV with fixed line endings so the bytes do not depend on the platform."""
    frame.to_csv(path, index=False, encoding=encoding, lineterminator="\n")


def generate(
    out: Path, *, start: str = "2025-06", months: int = 18, scale: float = 1.0, seed: int = 7
) -> dict[str, int]:
    """Write the demo dataset into ``out`` and return the number of rows of each table."""
    if months < 2:
        raise ValueError("months must be at least 2: the last month is the one in progress")
    if scale <= 0:
        raise ValueError("scale must be positive")
    program = Program.create(start, months, scale)
    rng = np.random.default_rng(seed)
    leads = _leads(program, rng)
    items = _content(program, rng)
    tables = {
        "leads": _spoil_leads(_lead_frame(leads, rng)),
        "email_sends": _spoil_sends(_email_sends(program, rng, leads, items)),
        "deals": _spoil_deals(_deals(program, rng, leads)),
        "spend": _spend(program, rng, items),
        "content_calendar": _content_frame(items, rng),
        "scenarios": _scenario_frame(program),
    }
    tables["mql_feedback"] = _mql_feedback(program, leads, tables["leads"])
    tables["action_log"] = _action_log(program)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        encoding = {"content_calendar": "cp932", "deals": "utf-8-sig"}.get(name, "utf-8")
        _write(frame, out / f"{name}.csv", encoding)
    return {name: len(frame) for name, frame in tables.items()}
