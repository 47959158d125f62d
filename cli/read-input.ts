/** Reading the user's input files with clear errors for the usual mistakes. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class UsageError extends Error {}

/** Reads a Python source file; missing, unreadable, directory or binary input is a UsageError. */
export function readPythonFile(file: string): { path: string; text: string } {
  const full = path.resolve(file);
  let buffer: Buffer;
  try {
    if (fs.statSync(full).isDirectory()) throw new UsageError(`${file} is a directory, not a Python file`);
    buffer = fs.readFileSync(full);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((error as Error).message);
    throw new UsageError(`cannot read ${file}: ${reason}`);
  }
  if (looksBinary(buffer)) throw new UsageError(`${file} looks like a binary file, not Python source`);
  return { path: full, text: buffer.toString('utf8') };
}

function looksBinary(buffer: Buffer): boolean {
  const sample = buffer.subarray(0, 8000);
  if (sample.includes(0)) return true;
  const text = sample.toString('utf8');
  const replacement = (text.match(/\uFFFD/g) ?? []).length;
  return replacement > sample.length / 20;
}
