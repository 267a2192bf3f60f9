#!/usr/bin/env node
// Verify a SMART Health Card QR (`shc:/<digits>`) with code this project did not write:
//   * @pathcheck/shc-sdk (PathCheck Foundation): numeric decoding, key resolution from
//     <iss>/.well-known/jwks.json and the ES256 signature (node-jose);
//   * jose (panva): an independent ES256 verification of the same JWS and the RFC 7638 thumbprint;
//   * the SMART Health Cards rules the SDK does not check, each quoted from https://spec.smarthealth.cards
//     (see README.md): header, raw DEFLATE, minified payload, iss, nbf/exp, vc.type, the QR bundle
//     rules, the JWK rules, rid and the per-key revocation list.
//
// Usage:
//   node verify-shc.mjs --qr <shc:/... | file> [--jwks <file>] [--crl <file>] [--allow-http]
//                       [--now <ISO|epoch s>] [--no-revocation]
//   node verify-shc.mjs --jws <compact JWS | file> ...
// Without --jwks the keys are fetched from <iss>/.well-known/jwks.json, which the harness allows only
// for loopback issuers (our test server); with --jwks that file answers for <iss>/.well-known/jwks.json.
// Exit 0 and the decoded payload as JSON on stdout when every check passes; 1 with FAIL lines on
// stderr when one does not; 2 for a usage error.
import { inflateRawSync } from 'node:zlib';
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import {
  UsageError, captureConsole, fetchJson, finish, importSdk, iso, jsonArg, main, nowArg, serveJson, textArg,
} from './lib/common.mjs';

const HEALTH_CARD = 'https://smarthealth.cards#health-card';
const B64URL = /^[A-Za-z0-9_-]*$/;
const MAX_SINGLE_QR_JWS = 1195; // "Any JWS longer than 1195 characters SHALL be split into chunks"

