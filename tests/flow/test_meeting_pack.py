"""The 2026-10 demo pack as the joint meeting uses it, rendered in both languages and read back:

- ``actions.json``: 3–5 committed actions, each with a team, a due date in November and a KPI of section 2;
  last month's come back with their KPI's change and the status the team logged (``action_log``);
- each KPI on one card only, its badge agreeing with its status and its trend chip with its direction;
- a story line across KPIs (September's one-off exhibition), the funnel drawn from one group of leads;
- a closing page and slide of decisions and homework with blank rows; speaker notes with talking points;
- no internal name on any page or slide: no source article, file, rules file, ◯ placeholder or rule id.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from retropack.config import load_config
from retropack.flow import steps
from retropack.kpis.catalog import KPI_IDS
from retropack.months import Month
from retropack.present.actions import BLANK_ROWS, CLOSING_ROWS
from retropack.present.rows import SYMBOLS
from retropack.present.view import PackView
from retropack.rules import bundled_rules_file, load_rules
from tests.conftest import DEMO_CONFIG, DEMO_EN_CONFIG, GENERATED

MONTH = "2026-10"
LOG = """month,action_id,status,note
2026-09,focus-off-pace,in_progress,経営会議で議論中
2026-09,stalled-deals,done,
2026-08,stalled-deals,dropped,
"""


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[PackView, Path]]:
    """The demo with an action log beside its data, rendered in Japanese and in English."""
    root = tmp_path_factory.mktemp("meeting")
    data = root / "data"
    shutil.copytree(DEMO_CONFIG.parent.parent / "data" / "demo", data)
    (data / "action_log.csv").write_text(LOG, encoding="utf-8")
    built = {}
    for locale, path in (("ja", DEMO_CONFIG), ("en", DEMO_EN_CONFIG)):
        config = load_config(path, data=data)
        dataset = steps.load(config.settings)
        analysis = steps.compute(dataset, config, Month.parse(MONTH))
        view = steps.view(analysis, dataset, config, "test", GENERATED)
        rendered = steps.render_and_publish(view, analysis, dataset, config.settings, root / "reports", "test",
                                            GENERATED)
        built[locale] = (view, rendered.files.folder)
    return built


def pdf_pages(folder: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(next(folder.glob("*.pdf"))).pages]


def deck_texts(folder: Path) -> list[str]:
    """Every slide's text, tables and speaker notes, one string per slide."""
    texts = []
    for slide in Presentation(str(next(folder.glob("*.pptx")))).slides:
        parts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        parts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows
                  for cell in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
        texts.append("\n".join(parts))
    return texts


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- actions.json -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["ja", "en"])
def test_actions_json_commits_three_to_five_actions_in_the_month_after(packs, locale: str) -> None:
    view, folder = packs[locale]
    document = json.loads((folder / "actions.json").read_text(encoding="utf-8"))
    assert (document["client"], document["month"]) == (view.client, MONTH)
    actions = document["actions"]
    assert 3 <= len(actions) <= 5
    rule_ids = {rule.id for rule in load_rules(bundled_rules_file()).actions}
    for action in actions:
        assert set(action) == {"id", "title", "kpi", "owner", "assignee", "due", "due_note", "expected", "evidence",
                               "driver", "kpi_effect", "repeat", "escalated"}  # contract §9 and §10
        assert action["driver"] is None or set(action["driver"]) == {"dimension", "group", "effect"}
        assert action["kpi_effect"] is None or set(action["kpi_effect"]) == {"from", "to", "basis"}
        assert isinstance(action["repeat"], int) and action["repeat"] >= 1
        assert action["id"] in rule_ids and action["kpi"] in KPI_IDS
        assert action["owner"] in ("marketing", "sales", "joint")
        assert Month.of(date.fromisoformat(action["due"])) == Month.parse(MONTH).shift(1)
        assert action["title"] and action["expected"] and action["evidence"]
    assert len({a["kpi"] for a in actions}) == len(actions)  # one action per KPI
    assert {a["owner"] for a in actions} >= {"marketing", "sales"}  # both teams leave with work


