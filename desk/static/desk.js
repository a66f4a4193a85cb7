// Advisor desk page: lists handoffs, shows one, takes it, chats, closes it. Polls the JSON API.
// Every text coming from users or advisors is inserted with textContent: it never runs as HTML.
"use strict";

const POLL_MS = 2000;
const ENDED_POLL_MS = 10000;
const ENDED_SHOWN = 10;

const MOTIFS = {
  incompris: "Incompréhensions répétées",
  vote_negatif: "Réponse jugée inutile (vote négatif)",
  demande_directe: "Demande directe d'un conseiller",
};
const PROFILS = {
  fournisseur: "Fournisseur",
  structure_publique: "Structure publique",
  prestataire_justice: "Prestataire de justice",
  agriculteur: "Agriculteur",
};
const STATUTS = {
  en_attente: "En attente",
  en_cours: "En cours",
  cloturee: "Clôturée",
  abandonnee: "Abandonnée (personne ne l'a prise à temps)",
};

const state = { me: null, handoffs: [], selectedId: null, lastMessageId: 0, detail: null };

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function duree(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return "moins d'une minute";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")}`;
}

function showError(message) {
  const box = $("alerte");
  box.textContent = message || "";
  box.hidden = !message;
}

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: {} };
  if (options.body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    window.location.assign("/connexion");
    throw new Error("session expirée");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(data.message || "La console ne répond pas comme prévu : réessayez.");
  }
  return data;
}

function label(handoff) {
  return `${PROFILS[handoff.profil] || "Profil non renseigné"} — ${MOTIFS[handoff.motif] || "Motif inconnu"}`;
}

function renderList(listId, handoffs, secondLine) {
  const list = $(listId);
  list.replaceChildren();
  if (!handoffs.length) {
    list.append(el("li", "Aucune conversation.", "discret"));
    return;
  }
  for (const handoff of handoffs) {
    const item = el("li");
    const button = el("button");
    button.type = "button";
    button.append(el("span", label(handoff)), el("span", secondLine(handoff), "ligne2"));
    if (handoff.id === state.selectedId) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => select(handoff.id));
    item.append(button);
    list.append(item);
  }
}

function renderLists(data) {
  state.handoffs = data.handoffs;
  const waiting = data.handoffs.filter((h) => h.status === "en_attente");
  const mine = data.handoffs.filter((h) => h.status === "en_cours" && h.advisor && state.me && h.advisor.login === state.me.login);
  const others = data.handoffs.filter((h) => h.status === "en_cours" && !mine.includes(h));
  $("nb-attente").textContent = String(waiting.length);
  const estimate = data.queue.estimated_wait_seconds;
  $("estimation").textContent = estimate === null ? "" : `Attente estimée pour un nouvel arrivant : ${duree(estimate)}`;
  renderList("liste-attente", waiting, (h) => `Position ${h.position} · attend depuis ${duree(h.waiting_seconds)}`);
  renderList("liste-miennes", mine, (h) => `Prise en charge · attente initiale ${duree(h.waiting_seconds)}`);
  renderList("liste-autres", others, (h) => `Avec ${h.advisor ? h.advisor.name : "un conseiller"}`);
}

// A button the user pressed arrives as its payload (« /affirmer »): say so rather than show code.
function readable(author, text) {
  const payload = author === "utilisateur" && /^\/([A-Za-z_]+)/.exec(text || "");
  return payload ? `(bouton choisi : ${payload[1].replace(/_/g, " ")})` : text;
}

