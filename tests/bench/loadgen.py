"""A small HTTP/1.1 load generator on asyncio: loopback only, a fixed number of concurrent
clients, one connection per request (gunicorn's sync workers close it after each response)."""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    tag: object = None  # what the caller needs to check the answer (e.g. the application id)


@dataclass
class Result:
    request: Request
    status: int  # 0: no HTTP answer (connection error)
    sent: float  # wall clock (time.time()), as the server's timezone.now()
    received: float
    latency: float  # perf_counter difference
    body: bytes


async def _one(host: str, port: int, request: Request, timeout: float) -> Result:
    head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in request.headers.items()]
    if request.body or request.method == "POST":
        head.append(f"Content-Length: {len(request.body)}")
    payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body
    sent, started = time.time(), time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.write(payload)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout)
        writer.close()
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    except (TimeoutError, OSError, ValueError, IndexError):
        answer, status = b"", 0
    latency = time.perf_counter() - started
    return Result(request, status, sent, time.time(), latency, answer.partition(b"\r\n\r\n")[2])


async def _run(host: str, port: int, requests: list[Request], concurrency: int, timeout: float):
    queue = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    results: list[Result] = []

    async def client():
        while True:
            try:
                request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            results.append(await _one(host, port, request, timeout))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return results, time.perf_counter() - started


def run(
    port: int, requests: list[Request], *, concurrency: int, timeout: float = 30
) -> tuple[list[Result], float]:
    """Send every request once; returns the results and the wall time."""
    return asyncio.run(_run("127.0.0.1", port, requests, concurrency, timeout))
