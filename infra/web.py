"""The public web pages: static files in `web/`, served beside the API under one host.

One map, used by both servers of the pages: `make run` serves them from the working tree
(`local/run.py`), and a deployment uploads them to the pages bucket under the same paths, which
CloudFront routes to S3 (`infra/cdn.py`). No build step: what is in `web/` is what is served.
"""
from __future__ import annotations

import argparse
import mimetypes
import sys
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
ASSETS = "/web/"  # scripts, styles and vendored libraries: web/<path>
# A page's address -> its file. The verifier's service worker sits at the root so that it may control
# /verify (a worker's scope is at most its own folder).
PAGES = {"/dashboard": "dashboard.html", "/verify": "verify.html", "/verify-sw.js": "verify-sw.js"}
PATH_PATTERNS = ("/dashboard", "/verify", "/verify-sw.js", "/web/*")  # CloudFront behaviours to S3
TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
         ".svg": "image/svg+xml", ".png": "image/png", ".wasm": "application/wasm", ".txt": "text/plain; charset=utf-8"}


def file_of(path: str) -> Path | None:
    """The file served at a request path (query string removed), or None when no page or asset is there."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if path in PAGES:
        return WEB_DIR / PAGES[path]
    if not path.startswith(ASSETS):
        return None
    candidate = (WEB_DIR / path[len(ASSETS):]).resolve()
    if WEB_DIR not in candidate.parents or not candidate.is_file():  # no ../ out of web/
        return None
    return candidate


def content_type(file: Path) -> str:
    return TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"


def objects() -> dict[str, Path]:
    """S3 object key -> file, for the upload of a deployment: every page and every asset."""
    keys = {address.lstrip("/"): WEB_DIR / name for address, name in PAGES.items()}
    keys.update({f"web/{file.relative_to(WEB_DIR).as_posix()}": file for file in sorted(WEB_DIR.rglob("*"))
                 if file.is_file() and file.name not in PAGES.values()})
    return keys


def cache_control(key: str) -> str:
    """Pages, the service worker and their own scripts are revalidated on every load (a fix reaches a
    verifier at once); vendored libraries change only with their version's folder."""
    return "public, max-age=86400" if key.startswith("web/vendor/") else "no-cache"


def publish(bucket: str) -> int:
    """Upload every page and asset to the pages bucket (a deployment's last step); returns how many."""
    import boto3

    s3 = boto3.client("s3")
    files = objects()
    for key, file in files.items():
        s3.put_object(Bucket=bucket, Key=key, Body=file.read_bytes(), ContentType=content_type(file),
                      CacheControl=cache_control(key))
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publish the web pages (web/) to a stage's pages bucket.")
    parser.add_argument("--bucket", required=True, help="the stack's PagesBucketName output")
    print(f"published {publish(parser.parse_args(argv).bucket)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
