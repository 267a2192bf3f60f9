// The certificate verifier (/verify): reads a certificate's QR from the camera, a photo, its PDF or
// pasted text, and checks it ON THIS DEVICE, as chalicelib/verifier.py does: the ES256 signature
// against the issuer's published keys (GET /.well-known/jwks.json, key chosen by `kid`), then the
// certificate id against the revocation list (GET /v2/certificate/revoked, every page).
// The certificate is never sent anywhere: the only requests are the keys, the list, the page's own
// files and its texts. The service worker (/verify-sw.js) keeps all of them for offline use.
import { t, loadTexts, language } from "/web/texts.js";
import "/web/vendor/jsqr/jsQR.js"; // a UMD bundle: sets self.jsQR

const QR_PREFIX = "teeka:/";
const MAX_QR_TEXT = 4096; // as the issuer's verifier: our QRs stay under 2,400 digits
const MAX_PAYLOAD = 64 * 1024;
const KEYS_URL = "/.well-known/jwks.json";
const REVOKED_URL = "/v2/certificate/revoked";
const MAX_REVOKED_PAGES = 10000;
const PDFJS_URL = "/web/vendor/pdfjs-dist/pdf.min.mjs";
const PDF_WORKER_URL = "/web/vendor/pdfjs-dist/pdf.worker.min.mjs";
// pdf.js decodes CCITT fax images (how the certificate PDF stores its 1-bit QR) with its JBIG2 module:
// jbig2.wasm, or jbig2_nowasm_fallback.js where WebAssembly is off.
const PDF_WASM_URL = "/web/vendor/pdfjs-dist/wasm/";
const PDF_SCALES = [2, 3, 4]; // an A4 page at 2x gives the certificate's QR about 4 pixels a module
const REFRESH_EVERY_MS = 10 * 60 * 1000;
const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;
const SAVED_AT = "X-Teeka-Saved-At"; // set by the service worker: when it stored this answer
const SERVED_FROM = "X-Teeka-From"; // "network" or "cache"

const $ = (id) => document.getElementById(id);

class Invalid extends Error {} // the certificate is not genuine, or not a certificate
class Unchecked extends Error {} // it could not be checked here (no keys yet)

let firstLoad = Promise.resolve();

// What this device knows of the issuer: its public keys and the ids it revoked.
const trust = {
  keys: null, keysAt: 0, keysFrom: "",
  revoked: null, revokedAt: 0, revokedFrom: "",
  controlled: false, unsupported: false,
};

// ---- the QR text and the JWS ---------------------------------------------------------------------

function jwsOf(text) {
  text = text.trim();
  if (text.split(".").length === 3 && !text.startsWith(QR_PREFIX)) return text;
  const digits = text.startsWith(QR_PREFIX) ? text.slice(QR_PREFIX.length) : "";
  if (!digits || digits.length % 2 || !/^[0-9]+$/.test(digits) || text.length > MAX_QR_TEXT) {
    throw new Invalid(t("This is not a certificate QR code (it starts with teeka:/ and then digits)."));
  }
  let jws = "";
  for (let i = 0; i < digits.length; i += 2) jws += String.fromCharCode(Number(digits.slice(i, i + 2)) + 45);
  return jws;
}

function unbase64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Invalid(t("The certificate is damaged (not base64url)."));
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  let binary;
  try {
    binary = atob(base64);
  } catch (error) {
    throw new Invalid(t("The certificate is damaged (not base64url)."));
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

async function inflate(bytes) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_PAYLOAD) {
        reader.cancel().catch(() => {});
        throw new Invalid(t("The certificate's content is too large."));
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Invalid) throw error;
    throw new Invalid(t("The certificate's content is not readable (not DEFLATE data)."));
  }
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(joined);
}

function json(bytes) {
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
}

