"""`assembler serve`: the local web page (Starlette, served by uvicorn).

Every action calls the same library functions as the command line (the term-sheet loader,
:func:`assembler.build.build`, the check runner, :func:`assembler.batch.run_batch`) and shows their
located errors as page messages. Safety: a token for any address but the loopback one, a CSRF
token on every form, a host check, upload limits, and downloads only from inside the workspace.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from assembler.build import DOCUMENTS, PACKAGE_OUTPUT, build, soffice_path
from assembler.errors import AssemblerError, Location, Problem
from assembler.termsheet.load import use_libraries
from assembler.web import form as tsform
from assembler.web.workspace import Refused, Workspace

HERE = Path(__file__).resolve().parent
TOKEN_ENV = "ASSEMBLER_TOKEN"
TOKEN_COOKIE = "assembler_token"
CSRF_COOKIE = "assembler_csrf"
CSRF_FIELD = "csrf"
#: Largest upload request (all files together), and largest number of files in one check.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_UPLOAD_FILES = 20
#: Largest term-sheet form post.
MAX_FORM_BYTES = 1024 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


#: Check results (annotated copies) kept for download; older ones are removed.
KEEP_CHECKS = 50


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the newest *keep* runs in *folder* (their names sort by time)."""
    runs = sorted(p for p in folder.iterdir() if p.is_dir())
    for old in runs[:max(0, len(runs) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


class Problems(Exception):
    """Page-level messages (one a line) with the HTTP status to answer with."""

    def __init__(self, messages: list[str], status: int = 400) -> None:
        super().__init__("; ".join(messages))
        self.messages, self.status = messages, status


# --------------------------------------------------------------------------------------------
# Security: token, CSRF cookie


class Security:
    """An ASGI middleware: the token (when one is set) and the CSRF cookie."""

    def __init__(self, app, token: str | None, hosts: list[str] | None = None) -> None:
        self.app, self.token = app, token
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        if self.hosts is not None and host_name(request.headers.get("host", "")) not in self.hosts:
            response = HTMLResponse("<!doctype html><p>This page answers only to the address "
                                    "<code>assembler serve</code> printed.</p>", 400)
            return await response(scope, receive, send)
        if self.token:
            given = request.query_params.get("token")
            if given is not None and hmac.compare_digest(given.encode(), self.token.encode()) \
                    and request.method == "GET":
                url = request.url.remove_query_params("token")
                response = RedirectResponse(str(url.replace(scheme="", netloc="")) or "/", 303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                return await response(scope, receive, send)
            header = request.headers.get("authorization", "")
            presented = (header[7:] if header.lower().startswith("bearer ") else
                         request.cookies.get(TOKEN_COOKIE, ""))
            if not hmac.compare_digest(presented.encode(), self.token.encode()):
                response = HTMLResponse("<!doctype html><title>Token required</title><p>This page needs the access "
                                        "token printed by <code>assembler serve</code>: open the address it "
                                        "printed, with <code>?token=</code>.</p>", 401)
                return await response(scope, receive, send)
        csrf = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if not csrf or not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", csrf):
            csrf = fresh = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf"] = csrf

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"no-referrer"),
                            (b"content-security-policy",
                             b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                             b"form-action 'self'; frame-ancestors 'none'")]
                if fresh:
                    headers.append((b"set-cookie", f"{CSRF_COOKIE}={fresh}; Path=/; SameSite=Strict; "
                                                   "HttpOnly".encode()))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)


def host_name(header: str) -> str:
    """The host of a Host header, without its port: ``127.0.0.1:8000`` -> ``127.0.0.1``, ``[::1]:80`` -> ``[::1]``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[:header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _check_csrf(request: Request, posted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE) or ""
    given = posted or request.headers.get("x-csrf-token") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "The form has expired or did not come from this page (CSRF token missing or "
                                 "wrong): reload the page and try again.")


async def _form(request: Request, max_bytes: int = MAX_FORM_BYTES, **limits):
    """The posted form, refused when too large or without the page's CSRF token."""
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "The request must state its length.")
    if int(length) > max_bytes:
        raise HTTPException(413, f"The upload is larger than {max_bytes // (1024 * 1024)} MB; nothing was read.")
    try:
        data = await request.form(**limits)
    except MultiPartException as exc:
        raise HTTPException(400, f"The upload could not be read: {exc.message}") from None
    try:
        _check_csrf(request, data.get(CSRF_FIELD) if isinstance(data.get(CSRF_FIELD), str) else None)
    except HTTPException:
        await data.close()
        raise
    return data


