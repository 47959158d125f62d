/**
 * The user's workspace as the analyzer sees it: `from models import build_model` resolves to
 * models.py (or models/__init__.py) next to the importing document or under a workspace root;
 * an open document's unsaved text wins over the file on disk. Also lists the workspace's Python
 * files for workspace-wide references and rename.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class ModuleResolver {
  /** Unsaved text of open documents, by path. */
  readonly overlays = new Map<string, string>();
  private readonly disk = new Map<string, { mtimeMs: number; size: number; text: string }>();
  roots: string[] = [];

  /** Reads `module` for a document at `fromPath`; records the file and text it used in `used`. */
  read(module: string, fromPath: string, used: Map<string, string>): { file: string; text: string } | undefined {
    const relative = module.split('.').join(path.sep);
    const dirs = [...new Set([path.dirname(fromPath), ...this.roots])];
    for (const dir of dirs) {
      for (const candidate of [path.join(dir, `${relative}.py`), path.join(dir, relative, '__init__.py')]) {
        if (candidate === fromPath) continue;
        const text = this.text(candidate);
        if (text !== undefined) {
          used.set(candidate, text);
          return { file: candidate, text };
        }
      }
    }
    return undefined;
  }

  /** Open document text, else the file on disk (cached until it changes). */
  text(file: string): string | undefined {
    const open = this.overlays.get(file);
    if (open !== undefined) return open;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    if (!stat.isFile()) return undefined;
    const cached = this.disk.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.text;
    const text = fs.readFileSync(file, 'utf8');
    this.disk.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, text });
    return text;
  }
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '__pycache__', 'site-packages', 'venv', 'env', 'build', 'dist']);

/** Python files under the roots (hidden and virtual-env directories skipped), at most `limit`. */
export function workspacePythonFiles(roots: string[], limit = 2000): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (out.length >= limit || depth > 12) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && !fs.existsSync(path.join(full, 'pyvenv.cfg'))) visit(full, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith('.py')) {
        out.push(full);
        if (out.length >= limit) return;
      }
    }
  };
  for (const root of roots) visit(root, 0);
  return out;
}
