// The « Formation » space of the advisor desk: inbox of real messages, decisions, reviews of 👎
// answers, retrain and compare, dashboard. Talks to /api/formation (desk/openapi.yaml).
// Every text coming from users or trainers is inserted with textContent: it never runs as HTML.
import { Chart, registerables } from "chart.js";

Chart.register(...registerables);

const POLL_MS = 2000;
const KINDS = {
  incompris: "Non compris",
  hors_perimetre: "Hors périmètre",
  vote_negatif: "Réponse notée 👎",
  confiance_faible: "Réponse peu sûre",
  transfert: "Fini avec un conseiller",
  sollicitation: "Fini en sollicitation",
};
const REASONS = {
  sujet_mal_compris: "Mauvais sujet compris",
  reponse_erronee: "Réponse fausse ou périmée",
  reponse_peu_claire: "Réponse peu claire",
  question_non_couverte: "Question non couverte",
};
const STATES = { a_revoir: "À revoir", corrigee: "Corrigée", ne_sera_pas_corrigee: "Ne sera pas corrigée" };
const AUTHORS = { utilisateur: "Utilisateur", assistant: "Claud.IA", conseiller: "Conseiller" };
const FIGURES = {
  intent_accuracy: "Intention juste",
  faq_topic_accuracy: "Sujet de FAQ juste",
  out_of_scope_rate: "Hors périmètre reconnu",
};
const COMPONENTS = {
  SpacyNLP: "chargement de spaCy",
  SpacyTokenizer: "découpage en mots",
  SpacyFeaturizer: "vecteurs spaCy",
  RegexFeaturizer: "expressions régulières",
  LexicalSyntacticFeaturizer: "traits lexicaux",
  CountVectorsFeaturizer: "vocabulaire",
  DIETClassifier: "classifieur d'intentions (DIET)",
  ResponseSelector: "sélecteur de réponses de FAQ",
  RulePolicy: "règles du dialogue",
  MemoizationPolicy: "mémoire des histoires",
  HandoffPolicy: "politique de transfert",
};
const STAGES = ["validation", "entrainement", "evaluation", "termine"];
const RUN_ERRORS = {
  validation_echouee: "rasa data validate a trouvé un problème dans les données (journal ci-dessous)",
  entrainement_echouee: "l'entraînement s'est arrêté (journal ci-dessous)",
  evaluation_echouee: "le contrôle de qualité n'a pas pu évaluer le modèle (journal ci-dessous)",
  interrompu: "la console a redémarré pendant l'entraînement",
};
const RUN_STATUSES = { en_cours: "en cours", reussi: "réussi", echoue: "échoué", interrompu: "interrompu" };

const state = { me: null, intents: [], items: [], run: null, pollTimer: null, charts: {}, reviews: [] };
const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function percent(value) {
  return value === null || value === undefined ? "—" : `${(100 * value).toFixed(1).replace(".", ",")} %`;
}

function day(iso) {
  return new Date(iso).toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
}

function show(id, message) {
  const box = $(id);
  box.textContent = message || "";
  box.hidden = !message;
}

const showError = (message) => show("alerte", message);
const showInfo = (message) => show("info", message);

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
  if (!response.ok) throw new Error(data.message || "L'espace Formation ne répond pas comme prévu : réessayez.");
  return data;
}

function query(form) {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (value) params.append(name, value);
  return params.toString();
}

// --- Tabs -----------------------------------------------------------------------------------

const LOADERS = {
  "panneau-boite": loadInbox,
  "panneau-avis": loadReviews,
  "panneau-entrainement": loadRuns,
  "panneau-tableau": loadDashboard,
  "panneau-decisions": loadDecisions,
};

function selectTab(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  showError("");
  LOADERS[tab.getAttribute("aria-controls")]().catch((error) => showError(error.message));
}

// --- Intents (the « right topic » menus) ------------------------------------------------------

function intentLabel(intent) {
  return intent.startsWith("faq/") ? `FAQ : ${intent.slice(4)}` : intent;
}

