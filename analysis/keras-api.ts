/**
 * Import handling and canonical API paths. Every way people reach Keras (`tf.keras.layers.Dense`,
 * `from tensorflow.keras.layers import Dense`, `keras.src.layers.core.dense.Dense`, `tf_keras`)
 * becomes one dotted path (`keras.layers.Dense`), so the runtime dispatches on one spelling.
 */
import type { SyntaxNode as Node } from './syntax-tree';
import type { Scope } from './scope';
import type { Value } from './values';

const ALIASES: [RegExp, string][] = [
  [/^tensorflow(?=\.|$)/, 'tf'],
  [/^tf\.compat\.v[12]\.keras(?=\.|$)/, 'keras'],
  [/^tf\.python\.keras(?=\.|$)/, 'keras'],
  [/^tf\.keras(?=\.|$)/, 'keras'],
  [/^tf_keras(?=\.|$)/, 'keras'],
  [/^keras\._tf_keras\.keras(?=\.|$)/, 'keras'],
  [/^keras\.api(?=\.|$)/, 'keras'],
  [/^keras\.layers\.experimental\.preprocessing(?=\.|$)/, 'keras.layers'],
  [/^keras\.layers\.experimental(?=\.|$)/, 'keras.layers'],
  [/^keras\.models\.Sequential$/, 'keras.Sequential'],
  [/^keras\.models\.Model$/, 'keras.Model'],
  [/^keras\.models\.Functional$/, 'keras.Model'],
  [/^keras\.layers\.Input$/, 'keras.Input'],
  [/^keras\.models\.Input$/, 'keras.Input'],
  [/^keras\.engine\.[a-z_.]*\.?(Model|Sequential|Functional)$/, 'keras.$1'],
  [/^keras\.Functional$/, 'keras.Model'],
  [/^keras\.layers\.Layer$/, 'keras.Layer'],
  [/^keras\.engine\.[a-z_.]*\.?Layer$/, 'keras.Layer'],
  [/^numpy(?=\.|$)/, 'np'],
  [/^keras\.src\.layers\.Layer$/, 'keras.Layer'],
];

/** Keras-internal module paths (`keras.src.layers.core.dense.Dense`) collapse to the public name. */
function collapseInternal(path: string): string {
  const m = /^keras\.(?:src\.)?(layers|models|ops|losses|optimizers|regularizers|initializers|activations|callbacks|metrics|utils|datasets|backend)\.([a-z_]+\.)+([A-Za-z_][A-Za-z0-9_]*)$/.exec(path);
  if (m && m[1] === 'layers' && /^[A-Z]/.test(m[3])) return `keras.layers.${m[3]}`;
  if (m && m[1] === 'models' && /^[A-Z]/.test(m[3])) return `keras.models.${m[3]}`;
  return path.replace(/^keras\.src(?=\.)/, 'keras');
}

/** canonicalPath is pure and called on every attribute of an API value: remember its answers. */
const canonicalCache = new Map<string, string>();
const CANONICAL_CACHE_LIMIT = 10_000;

export function canonicalPath(path: string): string {
  let found = canonicalCache.get(path);
  if (found === undefined) {
    found = computeCanonicalPath(path);
    if (canonicalCache.size >= CANONICAL_CACHE_LIMIT) canonicalCache.clear();
    canonicalCache.set(path, found);
  }
  return found;
}

function computeCanonicalPath(path: string): string {
  let p = path;
  for (let round = 0; round < 3; round++) {
    const before = p;
    for (const [re, replacement] of ALIASES) p = p.replace(re, replacement);
    p = collapseInternal(p);
    if (p === before) break;
  }
  return p;
}

export function apiValue(path: string): Value {
  return { k: 'api', path: canonicalPath(path) };
}

/** Python `import` statements; `resolveLocal` loads a module of the user's own workspace. */
/** Returns false when a non-library module could not be found (Python would raise ImportError). */
export function execImport(node: Node, scope: Scope, resolveLocal: (module: string) => Map<string, Value> | undefined): boolean {
  let resolved = true;
  const local = (module: string) => {
    const found = resolveLocal(module);
    if (!found) resolved = false;
    return found;
  };
  execImportWith(node, scope, local);
  return resolved;
}

function execImportWith(node: Node, scope: Scope, resolveLocal: (module: string) => Map<string, Value> | undefined): void {
  if (node.type === 'import_statement') {
    for (const item of node.namedChildren) {
      if (!item) continue;
      if (item.type === 'aliased_import') {
        const name = item.childForFieldName('name')!.text;
        const alias = item.childForFieldName('alias')!.text;
        scope.assign(alias, moduleValue(name, resolveLocal));
      } else if (item.type === 'dotted_name') {
        const first = item.text.split('.')[0];
        scope.assign(first, moduleValue(first, resolveLocal));
      }
    }
    return;
  }
  const moduleNode = node.childForFieldName('module_name');
  if (!moduleNode) return;
  const module = moduleNode.text.replace(/^\.+/, '');
  const local = moduleNode.type === 'relative_import' || !isKnownLibrary(module) ? resolveLocal(module) : undefined;
  if (node.namedChildren.some((c) => c?.type === 'wildcard_import')) {
    if (local) for (const [name, value] of local) scope.assign(name, value);
    else scope.addWildcard(canonicalPath(module));
    return;
  }
  for (const item of node.childrenForFieldName('name')) {
    if (!item) continue;
    const name = item.type === 'aliased_import' ? item.childForFieldName('name')!.text : item.text;
    const alias = item.type === 'aliased_import' ? item.childForFieldName('alias')!.text : name;
    const value = local ? (local.get(name) ?? { k: 'unknown', why: `${module}.${name}` }) : apiValue(`${module}.${name}`);
    scope.assign(alias, value);
  }
}

function moduleValue(name: string, resolveLocal: (module: string) => Map<string, Value> | undefined): Value {
  if (!isKnownLibrary(name)) {
    const local = resolveLocal(name);
    if (local) return { k: 'pymodule', name, vars: local };
  }
  return apiValue(name);
}

const LIBRARIES = /^(tensorflow|tf_keras|keras|numpy|np|pandas|sklearn|scipy|matplotlib|os|sys|math|random|json|typing|functools|itertools|collections|dataclasses|argparse|pathlib|re|time|datetime|logging|warnings|abc|__future__)(\.|$)/;

function isKnownLibrary(module: string): boolean {
  return LIBRARIES.test(module);
}
