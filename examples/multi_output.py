# A multi-output functional model: a main classifier plus an auxiliary classifier on an earlier
# layer ("deep supervision"), each with its own loss and weight, and an L2 kernel regularizer on the
# shared "trunk" layer. Outputs, losses and fit() targets are matched by output layer name.
import keras
from keras import layers

inputs = keras.Input(shape=(28, 28), name="pixels")
x = layers.Flatten(name="flatten")(inputs)
trunk = layers.Dense(
    128, activation="relu", name="trunk", kernel_regularizer=keras.regularizers.L2(1e-4)
)(x)
aux_digit = layers.Dense(10, activation="softmax", name="aux_digit")(trunk)
head = layers.Dense(64, activation="relu", name="head")(trunk)
digit = layers.Dense(10, activation="softmax", name="digit")(head)
model = keras.Model(inputs=inputs, outputs={"digit": digit, "aux_digit": aux_digit}, name="digit_with_aux")

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255.0

model.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "aux_digit": "sparse_categorical_crossentropy"},
    loss_weights={"digit": 1.0, "aux_digit": 0.3},
    metrics={"digit": ["accuracy"]},
)
model.fit(x_train, {"digit": y_train, "aux_digit": y_train}, batch_size=64, epochs=2, validation_split=0.1)
