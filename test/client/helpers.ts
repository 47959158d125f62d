// Shared helpers of the client tests (plain Node: no VS Code).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeSource } from '../../analysis/analyze';
import type { ModelGraph } from '../../graph/model-graph';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The analyzer's model graph of a Python source (what the language server's modelGraph request returns). */
export async function graphOf(source: string, file = '/work/project/train.py'): Promise<ModelGraph> {
  const r = await analyzeSource(source, { file });
  try {
    return r.graph;
  } finally {
    r.tree.delete();
  }
}

export function tempDir(prefix = 'model-lens-client-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Two models: `encoder` (from a builder, no fit) and `classifier` (Sequential, `clf`, compiled and fit). Lines are 0-based in ranges. */
export const TWO_MODELS = `import numpy as np
import keras
from keras import layers

def make_encoder():
    inp = keras.Input(shape=(8,))
    h = layers.Dense(4, name="enc_dense")(inp)
    return keras.Model(inp, h, name="encoder")

encoder = make_encoder()

clf = keras.Sequential([
    keras.Input(shape=(16,)),
    layers.Dense(32, activation="relu", name="hidden"),
    layers.Dense(3, activation="softmax", name="out"),
], name="classifier")
clf.compile(optimizer="adam", loss="categorical_crossentropy")
x = np.zeros((100, 16))
y = np.zeros((100, 3))
clf.fit(x, y, epochs=7, batch_size=64)

hidden = clf.get_layer("hidden")
`;
