/** Live loss curves: total and each component, train (solid), validation (dashed), per batch (faint). */
import { fmt } from '../render/canvas';
import { drawCurves, type CurveLine } from '../render/curves';
import type { CurveSeries } from '../series';
import { curveKey, type RunState } from '../store';
import { ChartView } from './chart';
import type { ViewContext } from './context';
import { fill, h, setText } from './dom';

/** Components in a stable order: total first, then as the trainer reported them. */
export function components(run: RunState | null): string[] {
  if (!run) return [];
  const names: string[] = [];
  const fromLoss = run.loss?.components.map((c) => c.name) ?? [];
  for (const key of run.curves.keys()) {
    const name = key.slice(key.indexOf(':') + 1);
    if (!names.includes(name)) names.push(name);
  }
  const rank = (n: string) => (n === 'total' ? -1 : fromLoss.includes(n) ? fromLoss.indexOf(n) : fromLoss.length + names.indexOf(n));
  return names.sort((a, b) => rank(a) - rank(b));
}

export class CurvesView {
  readonly el: HTMLElement;
  readonly chart: ChartView;
  private legend: HTMLElement;
  private scaleBtn: HTMLButtonElement;
  private table: HTMLTableElement;
  private legendKey = '';

  constructor(private ctx: ViewContext) {
    this.chart = ctx.charts.add(new ChartView('curves', (c, w, hgt, palette) => this.draw(c, w, hgt, palette), 'curves-chart'));
    this.legend = h('div', { class: 'legend', role: 'group', 'aria-label': 'Loss series' });
    this.scaleBtn = h('button', { type: 'button', class: 'secondary small', id: 'y-scale', 'aria-pressed': 'false' }, 'Log scale');
    this.scaleBtn.addEventListener('click', () => ctx.dispatch({ type: 'yScale', scale: ctx.state().yScale === 'log' ? 'linear' : 'log' }));
    this.table = h('table', { class: 'visually-hidden', id: 'curves-table' });
    this.el = h(
      'section',
      { id: 'curves', 'aria-labelledby': 'curves-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'curves-title' }, 'Loss'), h('span', { class: 'muted' }, 'solid: train · dashed: validation · faint: per batch'), this.scaleBtn),
      this.chart.box,
      this.legend,
      this.table,
    );
  }

  private lines(palette: { series: string[] }): CurveLine[] {
    const st = this.ctx.state();
    const run = st.run;
    if (!run) return [];
    const out: CurveLine[] = [];
    components(run).forEach((name, i) => {
      if (st.hidden.includes(name)) return;
      const color = palette.series[i % palette.series.length];
      const add = (split: 'batch' | 'train' | 'val', s: CurveSeries | undefined) => {
        if (!s || s.pointCount() === 0) return;
        out.push({
          key: curveKey(split, name),
          color,
          series: s,
          dash: split === 'val' ? [5, 3] : [],
          width: split === 'batch' ? 1 : name === 'total' ? 2 : 1.5,
          alpha: split === 'batch' ? 0.3 : 1,
          dots: split !== 'batch',
        });
      };
      add('batch', run.curves.get(curveKey('batch', name)));
      add('train', run.curves.get(curveKey('train', name)));
      add('val', run.curves.get(curveKey('val', name)));
    });
    return out;
  }

  private draw(c: CanvasRenderingContext2D, w: number, hgt: number, palette: Parameters<typeof drawCurves>[4]['palette']) {
    const st = this.ctx.state();
    return drawCurves(c, w, hgt, this.lines(palette), { palette, yScale: st.yScale, xMax: st.run?.epochs ?? 1 });
  }

  update(): void {
    const st = this.ctx.state();
    const run = st.run;
    this.chart.invalidate();
    this.scaleBtn.setAttribute('aria-pressed', String(st.yScale === 'log'));
    const names = components(run);
    const key = JSON.stringify([names, st.hidden]);
    if (key !== this.legendKey) {
      this.legendKey = key;
      fill(
        this.legend,
        names.map((name, i) => {
          const box = h('input', { type: 'checkbox', checked: !st.hidden.includes(name), 'data-series': name });
          box.addEventListener('change', () => this.ctx.dispatch({ type: 'toggleSeries', key: name, visible: box.checked }));
          return h('label', { class: 'legend-item' }, box, h('span', { class: `swatch c${i % 6}`, 'aria-hidden': 'true' }), name);
        }),
      );
    }
    this.ctx.idle(this, () => this.updateText());
  }

  /** Text alternative: first and latest value of every series, as a label and an offscreen table. */
  private updateText(): void {
    const run = this.ctx.state().run;
    const names = components(run);
    const rows: [string, string, string, string][] = [];
    for (const name of names)
      for (const split of ['train', 'val'] as const) {
        const s = run?.curves.get(curveKey(split, name));
        if (!s || s.pointCount() === 0) continue;
        const n = s.pointCount();
        rows.push([`${name} (${split === 'val' ? 'validation' : 'train'})`, fmt(s.y(0)), fmt(s.y(n - 1)), String(Math.round(s.x(n - 1)))]);
      }
    if (rows.length === 0) {
      const b = run?.curves.get(curveKey('batch', 'total'));
      this.chart.setLabel(b && b.pointCount() ? `Loss per batch, latest ${fmt(b.last()!)}; no epoch finished yet` : 'Loss curves: no data yet');
    } else
      this.chart.setLabel(`Loss curves over ${rows[rows.length - 1][3]} epoch(s): ${rows.map((r) => `${r[0]} from ${r[1]} to ${r[2]}`).join('; ')}`);
    // Rebuilt only when the set of series changes; values are updated in place.
    const shape = rows.map((r) => r[0]).join('\n');
    if (this.table.dataset.key !== shape) {
      this.table.dataset.key = shape;
      fill(
        this.table,
        h('caption', {}, 'Loss: first and latest epoch'),
        h('tr', {}, ['Series', 'First epoch', 'Latest epoch', 'Epochs'].map((t) => h('th', { scope: 'col' }, t))),
        rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r[0]), h('td'), h('td'), h('td'))),
      );
    }
    const trs = this.table.querySelectorAll('tr');
    rows.forEach((r, i) => {
      const cells = trs[i + 1].children;
      for (let k = 1; k <= 3; k++) setText(cells[k], r[k]);
    });
  }
}
