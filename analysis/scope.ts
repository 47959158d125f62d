/**
 * Python scopes: a function's locals chained to its defining scope, ending at module globals.
 * Functions defined in a class body close over the class's enclosing scope, as in Python.
 */
import type { Value } from './values';

const NO_WILDCARDS: readonly string[] = [];

export class Scope {
  readonly vars = new Map<string, Value>();
  /** Names declared `global` in this function scope (made on the first declaration: most scopes have none). */
  private globals: Set<string> | undefined;
  private starImports: string[] | undefined;

  constructor(
    readonly parent: Scope | null,
    readonly kind: 'module' | 'function' | 'class',
  ) {}

  /** Modules star-imported here (`from keras.layers import *`), as canonical API paths. */
  get wildcards(): readonly string[] {
    return this.starImports ?? NO_WILDCARDS;
  }

  addWildcard(module: string): void {
    (this.starImports ??= []).push(module);
  }

  declareGlobal(name: string): void {
    (this.globals ??= new Set()).add(name);
  }

  lookup(name: string): Value | undefined {
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      const found = scope.vars.get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  assign(name: string, value: Value): void {
    if (this.globals?.has(name)) this.module().vars.set(name, value);
    else this.vars.set(name, value);
  }

  module(): Scope {
    let scope: Scope = this;
    while (scope.parent) scope = scope.parent;
    return scope;
  }
}