await main(async () => {
  const { values } = parseArgs({
    options: {
      qr: { type: 'string' },
      jws: { type: 'string' },
      jwks: { type: 'string' },
      crl: { type: 'string' },
      now: { type: 'string' },
      'allow-http': { type: 'boolean', default: false },
      'no-revocation': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.qr === !values.jws) throw new UsageError('give exactly one of --qr or --jws');
  const now = nowArg(values.now);
  const jwksFile = values.jwks ? jsonArg(values.jwks, '--jwks') : undefined;
  const crlFile = values.crl ? jsonArg(values.crl, '--crl') : undefined;
  captureConsole();
  const shc = await importSdk('shc-sdk');

  const errors = [];
  const warnings = [];
  const rule = (ok, message) => { if (!ok) errors.push(message); return ok; };

  // ---- QR numeric encoding -------------------------------------------------------------------------
  let jws;
  let qr;
  if (values.qr) {
    qr = textArg(values.qr, '--qr');
    const m = /^shc:\/(?:(\d+)\/(\d+)\/)?(\d*)$/.exec(qr);
    if (!m) {
      errors.push('QR text is not `shc:/` followed by digits');
      return finish({ errors, warnings });
    }
    if (m[1]) {
      errors.push(`chunked QR (shc:/${m[1]}/${m[2]}/...): chunking is deprecated and not supported here`);
      return finish({ errors, warnings });
    }
    const digits = m[3];
    const pairs = digits.match(/../g) || [];
    if (!rule(digits.length % 2 === 0 && digits.length > 0, 'numeric QR segment has an odd number of digits')
        || !rule(pairs.every((p) => Number(p) <= 77), 'numeric QR segment has a pair above 77 (not a JWS character)')) {
      return finish({ errors, warnings });
    }
    jws = await shc.unpack(qr); // the library's decoder
    const ours = pairs.map((p) => String.fromCharCode(Number(p) + 45)).join('');
    rule(jws === ours, 'the library and the spec\'s Ord(c)-45 rule decode the digits differently');
  } else {
    jws = textArg(values.jws, '--jws');
  }

  // ---- JWS structure (decoded independently of the library) ----------------------------------------
  const parts = jws.split('.');
  if (!rule(parts.length === 3 && parts.every((p) => B64URL.test(p) && p.length > 0), 'not a compact JWS (three base64url parts)')) {
    return finish({ errors, warnings });
  }
  rule(jws.length <= MAX_SINGLE_QR_JWS, `JWS is ${jws.length} characters; a single QR holds at most ${MAX_SINGLE_QR_JWS}`);
  let header;
  let payloadText;
  let payload;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  } catch (err) {
    errors.push(`JWS header is not JSON: ${err.message}`);
    return finish({ errors, warnings });
  }
  rule(header.alg === 'ES256', `header alg is ${JSON.stringify(header.alg)}, SHALL be "ES256"`);
  rule(header.zip === 'DEF', `header zip is ${JSON.stringify(header.zip)}, SHALL be "DEF"`);
  rule(typeof header.kid === 'string' && header.kid.length > 0, 'header has no kid');
  try {
    payloadText = inflateRawSync(Buffer.from(parts[1], 'base64url')).toString('utf8');
  } catch (err) {
    errors.push(`payload is not raw DEFLATE (RFC 1951, no zlib/gzip header): ${err.message}`);
    return finish({ errors, warnings });
  }
  try {
    payload = JSON.parse(payloadText);
  } catch (err) {
    errors.push(`payload is not JSON: ${err.message}`);
    return finish({ errors, warnings });
  }
  rule(isMinified(payloadText), 'payload is not minified (whitespace outside strings)');

  // ---- keys: --jwks, or <iss>/.well-known/jwks.json (loopback only) -----------------------------------
  const iss = payload.iss;
  if (!rule(typeof iss === 'string', 'payload has no iss string')) return finish({ errors, warnings });
  let issUrl;
  try {
    issUrl = new URL(iss);
  } catch {
    errors.push(`iss ${iss} is not a URL`);
    return finish({ errors, warnings });
  }
  if (issUrl.protocol === 'http:' && values['allow-http']) {
    warnings.push(`iss ${iss} uses http: accepted because of --allow-http (the spec says SHALL use https)`);
  } else {
    rule(issUrl.protocol === 'https:', `iss ${iss} SHALL use the https scheme (pass --allow-http for a local test issuer)`);
  }
  rule(!iss.endsWith('/'), `iss ${iss} SHALL NOT include a trailing /`);
  const jwksUrl = `${iss}/.well-known/jwks.json`;
  let jwks = jwksFile;
  if (!jwks) {
    try {
      jwks = await fetchJson(jwksUrl);
    } catch (err) {
      errors.push(`cannot get the issuer's keys: ${err.message} (give --jwks <file> for a non-loopback issuer)`);
      return finish({ errors, warnings });
    }
  }
  serveJson(jwksUrl, jwks); // the library resolves keys from the same document
  const jwk = Array.isArray(jwks.keys) ? jwks.keys.find((k) => k.kid === header.kid) : undefined;
  if (!rule(jwk !== undefined, `no key with kid ${header.kid} in ${values.jwks ? values.jwks : jwksUrl}`)) {
    await libraryVerdict(shc, qr, jws, errors); // still let the library say what it thinks
    return finish({ errors, warnings });
  }
  rule(jwk.kty === 'EC' && jwk.use === 'sig' && jwk.alg === 'ES256', 'issuer JWK SHALL have kty EC, use sig, alg ES256');
  rule(jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string', 'issuer JWK SHALL have crv P-256, x and y');
  rule(jwk.d === undefined, 'issuer JWK SHALL NOT have the private parameter d');
  let thumbprint;
  try {
    thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'sha256');
    rule(thumbprint === jwk.kid, `kid ${jwk.kid} is not the RFC 7638 SHA-256 thumbprint of the key (${thumbprint})`);
  } catch (err) {
    errors.push(`cannot compute the key's thumbprint: ${err.message}`);
  }
  if (jwk.x5c !== undefined) checkX5c(jwk, iss, now, rule, warnings);

  // ---- signatures: the library, then jose -----------------------------------------------------------
  const verified = await libraryVerdict(shc, qr, jws, errors);
  try {
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256');
    await compactVerify(jws, key, { algorithms: ['ES256'] });
  } catch (err) {
    errors.push(`jose: ES256 signature does not verify: ${err.code || ''} ${err.message}`.trim());
  }
  if (verified && JSON.stringify(verified.credential) !== JSON.stringify(payload)) {
    errors.push('the library decoded a different payload');
  }

  // ---- claims -----------------------------------------------------------------------------------------
  rule(typeof payload.nbf === 'number', 'nbf (issuance date, seconds since the epoch) SHALL be a number');
  if (typeof payload.nbf === 'number' && payload.nbf > now + 300) warnings.push(`nbf ${iso(payload.nbf)} is in the future`);
  if (payload.exp !== undefined) {
    rule(typeof payload.exp === 'number', 'exp SHALL be a number');
    rule(!(payload.exp < now), `card expired at ${iso(payload.exp)} (verification time ${iso(now)})`);
  }
  const vc = payload.vc || {};
  rule(Array.isArray(vc.type) && vc.type.includes(HEALTH_CARD), `vc.type SHALL contain ${HEALTH_CARD}`);
  const subject = vc.credentialSubject || {};
  rule(typeof subject.fhirVersion === 'string' && /^\d+\.\d+\.\d+$/.test(subject.fhirVersion),
    'vc.credentialSubject.fhirVersion SHALL be a FHIR version such as "4.0.1"');
  checkBundle(subject.fhirBundle, rule);
  if (vc.rid !== undefined) {
    rule(typeof vc.rid === 'string' && B64URL.test(vc.rid) && vc.rid.length >= 1 && vc.rid.length <= 24,
      `vc.rid ${JSON.stringify(vc.rid)} SHALL use the base64url alphabet and be no longer than 24 characters`);
  }

  // ---- revocation: the key's crlVersion -> <iss>/.well-known/crl/<kid>.json -------------------------
  let revocation = 'not applicable (the key has no crlVersion)';
  if (jwk.crlVersion !== undefined) {
    rule(Number.isInteger(jwk.crlVersion) && jwk.crlVersion >= 1, 'crlVersion SHALL be an integer >= 1');
    if (values['no-revocation']) {
      revocation = 'skipped (--no-revocation)';
      warnings.push('the key has a crlVersion but --no-revocation skipped the revocation list');
    } else {
      const crlUrl = `${iss}/.well-known/crl/${jwk.kid}.json`;
      let crl = crlFile;
      if (!crl) {
        try {
          crl = await fetchJson(crlUrl);
        } catch (err) {
          errors.push(`the key has crlVersion ${jwk.crlVersion} but its revocation list cannot be had: ${err.message} (give --crl <file>)`);
        }
      }
      if (crl) revocation = checkCrl(crl, jwk, payload, rule);
    }
  }

  finish({
    errors,
    warnings,
    result: {
      library: { name: '@pathcheck/shc-sdk', signature: verified ? 'verified' : 'failed' },
      header,
      thumbprint,
      revocation,
      payload,
    },
  });
});

async function libraryVerdict(shc, qr, jws, errors) {
  const verified = qr ? await shc.unpackAndVerify(qr) : await verifyJws(shc, jws);
  if (!verified) errors.push('@pathcheck/shc-sdk: the signature did not verify (its log is above)');
  return verified;
}

async function verifyJws(shc, jws) {
  return (await shc.verify(jws)) ? { credential: JSON.parse(inflateRawSync(Buffer.from(jws.split('.')[1], 'base64url')).toString('utf8')) } : undefined;
}

/** Minified: no whitespace outside JSON strings. */
function isMinified(text) {
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ' ' || c === '\n' || c === '\r' || c === '\t') return false;
  }
  return true;
}

