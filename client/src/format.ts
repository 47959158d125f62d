/**
 * Text for the user: status bar, progress notification, output channel lines. Pure.
 */
import type { BackendName, TrainerEvent } from '../../protocol/protocol';
import type { RunSnapshot } from './run-manager';

export function backendLabel(backend: BackendName | undefined): string {
  return backend === 'tensorflow' ? 'native' : backend === 'wasm' ? 'wasm' : '…';
}

export function formatLoss(loss: number | undefined): string {
  if (loss === undefined) return '–';
  if (!Number.isFinite(loss)) return String(loss);
  const a = Math.abs(loss);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return loss.toExponential(2);
  return loss.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function epochPart(r: Pick<RunSnapshot, 'epoch' | 'epochs'>): string {
  if (r.epoch === undefined) return r.epochs ? `epoch –/${r.epochs}` : 'starting';
  return `epoch ${r.epoch}${r.epochs ? `/${r.epochs}` : ''}`;
}

/** Status bar: `$(sync~spin) native · epoch 2/5 · loss 0.1234` (codicons inline). */
export function statusText(r: RunSnapshot): string {
  const icon = r.state === 'running' ? '$(sync~spin)' : r.state === 'completed' ? '$(check)' : r.state === 'stopped' ? '$(debug-stop)' : '$(error)';
  if (r.state === 'running' && r.backend === undefined) return `${icon} Model Lens · starting ${r.model}`;
  if (r.backend === undefined) return `${icon} Model Lens · ${r.model} ${r.state}`;
  return `${icon} ${backendLabel(r.backend)} · ${epochPart(r)} · loss ${formatLoss(r.loss)}`;
}

export function statusTooltip(r: RunSnapshot): string {
  const lines = [`Model Lens: ${r.model} (${baseName(r.file)}) — ${r.state === 'running' ? 'training' : r.state}`];
  if (r.backendDetail) lines.push(`Backend: ${r.backendDetail}`);
  if (r.validationLoss !== undefined) lines.push(`Validation loss: ${formatLoss(r.validationLoss)}`);
  if (r.message && r.state !== 'running') lines.push(r.message);
  lines.push(r.state === 'running' ? 'Click to show the Train & Inspect panel.' : 'Click to show the run in the Train & Inspect panel.');
  return lines.join('\n');
}

/** Progress notification message: `epoch 2/5 · batch 30/313 · loss 0.123`. */
export function progressMessage(r: RunSnapshot): string {
  if (r.backend === undefined) return 'starting the trainer…';
  const parts = [backendLabel(r.backend), epochPart(r)];
  if (r.batch !== undefined && r.batches !== undefined) parts.push(`batch ${r.batch}/${r.batches}`);
  parts.push(`loss ${formatLoss(r.loss)}`);
  return parts.join(' · ');
}

/** Fraction of the whole run done, when known (for progress increments). */
export function runFraction(r: Pick<RunSnapshot, 'epoch' | 'epochs' | 'batch' | 'batches'>, epochBase = 1): number | undefined {
  if (!r.epochs || r.epoch === undefined) return undefined;
  const within = r.batch !== undefined && r.batches ? Math.min(1, r.batch / r.batches) : 0;
  return Math.min(1, Math.max(0, (r.epoch - epochBase + within) / r.epochs));
}

/** Lines for the output channel (histograms and batches are not logged). */
export function eventLogLines(e: TrainerEvent): string[] {
  switch (e.type) {
    case 'start': {
      const lines = [
        `backend: ${e.backendDetail}`,
        `model: ${e.model.name} (${e.model.className}, ${e.model.layers.length} layers, ${e.model.totalParams ?? '?'} params)`,
        `data: ${e.data.source} — ${e.data.trainSamples} training / ${e.data.validationSamples} validation samples, x ${shape(e.data.xShape)}`,
        ...e.data.adaptations.map((a) => `  adapted: ${a}`),
        `loss: ${e.loss.summary}`,
        ...e.loss.components.map((c) => `  ${c.name} × ${c.weight}${c.line ? ` (line ${c.line})` : ''}: ${c.description}`),
        ...e.loss.skipped.map((s) => `  skipped line ${s.line}: ${s.text} — ${s.reason}`),
        ...e.loss.kerasWarnings.map((w) => `  Keras would differ: ${w}`),
        `taps: ${e.taps.length ? e.taps.map((t) => `${t.layer} [${t.tensors.join(', ')}]${t.reason === 'user' ? ' (yours)' : ''}`).join('; ') : 'none'}`,
        `epochs ${e.epochs}, batch size ${e.batchSize}`,
      ];
      return lines;
    }
    case 'epoch': {
      const comps = Object.entries(e.components).map(([k, v]) => `${k} ${formatLoss(v)}`);
      const metrics = Object.entries(e.metrics).map(([k, v]) => `${k} ${formatLoss(v)}`);
      const val = e.validation ? ` · val loss ${formatLoss(e.validation.loss)}` : '';
      return [`epoch ${e.epoch}: loss ${formatLoss(e.loss)}${val}${comps.length ? ` (${comps.join(', ')})` : ''}${metrics.length ? ` · ${metrics.join(', ')}` : ''} · ${Math.round(e.samplesPerSecond)} samples/s`];
    }
    case 'log':
      return [`${e.level === 'warning' ? 'warning: ' : ''}${e.message}`];
    case 'end':
      return [`${e.status}: ${e.message}${e.tensors && e.tensors.end !== e.tensors.baseline ? ` (tensors: ${e.tensors.baseline} → ${e.tensors.end})` : ''}`];
    case 'batch':
    case 'histogram':
      return [];
  }
}

function shape(s: (number | null)[]): string {
  return `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
