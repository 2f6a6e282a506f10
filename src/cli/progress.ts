/**
 * Per-layer pull progress on a terminal (stderr), redrawn in place at most ten times a
 * second. Not used when stderr is not a TTY or with --quiet, so logs and pipes stay clean.
 */
import type { PullProgress } from '../image/source.js';

interface LayerState {
  digest: string;
  size: number;
  bytes: number;
  state: 'waiting' | 'pulling' | 'cached' | 'pulled';
}

export class TtyProgress implements PullProgress {
  private readonly layers = new Map<number, LayerState>();
  private lines = 0;
  private last = 0;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  layer(index: number, digest: string, size: number): void {
    this.layers.set(index, { digest, size, bytes: 0, state: 'waiting' });
    this.draw();
  }

  bytes(index: number, n: number): void {
    const l = this.layers.get(index);
    if (!l) return;
    l.state = 'pulling';
    l.bytes += n;
    this.draw();
  }

  done(index: number, how: 'cached' | 'pulled'): void {
    const l = this.layers.get(index);
    if (l) l.state = how;
    this.draw(true);
  }

  finish(): void {
    this.draw(true);
  }

  private draw(force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const rows = [...this.layers.entries()].sort((a, b) => a[0] - b[0]).map(([i, l]) => row(i, l, this.out.columns ?? 80));
    let text = this.lines > 0 ? `\u001b[${this.lines}A` : '';
    for (const r of rows) text += `\r\u001b[2K${r}\n`;
    this.lines = rows.length;
    this.out.write(text);
  }
}

function row(index: number, l: LayerState, columns: number): string {
  const label = `layer ${String(index).padStart(2)} ${l.digest.slice(7, 19)}`;
  if (l.state === 'cached') return `${label}  cached`;
  if (l.state === 'waiting') return `${label}  waiting`;
  const width = Math.max(10, Math.min(40, columns - label.length - 30));
  const frac = l.size > 0 ? Math.min(1, l.bytes / l.size) : 0;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const status = l.state === 'pulled' ? 'done' : `${mib(l.bytes)}/${mib(l.size)} MiB`;
  return `${label}  ${bar} ${status}`;
}

function mib(n: number): string {
  return (n / 1024 / 1024).toFixed(1);
}
