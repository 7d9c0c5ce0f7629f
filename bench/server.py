"""A moto server seeded with the benchmark estate, with a request counter in front of it.

Run as its own process (`python -m bench.server --size N`) so that neither the tools nor the
harness share its memory: a child forked from a big parent would inherit the parent's peak
RSS in its rusage. It seeds the estate in-process (not timed), prints one JSON line with its
URL, the estate's census, the types to scan and their paging minimum, and serves until its
standard input closes.

Both tools reach it through AWS_ENDPOINT_URL; every HTTP request is one AWS API call,
counted the same way whoever makes it. GET /__bench__/calls returns the counts so far
(that request itself is not counted).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CALLS_PATH = "/__bench__/calls"


class CountingMiddleware:
    """Counts requests per 'service:Operation' and, with ``replay``, answers repeats from memory.

    Replay: the estate does not change during a benchmark and both tools only read, so an
    identical request (same service, region, operation, parameters and page token) gets the
    same answer. The warm-up run of each tool fills the cache; the measured runs then time
    the tools, not moto's XML serializer, which otherwise spends ~85 % of the server's time
    (py-spy, docs/performance.md) rendering DescribeInstances/DescribeVolumes pages.
    moto's own /moto-api/ calls are neither counted nor cached.
    """

    def __init__(self, app: WsgiApp, replay: bool = True, latency_s: float = 0.0) -> None:
        self._app = app
        self._replay = replay
        # AWS's round trip, added to every counted call (bench.empty_unit: 0 and 80 ms)
        self._latency_s = latency_s
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self._answers: dict[tuple[str, ...], tuple[str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == CALLS_PATH:
            with self._lock:
                body = json.dumps(dict(self.calls)).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        if path.startswith("/moto-api"):
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request_body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(request_body)
        name = operation(environ, request_body)
        with self._lock:
            self.calls[name] += 1
        if self._latency_s:
            time.sleep(self._latency_s)
        if not self._replay:
            return self._app(environ, start_response)
        key = (
            [*_scope(environ), "", "", ""][2],  # the region
            name,
            environ.get("REQUEST_METHOD", ""),
            environ.get("HTTP_HOST", ""),
            path,
            environ.get("QUERY_STRING", ""),
            request_body.decode("utf-8", "replace"),
        )
        with self._lock:
            answer = self._answers.get(key)
        if answer is None:
            captured: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                captured["status"], captured["headers"] = status, headers
                return start_response(status, headers, *rest)

            chunks = self._app(environ, capture)
            body = b"".join(chunks)
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            with self._lock:
                self._answers[key] = (captured["status"], captured["headers"], body)
            return [body]
        status, headers, body = answer
        start_response(status, headers)
        return [body]


def _scope(environ: dict[str, Any]) -> list[str]:
    """The SigV4 credential scope: AKID/date/region/service/aws4_request."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []


def operation(environ: dict[str, Any], body: bytes = b"") -> str:
    """'service:Operation' from the JSON target, the query Action or the REST method and path."""
    scope = _scope(environ)
    service = scope[3] if len(scope) > 3 else "?"
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    method = environ.get("REQUEST_METHOD", "GET")
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if method == "POST" and "Action" not in query:
        # Query protocol (EC2, RDS, ELBv2, STS): Action is in the form body.
        query.update(parse_qsl(body.decode("utf-8", "replace")))
    if "Action" in query:
        return f"{service}:{query['Action']}"
    # REST protocols (S3, Lambda, EFS): the method, the first fixed path word, the sub-resource.
    words = [w for w in environ.get("PATH_INFO", "").split("/") if w and not w[:1].isdigit()]
    subresource = next((key for key, value in query.items() if value == ""), "")
    shape = words[0] if service in ("lambda", "elasticfilesystem") and words else ""
    return f"{service}:{method} {shape}{'?' + subresource if subresource else ''}".rstrip()


def speed_up_moto_ec2_tags() -> None:
    """A dict lookup for an EC2 resource's tags instead of moto's scan of every tag in the region.

    moto 5.2 answers each resource's tags with DescribeTags over the whole region (a regex per
    tag), so describing N resources costs O(N²): minutes for 2,000 volumes, for either tool.
    AWS has no such cost. Same answers (the resource's own tags), so both tools are measured
    against a server whose cost per resource is flat, as AWS's is.
    """
    from moto.ec2.models.core import TaggedEC2Resource
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def get_tags(self: Any) -> list[dict[str, str]]:
        if not self.id:
            return []
        kind = EC2_PREFIX_TO_RESOURCE.get(get_prefix(self.id), "")
        return [
            {"resource_id": self.id, "key": key, "value": value, "resource_type": kind}
            for key, value in self.ec2_backend.tags.get(self.id, {}).items()
        ]

    TaggedEC2Resource.get_tags = get_tags


