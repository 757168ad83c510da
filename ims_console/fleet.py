"""The console as a fleet on one machine: console instances (gunicorn) and task workers (`manage.py db_worker`) on one
database and one Redis, each a process of its own on loopback. `make fleet` starts one to try, `make stress` runs its
fleet mode against one, and the fleet tests start, stop and kill its parts."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Part:
    """One process of the fleet; `start` again after `stop` or `kill` starts a new one with the same settings."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Part:
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - open while it runs
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as systemd stops a service: gunicorn finishes its requests, a worker its job."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=30)


@dataclass
class Instance(Part):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_answering(self, timeout: float = 60) -> Instance:
        """Until the instance answers its liveness URL (gunicorn listens before its workers are ready)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode if self.process else '?'}")
            try:
                if requests.get(f"{self.url}/health/live/", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer at {self.url} within {timeout:g} s")


def instance(name: str, env: dict[str, str], *, workers: int = 1, threads: int = 4, log: Path | None = None) -> Instance:
    """A console instance as the README runs it in production: gunicorn, here on a free port of loopback."""
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [gunicorn, "ims_console.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--timeout", "120", "--graceful-timeout", "20"]
    return Instance(name=name, command=command, env=env, log=log, port=port)


def worker(name: str, env: dict[str, str], *, log: Path | None = None) -> Part:
    """A task worker: takes background jobs from the database's queue; several share it, each job run by one."""
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
    return Part(name=name, command=command, env=env, log=log)


@dataclass
class RedisServer(Part):
    """A Redis of the fleet's own on a free port, keeping nothing on disk (for tests, which stop and start it)."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        super().start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"PING\r\n")
                    if probe.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")


def redis_server(log: Path | None = None) -> RedisServer:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return RedisServer(name="redis", command=command, env=dict(os.environ), log=log, port=port)


def environment(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """What every part of one fleet shares: the database, Redis, one secret key; plain HTTP on loopback."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "DJANGO_HTTPS": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_LOG_LEVEL": "WARNING", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class Proxy:
    """A TCP proxy on loopback, in a thread of its own: round-robin over `backends` (the load balancer of
    `make fleet`). With `delay`, every piece of a request reaches the backend `delay` seconds after it was sent, as
    over a network that far away (the Glance of `make bench-openstack`, 50 ms off): pieces sent together arrive
    together, so a request costs the delay once, however it is cut. Answers pass straight back."""

    def __init__(self, backends: list[tuple[str, int]], *, delay: float = 0.0, port: int = 0) -> None:
        import threading

        self.backends, self.delay = backends, delay
        self.port = port or free_port()
        self._turn = 0
        # Requests passed on and not yet answered, now and at most (tests see from it whether calls overlap).
        self.waiting = self.most_waiting = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"proxy-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Proxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"the proxy on port {self.port} did not start")
        return self

    def stop(self) -> None:
        if hasattr(self, "_loop"):
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def _serve(self) -> None:
        import asyncio

        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            # Connections still open (keep-alive) are ended before the loop closes.
            server.close()
            open_connections = asyncio.all_tasks(self._loop)
            for task in open_connections:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*open_connections, return_exceptions=True))
            self._loop.close()

    async def _client(self, reader, writer) -> None:
        import asyncio

        host, port = self.backends[self._turn % len(self.backends)]
        self._turn += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        asked = [False]  # this connection's request was passed on and is not answered yet

        def passed_on() -> None:
            if not asked[0]:
                asked[0] = True
                self.waiting += 1
                self.most_waiting = max(self.most_waiting, self.waiting)

        def answered() -> None:
            if asked[0]:
                asked[0] = False
                self.waiting -= 1

        try:
            await asyncio.gather(_pump(reader, upstream_writer, self.delay, passed_on),
                                 _pump(upstream_reader, writer, 0.0, answered))
        finally:
            answered()


async def _pump(source, sink, delay: float, on_piece) -> None:
    """Copies `source` to `sink` until the end, each piece written `delay` after it was read (`on_piece` first)."""
    import asyncio
    import contextlib

    loop = asyncio.get_running_loop()
    line: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def read() -> None:
        with contextlib.suppress(ConnectionError):
            while data := await source.read(65536):
                line.put_nowait((loop.time() + delay, data))
        line.put_nowait((loop.time() + delay, b""))

    reading = asyncio.create_task(read())
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        while True:
            due, data = await line.get()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            on_piece()
            sink.write(data)
            await sink.drain()
    reading.cancel()
    with contextlib.suppress(OSError):
        sink.close()


def main(argv: list[str] | None = None) -> None:
    """`python -m ims_console.fleet --port N [--delay S] HOST:PORT...`: the proxy alone, in a process of its own
    (make bench-openstack puts Glance 50 ms away with it, outside the process it measures)."""
    import argparse
    import threading

    parser = argparse.ArgumentParser(prog="python -m ims_console.fleet", description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each request is held back")
    parser.add_argument("backends", nargs="+", metavar="HOST:PORT")
    args = parser.parse_args(argv)
    backends = [(host, int(port)) for host, port in (backend.rsplit(":", 1) for backend in args.backends)]
    Proxy(backends, delay=args.delay, port=args.port).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()


if __name__ == "__main__":
    main()
