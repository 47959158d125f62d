/**
 * Tapped layers: a picker to focus one layer, a warnings list, and one card per layer with, for
 * each tapped tensor (activation, kernel, bias), a ridgeline over epochs, the latest-vs-first
 * overlay and a stats strip (mean, std, zero fraction, non-finite) with health warnings.
 */
import type { LayerNode } from '../../../graph/model-graph';
import type { TensorKind } from '../../../protocol/protocol';
import { fmt, fmtPercent, type Palette } from '../render/canvas';
import { drawOverlay, drawRidgeline } from '../render/histograms';
import type { HistSeries } from '../series';
import { epochLabel, layerSeries, shownModel, tappedLayers, type Changes, type RunState } from '../store';
import { activationFamily, findLayerNode, tensorWarnings, type ActivationFamily, type Warning } from '../warnings';
import { ChartView } from './chart';
import type { ViewContext } from './context';
import { fill, h, setAttr, setText } from './dom';

const TENSOR_TITLE: Record<TensorKind, string> = { activation: 'Activations', kernel: 'Kernel', bias: 'Bias' };

class TensorRow {
  readonly el: HTMLElement;
  readonly ridge: ChartView;
  readonly overlay: ChartView;
  private stats: Record<'mean' | 'std' | 'zero' | 'nonFinite' | 'range' | 'epoch', HTMLElement>;
  private warn: HTMLElement;
  warnings: Warning[] = [];

  constructor(
    private ctx: ViewContext,
    readonly series: HistSeries,
    private family: ActivationFamily,
  ) {
    const run = () => ctx.state().run;
    const label = (e: number) => {
      const r = run();
      return r ? `ep ${epochLabel(r, e)}` : `ep ${e}`;
    };
    this.ridge = ctx.charts.add(
      new ChartView('ridgeline', (c, w, hgt, p: Palette) => drawRidgeline(c, w, hgt, this.series, { palette: p, color: p.latest, epochLabel: label }), 'ridge-chart'),
    );
    this.overlay = ctx.charts.add(
      new ChartView(
        'overlay',
        (c, w, hgt, p: Palette) => {
          const s = this.series;
          const r = run();
          const name = (i: number) => (r ? `epoch ${epochLabel(r, s.epoch[i])}` : `epoch ${s.epoch[i]}`);
          return drawOverlay(c, w, hgt, s, { palette: p, firstLabel: s.length ? name(0) : '', latestLabel: s.length ? name(s.length - 1) : '' });
        },
        'overlay-chart',
      ),
    );
    this.ridge.canvas.dataset.layer = series.layer;
    this.ridge.canvas.dataset.tensor = series.tensor;
    this.overlay.canvas.dataset.layer = series.layer;
    this.overlay.canvas.dataset.tensor = series.tensor;
    const stat = (name: string, key: string) => {
      const dd = h('dd', { 'data-stat': key });
      return [h('dt', {}, name), dd] as const;
    };
    const [mt, md] = stat('mean', 'mean');
    const [st, sd] = stat('std', 'std');
    const [zt, zd] = stat('zero', 'zero');
    const [nt, nd] = stat('non-finite', 'nonFinite');
    const [rt, rd] = stat('range', 'range');
    const [et, ed] = stat('at', 'epoch');
    this.stats = { mean: md, std: sd, zero: zd, nonFinite: nd, range: rd, epoch: ed };
    this.warn = h('ul', { class: 'warnings', 'aria-live': 'polite' });
    this.el = h(
      'div',
      { class: 'tensor-row', 'data-tensor': series.tensor },
      h('h4', {}, TENSOR_TITLE[series.tensor]),
      h('div', { class: 'tensor-charts' }, this.ridge.box, this.overlay.box),
      h('dl', { class: 'stats', 'aria-label': `${series.layer} ${series.tensor} statistics, latest snapshot` }, mt, md, st, sd, zt, zd, nt, nd, rt, rd, et, ed),
      this.warn,
    );
  }

  dispose(): void {
    this.ctx.charts.delete(this.ridge);
    this.ctx.charts.delete(this.overlay);
  }

