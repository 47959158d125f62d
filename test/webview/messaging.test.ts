// The webview end of the channel: listen first, `ready` first, typed envelopes, foreign messages ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PanelMessage, WebviewToHost } from '../../protocol/protocol';
import { connect, isHostMessage, type HostMessage, type VsCodeApi } from '../../webview/src/messaging';

function fakes() {
  const log: string[] = [];
  const posted: PanelMessage<WebviewToHost>[] = [];
  let listener: ((e: { data: unknown }) => void) | undefined;
  const api: VsCodeApi = {
    postMessage: (m) => {
      log.push('post');
      posted.push(m as PanelMessage<WebviewToHost>);
    },
    getState: () => undefined,
    setState: () => undefined,
  };
  const target = {
    addEventListener: (_: 'message', l: (e: { data: unknown }) => void) => {
      log.push('listen');
      listener = l;
    },
  };
  return { api, target, log, posted, deliver: (data: unknown) => listener?.({ data }) };
}

describe('webview messaging', () => {
  it('installs the listener, then sends ready before anything else', () => {
    const f = fakes();
    const received: HostMessage[] = [];
    const ch = connect(f.api, f.target, { restored: false }, (m) => received.push(m));
    assert.deepEqual(f.log, ['listen', 'post']);
    assert.deepEqual(f.posted, [{ type: 'ready', payload: { restored: false } }]);
    ch.post('startRun', { data: 'mnist', epochs: 2, batchSize: 32, taps: ['dense'] });
    ch.post('revealSource', { line: 12, layer: 'dense' });
    assert.deepEqual(
      f.posted.map((m) => m.type),
      ['ready', 'startRun', 'revealSource'],
    );
  });

  it('passes host messages through and ignores anything else', () => {
    const f = fakes();
    const received: HostMessage[] = [];
    connect(f.api, f.target, { restored: true, file: '/x.py' }, (m) => received.push(m));
    f.deliver({ type: 'event', payload: { type: 'log', level: 'info', message: 'hi' } });
    f.deliver({ type: 'unknown', payload: {} });
    f.deliver({ type: 'init' });
    f.deliver('text');
    f.deliver(null);
    f.deliver({ type: 'theme', payload: { kind: 'dark' } });
    assert.deepEqual(
      received.map((m) => m.type),
      ['event', 'theme'],
    );
    assert.equal(isHostMessage({ type: 'loadRun', payload: { version: 1, file: '', request: { file: '' }, events: [] } }), true);
  });
});