function intentOptions(select, { empty, selected } = {}) {
  select.replaceChildren();
  if (empty) select.append(new Option(empty, ""));
  for (const entry of state.intents) {
    const option = new Option(`${intentLabel(entry.intent)} — « ${entry.sample} »`, entry.intent);
    option.selected = entry.intent === selected;
    select.append(option);
  }
}

// --- Inbox ----------------------------------------------------------------------------------

function turns(list, context) {
  const thread = el("ol", null, "fil");
  for (const turn of context) {
    const item = el("li", null, `${turn.author}${turn.current ? " courant" : ""}`);
    item.append(el("span", AUTHORS[turn.author] || turn.author, "auteur"), document.createTextNode(turn.text));
    thread.append(item);
  }
  list.append(thread);
}

function occurrences(item) {
  const details = el("details");
  details.append(el("summary", `Voir le contexte (${item.occurrences.length} sur ${item.count})`));
  for (const occurrence of item.occurrences) {
    const block = el("div");
    const kinds = occurrence.kinds.map((k) => KINDS[k] || k).join(", ");
    block.append(el("p", `${day(occurrence.at)} — ${kinds} — conversation ${occurrence.conversation_id}`, "discret"));
    turns(block, occurrence.context);
    details.append(block);
  }
  if (item.wordings.length > 1) details.append(el("p", `Formulations : ${item.wordings.join(" · ")}`, "discret"));
  return details;
}

async function decide(item, card, action, intent, text) {
  const body = {
    text: text || item.text, action, intent, predicted: item.predicted, confidence: item.confidence,
    members: item.members, kinds: item.kinds, sources: item.sources,
  };
  try {
    const decision = await api("/api/formation/decisions", { body });
    card.remove();
    state.items = state.items.filter((other) => other.key !== item.key);
    $("boite-vide").hidden = state.items.length > 0;
    const where = decision.file ? ` (${decision.file}, ${intentLabel(decision.intent)})` : "";
    const outcome = {
      ecrit: "Enregistré", deja_present: "Déjà présent dans les données, rien d'écrit",
      rien: "Ignoré", sans_depot: "Décision enregistrée : à exporter",
    }[decision.outcome] || decision.outcome;
    showInfo(`« ${decision.text} » : ${outcome}${where}.`);
    showError("");
  } catch (error) {
    showError(error.message);
  }
}

function inboxCard(item) {
  const card = el("li", null, "carte");
  card.dataset.key = item.key;
  card.append(el("p", `« ${item.text} »`, "texte"));
  const meta = el("div", null, "meta");
  meta.append(el("span", `${item.count} fois`, "badge nombre"));
  for (const kind of item.kinds) meta.append(el("span", KINDS[kind] || kind, "badge"));
  const understood = item.predicted && item.predicted !== "nlu_fallback"
    ? `Compris : ${intentLabel(item.predicted)} (${percent(item.confidence)})` : "Rien compris";
  meta.append(el("span", `${understood} · vu le ${day(item.last_seen)}`));
  card.append(meta, occurrences(item));

  const wording = el("input", null, "phrase");
  wording.value = item.text;
  wording.setAttribute("aria-label", "Phrase enseignée (à réécrire si elle contient une donnée personnelle)");
  const sentence = () => wording.value.trim();
  const actions = el("div", null, "actions");
  const canConfirm = item.predicted && item.predicted !== "nlu_fallback";
  const confirm = el("button", canConfirm ? `Confirmer : ${intentLabel(item.predicted)}` : "Confirmer", "secondaire");
  confirm.type = "button";
  confirm.disabled = !canConfirm;
  confirm.addEventListener("click", () => decide(item, card, "confirmer", null, sentence()));
  const select = el("select");
  select.setAttribute("aria-label", `Bon sujet pour « ${item.text} »`);
  intentOptions(select, { empty: "Choisir le bon sujet…" });
  const teach = el("button", "Enseigner ce sujet");
  teach.type = "button";
  teach.addEventListener("click", () => {
    if (!select.value) return showError("Choisissez d'abord le bon sujet dans la liste.");
    decide(item, card, "corriger", select.value, sentence());
  });
  const outOfScope = el("button", "Hors périmètre", "secondaire");
  outOfScope.type = "button";
  outOfScope.addEventListener("click", () => decide(item, card, "hors_perimetre", null, sentence()));
  const ignore = el("button", "Ignorer", "secondaire");
  ignore.type = "button";
  ignore.addEventListener("click", () => decide(item, card, "ignorer"));
  const heldOut = el("button", "Ajouter au jeu de test", "secondaire");
  heldOut.type = "button";
  heldOut.addEventListener("click", () => decide(item, card, "jeu_de_test", select.value || item.predicted, sentence()));
  actions.append(confirm, select, teach, outOfScope, ignore, heldOut);
  const label = el("label", "Phrase enseignée ", "discret");
  label.append(wording);
  card.append(label, actions);
  return card;
}

