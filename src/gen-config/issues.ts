/** Problems of a description: where each is (line, column, JSON pointer), and how it is shown. */
import type { LineCounter } from 'yaml';

export interface Issue {
  line: number;
  column: number;
  pointer: string;
  message: string;
}

/** Where a JSON pointer (and, with `key`, that key of the mapping there) is in the text. */
export type Locator = (pointer: string, key?: string) => { line: number; column: number };

/** Adds a problem at a pointer (at its key, with `key`). */
export type Report = (pointer: string, message: string, key?: string) => void;

export function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function positionOf(lines: LineCounter, offset: number): { line: number; column: number } {
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}
/** A value as a message shows it: JSON, cut at 60 characters so a huge value stays one readable line. */
export function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function sortIssues(issues: Issue[]): Issue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column || (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
}

/** Control characters, line breaks and terminal escapes from the description, shown escaped. */
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;
const printable = (s: string): string => s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** One problem, one line: `FILE:LINE:COLUMN: /pointer: message`, whatever the description holds. */
export function formatIssue(file: string, issue: Issue): string {
  return printable(`${file}:${issue.line}:${issue.column}: ${issue.pointer || '/'}: ${issue.message}`);
}
