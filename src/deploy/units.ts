/** The systemd units install writes: the shipped ones, made to start this Node and this bundle. */
import * as path from 'node:path';
import UNITS from 'pi-textfile:units';
import { LINK_RECORD, SERVICE, SYSUSERS_TEMPLATE, TEMPLATE_BINARY, TEMPLATE_README } from './layout';
import { systemdQuote } from '../lib/systemd-quote';

/** PURE: the sysusers.d file that declares the units' system user. */
export function sysusersConfig(): string {
  const text = UNITS[SYSUSERS_TEMPLATE];
  if (text === undefined) throw new Error(`no ${SYSUSERS_TEMPLATE}`);
  return text;
}

/**
 * PURE: a shipped unit, made to start this Node and this bundle, pointing at this README, and
 * (for the service) recording the link made into node_exporter's directory.
 */
export function renderUnit(name: string, nodePath: string, bundlePath: string, link: string | null): string {
  const template = UNITS[name];
  if (template === undefined) throw new Error(`no unit template ${name}`);
  const readme = path.join(path.dirname(path.dirname(bundlePath)), 'README.md');
  // `ExecStart=BINARY ARGS`, or `ExecStart=/usr/bin/env node NODE-FLAGS BINARY ARGS` (the
  // long-running unit's V8 settings): this Node, the flags if any, this bundle.
  let text = template
    .replace(
      new RegExp(`^ExecStart=(?:/usr/bin/env node((?: --[a-z0-9-]+(?:=[0-9]+)?)+) )?${TEMPLATE_BINARY} `, 'gm'),
      (_m, flags: string | undefined) => `ExecStart=${systemdQuote(nodePath)}${flags ?? ''} ${systemdQuote(bundlePath)} `,
    )
    .split(`Documentation=${TEMPLATE_README}`)
    .join(`Documentation=file:${readme.replace(/%/g, '%%').replace(/ /g, '%20')}`);
  if (name === SERVICE && link !== null) text = text.replace('\n[Unit]', `\n${LINK_RECORD}${link}\n\n[Unit]`);
  return text;
}

