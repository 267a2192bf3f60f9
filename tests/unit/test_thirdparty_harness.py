"""The independent verifiers (tests/thirdparty/, code nobody on this project wrote) on OFFICIAL test vectors.

Before our SMART Health Card and EU DCC exports are trusted to these tools, the tools are shown to work:
the spec's own examples and the EU test data pass, and a tampered payload, a flipped character, a wrong key,
a revoked or expired card fail. The vectors and their sources are in tests/fixtures/{shc,dcc}/README.md.

The node verifiers need `npm ci --prefix tests/thirdparty` (`make test` runs it); without it these tests
fail. The last tests redo the DCC check with PyPI's pycose, cbor2, base45 and jsonschema (dev requirements).
"""
from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "thirdparty"
SHC = ROOT / "tests" / "fixtures" / "shc"
DCC = ROOT / "tests" / "fixtures" / "dcc"
JWKS = SHC / "issuer" / ".well-known" / "jwks.json"
KID = "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"  # the spec's example issuer key that has a crlVersion
CRL = SHC / "issuer" / ".well-known" / "crl" / f"{KID}.json"
SCHEMA = DCC / "DCC.combined-schema.json"
VALUESETS = DCC / "valuesets"

NODE = shutil.which("node")
needs_node = pytest.mark.usefixtures("node_tools")


@pytest.fixture(scope="module")
def node_tools() -> None:
    """`make test` installs the verifiers; without them these tests fail, never skip quietly."""
    if NODE is None or not (HARNESS / "node_modules" / "@pathcheck" / "shc-sdk").is_dir():
        pytest.fail("the third-party verifiers are not installed: run `npm ci --prefix tests/thirdparty` "
                    "(make test does; needs node >= 20.6)")


def run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, script, *map(str, args)], cwd=HARNESS, capture_output=True, text=True, timeout=120)


