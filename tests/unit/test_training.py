"""The workbench's reading of conversations: inbox, decisions, reviews and dashboard, on a real
SQLite tracker store written the way Rasa writes it (the `events` table) and the app database."""

import shutil
from datetime import date, datetime, timedelta, timezone

import pytest

from assistance.db.models import Handoff, Sollicitation, Vote
from assistance.settings import PROJECT_ROOT
from assistance.training import decisions, reviews
from assistance.training.conversations import read_conversations
from assistance.training.decisions import DecisionRequest
from assistance.training.errors import TrainingError
from assistance.training.inbox import Filters
from assistance.training.metrics import Period, tables, to_csv
from assistance.training.workbench import Workbench
from tests.unit.tracker_events import T0, Conversation, store


@pytest.fixture
def bench(core, tracker_url, tmp_path):
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", tmp_path / "projet" / "data" / "nlu")
    shutil.copytree(PROJECT_ROOT / "tests" / "nlu", tmp_path / "projet" / "tests" / "nlu")
    from dataclasses import replace

    core.settings = replace(core.settings, tracker_database_url=tracker_url,
                            training_project=tmp_path / "projet", low_confidence=0.7, similarity=90)
    workbench = Workbench(core)
    yield workbench
    workbench.close()


def vote(core, conversation: Conversation, topic: str, question: str, value: int = -1) -> int:
    with core.db.session() as session:
        row = Vote(conversation_id=conversation.sender, answer_id=conversation.last_bot_timestamp(),
                   topic=topic, user_message=question, value=value,
                   created_at=datetime.fromtimestamp(conversation.clock, timezone.utc))
        session.add(row)
        session.flush()
        return row.id


def test_offers_and_what_became_of_them():
    conversation = (
        Conversation("c1").faq("mot de passe oublié", "mot_de_passe")
        .offer("vote_negatif").accept_advisor().slot("id_transfert", None)  # the advisor closed it
        .user("blabla", "nlu_fallback").offer("incompris", "sollicitation").decline()
        .user("je veux un humain", "demander_conseiller").offer("demande_directe")
        .faq("comment créer un compte", "creer_compte").slot("offre_escalade", None)
    )
    conversation.user("/rediger_sollicitation", "rediger_sollicitation").events.append(
        {"event": "active_loop", "timestamp": conversation.tick(), "name": "sollicitation_form"}
    )
    [read] = read_conversations("c1", conversation.events)
    assert [(o.motif, o.kind, o.outcome) for o in read.offers] == [
        ("vote_negatif", "conseiller", "transfert"),
        ("incompris", "sollicitation", "declinee"),
        ("demande_directe", "conseiller", "declinee"),  # withdrawn by the FAQ question
    ]
    assert read.handoff_at is not None and read.solicitation_at is not None
    assert [m.text for m in read.typed] == [
        "mot de passe oublié", "blabla", "non merci", "je veux un humain", "comment créer un compte"
    ]
    assert read.question_before(read.solicitation_at).text == "comment créer un compte"


def test_messages_for_an_advisor_or_the_solicitation_form_are_not_for_the_inbox(bench, tracker_url):
    conversation = (
        Conversation("h").user("ma facture F12 est bloquée", "nlu_fallback", 0.5).bot("Je n'ai pas compris")
        .user("je veux un conseiller", "demander_conseiller").offer("demande_directe").accept_advisor()
        .user("bonjour, ma facture est rejetée", "nlu_fallback", 0.5)  # relayed to the advisor
        .slot("id_transfert", None)
    )
    conversation.events.append({"event": "active_loop", "timestamp": conversation.tick(),
                                "name": "sollicitation_form"})
    conversation.user("jean.dupont@mairie.fr", "nlu_fallback", 0.4)  # the form asks for an e-mail
    conversation.events.append({"event": "active_loop", "timestamp": conversation.tick(), "name": None})
    conversation.user("qsdfgh", "nlu_fallback", 0.4)
    store(tracker_url, conversation)
    [read] = read_conversations("h", conversation.events)
    assert [m.text for m in read.typed] == ["ma facture F12 est bloquée", "je veux un conseiller", "qsdfgh"]
    texts = {i.text: i.kinds for i in bench.inbox(Filters())}
    assert texts == {"ma facture F12 est bloquée": ["incompris", "transfert", "sollicitation"],
                     "qsdfgh": ["incompris"]}


