"""The client against a running RLHF Studio (started by tests/e2e/python-client.spec.ts, which sets the variables):

    RLHF_STUDIO_URL, RLHF_STUDIO_TOKEN   the app and an admin's WRITE token
    RLHF_TEST_JUDGED_PROJECT             a project whose judged items have the chosen answer starting with "good"
    RLHF_TEST_JUDGED_PAIRS               how many comparisons that project has
    RLHF_TEST_TINY_MODEL_DIR             a tiny model directory under the app's <DATA_DIR>/models

Imports with progress, a snapshot built and downloaded, a tiny reward model trained and followed to success, a base
model registered and activated, and the typed errors of bad requests.
"""
import csv
import json
import math
import os
import uuid

import pytest

from rlhf_studio import BadRequest, Client, Conflict, ImportProgress, MetricPoint, NotFound, Unauthorized


def need(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run this through tests/e2e/python-client.spec.ts")
    return value


@pytest.fixture(scope="module")
def studio():
    return Client(need("RLHF_STUDIO_URL"), need("RLHF_STUDIO_TOKEN"))


@pytest.fixture(scope="module")
def snapshot(studio):
    started = studio.create_snapshot(f"py-{uuid.uuid4().hex[:8]}", [need("RLHF_TEST_JUDGED_PROJECT")], format="trl", split={"testRatio": 0.2, "seed": "py"})
    assert started["status"] == "RUNNING"
    return studio.wait_for_snapshot(started["id"], timeout=120, poll_interval=0.3)


def test_projects_are_listed_and_read_by_slug(studio):
    slug = need("RLHF_TEST_JUDGED_PROJECT")
    listed = {p["slug"]: p for p in studio.list_projects()}
    assert slug in listed
    got = studio.get_project(slug)
    assert got["id"] == listed[slug]["id"]
    assert got["taskType"] == "PAIRWISE"


def test_a_jsonl_import_reports_progress_while_it_uploads(studio, tmp_path):
    slug = f"py-{uuid.uuid4().hex[:8]}"
    studio.create_project("From Python", slug, allow_ties=False)
    n = 20_000
    path = tmp_path / "batch.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"prompt": f"Question {i}: what is {i} plus one?", "candidates": [{"text": f"It is {i + 1}."}, {"text": f"{i + 1}"}]}) + "\n")
    reports = []
    summary = studio.import_file(slug, path, on_progress=reports.append, poll_interval=0.2)

    assert summary["status"] == "SUCCEEDED"
    assert summary["counts"]["items"] == n
    assert summary["errorCount"] == 0
    assert all(isinstance(r, ImportProgress) and r.job_id == summary["jobId"] for r in reports)
    # seen while the upload was in flight: the job running, part of the file read
    running = [r for r in reports if r.status == "RUNNING"]
    assert running, f"no progress while importing {n} lines: {reports}"
    assert running[0].bytes_read < path.stat().st_size
    assert [r.bytes_read for r in reports] == sorted(r.bytes_read for r in reports)
    assert reports[-1].status == "SUCCEEDED" and reports[-1].fraction == 1.0 and reports[-1].lines_read == n
    assert studio.get_import(slug, summary["jobId"])["counts"]["items"] == n
    first = next(studio.iter_items(slug, page_size=1))
    assert first["prompt"]["messages"] == [{"role": "user", "content": "Question 0: what is 0 plus one?"}]


def test_a_csv_import_with_a_bad_line_names_the_line(studio, tmp_path):
    slug = f"py-csv-{uuid.uuid4().hex[:8]}"
    studio.create_project("CSV from Python", slug)
    path = tmp_path / "pairs.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["prompt", "response_1", "response_2"])
        w.writerow(["Say hi", "Hi!", "Hello."])
        w.writerow(["", "no prompt", "at all"])
    with pytest.raises(BadRequest) as refused:
        studio.import_file(slug, path)
    assert refused.value.status == 400
    assert [e.line for e in refused.value.field_errors] == [3]
    assert list(studio.iter_items(slug)) == []  # nothing half-written

    summary = studio.import_file(slug, path, skip_invalid=True, on_progress=lambda p: None)
    assert summary["counts"]["items"] == 1 and summary["hasRejectedLines"] is True


def test_a_snapshot_is_built_and_its_files_downloaded(studio, snapshot, tmp_path):
    pairs = int(need("RLHF_TEST_JUDGED_PAIRS"))
    written = studio.download_snapshot(snapshot, tmp_path / "snap")
    data = [f for f in snapshot["files"] if f["split"] is not None]
    assert {f["split"] for f in data} == {"train", "test"}
    rows = []
    for f in data:
        with open(written[f["name"]], encoding="utf-8") as fh:
            lines = [json.loads(line) for line in fh]
        assert len(lines) == f["rows"]
        rows += lines
    assert len(rows) == pairs
    assert all(r["chosen"].startswith("good") and r["rejected"].startswith("bad") for r in rows)
    assert len({r["prompt_id"] for r in rows}) == pairs
    # the same bytes as the server's: the files' checksums were checked while they streamed
    assert sorted(os.listdir(tmp_path / "snap")) == sorted(os.path.basename(p) for p in written.values())


def test_a_tiny_reward_model_is_followed_to_success_and_activated(studio, snapshot):
    config = {"n_layer": 1, "n_head": 2, "n_embd": 32, "max_length": 64, "epochs": 3, "batch_size": 2, "logging_steps": 1, "warmup_ratio": 0}
    run = studio.launch_run("REWARD", f"py rm {snapshot['id'][:6]}", snapshot_id=snapshot["id"], config=config)
    assert run["status"] == "QUEUED"
    # a second run, cancelled before (or while) it trains
    spare = studio.launch_run("REWARD", "py rm to cancel", snapshot_id=snapshot["id"], config=config)
    assert studio.cancel_run(spare["id"])["id"] == spare["id"]
    assert studio.wait_for_run(spare["id"], timeout=60, poll_interval=0.5, check=False)["status"] == "CANCELLED"
    with pytest.raises(Conflict):
        studio.cancel_run(spare["id"])

    statuses = []
    points = list(studio.follow_run(run["id"], poll_interval=0.5, timeout=240, on_status=lambda r: statuses.append(r["status"])))
    assert statuses[-1] == "SUCCEEDED"
    assert all(isinstance(p, MetricPoint) and math.isfinite(p.value) for p in points)
    assert len(set(points)) == len(points)
    loss_steps = [p.step for p in points if p.name == "loss"]
    assert len(loss_steps) >= 2 and loss_steps == sorted(loss_steps)
    # every point the run stored, each yielded once
    assert sorted(points) == sorted(studio.run_metrics(run["id"]))
    done = studio.get_run(run["id"])
    assert done["status"] == "SUCCEEDED" and done["progress"] == 1

    model = next(m for m in studio.list_models(kind="REWARD") if m["runId"] == run["id"])
    assert studio.activate_model(model["id"])["active"] is True
    assert [m["id"] for m in studio.list_models(kind="REWARD") if m["active"]] == [model["id"]]


def test_a_base_model_is_registered_from_its_directory_and_activated(studio):
    name = f"py base {uuid.uuid4().hex[:6]}"
    model = studio.register_base_model(name, need("RLHF_TEST_TINY_MODEL_DIR"))
    assert model["kind"] == "POLICY" and model["backend"] == "tiny" and model["active"] is False
    assert model["id"] in [m["id"] for m in studio.list_models(kind="POLICY")]
    assert studio.activate_model(model["id"])["active"] is True


def test_bad_requests_raise_typed_errors_naming_the_field(studio, snapshot):
    with pytest.raises(BadRequest) as bad_config:
        studio.launch_run("REWARD", "bad", snapshot_id=snapshot["id"], config={"lr": "fast"})
    err = bad_config.value
    assert (err.status, err.code) == (400, "BAD_REQUEST")
    assert err.field("config.lr") is not None, err.field_errors
    assert "config.lr" in str(err)

    with pytest.raises(BadRequest) as no_snapshot:
        studio.launch_run("REWARD", "bad", snapshot_id="no-such-snapshot")
    assert [e.field for e in no_snapshot.value.field_errors] == ["snapshotId"]

    with pytest.raises(BadRequest) as outside:
        studio.register_base_model("nowhere", "/etc")
    assert outside.value.field("path").message.startswith("must be under one of the model folders")

    with pytest.raises(NotFound):
        studio.get_project("no-such-project")
    with pytest.raises(Unauthorized):
        Client(studio.base_url, "rlhf_not-a-token").list_projects()
