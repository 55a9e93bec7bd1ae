/**
 * Loading a cluster description: YAML that must be plain data, validated against
 * schemas/cluster.schema.json (compiled to a standalone validator at build time), then by the
 * checks a JSON Schema cannot express (checks.ts), then normalised (normalise.ts). Every problem
 * is reported at once, with its line, column and JSON pointer, in words a newcomer understands.
 * Pure: text in, {ok, value} | {ok: false, issues} out.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type Node } from 'yaml';
import generatedValidate from 'pi-textfile:validate-cluster';
import { checkCluster } from './checks';
import schema from '../../schemas/cluster.schema.json';
import { normalise, type Cluster } from './cluster';
import type { ClusterInput } from './input';
import { escapePointer, pointerSegments, positionOf, show, sortIssues, type Issue, type Locator } from './issues';

export type LoadResult = { ok: true; value: Cluster } | { ok: false; issues: Issue[] };

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  propertyName?: string;
  message?: string;
}

/** The standalone validator: returns validity and leaves its errors on itself, as ajv does. */
const validate = generatedValidate as unknown as ((data: unknown) => boolean) & { errors?: AjvError[] | null };

function makeLocator(doc: Document, lines: LineCounter): Locator {
  const position = (offset: number) => positionOf(lines, offset);
  return (pointer, key) => {
    if (key !== undefined) pointer = pointer.slice(0, pointer.lastIndexOf('/'));
    let node: unknown = doc.contents;
    let last = node;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment)?.value;
      else if (isSeq(node)) node = node.items[Number(segment)];
      else node = undefined;
      if (node === undefined || node === null) break;
      last = node;
    }
    if (key !== undefined && isMap(last)) {
      const pair = last.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return position(range[0]);
    }
    const range = (last as Node | undefined)?.range;
    return range ? position(range[0]) : { line: 1, column: 1 };
  };
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const s of pointerSegments(pointer)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string (text)',
  object: 'a mapping (key: value lines)',
  array: 'a list (lines starting with "- ")',
  integer: 'a whole number',
  number: 'a number',
};
/** Turns one ajv error into an Issue, or null for errors that repeat another one. */
function describe(e: AjvError, data: unknown, locate: Locator): Issue | null {
  const value = valueAt(data, e.instancePath);
  const at = (pointer: string, message: string, key?: string): Issue => ({ ...locate(pointer, key), pointer, message });
  const def = /#\/definitions\/(\w+)\//.exec(e.schemaPath)?.[1];
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return null;
    case 'required':
      return at(e.instancePath, `missing required key "${String(e.params.missingProperty)}"`);
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      return at(`${e.instancePath}/${escapePointer(key)}`, unknownKeyMessage(key, keysAt(e.instancePath)), key);
    }
    case 'type':
      return at(e.instancePath, `${show(value)} must be ${TYPE_WORDS[String(e.params.type)] ?? String(e.params.type)}`);
    case 'pattern': {
      if (e.propertyName !== undefined) {
        const key = e.propertyName;
        return at(`${e.instancePath}/${escapePointer(key)}`, `"${key}" is not a valid label name: use letters, digits and _, not starting with a digit`, key);
      }
      if (def === 'duration' || /scrape_|_interval|stale_after/.test(e.instancePath)) {
        return at(e.instancePath, `${show(value)} is not a Prometheus duration: use whole numbers with units y, w, d, h, m, s, ms, largest first, like 30s or 1m30s`);
      }
      if (def === 'address') {
        const port = typeof value === 'string' && !value.includes('/') ? /^(?:\[[^\]]*\]|[^:[\]]+):(.*)$/.exec(value)?.[1] : undefined;
        if (port !== undefined && !/^\d+$/.test(port)) return at(e.instancePath, `${show(value)}: the port ${JSON.stringify(port)} is not a number; write host or host:port`);
        return at(e.instancePath, `${show(value)} is not an address: write host or host:port, without http:// or a path`);
      }
      if (def === 'remoteWrite') return at(e.instancePath, `${show(value)} must be an http:// or https:// URL`);
      if (e.instancePath.endsWith('/textfile_directory')) {
        return at(e.instancePath, `${show(value)} must be an absolute path without spaces, quotes, $, \` or backslashes (it goes into node_exporter's ARGS line)`);
      }
      return at(e.instancePath, `${show(value)} has the wrong form`);
    }
    case 'minimum':
    case 'maximum':
      if (def === 'port') return at(e.instancePath, `${show(value)} is outside 1-65535`);
      return at(e.instancePath, `${show(value)} is ${e.keyword === 'minimum' ? 'below' : 'above'} ${String(e.params.limit)}`);
    case 'minItems':
      return at(e.instancePath, e.instancePath === '/nodes' ? 'needs at least one node' : 'must not be empty');
    case 'minLength':
      return at(e.instancePath, 'must not be empty');
    case 'maxLength':
      return at(e.instancePath, `is longer than ${String(e.params.limit)} characters`);
    default:
      return at(e.instancePath, e.message ?? `fails the ${e.keyword} check`);
  }
}
/** PURE: parses and checks a cluster description. */
export function loadCluster(text: string): LoadResult {
  try {
    return loadClusterText(text);
  } catch (err) {
    // Thousands of nested levels exhaust the parser's stack; no cluster description is like that.
    if (err instanceof RangeError) return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'nested too deeply to read (a cluster description is a few levels deep)' }] };
    throw err;
  }
}