/** The rules for bundles represented as QR codes ("Health Cards are Compact"). */
function checkBundle(bundle, rule) {
  if (!rule(bundle && bundle.resourceType === 'Bundle', 'vc.credentialSubject.fhirBundle SHALL be a FHIR Bundle')) return;
  rule(bundle.type === 'collection', `fhirBundle.type is ${JSON.stringify(bundle.type)}; the spec's structure has "collection"`);
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  rule(entries.length > 0, 'fhirBundle has no entries');
  entries.forEach((e, i) => {
    rule(typeof e.fullUrl === 'string' && /^resource:\d+$/.test(e.fullUrl), `entry[${i}].fullUrl SHALL be a short resource-scheme URI (resource:N)`);
    const r = e.resource || {};
    rule(r.id === undefined, `entry[${i}].resource SHALL NOT have Resource.id`);
    rule(r.text === undefined, `entry[${i}].resource SHALL NOT have DomainResource.text`);
    rule(r.meta === undefined || (Object.keys(r.meta).length === 1 && r.meta.security !== undefined),
      `entry[${i}].resource.meta SHALL be absent or hold only meta.security`);
    walk(r, `entry[${i}].resource`, (node, path) => {
      if (Array.isArray(node.coding)) rule(node.text === undefined, `${path}.text: CodeableConcept.text SHALL be absent`);
      if (typeof node.system === 'string' && 'code' in node) rule(node.display === undefined, `${path}.display: Coding.display SHALL be absent`);
      if (typeof node.reference === 'string') {
        rule(/^resource:\d+$/.test(node.reference), `${path}.reference SHALL be a short resource-scheme URI`);
        rule(entries.some((x) => x.fullUrl === node.reference), `${path}.reference ${node.reference} points to no entry`);
      }
    });
  });
}