def test_the_actions_name_what_the_data_names(packs) -> None:
    """The six MQLs never followed up (by company), the worn-out whitepaper, the segment that converts best; the
    assignees are the team's members from the config."""
    view, folder = packs["ja"]
    actions = {a["id"]: a for a in json.loads((folder / "actions.json").read_text(encoding="utf-8"))["actions"]}
    never = actions["never-followed-mqls"]
    assert never["title"].startswith("未フォローのMQL 6件(株式会社中央化学、中央エンジニアリング株式会社 ほか4社)")
    assert never["due"] == "2026-11-16"  # 5th business day after the meeting (11/2 run + 7 days = 11/9)
    # 高橋 美咲 gives 2 h a week against the seed's 3: already short, she takes one action (stalled deals), not two
    assert actions["stalled-deals"]["assignee"] == "高橋 美咲" and never["assignee"] is None
    assert "MQL 68件のうち17件が期限(受領後3日)を過ぎ、うち6件は一度もフォローされていません" in never["evidence"]
    assert never["kpi_effect"] is None  # October's SLA rate is closed: following up its MQLs cannot change it
    assert "「大企業」" in actions["segment-campaign"]["title"]


def test_actions_are_aimed_at_the_driver_and_promise_what_it_can_deliver(packs) -> None:
    """E-mail CTR fell mostly through the newsletters (−0.64pt, significant): the action works on them, not on the
    worn-out whitepaper mail (2 % of deliveries), and promises CTR with the newsletters back at last month's rate,
    never the 3.0 % target by decree. Focus-off-pace, proposed three months running and not done, is escalated; the
    client's note naming its forum stands as its due."""
    _, folder = packs["ja"]
    actions = {a["id"]: a for a in json.loads((folder / "actions.json").read_text(encoding="utf-8"))["actions"]}
    kpis = {k["id"]: k for k in json.loads((folder / "kpis.json").read_text(encoding="utf-8"))["kpis"]}
    assert "refresh-content" not in actions
    mail = actions["email-content"]
    assert mail["driver"]["dimension"] == "scenario" and mail["driver"]["group"] is None
    assert mail["driver"]["effect"] == pytest.approx(-0.0064, abs=5e-5)
    assert mail["kpi_effect"]["from"] == pytest.approx(kpis["email_ctr"]["actual"])
    assert mail["kpi_effect"]["to"] != pytest.approx(kpis["email_ctr"]["target"])
    assert "前月の3.6%に戻った場合" in mail["kpi_effect"]["basis"]
    ltv = actions["focus-off-pace"]
    assert (ltv["repeat"], ltv["escalated"], ltv["owner"]) == (3, True, "joint")
    assert ltv["due_note"] == "経営会議で議論中"


def test_the_decision_table_holds_every_decision_asked_for_elsewhere(packs) -> None:
    """The escalated action, the unreachable targets, and each health-check pattern raised with no action (its page
    says 「対応するかどうかを本日決めてください」) are rows of the closing page's decision table."""
    view, _ = packs["ja"]
    topics = [row[0] for row in view.decisions.rows]
    assert "アクション1(LTV)は3ヶ月連続で未完了: 進め方と担当" in topics
    assert "LTVの新しい目標値(現行 ¥5,000,000)" in topics
    undecided = [p for p in view.diagnosis.health.patterns if view.words("health.no_actions") in p.actions]
    assert undecided
    for pattern in undecided:
        name = pattern.title.split(": ", 1)[1]
        assert f"ヘルスチェック「{name}」に対応するかどうか" in topics, (name, topics)


def test_last_months_actions_come_back_with_their_kpi_and_logged_status(packs) -> None:
    view, folder = packs["ja"]
    document = json.loads((folder / "actions.json").read_text(encoding="utf-8"))
    kpis = {k["id"]: k for k in json.loads((folder / "kpis.json").read_text(encoding="utf-8"))["kpis"]}
    previous = {p["id"]: p for p in document["previous"]}
    assert previous["focus-off-pace"]["status"] == "in_progress"
    assert previous["focus-off-pace"]["note"] == "経営会議で議論中"
    assert previous["stalled-deals"]["status"] == "done"  # September's row; August's "dropped" is another month's
    assert all(p["status"] is None for key, p in previous.items() if key not in ("focus-off-pace",
                                                                                 "stalled-deals"))
    for item in document["previous"]:
        assert item["kpi_change"] == pytest.approx(kpis[item["kpi"]]["change"])
        assert Month.of(date.fromisoformat(item["due"])) == Month.parse(MONTH)  # due in the month now reported
    table = "".join(" ".join(row) for row in view.previous.rows)
    assert "対応中: 経営会議で議論中" in table and "完了" in table and "未記録(会議で確認)" in table


# --- one story per KPI ---------------------------------------------------------------------------------------

