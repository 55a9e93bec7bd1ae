// The TypeScript types of a cluster description, derived from its JSON Schema
// (schemas/cluster.schema.json), so that the schema is the one description of that shape: the
// loader's normaliser is type-checked against what the schema lets through.
//
//   node scripts/schema-types.mjs           writes src/gen-config/input.ts
//   node scripts/schema-types.mjs --check   exits 1 when that file is not what the schema gives
//
// It reads the subset of JSON Schema the file uses: type, enum, const, properties, required,
// additionalProperties, items, oneOf, if/then/else (the union of then and else), $ref into
// definitions, description; the rest (patterns, bounds, lengths, propertyNames) constrains values,
// not shapes. Only the definitions the description's type names are written.
import { readFileSync, writeFileSync } from 'node:fs';

const SCHEMA = 'schemas/cluster.schema.json';
const OUT = 'src/gen-config/input.ts';

const typeName = (def) => def.charAt(0).toUpperCase() + def.slice(1) + 'Input';
const quote = (key) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key));
const doc = (text, indent) => (text === undefined ? '' : `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n`);

/** The definitions a rendered type names, so that only those are written. */
const referenced = new Set();

function typeOf(s, indent) {
  if (s.$ref !== undefined) {
    const m = /^#\/definitions\/(\w+)$/.exec(s.$ref);
    if (m === null) throw new Error(`unsupported $ref ${s.$ref}`);
    referenced.add(m[1]);
    return typeName(m[1]);
  }
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum !== undefined) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.oneOf !== undefined) return s.oneOf.map((o) => typeOf(o, indent)).join(' | ');
  if (s.if !== undefined) return `${typeOf(s.then, indent)} | ${typeOf(s.else, indent)}`;
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${typeOf(s.items, indent)}>`;
    case 'object': {
      if (s.properties === undefined) {
        const value = typeof s.additionalProperties === 'object' ? typeOf(s.additionalProperties, indent) : 'unknown';
        return `Record<string, ${value}>`;
      }
      if (s.additionalProperties !== false) throw new Error('an object with properties must have additionalProperties: false');
      const required = new Set(s.required ?? []);
      const inner = `${indent}  `;
      const lines = Object.entries(s.properties).map(
        ([key, p]) => `${doc(p.description, inner)}${inner}readonly ${quote(key)}${required.has(key) ? '' : '?'}: ${typeOf(p, inner)};\n`,
      );
      return `{\n${lines.join('')}${indent}}`;
    }
    default:
      throw new Error(`unsupported schema ${JSON.stringify(s).slice(0, 80)}`);
  }
}

export function renderSchemaTypes(schema) {
  const head =
    '// Generated from schemas/cluster.schema.json by scripts/schema-types.mjs (npm run golden:update);\n' +
    '// do not edit: change the schema, and the types follow.\n';
  const root = `${doc(schema.description, '')}export type ClusterInput = ${typeOf(schema, '')};\n`;
  // The definitions the description's type names, and those they name in turn, in the schema's order.
  const written = new Map();
  while ([...referenced].some((name) => !written.has(name))) {
    for (const name of [...referenced].filter((n) => !written.has(n))) {
      const def = schema.definitions[name];
      written.set(name, `${doc(def.description, '')}export type ${typeName(name)} = ${typeOf(def, '')};\n`);
    }
  }
  const defs = Object.keys(schema.definitions).filter((name) => written.has(name)).map((name) => written.get(name));
  return [head, ...defs, root].join('\n');
}

const text = renderSchemaTypes(JSON.parse(readFileSync(SCHEMA, 'utf8')));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    process.stderr.write(`${OUT} is not what ${SCHEMA} gives: run npm run golden:update\n`);
    process.exit(1);
  }
} else {
  writeFileSync(OUT, text);
}
