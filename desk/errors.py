"""What the desk says when a request cannot be served: one table of (HTTP status, French text)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from assistance.handoffs import MAX_MESSAGE_LENGTH

ERRORS: dict[str, tuple[int, str]] = {
    "non_authentifie": (401, "Connectez-vous pour accéder à la console des conseillers."),
    "conseiller_requis": (
        403, "Indiquez le conseiller qui agit : en-tête X-Conseiller avec son identifiant.",
    ),
    "introuvable": (404, "Cette conversation n'existe pas."),
    "deja_pris": (409, "Cette conversation a déjà été prise en charge par {nom}."),
    "plus_en_attente": (409, "Cette conversation n'est plus en attente."),
    "pas_en_cours": (409, "Cette conversation n'est pas en cours : elle est peut-être déjà clôturée."),
    "autre_conseiller": (403, "Cette conversation est prise en charge par {nom}."),
    "message_vide": (400, "Écrivez un message avant de l'envoyer."),
    "message_trop_long": (
        400, f"Votre message est trop long : {MAX_MESSAGE_LENGTH} caractères au maximum.",
    ),
    "cle_invalide": (
        400,
        "L'en-tête Idempotency-Key doit compter de 8 à 64 lettres, chiffres, « - », « _ », « . » ou « : ».",
    ),
    "json_requis": (415, "Envoyez la requête au format JSON (Content-Type: application/json)."),
    "json_invalide": (400, "Le corps de la requête doit être un objet JSON."),
    "sollicitation_introuvable": (404, "Aucune sollicitation ne porte cette référence."),
    "base_indisponible": (503, "La base de données ne répond pas : réessayez dans un instant."),
    "jeton_requis": (
        403, "L'effacement d'une conversation se fait avec le jeton de l'API "
        "(en-tête Authorization: Bearer), pas depuis la console.",
    ),
    "conversation_invalide": (400, "Indiquez l'identifiant de la conversation (255 caractères au plus)."),
    "effacement_impossible": (
        503, "La base des conversations du serveur Rasa n'est pas configurée : rien n'a été effacé.",
    ),
    # Roles (conf/advisors.yml)
    "role_conseiller_requis": (403, "Cette page est réservée aux conseillers du chat."),
    "formateur_requis": (403, "L'espace Formation est réservé aux formateurs."),
    # The trainers' workbench (assistance/training/errors.py)
    "parametre_invalide": (400, "Paramètre invalide : {detail}."),
    "intention_inconnue": (400, "Cette intention ou ce sujet n'existe pas dans les données : {intent}."),
    "phrase_du_jeu_de_test": (
        409, "Cette phrase fait partie du jeu de test ({file}) : elle ne peut pas servir à l'entraînement.",
    ),
    "phrase_d_entrainement": (
        409, "Cette phrase est déjà dans les données d'entraînement ({file}) : pas dans le jeu de test.",
    ),
    "autre_intention": (409, "Cette phrase est déjà enseignée sous « {intent} » ({file})."),
    "donnees_personnelles": (
        400, "Cette phrase contient une donnée personnelle ({found}) : réécrivez-la sans elle.",
    ),
    "texte_invalide": (400, "Ce texte ne peut pas être enregistré (vide, trop long, ou avec « [..](..) »)."),
    "reponse_introuvable": (404, "Cette réponse n'existe pas dans les données : {response}."),
    "reponse_modifiee": (409, "Cette réponse a été modifiée entre-temps : rechargez-la avant de l'éditer."),
    "donnees_absentes": (
        409, "Les fichiers d'entraînement ne sont pas sur ce serveur : exportez les décisions en YAML.",
    ),
    "action_inconnue": (400, "Décision inconnue."),
    "prediction_absente": (400, "L'assistante n'a rien compris ici : choisissez le bon sujet."),
    "vote_introuvable": (404, "Cet avis négatif n'existe pas."),
    "etat_inconnu": (400, "État de revue inconnu."),
    "motif_inconnu": (400, "Motif inconnu."),
    "entrainement_en_cours": (409, "Un entraînement est déjà en cours : attendez qu'il se termine."),
    "entrainement_introuvable": (404, "Cet entraînement n'existe pas."),
    "porte_non_franchie": (
        409, "Ce modèle n'a pas passé le contrôle de qualité : il ne peut pas être mis en service.",
    ),
    "modele_introuvable": (404, "Le fichier du modèle n'existe plus."),
    "aucun_modele_precedent": (409, "Aucun modèle précédent à remettre en service."),
    "rasa_injoignable": (502, "Le serveur Rasa n'a pas chargé le modèle : {detail}"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def error(code: str, **values: Any) -> web.Response:
    status, message = ERRORS[code]
    return web.json_response({"error": code, "message": message.format_map(_Blank(values))}, status=status)
