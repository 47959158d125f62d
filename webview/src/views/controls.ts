/** The run controls: data, epochs, batch size, taps; start/stop; open/export a run. */
import { isRunning, shownModel } from '../store';
import type { ViewContext } from './context';
import { fill, h, setText } from './dom';

export class ControlsView {
  readonly el: HTMLElement;
  private data: HTMLInputElement;
  private dataList: HTMLDataListElement;
  private epochs: HTMLInputElement;
  private batchSize: HTMLInputElement;
  private taps: HTMLElement;
  private start: HTMLButtonElement;
  private stop: HTMLButtonElement;
  private exportBtn: HTMLButtonElement;

  constructor(private ctx: ViewContext) {
    const settings = (patch: () => void) => () => patch();
    this.dataList = h('datalist', { id: 'data-choices' });
    this.data = h('input', { id: 'data', type: 'text', list: 'data-choices', placeholder: 'what the code loads', spellcheck: 'false' });
    this.data.addEventListener('change', settings(() => ctx.dispatch({ type: 'settings', settings: { data: this.data.value.trim() } })));
    this.epochs = h('input', { id: 'epochs', type: 'number', min: 1, max: 100000, step: 1, required: true });
    this.epochs.addEventListener('change', settings(() => ctx.dispatch({ type: 'settings', settings: { epochs: positive(this.epochs.value, ctx.state().settings.epochs) } })));
    this.batchSize = h('input', { id: 'batch-size', type: 'number', min: 1, max: 65536, step: 1, required: true });
    this.batchSize.addEventListener('change', settings(() => ctx.dispatch({ type: 'settings', settings: { batchSize: positive(this.batchSize.value, ctx.state().settings.batchSize) } })));
    this.taps = h('span', { id: 'taps-summary', class: 'muted' });
    this.start = h('button', { type: 'submit', class: 'primary', id: 'start-run' }, 'Start run');
    this.stop = h('button', { type: 'button', id: 'stop-run', onclick: () => ctx.post('stopRun', {}) }, 'Stop');
    const open = h('button', { type: 'button', class: 'secondary', id: 'open-run', onclick: () => ctx.post('openRun', {}) }, 'Open run…');
    this.exportBtn = h('button', { type: 'button', class: 'secondary', id: 'export-run', onclick: () => ctx.post('exportRun', {}) }, 'Export run…');
    const form = h(
      'form',
      { class: 'controls', 'aria-label': 'Run settings' },
      field('Data', this.data, this.dataList),
      field('Epochs', this.epochs),
      field('Batch size', this.batchSize),
      h('div', { class: 'field taps' }, h('span', { class: 'label' }, 'Taps'), this.taps),
      h('div', { class: 'buttons' }, this.start, this.stop, open, this.exportBtn),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.el = h('section', { id: 'controls', 'aria-label': 'Run controls' }, form);
  }

  private submit(): void {
    // Read the inputs directly: Enter may submit before a `change` event fired.
    this.ctx.dispatch({
      type: 'settings',
      settings: {
        data: this.data.value.trim(),
        epochs: positive(this.epochs.value, this.ctx.state().settings.epochs),
        batchSize: positive(this.batchSize.value, this.ctx.state().settings.batchSize),
      },
    });
    const s = this.ctx.state().settings;
    if (isRunning(this.ctx.state())) return;
    this.ctx.dispatch({ type: 'runRequested' });
    this.ctx.post('startRun', { data: s.data, epochs: s.epochs, batchSize: s.batchSize, taps: [...s.taps] });
  }

  update(): void {
    const st = this.ctx.state();
    const s = st.settings;
    if (document.activeElement !== this.data) this.data.value = s.data;
    if (document.activeElement !== this.epochs) this.epochs.value = String(s.epochs);
    if (document.activeElement !== this.batchSize) this.batchSize.value = String(s.batchSize);
    const choices = st.init?.dataChoices ?? ['mnist', 'synthetic'];
    if (this.dataList.childElementCount !== choices.length || [...this.dataList.children].some((o, i) => (o as HTMLOptionElement).value !== choices[i]))
      fill(this.dataList, choices.map((c) => h('option', { value: c })));
    const lossTaps = (st.run?.taps ?? []).filter((t) => t.reason === 'loss').map((t) => t.layer);
    const all = [...new Set([...lossTaps, ...s.taps])];
    setText(this.taps, all.length === 0 ? 'none (tick layers in the model table)' : `${all.join(', ')}${lossTaps.length ? ` (${lossTaps.length} from the loss)` : ''}`);
    const running = isRunning(st);
    const canStart = !running && (st.init !== null || shownModel(st) !== undefined);
    this.start.disabled = !canStart;
    this.stop.disabled = !running;
    this.exportBtn.disabled = !st.run || st.run.hists.size + st.run.curves.size === 0;
    setText(this.start, st.requested ? 'Starting…' : 'Start run');
  }
}

function positive(text: string, fallback: number): number {
  const n = Math.floor(Number(text));
  return Number.isFinite(n) && n >= 1 ? n : fallback;
}

function field(label: string, input: HTMLInputElement, ...extra: Element[]): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input, ...extra);
}