async function loadInbox() {
  const data = await api(`/api/formation/boite?${query($("filtres-boite"))}`);
  state.items = data.items;
  const list = $("boite");
  list.replaceChildren(...data.items.map(inboxCard));
  $("boite-vide").hidden = data.items.length > 0;
}

// --- Answer reviews ---------------------------------------------------------------------------

async function openEditor(review) {
  const data = await api(`/api/formation/reponses?nom=${encodeURIComponent(review.response)}`);
  const box = $("variations");
  box.replaceChildren();
  $("titre-editeur").textContent = `Modifier la réponse ${review.response}`;
  for (const variation of data.variations) {
    const block = el("div", null, "variation");
    const conditions = variation.conditions.map((c) => `${c.name} = ${c.value}`).join(", ");
    block.append(el("p", `Variation ${variation.index + 1}${conditions ? ` (si ${conditions})` : " (par défaut)"} — ${variation.file}`, "discret"));
    const area = el("textarea");
    area.value = variation.text;
    area.setAttribute("aria-label", `Texte de la variation ${variation.index + 1}`);
    const save = el("button", "Enregistrer cette variation");
    save.type = "button";
    save.addEventListener("click", async () => {
      try {
        const changed = await api("/api/formation/reponses", {
          body: { response: review.response, index: variation.index, text: area.value, expected: variation.text, vote_id: review.vote_id },
        });
        variation.text = changed.text;
        showInfo(`Réponse enregistrée dans ${changed.file}. Elle sera en service après le prochain réentraînement.`);
      } catch (error) {
        showError(error.message);
      }
    });
    block.append(area, save);
    box.append(block);
  }
  $("editeur").showModal();
}

function reviewCard(review) {
  const card = el("li", null, "carte");
  card.append(el("p", `« ${review.question || "(question inconnue)"} »`, "texte"));
  const meta = el("div", null, "meta");
  meta.append(el("span", review.topic ? `FAQ : ${review.topic}` : "Sans sujet", "badge"));
  meta.append(el("span", `${day(review.created_at)} · ${STATES[review.review.state]}`));
  card.append(meta);
  const answer = el("ol", null, "fil");
  for (const text of review.answer) {
    const bubble = el("li", null, "assistant");
    bubble.append(el("span", "Réponse donnée", "auteur"), document.createTextNode(text));
    answer.append(bubble);
  }
  card.append(answer);
  const actions = el("div", null, "actions");
  const reason = el("select");
  reason.setAttribute("aria-label", "Motif");
  reason.append(new Option("Motif…", ""));
  for (const [code, label] of Object.entries(REASONS)) reason.append(new Option(label, code, false, review.review.reason === code));
  const status = el("select");
  status.setAttribute("aria-label", "État");
  for (const [code, label] of Object.entries(STATES)) status.append(new Option(label, code, false, review.review.state === code));
  const note = el("input");
  note.placeholder = "Note (facultative)";
  note.value = review.review.note || "";
  const save = el("button", "Enregistrer l'avis");
  save.type = "button";
  save.addEventListener("click", async () => {
    try {
      await api(`/api/formation/avis/${review.vote_id}`, { body: { reason: reason.value || null, state: status.value, note: note.value } });
      showInfo("Avis enregistré.");
      await loadReviews();
    } catch (error) {
      showError(error.message);
    }
  });
  actions.append(reason, status, note, save);
  if (review.response) {
    const edit = el("button", "Modifier le texte de la réponse", "secondaire");
    edit.type = "button";
    edit.addEventListener("click", () => openEditor(review).catch((error) => showError(error.message)));
    actions.append(edit);
  }
  card.append(actions);
  return card;
}