def page_ec2_like_aws() -> None:
    """EC2's Describe* answered in pages of MaxResults items, as AWS answers them.

    moto 5.2 answers DescribeVolumes, DescribeSnapshots and DescribeImages in one page however
    many items there are, and DescribeInstances in pages of reservations, not instances. A
    tool that asks for pages of 500 would then parse 18,000 volumes at once, and its memory
    would measure moto. Without MaxResults the answer stays whole (AWS does the same).
    """
    from moto.core.responses import ActionResult
    from moto.ec2.responses.amis import AmisResponse
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore
    from moto.ec2.responses.instances import InstanceResponse

    def window(self: Any, count: int) -> tuple[int, int, str | None]:
        start = int(self._get_param("NextToken") or 0)
        end = start + int(self._get_param("MaxResults"))
        return start, end, str(end) if end < count else None

    def paged(method: Callable[[Any], Any], key: str) -> Callable[[Any], Any]:
        def answer(self: Any) -> Any:
            result = method(self)
            if not self._get_param("MaxResults"):
                return result
            items = result.result[key]
            start, end, token = window(self, len(items))
            return ActionResult({key: items[start:end], "NextToken": token})

        return answer

    ElasticBlockStore.describe_volumes = paged(ElasticBlockStore.describe_volumes, "Volumes")  # type: ignore[method-assign]
    ElasticBlockStore.describe_snapshots = paged(ElasticBlockStore.describe_snapshots, "Snapshots")  # type: ignore[method-assign]
    AmisResponse.describe_images = paged(AmisResponse.describe_images, "Images")  # type: ignore[method-assign]
    whole = InstanceResponse.describe_instances

    def describe_instances(self: Any) -> Any:
        if not self._get_param("MaxResults") or self._get_param("InstanceIds", []):
            return whole(self)
        reservations = self.ec2_backend.describe_instances(filters=self._filters_from_querystring())
        flat = [(reservation, instance) for reservation in reservations for instance in reservation.instances]
        start, end, token = window(self, len(flat))
        parts: list[Any] = []
        for reservation, instance in flat[start:end]:
            if not parts or parts[-1].id != reservation.id:
                parts.append(copy.copy(reservation))  # moto's own reservations are copies too
                parts[-1].instances = []
            parts[-1].instances.append(instance)
        return ActionResult({"Reservations": parts, "NextToken": token})

    InstanceResponse.describe_instances = describe_instances  # type: ignore[method-assign]


def answer_arn_lists_whole() -> None:
    """Tagging API GetResources with an ARN list answered in one page, as AWS answers it.

    AWS accepts no pagination parameter with ResourceARNList (at most 100 ARNs; its API
    reference: "You can't specify both this parameter and any of the pagination
    parameters"), so the tags of up to 100 resources come back whole. moto 5.2 pages them 50
    resources or 100 tags at a time: maptag follows those pages (2-3 calls per 100 ARNs) and
    Custodian reads only the first, so on unpatched moto one tool pays calls AWS would not
    ask for and the other misses tags AWS would return.
    """
    from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

    paged = ResourceGroupsTaggingAPIBackend.get_resources

    def get_resources(self: Any, pagination_token: str | None = None, **kwargs: Any) -> Any:
        if kwargs.get("resource_arn_list") and not pagination_token:
            kwargs.update(resources_per_page=len(kwargs["resource_arn_list"]), tags_per_page=10**9)
        return paged(self, pagination_token, **kwargs)

    ResourceGroupsTaggingAPIBackend.get_resources = get_resources  # type: ignore[method-assign]


def serve(size: int, seed_value: int, replay: bool, latency_s: float = 0.0) -> None:
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    os.environ["MOTO_RDS_SNAPSHOT_LIMIT"] = str(10 * size)  # moto's default quota is 1,000
    speed_up_moto_ec2_tags()
    page_ec2_like_aws()
    answer_arn_lists_whole()
    from moto import mock_aws
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from bench.estate import REGIONS, EstatePlan, census, seed
    from bench.paging import paging_minimum
    from maptag.local.embedded import EMBEDDED_TYPES

    class QuietHandler(MotoRequestHandler):  # type: ignore[misc]
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """No access log: thousands of lines per run."""

    started = time.perf_counter()
    mock = mock_aws()
    mock.start()
    expected, made = seed(EstatePlan.of(size), seed_value) if size else (Counter(), Counter())
    found = census() + made
    mock.stop(remove_data=False)  # the server below serves the same in-process backends
    seeded = time.perf_counter() - started

    app = CountingMiddleware(DomainDispatcherApplication(create_backend_app), replay, latency_s)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(
        json.dumps(
            {
                "url": f"http://{host}:{port}",
                "seed_s": round(seeded, 1),
                "census": [[rtype, region, count] for (rtype, region), count in sorted(found.items())],
                # what moto can answer: the types maptag is asked to scan (maptag.local.embedded)
                "types": list(EMBEDDED_TYPES),
                "paging_minimum": paging_minimum(found, REGIONS, EMBEDDED_TYPES),
                "expected": [[rtype, verdict, count] for (rtype, verdict), count in sorted(expected.items())],
            }
        ),
        flush=True,
    )
    sys.stdin.read()  # until the harness closes our stdin (or dies)
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, required=True, help="resources to seed (0: an empty account)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-replay", dest="replay", action="store_false", help="never answer from memory")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="added to every call (AWS's round trip)"
    )
    args = parser.parse_args()
    serve(args.size, args.seed, args.replay, args.latency_ms / 1000)


if __name__ == "__main__":
    main()
