// The generated Keras file of the language-server and parser benches (same text for both).

/**
 * A realistic file: builder functions, compile/fit, get_layer probes, helpers with loops.
 * `tag` goes into every generated name, so files of the same size can differ (a server never
 * analysed them before).
 */
export function generate(lines, tag = '') {
  const out = ['import keras', 'from keras import layers', 'import numpy as np', ''];
  let i = 0;
  while (out.length < lines - 4) {
    out.push(
      `def build_${tag}${i}(units=64):`,
      `    inputs = keras.Input(shape=(784,), name="in_${tag}${i}")`,
      `    x = layers.Dense(units, activation="relu", name="hidden_${tag}${i}")(inputs)`,
      `    x = layers.Dropout(0.2)(x)`,
      `    x = layers.Dense(32, activation="relu", name="bottleneck_${tag}${i}")(x)`,
      `    outputs = layers.Dense(10, activation="softmax", name="out_${tag}${i}")(x)`,
      `    return keras.Model(inputs, outputs, name="model_${tag}${i}")`,
      ``,
      `model_${tag}${i} = build_${tag}${i}()`,
      `model_${tag}${i}.compile(optimizer="adam", loss="categorical_crossentropy")`,
      `feat_${tag}${i} = model_${tag}${i}.get_layer("bottleneck_${tag}${i}").output`,
      `def helper_${tag}${i}(a, b):`,
      `    total = 0`,
      `    for k in range(3):`,
      `        total = total + a * k - b`,
      `    return total`,
      `value_${tag}${i} = helper_${tag}${i}(1, 2)`,
      ``,
    );
    i++;
  }
  // The probe: where the benchmark completes and hovers, near the end, after every model.
  const k = Math.max(0, i - 2);
  out.push('# typing happens on this line', `probe = model_${tag}${k}.get_layer('')`, `hover = model_${tag}${k}.get_layer("hidden_${tag}${k}")`, '');
  return out.join('\n');
}
