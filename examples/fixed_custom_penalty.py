# A working version of seed_custom_function_loss.py: a custom function of the activations of the
# "dense_intermediate" layer (their mean square), weighted and added to the classification loss.
#
# The seed passes a three-argument loss to compile(); Keras calls a loss with (y_true, y_pred)
# only. In Keras 3 any tensor computed in a layer's call() can be added to the loss with
# `self.add_loss(...)`: the ActivationPenalty layer below passes its input through unchanged and
# adds REG_STRENGTH * custom_function(input) — the seed's
# `custom_function(intermediate_output) * regularization_strength`.
import keras
from keras import layers, ops

NUM_CLASSES = 5  # digits 0-4
REG_STRENGTH = 0.1


def custom_function(activations):
    """Mean square of the activations."""
    return ops.mean(ops.square(activations))


class ActivationPenalty(layers.Layer):
    """Identity layer that adds `strength * custom_function(inputs)` to the model's loss."""

    def __init__(self, strength=0.1, **kwargs):
        super().__init__(**kwargs)
        self.strength = strength

    def call(self, inputs):
        self.add_loss(self.strength * custom_function(inputs))
        return inputs

    def get_config(self):
        return {**super().get_config(), "strength": self.strength}


def build_model(input_shape, num_classes, intermediate_layer_name="dense_intermediate"):
    inputs = keras.Input(shape=input_shape)
    x = layers.Dense(64, activation="relu", name="dense_hidden")(inputs)
    x = layers.Dense(32, activation="relu", name=intermediate_layer_name)(x)
    x = ActivationPenalty(REG_STRENGTH, name="intermediate_penalty")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="custom_penalty")


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
keep = y_train < NUM_CLASSES
x_train = x_train[keep].reshape(-1, 28 * 28).astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train[keep], NUM_CLASSES)

model = build_model(input_shape=(28 * 28,), num_classes=NUM_CLASSES)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.1)
