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
}


def error(code: str, **values: Any) -> web.Response:
    status, message = ERRORS[code]
    return web.json_response({"error": code, "message": message.format(**values)}, status=status)
