/**
 * Tapped layers: a picker to focus one layer, a warnings list, and one card per layer with, for
 * each tapped tensor (activation, kernel, bias), a ridgeline over epochs, the latest-vs-first
 * overlay and a stats strip (mean, std, zero fraction, non-finite) with health warnings.
 *
 * Focusing a layer shows one dedicated, larger card (re-bound to the focused layer: its canvases
 * are reused from one focus to the next) and hides the overview cards without touching them, so
 * going back to all layers redraws nothing that did not change.
 */
import type { LayerNode } from '../../../graph/model-graph';
import type { TensorKind } from '../../../protocol/protocol';
import { fmt, fmtPercent, type Palette } from '../render/canvas';
import { drawTensorPair } from '../render/histograms';
import type { HistSeries } from '../series';
import { epochLabel, epochName, layerSeries, shownModel, tappedLayers, type Changes, type RunState } from '../store';
import { activationFamily, findLayerNode, tensorWarnings, type ActivationFamily, type Warning } from '../warnings';
import { ChartView } from './chart';
import type { ViewContext } from './context';
import { fill, h, setAttr, setText } from './dom';

const TENSOR_TITLE: Record<TensorKind, string> = { activation: 'Activations', kernel: 'Kernel', bias: 'Bias' };
type StatKey = 'mean' | 'std' | 'zero' | 'nonFinite' | 'range' | 'epoch';

class TensorRow {
  readonly el: HTMLElement;
  /** Ridgeline (left) and latest-vs-first overlay (right) in one canvas. */
  readonly chart: ChartView;
  private stats = {} as Record<StatKey, HTMLElement>;
  private statsEl: HTMLElement;
  private warn: HTMLElement;
  /** This tensor's row in the card's offscreen statistics table (updated in place). */
  readonly tableRow: HTMLTableRowElement;
  private cells: HTMLElement[];
  warnings: Warning[] = [];

  constructor(
    private ctx: ViewContext,
    public series: HistSeries,
    private family: ActivationFamily,
    scope: HTMLElement,
  ) {
    const run = () => ctx.state().run;
    const label = (e: number) => {
      const r = run();
      const n = r ? epochLabel(r, e) : e;
      return n <= 0 ? 'init' : `ep ${n}`;
    };
    this.chart = ctx.charts.add(
      new ChartView(
        'histograms',
        (c, w, hgt, p: Palette) => {
          const s = this.series;
          const r = run();
          const name = (i: number) => (r ? epochName(r, s.epoch[i]) : `epoch ${s.epoch[i]}`);
          const pair = drawTensorPair(
            c,
            w,
            hgt,
            s,
            { palette: p, color: p.latest, epochLabel: label },
            { palette: p, firstLabel: s.length ? name(0) : '', latestLabel: s.length ? name(s.length - 1) : '' },
          );
          return { ridge: pair.ridge, overlay: pair.overlay };
        },
        'tensor-chart',
        scope,
      ),
    );
    const items: HTMLElement[] = [];
    for (const [key, name] of [
      ['mean', 'mean'],
      ['std', 'std'],
      ['zero', 'zero'],
      ['nonFinite', 'non-finite'],
      ['range', 'range'],
      ['epoch', 'at'],
    ] as [StatKey, string][]) {
      this.stats[key] = h('dd', { 'data-stat': key });
      items.push(h('dt', {}, name), this.stats[key]);
    }
    this.statsEl = h('dl', { class: 'stats' }, items);
    this.warn = h('ul', { class: 'warnings', 'aria-live': 'polite' });
    this.cells = [h('th', { scope: 'row' }, series.tensor), h('td'), h('td'), h('td'), h('td'), h('td')];
    this.tableRow = h('tr', {}, this.cells);
    this.el = h(
      'div',
      { class: 'tensor-row', 'data-tensor': series.tensor },
      h('h4', {}, TENSOR_TITLE[series.tensor]),
      this.chart.box,
      this.statsEl,
      this.warn,
    );
    this.bind(series, family);
  }

  get tensor(): TensorKind {
    return this.series.tensor;
  }

  /** Points the row at another series of the same tensor kind (the focus card follows the focus). */
  bind(series: HistSeries, family: ActivationFamily): void {
    this.series = series;
    this.family = family;
    this.chart.canvas.dataset.layer = series.layer;
    this.chart.canvas.dataset.tensor = series.tensor;
    this.statsEl.setAttribute('aria-label', `${series.layer} ${series.tensor} statistics, latest snapshot`);
    this.refreshData();
  }