  update(run: RunState): void {
    this.ridge.invalidate();
    this.overlay.invalidate();
    const s = this.series;
    const n = s.length;
    if (n === 0) return;
    const last = s.statsAt(n - 1);
    setText(this.stats.mean, fmt(last.mean));
    setText(this.stats.std, fmt(last.std));
    setText(this.stats.zero, fmtPercent(last.zeroFraction));
    setText(this.stats.nonFinite, String(last.nonFinite));
    setText(this.stats.range, `${fmt(last.min)} … ${fmt(last.max)}`);
    setText(this.stats.epoch, `epoch ${epochLabel(run, s.epoch[n - 1])}`);
    this.stats.nonFinite.classList.toggle('error', last.nonFinite > 0);
    this.warnings = tensorWarnings(s, this.family);
    this.stats.zero.classList.toggle('warning', this.warnings.some((w) => w.kind === 'dead'));
    const key = this.warnings.map((w) => w.message + w.since).join('|');
    if (this.warn.dataset.key !== key) {
      this.warn.dataset.key = key;
      fill(this.warn, this.warnings.map((w) => h('li', { class: w.severity, 'data-warning': w.kind }, `⚠ ${w.message} (since epoch ${epochLabel(run, w.since)})`)));
    }
    const first = s.statsAt(0);
    const what = `${TENSOR_TITLE[s.tensor].toLowerCase()} of ${s.layer}`;
    const span = n > 1 ? `over ${n} snapshots, epochs ${epochLabel(run, s.epoch[0])} to ${epochLabel(run, s.epoch[n - 1])}` : `at epoch ${epochLabel(run, s.epoch[0])}`;
    const latest = `latest mean ${fmt(last.mean)}, std ${fmt(last.std)}, range ${fmt(last.min)} to ${fmt(last.max)}, ${fmtPercent(last.zeroFraction)} zeros, ${last.nonFinite} non-finite`;
    this.ridge.setLabel(`Histogram of the ${what} ${span}; ${latest}.${this.warnings.map((w) => ` Warning: ${w.message}.`).join('')}`);
    this.overlay.setLabel(
      n > 1
        ? `Histogram of the ${what}: first snapshot (mean ${fmt(first.mean)}, std ${fmt(first.std)}) overlaid with the latest (mean ${fmt(last.mean)}, std ${fmt(last.std)}).`
        : `Histogram of the ${what} at epoch ${epochLabel(run, s.epoch[0])}: ${latest}.`,
    );
  }
}

class LayerCard {
  readonly el: HTMLElement;
  private rows: TensorRow[] = [];
  private body: HTMLElement;
  private badges: HTMLElement;
  private subtitle: HTMLElement;
  private table: HTMLTableElement;
  warnings: Warning[] = [];

  constructor(
    private ctx: ViewContext,
    readonly layer: string,
  ) {
    const focusBtn = h('button', { type: 'button', class: 'link layer-name', title: `Focus ${layer}`, 'data-focus': layer }, layer);
    focusBtn.addEventListener('click', () => ctx.dispatch({ type: 'focus', layer: ctx.state().focus === layer ? null : layer }));
    this.subtitle = h('span', { class: 'muted' });
    this.badges = h('span', { class: 'badges' });
    this.body = h('div', { class: 'card-body' });
    this.table = h('table', { class: 'visually-hidden' });
    this.el = h('article', { class: 'layer-card', 'data-layer': layer, 'aria-label': `Layer ${layer}` }, h('header', {}, h('h3', {}, focusBtn), this.subtitle, this.badges), this.body, this.table);
  }

  dispose(): void {
    for (const r of this.rows) r.dispose();
  }

  update(run: RunState, node: LayerNode | undefined): void {
    const series = layerSeries(run, this.layer);
    const family = activationFamily(node);
    if (series.length !== this.rows.length || series.some((s, i) => this.rows[i].series !== s)) {
      for (const r of this.rows) r.dispose();
      this.rows = series.map((s) => new TensorRow(this.ctx, s, family));
      fill(this.body, this.rows.length ? this.rows.map((r) => r.el) : h('p', { class: 'muted' }, 'Waiting for the first histogram…'));
    }
    for (const r of this.rows) r.update(run);
    this.warnings = this.rows.flatMap((r) => r.warnings);
    const tap = run.taps.find((t) => t.layer === this.layer);
    const act = node && typeof node.config.activation === 'string' ? ` · ${node.config.activation}` : '';
    setText(this.subtitle, `${node ? node.className : ''}${act}${tap ? ` · tapped by ${tap.reason === 'loss' ? 'the loss' : 'you'}` : ''}`);
    const bkey = this.warnings.map((w) => w.kind).join(',');
    if (this.badges.dataset.key !== bkey) {
      this.badges.dataset.key = bkey;
      fill(this.badges, [...new Set(this.warnings.map((w) => w.kind))].map((k) => h('span', { class: `badge ${k === 'nonFinite' ? 'error' : 'warning'}` }, k === 'nonFinite' ? 'non-finite' : k)));
    }
    this.el.classList.toggle('has-warning', this.warnings.length > 0);
    fill(
      this.table,
      h('caption', {}, `${this.layer}: latest statistics`),
      h('tr', {}, ['Tensor', 'Epoch', 'Mean', 'Std', 'Zero fraction', 'Non-finite'].map((t) => h('th', { scope: 'col' }, t))),
      this.rows
        .filter((r) => r.series.length > 0)
        .map((r) => {
          const s = r.series;
          const i = s.length - 1;
          const st = s.statsAt(i);
          return h('tr', {}, h('th', { scope: 'row' }, s.tensor), h('td', {}, String(epochLabel(run, s.epoch[i]))), h('td', {}, fmt(st.mean)), h('td', {}, fmt(st.std)), h('td', {}, fmtPercent(st.zeroFraction)), h('td', {}, String(st.nonFinite)));
        }),
    );
  }
}

