// Advisor desk page: lists handoffs, shows one, takes it, chats, closes it. The desk pushes a
// short event (server-sent events, /api/evenements) whenever a handoff or its messages change;
// the page then reads what it shows from the JSON API. No polling.
// Every text coming from users or advisors is inserted with textContent: it never runs as HTML.
"use strict";

const ENDED_SHOWN = 10;
const CLOCK_MS = 15000; // waiting times shown are brought up to date locally

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

const state = { me: null, handoffs: [], lists: null, fetchedAt: 0, selectedId: null, lastMessageId: 0, detail: null, draft: null };

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

function elapsed(handoff) {
  const since = handoff.status === "en_attente" ? (Date.now() - state.fetchedAt) / 1000 : 0;
  return handoff.waiting_seconds + Math.max(0, Math.round(since));
}

function renderLists(data) {
  state.lists = data;
  state.handoffs = data.handoffs;
  const waiting = data.handoffs.filter((h) => h.status === "en_attente");
  const mine = data.handoffs.filter((h) => h.status === "en_cours" && h.advisor && state.me && h.advisor.login === state.me.login);
  const others = data.handoffs.filter((h) => h.status === "en_cours" && !mine.includes(h));
  $("nb-attente").textContent = String(waiting.length);
  const estimate = data.queue.estimated_wait_seconds;
  $("estimation").textContent = estimate === null ? "" : `Attente estimée pour un nouvel arrivant : ${duree(estimate)}`;
  renderList("liste-attente", waiting, (h) => `Position ${h.position} · attend depuis ${duree(elapsed(h))}`);
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
  // The profile comes from the user's browser: declared, never verified by the portal.
  const declared = (value) => (value ? `${value} (déclaré, non vérifié)` : "—");
  const rows = [
    ["Motif", MOTIFS[handoff.motif] || handoff.motif || "—"],
    ["Profil", PROFILS[handoff.profil] ? declared(PROFILS[handoff.profil]) : "Non renseigné"],
    ["Connecté à Chorus Pro", declared(context.connecte ? "Oui" : "Non")],
    ["Identifiant", declared(context.identifiant)],
    ["Structure", declared(context.structure)],
    ["SIRET", declared(context.siret)],
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
    const data = await api("/api/handoffs");
    state.fetchedAt = Date.now();
    renderLists(data);
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

function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function send(event) {
  event.preventDefault();
  const field = $("message");
  const text = field.value.trim();
  if (!text) {
    showError("Écrivez un message avant de l'envoyer.");
    return;
  }
  // One key per message: sending it again after a failure (a retry) cannot duplicate it.
  if (!state.draft || state.draft.text !== text) state.draft = { text, key: randomKey() };
  const data = await act(`/api/handoffs/${state.selectedId}/messages`, { text, client_id: state.draft.key });
  if (data) {
    field.value = "";
    state.draft = null;
    await refreshDetail();
  }
  field.focus();
}

async function start() {
  try {
    state.me = await api("/api/moi");
    $("moi").textContent = state.me.name || state.me.login || "—";
    $("lien-formation").hidden = !(state.me.roles || []).includes("formateur");
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
  listen();
  setInterval(() => state.lists && renderLists(state.lists), CLOCK_MS);
}

// One refresh for a burst of events; after a reconnection, a refresh catches up.
function listen() {
  let pending = null;
  const refresh = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      refreshLists();
      refreshDetail();
      refreshEnded();
    }, 100);
  };
  const source = new EventSource("/api/evenements");
  source.onmessage = refresh;
  source.onopen = refresh;
}

document.addEventListener("DOMContentLoaded", start);