async function loadReviews() {
  const data = await api(`/api/formation/avis?${query($("filtres-avis"))}`);
  $("avis").replaceChildren(...data.reviews.map(reviewCard));
  $("avis-vide").hidden = data.reviews.length > 0;
}

// --- Retrain and compare ----------------------------------------------------------------------

function cell(row, text, className) {
  row.append(el("td", text, className));
}

function table(node, headers, rows) {
  const caption = node.querySelector("caption");
  node.replaceChildren();
  if (caption) node.append(caption);
  const head = el("tr");
  for (const header of headers) head.append(el("th", header));
  node.append(head);
  for (const values of rows) {
    const row = el("tr");
    for (const value of values) {
      if (value && typeof value === "object") cell(row, value.text, value.className);
      else cell(row, value);
    }
    node.append(row);
  }
}

function delta(before, after) {
  if (before === null || after === null || before === undefined || after === undefined) return { text: "—" };
  const points = 100 * (after - before);
  const text = `${points > 0 ? "+" : ""}${points.toFixed(1).replace(".", ",")} pt`;
  return { text, className: points > 0.05 ? "mieux nombre" : points < -0.05 ? "moins nombre" : "nombre" };
}

function showProgress(run) {
  $("suivi").hidden = false;
  $("suivi-id").textContent = run.id;
  const current = run.status === "reussi" ? STAGES.length : STAGES.indexOf(run.stage);
  for (const step of document.querySelectorAll(".etapes li")) {
    const index = STAGES.indexOf(step.dataset.etape);
    step.className = index < current ? "faite" : index === current && run.status === "en_cours" ? "courante" : "";
  }
  const progress = run.progress || {};
  const bar = $("suivi-epoques");
  let detail = "";
  if (run.status === "en_cours") {
    if (run.stage === "validation") detail = "rasa data validate : domaine, données, histoires…";
    if (run.stage === "entrainement") {
      const component = progress.component ? COMPONENTS[progress.component] || progress.component : "préparation";
      detail = `${run.finetuned ? "Ajustement du modèle en service" : "Entraînement complet"} — ${component}`;
      if (progress.epochs) detail += ` — époque ${progress.epoch} sur ${progress.epochs}`;
    }
    if (run.stage === "evaluation") {
      detail = progress.evaluating === "nouveau_modele" ? "Évaluation du nouveau modèle sur les jeux de test…" : "Évaluation du modèle en service sur les jeux de test…";
    }
  } else if (run.status === "reussi") {
    detail = `Terminé en ${Math.round(run.seconds)} s.`;
  } else {
    detail = `Échec : ${RUN_ERRORS[run.error] || RUN_ERRORS[run.status] || run.error}.`;
  }
  $("suivi-detail").textContent = detail;
  bar.hidden = !(run.status === "en_cours" && progress.epochs);
  if (progress.epochs) {
    bar.max = progress.epochs;
    bar.value = progress.epoch || 0;
  }
  const log = $("suivi-erreur");
  log.hidden = run.status !== "echoue" || !progress.log;
  log.textContent = progress.log || "";
}