function loadClusterText(text: string): LoadResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const docList = Array.isArray(docs) ? docs : [];
  const pos = (offset: number) => positionOf(lines, offset);
  if (docList.length === 0) return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'the file is empty; it needs at least "cluster" and "nodes"' }] };
  const issues: Issue[] = [];
  if (docList.length > 1) {
    const second = docList[1]!;
    issues.push({ ...pos(second.range[0]), pointer: '', message: 'the file holds more than one YAML document (---); put the whole description in one' });
  }
  const doc = docList[0]!;
  for (const err of doc.errors) {
    // An unclosed [ or {: the parser notices only where it gives up (often the end of the file);
    // point at the bracket that was opened, where a person would look.
    const unclosed = /end with a ([\]}])/.exec(err.message);
    const opener = unclosed === null ? null : unclosedOpener(text, err.pos[0], unclosed[1] === ']' ? '[' : '{');
    if (unclosed !== null && opener !== null) {
      const kind = unclosed[1] === ']' ? 'list' : 'mapping';
      issues.push({ ...pos(opener), pointer: '', message: `this ${unclosed[1] === ']' ? '[' : '{'} opens a ${kind} that is never closed with ${unclosed[1]}` });
      continue;
    }
    const message =
      err.code === 'DUPLICATE_KEY'
        ? `${duplicateKey(text, err.pos[0])}appears twice in the same mapping; keep one`
        : /Maximum call stack size exceeded/.test(err.message)
          ? 'nested too deeply to read (a cluster description is a few levels deep)'
        : `invalid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '')}${ipv6Hint(text, err.pos[0])}`;
    issues.push({ ...pos(err.pos[0]), pointer: '', message });
  }
  visit(doc, {
    Node(_key, node) {
      if (node.tag !== undefined && node.range) {
        issues.push({ ...pos(node.range[0]), pointer: '', message: `YAML tags such as ${node.tag.startsWith('tag:yaml.org,2002:') ? `!!${node.tag.slice(18)}` : node.tag} are not allowed; write plain values` });
      }
    },
    Pair(_key, pair) {
      if (isPair(pair) && !isScalar(pair.key) && pair.key !== null) {
        const range = (pair.key as Node).range;
        issues.push({ ...(range ? pos(range[0]) : { line: 1, column: 1 }), pointer: '', message: 'mapping keys must be plain text' });
      }
    },
  });
  if (issues.length > 0) return { ok: false, issues: sortIssues(issues) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: `the aliases (*name) expand to too much data (${(err as Error).message.split('\n')[0]}); write the values out` }] };
  }
  if (data === null || data === undefined) {
    return { ok: false, issues: [{ line: 1, column: 1, pointer: '', message: 'the file is empty; it needs at least "cluster" and "nodes"' }] };
  }
  const locate = makeLocator(doc, lines);
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // A misspelt key is the cause; the required key it was meant to be, "missing", is only its
    // consequence: the "did you mean" line says both.
    const meant = new Set<string>();
    for (const e of errors) {
      if (e.keyword !== 'additionalProperties') continue;
      const near = nearestKey(String(e.params.additionalProperty), keysAt(e.instancePath));
      if (near !== undefined) meant.add(`${e.instancePath} ${near}`);
    }
    for (const e of errors) {
      if (e.keyword === 'required' && meant.has(`${e.instancePath} ${String(e.params.missingProperty)}`)) continue;
      const issue = describe(e, data, locate);
      if (issue) issues.push(issue);
    }
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) issues.push(...checkCluster(data as Record<string, unknown>, locate));
  // One problem reported twice (schema and semantic check on the same spot) is shown once.
  const unique = [...new Map(issues.map((i) => [`${i.line}:${i.column}:${i.pointer}:${i.message}`, i])).values()];
  if (unique.length > 0) return { ok: false, issues: sortIssues(unique) };
  return { ok: true, value: normalise(data as ClusterInput) };
}

