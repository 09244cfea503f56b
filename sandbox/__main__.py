"""``python -m sandbox --port N``: run the T-book sandbox alone and print its demo credentials."""

from __future__ import annotations

import argparse
import socket

from gunicorn.app.base import BaseApplication

from sandbox import create_app
from sandbox.variants import VARIANTS

THREADS = 128  # answers being delayed (--latency) at the same moment: 200 ms x 600 calls/s fits


class _Server(BaseApplication):
    """gunicorn serving the sandbox: one process (the sandbox keeps its learners in memory), gevent.

    Werkzeug's development server closes the connection after every answer and starts a thread per
    connection; gunicorn keeps connections alive, as T-book does, so that a gateway under load measures its
    own keep-alive pool and not the sandbox's connection set-up. gevent rather than threads: a delayed answer
    (--latency) is a sleeping greenlet, and a request costs the sandbox less CPU than a hand-off to a thread
    (the gateway measured 300-600 µs per request with gthread; bench/README.md), so that the sandbox, on the
    same cores, does not become the bottleneck of the gateway's benchmark.
    """

    def __init__(self, config: dict, listener: socket.socket, connections: int) -> None:
        self._config, self._listener, self._connections = config, listener, connections
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": [f"fd://{self._listener.fileno()}"],
            "workers": 1,
            "worker_class": "gevent",
            "worker_connections": self._connections,
            "keepalive": 30,
            "graceful_timeout": 2,
            "loglevel": "warning",
            "control_socket_disable": True,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self):
        # Made in the worker, once gevent has patched the standard library: the sandbox's locks must be gevent's.
        return create_app(self._config)


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
    config_given = dict(config)
    app = create_app(config)  # for the credentials printed below (and to refuse a wrong setting before serving)
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
    _Server(config_given, listener, args.threads).run()


if __name__ == "__main__":
    main()