def verdict(done: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(done.stdout)


def passed(done: subprocess.CompletedProcess[str]) -> dict:
    assert done.returncode == 0, f"expected a pass, got exit {done.returncode}:\n{done.stderr}"
    return verdict(done)


def failed(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode == 1, f"expected exit 1, got {done.returncode}:\n{done.stdout}\n{done.stderr}"
    for text in expected:
        assert text in done.stderr, f"{text!r} not in:\n{done.stderr}"
    return done.stderr


# ---- SMART Health Cards: the spec's examples -----------------------------------------------------------

def qr_of(name: str) -> str:
    return (SHC / name).read_text().strip()


def jws_of_qr(qr: str) -> str:
    digits = qr.removeprefix("shc:/")
    return "".join(chr(int(digits[i:i + 2]) + 45) for i in range(0, len(digits), 2))


def qr_of_jws(jws: str) -> str:
    return "shc:/" + "".join(f"{ord(c) - 45:02d}" for c in jws)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


@needs_node
@pytest.mark.parametrize("example", ["example-00", "example-01"])
def test_the_spec_examples_verify(example):
    done = run("verify-shc.mjs", "--qr", SHC / f"{example}-f-qr-code-numeric-value-0.txt", "--jwks", JWKS, "--crl", CRL)
    result = passed(done)
    assert result["library"] == {"name": "@pathcheck/shc-sdk", "signature": "verified"}
    assert result["thumbprint"] == result["header"]["kid"]
    assert result["header"]["alg"] == "ES256" and result["header"]["zip"] == "DEF"
    if example == "example-00":
        assert result["payload"] == json.loads((SHC / "example-00-c-jws-payload-minified.json").read_text())
        assert result["revocation"] == "not revoked (CRL ctr 1)"
    # Offline: the keys and the revocation list came from the files; the issuer was never contacted.
    assert all(r["served"] != "loopback" for r in result["requests"])
    assert {r["url"] for r in result["requests"] if r["served"] == "local file"} <= {
        "https://spec.smarthealth.cards/examples/issuer/.well-known/jwks.json"}


@needs_node
def test_a_compact_jws_verifies_too():
    jws = (SHC / "example-00-d-jws.txt").read_text().strip()
    assert qr_of_jws(jws) == qr_of("example-00-f-qr-code-numeric-value-0.txt")  # the spec's Ord(c)-45 encoding
    passed(run("verify-shc.mjs", "--jws", jws, "--jwks", JWKS, "--crl", CRL))


@needs_node
def test_the_revoked_example_is_rejected_by_its_revocation_list():
    # Example 3 is the spec's revoked card: its rid is listed as "<rid>.<timestamp>" and its nbf is earlier.
    # On a date before the card's exp, only the revocation can fail it.
    done = run("verify-shc.mjs", "--qr", SHC / "example-03-f-qr-code-numeric-value-0.txt", "--jwks", JWKS,
               "--crl", CRL, "--now", "2023-07-01T00:00:00Z")
    failed(done, "revoked: rid vwAjHdarZuc is listed with timestamp 1687450765")
    assert "expired" not in done.stderr and "signature" not in done.stderr


@needs_node
def test_an_expired_card_is_rejected():
    done = run("verify-shc.mjs", "--qr", SHC / "example-03-f-qr-code-numeric-value-0.txt", "--jwks", JWKS,
               "--crl", CRL, "--now", "2025-01-01T00:00:00Z")
    failed(done, "card expired at 2024-06-21T16:19:24")


@needs_node
def test_a_key_with_a_crl_version_needs_its_revocation_list():
    done = run("verify-shc.mjs", "--qr", SHC / "example-00-f-qr-code-numeric-value-0.txt", "--jwks", JWKS)
    failed(done, "the key has crlVersion 1 but its revocation list cannot be had")
    # ... and the harness refused to fetch it from the real issuer.
    assert any(r["served"] == "refused (not loopback)" for r in verdict(done)["requests"])


@needs_node
def test_a_tampered_payload_fails_both_signature_checks():
    header, payload, signature = jws_of_qr(qr_of("example-00-f-qr-code-numeric-value-0.txt")).split(".")
    claims = json.loads(zlib.decompress(unb64url(payload), -15))
    claims["vc"]["credentialSubject"]["fhirBundle"]["entry"][0]["resource"]["birthDate"] = "1961-01-20"
    forged = deflate_raw(json.dumps(claims, separators=(",", ":")).encode())
    done = run("verify-shc.mjs", "--qr", qr_of_jws(f"{header}.{b64url(forged)}.{signature}"), "--jwks", JWKS,
               "--crl", CRL)
    failed(done, "@pathcheck/shc-sdk: the signature did not verify", "jose: ES256 signature does not verify")


@needs_node
def test_a_flipped_character_fails():
    jws = jws_of_qr(qr_of("example-00-f-qr-code-numeric-value-0.txt"))
    at = len(jws) - 10  # inside the signature
    flipped = jws[:at] + ("A" if jws[at] != "A" else "B") + jws[at + 1:]
    failed(run("verify-shc.mjs", "--qr", qr_of_jws(flipped), "--jwks", JWKS, "--crl", CRL),
           "jose: ES256 signature does not verify")


@needs_node
def test_a_wrong_key_fails(tmp_path):
    private = json.loads((SHC / "issuer.jwks.private.json").read_text())["keys"]
    other = next(k for k in private if k["kid"] == "EBKOr72QQDcTBUuVzAzkfBTGew0ZA16GuWty64nS-sw")
    impostor = {"kty": "EC", "kid": KID, "use": "sig", "alg": "ES256", "crv": "P-256", "x": other["x"], "y": other["y"]}
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [impostor]}))
    done = run("verify-shc.mjs", "--qr", SHC / "example-00-f-qr-code-numeric-value-0.txt",
               "--jwks", tmp_path / "jwks.json", "--no-revocation")
    failed(done, "is not the RFC 7638 SHA-256 thumbprint of the key",
           "@pathcheck/shc-sdk: the signature did not verify", "jose: ES256 signature does not verify")
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**impostor, "kid": other["kid"]}]}))
    failed(run("verify-shc.mjs", "--qr", SHC / "example-00-f-qr-code-numeric-value-0.txt",
               "--jwks", tmp_path / "jwks.json"), f"no key with kid {KID}")


# ---- SMART Health Cards signed here with the spec's example key: the rules, a local http issuer ---------

