"""Spoken questions as a speech recogniser writes them -> the part of the page that answers them.

These questions are written for this file; benchmarks/dev_questions.tsv is a separate evaluation set.
A few short ones ("bones?", "the outlook", "i feel so anxious", "is it normal to be scared") are in both,
because they are the examples the product is specified with.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.content import load_content
from skill.errors import ContentError
from skill.understand import DEFAULT_ROUTER_PATH, Move, Router, RouterData
from skill.understand.decide import MIN_SIMILARITY


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.from_content(load_content())


# --- questions the page answers ----------------------------------------------------------------------

RECOGNISER_STYLE = [
    # lower case, no punctuation, fillers left in
    ("um where does breast cancer usually end up going", "where-it-spreads"),
    ("er can secondary breast cancer go to your bones", "where-it-spreads"),
    ("what's the outlook er for secondary breast cancer", "outlook"),
    ("how long do people um live with it", "outlook"),
    ("um er is secondary cancer something they can cure", "treatment-aims"),
    ("er my nan has just been told she has secondary breast cancer", "what-is-it"),
    ("um who do i ring for a chat with a nurse", "support"),
    ("er what sort of scans do they do to find it", "tests-and-scans"),
    ("um what should i be asking at my next appointment", "questions-for-doctor"),
    ("er is it normal to feel this frightened", "feelings"),
]

MISHEARD = [
    ("what is meta static breast cancer exactly", "other-names"),
    ("is meta static cancer the same thing as secondary", "other-names"),
    ("er what are meta stases", "other-names"),
    ("what is my prog nosis now", "outlook"),
    ("what's the prog nosis like for someone like me", "outlook"),
    ("it has spread to the limb nodes in my neck", "where-it-spreads"),
    ("er can it spread to limb nodes", "where-it-spreads"),
    ("it's in the lymph glans", "where-it-spreads"),
    ("the cancer is in the lymph glans under my arm is that secondary", "what-is-it"),
    ("is secondry breast cancer the same as stage four", "what-is-it"),
    ("could secondry breast cancer ever be cured", "treatment-aims"),
]

FRAGMENTS = [
    ("bones?", "where-it-spreads"),
    ("the lungs?", "where-it-spreads"),
    ("brain?", "where-it-spreads"),
    ("the outlook", "outlook"),
    ("the prognosis?", "outlook"),
    ("the other names?", "other-names"),
    ("scans?", "tests-and-scans"),
    ("feelings?", "feelings"),
    ("what to ask?", "questions-for-doctor"),
    ("support?", "support"),
]

NAMING_AN_ORGAN_WITH_BREAST_CANCER = [
    # "lung", "liver" and "bone" name other cancers only when "breast" or "secondary" is missing
    ("can breast cancer spread to the lungs", "where-it-spreads"),
    ("my mum has secondary cancer in her liver", "where-it-spreads"),
]


@pytest.mark.parametrize(
    ("question", "topic"),
    RECOGNISER_STYLE + MISHEARD + FRAGMENTS + NAMING_AN_ORGAN_WITH_BREAST_CANCER,
)
def test_question_is_answered_from_the_right_topic(router: Router, question: str, topic: str) -> None:
    """The topic's answer, or a clarifying question that offers that topic first."""
    route = router.route(question)
    assert route.kind in ("answer", "clarify") and route.topic == topic


# --- questions the page does not answer ----------------------------------------------------------------

OUT_OF_SCOPE = [
    # medicines and doses
    "how much tamoxifen should i take",
    "what dose of morphine is safe",
    "how many paracetamol can i take",
    "can i take ibuprofen with my tablets",
    "what are the side effects of herceptin",
    # choosing a treatment
    "should i choose chemotherapy or radiotherapy",
    "which treatment should i pick",
    "should i go ahead with surgery",
    "is hormone therapy better than targeted therapy",
    "should i stop having treatment",
    # other cancers
    "what is prostate cancer",
    "how do you treat bowel cancer",
    "what are the symptoms of ovarian cancer",
    "what's the outlook for lung cancer",
    "what is bone cancer",
    "what is melanoma",
    # small talk and anything else
    "tell me something funny",
    "what's the weather like tomorrow",
    "how are you today",
    "good evening",
    "can you order me a pizza",
    "turn on the lights",
    # nothing said
    "",
    "   ",
    "um er",
]

