#!/usr/bin/env node
// Verify an EU Digital COVID Certificate QR (`HC1:` + Base45(zlib(COSE_Sign1(CWT)))) with code this
// project did not write:
//   * @pathcheck/dcc-sdk (PathCheck Foundation): prefix, Base45, zlib, COSE_Sign1 and its signature,
//     with the document signer certificate (DSC) given offline, registered under the kid the spec derives
//     from it (the first 8 bytes of SHA-256 of its DER), so a COSE kid naming another key finds nothing;
//   * a second, independent decode: `base45` and `cbor` from npm, Node's zlib, and the COSE Sig_structure
//     checked with Node's crypto (RFC 8152 section 4.4);
//   * the rules around it (see README.md): the HC1: prefix, zlib compression, the kid, CWT claims 1/4/6
//     and -260/1, the validation clock against iat/exp and the DSC's validity, the DSC's extended key
//     usage against the certificate type, and, with --schema/--valuesets, the EU DCC JSON schema and
//     the value sets; the UVCI and its Luhn mod N checksum are reported (--uvci-checksum requires one).
//
// Usage:
//   node verify-dcc.mjs --qr <HC1:... | file> --dsc <PEM | base64 DER | file> [--now <ISO|epoch s>]
//                       [--schema <DCC.combined-schema.json>] [--valuesets <dir>] [--strict] [--uvci-checksum]
// --strict also requires ES256 and alg/kid in the protected header (what our exports produce).
// Exit 0 and the decoded certificate as JSON on stdout when every check passes; 1 with FAIL lines on
// stderr when one does not; 2 for a usage error.
import { createHash, createPublicKey, verify as cryptoVerify, constants, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import base45 from 'base45';
import cbor from 'cbor';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  UsageError, captureConsole, finish, importSdk, iso, jsonArg, main, nowArg, textArg,
} from './lib/common.mjs';

const ALG = { [-7]: 'ES256', [-37]: 'PS256' };
const KEY_USAGE = { // DSC extended key usage -> certificate type (both arcs are met in the wild)
  '1.3.6.1.4.1.1847.2021.1.1': 't', '1.3.6.1.4.1.0.1847.2021.1.1': 't',
  '1.3.6.1.4.1.1847.2021.1.2': 'v', '1.3.6.1.4.1.0.1847.2021.1.2': 'v',
  '1.3.6.1.4.1.1847.2021.1.3': 'r', '1.3.6.1.4.1.0.1847.2021.1.3': 'r',
};
const LUHN_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:';
const VALUE_SETS = { tg: 'disease-agent-targeted', vp: 'vaccine-prophylaxis', mp: 'vaccine-medicinal-product', ma: 'vaccine-mah-manf' };

