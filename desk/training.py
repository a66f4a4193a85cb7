"""The « Formation » space of the desk: the trainers' pages and their JSON API under
/api/formation (desk/openapi.yaml). Thin handlers over assistance.training (core.workbench()):
read the request, call the core in a thread, answer JSON; Rasa is reached only through
desk/rasa_client.py (which model runs, put another into service).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from assistance.training import decisions, metrics, models, retrain, reviews
from assistance.training.decisions import DecisionRequest
from assistance.training.errors import TrainingError
from assistance.training.inbox import KINDS, Filters
from assistance.training.workbench import Workbench
from desk.auth import acting_advisor
from desk.context import CORE, RASA
from desk.errors import error
from desk.rasa_client import RasaError

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
BUNDLE = HERE / "formation" / "dist" / "formation.js"  # built by esbuild (make formation)


def _bench(request: web.Request) -> Workbench:
    return request.app[CORE].workbench()


def _trainer(request: web.Request) -> str:
    advisor = acting_advisor(request)
    return advisor.login if advisor else "jeton-api"


def _refused(exc: TrainingError) -> web.Response:
    return error(exc.code, **{key: value for key, value in exc.details.items() if key != "log"})


class BadParameter(ValueError):
    pass


def _period(request: web.Request, step: str = "jour") -> metrics.Period:
    """The period asked for; by default the last days up to today by the real clock (messages
    are stamped with it; ASSISTANT_NOW only moves the opening hours)."""
    core = request.app[CORE]
    tz = core.schedule().timezone
    try:
        return metrics.period_between(
            request.query.get("du"), request.query.get("au"), step, tz, datetime.now(tz).date()
        )
    except ValueError as exc:
        raise BadParameter(str(exc)) from None


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        raise BadParameter(name) from None


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise BadParameter("corps JSON") from None
    if not isinstance(body, dict):
        raise BadParameter("corps JSON")
    return body


@web.middleware
async def training_errors(request: web.Request, handler) -> web.StreamResponse:
    """The workbench's refusals and bad parameters, as the desk's errors."""
    try:
        return await handler(request)
    except TrainingError as exc:
        return _refused(exc)
    except BadParameter as exc:
        return error("parametre_invalide", detail=str(exc))


# --- Pages ----------------------------------------------------------------------------------


async def page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "formation.html", headers={"Content-Type": "text/html; charset=utf-8"})


async def stylesheet(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "formation.css")


async def script(request: web.Request) -> web.StreamResponse:
    if not BUNDLE.is_file():
        logger.error("%s is missing: run `make formation`", BUNDLE)
        raise web.HTTPNotFound(text="formation.js n'est pas construit : make formation")
    return web.FileResponse(BUNDLE, headers={"Content-Type": "text/javascript; charset=utf-8"})


# --- Inbox and decisions ----------------------------------------------------------------------


async def intents(request: web.Request) -> web.Response:
    bench = _bench(request)
    found = await asyncio.to_thread(bench.files.intents)
    return web.json_response({"intents": found, "files_available": bench.files.available})


async def inbox(request: web.Request) -> web.Response:
    period = _period(request)
    since, until = period.since, period.until
    kinds = tuple(k for value in request.query.getall("type", []) for k in value.split(",") if k)
    if set(kinds) - set(KINDS):
        raise BadParameter("type")
    filters = Filters(
        since=since, until=until, kinds=kinds, topic=request.query.get("sujet") or None,
        max_confidence=_float(request.query.get("confiance_max"), "confiance_max"),
        limit=min(int(_float(request.query.get("limite"), "limite") or 200), 500),
    )
    items = await asyncio.to_thread(_bench(request).inbox, filters)
    return web.json_response({
        "from": since.isoformat(), "to": until.isoformat(), "items": [i.as_json() for i in items],
    })


async def decide(request: web.Request) -> web.Response:
    body = await _json(request)
    try:
        confidence = body.get("confidence")
        decision = DecisionRequest(
            text=str(body.get("text") or ""), action=str(body.get("action") or ""),
            intent=body.get("intent") or None, predicted=body.get("predicted") or None,
            confidence=float(confidence) if confidence is not None else None,
            members=[str(m) for m in body.get("members") or []][:100],
            kinds=[str(k) for k in body.get("kinds") or [] if k in KINDS],
            sources=[s for s in body.get("sources") or [] if isinstance(s, dict)][:200],
        )
    except (TypeError, ValueError):
        raise BadParameter("décision") from None
    stored = await asyncio.to_thread(_bench(request).decide, decision, _trainer(request))
    return web.json_response(stored, status=201)


async def list_decisions(request: web.Request) -> web.Response:
    found = await asyncio.to_thread(decisions.list_decisions, _bench(request).db)
    return web.json_response({"decisions": found})


async def export(request: web.Request) -> web.Response:
    held_out = request.query.get("jeu") == "test"
    text = await asyncio.to_thread(decisions.export_yaml, _bench(request).db, held_out=held_out)
    name = "decisions_jeu_de_test.yml" if held_out else "decisions_entrainement.yml"
    return web.Response(
        text=text, content_type="application/yaml", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- Answer reviews ---------------------------------------------------------------------------


async def negative_answers(request: web.Request) -> web.Response:
    period = _period(request)
    found = await asyncio.to_thread(
        _bench(request).negative_answers, state=request.query.get("etat") or None,
        topic=request.query.get("sujet") or None, since=period.since, until=period.until,
    )
    return web.json_response(
        {"reviews": found, "reasons": list(reviews.REASONS), "states": list(reviews.STATES)}
    )


async def review(request: web.Request) -> web.Response:
    body = await _json(request)
    try:
        vote_id = int(request.match_info["vote_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    stored = await asyncio.to_thread(
        reviews.review, _bench(request).db, vote_id, reviewer=_trainer(request),
        reason=body.get("reason"), state=body.get("state"), note=body.get("note"),
    )
    return web.json_response(stored)


async def answer(request: web.Request) -> web.Response:
    bench = _bench(request)
    name = request.query.get("nom") or ""
    variations = await asyncio.to_thread(bench.files.variations, name)
    if not variations:
        raise TrainingError("reponse_introuvable", response=name)
    return web.json_response({
        "response": name, "variations": [reviews.variation_json(v, bench.files) for v in variations],
    })


async def edit_answer(request: web.Request) -> web.Response:
    body = await _json(request)
    bench = _bench(request)
    try:
        index = int(body.get("index", -1))
        vote_id = int(body["vote_id"]) if body.get("vote_id") is not None else None
    except (TypeError, ValueError):
        raise BadParameter("index") from None
    changed = await asyncio.to_thread(
        reviews.edit_answer, bench.db, bench.files, str(body.get("response") or ""), index,
        str(body.get("text") or ""), expected=body.get("expected"), trainer=_trainer(request),
        vote_id=vote_id,
    )
    return web.json_response(changed)


# --- Retrain, compare, activate ---------------------------------------------------------------


async def _running_model(request: web.Request) -> tuple[Path, dict | None]:
    """The model the workbench believes runs, and what Rasa says (None if unreachable)."""
    bench = _bench(request)
    believed = await asyncio.to_thread(bench.active_model)
    return believed, await request.app[RASA].status()


async def runs(request: web.Request) -> web.Response:
    bench = _bench(request)
    believed, status = await _running_model(request)
    found = await asyncio.to_thread(retrain.list_runs, bench.db)
    history = await asyncio.to_thread(models.history, bench.db)
    return web.json_response({
        "runs": found,
        "active_model": believed.name,
        "rasa_model": (status or {}).get("model_file"),
        "rasa_reachable": status is not None,
        "activations": history,
        "taught": await asyncio.to_thread(decisions.taught_since_activation, bench.db),
    })


async def start_run(request: web.Request) -> web.Response:
    bench = _bench(request)
    believed, status = await _running_model(request)
    base: Path | None = believed
    if status is not None and status.get("model_file") != believed.name:
        base = None  # Rasa runs a model the workbench did not put there: train from scratch
    run = await asyncio.to_thread(bench.retrainer.start, _trainer(request), base)
    return web.json_response(run, status=202)


def _run_id(request: web.Request) -> int:
    try:
        return int(request.match_info["run_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def get_run(request: web.Request) -> web.Response:
    row = await asyncio.to_thread(retrain.get_run, _bench(request).db, _run_id(request))
    if row is None:
        raise TrainingError("entrainement_introuvable")
    return web.json_response(retrain.run_json(row))


async def picture(request: web.Request) -> web.StreamResponse:
    row = await asyncio.to_thread(retrain.get_run, _bench(request).db, _run_id(request))
    which = request.match_info["which"]
    path = ((row.report or {}).get("pictures") or {}).get(which) if row else None
    if not path or not Path(path).is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": "image/png"})


async def activate(request: web.Request) -> web.Response:
    bench = _bench(request)
    run = await asyncio.to_thread(models.activatable, bench.db, _run_id(request))
    previous = await asyncio.to_thread(bench.active_model)
    try:
        await request.app[RASA].replace_model(run.model_path)
    except RasaError as exc:
        return error("rasa_injoignable", detail=str(exc))
    activation = await asyncio.to_thread(
        models.record, bench.db, action=models.ACTIVATION, model_path=Path(run.model_path),
        previous=previous, trainer=_trainer(request), run_id=run.id,
    )
    learnt = [p["decision_id"] for p in run.probes or [] if p.get("decision_id")]
    await asyncio.to_thread(decisions.mark_learnt, bench.db, learnt, run.id)
    return web.json_response(activation)


async def restore(request: web.Request) -> web.Response:
    bench = _bench(request)
    previous = await asyncio.to_thread(models.previous_model, bench.db)
    current = await asyncio.to_thread(bench.active_model)
    try:
        await request.app[RASA].replace_model(str(previous))
    except RasaError as exc:
        return error("rasa_injoignable", detail=str(exc))
    activation = await asyncio.to_thread(
        models.record, bench.db, action=models.RESTORE, model_path=previous, previous=current,
        trainer=_trainer(request),
    )
    return web.json_response(activation)


# --- Dashboard --------------------------------------------------------------------------------


async def dashboard(request: web.Request) -> web.Response:
    period = _period(request, request.query.get("pas") or "jour")
    report = await asyncio.to_thread(_bench(request).dashboard, period)
    return web.json_response(report)


async def dashboard_csv(request: web.Request) -> web.Response:
    name = request.match_info["table"]
    period = _period(request, request.query.get("pas") or "jour")
    report = await asyncio.to_thread(_bench(request).dashboard, period)
    found = metrics.tables(report)
    if name not in found:
        raise web.HTTPNotFound()
    columns, rows = found[name]
    first = report["period"]["from"][:10]
    return web.Response(
        text=metrics.to_csv(columns, rows), content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="claudia_{name}_{first}.csv"'},
    )


async def _recover(app: web.Application) -> None:
    count = await asyncio.to_thread(retrain.recover_interrupted, app[CORE].db)
    if count:
        logger.warning("%s retraining run(s) were interrupted by a restart", count)


def setup(app: web.Application) -> None:
    app.router.add_get("/formation", page)
    app.router.add_get("/static/formation.css", stylesheet)
    app.router.add_get("/static/formation.js", script)
    app.router.add_get("/api/formation/intentions", intents)
    app.router.add_get("/api/formation/boite", inbox)
    app.router.add_get("/api/formation/decisions", list_decisions)
    app.router.add_post("/api/formation/decisions", decide)
    app.router.add_get("/api/formation/export.yml", export)
    app.router.add_get("/api/formation/avis", negative_answers)
    app.router.add_post("/api/formation/avis/{vote_id}", review)
    app.router.add_get("/api/formation/reponses", answer)
    app.router.add_post("/api/formation/reponses", edit_answer)
    app.router.add_get("/api/formation/entrainements", runs)
    app.router.add_post("/api/formation/entrainements", start_run)
    app.router.add_get("/api/formation/entrainements/{run_id}", get_run)
    app.router.add_get("/api/formation/entrainements/{run_id}/matrice-{which:avant|apres}.png", picture)
    app.router.add_post("/api/formation/entrainements/{run_id}/activer", activate)
    app.router.add_post("/api/formation/modele/restaurer", restore)
    app.router.add_get("/api/formation/tableau-de-bord", dashboard)
    app.router.add_get("/api/formation/tableau-de-bord/{table}.csv", dashboard_csv)
    app.on_startup.append(_recover)
