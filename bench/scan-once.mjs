// Child process for bench/run.mjs: scans one target twice (cold, then warm in the same
// process) and prints timings and peak RSS as JSON.
import { scan } from '../dist/index.js';

const [target, cacheDir, only, scannerList] = process.argv.slice(2);
const extractors = only && only !== '-' ? only.split(',') : undefined;
const scanners = scannerList ? scannerList.split(',') : undefined;
const times = [];
let findings = 0;
for (let i = 0; i < 2; i++) {
  const t0 = process.hrtime.bigint();
  const result = await scan(target, { cacheDir, extractors, scanners });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  findings = result.findings.length;
}
process.stdout.write(JSON.stringify({ coldMs: times[0], warmMs: times[1], findings, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