def test_the_inbox_groups_near_identical_messages_most_frequent_first(bench, core, tracker_url):
    unsure = [{"name": "vote_positif", "confidence": 0.42}, {"name": "faq", "confidence": 0.3}]
    store(
        tracker_url,
        Conversation("a", T0).user("J'attends la réponse à ma sollicitation !", "nlu_fallback", 0.5,
                                   ranking=unsure, topic="suivi_sollicitation").bot("Je n'ai pas compris"),
        Conversation("b", T0 + 10).user("j'attends la reponse a ma sollicitation", "nlu_fallback", 0.5,
                                        ranking=unsure).bot("Je n'ai pas compris"),
        Conversation("c", T0 + 20).user("j'attends la réponse à mes sollicitations", "nlu_fallback", 0.5)
        .bot("Je n'ai pas compris"),
        Conversation("d", T0 + 30).user("quel temps fait-il", "hors_perimetre", 0.9).bot("Hors sujet"),
        Conversation("e", T0 + 40).user("un avoir svp", "faq", 0.99, topic="avoir", topic_confidence=0.4)
        .bot("Réponse avoir", "utter_faq/avoir"),
        Conversation("f", T0 + 50).faq("comment créer un compte", "creer_compte"),
    )
    items = bench.inbox(Filters())
    assert [(i.text, i.count, i.kinds) for i in items] == [
        ("J'attends la réponse à ma sollicitation !", 3, ["incompris"]),
        ("un avoir svp", 1, ["confiance_faible"]),  # the FAQ answer was unsure (0.4)
        ("quel temps fait-il", 1, ["hors_perimetre"]),
    ]
    first = items[0]
    assert first.predicted == "vote_positif" and first.count == 3
    newest = first.as_json()["occurrences"][0]
    assert newest["conversation_id"] == "c"
    assert [turn["text"] for turn in newest["context"]] == [
        "j'attends la réponse à mes sollicitations", "Je n'ai pas compris"
    ]
    assert [i.text for i in bench.inbox(Filters(kinds=("hors_perimetre",)))] == ["quel temps fait-il"]
    assert [i.text for i in bench.inbox(Filters(topic="avoir"))] == ["un avoir svp"]
    assert [i.text for i in bench.inbox(Filters(max_confidence=0.41))] == ["un avoir svp"]  # 0.4


def test_a_decision_writes_the_example_and_the_message_leaves_the_inbox(bench, core, tracker_url):
    store(tracker_url, Conversation("a").user("je ne vois plus ma demande au support", "nlu_fallback", 0.5)
          .bot("Je n'ai pas compris"))
    [item] = bench.inbox(Filters())
    decision = bench.decide(DecisionRequest(
        text=item.text, action="corriger", intent="faq/suivi_sollicitation", predicted=item.predicted,
        members=item.members, kinds=item.kinds, sources=item.as_json()["sources"],
    ), "formatrice")
    assert decision["outcome"] == "ecrit" and decision["file"] == "data/nlu/faq_support.yml"
    assert decision["trainer"] == "formatrice"
    assert "je ne vois plus ma demande au support" in (
        bench.files.project / "data" / "nlu" / "faq_support.yml").read_text(encoding="utf-8")
    assert bench.inbox(Filters()) == []
    assert decisions.taught_since_activation(core.db) == [
        {"decision_id": decision["id"], "text": item.text, "intent": "faq/suivi_sollicitation"}
    ]
    exported = decisions.export_yaml(core.db)
    assert "- intent: faq/suivi_sollicitation" in exported and item.text in exported


def test_ignoring_writes_nothing_and_a_held_out_sentence_cannot_be_taught(bench, core):
    before = (bench.files.project / "data" / "nlu" / "hors_perimetre.yml").read_text(encoding="utf-8")
    ignored = bench.decide(DecisionRequest(text="azerty", action="ignorer"), "formatrice")
    assert ignored["outcome"] == "rien"
    out = bench.decide(DecisionRequest(text="quelle est la capitale du pérou", action="hors_perimetre"), "f")
    assert out["intent"] == "hors_perimetre" and out["outcome"] == "ecrit"
    after = (bench.files.project / "data" / "nlu" / "hors_perimetre.yml").read_text(encoding="utf-8")
    assert after == before + "    - quelle est la capitale du pérou\n"
    with pytest.raises(TrainingError) as refused:
        bench.decide(DecisionRequest(text="creation compte chorus", action="confirmer",
                                     predicted="faq/creer_compte"), "f")
    assert refused.value.code == "phrase_du_jeu_de_test"
    with pytest.raises(TrainingError) as no_guess:
        bench.decide(DecisionRequest(text="bof", action="confirmer", predicted="nlu_fallback"), "f")
    assert no_guess.value.code == "prediction_absente"
    assert {"azerty", "quelle est la capitale du perou"} <= decisions.decided_texts(core.db)