// The verdict on QR text: {status: valid|invalid|revoked|unchecked, reason, claims, revocation}.
async function verify(text) {
  await firstLoad; // the keys and the list this page is loading
  let claims;
  try {
    claims = await verifiedClaims(jwsOf(text));
  } catch (problem) {
    if (problem instanceof Unchecked) return { status: "unchecked", reason: problem.message };
    if (problem instanceof Invalid) return { status: "invalid", reason: problem.message };
    console.error(problem);
    return { status: "invalid", reason: t("The certificate could not be read.") };
  }
  const id = String(claims.jti || "").replace(/^urn:uuid:/, "");
  const revocation = trust.revoked && trust.revoked.get(id);
  if (revocation) return { status: "revoked", claims, id, revocation };
  return { status: "valid", claims, id, listMissing: !trust.revoked };
}

async function verifiedClaims(jws) {
  const [headerPart, payloadPart, signaturePart] = jws.split(".");
  if (signaturePart === undefined || jws.split(".").length !== 3) throw new Invalid(t("This is not a signed certificate."));
  let header;
  try {
    header = json(unbase64url(headerPart));
  } catch (error) {
    throw new Invalid(t("This is not a signed certificate."));
  }
  if (!header || header.alg !== "ES256" || header.zip !== "DEF") {
    throw new Invalid(t("The certificate's header is not the issuer's."));
  }
  if (!trust.keys) {
    throw new Unchecked(t("The issuer's keys are not on this device yet: open this page once with an internet connection."));
  }
  let jwk = trust.keys.find((key) => key.kid === header.kid);
  if (!jwk && navigator.onLine) {
    await refreshKeys(); // a key published since this page loaded them (it sends nothing of the certificate)
    jwk = trust.keys.find((key) => key.kid === header.kid);
  }
  if (!jwk) throw new Invalid(t("It is signed by a key the issuer has not published."));
  const signature = unbase64url(signaturePart);
  if (signature.length !== 64) throw new Invalid(t("The certificate's signature is malformed."));
  let key;
  try {
    key = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  } catch (error) {
    throw new Invalid(t("It is signed by a key the issuer has not published."));
  }
  const signed = new TextEncoder().encode(`${headerPart}.${payloadPart}`);
  const genuine = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, signed);
  if (!genuine) {
    throw new Invalid(t("The signature does not match: the certificate was changed, or not issued by this issuer."));
  }
  let claims;
  try {
    claims = JSON.parse(await inflate(unbase64url(payloadPart)));
  } catch (error) {
    if (error instanceof Invalid) throw error;
    throw new Invalid(t("The certificate's content is not readable."));
  }
  const vc = claims && claims.vc;
  if (!vc || !vc.credentialSubject || !Array.isArray(vc.evidence) || !vc.evidence.length) {
    throw new Invalid(t("The certificate's content is not a vaccination credential."));
  }
  return claims;
}

// ---- the issuer's keys and revocation list --------------------------------------------------------

async function getJson(url) {
  const response = await fetch(url, { cache: "no-cache", credentials: "omit" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return {
    body: await response.json(),
    savedAt: Number(response.headers.get(SAVED_AT)) || Date.now(),
    from: response.headers.get(SERVED_FROM) || "network",
    stored: response.headers.has(SAVED_AT), // the service worker keeps a copy
  };
}

async function refreshKeys() {
  try {
    const answer = await getJson(KEYS_URL);
    if (!Array.isArray(answer.body.keys)) throw new Error("no keys");
    Object.assign(trust, { keys: answer.body.keys, keysAt: answer.savedAt, keysFrom: answer.from, keysStored: answer.stored });
  } catch (error) {
    // keep the keys loaded before
  }
}

async function refreshRevoked() {
  try {
    const revoked = new Map();
    let next = null, savedAt = Infinity, from = "network", stored = true;
    for (let page = 0; page < MAX_REVOKED_PAGES; page += 1) {
      const answer = await getJson(next ? `${REVOKED_URL}?next=${encodeURIComponent(next)}` : REVOKED_URL);
      for (const entry of answer.body.revoked || []) revoked.set(entry.certificate_id, entry);
      savedAt = Math.min(savedAt, answer.savedAt);
      if (answer.from === "cache") from = "cache";
      stored = stored && answer.stored;
      next = answer.body.next;
      if (!next) {
        Object.assign(trust, { revoked, revokedAt: savedAt, revokedFrom: from, revokedStored: stored });
        return;
      }
    }
  } catch (error) {
    // keep the list loaded before (a list missing a page would pass revoked certificates)
  }
}

async function refreshTrust() {
  await Promise.all([refreshKeys(), refreshRevoked()]);
  showTrust();
}

function when(epochMs) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(epochMs));
}

