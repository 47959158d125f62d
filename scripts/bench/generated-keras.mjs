// The generated Keras file of the language-server and parser benches (same text for both).

/** A realistic file: builder functions, compile/fit, get_layer probes, helpers with loops. */
export function generate(lines) {
  const out = ['import keras', 'from keras import layers', 'import numpy as np', ''];
  let i = 0;
  while (out.length < lines - 4) {
    out.push(
      `def build_${i}(units=64):`,
      `    inputs = keras.Input(shape=(784,), name="in_${i}")`,
      `    x = layers.Dense(units, activation="relu", name="hidden_${i}")(inputs)`,
      `    x = layers.Dropout(0.2)(x)`,
      `    x = layers.Dense(32, activation="relu", name="bottleneck_${i}")(x)`,
      `    outputs = layers.Dense(10, activation="softmax", name="out_${i}")(x)`,
      `    return keras.Model(inputs, outputs, name="model_${i}")`,
      ``,
      `model_${i} = build_${i}()`,
      `model_${i}.compile(optimizer="adam", loss="categorical_crossentropy")`,
      `feat_${i} = model_${i}.get_layer("bottleneck_${i}").output`,
      `def helper_${i}(a, b):`,
      `    total = 0`,
      `    for k in range(3):`,
      `        total = total + a * k - b`,
      `    return total`,
      `value_${i} = helper_${i}(1, 2)`,
      ``,
    );
    i++;
  }
  // The probe: where the benchmark completes and hovers, near the end, after every model.
  const k = Math.max(0, i - 2);
  out.push('# typing happens on this line', `probe = model_${k}.get_layer('')`, `hover = model_${k}.get_layer("hidden_${k}")`, '');
  return out.join('\n');
}
