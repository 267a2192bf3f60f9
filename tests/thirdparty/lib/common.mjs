// Shared plumbing for the verifier CLIs: argument and file reading, the clock, the network policy
// (local files, loopback, or nothing) and the verdict printed at the end.
import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1; // the artefact was read and failed a check
export const EXIT_USAGE = 2; // the command line or an input file is wrong

export class UsageError extends Error {}

/** Register the loader hooks once, then import the SDK's ES-module entry (see loader-hooks.mjs). */
export async function importSdk(name) {
  if (!globalThis.__thirdpartyHooks) {
    register('./loader-hooks.mjs', import.meta.url);
    globalThis.__thirdpartyHooks = true;
  }
  return import(`@pathcheck/${name}/lib/main.js`);
}

/** A value given on the command line: `@path` or an existing file's path reads the file, else the text. */
export function textArg(value, what) {
  if (value === undefined || value === '') throw new UsageError(`${what} is required`);
  const path = value.startsWith('@') ? value.slice(1) : value;
  if (value.startsWith('@') || (value.length < 4096 && !value.includes('\n') && existsSync(path))) {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new UsageError(`cannot read ${what} file ${path}: ${err.message}`);
    }
  }
  return value.trim();
}

export function jsonArg(value, what) {
  const text = textArg(value, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not JSON: ${err.message}`);
  }
}

/** --now: ISO 8601 or seconds since the epoch; default the real clock. Returns seconds. */
export function nowArg(value) {
  if (value === undefined) return Date.now() / 1000;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new UsageError(`--now ${value} is neither ISO 8601 nor epoch seconds`);
  return ms / 1000;
}

export const iso = (seconds) => new Date(seconds * 1000).toISOString();

// ---- network policy -------------------------------------------------------------------------------
// Every request (ours and the libraries', via fetch-shim.mjs) goes through harnessFetch:
//   1. a URL served from a local file (--jwks / --crl) is answered from memory;
//   2. a loopback URL (127.0.0.0/8, localhost, [::1]) is fetched for real, http or https;
//   3. anything else is refused: the harness never reaches the internet.
const routes = new Map();
export const requests = [];

export function serveJson(url, body) {
  routes.set(url, JSON.stringify(body));
}

export function isLoopback(hostname) {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export async function harnessFetch(input, options = {}) {
  const url = String(input && input.url ? input.url : input);
  if (routes.has(url)) {
    requests.push({ url, served: 'local file' });
    return new Response(routes.get(url), { status: 200, headers: { 'content-type': 'application/json' } });
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    requests.push({ url, served: 'refused (not a URL)' });
    throw new Error(`harness: not a URL: ${url}`);
  }
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && isLoopback(parsed.hostname)) {
    requests.push({ url, served: 'loopback' });
    const { method, headers, body } = options;
    return fetch(url, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  }
  requests.push({ url, served: 'refused (not loopback)' });
  throw new Error(`harness: network access refused (only local files and loopback): ${url}`);
}
globalThis.__thirdpartyHarnessFetch = harnessFetch;

export async function fetchJson(url) {
  const res = await harnessFetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

// ---- what the libraries print ----------------------------------------------------------------------
// The SDKs console.log their errors (and stack traces); stdout is kept for the verdict's JSON alone,
// so their lines are collected and shown on stderr.
export const libraryLog = [];
export function captureConsole() {
  const keep = (...args) => {
    const line = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : safeJson(a))).join(' ');
    libraryLog.push(line);
  };
  console.log = keep;
  console.info = keep;
  console.warn = keep;
  console.debug = keep;
}

function safeJson(value) {
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
  } catch {
    return String(value);
  }
}

/** Print the verdict and exit: JSON on stdout when it passed, the failures on stderr otherwise. */
export function finish(report) {
  const failed = report.errors.length > 0;
  if (libraryLog.length) process.stderr.write(`library said:\n${libraryLog.map((l) => `  ${l}`).join('\n')}\n`);
  if (report.warnings.length) process.stderr.write(report.warnings.map((w) => `WARNING: ${w}\n`).join(''));
  if (failed) {
    process.stderr.write(report.errors.map((e) => `FAIL: ${e}\n`).join(''));
    process.stdout.write(`${safeJson({ ok: false, errors: report.errors, warnings: report.warnings, requests })}\n`);
    process.exitCode = EXIT_INVALID;
  } else {
    process.stdout.write(`${JSON.stringify({ ok: true, ...report.result, warnings: report.warnings, requests }, null, 2)}\n`);
    process.exitCode = EXIT_OK;
  }
}

export async function main(run) {
  try {
    await run();
  } catch (err) {
    if (err instanceof UsageError || (err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`usage error: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`harness error: ${err && err.stack ? err.stack : err}\n`);
      process.exitCode = EXIT_INVALID;
    }
  }
}
