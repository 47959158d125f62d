# A working version of seed_activation_loss.py: an L1 penalty on the activations of the
# "dense_intermediate" layer, added to the classification loss.
#
# The seed passes a three-argument loss to compile() and returns the activations as a second
# output; Keras calls a loss with (y_true, y_pred) only, so that cannot work. In Keras 3 a penalty
# on a layer's output is an *activity regularizer*: Keras adds it to the loss on every batch.
# Keras sums the regularizer over the batch and divides by the batch size, so
#     L1(REG_STRENGTH / UNITS)  ==  REG_STRENGTH * mean(|activations|)
# — exactly the seed's `tf.reduce_mean(tf.math.abs(activation_output)) * regularization_strength`.
import keras
from keras import layers

NUM_CLASSES = 5  # digits 0-4
UNITS = 32
REG_STRENGTH = 0.1


def build_model(input_shape, num_classes, activation_layer_name="dense_intermediate"):
    inputs = keras.Input(shape=input_shape)
    x = layers.Dense(64, activation="relu", name="dense_hidden")(inputs)
    x = layers.Dense(
        UNITS,
        activation="relu",
        name=activation_layer_name,
        activity_regularizer=keras.regularizers.L1(REG_STRENGTH / UNITS),
    )(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="activation_penalty")


# MNIST digits 0-4, flattened to 784 pixels in [0, 1].
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
keep = y_train < NUM_CLASSES
x_train = x_train[keep].reshape(-1, 28 * 28).astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train[keep], NUM_CLASSES)

model = build_model(input_shape=(28 * 28,), num_classes=NUM_CLASSES)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.1)

# The penalised activations, as the Train & Inspect panel shows them:
activations = keras.Model(model.inputs, model.get_layer("dense_intermediate").output)
