"""The client of RLHF Studio's token API (/api/v1), on the standard library's urllib.

One method per operation of the API (its reference page is /api/docs, its document /api/v1/openapi.json), plus the
waits a script needs: an import's progress while the file uploads, a snapshot until it is ready, a run's metrics
until it ends. Answers are the API's JSON as dicts, with the API's (camelCase) keys.

Keyword arguments that become request fields may be written in snake_case (``snapshot_id``, ``file_type``); they are
sent in the API's camelCase (``snapshotId``, ``fileType``). Values are sent as they are: a run's ``config`` keeps the
trainer's snake_case names (``n_layer``), a snapshot's ``split`` the API's (``{"testRatio": 0.1}``).
"""
import hashlib
import json
import os
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, Union
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, build_opener

from .errors import ApiError, JobFailed, RlhfStudioError, WaitTimeout, error_from_response

Json = Dict[str, Any]
PathLike = Union[str, "os.PathLike[str]"]

#: statuses after which a run or snapshot does not change any more
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
_CHUNK = 1 << 20


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _fields(values: Dict[str, Any]) -> Json:
    """Request fields from keyword arguments: camelCase names, None left out."""
    return {_camel(k): v for k, v in values.items() if v is not None}


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("rlhf_studio")
    except (ImportError, PackageNotFoundError):
        return "source"


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got, as its job reports it (every half second while the file uploads)."""

    job_id: str
    #: RUNNING while lines are read; SUCCEEDED or FAILED in the last report
    status: str
    bytes_read: int
    #: the file's size (the upload's Content-Length)
    bytes_total: int
    lines_read: int

    @property
    def fraction(self) -> Optional[float]:
        """bytes_read / bytes_total between 0 and 1, or None when the size is unknown."""
        return min(1.0, self.bytes_read / self.bytes_total) if self.bytes_total else None


class MetricPoint(NamedTuple):
    """One value a run logged: its step, the metric's name (TRL's: ``loss``, ``eval/accuracy``) and the value."""

    step: int
    name: str
    value: float


class Client:
    """A connection to one RLHF Studio server with one API token.

    Args:
        base_url: the server, e.g. ``"http://localhost:3000"`` (``RLHF_STUDIO_URL`` when left out).
        token: a personal API token (``rlhf_…``), made on Admin → API tokens or on the account page
            (``RLHF_STUDIO_TOKEN`` when left out). Its scope decides what the methods may do.
        timeout: seconds a request may wait for the server's answer (an upload waits ``upload_timeout``).
        upload_timeout: seconds an import's upload may wait for its answer (the API answers when the import is done).
    """

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None, *, timeout: float = 60.0, upload_timeout: float = 3600.0):
        base_url = base_url or os.environ.get("RLHF_STUDIO_URL")
        token = token or os.environ.get("RLHF_STUDIO_TOKEN")
        if not base_url:
            raise ValueError("give base_url (or set RLHF_STUDIO_URL), e.g. http://localhost:3000")
        if not token:
            raise ValueError("give token (or set RLHF_STUDIO_TOKEN): an API token made on Admin → API tokens")
        base_url = base_url.rstrip("/")
        if base_url.endswith("/api/v1"):
            base_url = base_url[: -len("/api/v1")]
        self.base_url = base_url
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self._token = token
        self._opener = build_opener()
        self._user_agent = f"rlhf-studio-python/{_version()}"

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # ── HTTP ──────────────────────────────────────────────────────────────────────────────────────────────────

    def _open(self, method: str, path: str, *, query: Optional[Json] = None, body: Any = None,
              headers: Optional[Dict[str, str]] = None, timeout: Optional[float] = None):
        """The response of one request (to be closed by the caller); an error answer raises its ApiError."""
        url = f"{self.base_url}/api/v1{path}"
        if query:
            pairs = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urlencode(pairs)
        all_headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json", "User-Agent": self._user_agent}
        all_headers.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        request = Request(url, data=body, method=method, headers=all_headers)
        try:
            return self._opener.open(request, timeout=timeout or self.timeout)
        except HTTPError as err:
            with err:
                raise error_from_response(err.code, err.read()) from None

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        with self._open(method, path, **kwargs) as res:
            return json.loads(res.read().decode("utf-8"))

    # ── projects ──────────────────────────────────────────────────────────────────────────────────────────────

    def list_projects(self, *, include_archived: bool = False) -> List[Json]:
        """The projects the token may see (an annotator's token: those its owner is a member of)."""
        return self._json("GET", "/projects", query={"includeArchived": include_archived})["projects"]

    def get_project(self, project: str) -> Json:
        """One project, by id or slug."""
        return self._json("GET", f"/projects/{_segment(project)}")

    def create_project(self, name: str, slug: str, **settings: Any) -> Json:
        """A new project (WRITE scope): the new-project form's settings, e.g. ``task_type="PAIRWISE", overlap=2``."""
        return self._json("POST", "/projects", body={"name": name, "slug": slug, **_fields(settings)})

    def iter_items(self, project: str, *, page_size: int = 100) -> Iterator[Json]:
        """Every item of a project with its prompt and candidates, in creation order, page by page."""
        cursor: Optional[str] = None
        while True:
            page = self._json("GET", f"/projects/{_segment(project)}/items", query={"limit": page_size, "cursor": cursor})
            yield from page["items"]
            cursor = page["nextCursor"]
            if cursor is None:
                return

    # ── imports ───────────────────────────────────────────────────────────────────────────────────────────────

    def import_file(self, project: str, path: PathLike, *, format: Optional[str] = None, skip_invalid: bool = False,
                    file_name: Optional[str] = None, on_progress: Optional[Callable[[ImportProgress], None]] = None,
                    poll_interval: float = 0.5, **options: Any) -> Json:
        """Uploads a file of prompts and responses (JSONL, TRL, HH-RLHF, OpenAI chat, CSV, Alpaca, …) into a project.

        The file is streamed from disk, not read into memory. The API answers when the import is done, so while the
        upload is in flight a thread polls the project's imports and calls ``on_progress`` with each new
        :class:`ImportProgress`; the last call has the final status.

        Args:
            project: the project's id or slug.
            path: the file.
            format: ``"auto"`` (the default: detected from the first lines), ``"jsonl"``, ``"trl"``, ``"csv"``, …
            skip_invalid: import the good lines and set the bad ones aside (downloadable), instead of refusing the file.
            file_name: the name the import is listed under (the file's own name by default).
            on_progress: called from the polling thread; an exception it raises is raised here after the upload.
            poll_interval: seconds between progress polls.
            **options: the importer's other options: ``trl_as_gold``, ``split_candidates``, ``skip_near_duplicates``.

        Returns:
            The import's summary: ``counts`` (prompts, candidates, items, …), ``errors`` (the first line errors),
            ``errorCount``, ``hasRejectedLines``.

        Raises:
            BadRequest: the file cannot be imported; ``field_errors`` name the lines (``FieldError.line``).
        """
        size = os.path.getsize(path)
        name = file_name or os.path.basename(os.fspath(path))
        query = {"fileName": name, "format": format, "skipInvalid": skip_invalid, **_fields(options)}
        poller = None
        if on_progress is not None:
            known = {job["id"] for job in self.list_imports(project)}
            poller = _ImportPoller(self, project, known, name, size, on_progress, poll_interval)
            poller.start()
        try:
            with open(path, "rb") as f:
                summary = self._json(
                    "POST", f"/projects/{_segment(project)}/imports", query=query, body=f,
                    headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)}, timeout=self.upload_timeout,
                )
        finally:
            if poller is not None:
                poller.stop()
        if poller is not None and on_progress is not None:
            if poller.callback_error is not None:
                raise poller.callback_error
            on_progress(ImportProgress(summary["jobId"], summary["status"], summary["bytesRead"], size, summary["linesRead"]))
        return summary

    def list_imports(self, project: str) -> List[Json]:
        """A project's imports, newest first (admin token)."""
        return self._json("GET", f"/projects/{_segment(project)}/imports")["imports"]

    def get_import(self, project: str, job_id: str) -> Json:
        """One import: status, bytes and lines read, counts, the first line errors."""
        return self._json("GET", f"/projects/{_segment(project)}/imports/{_segment(job_id)}")

    # ── snapshots ─────────────────────────────────────────────────────────────────────────────────────────────

    def create_snapshot(self, name: str, projects: Iterable[str], **definition: Any) -> Json:
        """Starts building a snapshot of the projects' judgements (EXPORT scope); answers at once (status RUNNING).

        ``definition`` is the snapshot page's: ``format`` (``"trl"``, ``"raw"``, …), ``filters``, ``aggregation``,
        ``split`` (``{"testRatio": 0.1, "seed": "s"}``), ``file_type`` (``"jsonl"`` or ``"parquet"``), ``gzip``.
        Follow with :meth:`wait_for_snapshot`.
        """
        return self._json("POST", "/exports", body={"name": name, "projects": list(projects), **_fields(definition)})

    def get_snapshot(self, snapshot_id: str) -> Json:
        """One snapshot: status, progress, ``files`` (name, split, bytes, sha256, rows), ``rowCounts``, stats."""
        return self._json("GET", f"/exports/{_segment(snapshot_id)}")

    def list_snapshots(self, *, name: Optional[str] = None, limit: Optional[int] = None) -> List[Json]:
        """Snapshots, newest first; ``name`` gives every version of one."""
        return self._json("GET", "/exports", query={"name": name, "limit": limit})["snapshots"]

    def wait_for_snapshot(self, snapshot_id: str, *, timeout: float = 600.0, poll_interval: float = 1.0) -> Json:
        """Polls until the snapshot is built and returns it.

        Raises:
            JobFailed: the build failed (``err.job["error"]`` says why).
            WaitTimeout: still building after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            snapshot = self.get_snapshot(snapshot_id)
            if snapshot["status"] == "SUCCEEDED":
                return snapshot
            if snapshot["status"] == "FAILED":
                raise JobFailed("snapshot", snapshot)
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"snapshot {snapshot_id} is still {snapshot['status']} after {timeout:g} s ({snapshot['progress']:.0%})")
            time.sleep(poll_interval)

    def download_snapshot(self, snapshot: Union[str, Json], directory: PathLike, *, names: Optional[Iterable[str]] = None) -> Dict[str, str]:
        """Downloads a ready snapshot's files into ``directory`` (created), each streamed to disk and its sha256 checked.

        Args:
            snapshot: the snapshot, or its id.
            directory: where the files go, under their own names; a file is written to ``<name>.part`` and renamed
                once its checksum matches, so a file present is a whole one.
            names: only these files (all by default).

        Returns:
            The paths written, by file name.
        """
        if isinstance(snapshot, str):
            snapshot = self.get_snapshot(snapshot)
        if snapshot["status"] != "SUCCEEDED":
            raise RlhfStudioError(f"snapshot {snapshot['id']} is {snapshot['status']}: wait_for_snapshot first")
        wanted = set(names) if names is not None else None
        os.makedirs(directory, exist_ok=True)
        written: Dict[str, str] = {}
        for file in snapshot["files"]:
            if wanted is not None and file["name"] not in wanted:
                continue
            target = os.path.join(os.fspath(directory), os.path.basename(file["name"]))
            partial = target + ".part"
            digest = hashlib.sha256()
            with self._open("GET", f"/exports/{_segment(snapshot['id'])}/files/{_segment(file['name'])}") as res, open(partial, "wb") as out:
                for chunk in iter(lambda: res.read(_CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != file["sha256"]:
                os.remove(partial)
                raise RlhfStudioError(f"{file['name']}: the download's sha256 {digest.hexdigest()} is not the snapshot's {file['sha256']}")
            os.replace(partial, target)
            written[file["name"]] = target
        if wanted is not None and wanted - set(written):
            raise RlhfStudioError(f"snapshot {snapshot['id']} has no file {', '.join(sorted(wanted - set(written)))}")
        return written

    # ── runs ──────────────────────────────────────────────────────────────────────────────────────────────────

    def launch_run(self, kind: str, name: str, *, config: Optional[Json] = None, **inputs: Any) -> Json:
        """Queues a run of any kind (RUNS scope): REWARD, PPO, GRPO, RLOO, DPO, SFT, KTO, GENERATE, SCORE, EVAL, …

        Args:
            kind: the run's kind.
            name: its name (also the name of the model it registers).
            config: the trainer's config for the kind (``{"epochs": 1, "n_layer": 2}``), checked against the trainer's
                own schema; left out, the backend's defaults.
            **inputs: the kind's inputs: ``snapshot_id``, ``model_id``, ``project_id``, ``policy_model_id``,
                ``reward_model_id``, ``reference_model_id``, ``endpoint_id``, ``gpu_count``, …

        Returns:
            The QUEUED run, with its ``queuePosition``.

        Raises:
            BadRequest: a bad input or config value; ``field_errors`` name it (``snapshotId``, ``config.lr``).
        """
        return self._json("POST", "/runs", body={"kind": kind, "name": name, **_fields(inputs), **({"config": config} if config is not None else {})})

    def get_run(self, run_id: str) -> Json:
        """One run: status, progress (0–1), error, queue position."""
        return self._json("GET", f"/runs/{_segment(run_id)}")

    def list_runs(self, *, status: Optional[str] = None, kind: Optional[str] = None, limit: Optional[int] = None) -> List[Json]:
        """Runs, newest first, with queue positions."""
        return self._json("GET", "/runs", query={"status": status, "kind": kind, "limit": limit})["runs"]

    def cancel_run(self, run_id: str) -> Json:
        """Cancels a run: a queued one at once, a running one when its worker stops it. Conflict when it has finished."""
        return self._json("POST", f"/runs/{_segment(run_id)}/cancel")

    def run_metrics(self, run_id: str, *, names: Optional[Iterable[str]] = None, after_step: Optional[int] = None) -> List[MetricPoint]:
        """A run's metrics by step; ``names`` picks metrics, ``after_step`` only later steps."""
        query = {"names": ",".join(names) if names is not None else None, "afterStep": after_step}
        return [MetricPoint(m["step"], m["name"], m["value"]) for m in self._json("GET", f"/runs/{_segment(run_id)}/metrics", query=query)["metrics"]]

    def run_logs(self, run_id: str, *, after_id: Optional[str] = None, limit: Optional[int] = None) -> Json:
        """A run's log lines, oldest first: ``{"logs": [...], "nextAfterId"}``; pass ``nextAfterId`` as ``after_id`` to read on."""
        return self._json("GET", f"/runs/{_segment(run_id)}/logs", query={"afterId": after_id, "limit": limit})

    def follow_run(self, run_id: str, *, names: Optional[Iterable[str]] = None, poll_interval: float = 1.0,
                   timeout: Optional[float] = None, on_status: Optional[Callable[[Json], None]] = None,
                   check: bool = True) -> Iterator[MetricPoint]:
        """Yields the run's metric points as the run logs them, until it ends.

        Each poll reads the run, then the points after the last step seen (that step again too: a step's eval metrics
        can come after its training ones), each point yielded once. The generator's return value (``StopIteration.value``)
        is the run as it ended.

        Args:
            names: only these metrics.
            on_status: called with the run whenever its status or progress changes.
            timeout: seconds to follow before raising WaitTimeout (the run goes on); None follows until it ends.
            check: raise JobFailed when the run ends FAILED or CANCELLED (after yielding its points).
        """
        names = list(names) if names is not None else None
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = set()
        last_step: Optional[int] = None
        shown = None
        while True:
            run = self.get_run(run_id)
            if on_status is not None and (run["status"], run["progress"]) != shown:
                shown = (run["status"], run["progress"])
                on_status(run)
            for point in self.run_metrics(run_id, names=names, after_step=None if last_step is None else last_step - 1):
                if (point.step, point.name) not in seen:
                    seen.add((point.step, point.name))
                    last_step = point.step if last_step is None else max(last_step, point.step)
                    yield point
            if run["status"] in FINISHED:
                if check and run["status"] != "SUCCEEDED":
                    raise JobFailed("run", run)
                return run
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeout(f"run {run_id} is still {run['status']} after {timeout:g} s")
            time.sleep(poll_interval)

    def wait_for_run(self, run_id: str, *, timeout: Optional[float] = None, poll_interval: float = 2.0, check: bool = True) -> Json:
        """Polls until the run ends and returns it; with ``check``, JobFailed unless it SUCCEEDED."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            run = self.get_run(run_id)
            if run["status"] in FINISHED:
                if check and run["status"] != "SUCCEEDED":
                    raise JobFailed("run", run)
                return run
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeout(f"run {run_id} is still {run['status']} after {timeout:g} s")
            time.sleep(poll_interval)

    # ── models ────────────────────────────────────────────────────────────────────────────────────────────────

    def list_models(self, *, kind: Optional[str] = None) -> List[Json]:
        """The model registry, newest first; ``kind`` is ``"REWARD"`` or ``"POLICY"``."""
        return self._json("GET", "/models", query={"kind": kind})["models"]

    def register_base_model(self, name: str, path: str, *, allow_no_chat_template: bool = False) -> Json:
        """Registers a base policy from a model directory on the server's host (RUNS scope).

        ``path`` must be an absolute directory under a model folder (<DATA_DIR>/models, <DATA_DIR>/runs,
        TRAINER_MODEL_ROOTS): a tiny model, or a Hugging Face one with safetensors weights and a tokenizer. A tokenizer
        without a chat template is refused unless ``allow_no_chat_template``.
        """
        return self._json("POST", "/models", body={"name": name, "path": path, "allowNoChatTemplate": allow_no_chat_template})

    def activate_model(self, model_id: str) -> Json:
        """Makes a model the active one of its kind (RUNS scope): the active reward model scores the queue."""
        return self._json("POST", f"/models/{_segment(model_id)}/activate")


class _ImportPoller(threading.Thread):
    """Polls a project's imports while an upload is in flight and reports the new job's progress."""

    def __init__(self, client: Client, project: str, known: set, file_name: str, size: int,
                 on_progress: Callable[[ImportProgress], None], interval: float):
        super().__init__(name="rlhf-studio-import-progress", daemon=True)
        self._client, self._project, self._known, self._file_name, self._size = client, project, known, file_name, size
        self._on_progress, self._interval = on_progress, interval
        self._stopped = threading.Event()
        self.callback_error: Optional[Exception] = None

    def stop(self) -> None:
        self._stopped.set()
        self.join()

    def run(self) -> None:
        job_id: Optional[str] = None
        last = None
        while not self._stopped.wait(self._interval):
            try:
                if job_id is None:
                    # the upload's job: the one that was not there before, under this file's name
                    fresh = [j for j in self._client.list_imports(self._project) if j["id"] not in self._known and j["fileName"] == self._file_name]
                    if not fresh:
                        continue
                    job = fresh[-1]
                    job_id = job["id"]
                else:
                    job = self._client.get_import(self._project, job_id)
            except (ApiError, URLError, OSError) as err:
                # progress is a courtesy: the upload goes on and its answer still comes back
                warnings.warn(f"import progress unavailable, no more progress reports: {err}", RuntimeWarning)
                return
            progress = ImportProgress(job["id"], job["status"], job["bytesRead"], job["bytesTotal"] or self._size, job["linesRead"])
            if progress != last and not self._stopped.is_set():
                last = progress
                try:
                    self._on_progress(progress)
                except Exception as err:  # raised in the caller's thread once the upload is done
                    self.callback_error = err
                    return
