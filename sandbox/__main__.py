"""``python -m sandbox --port N``: run the T-book sandbox alone and print its demo credentials."""

from __future__ import annotations

import argparse
import socket

from gunicorn.app.base import BaseApplication

from sandbox import create_app
from sandbox.variants import VARIANTS

THREADS = 128  # answers being delayed (--latency) at the same moment: 200 ms x 600 calls/s fits


class _Server(BaseApplication):
    """gunicorn serving the sandbox: one process (the sandbox keeps its learners in memory), many threads.

    Werkzeug's development server closes the connection after every answer and starts a thread per
    connection; gunicorn's gthread worker keeps connections alive, as T-book does, so that a gateway under
    load measures its own keep-alive pool and not the sandbox's connection set-up (bench/README.md).
    """

    def __init__(self, app, listener: socket.socket, threads: int) -> None:
        self._app, self._listener, self._threads = app, listener, threads
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": [f"fd://{self._listener.fileno()}"],
            "workers": 1,
            "worker_class": "gthread",
            "threads": self._threads,
            "keepalive": 30,
            "graceful_timeout": 2,
            "loglevel": "warning",
            "control_socket_disable": True,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        return self._app


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0 <= seconds <= 60:
        raise argparse.ArgumentTypeError("latency must be between 0 and 60 seconds")
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, print the credentials and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--host", default="127.0.0.1")
    for variant in VARIANTS:
        # No default here: an option left out leaves the setting to the environment, then to the sandbox.
        parser.add_argument(
            variant.option, dest=variant.setting, choices=variant.choices, help=f"{variant.help} ({variant.setting})"
        )
    parser.add_argument(
        "--latency", type=_seconds, help="seconds to delay every API answer by (SANDBOX_LATENCY; default 0)"
    )
    parser.add_argument("--threads", type=int, default=THREADS, help=f"requests served at once (default {THREADS})")
    args = parser.parse_args(argv)
    config = {v.setting: getattr(args, v.setting) for v in VARIANTS if getattr(args, v.setting)}
    if args.latency is not None:
        config["SANDBOX_LATENCY"] = args.latency
    app = create_app(config)
    # Bound here rather than by gunicorn, so that --port 0 can print the port the system chose.
    listener = socket.create_server((args.host, args.port), backlog=2048)
    listener.set_inheritable(True)
    base = f"http://{args.host}:{listener.getsockname()[1]}"
    config = app.config
    # These are the sandbox's own demo credentials: printing them is the point.
    print("T-book sandbox (not the real T-book)", flush=True)
    print(f"  client id         {config['SANDBOX_CLIENT_ID']}")
    print(f"  client secret     {config['SANDBOX_CLIENT_SECRET']}")
    print(f"  LTI key           {config['SANDBOX_LTI_KEY']}")
    print(f"  LTI shared secret {config['SANDBOX_LTI_SECRET']}")
    print(f"  API URL           {base}/api")
    print(f"  LTI URL           {base}/api/lti")
    for variant in VARIANTS:
        print(f"  {variant.option[2:]:<17} {config[variant.setting]}")
    print(f"  {'latency':<17} {config['SANDBOX_LATENCY']:g} s on every API answer")
    print(flush=True)
    _Server(app, listener, args.threads).run()


if __name__ == "__main__":
    main()
