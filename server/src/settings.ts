/**
 * `modelLens.*` settings, read per resource each time they are needed (never cached: the user may
 * change them per folder at any moment). Clients without workspace/configuration get the defaults.
 */
import type { Connection } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, type ModelLensSettings } from '../../protocol/protocol';

export class Settings {
  supported = false;

  constructor(private readonly connection: Connection) {}

  async for(uri: string): Promise<ModelLensSettings> {
    if (!this.supported) return DEFAULT_SETTINGS;
    try {
      const value: unknown = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION });
      return merge(DEFAULT_SETTINGS, value);
    } catch (error) {
      this.connection.console.warn(`could not read settings for ${uri}: ${String(error)}`);
      return DEFAULT_SETTINGS;
    }
  }
}

/** Defaults overlaid with whatever well-typed values the client sent. */
function merge(defaults: ModelLensSettings, value: unknown): ModelLensSettings {
  const out = structuredClone(defaults) as unknown as Record<string, Record<string, unknown>>;
  if (!value || typeof value !== 'object') return defaults;
  for (const [group, fields] of Object.entries(out)) {
    const given = (value as Record<string, unknown>)[group];
    if (!given || typeof given !== 'object') continue;
    for (const key of Object.keys(fields)) {
      const v = (given as Record<string, unknown>)[key];
      if (typeof v === typeof fields[key]) fields[key] = v;
    }
  }
  return out as unknown as ModelLensSettings;
}
