"""The certificate verifier page (/verify) in a real headless Chromium against `make run`'s server.

A citizen is vaccinated and certified; the dose is then corrected, so that certificate is revoked and
superseded by a new one. The page is loaded once online (its service worker saves the page, the
libraries, the issuer's keys and the revocation list), the network is cut and the page reloaded;
then, offline, it checks pictures of the genuine certificate (VALID), of a forged one (INVALID), of the
superseded one (REVOKED), pasted QR text and the PDF itself (VALID), and sends nothing of them anywhere.
A second browser with a fake camera that films the certificate's QR proves the camera scan.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from chalicelib import verifier
from chalicelib.services.certificate_pdf import qr_png
from tests.e2e.conftest import CHROMIUM, screenshot
from tests.e2e.helpers import certificate_pdf, login, pdf_page_png, tampered_qr_text, wait_until_revoked
from tests.e2e.test_certificates import vaccinate, wait_for_certificate

MOBILE, SEED = "9123400301", 7301
FORGED_NAME = "Mallory Forger"
PDFJS_FILES = {"/web/vendor/pdfjs-dist/pdf.min.mjs", "/web/vendor/pdfjs-dist/pdf.worker.min.mjs",
               "/web/vendor/pdfjs-dist/wasm/jbig2.wasm", "/web/vendor/pdfjs-dist/wasm/jbig2_nowasm_fallback.js"}
PAGE_FILES = {"/verify", "/verify-sw.js", "/web/verify.js", "/web/verify.css", "/web/texts.js",
              "/web/vendor/jsqr/jsQR.js", *PDFJS_FILES}
TRUST_DATA = {"/.well-known/jwks.json", "/v2/certificate/revoked", "/v2/web/texts"}


@dataclass(frozen=True)
class Certificates:
    name: str
    reference_id: str
    current: dict  # the credential of the reissued certificate
    superseded: dict  # the credential of the first one, revoked
    pdf: Path  # the current certificate's PDF, as downloaded
    genuine: Path  # a picture of it (page 1 rendered to PNG)
    old: Path  # a picture of the superseded certificate
    forged: Path  # the first certificate's QR with another name, and the issuer's signature kept


@pytest.fixture(scope="module")
def certificates(server_url, vaccinator, tmp_path_factory) -> Certificates:
    url, files = server_url, tmp_path_factory.mktemp("verify")
    citizen = login(url, MOBILE)
    ref = vaccinate(url, vaccinator, citizen, SEED)
    first = wait_for_certificate(url, citizen, ref)
    (files / "superseded.png").write_bytes(pdf_page_png(certificate_pdf(url, citizen, ref)))
    forged = tampered_qr_text(first["qr"], name=FORGED_NAME)
    jwks = requests.get(f"{url}/.well-known/jwks.json", timeout=10).json()
    assert verifier.verify(forged, jwks).reason == "signature does not match"  # the reference verifier agrees
    (files / "forged.png").write_bytes(qr_png(forged))

    fixed = requests.post(f"{url}/v2/vaccination/doses/correction", headers=vaccinator, timeout=10, json={
        "beneficiary_reference_id": ref, "dose": 1, "batch": "4121Z099", "reason": "wrong batch typed"})
    assert fixed.status_code == 201, fixed.text
    deadline = time.monotonic() + 30
    while (second := wait_for_certificate(url, citizen, ref))["certificate_id"] == first["certificate_id"]:
        assert time.monotonic() < deadline, "no reissued certificate within 30 s of the correction"
        time.sleep(0.2)
    assert wait_until_revoked(url, first["certificate_id"])["superseded_by"] == second["certificate_id"]
    (files / "certificate.pdf").write_bytes(certificate_pdf(url, citizen, ref))
    (files / "certificate.png").write_bytes(pdf_page_png((files / "certificate.pdf").read_bytes()))
    return Certificates(first["credential"]["credentialSubject"]["name"], ref, second, first,
                        files / "certificate.pdf", files / "certificate.png", files / "superseded.png",
                        files / "forged.png")


def checked(page, file: Path, status: str, word: str) -> None:
    """Choose `file` in the page and wait for its verdict."""
    done = int(page.locator("#result").get_attribute("data-checks") or 0)
    page.set_input_files("#file", str(file))
    expect(page.locator(f'#result[data-checks="{done + 1}"]')).to_have_attribute("data-status", status,
                                                                                   timeout=15_000)
    expect(page.locator("#banner")).to_contain_text(word)


def test_offline_the_page_tells_valid_forged_and_revoked_certificates_and_sends_none_of_them(
        server_url, certificates, page):
    url, certificate = server_url, certificates
    # Online once, after the correction: the service worker saves the page, its files, keys and list.
    page.goto(f"{url}/verify")
    expect(page.locator("#offline")).to_have_attribute("data-offline", "ready", timeout=15_000)
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{url}/verify-sw.js"

    seen: list = []
    page.context.on("request", lambda request: seen.append(request))  # the page's and its service worker's
    page.context.set_offline(True)
    page.reload()  # offline: the page, its scripts, keys and list all come from its service worker
    expect(page.get_by_role("heading", name="Verify a vaccination certificate")).to_be_visible()
    expect(page.locator("#offline")).to_have_attribute("data-offline", "saved", timeout=10_000)
    expect(page.locator("#keys-status")).to_contain_text(re.compile(r"Issuer's keys: \d+, updated"))
    expect(page.locator("#revoked-status")).to_contain_text(re.compile(r"Revocation list \(\d+ revoked\), updated"))
    on_reload = len(seen)

    checked(page, certificate.genuine, "valid", "VALID")
    expect(page.locator("#details")).to_contain_text(certificate.name)
    expect(page.locator("#details")).to_contain_text(certificate.current["certificate_id"])
    expect(page.locator("#doses")).to_contain_text("Dose 1 of 2: COVISHIELD")
    screenshot(page, "verify-valid")

    checked(page, certificate.forged, "invalid", "INVALID")
    expect(page.locator("#reason")).to_contain_text("signature does not match")
    expect(page.locator("#result")).not_to_contain_text(FORGED_NAME)  # nothing of a forgery is shown
    screenshot(page, "verify-invalid")

    checked(page, certificate.old, "revoked", "REVOKED")
    expect(page.locator("#details")).to_contain_text(certificate.superseded["certificate_id"])
    expect(page.locator("#reason")).to_contain_text("replaced by a corrected certificate")
    screenshot(page, "verify-revoked")

    page.get_by_label("Text of the QR code").fill(certificate.current["qr"])  # as a QR reader app returns it
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#result")).to_have_attribute("data-checks", "4")
    expect(page.locator("#result")).to_have_attribute("data-status", "valid")
    page.get_by_label("Text of the QR code").fill("https://example.com/not-a-certificate")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#result")).to_have_attribute("data-checks", "5")
    expect(page.locator("#reason")).to_contain_text("not a certificate QR code")
    assert [request.url for request in seen[on_reload:]] == []  # three pictures, two texts: not one request

    checked(page, certificate.pdf, "valid", "VALID")  # pdf.js renders page 1, jsQR reads its QR
    expect(page.locator("#details")).to_contain_text(certificate.current["certificate_id"])
    worker = f"blob:{url}/"  # pdf.js's worker: a blob the page makes, that imports the saved worker file
    loaded = [request.url for request in seen[on_reload:]]
    assert {urlsplit(address).path for address in loaded if not address.startswith(worker)} <= PDFJS_FILES, loaded

    secrets = {*certificate.superseded["jws"].split("."), *certificate.current["jws"].split("."),
               certificate.superseded["qr"][len(verifier.QR_PREFIX):][:40],
               certificate.current["qr"][len(verifier.QR_PREFIX):][:40], certificate.superseded["certificate_id"],
               certificate.current["certificate_id"], certificate.reference_id, certificate.name, FORGED_NAME}
    for request in seen:  # since the network was cut: the reload, then the checks
        assert request.method == "GET" and request.post_data is None, (request.method, request.url)
        assert not any(secret in request.url for secret in secrets), request.url
        if request.url.startswith(worker):
            continue
        where = urlsplit(request.url)
        assert f"{where.scheme}://{where.netloc}" == url and where.path in PAGE_FILES | TRUST_DATA, request.url
        if request.service_worker is None:  # the page's own requests: every one answered by its worker
            response = request.response()
            assert response is not None and response.from_service_worker, request.url


def y4m_video(png: bytes, path: Path, width: int = 640, height: int = 480) -> Path:
    """A one-frame Y4M video of a picture on white, for Chromium's fake camera (it plays it in a loop)."""
    import io

    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("L")
    picture.thumbnail((width - 40, height - 40))
    frame = Image.new("L", (width, height), 255)
    frame.paste(picture, ((width - picture.width) // 2, (height - picture.height) // 2))
    chroma = bytes([128]) * (width // 2 * height // 2)
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + b"FRAME\n"
                     + frame.tobytes() + chroma + chroma)
    return path


def test_the_camera_reads_a_certificate_qr(server_url, certificates, chromium, tmp_path):
    video = y4m_video(qr_png(certificates.current["qr"]), tmp_path / "qr.y4m")
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = browser.new_context(viewport={"width": 412, "height": 915}, permissions=["camera"])
        page = context.new_page()
        page.goto(f"{server_url}/verify")
        expect(page.locator("#offline")).to_have_attribute("data-offline", "ready", timeout=15_000)
        seen: list = []
        context.on("request", lambda request: seen.append(request.url))
        page.get_by_role("button", name="Start the camera").click()
        expect(page.locator("#result")).to_have_attribute("data-status", "valid", timeout=15_000)
        expect(page.locator("#details")).to_contain_text(certificates.name)
        expect(page.get_by_role("button", name="Start the camera")).to_have_attribute("aria-pressed", "false")
        assert page.evaluate("document.getElementById('video').srcObject") is None  # the camera is released
        assert seen == []  # a scan sends nothing
    finally:
        browser.close()