/**
 * PURE: the offset of the innermost `open` bracket still unclosed at `end`, scanning YAML text
 * outside quoted scalars and comments; null if there is none.
 */
function unclosedOpener(text: string, end: number, open: '[' | '{'): number | null {
  const stack: Array<[string, number]> = [];
  let quote: string | null = null;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = null;
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) {
      quote = c; // only at the start of a scalar: o'brien.local is plain text
    } else if (c === '[' || c === '{') {
      stack.push([c, i]);
    } else if (c === ']' || c === '}') {
      stack.pop();
    }
  }
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]![0] === open) return stack[k]![1];
  return null;
}

type SchemaNode = { $ref?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode; else?: SchemaNode; oneOf?: SchemaNode[] };

/** A schema node with its $ref followed and, where it may be a mapping or something else, the mapping's branch. */
function mappingOf(node: SchemaNode | undefined): SchemaNode | undefined {
  for (let i = 0; i < 8 && node !== undefined; i++) {
    if (node.$ref !== undefined) node = (schema as { definitions: Record<string, SchemaNode> }).definitions[node.$ref.replace('#/definitions/', '')];
    else if (node.else !== undefined) node = node.else;
    else if (node.oneOf !== undefined) node = node.oneOf.find((o) => o.properties !== undefined || o.$ref !== undefined);
    else return node;
  }
  return node;
}

/** The keys the schema allows in the mapping at `instancePath` (ajv's schema paths are relative to a $ref). */
function keysAt(instancePath: string): string[] {
  let node = mappingOf(schema as SchemaNode);
  for (const segment of pointerSegments(instancePath)) {
    node = mappingOf(/^\d+$/.test(segment) && node?.items !== undefined ? node.items : node?.properties?.[segment]);
  }
  return Object.keys(node?.properties ?? {});
}

/** Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: optimal string alignment. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * PURE: what to say of a key the schema does not know where it stands. A secret written inline
 * (password where password_file belongs) is told the rule; a key within two edits of a known one
 * (or the same but for - or case) gets "did you mean"; anything else, spelling and indentation.
 */
function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.includes(`${key}_file`)) {
    return `unknown key "${key}": secrets are file references here, never written into the description; put it in a file only the service can read and give its path as ${key}_file`;
  }
  const near = nearestKey(key, known);
  if (near !== undefined) return `unknown key "${key}"; did you mean "${near}"?`;
  return `unknown key "${key}"; check its spelling and indentation`;
}

/** PURE: the known key within two edits of `key` (- and case folded), nearest first; among equals, one that starts alike (node: nodes, not mode). */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  const folded = key.toLowerCase().replace(/-/g, '_');
  return known
    .map((k) => ({ k, d: editDistance(folded, k) }))
    .filter(({ k, d }) => d <= Math.min(2, Math.floor(k.length / 3)))
    .sort((x, y) => x.d - y.d || Number(y.k[0] === folded[0]) - Number(x.k[0] === folded[0]) || (x.k < y.k ? -1 : 1))[0]?.k;
}

/** The key a duplicate-key error points at, quoted and followed by a space; "this key " if none can be read there. */
function duplicateKey(text: string, offset: number): string {
  const key = /^[^:\n]+?(?=\s*:)/.exec(text.slice(offset, offset + 200))?.[0].trim();
  return key === undefined || key === '' ? 'this key ' : `${JSON.stringify(key.replace(/^["']|["']$/g, ''))} `;
}

/** A hint when the YAML that failed holds an IPv6 address in brackets that was not quoted. */
function ipv6Hint(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset) + 1;
  const end = text.indexOf('\n', offset);
  const line = text.slice(start, end < 0 ? undefined : end);
  const address = /\[[0-9A-Fa-f:.]+\](?::\d+)?/.exec(line)?.[0];
  return address !== undefined && !line.includes(`"${address}"`) && !line.includes(`'${address}'`)
    ? `; an IPv6 address in brackets must be quoted in YAML: "${address}"`
    : '';
}
