// Module-loader hooks that let Node 20 load the PathCheck SDKs' ES-module sources directly, WITHOUT
// changing a byte of the libraries.
//
// Why: both SDKs publish ES-module sources (lib/main.js) inside packages that are not "type": "module",
// and their CommonJS entry (lib/index.js) runs them through the 2019 `esm` loader, which cannot parse
// modern syntax in their dependencies on Node 20 (it fails on `?.` inside @peculiar/webcrypto).
// So, for files under node_modules/@pathcheck/{shc,dcc}-sdk/lib/ only, these hooks:
//   * load them as ES modules;
//   * add the ".js" their extensionless relative imports (`./resolver`) leave out;
//   * hand them CommonJS packages through a small interop module (default export = module.exports,
//     plus one named export per property), as bundlers do, since Node cannot see `JWK` in node-jose's
//     `module.exports = { JWK: require(...) }`;
//   * give them the harness's fetch (lib/fetch-shim.mjs) for `cross-fetch`, so every request the
//     libraries make goes through the harness: served from local files, or to loopback, or refused.
import { createRequire } from 'node:module';

const SDK_LIB = /\/node_modules\/@pathcheck\/(shc|dcc)-sdk\/lib\//;
const IDENT = /^[A-Za-z_$][\w$]*$/;
const PREFIX = 'thirdparty-cjs:';

export async function resolve(specifier, context, next) {
  const parent = context.parentURL || '';
  if (SDK_LIB.test(parent) && !parent.startsWith(PREFIX)) {
    if (specifier === 'cross-fetch') {
      return { url: new URL('./fetch-shim.mjs', import.meta.url).href, shortCircuit: true };
    }
    if (specifier.startsWith('./') || specifier.startsWith('../')) {
      return next(specifier.endsWith('.js') ? specifier : `${specifier}.js`, context);
    }
    if (!specifier.startsWith('node:')) {
      return { url: `${PREFIX}${specifier}?from=${encodeURIComponent(parent)}`, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith(PREFIX)) {
    const spec = decodeURIComponent(url.slice(PREFIX.length, url.indexOf('?from=')));
    const from = decodeURIComponent(url.slice(url.indexOf('?from=') + 6));
    const exported = createRequire(from)(spec);
    const names = (exported && (typeof exported === 'object' || typeof exported === 'function'))
      ? Object.keys(exported).filter((k) => IDENT.test(k) && k !== 'default') : [];
    const source = [
      "import { createRequire } from 'node:module';",
      `const m = createRequire(${JSON.stringify(from)})(${JSON.stringify(spec)});`,
      'export default m;',
      ...names.map((n) => `export const ${n} = m[${JSON.stringify(n)}];`),
    ].join('\n');
    return { format: 'module', source, shortCircuit: true };
  }
  if (SDK_LIB.test(url)) {
    const loaded = await next(url, { ...context, format: 'module' });
    return { ...loaded, format: 'module', shortCircuit: true };
  }
  return next(url, context);
}
