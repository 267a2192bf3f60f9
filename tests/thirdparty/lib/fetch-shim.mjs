// Stands in for `cross-fetch` inside the PathCheck SDKs (see loader-hooks.mjs): every request goes
// through the harness's fetch (common.mjs), which serves local files, reaches loopback, or refuses.
export default function fetch(url, options) {
  return globalThis.__thirdpartyHarnessFetch(url, options);
}
export { fetch };