  dispose(): void {
    this.ctx.charts.delete(this.chart);
  }

  /**
   * Data side (cheap, every tapped tensor): warnings, the chart marked for redrawing, and the text
   * alternatives queued for idle time — for every card, on screen or not, so that a screen reader
   * finds every chart described.
   */
  refreshData(): void {
    this.chart.invalidate();
    this.warnings = tensorWarnings(this.series, this.family);
    this.ctx.idle(this, () => {
      const run = this.ctx.state().run;
      if (run) this.renderText(run);
    });
  }

  /** DOM side (only for cards on screen): stats strip, warnings, text alternatives. */
  render(run: RunState): void {
    const s = this.series;
    const n = s.length;
    if (n === 0) return;
    const last = s.statsAt(n - 1);
    setText(this.stats.mean, fmt(last.mean));
    setText(this.stats.std, fmt(last.std));
    setText(this.stats.zero, fmtPercent(last.zeroFraction));
    setText(this.stats.nonFinite, String(last.nonFinite));
    setText(this.stats.range, `${fmt(last.min)} … ${fmt(last.max)}`);
    setText(this.stats.epoch, epochName(run, s.epoch[n - 1]));
    this.stats.nonFinite.classList.toggle('error', last.nonFinite > 0);
    this.stats.zero.classList.toggle('warning', this.warnings.some((w) => w.kind === 'dead'));
    const key = this.warnings.map((w) => w.message + w.since).join('|');
    if (this.warn.dataset.key !== key) {
      this.warn.dataset.key = key;
      fill(this.warn, this.warnings.map((w) => h('li', { class: w.severity, 'data-warning': w.kind }, `⚠ ${w.message} (since ${epochName(run, w.since)})`)));
    }
  }

  /** Text alternatives (idle time): the canvas's description and the offscreen table row. */
  private renderText(run: RunState): void {
    const s = this.series;
    const n = s.length;
    if (n === 0) return;
    const last = s.statsAt(n - 1);
    const cells = [epochName(run, s.epoch[n - 1]), fmt(last.mean), fmt(last.std), fmtPercent(last.zeroFraction), String(last.nonFinite)];
    cells.forEach((text, i) => setText(this.cells[i + 1], text));
    const first = s.statsAt(0);
    const what = `${TENSOR_TITLE[s.tensor].toLowerCase()} of ${s.layer}`;
    const span = n > 1 ? `over ${n} snapshots, from ${epochName(run, s.epoch[0])} to ${epochName(run, s.epoch[n - 1])}` : `at ${epochName(run, s.epoch[0])}`;
    const latest = `latest mean ${fmt(last.mean)}, std ${fmt(last.std)}, range ${fmt(last.min)} to ${fmt(last.max)}, ${fmtPercent(last.zeroFraction)} zeros, ${last.nonFinite} non-finite`;
    const overlay =
      n > 1
        ? ` Right: the first snapshot, ${epochName(run, s.epoch[0])} (mean ${fmt(first.mean)}, std ${fmt(first.std)}), overlaid with the latest, ${epochName(run, s.epoch[n - 1])} (mean ${fmt(last.mean)}, std ${fmt(last.std)}).`
        : '';
    this.chart.setLabel(`Histograms of the ${what} ${span}, stacked by epoch; ${latest}.${overlay}${this.warnings.map((w) => ` Warning: ${w.message}.`).join('')}`);
  }
}

class LayerCard {
  readonly el: HTMLElement;
  private rows: TensorRow[] = [];
  private body: HTMLElement;
  private badges: HTMLElement;
  private subtitle: HTMLElement;
  private table: HTMLTableElement;
  private caption: HTMLTableCaptionElement;
  private nameBtn: HTMLButtonElement;
  private node: LayerNode | undefined;
  warnings: Warning[] = [];
  /** True when the DOM lags the data (the card was off screen when the data changed). */
  stale = true;
  /** Near the viewport (IntersectionObserver, 300 px margin). */
  onScreen = false;

  constructor(
    private ctx: ViewContext,
    public layer: string,
    focused = false,
  ) {
    this.nameBtn = h('button', { type: 'button', class: 'link layer-name' });
    this.nameBtn.addEventListener('click', () => ctx.dispatch({ type: 'focus', layer: ctx.state().focus === this.layer ? null : this.layer }));
    this.subtitle = h('span', { class: 'muted' });
    this.badges = h('span', { class: 'badges' });
    this.body = h('div', { class: 'card-body' });
    this.caption = h('caption');
    this.table = h('table', { class: 'visually-hidden' }, this.caption);
    this.el = h('article', { class: focused ? 'layer-card focused' : 'layer-card' }, h('header', {}, h('h3', {}, this.nameBtn), this.subtitle, this.badges), this.body, this.table);
    this.setLayer(layer);
  }