def test_a_thumbs_down_shows_question_and_answer_and_gets_a_review(bench, core, tracker_url):
    conversation = Conversation("v").faq("comment on fait un avoir", "avoir")
    store(tracker_url, conversation)
    vote_id = vote(core, conversation, "avoir", "comment on fait un avoir")
    [item] = bench.inbox(Filters(kinds=("vote_negatif",)))
    assert item.text == "comment on fait un avoir" and item.occurrences[0].vote_id == vote_id
    [listed] = bench.negative_answers()
    assert listed["question"] == "comment on fait un avoir" and listed["answer"] == ["Réponse avoir"]
    assert listed["review"]["state"] == "a_revoir"
    reviews.review(core.db, vote_id, reviewer="f", reason="reponse_peu_claire", state="corrigee")
    assert bench.negative_answers(state="a_revoir") == []
    [fixed] = bench.negative_answers(state="corrigee")
    assert fixed["review"]["reason"] == "reponse_peu_claire" and fixed["review"]["reviewer"] == "f"
    with pytest.raises(TrainingError):
        reviews.review(core.db, vote_id, reviewer="f", reason="autre")


def test_the_dashboard_counts_ten_conversations_three_offers_two_accepted(bench, core, tracker_url):
    conversations = [
        Conversation(f"ok-{index}", T0 + 100 * index).faq("créer un compte", "creer_compte")
        for index in range(7)
    ]
    conversations.append(Conversation("offre-1", T0 + 800).user("un conseiller", "demander_conseiller")
                         .offer("demande_directe").accept_advisor())
    conversations.append(Conversation("offre-2", T0 + 900).faq("avoir", "avoir").offer("vote_negatif")
                         .accept_advisor())
    conversations.append(Conversation("offre-3", T0 + 1000).user("zzz", "nlu_fallback", 0.5)
                         .user("qsd", "nlu_fallback", 0.5).offer("incompris").decline())
    store(tracker_url, *conversations)
    created = datetime.fromtimestamp(T0, timezone.utc)
    with core.db.session() as session:
        session.add(Handoff(conversation_id="offre-1", status="cloturee", context={}, transcript=[],
                            created_at=created, taken_at=created + timedelta(minutes=4)))
        session.add(Handoff(conversation_id="offre-2", status="abandonnee", context={}, transcript=[],
                            created_at=created))
        session.add(Sollicitation(conversation_id="x", status="prete", destination="support_outil",
                                  destination_libelle="Support", created_at=created))
        session.add(Vote(conversation_id="ok-0", answer_id="1", topic="creer_compte", value=1,
                         created_at=created))
    tz = core.schedule().timezone
    report = bench.dashboard(Period.of_days(date(2026, 12, 1), date(2026, 12, 1), "jour", tz))
    totals = report["totals"]
    assert (totals["conversations"], totals["offers"], totals["offers_accepted"]) == (10, 3, 2)
    assert totals["containment"] == pytest.approx(0.7)
    assert totals["offers_by_motif"] == {"incompris": 1, "vote_negatif": 1, "demande_directe": 1, "autre": 0}
    assert (totals["handoffs"], totals["handoffs_taken"], totals["handoffs_abandoned"]) == (1 + 1, 1, 1)
    assert totals["wait_median_seconds"] == pytest.approx(240)
    assert totals["misunderstood"] == 2 and totals["messages"] == 12  # typed, not the buttons
    assert report["votes_by_topic"] == [{"topic": "creer_compte", "positive": 1, "negative": 0}]
    assert report["solicitations_by_destination"][0]["prete"] == 1
    columns, rows = tables(report)["indicateurs"]
    assert rows[-1][:4] == ["total", 10, 7, "70.0"]
    assert to_csv(columns, rows).startswith("\ufeffperiode;conversations;sans_offre;taux_autonomie_pct")
    weekly = bench.dashboard(Period.of_days(date(2026, 11, 30), date(2026, 12, 13), "semaine", tz))
    assert [row["bucket"] for row in weekly["series"]] == ["2026-11-30", "2026-12-07"]
    assert [row["conversations"] for row in weekly["series"]] == [10, 0]


def test_the_advisor_wait_counts_opening_hours_only(core):
    schedule = core.schedule()
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=schedule.timezone)
    monday_morning = datetime(2026, 12, 7, 8, 40, tzinfo=schedule.timezone)
    assert schedule.open_seconds_between(friday_evening, monday_morning) == 40 * 60
