// Claud.IA chat window. Any page embeds it with:
//
//   <link rel="stylesheet" href="/widget/claudia-widget.css">
//   <script src="/widget/claudia-widget.js"></script>
//   <script>
//     ClaudIA.init({
//       serverUrl: "https://assistant.example.fr",     // the Rasa server (socket.io channel)
//       launcher: "#aide",                              // optional: the page's own "help" button
//       user: { connecte: true, profil: "fournisseur",  // fournisseur | structure_publique |
//               identifiant: "jean@exemple.fr",         //   prestataire_justice | agriculteur
//               structure: "Exemple SARL", siret: "73282932000074" },
//     });
//   </script>
//
// Every message carries the metadata {utilisateur: user, user_agent: navigator.userAgent};
// Rasa passes the first one of a session to action_session_start (actions/profile.py).
// Text from the user, the assistant or an advisor is only ever set with textContent.
//
// The conversation is kept in sessionStorage (this tab, until it is closed) and for an hour of
// inactivity at most: the next visitor of a shared computer never gets it back. « Effacer la
// conversation » empties the window and starts a new conversation at once.

import { io } from "socket.io-client";

const STORAGE_KEY = "claudia.conversation";
// Rasa's session_expiration_time (domain/_shared.yml): after an hour of silence, start afresh.
const CONVERSATION_TTL_MS = 60 * 60 * 1000;
const MAX_ELEMENTS = 300;
// The longest answer the assistant accepts (a written request's « étapes », actions/validation.py).
const MAX_MESSAGE_LENGTH = 5000;
const NO_ANSWER_MS = 45000;
const VOTES = { "/vote_positif": "positif", "/vote_negatif": "negatif" };
const GREETING_PAYLOAD = "/saluer";

const TEXTES = {
  titre: "Claud.IA",
  sousTitreAssistante: "L'assistante de Chorus Pro vous répond",
  sousTitreAttente: "En attente d'un conseiller…",
  sousTitreConseiller: (nom) => (nom ? `Vous échangez avec ${nom}, conseiller du support` : "Vous échangez avec un conseiller du support"),
  fenetre: "Discussion avec Claud.IA, l'assistante de Chorus Pro",
  fermer: "Fermer la fenêtre de discussion",
  effacer: "Effacer la conversation",
  effacerAide: "Efface la conversation de ce navigateur et en commence une nouvelle",
  journal: "Conversation",
  champ: "Votre question",
  placeholder: "Écrivez votre question…",
  placeholderConseiller: "Écrivez votre message au conseiller…",
  aideChamp: "Entrée pour envoyer, Maj + Entrée pour aller à la ligne.",
  envoyer: "Envoyer",
  vous: "Vous",
  assistante: "Claud.IA",
  conseiller: (nom) => (nom ? `${nom}, conseiller du support` : "Conseiller du support"),
  ecrit: "Claud.IA écrit…",
  reponsesProposees: "Réponses proposées",
  voteGroupe: "Cette réponse vous a-t-elle aidé ?",
  votePositif: "Oui, cette réponse m'a aidé",
  voteNegatif: "Non, cette réponse ne m'a pas aidé",
  voteEnregistre: "Avis donné",
  voteInactif: "Vous pouvez évaluer la dernière réponse seulement",
  attente: "Demande transmise à un conseiller",
  rejoint: (nom) => (nom ? `${nom}, un conseiller, a rejoint la conversation` : "Un conseiller a rejoint la conversation"),
  parti: "Vous êtes de retour avec l'assistante",
  connexionPerdue: "Connexion au service perdue : nouvelle tentative en cours… Vos messages seront envoyés dès le retour de la connexion.",
  pasDeReponse: "L'assistante ne répond pas pour le moment. Votre message est conservé : réessayez dans quelques instants.",
  tropLong: (n) =>
    `Votre message est trop long (${n.toLocaleString("fr-FR")} caractères) : ${MAX_MESSAGE_LENGTH.toLocaleString("fr-FR")} caractères au maximum. Raccourcissez-le puis envoyez-le de nouveau.`,
  nonLu: "nouveau message",
  nouveauMessage: "Nouveau message de l'assistante",
};

// --- Small helpers -------------------------------------------------------------------------

function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "className") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

