"""Serving a provider's fake API on loopback, in a thread, for one test; and the faults a
test can ask of it: an error answer, or an answer that comes too late."""

import re
import threading
import time
from dataclasses import dataclass

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass
class Fault:
    method: str
    path: re.Pattern
    times: int
    status: int = 0  # answer with this error status (and `body`) instead of doing the work
    body: str = ""
    late: float = 0.0  # do the work, then answer this many seconds later


class FakeApi:
    """The parts every fake shares: the requests it saw, the faults it was asked for, and
    a WSGI entry point that applies them around `handle`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []  # (method, path) of every request
        self.faults: list[Fault] = []
        self.url = ""  # set once served

    def fail(self, method: str, path: str, status: int, body: str, times: int = 1) -> None:
        """Answer the next `times` requests matching `path` (a regex) with this error."""
        self.faults.append(Fault(method, re.compile(path), times, status=status, body=body))

    def answer_late(self, method: str, path: str, seconds: float, times: int = 1) -> None:
        """Do what the next `times` matching requests ask, but answer `seconds` later."""
        self.faults.append(Fault(method, re.compile(path), times, late=seconds))

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p in self.seen if m == method and re.fullmatch(path, p))

    def _fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if (
                    fault.times
                    and fault.method == request.method
                    and fault.path.fullmatch(request.path)
                ):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.seen.append((request.method, request.path))
        fault = self._fault(request)
        if fault is not None and fault.status:
            response = Response(fault.body, fault.status, mimetype="application/json")
        else:
            response = self.handle(request)
            if fault is not None:
                time.sleep(fault.late)
        return response(environ, start_response)


class Served:
    """`api` answering on http://127.0.0.1:<a free port> until `close`."""

    def __init__(self, api: FakeApi) -> None:
        self.server = make_server("127.0.0.1", 0, api, threaded=True)
        api.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
