"""`make run`: the whole API on this machine, on an embedded AWS, with demo data.

Starts moto on loopback, creates every resource, seeds demo data, and serves the Chalice app
(stage `local`) on http://127.0.0.1:$PORT. Ctrl-C stops everything; nothing outlives the process.
"""
from __future__ import annotations

import functools
import gc
import os
import signal
import sys
import threading
from pathlib import Path

from local import embedded_aws

PROJECT_DIR = Path(__file__).resolve().parent.parent
LISTEN_BACKLOG = 512


def _metrics_one_thread_at_a_time() -> None:
    """Powertools keeps one metric set per process, which Lambda uses one invocation at a time; here
    request threads and the dispatcher's share it, and a flush racing another (checked non-empty, then
    emptied) would raise inside a handler and answer 500. One lock makes each step whole again."""
    from chalicelib.observability import metrics

    lock = threading.RLock()  # add_metric flushes by itself at 100 metrics
    provider = metrics.provider
    for name in ("add_metric", "add_dimension", "add_metadata", "flush_metrics"):
        method = getattr(provider, name)
        setattr(provider, name, functools.wraps(method)(lambda *args, _method=method, **kwargs: _locked(
            lock, _method, *args, **kwargs)))


def _locked(lock: threading.RLock, method, *args, **kwargs):
    with lock:
        return method(*args, **kwargs)


def main() -> None:
    port = int(os.environ.get("PORT", "8000"))
    # SMART Health Cards name this server as their issuer, so verifiers find its keys here.
    os.environ.setdefault("TEEKA_PUBLIC_URL", f"http://127.0.0.1:{port}")
    print("Starting the embedded AWS (moto) on loopback...", flush=True)
    moto = embedded_aws.start(int(os.environ.get("MOTO_PORT", "0")))
    print("Creating the tables, queues, secrets, signing key and certificate bucket...", flush=True)
    embedded_aws.provision()

    from chalice.cli import create_local_server
    from chalice.cli.factory import CLIFactory
    from chalice.local import ChaliceRequestHandler

    # API Gateway answers any method (403 for one no route has); the local handler 501s those it lacks.
    ChaliceRequestHandler.__getattr__ = _any_method
    # The web pages are static files, served from web/ as CloudFront serves them from S3 when deployed.
    ChaliceRequestHandler.do_GET = ChaliceRequestHandler.do_HEAD = _page_or_api  # type: ignore[assignment]

    from chalicelib.config import get_settings
    from local import dispatcher, seed

    print("Seeding the demo data...", flush=True)
    counts = seed.seed()
    try:
        server = create_local_server(CLIFactory(str(PROJECT_DIR), environ=os.environ), "127.0.0.1", port, "local")
    except OSError as error:
        moto.stop()
        sys.exit(f"Cannot serve on 127.0.0.1:{port} ({error.strerror}); choose another port: make run PORT=8001")
    # socketserver listens with a backlog of 5; a burst of simultaneous clients would be reset.
    server.server.socket.listen(LISTEN_BACKLOG)
    from app import app as chalice_app  # the module chalice just loaded

    _metrics_one_thread_at_a_time()
    stop_dispatcher = dispatcher.start(chalice_app)
    gc.freeze()  # the app and the seeded embedded AWS live until exit: keep them out of every collection
    base = f"http://127.0.0.1:{port}"
    profile = get_settings().country
    demo = seed.demo_of(profile)
    print(f"\nTeeka is running at {base}  (embedded AWS at {moto.url})", flush=True)
    print(f"Country pack: {profile.country_code} (chalicelib/countries/{profile.country_code.lower()}/), "
          f"mobiles {profile.mobile_country_prefix} {profile.mobile_pattern}, {profile.time_zone}")
    print(f"Demo data: {counts['centres']} centres, {counts['sessions']} sessions, {counts['staff']} staff.")
    if profile.stock_tracking:
        print(f"Vaccine stock is tracked (docs/stock.md): each centre holds the demo's batches "
              f"({', '.join(f'{vaccine} {batch}' for vaccine, batch, _, _ in demo.stock)}).")
    print("Staff mobiles (log in with the OTP flow like any citizen):")
    for mobile, name, role, scope in demo.staff:
        print(f"  {mobile}  {role:<15} {name}  {scope or 'nationwide'}")
    mobile, name, desk, area = demo.operator
    print(f"  {mobile}  {'operator':<15} {name} ({desk})  {area}")
    print(f"KYC-VS demo verifier (DEMO ONLY, docs/kycvs.md): {seed.DEMO_VERIFIER[1]}, "
          f"X-Api-Key: {seed.DEMO_VERIFIER_KEY}")
    print(f"Read any OTP from the local SMS outbox: curl '{base}/_local/outbox?mobile={demo.staff[0][0]}'")
    print(f"Web pages: the public dashboard {base}/dashboard, the certificate verifier {base}/verify")
    print("Press Ctrl-C to stop.", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop_dispatcher.set()
        server.shutdown()
        moto.stop()
        print("Stopped.", file=sys.stderr, flush=True)
        sys.stdout.flush()
        # Tearing down the embedded AWS's heap object by object takes seconds; the OS frees it at once.
        os._exit(0)


def _any_method(handler, name: str):
    if name.startswith("do_"):
        return handler._generic_handle
    raise AttributeError(name)


def _page_or_api(handler) -> None:
    from infra import web

    file = web.file_of(handler.path)
    if file is None:
        return handler._generic_handle()
    body = file.read_bytes()
    handler.send_response(200)
    handler.send_header("Content-Type", web.content_type(file))
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-cache")  # a page edited on disk shows on the next load
    handler.end_headers()
    if handler.command == "GET":
        handler.wfile.write(body)
    return None


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