function locale() {
  return (language().language || "en_US").replace("_", "-");
}

function showTrust() {
  const keys = trust.keys;
  $("keys-status").textContent = keys
    ? t("Issuer's keys: {count}, updated {time}.", { count: keys.length, time: when(trust.keysAt) })
    : t("The issuer's keys are not on this device yet: open this page once with an internet connection.");
  $("revoked-status").textContent = trust.revoked
    ? t("Revocation list ({count} revoked), updated {time}.", { count: trust.revoked.size, time: when(trust.revokedAt) })
    : t("The revocation list is not on this device yet: open this page once with an internet connection.");
  if (trust.revoked && Date.now() - trust.revokedAt > STALE_AFTER_MS) {
    const stale = t("It is more than a week old: connect to the internet to update it.");
    $("revoked-status").textContent += " " + stale;
  }
  let state, text;
  if (trust.unsupported) {
    state = "unsupported";
    text = t("This browser cannot keep the verifier for use without a network.");
  } else if (keys && trust.revoked && (trust.keysFrom === "cache" || trust.revokedFrom === "cache")) {
    state = "saved";
    text = t("No network: checking with the keys and the revocation list saved on this device.");
  } else if (trust.controlled && keys && trust.revoked && trust.keysStored && trust.revokedStored) {
    state = "ready";
    text = t("Ready: certificates can be checked here even without a network.");
  } else {
    state = "pending";
    text = t("Preparing to work without a network...");
  }
  $("offline").dataset.offline = state;
  $("offline").textContent = text;
}

// Registers the service worker (which also checks it for an update). On a first visit, waits until
// it controls this page and answers true: the keys and the list are then fetched again through it.
async function prepareOffline() {
  const workers = navigator.serviceWorker;
  if (!workers || !window.caches) {
    trust.unsupported = true;
    return false;
  }
  const registering = workers.register("/verify-sw.js", { scope: "/verify" });
  if (workers.controller) {
    registering.catch(() => {}); // offline, the update check fails: the installed worker stays
    return false;
  }
  try {
    await registering;
    await workers.ready;
    if (!workers.controller) {
      await new Promise((resolve) => workers.addEventListener("controllerchange", resolve, { once: true }));
    }
  } catch (error) {
    trust.unsupported = true;
    return false;
  }
  trust.controlled = true;
  return true;
}

// ---- reading QR codes -----------------------------------------------------------------------------

