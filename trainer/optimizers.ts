/**
 * Keras 3 optimizers, written with Keras's update formulas (not tfjs's, which differ in where
 * epsilon goes and in defaults) and with constants uploaded once, so an update costs only the
 * arithmetic ops. Variables are tfjs Variables; slots are created lazily per variable.
 */
import type { OptimizerSpec } from '../analysis/loss/program';
import type { Tf } from './backend';

type Tensor = ReturnType<Tf['tensor']>;
type Variable = ReturnType<Tf['variable']>;

export class OptimizerError extends Error {}

export interface Optimizer {
  readonly description: string;
  /** Applies one update. `grads[i]` belongs to `vars[i]`; null = no gradient. Runs in the caller's tidy. */
  apply(vars: Variable[], grads: (Tensor | null)[]): void;
  dispose(): void;
}

/** Keras defaults per class. */
const DEFAULTS: Record<string, Record<string, number | boolean>> = {
  SGD: { learning_rate: 0.01, momentum: 0, nesterov: false },
  Adam: { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
  AdamW: { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false, weight_decay: 0.004 },
  RMSprop: { learning_rate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  Adagrad: { learning_rate: 0.001, initial_accumulator_value: 0.1, epsilon: 1e-7 },
  Adamax: { learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
  Adadelta: { learning_rate: 0.001, rho: 0.95, epsilon: 1e-7 },
};

const POSITIONAL: Record<string, string[]> = {
  SGD: ['learning_rate', 'momentum', 'nesterov'],
  Adam: ['learning_rate', 'beta_1', 'beta_2', 'epsilon', 'amsgrad'],
  AdamW: ['learning_rate', 'weight_decay', 'beta_1', 'beta_2', 'epsilon', 'amsgrad'],
  RMSprop: ['learning_rate', 'rho', 'momentum', 'epsilon', 'centered'],
  Adagrad: ['learning_rate', 'initial_accumulator_value', 'epsilon'],
  Adamax: ['learning_rate', 'beta_1', 'beta_2', 'epsilon'],
  Adadelta: ['learning_rate', 'rho', 'epsilon'],
};

/** Arguments that do not change the update (or are handled here). */
const HARMLESS = new Set(['name', 'jit_compile', 'use_ema', 'ema_momentum', 'ema_overwrite_frequency', 'loss_scale_factor', 'gradient_accumulation_steps']);

export function createOptimizer(tf: Tf, spec: OptimizerSpec): Optimizer {
  const cls = spec.className;
  const where = spec.line ? ` (compile, line ${spec.line})` : '';
  const defaults = DEFAULTS[cls];
  if (!defaults) throw new OptimizerError(`optimizer ${cls.startsWith('$unknown') ? 'could not be resolved statically' : cls}${where} has no counterpart in the trainer (supported: ${Object.keys(DEFAULTS).join(', ')})`);
  const p: Record<string, number | boolean> = { ...defaults };
  let clipnorm: number | undefined;
  let clipvalue: number | undefined;
  let globalClipnorm: number | undefined;
  let weightDecay: number | undefined = cls === 'AdamW' ? Number(defaults['weight_decay']) : undefined;
  for (const [rawKey, v] of Object.entries(spec.args)) {
    const m = /^arg(\d+)$/.exec(rawKey);
    const key = m ? (POSITIONAL[cls]![Number(m[1])] ?? rawKey) : rawKey === 'lr' ? 'learning_rate' : rawKey;
    if (HARMLESS.has(key)) {
      if (key === 'use_ema' && v === true) throw new OptimizerError(`${cls}(use_ema=True)${where} is not supported by the trainer`);
      if (key === 'gradient_accumulation_steps' && v !== null && v !== 1) throw new OptimizerError(`${cls}(gradient_accumulation_steps=${String(v)})${where} is not supported by the trainer`);
      continue;
    }
    if (typeof v === 'string') throw new OptimizerError(`${cls}(${key}=...)${where}: ${v.startsWith('$unknown') ? 'could not be resolved statically (learning-rate schedules are not supported)' : `value ${JSON.stringify(v)} is not supported`}`);
    if (v === null) continue;
    if (key === 'clipnorm') clipnorm = Number(v);
    else if (key === 'clipvalue') clipvalue = Number(v);
    else if (key === 'global_clipnorm') globalClipnorm = Number(v);
    else if (key === 'weight_decay') weightDecay = Number(v);
    else if (key in p) p[key] = v;
    else throw new OptimizerError(`${cls}(${key}=${JSON.stringify(v)})${where}: argument has no counterpart in the trainer`);
  }
  if (p['amsgrad']) throw new OptimizerError(`${cls}(amsgrad=True)${where} is not supported by the trainer`);
  const num = (k: string): number => Number(p[k]);
  const kept: Tensor[] = [];
  const c = (v: number): Tensor => {
    const t = tf.keep(tf.scalar(v));
    kept.push(t);
    return t;
  };
  const slots = new Map<string, Variable[]>();
  const slot = (v: Variable, n: number, init = 0): Variable[] => {
    let s = slots.get(v.name);
    if (!s) {
      s = Array.from({ length: n }, (_, i) => tf.variable(init && i === 0 ? tf.fill(v.shape, init) : tf.zerosLike(v), false, `${v.name}/slot${i}`));
      slots.set(v.name, s);
    }
    return s;
  };
  let iterations = 0;
  const lr = num('learning_rate');
  const lrT = c(lr);
  const parts = Object.entries(p).map(([k, v]) => `${k}=${String(v)}`);
  if (clipnorm !== undefined) parts.push(`clipnorm=${clipnorm}`);
  if (clipvalue !== undefined) parts.push(`clipvalue=${clipvalue}`);
  if (globalClipnorm !== undefined) parts.push(`global_clipnorm=${globalClipnorm}`);
  if (weightDecay !== undefined) parts.push(`weight_decay=${weightDecay}`);
  const description = `${cls}(${parts.join(', ')}) with Keras 3 update rules`;

  const clip = (grads: (Tensor | null)[]): (Tensor | null)[] => {
    let out = grads;
    if (clipvalue !== undefined) out = out.map((g) => (g ? tf.clipByValue(g, -clipvalue!, clipvalue!) : g));
    if (clipnorm !== undefined) {
      out = out.map((g) => {
        if (!g) return g;
        const n = tf.norm(g);
        return tf.mul(g, tf.div(clipnorm!, tf.maximum(n, clipnorm!)));
      });
    }
    if (globalClipnorm !== undefined) {
      const present = out.filter((g): g is Tensor => g !== null);
      const gn = tf.sqrt(tf.addN(present.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.div(globalClipnorm, tf.maximum(gn, globalClipnorm));
      out = out.map((g) => (g ? tf.mul(g, scale) : g));
    }
    return out;
  };

  const decay = (v: Variable): void => {
    if (weightDecay) v.assign(tf.sub(v, tf.mul(v, weightDecay * lr)));
  };

  let update: (v: Variable, g: Tensor) => void;
  switch (cls) {
    case 'SGD': {
      const momentum = num('momentum');
      const mT = c(momentum);
      if (momentum === 0) update = (v, g) => v.assign(tf.sub(v, tf.mul(g, lrT)));
      else {
        update = (v, g) => {
          const [m] = slot(v, 1);
          const m1 = tf.sub(tf.mul(m!, mT), tf.mul(g, lrT));
          m!.assign(m1);
          v.assign(p['nesterov'] ? tf.add(v, tf.sub(tf.mul(m1, mT), tf.mul(g, lrT))) : tf.add(v, m1));
        };
      }
      break;
    }
    case 'Adam':
    case 'AdamW': {
      const b1 = num('beta_1');
      const b2 = num('beta_2');
      const ob1 = c(1 - b1);
      const ob2 = c(1 - b2);
      const eps = c(num('epsilon'));
      let alpha: Tensor | undefined;
      update = (v, g) => {
        const [m, s] = slot(v, 2);
        const m1 = tf.add(m!, tf.mul(tf.sub(g, m!), ob1));
        const s1 = tf.add(s!, tf.mul(tf.sub(tf.square(g), s!), ob2));
        m!.assign(m1);
        s!.assign(s1);
        v.assign(tf.sub(v, tf.div(tf.mul(m1, alpha!), tf.add(tf.sqrt(s1), eps))));
      };
      const inner = update;
      update = (v, g) => {
        if (!alpha) {
          const t = iterations + 1;
          alpha = tf.scalar((lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t));
        }
        inner(v, g);
      };
      const resetAlpha = (): void => {
        alpha = undefined;
      };
      return finish(resetAlpha);
    }
    case 'RMSprop': {
      const rho = num('rho');
      const momentum = num('momentum');
      const centered = Boolean(p['centered']);
      const rhoT = c(rho);
      const orho = c(1 - rho);
      const eps = c(num('epsilon'));
      const mT = c(momentum);
      update = (v, g) => {
        const s = slot(v, 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0));
        const vel = tf.add(tf.mul(s[0]!, rhoT), tf.mul(tf.square(g), orho));
        s[0]!.assign(vel);
        let denom = tf.add(vel, eps);
        if (centered) {
          const ag = s[s.length - 1]!;
          const ag1 = tf.add(tf.mul(ag, rhoT), tf.mul(g, orho));
          ag.assign(ag1);
          denom = tf.add(tf.sub(vel, tf.square(ag1)), eps);
        }
        const inc = tf.div(tf.mul(g, lrT), tf.sqrt(denom));
        if (momentum > 0) {
          const m1 = tf.add(tf.mul(s[1]!, mT), inc);
          s[1]!.assign(m1);
          v.assign(tf.sub(v, m1));
        } else v.assign(tf.sub(v, inc));
      };
      break;
    }
    case 'Adagrad': {
      const eps = c(num('epsilon'));
      const init = num('initial_accumulator_value');
      update = (v, g) => {
        const [acc] = slot(v, 1, init);
        const a1 = tf.add(acc!, tf.square(g));
        acc!.assign(a1);
        v.assign(tf.sub(v, tf.div(tf.mul(g, lrT), tf.sqrt(tf.add(a1, eps)))));
      };
      break;
    }
    case 'Adamax': {
      const b1 = num('beta_1');
      const b2T = c(num('beta_2'));
      const ob1 = c(1 - b1);
      const eps = c(num('epsilon'));
      update = (v, g) => {
        const [m, u] = slot(v, 2);
        const m1 = tf.add(m!, tf.mul(tf.sub(g, m!), ob1));
        const u1 = tf.maximum(tf.mul(u!, b2T), tf.abs(g));
        m!.assign(m1);
        u!.assign(u1);
        const corr = lr / (1 - b1 ** (iterations + 1));
        v.assign(tf.sub(v, tf.div(tf.mul(m1, corr), tf.add(u1, eps))));
      };
      break;
    }
    case 'Adadelta': {
      const rhoT = c(num('rho'));
      const orho = c(1 - num('rho'));
      const eps = c(num('epsilon'));
      update = (v, g) => {
        const [ag, ad] = slot(v, 2);
        const ag1 = tf.add(tf.mul(ag!, rhoT), tf.mul(tf.square(g), orho));
        ag!.assign(ag1);
        const delta = tf.neg(tf.mul(tf.div(tf.sqrt(tf.add(ad!, eps)), tf.sqrt(tf.add(ag1, eps))), g));
        ad!.assign(tf.add(tf.mul(ad!, rhoT), tf.mul(tf.square(delta), orho)));
        v.assign(tf.add(v, tf.mul(delta, lrT)));
      };
      break;
    }
    default:
      throw new OptimizerError(`optimizer ${cls}${where} has no counterpart in the trainer`);
  }
  return finish(() => undefined);

  function finish(beforeStep: () => void): Optimizer {
    return {
      description,
      apply(vars, grads) {
        beforeStep();
        const gs = clip(grads);
        vars.forEach((v, i) => {
          const g = gs[i];
          if (!g) return;
          decay(v);
          update(v, g);
        });
        iterations++;
      },
      dispose() {
        for (const s of slots.values()) for (const v of s) v.dispose();
        slots.clear();
        for (const t of kept) t.dispose();
        kept.length = 0;
      },
    };
  }
}