export class LayersView {
  readonly el: HTMLElement;
  private picker: HTMLSelectElement;
  private cardsEl: HTMLElement;
  private warningsEl: HTMLElement;
  private empty: HTMLElement;
  private cards = new Map<string, LayerCard>();
  private order: string[] = [];
  private showAll: HTMLButtonElement;

  constructor(private ctx: ViewContext) {
    this.picker = h('select', { id: 'layer-picker' });
    this.picker.addEventListener('change', () => ctx.dispatch({ type: 'focus', layer: this.picker.value || null }));
    this.showAll = h('button', { type: 'button', class: 'secondary small', id: 'show-all', onclick: () => ctx.dispatch({ type: 'focus', layer: null }) }, 'Show all');
    this.warningsEl = h('ul', { class: 'warning-list', id: 'warning-list', 'aria-label': 'Layer warnings' });
    this.cardsEl = h('div', { class: 'cards' });
    this.empty = h('p', { class: 'muted' }, 'No tapped layers yet. Tick layers in the model table (the loss taps the layers it uses), then start a run.');
    this.el = h(
      'section',
      { id: 'layers', 'aria-labelledby': 'layers-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'layers-title' }, 'Tapped layers'), h('label', { for: 'layer-picker' }, 'Layer'), this.picker, this.showAll),
      this.warningsEl,
      this.empty,
      this.cardsEl,
    );
  }

  update(changes: Changes): void {
    const st = this.ctx.state();
    const run = st.run;
    const model = shownModel(st);
    const layers = tappedLayers(run, model);
    const layoutChanged = changes.layout || layers.join('\n') !== this.order.join('\n');
    if (layers.join('\n') !== this.order.join('\n')) {
      for (const [name, card] of this.cards)
        if (!layers.includes(name)) {
          card.dispose();
          this.cards.delete(name);
        }
      for (const name of layers) if (!this.cards.has(name)) this.cards.set(name, new LayerCard(this.ctx, name));
      this.order = layers;
      fill(this.cardsEl, layers.map((l) => this.cards.get(l)!.el));
    }
    this.empty.hidden = layers.length > 0;
    const all = changes.layers.has('*') || changes.layout;
    if (run)
      for (const name of layers) if (all || changes.layers.has(name) || !this.cards.get(name)!.el.dataset.ready) {
        const card = this.cards.get(name)!;
        card.update(run, findLayerNode(model, name));
        card.el.dataset.ready = '1';
      }
    if (layoutChanged) {
      for (const [name, card] of this.cards) {
        card.el.hidden = st.focus !== null && st.focus !== name;
        card.el.classList.toggle('focused', st.focus === name);
      }
      this.showAll.hidden = st.focus === null;
    }
    // picker and warning list
    const warnings = layers.flatMap((l) => this.cards.get(l)!.warnings);
    const optionsKey = JSON.stringify([layers, warnings.map((w) => w.layer)]);
    if (this.picker.dataset.key !== optionsKey) {
      this.picker.dataset.key = optionsKey;
      const warned = new Set(warnings.map((w) => w.layer));
      fill(this.picker, h('option', { value: '' }, `All tapped layers (${layers.length})`), layers.map((l) => h('option', { value: l }, warned.has(l) ? `${l} ⚠` : l)));
    }
    if (this.picker.value !== (st.focus ?? '')) this.picker.value = st.focus ?? '';
    const wkey = warnings.map((w) => `${w.layer}/${w.tensor}/${w.kind}/${w.since}`).join('|');
    if (this.warningsEl.dataset.key !== wkey) {
      this.warningsEl.dataset.key = wkey;
      fill(
        this.warningsEl,
        warnings.map((w) =>
          h(
            'li',
            { class: w.severity },
            h('button', { type: 'button', class: 'link', onclick: () => this.ctx.dispatch({ type: 'focus', layer: w.layer }) }, w.layer),
            ` ${w.tensor}: ${w.message} (since epoch ${run ? epochLabel(run, w.since) : w.since})`,
          ),
        ),
      );
    }
    setAttr(this.el, 'data-focus', st.focus ?? '');
  }
}
