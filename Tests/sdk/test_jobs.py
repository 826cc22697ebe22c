"""Import and delete jobs through the SDK's generated operations (the public DigitalTwinsClient
has no job methods): client._client.import_jobs (add, get_by_id, list, cancel, delete) and
client._client.delete_jobs (begin_add, a long-running operation; get_by_id, list)."""

import json
import os
import time
import uuid

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.digitaltwins.core._generated.models import ImportJob, ImportJobsListOptions


def import_dir():
    folder = os.environ.get("TWINS_SDK_IMPORT_DIR")
    if not folder:
        pytest.skip("TWINS_SDK_IMPORT_DIR is not set: the gateway needs --import-dir (scripts/sdk-tests.sh sets it)")
    return folder


def write_file(name, lines):
    path = os.path.join(import_dir(), name)
    with open(path, "w") as f:
        f.write("\n".join(json.dumps(line) for line in lines) + "\n")
    return "file://" + path


def graph_file(name, prefix, twins):
    model = f"dtmi:sdk:{prefix}:Room;1"
    lines = [
        {"Section": "Header"},
        {"fileVersion": "1.0.0", "author": "sdk-tests", "organization": "twins"},
        {"Section": "Models"},
        {
            "@context": "dtmi:dtdl:context;2", "@id": model, "@type": "Interface",
            "contents": [
                {"@type": "Property", "name": "temperature", "schema": "double"},
                {"@type": "Relationship", "name": "next"},
            ],
        },
        {"Section": "Twins"},
    ]
    lines += [{"$dtId": f"{prefix}-{i}", "$metadata": {"$model": model}, "temperature": i} for i in range(twins)]
    lines.append({"Section": "Relationships"})
    lines += [
        {"$dtId": f"{prefix}-{i}", "$relationshipId": "r", "$targetId": f"{prefix}-{i + 1}", "$relationshipName": "next"}
        for i in range(twins - 1)
    ]
    return write_file(name, lines), model


def wait(get, job_id, timeout=60):
    deadline = time.time() + timeout
    while True:
        job = get(job_id)
        if job.status in ("succeeded", "failed", "cancelled"):
            return job
        assert time.time() < deadline, f"job {job_id} is still {job.status}"
        time.sleep(0.1)


def cleanup_graph(client, prefix, twins, model):
    for i in range(twins - 1):
        client.delete_relationship(f"{prefix}-{i}", "r")
    for i in range(twins):
        client.delete_digital_twin(f"{prefix}-{i}")
    client.delete_model(model)


def test_import_job_lifecycle(client):
    jobs = client._client.import_jobs
    prefix = "imp" + uuid.uuid4().hex[:8]
    source, model = graph_file(f"{prefix}.ndjson", prefix, 25)
    output = "file://" + os.path.join(import_dir(), f"{prefix}-out.ndjson")
    job_id = "job-" + prefix
    created = jobs.add(job_id, ImportJob(input_blob_uri=source, output_blob_uri=output))
    assert created.id == job_id
    assert created.input_blob_uri == source and created.output_blob_uri == output
    assert created.status in ("notstarted", "running")
    assert created.created_date_time is not None and created.purge_date_time is not None

    done = wait(jobs.get_by_id, job_id)
    assert done.status == "succeeded"
    assert done.finished_date_time is not None
    assert client.get_digital_twin(f"{prefix}-24")["temperature"] == 24
    assert [r["$targetId"] for r in client.list_relationships(f"{prefix}-0")] == [f"{prefix}-1"]
    with open(output[len("file://"):]) as f:
        log = [json.loads(line) for line in f]
    assert log[0]["details"] == {"status": "Started"} and log[-1]["details"] == {"status": "Succeeded"}
    assert {line["jobType"] for line in log} == {"Import"}

    # The same id again; cancelling a finished job; paging the list.
    with pytest.raises(ResourceExistsError) as exists:
        jobs.add(job_id, ImportJob(input_blob_uri=source, output_blob_uri=output))
    assert exists.value.error.code == "JobIdAlreadyExists"
    with pytest.raises(HttpResponseError) as finished:
        jobs.cancel(job_id)
    assert finished.value.error.code == "ValidationFailed"
    listed = [j.id for j in jobs.list(ImportJobsListOptions(max_items_per_page=1))]
    assert job_id in listed

    jobs.delete(job_id)
    with pytest.raises(ResourceNotFoundError) as missing:
        jobs.get_by_id(job_id)
    assert missing.value.error.code == "ImportJobNotFound"
    cleanup_graph(client, prefix, 25, model)


def test_import_job_errors(client):
    jobs = client._client.import_jobs
    with pytest.raises(HttpResponseError) as invalid:
        jobs.add("job-invalid-" + uuid.uuid4().hex[:8], ImportJob(input_blob_uri="invalidUri", output_blob_uri="invalidUri"))
    assert invalid.value.status_code == 400
    assert invalid.value.error.code == "InvalidArgument"
    with pytest.raises(HttpResponseError) as outside:
        jobs.add("job-outside-" + uuid.uuid4().hex[:8], ImportJob(input_blob_uri="file:///etc/passwd", output_blob_uri="file:///tmp/x"))
    assert outside.value.error.code == "InvalidArgument"


def test_delete_job_empties_the_instance(client):
    prefix = "del" + uuid.uuid4().hex[:8]
    source, _ = graph_file(f"{prefix}.ndjson", prefix, 10)
    output = "file://" + os.path.join(import_dir(), f"{prefix}-out.ndjson")
    imports = client._client.import_jobs
    imports.add("job-" + prefix, ImportJob(input_blob_uri=source, output_blob_uri=output))
    assert wait(imports.get_by_id, "job-" + prefix).status == "succeeded"

    deletions = client._client.delete_jobs
    poller = deletions.begin_add(polling_interval=0.1)
    job = poller.result(timeout=60)
    assert job.status == "succeeded"
    assert job.finished_date_time is not None
    assert list(client.list_models()) == []
    assert list(client.query_twins("SELECT * FROM digitaltwins")) == []
    assert job.id in [j.id for j in deletions.list()]
    assert deletions.get_by_id(job.id).status == "succeeded"
    with pytest.raises(ResourceNotFoundError) as missing:
        deletions.get_by_id("no-such-job")
    assert missing.value.error.code == "DeleteJobNotFound"