await main(async () => {
  const { values } = parseArgs({
    options: {
      qr: { type: 'string' },
      dsc: { type: 'string' },
      now: { type: 'string' },
      schema: { type: 'string' },
      valuesets: { type: 'string' },
      strict: { type: 'boolean', default: false },
      'uvci-checksum': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const qr = textArg(values.qr, '--qr');
  const dscDer = derOf(textArg(values.dsc, '--dsc'));
  const now = nowArg(values.now);
  const schema = values.schema ? jsonArg(values.schema, '--schema') : undefined;
  const valueSets = values.valuesets ? loadValueSets(values.valuesets) : undefined;
  let dsc;
  try {
    dsc = new X509Certificate(dscDer);
  } catch (err) {
    throw new UsageError(`--dsc is not an X.509 certificate: ${err.message}`);
  }
  const dscKid = createHash('sha256').update(dscDer).digest().subarray(0, 8);
  captureConsole();
  const dcc = await importSdk('dcc-sdk');

  const errors = [];
  const warnings = [];
  const rule = (ok, message) => { if (!ok) errors.push(message); return ok; };

  // ---- the library: HC1 -> Base45 -> zlib -> COSE_Sign1, signature with the DSC under its kid -------
  dcc.addCachedCerts({ [dscKid.toString('base64')]: dscDer.toString('base64') });
  const lib = await dcc.unpackAndVerify(qr);
  rule(lib.status === 'verified', `@pathcheck/dcc-sdk: ${lib.status}${lib.status === 'issuer_not_trusted' ? ' (the COSE kid is not the given DSC\'s)' : ''}`);

  // ---- an independent decode ------------------------------------------------------------------------
  if (!rule(qr.startsWith('HC1:'), 'the QR text SHALL start with the context identifier "HC1:"')) return finish({ errors, warnings });
  let compressed;
  try {
    compressed = Buffer.from(base45.decode(qr.slice(4)));
  } catch (err) {
    errors.push(`not Base45: ${err.message}`);
    return finish({ errors, warnings });
  }
  let coseBytes;
  try {
    rule(compressed[0] === 0x78, 'the COSE message SHALL be zlib-compressed (no zlib header found)');
    coseBytes = inflateSync(compressed);
  } catch (err) {
    errors.push(`zlib: ${err.message}`);
    return finish({ errors, warnings });
  }
  let cose;
  try {
    cose = cbor.decodeFirstSync(coseBytes);
  } catch (err) {
    errors.push(`COSE is not CBOR: ${err.message}`);
    return finish({ errors, warnings });
  }
  const tags = [];
  while (cose instanceof cbor.Tagged) {
    tags.push(cose.tag);
    cose = cose.value;
  }
  rule(tags.length === 0 || tags[tags.length - 1] === 18, `COSE tag ${tags.join('/')} is not COSE_Sign1 (18)`);
  if (!tags.includes(18)) warnings.push('COSE_Sign1 is not tagged 18');
  if (!rule(Array.isArray(cose) && cose.length === 4 && Buffer.isBuffer(cose[0]) && Buffer.isBuffer(cose[2]) && Buffer.isBuffer(cose[3]),
    'not a COSE_Sign1 array [protected bstr, unprotected map, payload bstr, signature bstr]')) return finish({ errors, warnings });
  const [protectedBytes, unprotectedRaw, payloadBytes, signature] = cose;
  const protectedHeader = protectedBytes.length ? cbor.decodeFirstSync(protectedBytes) : new Map();
  const unprotectedHeader = unprotectedRaw instanceof Map ? unprotectedRaw : new Map(Object.entries(unprotectedRaw || {}));
  const alg = protectedHeader.get(1) ?? unprotectedHeader.get(1);
  const kid = protectedHeader.get(4) ?? unprotectedHeader.get(4);
  if (!rule(ALG[alg] !== undefined, `COSE alg ${alg} is neither ES256 (-7) nor PS256 (-37)`)) return finish({ errors, warnings });
  if (values.strict) {
    rule(ALG[alg] === 'ES256', `--strict: alg SHALL be ES256, is ${ALG[alg]}`);
    rule(protectedHeader.has(1) && protectedHeader.has(4), '--strict: alg and kid SHALL be in the protected header');
  }
  if (!rule(Buffer.isBuffer(kid), 'no kid in the COSE headers')) return finish({ errors, warnings });
  rule(kid.equals(dscKid), `kid ${kid.toString('base64')} is not the DSC's (first 8 bytes of SHA-256 of its DER: ${dscKid.toString('base64')})`);

  // Sig_structure = ["Signature1", body_protected, external_aad = h'', payload] (RFC 8152 section 4.4)
  const toBeSigned = cbor.encode(['Signature1', protectedBytes, Buffer.alloc(0), payloadBytes]);
  const key = createPublicKey(dsc.publicKey.export({ format: 'pem', type: 'spki' }));
  if (ALG[alg] === 'ES256') {
    const curve = key.asymmetricKeyDetails && key.asymmetricKeyDetails.namedCurve;
    rule(curve === 'prime256v1', `ES256 is ECDSA on P-256, but the DSC's key is ${curve || key.asymmetricKeyType}`);
    rule(signature.length === 64, `an ES256 signature is 64 bytes (r || s), this one is ${signature.length}`);
  }
  const sigOk = ALG[alg] === 'ES256'
    ? cryptoVerify('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : cryptoVerify('sha256', toBeSigned, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  rule(sigOk, `node:crypto: the ${ALG[alg]} signature over the COSE Sig_structure does not verify with the DSC`);

  // ---- CWT claims -------------------------------------------------------------------------------------
  let claims;
  try {
    claims = cbor.decodeFirstSync(payloadBytes);
  } catch (err) {
    errors.push(`CWT payload is not CBOR: ${err.message}`);
    return finish({ errors, warnings });
  }
  if (!rule(claims instanceof Map, 'the CWT payload SHALL be a CBOR map')) return finish({ errors, warnings });
  const hcert = claims.get(-260);
  const cert = hcert instanceof Map ? hcert.get(1) : undefined;
  if (!rule(cert && typeof cert === 'object', 'no eu_DCC_v1 payload at claim -260 / 1')) return finish({ errors, warnings });
  const issuer = claims.get(1);
  const exp = claims.get(4);
  const iat = claims.get(6);
  rule(typeof issuer === 'string' && /^[A-Z]{2}$/.test(issuer), `CWT iss (1) ${JSON.stringify(issuer)} SHALL be the issuing country, ISO 3166-1 alpha-2`);
  for (const [name, value] of [['iat (6)', iat], ['exp (4)', exp]]) {
    if (rule(typeof value === 'number', `CWT ${name} SHALL be a NumericDate`) && !Number.isInteger(value)) {
      warnings.push(`CWT ${name} is the non-integer ${value}`);
    }
  }
  if (typeof iat === 'number') rule(iat <= now, `validation clock ${iso(now)} is before the certificate's iat ${iso(iat)}`);
  if (typeof exp === 'number') rule(exp >= now, `certificate expired at ${iso(exp)} (validation clock ${iso(now)})`);
  const validFrom = Date.parse(dsc.validFrom) / 1000;
  const validTo = Date.parse(dsc.validTo) / 1000;
  rule(validFrom <= now && now <= validTo, `the DSC is not valid at ${iso(now)} (${dsc.validFrom} - ${dsc.validTo})`);
  if (typeof iat === 'number') rule(validFrom <= iat && iat <= validTo, `iat ${iso(iat)} is outside the DSC's validity`);
  const json = plain(cert);
  if (lib.contents) {
    const libCert = plain(lib.contents instanceof Map && lib.contents.get(-260) ? lib.contents.get(-260).get(1) : undefined);
    rule(JSON.stringify(libCert) === JSON.stringify(json), 'the library decoded a different certificate');
  }

  // ---- the certificate: type vs the DSC's key usage, schema, value sets, UVCI ----------------------
  const groups = ['v', 't', 'r'].filter((g) => json[g] !== undefined);
  rule(groups.length === 1, `exactly one of v, t, r SHALL be present (found ${groups.join(',') || 'none'})`);
  const type = groups[0];
  const usages = Array.isArray(dsc.keyUsage) ? dsc.keyUsage.filter((oid) => KEY_USAGE[oid]) : [];
  if (usages.length && type) {
    rule(usages.some((oid) => KEY_USAGE[oid] === type), `the DSC's extended key usage (${usages.join(', ')}) does not allow "${type}" certificates`);
  }
  if (schema) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    if (!validate(json)) {
      for (const e of validate.errors) errors.push(`schema ${schema.$comment || ''}: ${e.instancePath || '/'} ${e.message}`.replace(/\s+/g, ' '));
    }
  }
  const entry = type ? (json[type] || [])[0] || {} : {};
  if (valueSets && type === 'v') {
    for (const [field, set] of Object.entries(VALUE_SETS)) {
      rule(Object.hasOwn(valueSets[set], entry[field]), `v[0].${field} ${JSON.stringify(entry[field])} is not in the value set ${set}`);
    }
  }
  const uvci = uvciOf(entry.ci);
  if (values['uvci-checksum']) rule(uvci.checksum === 'valid', `UVCI ${entry.ci}: checksum ${uvci.checksum}`);

  finish({
    errors,
    warnings,
    result: {
      library: { name: '@pathcheck/dcc-sdk', status: lib.status },
      prefix: 'HC1:',
      cose: { tags, alg: ALG[alg], kid: kid.toString('base64'), kidInProtectedHeader: protectedHeader.has(4) },
      claims: { iss: issuer, iat, exp, iatIso: typeof iat === 'number' ? iso(iat) : null, expIso: typeof exp === 'number' ? iso(exp) : null },
      dsc: { subject: dsc.subject, validFrom: dsc.validFrom, validTo: dsc.validTo, extendedKeyUsage: dsc.keyUsage || [] },
      uvci,
      dcc: json,
    },
  });
});

function derOf(text) {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  const b64 = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new UsageError('--dsc is neither PEM nor base64 DER');
  return Buffer.from(b64, 'base64');
}

function loadValueSets(dir) {
  const sets = {};
  for (const name of Object.values(VALUE_SETS)) {
    try {
      sets[name] = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')).valueSetValues;
    } catch (err) {
      throw new UsageError(`--valuesets ${dir}: cannot read ${name}.json: ${err.message}`);
    }
  }
  return sets;
}

/** CBOR maps and tags to plain JSON (the DCC payload is JSON-compatible). */
function plain(value) {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof cbor.Tagged) return plain(value.value);
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z'); // tag 0/1 date-times
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** UVCI: [URN:UVCI:]01:<country>:<...>[#<Luhn mod N check character over everything before '#'>]. */
function uvciOf(ci) {
  if (typeof ci !== 'string') return { value: ci, format: 'missing', checksum: 'absent' };
  const [body, check, ...rest] = ci.split('#');
  const format = /^(URN:UVCI:)?\d\d:[A-Z]{2,}:[A-Z0-9/:]+$/.test(body) ? 'UVCI' : 'not UVCI';
  let checksum = 'absent';
  if (check !== undefined) {
    checksum = rest.length === 0 && check.length === 1 && [...body].every((c) => LUHN_CHARSET.includes(c))
      && luhnModN(body) === check ? 'valid' : 'invalid';
  }
  return { value: ci, format, checksum };
}

function luhnModN(text) {
  const n = LUHN_CHARSET.length;
  let factor = 2;
  let sum = 0;
  for (let i = text.length - 1; i >= 0; i -= 1) {
    let addend = factor * LUHN_CHARSET.indexOf(text[i]);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return LUHN_CHARSET[(n - (sum % n)) % n];
}