def sign_shc(claims: dict, kid: str = KID) -> str:
    """A compact JWS as the spec describes it, signed with the spec's published example private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    jwk = next(k for k in json.loads((SHC / "issuer.jwks.private.json").read_text())["keys"] if k["kid"] == kid)
    key = ec.derive_private_key(int.from_bytes(unb64url(jwk["d"]), "big"), ec.SECP256R1())
    header = b64url(json.dumps({"zip": "DEF", "alg": "ES256", "kid": kid}, separators=(",", ":")).encode())
    payload = b64url(deflate_raw(json.dumps(claims, separators=(",", ":")).encode()))
    r, s = decode_dss_signature(key.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256())))
    return f"{header}.{payload}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def card(iss: str, **vc_changes) -> dict:
    claims = json.loads((SHC / "example-00-c-jws-payload-minified.json").read_text())
    claims["iss"] = iss
    claims["vc"].update(vc_changes)
    return claims


@needs_node
def test_the_rules_reject_what_the_library_alone_accepts():
    claims = card("https://spec.smarthealth.cards/examples/issuer", type=["https://smarthealth.cards#immunization"],
                  rid="not/base64url")
    claims["vc"]["credentialSubject"]["fhirBundle"]["entry"][1]["resource"]["vaccineCode"]["coding"][0]["display"] = "X"
    done = run("verify-shc.mjs", "--qr", qr_of_jws(sign_shc(claims)), "--jwks", JWKS, "--crl", CRL)
    failed(done, "vc.type SHALL contain https://smarthealth.cards#health-card",
           "vc.rid \"not/base64url\" SHALL use the base64url alphabet",
           "Coding.display SHALL be absent")
    assert "signature" not in done.stderr  # both signature checks passed: only the SMART rules failed it


class _Issuer(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def local_issuer(tmp_path):
    """An issuer on loopback over plain http, as our test server is: its jwks.json and revocation list."""
    crl_dir = tmp_path / ".well-known" / "crl"
    crl_dir.mkdir(parents=True)
    shutil.copy(JWKS, tmp_path / ".well-known" / "jwks.json")
    crl = json.loads(CRL.read_text())
    crl["rids"].append("LocalRevoked")
    (crl_dir / f"{KID}.json").write_text(json.dumps(crl))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Issuer, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@needs_node
def test_a_local_http_issuer_is_fetched_over_loopback(local_issuer):
    qr = qr_of_jws(sign_shc(card(local_issuer)))
    result = passed(run("verify-shc.mjs", "--qr", qr, "--allow-http"))
    assert result["payload"]["iss"] == local_issuer
    assert {r["url"] for r in result["requests"] if r["served"] == "loopback"} == {
        f"{local_issuer}/.well-known/jwks.json", f"{local_issuer}/.well-known/crl/{KID}.json"}
    assert any("uses http" in w for w in result["warnings"])
    # Without --allow-http the spec's rule stands: iss SHALL use https.
    failed(run("verify-shc.mjs", "--qr", qr), "SHALL use the https scheme")
    # The revocation list comes from the issuer too.
    revoked = qr_of_jws(sign_shc(card(local_issuer, rid="LocalRevoked")))
    failed(run("verify-shc.mjs", "--qr", revoked, "--allow-http"), "revoked: rid LocalRevoked is listed in the CRL")


# ---- EU DCC: the EU test data ---------------------------------------------------------------------------

def vector(name: str) -> dict:
    return json.loads((DCC / "testdata" / f"{name}.json").read_text())


def run_dcc(qr: str, certificate: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run("verify-dcc.mjs", "--qr", qr, "--dsc", certificate, *args)


@needs_node
@pytest.mark.parametrize("name", ["SE-1", "FI-6"])
def test_the_eu_test_certificates_verify(name):
    v = vector(name)
    assert v["EXPECTEDRESULTS"]["EXPECTEDVERIFY"] and v["EXPECTEDRESULTS"]["EXPECTEDSCHEMAVALIDATION"]
    done = run_dcc(v["PREFIX"], v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"],
                   "--schema", SCHEMA, "--valuesets", VALUESETS, "--strict")
    result = passed(done)
    assert result["library"] == {"name": "@pathcheck/dcc-sdk", "status": "verified"}
    assert result["dcc"] == v["JSON"]
    assert result["cose"]["alg"] == "ES256" and result["cose"]["kidInProtectedHeader"]
    der = base64.b64decode(v["TESTCTX"]["CERTIFICATE"])
    assert base64.b64decode(result["cose"]["kid"]) == hashlib.sha256(der).digest()[:8]
    assert result["claims"]["iss"] == v["JSON"]["v"][0]["co"]
    assert result["requests"] == []  # the DSC was given: nothing was fetched, not even tried


@needs_node
def test_the_eu_invalid_signature_vector_fails():
    v = vector("common-CO5")
    assert v["EXPECTEDRESULTS"] == {"EXPECTEDVERIFY": False}
    failed(run_dcc(v["PREFIX"], v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"]),
           "@pathcheck/dcc-sdk: invalid_signature", "node:crypto: the ES256 signature")


@needs_node
def test_the_eu_wrong_kid_vector_fails():
    v = vector("common-CO22")
    assert v["EXPECTEDRESULTS"] == {"EXPECTEDVERIFY": False}
    failed(run_dcc(v["PREFIX"], v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"]),
           "@pathcheck/dcc-sdk: issuer_not_trusted", "is not the DSC's")


@needs_node
def test_a_wrong_document_signer_fails():
    se, fi = vector("SE-1"), vector("FI-6")
    failed(run_dcc(se["PREFIX"], fi["TESTCTX"]["CERTIFICATE"], "--now", se["TESTCTX"]["VALIDATIONCLOCK"]),
           "@pathcheck/dcc-sdk: issuer_not_trusted", "is not the DSC's")


@needs_node
def test_an_expired_eu_certificate_fails_at_todays_date():
    v = vector("SE-1")
    failed(run_dcc(v["PREFIX"], v["TESTCTX"]["CERTIFICATE"]), "certificate expired at 2021-09-13T09:50:03")


# Base45 (RFC 9285), for building tampered QR texts without third-party code.
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [B45[n % 45], B45[n // 45 % 45], B45[n // 2025]]
    if len(data) % 2:
        out += [B45[data[-1] % 45], B45[data[-1] // 45]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = [B45.index(c) for c in text[i:i + 3]]
        n = sum(v * 45 ** k for k, v in enumerate(chunk))
        out += n.to_bytes(2 if len(chunk) == 3 else 1, "big")
    return bytes(out)


def test_the_base45_helpers_round_trip_an_official_qr():
    qr = vector("SE-1")["PREFIX"]
    assert b45encode(b45decode(qr[4:])) == qr[4:]


@needs_node
def test_a_tampered_eu_payload_fails_the_signature():
    v = vector("SE-1")
    cose = zlib.decompress(b45decode(v["PREFIX"][4:]))
    name = "Lövström".encode()
    assert cose.count(name) == 1
    forged = "HC1:" + b45encode(zlib.compress(cose.replace(name, "Lövströn".encode())))  # same length: CBOR intact
    failed(run_dcc(forged, v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"]),
           "@pathcheck/dcc-sdk: invalid_signature", "node:crypto: the ES256 signature")


@needs_node
def test_a_flipped_character_of_the_eu_qr_fails():
    v = vector("SE-1")
    qr = v["PREFIX"]
    at = len(qr) // 2
    flipped = qr[:at] + ("A" if qr[at] != "A" else "B") + qr[at + 1:]
    failed(run_dcc(flipped, v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"]))


@needs_node
def test_a_missing_prefix_fails():
    v = vector("SE-1")
    failed(run_dcc(v["PREFIX"][4:], v["TESTCTX"]["CERTIFICATE"], "--now", v["TESTCTX"]["VALIDATIONCLOCK"]),
           'SHALL start with the context identifier "HC1:"')


# ---- EU DCC signed here: schema, value sets and the UVCI checksum ----------------------------------------

def covishield(ci: str, mp: str = "Covishield") -> dict:
    return {"ver": "1.3.0", "nam": {"fn": "Rao", "fnt": "RAO", "gn": "Asha", "gnt": "ASHA"}, "dob": "1990-01-01",
            "v": [{"tg": "840539006", "vp": "29061000087103", "mp": mp, "ma": "ORG-100001981", "dn": 2, "sd": 2,
                   "dt": "2021-09-01", "co": "IN", "is": "Ministry of Health and Family Welfare", "ci": ci}]}


def sign_dcc(certificate: dict) -> tuple[str, str]:
    """(HC1 text, DSC base64) for a DCC signed with a throwaway P-256 key (cbor2 for the CBOR)."""
    import cbor2
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "IN"), x509.NameAttribute(NameOID.COMMON_NAME, "DSC")])
    start = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    dsc = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
           .serial_number(1).not_valid_before(start).not_valid_after(start + datetime.timedelta(days=3650))
           .sign(key, hashes.SHA256()))
    der = dsc.public_bytes(serialization.Encoding.DER)
    protected = cbor2.dumps({1: -7, 4: hashlib.sha256(der).digest()[:8]})
    claims = cbor2.dumps({1: "IN", 6: 1630454400, 4: 1661990400, -260: {1: certificate}})
    r, s = decode_dss_signature(key.sign(cbor2.dumps(["Signature1", protected, b"", claims]),
                                         ec.ECDSA(hashes.SHA256())))
    cose = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, claims, r.to_bytes(32, "big") + s.to_bytes(32, "big")]))
    return "HC1:" + b45encode(zlib.compress(cose)), base64.b64encode(der).decode()


@needs_node
def test_schema_value_sets_and_uvci_checksum():
    # The worked example of the schema's FAQ: URN:UVCI:01:NL:187/37512422923 has the Luhn mod N check "Z".
    qr, dsc = sign_dcc(covishield("URN:UVCI:01:NL:187/37512422923#Z"))
    result = passed(run_dcc(qr, dsc, "--now", "2021-10-01", "--schema", SCHEMA, "--valuesets", VALUESETS,
                            "--strict", "--uvci-checksum"))
    assert result["uvci"] == {"value": "URN:UVCI:01:NL:187/37512422923#Z", "format": "UVCI", "checksum": "valid"}
    qr, dsc = sign_dcc(covishield("URN:UVCI:01:NL:187/37512422923#Y", mp="Covishield-X"))
    done = run_dcc(qr, dsc, "--now", "2021-10-01", "--schema", SCHEMA, "--valuesets", VALUESETS, "--uvci-checksum")
    failed(done, 'v[0].mp "Covishield-X" is not in the value set vaccine-medicinal-product',
           "UVCI URN:UVCI:01:NL:187/37512422923#Y: checksum invalid")
    assert "signature" not in done.stderr
    bad = covishield("URN:UVCI:01:NL:187/37512422923#Z")
    del bad["v"][0]["dt"]
    qr, dsc = sign_dcc(bad)
    failed(run_dcc(qr, dsc, "--now", "2021-10-01", "--schema", SCHEMA), "must have required property 'dt'")


# ---- EU DCC again with PyPI's pycose + cbor2 + base45 + jsonschema ----------------------------------------

def test_pycose_verifies_an_eu_test_certificate_and_jsonschema_validates_it():
    import base45
    import cbor2
    import jsonschema
    from cryptography import x509
    from pycose import keys as pycose_keys
    from pycose import messages as pycose_messages

    def sign1(cose: bytes):
        # Sign1Message.decode(cose) would do, but pycose 1.1.0 cannot read what cbor2 >= 6 decodes inside a tag
        # (tuples and cbor2.frozendict where it expects list and dict); rebuilt from its four parts it works
        # with both cbor2 5 and 6.
        tagged = cbor2.loads(cose)
        assert tagged.tag == 18  # COSE_Sign1
        protected, unprotected, payload, signature = tagged.value
        return pycose_messages.Sign1Message.from_cose_obj([protected, dict(unprotected), payload, signature], True)

    v = vector("SE-1")
    cose = zlib.decompress(base45.b45decode(v["PREFIX"].removeprefix("HC1:")))
    message = sign1(cose)
    public = x509.load_der_x509_certificate(base64.b64decode(v["TESTCTX"]["CERTIFICATE"])).public_key()
    numbers = public.public_numbers()
    message.key = pycose_keys.EC2Key(crv="P_256", x=numbers.x.to_bytes(32, "big"), y=numbers.y.to_bytes(32, "big"))
    assert message.verify_signature()
    claims = cbor2.loads(message.payload)
    certificate = claims[-260][1]
    assert certificate == v["JSON"]
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()),
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(certificate)) == []
    sets = {f: json.loads((VALUESETS / f"{name}.json").read_text())["valueSetValues"] for f, name in (
        ("tg", "disease-agent-targeted"), ("vp", "vaccine-prophylaxis"), ("mp", "vaccine-medicinal-product"),
        ("ma", "vaccine-mah-manf"))}
    assert all(certificate["v"][0][f] in sets[f] for f in sets)

    forged = sign1(cose.replace("Lövström".encode(), "Lövströn".encode()))
    forged.key = message.key
    assert not forged.verify_signature()
