// Demo page: plays the portal's part, i.e. tells the widget who the user is.
(function () {
  "use strict";

  var KEY = "claudia.demo.utilisateur";
  var EXEMPLES = {
    fournisseur: { identifiant: "jean.martin@exemple-sarl.fr", structure: "Exemple SARL", siret: "12345678200101" },
    structure_publique: { identifiant: "marie.durand@mairie-exemple.fr", structure: "Mairie d'Exemple", siret: "98765432400100" },
    prestataire_justice: { identifiant: "paul.bernard@expert-exemple.fr", structure: "Paul Bernard, expert judiciaire", siret: "55544433000107" },
    agriculteur: { identifiant: "claire.petit@ferme-exemple.fr", structure: "EARL de l'Exemple", siret: "11122233700102" },
  };
  var NOMS = {
    fournisseur: "fournisseur",
    structure_publique: "structure publique",
    prestataire_justice: "prestataire de justice",
    agriculteur: "agriculteur",
  };

  var form = document.getElementById("profil-formulaire");
  var connecte = document.getElementById("connecte");
  var identite = document.getElementById("identite");
  var etat = document.getElementById("profil-etat");

  function load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || null;
    } catch (e) {
      return null;
    }
  }

  function fill(user) {
    connecte.checked = !!user.connecte;
    form.querySelector('input[name="profil"][value="' + user.profil + '"]').checked = true;
    ["identifiant", "structure", "siret"].forEach(function (name) {
      document.getElementById(name).value = user[name] || "";
    });
    identite.disabled = !user.connecte;
  }

  function read() {
    var profil = form.querySelector('input[name="profil"]:checked').value;
    return {
      connecte: connecte.checked,
      profil: profil,
      identifiant: document.getElementById("identifiant").value,
      structure: document.getElementById("structure").value,
      siret: document.getElementById("siret").value,
    };
  }

  function describe(user) {
    etat.textContent = "Profil : " + NOMS[user.profil] + (user.connecte ? ", connecté." : ", non connecté.");
  }

  var user = load();
  if (!user || !EXEMPLES[user.profil]) {
    user = Object.assign({ connecte: false, profil: "fournisseur" }, EXEMPLES.fournisseur);
  }
  fill(user);
  describe(user);

  var config = window.CLAUDIA_DEMO || {};
  var widget = window.ClaudIA.init({
    serverUrl: config.serverUrl || location.protocol + "//" + location.hostname + ":" + (config.rasaPort || 5005),
    launcher: "#aide",
    user: user,
  });

  form.addEventListener("change", function (event) {
    if (event.target.name === "profil") {
      // Another profile: its own sample identity.
      var exemple = EXEMPLES[event.target.value];
      ["identifiant", "structure", "siret"].forEach(function (name) {
        document.getElementById(name).value = exemple[name];
      });
    }
    var next = read();
    identite.disabled = !next.connecte;
    localStorage.setItem(KEY, JSON.stringify(next));
    describe(next);
    widget.setUser(next); // new metadata: the widget starts a new conversation
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
})();