def test_every_kpi_is_on_one_card_with_a_badge_that_agrees_with_it(packs) -> None:
    view, _ = packs["ja"]
    ids = [card.kpi_id for card in view.highlights]
    assert len(ids) == len(set(ids))
    for card in view.highlights:
        assert card.symbol == SYMBOLS[card.status] and card.status_label == view.words(f"status.{card.status}")
        assert card.trend == view.words(f"trend.{card.direction}")
        assert (card.bucket == "watch") == (card in view.watch_better or card in view.watch_worse)
    # contract §10: a miss is a miss (ROI, up 129.8pt on 5 won deals, was "improving" here); near is watched; a
    # target met while worsening beyond chance is watched (new leads 322 → 245); unsubscribes 0.3 % → 0.4 % is chance
    assert view.watch_better == ()
    assert {c.kpi_id for c in view.watch_worse} == {"new_leads", "email_open_rate", "email_ctr"}
    assert {c.kpi_id for c in view.misses} >= {"ltv", "pipeline_velocity", "roi"}


def test_cards_on_the_pages_never_pair_a_met_target_with_worse_as_one_badge(packs) -> None:
    """The issue's 「◎ 前月から悪化」: a badge of the status and a chip of the direction, side by side."""
    for locale in ("ja", "en"):
        view, folder = packs[locale]
        text = squashed("".join(pdf_pages(folder)))
        for card in view.highlights:
            assert squashed(f"{card.symbol}{card.status_label}{card.trend}{card.name}") in text
        assert "◎前月から悪化" not in text and "×前月から改善" not in text


def test_a_target_out_of_reach_is_proposed_for_review(packs) -> None:
    view, folder = packs["ja"]
    (ltv,) = [c for c in view.misses if c.kpi_id == "ltv"]
    assert ltv.review.startswith("目標値の見直しを提案します。過去12ヶ月すべて目標¥5,000,000に届いておらず")
    assert "LTVの新しい目標値(現行 ¥5,000,000)" in [row[0] for row in view.decisions.rows]
    assert squashed(ltv.review) in squashed("".join(pdf_pages(folder)))


def test_the_story_line_ties_the_exhibition_to_cpl_and_new_leads(packs) -> None:
    """ROI and CAC rest on 5 won deals (few events): no part of the story. The exhibition recurs (January, May,
    September): compared with May's, not called a one-off. It worsened new leads: told under section 3 only."""
    view, folder = packs["ja"]
    (exhibition,) = [s for s in view.stories if s.startswith("「展示会・イベント」")]
    assert "費用 38.1万円 → 0円" in exhibition and "新規リード 59 → 13" in exhibition
    assert "リード獲得コスト（CPL）が改善し、新規リード数が減少しました" in exhibition  # a count falls (issue 21)
    assert "ROI" not in exhibition and "CAC" not in exhibition and "単発" not in exhibition
    assert "2026年9月の「展示会・イベント」への支出(38.1万円)は定期的なもので、前回は2026年5月の43.9万円です" in exhibition
    assert exhibition in view.stories_mixed and exhibition not in view.stories_better
    assert squashed(exhibition) in squashed("".join(pdf_pages(folder)))
    english, _ = packs["en"]
    assert any(s.startswith("Events and trade shows: new leads 59 → 13, spend ¥381K → ¥0.") for s in english.stories)


def test_the_funnel_counts_one_group_of_leads(packs) -> None:
    view, _ = packs["ja"]
    counts = [stage.count for stage in view.funnel]
    assert counts == sorted(counts, reverse=True)
    assert view.funnel_title.startswith("ファネル: 2026年5月〜2026年10月に獲得したリード1,553件の、2026年10月末までの")


