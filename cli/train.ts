/**
 * `model-lens train FILE [--model NAME] [--data mnist|synthetic|PATH] [--epochs N] [--batch-size N]
 *                        [--tap LAYER]... [--every N] [--json] [--out run.json]`
 *
 * Starts the trainer in its own process and shows its events: a progress bar and per-epoch lines on
 * a TTY, one JSON event per line with --json; --out writes the whole run (SavedRun) for the panel.
 * Ctrl-C stops the run (the trainer reports `stopped`). Exit code: 0 completed, 1 failed, 130 stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SavedRun, TrainerEvent, TrainRequest } from '../protocol/protocol';
import { startTrainer } from '../trainer/client';
import { UsageError } from './read-input';

export const TRAIN_USAGE = `  model-lens train FILE [options]        train FILE's model here (tfjs-node) and stream metrics and histograms
      --model NAME          the model (name or variable) to train; default: the one fit() is called on
      --data SOURCE         mnist | synthetic | keras:NAME | PATH (.npz, .npy[,y.npy], .csv); default: what the code loads
      --epochs N            default: fit(epochs=...) or 1
      --batch-size N        default: fit(batch_size=...) or 32
      --samples N           train on at most N samples
      --validation-split F  default: fit(validation_split=...) or 0
      --tap LAYER           also tap LAYER (repeatable); layers the loss reads are always tapped
      --every N             activation histograms every N steps too (default: epoch ends only)
      --bins N              histogram bins (default 30)
      --backend B           auto | native | wasm (default auto)
      --seed N              shuffling / synthetic data seed
      --json                one JSON event per line on stdout
      --out FILE            write the whole run (events included) as JSON`;

interface Parsed {
  request: TrainRequest;
  json: boolean;
  out?: string;
}

function parseArgs(args: string[]): Parsed {
  const request: Partial<TrainRequest> = {};
  const taps: string[] = [];
  let json = false;
  let out: string | undefined;
  const files: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const int = (i: number, flag: string, min = 1): number => {
    const v = Number(value(i, flag));
    if (!Number.isInteger(v) || v < min) throw new UsageError(`${flag} must be an integer ≥ ${min}`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (inline !== undefined) {
      args.splice(i + 1, 0, inline);
    }
    switch (flag) {
      case '--model':
        request.model = value(i++, flag);
        break;
      case '--data':
        request.data = value(i++, flag);
        break;
      case '--epochs':
        request.epochs = int(i++, flag);
        break;
      case '--batch-size':
        request.batchSize = int(i++, flag);
        break;
      case '--samples':
        request.samples = int(i++, flag);
        break;
      case '--validation-split': {
        const v = Number(value(i++, flag));
        if (!(v >= 0 && v < 1)) throw new UsageError('--validation-split must be in [0, 1)');
        request.validationSplit = v;
        break;
      }
      case '--tap':
        taps.push(value(i++, flag));
        break;
      case '--every':
        request.every = int(i++, flag, 0);
        break;
      case '--bins':
        request.bins = int(i++, flag, 2);
        break;
      case '--backend': {
        const v = value(i++, flag);
        if (v !== 'auto' && v !== 'native' && v !== 'wasm') throw new UsageError('--backend must be auto, native or wasm');
        request.backend = v;
        break;
      }
      case '--seed':
        request.seed = int(i++, flag, 0);
        break;
      case '--json':
        json = true;
        break;
      case '--out':
        out = value(i++, flag);
        break;
      default:
        if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}\nusage:\n${TRAIN_USAGE}`);
        files.push(flag);
    }
  }
  if (files.length !== 1) throw new UsageError(`train takes exactly one FILE\nusage:\n${TRAIN_USAGE}`);
  const file = path.resolve(files[0]!);
  if (!fs.existsSync(file)) throw new UsageError(`cannot read ${files[0]}: no such file`);
  if (taps.length) request.taps = taps;
  return { request: { ...request, file }, json, ...(out ? { out } : {}) };
}

export async function train(args: string[]): Promise<number> {
  const { request, json, out } = parseArgs(args);
  const events: TrainerEvent[] = [];
  const view = json ? undefined : new TextView(process.stdout.isTTY === true);
  const run = startTrainer(request, {
    onEvent: (event) => {
      events.push(event);
      if (json) process.stdout.write(`${JSON.stringify(event)}\n`);
      else view!.show(event);
    },
    onStderr: (line) => process.stderr.write(`${line}\n`),
  });
  const onSigint = (): void => run.stop();
  process.on('SIGINT', onSigint);
  const status = await run.done;
  process.off('SIGINT', onSigint);
  if (out) {
    const saved: SavedRun = { version: 1, file: request.file, request, events };
    fs.writeFileSync(out, `${JSON.stringify(saved)}\n`);
    if (!json) process.stdout.write(`run written to ${out}\n`);
  }
  return status === 'completed' ? 0 : status === 'stopped' ? 130 : 1;
}

const num = (v: number): string => (Math.abs(v) >= 1000 || Number.isInteger(v) ? v.toFixed(0) : Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(4) : v.toExponential(2));

/** Human output: header, progress bar (TTY only), one line per epoch, the end. */
class TextView {
  private epochs = 0;
  private barShown = false;