function canvasOf(width, height) {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function qrIn(canvas) {
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  const code = self.jsQR(pixels.data, canvas.width, canvas.height, { inversionAttempts: "attemptBoth" });
  return code && code.data ? code.data : null;
}

// A photo at a few sizes: jsQR wants a few pixels a module, and is slow on very large pictures.
function qrInPicture(source, width, height) {
  const longest = Math.max(width, height);
  for (const size of [...new Set([Math.min(longest, 1800), Math.min(longest, 3000), Math.min(longest, 900)])]) {
    const scale = size / longest;
    const canvas = canvasOf(Math.round(width * scale), Math.round(height * scale));
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.imageSmoothingQuality = "high";
    context.fillStyle = "#fff"; // a transparent PNG reads as white paper
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const text = qrIn(canvas);
    if (text) return text;
  }
  return null;
}

async function qrOfImage(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file); // decoded here: no URL, no request
  } catch (error) {
    throw new Invalid(t("This file is not an image this browser can read."));
  }
  try {
    return qrInPicture(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

let pdfjs = null;

function loadPdfjs() {
  pdfjs ||= import(PDFJS_URL).then((library) => {
    library.GlobalWorkerOptions.workerPort = pdfWorker();
    return library;
  }, (error) => {
    pdfjs = null; // try again with the next PDF
    throw error;
  });
  return pdfjs;
}

// pdf.js's worker, started from a blob: URL that imports it. A worker at its own URL would be matched to
// a service worker by that URL's scope, and /web/ is outside /verify: offline it would not load. A blob:
// worker is controlled by this page's service worker, which has the worker's files saved.
function pdfWorker() {
  const source = `import ${JSON.stringify(new URL(PDF_WORKER_URL, location.href).href)};`;
  return new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
}

async function qrOfPdf(file) {
  const library = await loadPdfjs();
  const task = library.getDocument({
    data: new Uint8Array(await file.arrayBuffer()), wasmUrl: PDF_WASM_URL, enableXfa: false,
    disableWorkerRendering: true,
  });
  let document_;
  try {
    document_ = await task.promise;
  } catch (error) {
    throw new Invalid(t("This file is not a PDF this page can read."));
  }
  try {
    const page = await document_.getPage(1);
    for (const scale of PDF_SCALES) {
      const viewport = page.getViewport({ scale });
      const canvas = canvasOf(Math.ceil(viewport.width), Math.ceil(viewport.height));
      await page.render({ canvas, viewport, background: "#ffffff" }).promise;
      const text = qrIn(canvas);
      if (text) return text;
    }
    return null;
  } finally {
    await task.destroy();
  }
}

async function readFile(file) {
  const isPdf = file.type === "application/pdf" || /\.pdf$/i.test(file.name);
  $("file-status").textContent = isPdf ? t("Reading the PDF...") : t("Reading the image...");
  const ticket = beginCheck();
  let text;
  try {
    text = isPdf ? await qrOfPdf(file) : await qrOfImage(file);
  } catch (error) {
    if (!(error instanceof Invalid)) console.error(error);
    text = error instanceof Invalid ? error : new Invalid(t("This file could not be read."));
  }
  if (ticket !== latest) return;
  $("file-status").textContent = "";
  if (typeof text === "string") {
    await check(text, ticket);
  } else {
    show({ status: "noqr", reason: text ? text.message : t("No QR code was found in this file. Try a sharper or larger picture.") });
  }
}

// ---- the camera -----------------------------------------------------------------------------------

const camera = { stream: null, starting: false, timer: 0, canvas: null };
const CAMERA_EVERY_MS = 150;

async function startCamera() {
  const media = navigator.mediaDevices;
  if (!media || !media.getUserMedia) {
    $("camera-status").textContent = t("This browser cannot use a camera here. Choose a photo instead.");
    return;
  }
  $("camera-status").textContent = t("Starting the camera...");
  camera.starting = true;
  try {
    camera.stream = await media.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
  } catch (error) {
    camera.stream = null;
    camera.starting = false;
    $("camera-status").textContent = error && error.name === "NotAllowedError"
      ? t("The camera was not allowed. Allow it in the browser's settings, or choose a photo instead.")
      : t("No camera could be started. Choose a photo instead.");
    return;
  }
  camera.starting = false;
  const video = $("video");
  video.srcObject = camera.stream;
  $("viewfinder").hidden = false;
  setCameraButton(true);
  $("camera-status").textContent = t("Point the camera at the certificate's QR code.");
  try {
    await video.play();
  } catch (error) {
    // muted inline video plays; a refusal leaves the frames still readable
  }
  camera.timer = setTimeout(scanFrame, CAMERA_EVERY_MS);
}

function stopCamera(message = "") {
  clearTimeout(camera.timer);
  if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
  camera.stream = null;
  $("video").srcObject = null;
  $("viewfinder").hidden = true;
  setCameraButton(false);
  $("camera-status").textContent = message;
}

function scanFrame() {
  const video = $("video");
  if (!camera.stream) return;
  if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth) {
    const scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale), height = Math.round(video.videoHeight * scale);
    if (!camera.canvas || camera.canvas.width !== width || camera.canvas.height !== height) {
      camera.canvas = canvasOf(width, height);
    }
    const context = camera.canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height);
    const code = self.jsQR(pixels.data, width, height, { inversionAttempts: "dontInvert" });
    if (code && code.data) {
      stopCamera(t("QR code read."));
      check(code.data);
      return;
    }
  }
  camera.timer = setTimeout(scanFrame, CAMERA_EVERY_MS);
}

