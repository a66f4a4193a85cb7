"""What the workbench refuses, as codes: the desk maps each to an HTTP status and French text."""

from __future__ import annotations

from typing import Any


class TrainingError(Exception):
    """A request the workbench cannot carry out; `code` says why, `details` what it found.

    Files: intention_inconnue, phrase_du_jeu_de_test, phrase_d_entrainement, autre_intention,
    texte_invalide, donnees_personnelles, reponse_introuvable, reponse_modifiee, donnees_absentes.
    Decisions and reviews: action_inconnue, prediction_absente, vote_introuvable, etat_inconnu,
    motif_inconnu. Runs: entrainement_en_cours, entrainement_introuvable, porte_non_franchie,
    modele_introuvable, aucun_modele_precedent.
    """

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details