const URL_PATTERN = /https?:\/\/[^\s«»"<>]+/g;

// Text as text nodes; web addresses from the assistant become links (http/https only).
function fillText(node, text, withLinks) {
  node.textContent = "";
  const value = String(text ?? "");
  if (!withLinks) {
    node.textContent = value;
    return;
  }
  let last = 0;
  for (const match of value.matchAll(URL_PATTERN)) {
    let address = match[0].replace(/[.,;:!?)]+$/, "");
    const start = match.index;
    let href = null;
    try {
      const url = new URL(address);
      if (url.protocol === "https:" || url.protocol === "http:") href = url.href;
    } catch (_) {
      href = null;
    }
    if (!href) continue;
    node.appendChild(document.createTextNode(value.slice(last, start)));
    node.appendChild(el("a", { href, target: "_blank", rel: "noopener noreferrer", text: address }));
    last = start + address.length;
  }
  node.appendChild(document.createTextNode(value.slice(last)));
}

function normaliseUser(user) {
  const source = user && typeof user === "object" ? user : {};
  const connecte = source.connecte === true;
  const field = (value) => (typeof value === "string" && value.trim() ? value.trim() : null);
  return {
    connecte,
    profil: field(source.profil),
    identifiant: connecte ? field(source.identifiant) : null,
    structure: connecte ? field(source.structure) : null,
    siret: connecte ? field(source.siret) : null,
  };
}

function storage() {
  try {
    // Earlier versions kept the conversation in localStorage, across tabs and browser restarts.
    window.localStorage.removeItem(STORAGE_KEY);
  } catch (_) {
    // blocked storage: nothing was kept there either
  }
  try {
    const probe = "claudia.probe";
    window.sessionStorage.setItem(probe, "1");
    window.sessionStorage.removeItem(probe);
    return window.sessionStorage;
  } catch (_) {
    return null; // private mode or blocked storage: the conversation lives as long as the page
  }
}

function newState(fingerprint) {
  return {
    sessionId: null,
    fingerprint,
    updatedAt: Date.now(),
    open: false,
    mode: "assistante", // "assistante" | "attente" | "conseiller"
    advisorName: null,
    greeted: false,
    nextId: 1,
    elements: [],
    outbox: [], // messages not yet handed to the server: kept across reloads too
    advisorMessages: [], // ids of the advisor messages shown: one shown twice is skipped
  };
}

// --- The widget ----------------------------------------------------------------------------

class ChatWidget {
  constructor(options) {
    if (!options || !options.serverUrl) throw new Error("ClaudIA.init: serverUrl is required");
    this.serverUrl = options.serverUrl;
    this.socketPath = options.socketPath || "/socket.io";
    this.user = normaliseUser(options.user);
    this.store = storage();
    this.socket = null;
    this.sessionConfirmed = false;
    this.nodes = new Map();
    this.noAnswerTimer = null;
    this.state = this.loadState();
    this.buildDom(options);
    this.renderAll();
    // An ongoing conversation (or a message still to send): connect at once.
    if (this.state.sessionId || this.state.outbox.length) this.connect();
    if (this.state.open) this.open({ focus: false });
  }

  // --- State and persistence ---------------------------------------------------------------

  fingerprint() {
    return JSON.stringify(this.user);
  }

  loadState() {
    const fingerprint = this.fingerprint();
    if (!this.store) return newState(fingerprint);
    try {
      const saved = JSON.parse(this.store.getItem(STORAGE_KEY) || "null");
      const fresh = saved && Date.now() - (saved.updatedAt || 0) < CONVERSATION_TTL_MS;
      // Another user, profile or login state: the metadata must start a new Rasa session.
      if (fresh && saved.fingerprint === fingerprint && Array.isArray(saved.elements)) {
        const state = { ...newState(fingerprint), ...saved };
        if (!Array.isArray(state.outbox)) state.outbox = [];
        return state;
      }
    } catch (_) {
      // unreadable storage: start afresh
    }
    return newState(fingerprint);
  }

  save() {
    this.state.updatedAt = Date.now();
    if (this.state.elements.length > MAX_ELEMENTS) {
      this.state.elements = this.state.elements.slice(-MAX_ELEMENTS);
    }
    if (!this.store) return;
    try {
      this.store.setItem(STORAGE_KEY, JSON.stringify(this.state));
    } catch (_) {
      // quota exceeded: the conversation goes on, it just won't survive a reload
    }
  }