function setCameraButton(on) {
  const button = $("camera");
  button.textContent = on ? t("Stop the camera") : t("Start the camera");
  button.setAttribute("aria-pressed", String(on));
}

// ---- showing the verdict --------------------------------------------------------------------------

let checks = 0; // verdicts shown (data-checks, for tests and assistive tools)
let latest = 0; // the check under way: an older one that ends later shows nothing

function beginCheck() {
  $("result").dataset.status = "checking";
  latest += 1;
  return latest;
}

async function check(text, ticket = beginCheck()) {
  const verdict = await verify(text);
  if (ticket === latest) show(verdict);
}

const BANNERS = {
  valid: () => ({ icon: "✓", title: t("VALID"), note: t("Signed by the issuer, and not revoked.") }),
  invalid: () => ({ icon: "✗", title: t("INVALID"), note: t("Do not accept this certificate.") }),
  revoked: () => ({ icon: "⊘", title: t("REVOKED"), note: t("The issuer has withdrawn this certificate.") }),
  unchecked: () => ({ icon: "?", title: t("NOT CHECKED"), note: t("This certificate could not be checked.") }),
  noqr: () => ({ icon: "?", title: t("NO QR CODE FOUND"), note: t("Nothing was checked.") }),
};

function day(instant) {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return String(instant || "");
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric" }).format(date);
}

function addDetail(list, label, value) {
  if (value === undefined || value === null || value === "") return;
  const term = document.createElement("dt");
  term.textContent = label;
  const description = document.createElement("dd");
  description.textContent = String(value);
  list.append(term, description);
}

function doseLine(number, total, vaccine, date) {
  const item = document.createElement("li");
  item.textContent = t("Dose {dose} of {total}: {vaccine}, {date}", { dose: number, total, vaccine, date: day(date) });
  return item;
}