WORD_SALAD = ["purple elephant xylophone", "banana trampoline submarine", "quantum marmalade bicycle"]


@pytest.mark.parametrize("question", OUT_OF_SCOPE + WORD_SALAD)
def test_question_the_page_does_not_answer_is_out_of_scope(router: Router, question: str) -> None:
    route = router.route(question)
    assert (route.kind, route.topic) == ("out_of_scope", None)


@pytest.mark.parametrize("question", WORD_SALAD)
def test_words_unlike_any_sample_are_not_guessed_at(router: Router, question: str) -> None:
    assert router.route(question).kind == "out_of_scope"


# --- urgent: emergency numbers before anything else ---------------------------------------------------

URGENT = [
    # self-harm
    "i'm going to kill myself",
    "i'm thinking about killing myself",
    "i've been cutting myself again",
    "i keep thinking about suicide",
    "i just want to die",
    "i don't want to be alive anymore",
    "i want to take my own life",
    "i've taken all my tablets",
    "i'm planning to take an overdose",
    ("i'm thinking of ending my life"),
    ("i keep thinking about ending it all"),
    ("i don't see the point in living anymore"),
    # breathing
    "i can't breathe at all",
    "my mum can't breathe properly",
    "he's struggling to breathe",
    "she's stopped breathing",
    ("she can't catch her breath"),
    ("i can hardly breathe"),
    # chest pain
    "i've got chest pain",
    "i have a crushing pain in my chest",
    "my chest hurts",
    ("pains in my chest"),
    ("my chest feels tight"),
    # collapse
    "my husband has collapsed",
    "he has passed out",
    "she's fainted and won't wake up",
    "she is unconscious",
    # heavy bleeding
    "i'm bleeding heavily",
    "there's a lot of blood",
    "the bleeding won't stop",
    "i'm coughing up blood",
    ("he won't stop bleeding"),
    ("she's bleeding really heavily"),
]


@pytest.mark.parametrize("question", URGENT)
def test_emergency_or_self_harm_is_urgent(router: Router, question: str) -> None:
    assert router.route(question).kind == "urgent"


# Worry and fear are what the feelings section is for: they must not be met with emergency numbers.
NOT_URGENT_FEELINGS = [
    "i feel so anxious",
    "is it normal to be scared",
    "i'm really frightened about the future",
    "i feel so sad all the time",
    "i'm scared of dying",
    "i'm so nervous about my scan",
    "i'm frightened for my children",
    "is it okay to feel angry",
    "how do i stop worrying",
]


@pytest.mark.parametrize("question", NOT_URGENT_FEELINGS)
def test_worry_and_fear_get_the_feelings_answer_not_emergency_numbers(router: Router, question: str) -> None:
    route = router.route(question)
    assert route.kind in ("answer", "clarify") and "feelings" in (route.topic, *route.topics)


# --- what every route promises -----------------------------------------------------------------------

EVERY_QUESTION = [q for q, _ in RECOGNISER_STYLE + MISHEARD + FRAGMENTS] + OUT_OF_SCOPE + WORD_SALAD


@pytest.mark.parametrize("question", EVERY_QUESTION)
def test_a_topic_is_only_chosen_with_enough_similarity(router: Router, question: str) -> None:
    route = router.route(question)
    assert (route.kind in ("answer", "clarify")) == (route.topic is not None)
    if route.kind in ("answer", "clarify"):
        assert route.score >= MIN_SIMILARITY


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("Where does breast cancer SPREAD to, usually?", "where does breast cancer spread to usually"),
        ("what’s the  outlook for my Mum…", "what's the outlook for my mum"),
        ("um, er — is it curable?!", "um er is it curable"),
    ],
)
def test_punctuation_case_and_curly_apostrophes_do_not_change_the_route(
    router: Router, said: str, written: str
) -> None:
    assert router.route(said) == router.route(written)