  constructor(private readonly tty: boolean) {}

  private write(line: string): void {
    if (this.barShown) {
      process.stdout.write('\r\x1b[2K');
      this.barShown = false;
    }
    process.stdout.write(`${line}\n`);
  }

  show(e: TrainerEvent): void {
    switch (e.type) {
      case 'start': {
        this.epochs = e.epochs;
        this.write(`backend: ${e.backend} — ${e.backendDetail}`);
        const params = e.model.totalParams === null ? '?' : e.model.totalParams.toLocaleString('en-US');
        this.write(`model: ${e.model.name} (${e.model.kind}, ${e.model.layers.length} layers, ${params} params)`);
        this.write(`data: ${e.data.source}; ${e.data.trainSamples} training / ${e.data.validationSamples} validation samples, x ${shape(e.data.xShape)}`);
        for (const a of e.data.adaptations) this.write(`  · ${a}`);
        this.write(`loss: ${e.loss.summary}`);
        for (const w of e.loss.kerasWarnings) this.write(`  ! Keras: ${w}`);
        for (const s of e.loss.skipped) this.write(`  ✗ skipped line ${s.line}: \`${s.text}\` — ${s.reason}`);
        this.write(`taps: ${e.taps.length ? e.taps.map((t) => `${t.layer} (${t.tensors.join(', ')}; ${t.reason})`).join(', ') : 'none'}`);
        this.write(`training ${e.epochs} epoch${e.epochs > 1 ? 's' : ''}, batch size ${e.batchSize}`);
        break;
      }
      case 'batch':
        if (!this.tty) return;
        {
          const width = 30;
          const done = Math.round((e.batch / e.batches) * width);
          process.stdout.write(`\r\x1b[2Kepoch ${e.epoch}/${this.epochs} [${'='.repeat(done)}${' '.repeat(width - done)}] ${e.batch}/${e.batches} loss ${num(e.loss)}`);
          this.barShown = true;
        }
        break;
      case 'epoch': {
        const parts = [`epoch ${e.epoch}/${this.epochs}`, `loss ${num(e.loss)}`];
        const comps = Object.entries(e.components);
        if (comps.length > 1) parts.push(...comps.map(([k, v]) => `${k} ${num(v)}`));
        parts.push(...Object.entries(e.metrics).map(([k, v]) => `${k} ${num(v)}`));
        if (e.validation) {
          parts.push(`val_loss ${num(e.validation.loss)}`);
          parts.push(...Object.entries(e.validation.metrics).map(([k, v]) => `val_${k} ${num(v)}`));
        }
        parts.push(`${num(e.samplesPerSecond)} samples/s`);
        this.write(parts.join('  '));
        break;
      }
      case 'histogram':
        break;
      case 'log':
        this.write(`${e.level === 'warning' ? 'warning' : 'note'}: ${e.message}`);
        break;
      case 'end':
        this.write(`${e.status}: ${e.message}`);
        break;
    }
  }
}

function shape(s: (number | null)[]): string {
  return `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;
}
