/**
 * The fast parser against tree-sitter: on every Python file of the repository, on snippets of each
 * construct it covers, and on thousands of mutated files, it must either build exactly
 * tree-sitter's tree (types, fields, anonymous tokens, ranges, comment placement, parents) or
 * step aside with `Unsupported` — and it must never accept code tree-sitter finds broken.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { initParser } from '../../analysis/parser';
import { parseFast, Unsupported } from '../../analysis/python-parser';
import { toSyntaxTree, type SyntaxNode } from '../../analysis/syntax-tree';

const root = new URL('../..', import.meta.url).pathname;

function flatten(node: SyntaxNode, out: string[] = [], depth = 0): string[] {
  const parentOk = node.children.every((c) => node.same(c.parent));
  out.push(`${' '.repeat(depth)}${node.fieldName ?? ''}:${node.isNamed ? node.type : JSON.stringify(node.type)}[${node.startIndex},${node.endIndex}]${parentOk ? '' : ' BAD-PARENT'}`);
  for (const c of node.children) flatten(c, out, depth + 1);
  return out;
}

type Outcome = { kind: 'same' } | { kind: 'bail'; reason: string } | { kind: 'broken' } | { kind: 'differ'; at: string };

async function compare(source: string): Promise<Outcome> {
  const parser = await initParser();
  const tree = parser.parse(source)!;
  const broken = tree.rootNode.hasError;
  const expected = broken ? [] : flatten(toSyntaxTree(tree, source));
  tree.delete();
  let got: string[];
  try {
    got = flatten(parseFast(source));
  } catch (e) {
    if (e instanceof Unsupported) return { kind: 'bail', reason: e.message };
    throw e;
  }
  if (broken) return { kind: 'broken' };
  const i = expected.findIndex((line, k) => line !== got[k]);
  if (i === -1 && expected.length === got.length) return { kind: 'same' };
  const at = Math.max(0, i);
  return { kind: 'differ', at: `tree-sitter:\n${expected.slice(at - 2, at + 3).join('\n')}\nfast:\n${got.slice(at - 2, at + 3).join('\n')}` };
}

async function assertSame(source: string): Promise<void> {
  const outcome = await compare(source);
  assert.deepEqual(outcome.kind === 'differ' ? outcome.at : outcome, { kind: 'same' }, source);
}

const repositoryPython = execFileSync('git', ['ls-files', '*.py'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('fast parser = tree-sitter', () => {
  it('on every Python file of the repository (fixtures, examples, tools), also with Windows line endings, bailing on few', async () => {
    const bailed: string[] = [];
    for (const file of repositoryPython) {
      const text = readFileSync(`${root}/${file}`, 'utf8');
      for (const [variant, source] of [['', text], [' (CRLF)', text.replace(/\n/g, '\r\n')]]) {
        const outcome = await compare(source);
        if (outcome.kind === 'bail') bailed.push(`${file}${variant}: ${outcome.reason}`);
        else assert.equal(outcome.kind, 'same', `${file}${variant}\n${outcome.kind === 'differ' ? outcome.at : ''}`);
      }
    }
    assert.ok(repositoryPython.length > 60, 'the corpus is there');
    assert.ok(bailed.length <= 4, `the fast path covers the repository's Python:\n${bailed.join('\n')}`);
  });

  const snippets: Record<string, string> = {
    'comments around blocks': '# lead\ndef f():  # c1\n    # c2\n    x = 1  # c3\n    # c4\n  # c5\n# c6\n\ny = 2\n# end\n',
    'comments in nested blocks': 'def f():\n    if x:\n        y\n    # same as outer block\nz\nif a:\n    b\n# before else\nelse:\n    c\n',
    'comments in brackets': 'x = f(  # open\n    a,  # first\n    # alone\n    b=[1,  # one\n       2],\n)  # close\n',
    'statements': 'import a.b as c, d\nfrom x.y import (p, q as r,)\nfrom m import *\nfrom __future__ import annotations\nfrom . import models\nfrom ..pkg.mod import (a, b)\nfrom ...x import y\nglobal g\ndel a[0], b.c\nassert x, "m"\nraise E("x") from err\nraise\nreturn\npass; break; continue\n',
    'assignments': 'a = b = 1\nc, *d = e\n(f, g), h = 1, 2\n[i, j] = k\nx.y[0] += 2\nz: int = 3\nw: "M"\nv: list[int] = []\nu: np.ndarray = None\nt: int | None = None\n',
    'compound statements': 'for i, (a, b) in enumerate(x):\n    continue\nelse:\n    pass\nwhile x:\n    break\ntry:\n    pass\nexcept (A, B) as e:\n    pass\nexcept C:\n    pass\nelse:\n    pass\nfinally:\n    pass\nwith open(f) as fh, g():\n    pass\nif a: b\nelif c: d\nelse: e\n',
    'definitions': '@dec\n@dec.x(1)\nclass A(B, metaclass=M):\n    """doc"""\n    def m(self, a, /, b: int = 1, *args: str, c, d=2, **kw) -> dict[str, int]: ...\n    def n(self, *, k): return k\n',
    'expressions': 'x = not a or b and c if d else lambda p, q=1, *r, **s: p\ny = a < b <= c != d is not e not in f in g is h\nz = -a ** -b * c // d % e @ f + g - h << i >> j & k ^ l | m\nw = await q\nv = (a := 1)\n',
    'primaries': 'x = a.b[1:2, ::3, c:][0](*args, k=v, **kw)(x for x in y if x)\ny = [x * 2 for x in range(3) if x for z in w]\nz = {k: v for k, v in d.items()}\nw = {1, 2, *s}\nv = {**d, "k": 1}\nu = (1,)\nt = ()\ns = (yield)\nr = [*a, *b]\nq = ...\np = 0x1F + 0o7 + 0b1 + 1_000 + 1.5e-3 + .5 + 1. + 2j + 10L\n',
    'strings': 'a = "x" \'y\' """z""" r"\\d" b"\\x00\\n" f"{x!r:>10}{y=} {{z}}" rb\'q\' u"u"\nb = ("implicit"\n     "concat")\nc = "esc \\t \\\\ \\" \\q \\u1234 \\N{DASH}"\nd = f"{d[\'k\']:.3f} and {f(a, b)}"\n',
    'raw strings of escapes only': "a = r'\\\\'\nb = r'\\\\\\\\' + r\"\\\"\" + rb'\\''\nc = r'\\\\x' + r'''\\\\'''\n",
    'line continuations': 'x = 1 + \\\n    2\nif a and \\\n   b:\n    y = [1, \\\n 2]\nassert x, \\\r\n    "m"\n',
    'async definitions, loops and with': 'async def f(x):\n    async for a in b:\n        await a\n    else:\n        pass\n    async with c as d, e():\n        return await d\n\n@dec\nasync def g() -> int: ...\nclass K:\n    async def m(self): pass\n',
    'windows line endings': 'def f():\r\n    # c\r\n    return 1\r\nx = f()\r\n',
    'empty and comment-only files': '',
  };
  for (const [name, source] of Object.entries(snippets)) {
    it(name, async () => assertSame(source));
  }

  it('a comment-only file, and trailing blank lines', async () => {
    await assertSame('# only a comment\n');
    await assertSame('x = 1\n\n   \n');
    await assertSame('x = 1   ');
  });

  it('steps aside on syntax errors and on what it does not cover', async () => {
    for (const source of ['x = (\n', 'def f(:\n    pass\n', 'x = 1 +\n',  'match x:\n    case 1:\n        pass\n', 'x = [a async for a in b]\n', 'async x = 1\n', 'async\n', 'if x:\npass\n', '  x = 1\n']) {
      assert.throws(() => parseFast(source), Unsupported, source);
    }
  });

  it('never accepts a file tree-sitter finds broken, and matches it on the rest (2,000 mutations)', async () => {
    const sources = repositoryPython.filter((f) => f.startsWith('examples/') || f.startsWith('test/fixtures/')).map((f) => readFileSync(`${root}/${f}`, 'utf8'));
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const counts = { same: 0, bail: 0, broken: 0, differ: 0 };
    const pieces = ['(', ')', ':', ',', '\n', '    ', '#', '"', 'if ', 'else', '=', '.', '[', ']', 'lambda ', ' not ', '*', '\n  ', ' \\\n', '\\', 'f"{', "'"];
    for (let k = 0; k < 2000; k++) {
      const source = sources[random(sources.length)];
      const at = random(source.length);
      const mutated = random(2) === 0 ? source.slice(0, at) + source.slice(at + 1 + random(3)) : source.slice(0, at) + pieces[random(pieces.length)] + source.slice(at);
      const outcome = await compare(mutated);
      counts[outcome.kind]++;
      assert.ok(outcome.kind === 'same' || outcome.kind === 'bail', `${outcome.kind} on:\n${mutated.slice(Math.max(0, at - 200), at + 200)}\n${outcome.kind === 'differ' ? outcome.at : ''}`);
    }
    assert.ok(counts.same > 200 && counts.bail > 200, JSON.stringify(counts));
  });
});
