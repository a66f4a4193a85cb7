"""Drafting a solicitation over REST, from the first message to the stored draft.

Real Rasa and action servers, SQLite and PostgreSQL (the `stack` fixture). Each conversation
ends by reading the stored draft back, field by field, as the desk API and the CLI do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from assistance.solicitations.flow import one_bubble
from assistance.solicitations.repository import get_draft
from assistance.solicitations.text import draft_text
from assistance.validation import find_reference
from tests.stack import BIN, ROOT, payloads, plain, texts

pytestmark = pytest.mark.both_backends

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
LOGGED_IN = {
    "utilisateur": {
        "connecte": True,
        "profil": "fournisseur",
        "identifiant": "jeanne.durand@menuiserie-durand.fr",
        "structure": "Menuiserie Durand",
        "siret": "732 829 320 00074",
    },
    "user_agent": FIREFOX,
}
NONSENSE = ["qsdkjfh qlskdjf", "blorg fizzle wobble"]


class Conversation:
    """One user talking to the assistant over REST; keeps what was last shown."""

    def __init__(self, stack, sender: str, metadata: dict | None = None) -> None:
        self.stack, self.sender, self.metadata = stack, sender, metadata
        self.last: list[dict] = []

    def say(self, message: str) -> str:
        self.last = self.stack.say(self.sender, message, self.metadata)
        return texts(self.last)

    def buttons(self) -> list[str]:
        return payloads(self.last)

    def slot(self, name: str):
        return self.stack.slot(self.sender, name)


def stored(stack, reference: str) -> dict:
    data = get_draft(stack.core.db, reference)
    assert data is not None, f"{reference} not stored"
    return data


def stored_text(stack, reference: str) -> str:
    return draft_text(stored(stack, reference), stack.core.catalogue())


def refused_by_channel(stack, sender: str, text: str) -> tuple[int, str]:
    """(status, French reason) of a message the REST channel refuses."""
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook", method="POST",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error.code, plain(json.loads(error.read())["message"])
    return 200, ""


def reference_in(text: str) -> str:
    reference = find_reference(text)
    assert reference, f"no reference in: {text}"
    return reference


def test_logged_in_user_confirms_what_the_website_knows(stack, sender):
    user = Conversation(stack, sender, LOGGED_IN)
    answer = user.say("je veux écrire au support")
    assert "rédiger une sollicitation" in answer
    assert "« annuler »" in answer and "« passer »" in answer
    assert {"Compte et connexion", "Gestion des structures et utilisateurs",
            "Traitement et paiement d'une facture"} <= set(user.buttons())

    answer = user.say("Compte et connexion")
    assert "Double authentification" in user.buttons()
    answer = user.say("Double authentification")
    assert "relève du support Chorus Pro" in answer
    # Prefilled from the metadata: confirmed, not retyped.
    assert "au nom de la structure « Menuiserie Durand »" in answer
    assert user.buttons() == ["oui", "non"]
    assert "SIRET de votre structure est-il bien 73282932000074" in user.say("oui")
    assert "identifiant de connexion à Chorus Pro est-il bien jeanne.durand@menuiserie-durand.fr" in (
        user.say("oui"))
    assert "numéro de téléphone" in user.say("oui")
    assert "Ce numéro de téléphone n'est pas valide" in user.say("06 12 34")
    assert "Décrivez votre problème" in user.say("06 12 34 56 78")
    assert "références" in user.say("Je ne reçois pas le code de double authentification")
    assert "dans l'ordre" in user.say("passer")
    steps = "1. connexion avec mon identifiant\n2. saisie du mot de passe\n3. attente du code"
    assert "message d'erreur" in user.say(steps)
    error = "Le code saisi a expiré. Veuillez en demander un nouveau."
    answer = user.say(error)
    assert "Vous utilisez le navigateur Firefox 128.0 (Windows 10)" in answer

    summary = user.say("oui")
    assert "Voici votre demande" in summary
    for line in [
        "Catégorie : Compte et connexion",
        "Sous-catégorie : Double authentification",
        "Destinataire : Support Chorus Pro (utilisation du portail)",
        "Structure émettrice : Menuiserie Durand",
        "SIRET : 73282932000074",
        "Téléphone : +33 6 12 34 56 78",
        "Références de la facture ou du dossier : non renseigné",
        "Navigateur et version : Firefox 128.0 (Windows 10)",
    ]:
        assert line in summary
    assert "Nom du contact" not in summary  # known from the account: not asked
    assert user.buttons() == ["valider", "corriger", "annuler"]

    answer = user.say("valider")
    reference = reference_in(answer)
    assert reference.startswith("SOL-2026-")
    assert "Voici le texte à copier" in answer and f"Référence du brouillon : {reference}" in answer
    # How to send it, with an account, and how to attach a screenshot.
    assert "« Sollicitations émises » puis « Saisir sollicitation »" in answer
    assert "les plus proches de « Compte et connexion » / « Double authentification »" in answer
    assert "« Gestion des pièces jointes »" in answer and "« Valider et envoyer »" in answer
    assert "Nous contacter" not in answer

    draft = stored(stack, reference)
    assert draft == draft | {
        "reference": reference,
        "status": "prete",
        "conversation_id": sender,
        "destination": "support_outil",
        "destination_libelle": "Support Chorus Pro (utilisation du portail)",
        "categorie": "compte_connexion",
        "sous_categorie": "double_authentification",
        "libelle_portail": False,
        "connecte": True,
        "compte_identifiant": "jeanne.durand@menuiserie-durand.fr",
        "profil": "fournisseur",
        "structure": "Menuiserie Durand",
        "siret": "73282932000074",
        "identifiant": "jeanne.durand@menuiserie-durand.fr",
        "nom": None,
        "email": None,
        "telephone": "+33 6 12 34 56 78",
        "description": "Je ne reçois pas le code de double authentification",
        "references": None,
        "etapes": steps,
        "message_erreur": error,
        "navigateur": "Firefox 128.0 (Windows 10)",
        "transcription": None,  # a direct request, not a failed chat
        "user_agent": FIREFOX,
    }
    # The draft is emptied for the next one; the reference is remembered.
    assert user.slot("sollicitation_structure") is None
    assert user.slot("sollicitation_reference") == reference

    # Read back: in the chat, as text, and from the command line.
    shown = user.say(f"afficher la sollicitation {reference}")
    assert f"Voici la demande {reference}" in shown
    assert "Titre / résumé : Je ne reçois pas le code de double authentification" in shown
    # One bubble, ready to copy (the channels would split it at blank lines).
    assert one_bubble(stored_text(stack, reference)) in shown
    assert plain([m["text"] for m in user.last][-1]).startswith("Catégorie : Compte et connexion\n")
    env = {**os.environ, "DATABASE_URL": stack.database_url, "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    cli = [str(BIN / "python"), str(ROOT / "scripts" / "sollicitation.py"), "show", reference.lower()]
    as_text = subprocess.run(cli, capture_output=True, text=True, env=env, check=True).stdout
    assert as_text.strip() == stored_text(stack, reference)
    as_json = subprocess.run([*cli, "--json"], capture_output=True, text=True, env=env, check=True)
    assert json.loads(as_json.stdout) == draft
    missing = subprocess.run([*cli[:-1], "SOL-1999-999999"], capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "no draft" in missing.stderr


def test_logged_out_user_after_a_failed_chat_in_closed_hours(closed_hours, sender):
    stack = closed_hours
    user = Conversation(stack, sender)
    user.say("comment créer un compte ?")
    user.say(NONSENSE[0])
    offer = user.say(NONSENSE[1])
    assert "rédiger une sollicitation" in offer

    answer = user.say("oui")  # the written request offered while the live chat is closed
    assert "rédiger une sollicitation" in answer and "Compte et connexion" in user.buttons()
    assert user.slot("offre_escalade") is None
    user.say("Traitement et paiement d'une facture")
    answer = user.say("Retard de paiement")
    assert "service destinataire" in answer and "non du support Chorus Pro" in answer
    assert "Pour quelle structure écrivez-vous" in answer  # nothing known: asked

    assert "numéro SIRET" in user.say("Menuiserie Durand")
    assert "un chiffre a sans doute été inversé" in user.say("732 829 320 00075")
    answer = user.say("732 829 320 00074")
    assert "Si vous avez un compte Chorus Pro" in answer and user.buttons() == ["passer"]
    assert "prénom et nom" in user.say("passer")
    assert "adresse e-mail" in user.say("Jeanne Durand")
    assert "ne semble pas valide" in user.say("jeanne.durand@exemple")
    assert "numéro de téléphone" in user.say("jeanne.durand@exemple.fr")
    assert "Décrivez votre problème" in user.say("+32 2 555 12 34")
    answer = user.say("Ma facture n'est toujours pas payée après 60 jours")
    assert "Le service destinataire en a besoin" in answer
    assert "indispensable" in user.say("passer")  # required for the business service
    references = "Facture F-2026-0042 du 3 octobre 2026, mairie de Lyon"
    answer = user.say(references)
    # The conversation before the offer is offered as a transcript.
    assert "l'extrait de notre échange" in answer
    assert f"Utilisateur : {NONSENSE[0]}" in answer and "Utilisateur : comment créer un compte ?" in answer
    summary = user.say("oui")
    assert "Adresse e-mail de réponse : jeanne.durand@exemple.fr" in summary
    assert "Navigateur" not in summary and "Étapes" not in summary  # not needed by this destination

    # Correct one field from the summary, by typing, then by the buttons.
    assert "numéro de téléphone" in user.say("corriger le téléphone")
    assert "Téléphone : +33 1 23 45 67 89" in user.say("01 23 45 67 89")
    answer = user.say("corriger")
    assert "Quelle information voulez-vous corriger" in answer
    assert {"Structure émettrice", "Nom du contact", "Catégorie"} <= set(user.buttons())
    assert "prénom et nom" in user.say("Nom du contact")
    assert "Nom du contact : Jeanne Durand-Martin" in user.say("Jeanne Durand-Martin")

    answer = user.say("valider")
    reference = reference_in(answer)
    assert "« Nous contacter »" in answer and "« Description longue »" in answer
    assert "ne peut pas être suivie" in answer
    assert "les plus proches de « Traitement et paiement d'une facture » / « Retard de paiement »" in answer

    draft = stored(stack, reference)
    assert draft == draft | {
        "status": "prete",
        "destination": "service_destinataire",
        "categorie": "suivi_facture",
        "sous_categorie": "retard_paiement",
        "connecte": False,
        "compte_identifiant": None,
        "motif_escalade": "incompris",
        "structure": "Menuiserie Durand",
        "siret": "73282932000074",
        "identifiant": None,
        "nom": "Jeanne Durand-Martin",
        "email": "jeanne.durand@exemple.fr",
        "telephone": "+33 1 23 45 67 89",
        "description": "Ma facture n'est toujours pas payée après 60 jours",
        "references": references,
        "etapes": None,
        "message_erreur": None,
        "navigateur": None,
        "user_agent": None,
    }
    assert draft["transcription"].startswith("Utilisateur : comment créer un compte ?")
    assert f"Utilisateur : {NONSENSE[1]}" in draft["transcription"]
    assert "Claud.IA : " in draft["transcription"]


def test_the_documented_portal_labels_are_given_as_such(stack, sender):
    user = Conversation(stack, sender, LOGGED_IN)
    user.say("je veux écrire au support")
    user.say("Gestion des structures et utilisateurs")
    user.say("Demande de création de structure publique")
    for answer in ["oui", "oui", "oui", "passer"]:
        user.say(answer)
    user.say("Créer la structure publique de la commune de Saint-Martin")
    for answer in ["passer", "passer", "passer"]:
        user.say(answer)
    assert "Avec quel navigateur" in user.say("non")  # not this browser: asked instead
    assert "Navigateur et version : non renseigné" in user.say("passer")
    answer = user.say("valider")
    assert ("Choisissez la catégorie « Gestion des structures et utilisateurs » puis la "
            "sous-catégorie « Demande de création de structure publique »") in answer
    assert stored(stack, reference_in(answer))["libelle_portail"] is True


def test_cancel_keeps_the_draft_and_the_user_resumes_it(stack, sender):
    user = Conversation(stack, sender)
    user.say("je veux écrire au support")
    user.say("Dépôt de factures")
    user.say("Format de fichier refusé")
    user.say("ACME Informatique")
    user.say("passer")  # no SIRET
    answer = user.say("annuler")
    assert "Votre brouillon est conservé sous la référence" in answer
    reference = reference_in(answer)
    draft = stored(stack, reference)
    assert (draft["status"], draft["structure"], draft["sous_categorie"]) == (
        "brouillon", "ACME Informatique", "format_fichier")

    # Outside the form, the assistant talks normally again.
    assert "je suis Claud.IA" in user.say("bonjour")
    shown = user.say(f"montre-moi la sollicitation {reference}")
    assert f"Voici le brouillon {reference}, qui n'est pas terminé" in shown

    answer = user.say("reprendre ma sollicitation")
    assert "Je reprends votre brouillon" in answer
    assert "Si vous avez un compte Chorus Pro" in answer  # the skipped SIRET is not asked again
    for typed in ["passer", "Paul Martin", "paul.martin@acme.fr", "passer",
                  "Mon fichier Factur-X est refusé au dépôt", "passer", "passer", "passer",
                  "passer"]:
        answer = user.say(typed)
    assert "Voici votre demande" in answer and "Structure émettrice : ACME Informatique" in answer
    answer = user.say("valider")
    assert reference_in(answer) == reference  # the same draft, now complete
    draft = stored(stack, reference)
    assert (draft["status"], draft["nom"], draft["email"], draft["siret"]) == (
        "prete", "Paul Martin", "paul.martin@acme.fr", None)


def test_a_draft_survives_the_end_of_the_session(stack, sender):
    user = Conversation(stack, sender)
    user.say("je veux écrire au support")
    user.say("Raccordement EDI ou API")
    user.say("API et PISTE")
    user.say("Éditeur Logiciel SA")
    reference = reference_in(user.say("annuler"))
    user.say("/session_start")  # a new session: the slots are empty again
    assert user.slot("sollicitation_structure") is None
    answer = user.say("reprendre ma sollicitation")
    assert "Je reprends votre brouillon" in answer
    assert user.slot("sollicitation_structure") == "Éditeur Logiciel SA"
    assert user.slot("sollicitation_reference") == reference

    answer = user.say("recommencer")
    assert "je repars d'un brouillon vide" in answer and "Compte et connexion" in user.buttons()
    assert stored(stack, reference)["status"] == "abandonnee"
    assert "j'arrête là ; aucune information" in user.say("annuler")


@pytest.mark.parametrize(
    "hostile",
    [
        "Robert'); DROP TABLE sollicitations;--",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "Ça ne marche pas 😡🔥👍 — « vraiment » ‘pas’ ✓",
        "%s %d {0} {texte} ${HOME} \\n \\x00",
        "Facture 2020[1] {sollicitation_resume} {{0[texte]}}",
    ],
)
def test_hostile_text_is_stored_verbatim(stack, sender, hostile):
    user = Conversation(stack, sender)
    user.say("je veux écrire au support")
    user.say("Autre demande")
    user.say("Autre question sur l'utilisation du portail")
    user.say(hostile)  # structure
    user.say("passer")  # siret
    user.say("passer")  # identifiant
    user.say(hostile)  # nom
    user.say("test@exemple.fr")
    user.say("passer")  # telephone
    user.say(hostile)  # description
    user.say("passer")  # references
    user.say(hostile)  # etapes
    user.say(hostile)  # message d'erreur
    summary = user.say("passer")  # navigateur
    assert f"Structure émettrice : {hostile}" in summary.replace("\u200b", "")
    reference = reference_in(user.say("valider"))
    draft = stored(stack, reference)
    for field in ["structure", "nom", "description", "etapes", "message_erreur"]:
        assert draft[field] == hostile, field
    assert hostile in stored_text(stack, reference)
    assert hostile in user.say(f"afficher la sollicitation {reference}").replace("\u200b", "")


def test_too_long_or_unstorable_text_is_refused_with_a_message_and_nothing_is_lost(stack, sender):
    user = Conversation(stack, sender)
    user.say("je veux écrire au support")
    user.say("Autre demande")
    user.say("Autre question sur l'utilisation du portail")
    for typed in ["Structure Test", "passer", "passer", "Jean Test", "jean@test.fr", "passer"]:
        user.say(typed)
    answer = user.say("x" * 600)
    assert "trop longue (600 caractères) : 500 caractères au maximum" in answer
    assert "Décrivez votre problème" in answer  # asked again
    # Over what any message may hold: refused by the channel, the form waits for the answer.
    status, refusal = refused_by_channel(stack, sender, "x" * 10_000)
    assert status == 400 and "moins de 5000 caractères" in refusal
    assert "trop courte" in user.say("bug")
    user.say("Le portail affiche une page blanche")
    user.say("passer")  # references
    long_steps = "étape " * 800  # 4 800 characters: accepted, verbatim
    user.say(long_steps)
    status, refusal = refused_by_channel(stack, sender, "erreur \x1b[31m rouge")
    assert status == 400 and "ne peuvent pas être enregistrés" in refusal
    summary = user.say("Erreur 500")
    summary = user.say("passer")
    assert "Structure émettrice : Structure Test" in summary  # kept through the refusals
    reference = reference_in(user.say("valider"))
    draft = stored(stack, reference)
    assert draft["etapes"] == long_steps.strip()
    assert (draft["structure"], draft["message_erreur"]) == ("Structure Test", "Erreur 500")


def test_drafts_of_other_users_are_not_shown(stack, sender):
    owner = Conversation(stack, sender)
    owner.say("je veux écrire au support")
    owner.say("Compte et connexion")
    owner.say("Création de compte")
    owner.say("Secret SARL")
    reference = reference_in(owner.say("annuler"))
    other = Conversation(stack, f"{sender}-autre")
    answer = other.say(f"afficher la sollicitation {reference}")
    assert f"Je ne trouve pas de demande {reference}" in answer
    assert "Secret SARL" not in answer
    assert "la forme SOL-2026-000123" in other.say("afficher la sollicitation SOL-2026-999999")


def test_the_website_metadata_is_no_proof_of_identity_for_reading_a_draft(stack, sender):
    owner = Conversation(stack, sender, LOGGED_IN)
    owner.say("je veux écrire au support")
    owner.say("Compte et connexion")
    owner.say("Création de compte")
    reference = reference_in(owner.say("annuler"))
    assert stored(stack, reference)["compte_identifiant"] == "jeanne.durand@menuiserie-durand.fr"
    # Another conversation claiming the same login (metadata is sent by the browser) sees nothing.
    again = Conversation(stack, f"{sender}-2", LOGGED_IN)
    assert f"Je ne trouve pas de demande {reference}" in again.say(f"afficher la sollicitation {reference}")
    assert f"Voici le brouillon {reference}" in owner.say(f"afficher la sollicitation {reference}")


def test_cli_usage_errors(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.db'}"}
    script = [sys.executable, str(ROOT / "scripts" / "sollicitation.py")]
    assert subprocess.run(script, capture_output=True, env=env).returncode == 2
    result = subprocess.run([*script, "show", "SOL-2026-000001"], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "no draft with reference SOL-2026-000001" in result.stderr