  addElement(element) {
    const stored = { id: this.state.nextId++, ...element };
    this.state.elements.push(stored);
    this.save();
    this.renderElement(stored);
    return stored;
  }

  // --- DOM -------------------------------------------------------------------------------

  buildDom(options) {
    const container = options.container
      ? typeof options.container === "string" ? document.querySelector(options.container) : options.container
      : document.body;
    this.launcher = options.launcher
      ? typeof options.launcher === "string" ? document.querySelector(options.launcher) : options.launcher
      : null;
    this.ownLauncher = !this.launcher;
    if (!this.launcher) {
      this.launcher = el("button", { type: "button", className: "claudia-lanceur", text: "Besoin d'aide ? Posez une question" });
      container.appendChild(this.launcher);
    }
    this.launcherLabel = this.launcher.textContent.trim();
    this.launcher.setAttribute("aria-controls", "claudia-fenetre");
    this.launcher.setAttribute("aria-expanded", "false");
    this.onLauncherClick = () => (this.isOpen() ? this.close() : this.open());
    this.launcher.addEventListener("click", this.onLauncherClick);

    this.title = el("h2", { id: "claudia-titre", className: "claudia-titre", text: TEXTES.titre });
    this.subtitle = el("p", { id: "claudia-sous-titre", className: "claudia-sous-titre" });
    this.closeButton = el("button", {
      type: "button", className: "claudia-fermer", "aria-label": TEXTES.fermer, title: TEXTES.fermer,
    }, [el("span", { "aria-hidden": "true", text: "×" })]);
    this.closeButton.addEventListener("click", () => this.close());
    this.clearButton = el("button", {
      type: "button", className: "claudia-effacer", text: TEXTES.effacer, title: TEXTES.effacerAide,
    });
    this.clearButton.addEventListener("click", () => this.clearConversation());

    this.status = el("p", { className: "claudia-etat", role: "status", hidden: true });
    this.log = el("div", {
      className: "claudia-journal", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": TEXTES.journal, tabindex: "0",
    });
    this.typing = el("div", { className: "claudia-ecrit", role: "status", hidden: true }, [
      el("span", { className: "claudia-sr", text: TEXTES.ecrit }),
      el("span", { className: "claudia-points", "aria-hidden": "true" }, [el("i"), el("i"), el("i")]),
    ]);
    this.error = el("p", { id: "claudia-erreur", className: "claudia-erreur", role: "alert", hidden: true });

    this.input = el("textarea", {
      id: "claudia-champ", className: "claudia-champ", rows: "2", placeholder: TEXTES.placeholder,
      "aria-describedby": "claudia-aide-champ", autocomplete: "off",
    });
    const form = el("form", { className: "claudia-formulaire", novalidate: true }, [
      el("label", { for: "claudia-champ", className: "claudia-sr", text: TEXTES.champ }),
      el("span", { id: "claudia-aide-champ", className: "claudia-sr", text: TEXTES.aideChamp }),
      this.input,
      el("button", { type: "submit", className: "claudia-envoyer", text: TEXTES.envoyer }),
    ]);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submitInput();
      }
    });

    this.window = el("section", {
      id: "claudia-fenetre", className: "claudia-fenetre", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "claudia-titre", "aria-describedby": "claudia-sous-titre", hidden: true,
    }, [
      el("header", { className: "claudia-entete" }, [
        el("div", { className: "claudia-entete-textes" }, [this.title, this.subtitle]),
        this.clearButton,
        this.closeButton,
      ]),
      this.status,
      this.log,
      this.typing,
      this.error,
      form,
    ]);
    this.window.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    container.appendChild(this.window);
    this.renderMode();
  }

  renderMode() {
    const { mode, advisorName } = this.state;
    this.window.classList.toggle("claudia-mode-conseiller", mode === "conseiller");
    this.input.placeholder = mode === "conseiller" ? TEXTES.placeholderConseiller : TEXTES.placeholder;
    if (mode === "conseiller") this.subtitle.textContent = TEXTES.sousTitreConseiller(advisorName);
    else if (mode === "attente") this.subtitle.textContent = TEXTES.sousTitreAttente;
    else this.subtitle.textContent = TEXTES.sousTitreAssistante;
  }

  renderAll() {
    this.log.textContent = "";
    this.nodes.clear();
    for (const element of this.state.elements) this.renderElement(element);
  }

  renderElement(element) {
    let node;
    if (element.type === "utilisateur") node = this.renderUserMessage(element);
    else if (element.type === "bot") node = this.renderBotMessage(element);
    else if (element.type === "conseiller") node = this.renderAdvisorMessage(element);
    else if (element.type === "evenement") node = this.renderEvent(element);
    else return;
    node.dataset.id = String(element.id);
    this.nodes.set(element.id, node);
    this.log.appendChild(node);
    this.scrollToEnd();
  }

  author(text, visible) {
    return el("span", { className: visible ? "claudia-auteur" : "claudia-auteur claudia-sr", text: `${text} :` });
  }

  renderUserMessage(element) {
    const text = el("p", { className: "claudia-texte" });
    fillText(text, element.texte, false);
    return el("div", { className: "claudia-message claudia-message--utilisateur" }, [this.author(TEXTES.vous, false), text]);
  }

  renderAdvisorMessage(element) {
    const text = el("p", { className: "claudia-texte" });
    fillText(text, element.texte, false);
    return el("div", { className: "claudia-message claudia-message--conseiller" }, [
      this.author(TEXTES.conseiller(element.nom), true), text,
    ]);
  }

  renderEvent(element) {
    const headings = { attente: TEXTES.attente, rejoint: TEXTES.rejoint(element.nom), parti: TEXTES.parti };
    const heading = headings[element.evenement] || "";
    const children = [el("strong", { className: "claudia-bandeau-titre", text: heading })];
    if (element.texte && element.texte.trim() !== heading) {
      const detail = el("span", { className: "claudia-bandeau-texte" });
      fillText(detail, element.texte, true);
      children.push(detail);
    }
    return el("div", {
      className: `claudia-bandeau claudia-bandeau--${element.evenement}`, role: "note",
    }, children);
  }

  renderBotMessage(element) {
    const children = [this.author(TEXTES.assistante, false)];
    if (element.texte) {
      const text = el("p", { className: "claudia-texte" });
      fillText(text, element.texte, true);
      children.push(text);
    }
    if (element.boutons && element.boutons.length) {
      const group = el("div", { className: "claudia-reponses-rapides", role: "group", "aria-label": TEXTES.reponsesProposees });
      for (const button of element.boutons) {
        const node = el("button", {
          type: "button", className: "claudia-reponse-rapide", text: button.titre, disabled: !element.boutonsActifs,
        });
        node.addEventListener("click", () => this.chooseQuickReply(element.id, button));
        group.appendChild(node);
      }
      children.push(group);
    }
    if (element.notable) {
      children.push(this.renderVote(element));
    }
    return el("div", { className: "claudia-message claudia-message--bot" }, children);
  }

  renderVote(element) {
    const used = element.vote === "positif" || element.vote === "negatif";
    const inactive = element.vote !== null && element.vote !== undefined;
    const group = el("div", {
      className: "claudia-vote" + (inactive ? " claudia-vote--inactif" : ""), role: "group", "aria-label": TEXTES.voteGroupe,
    });
    for (const [payload, value] of Object.entries(VOTES)) {
      const label = value === "positif" ? TEXTES.votePositif : TEXTES.voteNegatif;
      const button = el("button", {
        type: "button",
        className: `claudia-vote-bouton claudia-vote-bouton--${value}`,
        "aria-label": label,
        title: inactive ? (used ? TEXTES.voteEnregistre : TEXTES.voteInactif) : label,
        "aria-pressed": element.vote === value ? "true" : "false",
        "data-vote": value,
        disabled: inactive,
      }, [el("span", { "aria-hidden": "true", text: value === "positif" ? "👍" : "👎" })]);
      button.addEventListener("click", () => this.vote(element.id, payload, value));
      group.appendChild(button);
    }
    return group;
  }

  refreshElement(element) {
    const old = this.nodes.get(element.id);
    if (!old) return;
    // Update controls in place: replacing the node would make screen readers read it again.
    const fresh = this.renderBotMessage(element);
    const oldControls = old.querySelectorAll(".claudia-reponses-rapides, .claudia-vote");
    const newControls = fresh.querySelectorAll(".claudia-reponses-rapides, .claudia-vote");
    oldControls.forEach((control, index) => {
      if (newControls[index]) control.replaceWith(newControls[index]);
    });
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  showError(text) {
    this.error.textContent = text || "";
    this.error.hidden = !text;
  }

  setTyping(visible) {
    this.typing.hidden = !visible;
    this.scrollToEnd(); // the indicator takes room from the conversation: keep the end in view
    clearTimeout(this.noAnswerTimer);
    if (visible) {
      this.noAnswerTimer = setTimeout(() => {
        this.typing.hidden = true;
        this.showError(TEXTES.pasDeReponse);
      }, NO_ANSWER_MS);
    }
  }

  markUnread(unread) {
    this.launcher.classList.toggle("claudia-non-lu", unread);
    if (unread) this.launcher.setAttribute("aria-label", `${this.launcherLabel} (${TEXTES.nonLu})`);
    else this.launcher.removeAttribute("aria-label");
  }

  // --- Opening and closing -------------------------------------------------------------------

  isOpen() {
    return !this.window.hidden;
  }

  open({ focus = true } = {}) {
    this.window.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.markUnread(false);
    this.state.open = true;
    this.save();
    this.scrollToEnd();
    this.connect();
    if (!this.state.greeted && this.state.elements.length === 0) {
      this.state.greeted = true;
      this.save();
      this.send(GREETING_PAYLOAD); // the greeting comes from the domain (utter_saluer)
    }
    if (focus) this.input.focus();
  }

  close() {
    this.window.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    this.launcher.focus();
  }

  // --- Talking to Rasa -----------------------------------------------------------------------

  connect() {
    if (this.socket) return;
    this.socket = io(this.serverUrl, { path: this.socketPath, transports: ["websocket", "polling"] });
    this.socket.on("connect", () => {
      this.status.hidden = true;
      this.sessionConfirmed = false;
      // Join the conversation's room again after every (re)connection.
      this.socket.emit("session_request", { session_id: this.state.sessionId });
    });
    this.socket.on("session_confirm", (confirmed) => {
      const id = typeof confirmed === "string" ? confirmed : confirmed && confirmed.session_id;
      if (!id) return;
      this.state.sessionId = id;
      this.sessionConfirmed = true;
      this.save();
      // What the advisor wrote while this window was away (socket down, server restarted).
      this.socket.emit("pending_request", {});
      this.flush();
    });
    // An advisor message asks for an acknowledgement: it is only then counted as delivered.
    this.socket.on("bot_uttered", (message, acknowledge) => {
      this.receive(message);
      if (typeof acknowledge === "function") acknowledge();
    });
    const lost = (reason) => {
      if (reason === "io client disconnect") return; // our own doing (new conversation, destroy)
      this.status.textContent = TEXTES.connexionPerdue;
      this.status.hidden = false;
    };
    this.socket.on("disconnect", lost);
    this.socket.on("connect_error", lost);
  }

  metadata() {
    return { utilisateur: { ...this.user }, user_agent: navigator.userAgent };
  }

  send(message) {
    this.state.outbox.push(message);
    this.save();
    // Only the assistant answers every message at once; an advisor takes their time.
    if (this.state.mode === "assistante") this.setTyping(true);
    this.flush();
  }

  flush() {
    if (!this.socket || !this.socket.connected || !this.sessionConfirmed) return;
    while (this.state.outbox.length) {
      const message = this.state.outbox.shift();
      this.socket.emit("user_uttered", { message, session_id: this.state.sessionId, metadata: this.metadata() });
    }
    this.save();
  }

  disableQuickReplies() {
    for (const element of this.state.elements) {
      if (element.type === "bot" && element.boutonsActifs) {
        element.boutonsActifs = false;
        this.refreshElement(element);
      }
    }
  }

  submitInput() {
    const text = this.input.value.trim();
    if (!text) return;
    if (text.length > MAX_MESSAGE_LENGTH) {
      this.showError(TEXTES.tropLong(text.length)); // the text stays in the field
      this.input.focus();
      return;
    }
    this.showError("");
    this.input.value = "";
    this.disableQuickReplies();
    this.addElement({ type: "utilisateur", texte: text });
    this.send(text);
  }

  chooseQuickReply(elementId, button) {
    const element = this.state.elements.find((e) => e.id === elementId);
    if (!element || !element.boutonsActifs) return;
    this.showError("");
    this.disableQuickReplies();
    this.addElement({ type: "utilisateur", texte: button.titre });
    this.send(button.payload);
    this.input.focus();
  }

  vote(elementId, payload, value) {
    const element = this.state.elements.find((e) => e.id === elementId);
    if (!element || element.vote) return;
    element.vote = value;
    this.save();
    this.refreshElement(element);
    this.showError("");
    this.disableQuickReplies();
    this.send(payload);
    this.input.focus(); // the pressed icon is now disabled: keep the keyboard somewhere useful
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    this.showError("");
    const advisor = message.conseiller && typeof message.conseiller === "object" ? message.conseiller : null;
    if (advisor) {
      this.receiveAdvisorEvent(advisor, message.text);
    } else {
      this.setTyping(false);
      this.receiveBotMessage(message);
    }
    if (!this.isOpen()) this.markUnread(true);
  }

  receiveBotMessage(message) {
    const replies = Array.isArray(message.quick_replies) ? message.quick_replies : Array.isArray(message.buttons) ? message.buttons : [];
    const boutons = [];
    let notable = false;
    for (const reply of replies) {
      if (!reply || typeof reply.payload !== "string") continue;
      if (VOTES[reply.payload]) notable = true;
      else boutons.push({ titre: String(reply.title ?? reply.payload), payload: reply.payload });
    }
    const texte = typeof message.text === "string" ? message.text : "";
    if (!texte && !boutons.length && !notable) return; // nothing a user can see
    if (notable) {
      // A vote applies to the last answer only: earlier answers can no longer be rated.
      for (const element of this.state.elements) {
        if (element.notable && !element.vote) {
          element.vote = "inactif";
          this.refreshElement(element);
        }
      }
    }
    this.addElement({ type: "bot", texte, boutons, boutonsActifs: boutons.length > 0, notable, vote: null });
  }

  receiveAdvisorEvent(advisor, text) {
    const evenement = advisor.evenement;
    const nom = typeof advisor.nom === "string" && advisor.nom.trim() ? advisor.nom.trim() : null;
    const texte = typeof text === "string" ? text : "";
    if (evenement === "message") {
      const seen = this.state.advisorMessages || (this.state.advisorMessages = []);
      if (Number.isInteger(advisor.id)) {
        if (seen.includes(advisor.id)) return; // sent again after a reconnection: already shown
        seen.push(advisor.id);
      }
      this.setTyping(false);
      this.addElement({ type: "conseiller", texte, nom: nom || this.state.advisorName });
      return;
    }
    if (!["attente", "rejoint", "parti"].includes(evenement)) {
      if (texte) this.receiveBotMessage({ text: texte });
      return;
    }
    this.setTyping(false);
    if (evenement === "rejoint") {
      this.state.mode = "conseiller";
      this.state.advisorName = nom;
    } else if (evenement === "parti") {
      this.state.mode = "assistante";
      this.state.advisorName = null;
    } else if (this.state.mode !== "conseiller") {
      this.state.mode = "attente";
    }
    this.renderMode();
    this.addElement({ type: "evenement", evenement, texte, nom });
  }

  // --- Public API ----------------------------------------------------------------------------

  // Forget the conversation and start a new one (another user, profile or login state).
  reset() {
    this.state = newState(this.fingerprint());
    this.sessionConfirmed = false;
    this.setTyping(false);
    this.showError("");
    if (this.store) this.store.removeItem(STORAGE_KEY);
    this.renderMode();
    this.renderAll();
    if (this.socket) {
      this.socket.off();
      this.socket.disconnect();
      this.socket = null;
    }
    this.status.hidden = true;
    if (this.isOpen()) {
      this.state.open = true;
      this.open({ focus: false });
    }
  }

  // « Effacer la conversation »: the window empties and a new conversation (a new session id)
  // starts with a new greeting. What the servers stored follows their retention.
  clearConversation() {
    this.reset();
    if (this.isOpen()) this.input.focus();
  }

  setUser(user) {
    this.user = normaliseUser(user);
    if (this.fingerprint() !== this.state.fingerprint) this.reset();
  }

  destroy() {
    this.launcher.removeEventListener("click", this.onLauncherClick);
    clearTimeout(this.noAnswerTimer);
    if (this.socket) this.socket.disconnect();
    this.window.remove();
    if (this.ownLauncher) this.launcher.remove();
  }
}

let instance = null;

const ClaudIA = {
  init(options) {
    if (instance) instance.destroy();
    instance = new ChatWidget(options);
    return instance;
  },
  get instance() {
    return instance;
  },
};

window.ClaudIA = ClaudIA;
