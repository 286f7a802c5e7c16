"""A Slack/Teams-style incoming webhook on 127.0.0.1 for tests: it keeps what is POSTed and answers ``status``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN_PATH = "/services/T000/B000/s3cretToken"  # a webhook's path is its secret


class WebhookSink:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                sink.posts.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                   "body": json.loads(self.rfile.read(length) or b"null")})
                self.send_response(sink.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}{TOKEN_PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def texts(self) -> list[str]:
        return [post["body"]["text"] for post in self.posts]
