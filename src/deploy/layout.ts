/** Where install puts things, and the names it uses: shared by install, uninstall and doctor. */
import * as path from 'node:path';

export const UNIT_DIR = '/etc/systemd/system';
/** Where the Debian package puts them. */
export const PACKAGE_UNIT_DIR = '/lib/systemd/system';
export { RUNTIME_DIRECTORY, RUNTIME_FILE, TEXTFILE_NAME } from '../framework/textfile';
export const SERVICE = 'pi-textfile.service';
export const TIMER = 'pi-textfile.timer';
export const DAEMON = 'pi-textfile-daemon.service';
/** The system user the units run as, declared for systemd-sysusers (systemd/pi-textfile.sysusers). */
export const SERVICE_USER = 'pi-textfile';
export const SYSUSERS_TEMPLATE = 'pi-textfile.sysusers';
export const SYSUSERS_FILE = '/etc/sysusers.d/pi-textfile.conf';
/** The shipped units start the binary that `npm install -g` puts here on Raspberry Pi OS. */
export const TEMPLATE_BINARY = '/usr/local/bin/pi-textfile';
export const TEMPLATE_README = 'file:/usr/local/lib/node_modules/pi-textfile/README.md';
/** Recorded in the installed service, so uninstall removes exactly the link install made. */
export const LINK_RECORD = '# pi-textfile install linked: ';
/** A series every pi-textfile file has: how a file in the way is recognised as an older one of ours. */
export const OUR_SERIES = 'pi_textfile_collector_success';
/** The service cannot see these: ProtectHome=yes, PrivateTmp=yes. */
export const HIDDEN_FROM_SERVICE = ['/home', '/root', '/run/user', '/tmp', '/var/tmp'];


/** `p` below `root` (install --root); `p` itself for the running system. */
export function under(root: string, p: string): string {
  return root === '/' ? p : path.join(root, p);
}