# --- the close and the notes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["ja", "en"])
def test_a_closing_page_and_slide_with_decisions_homework_and_blank_rows(packs, locale: str) -> None:
    view, folder = packs[locale]
    words = view.words
    closing = [page for page in pdf_pages(folder)[1:] if words("section.closing") in page]  # the cover lists it too
    assert len(closing) == 1
    for heading in ("closing.decisions", "closing.homework"):
        assert words(heading) in closing[0]
    for action in view.actions:
        assert squashed(f"{action.number}. {action.title}") in squashed(closing[0])
    slide = next(text for text in deck_texts(folder) if text.startswith(words("section.closing")))
    assert words("closing.next_meeting") in slide
    blank = [row for row in view.homework.rows if not row[0]]  # blank rows while both tables fit one page
    filled = len(view.decisions.rows) - len(blank) + len(view.homework.rows) - len(blank)
    assert len(blank) == max(0, min(BLANK_ROWS, (CLOSING_ROWS - filled) // 2)) >= 1
    assert all(row[3] == "☐" for row in view.homework.rows)


def test_speaker_notes_tell_what_to_say_the_caveat_and_what_to_ask_sales(packs) -> None:
    view, folder = packs["ja"]
    notes = "\n".join(deck_texts(folder))
    for card in view.highlights:
        assert f"営業への質問: {card.question}" in notes
    # a small sample's caveat is told with its part, in the chart's order (件数…と少なく、要因とはしていません)
    assert "要因とはしていません" in notes and "話すこと: " in notes and "決めること: 目標値の見直しを提案します" in notes


# --- nothing internal -----------------------------------------------------------------------------------------

INTERNAL = ("元記事", "source article", "rules.yaml", "config", ".csv", ".yaml", "◯", "〇", "first_sales_touch_at")
PATH = re.compile(r"/[A-Za-z_][\w.-]*/")


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_no_page_or_slide_shows_an_internal_name_a_rule_id_or_a_path(packs, locale: str) -> None:
    _, folder = packs[locale]
    rule_ids = [rule.id for rule in load_rules(bundled_rules_file()).actions]
    for where, texts in (("page", pdf_pages(folder)), ("slide", deck_texts(folder))):
        for number, text in enumerate(texts, start=1):
            found = [word for word in (*INTERNAL, *rule_ids) if word in text] + PATH.findall(text)
            assert found == [], f"{where} {number}"


def test_the_check_would_see_a_path_and_a_rule_id(packs) -> None:
    assert PATH.findall("設定ファイル /work/main/config/demo.yaml") and "sla-followup" in [
        rule.id for rule in load_rules(bundled_rules_file()).actions]


def test_codes_read_as_the_configs_labels(packs) -> None:
    view, _ = packs["ja"]
    text = " ".join((*view.stories, *(c for card in view.highlights for c in card.causes),
                     *(" ".join(row) for row in view.sla.rows)))
    assert "中堅企業" in text and "展示会・イベント" in text
    assert not re.search(r"mid_market|paid_search|enterprise|\bsmb\b", text)


def test_a_view_without_labels_shows_the_codes(packs) -> None:
    view, _ = packs["ja"]
    config = load_config(DEMO_CONFIG)
    bare = replace(config, settings=config.settings.model_copy(update={"labels": {}}))
    dataset = steps.load(bare.settings)
    plain = steps.view(steps.compute(dataset, bare, Month.parse(MONTH)), dataset, bare, "test", GENERATED)
    assert any("「event" in line for line in plain.stories) and not any("展示会" in s for s in plain.stories)
    assert len(plain.stories) == len(view.stories)


# --- one verdict, every section (issue 20, contract §10) ---------------------------------------------------------

def _pdf_sections(pages: list[str], words: Callable[..., str]) -> dict[str, str]:
    """The PDF's text by section: from the page headed by a section's title to the next page headed by another."""
    titles = {words(f"section.{key}"): key for key in ("summary", "kpis", "wins", "misses", "actions", "plan",
                                                        "closing", "health", "roadmap", "scoring", "appendix")}
    found: dict[str, list[str]] = {}
    current = "cover"
    for page in pages:
        first = page.strip().splitlines()[0] if page.strip() else ""
        heading = next((key for title, key in titles.items() if first.startswith(title)), None)
        current = heading or current
        found.setdefault(current, []).append(page)
    return {key: "\n".join(texts) for key, texts in found.items()}


def _starts_with_kpi(text: str, names: dict[str, str]) -> str | None:
    """The KPI whose name the text starts with (the longest: "MQL数" is not "MQLフォロー SLA遵守率")."""
    hits = [kpi for kpi, name in names.items() if text.startswith(name)]
    return max(hits, key=lambda kpi: len(names[kpi])) if hits else None


def _placed(view: PackView, pages: list[str], slides: list[str]) -> tuple[dict[str, set[str]], str]:
    """Every place a section puts a KPI, as good (section 2, the summary's wins, the health check's ○) or bad
    (section 3, the health check's × and △), from the PDF's text and the deck's slides and notes; and all the text
    told under 「うまくいったこと」."""
    words = view.words
    names = {kpi: words.kpi_name(kpi) for kpi in KPI_IDS}
    definition = squashed(words("highlight.definition", formula=""))
    headers = {kpi: {squashed(f"{SYMBOLS[s]}{words(f'status.{s}')}{words(f'trend.{t}') if t else ''}{name}")
                     + definition for s in SYMBOLS for t in ("", "better", "worse", "steady")}
               for kpi, name in names.items()}
    sections = _pdf_sections(pages, words)
    placed: dict[str, set[str]] = {kpi: set() for kpi in KPI_IDS}
    for key, side in (("wins", "good"), ("misses", "bad")):
        text = squashed(sections.get(key, ""))
        for kpi, options in headers.items():
            if any(option in text for option in options):
                placed[kpi].add(f"pdf {key}: {side}")
    summary = sections["summary"]  # the summary names wins only under its own heading, where it has one
    summary = summary.split(words("summary.top_wins"))[-1] if words("summary.top_wins") in summary else ""
    for line in summary.splitlines():
        kpi = _starts_with_kpi(line.lstrip("◎△× ").replace(f"{words('status.achieved')}", "").strip(), names)
        if kpi:
            placed[kpi].add("pdf summary wins: good")
    for line in sections.get("health", "").splitlines():
        if line.startswith("○ "):
            for item in line.split(":", 1)[-1].split("。"):
                if (kpi := _starts_with_kpi(item.strip(), names)) is not None:
                    placed[kpi].add("health ok: good")
        elif line.startswith(("× ", "△ ")) and (kpi := _starts_with_kpi(line[2:], names)) is not None:
            placed[kpi].add("health alert: bad")
    told_well = [sections.get("wins", "")]
    for slide in slides:
        for key, side in (("wins", "good"), ("misses", "bad")):
            if slide.startswith(words(f"section.{key}")):
                told_well += [slide] if key == "wins" else []
                for kpi, name in names.items():
                    if f"■ {name}\n" in slide + "\n":
                        placed[kpi].add(f"deck {key}: {side}")
    return placed, "\n".join(told_well)


def _in_both(placed: dict[str, set[str]]) -> dict[str, set[str]]:
    return {kpi: places for kpi, places in placed.items()
            if any(p.endswith("good") for p in places) and any(p.endswith("bad") for p in places)}


def test_no_kpi_is_told_in_two_buckets_and_no_worsening_under_what_went_well(packs) -> None:
    """Every section's text, PDF and deck with its speaker notes: a KPI is good in some places or bad in others,
    never both; 「うまくいったこと」 tells no worsening (issue 20: MQL→SQL 「◎ 達成 ↑ 改善」 in section 2 and
    「× 警告 …悪化」 in the health check; declines told under 「うまくいったこと」)."""
    view, folder = packs["ja"]
    placed, told_well = _placed(view, pdf_pages(folder), deck_texts(folder))
    assert _in_both(placed) == {}
    assert sum(bool(places) for places in placed.values()) >= 10  # the check reads the sections it means to
    assert "悪化" not in told_well and "減少" not in told_well and "↓" not in told_well  # a count falls (減少)
    for card in (*view.top_wins, *view.top_misses):  # and the main part's cards agree with the verdict
        side = "good" if card in (*view.wins, *view.watch_better) else "bad"
        assert any(p.endswith(side) for p in placed[card.kpi_id]), card.kpi_id


def test_the_check_would_see_a_kpi_in_two_buckets_and_a_worsening_told_as_well(packs) -> None:
    """The same reading on the pack's pages with a win's card repeated in section 3 and a decline in section 2."""
    view, folder = packs["ja"]
    pages, slides = pdf_pages(folder), deck_texts(folder)
    win = view.wins[0]
    header = f"{win.symbol} {win.status_label} {win.trend} {win.name} 定義: {win.definition}"
    spoilt = [page + (f"\n{header}\n新規リード数が減少しました" if page.startswith(view.words("section.wins")) else "")
              for page in pages]
    spoilt = [page + (f"\n{header}" if page.startswith(view.words("section.misses")) else "") for page in spoilt]
    placed, told_well = _placed(view, spoilt, slides)
    assert set(_in_both(placed)) == {win.kpi_id} and "減少" in told_well


def test_few_events_are_no_headline_and_show_their_three_months(packs) -> None:
    """CAC ¥205,600 on 5 won deals was the first headline success; now it shows its trailing 3-month value."""
    view, folder = packs["ja"]
    kpis = {k["id"]: k for k in json.loads((folder / "kpis.json").read_text(encoding="utf-8"))["kpis"]}
    assert "few_events" in kpis["cac"]["verdict"]["reasons"] and kpis["cac"]["verdict"]["trailing_3m"] > 0
    assert "cac" not in {h.kpi_id for h in view.top_wins}
    (cac,) = [r for r in view.kpis if r.id == "cac"]
    assert cac.caution.startswith("※件数少: 直近3ヶ月 ¥")
    summary, table = pdf_pages(folder)[1:3]  # the summary, then section 1's KPI table
    assert "CACは¥205,600" not in summary and squashed(cac.caution) in squashed(table)