function renderEntry(list, entry) {
  const item = el("li", null, entry.auteur || entry.author);
  const author = entry.auteur || entry.author;
  const name = author === "conseiller" && state.detail && state.detail.advisor ? state.detail.advisor.name : (state.me && state.me.author_labels && state.me.author_labels[author]) || author;
  item.append(el("span", name, "auteur"), el("span", readable(author, entry.texte ?? entry.text)));
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function renderDetail(handoff) {
  state.detail = handoff;
  $("aucune").hidden = true;
  $("conversation").hidden = false;
  $("titre").textContent = `Conversation n° ${handoff.id} — ${STATUTS[handoff.status] || handoff.status}`;
  const infos = $("infos");
  infos.replaceChildren();
  const context = handoff.context || {};
  const rows = [
    ["Motif", MOTIFS[handoff.motif] || handoff.motif || "—"],
    ["Profil", PROFILS[handoff.profil] || "Non renseigné"],
    ["Connecté à Chorus Pro", context.connecte ? "Oui" : "Non"],
    ["Identifiant", context.identifiant || "—"],
    ["Structure", context.structure || "—"],
    ["SIRET", context.siret || "—"],
    ["Navigateur", context.navigateur || "—"],
    ["Attente", duree(handoff.waiting_seconds)],
    ["Conseiller", handoff.advisor ? handoff.advisor.name : "—"],
  ];
  for (const [term, value] of rows) infos.append(el("dt", term), el("dd", value));
  const before = $("avant");
  before.replaceChildren();
  for (const entry of handoff.transcript || []) renderEntry(before, entry);
  if (!(handoff.transcript || []).length) before.append(el("li", "Aucun échange.", "discret"));
  const exchange = $("echange");
  exchange.replaceChildren();
  state.lastMessageId = 0;
  for (const message of handoff.messages || []) {
    renderEntry(exchange, message);
    state.lastMessageId = Math.max(state.lastMessageId, message.id);
  }
  refreshButtons();
}

function refreshButtons() {
  const handoff = state.detail;
  if (!handoff) return;
  const mine = handoff.status === "en_cours" && handoff.advisor && state.me && handoff.advisor.login === state.me.login;
  $("prendre").hidden = handoff.status !== "en_attente";
  $("cloturer").hidden = !mine;
  $("saisie").hidden = !mine;
}

async function select(id) {
  state.selectedId = id;
  showError("");
  try {
    renderDetail(await api(`/api/handoffs/${id}`));
  } catch (error) {
    showError(error.message);
  }
  refreshLists();
}

async function refreshLists() {
  try {
    renderLists(await api("/api/handoffs"));
  } catch (error) {
    showError(error.message);
  }
}

async function refreshEnded() {
  try {
    const data = await api(`/api/handoffs?status=cloturee,abandonnee&limit=${ENDED_SHOWN}`);
    renderList("liste-terminees", data.handoffs.slice().reverse(), (h) => STATUTS[h.status] || h.status);
  } catch (error) {
    showError(error.message);
  }
}

async function refreshDetail() {
  if (!state.selectedId || !state.detail) return;
  try {
    const data = await api(`/api/handoffs/${state.selectedId}/messages?after=${state.lastMessageId}`);
    for (const message of data.messages) {
      if (message.id <= state.lastMessageId) continue;
      renderEntry($("echange"), message);
      state.lastMessageId = message.id;
    }
    if (data.status !== state.detail.status) renderDetail(await api(`/api/handoffs/${state.selectedId}`));
  } catch (error) {
    showError(error.message);
  }
}

async function act(path, body) {
  showError("");
  try {
    const data = await api(path, { body });
    if (data.notified === false) {
      showError("Enregistré, mais l'assistant n'a pas pu prévenir l'usager tout de suite : il le verra à son prochain message.");
    }
    return data;
  } catch (error) {
    showError(error.message);
    return null;
  }
}

async function send(event) {
  event.preventDefault();
  const field = $("message");
  const text = field.value.trim();
  if (!text) {
    showError("Écrivez un message avant de l'envoyer.");
    return;
  }
  const data = await act(`/api/handoffs/${state.selectedId}/messages`, { text });
  if (data) {
    field.value = "";
    await refreshDetail();
  }
  field.focus();
}

async function start() {
  try {
    state.me = await api("/api/moi");
    $("moi").textContent = state.me.name || state.me.login || "—";
  } catch (error) {
    showError(error.message);
  }
  $("prendre").addEventListener("click", async () => {
    if (await act(`/api/handoffs/${state.selectedId}/take`, {})) await select(state.selectedId);
  });
  $("cloturer").addEventListener("click", async () => {
    if (!window.confirm("Clôturer la conversation ? L'usager retrouvera l'assistante Claud.IA.")) return;
    if (await act(`/api/handoffs/${state.selectedId}/close`, {})) {
      await select(state.selectedId);
      await refreshEnded();
    }
  });
  $("saisie").addEventListener("submit", send);
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) send(event);
  });
  await refreshLists();
  await refreshEnded();
  setInterval(() => {
    refreshLists();
    refreshDetail();
  }, POLL_MS);
  setInterval(refreshEnded, ENDED_POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
