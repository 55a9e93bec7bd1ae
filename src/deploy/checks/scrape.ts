/** doctor's scrape check: node_exporter's /metrics serves our series with node_textfile_scrape_error 0. */
import * as http from 'node:http';
import { fail, ok, type Check } from './check';

const MAX_BODY = 16 * 1024 * 1024;

function fetch(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection, never a pooled one: node_exporter may have restarted since the last.
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
        // node_exporter's whole /metrics is a few hundred KiB; past this it is not one.
        if (body.length > MAX_BODY) req.destroy(new Error(`answered more than ${MAX_BODY / 1024 / 1024} MiB, which no node_exporter does`));
      }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    // The whole answer within the time, not only each packet: a trickle must not hold doctor.
    const deadline = setTimeout(() => req.destroy(new Error(`no whole answer within ${timeoutMs / 1000}s`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
  });
}

export async function checkScrape(url: string, textfileName: string): Promise<Check> {
  let res: { status: number; body: string };
  try {
    res = await fetch(url, 5000);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return fail('scrape', `cannot fetch ${url}: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`, 'start node_exporter, or pass --node-exporter.url with the address it listens on');
  }
  if (res.status !== 200) return fail('scrape', `${url} answered HTTP ${res.status}`, 'check node_exporter\'s --web.listen-address and --web.telemetry-path');
  const value = (name: string): string | undefined => new RegExp(`^${name} (\\S+)$`, 'm').exec(res.body)?.[1];
  const scrapeError = value('node_textfile_scrape_error');
  if (scrapeError === undefined) return fail('scrape', `${url} has no node_textfile_scrape_error: node_exporter's textfile collector is off`, 'enable it: --collector.textfile');
  if (Number(scrapeError) !== 0) {
    return fail('scrape', `${url}: node_textfile_scrape_error ${scrapeError}: node_exporter cannot read or parse a file in its textfile directory`, 'its log names the file: journalctl -u prometheus-node-exporter | grep textfile');
  }
  const ours = res.body.split('\n').filter((l) => /^(pi_textfile_|rpi_)/.test(l)).length;
  const mtime = res.body.split('\n').some((l) => l.startsWith('node_textfile_mtime_seconds{') && l.includes(`${textfileName}"`));
  if (ours === 0 || !mtime) return fail('scrape', `${url}: node_textfile_scrape_error 0, but no pi-textfile series: node_exporter does not read ${textfileName}`, 'see the textfile check above');
  return ok('scrape', `${url}: node_textfile_scrape_error 0, ${ours} pi-textfile series`);
}