function walk(node, path, visit) {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`, visit));
  else if (node && typeof node === 'object') {
    visit(node, path);
    for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`, visit);
  }
}

/** x5c: the first certificate's key SHALL be the JWK's; its SAN URI binds it to iss. */
function checkX5c(jwk, iss, now, rule, warnings) {
  if (!rule(Array.isArray(jwk.x5c) && jwk.x5c.length > 0, 'x5c SHALL be an array of base64 DER certificates')) return;
  let cert;
  try {
    cert = new X509Certificate(Buffer.from(jwk.x5c[0], 'base64'));
  } catch (err) {
    rule(false, `x5c[0] is not a certificate: ${err.message}`);
    return;
  }
  const certJwk = cert.publicKey.export({ format: 'jwk' });
  rule(certJwk.x === jwk.x && certJwk.y === jwk.y, 'the key in x5c[0] SHALL match the JWK\'s x and y');
  const sans = (cert.subjectAltName || '').split(', ');
  if (!sans.includes(`URI:${iss}`)) warnings.push(`x5c[0] has no subjectAltName URI:${iss} (needed by PKI-based trust frameworks)`);
  if (Date.parse(cert.validTo) / 1000 < now || Date.parse(cert.validFrom) / 1000 > now) {
    warnings.push(`x5c[0] is not valid at ${iso(now)} (${cert.validFrom} - ${cert.validTo}); chain validation is left to trust frameworks`);
  }
}

/** The card revocation list: {kid, method: "rid", ctr, rids: ["<rid>[.<timestamp>]"]}. */
function checkCrl(crl, jwk, payload, rule) {
  rule(crl.kid === jwk.kid, `CRL kid ${crl.kid} is not the key's ${jwk.kid}`);
  rule(crl.method === 'rid', `CRL method ${JSON.stringify(crl.method)} is not "rid"`);
  rule(crl.ctr === jwk.crlVersion, `CRL ctr ${crl.ctr} is not the key's crlVersion ${jwk.crlVersion} (stale list)`);
  if (!rule(Array.isArray(crl.rids), 'CRL rids SHALL be an array')) return 'unknown (bad CRL)';
  for (const entry of crl.rids) {
    rule(typeof entry === 'string' && /^[A-Za-z0-9_-]{1,24}(\.\d+)?$/.test(entry), `CRL entry ${JSON.stringify(entry)} is not <base64url rid, <= 24>[.<timestamp>]`);
  }
  const rid = payload.vc && payload.vc.rid;
  if (rid === undefined) return 'not revocable (no vc.rid)';
  for (const entry of crl.rids) {
    const [listed, timestamp] = String(entry).split('.');
    if (listed !== rid) continue;
    if (timestamp === undefined) {
      rule(false, `revoked: rid ${rid} is listed in the CRL (ctr ${crl.ctr})`);
      return 'revoked';
    }
    if (payload.nbf < Number(timestamp)) {
      rule(false, `revoked: rid ${rid} is listed with timestamp ${timestamp} and the card's nbf ${payload.nbf} is before it`);
      return 'revoked';
    }
  }
  return `not revoked (CRL ctr ${crl.ctr})`;
}
