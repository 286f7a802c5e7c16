"""The words a client reads, checked over the whole message catalogue and the bundled rules' wording:

- one term per concept in each locale (sales' first contact with an MQL is フォロー / follow-up, never 接触,
  未対応 or "touched");
- nothing internal: no source article, file, rules file, the article's ◯ placeholder, or a rule id;
- a Japanese business register: every sentence ends in です・ます (or asks politely), no colloquialisms;
- English that agrees: no "{name} is" (a KPI name may be plural: "MQLs is 68").
"""

from __future__ import annotations

import re

import pytest

from retropack.kpis.catalog import CATALOG
from retropack.present.messages import LOCALES, catalogue
from retropack.rules import bundled_rules_file, load_rules

RULES = load_rules(bundled_rules_file())


def client_texts() -> dict[str, dict[str, str]]:
    """Every text shown to people, by where it comes from: catalogue entries, rule wordings, KPI definitions."""
    texts = {key: dict(entry) for key, entry in catalogue().items()}
    for rule in RULES.actions:
        for field in ("title", "evidence", "expected"):
            texts[f"rules.yaml {rule.id} {field}"] = {loc: getattr(rule.text[loc], field) for loc in LOCALES}
        texts[f"rules.yaml {rule.id} seed"] = {loc: rule.seed.get(loc, "") for loc in LOCALES}
    for kpi in CATALOG:
        texts[f"kpi {kpi.id}"] = {loc: f"{kpi.name(loc)} {kpi.formula(loc)}" for loc in LOCALES}
    return texts


# concept: (the one term, other words people use for it)
TERMS = {
    "ja": {"sales' first follow-up of an MQL": ("フォロー", ("接触", "未対応", "対応済")),
           "a narrow miss": ("僅差で未達", ("惜しい", "あと一歩")),
           "unsubscribes": ("配信停止", ("購読解除", "購読停止", "退会")),
           "an opportunity": ("商談", ("案件", "オポチュニティ"))},
    "en": {"sales' first follow-up of an MQL": ("follow", ("touched", "contacted", "untouched")),
           "a narrow miss": ("narrowly missed", ("just short of target", "near miss")),
           "an opportunity": ("opportunit", ("pipeline deal",))},
}


@pytest.mark.parametrize("locale", LOCALES)
def test_one_term_per_concept(locale: str) -> None:
    texts = client_texts()
    for concept, (term, others) in TERMS[locale].items():
        assert any(term in entry[locale] for entry in texts.values()), f"{concept}: '{term}' is used somewhere"
        found = {key: other for key, entry in texts.items() for other in others if other in entry[locale]}
        assert found == {}, f"{concept} is '{term}' in {locale}"


INTERNALS = ("元記事", "source article", "rules.yaml", "config/", ".csv", ".yaml", "◯", "〇", "first_sales_touch_at",
             "team ブロック", "team block")


def test_no_internal_names_in_any_client_text() -> None:
    rule_ids = [rule.id for rule in RULES.actions]
    found = {}
    for key, entry in client_texts().items():
        for locale in LOCALES:
            text = entry[locale]
            hits = [word for word in (*INTERNALS, *rule_ids) if word in text]
            if hits:
                found[f"{key} [{locale}]"] = hits
    assert found == {}


def test_the_check_would_see_an_internal_name() -> None:
    assert "rules.yaml" in "アクションは config/rules.yaml のルールで選ばれます" and INTERNALS


COLLOQUIAL = ("空回り", "冷める", "冷め", "を直せ", "惜しい", "ちゃう", "じゃない", "なきゃ")
POLITE = re.compile(r"(です|ます|ました|ません|でした|ください|でしょうか|ますか|ですか|ませんか|でしたか|ましたか)$")
TRAILING = re.compile(r"\s*[(（][^()（）]*[)）]$")  # a closing "(前月…)" after the verb


def _sentences(text: str) -> list[str]:
    """The full sentences of a Japanese text: those ending in 。 outside parentheses, without a closing
    parenthesis after the verb; legends ("◎ 達成 / △ …") and lone placeholders are not sentences."""
    found, depth, current = [], 0, ""
    for char in text:
        if char in "(（「":
            depth += 1
        elif char in ")）」":
            depth -= 1
        if char == "。" and depth == 0:
            found.append(current.strip())
            current = ""
        else:
            current += char
    sentences = []
    for sentence in found:
        while TRAILING.search(sentence):
            sentence = TRAILING.sub("", sentence)
        if sentence and " / " not in sentence and not re.fullmatch(r"\{\w+\}", sentence):
            sentences.append(sentence)
    return sentences


def test_japanese_sentences_are_in_the_business_register() -> None:
    """Action titles are what to do (…する) and expected effects are figures (6件 → 0件): the rest are sentences."""
    prose = {key: entry for key, entry in client_texts().items()
             if not (key.startswith("rules.yaml") and key.endswith((" title", " expected")))}
    plain = {key: s for key, entry in prose.items() for s in _sentences(entry["ja"]) if not POLITE.search(s)}
    assert plain == {}
    colloquial = {key: word for key, entry in client_texts().items() for word in COLLOQUIAL if word in entry["ja"]}
    assert colloquial == {}


def test_the_register_check_would_see_a_plain_sentence() -> None:
    assert [s for s in _sentences("MQLは68件。前月から改善(+12)。") if not POLITE.search(s)] == ["MQLは68件",
                                                                                           "前月から改善"]


def test_english_never_makes_a_kpi_name_the_subject_of_is() -> None:
    """KPI names may be plural ("MQLs", "SQLs"): "{name} is 68" reads wrong; the wording says "{name}: 68"."""
    agreeing = {key: entry["en"] for key, entry in client_texts().items() if re.search(r"\{(name|kpi)\} (is|was|has)\b",
                                                                                        entry["en"])}
    assert agreeing == {}