function showComparison(run) {
  const report = run.report;
  $("comparaison").hidden = !report;
  if (!report) return;
  const gate = report.gate;
  const verdict = $("porte");
  verdict.className = `porte ${run.gate_passed ? "ok" : "ko"}`;
  verdict.textContent = run.gate_passed
    ? "Contrôle de qualité réussi : ce modèle peut être mis en service."
    : "Contrôle de qualité échoué : ce modèle ne peut pas être mis en service.";
  const rows = [];
  for (const [file, after] of Object.entries(report.after.sets)) {
    const before = report.before.sets[file] || {};
    for (const [figure, label] of Object.entries(FIGURES)) {
      rows.push([file, label, { text: percent(before[figure]), className: "nombre" },
        { text: percent(after[figure]), className: "nombre" }, delta(before[figure], after[figure])]);
    }
  }
  table($("table-globale"), ["Jeu de test", "Mesure", "Avant", "Après", "Écart"], rows);
  const checks = $("porte-details");
  checks.replaceChildren(...gate.checks.map((check) => el("li",
    `${check.passed ? "✓" : "✗"} ${check.file} — ${FIGURES[check.figure]} : ${percent(check.value)} ` +
    (check.rule === "barre" ? `(barre ${percent(check.bar)})`
      : `(barre ${percent(check.bar)} déjà manquée par le modèle en service : pas de recul de plus d'un point sous ${percent(check.before)})`),
  )));
  table($("table-sondes"), ["Phrase", "Sujet enseigné", "Avant", "Après", "Comprise ?"], report.probes.map((probe) => [
    probe.text, intentLabel(probe.intent), probe.before_predicted ? intentLabel(probe.before_predicted) : "—",
    probe.predicted ? intentLabel(probe.predicted) : "—",
    { text: probe.understood ? "✓ oui" : "✗ non", className: probe.understood ? "mieux" : "moins" },
  ]));
  if (!report.probes.length) table($("table-sondes"), ["Phrase"], [["Aucune phrase enseignée depuis la dernière mise en service."]]);
  for (const which of ["avant", "apres"]) {
    $(`matrice-${which}`).src = report.pictures[which] ? `/api/formation/entrainements/${run.id}/matrice-${which}.png` : "";
  }
  const pairs = (list) => list.map((p) => [intentLabel(p.truth), intentLabel(p.predicted), { text: p.count, className: "nombre" }]);
  table($("paires-avant"), ["Attendu", "Compris", "Fois"], pairs(report.before.confused_pairs));
  table($("paires-apres"), ["Attendu", "Compris", "Fois"], pairs(report.after.confused_pairs));
  const topics = [...report.per_intent].sort((a, b) => (a.delta ?? 0) - (b.delta ?? 0));
  table($("table-sujets"), ["Intention ou sujet", "Exemples", "Avant", "Après", "Écart"], topics.map((t) => [
    intentLabel(t.intent), { text: t.examples, className: "nombre" }, { text: percent(t.before), className: "nombre" },
    { text: percent(t.after), className: "nombre" }, delta(t.before, t.after),
  ]));
  const button = $("activer");
  button.disabled = !run.gate_passed;
  button.title = run.gate_passed ? "" : "Le contrôle de qualité a échoué";
  button.onclick = () => activate(run);
}

async function activate(run) {
  const button = $("activer");
  button.disabled = true;
  $("activation").textContent = "Chargement du modèle dans le serveur Rasa… (quelques dizaines de secondes)";
  try {
    const activation = await api(`/api/formation/entrainements/${run.id}/activer`, { body: {} });
    $("activation").textContent = "";
    showInfo(`Modèle ${activation.model} en service (il remplace ${activation.previous_model}).`);
    await loadRuns();
  } catch (error) {
    $("activation").textContent = "";
    button.disabled = false;
    showError(error.message);
  }
}

async function poll(runId) {
  clearTimeout(state.pollTimer);
  const run = await api(`/api/formation/entrainements/${runId}`);
  state.run = run;
  showProgress(run);
  showComparison(run);
  $("lancer").disabled = run.status === "en_cours";
  if (run.status === "en_cours") state.pollTimer = setTimeout(() => poll(runId).catch((e) => showError(e.message)), POLL_MS);
}

