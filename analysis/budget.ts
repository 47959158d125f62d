/**
 * Bounded evaluation: every evaluation step, loop iteration and call depth is counted so that
 * `while True`, huge ranges, deep recursion and giant files end with a note instead of a hang.
 */
export class BudgetExceeded extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface BudgetLimits {
  /** Wall-clock budget for evaluating one file. */
  timeMs: number;
  /** Iterations of one loop before it is cut short (and what follows marked approximate). */
  loopIterations: number;
  /** Nested user-function calls. */
  callDepth: number;
}

export const DEFAULT_LIMITS: BudgetLimits = { timeMs: 1500, loopIterations: 10_000, callDepth: 60 };

export class Budget {
  private steps = 0;
  private readonly deadline: number;

  constructor(readonly limits: BudgetLimits) {
    this.deadline = Date.now() + limits.timeMs;
  }

  /** Called on every statement; checks the clock every 1024 steps to stay cheap. */
  step(): void {
    if ((++this.steps & 1023) === 0 && Date.now() > this.deadline) {
      throw new BudgetExceeded(`analysis stopped after ${this.limits.timeMs} ms (time budget)`);
    }
  }
}
