/** doctor's node check: a Node new enough, and one with V8's startup snapshot and code cache. */
import { engines } from '../../../package.json';
import { fail, ok, type Check } from './check';

/** The oldest Node supported, from package.json's engines.node (">=18.17"). */
const MIN_NODE = engines.node.replace(/^>=/, '').split('.').map(Number) as [number, number];

export interface NodeFacts {
  version: string;
  execPath: string;
  snapshot: boolean;
  codeCache: boolean;
}

/** `packaged`: the Debian package's units are installed, so the daemon is switched on with systemctl. */
export function checkNode(node: NodeFacts, packaged = false): Check {
  const [major, minor] = node.version.replace(/^v/, '').split('.').map(Number) as [number, number];
  const what = `Node ${node.version} at ${node.execPath}`;
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    return fail('node', `${what} is older than ${MIN_NODE.join('.')}, the oldest pi-textfile supports`, `install a current LTS Node (nodejs.org, NodeSource, or your release\'s nodejs if it is ${MIN_NODE.join('.')} or newer)`);
  }
  const missing = [node.snapshot ? null : 'startup snapshot', node.codeCache ? null : 'code cache'].filter((m) => m !== null);
  if (missing.length > 0) {
    return {
      status: 'warn',
      name: 'node',
      text: `${what} was built without V8's ${missing.join(' and ')}, so each collect run costs about 3x the CPU of an official build`,
      fix:
        'install Node from nodejs.org or NodeSource, or keep one process running instead of one per 30 s ' +
        (packaged ? '(sudo systemctl disable --now pi-textfile.timer; sudo systemctl enable --now pi-textfile-daemon.service)' : '(sudo pi-textfile install --daemon)'),
    };
  }
  return ok('node', `${what}, with the startup snapshot and code cache`);
}

