"""``python -m sandbox --port N``: run the T-book sandbox alone and print its demo credentials."""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from sandbox import create_app
from sandbox.variants import VARIANTS


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
    args = parser.parse_args(argv)
    app = create_app({v.setting: getattr(args, v.setting) for v in VARIANTS if getattr(args, v.setting)})
    server = make_server(args.host, args.port, app, threaded=True)
    base = f"http://{args.host}:{server.server_port}"
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
    print(flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
