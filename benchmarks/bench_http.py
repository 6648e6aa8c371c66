"""Lodgements over HTTP: the web app served in its own process, loaded from a second one.

The world is bench_lifecycle's (trains of railcars at Dostyk with their waybills, brokers who
declare the cargo), with an account and an API token for each broker. The server is the app as
``dostyk serve`` runs it (uvicorn, one process on SQLite, ``--workers 2`` on PostgreSQL); the load
comes from a second process on loopback, a small asyncio HTTP/1.1 client holding
``--connections`` keep-alive connections, each sending its next request as soon as the last is
answered, and timing each one.

The work is a broker's lodgement: POST the declaration document of docs/lifecycle.md to
``/api/v1/declarations`` with the broker's token (the server validates it, records it and its
ledger entries). Beside it, in the same run, the same use case is called in-process on the same
store — the document parsed and :func:`declarations.lodge` called — so the difference is what the
web layer and HTTP cost. Rounds alternate between the two, so noise on a shared machine falls on
both alike.

Until the API's lodge endpoint is in the app's route table, the HTTP side reads each lodged
declaration instead (``GET /api/v1/declarations/{id}``, the record a broker polls for), beside the
same read in-process; the table says which was measured.

Run: ``uv run python -m benchmarks.bench_http [--quick] [--connections N] [--profile FILE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from benchmarks.bench_lifecycle import BROKERS, Plan, build_world
from benchmarks.common import machine, postgres_available, postgres_engine, show
from dostyk.domain.accounts import Role
from dostyk.services import accounts, declarations
from dostyk.services.declaration_record import read_declaration
from dostyk.store.engine import make_engine

LODGE_PATH = "/api/v1/declarations"
READ_PATH = "/api/v1/declarations/{}"
#: Password of the benchmark's broker accounts (never served beyond loopback).
PASSWORD = "benchmark broker password"


# --- the documents -----------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal: its exact text
        return str(value)
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def document(plan: Plan) -> bytes:
    """The declaration document a broker sends (docs/lifecycle.md), as bytes."""
    head = {
        key: _value(value)
        for key, value in vars_of(plan.declaration).items()
        if key not in ("lodged_at", "status", "channel") and value is not None
    }
    items = [
        {k: _value(v) for k, v in vars_of(item).items() if k != "declaration_id" and v is not None}
        for item in plan.items
    ]
    units = [unit.crossing_id for unit in plan.units]
    return json.dumps({"declaration": head, "items": items, "units": units}).encode()


def vars_of(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def lodge_in_process(engine: Engine, body: bytes, actor: str, at: datetime) -> None:
    """What the endpoint does, without HTTP: parse the document and lodge it."""
    from dostyk.interchange.json_documents import parse_declaration

    parsed = parse_declaration(body.decode(), "body", lodged_at=at)
    lodged = declarations.lodge(
        engine, parsed.declaration, parsed.items, parsed.units, actor=actor, at=at
    )
    assert lodged.accepted, lodged.reasons


def read_in_process(engine: Engine, declaration_id: str) -> None:
    read_declaration(engine, declaration_id).to_json()


# --- the load: a second process ----------------------------------------------------------------


async def _connection(
    port: int, requests: list[bytes], latencies: list[float], statuses: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split()[1])
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], connections: int) -> dict[str, Any]:
    shares = [requests[n::connections] for n in range(connections)]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, share, latencies, statuses) for share in shares))
    return {
        "seconds": time.perf_counter() - started,
        "latencies": latencies,
        "statuses": statuses,
    }


def load_main(arguments: Sequence[str]) -> None:
    """The load process: reads its requests from a file, prints its timings as JSON."""
    port, connections, path = int(arguments[0]), int(arguments[1]), Path(arguments[2])
    requests = json.loads(path.read_text())
    raw = [bytes.fromhex(r) for r in requests]
    result = asyncio.run(_load(port, raw, connections))
    print(json.dumps(result))


def http_request(method: str, path: str, token: str, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n"
    )
    if body:
        head += "Content-Type: application/json\r\n"
    return (head + "\r\n").encode() + body


def run_load(port: int, requests: list[bytes], connections: int, folder: Path) -> dict[str, Any]:
    path = folder / "requests.json"
    path.write_text(json.dumps([r.hex() for r in requests]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_http",
            "--load",
            str(port),
            str(connections),
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- the server: its own process ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(
    database_url: str, home: Path, workers: int, profile: str | None = None
) -> Iterator[int]:
    """The app on ``database_url`` under uvicorn in a process of its own; yields its port."""
    port = _free_port()
    env = {**os.environ, "DOSTYK_HOME": str(home), "DOSTYK_DATABASE_URL": database_url}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "dostyk.web.app:app_from_environment",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if profile:
        command = [sys.executable, "-m", "pyinstrument", "-o", profile, "-r", "html", *command[1:]]
    server = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Side:
    """Timings of one side (HTTP or in-process) over all rounds."""

    count: int = 0
    seconds: float = 0.0
    latencies: list[float] | None = None

    def add(self, count: int, seconds: float, latencies: list[float]) -> None:
        self.count += count
        self.seconds += seconds
        self.latencies = [*(self.latencies or []), *latencies]

    def cells(self) -> list[str]:
        lat = sorted(self.latencies or [0.0])
        p50 = statistics.median(lat)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        rate = self.count / self.seconds if self.seconds else 0.0
        return [f"{self.count:,}", f"{rate:,.0f}/s", f"{p50 * 1000:.1f} ms", f"{p99 * 1000:.1f} ms"]


def _accounts(engine: Engine, at: datetime) -> dict[str, str]:
    tokens = {}
    for n in range(1, BROKERS + 1):
        party = f"BRK{n}"
        accounts.add_account(
            engine,
            f"broker{n}",
            Role.BROKER,
            party_id=party,
            display_name=f"Broker {n}",
            password=PASSWORD,
            actor="system",
            at=at,
        )
        tokens[party], _ = accounts.issue_token(
            engine, f"broker{n}", label="benchmark", actor="system", at=at
        )
    return tokens


def _lodge_route_exists() -> bool:
    """Whether the app's route table has the API's lodge endpoint yet."""
    from fastapi.routing import APIRoute, iter_route_contexts

    from dostyk.config import Settings
    from dostyk.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(home=Path(folder), database_url="sqlite://"))
        return any(
            isinstance(context.original_route, APIRoute)
            and context.path == LODGE_PATH
            and "POST" in (context.methods or ())
            for context in iter_route_contexts(app.routes)
        )


def measure(
    backend: str,
    engine: Engine,
    url: str,
    home: Path,
    trains: int,
    rounds: int,
    connections: int,
    profile: str | None,
) -> list[list[str]]:
    world = build_world(engine, trains)
    plans = [plan for train in world for plan in train.plans]
    tokens = _accounts(engine, datetime.now(UTC) - timedelta(hours=1))
    lodging = _lodge_route_exists()
    workers = 2 if backend == "PostgreSQL" else 1
    over_http, in_process = Side(), Side()
    half = len(plans) // 2
    http_plans, local_plans = plans[:half], plans[half:]
    per_round = len(http_plans) // rounds
    with served(url, home, workers, profile) as port:
        lodged = Side()
        if not lodging:  # what is read must exist: lodge everything in-process first, timed
            latencies = []
            started = time.perf_counter()
            for plan in plans:
                one = time.perf_counter()
                lodge_in_process(
                    engine, document(plan), plan.declaration.declarant_id, datetime.now(UTC)
                )
                latencies.append(time.perf_counter() - one)
            lodged.add(len(plans), time.perf_counter() - started, latencies)
        for number in range(rounds):
            chunk = http_plans[number * per_round : (number + 1) * per_round]
            local = local_plans[number * per_round : (number + 1) * per_round]
            if lodging:
                requests = [
                    http_request(
                        "POST", LODGE_PATH, tokens[p.declaration.declarant_id], document(p)
                    )
                    for p in chunk
                ]
            else:
                requests = [
                    http_request(
                        "GET",
                        READ_PATH.format(p.declaration_id),
                        tokens[p.declaration.declarant_id],
                    )
                    for p in chunk
                ]
            result = run_load(port, requests, connections, home)
            bad = {s: c for s, c in result["statuses"].items() if not str(s).startswith("2")}
            assert not bad, f"the server answered {bad}"
            over_http.add(len(chunk), result["seconds"], result["latencies"])
            latencies = []
            started = time.perf_counter()
            for plan in local:
                one = time.perf_counter()
                if lodging:
                    lodge_in_process(
                        engine, document(plan), plan.declaration.declarant_id, datetime.now(UTC)
                    )
                else:
                    read_in_process(engine, plan.declaration_id)
                latencies.append(time.perf_counter() - one)
            in_process.add(len(local), time.perf_counter() - started, latencies)
    work = "lodge" if lodging else "read"
    load = os.getloadavg()
    first = [] if lodging else [[backend, "lodge", "in-process", *lodged.cells(), f"{load[0]:.1f}"]]
    return [
        *first,
        [backend, work, f"HTTP {connections}c {workers}w", *over_http.cells(), f"{load[0]:.1f}"],
        [backend, work, "in-process", *in_process.cells(), f"{load[0]:.1f}"],
    ]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        load_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (a smoke test)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--profile", help="write a pyinstrument profile of the server here")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    trains, rounds = (4, 2) if options.quick else (60, 6)
    rows = []
    with ExitStack() as stack:
        if options.backend in ("sqlite", "both"):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dostyk-http-")))
            url = f"sqlite:///{folder / 'bench.db'}"
            engine = make_engine(url)
            rows += measure(
                "SQLite", engine, url, folder, trains, rounds, options.connections, options.profile
            )
            engine.dispose()
        if options.backend in ("postgresql", "both") and postgres_available():
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="dostyk-http-")))
            engine = stack.enter_context(postgres_engine())
            url = engine.url.render_as_string(hide_password=False)
            rows += measure(
                "PostgreSQL",
                engine,
                url,
                folder,
                trains,
                rounds,
                options.connections,
                options.profile,
            )
    show(
        "Lodgements over HTTP beside the same use case in-process (same run, alternating rounds)",
        ["backend", "work", "caller", "requests", "throughput", "p50", "p99", "load avg"],
        rows,
    )
    print(f"machine: {machine()}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
