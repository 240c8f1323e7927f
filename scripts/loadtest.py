"""Load with a fault: 50 asyncio clients enrol and verify for 60 s against
`cityid serve --workers 2` on PostgreSQL, and PostgreSQL is restarted once mid-run.

    .venv/bin/python scripts/loadtest.py [--clients 50] [--seconds 60] [--no-restart]

A fresh database `cityid_load_<random>` is created for the run and dropped after it.
Clients retry 503s and connection errors with backoff and count them. At the end every
acknowledged enrollment (200/201 with an application id) must be in the database, and
the service must have come back by itself. Loopback only; every loop is bounded.
Restarting PostgreSQL is for this script (`make reliability`) only, never `make test`.
Exit 0 when no acknowledged enrollment was lost and the service recovered, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlalchemy as sa

from cityid.devtools.synth.applicants import generate_applicants

PG_URL = os.environ.get("CITYID_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSPHRASE = "load test passphrase, not for production"  # noqa: S105 (throwaway, this run only)
ADMIN_PASSWORD = "many ducks paddle quietly 31"  # noqa: S105 (throwaway, this run only)
STAFF_PASSWORD = "seven herons stand still 42"  # noqa: S105 (throwaway, this run only)
MAX_ATTEMPTS = 40  # backoff capped at 2 s: a request rides out ~75 s of outage, then gives up
RETRYABLE = {502, 503, 504}


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"enroll": [], "verify": []})
    acknowledged: list[str] = field(default_factory=list)
    ineligible: int = 0
    rate_limited: int = 0
    verify_results: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[float, str, str]] = field(default_factory=list)  # (answered at, kind, what)
    given_up: int = 0
    last_success: dict[str, float] = field(default_factory=dict)
    successes_after_restart: dict[str, float] = field(default_factory=dict)


def database_url(name: str) -> str:
    parts = urlsplit(PG_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cityid(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 (our own CLI, fixed arguments)
        [sys.executable, "-m", "cityid", "--json", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"cityid {args[0]} failed: {done.stdout}{done.stderr}")
    return dict(json.loads(done.stdout)) if done.stdout.strip() else {}


def applicants(seed: int) -> Iterator[dict[str, Any]]:
    """An endless-enough stream of eligible synthetic applicants for one client."""
    for line in generate_applicants(5000, seed=seed, today=dt.date.today()):
        if line["truth"]["expect_eligible"]:
            yield {k: v for k, v in line.items() if k != "truth"}


def restart_postgresql() -> float:
    versions = sorted(os.listdir("/etc/postgresql"))
    started = time.monotonic()
    pg_ctlcluster = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [pg_ctlcluster, "--skip-systemctl-redirect", versions[-1], "main", "restart"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return time.monotonic() - started


async def call(
    client: httpx.AsyncClient, kind: str, method: str, path: str, stats: Stats, t0: float,
    stop_at: float, **kwargs: Any,
) -> httpx.Response | None:  # fmt: skip
    """One operation with retries on 503 and connection errors; None when it gave up."""
    delay = 0.1
    for _attempt in range(MAX_ATTEMPTS):
        started = time.monotonic()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            stats.errors.append((time.monotonic() - t0, kind, type(exc).__name__))
        else:
            if response.status_code not in RETRYABLE:
                if response.status_code < 300:
                    stats.latencies[kind].append(time.monotonic() - started)
                    stats.last_success[kind] = time.monotonic() - t0
                return response
            stats.errors.append((time.monotonic() - t0, kind, f"http {response.status_code}"))
        if time.monotonic() + delay > stop_at + 45:
            break
        await asyncio.sleep(delay * (0.5 + random.random()))  # noqa: S311 (jitter)
        delay = min(delay * 2, 2.0)
    stats.given_up += 1
    return None


async def client_loop(
    index: int, url: str, token: str, qrs: list[str], stats: Stats, t0: float, stop_at: float
) -> None:
    # Each client its own loopback address, as separate desks would be: the public
    # verifier's rate limit is per address.
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{index // 250}.{index % 250 + 2}")
    headers = {"Authorization": f"Bearer {token}"}
    people = applicants(seed=1000 + index)
    rng = random.Random(index)  # noqa: S311 (workload mix, not security)
    async with httpx.AsyncClient(base_url=url, transport=transport, timeout=30) as client:
        while time.monotonic() < stop_at:
            if qrs and rng.random() < 0.5:
                response = await call(client, "verify", "POST", "/api/v1/verify", stats, t0,
                                      stop_at, json={"qr": rng.choice(qrs)})  # fmt: skip
                if response is not None and response.status_code == 429:
                    stats.rate_limited += 1
                    await asyncio.sleep(1.0)
                elif response is not None and response.status_code == 200:
                    result = response.json()["result"]
                    stats.verify_results[result] = stats.verify_results.get(result, 0) + 1
                continue
            body = next(people, None)
            if body is None:
                return
            response = await call(client, "enroll", "POST", "/api/v1/applications", stats, t0,
                                  stop_at, json=body, headers=headers)  # fmt: skip
            if response is not None and response.status_code in (200, 201):
                application_id = response.json().get("application_id")
                if application_id:
                    stats.acknowledged.append(application_id)
                else:
                    stats.ineligible += 1
            elif response is not None:
                stats.errors.append(
                    (time.monotonic() - t0, "enroll", f"http {response.status_code}")
                )


def prepare_cards(url: str, token: str, count: int) -> list[str]:
    """A few issued cards to verify (skipped if the cards API is not there)."""
    qrs: list[str] = []
    with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as c:
        for body in applicants(seed=7):
            if len(qrs) >= count:
                break
            made = c.post("/api/v1/applications", json=body)
            application_id = made.json().get("application_id") if made.status_code == 200 else None
            if not application_id:
                continue
            c.post(f"/api/v1/applications/{application_id}/approve", json={})
            card = c.post("/api/v1/cards", json={"application_id": application_id})
            if card.status_code == 404:
                return []
            if card.status_code == 201:
                qr = c.get(f"/api/v1/cards/{card.json()['card_number']}/qr")
                qrs.append(qr.json()["qr"])
    return qrs


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1] if q < 100 else max(values)
    )


async def drive(
    args: argparse.Namespace, url: str, token: str, qrs: list[str]
) -> tuple[Stats, dict[str, Any]]:
    stats = Stats()
    t0 = time.monotonic()
    stop_at = t0 + args.seconds
    tasks = [asyncio.create_task(client_loop(i, url, token, qrs, stats, t0, stop_at))
             for i in range(args.clients)]  # fmt: skip
    restart: dict[str, Any] = {"done": False}
    if not args.no_restart:
        await asyncio.sleep(args.seconds * 0.4)
        restart["at"] = time.monotonic() - t0
        restart["took"] = await asyncio.to_thread(restart_postgresql)
        restart["done"] = True
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.seconds + 120)
    stats.successes_after_restart = dict(stats.last_success)
    return stats, restart


def serve(
    data_dir: Path, env: dict[str, str], workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "cityid", "serve", "--data-dir", str(data_dir), "--host",
         "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"cityid serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"cityid serve did not become ready:\n{log.read_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-restart", action="store_true")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()

    name = f"cityid_load_{secrets.token_hex(4)}"
    admin = sa.create_engine(
        database_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    process: subprocess.Popen[bytes] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="cityid-load-") as tmp:
            work = Path(tmp)
            data_dir = work / "data"
            url_db = database_url(name)
            env = {**os.environ, "CITYID_KEYSTORE_PASSPHRASE": PASSPHRASE,
                   "CITYID_DATABASE_URL": url_db, "CITYID_DATA_DIR": str(data_dir)}  # fmt: skip
            (work / "admin.pw").write_text(ADMIN_PASSWORD)
            (work / "staff.pw").write_text(STAFF_PASSWORD)
            run_cityid(env, "init", "--data-dir", str(data_dir), "--admin-password-file",
                       str(work / "admin.pw"))  # fmt: skip
            run_cityid(env, "--data-dir", str(data_dir), "user", "add", "desk", "--role",
                       "supervisor", "--password-file", str(work / "staff.pw"))  # fmt: skip
            process, url = serve(data_dir, env, args.workers, work / "serve.log")
            token = httpx.post(
                f"{url}/api/v1/tokens",
                timeout=30,
                json={"username": "desk", "password": STAFF_PASSWORD},
            ).json()["token"]
            qrs = prepare_cards(url, token, 5)
            engine = sa.create_engine(url_db, poolclass=sa.pool.NullPool)
            with engine.connect() as conn:
                before = conn.execute(sa.text("SELECT count(*) FROM applications")).scalar_one()
            print(f"load: {args.clients} clients, {args.seconds:.0f} s, {args.workers} workers, "
                  f"database {name}, {len(qrs)} cards to verify", file=sys.stderr)  # fmt: skip
            stats, restart = asyncio.run(drive(args, url, token, qrs))
            ready = False
            for _ in range(60):
                try:
                    ready = httpx.get(f"{url}/readyz", timeout=2).status_code == 200
                except httpx.HTTPError:
                    ready = False
                if ready:
                    break
                time.sleep(0.5)
            with engine.connect() as conn:
                in_db = (
                    conn.execute(sa.text("SELECT count(*) FROM applications")).scalar_one() - before
                )
                ids = set(stats.acknowledged)
                listed = sa.text("SELECT application_id FROM applications")
                found: set[str] = {str(r[0]) for r in conn.execute(listed)} if ids else set()
            engine.dispose()
            report = summarise(args, stats, restart, ready, int(in_db), ids - found)
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(json.dumps(report, indent=2))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


def summarise(
    args: argparse.Namespace, stats: Stats, restart: dict[str, Any], ready: bool, in_db: int,
    lost: set[str],
) -> dict[str, Any]:  # fmt: skip
    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    window = (restart.get("at", 0.0), restart.get("at", 0.0) + restart.get("took", 0.0) + 15.0)
    during = [e for e in stats.errors if restart["done"] and window[0] <= e[0] <= window[1]]
    outside = [e for e in stats.errors if e not in during]
    after = restart.get("at", 0.0) + restart.get("took", 0.0)
    came_back = {kind: stats.last_success.get(kind, 0.0) > after for kind in ("enroll", "verify")
                 if stats.latencies[kind]}  # fmt: skip
    done = sum(len(v) for v in stats.latencies.values())
    report = {
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "requests_ok": done,
        "throughput_per_s": round(done / args.seconds, 1),
        "latency_ms": {
            kind: {"n": len(v), "p50": ms(percentile(v, 50)), "p99": ms(percentile(v, 99))}
            for kind, v in stats.latencies.items()
        },
        "enrollments_acknowledged": len(stats.acknowledged),
        "ineligible_answers": stats.ineligible,
        "applications_in_database": in_db,
        "acknowledged_but_missing": len(lost),
        "verify_results": stats.verify_results,
        "rate_limited": stats.rate_limited,
        "postgresql_restart": {
            "done": restart["done"],
            "at_s": round(restart.get("at", 0.0), 1),
            "took_s": round(restart.get("took", 0.0), 1),
            "errors_during": len(during),
            "error_kinds_during": sorted({e[2] for e in during}),
        },
        "errors_outside_restart": len(outside),
        "errors_per_5s": {
            f"{5 * k}-{5 * k + 5}s": n
            for k, n in sorted(Counter(int(e[0] // 5) for e in stats.errors).items())
        },
        "error_kinds_outside": sorted({e[2] for e in outside}),
        "gave_up_after_retries": stats.given_up,
        "service_back_on_its_own": ready and all(came_back.values()),
    }
    report["count_matches"] = in_db == len(stats.acknowledged)
    report["ok"] = not lost and bool(report["service_back_on_its_own"])
    return report


if __name__ == "__main__":
    sys.exit(main())