async function loadRuns() {
  const data = await api("/api/formation/entrainements");
  $("modele-actif").textContent = data.active_model;
  $("modele-rasa").textContent = data.rasa_reachable
    ? (data.rasa_model === data.active_model ? "(chargé dans Rasa)" : `(Rasa exécute ${data.rasa_model})`)
    : "(serveur Rasa injoignable)";
  const taught = $("enseignees");
  taught.replaceChildren(...data.taught.map((t) => el("li", `« ${t.text} » → ${intentLabel(t.intent)}`)));
  if (!data.taught.length) taught.append(el("li", "Aucune phrase enseignée depuis la dernière mise en service.", "discret"));
  $("restaurer").disabled = !data.activations.length;
  const history = $("historique");
  history.replaceChildren(...data.runs.map((run) => {
    const item = el("li");
    const gate = run.gate_passed === true ? " (contrôle réussi)" : run.gate_passed === false ? " (contrôle échoué)" : "";
    const link = el("button", `n° ${run.id} — ${day(run.started_at)} — ${run.trainer} — ${RUN_STATUSES[run.status] || run.status}${gate}`, "secondaire");
    link.type = "button";
    link.addEventListener("click", () => poll(run.id).catch((e) => showError(e.message)));
    item.append(link);
    return item;
  }));
  const latest = data.runs[0];
  if (latest && (!state.run || state.run.id === latest.id || latest.status === "en_cours")) await poll(latest.id);
  else if (state.run) await poll(state.run.id);
}

async function startRun() {
  try {
    showInfo("");
    const run = await api("/api/formation/entrainements", { body: {} });
    await poll(run.id);
  } catch (error) {
    showError(error.message);
  }
}

async function restore() {
  try {
    $("restaurer").disabled = true;
    const activation = await api("/api/formation/modele/restaurer", { body: {} });
    showInfo(`Modèle ${activation.model} remis en service.`);
    await loadRuns();
  } catch (error) {
    showError(error.message);
    $("restaurer").disabled = false;
  }
}

// --- Dashboard --------------------------------------------------------------------------------

function chart(id, config) {
  state.charts[id]?.destroy();
  state.charts[id] = new Chart($(id), { ...config, options: { responsive: true, animation: false, ...config.options } });
}

function indicator(value, label) {
  const box = el("div", null, "indicateur");
  box.append(el("span", value, "valeur"), el("span", label, "libelle"));
  return box;
}

function minutes(seconds) {
  return seconds === null || seconds === undefined ? "—" : `${(seconds / 60).toFixed(1).replace(".", ",")} min`;
}

