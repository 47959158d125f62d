/** The run header: model, data, backend, loss interpretation, status, log. */
import { formatCount, formatShape } from '../../../graph/summary';
import { fmt } from '../render/canvas';
import { epochLabel, isRunning, shownModel } from '../store';
import type { ViewContext } from './context';
import { fill, h, setText } from './dom';

export class HeaderView {
  readonly el: HTMLElement;
  private title: HTMLElement;
  private status: HTMLElement;
  private facts: HTMLElement;
  private loss: HTMLElement;
  private log: HTMLElement;
  private announce: HTMLElement;
  private lastKey = '';

  constructor(private ctx: ViewContext) {
    this.title = h('h1', { id: 'run-title' });
    this.status = h('p', { id: 'run-status', class: 'status' });
    // Screen readers hear epochs and the end of a run, not every batch update of the status line.
    this.announce = h('p', { id: 'run-announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    this.facts = h('dl', { class: 'facts' });
    this.loss = h('div', { class: 'loss' });
    this.log = h('div', { class: 'log' });
    this.el = h('section', { id: 'header', 'aria-labelledby': 'run-title' }, this.title, this.status, this.announce, this.facts, this.loss, this.log);
  }

  update(): void {
    const st = this.ctx.state();
    const run = st.run;
    const model = shownModel(st);
    const file = run?.file ?? st.init?.file;
    setText(this.title, model ? `${model.name} — Train & Inspect` : 'Train & Inspect');
    setText(this.status, statusText(st));
    this.status.dataset.status = st.requested ? 'starting' : (run?.status ?? 'idle');
    const e = run?.lastEpoch;
    const news = !run ? '' : run.status !== 'running' ? statusText(st) : e ? `Epoch ${epochLabel(run, e.epoch)} of ${run.epochs} done: loss ${fmt(e.loss)}` : 'Training started';
    setText(this.announce, news);

    // The rest changes rarely: rebuild only when its inputs changed.
    const key = JSON.stringify([file, model?.name, model?.totalParams, run?.data, run?.backend, run?.backendDetail, run?.loss, run?.origin, run?.logs.length, run?.tensorsLeak]);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const facts: [string, string | Node][] = [];
    if (model)
      facts.push([
        'Model',
        `${model.name} (${model.className}, ${model.layers.length} layers, ${formatCount(model.totalParams)} params${model.approximate ? ', approximate' : ''})`,
      ]);
    if (file) facts.push(['File', `${file}${run?.origin === 'saved' ? ' (saved run)' : ''}`]);
    if (run?.data)
      facts.push([
        'Data',
        `${run.data.source}: ${run.data.trainSamples} train / ${run.data.validationSamples} validation, x ${formatShape(run.data.xShape)}${
          run.data.adaptations.length ? `; ${run.data.adaptations.join('; ')}` : ''
        }`,
      ]);
    if (run?.backend) facts.push(['Backend', `${run.backend}${run.backendDetail ? ` — ${run.backendDetail}` : ''}`]);
    if (run?.tensorsLeak) facts.push(['Tensors', `${run.tensorsLeak.baseline} before, ${run.tensorsLeak.end} after${run.tensorsLeak.end > run.tensorsLeak.baseline ? ' (leak)' : ''}`]);
    fill(this.facts, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));

    const loss = run?.loss;
    if (!loss) fill(this.loss);
    else {
      const line = (n: number | undefined, text: string) =>
        n === undefined ? text : h('button', { type: 'button', class: 'link', title: `Go to line ${n}`, onclick: () => this.ctx.post('revealSource', { line: n }) }, text);
      fill(
        this.loss,
        h('h2', {}, 'Loss interpretation'),
        h('p', {}, loss.summary),
        h(
          'ul',
          { class: 'components' },
          loss.components.map((c) =>
            h('li', {}, line(c.line, c.name), ` × ${fmt(c.weight)}`, c.description ? h('span', { class: 'muted' }, ` — ${c.description}`) : null),
          ),
        ),
        loss.skipped.length > 0 &&
          h('details', {}, h('summary', {}, `${loss.skipped.length} construct(s) not interpreted`), h('ul', {}, loss.skipped.map((s) => h('li', {}, line(s.line, `line ${s.line}`), `: ${s.text} — ${s.reason}`)))),
        loss.kerasWarnings.map((w) => h('p', { class: 'warning' }, `Keras: ${w}`)),
      );
    }
    const logs = run?.logs ?? [];
    const warnings = logs.filter((l) => l.level === 'warning');
    if (logs.length === 0) fill(this.log);
    else
      fill(
        this.log,
        h(
          'details',
          { open: warnings.length > 0 && warnings.length <= 3 },
          h('summary', {}, `Log (${logs.length} message${logs.length === 1 ? '' : 's'}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''})`),
          h('ul', {}, logs.map((l) => h('li', { class: l.level }, l.message))),
        ),
      );
  }
}

function statusText(st: ReturnType<ViewContext['state']>): string {
  const run = st.run;
  if (st.requested) return 'Starting…';
  if (!run) return isRunning(st) ? 'Running…' : 'No run yet. Choose the settings and press Start run, or open a saved run.';
  const parts: string[] = [];
  if (run.status === 'running') {
    const p = run.progress;
    parts.push(p ? `Running: epoch ${epochLabel(run, p.epoch)}/${run.epochs}, batch ${Math.min(p.batch, p.batches)}/${p.batches}` : 'Running…');
  } else parts.push(`${run.status[0].toUpperCase()}${run.status.slice(1)}${run.endMessage ? `: ${run.endMessage}` : ''}`);
  const e = run.lastEpoch;
  if (e) {
    const metrics = Object.entries(e.metrics).map(([k, v]) => `${k} ${fmt(v)}`);
    const val = e.validation ? [`val loss ${fmt(e.validation.loss)}`, ...Object.entries(e.validation.metrics).map(([k, v]) => `val ${k} ${fmt(v)}`)] : [];
    parts.push(`epoch ${epochLabel(run, e.epoch)}: loss ${fmt(e.loss)}${[...metrics, ...val].map((m) => `, ${m}`).join('')}; ${Math.round(e.samplesPerSecond)} samples/s`);
  }
  return parts.join(' — ');
}