  setLayer(layer: string): void {
    this.layer = layer;
    this.el.dataset.layer = layer;
    this.el.setAttribute('aria-label', `Layer ${layer}`);
    setText(this.nameBtn, layer);
    setText(this.caption, `${layer}: latest statistics`);
    this.nameBtn.dataset.focus = layer;
    this.nameBtn.title = this.el.classList.contains('focused') ? 'Show all tapped layers' : `Focus ${layer}`;
    this.stale = true;
  }

  dispose(): void {
    for (const r of this.rows) r.dispose();
  }

  /** Data side, for every card: rows for new series, warnings, charts invalidated. */
  refreshData(run: RunState, node: LayerNode | undefined): void {
    const series = layerSeries(run, this.layer);
    const family = activationFamily(node);
    if (series.length !== this.rows.length || series.some((s, i) => this.rows[i].tensor !== s.tensor)) {
      for (const r of this.rows) r.dispose();
      this.rows = series.map((s) => new TensorRow(this.ctx, s, family, this.el));
      fill(this.body, this.rows.length ? this.rows.map((r) => r.el) : h('p', { class: 'muted' }, 'Waiting for the first histogram…'));
      fill(
        this.table,
        this.caption,
        h('tr', {}, ['Tensor', 'Epoch', 'Mean', 'Std', 'Zero fraction', 'Non-finite'].map((t) => h('th', { scope: 'col' }, t))),
        this.rows.map((r) => r.tableRow),
      );
    } else
      this.rows.forEach((r, i) => {
        if (r.series !== series[i]) r.bind(series[i], family);
        else r.refreshData();
      });
    this.warnings = this.rows.flatMap((r) => r.warnings);
    this.node = node;
    this.stale = true;
  }

  /** DOM side: only for cards on screen (or about to be). */
  render(run: RunState): void {
    this.stale = false;
    const node = this.node;
    for (const r of this.rows) r.render(run);
    const tap = run.taps.find((t) => t.layer === this.layer);
    const act = node && typeof node.config.activation === 'string' ? ` · ${node.config.activation}` : '';
    setText(this.subtitle, `${node ? node.className : ''}${act}${tap ? ` · tapped by ${tap.reason === 'loss' ? 'the loss' : 'you'}` : ''}`);
    const bkey = this.warnings.map((w) => w.kind).join(',');
    if (this.badges.dataset.key !== bkey) {
      this.badges.dataset.key = bkey;
      fill(this.badges, [...new Set(this.warnings.map((w) => w.kind))].map((k) => h('span', { class: `badge ${k === 'nonFinite' ? 'error' : 'warning'}` }, k === 'nonFinite' ? 'non-finite' : k)));
    }
    this.el.classList.toggle('has-warning', this.warnings.length > 0);
  }
}

export class LayersView {
  readonly el: HTMLElement;
  private picker: HTMLSelectElement;
  private cardsEl: HTMLElement;
  private focusEl: HTMLElement;
  private focusCard: LayerCard | null = null;
  private warningsEl: HTMLElement;
  private empty: HTMLElement;
  private cards = new Map<string, LayerCard>();
  private order: string[] = [];
  private showAll: HTMLButtonElement;
  private byEl = new Map<Element, LayerCard>();
  private io = new IntersectionObserver(
    (entries) => {
      let wake = false;
      for (const e of entries) {
        const card = this.byEl.get(e.target);
        if (!card) continue;
        card.onScreen = e.isIntersecting;
        if (card.onScreen && card.stale) wake = true;
      }
      if (wake) this.ctx.requestFrame();
    },
    { rootMargin: '300px 0px' },
  );