# --------------------------------------------------------------------------------------------
# The application


@dataclass
class Job:
    """A variants run: its progress lines, then its summary."""

    id: str
    folder: str
    total: int
    lines: list[str] = field(default_factory=list)
    summary: object = None
    error: str = ""
    started: float = field(default_factory=time.time)

    @property
    def done(self) -> bool:
        return self.summary is not None or bool(self.error)


class _Lines:
    """A text stream that keeps each progress line the batch writes."""

    def __init__(self, job: Job, shorten) -> None:
        self.job, self.buffer, self.shorten = job, "", shorten

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        self.job.lines.extend(self.shorten(line) for line in lines if line.strip())
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def create_app(workspace: Path | str = ".", *, termsheets: Path | None = None, output: Path | None = None,
               token: str | None = None, allowed_hosts: list[str] | None = None, jobs: int | None = None) -> Starlette:
    """The web application over *workspace* (``termsheets/`` and ``output/`` inside it by default)."""
    ws = Workspace(Path(workspace), termsheets, output)
    use_libraries([ws.termsheets])  # a variant may extend any term sheet of the workspace
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["datetime"] = lambda t: time.strftime("%Y-%m-%d %H:%M", time.localtime(t))
    templates = Jinja2Templates(env=env)
    fields = tsform.form_fields()
    batch_jobs: dict[str, Job] = {}
    if hasattr(MultiPartParser, "spool_max_size"):  # uploads stay in memory: nothing outside the workspace
        MultiPartParser.spool_max_size = MAX_UPLOAD_BYTES

    def _problems(exc: AssemblerError) -> list[str]:
        return [ws.describe(p) for p in exc.problems]

    def page(request: Request, name: str, http_status: int = 200, **context) -> Response:
        context.setdefault("messages", [])
        return templates.TemplateResponse(request, name, {"csrf": request.state.csrf, "ws": ws, "url": url_for,
                                                          "nav": name.split(".")[0], **context},
                                          status_code=http_status)

    def url_for(kind: str, value: str = "") -> str:
        return {"deal": "/deal/", "build": "/build/", "file": "/files/"}[kind] + quote(value)

    def sheet_or_404(deal_id: str) -> Path:
        try:
            return ws.sheet(deal_id)
        except Refused:
            raise HTTPException(404, "No such term sheet in this workspace.") from None

    # -- deals -------------------------------------------------------------------------------

    async def deals(request: Request) -> Response:
        statuses = await run_in_threadpool(lambda: [ws.status(p) for p in ws.sheets()])
        return page(request, "deals.html", deals=statuses)

    async def new_deal(request: Request) -> Response:
        data = await _form(request)
        try:
            target = await run_in_threadpool(ws.new_variant, str(data.get("base", "")),
                                             str(data.get("file", "")), str(data.get("deal_name", "")))
        except Refused:
            raise HTTPException(404, "No such term sheet in this workspace.") from None
        except AssemblerError as exc:
            statuses = await run_in_threadpool(lambda: [ws.status(p) for p in ws.sheets()])
            return page(request, "deals.html", 422, deals=statuses, messages=_problems(exc),
                        new=dict(data))
        return RedirectResponse(url_for("deal", ws.deal_id(target)) + "?created=1", 303)

    # -- term-sheet form ---------------------------------------------------------------------

    def form_page(request: Request, deal_id: str, path: Path, values: dict, errors: dict[str, list[str]],
                  messages: list[str], http_status: int = 200, saved: list[str] | None = None,
                  created: bool = False) -> Response:
        extends, own = "", set()
        try:
            base = tsform.base_of(path, tsform.read_yaml(path))
            extends = ws.deal_id(base) if base is not None and base.is_file() else ""
            own = tsform.own_fields(fields, path) if extends else set()
        except (AssemblerError, ValueError):
            pass
        return page(request, "termsheet.html", http_status, deal_id=deal_id, path=ws.relative(path), fields=fields,
                    values=values, errors=errors, messages=messages, saved=saved, extends=extends, own=own, created=created,
                    revision=tsform.revision(path), pdf_available=soffice_path() is not None)

    async def termsheet_get(request: Request) -> Response:
        deal_id = request.path_params["deal"]
        path = sheet_or_404(deal_id)
        messages: list[str] = []
        try:
            values = tsform.form_values(fields, tsform.merged_values(path))
        except AssemblerError as exc:
            values, messages = {}, _problems(exc)
        errors: dict[str, list[str]] = {}
        try:
            await run_in_threadpool(tsform.load_termsheet, path)
        except AssemblerError as exc:
            errors, messages = _place(exc, values, messages)
        return form_page(request, deal_id, path, values, errors, messages,
                         created=bool(request.query_params.get("created")))

    def _place(exc: AssemblerError, values: dict, messages: list[str]) -> tuple[dict[str, list[str]], list[str]]:
        names = tsform.all_names(fields)
        for f in tsform.leaves(fields):
            if f.kind == "rows":
                names |= {f.row_name(i, c) for i in range(len(values.get(f.name) or [])) for c in f.children}
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            name = tsform.field_of(p, names)
            if name is None:
                messages = messages + [ws.describe(p)]
            else:
                errors.setdefault(name, []).append(ws.describe(p))
        return errors, messages

    async def termsheet_post(request: Request) -> Response:
        deal_id = request.path_params["deal"]
        path = sheet_or_404(deal_id)
        data = await _form(request, max_fields=tsform.MAX_ROWS * 4 + 500)
        posted = tsform.parse_form(fields, data)
        lock = ws.lock(path)

        def save():
            with lock:
                if data.get("revision") != tsform.revision(path):
                    raise Problems(["Not saved: this term sheet (or a term sheet it extends) was changed after this "
                                    "page was opened, in another tab or editor. Open it again to see the "
                                    "current values, then make your change."], 409)
                text, changed = tsform.apply_changes(path, fields, posted)
                if changed:
                    tsform.validate_text(path, text)
                    from assembler.render.write import atomic_write

                    atomic_write(path, text.encode("utf-8"))
                return changed

        try:
            changed = await run_in_threadpool(save)
        except Problems as exc:
            return form_page(request, deal_id, path, posted, {}, exc.messages, exc.status)
        except AssemblerError as exc:
            errors, messages = _place(exc, posted, [])
            count = sum(len(v) for v in errors.values()) + len(messages)
            return form_page(request, deal_id, path, posted, errors,
                             [f"Not saved: {count} problem{'s' if count != 1 else ''} to fix "
                              "(each is shown next to its field)."] + messages, 422)
        if data.get("then") == "build":
            return await _do_build(request, deal_id, path, force=False, pdf=bool(data.get("pdf")), saved=changed)
        values = tsform.form_values(fields, tsform.merged_values(path))
        return form_page(request, deal_id, path, values, {}, [], saved=changed)

    # -- build -------------------------------------------------------------------------------

    async def build_post(request: Request) -> Response:
        deal_id = request.path_params["deal"]
        path = sheet_or_404(deal_id)
        data = await _form(request)
        return await _do_build(request, deal_id, path, force=data.get("force") == "keep",
                               pdf=bool(data.get("pdf")))

    async def _do_build(request: Request, deal_id: str, path: Path, *, force: bool, pdf: bool,
                        saved: list[str] | None = None) -> Response:
        def run():
            status = ws.status(path, with_findings=False)
            if status.state == "invalid":
                raise Problems(status.problems, 422)
            with ws.gate.build(), ws.lock(status.out_dir):
                status = ws.status(path, with_findings=False)  # again, now that no other build runs
                if status.edited and not force:
                    return status, None
                return status, build(path, ws.output, combined=True, pdf=pdf and soffice_path() is not None,
                                     check=True, force=force)

        try:
            status, result = await run_in_threadpool(run)
        except Problems as exc:
            return page(request, "build.html", exc.status, deal_id=deal_id, result=None, messages=exc.messages,
                        edited=[], status=None)
        except AssemblerError as exc:
            return page(request, "build.html", 422, deal_id=deal_id, result=None, messages=_problems(exc),
                        edited=[], status=None)
        if result is None:
            return page(request, "build.html", 409, deal_id=deal_id, result=None, status=status,
                        edited=[ws.relative(status.out_dir / n) for n in status.edited])
        return page(request, "build.html", deal_id=deal_id, result=result, status=None, edited=[],
                    view=_build_view(result), saved=saved)

    def _build_view(result) -> dict:
        rel = ws.relative
        docs = [{"title": spec.title, "file": rel(result.files[spec.output]),
                 "written": spec.output in result.written} for spec in DOCUMENTS if spec.output in result.files]
        if PACKAGE_OUTPUT in result.files:
            docs.append({"title": "Deal package (all three documents in one file)",
                         "file": rel(result.files[PACKAGE_OUTPUT]), "written": PACKAGE_OUTPUT in result.written})
        return {"documents": docs, "pdfs": [rel(p) for p in result.pdfs],
                "redlines": [{"name": n, "file": rel(p), "lines": lines} for n, (p, lines) in result.redlines.items()],
                "kept": [{"name": n, "file": rel(p)} for n, p in result.kept.items()],
                "findings": _findings_view(result.checked, result.findings or [], result.package,
                                           {c: Path(c).name for c in result.checked}),
                "out_dir": rel(result.out_dir)}

    # -- downloads ---------------------------------------------------------------------------

    async def download(request: Request) -> Response:
        try:
            path = ws.download(request.path_params["path"])
        except Refused:
            raise HTTPException(404, "No such file in this workspace.") from None
        return FileResponse(path, filename=path.name, content_disposition_type="attachment")

    # -- check a draft -----------------------------------------------------------------------

    async def check_get(request: Request) -> Response:
        return page(request, "check.html", deals=[ws.deal_id(p) for p in ws.sheets()], report=None)

    async def check_post(request: Request) -> Response:
        data = await _form(request, MAX_UPLOAD_BYTES, max_files=MAX_UPLOAD_FILES, max_fields=50)
        try:
            return await _check(request, data)
        finally:
            await data.close()

    async def _check(request: Request, data) -> Response:
        uploads = [u for u in data.getlist("files") if hasattr(u, "filename") and u.filename]
        deal_ids = [ws.deal_id(p) for p in ws.sheets()]
        chosen = {"termsheet": str(data.get("termsheet", "")), "select": str(data.get("select", "")),
                  "ignore": str(data.get("ignore", ""))}

        def fail(messages: list[str], http_status: int = 400) -> Response:
            return page(request, "check.html", http_status, deals=deal_ids, report=None, messages=messages,
                        chosen=chosen)

        if not uploads:
            return fail(["Choose at least one .docx file to check."])
        names, seen = [], set()
        for u in uploads:
            name = Path(u.filename.replace("\\", "/")).name
            if not name.lower().endswith(".docx"):
                return fail([f"{name}: only Word .docx files can be checked"
                             + (" (save a .doc as .docx first)" if name.lower().endswith(".doc") else "")])
            safe = re.sub(r"[^A-Za-z0-9._ -]+", "_", name).strip(" .") or "document.docx"
            if safe.lower() in seen:
                return fail([f"{name}: two files have this name; check them separately"])
            seen.add(safe.lower())
            names.append(safe)
        contents = [await u.read() for u in uploads]

        def run():
            from assembler.check.runner import check_paths
            from assembler.cli import _codes
            from assembler.report.annotate import annotate

            select = _codes(chosen["select"] or None, "select")
            ignore = _codes(chosen["ignore"] or None, "ignore")
            termsheet = None
            if chosen["termsheet"]:
                try:
                    termsheet = tsform.load_termsheet(ws.sheet(chosen["termsheet"]))
                except Refused:
                    raise Problems(["No such term sheet in this workspace."], 404) from None
            run_id = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
            _prune(ws.private_dir("checks"), KEEP_CHECKS)
            with tempfile.TemporaryDirectory(prefix="upload-", dir=ws.private_dir("tmp")) as tmp:
                paths = []
                for name, content in zip(names, contents):
                    target = Path(tmp) / name
                    target.write_bytes(content)
                    paths.append(target)
                try:
                    package, findings = check_paths(paths, termsheet, None, select, ignore)
                except AssemblerError as exc:  # name the file as the user knows it
                    raise Problems([str(p).replace(str(Path(tmp)) + os.sep, "") for p in exc.problems], 422) from None
                out = ws.private_dir("checks", run_id)
                annotated = annotate(paths, findings, out)
                shown = {str(p): p.name for p in paths}
                view = _findings_view([str(p) for p in paths], findings, package, shown)
            from assembler.report.common import summary

            return {"findings": view, "summary": summary(findings), "files": names,
                    "annotated": [ws.relative(p) for p in annotated], "termsheet": chosen["termsheet"]}

        try:
            report = await run_in_threadpool(run)
        except Problems as exc:
            return fail(exc.messages, exc.status)
        except AssemblerError as exc:
            return fail(_problems(exc), 422)
        return page(request, "check.html", deals=deal_ids, report=report, chosen=chosen)

    # -- variants ----------------------------------------------------------------------------

    async def variants_get(request: Request) -> Response:
        return page(request, "variants.html", folders=ws.folders(), job=None,
                    jobs=sorted(batch_jobs.values(), key=lambda j: -j.started)[:5])

    async def variants_post(request: Request) -> Response:
        data = await _form(request)
        folder_id = str(data.get("folder", ""))
        try:
            folder = ws.inside(folder_id, ws.termsheets) if folder_id else ws.termsheets
        except Refused:
            raise HTTPException(404, "No such folder in this workspace.") from None
        from assembler.batch import expand_paths, run_batch

        total = len(expand_paths([str(folder)]))
        job = Job(uuid.uuid4().hex[:12], folder_id, total)
        batch_jobs[job.id] = job

        def work():
            try:
                with ws.gate.batch():
                    job.summary = run_batch([str(folder)], jobs, ws.output, progress=_Lines(job, ws.shorten))
            except Exception as exc:  # noqa: BLE001 - reported on the page, the server keeps serving
                job.error = f"{type(exc).__name__}: {exc}"

        threading.Thread(target=work, name=f"batch-{job.id}", daemon=True).start()
        return RedirectResponse(f"/variants/{job.id}", 303)

    def _job(request: Request) -> Job:
        job = batch_jobs.get(request.path_params["job"])
        if job is None:
            raise HTTPException(404, "No such run.")
        return job

    def _job_state(job: Job) -> dict:
        rows = []
        if job.summary is not None:
            for r in job.summary.results:
                files = [ws.relative(ws.output / r.output / f) for f in r.files] if r.status == "ok" else []
                rows.append({"termsheet": ws.deal_id(Path(r.termsheet)) if Path(r.termsheet).is_file() else r.termsheet,
                             "status": r.status, "deal_name": r.deal_name, "errors": r.errors,
                             "warnings": r.warnings, "message": ws.shorten(r.message), "files": files})
        return {"id": job.id, "folder": job.folder, "total": job.total, "done": len(job.lines), "finished": job.done,
                "lines": job.lines[-200:], "error": job.error, "rows": rows,
                "ok": job.summary.ok if job.summary else None, "failed": job.summary.failed if job.summary else None,
                "summary_files": [ws.relative(p) for p in job.summary.files] if job.summary else []}

    async def variants_job(request: Request) -> Response:
        job = _job(request)
        return page(request, "variants.html", folders=ws.folders(), job=_job_state(job), jobs=[])

    async def variants_job_json(request: Request) -> Response:
        return JSONResponse(_job_state(_job(request)))

    # -- helpers -----------------------------------------------------------------------------

    def _findings_view(files: list[str], findings, package, shown: dict[str, str]) -> list[dict]:
        """Findings grouped by document, then section, each with its sentence and the words at fault."""
        from assembler.check.rule import Severity
        from assembler.report.common import excerpt_parts, paragraph_of

        groups: dict[str, dict[str, list]] = {f: {} for f in files}
        for f in findings:
            p = paragraph_of(package, f)
            head, snip, tail = excerpt_parts(p.text, f.snippet, 90, f.offset) if p is not None else \
                ("", f.snippet, "")
            section = f.section or "outside any numbered section"
            if f.part != "body":
                section += f" ({f.part})"
            groups.setdefault(f.file, {}).setdefault(section, []).append(
                {"severity": Severity(f.severity).value, "code": f.code, "message": f.message,
                 "head": head, "snippet": snip, "tail": tail})
        return [{"file": shown.get(name, Path(name).name), "sections": list(sections.items()),
                 "count": sum(len(v) for v in sections.values())} for name, sections in groups.items()]

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if "state" not in request.scope or not hasattr(request.state, "csrf"):
            return HTMLResponse(f"<!doctype html><p>{exc.detail}</p>", exc.status_code)
        return page(request, "error.html", exc.status_code, messages=[str(exc.detail)], code=exc.status_code)

    async def internal_error(request: Request, exc: Exception) -> Response:
        message = (f"Internal error ({type(exc).__name__}: {exc}); please report it with the input that caused it. "
                   "Nothing else is affected: the page keeps working.")
        return HTMLResponse(f"<!doctype html><title>Internal error</title><p>{html_escape(message)}</p>"
                            '<p><a href="/">Back to the deals</a></p>', 500)

    routes = [
        Route("/", deals),
        Route("/deals/new", new_deal, methods=["POST"]),
        Route("/deal/{deal:path}", termsheet_get, methods=["GET"]),
        Route("/deal/{deal:path}", termsheet_post, methods=["POST"]),
        Route("/build/{deal:path}", build_post, methods=["POST"]),
        Route("/files/{path:path}", download),
        Route("/check", check_get, methods=["GET"]),
        Route("/check", check_post, methods=["POST"]),
        Route("/variants", variants_get, methods=["GET"]),
        Route("/variants", variants_post, methods=["POST"]),
        Route("/variants/{job}.json", variants_job_json),
        Route("/variants/{job}", variants_job),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [Middleware(Security, token=token, hosts=allowed_hosts)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error,
                                                                                   Exception: internal_error})
    app.state.workspace = ws
    return app


def serve(workspace: Path, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          jobs: int | None = None) -> int:
    """Run the page with uvicorn until interrupted; refuses a non-loopback address without a token."""
    import uvicorn

    token = token or os.environ.get(TOKEN_ENV) or None
    loopback = host in LOOPBACK or host.startswith("127.")
    if not loopback and not token:
        raise AssemblerError(Problem(Location("--host"), f"{host} is reachable from other machines: give --token "
                                     f"(or set {TOKEN_ENV}) so that only people with it can use the page"))
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise AssemblerError(Problem(Location(str(workspace)), "workspace folder not found"))
    hosts = None if not loopback else ["127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host]
    app = create_app(workspace, token=token, allowed_hosts=hosts, jobs=jobs)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={quote(token)}" if token else "")
    print(f"assembler: serving {workspace.resolve()} at {address} (Ctrl+C to stop)", flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            server_header=False, proxy_headers=False)
    uvicorn.Server(config).run()
    return 0


__all__ = ["create_app", "serve", "MAX_UPLOAD_BYTES", "MAX_UPLOAD_FILES", "TOKEN_ENV"]
