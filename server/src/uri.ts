/**
 * Document URIs ↔ file-system paths. The analyzer and the workspace work with paths; LSP with URIs.
 * Non-file documents (untitled:) keep their URI as their "path" so they still have an identity.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

export function uriToPath(uri: string): string {
  if (!uri.startsWith('file:')) return uri;
  try {
    return fileURLToPath(uri);
  } catch {
    return uri;
  }
}

export function pathToUri(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)) return path; // already a URI
  return pathToFileURL(path).href;
}

export function isFileUri(uri: string): boolean {
  return uri.startsWith('file:');
}
