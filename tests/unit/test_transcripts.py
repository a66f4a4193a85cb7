"""The one transcript builder: the handoff's (everything the user and the assistant said) and the
solicitation's (the last turns, outside the form, without button payloads)."""

from assistance import transcripts
from assistance.solicitations.flow import FORM, MAX_TURN_LENGTH, TRANSCRIPT_TURNS, Known

ADVISOR = {"custom": {"data": {"text": "Je regarde votre dossier",
                               "conseiller": {"evenement": "message", "nom": "Léa"}}}}


def test_the_handoff_transcript_keeps_the_session_and_leaves_out_external_events():
    events = [
        {"event": "user", "text": "ancienne session", "timestamp": 1.0},
        {"event": "session_started"},
        {"event": "user", "text": "je veux un humain", "timestamp": 1_764_580_000.0},
        {"event": "bot", "text": "Un conseiller du support Chorus Pro est disponible.", "timestamp": 1.0},
        {"event": "user", "text": "EXTERNAL: EXTERNAL_evenement_conseiller",
         "metadata": {"is_external": True}},
    ]
    entries = [turn.as_entry() for turn in transcripts.turns(events)]
    assert [(e["auteur"], e["texte"]) for e in entries] == [
        ("utilisateur", "je veux un humain"),
        ("assistant", "Un conseiller du support Chorus Pro est disponible."),
    ]
    assert entries[0]["horodatage"].startswith("2025-12-01")


def test_the_solicitation_transcript_skips_the_form_and_buttons_and_names_the_advisor():
    events = [
        {"event": "user", "text": "ancienne session"},
        {"event": "session_started"},
        {"event": "user", "text": "mon dépôt échoue"},
        {"event": "bot", "text": "Je n'ai pas bien compris votre demande."},
        {"event": "bot", "text": None, "data": ADVISOR},
        {"event": "user", "text": "/affirmer"},  # a button: not what the user wrote
        {"event": "active_loop", "name": FORM},
        {"event": "user", "text": "Menuiserie Durand"},  # an answer to the form
        {"event": "active_loop", "name": None},
    ]
    found = transcripts.turns(events, keep_payloads=False, skip_loop=FORM)
    assert [(t.author, t.text) for t in found] == [
        ("utilisateur", "mon dépôt échoue"),
        ("assistant", "Je n'ai pas bien compris votre demande."),
        ("conseiller", "Je regarde votre dossier"),
    ]
    assert transcripts.as_text(found[:2]) == (
        "Utilisateur : mon dépôt échoue\nClaud.IA : Je n'ai pas bien compris votre demande."
    )


def test_the_offered_transcript_is_short():
    events = [{"event": "user", "text": f"message {i} " + "x" * 1000} for i in range(30)]
    offered = Known.read({"motif_escalade": "incompris"}, events).offers["transcription"]
    lines = offered.split("\n")
    assert len(lines) == TRANSCRIPT_TURNS and lines[-1].startswith("Utilisateur : message 29")
    assert all(len(line) == len("Utilisateur : ") + MAX_TURN_LENGTH + 1 for line in lines)
    assert all(line.endswith("…") for line in lines)


def test_no_transcript_is_offered_when_the_user_asked_for_the_support_directly():
    events = [{"event": "user", "text": "je veux écrire au support"}]
    assert "transcription" not in Known.read({"motif_escalade": "demande_directe"}, events).offers
