# A working version of seed_kernel_loss.py: an L1 penalty on the kernel (weights) of the
# "dense_weights" layer, added to the classification loss.
#
# The seed returns the kernel as a model output and passes it to fit() as a target; Keras cannot
# use a weight tensor as an output, and it calls a loss with (y_true, y_pred) only. In Keras 3 a
# penalty on a layer's weights is a *kernel regularizer*: Keras adds
#     L1(REG_STRENGTH)  ==  REG_STRENGTH * sum(|kernel|)
# to the loss on every batch — exactly the seed's
# `tf.reduce_sum(tf.math.abs(weights)) * regularization_strength`.
import keras
from keras import layers

NUM_CLASSES = 5  # digits 0-4
REG_STRENGTH = 0.001  # the seed's 0.1 on a sum over 64x32 weights drowns the data loss


def build_model(input_shape, num_classes, weight_layer_name="dense_weights"):
    inputs = keras.Input(shape=input_shape)
    x = layers.Dense(64, activation="relu", name="dense_hidden")(inputs)
    x = layers.Dense(
        32,
        activation="relu",
        name=weight_layer_name,
        kernel_regularizer=keras.regularizers.L1(REG_STRENGTH),
    )(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="kernel_penalty")


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
keep = y_train < NUM_CLASSES
x_train = x_train[keep].reshape(-1, 28 * 28).astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train[keep], NUM_CLASSES)

model = build_model(input_shape=(28 * 28,), num_classes=NUM_CLASSES)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=32, epochs=2, validation_split=0.1)

# The penalised weights:
kernel = model.get_layer("dense_weights").kernel
