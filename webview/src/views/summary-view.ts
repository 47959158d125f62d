/** The model summary table: tapped layers marked and tickable, names jump to the source line. */
import type { LayerNode, ModelNode } from '../../../graph/model-graph';
import { formatCount, formatShape } from '../../../graph/summary';
import { shownModel } from '../store';
import type { ViewContext } from './context';
import { fill, h } from './dom';

export class SummaryView {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private totals: HTMLElement;
  private key = '';

  constructor(private ctx: ViewContext) {
    this.body = h('tbody');
    this.totals = h('p', { class: 'muted' });
    const table = h(
      'table',
      { class: 'summary', id: 'summary-table' },
      h('caption', { class: 'visually-hidden' }, 'Model summary; tick a layer to tap it, activate a name to go to its source'),
      h('thead', {}, h('tr', {}, ['Tap', 'Layer', 'Type', 'Output shape', 'Param #', 'Tapped by'].map((t) => h('th', { scope: 'col' }, t)))),
      this.body,
    );
    this.el = h('section', { id: 'summary', 'aria-labelledby': 'summary-title' }, h('h2', { id: 'summary-title' }, 'Model'), h('div', { class: 'table-wrap' }, table), this.totals);
  }

  update(): void {
    const st = this.ctx.state();
    const model = shownModel(st);
    const runTaps = new Map((st.run?.taps ?? []).map((t) => [t.layer, t.reason]));
    const histLayers = new Set([...(st.run?.hists.values() ?? [])].map((h) => h.layer));
    const key = JSON.stringify([model?.id, model?.name, model?.layers.length, [...runTaps], [...histLayers], st.settings.taps, st.init?.file]);
    if (key === this.key) return;
    this.key = key;
    if (!model) {
      fill(this.body, h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No model yet.')));
      fill(this.totals);
      return;
    }
    const rows: HTMLElement[] = [];
    const walk = (m: ModelNode, depth: number) => {
      for (const l of m.layers) {
        rows.push(this.row(l, depth, runTaps.get(l.name) ?? (histLayers.has(l.name) ? 'user' : undefined)));
        if (l.model) walk(l.model, depth + 1);
      }
    };
    walk(model, 0);
    fill(this.body, rows);
    fill(this.totals, `Total params: ${formatCount(model.totalParams)} · trainable: ${formatCount(model.trainableParams)} · non-trainable: ${formatCount(model.nonTrainableParams)}`);
  }

  private row(l: LayerNode, depth: number, runReason: 'loss' | 'user' | undefined): HTMLElement {
    const st = this.ctx.state();
    const user = st.settings.taps.includes(l.name);
    const byLoss = runReason === 'loss';
    const tapped = byLoss || user;
    const box = h('input', {
      type: 'checkbox',
      checked: tapped,
      disabled: byLoss || l.className === 'InputLayer',
      'aria-label': `Tap ${l.name}`,
      title: byLoss ? 'The loss uses this layer: it is always tapped' : undefined,
    });
    box.addEventListener('change', () => {
      this.ctx.dispatch({ type: 'toggleTap', layer: l.name, tapped: box.checked });
      this.ctx.post(box.checked ? 'tapLayer' : 'untapLayer', { layer: l.name });
    });
    const line = l.range.start.line + 1;
    const name = h('button', { type: 'button', class: 'link', title: `Go to line ${line}${l.file ? ` of ${l.file}` : ''}`, 'data-reveal': l.name }, l.name);
    name.addEventListener('click', () => this.ctx.post('revealSource', l.file ? { line, layer: l.name, file: l.file } : { line, layer: l.name }));
    // The checkbox is the setting for the next run; the run shown may have tapped other layers.
    const by = byLoss ? 'the loss' : user ? (runReason ? 'you' : 'you (next run)') : runReason === 'user' ? 'you (this run only)' : '';
    const tr = h(
      'tr',
      { class: tapped || runReason ? 'tapped' : undefined, 'data-layer': l.name },
      h('td', {}, box),
      h('td', { class: `name depth${Math.min(depth, 4)}` }, name, l.nameSource === 'approximate' ? h('span', { class: 'muted', title: 'approximate name' }, ' ~') : null),
      h('td', {}, l.className),
      h('td', { class: 'mono' }, formatShape(l.outputShape)),
      h('td', { class: 'num' }, formatCount(l.params)),
      h('td', {}, by),
    );
    return tr;
  }
}