def test_a_router_file_that_gives_a_list_twice_is_refused_naming_the_line(tmp_path: Path) -> None:
    text = DEFAULT_ROUTER_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "router.yaml"
    changed = text.replace("corrections:\n", "corrections:\n  cancer: [cancar]\n", 1)
    broken.write_text(changed, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        RouterData.load(broken)
    second = changed.index("\n  cancer: [", changed.index("cancer: [cancar]") + 1) + 1
    line = changed[:second].count("\n") + 1
    assert str(caught.value).startswith(f"{broken}:{line}: ")
    assert "'cancer' is given twice" in str(caught.value)


@pytest.mark.parametrize(("said", "action", "key"), [
    ("help", "help", None), ("Help me.", "help", None), ("what sort of things can I ask you", "help", None),
    ("Goodbye!", "goodbye", None), ("no thanks", "no", None), ("Yes please", "yes", None),
    ("say that again", "repeat", None), ("main menu", "main_menu", None), ("thanks", "thanks", None),
    ("tell me more", "more", None), ("press two", "key", "2"), ("Four.", "key", "4"),
    ("okay alexa repeat", "repeat", None), ("slower", "slower", None), ("Can you speak more slowly?", "slower", None),
    ("You're talking too fast.", "slower", None), ("speed up", "faster", None), ("faster please", "faster", None),
    ("What else?", "what_else", None), ("what else can I ask", "what_else", None), ("anything else", "what_else", None),
])
def test_words_about_the_conversation_are_navigation_not_questions(
    router: Router, said: str, action: str, key: str | None
) -> None:
    route = router.route(said)
    assert route.kind == "navigation" and route.move is not None
    assert (route.move.action, route.move.key) == (action, key)


@pytest.mark.parametrize(("said", "topic"), [
    ("what else is it called", "other-names"), ("what else do people call it", "other-names"),
    ("what else might the doctor call it", "other-names"), ("what else should i ask", "questions-for-doctor"),
    ("can treatment slow it down", "treatment-aims"), ("how fast does it grow", "outlook"),
])
def test_questions_about_the_page_that_start_like_navigation_words_keep_their_topic(
    router: Router, said: str, topic: str
) -> None:
    """Only a whole utterance is navigation: "what else" lists the topics, "what else is it called" is a
    question about the other names."""
    assert router.route("what else").move == Move("what_else")
    route = router.route(said)
    assert (route.kind, route.topic) == ("answer", topic)


@pytest.mark.parametrize("said", ["help me i can't breathe", "please help me now",
                                  "two of my tablets are missing and i took the rest", "i want to die"])
def test_navigation_words_inside_an_emergency_do_not_hide_it(router: Router, said: str) -> None:
    assert router.route(said).kind == "urgent"


@pytest.mark.parametrize(("change", "field", "message"), [
    (("  - '\\bsuicid'\n", "  - '\\bsuicid('\n"), "urgent[", "not a valid regular expression"),
    (("fillers: [s, d,", "fillers: [[s], d,"), "fillers[0]", "is not of type 'string'"),
    (("navigation:\n", "navigation:\n  shout: [hey]\n"), "navigation", "'shout' was unexpected"),
])
def test_a_broken_router_file_is_refused_naming_line_and_field(tmp_path: Path, change: tuple[str, str],
                                                               field: str, message: str) -> None:
    text = DEFAULT_ROUTER_PATH.read_text(encoding="utf-8")
    assert change[0] in text, "test data: the text to change must be in router.yaml"
    changed = text.replace(change[0], change[1], 1)
    broken = tmp_path / "router.yaml"
    broken.write_text(changed, encoding="utf-8")
    (tmp_path / "common_words.txt").write_text("the\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        RouterData.load(broken)
    marker = change[1].strip().splitlines()[-1]  # the line the mistake is on
    line = changed[: changed.index(marker)].count("\n") + 1
    said = str(caught.value)
    assert said.startswith(f"{broken}:{line}") and field in said and message in said, said


def test_a_question_with_an_enormous_word_is_answered_as_if_the_word_were_not_there(router: Router) -> None:
    junk = "x" * 100_000
    assert router.route(f"where does it spread {junk}").topic == "where-it-spreads"
    assert router.route(junk).kind == "out_of_scope"


def test_a_question_longer_than_anyone_says_is_cut_not_refused(router: Router) -> None:
    route = router.route("where does it spread " + "and then what " * 5000)
    assert route.kind in ("answer", "clarify", "out_of_scope")