  constructor(private ctx: ViewContext) {
    this.picker = h('select', { id: 'layer-picker' });
    this.picker.addEventListener('change', () => ctx.dispatch({ type: 'focus', layer: this.picker.value || null }));
    this.showAll = h('button', { type: 'button', class: 'secondary small', id: 'show-all', onclick: () => ctx.dispatch({ type: 'focus', layer: null }) }, 'Show all');
    this.warningsEl = h('ul', { class: 'warning-list', id: 'warning-list', 'aria-label': 'Layer warnings' });
    this.cardsEl = h('div', { class: 'cards' });
    this.focusEl = h('div', { class: 'focus', id: 'focus-card' });
    this.empty = h('p', { class: 'muted' }, 'No tapped layers yet. Tick layers in the model table (the loss taps the layers it uses), then start a run.');
    this.el = h(
      'section',
      { id: 'layers', 'aria-labelledby': 'layers-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'layers-title' }, 'Tapped layers'), h('label', { for: 'layer-picker' }, 'Layer'), this.picker, this.showAll),
      this.warningsEl,
      this.empty,
      this.focusEl,
      this.cardsEl,
    );
  }

  update(changes: Changes): void {
    const st = this.ctx.state();
    const run = st.run;
    const model = shownModel(st);
    const layers = tappedLayers(run, model);
    const listChanged = layers.join('\n') !== this.order.join('\n');
    if (listChanged) {
      for (const [name, card] of this.cards)
        if (!layers.includes(name)) {
          card.dispose();
          this.io.unobserve(card.el);
          this.byEl.delete(card.el);
          this.cards.delete(name);
        }
      for (const name of layers)
        if (!this.cards.has(name)) {
          const card = new LayerCard(this.ctx, name);
          this.cards.set(name, card);
          this.byEl.set(card.el, card);
          this.io.observe(card.el);
        }
      this.order = layers;
      fill(this.cardsEl, layers.map((l) => this.cards.get(l)!.el));
    }
    this.empty.hidden = layers.length > 0;
    const all = changes.layers.has('*') || listChanged;
    if (run) for (const name of layers) if (all || changes.layers.has(name)) this.cards.get(name)!.refreshData(run, findLayerNode(model, name));

    const focus = st.focus !== null && layers.includes(st.focus) ? st.focus : null;
    if (focus !== null) {
      if (!this.focusCard) {
        this.focusCard = new LayerCard(this.ctx, focus, true);
        this.focusEl.append(this.focusCard.el);
      }
      const card = this.focusCard;
      if (card.layer !== focus) card.setLayer(focus);
      if (run && (all || changes.layout || changes.layers.has(focus))) card.refreshData(run, findLayerNode(model, focus));
    }
    this.focusEl.hidden = focus === null;
    this.cardsEl.hidden = focus !== null;
    this.showAll.hidden = focus === null;

    // picker and warning list
    const warnings = layers.flatMap((l) => this.cards.get(l)!.warnings);
    const optionsKey = JSON.stringify([layers, warnings.map((w) => w.layer)]);
    if (this.picker.dataset.key !== optionsKey) {
      this.picker.dataset.key = optionsKey;
      const warned = new Set(warnings.map((w) => w.layer));
      fill(this.picker, h('option', { value: '' }, `All tapped layers (${layers.length})`), layers.map((l) => h('option', { value: l }, warned.has(l) ? `${l} ⚠` : l)));
    }
    if (this.picker.value !== (focus ?? '')) this.picker.value = focus ?? '';
    const wkey = warnings.map((w) => `${w.layer}/${w.tensor}/${w.kind}/${w.since}`).join('|');
    if (this.warningsEl.dataset.key !== wkey) {
      this.warningsEl.dataset.key = wkey;
      fill(
        this.warningsEl,
        warnings.map((w) =>
          h(
            'li',
            { class: w.severity, 'data-warning': w.kind },
            h('button', { type: 'button', class: 'link', onclick: () => this.ctx.dispatch({ type: 'focus', layer: w.layer }) }, w.layer),
            ` ${w.tensor}: ${w.message} (since ${run ? epochName(run, w.since) : w.since})`,
          ),
        ),
      );
    }
    setAttr(this.el, 'data-focus', focus ?? '');
    this.renderVisible();
  }

  /** Scroll handler side (layout is clean there): which cards are near the screen now; true if one needs rendering. */
  refreshVisibility(): boolean {
    if (this.cardsEl.hidden) return false;
    const vh = window.innerHeight;
    let need = false;
    for (const card of this.cards.values()) {
      const r = card.el.getBoundingClientRect();
      card.onScreen = r.height > 0 && r.bottom >= -300 && r.top <= vh + 300;
      if (card.onScreen && card.stale) need = true;
    }
    return need;
  }

  /** Brings the DOM of cards near the screen up to date (every frame; others wait, no layout reads). */
  renderVisible(): void {
    const run = this.ctx.state().run;
    if (!run) return;
    if (this.focusCard?.stale && !this.focusEl.hidden) this.focusCard.render(run);
    if (this.cardsEl.hidden) return;
    for (const card of this.cards.values()) if (card.stale && card.onScreen) card.render(run);
  }
}