async function loadDashboard() {
  const params = query($("filtres-tableau"));
  const report = await api(`/api/formation/tableau-de-bord?${params}`);
  const t = report.totals;
  $("indicateurs").replaceChildren(
    indicator(t.conversations, "conversations"),
    indicator(percent(t.containment), "sans offre d'un humain"),
    indicator(t.offers, `offres d'un humain (${t.offers_accepted} acceptées)`),
    indicator(`${t.handoffs_taken} / ${t.handoffs_abandoned}`, "transferts pris / abandonnés"),
    indicator(minutes(t.wait_median_seconds), `attente médiane (p90 ${minutes(t.wait_p90_seconds)}), heures ouvrées`),
    indicator(percent(t.misunderstanding_rate), "messages incompris"),
    indicator(t.solicitations, "sollicitations rédigées"),
  );
  const labels = report.series.map((row) => row.bucket);
  chart("graphe-conversations", {
    data: { labels, datasets: [
      { type: "bar", label: "Conversations", data: report.series.map((r) => r.conversations), yAxisID: "y" },
      { type: "line", label: "Autonomie (%)", data: report.series.map((r) => r.containment === null ? null : 100 * r.containment), yAxisID: "pct" },
    ] },
    options: { scales: { y: { beginAtZero: true }, pct: { position: "right", min: 0, max: 100 } } },
  });
  chart("graphe-offres", {
    type: "bar",
    data: { labels, datasets: [
      ["incompris", "Incompréhensions"], ["vote_negatif", "Votes 👎"], ["demande_directe", "Demandes directes"], ["autre", "Autres"],
    ].map(([code, label]) => ({ label, data: report.series.map((r) => r.offers_by_motif[code]) })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });
  chart("graphe-incompris", {
    type: "line",
    data: { labels, datasets: [{ label: "Messages incompris (%)", data: report.series.map((r) => r.misunderstanding_rate === null ? null : 100 * r.misunderstanding_rate) }] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  chart("graphe-votes", {
    type: "bar",
    data: { labels: report.votes_by_topic.map((v) => v.topic), datasets: [
      { label: "👍", data: report.votes_by_topic.map((v) => v.positive) },
      { label: "👎", data: report.votes_by_topic.map((v) => v.negative) },
    ] },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } },
  });
  chart("graphe-sollicitations", {
    type: "bar",
    data: { labels: report.solicitations_by_destination.map((d) => d.label), datasets: [
      { label: "Rédigées", data: report.solicitations_by_destination.map((d) => d.prete || 0) },
      { label: "Brouillons", data: report.solicitations_by_destination.map((d) => d.brouillon || 0) },
    ] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  const tables = $("tables-tableau");
  tables.replaceChildren();
  const rows = report.series.map((r) => [r.bucket, r.conversations, percent(r.containment), r.offers, r.offers_accepted,
    r.handoffs_taken, r.handoffs_abandoned, minutes(r.wait_median_seconds), minutes(r.wait_p90_seconds), percent(r.misunderstanding_rate)]);
  const indicators = el("table", null, "table");
  indicators.append(el("caption", "Indicateurs par période"));
  table(indicators, ["Période", "Conversations", "Autonomie", "Offres", "Acceptées", "Transferts pris", "Abandonnés", "Attente médiane", "Attente p90", "Incompris"], rows);
  const votes = el("table", null, "table");
  votes.append(el("caption", "Votes par sujet de FAQ"));
  table(votes, ["Sujet", "👍", "👎"], report.votes_by_topic.map((v) => [v.topic, v.positive, v.negative]));
  const solicitations = el("table", null, "table");
  solicitations.append(el("caption", "Sollicitations par destination"));
  table(solicitations, ["Destination", "Rédigées", "Brouillons", "Abandonnées"], report.solicitations_by_destination.map((d) => [d.label, d.prete || 0, d.brouillon || 0, d.abandonnee || 0]));
  for (const [name, node] of [["indicateurs", indicators], ["votes", votes], ["sollicitations", solicitations]]) {
    const link = el("a", "Télécharger en CSV");
    link.href = `/api/formation/tableau-de-bord/${name}.csv?${params}`;
    link.setAttribute("download", "");
    tables.append(node, link);
  }
}

// --- Decisions --------------------------------------------------------------------------------

async function loadDecisions() {
  const data = await api("/api/formation/decisions");
  const actions = { confirmer: "Confirmée", corriger: "Corrigée", hors_perimetre: "Hors périmètre", ignorer: "Ignorée", jeu_de_test: "Jeu de test" };
  table($("table-decisions"), ["Quand", "Qui", "Phrase", "Décision", "Intention", "Fichier", "Résultat"], data.decisions.map((d) => [
    day(d.created_at), d.trainer, d.text, actions[d.action] || d.action, d.intent ? intentLabel(d.intent) : "—", d.file || "—", d.outcome,
  ]));
}

// --- Start ------------------------------------------------------------------------------------

async function start() {
  state.me = await api("/api/moi");
  $("moi").textContent = state.me.name || state.me.login || "jeton";
  $("lien-console").hidden = !(state.me.roles || []).includes("conseiller");
  const data = await api("/api/formation/intentions");
  state.intents = data.intents;
  for (const select of document.querySelectorAll(".choix-sujet")) {
    select.replaceChildren(new Option(select.dataset.vide, ""));
    for (const entry of state.intents.filter((e) => e.intent.startsWith("faq/"))) {
      select.append(new Option(entry.intent.slice(4), entry.intent.slice(4)));
    }
  }
  if (!data.files_available) showInfo("Les fichiers d'entraînement ne sont pas sur ce serveur : les décisions sont enregistrées et s'exportent depuis l'onglet Décisions.");
  for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => selectTab(tab));
  const onSubmit = (id, loader) => $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    loader().catch((error) => showError(error.message));
  });
  onSubmit("filtres-boite", loadInbox);
  onSubmit("filtres-avis", loadReviews);
  onSubmit("filtres-tableau", loadDashboard);
  $("lancer").addEventListener("click", startRun);
  $("restaurer").addEventListener("click", restore);
  $("fermer-editeur").addEventListener("click", () => $("editeur").close());
  const hash = window.location.hash.replace("#", "");
  const tab = document.getElementById(`onglet-${hash}`) || $("onglet-boite");
  selectTab(tab);
}

start().catch((error) => showError(error.message));
