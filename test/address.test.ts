// host:port as the stack writes it, parsed in one place (src/lib/address.ts).
import assert from 'node:assert/strict';
import { portOf, splitHostPort, withDefaultPort } from '../src/lib/address';
import { table } from './helpers';

table<{ source: string; address: string; host: string; port?: number }>('splitHostPort', [
  { source: 'a name and a port', address: 'pi-1.local:9100', host: 'pi-1.local', port: 9100 },
  { source: 'a name alone', address: 'pi-1.local', host: 'pi-1.local' },
  { source: 'IPv6 in brackets with a port', address: '[fe80::1]:9100', host: '[fe80::1]', port: 9100 },
  { source: 'IPv6 in brackets alone', address: '[fe80::1]', host: '[fe80::1]' },
  { source: "every interface, as node_exporter's --web.listen-address takes it", address: ':9100', host: '', port: 9100 },
  { source: 'IPv4 and a port', address: '127.0.0.1:9090', host: '127.0.0.1', port: 9090 },
  { source: 'IPv6 without brackets: not host:port, kept whole', address: 'fe80::1', host: 'fe80::1' },
  { source: 'a port that is not a number: kept whole', address: 'pi-b.local:9l00', host: 'pi-b.local:9l00' },
  { source: 'an empty port: kept whole', address: 'pi-1:', host: 'pi-1:' },
], (row) => assert.deepEqual(splitHostPort(row.address), row.port === undefined ? { host: row.host } : { host: row.host, port: row.port }));

table<{ source: string; address: string; port: number; want: string }>('withDefaultPort', [
  { source: 'no port: the default added', address: 'pi-1.local', port: 9100, want: 'pi-1.local:9100' },
  { source: 'a port: kept', address: 'pi-1.local:9200', port: 9100, want: 'pi-1.local:9200' },
  { source: 'IPv6 without a port', address: '[::1]', port: 9093, want: '[::1]:9093' },
], (row) => assert.equal(withDefaultPort(row.address, row.port), row.want));

table<{ source: string; address: string; port?: number }>('portOf', [
  { source: 'with a port', address: '[::1]:9093', port: 9093 },
  { source: 'without one: an internal error, never NaN', address: 'pi-1' },
], (row) => (row.port === undefined ? assert.throws(() => portOf(row.address), /has no port/) : assert.equal(portOf(row.address), row.port)));