function show(verdict) {
  const banner = BANNERS[verdict.status]();
  const result = $("result");
  result.hidden = false;
  result.dataset.status = verdict.status;
  checks += 1;
  result.dataset.checks = String(checks);
  $("banner").className = `banner ${verdict.status}`;
  $("banner-icon").textContent = banner.icon;
  $("banner-title").textContent = banner.title;
  $("banner-note").textContent = banner.note;

  const reason = verdict.reason || (verdict.revocation ? revocationReason(verdict.revocation) : "");
  $("reason").hidden = !reason;
  $("reason").textContent = reason;

  const details = $("details");
  const doses = $("doses");
  details.replaceChildren();
  doses.replaceChildren();
  $("doses-title").hidden = true;
  const warning = verdict.listMissing
    ? t("The revocation list is not on this device: this certificate may have been revoked.")
    : verdict.status === "revoked" ? t("Ask for the person's current certificate.") : "";
  $("warning").hidden = !warning;
  $("warning").textContent = warning;
  if (verdict.claims && (verdict.status === "valid" || verdict.status === "revoked")) {
    const person = verdict.claims.vc.credentialSubject;
    const [evidence] = verdict.claims.vc.evidence;
    addDetail(details, t("Name"), person.name);
    addDetail(details, t("Age"), person.age);
    addDetail(details, t("Gender"), person.gender);
    addDetail(details, t("ID"), idText(person.id));
    addDetail(details, t("Beneficiary reference ID"), person.refId);
    addDetail(details, t("Certificate"), evidence.status === "final"
      ? t("Final certificate (fully vaccinated)") : t("Provisional certificate (dose {dose} of {total})",
        { dose: evidence.dose, total: evidence.totalDoses }));
    addDetail(details, t("Certificate date"), verdict.claims.nbf ? when(Number(verdict.claims.nbf) * 1000) : "");
    addDetail(details, t("Certificate ID"), verdict.id);
    if (verdict.revocation) addDetail(details, t("Replaced by certificate"), verdict.revocation.superseded_by);
    addDetail(details, t("Vaccination centre"), evidence.facility && evidence.facility.name);
    addDetail(details, t("Issuer"), verdict.claims.iss);
    $("doses-title").hidden = false;
    $("doses-title").textContent = t("Doses");
    const earlier = evidence.previousDose;
    if (earlier) doses.append(doseLine(earlier.dose, evidence.totalDoses, earlier.vaccine, earlier.date));
    doses.append(doseLine(evidence.dose, evidence.totalDoses, evidence.vaccine, evidence.date));
  }
  result.scrollIntoView({ block: "start", behavior: "smooth" });
  $("banner").focus({ preventScroll: true });
}

function idText(did) {
  const [, type, number] = String(did || "").split(":");
  return type && number ? `${type} ${number}` : "";
}

function revocationReason(entry) {
  const at = entry.revoked_at ? day(entry.revoked_at) : "";
  return entry.reason === "superseded"
    ? t("Revoked on {date}: replaced by a corrected certificate.", { date: at })
    : t("Revoked by the issuer on {date}.", { date: at });
}

// ---- the page -------------------------------------------------------------------------------------

function setTexts() {
  document.title = t("Certificate verifier");
  const texts = {
    title: t("Verify a vaccination certificate"),
    intro: t("Scan the certificate's QR code, or choose a photo or the PDF of it. It is checked on this device: the certificate is never sent anywhere."),
    "scan-title": t("Scan with the camera"),
    "file-title": t("Choose a photo or the PDF"),
    "file-label": t("Certificate image (PNG or JPEG) or PDF"),
    "paste-title": t("Paste the QR code's text"),
    "paste-label": t("Text of the QR code (it starts with teeka:/)"),
    check: t("Check"),
    "trust-title": t("Checking without a network"),
  };
  for (const [id, text] of Object.entries(texts)) $(id).textContent = text;
  $("video").setAttribute("aria-label", t("Camera view"));
  $("banner").tabIndex = -1;
  setCameraButton(false);
}

async function main() {
  await loadTexts(null);
  setTexts();
  showTrust();
  $("camera").addEventListener("click", () => {
    if (camera.stream) stopCamera();
    else if (!camera.starting) startCamera();
  });
  $("file").addEventListener("change", async (event) => {
    const [file] = event.target.files;
    if (file) await readFile(file);
    event.target.value = ""; // the same file may be chosen again
  });
  $("paste-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("paste").value;
    if (text.trim()) check(text);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && camera.stream) stopCamera();
  });
  window.addEventListener("online", refreshTrust);
  setInterval(() => navigator.onLine && refreshTrust(), REFRESH_EVERY_MS);
  trust.controlled = Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
  firstLoad = refreshTrust(); // straight away: on a first visit the service worker does not control the page yet
  await firstLoad;
  if (await prepareOffline()) await refreshTrust(); // now through it, which keeps copies
  showTrust();
}

main();
